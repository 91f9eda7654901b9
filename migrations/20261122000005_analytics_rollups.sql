-- Credit analytics roll-ups: the analytics queries of a long period across all projects
-- read a few thousand pre-summed rows instead of every session of the period.
--
-- Each session of a live project contributes to:
--   rollup_projects  per day and per month, per project and for all live projects
--                    together (project_id 0): sessions and credits (running ones
--                    included), and the usage its ledger recorded;
--   rollup_credits   per day and per month, per number of credits: finished sessions;
--   rollup_accounts  per day and per month, per account: finished sessions and credits.
-- A period that starts on day D reads the day rows from D to the end of D's month and the
-- month rows after it. Everything is kept by triggers, so the roll-ups always equal the
-- sums over the sessions (tested in storage::analytics): every change of a session, of
-- its usage or of its project's trash state subtracts what the session contributed and
-- adds what it contributes now. Rows are never deleted: a row whose sessions all went
-- holds zeros. (Sessions and ledger rows are never written with REPLACE: the rows it
-- removes fire no delete triggers.)

-- A session's usage, summed from the ledger by triggers (the roll-ups see it as a change
-- of the session).
ALTER TABLE sessions ADD COLUMN usage_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN usage_input_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN usage_output_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN usage_cost_micros INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN usage_latency_sum_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN usage_latency_count INTEGER NOT NULL DEFAULT 0;

UPDATE sessions SET
    usage_calls = u.calls,
    usage_input_tokens = u.input_tokens,
    usage_output_tokens = u.output_tokens,
    usage_cost_micros = u.cost_micros,
    usage_latency_sum_ms = u.latency_sum_ms,
    usage_latency_count = u.latency_count
FROM (SELECT session_id, COUNT(*) AS calls, SUM(input_tokens) AS input_tokens,
             SUM(output_tokens) AS output_tokens, SUM(cost_micros) AS cost_micros,
             COALESCE(SUM(latency_ms), 0) AS latency_sum_ms, COUNT(latency_ms) AS latency_count
      FROM usage_ledger GROUP BY session_id) u
WHERE u.session_id = sessions.id;

-- Adds to a session's usage sums (negative values take away).
CREATE VIEW session_usage_change AS
SELECT 0 AS session_id, 0 AS calls, 0 AS input_tokens, 0 AS output_tokens, 0 AS cost_micros,
       0 AS latency_sum_ms, 0 AS latency_count
WHERE 0;
CREATE TRIGGER session_usage_change_apply INSTEAD OF INSERT ON session_usage_change BEGIN
    UPDATE sessions SET
        usage_calls = usage_calls + NEW.calls,
        usage_input_tokens = usage_input_tokens + NEW.input_tokens,
        usage_output_tokens = usage_output_tokens + NEW.output_tokens,
        usage_cost_micros = usage_cost_micros + NEW.cost_micros,
        usage_latency_sum_ms = usage_latency_sum_ms + NEW.latency_sum_ms,
        usage_latency_count = usage_latency_count + NEW.latency_count
    WHERE id = NEW.session_id;
END;

CREATE TRIGGER usage_ledger_sum_insert AFTER INSERT ON usage_ledger BEGIN
    INSERT INTO session_usage_change VALUES (NEW.session_id, 1, NEW.input_tokens,
        NEW.output_tokens, NEW.cost_micros, COALESCE(NEW.latency_ms, 0),
        NEW.latency_ms IS NOT NULL);
END;
CREATE TRIGGER usage_ledger_sum_delete AFTER DELETE ON usage_ledger BEGIN
    INSERT INTO session_usage_change VALUES (OLD.session_id, -1, -OLD.input_tokens,
        -OLD.output_tokens, -OLD.cost_micros, -COALESCE(OLD.latency_ms, 0),
        -(OLD.latency_ms IS NOT NULL));
END;
CREATE TRIGGER usage_ledger_sum_update
AFTER UPDATE OF session_id, input_tokens, output_tokens, cost_micros, latency_ms ON usage_ledger BEGIN
    INSERT INTO session_usage_change VALUES (OLD.session_id, -1, -OLD.input_tokens,
        -OLD.output_tokens, -OLD.cost_micros, -COALESCE(OLD.latency_ms, 0),
        -(OLD.latency_ms IS NOT NULL));
    INSERT INTO session_usage_change VALUES (NEW.session_id, 1, NEW.input_tokens,
        NEW.output_tokens, NEW.cost_micros, COALESCE(NEW.latency_ms, 0),
        NEW.latency_ms IS NOT NULL);
