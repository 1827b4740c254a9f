import { expect, test } from "@playwright/test";
import { ALICE, BOB, browserFor, open, shareBackup, uniqueName } from "./helpers";

// Copies run at the test server's BACKSHARE_COPY_RATE_LIMIT, so "Copying N%" is on
// screen for a few seconds before "Available".
const WEB = "sb-acmehq-web-001";
const BOB_ACCOUNT = "1840000000000002";

test("Bob accepts a server backup into a vault, watches it copy, creates a server from it, and loses the copy when Alice deletes the original", async ({ browser }) => {
  const alice = await browserFor(browser, ALICE);
  const shareName = uniqueName("web-copy");
  await expect(await shareBackup(alice.page, WEB, shareName, BOB_ACCOUNT)).toBeHidden();

  const bob = await browserFor(browser, BOB);
  await open(bob.page, "Shared With Me");
  const invitation = bob.page.locator("tr", { hasText: shareName });
  const picker = invitation.getByLabel("Vault for web-01 nightly");
  await expect(picker).toBeVisible();
  // Only the server vault qualifies; the disk vault is offered disabled with its reason.
  await expect(picker.locator("option:disabled")).toContainText("holds disk backups");
  await expect(picker).toHaveValue(/servers/);
  await invitation.getByRole("button", { name: "Accept" }).click();

  const received = bob.page.locator("table.received tr", { hasText: WEB });
  await expect(received).toContainText(/Copying \d+%/);
  await expect(received).toContainText("Available", { timeout: 30_000 });

  // Bob has two projects in the region: he picks where the server goes.
  await received.getByLabel(`Project for ${WEB}`).selectOption("proj-acmeeast-standby");
  await received.getByRole("button", { name: "Create Server" }).click();
  // Starting a restore leads to "Resources", which follows it to its end.
  await expect(bob.page).toHaveURL(/\/resources$/);
  const restore = bob.page.locator("table.restores tr", { hasText: WEB });
  await expect(restore).toContainText("Restored", { timeout: 30_000 });
  await expect(restore).toContainText("verified");
  await expect(restore).toContainText("proj-acmeeast-standby");

  // The new server is among Bob's resources, in the project he picked.
  const server = bob.page.locator("table.resources tr", { hasText: "web-01 nightly (restored)" });
  await expect(server).toContainText("proj-acmeeast-standby");
  await expect(server).toContainText("server");

  // The copy is in Bob's vault and counted there.
  await bob.page.getByRole("navigation").getByRole("link", { name: "Vaults" }).click();
  const held = bob.page.locator("table.vault-items tr", { hasText: WEB });
  await expect(held).toContainText("Acme HQ");
  await expect(held).toContainText("Available");

  // Alice deletes the original: the copy leaves Bob's open page without a reload.
  await open(bob.page, "Shared With Me");
  await expect(received).toContainText("Available");
  await open(alice.page, "Backups");
  const row = alice.page.locator("tr", { hasText: WEB });
  await row.getByRole("button", { name: "Delete" }).click();
  await row.getByRole("button", { name: "Confirm" }).click();
  await expect(alice.page.locator("tr", { hasText: WEB })).toHaveCount(0);
  await expect(received).toHaveCount(0);
  // The server Bob created stays.
  await bob.page.getByRole("navigation").getByRole("link", { name: "Resources" }).click();
  await expect(server).toContainText("proj-acmeeast-standby");
  await expect(restore).toContainText("Restored");

  await alice.context.close();
  await bob.context.close();
});

test("an encrypted disk backup is shared only with its key granted; Bob's copy stays encrypted and he creates a disk from it", async ({ browser }) => {
  const DISK = "db-acmehq-data-001";
  const alice = await browserFor(browser, ALICE);
  await open(alice.page, "Backups");
  await alice.page.locator("tr", { hasText: DISK }).getByRole("button", { name: "Share Backups" }).click();
  const dialog = alice.page.getByRole("dialog", { name: "Share Backups" });
  const shareName = uniqueName("disk-key");
  await dialog.getByLabel("Resource share name").fill(shareName);
  await dialog.getByLabel("Principal", { exact: true }).fill(BOB_ACCOUNT);
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  // Rule 5, before OK: without the key grant the dialog says what to do.
  const check = dialog.getByRole("status", { name: "Rule check" });
  await expect(check).toContainText("is encrypted: tick");
  await dialog.getByLabel("Grant the decryption key to recipients").check();
  await expect(check).toContainText("Every sharing rule allows this.");
  await dialog.getByRole("button", { name: "OK" }).click();
  await expect(dialog).toBeHidden();

  const bob = await browserFor(browser, BOB);
  await open(bob.page, "Shared With Me");
  const invitation = bob.page.locator("tr", { hasText: shareName });
  await expect(invitation.getByLabel("Vault for data-disk nightly (encrypted)")).toHaveValue(/disks/);
  await invitation.getByRole("button", { name: "Accept" }).click();
  const received = bob.page.locator("table.received tr", { hasText: DISK });
  await expect(received).toContainText("Available", { timeout: 30_000 });
  await expect(received).toContainText("(encrypted)");
  await received.getByRole("button", { name: "Create Disk" }).click();
  const restore = bob.page.locator("table.restores tr", { hasText: DISK });
  await expect(restore).toContainText("Restored", { timeout: 30_000 });
  await expect(restore).toContainText("verified");

  await alice.context.close();
  await bob.context.close();
});
