// First-load transfer per page, as a browser with an empty cache sees it: every response
// of the visit (HTML, CSS, JS, WASM, compressed as sent), the live event stream left out.
// Fails when a page logs an error (a hydration panic, a chunk that does not load).
//   PAAS_EMAIL=… PAAS_PASSWORD=… node scripts/first-load.mjs http://127.0.0.1:3000 /,/accounts
import { chromium } from "../end2end/node_modules/playwright/index.mjs";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const paths = (process.argv[3] ?? "/").split(",");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});
// sign in once; each page is then visited in a fresh context with that cookie only
const login = await browser.newContext();
const lp = await login.newPage();
await lp.goto(base + "/login");
await lp.getByLabel("E-mail").fill(process.env.PAAS_EMAIL ?? "");
await lp.getByLabel("Password").fill(process.env.PAAS_PASSWORD ?? "");
await lp.getByRole("button", { name: "Sign in" }).click();
await lp.waitForURL((u) => !u.pathname.startsWith("/login"));
const cookies = await login.cookies();
await login.close();
let wasmLine = "";
const errors = [];
for (const path of paths) {
  const ctx = await browser.newContext();
  await ctx.addCookies(cookies);
  const page = await ctx.newPage();
  page.on("pageerror", (e) => errors.push(`${path}: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && errors.push(`${path}: ${m.text().slice(0, 200)}`));
  const responses = [];
  page.on("response", (r) => responses.push(r));
  await page.goto(base + path);
  await page.waitForSelector("body[data-hydrated]");
  await page.waitForTimeout(300); // late errors (a chunk that fails after hydration)
  let total = 0;
  const parts = {};
  for (const r of responses.filter((r) => !r.url().endsWith("/events"))) {
    const s = await r.request().sizes();
    const n = s.responseBodySize + s.responseHeadersSize;
    total += n;
    const kind = (r.url().split("?")[0].match(/\.(wasm|js|css|svg)$/) ?? [, "html"])[1];
    parts[kind] = (parts[kind] ?? 0) + n;
  }
  const detail = Object.entries(parts).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} KB`).join(", ");
  console.log(`${path}: ${(total / 1024).toFixed(0)} KB in ${responses.length} responses (${detail})`);
  if (path === paths[0]) {
    // the main module as served: raw, gzip and brotli sizes
    const wasm = responses.map((r) => r.url()).find((u) => /\/paas\.wasm$/.test(u));
    if (wasm) {
      const size = async (enc) => {
        const r = await ctx.request.get(wasm, { headers: { "accept-encoding": enc } });
        return Number(r.headers()["content-length"] ?? (await r.body()).length);
      };
      const [raw, gz, br] = [await size("identity"), await size("gzip"), await size("br")];
      wasmLine = `main WASM module: ${(raw / 1024).toFixed(0)} KB raw, ${(gz / 1024).toFixed(0)} KB gzip, ${(br / 1024).toFixed(0)} KB brotli`;
    }
  }
  await ctx.close();
}
if (wasmLine) console.log(wasmLine);
await browser.close();
// a smoke test too: every page hydrates without an error in the console
if (errors.length) {
  console.error(`errors in the browser:\n${errors.join("\n")}`);
  process.exit(1);
}
