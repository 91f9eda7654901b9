#!/usr/bin/env python3
"""Seeds a PAAS server with demo data through its REST API (as any script would):
34 accounts on 6 platforms (a third out of credits, refilling at different times), three
projects, finished sessions, a running session low on credits, and one session with a
long imported log. Usage: demo-data.py BASE_URL TOKEN. Prints the ids worth a look."""
import json
import sys
import urllib.request

base, token = sys.argv[1], sys.argv[2]


def call(method, path, body=None):
    req = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"{}")


platforms = ["claude", "chatgpt", "gemini", "genspark", "local", "other"]
names = ["Claude-Pro", "ChatGPT-Plus", "Gemini-Advanced", "GenSpark-Team", "vLLM-Deepseek", "Poe-Sub"]
specs = ["code", "writing", "research"]
accounts = []
for i in range(34):
    p = i % 6
    out = i % 3 == 0 and i > 0
    a = call("POST", "/api/accounts", {
        "account_name": f"{names[p]}-{i // 6 + 1}",
        "platform": platforms[p],
        "specialization": specs[i % 3],
        "credits_available": 0 if out else 120 + (i * 37) % 800,
        "credit_capacity": 1000,
        "reset": {"rule": "rolling", "hours": 5 + i % 19} if out else {"rule": "none"},
    })
    accounts.append(a["id"])

projects = [
    call("POST", "/api/projects", {"name": n, "description": d})["id"]
    for n, d in [
        ("Invoice parser", "Reads supplier PDFs into the ledger"),
        ("Mobile checkout", "The new payment flow for the app"),
        ("Docs site", "Guides and API reference"),
    ]
]

objectives = [
    "Parse line items from scanned PDFs",
    "Handle multi-currency totals",
    "Retry failed uploads with backoff",
    "Write the onboarding guide",
    "Wire the card form to the payment API",
]
for n, obj in enumerate(objectives):
    s = call("POST", "/api/sessions", {
        "project_id": projects[n % 3], "account_id": accounts[1 + n * 2], "objectives": obj,
        "session_type": "feature",
    })
    call("POST", f"/api/sessions/{s['id']}/complete", {
        "credits_used": 40 + n * 13,
        "accomplishments": f"{obj}: done, with tests",
        "blockers": "Waiting for the sample files" if n % 2 else None,
    })

# a session with a long log: questions, answers with code, shell output
turns = []
for n in range(1, 161):
    turns.append(f"User: step {n}: the totals are off by one cent for invoice {1000 + n}; check `round_half_even`?")
    turns.append(
        "Assistant: Found it — the sum rounds each line first.\n\n"
        "```rust\nlet total: Decimal = lines.iter().map(|l| l.amount).sum();\n"
        "let total = total.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);\n```\n\n"
        f"Ran `cargo test totals`: {40 + n} passed."
    )
long = call("POST", "/api/sessions", {
    "project_id": projects[0], "account_id": accounts[2], "objectives": "Fix rounding in invoice totals",
    "session_type": "bugfix",
})
call("POST", f"/api/sessions/{long['id']}/import", {"format": "plain", "text": "\n\n".join(turns)})
call("PATCH", f"/api/sessions/{long['id']}", {
    "credits_used": 90,
    "accomplishments": "Totals now sum before rounding; 200 tests pass",
    "blockers": "Credit notes still round per line",
})

# a running session whose account is nearly out
low = call("POST", "/api/accounts", {
    "account_name": "Claude-Max-Work", "platform": "claude", "specialization": "code",
    "credits_available": 60, "credit_capacity": 1000,
})
running = call("POST", "/api/sessions", {
    "project_id": projects[1], "account_id": low["id"], "objectives": "Wire the card form to the payment API",
    "session_type": "feature",
})
call("PATCH", f"/api/sessions/{running['id']}", {
    "credits_used": 52,
    "accomplishments": "Card form validates number, expiry and CVC",
    "blockers": "3-D Secure redirect not handled yet",
})

call("POST", "/api/knowledge", {
    "title": "Sum before rounding money", "category": "error_solution",
    "description": "Round the **total**, not each line: per-line rounding drifts by cents.",
})
print(json.dumps({"projects": projects, "long_session": long["id"], "running_session": running["id"]}))
