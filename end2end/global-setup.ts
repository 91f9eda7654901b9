// Waits until the server answers: the server is started beside Playwright, not by it.
export default async function globalSetup() {
  const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
  const deadline = Date.now() + 60_000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/api/stats`);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server at ${base} did not answer within 60 s (${last})`);
}
