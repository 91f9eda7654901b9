#!/usr/bin/env python3
"""Soak on one project and one account.

16 writers and 4 readers share ONE project and ONE account (1,000,000 credits) for N
seconds (quick 10 s, full 60 s):

* session writers start sessions, sometimes add credits while they run, and complete
  them (the completions debit the account; their `debited` figures are summed);
* stale-form writers load the account ("page load"), wait, then save it as the page
  showed it: with `version` when the account has one, and with `credits_available` ONLY
  when it has none (the old behaviour, which overwrites debits made meanwhile);
* when the server has `POST /api/accounts/{id}/credits`, one writer adjusts the credits
  with `delta` and with `set_to`/`expected` (the applied changes are summed);
* readers GET /api/stats, /api/accounts and /api/projects/{id}.

Pass: 0 answers >= 500, 0 "database is locked"; at the end the account's credits equal
initial - debited + adjusted; the project's session numbers are unique and gapless
1..n; the project's totals equal its finished sessions' sums. Stale saves answered 409
are counted. Then a form submitted twice (the same `version`) must be refused the second
time (409) and change the record once: sessions (`add_credits`), accounts, projects,
knowledge entries. Skipped with a note where the record has no `version`.
"""

from __future__ import annotations

import asyncio
import collections
import os
import sqlite3
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as c  # noqa: E402

PART = "soak"
INITIAL = 1_000_000
WRITERS = 16
READERS = 4
STALE_WRITERS = 4
FORM_FIELDS = ("account_name", "account_email", "platform", "specialization", "notes", "credit_capacity")


class Tally:
    def __init__(self):
        self.lat = collections.defaultdict(list)
        self.status = collections.defaultdict(collections.Counter)
        self.first_5xx: list[str] = []
        self.locked = 0
        self.conn_errors: list[str] = []
        self.debited = 0
        self.completions = 0
        self.debit_source = collections.Counter()
        self.adjusted = 0
        self.adjust_counts = collections.Counter()
        self.stale = collections.Counter()
        self.unexpected: list[str] = []

    def rec(self, kind, r: c.Response, what=""):
        self.lat[kind].append(r.latency)
        self.status[kind][r.status] += 1
        if r.status >= 500 and len(self.first_5xx) < 10:
            self.first_5xx.append(f"{kind} {what} -> {r.status} {r.text[:300]}")
        if r.has_lock_error():
            self.locked += 1

    def odd(self, msg):
        if len(self.unexpected) < 20:
            self.unexpected.append(msg)


async def session_writer(i, rng, server, ctx, t: Tally, deadline):
    cl = c.HttpClient.to(server)
    try:
        while time.monotonic() < deadline:
            try:
                r = await c.start_session(cl, ctx["project"], ctx["account"], f"soak {i}")
                t.rec("session start", r)
                if not r.ok:
                    t.odd(f"start {r.status} {r.text[:200]}")
                    continue
                s = r.data or {}
                sid = r.json()["id"]
                if rng.random() < 0.3:
                    body = {"add_credits": rng.randint(1, 10), "accomplishments": "halfway"}
                    if "version" in s:
                        body["version"] = s["version"]
                    r = await cl.patch(f"/api/sessions/{sid}", body)
                    t.rec("session patch", r)
                    if not r.ok:
                        t.odd(f"patch {r.status} {r.text[:200]}")
                body = {"accomplishments": "done"}
                if rng.random() < 0.7:
                    body["credits_used"] = rng.randint(1, 20)
                r = await cl.post(f"/api/sessions/{sid}/complete", body)
                t.rec("session complete", r)
                if r.ok:
                    d = r.data or {}
                    t.completions += 1
                    if isinstance(d.get("debited"), int):
                        t.debited += d["debited"]
                        t.debit_source["debited"] += 1
                    else:
                        t.debited += (d.get("session") or {}).get("credits_used", 0)
                        t.debit_source["credits_used"] += 1
                else:
                    t.odd(f"complete {r.status} {r.text[:200]}")
            except c.ConnError as e:
                t.conn_errors.append(f"session writer {i}: {e}")
    finally:
        await cl.close()


