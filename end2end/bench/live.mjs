// Live status in the browser, measured: the time from one account's action to the other
// account's open page showing it, over two instances (A and B) on one database.
// Prints p50, p95, the maximum and how many took over 1.5 s; asserts nothing.
//
//   invitation: Alice shares (a request through A) → Bob's open "Shared With Me" on B lists it
//   accept:     Bob clicks "Accept" on B → Alice's open "My Shares" on A reads "Accepted"
//
// Times are the browsers' own clocks (one machine, one clock): the click's event time in
// Bob's page, and the first animation frame at which Alice's page shows the change.
import { chromium } from "@playwright/test";

const [A, B] = [process.env.LIVE_A, process.env.LIVE_B];
const ROUNDS = Number(process.env.LIVE_ROUNDS ?? 100);
const PASSWORD = "backshare-demo";
const ORDERS = "cb-acmehq-orders-001";
const BOB_ACCOUNT = "1840000000000002";

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});

async function signedIn(base, email, heading, link) {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  await page.goto("/signin");
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Backups" }).waitFor();
  await page.getByRole("navigation").getByRole("link", { name: link }).first().click();
  await page.getByRole("heading", { name: heading, exact: true }).waitFor();
  await page.locator("body[data-hydrated]").waitFor();
  return page;
}

/** Resolves with the page's clock at the first frame where `row` (a table row holding
 *  `name`) contains `text`. */
function shown(page, selector, name, text) {
  return page
    .waitForFunction(
      ([selector, name, text]) => {
        for (const row of document.querySelectorAll(selector)) {
          if (row.textContent.includes(name) && row.textContent.includes(text)) return Date.now();
        }
        return false;
      },
      [selector, name, text],
      { polling: "raf", timeout: 15_000 },
    )
    .then((handle) => handle.jsonValue());
}

const alice = await signedIn(A, "alice@acme.example", "My Shares", "My Shares");
const bob = await signedIn(B, "bob@acme-east.example", "Shared With Me", "Shared With Me");
await bob.evaluate(() => {
  document.addEventListener("click", (e) => (window.lastClick = performance.timeOrigin + e.timeStamp), true);
});

const figures = { invitation: [], accept: [] };
const run = Date.now().toString(36);
for (let round = 0; round < ROUNDS + 3; round++) {
  const name = `live-${run}-${round}`;
  const invited = shown(bob, "table.invitations tr", name, "Accept");
  const sent = Date.now();
  const created = await alice.request.post(`${A}/api/create_share`, {
    headers: { Accept: "application/json" },
    data: { share_name: name, scope: "AllAccounts", backup_ids: [ORDERS], principals: [BOB_ACCOUNT] },
  });
  if (created.status() !== 200) throw new Error(`create_share: ${created.status()} ${await created.text()}`);
  const listed = await invited;
  await shown(alice, "table.my-shares tr", name, "Pending");
  const accepted = shown(alice, "table.my-shares tr", name, "Accepted");
  await bob.locator("table.invitations tr", { hasText: name }).getByRole("button", { name: "Accept" }).click();
  const seen = await accepted;
  const clicked = await bob.evaluate(() => window.lastClick);
  if (round >= 3) {
    // The first rounds warm up both instances and browsers.
    figures.invitation.push(listed - sent);
    figures.accept.push(seen - clicked);
  }
}
await browser.close();

function report(label, values) {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const late = sorted.filter((v) => v > 1500).length;
  console.log(
    `${label.padEnd(11)} n=${sorted.length}  p50 ${at(0.5).toFixed(0)} ms  p95 ${at(0.95).toFixed(0)} ms  max ${sorted.at(-1).toFixed(0)} ms  over 1.5 s: ${late}`,
  );
}
console.log(`live status across two instances (${A} → ${B}):`);
report("invitation", figures.invitation);
report("accept", figures.accept);
