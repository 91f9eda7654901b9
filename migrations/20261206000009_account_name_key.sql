-- The one name rule (Unicode case folding) by index: each account keeps its folded name,
-- so a new or renamed account is checked against the few accounts with the same key
-- instead of every name in the pool. Rows written before this migration get their key
-- when the server starts (SQLite cannot fold Unicode case itself); a missing key is
-- treated as "compare by name".
ALTER TABLE accounts ADD COLUMN name_key TEXT;
CREATE INDEX idx_accounts_name_key ON accounts(name_key);
