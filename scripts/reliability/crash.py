#!/usr/bin/env python3
"""Crash trials: kill -9 during writes, then audit the database file.

Each trial starts the server on the same database, runs mixed writes from 4 clients
(session start and complete, account batch create, bundle import, knowledge create,
usage records), records every write answered 2xx, and kills the server with SIGKILL at a
random moment 20–300 ms after the writes began. Then Python's sqlite3 opens the file and
checks:

* PRAGMA integrity_check = ok, PRAGMA foreign_key_check empty, the knowledge full-text
  indexes pass their integrity-check;
* every acknowledged write is there (by id) with what it wrote (lost);
* no partial write (partial): a finished session has its handoff snapshot; a batch has
  all its accounts or none; an imported project has all its sessions and snapshots or
  none; a usage request has all its ledger rows or none;
* totals equal direct sums (the code's rules): projects.total_credits_used and
  total_sessions = SUM/COUNT over the project's finished sessions (`add_to_project` runs
  at completion); the analytics roll-ups (month rows) = the sums over the sessions of
  live projects (all sessions for rollup_projects, finished ones for rollup_accounts and
  rollup_credits); sessions.usage_* = the ledger's sums; the account's credits = start -
  its finished sessions' credits; session numbers are gapless per project.

Full: 500 trials; quick: 20. Pass: 0 lost, 0 partial, 0 integrity failures, 0 total
mismatches, and the server restarts every time.
"""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import sqlite3
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as c  # noqa: E402

PART = "crash"
CLIENTS = 4
INITIAL = 100_000_000
BATCH = 10
USAGE_CALLS = 2


class Ctx:
    def __init__(self):
        self.project = 0
        self.account = 0
        self.usage_session = 0
        self.bundle: dict = {}
        self.bundle_sessions = 0
        self.bundle_snapshots = 0
        self.own_projects: set[int] = set()
        self.running: list[int] = []  # acknowledged starts not yet completed
        self.acks: list[dict] = []


async def setup(server: c.Server, rng, ctx: Ctx) -> None:
    cl = c.HttpClient.to(server)
    try:
        p = await c.create_project(cl, c.uniq(rng, "crash"))
        a = await c.create_account(cl, c.uniq(rng, "crash-acct"), INITIAL)
        ctx.project, ctx.account = p["id"], a["id"]
        ctx.bundle = await c.make_bundle(cl, rng, ctx.account)
        ctx.bundle_sessions = len(ctx.bundle.get("sessions", []))
        ctx.bundle_snapshots = len(ctx.bundle.get("context_snapshots", []))
        up = await c.create_project(cl, c.uniq(rng, "crash-usage"))
        r = c.expect(await c.start_session(cl, up["id"], ctx.account, "usage target"), "start session")
        ctx.usage_session = r.json()["id"]
        ctx.own_projects = {ctx.project, ctx.bundle["project"]["id"], up["id"]}
    finally:
        await cl.close()


async def client(i, rng, server, ctx: Ctx, trial: int, acks: list, counts: collections.Counter, stop: asyncio.Event):
    cl = c.HttpClient.to(server, timeout=10)
    kinds = ["start", "complete", "batch", "import", "knowledge", "usage"]
    weights = [30, 25, 10, 5, 15, 15]
    try:
        while not stop.is_set():
            kind = rng.choices(kinds, weights)[0]
            if kind == "complete" and not ctx.running:
                kind = "start"
            counts[f"{kind} sent"] += 1
            try:
                if kind == "start":
                    r = await c.start_session(cl, ctx.project, ctx.account, f"trial {trial}")
                    if r.ok:
                        sid = r.json()["id"]
                        acks.append({"t": "session", "id": sid, "project": ctx.project,
                                     "number": r.json().get("session_number", (r.data or {}).get("session_number"))})
                        ctx.running.append(sid)
                elif kind == "complete":
                    sid = ctx.running.pop(rng.randrange(len(ctx.running)))
                    credits = rng.randint(1, 9)
                    r = await cl.post(f"/api/sessions/{sid}/complete", {"credits_used": credits, "accomplishments": "x"})
                    if r.ok:
                        acks.append({"t": "complete", "id": sid, "credits": credits})
                elif kind == "batch":
                    tag = f"crb-{rng.getrandbits(40):010x}"
                    r = await cl.post("/api/private/batch-create-accounts", {
                        "accounts": [{"account_name": f"{tag}-{j}", "credits_available": 50} for j in range(BATCH)]})
                    if r.ok:
                        ids = [a.get("id") for a in r.json().get("accounts", [])]
                        acks.append({"t": "batch", "tag": tag, "ids": ids})
                elif kind == "import":
                    r = await cl.post("/api/private/import-project", {"bundle": ctx.bundle, "on_conflict": "rename"})
                    if r.ok:
                        acks.append({"t": "import", "id": r.json().get("id")})
                elif kind == "knowledge":
                    title = f"crk-{rng.getrandbits(40):010x}"
                    r = await cl.post("/api/knowledge", {"category": "tip", "title": title, "description": "crash " * 10})
                    if r.ok:
                        acks.append({"t": "knowledge", "id": r.json().get("id"), "title": title})
                else:
                    model = f"cru-{rng.getrandbits(40):010x}"
                    r = await cl.post("/api/usage", {"calls": [
                        {"session_id": ctx.usage_session, "provider": "anthropic", "model": model,
                         "input_tokens": 100, "output_tokens": 50, "cost_usd": 0.001, "latency_ms": 20}
                        for _ in range(USAGE_CALLS)]})
                    if r.ok:
                        acks.append({"t": "usage", "model": model})
                counts[f"{kind} {r.status}"] += 1
                if r.status >= 500:
                    counts["5xx"] += 1
                    if not counts.get("first 5xx"):
                        counts["first 5xx"] = 1
                        counts[f"5xx body: {kind} {r.text[:200]}"] += 1
            except c.ConnError:
                counts[f"{kind} cut"] += 1
                return  # the server is gone (killed)
    finally:
        await cl.close()


