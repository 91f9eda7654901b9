"""Shared pieces of the reliability harness (standard library only).

* ``Server``: starts ``<bin> serve --addr 127.0.0.1:<free port> --database-url <db>`` from
  the repository root, waits until it answers, stops or ``kill -9``s it, reads its log.
* ``HttpClient``: a tiny HTTP/1.1 client over asyncio streams, one keep-alive connection
  per client, so a test controls exactly when a connection is opened and closed.
* ``percentile``, ``print_table``, ``finish``: figures as a readable table plus one final
  JSON line; the exit status says whether the pass criteria held.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# The same LEPTOS_* values as scripts/env.sh (the server reads its Leptos configuration
# from the environment).
LEPTOS_ENV = {
    "LEPTOS_OUTPUT_NAME": "paas",
    "LEPTOS_SITE_ROOT": "target/site",
    "LEPTOS_SITE_PKG_DIR": "pkg",
    "LEPTOS_HASH_FILES": "false",
}

# Log lines that mean the storage layer lost track of a transaction or a writer waited
# for SQLite's lock (the single-writer design should make both impossible).
BAD_LOG_NEEDLES = ("transaction depth", "database is locked")

# Every request signs in the way a script does: with an API token made by the command line
# (`paas user add`, `paas token create`) for the database under test. Set by
# ``Server.start``; ``build_request`` sends it unless a request carries its own.
TOKEN: str | None = None
PASSWORD = "reliability harness passphrase"
# The harness sends thousands of requests a second with one token; the server's default
# per-token budget is for people's scripts.
TOKEN_RATE_ARGS = ("--token-rate-per-minute", "100000000")

EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_ERROR = 2


# ---------------------------------------------------------------- process limits


def strip_ansi(line: str) -> str:
    """A log line without its colour codes."""
    out, i = [], 0
    while i < len(line):
        if line[i] == "\x1b" and i + 1 < len(line) and line[i + 1] == "[":
            j = i + 2
            while j < len(line) and not line[j].isalpha():
                j += 1
            i = j + 1
            continue
        out.append(line[i])
        i += 1
    return "".join(out)


def raise_fd_limit(wanted: int = 4096) -> int:
    """``ulimit -n wanted`` (as far as the hard limit allows); returns the soft limit."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        if soft < target:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        return soft
    except (ImportError, ValueError, OSError):
        return -1


# ---------------------------------------------------------------- arguments


def base_parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--bin",
        default="target/debug/paas",
        help="the server binary (relative paths are from the repository root)",
    )
    p.add_argument("--quick", action="store_true", help="the short run used by `make test`")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    return p


def resolve_bin(path: str) -> str:
    p = path if os.path.isabs(path) else os.path.join(REPO_ROOT, path)
    if not os.path.isfile(p) or not os.access(p, os.X_OK):
        raise SystemExit(f"error: no server binary at {p} (build it, or pass --bin)")
    return p


def make_rng(seed: int | None) -> tuple[random.Random, int]:
    if seed is None:
        seed = int.from_bytes(os.urandom(4), "big")
    return random.Random(seed), seed


# ---------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerError(RuntimeError):
    pass


