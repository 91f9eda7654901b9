-- Capture: sessions, turns and token usage read from the logs AI coding tools keep.
-- A tool's config directory maps to an account, a repository root to a project, a tool
-- session to one of our sessions; each file is read from where the last scan stopped; turn
-- and usage keys make a second scan record nothing twice.

CREATE TABLE capture_sources (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tool            TEXT    NOT NULL CHECK (tool IN ('claude_code', 'codex')),
    dir             TEXT    NOT NULL,
    account_id      INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    ignored         INTEGER NOT NULL DEFAULT 0 CHECK (ignored IN (0, 1)),
    last_capture_at TEXT,
    UNIQUE (tool, dir)
);

CREATE TABLE capture_repos (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    root       TEXT    NOT NULL UNIQUE,
    project_id INTEGER REFERENCES projects(id) ON DELETE SET NULL,
    ignored    INTEGER NOT NULL DEFAULT 0 CHECK (ignored IN (0, 1))
);

CREATE TABLE capture_files (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id  INTEGER NOT NULL REFERENCES capture_sources(id) ON DELETE CASCADE,
    path       TEXT    NOT NULL UNIQUE,
    size       INTEGER NOT NULL DEFAULT 0 CHECK (size >= 0),
    mtime      INTEGER NOT NULL DEFAULT 0,
    -- the parser's state (JSON), including the offset after the last complete line
    state      TEXT    NOT NULL DEFAULT '',
    error      TEXT,
    updated_at TEXT    NOT NULL
);

CREATE TABLE capture_sessions (
    tool         TEXT    NOT NULL,
    tool_session TEXT    NOT NULL,
    session_id   INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    PRIMARY KEY (tool, tool_session)
);

CREATE TABLE capture_turns (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    key        TEXT    NOT NULL,
    PRIMARY KEY (session_id, key)
) WITHOUT ROWID;

CREATE TABLE capture_usage (
    key       TEXT    PRIMARY KEY,
    ledger_id INTEGER NOT NULL REFERENCES usage_ledger(id) ON DELETE CASCADE,
    tokens    INTEGER NOT NULL CHECK (tokens >= 0)
) WITHOUT ROWID;

-- the cache part of a call's input, and whether the price table knew its model
ALTER TABLE usage_ledger ADD COLUMN cache_read_tokens  INTEGER NOT NULL DEFAULT 0 CHECK (cache_read_tokens >= 0);
ALTER TABLE usage_ledger ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0 CHECK (cache_write_tokens >= 0);
ALTER TABLE usage_ledger ADD COLUMN priced INTEGER NOT NULL DEFAULT 1 CHECK (priced IN (0, 1));
