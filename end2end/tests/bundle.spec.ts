import { expect, test } from "@playwright/test";
import { ALICE, browserFor } from "./helpers";

// The page names its bundle by content hash, and the server answers those files
// compressed and cacheable for a year: a returning visitor downloads nothing again.
test("the bundle is named by its hash, served compressed and cached as immutable", async ({
  page,
  request,
}) => {
  await page.goto("/signin");
  const names = await page.evaluate(() =>
    [...document.querySelectorAll("link[href^='/pkg/']")].map((l) => l.getAttribute("href")),
  );
  for (const ext of ["js", "wasm", "css"]) {
    const href = names.find((n) => n?.startsWith("/pkg/backshare.") && n.endsWith(`.${ext}`));
    expect(href, `a /pkg/ link for the ${ext} file in ${names}`).toMatch(
      new RegExp(`^/pkg/backshare\\.[A-Za-z0-9_-]{8,}\\.${ext}$`),
    );
  }
  // The page's own code comes as chunks (lazy routes), preloaded beside the main bundle,
  // with the loader that fetches them: hashed, compressed and immutable alike.
  const chunks = names.filter((n) => !n?.startsWith("/pkg/backshare."));
  expect(chunks.some((n) => /^\/pkg\/split___sign_in_view_\d+\.[A-Za-z0-9_-]{8,}\.wasm$/.test(n!)), `the sign-in chunk in ${names}`).toBe(true);
  expect(chunks.some((n) => /^\/pkg\/__wasm_split\.[A-Za-z0-9_-]{8,}\.js$/.test(n!)), `the chunk loader in ${names}`).toBe(true);
  for (const href of names) {
    const answer = await request.get(href!, { headers: { "accept-encoding": "br, gzip" } });
    expect(answer.status(), href!).toBe(200);
    expect(answer.headers()["cache-control"], href!).toBe("public, max-age=31536000, immutable");
    expect(answer.headers()["content-encoding"], href!).toMatch(/^(br|gzip)$/);
  }
  // The hydrated page still works with the hashed names.
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
});

// The pages read answers by position (postcard), so a page must not read another build's.
// A page left open across an update (here: its requests name another build) is told, in
// words, to reload, and nothing it asked runs.
test("a page left open across an update asks for a reload instead of misreading answers", async ({
  browser,
}) => {
  const alice = await browserFor(browser, ALICE);
  let renamed = 0;
  await alice.page.route("**/api/**", (route) => {
    const headers = { ...route.request().headers() };
    const accept = headers["accept"] ?? "";
    if (/build=\w+/.test(accept)) {
      headers["accept"] = accept.replace(/build=\w+/, "build=0000000000000000");
      renamed += 1;
    }
    return route.continue({ headers });
  });
  await alice.page.getByRole("navigation").getByRole("link", { name: "My Shares" }).first().click();
  await expect(
    alice.page.getByRole("alert").filter({ hasText: "Backshare has been updated since this page was opened. Reload the page to go on." }),
  ).toBeVisible();
  expect(renamed).toBeGreaterThan(0);
  await alice.context.close();
});