async def stale_form_writer(i, rng, server, ctx, t: Tally, deadline):
    cl = c.HttpClient.to(server)
    path = f"/api/accounts/{ctx['account']}"
    try:
        while time.monotonic() < deadline:
            try:
                r = await cl.get(path)
                t.rec("form load", r)
                if not r.ok:
                    continue
                shown = r.data or {}
                await asyncio.sleep(rng.uniform(0.05, 0.4))  # the person edits the form
                body = {k: shown.get(k) for k in FORM_FIELDS if shown.get(k) is not None}
                body["notes"] = f"edited by form {i} at {time.time():.3f}"
                if "version" in shown:
                    body["version"] = shown["version"]
                else:
                    body["credits_available"] = shown.get("credits_available")
                r = await cl.patch(path, body)
                t.rec("form save", r)
                if r.ok:
                    t.stale["saved"] += 1
                elif r.status == 409:
                    t.stale["409 stale"] += 1
                else:
                    t.stale[f"{r.status}"] += 1
                    t.odd(f"form save {r.status} {r.text[:200]}")
            except c.ConnError as e:
                t.conn_errors.append(f"form writer {i}: {e}")
    finally:
        await cl.close()


async def credits_writer(rng, server, ctx, t: Tally, deadline):
    cl = c.HttpClient.to(server)
    path = f"/api/accounts/{ctx['account']}/credits"
    try:
        while time.monotonic() < deadline:
            try:
                if rng.random() < 0.5:
                    d = rng.randint(1, 50)
                    r = await cl.post(path, {"delta": d, "reason": "soak top-up"})
                    t.rec("credits delta", r)
                    if r.ok:
                        t.adjusted += d
                        t.adjust_counts["delta applied"] += 1
                    else:
                        t.adjust_counts[f"delta {r.status}"] += 1
                else:
                    g = await cl.get(f"/api/accounts/{ctx['account']}")
                    if not g.ok:
                        continue
                    seen = (g.data or {}).get("credits_available", 0)
                    await asyncio.sleep(rng.uniform(0, 0.05))
                    d = rng.randint(1, 50)
                    r = await cl.post(path, {"set_to": seen + d, "expected": seen, "reason": "soak set"})
                    t.rec("credits set_to", r)
                    if r.ok:
                        t.adjusted += d
                        t.adjust_counts["set_to applied"] += 1
                    elif r.status == 409:
                        t.adjust_counts["set_to 409 stale"] += 1
                    else:
                        t.adjust_counts[f"set_to {r.status}"] += 1
                await asyncio.sleep(rng.uniform(0, 0.05))
            except c.ConnError as e:
                t.conn_errors.append(f"credits writer: {e}")
    finally:
        await cl.close()


async def reader(i, rng, server, ctx, t: Tally, deadline):
    cl = c.HttpClient.to(server)
    paths = [("GET /api/stats", "/api/stats"), ("GET /api/accounts", "/api/accounts"),
             ("GET /api/projects/{id}", f"/api/projects/{ctx['project']}")]
    try:
        while time.monotonic() < deadline:
            kind, path = rng.choice(paths)
            try:
                r = await cl.get(path)
                t.rec(kind, r)
                if not r.ok:
                    t.odd(f"{kind} {r.status} {r.text[:200]}")
            except c.ConnError as e:
                t.conn_errors.append(f"reader {i}: {e}")
    finally:
        await cl.close()


async def probe_credits_endpoint(cl: c.HttpClient, account_id: int) -> tuple[bool, int, str]:
    """Whether POST /api/accounts/{id}/credits exists; a 2xx probe adds 1 credit."""
    r = await cl.post(f"/api/accounts/{account_id}/credits", {"delta": 1, "reason": "soak probe"})
    if r.ok:
        return True, 1, f"credits endpoint present ({r.status})"
    return False, 0, f"POST /api/accounts/{{id}}/credits answered {r.status}: endpoint absent, adjustments skipped"


