//! Sign-in: users, passwords (argon2id), signed-in sessions, API tokens, invitations and
//! the audit log. Secrets are made here from the OS's random source and only their SHA-256
//! reaches the database; passwords only as argon2id hashes.

use crate::domain::auth::{
    self, Access, AuditEntry, Me, Role, Scope, SessionInfo, SessionRowId, TokenId, TokenInfo, User,
    UserId, INVITE_SECS, SESSION_MAX_SECS, TOKEN_PREFIX, TOKEN_SHOWN_CHARS,
};
use crate::domain::time::Timestamp;
use crate::error::{AppError, FieldError};
use crate::storage::auth::{self as store, Actor};
use crate::storage::{self, Db};
use base64::Engine;
use sha2::Digest;

/// Bytes of randomness in every secret (session ids, tokens, invitations, setup codes).
const SECRET_BYTES: usize = 32;
/// A session or token is written back as "used" at most this often.
const TOUCH_EVERY_SECS: i64 = 60;

/// A new random secret, base64url without padding.
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    // the OS random source failing is not something a request can recover from
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a secret, hex: the form sessions, tokens and invitations are stored in. A
/// fast hash suits 256-bit random secrets (nothing to guess) and stays indexable.
pub fn secret_hash(secret: &str) -> String {
    let digest = sha2::Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Argon2id with OWASP's parameters (19 MiB, 2 iterations, 1 lane), in a PHC string.
pub async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|_| AppError::Internal)?;
        let salt = SaltString::encode_b64(&salt).map_err(|_| AppError::Internal)?;
        argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| {
                tracing::error!(error = %e, "password hashing failed");
                AppError::Internal
            })
    })
    .await
    .map_err(|_| AppError::Internal)?
}

/// Whether `password` matches `hash` (off the async threads; a bad hash is a mismatch).
pub async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHash, PasswordVerifier};
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// A hash no password matches, verified for unknown e-mails so that they take as long as
/// a wrong password.
async fn dummy_hash() -> &'static str {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async {
            hash_password(&new_secret())
                .await
                .unwrap_or_else(|_| String::from("$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        })
        .await
}

/// The password rules: length, and not a common or easily guessed one (zxcvbn score 3 of
/// 4, judged with the user's e-mail and name as known words).
pub fn check_password(password: &str, email: &str, name: &str) -> Result<(), FieldError> {
    auth::check_password_length(password)?;
    let local = email.split('@').next().unwrap_or("");
    let estimate = zxcvbn::zxcvbn(password, &[email, local, name]);
    if u8::from(estimate.score()) < 3 {
        let hint = estimate
            .feedback()
            .and_then(|f| f.warning().map(|w| w.to_string()))
            .unwrap_or_else(|| "it is too easy to guess".into());
        return Err(FieldError::new(
            "password",
            format!("choose a less common password: {hint}; a few unrelated words work well"),
        ));
    }
    Ok(())
}

/// A new user (`paas user add`, the first-run setup, an accepted invitation).
pub async fn create_user(
    db: &Db,
    email: &str,
    name: &str,
    role: Role,
    password: &str,
    actor: &Actor,
    now: Timestamp,
) -> Result<User, AppError> {
    let email = auth::normalize_email(email)?;
    let name = auth::parse_user_name(name)?;
    check_password(password, &email, &name)?;
    let hash = hash_password(password).await?;
    let mut tx = storage::begin_write(db).await?;
    let id = store::insert_user(&mut tx, &email, &name, role, &hash, now)
        .await
        .map_err(|e| {
            if e.is_unique_on("email") {
                AppError::conflict_on(
                    "email",
                    format!("a user with the e-mail {email} already exists"),
                )
            } else {
                e.into()
            }
        })?;
    store::audit(
        &mut tx,
        actor,
        "user.create",
        &email,
        &format!("role {}", role.as_str()),
        now,
    )
    .await?;
    let user = store::user(&mut tx, id).await?;
    tx.commit().await?;
    Ok(user)
}

/// The owner of a new server, made at `/setup` with the code from the server log. Only
/// while there are no users (checked in the same transaction as the insert).
pub async fn setup_owner(
    db: &Db,
    email: &str,
    name: &str,
    password: &str,
    ip: &str,
    now: Timestamp,
) -> Result<User, AppError> {
    let email = auth::normalize_email(email)?;
    let name = auth::parse_user_name(name)?;
    check_password(password, &email, &name)?;
    let hash = hash_password(password).await?;
    let mut tx = storage::begin_write(db).await?;
    if store::count_users(&mut tx).await? > 0 {
        return Err(AppError::conflict(
            "this server already has an owner; sign in instead",
        ));
    }
    let id = store::insert_user(&mut tx, &email, &name, Role::Owner, &hash, now).await?;
    let actor = Actor {
        user: Some(id),
        label: email.clone(),
        ip: ip.to_owned(),
    };
    store::audit(&mut tx, &actor, "setup", &email, "first owner", now).await?;
    let user = store::user(&mut tx, id).await?;
    tx.commit().await?;
    Ok(user)
}

pub async fn needs_setup(db: &Db) -> Result<bool, AppError> {
    let mut conn = db.acquire().await?;
    Ok(store::count_users(&mut conn).await? == 0)
}

/// A successful sign-in: the cookie's secret and who signed in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub secret: String,
    pub user: User,
}

