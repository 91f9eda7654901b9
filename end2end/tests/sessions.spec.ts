import { expect, test } from "@playwright/test";
import { ProjectsPage, unique } from "./pages/projects";

// Runs hydrated and with JavaScript off: start a session, record work, checkpoint,
// complete it, and see it on the project's timeline with its handoff.

test("a session from start to handoff", async ({ page }, info) => {
  const hydrated = info.project.name === "hydrate";
  const ready = async () => {
    if (hydrated) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  };
  const tag = unique("ses").replace(/\W/g, "");
  await page.goto("/accounts");
  await ready();
  await page.locator("#import-text").fill(["account_name,specialization,credits", `${tag}-acc,${tag},100`].join("\n"));
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.goto(`/accounts?q=${tag}`);
  await expect(page.getByTestId("account-row")).toHaveCount(1);

  const ui = new ProjectsPage(page, hydrated);
  const project = unique("Sessioned");
  await ui.dashboard();
  await ui.create(project);
  await expect(ui.row(project)).toBeVisible();

  await page.goto("/sessions");
  await ready();
  await page.getByLabel("Project").selectOption({ label: project });
  await page.getByLabel("Account").selectOption({ label: `${tag}-acc · 100 credits` });
  await page.getByLabel("Objectives").fill("Build the login flow");
  await page.getByRole("button", { name: "Start session" }).click();
  await expect(page.getByTestId("session-title")).toHaveText(`${project} · session 1`);
  await ready();

  await page.getByLabel("Accomplishments").fill("Login form and token endpoint");
  await page.getByLabel("Add credits used").fill("40");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByTestId("session-credits")).toHaveText("40");

  await page.getByLabel("Note", { exact: true }).fill("before cleanup");
  await page.getByRole("button", { name: "Save checkpoint" }).click();
  await expect(page.getByTestId("checkpoints")).toContainText("before cleanup");

  await page.getByLabel("Credits used in total").fill("88");
  await page.getByRole("button", { name: "Complete session" }).click();
  await expect(page.getByTestId("session-status").first()).toHaveText("Completed");
  await expect(page.getByTestId("session-handoff")).toContainText("Login form and token endpoint");

  await page.goto("/");
  await ui.openProject(project);
  const timeline = page.getByTestId("project-timeline");
  await expect(timeline).toContainText("#1");
  await expect(timeline).toContainText("88 credits");
  await expect(timeline).toContainText("handoff");
});
