#!/usr/bin/env python3
"""Hostile-input HTTP fuzzer.

Sends seeded random requests to every REST route of src/rest/mod.rs, every server
function under /rpc/ (src/api, `#[server(prefix = "/rpc", endpoint = …)]`, form-encoded
POSTs) and the two multipart upload routes. Each request starts from a plausible one and
is mutated: wrong JSON types, i64 extremes (9223372036854775807, -9223372036854775808,
1e308, "NaN"), huge strings (50,001 chars), unicode (RTL, combining marks, emoji, NUL,
lone surrogates), deeply nested arrays, bad path ids (0, -1, 99999999999999999999,
"abc"), wrong content types, form bodies for JSON routes and JSON for /rpc, invalid
UTF-8, trailing garbage after the JSON, wrong methods, hostile query strings, and now and
then a body over the size limit.

Every 20th request runs alone and, when it is answered 4xx, a snapshot of the database
(per table: row count and max rowid, or sums for WITHOUT ROWID tables, plus credit and
text-length sums) taken before and after must be equal.

Pass: 0 answers >= 500, 0 dropped connections (except bodies over the size limit), and
rejected requests changed nothing. Full: 20,000 requests; quick: 2,000. On failure the
first failing request is printed in full (and saved next to the server log).
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import random
import sqlite3
import sys
import time
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as c  # noqa: E402

PART = "fuzz"
WORKERS = 4
SAMPLE_EVERY = 20
MAX_BODY = 2 * 1024 * 1024  # the server's default --max-body-bytes

# ---------------------------------------------------------------- the routes

# (method, path template, body template name or None). Placeholders in braces take ids
# of existing records (or hostile ones). From src/rest/mod.rs, plus the planned routes.
REST_ROUTES = [
    ("GET", "/api/stats", None),
    ("POST", "/api/private/analyze-credits", "analyze"),
    ("GET", "/api/analytics", None),
    ("GET", "/api/analytics/alerts", None),
    ("POST", "/api/usage", "usage"),
    ("GET", "/api/sessions/{session}/usage", None),
    ("GET", "/api/projects", None),
    ("POST", "/api/projects", "project"),
    ("GET", "/api/projects/{project}", None),
    ("PATCH", "/api/projects/{project}", "project_patch"),
    ("DELETE", "/api/projects/{project}", None),
    ("POST", "/api/projects/{project}/restore", None),
    ("GET", "/api/projects/{project}/switches", None),
    ("GET", "/api/projects/{project}/export", None),
    ("POST", "/api/private/export-project", "export"),
    ("POST", "/api/private/import-project", "import"),
    ("GET", "/api/accounts", None),
    ("POST", "/api/accounts", "account"),
    ("GET", "/api/accounts/{account}", None),
    ("PATCH", "/api/accounts/{account}", "account"),
    ("DELETE", "/api/accounts/{account}", None),
    ("GET", "/api/accounts/{account}/switches", None),
    ("POST", "/api/private/batch-create-accounts", "batch"),
    ("POST", "/api/private/select-best-account", "select"),
    ("POST", "/api/private/auto-rotate", "rotate"),
    ("POST", "/api/private/switch-account", "switch"),
    ("GET", "/api/knowledge", None),
    ("POST", "/api/knowledge", "knowledge"),
    ("GET", "/api/knowledge/suggest", None),
    ("GET", "/api/knowledge/{knowledge}", None),
    ("PUT", "/api/knowledge/{knowledge}", "knowledge"),
    ("PATCH", "/api/knowledge/{knowledge}", "knowledge"),
    ("DELETE", "/api/knowledge/{knowledge}", None),
    ("POST", "/api/knowledge/{knowledge}/outcomes", "outcome"),
    ("POST", "/api/handoff/compress", "compress"),
    ("POST", "/api/private/smart-compress", "compress"),
    ("GET", "/api/sessions", None),
    ("POST", "/api/sessions", "session"),
    ("POST", "/api/sessions/create-with-handoff", "session"),
    ("PATCH", "/api/sessions/{session}", "session_patch"),
    ("POST", "/api/sessions/{session}/complete", "complete"),
    ("GET", "/api/sessions/{session}/detail", None),
    ("GET", "/api/sessions/{session}/checkpoints", None),
    ("POST", "/api/sessions/{session}/checkpoints", "checkpoint"),
    ("POST", "/api/sessions/{session}/checkpoints/{checkpoint}/restore", None),
    ("GET", "/api/sessions/{session}/turns", None),
    ("POST", "/api/sessions/{session}/turns", "turn"),
    ("POST", "/api/sessions/{session}/import", "conversation"),
    ("GET", "/api/projects/{project}/files", None),
    ("POST", "/api/projects/{project}/files", "file"),
    ("DELETE", "/api/projects/{project}/files/{file}", None),
    ("GET", "/api/projects/{project}/sessions-timeline", None),
    # planned (a 404 is a fine answer while they are absent)
    ("POST", "/api/accounts/{account}/credits", "credits"),
    ("GET", "/healthz", None),
    ("GET", "/readyz", None),
]

# Query parameters of the GET routes that read them.
QUERY_PARAMS = {
    "/api/sessions": ["project_id", "account_id", "status", "session_type", "page"],
    "/api/accounts": ["status", "platform", "q", "sort", "page"],
    "/api/projects": ["status", "sort", "page"],
    "/api/knowledge": ["q", "category", "tag", "limit"],
    "/api/knowledge/suggest": ["text"],
    "/api/analytics": ["project_id", "days"],
}

# Server functions: endpoint -> arguments (form fields). `form` is a nested struct
# (serde_qs: form[field]=…).
ACCOUNT_FORM = ["account_name", "account_email", "platform", "specialization", "notes", "credits_available",
                "credit_capacity", "reset_kind", "reset_at", "reset_tz", "reset_hours", "reset_weekday", "reset_day"]
RPC = {
    "list_accounts": ["status", "platform", "q", "sort", "page"],
    "get_account": ["id"],
    "account_options": [],
    "create_account": [("form", ACCOUNT_FORM)],
    "update_account": ["id", ("form", ACCOUNT_FORM)],
    "account_action": ["id", "action"],
    "delete_account": ["id"],
    "import_accounts": ["text", "atomic"],
    "select_account": ["specialization", "min_credits", "strategy"],
    "rotate_account": ["project_id", "current_account_id", "strategy"],
    "project_switches": ["project_id"],
    "latest_handoff": ["project_id"],
    "get_analytics": ["project_id", "days"],
    "get_alerts": [],
    "preview_import": ["token"],
    "apply_import": ["token"],
    "handoff_sources": [],
    "compress_handoff": ["context", "session_id", "level", "budget_chars"],
    "list_knowledge": ["q", "category", "tag"],
    "get_knowledge": ["id"],
    "create_knowledge": ["category", "title", "description", "tags", "source_session_id"],
    "update_knowledge": ["id", "category", "title", "description", "tags", "source_session_id"],
    "delete_knowledge": ["id"],
    "record_knowledge_outcome": ["id", "worked", "session_id"],
    "suggest_knowledge": ["text"],
    "list_projects": ["status", "sort", "page"],
    "get_project": ["id"],
    "create_project": ["name", "description"],
    "update_project": ["id", "name", "description"],
    "set_project_status": ["id", "status"],
    "delete_project": ["id"],
    "restore_project": ["id"],
    "list_files": ["project_id"],
    "add_file": ["project_id", "file_path", "importance", "git_status", "notes"],
    "remove_file": ["project_id", "file"],
    "list_sessions": ["project_id", "account_id", "status", "session_type", "page"],
    "start_options": [],
    "start_session": ["project_id", "account_id", "session_type", "objectives"],
    "get_session": ["id"],
    "update_session": ["id", "objectives", "accomplishments", "blockers", "handoff_notes", "add_credits"],
    "save_checkpoint": ["id", "note"],
    "restore_checkpoint": ["id", "checkpoint"],
    "add_turn": ["id", "role", "content", "tokens_used"],
    "complete_session": ["id", "status", "credits_used"],
    "project_timeline": ["project_id"],
    "import_conversation": ["id", "format", "text"],
    "get_stats": [],
}
# which pool an `id` argument of an endpoint refers to
RPC_ID_POOL = {
    "account": "account", "knowledge": "knowledge", "project": "project", "session": "session",
    "checkpoint": "session",
}

UPLOADS = [("POST", "/upload/sessions/{session}/import", ["file", "format"]),
           ("POST", "/upload/import", ["file", "name", "on_conflict"])]

# ---------------------------------------------------------------- hostile values

I64_MAX = 9223372036854775807
I64_MIN = -9223372036854775808
HUGE = 50_001


def hostile_strings(rng: random.Random) -> str:
    return rng.choice([
        "", " ", "NaN", "Infinity", "-Infinity", "null", "true", "-0", "0x10", "1e400",
        "9223372036854775807", "-9223372036854775808", "99999999999999999999",
        "a" * HUGE, "é" * HUGE, "😀" * (HUGE // 2 + 1),
        "\u202eevil\u202c right-to-left", "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
        "e" + "\u0301" * 2000, "Z\u0351\u0352\u0353\u0354" * 300, "😀👩‍👩‍👧‍👦🏳️‍🌈", "a\u0000b", "\u0000",
        "\ufeffbom", "\u200b\u200c\u200d", "\r\n\r\nX-Injected: 1", "'; DROP TABLE projects; --",
        "\" OR 1=1 --", "<script>alert(1)</script>", "../../../../etc/passwd", "%00%ff", "\\u0000",
        "\t\n\x0b\x0c\r", "\x7f\x1b[31m", "ä" * 121, " " * 200, "x" * 121, "x" * 10_001, "x" * 2_001,
        "2026-02-30T25:61:61Z", "monday" * 20, "Europe/Nowhere", "../", "*", "%", "_",
        "\ud800",  # a lone surrogate: valid JSON escape, not valid UTF-8
    ])


def hostile_value(rng: random.Random):
    k = rng.random()
    if k < 0.35:
        return hostile_strings(rng)
    if k < 0.6:
        return rng.choice([0, -1, 1, I64_MAX, I64_MIN, I64_MAX + 1, I64_MIN - 1, 10 ** 30, 1e308, -1e308,
                           1.5, -0.0, 5e-324, 2 ** 53 + 1, 1_000_000_001, 1_000_001])
    if k < 0.75:
        return rng.choice([None, True, False])
    if k < 0.9:
        return rng.choice([[], {}, [1, 2, 3], {"a": 1}, [None], [["x"]], {"": ""}, [I64_MAX], ["a" * 100] * 100])
    return NESTED  # a marker: replaced by deeply nested arrays in the raw text


NESTED = "__NESTED__"

# ---------------------------------------------------------------- plausible bodies


class Pools:
    def __init__(self):
        self.ids: dict[str, list[int]] = collections.defaultdict(list)
        self.bundle: dict = {}

    def pick(self, rng: random.Random, kind: str) -> int:
        ids = self.ids.get(kind) or [1]
        return rng.choice(ids)


def valid_field(rng: random.Random, pools: Pools, name: str):
    n = name
    if n in ("project_id",):
        return pools.pick(rng, "project")
    if n in ("account_id", "current_account_id", "from_account_id", "to_account_id"):
        return pools.pick(rng, "account")
    if n in ("session_id", "source_session_id"):
        return pools.pick(rng, "session")
    if n in ("name", "account_name", "title"):
        return f"fz-{rng.getrandbits(32):08x}"
    if n == "account_email":
        return rng.choice(["a@example.com", "", None])
    if n == "platform":
        return rng.choice(["claude", "chatgpt", "gemini", "genspark", "local", "other"])
    if n == "status":
        return rng.choice(["active", "paused", "completed", "archived", "available", "blocked", "failed", "handed_off"])
    if n in ("credits_available", "credit_capacity", "min_credits", "credits_used", "add_credits", "tokens_used",
             "input_tokens", "output_tokens", "latency_ms", "budget_chars", "days", "delta", "set_to", "expected",
             "version"):
        return rng.randint(0, 200)
    if n == "cost_usd":
        return rng.choice([0.0, 0.01, 1.25])
    if n == "strategy":
        return rng.choice(["best", "most_headroom", "soonest_reset", "sticky", "least_recently_used"])
    if n == "category":
        return rng.choice(["pattern", "error_solution", "optimization", "best_practice", "tip"])
    if n == "session_type":
        return rng.choice(["development", "bugfix", "feature", "refactor", "deployment"])
    if n == "compress_level":
        return rng.choice(["low", "medium", "high"])
    if n == "role":
        return rng.choice(["user", "assistant", "system"])
    if n == "format":
        return rng.choice(["chatgpt", "claude", "aider", "specstory", "plain"])
    if n == "importance":
        return rng.choice(["critical", "high", "normal", "low"])
    if n == "on_conflict":
        return rng.choice(["rename", "merge", "skip"])
    if n in ("worked", "atomic", "dry_run"):
        return rng.choice([True, False])
    if n == "file_path":
        return f"src/fz_{rng.getrandbits(24):06x}.rs"
    if n == "at":
        return "2026-01-30T10:00:00Z"
    if n == "provider":
        return "anthropic"
    if n == "model":
        return "claude-x"
    if n == "reset":
        return rng.choice([{"kind": "none"}, {"kind": "daily", "at": "09:00", "tz": "Europe/Paris"},
                           {"kind": "rolling", "hours": 5}, {"kind": "weekly", "weekday": "monday", "at": "00:00"},
                           {"kind": "monthly", "day": 31, "at": "23:59"}])
    return f"text {rng.getrandbits(16)}"


TEMPLATES = {
    "analyze": ["project_id", "days"],
    "usage": ["session_id", "provider", "model", "input_tokens", "output_tokens", "cost_usd", "latency_ms", "at"],
    "project": ["name", "description"],
    "project_patch": ["name", "description", "status", "version"],
    "export": ["project_id"],
    "import": ["bundle", "name", "on_conflict", "dry_run"],
    "account": ["account_name", "account_email", "platform", "specialization", "notes", "credits_available",
                "credit_capacity", "status", "reset", "version"],
    "batch": ["accounts", "atomic"],
    "select": ["specialization", "min_credits", "strategy", "current_account_id", "project_id"],
    "rotate": ["current_account_id", "project_id", "specialization", "min_credits", "strategy"],
    "switch": ["from_account_id", "to_account_id", "project_id", "reason"],
    "knowledge": ["category", "title", "description", "tags", "source_session_id", "version"],
    "outcome": ["worked", "session_id", "note"],
    "compress": ["project_id", "session_id", "context", "compress_level", "budget_chars", "credits_used",
                 "from_account_id"],
    "session": ["project_id", "account_id", "session_type", "objectives"],
    "session_patch": ["objectives", "accomplishments", "blockers", "handoff_notes", "add_credits", "version"],
    "complete": ["status", "credits_used", "accomplishments", "blockers", "handoff_notes"],
    "checkpoint": ["note"],
    "turn": ["role", "content", "tokens_used"],
    "conversation": ["format", "text"],
    "file": ["file_path", "file_type", "git_status", "importance", "notes"],
    "credits": ["delta", "set_to", "expected", "reason"],
}


def plausible_body(rng: random.Random, pools: Pools, template: str) -> dict:
    fields = TEMPLATES[template]
    body = {}
    for f in fields:
        if rng.random() < 0.25 and f not in ("bundle", "accounts"):
            continue  # optional fields are often absent
        if f == "bundle":
            body[f] = json.loads(json.dumps(pools.bundle))
        elif f == "accounts":
            body[f] = [{k: valid_field(rng, pools, k) for k in ("account_name", "platform", "credits_available")}
                       for _ in range(rng.randint(0, 4))]
        elif f == "text" and template == "conversation":
            body[f] = "User: hello\nAssistant: hi\n"
        elif f == "context":
            body[f] = "## Done\n- fixed the build\n" * rng.randint(1, 5)
        else:
            body[f] = valid_field(rng, pools, f)
    if template == "usage" and rng.random() < 0.3:
        body = {"calls": [body, dict(body)]}
    if template == "credits" and "delta" in body and "set_to" in body and rng.random() < 0.7:
        body.pop("set_to" if rng.random() < 0.5 else "delta")
    return body


def paths_in(obj, prefix=()):
    """Every (container, key) pair in a JSON value, to mutate one at random."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.append((obj, k))
            out.extend(paths_in(v))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.append((obj, i))
            out.extend(paths_in(v))
    return out


