import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "./fixtures";
import { unique } from "./pages/projects";

// axe-core over every page, light and dark, at 1280 and 360 px, hydrated and with
// JavaScript off (the two projects of the suite): no serious or critical violation.
// axe needs timers, which a JavaScript-off page does not run; so the JavaScript-off pass
// serves each page's server HTML with its scripts removed and its <noscript> parts shown,
// which is the document such a browser renders.

test("every page passes axe-core in light and dark, wide and narrow", async ({ browser, request }, info) => {
  test.setTimeout(420_000);
  const hydrated = info.project.name === "hydrate";
  const tag = unique("axe").replace(/\W/g, "");
  const post = async (url: string, data: object) => {
    const r = await request.post(url, { data });
    expect(r.status(), await r.text()).toBeLessThan(300);
    return await r.json();
  };
  const project = await post("/api/projects", { name: `Accessible ${tag}`, description: "a **described** project" });
  const account = await post("/api/accounts", { account_name: `${tag}-acc`, platform: "claude", credits_available: 500, specialization: tag });
  await post("/api/accounts", { account_name: `${tag}-out`, platform: "gemini", credits_available: 0, credit_capacity: 100, specialization: tag });
  const finished = await post("/api/sessions", { project_id: project.id, account_id: account.id, objectives: "Finish the parser" });
  await post(`/api/sessions/${finished.id}/turns`, { role: "user", content: "Fix `parse()` for **quoted** fields" });
  await post(`/api/sessions/${finished.id}/turns`, { role: "assistant", content: "Done:\n\n```rust\nfn parse() {}\n```" });
  await post(`/api/sessions/${finished.id}/complete`, { credits_used: 40, accomplishments: "parser fixed" });
  const running = await post("/api/sessions", { project_id: project.id, account_id: account.id, objectives: "Write the docs" });
  const entry = await post("/api/knowledge", { title: `Retry ${tag}`, category: "tip", description: "Wait, then **retry**; see [docs](https://example.com)." });

  const pages = [
    "/",
    `/projects/${project.id}`,
    "/accounts",
    `/accounts/${account.id}`,
    "/sessions",
    `/sessions/${running.id}`,
    `/sessions/${running.id}?confirm=complete`,
    `/sessions/${finished.id}`,
    "/handoff",
    "/analytics",
    "/import",
    "/sources",
    "/knowledge",
    `/knowledge/${entry.id}`,
    "/settings",
    "/admin",
    "/no-such-page",
  ];
  const found: string[] = [];
  for (const viewport of [{ width: 1280, height: 860 }, { width: 360, height: 780 }]) {
    for (const colorScheme of ["light", "dark"] as const) {
      const ctx = await browser.newContext({
        viewport,
        colorScheme,
        javaScriptEnabled: true,
        storageState: info.project.use.storageState as string,
      });
      if (!hydrated) {
        await ctx.route("**/*", async (route) => {
          if (route.request().resourceType() !== "document") {
            if (route.request().resourceType() === "script") return route.abort();
            return route.continue();
          }
          const response = await route.fetch();
          const html = (await response.text())
            .replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, "")
            .replace(/<\/?noscript>/gi, "");
          return route.fulfill({ response, body: html });
        });
      }
      const page = await ctx.newPage();
      for (const path of pages) {
        const errors: string[] = [];
        page.removeAllListeners("pageerror");
        page.on("pageerror", (e) => errors.push(e.message));
        page.removeAllListeners("console");
        page.on("console", (m) => {
          if (m.type() === "error" || m.type() === "warning") errors.push(m.text().slice(0, 400));
        });
        await page.goto(path);
        if (hydrated) {
          // the first visit of a lazily loaded page compiles its WASM chunk first: on a
          // busy 2-core machine with a debug build that can take longer than a click
          await expect(page.locator("body"), `${path} hydrates: ${errors.join("; ")}`).toHaveAttribute("data-hydrated", "true", {
            timeout: 30_000,
          });
        }
        const started = Date.now();
        const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
        if (process.env.AXE_TIMES) console.log(path, Date.now() - started, "ms");
        for (const v of result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")) {
          found.push(`${path} ${viewport.width}px ${colorScheme}: ${v.id} (${v.impact}) ${v.nodes.length}× — ${v.nodes
            .slice(0, 3)
            .map((n) => n.target.join(" ") + " " + (n.failureSummary ?? "").replace(/\s+/g, " ").slice(0, 160))
            .join(" | ")}`);
        }
      }
      await ctx.close();
    }
  }
  expect(found, found.join("\n")).toEqual([]);
});
