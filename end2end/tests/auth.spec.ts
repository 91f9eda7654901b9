// Sign-in as people meet it, with JavaScript and without: a wrong password, the right one,
// signing out; a viewer who sees no write forms and no e-mails; an API token made,
// used by a script and revoked.
import { expect, request as apiRequest, test } from "./fixtures";
import { unique } from "./pages/projects";
import { OWNER, VIEWER } from "./users";

async function signIn(page: import("@playwright/test").Page, who: { email: string; password: string }) {
  await page.getByLabel("E-mail").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("sign in after a wrong password, land where you were going, sign out", async ({ page }) => {
    await page.goto("/sessions");
    await expect(page).toHaveURL(/\/login\?next=%2Fsessions$/);
    await signIn(page, { email: OWNER.email, password: "not the password at all" });
    await expect(page.getByTestId("login-error")).toContainText("do not match an active user");
    await signIn(page, OWNER);
    await expect(page).toHaveURL(/\/sessions$/);
    await expect(page.getByTestId("user-menu")).toContainText(OWNER.name);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login\?signed_out=1$/);
    await expect(page.getByText("You are signed out.")).toBeVisible();
    await page.goto("/accounts");
    await expect(page).toHaveURL(/\/login\?next=%2Faccounts$/);
  });

  test("a viewer sees no write forms and no account e-mails or notes", async ({ page, request }) => {
    const tag = unique("viewer").replace(/\W/g, "");
    const made = await request.post("/api/accounts", {
      data: { account_name: `${tag}-acc`, account_email: `${tag}@example.com`, notes: `${tag} private note`, specialization: tag, credits_available: 100 },
    });
    expect(made.status()).toBe(201);
    const id = (await made.json()).id;
    await page.goto("/login");
    await signIn(page, VIEWER);
    await expect(page.getByTestId("user-menu")).toContainText(VIEWER.name);
    await page.goto("/accounts");
    await expect(page.getByText(`${tag}-acc`).first()).toBeVisible();
    await expect(page.locator("main")).not.toContainText(`${tag}@example.com`);
    await expect(page.locator("#new-account-form")).toBeHidden();
    await page.goto(`/accounts/${id}`);
    await expect(page.locator("main")).toContainText(`${tag}-acc`);
    await expect(page.locator("main")).not.toContainText(`${tag}@example.com`);
    await expect(page.locator("main")).not.toContainText(`${tag} private note`);
    await expect(page.locator("main form[method=post] button:visible")).toHaveCount(0);
    await page.goto("/");
    await expect(page.locator("#new-project-form")).toBeHidden();
    await expect(page.getByRole("link", { name: "Users" })).toHaveCount(0);
    // the owner's page is not theirs
    const admin = await page.goto("/admin");
    expect(admin?.status()).toBe(403);
    await expect(page.getByTestId("error-panel")).toBeVisible();
  });
});

test("make an API token, use it from a script, revoke it", async ({ page, baseURL }) => {
  const name = unique("ci token");
  await page.goto("/settings");
  await expect(page.getByTestId("me")).toContainText(OWNER.email);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Scope").selectOption("read");
  await page.getByRole("button", { name: "Create token" }).click();
  const secretCell = page.getByTestId("token-secret");
  await expect(secretCell).toBeVisible();
  const secret = (await secretCell.textContent())!.trim();
  expect(secret).toMatch(/^paas_[A-Za-z0-9_-]{40,}$/);

  const script = await apiRequest.newContext({
    baseURL,
    storageState: { cookies: [], origins: [] },
    extraHTTPHeaders: { Authorization: `Bearer ${secret}` },
  });
  expect((await script.get("/api/projects")).status()).toBe(200);
  expect((await script.post("/api/projects", { data: { name: unique("not allowed") } })).status()).toBe(403);

  const row = page.getByTestId("tokens").getByRole("row").filter({ hasText: name });
  await expect(row).toContainText(secret.slice(0, 12));
  await expect(row).not.toContainText(secret);
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row).toContainText("revoked");
  expect((await script.get("/api/projects")).status()).toBe(401);
  await script.dispose();
  // shown once only
  await page.reload();
  await expect(page.getByTestId("token-secret")).toHaveCount(0);
});

test("the owner invites someone, who joins with their own password", async ({ page, browser }, info) => {
  const tag = unique("inv").replace(/\W/g, "").toLowerCase();
  const email = `${tag}@example.com`;
  await page.goto("/admin");
  if (info.project.name === "hydrate") await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByLabel("Name").fill(`Ivy ${tag}`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Role").selectOption("member");
  await page.getByRole("button", { name: "Make invitation link" }).click();
  const link = (await page.getByTestId("invite-link").locator("code").textContent())!.trim();
  expect(link).toMatch(/^\/invite\/[A-Za-z0-9_-]{40,}$/);
  // the invited person, in a browser of their own
  const theirs = await browser.newContext({
    baseURL: info.project.use.baseURL,
    storageState: { cookies: [], origins: [] },
    javaScriptEnabled: info.project.name === "hydrate",
  });
  const them = await theirs.newPage();
  await them.goto(link);
  await expect(them.locator("main")).toContainText(email);
  await them.getByLabel("Choose a password").fill("amber river falcon 88");
  await them.getByRole("button", { name: "Join and sign in" }).click();
  await expect(them.getByTestId("user-menu")).toContainText(`Ivy ${tag}`);
  // the link works once
  await them.goto(link);
  await expect(them.locator("main")).toContainText("not valid any more");
  await theirs.close();
  await page.reload();
  await expect(page.getByTestId("users")).toContainText(email);
  await expect(page.getByTestId("audit")).toContainText("invite.accept");
});
