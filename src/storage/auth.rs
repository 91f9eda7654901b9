//! Users, signed-in sessions, API tokens, invitations and the audit log. Secrets never
//! reach this layer: sessions, tokens and invitations are found by the hash of theirs.

use crate::domain::auth::{
    AuditEntry, Role, Scope, SessionInfo, SessionRowId, TokenId, TokenInfo, User, UserId,
};
use crate::domain::time::Timestamp;
use crate::storage::StorageError;
use sqlx::{Row, SqliteConnection};

/// A user with the fields sign-in needs.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

const USER_COLS: &str = "id, email, name, role, disabled_at, created_at";

pub async fn count_users(conn: &mut SqliteConnection) -> Result<i64, StorageError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(conn)
        .await?)
}

pub async fn insert_user(
    conn: &mut SqliteConnection,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
    now: Timestamp,
) -> Result<UserId, StorageError> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = ?")
        .bind(email)
        .fetch_optional(&mut *conn)
        .await?;
    if exists.is_some() {
        return Err(StorageError::Constraint {
            kind: crate::storage::Constraint::Unique,
            table: Some("users".into()),
            column: Some("email".into()),
        });
    }
    let id = sqlx::query_scalar(
        "INSERT INTO users (email, name, role, password_hash, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(email)
    .bind(name)
    .bind(role.as_str())
    .bind(password_hash)
    .bind(now)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(UserId(id))
}

pub async fn users(conn: &mut SqliteConnection) -> Result<Vec<User>, StorageError> {
    Ok(
        sqlx::query_as(&format!("SELECT {USER_COLS} FROM users ORDER BY id"))
            .fetch_all(conn)
            .await?,
    )
}

pub async fn user(conn: &mut SqliteConnection, id: UserId) -> Result<User, StorageError> {
    sqlx::query_as(&format!("SELECT {USER_COLS} FROM users WHERE id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StorageError::not_found("user", id))
}

pub async fn credentials(
    conn: &mut SqliteConnection,
    email: &str,
) -> Result<Option<Credentials>, StorageError> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLS}, password_hash FROM users WHERE email = ?"
    ))
    .bind(email)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok::<_, sqlx::Error>(Credentials {
            user: sqlx::FromRow::from_row(&r)?,
            password_hash: r.try_get("password_hash")?,
        })
    })
    .transpose()
    .map_err(StorageError::from)
}

pub async fn owners_enabled(conn: &mut SqliteConnection) -> Result<i64, StorageError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE role = 'owner' AND disabled_at IS NULL",
    )
    .fetch_one(conn)
    .await?)
}

pub async fn set_password(
    conn: &mut SqliteConnection,
    id: UserId,
    password_hash: &str,
    now: Timestamp,
) -> Result<(), StorageError> {
    let done = sqlx::query("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
        .bind(password_hash)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::not_found("user", id));
    }
    Ok(())
}

pub async fn set_disabled(
    conn: &mut SqliteConnection,
    id: UserId,
    disabled: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), StorageError> {
    let done = sqlx::query("UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ?")
        .bind(disabled)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::not_found("user", id));
    }
    Ok(())
}

// ------------------------------------------------------------------ sessions

pub async fn insert_session(
    conn: &mut SqliteConnection,
    token_hash: &str,
    user: UserId,
    now: Timestamp,
    expires_at: Timestamp,
    ip: &str,
    user_agent: &str,
) -> Result<SessionRowId, StorageError> {
    let id = sqlx::query_scalar(
        "INSERT INTO user_sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent) \
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(token_hash)
    .bind(user)
    .bind(now)
    .bind(now)
    .bind(expires_at)
    .bind(ip)
    .bind(user_agent)
    .fetch_one(conn)
    .await?;
    Ok(SessionRowId(id))
}

/// A session found by its hash, with its user.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: SessionRowId,
    pub user: User,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

pub async fn session_by_hash(
    conn: &mut SqliteConnection,
    token_hash: &str,
) -> Result<Option<SessionRow>, StorageError> {
    let row = sqlx::query(
        "SELECT s.id AS sid, s.last_seen_at, s.expires_at, \
                u.id, u.email, u.name, u.role, u.disabled_at, u.created_at \
         FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(SessionRow {
        id: SessionRowId(r.try_get("sid")?),
        user: sqlx::FromRow::from_row(&r)?,
        last_seen_at: r.try_get("last_seen_at")?,
        expires_at: r.try_get("expires_at")?,
    }))
}

pub async fn touch_session(
    conn: &mut SqliteConnection,
    id: SessionRowId,
    now: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE user_sessions SET last_seen_at = ? WHERE id = ?")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_session(
    conn: &mut SqliteConnection,
    id: SessionRowId,
) -> Result<u64, StorageError> {
    Ok(sqlx::query("DELETE FROM user_sessions WHERE id = ?")
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected())
}

pub async fn delete_sessions_of(
    conn: &mut SqliteConnection,
    user: UserId,
) -> Result<u64, StorageError> {
    Ok(sqlx::query("DELETE FROM user_sessions WHERE user_id = ?")
        .bind(user)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Sessions that ended (absolute end passed); idle ones are removed when next seen.
pub async fn delete_expired_sessions(
    conn: &mut SqliteConnection,
    now: Timestamp,
) -> Result<u64, StorageError> {
    let ids: Vec<(i64, Timestamp, Timestamp)> =
        sqlx::query_as("SELECT id, last_seen_at, expires_at FROM user_sessions")
            .fetch_all(&mut *conn)
            .await?;
    let mut n = 0;
    for (id, seen, end) in ids {
        if !crate::domain::auth::session_alive(seen, end, now) {
            n += delete_session(conn, SessionRowId(id)).await?;
        }
    }
    Ok(n)
}

pub async fn sessions(
    conn: &mut SqliteConnection,
    user: Option<UserId>,
) -> Result<Vec<SessionInfo>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.user_id, u.email, s.created_at, s.last_seen_at, s.ip, s.user_agent \
         FROM user_sessions s JOIN users u ON u.id = s.user_id \
         WHERE (?1 IS NULL OR s.user_id = ?1) ORDER BY s.last_seen_at DESC, s.id DESC",
    )
    .bind(user)
    .fetch_all(conn)
    .await?)
}

