import { expect, test } from "./fixtures";

// The Handoff page from a pasted log, hydrated (updates in place) and with JavaScript off
// (the form posts; the page that follows renders the briefing on the server).

const log = [
  "User: Build the CSV export for invoices. Never change the public REST paths.",
  "Assistant: I added src/export/csv.rs and ran cargo test --workspace.",
  "```text",
  "thread 'export::totals' panicked at src/export/totals.rs:42: assertion failed: left == right",
  "```",
  "Assistant: The totals test still fails because rounding differs.",
  "User: Next, fix the rounding in totals and commit.",
].join("\n");

test("a pasted log gives a briefing with its figures and dropped facts", async ({ page }) => {
  await page.goto("/handoff");
  await expect(page.getByTestId("handoff-result")).toContainText("No briefing yet");
  await page.getByLabel("Session log").fill(log);
  await page.getByLabel("Budget (characters)").fill("900");
  await page.getByTestId("compress").click();
  const preview = page.getByTestId("briefing-preview");
  await expect(preview.locator("h2").first()).toHaveText("Goal");
  await expect(preview).toContainText("Never change the public REST paths");
  await expect(preview).toContainText("fix the rounding in totals");
  await expect(page.getByTestId("handoff-stats")).toContainText("budget 900");
  await expect(page.getByTestId("dropped-facts")).toContainText("Dropped facts");
});
