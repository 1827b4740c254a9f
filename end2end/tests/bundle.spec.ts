import { expect, test } from "@playwright/test";

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
    const href = names.find((n) => n?.endsWith(`.${ext}`));
    expect(href, `a /pkg/ link for the ${ext} file in ${names}`).toMatch(
      new RegExp(`^/pkg/backshare\\.[A-Za-z0-9_-]{8,}\\.${ext}$`),
    );
    const answer = await request.get(href!, { headers: { "accept-encoding": "br, gzip" } });
    expect(answer.status()).toBe(200);
    expect(answer.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(answer.headers()["content-encoding"]).toMatch(/^(br|gzip)$/);
  }
  // The hydrated page still works with the hashed names.
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
});
