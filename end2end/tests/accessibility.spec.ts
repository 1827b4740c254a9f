import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { ALICE, BOB, ORDERS, PASSWORD, ready, signIn } from "./helpers";
import { BROWSER_LOCALE, tr } from "./i18n";

/** axe-core's WCAG 2.1 A and AA rules on what the page shows now (an open modal dialog
 *  included: the page behind it is inert and outside the check). */
async function violations(page: Page) {
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`);
}

const PAGES = [
  "/backups",
  `/backups/${ORDERS}`,
  "/my-shares",
  "/shared-with-me",
  "/vaults",
  "/resources",
  "/activity",
  "/credentials",
  "/api-reference",
];

test("axe finds no WCAG 2.1 A/AA violation on any page", async ({ page }) => {
  await page.goto("/signin");
  await ready(page);
  expect(await violations(page), "/signin").toEqual([]);
  await signIn(page, ALICE);
  for (const path of PAGES) {
    await page.goto(path);
    await ready(page);
    await expect(page.getByText("Loading…")).toHaveCount(0);
    expect(await violations(page), path).toEqual([]);
  }
});

test("axe finds no violation on any page in Chinese either", async ({ browser }) => {
  const context = await browser.newContext({ locale: BROWSER_LOCALE.zh });
  const page = await context.newPage();
  await page.goto("/signin");
  await ready(page);
  await expect(page.locator("html")).toHaveAttribute("lang", "zh");
  expect(await violations(page), "/signin in Chinese").toEqual([]);
  await page.getByLabel(tr("zh", "sign_in.email")).fill(ALICE);
  await page.getByLabel(tr("zh", "sign_in.password")).fill(PASSWORD);
  await page.getByRole("button", { name: tr("zh", "sign_in.submit") }).click();
  await expect(page.getByRole("heading", { name: tr("zh", "backups.title") })).toBeVisible();
  for (const path of PAGES) {
    await page.goto(path);
    await ready(page);
    await expect(page.getByText(tr("zh", "common.loading"))).toHaveCount(0);
    expect(await violations(page), `${path} in Chinese`).toEqual([]);
  }

  await page.goto("/backups");
  await ready(page);
  const row = page.locator("tr", { hasText: ORDERS });
  await row.getByRole("button", { name: tr("zh", "backups.share_backups") }).click();
  const dialog = page.getByRole("dialog", { name: tr("zh", "share_dialog.title_share") });
  await expect(dialog).toBeVisible();
  expect(await violations(page), "share dialog in Chinese").toEqual([]);
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await row.getByRole("button", { name: tr("zh", "backups.delete") }).click();
  const confirm = page.getByRole("dialog").filter({ hasText: tr("zh", "backups.keep") });
  await expect(confirm).toBeVisible();
  expect(await violations(page), "confirm dialog in Chinese").toEqual([]);
  await confirm.getByRole("button", { name: tr("zh", "backups.keep") }).click();
  await expect(confirm).toHaveCount(0);
  await context.close();
});

test("axe finds no violation in the open share dialog and the open confirm", async ({ page }) => {
  await signIn(page, ALICE);
  const row = page.locator("tr", { hasText: ORDERS });
  await row.getByRole("button", { name: "Share Backups" }).click();
  const dialog = page.getByRole("dialog", { name: "Share Backups" });
  await expect(dialog).toBeVisible();
  expect(await violations(page), "share dialog").toEqual([]);
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);

  await row.getByRole("button", { name: "Delete" }).click();
  const confirm = page.getByRole("dialog", { name: /^Delete .+\? Recipients lose access\.$/ });
  await expect(confirm).toBeVisible();
  expect(await violations(page), "confirm dialog").toEqual([]);
  await confirm.getByRole("button", { name: "Keep" }).click();
  await expect(confirm).toHaveCount(0);
  await expect(row).toBeVisible();
});

test("axe finds no violation on the recipient's Shared With Me", async ({ page }) => {
  await signIn(page, BOB);
  await page.goto("/shared-with-me");
  await ready(page);
  await expect(page.getByText("Loading…")).toHaveCount(0);
  expect(await violations(page), "Bob's Shared With Me").toEqual([]);
});