def mutate_json(rng: random.Random, body):
    """Mutates the body in place-ish; returns (body, notes)."""
    notes = []
    for _ in range(rng.randint(1, 3)):
        spots = paths_in(body)
        r = rng.random()
        if r < 0.55 and spots:
            container, key = rng.choice(spots)
            container[key] = hostile_value(rng)
            notes.append(f"{key}=hostile")
        elif r < 0.65 and spots:
            container, key = rng.choice(spots)
            if isinstance(container, dict):
                del container[key]
                notes.append(f"drop {key}")
        elif r < 0.75 and isinstance(body, dict):
            body[rng.choice(["extra", "__proto__", "id", "version", "", "a" * 300])] = hostile_value(rng)
            notes.append("unknown field")
        elif r < 0.85:
            body = hostile_value(rng)
            notes.append("whole body hostile")
            break
        elif spots:
            container, key = rng.choice(spots)
            v = container[key]
            # the same value in the wrong type
            container[key] = (str(v) if isinstance(v, (int, float, bool)) else
                              [v] if not isinstance(v, list) else {"v": v})
            notes.append(f"{key} wrong type")
    return body, notes


def dumps(rng: random.Random, body) -> bytes:
    text = json.dumps(body, ensure_ascii=rng.random() < 0.3)
    if NESTED in text:
        depth = rng.choice([200, 5_000, 100_000])
        text = text.replace(json.dumps(NESTED), "[" * depth + "]" * depth, 1)
    return text.encode("utf-8", "surrogatepass")


