import { expect, type Browser, type Page } from "@playwright/test";

export const PASSWORD = "backshare-demo";
export const ALICE = "alice@acme.example";
export const VIC = "vic@acme.example";
export const BOB = "bob@acme-east.example";
export const ORDERS = "cb-acmehq-orders-001";

/** Waits until the page has hydrated, so that buttons answer clicks. */
export async function ready(page: Page) {
  await page.locator("body[data-hydrated]").waitFor();
}

/** Signs in through the form and lands on "Backups". */
export async function signIn(page: Page, email: string) {
  await page.goto("/signin");
  await ready(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Backups" })).toBeVisible();
  await ready(page);
}

/** A signed-in page in a browser context of its own (its own cookies), with every
 *  Content-Security-Policy violation its pages report collected in `cspViolations`. */
export async function browserFor(browser: Browser, email: string) {
  const context = await browser.newContext();
  const cspViolations: string[] = [];
  context.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) cspViolations.push(message.text());
  });
  const page = await context.newPage();
  await signIn(page, email);
  return { context, page, cspViolations };
}

/** Goes to a page through the navigation bar. */
export async function open(page: Page, name: "Backups" | "My Shares" | "Shared With Me") {
  await page.getByRole("navigation").getByRole("link", { name, exact: false }).first().click();
  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
}

/** A share name no earlier test used. */
export function uniqueName(prefix: string) {
  return `${prefix}-${Date.now().toString(36)}`;
}

/**
 * Shares a backup from the "Backups" page with one principal through the dialog's
 * "Create a new resource share" path.
 */
export async function shareBackup(page: Page, backupId: string, shareName: string, principal: string) {
  await open(page, "Backups");
  const row = page.locator("tr", { hasText: backupId });
  await row.getByRole("button", { name: "Share Backups" }).click();
  const dialog = page.getByRole("dialog", { name: "Share Backups" });
  await dialog.getByLabel("Create a new resource share").check();
  await dialog.getByLabel("Resource share name").fill(shareName);
  await dialog.getByLabel("Principal", { exact: true }).fill(principal);
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await expect(dialog.getByRole("list", { name: "Principals" })).toContainText(principal);
  await dialog.getByRole("button", { name: "OK" }).click();
  return dialog;
}
