-- The whole data model of the product (spec: PRIVATE_EDITION.md, "DATABASE SCHEMA DEEP DIVE").
-- Timestamps are RFC 3339 UTC text ("2026-01-30T10:00:00Z"); they sort lexicographically.
-- Enum columns carry CHECK constraints; projects are soft-deleted (deleted_at).

CREATE TABLE projects (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    name               TEXT    NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 120),
    description        TEXT             CHECK (description IS NULL OR length(description) <= 10000),
    status             TEXT    NOT NULL DEFAULT 'active'
                               CHECK (status IN ('active', 'paused', 'completed', 'archived')),
    total_credits_used INTEGER NOT NULL DEFAULT 0 CHECK (total_credits_used >= 0),
    total_sessions     INTEGER NOT NULL DEFAULT 0 CHECK (total_sessions >= 0),
    created_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    deleted_at         TEXT
);
CREATE INDEX idx_projects_status  ON projects(status);
CREATE INDEX idx_projects_updated ON projects(updated_at DESC);
CREATE INDEX idx_projects_deleted ON projects(deleted_at);

CREATE TABLE accounts (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    account_name         TEXT    NOT NULL UNIQUE CHECK (length(trim(account_name)) >= 1),
    account_email        TEXT,
    platform             TEXT    NOT NULL DEFAULT 'genspark'
                                 CHECK (platform IN ('genspark', 'claude', 'chatgpt', 'gemini', 'local', 'other')),
    credits_available    INTEGER NOT NULL DEFAULT 100 CHECK (credits_available >= 0),
    credits_refresh_date TEXT,
    status               TEXT    NOT NULL DEFAULT 'available'
                                 CHECK (status IN ('available', 'active', 'exhausted', 'blocked')),
    specialization       TEXT,
    notes                TEXT,
    created_at           TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at           TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX idx_accounts_status   ON accounts(status);
CREATE INDEX idx_accounts_platform ON accounts(platform);
CREATE INDEX idx_accounts_credits  ON accounts(credits_available);

CREATE TABLE sessions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id       INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    account_id       INTEGER NOT NULL REFERENCES accounts(id) ON DELETE RESTRICT,
    session_number   INTEGER NOT NULL CHECK (session_number >= 1),
    session_type     TEXT    NOT NULL DEFAULT 'development'
                             CHECK (session_type IN ('development', 'bugfix', 'feature', 'refactor', 'deployment')),
    credits_used     INTEGER NOT NULL DEFAULT 0 CHECK (credits_used >= 0),
    duration_minutes INTEGER CHECK (duration_minutes IS NULL OR duration_minutes >= 0),
    objectives       TEXT,
    accomplishments  TEXT,
    blockers         TEXT,
    handoff_notes    TEXT,
    checkpoint_data  TEXT,
    status           TEXT    NOT NULL DEFAULT 'in_progress'
                             CHECK (status IN ('in_progress', 'completed', 'failed', 'handed_off')),
    started_at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    completed_at     TEXT,
    UNIQUE (project_id, session_number)
);
CREATE INDEX idx_sessions_project ON sessions(project_id);
CREATE INDEX idx_sessions_account ON sessions(account_id);
CREATE INDEX idx_sessions_status  ON sessions(status);
CREATE INDEX idx_sessions_started ON sessions(started_at DESC);

CREATE TABLE context_snapshots (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id         INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    snapshot_type      TEXT    NOT NULL DEFAULT 'handoff'
                               CHECK (snapshot_type IN ('handoff', 'checkpoint', 'backup')),
    compressed_context TEXT    NOT NULL,
    context_summary    TEXT,
    file_count         INTEGER NOT NULL DEFAULT 0 CHECK (file_count >= 0),
    code_lines         INTEGER NOT NULL DEFAULT 0 CHECK (code_lines >= 0),
    git_commit_hash    TEXT,
    created_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX idx_context_session ON context_snapshots(session_id);
CREATE INDEX idx_context_type    ON context_snapshots(snapshot_type);

CREATE TABLE conversation_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    turn_number INTEGER NOT NULL CHECK (turn_number >= 1),
    role        TEXT    CHECK (role IS NULL OR role IN ('user', 'assistant', 'system')),
    content     TEXT    NOT NULL,
    tokens_used INTEGER CHECK (tokens_used IS NULL OR tokens_used >= 0),
    timestamp   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (session_id, turn_number)
);

CREATE TABLE project_files (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id    INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    file_path     TEXT    NOT NULL CHECK (length(file_path) >= 1),
    file_type     TEXT,
    last_modified TEXT,
    size_bytes    INTEGER CHECK (size_bytes IS NULL OR size_bytes >= 0),
    git_status    TEXT,
    importance    TEXT    NOT NULL DEFAULT 'normal'
                          CHECK (importance IN ('critical', 'high', 'normal', 'low')),
    notes         TEXT,
    UNIQUE (project_id, file_path)
);

-- A handoff belongs to a project; the session it continues is optional (a project may be
-- handed off before its first session is recorded).
CREATE TABLE handoff_queue (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id      INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    session_id      INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
    from_account_id INTEGER NOT NULL REFERENCES accounts(id),
    to_account_id   INTEGER REFERENCES accounts(id),
    priority        INTEGER NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 10),
    handoff_context TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
    created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    processed_at    TEXT
);
CREATE INDEX idx_handoff_project      ON handoff_queue(project_id);
CREATE INDEX idx_handoff_session      ON handoff_queue(session_id);
CREATE INDEX idx_handoff_from_account ON handoff_queue(from_account_id);
CREATE INDEX idx_handoff_to_account   ON handoff_queue(to_account_id);
CREATE INDEX idx_handoff_status       ON handoff_queue(status, priority DESC);

CREATE TABLE knowledge_base (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    category          TEXT    NOT NULL
                              CHECK (category IN ('pattern', 'error_solution', 'optimization', 'best_practice', 'tip')),
    title             TEXT    NOT NULL CHECK (length(trim(title)) >= 1),
    description       TEXT    NOT NULL,
    tags              TEXT,
    usage_count       INTEGER NOT NULL DEFAULT 0 CHECK (usage_count >= 0),
    success_rate      REAL    NOT NULL DEFAULT 1.0 CHECK (success_rate BETWEEN 0.0 AND 1.0),
    source_session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
    created_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX idx_conversation_session ON conversation_history(session_id);
CREATE INDEX idx_project_files_project ON project_files(project_id);
CREATE INDEX idx_knowledge_category   ON knowledge_base(category);
CREATE INDEX idx_knowledge_usage      ON knowledge_base(usage_count DESC);
CREATE INDEX idx_knowledge_session    ON knowledge_base(source_session_id);