class Server:
    """One server process on a database in ``workdir``.

    The log (stdout and stderr) is appended to ``workdir/<log_name>``, so a server
    restarted on the same database (crash trials) keeps one log.
    """

    def __init__(
        self,
        binary: str,
        workdir: str,
        db_name: str = "paas.db",
        extra_args: tuple[str, ...] = (),
        log_name: str = "server.log",
        env: dict | None = None,
    ):
        self.binary = binary
        self.workdir = workdir
        self.db_path = os.path.join(workdir, db_name)
        self.extra_args = tuple(extra_args)
        self.log_path = os.path.join(workdir, log_name)
        self.env = env or {}
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.health_paths: dict[str, bool] = {}
        self._log_offset = 0

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def ensure_token(self) -> str:
        """A write token of a member user of this database, made once by the command line."""
        global TOKEN
        token_file = self.db_path + ".token"
        if os.path.exists(token_file):
            with open(token_file) as f:
                TOKEN = f.read().strip()
            return TOKEN
        env = dict(os.environ)
        for k, v in LEPTOS_ENV.items():
            env.setdefault(k, v)
        db = ["--database-url", self.db_path]
        subprocess.run(
            [self.binary, "user", "add", "--email", "harness@example.com", "--name", "Harness",
             "--role", "member", "--password-stdin", *db],
            input=PASSWORD + "\n", text=True, check=True, cwd=REPO_ROOT, env=env,
            stdout=subprocess.DEVNULL,
        )
        out = subprocess.run(
            [self.binary, "token", "create", "--email", "harness@example.com", "--name",
             "harness", "--scope", "write", *db],
            text=True, check=True, capture_output=True, cwd=REPO_ROOT, env=env,
        )
        TOKEN = out.stdout.strip()
        with open(token_file, "w") as f:
            f.write(TOKEN)
        return TOKEN

    def start(self, ready_timeout: float = 120.0) -> "Server":
        self.ensure_token()
        self.port = free_port()
        env = dict(os.environ)
        for k, v in LEPTOS_ENV.items():
            env.setdefault(k, v)
        env.update(self.env)
        log = open(self.log_path, "ab")
        self._log_offset = log.tell()
        args = [
            self.binary,
            "serve",
            "--addr",
            f"127.0.0.1:{self.port}",
            "--database-url",
            self.db_path,
            *TOKEN_RATE_ARGS,
            *self.extra_args,
        ]
        self.proc = subprocess.Popen(
            args,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        log.close()
        self.wait_ready(ready_timeout)
        return self

    def _get(self, path: str, timeout: float = 2.0) -> int:
        c = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            c.request("GET", path, headers={"Authorization": f"Bearer {TOKEN}"} if TOKEN else {})
            r = c.getresponse()
            r.read()
            return r.status
        finally:
            c.close()

    def wait_ready(self, timeout: float) -> None:
        """Ready: ``/readyz`` and ``/healthz`` answer 200 where they exist (a 404 means the
        build has none), and ``/api/stats`` answers 200."""
        deadline = time.monotonic() + timeout
        probes = ["/readyz", "/healthz"]
        self.health_paths = {}
        while True:
            if self.proc is None or self.proc.poll() is not None:
                raise ServerError(
                    f"server exited with {self.proc.returncode if self.proc else '?'} before "
                    f"answering; log tail:\n{self.log_tail()}"
                )
            try:
                pending = False
                for p in list(probes):
                    st = self._get(p)
                    if st == 404:
                        probes.remove(p)
                        self.health_paths[p] = False
                    elif st == 200:
                        probes.remove(p)
                        self.health_paths[p] = True
                    else:
                        pending = True
                if not pending and self._get("/api/stats") == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            if time.monotonic() > deadline:
                raise ServerError(f"server not ready after {timeout:.0f} s; log tail:\n{self.log_tail()}")
            time.sleep(0.03)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill9(self) -> None:
        if self.alive():
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc is not None:
            self.proc.wait()

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, then SIGKILL after ``timeout``; returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
        return self.proc.returncode

    def log_text(self, since_start: bool = False) -> str:
        try:
            with open(self.log_path, "rb") as f:
                if since_start:
                    f.seek(self._log_offset)
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, n: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-n:])

    def log_count(self, needle: str) -> int:
        return self.log_text().lower().count(needle.lower())

    def bad_log_counts(self) -> dict[str, int]:
        return {n: self.log_count(n) for n in BAD_LOG_NEEDLES}


class Workdir:
    """A temporary directory, removed at the end unless kept (or the run failed)."""

    def __init__(self, prefix: str, keep: bool = False):
        self.path = tempfile.mkdtemp(prefix=f"paas-rel-{prefix}-")
        self.keep = keep

    def cleanup(self, failed: bool) -> None:
        if self.keep or failed:
            print(f"(kept {self.path})")
            return
        shutil.rmtree(self.path, ignore_errors=True)


# ---------------------------------------------------------------- HTTP client


