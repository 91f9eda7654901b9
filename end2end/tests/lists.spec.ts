import { expect, test } from "./fixtures";
import { unique } from "./pages/projects";

// Starting a session by hand: the engine's account is preselected with its reason,
// accounts without credits are listed disabled with when they refill. The sessions list
// leads with the objective; its filters apply as they change (a Filter button without
// JavaScript).

test("the start form recommends, the list says what the work was, filters apply on change", async ({ page, request }, info) => {
  const hydrated = info.project.name === "hydrate";
  const tag = unique("lst").replace(/\W/g, "");
  const post = async (url: string, data: object) => {
    const r = await request.post(url, { data });
    expect(r.status(), await r.text()).toBeLessThan(300);
    return (await r.json()).data;
  };
  const project = await post("/api/projects", { name: `Lists ${tag}`, description: "" });
  const rich = await post("/api/accounts", { account_name: `${tag}-rich`, platform: "claude", credits_available: 500, specialization: tag });
  const empty = await post("/api/accounts", {
    account_name: `${tag}-empty`,
    platform: "gemini",
    credits_available: 0,
    credit_capacity: 100,
    reset: { kind: "daily", at: "09:30", tz: "UTC" },
  });
  await post("/api/sessions", { project_id: project.id, account_id: rich.id, objectives: `Migrate the ${tag} tables\nsecond line` });

  await page.goto("/sessions");
  if (hydrated) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  // the engine's account (the suite's other accounts compete) is selected, with its reason
  const select = page.locator("#start-account");
  const chosen = (await select.locator("option:checked").textContent()) ?? "";
  const name = chosen.split(" · ")[0];
  expect(name).not.toBe("");
  await expect(page.getByTestId("start-recommended")).toContainText(`Recommended — ${name}: most credits`);
  const out = select.locator(`option[value="${empty.id}"]`);
  await expect(out).toBeDisabled();
  await expect(out).toHaveText(new RegExp(`^${tag}-empty · refills in .+ \\(\\d\\d:30\\)$`));

  // filter by the project: the list shows its session by objective (first line)
  const filter = page.locator("#f-project");
  if (hydrated) {
    await expect(page.getByTestId("session-filters").getByRole("button", { name: "Filter" })).toHaveCount(0);
    await filter.selectOption({ label: `Lists ${tag}` });
  } else {
    await filter.selectOption({ label: `Lists ${tag}` });
    await page.getByTestId("session-filters").getByRole("button", { name: "Filter" }).click();
  }
  await expect(page).toHaveURL(new RegExp(`project_id=${project.id}`));
  const rows = page.getByTestId("session-list").locator("tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.first().locator(".row-title")).toHaveText(`Migrate the ${tag} tables`);
  await expect(rows.first()).toContainText(`Lists ${tag} · #1`);
  await expect(rows.first()).toContainText(`${tag}-rich`);
});
