import { expect, test } from "./fixtures";
import { ProjectsPage, unique } from "./pages/projects";

test("copy the rotation briefing to the clipboard", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const tag = unique("cp").replace(/\W/g, "");
  await page.goto("/accounts");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.locator("#import-text").fill(["account_name,specialization,credits", `${tag}-1,${tag},70`, `${tag}-2,${tag},80`].join("\n"));
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByTestId("import-report")).toContainText("Imported 2 accounts.");

  const ui = new ProjectsPage(page, true);
  const project = unique("Copied");
  await ui.dashboard();
  await ui.create(project);
  await ui.openProject(project);
  const panel = page.getByTestId("rotate-panel");
  await panel.getByLabel("Running out").selectOption({ label: `${tag}-1 · Available · 70 credits` });
  await panel.getByRole("button", { name: "Rotate" }).click();
  await expect(page.getByTestId("rotate-result")).toContainText("Saved 15 credits by auto-rotation");
  await page.getByTestId("latest-handoff").getByTestId("copy-briefing").click();
  await expect(page.getByTestId("latest-handoff").getByTestId("copy-briefing")).toHaveText("Copied");
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  expect(clip).toContain(`# Handoff: ${project}`);
  expect(clip).toContain(`${tag}-1`);
});