async def double_submit_checks(cl: c.HttpClient, rng, account_id: int, has_credits: bool) -> tuple[list, list, dict]:
    """A form submitted twice with the same version: the second must be 409 and the
    change applied once. With the credits endpoint, a `set_to` with the right
    `expected` applies and the same one again is refused (409)."""
    checks, notes, fig = [], [], {}

    if has_credits:
        path = f"/api/accounts/{account_id}/credits"
        seen = ((await cl.get(f"/api/accounts/{account_id}")).data or {}).get("credits_available", 0)
        body = {"set_to": seen + 7, "expected": seen, "reason": "soak set twice"}
        r1 = await cl.post(path, body)
        r2 = await cl.post(path, body)
        after = ((await cl.get(f"/api/accounts/{account_id}")).data or {}).get("credits_available")
        checks.append(("credits set_to twice with one `expected`: 1st applies, 2nd is 409",
                       r1.ok and r2.status == 409 and after == seen + 7,
                       f"first {r1.status}, second {r2.status}, credits {seen} -> {after}"))
        fig["credits_set_to"] = {"first": r1.status, "second": r2.status, "before": seen, "after": after}

    # a session: add_credits twice
    p = await c.create_project(cl, c.uniq(rng, "double"))
    r = c.expect(await c.start_session(cl, p["id"], account_id, "double submit"), "start session")
    s = r.data or {}
    sid = r.json()["id"]
    if "version" not in s:
        notes.append("session JSON has no `version`: double-submit check of sessions skipped")
        fig["session"] = "skipped"
    else:
        before = s.get("credits_used", 0)
        body = {"add_credits": 10, "version": s["version"]}
        r1 = await cl.patch(f"/api/sessions/{sid}", body)
        r2 = await cl.patch(f"/api/sessions/{sid}", body)
        d = await cl.get(f"/api/sessions/{sid}/detail")
        after = ((d.data or {}).get("session") or {}).get("credits_used")
        ok = r1.ok and r2.status == 409 and after == before + 10
        checks.append(("double-submitted session form: 2nd is 409, credits +10 once", ok,
                       f"first {r1.status}, second {r2.status}, credits {before} -> {after}"))
        fig["session"] = {"first": r1.status, "second": r2.status, "before": before, "after": after}

    # an account: a notes edit twice
    a = (await cl.get(f"/api/accounts/{account_id}")).data or {}
    if "version" not in a:
        notes.append("account JSON has no `version`: double-submit check of accounts skipped")
        fig["account"] = "skipped"
    else:
        body = {"notes": "double submit", "version": a["version"]}
        r1 = await cl.patch(f"/api/accounts/{account_id}", body)
        r2 = await cl.patch(f"/api/accounts/{account_id}", body)
        checks.append(("double-submitted account form: 2nd is 409", r1.ok and r2.status == 409,
                       f"first {r1.status}, second {r2.status}"))
        fig["account"] = {"first": r1.status, "second": r2.status}

    # a project: a description edit twice
    if "version" not in p:
        notes.append("project JSON has no `version`: double-submit check of projects skipped")
        fig["project"] = "skipped"
    else:
        pv = ((await cl.get(f"/api/projects/{p['id']}")).data or {}).get("version", p["version"])
        body = {"description": "double submit", "version": pv}
        r1 = await cl.patch(f"/api/projects/{p['id']}", body)
        r2 = await cl.patch(f"/api/projects/{p['id']}", body)
        checks.append(("double-submitted project form: 2nd is 409", r1.ok and r2.status == 409,
                       f"first {r1.status}, second {r2.status}"))
        fig["project"] = {"first": r1.status, "second": r2.status}

    # a knowledge entry: the whole entry saved twice
    k = c.expect(await cl.post("/api/knowledge", {"category": "tip", "title": c.uniq(rng, "double"),
                                                   "description": "first"}), "create knowledge").data or {}
    if "version" not in k:
        notes.append("knowledge JSON has no `version`: double-submit check of knowledge skipped")
        fig["knowledge"] = "skipped"
    else:
        body = {"category": "tip", "title": k["title"], "description": "second", "version": k["version"]}
        r1 = await cl.request("PUT", f"/api/knowledge/{k['id']}", body)
        r2 = await cl.request("PUT", f"/api/knowledge/{k['id']}", body)
        checks.append(("double-submitted knowledge form: 2nd is 409", r1.ok and r2.status == 409,
                       f"first {r1.status}, second {r2.status}"))
        fig["knowledge"] = {"first": r1.status, "second": r2.status}
    return checks, notes, fig