def corrupt_bytes(rng: random.Random, raw: bytes) -> tuple[bytes, str]:
    k = rng.randrange(10)
    if k == 0:
        return raw + rng.choice([b"garbage", b"}", b"{}", b"\x00", b"\n\n[1]", b" // comment"]), "trailing garbage"
    if k == 1:
        return raw[: rng.randint(0, max(0, len(raw) - 1))], "truncated"
    if k == 2:
        i = rng.randint(0, len(raw))
        return raw[:i] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80"]) + raw[i:], "invalid utf-8"
    if k == 3:
        return b"\xef\xbb\xbf" + raw, "BOM"
    if k == 4:
        return raw.replace(b"{", b'{"dup": 1, "dup": 2, ', 1) if raw.startswith(b"{") and len(raw) > 2 else raw + b"x", "duplicate keys"
    if k == 5:
        return rng.choice([b"NaN", b"Infinity", b"-", b"{", b"[", b'{"a":}', b"{'a': 1}", b"",
                           b'{"project_id": 1e999}', b'{"project_id": -0}', b'{"name": "\\ud800"}',
                           b'{"name": "\\u0000"}', b"\x00" * 10, b'{"a":' * 10_000]), "malformed"
    if k == 6:
        return raw.replace(b'"', b"'"), "single quotes"
    if k == 7:
        return urllib.parse.urlencode({"json": raw.decode("utf-8", "replace")[:1000]}).encode(), "form body"
    if k == 8:
        return b" \t\r\n" * 100 + raw + b" \n" * 100, "whitespace"
    return raw, ""


CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", None, "text/plain", "application/xml",
                 "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=x",
                 "application/json; charset=latin1", "APPLICATION/JSON", "application/vnd.api+json",
                 "application/json, text/html", "application/jsonx", "*/*", "json", "application/json" + ";" * 500]


def bad_id(rng: random.Random) -> str:
    return rng.choice(["0", "-1", "99999999999999999999", "abc", "1.5", "%00", "%FF", "%2e%2e", "..%2F..",
                       "%EF%BC%91", "%201", "1e3", "9223372036854775807", "-9223372036854775808",
                       "9223372036854775808", "%F0%9F%98%80", "1" * 5000, "", "%20", "+1", "0x1", "1;2", "NaN",
                       "null", "%E2%80%AE1", "1%00"])


def q(s) -> str:
    return urllib.parse.quote(str(s), safe="", errors="surrogatepass")


class Req:
    __slots__ = ("kind", "route", "method", "path", "headers", "body", "oversize", "notes")

    def __init__(self, kind, route, method, path, headers, body, oversize=False, notes=""):
        self.kind, self.route, self.method, self.path = kind, route, method, path
        self.headers, self.body, self.oversize, self.notes = headers, body, oversize, notes

    def raw(self, hostport: str) -> bytes:
        return c.build_request(self.method, self.path, hostport, self.body, None, self.headers)

    def describe(self, hostport: str, limit: int | None = None) -> str:
        raw = self.raw(hostport)
        shown = raw if limit is None or len(raw) <= limit else raw[:limit]
        more = "" if len(shown) == len(raw) else f"\n... ({len(raw)} bytes in all)"
        text = shown.decode("utf-8", "backslashreplace")
        # control characters (NUL, ESC, …) escaped, so the terminal shows them
        text = "".join(ch if ch in "\r\n\t" or not (ord(ch) < 32 or ord(ch) == 127) else f"\\x{ord(ch):02x}"
                       for ch in text)
        return f"route {self.kind} {self.route} ({self.notes or 'no mutation'})\n{text}{more}"


def fill_path(rng: random.Random, pools: Pools, template: str) -> str:
    out = template
    while "{" in out:
        i = out.index("{")
        j = out.index("}", i)
        name = out[i + 1:j]
        if rng.random() < 0.25:
            v = bad_id(rng)
        elif name == "checkpoint":
            v = str(pools.pick(rng, "checkpoint"))
        elif name == "file":
            v = str(pools.pick(rng, "file"))
        else:
            v = str(pools.pick(rng, name))
        out = out[:i] + v + out[j + 1:]
    return out


