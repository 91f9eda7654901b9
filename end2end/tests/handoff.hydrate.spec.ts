import { expect, test } from "./fixtures";
import { readFileSync } from "node:fs";
import { unique } from "./pages/projects";

// The Handoff page: paste a log, compress it, preview the briefing, copy it to the
// clipboard, download it as .md, and see which salient facts did not fit.

const log = [
  "User: Build the CSV export for invoices. Never change the public REST paths.",
  "Assistant: I added src/export/csv.rs and src/export/totals.rs and ran cargo test --workspace.",
  "```text",
  "thread 'export::totals' panicked at src/export/totals.rs:42: assertion failed: left == right",
  "```",
  ...Array.from({ length: 40 }, (_, i) => `Assistant: Updated src/module_${i}/handler_${i}.rs and called refresh_cache_${i}() twice; refresh_cache_${i}() again.`),
  "Assistant: The totals test still fails because rounding differs.",
  "User: Next, fix the rounding in totals and commit.",
].join("\n");

test("paste a log, get a briefing, copy it, download it, see dropped facts", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto("/handoff");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByTestId("handoff-result")).toContainText("No briefing yet");

  // bad input: a message next to the field
  await page.getByLabel("Budget (characters)").fill("12x");
  await page.getByLabel("Session log").fill(log);
  await page.getByTestId("compress").click();
  await expect(page.locator("#handoff-budget-error")).toContainText("not a whole number");

  await page.getByLabel("Budget (characters)").fill("900");
  await page.getByTestId("compress").click();
  const preview = page.getByTestId("briefing-preview");
  await expect(preview.locator("h2").first()).toHaveText("Goal");
  await expect(preview).toContainText("Never change the public REST paths");
  await expect(preview).toContainText("fix the rounding in totals");
  await expect(page.getByTestId("handoff-stats")).toContainText("budget 900");

  // copy and download are there on either tab; both give the markdown, within the budget
  await expect(page.getByTestId("copy-briefing")).toBeVisible();
  await expect(page.getByTestId("download-briefing")).toBeVisible();
  await page.getByRole("tab", { name: "Markdown" }).click();
  const text = (await page.locator(".briefing-text").textContent()) ?? "";
  expect(text.startsWith("# Handoff")).toBeTruthy();
  expect([...text].length).toBeLessThanOrEqual(900);
  await page.getByTestId("copy-briefing").click();
  await expect(page.getByTestId("copy-briefing")).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(text);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("download-briefing").click(),
  ]);
  expect(download.suggestedFilename()).toBe("handoff.md");
  expect(readFileSync(await download.path(), "utf8")).toBe(text);

  // 40 files and identifiers do not fit in 900 characters: they are listed as dropped
  const dropped = page.getByTestId("dropped-facts");
  await expect(dropped).toContainText("did not fit");
  await expect(dropped).toContainText("Files");
  // folded until asked for: the briefing comes first
  await expect(dropped.locator("code").first()).toBeHidden();
  await dropped.locator("summary").click();
  await expect(dropped.locator("code").first()).toBeVisible();
});

// A session whose conversation came from a raw Claude Code JSONL log: picked on the
// Handoff page, it compresses through the same parsers as capture — the briefing carries
// what was said and done, never the envelopes.
test("a session with a raw Claude Code log gives a clean briefing", async ({ page, request }) => {
  const tag = unique("raw").replace(/\W/g, "");
  const post = async (url: string, data: object) => {
    const r = await request.post(url, { data });
    expect(r.status(), await r.text()).toBeLessThan(300);
    return await r.json();
  };
  const project = await post("/api/projects", { name: `Raw log ${tag}` });
  const account = await post("/api/accounts", { account_name: `${tag}-acc`, platform: "claude", credits_available: 500 });
  const session = await post("/api/sessions", { project_id: project.id, account_id: account.id, objectives: `Fix the ${tag} exporter` });
  const line = (o: object) => JSON.stringify(o);
  const env = (n: number) => ({ sessionId: `s-${tag}`, uuid: `u-${n}`, parentUuid: n > 1 ? `u-${n - 1}` : null, timestamp: `2026-12-01T10:0${n}:00Z`, cwd: `/home/dev/${tag}` });
  const log = [
    line({ type: "user", ...env(1), message: { role: "user", content: `The ${tag} exporter writes broken CSV: quotes are not escaped in src/export.rs. Never change the public REST paths.` } }),
    line({ type: "assistant", ...env(2), message: { role: "assistant", content: [
      { type: "thinking", thinking: "secret chain of thought that must not leak" },
      { type: "text", text: "I will escape quotes in write_row and add a test." },
      { type: "tool_use", id: "t1", name: "Bash", input: { command: "cargo test export::quotes" } },
    ] } }),
    line({ type: "user", ...env(3), message: { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "test export::quotes ... FAILED: expected \"a\"\"b\"" }] } }),
    line({ type: "assistant", ...env(4), message: { role: "assistant", content: [{ type: "text", text: "Decision: use the csv crate's writer instead of hand-written quoting. Next step: run the full suite." }] } }),
  ].join("\n");
  const imported = await post(`/api/sessions/${session.id}/import`, { format: "agent", text: log });
  expect(JSON.stringify(imported)).toContain("imported");

  await page.goto(`/handoff?session_id=${session.id}`);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator("#handoff-session")).toHaveValue(String(session.id));
  await expect(page.locator("#handoff-session option:checked")).toContainText(`Fix the ${tag} exporter`);
  await page.getByTestId("compress").click();
  const preview = page.getByTestId("briefing-preview");
  await expect(preview).toContainText("src/export.rs");
  await expect(preview).toContainText("Never change the public REST paths");
  await expect(preview).toContainText("csv crate");
  await page.getByRole("tab", { name: "Markdown" }).click();
  const text = (await page.locator(".briefing-text").textContent()) ?? "";
  for (const envelope of ["parentUuid", "sessionId", "\"type\":", "secret chain of thought"]) {
    expect(text, envelope).not.toContain(envelope);
  }
});