def db_checks(db_path: str, project: int) -> tuple[list, dict]:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        nums = [r[0] for r in con.execute(
            "SELECT session_number FROM sessions WHERE project_id = ? ORDER BY session_number", (project,))]
        gapless = nums == list(range(1, len(nums) + 1))
        dupes = len(nums) - len(set(nums))
        row = con.execute(
            "SELECT p.total_credits_used, p.total_sessions, "
            "(SELECT COALESCE(SUM(credits_used), 0) FROM sessions WHERE project_id = p.id AND status != 'in_progress'), "
            "(SELECT COUNT(*) FROM sessions WHERE project_id = p.id AND status != 'in_progress') "
            "FROM projects p WHERE p.id = ?", (project,)).fetchone()
        checks = [
            ("session numbers unique and gapless 1..n", gapless,
             f"{len(nums)} sessions, {dupes} duplicates, max {max(nums) if nums else 0}"),
            ("project totals = finished sessions' sums", tuple(row[:2]) == tuple(row[2:]),
             f"stored ({row[0]}, {row[1]}), sums ({row[2]}, {row[3]})"),
        ]
        return checks, {"sessions": len(nums), "max_number": max(nums) if nums else 0}
    finally:
        con.close()


async def main() -> int:
    p = c.base_parser(__doc__.splitlines()[1])
    p.add_argument("--seconds", type=float, default=None, help="duration (default 60, quick 10)")
    args = p.parse_args()
    c.raise_fd_limit()
    rng, seed = c.make_rng(args.seed)
    seconds = args.seconds or (10.0 if args.quick else 60.0)
    binary = c.resolve_bin(args.bin)
    print(f"soak: seed {seed}, {WRITERS} writers + {READERS} readers for {seconds:.0f} s on one project and "
          f"one account, binary {binary}")

    wd = c.Workdir(PART, args.keep)
    server = c.Server(binary, wd.path)
    failed = True
    notes: list[str] = []
    try:
        server.start()
        cl = c.HttpClient.to(server)
        project = await c.create_project(cl, c.uniq(rng, "soak"))
        account = await c.create_account(cl, c.uniq(rng, "soak-acct"), INITIAL, INITIAL)
        ctx = {"project": project["id"], "account": account["id"]}
        has_version = {"account": "version" in account, "project": "version" in project}
        if not has_version["account"]:
            notes.append("account JSON has no `version`: stale forms send `credits_available` (old behaviour)")
        has_credits, probe_delta, note = await probe_credits_endpoint(cl, ctx["account"])
        notes.append(note)
        t = Tally()
        t.adjusted += probe_delta

        stale_n = STALE_WRITERS - (1 if has_credits else 0)
        session_n = WRITERS - STALE_WRITERS
        deadline = time.monotonic() + seconds
        t0 = time.monotonic()
        tasks = [session_writer(i, c.make_rng(rng.getrandbits(32))[0], server, ctx, t, deadline) for i in range(session_n)]
        tasks += [stale_form_writer(i, c.make_rng(rng.getrandbits(32))[0], server, ctx, t, deadline) for i in range(stale_n)]
        if has_credits:
            tasks.append(credits_writer(c.make_rng(rng.getrandbits(32))[0], server, ctx, t, deadline))
        tasks += [reader(i, c.make_rng(rng.getrandbits(32))[0], server, ctx, t, deadline) for i in range(READERS)]
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - t0

        final = c.expect(await cl.get(f"/api/accounts/{ctx['account']}"), "read the account").data
        credits = final["credits_available"]
        expected = INITIAL - t.debited + t.adjusted
        ds_checks, ds_notes, ds_fig = await double_submit_checks(cl, rng, ctx["account"], has_credits)
        notes += ds_notes
        await cl.close()
        alive = server.alive()
        server.stop()
        log_locked = server.log_count("database is locked")
        db, db_fig = db_checks(server.db_path, ctx["project"])

        rows = []
        for kind in sorted(t.lat):
            lat, st = t.lat[kind], t.status[kind]
            rows.append([kind, len(lat), sum(v for s, v in st.items() if 200 <= s < 300),
                         sum(v for s, v in st.items() if s == 409), sum(v for s, v in st.items() if 400 <= s < 500 and s != 409),
                         sum(v for s, v in st.items() if s >= 500), c.ms(c.percentile(lat, 50)),
                         c.ms(c.percentile(lat, 99)), c.ms(max(lat) if lat else None)])
        c.print_table(f"Requests ({elapsed:.1f} s)", ["kind", "count", "2xx", "409", "other 4xx", "5xx", "p50 ms",
                                                       "p99 ms", "max ms"], rows)
        c.print_table("Stale form saves", ["outcome", "count"], [[k, v] for k, v in sorted(t.stale.items())])
        if has_credits:
            c.print_table("Credit adjustments", ["outcome", "count"], [[k, v] for k, v in sorted(t.adjust_counts.items())])
        c.print_table("Credits", ["figure", "value"], [
            ["initial", INITIAL], ["debited by completions", t.debited], ["completions", t.completions],
            ["adjusted (credits endpoint)", t.adjusted], ["expected", expected], ["final", credits],
            ["drift (final - expected; > 0: debits overwritten)", credits - expected]])
        for e in t.first_5xx[:5]:
            print(f"  5xx: {e}")
        for e in t.unexpected[:5]:
            print(f"  unexpected answer: {e}")
        for e in t.conn_errors[:5]:
            print(f"  connection error: {e}")

        n5 = sum(v for st in t.status.values() for s, v in st.items() if s >= 500)
        checks = [
            ("0 responses >= 500", n5 == 0, str(n5)),
            ("0 'database is locked' (answers and log)", t.locked == 0 and log_locked == 0,
             f"answers {t.locked}, log {log_locked}"),
            ("0 dropped connections", not t.conn_errors, str(len(t.conn_errors))),
            ("server alive at the end", alive, ""),
            ("final credits = initial - debited + adjusted", credits == expected,
             f"final {credits}, expected {expected}, drift {credits - expected:+d}"),
            *db,
            *ds_checks,
        ]
        figures = {
            "seed": seed,
            "seconds": round(elapsed, 2),
            "requests": {k: {**c.lat_summary(v), "status": dict(t.status[k])} for k, v in t.lat.items()},
            "completions": t.completions,
            "debited": t.debited,
            "debit_source": dict(t.debit_source),
            "adjusted": t.adjusted,
            "adjustments": dict(t.adjust_counts),
            "credits_expected": expected,
            "credits_final": credits,
            "credits_drift": credits - expected,
            "stale_saves": dict(t.stale),
            "stale_409": t.stale.get("409 stale", 0),
            "has_version": has_version,
            "credits_endpoint": has_credits,
            "double_submit": ds_fig,
            **db_fig,
            "e5xx": n5,
            "log_locked": log_locked,
        }
        code = c.finish(PART, checks, figures, notes)
        failed = code != 0
        return code
    finally:
        server.stop()
        wd.cleanup(failed)


if __name__ == "__main__":
    c.run_main(PART, main)