// ------------------------------------------------------------------ tokens

#[allow(clippy::too_many_arguments)]
pub async fn insert_token(
    conn: &mut SqliteConnection,
    user: UserId,
    name: &str,
    prefix: &str,
    token_hash: &str,
    scope: Scope,
    now: Timestamp,
    expires_at: Option<Timestamp>,
) -> Result<TokenId, StorageError> {
    let id = sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, prefix, token_hash, scope, created_at, expires_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(user)
    .bind(name)
    .bind(prefix)
    .bind(token_hash)
    .bind(scope.as_str())
    .bind(now)
    .bind(expires_at)
    .fetch_one(conn)
    .await?;
    Ok(TokenId(id))
}

const TOKEN_COLS: &str =
    "t.id, t.name, t.prefix, t.scope, t.created_at, t.expires_at, t.last_used_at, t.revoked_at";

pub async fn tokens(
    conn: &mut SqliteConnection,
    user: UserId,
) -> Result<Vec<TokenInfo>, StorageError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {TOKEN_COLS} FROM api_tokens t WHERE t.user_id = ? ORDER BY t.id DESC"
    ))
    .bind(user)
    .fetch_all(conn)
    .await?)
}

/// A token found by its hash, with its user.
#[derive(Debug, Clone)]
pub struct TokenRow {
    pub token: TokenInfo,
    pub user: User,
}

pub async fn token_by_hash(
    conn: &mut SqliteConnection,
    token_hash: &str,
) -> Result<Option<TokenRow>, StorageError> {
    let row = sqlx::query(&format!(
        "SELECT {TOKEN_COLS}, u.id AS uid, u.email, u.name AS uname, u.role, u.disabled_at, \
                u.created_at AS ucreated \
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?"
    ))
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let role: String = r.try_get("role")?;
    Ok(Some(TokenRow {
        token: sqlx::FromRow::from_row(&r)?,
        user: User {
            id: UserId(r.try_get("uid")?),
            email: r.try_get("email")?,
            name: r.try_get("uname")?,
            role: role
                .parse()
                .map_err(|_| StorageError::Corrupt(format!("unknown role {role:?}")))?,
            disabled_at: r.try_get("disabled_at")?,
            created_at: r.try_get("ucreated")?,
        },
    }))
}

pub async fn touch_token(
    conn: &mut SqliteConnection,
    id: TokenId,
    now: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE api_tokens SET last_used_at = ? WHERE id = ?")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Revokes a token of `user` (any user's when `None`); false when there is none.
pub async fn revoke_token(
    conn: &mut SqliteConnection,
    id: TokenId,
    user: Option<UserId>,
    now: Timestamp,
) -> Result<Option<String>, StorageError> {
    Ok(sqlx::query_scalar(
        "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) \
         WHERE id = ? AND (?3 IS NULL OR user_id = ?3) RETURNING name",
    )
    .bind(now)
    .bind(id)
    .bind(user)
    .fetch_optional(conn)
    .await?)
}

// ------------------------------------------------------------------ invitations

#[allow(clippy::too_many_arguments)]
pub async fn insert_invite(
    conn: &mut SqliteConnection,
    token_hash: &str,
    email: &str,
    name: &str,
    role: Role,
    by: UserId,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<i64, StorageError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO invites (token_hash, email, name, role, created_by, created_at, expires_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(token_hash)
    .bind(email)
    .bind(name)
    .bind(role.as_str())
    .bind(by)
    .bind(now)
    .bind(expires_at)
    .fetch_one(conn)
    .await?)
}

/// An unused invitation: `(id, email, name, role, expires_at)`.
pub async fn invite_by_hash(
    conn: &mut SqliteConnection,
    token_hash: &str,
) -> Result<Option<(i64, String, String, Role, Timestamp)>, StorageError> {
    let row: Option<(i64, String, String, String, Timestamp)> = sqlx::query_as(
        "SELECT id, email, name, role, expires_at FROM invites \
         WHERE token_hash = ? AND used_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    row.map(|(id, e, n, r, x)| {
        r.parse()
            .map(|role| (id, e, n, role, x))
            .map_err(|_| StorageError::Corrupt(format!("unknown role {r:?}")))
    })
    .transpose()
}

pub async fn use_invite(
    conn: &mut SqliteConnection,
    id: i64,
    now: Timestamp,
) -> Result<bool, StorageError> {
    Ok(
        sqlx::query("UPDATE invites SET used_at = ? WHERE id = ? AND used_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

// ------------------------------------------------------------------ audit log

/// Who did something, as the audit log records it.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user: Option<UserId>,
    /// An e-mail, `cli` or `anonymous`.
    pub label: String,
    pub ip: String,
}

pub async fn audit(
    conn: &mut SqliteConnection,
    actor: &Actor,
    action: &str,
    target: &str,
    detail: &str,
    now: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, actor, action, target, ip, detail) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(now)
    .bind(actor.user)
    .bind(&actor.label)
    .bind(action)
    .bind(target)
    .bind(&actor.ip)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn audit_entries(
    conn: &mut SqliteConnection,
    limit: i64,
) -> Result<Vec<AuditEntry>, StorageError> {
    Ok(sqlx::query_as(
        "SELECT id, at, actor, action, target, ip, detail FROM audit_log ORDER BY id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
