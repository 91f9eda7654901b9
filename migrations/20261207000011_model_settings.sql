-- The model pass: one OpenAI-compatible chat-completions endpoint that may rewrite handoff
-- briefings. At most one row (id 1); no row means briefings stay extractive. The API key is
-- stored sealed (a random nonce and the ciphertext, under a key derived from the server's
-- secret file), never as text; NULL when the endpoint needs none (a local server).

CREATE TABLE model_settings (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    base_url     TEXT    NOT NULL CHECK (length(base_url) BETWEEN 1 AND 2000),
    model        TEXT    NOT NULL CHECK (length(model) BETWEEN 1 AND 200),
    api_key      BLOB,
    timeout_secs INTEGER NOT NULL CHECK (timeout_secs BETWEEN 1 AND 120),
    updated_at   TEXT    NOT NULL
);
