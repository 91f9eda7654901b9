-- Credit analytics: the usage ledger (one row per AI call or turn, after the product plan's
-- `ai_api_calls`), and the indexes the analytics queries read.

CREATE TABLE usage_ledger (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id    INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    provider      TEXT    NOT NULL CHECK (length(trim(provider)) BETWEEN 1 AND 64),
    model         TEXT    NOT NULL CHECK (length(trim(model)) BETWEEN 1 AND 128),
    input_tokens  INTEGER NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
    output_tokens INTEGER NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
    -- millionths of a US dollar: exact sums
    cost_micros   INTEGER NOT NULL DEFAULT 0 CHECK (cost_micros >= 0),
    latency_ms    INTEGER CHECK (latency_ms IS NULL OR latency_ms >= 0),
    source        TEXT    NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'import')),
    created_at    TEXT    NOT NULL
);
CREATE INDEX idx_ledger_session ON usage_ledger(session_id);
-- covers the period sums: a period's rows are read from the index alone
CREATE INDEX idx_ledger_created ON usage_ledger(created_at, session_id, input_tokens, output_tokens,
    cost_micros, latency_ms);

-- analytics over a period: per project, per account, per day
CREATE INDEX idx_sessions_started_cover ON sessions(started_at, project_id, account_id, status, credits_used);
-- credits per day per project: read in (day, project) order, no sorting
CREATE INDEX idx_sessions_day ON sessions(substr(started_at, 1, 10), project_id, credits_used);
CREATE INDEX idx_sessions_project_started ON sessions(project_id, started_at);
CREATE INDEX idx_sessions_account_started ON sessions(account_id, started_at);
CREATE INDEX idx_handoff_created ON handoff_queue(created_at, project_id);
