//! What tests of the other layers read back from the database to check what was written,
//! and the fixtures they start from: the SQL stays in storage.

use super::Db;

/// Rows in `table` (a name from the schema).
pub async fn count(db: &Db, table: &str) -> i64 {
    assert!(
        table.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "not a table name: {table}"
    );
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(db)
        .await
        .unwrap()
}

/// Rows that break a foreign key.
pub async fn foreign_key_problems(db: &Db) -> usize {
    let rows: Vec<(String, i64, String, i64)> = sqlx::query_as("PRAGMA foreign_key_check")
        .fetch_all(db)
        .await
        .unwrap();
    rows.len()
}

/// The stored hashes of the sign-in sessions.
pub async fn session_token_hashes(db: &Db) -> Vec<String> {
    sqlx::query_scalar("SELECT token_hash FROM user_sessions")
        .fetch_all(db)
        .await
        .unwrap()
}

/// Every conversation turn's text, in turn order.
pub async fn turn_texts(db: &Db) -> Vec<String> {
    sqlx::query_scalar("SELECT content FROM conversation_history ORDER BY turn_number")
        .fetch_all(db)
        .await
        .unwrap()
}

/// The ledger's cost of the calls to `model`, in micro-dollars.
pub async fn ledger_cost_of(db: &Db, model: &str) -> i64 {
    sqlx::query_scalar("SELECT COALESCE(SUM(cost_micros), 0) FROM usage_ledger WHERE model = ?")
        .bind(model)
        .fetch_one(db)
        .await
        .unwrap()
}

/// The ledger's providers, one per row, sorted.
pub async fn ledger_providers(db: &Db) -> Vec<String> {
    sqlx::query_scalar("SELECT provider FROM usage_ledger ORDER BY provider")
        .fetch_all(db)
        .await
        .unwrap()
}

/// The ledger's rows, output tokens, cost (micro-dollars) and unpriced rows.
pub async fn ledger_totals(db: &Db) -> (i64, i64, i64, i64) {
    sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(output_tokens), 0), COALESCE(SUM(cost_micros), 0), \
         COALESCE(SUM(priced = 0), 0) FROM usage_ledger",
    )
    .fetch_one(db)
    .await
    .unwrap()
}

/// The objectives of the sessions, oldest first.
pub async fn session_objectives(db: &Db) -> Vec<Option<String>> {
    sqlx::query_scalar("SELECT objectives FROM sessions ORDER BY id")
        .fetch_all(db)
        .await
        .unwrap()
}

/// Entries of the knowledge base's trigram index that match `phrase`.
pub async fn knowledge_trigram_matches(db: &Db, phrase: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM knowledge_tri WHERE knowledge_tri MATCH ?")
        .bind(format!("\"{}\"", phrase.replace('"', "\"\"")))
        .fetch_one(db)
        .await
        .unwrap()
}

/// A project named `name`, written directly (to shift the ids of a fresh database).
pub async fn insert_project(db: &Db, name: &str) {
    sqlx::query("INSERT INTO projects (name) VALUES (?)")
        .bind(name)
        .execute(db)
        .await
        .unwrap();
}

/// Projects `p` (1) and `q` (2), account `a` (1), and one session on each project started
/// 2026-03-02 09:00 UTC, the first with two accomplishments.
pub async fn two_projects_with_a_session_each(db: &Db) {
    insert_project(db, "p").await;
    insert_project(db, "q").await;
    sqlx::query("INSERT INTO accounts (account_name) VALUES ('a')")
        .execute(db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO sessions (project_id, account_id, session_number, accomplishments, started_at) VALUES \
         (1, 1, 1, 'login\nsignup', '2026-03-02T09:00:00Z'), (2, 1, 1, NULL, '2026-03-02T09:00:00Z')",
    )
    .execute(db)
    .await
    .unwrap();
}