class ConnError(Exception):
    """The connection failed. ``got_response_bytes`` says whether any answer had begun."""

    def __init__(self, kind: str, detail: str = "", got_response_bytes: bool = False):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.got_response_bytes = got_response_bytes


class Response:
    __slots__ = ("status", "reason", "headers", "body", "latency", "_json")

    def __init__(self, status: int, reason: str, headers: dict, body: bytes, latency: float):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.latency = latency
        self._json = None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        if self._json is None:
            try:
                self._json = json.loads(self.body)
            except ValueError:
                self._json = {}
        return self._json

    @property
    def data(self):
        j = self.json()
        return j.get("data") if isinstance(j, dict) else None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def has_lock_error(self) -> bool:
        return b"database is locked" in self.body.lower()

    def __repr__(self) -> str:
        return f"<{self.status} {self.text[:200]!r}>"


def build_request(
    method: str,
    path: str,
    host: str,
    body: bytes | None = None,
    content_type: str | None = "application/json",
    headers: dict | None = None,
    keep_alive: bool = True,
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    h = dict(headers or {})
    if TOKEN and not any(k.lower() in ("authorization", "cookie") for k in h):
        h["Authorization"] = f"Bearer {TOKEN}"
    if body is not None:
        if content_type is not None and not any(k.lower() == "content-type" for k in h):
            h["Content-Type"] = content_type
        if not any(k.lower() in ("content-length", "transfer-encoding") for k in h):
            h["Content-Length"] = str(len(body))
    if not keep_alive:
        h.setdefault("Connection", "close")
    for k, v in h.items():
        lines.append(f"{k}: {v}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape")
    return head + (body or b"")


def encode_json(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogatepass")


async def read_response(
    reader: asyncio.StreamReader, method: str = "GET", state: dict | None = None
) -> tuple[int, str, dict, bytes, bool]:
    """Reads one response; returns status, reason, headers, body and whether the server
    will close the connection. ``state["head"]`` is set once a head was read."""
    while True:
        head = await reader.readuntil(b"\r\n\r\n")
        if state is not None:
            state["head"] = True
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise ConnError("bad-status-line", lines[0][:100], True)
        status = int(parts[1])
        reason = parts[2] if len(parts) > 2 else ""
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            k, _, v = line.partition(":")
            k = k.strip().lower()
            headers[k] = (headers[k] + ", " + v.strip()) if k in headers else v.strip()
        if 100 <= status < 200 and status != 101:
            continue  # 100 Continue and friends: the real answer follows
        break
    closing = "close" in headers.get("connection", "").lower() or parts[0] == "HTTP/1.0"
    if method == "HEAD" or status in (204, 304):
        return status, reason, headers, b"", closing
    if "chunked" in headers.get("transfer-encoding", "").lower():
        chunks = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                # trailers until the empty line
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass
                break
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        return status, reason, headers, b"".join(chunks), closing
    if "content-length" in headers:
        n = int(headers["content-length"].split(",")[0])
        return status, reason, headers, await reader.readexactly(n), closing
    return status, reason, headers, await reader.read(), True


class HttpClient:
    """One keep-alive connection; reconnects when the server closed it.

    ``request`` raises ``ConnError`` when no complete answer arrived (the connection is
    then closed; the next request opens a new one).
    """

    def __init__(self, host: str, port: int, timeout: float = 60.0):
        self.host = host
        self.port = port
        self.timeout = timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.connects = 0
        self.retries = 0
        self.silent_close = False

    @classmethod
    def to(cls, server: Server, timeout: float = 60.0) -> "HttpClient":
        return cls(server.host, server.port, timeout)

    @property
    def hostport(self) -> str:
        return f"{self.host}:{self.port}"

    async def connect(self) -> None:
        try:
            self.reader, self.writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port, limit=1 << 22), self.timeout
            )
        except (OSError, asyncio.TimeoutError) as e:
            raise ConnError("connect", repr(e)) from None
        self.connects += 1

    async def close(self) -> None:
        w, self.reader, self.writer = self.writer, None, None
        if w is not None:
            w.close()
            try:
                await w.wait_closed()
            except (OSError, asyncio.CancelledError):
                pass

    async def send_raw(
        self, data: bytes, method: str = "GET", timeout: float | None = None, retry_writes: bool = False
    ) -> Response:
        """Sends a request as it is and reads the answer. A GET or HEAD on a reused
        connection that the server had closed meanwhile (nothing came back) is sent once
        more on a new connection, as browsers do; other methods only with
        ``retry_writes``. ``self.silent_close`` tells whether that happened."""
        reused = self.writer is not None
        self.silent_close = False
        try:
            return await self._send_raw(data, method, timeout)
        except ConnError as e:
            if (reused and (retry_writes or method in ("GET", "HEAD")) and not e.got_response_bytes
                    and e.kind in ("eof", "reset")):
                self.retries += 1
                self.silent_close = True
                return await self._send_raw(data, method, timeout)
            raise

    async def _send_raw(self, data: bytes, method: str, timeout: float | None) -> Response:
        if self.writer is None:
            await self.connect()
        assert self.reader is not None and self.writer is not None
        t0 = time.perf_counter()
        got = False
        state: dict = {}
        try:
            self.writer.write(data)
            await self.writer.drain()

            status, reason, headers, body, closing = await asyncio.wait_for(
                read_response(self.reader, method, state), timeout or self.timeout
            )
        except asyncio.TimeoutError:
            got = bool(self.reader is not None and len(self.reader._buffer))  # type: ignore[attr-defined]
            await self.close()
            raise ConnError("timeout", f"no complete answer in {timeout or self.timeout:.0f} s", got) from None
        except asyncio.IncompleteReadError as e:
            # an empty `partial` on the first read: nothing at all came back
            await self.close()
            raise ConnError("eof", f"after {len(e.partial)} bytes", bool(e.partial) or "head" in state) from None
        except (ConnectionError, OSError) as e:
            await self.close()
            raise ConnError("reset", repr(e), "head" in state) from None
        except asyncio.LimitOverrunError as e:
            await self.close()
            raise ConnError("too-long", repr(e), got) from None
        except ConnError:
            await self.close()
            raise
        latency = time.perf_counter() - t0
        if closing:
            await self.close()
        return Response(status, reason, headers, body, latency)

    async def request(
        self,
        method: str,
        path: str,
        body=None,
        content_type: str | None = "application/json",
        headers: dict | None = None,
        timeout: float | None = None,
    ) -> Response:
        """``body``: bytes as they are, str as UTF-8, anything else as JSON."""
        if body is not None and not isinstance(body, (bytes, bytearray)):
            body = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else encode_json(body)
        data = build_request(method, path, self.hostport, body, content_type, headers)
        return await self.send_raw(data, method, timeout)

    async def get(self, path: str, **kw) -> Response:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, body=None, **kw) -> Response:
        return await self.request("POST", path, {} if body is None else body, **kw)

    async def patch(self, path: str, body, **kw) -> Response:
        return await self.request("PATCH", path, body, **kw)


