import { expect, test, type Browser } from "@playwright/test";
import { ALICE, ORDERS, PASSWORD } from "./helpers";

// This file runs in the "no-js" project: JavaScript is off, so everything here comes from
// the server's rendering and plain form posts.

/** A browser context of its own with JavaScript off, signed in through the plain form. */
async function signedIn(browser: Browser, email: string) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/backups$/);
  return { context, page };
}

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

test("without JavaScript, Accept, Reject, Restore and Cancel Sharing are plain form posts and the page returns with the result", async ({ browser }) => {
  const alice = await signedIn(browser, ALICE);
  const stamp = Date.now().toString(36);
  const [kept, refused] = [`nojs-accept-${stamp}`, `nojs-reject-${stamp}`];
  for (const name of [kept, refused]) {
    const shared = await alice.page.request.post("/api/create_share", {
      headers: { Accept: "application/json" },
      data: { share_name: name, scope: "AllAccounts", backup_ids: [ORDERS], principals: ["1840000000000002"] },
    });
    expect(shared.status()).toBe(200);
  }

  const bob = await signedIn(browser, "bob@acme-east.example");
  await bob.page.goto("/shared-with-me");
  await bob.page.locator("table.invitations tr", { hasText: kept }).getByRole("button", { name: "Accept" }).click();
  await expect(bob.page).toHaveURL(/\/shared-with-me\??$/);
  await expect(bob.page.locator("table.received tr", { hasText: kept })).toContainText("Accepted");
  await bob.page.locator("table.invitations tr", { hasText: refused }).getByRole("button", { name: "Reject" }).click();
  await expect(bob.page.locator("table.answered tr", { hasText: refused })).toContainText("Rejected");
  await expect(bob.page.locator("table.invitations tr", { hasText: refused })).toHaveCount(0);

  // A restore from the received backup, posted as a form, leads to "Resources", which lists it.
  const restores = bob.page.locator("table.restores tbody tr", { hasText: ORDERS });
  await bob.page.goto("/resources");
  const before = await restores.count();
  await bob.page.goto("/shared-with-me");
  await bob.page.locator("table.received tr", { hasText: kept }).getByRole("button", { name: "Restore Data to New Cluster" }).click();
  await expect(bob.page).toHaveURL(/\/resources$/);
  await expect(restores).toHaveCount(before + 1);
  // Without scripts the page does not follow the restore: reloads show it finish (it holds
  // the backup's lock until then, and Cancel Sharing waits for it, rule 6).
  await expect
    .poll(async () => {
      await bob.page.reload();
      return (await restores.first().textContent()) ?? "";
    }, { timeout: 30_000 })
    .toContain("Restored");

  // Without scripts no question can be asked: "Cancel Sharing" posts at once.
  await alice.page.goto("/my-shares");
  const row = alice.page.locator("tr", { hasText: kept });
  await expect(row.locator(".status")).toHaveText("Accepted");
  await row.getByRole("button", { name: "Cancel Sharing" }).click();
  await expect(alice.page).toHaveURL(/\/my-shares\??$/);
  await expect(alice.page.locator("tr", { hasText: kept }).locator(".status")).toHaveText("Revoking");
  await alice.context.close();
  await bob.context.close();
});

test("without JavaScript, a refused form post returns to its page, which says why once", async ({ browser }) => {
  const alice = await signedIn(browser, ALICE);
  const name = `nojs-stale-${Date.now().toString(36)}`;
  const shared = await alice.page.request.post("/api/create_share", {
    headers: { Accept: "application/json" },
    data: { share_name: name, scope: "AllAccounts", backup_ids: [ORDERS], principals: ["1840000000000002"] },
  });
  expect(shared.status()).toBe(200);
  const shareId: string = await shared.json();

  // Bob's page still offers "Accept" after Alice has cancelled: his post is refused.
  const bob = await signedIn(browser, "bob@acme-east.example");
  await bob.page.goto("/shared-with-me");
  const row = bob.page.locator("table.invitations tr", { hasText: name });
  await expect(row).toBeVisible();
  const cancelled = await alice.page.request.post("/api/cancel_sharing", {
    headers: { Accept: "application/json" },
    form: { share_id: shareId, recipient: "1840000000000002" },
  });
  expect(cancelled.status()).toBe(200);
  await row.getByRole("button", { name: "Accept" }).click();
  await expect(bob.page).toHaveURL(/\/shared-with-me$/);
  const alert = bob.page.getByRole("alert");
  await expect(alert).toContainText(/cancel/i);
  await expect(bob.page.locator("table.invitations tr", { hasText: name })).toHaveCount(0);
  await bob.page.reload();
  await expect(bob.page.getByRole("alert")).toHaveCount(0);
  await alice.context.close();
  await bob.context.close();
});
