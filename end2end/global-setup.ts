// First run, as a new user meets it: the server (started beside Playwright by
// scripts/e2e.sh on an empty database) asks for its owner at /setup with the one-time code
// from its log. Setup is done in the browser (a wrong code first), the owner's signed-in
// state is saved for the pages of every test, a viewer is added and a write token made
// with the command line, as scripts do.
import { chromium, expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { OWNER, VIEWER } from "./tests/users";

export default async function globalSetup() {
  const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
  const code = process.env.SETUP_CODE;
  const bin = process.env.PAAS_BIN;
  const db = process.env.PAAS_DATABASE_URL;
  const dir = process.env.PAAS_AUTH_DIR ?? ".auth";
  if (!code || !bin || !db) throw new Error("run the suite through scripts/e2e.sh (SETUP_CODE, PAAS_BIN, PAAS_DATABASE_URL)");
  const deadline = Date.now() + 60_000;
  let last = "";
  for (;;) {
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = String(e);
    }
    if (Date.now() > deadline) throw new Error(`server at ${base} did not answer within 60 s (${last})`);
    await new Promise((r) => setTimeout(r, 250));
  }

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  // without JavaScript: nothing is shown before sign-in, the sign-in page points to the
  // setup, and a wrong code is refused with a message
  const plain = await browser.newPage({ baseURL: base, javaScriptEnabled: false });
  await plain.goto("/accounts");
  await expect(plain).toHaveURL(/\/login\?next=%2Faccounts$/);
  await plain.getByRole("link", { name: "Create the owner" }).click();
  await expect(plain).toHaveURL(/\/setup$/);
  await plain.getByLabel("Setup code").fill("not-the-code");
  await plain.getByLabel("Your name").fill(OWNER.name);
  await plain.getByLabel("E-mail").fill(OWNER.email);
  await plain.getByLabel("Password").fill(OWNER.password);
  await plain.getByRole("button", { name: "Create owner and sign in" }).click();
  await expect(plain.getByTestId("setup-error")).toContainText("setup code is not right");
  await plain.close();
  // hydrated: the right code makes the owner and signs them in
  const page = await browser.newPage({ baseURL: base });
  await page.goto("/setup");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const fill = async (setupCode: string) => {
    await page.getByLabel("Setup code").fill(setupCode);
    await page.getByLabel("Your name").fill(OWNER.name);
    await page.getByLabel("E-mail").fill(OWNER.email);
    await page.getByLabel("Password").fill(OWNER.password);
    await page.getByRole("button", { name: "Create owner and sign in" }).click();
  };
  await fill(code);
  await expect(page).toHaveURL(`${base}/`);
  await expect(page.getByTestId("user-menu")).toContainText(OWNER.name);
  mkdirSync(dir, { recursive: true });
  await page.context().storageState({ path: join(dir, "owner.json") });
  await browser.close();

  const cli = (args: string[], input = "") =>
    execFileSync(bin, [...args, "--database-url", db], { input, encoding: "utf8" }).trim();
  cli(["user", "add", "--email", VIEWER.email, "--name", VIEWER.name, "--role", "viewer", "--password-stdin"], `${VIEWER.password}\n`);
  process.env.PAAS_TOKEN = cli(["token", "create", "--email", OWNER.email, "--name", "e2e seeding", "--scope", "write"]);
}
