import { expect, test } from "./fixtures";
import { unique } from "./pages/projects";

// The daily loop, hydrated and with JavaScript off: a running session's account runs low;
// from the session's page one click hands it off and continues on the next account with
// the briefing shown first; two more complete the new session. Three clicks in all.

test("rotate and continue in three clicks", async ({ page, request }, info) => {
  const hydrated = info.project.name === "hydrate";
  const ready = async () => {
    if (hydrated) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  };
  const tag = unique("rot").replace(/\W/g, "");
  const post = async (url: string, data: object) => {
    const r = await request.post(url, { data });
    expect(r.status(), await r.text()).toBeLessThan(300);
    return (await r.json()).data;
  };
  const project = await post("/api/projects", { name: `Rotation ${tag}`, description: "the loop" });
  const low = await post("/api/accounts", { account_name: `${tag}-low`, platform: "claude", credits_available: 60, specialization: tag });
  const next = await post("/api/accounts", { account_name: `${tag}-next`, platform: "chatgpt", credits_available: 1000000, specialization: tag });
  const session = await post("/api/sessions", {
    project_id: project.id,
    account_id: low.id,
    session_type: "feature",
    objectives: `Ship the ${tag} export`,
  });
  const r = await request.patch(`/api/sessions/${session.id}`, {
    data: { credits_used: 55, accomplishments: `Exporter for ${tag} written`, blockers: "CSV quoting still open" },
  });
  expect(r.status(), await r.text()).toBe(200);

  await page.goto(`/sessions/${session.id}`);
  await ready();
  let clicks = 0;
  const click = async (l: ReturnType<typeof page.locator>) => {
    await l.click();
    clicks += 1;
  };

  // 1: hand off and continue on the account the engine proposes
  const rotate = page.getByTestId("rotate-continue");
  await expect(rotate).toHaveText(`Hand off and continue on ${tag}-next`);
  await click(rotate);
  await expect(page.getByTestId("session-title")).toHaveText(`Rotation ${tag} · session 2`);
  await ready();
  const actions = page.getByTestId("session-actions");
  await expect(actions).toContainText(`${tag}-next`);
  // the briefing is attached and shown first, with the objective carried over
  const briefing = page.getByTestId("previous-handoff");
  await expect(briefing).toContainText(`Exporter for ${tag} written`);
  await expect(briefing).toContainText("CSV quoting still open");
  await expect(page.locator(".objective")).toHaveText(`Ship the ${tag} export`);

  // 2 and 3: complete, confirming what is debited
  await click(page.getByTestId("complete-open"));
  const submit = page.getByTestId("complete-submit");
  await expect(submit).toContainText(`from ${tag}-next`);
  await click(submit);
  await expect(page.getByTestId("session-status").first()).toHaveText("Completed");
  expect(clicks).toBeLessThanOrEqual(3);

  // the first session ended handed off, its account debited and marked exhausted
  const first = await (await request.get(`/api/sessions/${session.id}/detail`)).json();
  expect(first.data.session.status).toBe("handed_off");
  const acc = await (await request.get(`/api/accounts/${low.id}`)).json();
  expect(acc.data.credits_available ?? acc.data.account?.credits_available).toBe(5);
});

test("the action bar is in the first viewport at 360 px, however long the log", async ({ page, request }, info) => {
  const hydrated = info.project.name === "hydrate";
  const tag = unique("bar").replace(/\W/g, "");
  const post = async (url: string, data: object) => {
    const r = await request.post(url, { data });
    expect(r.status(), await r.text()).toBeLessThan(300);
    return (await r.json()).data;
  };
  const project = await post("/api/projects", { name: `Long log ${tag}`, description: "" });
  const acc = await post("/api/accounts", { account_name: `${tag}-a`, platform: "claude", credits_available: 500 });
  await post("/api/accounts", { account_name: `${tag}-b`, platform: "gemini", credits_available: 500 });
  const session = await post("/api/sessions", {
    project_id: project.id,
    account_id: acc.id,
    objectives: `Port the ${tag} importer to the new schema, keeping every existing field and its tests`,
  });
  for (let i = 0; i < 40; i++) {
    await post(`/api/sessions/${session.id}/turns`, {
      role: i % 2 ? "assistant" : "user",
      content: `Step ${i}: ` + "a long paragraph of work on the importer. ".repeat(30),
    });
  }
  await page.setViewportSize({ width: 360, height: 780 });
  await page.goto(`/sessions/${session.id}`);
  if (hydrated) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  for (const id of ["session-actions", "rotate-continue", "complete-open"]) {
    const box = await page.getByTestId(id).boundingBox();
    expect(box, id).not.toBeNull();
    expect(box!.y + box!.height, `${id} ends inside the first 780 px`).toBeLessThanOrEqual(780);
  }
  // and the page does not scroll sideways
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(wide).toBeLessThanOrEqual(360);
});
