-- The account pool: capacity and reset rules (quota windows), last use, switch history and
-- the refill log (one refill per account and window, enforced by UNIQUE).

ALTER TABLE accounts ADD COLUMN credit_capacity INTEGER NOT NULL DEFAULT 100 CHECK (credit_capacity >= 0);
ALTER TABLE accounts ADD COLUMN reset_kind TEXT NOT NULL DEFAULT 'none'
    CHECK (reset_kind IN ('none', 'daily', 'rolling', 'weekly', 'monthly'));
ALTER TABLE accounts ADD COLUMN reset_at TEXT;         -- HH:MM local time (daily, weekly, monthly)
ALTER TABLE accounts ADD COLUMN reset_tz TEXT;         -- IANA zone (daily, weekly, monthly)
ALTER TABLE accounts ADD COLUMN reset_hours INTEGER CHECK (reset_hours IS NULL OR reset_hours BETWEEN 1 AND 744);
ALTER TABLE accounts ADD COLUMN reset_weekday TEXT
    CHECK (reset_weekday IS NULL OR reset_weekday IN ('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'));
ALTER TABLE accounts ADD COLUMN reset_day INTEGER CHECK (reset_day IS NULL OR reset_day BETWEEN 1 AND 31);
ALTER TABLE accounts ADD COLUMN last_refresh_at TEXT;
ALTER TABLE accounts ADD COLUMN next_refresh_at TEXT;
ALTER TABLE accounts ADD COLUMN last_used_at TEXT;

-- names identify accounts to people: unique regardless of case
CREATE UNIQUE INDEX idx_accounts_name_nocase ON accounts(account_name COLLATE NOCASE);
CREATE INDEX idx_accounts_next_refresh ON accounts(next_refresh_at) WHERE next_refresh_at IS NOT NULL;
CREATE INDEX idx_accounts_last_used ON accounts(last_used_at);

CREATE TABLE account_switches (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at      TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('select', 'rotate', 'manual')),
    from_account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    to_account_id   INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    project_id      INTEGER REFERENCES projects(id) ON DELETE SET NULL,
    session_id      INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
    reason          TEXT    NOT NULL
);
CREATE INDEX idx_switches_from    ON account_switches(from_account_id, created_at DESC);
CREATE INDEX idx_switches_to      ON account_switches(to_account_id, created_at DESC);
CREATE INDEX idx_switches_project ON account_switches(project_id, created_at DESC);

CREATE TABLE account_refills (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    window_at      TEXT    NOT NULL,
    applied_at     TEXT    NOT NULL,
    credits_before INTEGER NOT NULL,
    credits_after  INTEGER NOT NULL,
    UNIQUE (account_id, window_at)
);
