import { expect, test } from "@playwright/test";
import { ALICE, ORDERS, browserFor, uniqueName } from "./helpers";

test("rules refuse in the page before OK: disabled buttons say why, the dialog names each problem", async ({ browser }) => {
  const alice = await browserFor(browser, ALICE);
  const page = alice.page;

  // Rules 1 and 4: the button is disabled and its tooltip gives the reason.
  const file = page.locator("tr", { hasText: "fb-acmehq-files-001" }).getByRole("button", { name: "Share Backups" });
  await expect(file).toBeDisabled();
  await expect(file).toHaveAttribute("title", /file backups cannot be shared/);
  const crossRegion = page.locator("tr", { hasText: "rp-acmehq-orders-001" }).getByRole("button", { name: "Share Backups" });
  await expect(crossRegion).toHaveAttribute("title", /cross-region backups cannot be shared/);

  await page.locator("tr", { hasText: ORDERS }).getByRole("button", { name: "Share Backups" }).click();
  const dialog = page.getByRole("dialog", { name: "Share Backups" });
  await dialog.getByLabel("Resource share name").fill(uniqueName("rules"));
  const check = dialog.getByRole("status", { name: "Rule check" });

  // Allowed, with the quota left.
  await dialog.getByLabel("Principal", { exact: true }).fill("1840000000000002");
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await expect(check).toContainText("Every sharing rule allows this.");
  // Earlier tests may have shared some backups already, so only the shape is fixed here.
  await expect(check).toContainText(/Remaining quota after this: \d+ cluster backups and \d+ backups in resource shares/);
  await expect(check).toContainText(/\d+ more accounts for cb-acmehq-orders-001/);

  // Rule 3 (CN Corp) and rule 2 (Partner B has no project in ap-southeast-1), before OK.
  await dialog.getByLabel("Principal", { exact: true }).fill("1860000000000004");
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await expect(check).toContainText("belongs to another site");
  await dialog.getByLabel("Principal", { exact: true }).fill("1840000000000003");
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await expect(check).toContainText("has no project in ap-southeast-1");

  // A typo is named at once, in the browser.
  await dialog.getByLabel("Principal", { exact: true }).fill("12345");
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await expect(dialog.getByRole("alert")).toContainText("is not an account ID");

  // OK is refused with the first problem, and nothing was shared.
  await dialog.getByLabel("Principal", { exact: true }).fill("");
  await dialog.getByRole("button", { name: "OK" }).click();
  await expect(dialog.getByRole("alert")).toContainText("belongs to another site");
  await dialog.getByRole("listitem").filter({ hasText: "1860000000000004" }).getByRole("button", { name: "Remove" }).click();
  await dialog.getByRole("listitem").filter({ hasText: "1840000000000003" }).getByRole("button", { name: "Remove" }).click();
  await expect(check).toContainText("Every sharing rule allows this.");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await alice.context.close();
});
