import { expect, test } from "./fixtures";
import { ProjectsPage, unique } from "./pages/projects";

// Runs twice: hydrated (JavaScript on) and server-rendered only (JavaScript off).

test.describe("projects", () => {
  let ui: ProjectsPage;

  test.beforeEach(async ({ page }, info) => {
    ui = new ProjectsPage(page, info.project.name === "hydrate");
  });

  test("create a project and see it listed", async ({ page }) => {
    const name = unique("Listed");
    await ui.dashboard();
    await ui.create(name, "A project made by the browser test");
    await expect(ui.row(name)).toBeVisible();
    await expect(ui.row(name).getByTestId("status-badge")).toHaveText("Active");
    // still there after a full reload: it was stored
    await page.reload();
    await expect(ui.row(name)).toBeVisible();
  });

  test("a blank name is refused with a message next to the field", async ({ page }) => {
    await ui.dashboard();
    const before = await page.getByTestId("total-sessions").textContent();
    await ui.create("   ");
    await expect(page.locator("#project-name-error")).toHaveText("a name is required");
    await expect(page.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
    expect(await page.getByTestId("total-sessions").textContent()).toBe(before);
  });

  test("change a project's status", async ({ page }) => {
    const name = unique("Status");
    await ui.dashboard();
    await ui.create(name);
    await ui.openProject(name);
    await expect(ui.statusBadge()).toHaveText("Active");
    await ui.setStatus("Paused");
    await expect(ui.statusBadge()).toHaveText("Paused");
    await ui.dashboard();
    await page.getByRole("navigation", { name: "Filter by status" }).getByRole("link", { name: "Paused" }).click();
    await expect(ui.row(name)).toBeVisible();
    await expect(ui.row(name).getByTestId("status-badge")).toHaveText("Paused");
  });

  test("delete a project and restore it", async ({ page }) => {
    const name = unique("Trash");
    await ui.dashboard();
    await ui.create(name);
    await ui.openProject(name);
    await page.getByTestId("delete").click();
    await expect(page.getByTestId("trash-banner")).toBeVisible();

    await ui.dashboard();
    await expect(ui.row(name)).toHaveCount(0);
    await page.getByRole("navigation", { name: "Filter by status" }).getByRole("link", { name: "Trash" }).click();
    await expect(ui.row(name)).toBeVisible();
    await ui.row(name).getByRole("button", { name: "Restore" }).click();
    await expect(ui.row(name)).toHaveCount(0);

    await ui.dashboard();
    await expect(ui.row(name)).toBeVisible();
  });

  test("track a critical file", async ({ page }) => {
    const name = unique("Files");
    await ui.dashboard();
    await ui.create(name);
    await ui.openProject(name);
    const panel = page.getByTestId("files-panel");
    await panel.getByLabel("Path").fill("src/auth/token.rs");
    await panel.getByLabel("Importance").selectOption("critical");
    await panel.getByRole("button", { name: "Track file" }).click();
    await expect(panel.getByTestId("file")).toHaveCount(1);
    await expect(panel.getByTestId("file")).toContainText("src/auth/token.rs");
    await expect(panel.getByTestId("file")).toContainText("critical");
    await panel.getByRole("button", { name: "Remove" }).click();
    await expect(panel.getByTestId("file")).toHaveCount(0);
  });

  test("edit name and description", async ({ page }) => {
    const name = unique("Edit");
    const renamed = unique("Renamed");
    await ui.dashboard();
    await ui.create(name);
    await ui.openProject(name);
    await page.getByText("Edit name and description").click();
    await page.getByLabel("Name").fill(renamed);
    await page.getByLabel("Description").fill("Now with a description");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByTestId("project-title")).toHaveText(renamed);
    await expect(page.getByTestId("project-description")).toHaveText("Now with a description");
  });
});
