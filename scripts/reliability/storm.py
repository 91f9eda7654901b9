#!/usr/bin/env python3
"""Disconnect storm.

16 writer clients keep starting sessions (and completing about half of them) on one
project and account while other clients send write requests and abandon them at random
moments: after part of the headers, after part of the body, right after the full request,
or 0–20 ms after it (closing with a FIN or a TCP reset).

Pass: no answer >= 500 (and no dropped connection) for the clients that stayed; 50
normal writes afterwards all succeed; the server log mentions neither
"transaction depth" nor "database is locked"; and (extra) the database is consistent:
the account's credits equal its start minus the finished sessions' credits, project
totals equal their sessions' sums, session numbers are gapless, every finished session
has its handoff snapshot, every batch has all its rows or none.
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

PART = "storm"
WRITERS = 16
ABANDONERS = 16
INITIAL_CREDITS = 100_000_000
BATCH_SIZE = 5


class Stats:
    def __init__(self):
        self.lat = collections.defaultdict(list)
        self.status = collections.defaultdict(collections.Counter)
        self.server_errors: list[str] = []
        self.conn_errors: list[str] = []
        self.lock_errors = 0

    def record(self, kind: str, r: c.Response, what: str) -> None:
        self.lat[kind].append(r.latency)
        self.status[kind][r.status] += 1
        if r.status >= 500 and len(self.server_errors) < 20:
            self.server_errors.append(f"{what} -> {r.status} {r.text[:300]}")
        if r.has_lock_error():
            self.lock_errors += 1


def abandon_bodies(rng, ctx) -> tuple[str, str, str, object]:
    """A write to abandon: (kind, method, path, body)."""
    kinds = ["start", "patch", "batch", "knowledge", "import", "complete"]
    weights = [30, 20, 15, 15, 10, 10]
    kind = rng.choices(kinds, weights)[0]
    if kind in ("patch", "complete") and not ctx["running"]:
        kind = "start"
    if kind == "start":
        return kind, "POST", "/api/sessions", {
            "project_id": ctx["project"], "account_id": ctx["account"], "objectives": "abandoned start"}
    if kind == "patch":
        sid = rng.choice(ctx["running"])
        return kind, "PATCH", f"/api/sessions/{sid}", {"accomplishments": f"abandoned patch {rng.random()}", "add_credits": 1}
    if kind == "complete":
        sid = rng.choice(ctx["running"])
        return kind, "POST", f"/api/sessions/{sid}/complete", {"credits_used": rng.randint(1, 5), "accomplishments": "abandoned"}
    if kind == "batch":
        tag = c.uniq(rng, "storm-b")
        return kind, "POST", "/api/private/batch-create-accounts", {
            "accounts": [{"account_name": f"{tag}-{i}", "credits_available": 100} for i in range(BATCH_SIZE)]}
    if kind == "knowledge":
        return kind, "POST", "/api/knowledge", {
            "category": "tip", "title": c.uniq(rng, "storm tip"), "description": "abandoned write " * 20, "tags": "storm"}
    return kind, "POST", "/api/private/import-project", {"bundle": ctx["bundle"], "on_conflict": "rename"}


async def abandon_one(rng, server: c.Server, ctx, counts) -> None:
    kind, method, path, body = abandon_bodies(rng, ctx)
    raw = c.build_request(method, path, f"{server.host}:{server.port}", c.encode_json(body))
    head_len = raw.index(b"\r\n\r\n") + 4
    mode = rng.choices(["partial-headers", "partial-body", "after-request", "after-delay"], [25, 15, 30, 30])[0]
    if mode == "partial-headers":
        data = raw[: rng.randint(1, head_len - 1)]
    elif mode == "partial-body":
        data = raw[: rng.randint(head_len, len(raw) - 1)]
    else:
        data = raw
    reset = rng.random() < 0.5
    try:
        reader, writer = await asyncio.open_connection(server.host, server.port)
    except OSError as e:
        counts["connect-failed"] += 1
        counts[f"connect-failed:{e!r}"[:80]] += 1
        return
    try:
        writer.write(data)
        await writer.drain()
        if mode == "after-delay":
            await asyncio.sleep(rng.uniform(0, 0.020))
    except OSError:
        pass
    finally:
        if reset:
            c.abrupt_close(writer)
        else:
            writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass
    counts[(kind, mode, "rst" if reset else "fin")] += 1


async def writer_loop(i, rng, server, ctx, stats: Stats, stop: asyncio.Event) -> None:
    cl = c.HttpClient.to(server)
    try:
        while not stop.is_set():
            try:
                r = await c.start_session(cl, ctx["project"], ctx["account"], f"writer {i}")
                stats.record("start", r, "POST /api/sessions")
                if not r.ok:
                    continue
                sid = r.json()["id"]
                if rng.random() < 0.5:
                    r2 = await cl.post(f"/api/sessions/{sid}/complete", {"credits_used": rng.randint(1, 5)})
                    stats.record("complete", r2, f"POST /api/sessions/{sid}/complete")
                elif len(ctx["running"]) < 2000:
                    ctx["running"].append(sid)
            except c.ConnError as e:
                stats.conn_errors.append(f"writer {i}: {e}")
                await asyncio.sleep(0.01)
    finally:
        await cl.close()


async def normal_writes(server, rng, ctx, n: int) -> tuple[int, list[str]]:
    cl = c.HttpClient.to(server)
    ok = 0
    failures = []
    running = []
    try:
        for i in range(n):
            k = i % 6
            try:
                if k == 0 or (k in (1, 2) and not running):
                    r = await c.start_session(cl, ctx["project"], ctx["account"], "after the storm")
                    if r.ok:
                        running.append(r.json()["id"])
                    what = "start"
                elif k == 1:
                    r = await cl.patch(f"/api/sessions/{running[-1]}", {"blockers": "none", "add_credits": 2})
                    what = "patch"
                elif k == 2:
                    r = await cl.post(f"/api/sessions/{running.pop()}/complete", {"credits_used": 2})
                    what = "complete"
                elif k == 3:
                    tag = c.uniq(rng, "after-b")
                    r = await cl.post("/api/private/batch-create-accounts", {
                        "accounts": [{"account_name": f"{tag}-{j}"} for j in range(BATCH_SIZE)]})
                    what = "batch"
                elif k == 4:
                    r = await cl.post("/api/knowledge", {
                        "category": "pattern", "title": c.uniq(rng, "after tip"), "description": "after the storm"})
                    what = "knowledge"
                else:
                    r = await cl.post("/api/private/import-project", {"bundle": ctx["bundle"], "on_conflict": "rename"})
                    what = "import"
                if r.ok:
                    ok += 1
                else:
                    failures.append(f"{what}: {r.status} {r.text[:300]}")
            except c.ConnError as e:
                failures.append(f"request {i}: {e}")
    finally:
        await cl.close()
    return ok, failures


def db_checks(db_path: str, ctx) -> list[tuple[str, bool, str]]:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        checks = []
        ic = con.execute("PRAGMA integrity_check").fetchall()
        checks.append(("(extra) integrity_check ok", ic == [("ok",)], str(ic[:3])))
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        checks.append(("(extra) foreign_key_check empty", not fk, str(fk[:3])))
        own = (ctx["project"], ctx["bundle_src"])
        spent = con.execute(
            "SELECT COALESCE(SUM(credits_used), 0) FROM sessions WHERE account_id = ? AND project_id IN (?, ?) "
            "AND status != 'in_progress'", (ctx["account"], *own)).fetchone()[0]
        credits = con.execute("SELECT credits_available FROM accounts WHERE id = ?", (ctx["account"],)).fetchone()[0]
        checks.append(("(extra) account credits = start - finished sessions", credits == INITIAL_CREDITS - spent,
                       f"credits {credits}, start {INITIAL_CREDITS} - spent {spent} = {INITIAL_CREDITS - spent}"))
        bad_totals = con.execute(
            "SELECT p.id, p.total_credits_used, p.total_sessions, "
            "  (SELECT COALESCE(SUM(credits_used), 0) FROM sessions s WHERE s.project_id = p.id AND s.status != 'in_progress'), "
            "  (SELECT COUNT(*) FROM sessions s WHERE s.project_id = p.id AND s.status != 'in_progress') "
            "FROM projects p").fetchall()
        bad_totals = [r for r in bad_totals if (r[1], r[2]) != (r[3], r[4])]
        checks.append(("(extra) project totals = finished sessions' sums", not bad_totals,
                       f"{len(bad_totals)} projects differ {bad_totals[:3]}"))
        nums = [r[0] for r in con.execute(
            "SELECT session_number FROM sessions WHERE project_id = ? ORDER BY session_number", (ctx["project"],))]
        checks.append(("(extra) session numbers 1..n", nums == list(range(1, len(nums) + 1)),
                       f"{len(nums)} sessions"))
        no_handoff = con.execute(
            "SELECT COUNT(*) FROM sessions s WHERE s.status != 'in_progress' AND NOT EXISTS "
            "(SELECT 1 FROM context_snapshots c WHERE c.session_id = s.id AND c.snapshot_type = 'handoff')").fetchone()[0]
        checks.append(("(extra) finished sessions have a handoff", no_handoff == 0, f"{no_handoff} without"))
        partial = con.execute(
            "SELECT substr(account_name, 1, length(account_name) - 2) AS b, COUNT(*) FROM accounts "
            "WHERE account_name LIKE 'storm-b-%' OR account_name LIKE 'after-b-%' GROUP BY b HAVING COUNT(*) != ?",
            (BATCH_SIZE,)).fetchall()
        checks.append(("(extra) batches all-or-nothing", not partial, f"{len(partial)} partial {partial[:3]}"))
        return checks
    finally:
        con.close()


async def main() -> int:
    p = c.base_parser(__doc__.splitlines()[1])
    p.add_argument("--abandon", type=int, default=None, help="requests to abandon (default 1000, quick 300)")
    p.add_argument("--min-seconds", type=float, default=None, help="run the writers at least this long")
    args = p.parse_args()
    c.raise_fd_limit()
    rng, seed = c.make_rng(args.seed)
    n_abandon = args.abandon or (300 if args.quick else 1000)
    min_seconds = args.min_seconds if args.min_seconds is not None else (3.0 if args.quick else 10.0)
    binary = c.resolve_bin(args.bin)
    print(f"storm: seed {seed}, {WRITERS} writers, {n_abandon} abandoned requests, binary {binary}")

    wd = c.Workdir(PART, args.keep)
    server = c.Server(binary, wd.path)
    failed = True
    try:
        server.start()
        setup = c.HttpClient.to(server)
        project = await c.create_project(setup, c.uniq(rng, "storm"))
        account = await c.create_account(setup, c.uniq(rng, "storm-acct"), INITIAL_CREDITS)
        bundle_src_account = account["id"]
        bundle = await c.make_bundle(setup, rng, bundle_src_account)
        ctx = {"project": project["id"], "account": account["id"], "bundle": bundle,
               "bundle_src": bundle["project"]["id"], "running": []}
        # a few running sessions for the first patches
        for _ in range(4):
            r = c.expect(await c.start_session(setup, ctx["project"], ctx["account"]), "start session")
            ctx["running"].append(r.json()["id"])
        await setup.close()

        stats = Stats()
        stop = asyncio.Event()
        counts: collections.Counter = collections.Counter()
        remaining = [n_abandon]
        t0 = time.monotonic()

        async def abandoner(k):
            r = c.make_rng(rng.getrandbits(32))[0]
            while remaining[0] > 0:
                remaining[0] -= 1
                await abandon_one(r, server, ctx, counts)
                await asyncio.sleep(r.uniform(0, 0.01))

        writers = [asyncio.create_task(writer_loop(i, c.make_rng(rng.getrandbits(32))[0], server, ctx, stats, stop))
                   for i in range(WRITERS)]
        await asyncio.gather(*(abandoner(k) for k in range(ABANDONERS)))
        storm_secs = time.monotonic() - t0
        while time.monotonic() - t0 < min_seconds:
            await asyncio.sleep(0.1)
        stop.set()
        await asyncio.gather(*writers)
        elapsed = time.monotonic() - t0

        normal_ok, normal_failures = await normal_writes(server, rng, ctx, 50)
        alive = server.alive()
        server.stop()
        bad_log = server.bad_log_counts()
        # informational: connections the server closed because a cancelled request left
        # them inside a transaction (src/storage/mod.rs), and error lines
        cancelled_tx = server.log_count("came back inside a transaction")
        error_lines = sum(1 for ln in server.log_text().splitlines() if " ERROR " in c.strip_ansi(ln))
        db = db_checks(server.db_path, ctx)

        # ---- figures
        rows = []
        for kind in ("start", "complete"):
            lat = stats.lat[kind]
            st = stats.status[kind]
            rows.append([kind, len(lat), sum(v for s, v in st.items() if 200 <= s < 300),
                         sum(v for s, v in st.items() if 400 <= s < 500), sum(v for s, v in st.items() if s >= 500),
                         c.ms(c.percentile(lat, 50)), c.ms(c.percentile(lat, 99)), c.ms(max(lat) if lat else None)])
        c.print_table(f"Writers that stayed ({WRITERS} clients, {elapsed:.1f} s)",
                      ["kind", "requests", "2xx", "4xx", "5xx", "p50 ms", "p99 ms", "max ms"], rows)
        by_kind = collections.Counter()
        by_mode = collections.Counter()
        for key, v in counts.items():
            if isinstance(key, tuple):
                by_kind[key[0]] += v
                by_mode[f"{key[1]}/{key[2]}"] += v
        c.print_table(f"Abandoned requests ({sum(by_kind.values())} in {storm_secs:.1f} s)", ["kind", "count"],
                      [[k, v] for k, v in sorted(by_kind.items())])
        c.print_table("Abandon moments", ["moment/close", "count"], [[k, v] for k, v in sorted(by_mode.items())])
        if counts["connect-failed"]:
            print(f"connect failures while abandoning: {counts['connect-failed']}")
        c.print_table("Server log", ["needle", "count"], [[k, v] for k, v in bad_log.items()]
                      + [["came back inside a transaction (info)", cancelled_tx], ["ERROR lines (info)", error_lines]])
        for e in stats.server_errors[:5]:
            print(f"  5xx: {e}")
        for e in stats.conn_errors[:5]:
            print(f"  connection error: {e}")
        for e in normal_failures[:5]:
            print(f"  normal write failed: {e}")

        all_lat = stats.lat["start"] + stats.lat["complete"]
        n5 = sum(v for k in stats.status for s, v in stats.status[k].items() if s >= 500)
        checks = [
            ("0 responses >= 500 for clients that stayed", n5 == 0, f"{n5}"),
            ("0 dropped connections for clients that stayed", not stats.conn_errors, f"{len(stats.conn_errors)}"),
            ("server alive after the storm", alive, ""),
            ("50 normal writes afterwards succeed", normal_ok == 50, f"{normal_ok}/50"),
            ("log has no 'transaction depth'", bad_log["transaction depth"] == 0, str(bad_log["transaction depth"])),
            ("log has no 'database is locked'", bad_log["database is locked"] == 0 and stats.lock_errors == 0,
             f"log {bad_log['database is locked']}, responses {stats.lock_errors}"),
            *db,
        ]
        figures = {
            "seed": seed,
            "abandoned": sum(by_kind.values()),
            "abandoned_by_kind": dict(by_kind),
            "abandoned_by_moment": dict(by_mode),
            "stayed_requests": len(all_lat),
            "stayed_5xx": n5,
            "stayed_conn_errors": len(stats.conn_errors),
            "stayed_status": {k: dict(v) for k, v in stats.status.items()},
            "latency": {k: c.lat_summary(v) for k, v in stats.lat.items()},
            "p50_ms": c.lat_summary(all_lat)["p50_ms"],
            "p99_ms": c.lat_summary(all_lat)["p99_ms"],
            "normal_writes_ok": normal_ok,
            "log": bad_log,
            "log_cancelled_tx_closed": cancelled_tx,
            "log_error_lines": error_lines,
            "seconds": round(elapsed, 2),
        }
        code = c.finish(PART, checks, figures)
        failed = code != 0
        return code
    finally:
        server.stop()
        wd.cleanup(failed)


if __name__ == "__main__":
    c.run_main(PART, main)