END;

CREATE TABLE rollup_projects (
    span           TEXT    NOT NULL CHECK (span IN ('day', 'month')),
    -- 'YYYY-MM-DD' for a day, 'YYYY-MM' for a month (UTC, of the session's start)
    period         TEXT    NOT NULL,
    -- 0: all live projects together
    project_id     INTEGER NOT NULL,
    sessions       INTEGER NOT NULL DEFAULT 0,
    credits        INTEGER NOT NULL DEFAULT 0,
    -- the sessions that recorded usage, what they accomplished, and their usage
    usage_sessions INTEGER NOT NULL DEFAULT 0,
    accomplishments INTEGER NOT NULL DEFAULT 0,
    calls          INTEGER NOT NULL DEFAULT 0,
    input_tokens   INTEGER NOT NULL DEFAULT 0,
    output_tokens  INTEGER NOT NULL DEFAULT 0,
    cost_micros    INTEGER NOT NULL DEFAULT 0,
    latency_sum_ms INTEGER NOT NULL DEFAULT 0,
    latency_count  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (span, period, project_id)
) WITHOUT ROWID;
-- one project's series (and the all-projects total, project 0)
CREATE INDEX idx_rollup_projects_series ON rollup_projects(project_id, span, period, credits);
-- project id 0 stands for all projects in the roll-ups: no project takes it
CREATE TRIGGER projects_id_not_zero BEFORE INSERT ON projects WHEN NEW.id = 0 BEGIN
    SELECT RAISE(ABORT, 'project id 0 is reserved');
END;

CREATE TABLE rollup_credits (
    span         TEXT    NOT NULL CHECK (span IN ('day', 'month')),
    period       TEXT    NOT NULL,
    credits_used INTEGER NOT NULL,
    sessions     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (span, period, credits_used)
) WITHOUT ROWID;

CREATE TABLE rollup_accounts (
    span       TEXT    NOT NULL CHECK (span IN ('day', 'month')),
    period     TEXT    NOT NULL,
    account_id INTEGER NOT NULL,
    sessions   INTEGER NOT NULL DEFAULT 0,
    credits    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (span, period, account_id)
) WITHOUT ROWID;

-- What changes in one project's roll-up rows (and in the all-projects rows, project 0)
-- for a session started at `started_at`.
CREATE VIEW rollup_project_change AS
SELECT 0 AS project_id, '' AS started_at, 0 AS sessions, 0 AS credits, 0 AS usage_sessions,
       0 AS accomplishments, 0 AS calls, 0 AS input_tokens, 0 AS output_tokens,
       0 AS cost_micros, 0 AS latency_sum_ms, 0 AS latency_count
WHERE 0;

CREATE TRIGGER rollup_project_change_apply INSTEAD OF INSERT ON rollup_project_change BEGIN
    INSERT INTO rollup_projects (span, period, project_id, sessions, credits, usage_sessions,
        accomplishments, calls, input_tokens, output_tokens, cost_micros, latency_sum_ms,
        latency_count)
    SELECT g.span, g.period, p.id, NEW.sessions, NEW.credits, NEW.usage_sessions,
           NEW.accomplishments, NEW.calls, NEW.input_tokens, NEW.output_tokens,
           NEW.cost_micros, NEW.latency_sum_ms, NEW.latency_count
    FROM (SELECT 'day' AS span, substr(NEW.started_at, 1, 10) AS period
          UNION ALL SELECT 'month', substr(NEW.started_at, 1, 7)) g,
         (SELECT NEW.project_id AS id UNION ALL SELECT 0) p
    WHERE true
    ON CONFLICT (span, period, project_id) DO UPDATE SET
        sessions = sessions + excluded.sessions,
        credits = credits + excluded.credits,
        usage_sessions = usage_sessions + excluded.usage_sessions,
        accomplishments = accomplishments + excluded.accomplishments,
        calls = calls + excluded.calls,
        input_tokens = input_tokens + excluded.input_tokens,
        output_tokens = output_tokens + excluded.output_tokens,
        cost_micros = cost_micros + excluded.cost_micros,
        latency_sum_ms = latency_sum_ms + excluded.latency_sum_ms,
        latency_count = latency_count + excluded.latency_count;
END;

-- A change to apply: `sign` (+1 or -1) times what a session with these values
-- contributes.
CREATE VIEW rollup_change AS
SELECT 0 AS sign, 0 AS project_id, 0 AS account_id, '' AS started_at, '' AS status,
       0 AS credits_used, 0 AS accomplishment_count, 0 AS calls, 0 AS input_tokens,
       0 AS output_tokens, 0 AS cost_micros, 0 AS latency_sum_ms, 0 AS latency_count
WHERE 0;

CREATE TRIGGER rollup_change_apply INSTEAD OF INSERT ON rollup_change BEGIN
    INSERT INTO rollup_project_change VALUES (NEW.project_id, NEW.started_at, NEW.sign,
        NEW.sign * NEW.credits_used, NEW.sign * (NEW.calls > 0),
        NEW.sign * (NEW.calls > 0) * NEW.accomplishment_count, NEW.sign * NEW.calls,
        NEW.sign * NEW.input_tokens, NEW.sign * NEW.output_tokens, NEW.sign * NEW.cost_micros,
        NEW.sign * NEW.latency_sum_ms, NEW.sign * NEW.latency_count);
    INSERT INTO rollup_credits (span, period, credits_used, sessions)
    SELECT g.span, g.period, NEW.credits_used, NEW.sign
    FROM (SELECT 'day' AS span, substr(NEW.started_at, 1, 10) AS period
          UNION ALL SELECT 'month', substr(NEW.started_at, 1, 7)) g
    WHERE NEW.status != 'in_progress'
    ON CONFLICT (span, period, credits_used) DO UPDATE SET sessions = sessions + excluded.sessions;
    INSERT INTO rollup_accounts (span, period, account_id, sessions, credits)
    SELECT g.span, g.period, NEW.account_id, NEW.sign, NEW.sign * NEW.credits_used
    FROM (SELECT 'day' AS span, substr(NEW.started_at, 1, 10) AS period
          UNION ALL SELECT 'month', substr(NEW.started_at, 1, 7)) g
    WHERE NEW.status != 'in_progress'
    ON CONFLICT (span, period, account_id) DO UPDATE SET
        sessions = sessions + excluded.sessions,
        credits = credits + excluded.credits;
END;

-- A session's values as `rollup_change` takes them after its sign (for trash, restore,
-- delete and the sessions already there).
CREATE VIEW session_rollup AS
SELECT project_id, account_id, started_at, status, credits_used, accomplishment_count,
       usage_calls, usage_input_tokens, usage_output_tokens, usage_cost_micros,
       usage_latency_sum_ms, usage_latency_count
