// The browser bundle comes out of the binary: named by its content, compressed, cached for
// good. Prints what a first visit of the dashboard transfers.
import { expect, test } from "./fixtures";

test("the bundle is served compressed, named by its content and cached for good", async ({ page }) => {
  const responses: import("@playwright/test").Response[] = [];
  page.on("response", (r) => responses.push(r));
  await page.goto("/");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const wasm = responses.find((r) => r.url().endsWith(".wasm"));
  expect(wasm, "the page loaded its WASM").toBeTruthy();
  expect(wasm!.url()).toMatch(/\/pkg\/[0-9a-f]{16}\/paas\.wasm$/);
  const headers = await wasm!.allHeaders();
  expect(headers["content-encoding"]).toBe("br");
  expect(headers["cache-control"]).toContain("immutable");
  expect(headers["content-type"]).toBe("application/wasm");
  let total = 0;
  // the live event stream never ends: not part of the load
  for (const r of responses.filter((r) => !r.url().endsWith("/events"))) {
    const sizes = await r.request().sizes();
    total += sizes.responseBodySize + sizes.responseHeadersSize;
  }
  console.log(`first visit of the dashboard: ${responses.length} responses, ${(total / 1024).toFixed(0)} KB transferred`);
});
