// The README's screenshots, taken from a demo server (scripts/demo.sh):
//   node scripts/readme-screenshots.mjs http://127.0.0.1:3200 docs/screenshots
// The dashboard with its alert line open, a session with a long log, the rotate flow
// (a running-low session, then the session it continues on) and the finished session, at
// 1280 and 360 px. Rotating changes the demo data, so run it once per fresh demo server.
import { chromium } from "../end2end/node_modules/playwright/index.mjs";

const base = process.argv[2] ?? "http://127.0.0.1:3200";
const out = process.argv[3] ?? "docs/screenshots";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});
const ids = JSON.parse(process.env.DEMO_IDS ?? '{"long_session": 6, "running_session": 7}');
const sizes = [["1280", { width: 1280, height: 860 }], ["360", { width: 360, height: 780 }]];
const pages = {};
for (const [label, viewport] of sizes) {
  const ctx = await browser.newContext({ viewport, colorScheme: label === "360" ? "dark" : "light" });
  const page = await ctx.newPage();
  await page.goto(base + "/login");
  await page.getByLabel("E-mail").fill(process.env.PAAS_EMAIL ?? "owner@example.com");
  await page.getByLabel("Password").fill(process.env.PAAS_PASSWORD ?? "correct horse battery staple");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  pages[label] = page;
}
const shot = async (page, name, label, full = false) => {
  const path = `${out}/${name}-${label}.png`;
  await page.screenshot({ path, fullPage: full });
  console.log(path);
};
const open = async (page, path) => {
  await page.goto(base + path);
  await page.waitForSelector("body[data-hydrated]");
};
for (const [label] of sizes) {
  const page = pages[label];
  await open(page, "/");
  await page.getByTestId("alert-line").locator("summary").click();
  await shot(page, "dashboard-alerts", label, true);
  await open(page, `/sessions/${ids.long_session}`);
  await shot(page, "session-long-log", label);
}
// the rotate flow happens once (it changes the data); both widths show each step
for (const [label] of sizes) await open(pages[label], `/sessions/${ids.running_session}`);
for (const [label] of sizes) await shot(pages[label], "rotate-1-running-low", label);
await pages["1280"].getByTestId("rotate-continue").click();
await pages["1280"].waitForURL((u) => u.pathname !== `/sessions/${ids.running_session}`);
await pages["1280"].waitForSelector("body[data-hydrated]");
const next = new URL(pages["1280"].url()).pathname;
await open(pages["360"], next);
for (const [label] of sizes) await shot(pages[label], "rotate-2-continued", label);
for (const [label] of sizes) {
  await open(pages[label], `/sessions/${ids.running_session}`);
  await shot(pages[label], "session-finished", label, true);
}
await browser.close();