FROM sessions;

CREATE TRIGGER sessions_rollup_insert AFTER INSERT ON sessions
WHEN EXISTS (SELECT 1 FROM projects WHERE id = NEW.project_id AND deleted_at IS NULL) BEGIN
    INSERT INTO rollup_change VALUES (1, NEW.project_id, NEW.account_id, NEW.started_at,
        NEW.status, NEW.credits_used, NEW.accomplishment_count, NEW.usage_calls,
        NEW.usage_input_tokens, NEW.usage_output_tokens, NEW.usage_cost_micros,
        NEW.usage_latency_sum_ms, NEW.usage_latency_count);
END;

CREATE TRIGGER sessions_rollup_delete AFTER DELETE ON sessions
WHEN EXISTS (SELECT 1 FROM projects WHERE id = OLD.project_id AND deleted_at IS NULL) BEGIN
    INSERT INTO rollup_change VALUES (-1, OLD.project_id, OLD.account_id, OLD.started_at,
        OLD.status, OLD.credits_used, OLD.accomplishment_count, OLD.usage_calls,
        OLD.usage_input_tokens, OLD.usage_output_tokens, OLD.usage_cost_micros,
        OLD.usage_latency_sum_ms, OLD.usage_latency_count);
END;

-- A session whose project, account, start, status or credits changed: out with the old,
-- in with the new.
CREATE TRIGGER sessions_rollup_move
AFTER UPDATE OF project_id, account_id, started_at, status, credits_used ON sessions
WHEN OLD.project_id IS NOT NEW.project_id OR OLD.account_id IS NOT NEW.account_id
    OR OLD.started_at IS NOT NEW.started_at OR OLD.status IS NOT NEW.status
    OR OLD.credits_used IS NOT NEW.credits_used
