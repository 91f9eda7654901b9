import { expect, test } from "./fixtures";
import { writeFileSync } from "fs";
import { ProjectsPage, unique } from "./pages/projects";

// Runs hydrated and with JavaScript off: export a project with its sessions from the
// project page, import the file under a new name, and find the sessions there.

test("export a project and import it under a new name", async ({ page, request }, info) => {
  const hydrated = info.project.name === "hydrate";
  const ui = new ProjectsPage(page, hydrated);
  const name = unique("Exported");
  const tag = unique("acc").replace(/\W/g, "");

  // a project with two sessions on an account, recorded through the REST API (the
  // account has its own specialization: one without any would match every selection the
  // other tests make in this shared database)
  const project = await (await request.post("/api/projects", { data: { name } })).json();
  const account = await (
    await request.post("/api/accounts", { data: { account_name: tag, platform: "claude", specialization: tag, credits_available: 100 } })
  ).json();
  for (const objectives of ["Build the cart", "Wire up checkout"]) {
    const s = await request.post("/api/sessions", {
      data: { project_id: project.id, account_id: account.id, objectives },
    });
    expect(s.status()).toBe(201);
    const id = (await s.json()).id;
    const done = await request.post(`/api/sessions/${id}/complete`, { data: { credits_used: 30 } });
    expect(done.status()).toBe(200);
  }

  // export from the project page: a JSON file download
  await ui.open(`/projects/${project.id}`);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-project").click()]);
  expect(download.suggestedFilename()).toMatch(/^exported-.*\.json$/);
  const file = info.outputPath("bundle.json");
  await download.saveAs(file);

  // import it from the dashboard under a new name
  await ui.dashboard();
  await page.getByTestId("import-link").click();
  await expect(page.getByRole("heading", { name: "Import a project" })).toBeVisible();
  if (hydrated) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const copy = `${name} copy`;
  await page.getByLabel("Bundle file (.json)").setInputFiles(file);
  await page.getByLabel("Name (optional)").fill(copy);
  await page.getByRole("button", { name: "Upload and preview" }).click();

  // the preview says what will be created; nothing is written yet
  await expect(page.getByTestId("import-summary")).toHaveText(`Creates the project “${copy}”.`);
  await expect(page.locator(".import-counts .stat").filter({ hasText: "Sessions" }).locator("dd")).toHaveText("2");
  await expect(page.getByText(`${tag} — found in this database`)).toBeVisible();
  if (hydrated) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByTestId("confirm-import").click();

  // the new project, with its sessions
  await expect(page.getByTestId("project-title")).toHaveText(copy);
  const timeline = page.getByTestId("project-timeline");
  // each session is listed by what it was for
  await expect(timeline.getByRole("link", { name: "Build the cart" })).toBeVisible();
  await expect(timeline.getByRole("link", { name: "Wire up checkout" })).toBeVisible();
  await expect(page.getByTestId("project-credits")).toContainText("60");
});

test("a file that is not a bundle is refused next to the file field", async ({ page }, info) => {
  const hydrated = info.project.name === "hydrate";
  const ui = new ProjectsPage(page, hydrated);
  await ui.open("/import");
  const file = info.outputPath("notes.json");
  writeFileSync(file, '{"format": "something-else"}');
  await page.getByLabel("Bundle file (.json)").setInputFiles(file);
  await page.getByRole("button", { name: "Upload and preview" }).click();
  await expect(page.locator("#import-file-error")).toContainText("bundle");
  await expect(page).toHaveURL(/\/import\?field=file/);
});