/// The one message for an unknown e-mail, a wrong password and a disabled user.
pub const BAD_SIGN_IN: &str = "that e-mail and password do not match an active user";

/// Checks a password and opens a new session (a fresh id at every sign-in).
pub async fn sign_in(
    db: &Db,
    email: &str,
    password: &str,
    ip: &str,
    user_agent: &str,
    now: Timestamp,
) -> Result<SignedIn, AppError> {
    let key = auth::normalize_email(email).unwrap_or_else(|_| email.trim().to_lowercase());
    let found = {
        let mut conn = db.acquire().await?;
        store::credentials(&mut conn, &key).await?
    };
    let hash = match &found {
        Some(c) => c.password_hash.as_str(),
        None => dummy_hash().await,
    };
    let matches = verify_password(password, hash).await;
    let mut tx = storage::begin_write(db).await?;
    let anonymous = Actor {
        user: None,
        label: "anonymous".into(),
        ip: ip.to_owned(),
    };
    let user = match found {
        Some(c) if matches && c.user.disabled_at.is_none() => c.user,
        other => {
            let why = match other {
                None => "unknown e-mail",
                Some(c) if c.user.disabled_at.is_some() => "user disabled",
                Some(_) => "wrong password",
            };
            store::audit(&mut tx, &anonymous, "sign_in.failed", &key, why, now).await?;
            tx.commit().await?;
            return Err(AppError::unauthorized(BAD_SIGN_IN));
        }
    };
    let secret = new_secret();
    store::insert_session(
        &mut tx,
        &secret_hash(&secret),
        user.id,
        now,
        now.plus_seconds(SESSION_MAX_SECS),
        ip,
        &user_agent.chars().take(300).collect::<String>(),
    )
    .await?;
    let actor = Actor {
        user: Some(user.id),
        label: user.email.clone(),
        ip: ip.to_owned(),
    };
    store::audit(&mut tx, &actor, "sign_in", &user.email, "", now).await?;
    tx.commit().await?;
    Ok(SignedIn { secret, user })
}

/// Who a session cookie belongs to, if it is still valid (marking it used).
pub async fn session_user(
    db: &Db,
    secret: &str,
    now: Timestamp,
) -> Result<Option<(Me, SessionRowId)>, AppError> {
    let row = {
        let mut conn = db.acquire().await?;
        store::session_by_hash(&mut conn, &secret_hash(secret)).await?
    };
    let Some(row) = row else { return Ok(None) };
    if !auth::session_alive(row.last_seen_at, row.expires_at, now) || row.user.disabled_at.is_some()
    {
        let mut conn = db.writer().acquire().await?;
        store::delete_session(&mut conn, row.id).await?;
        return Ok(None);
    }
    if now.unix() - row.last_seen_at.unix() >= TOUCH_EVERY_SECS {
        let mut conn = db.writer().acquire().await?;
        store::touch_session(&mut conn, row.id, now).await?;
    }
    let me = Me {
        id: row.user.id,
        email: row.user.email,
        name: row.user.name,
        role: row.user.role,
        access: row.user.role.max_access(),
    };
    Ok(Some((me, row.id)))
}

/// Who an API token belongs to and what it may do, if it is valid (marking it used).
pub async fn token_user(
    db: &Db,
    secret: &str,
    now: Timestamp,
) -> Result<Option<(Me, TokenId)>, AppError> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let row = {
        let mut conn = db.acquire().await?;
        store::token_by_hash(&mut conn, &secret_hash(secret)).await?
    };
    let Some(row) = row else { return Ok(None) };
    if !row.token.usable(now) || row.user.disabled_at.is_some() {
        return Ok(None);
    }
    let stale = row
        .token
        .last_used_at
        .is_none_or(|t| now.unix() - t.unix() >= TOUCH_EVERY_SECS);
    if stale {
        let mut conn = db.writer().acquire().await?;
        store::touch_token(&mut conn, row.token.id, now).await?;
    }
    let access = row.user.role.max_access().min(row.token.scope.max_access());
    let me = Me {
        id: row.user.id,
        email: row.user.email,
        name: row.user.name,
        role: row.user.role,
        access,
    };
    Ok(Some((me, row.token.id)))
}

