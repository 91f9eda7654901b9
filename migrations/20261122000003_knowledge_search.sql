-- The knowledge base: recorded outcomes ("applied — it worked / it didn't"), and two
-- full-text indexes kept in sync by triggers: words with stemming (porter over unicode61;
-- underscores stay inside identifiers) and trigrams (substrings of error strings, paths
-- and identifiers).

-- How many recorded applications worked (usage_count counts all of them).
ALTER TABLE knowledge_base ADD COLUMN success_count INTEGER NOT NULL DEFAULT 0
    CHECK (success_count >= 0);
UPDATE knowledge_base SET success_count = CAST(round(success_rate * usage_count) AS INTEGER);

-- the list without a query: most applied, then most successful, then newest
CREATE INDEX idx_knowledge_ranked ON knowledge_base(usage_count DESC, success_rate DESC, updated_at DESC, id DESC);

CREATE TABLE knowledge_outcomes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id   INTEGER NOT NULL REFERENCES knowledge_base(id) ON DELETE CASCADE,
    session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
    worked     INTEGER NOT NULL CHECK (worked IN (0, 1)),
    note       TEXT,
    created_at TEXT    NOT NULL
);
CREATE INDEX idx_knowledge_outcomes_entry ON knowledge_outcomes(entry_id, created_at DESC);

CREATE VIRTUAL TABLE knowledge_fts USING fts5(
    title, tags, description,
    content = 'knowledge_base', content_rowid = 'id',
    tokenize = "porter unicode61 tokenchars '_'"
);
CREATE VIRTUAL TABLE knowledge_tri USING fts5(
    title, tags, description,
    content = 'knowledge_base', content_rowid = 'id',
    tokenize = 'trigram'
);

CREATE TRIGGER knowledge_ai AFTER INSERT ON knowledge_base BEGIN
    INSERT INTO knowledge_fts (rowid, title, tags, description)
        VALUES (new.id, new.title, coalesce(new.tags, ''), new.description);
    INSERT INTO knowledge_tri (rowid, title, tags, description)
        VALUES (new.id, new.title, coalesce(new.tags, ''), new.description);
END;
CREATE TRIGGER knowledge_ad AFTER DELETE ON knowledge_base BEGIN
    INSERT INTO knowledge_fts (knowledge_fts, rowid, title, tags, description)
        VALUES ('delete', old.id, old.title, coalesce(old.tags, ''), old.description);
    INSERT INTO knowledge_tri (knowledge_tri, rowid, title, tags, description)
        VALUES ('delete', old.id, old.title, coalesce(old.tags, ''), old.description);
END;
CREATE TRIGGER knowledge_au AFTER UPDATE OF title, tags, description ON knowledge_base BEGIN
    INSERT INTO knowledge_fts (knowledge_fts, rowid, title, tags, description)
        VALUES ('delete', old.id, old.title, coalesce(old.tags, ''), old.description);
    INSERT INTO knowledge_tri (knowledge_tri, rowid, title, tags, description)
        VALUES ('delete', old.id, old.title, coalesce(old.tags, ''), old.description);
    INSERT INTO knowledge_fts (rowid, title, tags, description)
        VALUES (new.id, new.title, coalesce(new.tags, ''), new.description);
    INSERT INTO knowledge_tri (rowid, title, tags, description)
        VALUES (new.id, new.title, coalesce(new.tags, ''), new.description);
END;

-- entries written before this migration
INSERT INTO knowledge_fts (knowledge_fts) VALUES ('rebuild');
INSERT INTO knowledge_tri (knowledge_tri) VALUES ('rebuild');
