#!/usr/bin/env python3
"""Runs every part of the reliability harness and sums them up.

  python3 scripts/reliability/run.py --quick     # about a minute (make test)
  python3 scripts/reliability/run.py             # full (make reliability)
  python3 scripts/reliability/run.py --only storm,fuzz --bin target/release/paas

Each part starts its own server. Exit status: 0 when every part passed, 1 when a part
failed its criteria, 2 when a part could not run (no binary, server did not start).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, HERE)
import common as c  # noqa: E402

PARTS = ["storm", "bench_writes", "soak", "slow", "crash", "fuzz"]
# generous limits: a part that hangs is stopped and counted as failed
TIMEOUT_S = {"quick": 240, "full": 3600}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", default="target/debug/paas")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--seed", type=int, default=None, help="passed to every part")
    p.add_argument("--only", default="", help="comma-separated parts (default: all)")
    p.add_argument("--copy-bin", action="store_true",
                   help="run a private copy of the binary (a rebuild meanwhile does not disturb the run)")
    p.add_argument("--expect-timeouts", action="store_true", help="passed to slow.py")
    p.add_argument("--keep", action="store_true", help="keep every part's temporary directory")
    args = p.parse_args()

    parts = [x.strip() for x in args.only.split(",") if x.strip()] or PARTS
    unknown = [x for x in parts if x not in PARTS]
    if unknown:
        print(f"unknown parts: {unknown}; known: {PARTS}", file=sys.stderr)
        return c.EXIT_ERROR
    binary = c.resolve_bin(args.bin)
    tmp = None
    if args.copy_bin:
        tmp = tempfile.mkdtemp(prefix="paas-rel-bin-")
        copy = os.path.join(tmp, "paas")
        shutil.copy2(binary, copy)
        binary = copy
    mode = "quick" if args.quick else "full"
    print(f"reliability ({mode}): {', '.join(parts)}; binary {binary}")
    results = []
    t_all = time.monotonic()
    try:
        for part in parts:
            cmd = [sys.executable, os.path.join(HERE, f"{part}.py"), "--bin", binary]
            if args.quick:
                cmd.append("--quick")
            if args.seed is not None:
                cmd += ["--seed", str(args.seed)]
            if args.keep:
                cmd.append("--keep")
            if part == "slow" and args.expect_timeouts:
                cmd.append("--expect-timeouts")
            print(f"\n{'=' * 78}\n$ {' '.join(cmd)}\n{'=' * 78}")
            sys.stdout.flush()
            t0 = time.monotonic()
            last_json = None
            try:
                proc = subprocess.Popen(cmd, cwd=c.REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, errors="replace", start_new_session=True)
                deadline = t0 + TIMEOUT_S[mode]
                assert proc.stdout is not None
                for line in proc.stdout:
                    sys.stdout.write(line)
                    if line.startswith("{") and '"part"' in line:
                        try:
                            last_json = json.loads(line)
                        except ValueError:
                            pass
                    if time.monotonic() > deadline:
                        break
                try:
                    code = proc.wait(max(1.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, 9)
                    proc.wait()
                    code = c.EXIT_ERROR
                    print(f"\n{part}: stopped after {TIMEOUT_S[mode]} s")
            except KeyboardInterrupt:
                print("\ninterrupted")
                return c.EXIT_ERROR
            results.append((part, code, time.monotonic() - t0, last_json))
            sys.stdout.flush()
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    def headline(part, j):
        if not j:
            return "-"
        if "error" in j:
            return f"error: {j['error'][:80]}"
        pick = {
            "storm": lambda: f"abandoned {j.get('abandoned')}, stayed {j.get('stayed_requests')} "
                             f"(5xx {j.get('stayed_5xx')}), p50 {j.get('p50_ms')} ms, p99 {j.get('p99_ms')} ms",
            "bench_writes": lambda: f"{j.get('writes')} writes, {j.get('writes_per_s')}/s, "
                                    f"5xx {sum(k.get('e5xx', 0) for k in j.get('kinds', {}).values())}",
            "soak": lambda: f"{j.get('completions')} completions, credit drift {j.get('credits_drift')}, "
                            f"stale 409 {j.get('stale_409')}",
            "slow": lambda: f"normal {j.get('normal_ok')} ok, p99 {j.get('normal', {}).get('p99_ms')} ms, "
                            f"closed idle {j.get('idle_closed')}, trickle {j.get('trickle_closed')}",
            "crash": lambda: f"{j.get('trials')} trials, {j.get('acknowledged')} acks, lost {j.get('lost')}, "
                             f"partial {j.get('partial')}, integrity {j.get('integrity_failures')}, "
                             f"totals {j.get('total_mismatches')}",
            "fuzz": lambda: f"{j.get('requests')} requests, 5xx {j.get('e5xx')}, dropped {j.get('dropped')}, "
                            f"changed {j.get('changed_by_rejected')}",
        }
        try:
            return pick[part]()
        except Exception:  # noqa: BLE001 - a summary line must not break the run
            return "-"

    rows = []
    for part, code, secs, j in results:
        verdict = "PASS" if code == 0 else ("FAIL" if code == 1 else "ERROR")
        failed = ", ".join((j or {}).get("failed", []))[:100]
        rows.append([part, verdict, f"{secs:.0f}", headline(part, j), failed or "-"])
    c.print_table(f"Reliability ({mode}, {time.monotonic() - t_all:.0f} s)",
                  ["part", "result", "s", "figures", "failed criteria"], rows)
    summary = {"reliability": mode, "pass": all(r[1] == 0 for r in results),
               "parts": {r[0]: {"exit": r[1], "seconds": round(r[2], 1), "pass": r[1] == 0} for r in results}}
    print(json.dumps(summary))
    if all(r[1] == 0 for r in results):
        return c.EXIT_PASS
    return c.EXIT_ERROR if any(r[1] not in (0, 1) for r in results) else c.EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