def fts_ok(con: sqlite3.Connection, table: str) -> str | None:
    try:
        con.execute(f"INSERT INTO {table}({table}) VALUES('integrity-check')")
        return None
    except sqlite3.DatabaseError as e:
        return f"{table}: {e}"


def audit(db_path: str, ctx: Ctx, new_acks: list[dict]) -> dict[str, list[str]]:
    """Problems found, by class: integrity, lost, partial, totals."""
    out: dict[str, list[str]] = {"integrity": [], "lost": [], "partial": [], "totals": []}
    con = sqlite3.connect(db_path, isolation_level=None, timeout=30)
    try:
        q = lambda sql, *a: con.execute(sql, a).fetchall()  # noqa: E731
        ic = q("PRAGMA integrity_check")
        if ic != [("ok",)]:
            out["integrity"].append(f"integrity_check: {ic[:5]}")
        fk = q("PRAGMA foreign_key_check")
        if fk:
            out["integrity"].append(f"foreign_key_check: {fk[:5]}")
        for t in ("knowledge_fts", "knowledge_tri"):
            e = fts_ok(con, t)
            if e:
                out["integrity"].append(e)

        # ---- acknowledged writes
        for a in new_acks:
            t = a["t"]
            if t == "session":
                row = q("SELECT project_id, session_number FROM sessions WHERE id = ?", a["id"])
                if not row:
                    out["lost"].append(f"session {a['id']}")
                elif a.get("number") is not None and row[0] != (a["project"], a["number"]):
                    out["lost"].append(f"session {a['id']} is {row[0]}, acknowledged {(a['project'], a['number'])}")
            elif t == "complete":
                row = q("SELECT status, credits_used FROM sessions WHERE id = ?", a["id"])
                if not row or row[0] != ("completed", a["credits"]):
                    out["lost"].append(f"completion of session {a['id']}: row {row}, acknowledged credits {a['credits']}")
                elif not q("SELECT 1 FROM context_snapshots WHERE session_id = ? AND snapshot_type = 'handoff'", a["id"]):
                    out["partial"].append(f"completed session {a['id']} has no handoff snapshot")
            elif t == "batch":
                names = {r[0] for r in q("SELECT account_name FROM accounts WHERE account_name LIKE ?", a["tag"] + "-%")}
                ids = {r[0] for r in q("SELECT id FROM accounts WHERE account_name LIKE ?", a["tag"] + "-%")}
                if len(names) != BATCH or any(i not in ids for i in a["ids"] if i is not None):
                    out["lost"].append(f"batch {a['tag']}: {len(names)}/{BATCH} rows")
            elif t == "import":
                if not q("SELECT 1 FROM projects WHERE id = ?", a["id"]):
                    out["lost"].append(f"imported project {a['id']}")
            elif t == "knowledge":
                row = q("SELECT title FROM knowledge_base WHERE id = ?", a["id"])
                if not row or row[0][0] != a["title"]:
                    out["lost"].append(f"knowledge {a['id']}: {row}")
            elif t == "usage":
                n = q("SELECT COUNT(*) FROM usage_ledger WHERE model = ?", a["model"])[0][0]
                if n != USAGE_CALLS:
                    out["lost"].append(f"usage {a['model']}: {n}/{USAGE_CALLS} rows")

        # ---- all-or-nothing, over every write (acknowledged or not)
        for sid, in q("SELECT s.id FROM sessions s WHERE s.status != 'in_progress' AND NOT EXISTS "
                      "(SELECT 1 FROM context_snapshots c WHERE c.session_id = s.id AND c.snapshot_type = 'handoff')"):
            out["partial"].append(f"finished session {sid} without a handoff snapshot")
        for tag, n in q(f"SELECT substr(account_name, 1, 14) AS tag, COUNT(*) FROM accounts "
                        f"WHERE account_name LIKE 'crb-%' GROUP BY tag HAVING COUNT(*) != {BATCH}"):
            out["partial"].append(f"batch {tag}: {n}/{BATCH} accounts")
        for model, n in q(f"SELECT model, COUNT(*) FROM usage_ledger WHERE model LIKE 'cru-%' "
                          f"GROUP BY model HAVING COUNT(*) != {USAGE_CALLS}"):
            out["partial"].append(f"usage {model}: {n}/{USAGE_CALLS} rows")
        own = ",".join(str(i) for i in ctx.own_projects)
        for pid, ns, nsnap in q(
                f"SELECT p.id, (SELECT COUNT(*) FROM sessions s WHERE s.project_id = p.id), "
                f"(SELECT COUNT(*) FROM context_snapshots c JOIN sessions s ON s.id = c.session_id WHERE s.project_id = p.id) "
                f"FROM projects p WHERE p.id NOT IN ({own})"):
            if (ns, nsnap) != (ctx.bundle_sessions, ctx.bundle_snapshots):
                out["partial"].append(f"imported project {pid}: {ns}/{ctx.bundle_sessions} sessions, "
                                      f"{nsnap}/{ctx.bundle_snapshots} snapshots")

        # ---- totals against direct sums
        for row in q("SELECT p.id, p.total_credits_used, p.total_sessions, "
                     "(SELECT COALESCE(SUM(credits_used), 0) FROM sessions s WHERE s.project_id = p.id AND s.status != 'in_progress'), "
                     "(SELECT COUNT(*) FROM sessions s WHERE s.project_id = p.id AND s.status != 'in_progress') FROM projects p"):
            if (row[1], row[2]) != (row[3], row[4]):
                out["totals"].append(f"project {row[0]}: stored credits/sessions ({row[1]}, {row[2]}), "
                                     f"finished sessions' sums ({row[3]}, {row[4]})")
        live = "SELECT id FROM projects WHERE deleted_at IS NULL"
        for row in q(
                f"SELECT s.project_id, COUNT(*), SUM(s.credits_used), SUM(s.usage_calls), SUM(s.usage_input_tokens), "
                f"  SUM(s.usage_cost_micros), "
                f"  (SELECT COALESCE(SUM(sessions), 0) FROM rollup_projects r WHERE r.span = 'month' AND r.project_id = s.project_id), "
                f"  (SELECT COALESCE(SUM(credits), 0) FROM rollup_projects r WHERE r.span = 'month' AND r.project_id = s.project_id), "
                f"  (SELECT COALESCE(SUM(calls), 0) FROM rollup_projects r WHERE r.span = 'month' AND r.project_id = s.project_id), "
                f"  (SELECT COALESCE(SUM(input_tokens), 0) FROM rollup_projects r WHERE r.span = 'month' AND r.project_id = s.project_id), "
                f"  (SELECT COALESCE(SUM(cost_micros), 0) FROM rollup_projects r WHERE r.span = 'month' AND r.project_id = s.project_id) "
                f"FROM sessions s WHERE s.project_id IN ({live}) GROUP BY s.project_id"):
            if row[1:6] != row[6:11]:
                out["totals"].append(f"rollup_projects of project {row[0]}: sums {row[1:6]}, roll-up {row[6:11]}")
        all_sum = q(f"SELECT COUNT(*), COALESCE(SUM(credits_used), 0), COALESCE(SUM(usage_calls), 0) "
                    f"FROM sessions WHERE project_id IN ({live})")[0]
        all_roll = q("SELECT COALESCE(SUM(sessions), 0), COALESCE(SUM(credits), 0), COALESCE(SUM(calls), 0) "
                     "FROM rollup_projects WHERE span = 'month' AND project_id = 0")[0]
        if all_sum != all_roll:
            out["totals"].append(f"rollup_projects all projects: sums {all_sum}, roll-up {all_roll}")
        acc = dict(((r[0]), (r[1], r[2])) for r in q(
            f"SELECT account_id, COUNT(*), SUM(credits_used) FROM sessions WHERE status != 'in_progress' "
            f"AND project_id IN ({live}) GROUP BY account_id"))
        acc_roll = dict(((r[0]), (r[1], r[2])) for r in q(
            "SELECT account_id, SUM(sessions), SUM(credits) FROM rollup_accounts WHERE span = 'month' "
            "GROUP BY account_id HAVING SUM(sessions) != 0 OR SUM(credits) != 0"))
        if acc != acc_roll:
            out["totals"].append(f"rollup_accounts: sums {sorted(acc.items())[:4]}, roll-up {sorted(acc_roll.items())[:4]}")
        cr = dict(q(f"SELECT credits_used, COUNT(*) FROM sessions WHERE status != 'in_progress' "
                    f"AND project_id IN ({live}) GROUP BY credits_used"))
        cr_roll = dict(q("SELECT credits_used, SUM(sessions) FROM rollup_credits WHERE span = 'month' "
                         "GROUP BY credits_used HAVING SUM(sessions) != 0"))
        if cr != cr_roll:
            out["totals"].append(f"rollup_credits: sums {sorted(cr.items())[:5]}, roll-up {sorted(cr_roll.items())[:5]}")
        for sid, calls, n in q("SELECT s.id, s.usage_calls, (SELECT COUNT(*) FROM usage_ledger u WHERE u.session_id = s.id) "
                               "FROM sessions s WHERE s.usage_calls != (SELECT COUNT(*) FROM usage_ledger u WHERE u.session_id = s.id)"):
            out["totals"].append(f"session {sid}: usage_calls {calls}, ledger rows {n}")
        own_ids = ",".join(str(i) for i in ctx.own_projects)
        spent = q(f"SELECT COALESCE(SUM(credits_used), 0) FROM sessions WHERE account_id = ? AND status != 'in_progress' "
                  f"AND project_id IN ({own_ids})", ctx.account)[0][0]
        credits = q("SELECT credits_available FROM accounts WHERE id = ?", ctx.account)[0][0]
        if credits != INITIAL - spent:
            out["totals"].append(f"account {ctx.account}: credits {credits}, start - finished sessions = {INITIAL - spent}")
        for pid, n, mx in q("SELECT project_id, COUNT(*), MAX(session_number) FROM sessions GROUP BY project_id "
                            "HAVING COUNT(*) != MAX(session_number) OR COUNT(DISTINCT session_number) != COUNT(*)"):
            out["totals"].append(f"project {pid}: {n} sessions, numbers up to {mx}")
    finally:
        con.close()
    return out


