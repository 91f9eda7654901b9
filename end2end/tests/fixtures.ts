// The suite's fixtures: pages run as the signed-in owner (the storage state global setup
// saved after the first-run setup), and the `request` fixture that seeds data is a script
// with an API token made by `paas token create`, as other tools would use the API.
import { test as base, request as apiRequest } from "@playwright/test";

export * from "@playwright/test";

export const test = base.extend({
  request: async ({ baseURL }, use) => {
    const token = process.env.PAAS_TOKEN;
    if (!token) throw new Error("PAAS_TOKEN is not set: run the suite through scripts/e2e.sh");
    // no cookies: a script authenticates with its token only
    const ctx = await apiRequest.newContext({
      baseURL,
      storageState: { cookies: [], origins: [] },
      extraHTTPHeaders: { Authorization: `Bearer ${token}` },
    });
    await use(ctx);
    await ctx.dispose();
  },
});
