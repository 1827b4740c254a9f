import { defineConfig } from "@playwright/test";

// The server is the built binary, started fresh on its own data folder and port, with a
// short revocation delay so that revocations finish within a test, and a copy rate limit
// so that copies take a few seconds.
const port = process.env.E2E_PORT ?? "3100";
const bin = process.env.E2E_SERVER_BIN ?? "target/release/backshare-server";
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "./tests",
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/results.json" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [
    { name: "browser", testIgnore: /no-js/ },
    { name: "no-js", testMatch: /no-js/, use: { javaScriptEnabled: false } },
  ],
  webServer: {
    command: `rm -rf end2end/.data && exec ${bin}`,
    cwd: "..",
    url: `${baseURL}/signin`,
    reuseExistingServer: false,
    timeout: 120_000,
    gracefulShutdown: { signal: "SIGINT", timeout: 5_000 },
    stdout: "pipe",
    env: {
      BACKSHARE_DATA_DIR: "end2end/.data",
      BACKSHARE_DEMO: "true",
      BACKSHARE_REVOCATION_DELAY: "3s",
      // Slow enough that "Copying N%" is seen moving before "Available".
      BACKSHARE_COPY_RATE_LIMIT: "128KiB",
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: "target/site",
      LEPTOS_SITE_PKG_DIR: "pkg",
      LEPTOS_OUTPUT_NAME: "backshare",
      RUST_LOG: "warn",
    },
  },
});
