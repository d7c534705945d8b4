import { defineConfig } from "@playwright/test";
import os from "node:os";
import path from "node:path";

// Debian's Chromium (scripts/ensure-browser installs it); Playwright downloads no browser.
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
// A port of this run's own (two runs on one machine must not meet); the test workers inherit it.
process.env.E2E_PORT ??= String(20_000 + (process.pid % 20_000));
const port = Number(process.env.E2E_PORT);
// Where serve.sh copies the build the server serves (e2e/pwa.spec.ts deploys a newer one there);
// this run's own, removed when the server stops.
process.env.E2E_STUDIO_DIR ??= path.join(os.tmpdir(), `storyreel-e2e-studio-${port}`);

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/artifacts",
  // One server, a 2-core machine: tests run one at a time, each with its own users.
  workers: 1,
  fullyParallel: false,
  timeout: 240_000,
  expect: { timeout: 15_000 },
  // One retry, so a machine hiccup does not fail CI; every failed attempt is still printed at
  // the end of the run (e2e/print-failures.mjs), flaky ones included.
  retries: 1,
  reporter: [
    ["list"],
    ["html", { outputFolder: "test-results/report", open: "never" }],
    // Read by e2e/print-failures.mjs, which repeats each failure's error at the end of the log.
    ["json", { outputFile: "test-results/results.json" }],
  ],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1440, height: 900 },
    locale: "en-US",
    launchOptions: { executablePath, args: ["--autoplay-policy=no-user-gesture-required"] },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    acceptDownloads: true,
  },
  webServer: {
    command: "bash e2e/serve.sh",
    url: `http://127.0.0.1:${port}/readyz`,
    timeout: 120_000,
    reuseExistingServer: false,
    env: { E2E_PORT: String(port), E2E_LOG: path.resolve("test-results/server.log"), E2E_STUDIO_DIR: process.env.E2E_STUDIO_DIR },
  },
});
