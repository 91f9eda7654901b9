//! Who is asking, and whether they may: the sign-in cookie or an API token becomes a
//! `Principal` in the request's extensions, and one rule per route decides what it needs.
//! The sign-in, sign-out, setup and invitation forms are plain HTML form posts (they work
//! without JavaScript).

use crate::domain::auth::{self, Me, SessionRowId, TokenId};
use crate::error::AppError;
use crate::server::guard::Origins;
use crate::server::AppState;
use crate::storage::auth::Actor;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;
use std::time::Duration;

mod forms;
mod rules;
mod security;

pub use forms::{
    accept_invite, login, logout, logout_everywhere, prepare_setup, setup, InviteForm, SetupForm,
    SignInForm,
};
pub use rules::{audit_action, need, Need, PUBLIC_RPCS, READ_RPCS};
pub use security::{FreshInvite, Security, Throttle};

/// The sign-in cookie's name: `__Host-` (Secure, whole site, no Domain) over https.
pub fn cookie_name(origins: &Origins) -> &'static str {
    if origins.https() {
        "__Host-paas_session"
    } else {
        "paas_session"
    }
}

/// The sign-in cookie's value, if the request carries one.
pub fn session_cookie(headers: &HeaderMap, origins: &Origins) -> Option<String> {
    let name = cookie_name(origins);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn set_cookie(origins: &Origins, value: &str, max_age: i64) -> HeaderValue {
    let secure = if origins.https() { "; Secure" } else { "" };
    let cookie = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        cookie_name(origins)
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// How a request is authenticated.
#[derive(Debug, Clone)]
pub enum Via {
    Session(SessionRowId),
    Token(TokenId),
}

/// The signed-in user of a request (in its extensions; server functions read it from the
/// request parts in their context).
#[derive(Debug, Clone)]
pub struct Principal {
    pub me: Me,
    pub via: Via,
    pub ip: String,
}

impl Principal {
    pub fn actor(&self) -> Actor {
        Actor {
            user: Some(self.me.id),
            label: self.me.email.clone(),
            ip: self.ip.clone(),
        }
    }
}

/// The client's address: the peer, or the address the trusted proxy appended.
pub fn client_ip(req_headers: &HeaderMap, peer: Option<SocketAddr>, trusted: usize) -> String {
    if trusted > 0 {
        let forwarded: Vec<&str> = req_headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        if forwarded.len() >= trusted {
            if let Some(ip) = forwarded.get(forwarded.len() - trusted) {
                return (*ip).to_owned();
            }
        }
    }
    peer.map(|p| p.ip().to_string()).unwrap_or_default()
}

fn peer(req: &Request) -> Option<SocketAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
}

fn wants_json(path: &str) -> bool {
    path.starts_with("/api") || path.starts_with("/rpc/") || path.starts_with("/upload/")
}

fn deny(path: &str, error: AppError) -> Response {
    if path.starts_with("/api") {
        return crate::rest::ApiError(error).into_response();
    }
    let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::FORBIDDEN);
    let mut res = (status, axum::Json(&error)).into_response();
    if let AppError::TooManyRequests {
        retry_after_secs, ..
    } = error
    {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    }
    res
}