BEGIN
    INSERT INTO rollup_change
    SELECT -1, OLD.project_id, OLD.account_id, OLD.started_at, OLD.status, OLD.credits_used,
           OLD.accomplishment_count, OLD.usage_calls, OLD.usage_input_tokens,
           OLD.usage_output_tokens, OLD.usage_cost_micros, OLD.usage_latency_sum_ms,
           OLD.usage_latency_count
    WHERE EXISTS (SELECT 1 FROM projects WHERE id = OLD.project_id AND deleted_at IS NULL);
    INSERT INTO rollup_change
    SELECT 1, NEW.project_id, NEW.account_id, NEW.started_at, NEW.status, NEW.credits_used,
           NEW.accomplishment_count, NEW.usage_calls, NEW.usage_input_tokens,
           NEW.usage_output_tokens, NEW.usage_cost_micros, NEW.usage_latency_sum_ms,
           NEW.usage_latency_count
    WHERE EXISTS (SELECT 1 FROM projects WHERE id = NEW.project_id AND deleted_at IS NULL);
END;

-- Only its usage or accomplishments changed (a ledger row, an edit): the difference, in
-- the project roll-up alone. Accomplishments count once the session recorded usage.
CREATE TRIGGER sessions_rollup_usage
AFTER UPDATE OF accomplishment_count, usage_calls, usage_input_tokens, usage_output_tokens,
    usage_cost_micros, usage_latency_sum_ms, usage_latency_count ON sessions
WHEN OLD.project_id IS NEW.project_id AND OLD.account_id IS NEW.account_id
    AND OLD.started_at IS NEW.started_at AND OLD.status IS NEW.status
    AND OLD.credits_used IS NEW.credits_used
    AND EXISTS (SELECT 1 FROM projects WHERE id = NEW.project_id AND deleted_at IS NULL)
BEGIN
    INSERT INTO rollup_project_change
    SELECT NEW.project_id, NEW.started_at, 0, 0,
           (NEW.usage_calls > 0) - (OLD.usage_calls > 0),
           (NEW.usage_calls > 0) * NEW.accomplishment_count
               - (OLD.usage_calls > 0) * OLD.accomplishment_count,
           NEW.usage_calls - OLD.usage_calls,
           NEW.usage_input_tokens - OLD.usage_input_tokens,
           NEW.usage_output_tokens - OLD.usage_output_tokens,
           NEW.usage_cost_micros - OLD.usage_cost_micros,
           NEW.usage_latency_sum_ms - OLD.usage_latency_sum_ms,
           NEW.usage_latency_count - OLD.usage_latency_count
    WHERE OLD.usage_calls != 0 OR NEW.usage_calls != 0;
END;

-- A trashed project's sessions leave the analytics; restored, they come back; a live
-- project deleted takes its sessions out before they go (its sessions, deleted by the
-- cascade once the project row is gone, then find no live project and change nothing).
CREATE TRIGGER projects_rollup_trash AFTER UPDATE OF deleted_at ON projects
WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL BEGIN
    INSERT INTO rollup_change
    SELECT -1, * FROM session_rollup WHERE project_id = NEW.id;
END;
CREATE TRIGGER projects_rollup_restore AFTER UPDATE OF deleted_at ON projects
WHEN OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL BEGIN
    INSERT INTO rollup_change
    SELECT 1, * FROM session_rollup WHERE project_id = NEW.id;
END;
CREATE TRIGGER projects_rollup_delete BEFORE DELETE ON projects
WHEN OLD.deleted_at IS NULL BEGIN
    INSERT INTO rollup_change
    SELECT -1, * FROM session_rollup WHERE project_id = OLD.id;
END;

-- the sessions already there
INSERT INTO rollup_change
SELECT 1, * FROM session_rollup
WHERE project_id IN (SELECT id FROM projects WHERE deleted_at IS NULL);

-- the ledger is now summed through the sessions; its period indexes are no longer read
DROP INDEX idx_ledger_created;
DROP INDEX idx_ledger_project;
DROP INDEX idx_sessions_accomplishments;
