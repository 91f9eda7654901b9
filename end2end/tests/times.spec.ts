import { expect, test } from "./fixtures";
import { unique } from "./pages/projects";

// Times read in the browser's zone once hydrated, in the server's zone (UTC here) without
// JavaScript; relative words with the exact time on hover, never raw ISO.

test("times are local, relative, with the exact time on hover", async ({ browser, request }, info) => {
  const hydrated = info.project.name === "hydrate";
  const tag = unique("tz").replace(/\W/g, "");
  const r = await request.post("/api/accounts", {
    data: {
      account_name: `${tag}-daily`,
      platform: "claude",
      credits_available: 10,
      credit_capacity: 100,
      reset: { kind: "daily", at: "09:30", tz: "UTC" },
    },
  });
  expect(r.status(), await r.text()).toBe(201);
  const account = (await r.json()).data;
  const ctx = await browser.newContext({
    timezoneId: "Asia/Tokyo",
    javaScriptEnabled: hydrated,
    storageState: info.project.use.storageState as string,
  });
  const page = await ctx.newPage();
  await page.goto(`/accounts/${account.id}`);
  if (hydrated) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const next = page.getByTestId("next-refill").locator("time");
  // 09:30 UTC is 18:30 in Tokyo
  await expect(next).toHaveText(hydrated ? /^in .+ \(18:30\)$/ : /^in .+ \(09:30\)$/);
  await expect(next).toHaveAttribute("title", hydrated ? /, 18:30 JST$/ : /, 09:30 UTC$/);
  await expect(next).toHaveAttribute("datetime", /T09:30:00Z$/);
  await expect(page.locator("main")).not.toContainText(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
  await ctx.close();
});
