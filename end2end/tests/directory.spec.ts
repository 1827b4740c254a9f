import { expect, test } from "@playwright/test";
import { ALICE, BOB, ORDERS, browserFor, open, uniqueName } from "./helpers";

const SECOND = "cb-acmehq-orders-003";
const EAST_FOLDER = "fd-acme-east";
const ACME_EAST = "1840000000000002";

test("the complete dialog: directory scope refuses an outsider, a folder principal, an existing share edited, and the recipient restores", async ({ browser }) => {
  const alice = await browserFor(browser, ALICE);
  const page = alice.page;
  const shareName = uniqueName("east-folder");

  // "Create a new resource share" with the scope "Objects within resource directory".
  await page.locator("tr", { hasText: SECOND }).getByRole("button", { name: "Share Backups" }).click();
  let dialog = page.getByRole("dialog", { name: "Share Backups" });
  await dialog.getByLabel("Resource share name").fill(shareName);
  await dialog.getByLabel("Objects within resource directory").check();
  const check = dialog.getByRole("status", { name: "Rule check" });
  // Partner B is outside Acme Group: refused before OK, with its own message.
  await dialog.getByLabel("Principal", { exact: true }).fill("1840000000000003");
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await expect(check).toContainText('is not in your resource directory "Acme Group"');
  await dialog.getByRole("listitem").filter({ hasText: "1840000000000003" }).getByRole("button", { name: "Remove" }).click();
  // The folder "East" is offered by name and covers Acme East.
  await dialog.getByRole("button", { name: `Add folder East (${EAST_FOLDER})` }).click();
  await expect(dialog.getByRole("list", { name: "Principals" })).toContainText(EAST_FOLDER);
  await expect(check).toContainText("Every sharing rule allows this.");
  await dialog.getByRole("button", { name: "OK" }).click();
  await expect(dialog).toBeHidden();

  // "Select an existing resource share": its resources and principals are shown; a backup joins it.
  await page.locator("tr", { hasText: ORDERS }).getByRole("button", { name: "Share Backups" }).click();
  dialog = page.getByRole("dialog", { name: "Share Backups" });
  await dialog.getByLabel("Select an existing resource share").check();
  await dialog.getByRole("combobox").selectOption({ label: shareName });
  await expect(dialog.getByLabel("Resources in this share")).toContainText(SECOND);
  await expect(dialog.getByLabel("Resources in this share")).toContainText("Objects within resource directory");
  await expect(dialog.getByRole("list", { name: "Principals" })).toContainText(EAST_FOLDER);
  await expect(check).toContainText("Every sharing rule allows this.");
  await dialog.getByRole("button", { name: "OK" }).click();
  await expect(dialog).toBeHidden();

  // My Shares: both backups reach Acme East through the folder; Cancel Sharing says why it cannot.
  await open(page, "My Shares");
  const rows = page.locator("tr", { hasText: shareName });
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText(EAST_FOLDER);
  await expect(rows.first()).toContainText(`is covered by folder ${EAST_FOLDER}`);

  // "Manage Sharing Relationship": the folder is swapped for the account itself.
  await rows.first().getByRole("button", { name: "Manage Sharing Relationship" }).click();
  dialog = page.getByRole("dialog", { name: "Manage Sharing Relationship" });
  await expect(dialog.getByRole("list", { name: "Principals" })).toContainText(EAST_FOLDER);
  await dialog.getByRole("listitem").filter({ hasText: EAST_FOLDER }).getByRole("button", { name: "Remove" }).click();
  await dialog.getByLabel("Principal", { exact: true }).fill(ACME_EAST);
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await expect(dialog.getByRole("status", { name: "Rule check" })).toContainText("Every sharing rule allows this.");
  await dialog.getByRole("button", { name: "OK" }).click();
  await expect(dialog).toBeHidden();
  await expect(rows.first()).toContainText(ACME_EAST);
  await expect(rows.first().getByRole("button", { name: "Cancel Sharing" })).toBeEnabled();
  await expect(rows.first()).toContainText("Pending");

  // Bob sees both backups in the invitation before answering, accepts, and restores one.
  const bob = await browserFor(browser, BOB);
  await open(bob.page, "Shared With Me");
  const invitation = bob.page.locator("tr", { hasText: shareName });
  await expect(invitation).toContainText(SECOND);
  await expect(invitation).toContainText(ORDERS);
  await invitation.getByRole("button", { name: "Accept" }).click();
  const received = bob.page.locator("table.received tr", { hasText: shareName }).filter({ hasText: SECOND });
  await expect(received).toContainText("Accepted");
  await expect(rows.first()).toContainText("Accepted"); // live on Alice's open page
  await received.getByRole("button", { name: "Restore Data to New Cluster" }).click();
  const restore = bob.page.locator("table.restores tr", { hasText: SECOND }).first();
  await expect(restore).toContainText("Restored");
  await expect(restore).toContainText("verified");
  await expect(restore).toContainText("proj-acmeeast-sg");

  await bob.context.close();
  await alice.context.close();
});
