import { expect, test } from "@playwright/test";
import { ALICE, BOB, ORDERS, browserFor, open, ready, shareBackup, uniqueName } from "./helpers";

test("Bob's credentials show his account ID and project IDs per region", async ({ browser }) => {
  const bob = await browserFor(browser, BOB);
  await bob.page.locator("summary", { hasText: BOB }).click(); // the user menu
  await bob.page.getByRole("link", { name: "My Credentials" }).click();
  await expect(bob.page.getByRole("heading", { name: "My Credentials" })).toBeVisible();
  await expect(bob.page.getByTestId("account-id")).toHaveText("1840000000000002");
  const project = bob.page.locator("tr", { hasText: "proj-acmeeast-sg" });
  await expect(project).toContainText("ap-southeast-1");
  await bob.context.close();
});

test("Alice shares with Bob, Bob accepts, and Alice's open page turns Accepted without a reload", async ({ browser }) => {
  const bob = await browserFor(browser, BOB);
  await bob.page.locator("summary", { hasText: BOB }).click();
  await bob.page.getByRole("link", { name: "My Credentials" }).click();
  const bobAccount = (await bob.page.getByTestId("account-id").textContent())!.trim();

  const alice = await browserFor(browser, ALICE);
  const shareName = uniqueName("to-east");
  const dialog = await shareBackup(alice.page, ORDERS, shareName, bobAccount);
  await expect(dialog).toBeHidden();
  await expect(alice.page.locator("tr", { hasText: ORDERS }).locator("td.attribute")).toHaveText("Sharing");

  await open(alice.page, "My Shares");
  const aliceRow = alice.page.locator("tr", { hasText: shareName });
  await expect(aliceRow).toContainText(bobAccount);
  await expect(aliceRow.locator(".status")).toHaveText("Pending");

  await open(bob.page, "Shared With Me");
  const pending = bob.page.getByRole("region", { name: "Pending invitations" }).locator("tr", { hasText: shareName });
  await expect(pending).toContainText(ORDERS);
  await pending.getByRole("button", { name: "Accept" }).click();
  await expect(pending).toHaveCount(0);
  const received = bob.page.getByRole("region", { name: "Received backups" }).locator("tr", { hasText: shareName });
  await expect(received.locator(".status")).toHaveText("Accepted");

  // Alice's page has stayed open the whole time: it must change by itself within 5 s.
  await expect(aliceRow.locator(".status")).toHaveText("Accepted", { timeout: 5_000 });
  // …and screen readers hear it once, through the page's polite live region.
  await expect(alice.page.getByRole("status", { name: "Status changes" })).toHaveText(/Pending → Accepted$/);

  // All of it (hydration, the dialog, the push feed) ran under a CSP that allows only the
  // server's scripts and the inline ones with the response's nonce, without a violation.
  const response = await alice.page.request.get("/backups");
  expect(response.headers()["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'wasm-unsafe-eval'/);
  expect(alice.cspViolations).toEqual([]);
  expect(bob.cspViolations).toEqual([]);

  await alice.context.close();
  await bob.context.close();
});

test("a rejected invitation reads Rejected on both sides, and cancelling removes the backup from Bob's page", async ({ browser }) => {
  const alice = await browserFor(browser, ALICE);
  const bob = await browserFor(browser, BOB);
  const bobAccount = "1840000000000002";

  const rejected = uniqueName("to-reject");
  await expect(await shareBackup(alice.page, ORDERS, rejected, bobAccount)).toBeHidden();
  const accepted = uniqueName("to-cancel");
  await expect(await shareBackup(alice.page, ORDERS, accepted, bobAccount)).toBeHidden();

  await open(bob.page, "Shared With Me");
  const invitations = bob.page.getByRole("region", { name: "Pending invitations" });
  await invitations.locator("tr", { hasText: rejected }).getByRole("button", { name: "Reject" }).click();
  await invitations.locator("tr", { hasText: accepted }).getByRole("button", { name: "Accept" }).click();
  const answered = bob.page.getByRole("region", { name: "Answered invitations" }).locator("tr", { hasText: rejected });
  await expect(answered.locator(".status")).toHaveText("Rejected");
  const received = bob.page.getByRole("region", { name: "Received backups" }).locator("tr", { hasText: accepted });
  await expect(received.locator(".status")).toHaveText("Accepted");

  await open(alice.page, "My Shares");
  await expect(alice.page.locator("tr", { hasText: rejected }).locator(".status")).toHaveText("Rejected");
  const row = alice.page.locator("tr", { hasText: accepted });
  await row.getByRole("button", { name: "Cancel Sharing" }).click();
  await row.getByRole("button", { name: "Confirm" }).click();
  await expect(row.locator(".status")).toHaveText(/Revoking|Revoked/);
  // Bob's open page follows it, and says it through its live region.
  await expect(bob.page.getByRole("status", { name: "Status changes" })).toHaveText(/from .+: Accepted → Revoking$/);
  // The revocation delay is 3 s in these tests; then the grant is gone from Bob's open page.
  await expect(received).toHaveCount(0, { timeout: 15_000 });
  await expect(row.locator(".status")).toHaveText("Revoked", { timeout: 15_000 });
  await expect(row.getByRole("button", { name: "Cancel Sharing" })).toHaveCount(0);

  await alice.context.close();
  await bob.context.close();
});

test("signing out ends the session", async ({ browser }) => {
  const alice = await browserFor(browser, ALICE);
  await alice.page.locator("summary", { hasText: ALICE }).click();
  await alice.page.getByRole("button", { name: "Sign out" }).click();
  await expect(alice.page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await alice.page.goto("/my-shares");
  await expect(alice.page).toHaveURL(/\/signin$/);
  const direct = await alice.page.request.post("/api/my_shares", { headers: { Accept: "application/json" } });
  expect(direct.status()).toBe(401);
  await ready(alice.page);
  await alice.context.close();
});
