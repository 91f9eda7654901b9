import { expect, test } from "./fixtures";
import { ProjectsPage, unique } from "./pages/projects";

// JavaScript only: updates happen in place, without a page load.

test("status changes in place without a full page reload", async ({ page }) => {
  const ui = new ProjectsPage(page, true);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });

  const name = unique("InPlace");
  await ui.dashboard();
  await ui.create(name);
  await expect(ui.row(name)).toBeVisible();
  await ui.openProject(name);

  // a marker on window survives only if the document is never reloaded
  await page.evaluate(() => ((window as any).__noReload = 42));
  let navigations = 0;
  page.on("framenavigated", (f) => {
    if (f === page.mainFrame()) navigations++;
  });

  const rpc = page.waitForResponse((r) => r.url().includes("/rpc/set_project_status"));
  await ui.setStatus("Completed");
  expect((await rpc).status()).toBe(200);
  await expect(ui.statusBadge()).toHaveText("Completed");

  expect(await page.evaluate(() => (window as any).__noReload)).toBe(42);
  expect(navigations).toBe(0);
  expect(errors).toEqual([]);
});

test("creating a project updates list and figures in place", async ({ page }) => {
  const ui = new ProjectsPage(page, true);
  await ui.dashboard();
  await page.evaluate(() => ((window as any).__noReload = 7));
  const before = Number((await page.getByTestId("active-projects").locator("dd").textContent())!.replace(/\D/g, ""));
  const name = unique("Counted");
  await ui.create(name);
  await expect(ui.row(name)).toBeVisible();
  await expect(page.getByTestId("active-projects").locator("dd")).toHaveText(String(before + 1).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f"));
  await expect(page.getByLabel("Name")).toHaveValue("");
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(7);
});