pub async fn sign_out(
    db: &Db,
    session: SessionRowId,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), AppError> {
    let mut tx = storage::begin_write(db).await?;
    store::delete_session(&mut tx, session).await?;
    store::audit(&mut tx, actor, "sign_out", &actor.label, "", now).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of `user` ("sign out everywhere", or the owner signing someone out).
pub async fn sign_out_everywhere(
    db: &Db,
    user: UserId,
    actor: &Actor,
    now: Timestamp,
) -> Result<u64, AppError> {
    let mut tx = storage::begin_write(db).await?;
    let target = store::user(&mut tx, user).await?;
    let n = store::delete_sessions_of(&mut tx, user).await?;
    store::audit(
        &mut tx,
        actor,
        "sign_out.everywhere",
        &target.email,
        &format!("{n} sessions"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Sets a new password (`paas user reset-password`, or the owner) and ends the user's
/// sessions.
pub async fn reset_password(
    db: &Db,
    email: &str,
    password: &str,
    actor: &Actor,
    now: Timestamp,
) -> Result<User, AppError> {
    let email = auth::normalize_email(email)?;
    let user = {
        let mut conn = db.acquire().await?;
        store::credentials(&mut conn, &email)
            .await?
            .ok_or_else(|| AppError::not_found("user", &email))?
            .user
    };
    check_password(password, &user.email, &user.name)?;
    let hash = hash_password(password).await?;
    let mut tx = storage::begin_write(db).await?;
    store::set_password(&mut tx, user.id, &hash, now).await?;
    let ended = store::delete_sessions_of(&mut tx, user.id).await?;
    store::audit(
        &mut tx,
        actor,
        "user.reset_password",
        &user.email,
        &format!("{ended} sessions ended"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Disables (or enables again) a user; a disabled user's sessions end. The last enabled
/// owner cannot be disabled.
pub async fn set_disabled(
    db: &Db,
    id: UserId,
    disabled: bool,
    actor: &Actor,
    now: Timestamp,
) -> Result<User, AppError> {
    let mut tx = storage::begin_write(db).await?;
    let user = store::user(&mut tx, id).await?;
    if disabled
        && user.role == Role::Owner
        && user.disabled_at.is_none()
        && store::owners_enabled(&mut tx).await? <= 1
    {
        return Err(AppError::conflict(
            "this is the only active owner; make another user owner first",
        ));
    }
    store::set_disabled(&mut tx, id, disabled.then_some(now), now).await?;
    if disabled {
        store::delete_sessions_of(&mut tx, id).await?;
    }
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    store::audit(&mut tx, actor, action, &user.email, "", now).await?;
    let user = store::user(&mut tx, id).await?;
    tx.commit().await?;
    Ok(user)
}

pub async fn users(db: &Db) -> Result<Vec<User>, AppError> {
    let mut conn = db.acquire().await?;
    Ok(store::users(&mut conn).await?)
}

pub async fn user_by_email(db: &Db, email: &str) -> Result<User, AppError> {
    let email = auth::normalize_email(email)?;
    let mut conn = db.acquire().await?;
    store::credentials(&mut conn, &email)
        .await?
        .map(|c| c.user)
        .ok_or_else(|| AppError::not_found("user", email))
}

pub async fn sessions(db: &Db, user: Option<UserId>) -> Result<Vec<SessionInfo>, AppError> {
    let mut conn = db.acquire().await?;
    Ok(store::sessions(&mut conn, user).await?)
}

/// A new token, shown once: `(secret, what lists show)`.
pub async fn create_token(
    db: &Db,
    user: UserId,
    name: &str,
    scope: Scope,
    expires_days: Option<i64>,
    actor: &Actor,
    now: Timestamp,
) -> Result<(String, TokenInfo), AppError> {
    let name = auth::parse_token_name(name)?;
    let mut tx = storage::begin_write(db).await?;
    let owner = store::user(&mut tx, user).await?;
    if scope.max_access() > owner.role.max_access() {
        return Err(AppError::validation(
            "scope",
            format!(
                "a {} can make tokens that {}",
                owner.role.as_str(),
                match owner.role.max_access() {
                    Access::Read => "read",
                    _ => "read or write",
                }
            ),
        ));
    }
    let secret = format!("{TOKEN_PREFIX}{}", new_secret());
    let prefix: String = secret.chars().take(TOKEN_SHOWN_CHARS).collect();
    let expires = expires_days.map(|d| now.plus_seconds(d.saturating_mul(86_400)));
    let id = store::insert_token(
        &mut tx,
        user,
        &name,
        &prefix,
        &secret_hash(&secret),
        scope,
        now,
        expires,
    )
    .await?;
    store::audit(
        &mut tx,
        actor,
        "token.create",
        &format!("{name} ({prefix}…) of {}", owner.email),
        &format!("scope {}", scope.as_str()),
        now,
    )
    .await?;
    let info = store::tokens(&mut tx, user)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or(AppError::Internal)?;
    tx.commit().await?;
    Ok((secret, info))
}

pub async fn tokens(db: &Db, user: UserId) -> Result<Vec<TokenInfo>, AppError> {
    let mut conn = db.acquire().await?;
    Ok(store::tokens(&mut conn, user).await?)
}

/// Revokes one of `user`'s tokens.
pub async fn revoke_token(
    db: &Db,
    user: UserId,
    id: TokenId,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), AppError> {
    let mut tx = storage::begin_write(db).await?;
    let name = store::revoke_token(&mut tx, id, Some(user), now)
        .await?
        .ok_or_else(|| AppError::not_found("token", id))?;
    store::audit(&mut tx, actor, "token.revoke", &name, "", now).await?;
    tx.commit().await?;
    Ok(())
}

/// An invitation link's secret, valid for seven days.
pub async fn invite(
    db: &Db,
    by: UserId,
    email: &str,
    name: &str,
    role: Role,
    actor: &Actor,
    now: Timestamp,
) -> Result<(String, Timestamp), AppError> {
    let email = auth::normalize_email(email)?;
    let name = auth::parse_user_name(name)?;
    let secret = new_secret();
    let expires = now.plus_seconds(INVITE_SECS);
    let mut tx = storage::begin_write(db).await?;
    if store::credentials(&mut tx, &email).await?.is_some() {
        return Err(AppError::conflict_on(
            "email",
            format!("a user with the e-mail {email} already exists"),
        ));
    }
    store::insert_invite(
        &mut tx,
        &secret_hash(&secret),
        &email,
        &name,
        role,
        by,
        now,
        expires,
    )
    .await?;
    store::audit(
        &mut tx,
        actor,
        "invite.create",
        &email,
        &format!("role {}", role.as_str()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((secret, expires))
}

/// What an invitation link is for: `(email, name, role)`, while it is valid.
pub async fn invitation(
    db: &Db,
    secret: &str,
    now: Timestamp,
) -> Result<(String, String, Role), AppError> {
    let mut conn = db.acquire().await?;
    match store::invite_by_hash(&mut conn, &secret_hash(secret)).await? {
        Some((_, email, name, role, expires)) if now < expires => Ok((email, name, role)),
        _ => Err(AppError::not_found("invitation", "link")),
    }
}

/// Accepts an invitation: makes the user with their chosen password (once).
pub async fn accept_invite(
    db: &Db,
    secret: &str,
    password: &str,
    ip: &str,
    now: Timestamp,
) -> Result<User, AppError> {
    let (email, name, role) = invitation(db, secret, now).await?;
    check_password(password, &email, &name)?;
    let hash = hash_password(password).await?;
    let mut tx = storage::begin_write(db).await?;
    let (id, ..) = store::invite_by_hash(&mut tx, &secret_hash(secret))
        .await?
        .ok_or_else(|| AppError::not_found("invitation", "link"))?;
    if !store::use_invite(&mut tx, id, now).await? {
        return Err(AppError::conflict("this invitation was already used"));
    }
    let uid = store::insert_user(&mut tx, &email, &name, role, &hash, now).await?;
    let actor = Actor {
        user: Some(uid),
        label: email.clone(),
        ip: ip.to_owned(),
    };
    store::audit(&mut tx, &actor, "invite.accept", &email, role.as_str(), now).await?;
    let user = store::user(&mut tx, uid).await?;
    tx.commit().await?;
    Ok(user)
}

/// Records something in the audit log on its own (deletes, imports, rotations).
pub async fn record(
    db: &Db,
    actor: &Actor,
    action: &str,
    target: &str,
    detail: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    let mut conn = db.writer().acquire().await?;
    Ok(store::audit(&mut conn, actor, action, target, detail, now).await?)
}

pub async fn audit_log(db: &Db, limit: i64) -> Result<Vec<AuditEntry>, AppError> {
    let mut conn = db.acquire().await?;
    Ok(store::audit_entries(&mut conn, limit.clamp(1, 1000)).await?)
}

#[cfg(test)]
mod tests;