# ---------------------------------------------------------------- API helpers


class SetupError(RuntimeError):
    pass


def expect(resp: Response, what: str, statuses=(200, 201)) -> Response:
    if resp.status not in statuses:
        raise SetupError(f"{what}: expected {statuses}, got {resp.status}: {resp.text[:500]}")
    return resp


def uniq(rng: random.Random, prefix: str) -> str:
    return f"{prefix}-{rng.getrandbits(48):012x}"


async def create_project(c: HttpClient, name: str, description: str = "reliability harness") -> dict:
    r = expect(await c.post("/api/projects", {"name": name, "description": description}), "create project")
    return r.data


async def create_account(c: HttpClient, name: str, credits: int, capacity: int | None = None, **extra) -> dict:
    body = {
        "account_name": name,
        "platform": "claude",
        "credits_available": credits,
        "credit_capacity": capacity if capacity is not None else credits,
        **extra,
    }
    r = expect(await c.post("/api/accounts", body), "create account")
    return r.data


async def start_session(c: HttpClient, project_id: int, account_id: int, objectives: str = "harness") -> Response:
    return await c.post(
        "/api/sessions", {"project_id": project_id, "account_id": account_id, "objectives": objectives}
    )


async def export_bundle(c: HttpClient, project_id: int) -> dict:
    r = expect(await c.post("/api/private/export-project", {"project_id": project_id}), "export project")
    return r.data


