import { expect, test } from "@playwright/test";
import { ALICE, PASSWORD } from "./helpers";

// A page on another origin posts a sign-in form to Backshare (login CSRF): the server
// refuses it before anything runs, so the visitor's browser holds no Backshare session.
test("a sign-in form posted from another site signs nobody in", async ({ page, baseURL }) => {
  const evil = "http://evil.example";
  await page.route(`${evil}/**`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<form method="post" action="${baseURL}/api/sign_in">
               <input name="email" value="${ALICE}">
               <input name="password" value="${PASSWORD}">
               <button>Go</button>
             </form>`,
    }),
  );
  await page.goto(`${evil}/`);
  const answer = page.waitForResponse(`${baseURL}/api/sign_in`);
  await page.getByRole("button", { name: "Go" }).click();
  expect((await answer).status()).toBe(403);
  // Nothing was set: Backshare still asks this browser to sign in.
  expect(await page.context().cookies(baseURL)).toEqual([]);
  await page.goto("/backups");
  await expect(page).toHaveURL(/\/signin$/);
});
