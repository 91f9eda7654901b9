-- Capture reads Gemini CLI, aider and SpecStory logs too; a source remembers the vendor's
-- own rate-limit windows a tool last reported (Codex) and its last error. SQLite cannot
-- change a CHECK, so both capture tables are rebuilt (files first, so that dropping the
-- old sources table cascades to nothing).

CREATE TABLE capture_sources_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tool            TEXT    NOT NULL CHECK (tool IN ('claude_code', 'codex', 'gemini', 'aider', 'specstory')),
    dir             TEXT    NOT NULL,
    account_id      INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    ignored         INTEGER NOT NULL DEFAULT 0 CHECK (ignored IN (0, 1)),
    last_capture_at TEXT,
    -- JSON: the latest windows the tool reported ({"primary":…,"secondary":…})
    rate_limits     TEXT,
    UNIQUE (tool, dir)
);
INSERT INTO capture_sources_new (id, tool, dir, account_id, ignored, last_capture_at)
    SELECT id, tool, dir, account_id, ignored, last_capture_at FROM capture_sources;

CREATE TABLE capture_files_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id  INTEGER NOT NULL REFERENCES capture_sources_new(id) ON DELETE CASCADE,
    path       TEXT    NOT NULL UNIQUE,
    size       INTEGER NOT NULL DEFAULT 0 CHECK (size >= 0),
    mtime      INTEGER NOT NULL DEFAULT 0,
    state      TEXT    NOT NULL DEFAULT '',
    error      TEXT,
    updated_at TEXT    NOT NULL
);
INSERT INTO capture_files_new (id, source_id, path, size, mtime, state, error, updated_at)
    SELECT id, source_id, path, size, mtime, state, error, updated_at FROM capture_files;

DROP TABLE capture_files;
DROP TABLE capture_sources;
ALTER TABLE capture_sources_new RENAME TO capture_sources;
ALTER TABLE capture_files_new RENAME TO capture_files;
CREATE INDEX capture_files_source ON capture_files (source_id);