async def main() -> int:
    p = c.base_parser(__doc__.splitlines()[1])
    p.add_argument("--trials", type=int, default=None, help="trials (default 500, quick 20)")
    p.add_argument("--min-ms", type=float, default=20.0)
    p.add_argument("--max-ms", type=float, default=300.0)
    args = p.parse_args()
    c.raise_fd_limit()
    rng, seed = c.make_rng(args.seed)
    trials = args.trials or (20 if args.quick else 500)
    binary = c.resolve_bin(args.bin)
    print(f"crash: seed {seed}, {trials} trials, {CLIENTS} clients, kill -9 after {args.min_ms:.0f}-{args.max_ms:.0f} ms, "
          f"binary {binary}")

    wd = c.Workdir(PART, args.keep)
    ctx = Ctx()
    server = None
    failed = True
    totals = collections.Counter()
    kinds = collections.Counter()
    problems: dict[str, list[str]] = {"integrity": [], "lost": [], "partial": [], "totals": [], "restart": []}
    trial_fail = collections.Counter()
    acks_by_type = collections.Counter()
    t_start = time.monotonic()
    try:
        done = 0
        for trial in range(trials):
            server = c.Server(binary, wd.path)
            try:
                server.start(ready_timeout=60)
            except c.ServerError as e:
                problems["restart"].append(f"trial {trial}: {str(e)[:1500]}")
                break
            if trial == 0:
                await setup(server, rng, ctx)
            acks: list[dict] = []
            stop = asyncio.Event()
            tasks = [asyncio.create_task(client(i, c.make_rng(rng.getrandbits(32))[0], server, ctx, trial, acks, kinds, stop))
                     for i in range(CLIENTS)]
            await asyncio.sleep(rng.uniform(args.min_ms, args.max_ms) / 1000.0)
            os.kill(server.pid, signal.SIGKILL)
            stop.set()
            await asyncio.gather(*tasks)
            server.proc.wait()
            found = audit(server.db_path, ctx, acks)
            ctx.acks.extend(acks)
            for a in acks:
                acks_by_type[a["t"]] += 1
            for k, v in found.items():
                if v:
                    trial_fail[k] += 1
                    problems[k].extend(f"trial {trial}: {m}" for m in v[:5])
            done += 1
            # completed sessions leave the pool (the audit knows which are finished now)
            con = sqlite3.connect(f"file:{server.db_path}?mode=ro", uri=True)
            try:
                finished = {r[0] for r in con.execute("SELECT id FROM sessions WHERE status != 'in_progress'")}
            finally:
                con.close()
            ctx.running = [s for s in ctx.running if s not in finished][-200:]
            if (trial + 1) % 50 == 0:
                print(f"  {trial + 1} trials, {len(ctx.acks)} acknowledged writes, problems "
                      f"{ {k: len(v) for k, v in problems.items() if v} }")
                sys.stdout.flush()
        # every acknowledgement of every trial, once more at the end
        final = audit(os.path.join(wd.path, "paas.db"), ctx, ctx.acks) if done else {}
        for k, v in final.items():
            if v and not problems[k]:
                problems[k].extend(f"final audit: {m}" for m in v[:5])
        elapsed = time.monotonic() - t_start
        log = c.Server(binary, wd.path)  # only to read the shared log
        bad_log = log.bad_log_counts()

        sent = collections.Counter()
        for k, v in kinds.items():
            if isinstance(k, str) and k.endswith(" sent"):
                sent[k[:-5]] += v
        rows = []
        for kind in ("start", "complete", "batch", "import", "knowledge", "usage"):
            ok = sum(v for k, v in kinds.items() if isinstance(k, str) and k.startswith(kind + " 2"))
            cut = kinds.get(f"{kind} cut", 0)
            other = sum(v for k, v in kinds.items() if isinstance(k, str) and k.startswith(kind + " ")
                        and k.split(" ")[1][:1] in "345")
            rows.append([kind, sent[kind], ok, other, cut])
        c.print_table(f"Writes over {done} trials ({elapsed:.1f} s)", ["kind", "sent", "acknowledged 2xx",
                                                                      "other answers", "cut by the kill"], rows)
        lost_n = len([m for m in problems["lost"]])
        c.print_table("Audit", ["figure", "value"], [
            ["trials", done], ["acknowledged writes", len(ctx.acks)],
            ["lost (acknowledged, missing)", lost_n], ["trials with partial writes", trial_fail["partial"]],
            ["integrity failures", trial_fail["integrity"]], ["trials with total mismatches", trial_fail["totals"]],
            ["restart failures", len(problems["restart"])], ["5xx answers", kinds.get("5xx", 0)],
            ["log 'transaction depth'", bad_log["transaction depth"]],
            ["log 'database is locked'", bad_log["database is locked"]]])
        for k in ("restart", "integrity", "lost", "partial", "totals"):
            for m in problems[k][:5]:
                print(f"  {k}: {m}")
        for k in kinds:
            if isinstance(k, str) and k.startswith("5xx body"):
                print(f"  first {k}")

        checks = [
            (f"{trials} trials ran (server restarted each time)", done == trials and not problems["restart"],
             f"{done}/{trials}"),
            ("0 integrity failures", not problems["integrity"], str(len(problems["integrity"]))),
            ("0 acknowledged writes lost", not problems["lost"], str(lost_n)),
            ("0 partial writes", not problems["partial"], str(len(problems["partial"]))),
            ("totals equal direct sums", not problems["totals"], str(len(problems["totals"]))),
            ("0 responses >= 500", kinds.get("5xx", 0) == 0, str(kinds.get("5xx", 0))),
        ]
        figures = {
            "seed": seed,
            "trials": done,
            "seconds": round(elapsed, 1),
            "acknowledged": len(ctx.acks),
            "acknowledged_by_type": dict(acks_by_type),
            "lost": lost_n,
            "partial": len(problems["partial"]),
            "integrity_failures": len(problems["integrity"]),
            "total_mismatches": len(problems["totals"]),
            "trials_failing": dict(trial_fail),
            "restart_failures": len(problems["restart"]),
            "e5xx": kinds.get("5xx", 0),
            "log": bad_log,
            "first_problems": {k: v[:3] for k, v in problems.items() if v},
        }
        code = c.finish(PART, checks, figures)
        failed = code != 0
        return code
    finally:
        if server is not None:
            server.kill9()
        wd.cleanup(failed)


if __name__ == "__main__":
    c.run_main(PART, main)
