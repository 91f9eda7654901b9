-- No lost updates. Every edit of a project, account, session or knowledge entry carries
-- the version it was based on; a stale one is refused (409) instead of overwriting what
-- changed meanwhile. Saving an edit increments the version. Credits change by adjustments
-- (a reason and the credits before and after), recorded in the account's history.

ALTER TABLE projects       ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE accounts       ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE sessions       ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE knowledge_base ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1);

CREATE TABLE account_adjustments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at     TEXT    NOT NULL,
    credits_before INTEGER NOT NULL,
    credits_after  INTEGER NOT NULL,
    reason         TEXT    NOT NULL CHECK (length(trim(reason)) BETWEEN 1 AND 500)
);
CREATE INDEX idx_adjustments_account ON account_adjustments(account_id, created_at DESC);
