//! SQL for the model pass's endpoint: one row, its API key stored sealed.

use crate::domain::time::Timestamp;
use crate::storage::StorageError;
use sqlx::SqliteConnection;

/// The endpoint as stored; `api_key` is sealed (nonce and ciphertext), never text.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredModel {
    pub base_url: String,
    pub model: String,
    pub api_key: Option<Vec<u8>>,
    pub timeout_secs: i64,
    pub updated_at: Timestamp,
}

/// What a save does with the stored key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealedKey {
    Keep,
    Remove,
    Set(Vec<u8>),
}

/// The endpoint, if one is configured.
pub async fn get(conn: &mut SqliteConnection) -> Result<Option<StoredModel>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT base_url, model, api_key, timeout_secs, updated_at FROM model_settings WHERE id = 1",
    )
    .fetch_optional(conn)
    .await?)
}

/// Stores the endpoint (creating or replacing the one row).
pub async fn save(
    conn: &mut SqliteConnection,
    base_url: &str,
    model: &str,
    timeout_secs: i64,
    key: &SealedKey,
    now: Timestamp,
) -> Result<(), StorageError> {
    let (replace, sealed) = match key {
        SealedKey::Keep => (false, None),
        SealedKey::Remove => (true, None),
        SealedKey::Set(bytes) => (true, Some(bytes.as_slice())),
    };
    sqlx::query(
        "INSERT INTO model_settings (id, base_url, model, api_key, timeout_secs, updated_at) \
         VALUES (1, ?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (id) DO UPDATE SET base_url = excluded.base_url, model = excluded.model, \
         timeout_secs = excluded.timeout_secs, updated_at = excluded.updated_at, \
         api_key = CASE WHEN ?6 THEN excluded.api_key ELSE model_settings.api_key END",
    )
    .bind(base_url)
    .bind(model)
    .bind(sealed)
    .bind(timeout_secs)
    .bind(now)
    .bind(replace)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets the endpoint (briefings stay extractive); whether there was one.
pub async fn delete(conn: &mut SqliteConnection) -> Result<bool, StorageError> {
    Ok(sqlx::query("DELETE FROM model_settings WHERE id = 1")
        .execute(conn)
        .await?
        .rows_affected()
        > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::temp_db;

    #[tokio::test]
    async fn one_row_whose_key_is_kept_replaced_or_removed() {
        let (_dir, db) = temp_db().await;
        let mut conn = db.writer().acquire().await.unwrap();
        assert_eq!(get(&mut conn).await.unwrap(), None);
        let now = Timestamp::parse("2026-12-07T10:00:00Z").unwrap();
        let sealed = SealedKey::Set(vec![1, 2, 3]);
        save(&mut conn, "http://h/v1", "m", 5, &sealed, now)
            .await
            .unwrap();
        save(&mut conn, "http://h2/v1", "m2", 9, &SealedKey::Keep, now)
            .await
            .unwrap();
        let m = get(&mut conn).await.unwrap().unwrap();
        assert_eq!(
            (m.base_url.as_str(), m.model.as_str(), m.timeout_secs),
            ("http://h2/v1", "m2", 9)
        );
        assert_eq!(m.api_key, Some(vec![1, 2, 3]));
        save(&mut conn, "http://h2/v1", "m2", 9, &SealedKey::Remove, now)
            .await
            .unwrap();
        assert_eq!(get(&mut conn).await.unwrap().unwrap().api_key, None);
        assert!(delete(&mut conn).await.unwrap());
        assert!(!delete(&mut conn).await.unwrap());
        assert_eq!(get(&mut conn).await.unwrap(), None);
    }
}
