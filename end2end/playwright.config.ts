import { defineConfig, devices } from "@playwright/test";
import { join } from "node:path";

const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};

export default defineConfig({
  testDir: "./tests",
  globalSetup: "./global-setup.ts",
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [["list"]],
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: process.env.BASE_URL ?? "http://127.0.0.1:3000",
    // pages run as the owner signed in by global setup
    storageState: join(process.env.PAAS_AUTH_DIR ?? ".auth", "owner.json"),
    trace: "retain-on-failure",
  },
  projects: [
    {
      name: "hydrate",
      use: { ...devices["Desktop Chrome"], launchOptions: chromium },
    },
    {
      name: "ssr",
      testIgnore: /.*\.hydrate\.spec\.ts/,
      use: { ...devices["Desktop Chrome"], javaScriptEnabled: false, launchOptions: chromium },
    },
  ],
});
