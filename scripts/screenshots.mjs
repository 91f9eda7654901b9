// Screenshots of the main pages at desktop and phone widths, light and dark, with and
// without JavaScript: node scripts/screenshots.mjs http://127.0.0.1:3000 out-dir /,/accounts
// Signs in first when PAAS_EMAIL and PAAS_PASSWORD are set.
import { chromium } from "../end2end/node_modules/playwright/index.mjs";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const out = process.argv[3] ?? "target/screenshots";
const paths = (process.argv[4] ?? "/").split(",");
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});
for (const [label, viewport] of [["desktop", { width: 1280, height: 860 }], ["phone", { width: 360, height: 780 }]]) {
  for (const scheme of ["light", "dark"]) {
    for (const js of [true, false]) {
      const ctx = await browser.newContext({ viewport, colorScheme: scheme, javaScriptEnabled: js });
      const page = await ctx.newPage();
      if (process.env.PAAS_EMAIL) {
        await page.goto(base + "/login");
        await page.getByLabel("E-mail").fill(process.env.PAAS_EMAIL);
        await page.getByLabel("Password").fill(process.env.PAAS_PASSWORD ?? "");
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL((u) => !u.pathname.startsWith("/login"));
      }
      for (const p of paths) {
        await page.goto(base + p);
        if (js) await page.waitForSelector("body[data-hydrated]");
        if (process.env.SHOT_WAIT) await page.waitForTimeout(Number(process.env.SHOT_WAIT));
        const name = `${out}/${p.replace(/[^a-z0-9]+/gi, "_") || "root"}-${label}-${scheme}${js ? "" : "-nojs"}.png`;
        await page.screenshot({ path: name, fullPage: true });
        console.log(name);
      }
      await ctx.close();
    }
  }
}
await browser.close();
