//! Server functions for sign-in pages, the signed-in user's own tokens and sessions, and
//! the owner's user management and audit log (`admin_*`: owners only, by the router's
//! rule).

use crate::domain::auth::{AuditEntry, Me, Role, SessionInfo, TokenInfo, User};
use crate::domain::time::Timestamp;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{server::clock, service::auth as svc};

/// What the sign-in pages need: whether the server still needs its owner, and who is
/// signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInStatus {
    pub needs_setup: bool,
    pub me: Option<Me>,
}

#[server(prefix = "/rpc", endpoint = "auth_status")]
pub async fn auth_status() -> Result<SignInStatus, AppError> {
    let state = super::ssr::state()?;
    Ok(SignInStatus {
        needs_setup: svc::needs_setup(&state.db).await?,
        me: super::ssr::principal().map(|p| p.me),
    })
}

/// The signed-in user (None when nobody is).
#[server(prefix = "/rpc", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    Ok(super::ssr::principal().map(|p| p.me))
}

/// An invitation as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub email: String,
    pub name: String,
    pub role: Role,
}

#[server(prefix = "/rpc", endpoint = "invitation_info")]
pub async fn invitation_info(secret: String) -> Result<Invitation, AppError> {
    let state = super::ssr::state()?;
    let (email, name, role) = svc::invitation(&state.db, &secret, clock::now()).await?;
    Ok(Invitation { email, name, role })
}

/// The signed-in user's tokens and sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MySettings {
    pub me: Me,
    /// A token this browser session just made: shown once.
    pub fresh_token: Option<String>,
    /// The session of this request, marked in the list.
    pub current: Option<crate::domain::auth::SessionRowId>,
    pub tokens: Vec<TokenInfo>,
    pub sessions: Vec<SessionInfo>,
    pub now: Timestamp,
}

#[server(prefix = "/rpc", endpoint = "my_tokens")]
pub async fn my_tokens() -> Result<MySettings, AppError> {
    let state = super::ssr::state()?;
    let p = super::ssr::signed_in()?;
    let fresh_token = match p.via {
        crate::server::auth::Via::Session(id) => state
            .security
            .fresh_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id.0),
        crate::server::auth::Via::Token(_) => None,
    };
    let current = match p.via {
        crate::server::auth::Via::Session(id) => Some(id),
        crate::server::auth::Via::Token(_) => None,
    };
    Ok(MySettings {
        fresh_token,
        current,
        tokens: svc::tokens(&state.db, p.me.id).await?,
        sessions: svc::sessions(&state.db, Some(p.me.id)).await?,
        me: p.me,
        now: clock::now(),
    })
}

/// A token just made: the secret is in this answer only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    pub secret: String,
    pub token: TokenInfo,
}

#[server(prefix = "/rpc", endpoint = "create_my_token")]
pub async fn create_my_token(
    name: String,
    scope: String,
    expires_days: Option<String>,
) -> Result<NewToken, AppError> {
    let state = super::ssr::state()?;
    let p = super::ssr::signed_in()?;
    let scope = scope.parse()?;
    let days = crate::domain::auth::parse_expiry_days(expires_days.as_deref())?;
    let (secret, token) = svc::create_token(
        &state.db,
        p.me.id,
        &name,
        scope,
        days,
        &p.actor(),
        clock::now(),
    )
    .await?;
    if let crate::server::auth::Via::Session(id) = p.via {
        state
            .security
            .fresh_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.0, secret.clone());
    }
    Ok(NewToken { secret, token })
}

#[server(prefix = "/rpc", endpoint = "revoke_my_token")]
pub async fn revoke_my_token(id: String) -> Result<(), AppError> {
    let state = super::ssr::state()?;
    let p = super::ssr::signed_in()?;
    let id = id.parse()?;
    svc::revoke_token(&state.db, p.me.id, id, &p.actor(), clock::now()).await
}

/// Everything the owner's page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminView {
    /// An invitation link this browser session just made: shown once.
    pub fresh_invite: Option<InviteLink>,
    pub users: Vec<User>,
    pub sessions: Vec<SessionInfo>,
    pub audit: Vec<AuditEntry>,
    pub now: Timestamp,
}

#[server(prefix = "/rpc", endpoint = "admin_overview")]
pub async fn admin_overview() -> Result<AdminView, AppError> {
    let state = super::ssr::state()?;
    let p = super::ssr::require(crate::domain::auth::Access::Admin)?;
    let fresh_invite = match p.via {
        crate::server::auth::Via::Session(id) => state
            .security
            .fresh_invites
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id.0)
            .map(|(path, email, expires_at)| InviteLink {
                path,
                email,
                expires_at,
            }),
        crate::server::auth::Via::Token(_) => None,
    };
    Ok(AdminView {
        fresh_invite,
        users: svc::users(&state.db).await?,
        sessions: svc::sessions(&state.db, None).await?,
        audit: svc::audit_log(&state.db, 200).await?,
        now: clock::now(),
    })
}

/// An invitation link to send (valid for seven days).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteLink {
    pub path: String,
    pub email: String,
    pub expires_at: Timestamp,
}

#[server(prefix = "/rpc", endpoint = "admin_invite")]
pub async fn admin_invite(
    email: String,
    name: String,
    role: String,
) -> Result<InviteLink, AppError> {
    let state = super::ssr::state()?;
    let p = super::ssr::require(crate::domain::auth::Access::Admin)?;
    let role: Role = role.parse()?;
    let (secret, expires_at) = svc::invite(
        &state.db,
        p.me.id,
        &email,
        &name,
        role,
        &p.actor(),
        clock::now(),
    )
    .await?;
    let link = InviteLink {
        path: format!("/invite/{secret}"),
        email: crate::domain::auth::normalize_email(&email)?,
        expires_at,
    };
    if let crate::server::auth::Via::Session(id) = p.via {
        state
            .security
            .fresh_invites
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.0, (link.path.clone(), link.email.clone(), expires_at));
    }
    Ok(link)
}

#[server(prefix = "/rpc", endpoint = "admin_set_disabled")]
pub async fn admin_set_disabled(id: String, disabled: String) -> Result<(), AppError> {
    let state = super::ssr::state()?;
    let p = super::ssr::require(crate::domain::auth::Access::Admin)?;
    let id = id.parse()?;
    let disabled = matches!(disabled.as_str(), "true" | "1" | "on");
    svc::set_disabled(&state.db, id, disabled, &p.actor(), clock::now()).await?;
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "admin_reset_password")]
pub async fn admin_reset_password(email: String, password: String) -> Result<(), AppError> {
    let state = super::ssr::state()?;
    let p = super::ssr::require(crate::domain::auth::Access::Admin)?;
    svc::reset_password(&state.db, &email, &password, &p.actor(), clock::now()).await?;
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "admin_sign_out_user")]
pub async fn admin_sign_out_user(id: String) -> Result<u64, AppError> {
    let state = super::ssr::state()?;
    let p = super::ssr::require(crate::domain::auth::Access::Admin)?;
    let id = id.parse()?;
    svc::sign_out_everywhere(&state.db, id, &p.actor(), clock::now()).await
}