def gen_query(rng: random.Random, base: str) -> str:
    params = QUERY_PARAMS.get(base)
    if not params or rng.random() < 0.3:
        return ""
    parts = []
    for p in rng.sample(params, rng.randint(1, len(params))):
        v = hostile_value(rng) if rng.random() < 0.7 else valid_field(rng, Pools(), p)
        if v is NESTED:
            v = "[" * 1000
        if rng.random() < 0.1:
            parts.append(f"{p}=%{rng.choice(['', 'G', 'ZZ', 'f', 'c3'])}")  # bad percent-encoding
        else:
            parts.append(f"{q(p)}={q(v if not isinstance(v, (dict, list)) else json.dumps(v))}")
    if rng.random() < 0.1:
        parts.append(rng.choice(["&&&", "=", "a[]=1&a[]=2", "page=1&page=2", "%zz=1", ";"]))
    return "?" + "&".join(parts)


def gen_rest(rng: random.Random, pools: Pools) -> Req:
    method, template, body_t = rng.choice(REST_ROUTES)
    path = fill_path(rng, pools, template)
    notes = []
    if method == "GET":
        path += gen_query(rng, template)
    if rng.random() < 0.05:
        method = rng.choice(["PUT", "DELETE", "OPTIONS", "HEAD", "TRACE", "FOO", "PATCH", "POST", "GET"])
        notes.append(f"method {method}")
    headers = {}
    body = None
    oversize = False
    if body_t is not None or method in ("POST", "PATCH", "PUT"):
        obj = plausible_body(rng, pools, body_t) if body_t else {}
        if rng.random() < 0.85:
            obj, n = mutate_json(rng, obj)
            notes += n
        body = dumps(rng, obj)
        if rng.random() < 0.3:
            body, n = corrupt_bytes(rng, body)
            if n:
                notes.append(n)
        ct = "application/json" if rng.random() < 0.8 else rng.choice(CONTENT_TYPES)
        if ct != "application/json":
            notes.append(f"content-type {ct!r}")
        if ct is not None:
            headers["Content-Type"] = ct
        if rng.random() < 0.002:
            body = b'{"name": "' + b"a" * (MAX_BODY + 10) + b'"}'
            oversize = True
            notes.append("over the size limit")
    elif rng.random() < 0.1:
        body = rng.choice([b"{}", b"garbage", b"\xff\xfe"])
        headers["Content-Type"] = rng.choice(CONTENT_TYPES) or "text/plain"
        notes.append("body on a GET")
    if rng.random() < 0.03:
        headers[rng.choice(["Accept", "X-Forwarded-For", "Cookie", "Accept-Encoding", "Origin"])] = rng.choice(
            ["gzip, br, deflate", "*/*;q=0", "x" * 7000, "text/html", "\t", "null", "a=b; " * 200])
        notes.append("odd header")
    if body is not None:
        headers["Content-Length"] = str(len(body))
    return Req("rest", f"{method} {template}", method, path, headers, body, oversize, ", ".join(notes))


def rpc_value(rng: random.Random, pools: Pools, endpoint: str, arg: str):
    if rng.random() < 0.55:
        v = hostile_value(rng)
        if v is NESTED:
            v = "[" * 1000
        return json.dumps(v) if isinstance(v, (list, dict)) else ("" if v is None else str(v))
    if arg == "id":
        pool = next((p for k, p in RPC_ID_POOL.items() if k in endpoint), "project")
        return str(pools.pick(rng, pool))
    if arg in ("project_id", "account_id", "session_id", "current_account_id", "source_session_id"):
        return str(valid_field(rng, pools, arg))
    if arg == "file":
        return str(pools.pick(rng, "file"))
    if arg == "checkpoint":
        return str(pools.pick(rng, "checkpoint"))
    if arg == "action":
        return rng.choice(["block", "unblock", "refill", "reset", "nope"])
    if arg == "worked":
        return rng.choice(["true", "false", "yes", "1"])
    if arg == "text" and endpoint == "import_accounts":
        return "name,credits\nfz-a,10\n"
    if arg == "level":
        return rng.choice(["low", "medium", "high"])
    v = valid_field(rng, pools, arg)
    return "" if v is None else (json.dumps(v) if isinstance(v, (dict, list)) else str(v))


