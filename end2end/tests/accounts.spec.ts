import { expect, Page, test } from "./fixtures";
import { ProjectsPage, unique } from "./pages/projects";

// Runs hydrated and with JavaScript off. Every account made here carries a specialization
// token unique to its test, so selections never see other tests' accounts.

async function importAccounts(page: Page, hydrated: boolean, csv: string) {
  await page.goto("/accounts");
  if (hydrated) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.locator("#import-text").fill(csv);
  await page.getByRole("button", { name: "Import", exact: true }).click();
}

test.describe("accounts", () => {
  test("import by paste, then see headroom and refill times", async ({ page }, info) => {
    const hydrated = info.project.name === "hydrate";
    const tag = unique("imp").replace(/\W/g, "");
    const csv = [
      "account_name,platform,specialization,credits,capacity,reset,reset_hours,reset_at,reset_tz",
      `${tag}-claude,claude,${tag},80,100,rolling,5,,`,
      `${tag}-gpt,chatgpt,${tag},30,200,daily,,04:00,Europe/Berlin`,
      `${tag}-bad,myspace,${tag},10,100,,,,`,
    ].join("\n");
    await importAccounts(page, hydrated, csv);
    if (hydrated) {
      const report = page.getByTestId("import-report");
      await expect(report).toContainText("Imported 2 accounts.");
      // the bad row is the fourth line of the pasted text (the header is the first)
      await expect(report).toContainText("Line 4: platform");
    }
    await page.goto(`/accounts?q=${tag}`);
    const rows = page.getByTestId("account-row");
    await expect(rows).toHaveCount(2);
    const claude = rows.filter({ hasText: `${tag}-claude` });
    await expect(claude.getByTestId("headroom")).toContainText("80 / 100");
    await expect(claude.getByTestId("refresh")).toHaveText(/^in (4 h 5\d min|5 h)$/);
    const gpt = rows.filter({ hasText: `${tag}-gpt` });
    await expect(gpt.getByTestId("headroom")).toContainText("30 / 200");
    await expect(gpt).toContainText("Daily at 04:00 (Europe/Berlin)");
  });

  test("select the best account for a specialization", async ({ page }, info) => {
    const hydrated = info.project.name === "hydrate";
    const tag = unique("sel").replace(/\W/g, "");
    const csv = [
      // above the 100 credits of accounts without a specialization (they match anything)
      "account_name,specialization,credits,capacity",
      `${tag}-a,${tag} Frontend,970,1000`,
      `${tag}-b,${tag} Frontend,990,1000`,
      `${tag}-c,${tag} Backend,999,1000`,
    ].join("\n");
    await importAccounts(page, hydrated, csv);
    await page.goto("/accounts");
    if (hydrated) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await page.getByLabel("Specialization (optional)").first().fill(`${tag} Frontend`);
    // the pick is recorded by the server before the next page is opened
    await Promise.all([
      page.waitForResponse((r) => r.url().includes("/rpc/select_account")),
      page.getByRole("button", { name: "Pick account" }).click(),
    ]);
    if (hydrated) {
      await expect(page.getByTestId("select-result")).toContainText(`${tag}-b`);
      await expect(page.getByTestId("select-reason")).toContainText("most credits (990)");
    }
    // the choice is recorded in the account's history (visible with or without JavaScript)
    await page.goto(`/accounts?q=${tag}-b`);
    await page.getByRole("link", { name: `${tag}-b`, exact: true }).click();
    await expect(page.getByTestId("switch-history")).toContainText("Selected");
    await expect(page.getByTestId("switch-history")).toContainText("most credits (990)");
  });

  test("rotate a project and get the briefing", async ({ page }, info) => {
    const hydrated = info.project.name === "hydrate";
    const tag = unique("rot").replace(/\W/g, "");
    await importAccounts(page, hydrated, [
      "account_name,specialization,credits",
      `${tag}-now,${tag},60`,
      `${tag}-next,${tag},95`,
    ].join("\n"));
    const ui = new ProjectsPage(page, hydrated);
    const project = unique("Rotated");
    await ui.dashboard();
    await ui.create(project, "Work that outlives one account");
    await ui.openProject(project);
    const panel = page.getByTestId("rotate-panel");
    await panel.getByLabel("Running out").selectOption({ label: `${tag}-now · Available · 60 credits` });
    await panel.getByRole("button", { name: "Rotate" }).click();
    const latest = page.getByTestId("latest-handoff");
    await expect(latest).toContainText(`${tag}-now → `);
    await expect(latest.getByTestId("briefing")).toContainText(`# Handoff: ${project}`);
    await expect(page.getByTestId("switch-history")).toContainText("Rotated");
    const download = latest.getByTestId("download-briefing");
    await expect(download).toHaveAttribute("download", /^handoff-\d+\.md$/);
    await expect(download).toHaveAttribute("href", /^data:text\/markdown/);
  });

  test("an edit saved after the account changed in another tab is refused with a message", async ({ page, request }, info) => {
    const hydrated = info.project.name === "hydrate";
    const tag = unique("stale").replace(/\W/g, "");
    const made = await request.post("/api/accounts", { data: { account_name: `${tag}-acc`, specialization: tag, credits_available: 100 } });
    expect(made.status()).toBe(201);
    const id = (await made.json()).id;
    await page.goto(`/accounts/${id}`);
    if (hydrated) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await page.getByText("Edit account").click();
    // another tab renames it and a session debits it meanwhile
    const other = await request.patch(`/api/accounts/${id}`, { data: { notes: "changed in another tab", version: 1 } });
    expect(other.status()).toBe(200);
    const adjusted = await request.post(`/api/accounts/${id}/credits`, { data: { delta: -30, reason: "used elsewhere" } });
    expect(adjusted.status()).toBe(200);
    await page.locator("#edit-name").fill(`${tag}-renamed`);
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "changed since you opened it" })).toBeVisible();
    const now = await (await request.get(`/api/accounts/${id}`)).json();
    expect(now.data.account_name).toBe(`${tag}-acc`);
    expect(now.data.notes).toBe("changed in another tab");
    expect(now.data.credits_available).toBe(70);
    // the page, read again, shows the current values and the change of credits
    await page.goto(`/accounts/${id}`);
    await expect(page.getByTestId("credit-changes")).toContainText("used elsewhere");
    await expect(page.getByTestId("credit-changes")).toContainText("100 → 70 credits");
  });
});
