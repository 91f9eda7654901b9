import { expect, test } from "./fixtures";
import { ProjectsPage, unique } from "./pages/projects";

// Runs hydrated and with JavaScript off: add an entry, find it by a word (another form
// of it) and by an identifier, record that it worked, and see it suggested on a session
// whose objectives match (typed, when JavaScript runs; as saved, when it does not).

test("a knowledge entry is found, applied and suggested", async ({ page, request }, info) => {
  const hydrated = info.project.name === "hydrate";
  const ui = new ProjectsPage(page, hydrated);
  const tag = unique("kb").replace(/\W/g, "").toLowerCase();
  const ident = `${tag}_cart_total`;

  await ui.open("/knowledge");
  await page.getByLabel("Category").first().selectOption("error_solution");
  await page.locator("#new-title").fill(`Fix E0382 in ${tag} loops`);
  await page.locator("#new-description").fill(`The value was borrowed after a move in \`${ident}\`. Clone it before the loop.`);
  await page.locator("#new-tags").fill(`rust, ${tag}`);
  await page.getByRole("button", { name: "Save entry" }).click();
  await expect(page.getByTestId("entry-title")).toHaveText(`Fix E0382 in ${tag} loops`);
  await expect(page.getByTestId("entry-description").locator("code")).toHaveText(ident);

  // a word in another form: "borrowing" finds "borrowed" (stemming), narrowed by the tag
  await ui.open(`/knowledge?tag=${tag}`);
  await page.getByLabel("Search", { exact: true }).fill("borrowing");
  await page.getByRole("button", { name: "Search" }).click();
  const hit = page.getByTestId("kb-hit").filter({ hasText: `Fix E0382 in ${tag} loops` });
  await expect(hit).toHaveCount(1);
  await expect(hit.locator("mark").first()).toHaveText("borrowed");

  // an identifier
  await ui.open(`/knowledge?q=${ident}`);
  await expect(page.getByTestId("kb-hit")).toHaveCount(1);
  await expect(page.getByTestId("kb-hit").locator(".kb-snippet mark")).toHaveText(ident);

  // applied, and it worked
  await expect(page.getByTestId("kb-rate")).toHaveText("not applied yet");
  if (hydrated) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByTestId("outcome-yes").click();
  await expect(page.getByTestId("kb-rate")).toHaveText("applied 1× · worked 1 (100 %)");

  // a session whose objectives match
  const project = await (await request.post("/api/projects", { data: { name: unique("KB project") } })).json();
  const account = await (await request.post("/api/accounts", { data: { account_name: `${tag}-acc`, specialization: tag, credits_available: 100 } })).json();
  const objectives = hydrated ? "Tidy the checkout" : `Fix ${tag} E0382 again`;
  const s = await request.post("/api/sessions", { data: { project_id: project.id, account_id: account.id, objectives } });
  expect(s.status()).toBe(201);
  await ui.open(`/sessions/${(await s.json()).id}`);
  const suggestions = page.getByTestId("knowledge-suggestions");
  if (hydrated) {
    await expect(suggestions).toHaveCount(0);
    await page.getByLabel("Objectives").fill(`The ${tag} loop fails with E0382`);
  }
  await expect(suggestions).toBeVisible();
  await expect(suggestions.getByRole("link", { name: `Fix E0382 in ${tag} loops` })).toBeVisible();
});

test("an outcome keeps its note; deleting an entry asks first and says what it deletes", async ({ page, request }, info) => {
  const hydrated = info.project.name === "hydrate";
  const ui = new ProjectsPage(page, hydrated);
  const tag = unique("kbdel").replace(/\W/g, "").toLowerCase();
  const r = await request.post("/api/knowledge", { data: { title: `Pin ${tag}`, category: "tip", description: "Pin the version." } });
  expect(r.status(), await r.text()).toBe(201);
  const entry = (await r.json()).data ?? (await r.json());
  await ui.open(`/knowledge/${entry.id}`);
  await page.getByTestId("outcome-note-input").fill(`worked on ${tag} after a cache clear`);
  await page.getByTestId("outcome-yes").click();
  await expect(page.getByTestId("outcome-note")).toHaveText(`worked on ${tag} after a cache clear`);

  const del = page.getByTestId("delete-entry");
  await expect(del).toHaveText(`Delete “Pin ${tag}”`);
  await expect(page.getByTestId("delete-entry-confirm")).toHaveAttribute("required", "");
  await page.getByText("Delete it and its outcome for good").click();
  await del.click();
  await expect(page).toHaveURL(/\/knowledge$/);
  expect((await request.get(`/api/knowledge/${entry.id}`)).status()).toBe(404);
});
