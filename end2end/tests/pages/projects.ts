import { expect, Page } from "@playwright/test";

/** Page object for the dashboard (project list) and a project's page. */
export class ProjectsPage {
  constructor(readonly page: Page, readonly hydrated: boolean) {}

  /** Opens a page and, when JavaScript runs, waits until it has hydrated. */
  async open(path: string) {
    await this.page.goto(path);
    if (this.hydrated) {
      await expect(this.page.locator("body")).toHaveAttribute("data-hydrated", "true");
    }
  }

  async dashboard() {
    await this.open("/");
  }

  row(name: string) {
    return this.page.getByTestId("project-row").filter({
      has: this.page.getByRole("link", { name, exact: true }),
    });
  }

  async create(name: string, description = "") {
    await this.page.getByLabel("Name").fill(name);
    if (description) await this.page.getByLabel("Description").fill(description);
    await this.page.getByRole("button", { name: "Create project" }).click();
  }

  async openProject(name: string) {
    await this.row(name).getByRole("link", { name, exact: true }).click();
    await expect(this.page.getByTestId("project-title")).toHaveText(name);
    if (this.hydrated) {
      await expect(this.page.locator("body")).toHaveAttribute("data-hydrated", "true");
    }
  }

  async setStatus(label: string) {
    await this.page.getByRole("group", { name: "Project status" }).getByRole("button", { name: label }).click();
  }

  statusBadge() {
    return this.page.locator(".page-head").getByTestId("status-badge");
  }
}

export const unique = (prefix: string) => `${prefix} ${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
