// The hydrated app runs under its Content-Security-Policy: every page of the daily loop
// hydrates and the browser reports no violation.
import { expect, test } from "./fixtures";

test("pages hydrate under the CSP without violations", async ({ page }) => {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  for (const path of ["/", "/accounts", "/sessions", "/handoff", "/knowledge", "/analytics", "/settings", "/admin"]) {
    const res = await page.goto(path);
    const csp = res?.headers()["content-security-policy"] ?? "";
    expect(csp, path).toContain("'nonce-");
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(res?.headers()["x-content-type-options"], path).toBe("nosniff");
    await expect(page.locator("body"), path).toHaveAttribute("data-hydrated", "true");
  }
  expect(problems).toEqual([]);
});
