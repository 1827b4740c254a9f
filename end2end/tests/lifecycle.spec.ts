import { expect, test } from "@playwright/test";
import { ALICE, BOB, ORDERS, browserFor, open, uniqueName } from "./helpers";

const HOURLY = "cb-acmehq-orders-003";

test("several backups shared at once; deleting one makes it Lost and it leaves Bob's open page", async ({ browser }) => {
  const alice = await browserFor(browser, ALICE);
  const bob = await browserFor(browser, BOB);
  const shareName = uniqueName("two-at-once");

  // Tick two rows, then one "Share Backups" for both.
  await alice.page.getByLabel(`Select ${ORDERS}`).check();
  await alice.page.getByLabel(`Select ${HOURLY}`).check();
  await expect(alice.page.getByLabel("Select fb-acmehq-files-001")).toBeDisabled();
  await alice.page.getByRole("button", { name: "Share Backups (2 selected)" }).click();
  const dialog = alice.page.getByRole("dialog", { name: "Share Backups" });
  await expect(dialog).toContainText(ORDERS);
  await expect(dialog).toContainText(HOURLY);
  await dialog.getByLabel("Resource share name").fill(shareName);
  await dialog.getByLabel("Principal", { exact: true }).fill("1840000000000002");
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await dialog.getByRole("button", { name: "OK" }).click();
  await expect(dialog).toBeHidden();

  await open(bob.page, "Shared With Me");
  await bob.page
    .getByRole("region", { name: "Pending invitations" })
    .locator("tr", { hasText: shareName })
    .getByRole("button", { name: "Accept" })
    .click();
  const received = bob.page.getByRole("region", { name: "Received backups" }).locator("tr", { hasText: shareName });
  await expect(received).toHaveCount(2);

  // The owner deletes one of them; Bob's page, left open, loses it by itself.
  const row = alice.page.locator("tr", { hasText: HOURLY });
  await row.getByRole("button", { name: "Delete" }).click();
  await row.getByRole("button", { name: "Confirm" }).click();
  await expect(alice.page.locator("tr", { hasText: HOURLY })).toHaveCount(0);
  await expect(received).toHaveCount(1);
  await expect(received).toContainText(ORDERS);

  await open(alice.page, "My Shares");
  const lost = alice.page.locator("tr", { hasText: shareName }).filter({ hasText: HOURLY });
  await expect(lost.locator(".status")).toHaveText("Lost");

  await alice.context.close();
  await bob.context.close();
});

test("the Activity page shows the owner and the recipient what concerns them", async ({ browser }) => {
  const alice = await browserFor(browser, ALICE);
  const shareName = uniqueName("logged");
  await alice.page.locator("tr", { hasText: ORDERS }).getByRole("button", { name: "Share Backups" }).click();
  const dialog = alice.page.getByRole("dialog", { name: "Share Backups" });
  await dialog.getByLabel("Resource share name").fill(shareName);
  await dialog.getByLabel("Principal", { exact: true }).fill("1840000000000002");
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await dialog.getByRole("button", { name: "OK" }).click();
  await expect(dialog).toBeHidden();

  const bob = await browserFor(browser, BOB);
  await open(bob.page, "Shared With Me");
  await bob.page
    .getByRole("region", { name: "Pending invitations" })
    .locator("tr", { hasText: shareName })
    .getByRole("button", { name: "Reject" })
    .click();
  await bob.page.getByRole("navigation").getByRole("link", { name: "Activity" }).click();
  const bobLine = bob.page.locator("tr", { hasText: shareName }).filter({ hasText: "Rejected invitation" });
  await expect(bobLine).toContainText(BOB);
  await expect(bobLine).toContainText("Done");

  await alice.page.getByRole("navigation").getByRole("link", { name: "Activity" }).click();
  await expect(alice.page.locator("tr", { hasText: shareName }).filter({ hasText: "Shared backups" })).toContainText(ALICE);
  await expect(alice.page.locator("tr", { hasText: shareName }).filter({ hasText: "Rejected invitation" })).toBeVisible();
  await alice.context.close();
  await bob.context.close();
});

test("a backup's Share List tab shows each recipient and its status", async ({ browser }) => {
  const alice = await browserFor(browser, ALICE);
  const shareName = uniqueName("listed");
  await alice.page.locator("tr", { hasText: ORDERS }).getByRole("button", { name: "Share Backups" }).click();
  const dialog = alice.page.getByRole("dialog", { name: "Share Backups" });
  await dialog.getByLabel("Resource share name").fill(shareName);
  await dialog.getByLabel("Principal", { exact: true }).fill("proj-acmeeast-sg");
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await dialog.getByRole("button", { name: "OK" }).click();
  await expect(dialog).toBeHidden();

  await alice.page.locator("tr", { hasText: ORDERS }).getByRole("link", { name: "orders-db daily" }).click();
  await expect(alice.page.getByRole("heading", { name: "orders-db daily" })).toBeVisible();
  await alice.page.getByRole("link", { name: "Share List" }).click();
  const row = alice.page.locator("tr", { hasText: shareName });
  await expect(row).toContainText("proj-acmeeast-sg");
  await expect(row).toContainText("Acme East");
  await expect(row.locator(".status")).toHaveText("Pending");
  await alice.context.close();
});