async def make_bundle(c: HttpClient, rng: random.Random, account_id: int, sessions: int = 2) -> dict:
    """A small project with completed sessions, exported as a bundle."""
    p = await create_project(c, uniq(rng, "bundle-src"))
    for i in range(sessions):
        s = expect(await start_session(c, p["id"], account_id, f"bundle session {i}"), "start session")
        sid = s.json()["id"]
        expect(
            await c.post(f"/api/sessions/{sid}/complete", {"credits_used": 3, "accomplishments": "done"}),
            "complete session",
        )
    return await export_bundle(c, p["id"])


# ---------------------------------------------------------------- figures


def percentile(values, p: float):
    """Nearest-rank percentile (``p`` in 0–100); None without values."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def ms(v) -> str:
    return "-" if v is None else f"{v * 1000:.1f}"


def lat_summary(values) -> dict:
    return {
        "count": len(values),
        "p50_ms": None if not values else round(percentile(values, 50) * 1000, 2),
        "p99_ms": None if not values else round(percentile(values, 99) * 1000, 2),
        "max_ms": None if not values else round(max(values) * 1000, 2),
        "mean_ms": None if not values else round(statistics.fmean(values) * 1000, 2),
    }


def _numeric(v: str) -> bool:
    try:
        float(v.replace("/", "").replace("%", ""))
        return True
    except ValueError:
        return v == "-"


def print_table(title: str, columns: list[str], rows: list[list]) -> None:
    cells = [[str(c) for c in columns]] + [["-" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    print(f"\n{title}")
    line = "  ".join("-" * w for w in widths)
    for n, r in enumerate(cells):
        print("  ".join(v.rjust(w) if i and _numeric(v) else v.ljust(w)
                        for i, (v, w) in enumerate(zip(r, widths))).rstrip())
        if n == 0:
            print(line)


def print_checks(checks: list[tuple[str, bool, str]]) -> None:
    print_table("Pass criteria", ["criterion", "result", "detail"], [[n, "PASS" if ok else "FAIL", d] for n, ok, d in checks])


def print_notes(notes: list[str]) -> None:
    if notes:
        print("\nNotes")
        for n in notes:
            print(f"  - {n}")


def finish(part: str, checks: list[tuple[str, bool, str]], figures: dict, notes: list[str] | None = None) -> int:
    """Prints the criteria, the notes and the final JSON line; returns the exit status."""
    print_checks(checks)
    print_notes(notes or [])
    passed = all(ok for _, ok, _ in checks)
    out = {
        "part": part,
        "pass": passed,
        "failed": [n for n, ok, _ in checks if not ok],
        **figures,
        "notes": notes or [],
    }
    print(json.dumps(out, sort_keys=False, default=str))
    sys.stdout.flush()
    return EXIT_PASS if passed else EXIT_FAIL


def error_exit(part: str, message: str) -> int:
    print(f"\nerror: {message}", file=sys.stderr)
    print(json.dumps({"part": part, "pass": False, "error": message[:2000]}))
    sys.stdout.flush()
    return EXIT_ERROR


def run_main(part: str, coro_fn) -> None:
    """Runs ``coro_fn()`` (which returns an exit status) and exits with it; a server that
    does not start, or a setup request that fails, is an error (exit 2)."""
    try:
        code = asyncio.run(coro_fn())
    except (ServerError, SetupError) as e:
        code = error_exit(part, str(e))
    except KeyboardInterrupt:
        code = error_exit(part, "interrupted")
    sys.exit(code)


def abrupt_close(writer: asyncio.StreamWriter) -> None:
    """Closes with a TCP reset (SO_LINGER 0) instead of a FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            import struct

            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.close()
