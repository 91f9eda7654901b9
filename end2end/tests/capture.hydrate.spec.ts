// Capture, live: the server follows a Claude Code directory (scripts/e2e.sh passes
// --capture-dir); a session the tool writes appears on an open dashboard, and its usage
// grows as the tool writes on, without a reload.
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "./fixtures";

function line(record: object): string {
  return JSON.stringify(record) + "\n";
}

function userLine(session: string, uuid: string, text: string): string {
  return line({
    type: "user",
    sessionId: session,
    uuid,
    timestamp: new Date().toISOString(),
    cwd: `/nowhere/${session}`,
    message: { role: "user", content: text },
  });
}

function replyLine(session: string, uuid: string, msg: string, input: number, output: number): string {
  return line({
    type: "assistant",
    sessionId: session,
    uuid,
    requestId: `req_${msg}`,
    timestamp: new Date().toISOString(),
    cwd: `/nowhere/${session}`,
    message: {
      id: msg,
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [{ type: "text", text: `Reply ${msg}` }],
      usage: { input_tokens: input, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
}

test("a captured session appears and its usage grows on an open dashboard", async ({ page }) => {
  const dir = process.env.CAPTURE_CLAUDE_DIR;
  if (!dir) throw new Error("CAPTURE_CLAUDE_DIR is not set: run the suite through scripts/e2e.sh");
  const session = `live-${Date.now()}`;
  const folder = join(dir, "projects", `-work-${session}`);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${session}.jsonl`);

  await page.goto("/");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  let loads = 0;
  page.on("load", () => loads++);

  const objective = `Make the basket page for ${session}`;
  let t0 = Date.now();
  writeFileSync(file, userLine(session, "u1", objective) + replyLine(session, "a1", "msg_1", 100, 50));
  const row = page.getByTestId("live-session").filter({ hasText: objective });
  await expect(row).toBeVisible();
  await expect(row.getByTestId("live-tokens")).toHaveText("150 tokens");
  console.log(`session shown ${Date.now() - t0} ms after the tool wrote it`);

  t0 = Date.now();
  appendFileSync(file, replyLine(session, "a2", "msg_2", 1200, 300));
  await expect(row.getByTestId("live-tokens")).toHaveText("1.6k tokens");
  console.log(`usage grew on the page ${Date.now() - t0} ms after the append`);
  // the project made from the working directory is listed too, and nothing reloaded
  await expect(page.getByTestId("project-row").filter({ hasText: session })).toBeVisible();
  expect(loads).toBe(0);
});

test("the Sources page lists the followed directory and captures on demand", async ({ page }) => {
  const dir = process.env.CAPTURE_CLAUDE_DIR!;
  await page.goto("/sources");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByTestId("redaction-note")).toContainText("removed before anything is stored");
  const row = page.getByTestId("source-row").filter({ hasText: dir });
  await expect(row).toContainText("Claude Code");
  await page.getByTestId("capture-now").click();
  await expect(page.getByTestId("capture-result")).toContainText("new sessions");
});