def gen_rpc(rng: random.Random, pools: Pools) -> Req:
    endpoint = rng.choice(list(RPC))
    args = RPC[endpoint]
    pairs = []
    notes = []
    for a in args:
        if isinstance(a, tuple):
            name, fields = a
            for f in fields:
                if rng.random() < 0.6:
                    pairs.append((f"{name}[{f}]", rpc_value(rng, pools, endpoint, f)))
            if rng.random() < 0.1:
                pairs.append((f"{name}[{rng.choice(fields)}][deep]", "x"))
                notes.append("nested too deep")
            continue
        if rng.random() < 0.1:
            notes.append(f"missing {a}")
            continue
        pairs.append((a, rpc_value(rng, pools, endpoint, a)))
    if rng.random() < 0.1:
        pairs.append((rng.choice(["extra", "id[]", "id[0]", "form", "%zz", ""]), "1"))
        notes.append("extra arg")
    if rng.random() < 0.05 and pairs:
        pairs.append(rng.choice(pairs))
        notes.append("duplicate arg")
    body = urllib.parse.urlencode(pairs, encoding="utf-8", errors="surrogatepass").encode()
    ct = "application/x-www-form-urlencoded"
    r = rng.random()
    if r < 0.1:
        body = json.dumps(dict((k, v) for k, v in pairs)).encode("utf-8", "surrogatepass")
        ct = rng.choice(["application/json", "application/x-www-form-urlencoded"])
        notes.append("json body")
    elif r < 0.15:
        body, n = corrupt_bytes(rng, body)
        notes.append(n)
    elif r < 0.2:
        ct = rng.choice(CONTENT_TYPES)
        notes.append(f"content-type {ct!r}")
    method = "POST"
    path = f"/rpc/{endpoint}"
    if rng.random() < 0.05:
        method = rng.choice(["GET", "PUT", "DELETE"])
        if method == "GET":
            path += "?" + body.decode("utf-8", "replace")[:2000]
            body = None
        notes.append(f"method {method}")
    headers = {"Accept": rng.choice(["application/json", "application/json", "text/html", "*/*"])}
    if rng.random() < 0.2:
        headers["Referer"] = rng.choice(["http://127.0.0.1/", "javascript:alert(1)", "\x00", "http://[::1"])
    if body is not None:
        if ct:
            headers["Content-Type"] = ct
        headers["Content-Length"] = str(len(body))
    return Req("rpc", f"{method} /rpc/{endpoint}", method, path, headers, body, False, ", ".join(notes))


def gen_upload(rng: random.Random, pools: Pools) -> Req:
    method, template, fields = rng.choice(UPLOADS)
    path = fill_path(rng, pools, template)
    boundary = "fzb" + str(rng.getrandbits(32))
    parts = []
    for f in fields:
        if rng.random() < 0.2:
            continue
        if f == "file":
            content = rng.choice([json.dumps(pools.bundle).encode(), b"User: hi\nAssistant: hello\n", b"\xff\xfe\x00",
                                  b"{", ("x" * HUGE).encode(), b""])
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.json"\r\n'
                         f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
        else:
            v = str(rng.choice([hostile_strings(rng), valid_field(rng, pools, f)]))
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{f}"\r\n\r\n'.encode()
                         + v.encode("utf-8", "surrogatepass") + b"\r\n")
    body = b"".join(parts) + (f"--{boundary}--\r\n".encode() if rng.random() < 0.8 else b"")
    notes = []
    ct = f"multipart/form-data; boundary={boundary}"
    if rng.random() < 0.2:
        ct = rng.choice(["multipart/form-data", "application/json", "multipart/form-data; boundary=other"])
        notes.append(f"content-type {ct!r}")
    headers = {"Content-Type": ct, "Content-Length": str(len(body))}
    return Req("upload", f"{method} {template}", method, path, headers, body, False, ", ".join(notes))


def gen_request(rng: random.Random, pools: Pools) -> Req:
    r = rng.random()
    if r < 0.65:
        return gen_rest(rng, pools)
    if r < 0.97:
        return gen_rpc(rng, pools)
    return gen_upload(rng, pools)


# ---------------------------------------------------------------- the database snapshot


def snapshot(db_path: str) -> dict:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        out = {}
        tables = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                             "ORDER BY name").fetchall()
        for name, sql in tables:
            if sql and sql.upper().startswith("CREATE VIRTUAL"):
                continue
            qn = '"' + name.replace('"', '""') + '"'
            if "WITHOUT ROWID" in (sql or "").upper():
                cols = [r[1] for r in con.execute(f"PRAGMA table_info({qn})")]
                sums = ", ".join(f"total(CASE WHEN typeof(\"{col}\") IN ('integer','real') THEN \"{col}\" END)"
                                 f" + total(length(\"{col}\"))" for col in cols)
                out[name] = con.execute(f"SELECT count(*), {sums} FROM {qn}").fetchone()
            else:
                out[name] = con.execute(f"SELECT count(*), max(rowid) FROM {qn}").fetchone()
        extra = {
            "projects": "SELECT total(total_credits_used), total(total_sessions), total(length(name) + "
                        "coalesce(length(description), 0)), max(updated_at), count(deleted_at) FROM projects",
            "accounts": "SELECT total(credits_available), total(credit_capacity), total(coalesce(length(notes), 0) + "
                        "length(account_name)), max(updated_at), group_concat(status) FROM accounts",
            "sessions": "SELECT total(credits_used), total(coalesce(length(objectives), 0) + "
                        "coalesce(length(accomplishments), 0) + coalesce(length(blockers), 0) + "
                        "coalesce(length(handoff_notes), 0)), group_concat(status) FROM sessions",
            "knowledge_base": "SELECT total(usage_count), total(length(title) + length(description)), "
                              "max(updated_at) FROM knowledge_base",
        }
        for k, sql in extra.items():
            try:
                out[f"{k}*"] = con.execute(sql).fetchone()
            except sqlite3.Error as e:
                out[f"{k}*"] = str(e)
        return out
    finally:
        con.close()


