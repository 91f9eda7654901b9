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
    created_at    TEXT    NOT NULL,
    -- the session's project, copied on insert (a session never changes project) so that
    -- per-project sums read the ledger alone
    project_id    INTEGER REFERENCES projects(id) ON DELETE CASCADE
);
CREATE INDEX idx_ledger_session ON usage_ledger(session_id);
-- covers the period sums: a period's rows are read from the index alone
CREATE INDEX idx_ledger_created ON usage_ledger(created_at, project_id, session_id, input_tokens,
    output_tokens, cost_micros, latency_ms);
CREATE INDEX idx_ledger_project ON usage_ledger(project_id, created_at, session_id, input_tokens,
    output_tokens, cost_micros, latency_ms);
CREATE TRIGGER usage_ledger_project AFTER INSERT ON usage_ledger BEGIN
    UPDATE usage_ledger SET project_id = (SELECT project_id FROM sessions WHERE id = NEW.session_id)
    WHERE id = NEW.id;
END;

-- What a session accomplished, counted: the non-blank lines of `accomplishments`
-- (the lines of the trimmed text less its empty lines; each "\n\n" is marked twice over
-- so that runs of empty lines all count). Kept by triggers for cost per accomplishment.
ALTER TABLE sessions ADD COLUMN accomplishment_count INTEGER NOT NULL DEFAULT 0;
CREATE VIEW session_accomplishments AS
SELECT id,
       CASE WHEN t = '' THEN 0 ELSE
           length(t) - length(replace(t, char(10), '')) + 1
           - (length(m) - length(replace(m, char(1), '')))
       END AS n
FROM (SELECT id, t,
             replace(replace(t, char(10) || char(10), char(10) || char(1) || char(10)),
                     char(10) || char(10), char(10) || char(1) || char(10)) AS m
      FROM (SELECT id, trim(replace(COALESCE(accomplishments, ''), char(13), ''), char(9, 10, 32)) AS t
            FROM sessions));
CREATE TRIGGER sessions_accomplishments_insert AFTER INSERT ON sessions
WHEN NEW.accomplishments IS NOT NULL BEGIN
    UPDATE sessions SET accomplishment_count = (SELECT n FROM session_accomplishments WHERE id = NEW.id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER sessions_accomplishments_update AFTER UPDATE OF accomplishments ON sessions BEGIN
    UPDATE sessions SET accomplishment_count = (SELECT n FROM session_accomplishments WHERE id = NEW.id)
    WHERE id = NEW.id;
END;
-- ledger costs per accomplishment: a session's project and count from the index alone
CREATE INDEX idx_sessions_accomplishments ON sessions(id, project_id, accomplishment_count);

-- analytics over a period: per project, per account, per day
CREATE INDEX idx_sessions_started_cover ON sessions(started_at, project_id, account_id, status, credits_used);
CREATE INDEX idx_sessions_project_started ON sessions(project_id, started_at);
CREATE INDEX idx_sessions_account_started ON sessions(account_id, started_at);
CREATE INDEX idx_handoff_created ON handoff_queue(created_at, project_id);
