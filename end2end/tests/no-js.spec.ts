import { expect, test } from "@playwright/test";
import { ALICE, ORDERS, PASSWORD } from "./helpers";

// This file runs in the "no-js" project: JavaScript is off, so everything here comes from
// the server's rendering and plain form posts.

test("without JavaScript, a signed-out visitor is sent to Sign in and a wrong password is named", async ({ page }) => {
  await page.goto("/backups");
  await expect(page).toHaveURL(/\/signin$/);
  await page.getByLabel("Email").fill(ALICE);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("The email or password is not correct.");
});

test("without JavaScript, sign-in works and the pages render on the server", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(ALICE);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/backups$/);
  await expect(page.locator("tr", { hasText: ORDERS })).toContainText("orders-db daily");
  await page.goto("/my-shares");
  await expect(page.getByRole("heading", { name: "My Shares" })).toBeVisible();
  await page.goto("/shared-with-me");
  await expect(page.getByRole("heading", { name: "Pending invitations" })).toBeVisible();
  await page.goto("/credentials");
  await expect(page.getByTestId("account-id")).toHaveText("1840000000000001");
});