def diff(a: dict, b: dict) -> list[str]:
    return [f"{k}: {a.get(k)} -> {b.get(k)}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


# ---------------------------------------------------------------- running


async def setup(server: c.Server, rng: random.Random) -> Pools:
    pools = Pools()
    cl = c.HttpClient.to(server)
    try:
        for i in range(3):
            pools.ids["project"].append((await c.create_project(cl, c.uniq(rng, "fuzz")))["id"])
            pools.ids["account"].append((await c.create_account(cl, c.uniq(rng, "fuzz-acct"), 1000, 1000))["id"])
        for i in range(3):
            r = c.expect(await c.start_session(cl, pools.ids["project"][i], pools.ids["account"][i]), "start")
            sid = r.json()["id"]
            pools.ids["session"].append(sid)
            cp = await cl.post(f"/api/sessions/{sid}/checkpoints", {"note": "fuzz"})
            if cp.ok:
                pools.ids["checkpoint"].append(cp.json()["id"])
        pools.bundle = await c.make_bundle(cl, rng, pools.ids["account"][0], 1)
        pools.ids["project"].append(pools.bundle["project"]["id"])
        for i in range(3):
            r = await cl.post("/api/knowledge", {"category": "tip", "title": c.uniq(rng, "fuzz"), "description": "d"})
            if r.ok:
                pools.ids["knowledge"].append(r.json()["id"])
            r = await cl.post(f"/api/projects/{pools.ids['project'][0]}/files",
                              {"file_path": f"src/f{i}.rs", "importance": "critical"})
            if r.ok:
                pools.ids["file"].append(r.json()["id"])
    finally:
        await cl.close()
    return pools


class Findings:
    def __init__(self):
        self.status = collections.Counter()
        self.by_kind = collections.Counter()
        self.e5xx: list[tuple[Req, c.Response]] = []
        self.e5xx_routes = collections.Counter()
        self.dropped: list[tuple[Req, str]] = []
        self.dropped_routes = collections.Counter()
        self.dropped_oversize = 0
        self.changed: list[tuple[Req, c.Response, list[str]]] = []
        self.checked = 0
        self.checked_4xx = 0
        self.lat: list[float] = []
        self.silent_closes = collections.Counter()
        self.silent_examples: list = []


async def send(cl: c.HttpClient, req: Req, f: Findings) -> c.Response | None:
    """Sends on the client's keep-alive connection. When the server had closed that
    connection after its previous answer without saying so (no `Connection: close`), the
    request goes again on a new connection and the previous request is noted."""
    prev = getattr(cl, "prev_req", None)
    prev_status = getattr(cl, "prev_status", None)
    cl.prev_req, cl.prev_status = req, None
    try:
        r = await cl.send_raw(req.raw(cl.hostport), req.method, timeout=30, retry_writes=True)
    except c.ConnError as e:
        if req.oversize:
            f.dropped_oversize += 1
        else:
            f.dropped.append((req, str(e)))
            f.dropped_routes[req.route] += 1
        return None
    if cl.silent_close and prev is not None:
        f.silent_closes[(prev.route, prev_status)] += 1
        if len(f.silent_examples) < 5:
            f.silent_examples.append((prev, prev_status))
    cl.prev_status = r.status
    f.lat.append(r.latency)
    f.status[r.status] += 1
    f.by_kind[(req.kind, r.status // 100)] += 1
    if r.status >= 500:
        f.e5xx.append((req, r))
        f.e5xx_routes[(req.route, r.status)] += 1
    return r


async def main() -> int:
    p = c.base_parser(__doc__.splitlines()[1])
    p.add_argument("--requests", type=int, default=None, help="requests (default 20000, quick 2000)")
    args = p.parse_args()
    c.raise_fd_limit()
    rng, seed = c.make_rng(args.seed)
    total = args.requests or (2000 if args.quick else 20000)
    binary = c.resolve_bin(args.bin)
    print(f"fuzz: seed {seed}, {total} requests ({len(REST_ROUTES)} REST routes, {len(RPC)} server functions, "
          f"{len(UPLOADS)} upload routes), binary {binary}")
    print(f"  reproduce with: python3 scripts/reliability/fuzz.py --seed {seed} --requests {total}")

    wd = c.Workdir(PART, args.keep)
    server = c.Server(binary, wd.path)
    failed = True
    try:
        server.start()
        pools = await setup(server, rng)
        f = Findings()
        clients = [c.HttpClient.to(server, timeout=30) for _ in range(WORKERS)]
        sampler = c.HttpClient.to(server, timeout=30)
        t0 = time.monotonic()
        sent = 0
        while sent < total:
            batch = [gen_request(rng, pools) for _ in range(min(SAMPLE_EVERY - 1, total - sent))]
            sent += len(batch)
            queues = [batch[i::WORKERS] for i in range(WORKERS)]

            async def run(cl, reqs):
                for rq in reqs:
                    await send(cl, rq, f)

            await asyncio.gather(*(run(clients[i], queues[i]) for i in range(WORKERS)))
            if sent >= total:
                break
            # the sampled request, alone
            rq = gen_request(rng, pools)
            sent += 1
            before = snapshot(server.db_path)
            r = await send(sampler, rq, f)
            f.checked += 1
            if r is not None and 400 <= r.status < 500:
                f.checked_4xx += 1
                after = snapshot(server.db_path)
                d = diff(before, after)
                if d:
                    f.changed.append((rq, r, d))
            if sent % 2000 < SAMPLE_EVERY:
                print(f"  {sent} requests, {f.status.get(500, 0)} x 500, {len(f.dropped)} dropped, "
                      f"{len(f.changed)} changed by rejected requests")
                sys.stdout.flush()
        elapsed = time.monotonic() - t0
        for cl in clients + [sampler]:
            await cl.close()
        alive = server.alive()
        health_ok = False
        if alive:
            try:
                hc = c.HttpClient.to(server, timeout=10)
                health_ok = (await hc.get("/api/stats")).ok
                await hc.close()
            except c.ConnError:
                pass
        server.stop()
        bad_log = server.bad_log_counts()
        panics = server.log_count("panicked")

        hostport = f"{server.host}:{server.port}"
        c.print_table(f"Answers ({sent} requests in {elapsed:.1f} s)", ["status", "count"],
                      [[s, n] for s, n in sorted(f.status.items())])
        c.print_table("By target", ["target", "2xx", "3xx", "4xx", "5xx"],
                      [[k, f.by_kind[(k, 2)], f.by_kind[(k, 3)], f.by_kind[(k, 4)], f.by_kind[(k, 5)]]
                       for k in ("rest", "rpc", "upload")])
        if f.e5xx_routes:
            c.print_table("Answers >= 500 by route", ["route", "status", "count"],
                          [[r, s, n] for (r, s), n in f.e5xx_routes.most_common(20)])
        if f.dropped_routes:
            c.print_table("Dropped connections by route", ["route", "count"],
                          [[r, n] for r, n in f.dropped_routes.most_common(20)])
        if f.silent_closes:
            c.print_table("Keep-alive connections the server closed after answering, without `Connection: close` "
                          "(the next request was sent again on a new connection)",
                          ["previous request on the connection", "its answer", "count"],
                          [[r, s, n] for (r, s), n in f.silent_closes.most_common(15)])
            for rq, st in f.silent_examples[:2]:
                print(f"\n  example (answered {st}, then the connection was closed):\n"
                      + "\n".join("    " + ln for ln in rq.describe(hostport, limit=600).splitlines()))
        c.print_table("Summary", ["figure", "value"], [
            ["requests", sent], ["answers >= 500", len(f.e5xx)], ["dropped connections", len(f.dropped)],
            ["dropped, body over the limit (allowed)", f.dropped_oversize],
            ["sampled (run alone)", f.checked], ["sampled and rejected (4xx), db compared", f.checked_4xx],
            ["rejected requests that changed the db", len(f.changed)],
            ["keep-alive closed silently after an answer", sum(f.silent_closes.values())],
            ["p50 ms", c.ms(c.percentile(f.lat, 50))], ["p99 ms", c.ms(c.percentile(f.lat, 99))],
            ["log: panics", panics], ["log: 'database is locked'", bad_log["database is locked"]],
            ["log: 'transaction depth'", bad_log["transaction depth"]]])

        first = None
        if f.e5xx:
            req, r = f.e5xx[0]
            first = ("answer >= 500", req, f"{r.status} {r.text[:1000]}")
        elif f.dropped:
            req, e = f.dropped[0]
            first = ("dropped connection", req, e)
        elif f.changed:
            req, r, d = f.changed[0]
            first = ("rejected request changed the database", req, f"{r.status} {r.text[:500]}\nchanges: {d[:10]}")
        if first:
            what, req, answer = first
            saved = os.path.join(wd.path, "first-failing-request.bin")
            with open(saved, "wb") as fh:
                fh.write(req.raw(hostport))
            print(f"\nFIRST FAILING REQUEST ({what}; seed {seed}; raw bytes saved to {saved}):")
            print(req.describe(hostport, limit=None if len(req.raw(hostport)) <= 65536 else 8192))
            print(f"ANSWER: {answer}")
            # one example per distinct failing route
            seen = {req.route}
            for rq, r in f.e5xx[1:]:
                if rq.route not in seen and len(seen) < 8:
                    seen.add(rq.route)
                    print(f"\nanother >= 500: {rq.describe(hostport, limit=1500)}\nANSWER: {r.status} {r.text[:300]}")
            for rq, e in f.dropped:
                if rq.route not in seen and len(seen) < 12:
                    seen.add(rq.route)
                    print(f"\nanother dropped: {rq.describe(hostport, limit=1500)}\nERROR: {e}")
            for rq, r, d in f.changed[1:4]:
                print(f"\nanother change by a rejected request: {rq.describe(hostport, limit=1500)}\n"
                      f"ANSWER: {r.status} {r.text[:300]}\nCHANGES: {d[:6]}")

        checks = [
            ("0 responses >= 500", not f.e5xx, str(len(f.e5xx))),
            ("0 dropped connections (bodies over the limit excepted)", not f.dropped, str(len(f.dropped))),
            ("rejected requests changed nothing", not f.changed, f"{len(f.changed)} of {f.checked_4xx} compared"),
            ("server alive and answering at the end", alive and health_ok, ""),
            ("no panic in the log", panics == 0, str(panics)),
        ]
        figures = {
            "seed": seed,
            "requests": sent,
            "seconds": round(elapsed, 1),
            "status": {str(k): v for k, v in sorted(f.status.items())},
            "e5xx": len(f.e5xx),
            "e5xx_routes": {f"{r} -> {s}": n for (r, s), n in f.e5xx_routes.most_common(20)},
            "dropped": len(f.dropped),
            "dropped_routes": dict(f.dropped_routes.most_common(20)),
            "dropped_oversize": f.dropped_oversize,
            "silent_keepalive_closes": sum(f.silent_closes.values()),
            "silent_keepalive_closes_after": {f"{r} -> {s}": n for (r, s), n in f.silent_closes.most_common(10)},
            "sampled": f.checked,
            "sampled_4xx": f.checked_4xx,
            "changed_by_rejected": len(f.changed),
            "p50_ms": c.lat_summary(f.lat)["p50_ms"],
            "p99_ms": c.lat_summary(f.lat)["p99_ms"],
            "log_panics": panics,
        }
        code = c.finish(PART, checks, figures)
        failed = code != 0
        return code
    finally:
        server.stop()
        wd.cleanup(failed)


if __name__ == "__main__":
    c.run_main(PART, main)