/// The middleware: finds the principal, then applies `need`.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let sec = &state.security;
    let path = req.uri().path().to_owned();
    let now = crate::server::clock::now();
    let ip = client_ip(req.headers(), peer(&req), sec.trusted_proxies);
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|v| v.trim().to_owned());
    let mut clear_cookie = false;
    let principal = if let Some(secret) = bearer {
        match crate::service::auth::token_user(&state.db, &secret, now).await {
            Ok(Some((me, token))) => {
                if let Err(wait) = sec.check_token_rate(token) {
                    return deny(
                        &path,
                        AppError::TooManyRequests {
                            message: "this token sent too many requests".into(),
                            retry_after_secs: wait,
                        },
                    );
                }
                Some(Principal {
                    me,
                    via: Via::Token(token),
                    ip: ip.clone(),
                })
            }
            Ok(None) => {
                return deny(
                    &path,
                    AppError::unauthorized("the API token is unknown, expired or revoked"),
                )
            }
            Err(e) => return deny(&path, e),
        }
    } else if let Some(secret) = session_cookie(req.headers(), &sec.origins) {
        match crate::service::auth::session_user(&state.db, &secret, now).await {
            Ok(Some((me, session))) => Some(Principal {
                me,
                via: Via::Session(session),
                ip: ip.clone(),
            }),
            Ok(None) => {
                clear_cookie = true;
                None
            }
            Err(e) => return deny(&path, e),
        }
    } else {
        None
    };
    let verdict = match need(req.method(), &path) {
        Need::Public => Ok(()),
        Need::Static if principal.is_some() || static_exists(&state, &path) => Ok(()),
        Need::Static => Err(StatusCode::NOT_FOUND),
        Need::Access(access) => match &principal {
            None => Err(StatusCode::UNAUTHORIZED),
            Some(p) if p.me.can(access) => Ok(()),
            // a page the user may not use renders its own "not allowed" panel: the server
            // functions it calls check the role themselves (`api::ssr::require`)
            Some(_)
                if matches!(*req.method(), Method::GET | Method::HEAD) && !wants_json(&path) =>
            {
                Ok(())
            }
            Some(_) => Err(StatusCode::FORBIDDEN),
        },
    };
    let mut res = match verdict {
        Ok(()) => {
            let audited = principal
                .as_ref()
                .and_then(|p| audit_action(req.method(), &path).map(|a| (p.actor(), a)));
            let method = req.method().clone();
            if let Some(p) = principal {
                req.extensions_mut().insert(p);
            }
            let res = next.run(req).await;
            if let Some((actor, action)) = audited {
                let st = res.status();
                if st.is_success() || st.is_redirection() {
                    let target = format!("{method} {path}");
                    if let Err(e) =
                        crate::service::auth::record(&state.db, &actor, action, &target, "", now)
                            .await
                    {
                        tracing::warn!(error = %e, "audit record failed");
                    }
                }
            }
            res
        }
        Err(StatusCode::NOT_FOUND) => (StatusCode::NOT_FOUND, "not found").into_response(),
        Err(StatusCode::UNAUTHORIZED) => {
            let page = matches!(*req.method(), Method::GET | Method::HEAD) && !wants_json(&path);
            if page {
                let target = req
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let next = auth::safe_next(Some(target));
                let location = if next == "/" {
                    "/login".to_owned()
                } else {
                    format!("/login?next={}", urlencode(&next))
                };
                Redirect::to(&location).into_response()
            } else {
                deny(
                    &path,
                    AppError::unauthorized("sign in first (or send an API token)"),
                )
            }
        }
        Err(_) => deny(
            &path,
            AppError::forbidden("your role or token does not allow this (ask an owner for access)"),
        ),
    };
    if clear_cookie {
        res.headers_mut()
            .append(header::SET_COOKIE, set_cookie(&sec.origins, "", 0));
    }
    res
}

fn static_exists(state: &AppState, path: &str) -> bool {
    if state.assets.find(path).is_some() {
        return true;
    }
    let root = std::path::Path::new(state.leptos_options.site_root.as_ref());
    let rel = path.trim_start_matches('/');
    !rel.contains("..") && root.join(rel).is_file()
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Removes sessions past their end, every hour.
pub fn spawn_session_sweeper(db: crate::storage::Db) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let now = crate::server::clock::now();
            if let Ok(mut conn) = db.writer().acquire().await {
                if let Err(e) = crate::storage::auth::delete_expired_sessions(&mut conn, now).await
                {
                    tracing::warn!(error = %e, "removing ended sessions failed");
                }
            }
        }
    });
}

#[cfg(test)]
mod tests;
