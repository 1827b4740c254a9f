import { expect, test } from "@playwright/test";
import { ALICE, ORDERS, VIC, browserFor, open, shareBackup, uniqueName } from "./helpers";

test("a viewer sees Acme HQ's pages but every change is refused, in the page and over HTTP", async ({ browser }) => {
  // Something for the viewer to look at: a share Alice made.
  const alice = await browserFor(browser, ALICE);
  const shareName = uniqueName("seen-by-vic");
  await expect(await shareBackup(alice.page, ORDERS, shareName, "1840000000000002")).toBeHidden();
  await alice.context.close();

  const vic = await browserFor(browser, VIC);
  await expect(vic.page.getByText("View only")).toBeVisible();
  await expect(vic.page.locator("tr", { hasText: ORDERS })).toBeVisible();

  // In the page: the share dialog's OK is refused with the reason.
  const dialog = await shareBackup(vic.page, ORDERS, uniqueName("by-vic"), "1840000000000002");
  await expect(dialog.getByRole("alert")).toContainText("is a viewer");
  await dialog.getByRole("button", { name: "Cancel" }).click();

  await open(vic.page, "My Shares");
  const row = vic.page.locator("tr", { hasText: shareName });
  await expect(row.locator(".status")).toHaveText("Pending");
  await row.getByRole("button", { name: "Cancel Sharing" }).click();
  await row.getByRole("button", { name: "Confirm" }).click();
  await expect(vic.page.getByRole("alert")).toContainText("is a viewer");
  await expect(row.locator(".status")).toHaveText("Pending");

  // Over HTTP, with the viewer's session: the same refusal.
  const direct = await vic.page.request.post("/api/create_share", {
    headers: { Accept: "application/json" },
    data: { share_name: uniqueName("direct"), scope: "AllAccounts", backup_ids: [ORDERS], principals: ["1840000000000002"] },
  });
  expect(direct.status()).toBe(403);
  expect((await direct.json()).message).toContain("is a viewer");
  await vic.context.close();
});
