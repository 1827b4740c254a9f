import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { ALICE, BOB, ORDERS, signIn, uniqueName } from "./helpers";

// A server of this test's own (port, data folder), so that it can be killed and started
// again while Bob's page stays open.
const PORT = "3101";
const BASE = `http://127.0.0.1:${PORT}`;
const DATA = "end2end/.data-feed";
const BIN = process.env.E2E_SERVER_BIN ?? "target/release/backshare-server";

function start(): ChildProcess {
  return spawn(BIN, [], {
    cwd: "..",
    stdio: "ignore",
    env: {
      ...process.env,
      BACKSHARE_DATA_DIR: DATA,
      BACKSHARE_DEMO: "true",
      LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`,
      LEPTOS_SITE_ROOT: "target/site",
      LEPTOS_SITE_PKG_DIR: "pkg",
      LEPTOS_OUTPUT_NAME: "backshare",
      RUST_LOG: "warn",
    },
  });
}

/** Kills the server with SIGKILL and waits until it is gone (its port free again). */
async function stop(server: ChildProcess) {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGKILL");
  await exited;
}

/** Waits until the server answers. */
async function ready() {
  await expect
    .poll(async () => {
      try {
        return (await fetch(`${BASE}/signin`)).status;
      } catch {
        return 0;
      }
    }, { timeout: 30_000 })
    .toBe(200);
}

test("a page cut off by a server restart reconnects by itself and shows what happened meanwhile", async ({ browser }) => {
  rmSync(`../${DATA}`, { recursive: true, force: true });
  let server = start();
  try {
    await ready();
    const bob = await browser.newContext({ baseURL: BASE });
    const page = await bob.newPage();
    await signIn(page, BOB);
    await page.getByRole("navigation").getByRole("link", { name: "Shared With Me" }).click();
    await expect(page.getByText("No invitations are waiting for you.")).toBeVisible();

    // The server dies and comes back; Bob's page is left as it is.
    await stop(server);
    server = start();
    await ready();

    // Alice shares with Bob through the restarted server.
    const alice = await browser.newContext({ baseURL: BASE });
    const alicePage = await alice.newPage();
    await signIn(alicePage, ALICE);
    const shareName = uniqueName("after-restart");
    const shared = await alicePage.request.post("/api/create_share", {
      headers: { Accept: "application/json" },
      data: { share_name: shareName, scope: "AllAccounts", backup_ids: [ORDERS], principals: ["1840000000000002"] },
    });
    expect(shared.status()).toBe(200);

    // Bob's open page reconnects to the feed and shows the invitation without a reload.
    await expect(page.locator("table.invitations tr", { hasText: shareName })).toBeVisible({ timeout: 30_000 });
    await alice.close();
    await bob.close();
  } finally {
    await stop(server);
  }
});
