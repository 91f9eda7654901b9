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

  // change the work, then restore the checkpoint: the saved text comes back
  await page.getByLabel("Accomplishments").fill("Something else entirely");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByLabel("Accomplishments")).toHaveValue("Something else entirely");
  await page.getByTestId("checkpoints").getByRole("button", { name: "Restore" }).click();
  await expect(page.getByLabel("Accomplishments")).toHaveValue("Login form and token endpoint");

  // import an aider log into the conversation
  await page.getByText("Import a conversation log").click();
  await page.getByLabel("Paste the log").fill("# aider chat started at 2026-01-01 10:00:00\n\n#### add rate limiting to /token\n\nAdded a token bucket in src/limits.rs\n");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByTestId("turns")).toContainText("add rate limiting to /token");

  await page.getByLabel("Credits used in total").fill("88");
  await page.getByRole("button", { name: "Complete session" }).click();
  await expect(page.getByTestId("session-status").first()).toHaveText("Completed");
  await expect(page.getByTestId("session-handoff")).toContainText("Login form and token endpoint");

  // the next session starts from this one's handoff
  await page.goto("/sessions");
  await ready();
  await page.getByLabel("Project").selectOption({ label: project });
  await page.getByLabel("Account").selectOption({ label: `${tag}-acc · 12 credits` });
  await page.getByRole("button", { name: "Start session" }).click();
  await expect(page.getByTestId("session-title")).toHaveText(`${project} · session 2`);
  await expect(page.getByTestId("previous-handoff")).toBeVisible();
  await page.getByText("Briefing this session continues from").click();
  await expect(page.getByTestId("previous-handoff")).toContainText("Login form and token endpoint");

  await page.goto("/");
  await ui.openProject(project);
  const timeline = page.getByTestId("project-timeline");
  await expect(timeline).toContainText("#1");
  await expect(timeline).toContainText("#2");
  await expect(timeline).toContainText("88 credits");
  await expect(timeline).toContainText("handoff");
});
