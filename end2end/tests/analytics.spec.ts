import { expect, test } from "./fixtures";
import { ProjectsPage, unique } from "./pages/projects";

// Runs hydrated and with JavaScript off: a session that takes an account past 90 % raises
// an alert on the dashboard, and the analytics page draws that session's credits in its
// charts (server-rendered SVG; with JavaScript, a readout follows the pointer and a drag
// adds days up).

test("an account past 90 % raises an alert and the charts show real data", async ({ page, request }, info) => {
  const hydrated = info.project.name === "hydrate";
  const ui = new ProjectsPage(page, hydrated);
  const tag = unique("an").replace(/\W/g, "").toLowerCase();
  const name = `${tag}-nearly-empty`;

  const project = await (await request.post("/api/projects", { data: { name: `Charts ${tag}` } })).json();
  const account = await (
    await request.post("/api/accounts", {
      data: { account_name: name, specialization: tag, platform: "gemini", credits_available: 100, credit_capacity: 100 },
    })
  ).json();
  const started = await request.post("/api/sessions", { data: { project_id: project.id, account_id: account.id, objectives: "chart me" } });
  expect(started.status()).toBe(201);
  const session = (await started.json()).id;

  // below every threshold: no alert for this account
  await ui.open("/");
  await expect(page.getByTestId("alert").filter({ hasText: name })).toHaveCount(0);

  const done = await request.post(`/api/sessions/${session}/complete`, { data: { credits_used: 91, accomplishments: "- charts" } });
  expect(done.status()).toBe(200);

  await ui.open("/");
  const alert = page.getByTestId("alert").filter({ hasText: name });
  await expect(alert).toHaveCount(1);
  await expect(alert).toContainText("91% used");
  await expect(alert).toHaveAttribute("data-level", "90");

  await ui.open(`/analytics?days=7&project_id=${project.id}`);
  const daily = page.getByTestId("chart-daily");
  await expect(daily.locator("svg.bars")).toBeVisible();
  const days = daily.locator("g.day");
  await expect(days).toHaveCount(7);
  await expect(days.last()).toHaveAttribute("data-value", "91");
  await expect(days.last().locator("title")).toContainText("91 credits");
  await expect(daily.locator(".legend")).toContainText(`Charts ${tag}`);
  await expect(page.getByTestId("period-credits")).toHaveText("91 credits");
  // the session falls in the optimal band, on its account and its platform
  await expect(page.getByTestId("chart-bands").locator(".bar-row").first()).toContainText("Optimal");
  await expect(page.getByTestId("chart-bands").locator("svg.bar").first()).toHaveAttribute("data-value", "1");
  await expect(page.getByTestId("chart-accounts").locator(".bar-row", { hasText: name })).toContainText("91.0");
  await expect(page.getByTestId("chart-platforms").locator(".bar-row", { hasText: "Gemini" })).toBeVisible();
  await expect(page.getByTestId("outlooks").locator("tr", { hasText: name })).toContainText("91%");
  // what each figure counts is said; configured savings read as estimates
  await expect(page.getByTestId("analytics-summary")).toContainText("Credits of finished sessions");
  await expect(page.getByTestId("daily-counts")).toContainText("running ones included");
  await expect(page.getByTestId("savings-basis")).toContainText("An estimate, not a measurement");

  if (hydrated) {
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    // a readout follows the pointer
    await days.last().locator("rect.hit").hover();
    await expect(page.getByTestId("chart-tooltip")).toContainText("91 credits");
    // a drag across the week adds it up
    const first = await days.first().locator("rect.hit").boundingBox();
    const last = await days.last().locator("rect.hit").boundingBox();
    if (!first || !last) throw new Error("bars have no box");
    await page.mouse.move(first.x + first.width / 2, first.y + first.height / 2);
    await page.mouse.down();
    await page.mouse.move(last.x + last.width / 2, last.y + last.height / 2, { steps: 8 });
    await page.mouse.up();
    await expect(page.getByTestId("chart-selection")).toContainText("91 credits over 7 days");
    // one Tab stop per chart; arrow keys move the readout from day to day
    await expect(daily.locator('rect.hit[tabindex="0"]')).toHaveCount(1);
    await days.last().locator("rect.hit").focus();
    await page.keyboard.press("Escape");
    await expect(page.getByTestId("chart-tooltip")).toContainText("91 credits");
    await page.keyboard.press("ArrowLeft");
    await expect(page.getByTestId("chart-tooltip")).toContainText("0 credits");
    await expect(days.nth(5).locator("rect.hit")).toBeFocused();
    await page.keyboard.press("End");
    await expect(days.last().locator("rect.hit")).toBeFocused();
    await expect(daily.locator('rect.hit[tabindex="0"]')).toHaveCount(1);
    await expect(page.getByTestId("chart-accounts").locator('.bar-row[tabindex="0"]')).toHaveCount(1);
    // another period without reloading the page
    await page.getByRole("link", { name: "30 days" }).click();
    await expect(days).toHaveCount(30);
    await expect(page).toHaveURL(/days=30/);
  } else {
    await page.getByRole("link", { name: "30 days" }).click();
    await expect(days).toHaveCount(30);
  }
});
