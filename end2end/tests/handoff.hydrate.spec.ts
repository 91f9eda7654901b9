import { expect, test } from "./fixtures";
import { readFileSync } from "node:fs";

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
