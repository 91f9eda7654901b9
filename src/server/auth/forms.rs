//! The sign-in, sign-out, setup and invitation form posts, and the first start's setup code.

use super::{client_ip, deny, set_cookie, urlencode, Principal, Via};
use crate::domain::auth;
use crate::error::AppError;
use crate::server::AppState;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::net::SocketAddr;
use std::time::Instant;

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub next: Option<String>,
}

fn json_client(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json") && !v.contains("text/html"))
}

/// `POST /login` (form fields `email`, `password`, optional `next`).
pub async fn login(
    State(state): State<AppState>,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let sec = &state.security;
    let ip = client_ip(&headers, connect.map(|c| c.0 .0), sec.trusted_proxies);
    let email_key = format!(
        "email:{}",
        auth::normalize_email(&form.email).unwrap_or_else(|_| form.email.trim().to_lowercase())
    );
    let ip_key = format!("ip:{ip}");
    let next = auth::safe_next(form.next.as_deref());
    let json = json_client(&headers);
    let back = |error: &str, wait: u64| {
        let mut q = format!("/login?error={error}");
        if wait > 0 {
            q.push_str(&format!("&wait={wait}"));
        }
        if next != "/" {
            q.push_str(&format!("&next={}", urlencode(&next)));
        }
        Redirect::to(&q).into_response()
    };
    let wait = {
        let t = sec.throttle.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        t.wait(&email_key, now).max(t.wait(&ip_key, now))
    };
    if wait > 0 {
        tracing::warn!(%ip, "sign-in throttled");
        let error = AppError::TooManyRequests {
            message: format!("too many failed sign-ins; try again in {wait} s"),
            retry_after_secs: wait,
        };
        if json {
            return deny("/api", error);
        }
        let mut res = back("throttled", wait);
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return res;
    }
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let now = crate::server::clock::now();
    match crate::service::auth::sign_in(
        &state.db,
        &form.email,
        &form.password,
        &ip,
        user_agent,
        now,
    )
    .await
    {
        Ok(signed) => {
            {
                let mut t = sec.throttle.lock().unwrap_or_else(|p| p.into_inner());
                t.clear(&email_key);
            }
            let mut res = if json {
                axum::Json(serde_json::json!({ "success": true, "data": { "email": signed.user.email, "role": signed.user.role } })).into_response()
            } else {
                Redirect::to(&next).into_response()
            };
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&sec.origins, &signed.secret, auth::SESSION_MAX_SECS),
            );
            res
        }
        Err(AppError::Unauthorized { message }) => {
            {
                let mut t = sec.throttle.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                t.fail(&email_key, now);
                t.fail(&ip_key, now);
            }
            if json {
                deny("/api", AppError::Unauthorized { message })
            } else {
                back("failed", 0)
            }
        }
        Err(e) => {
            if json {
                deny("/api", e)
            } else {
                back("failed", 0)
            }
        }
    }
}

/// `POST /logout`: ends this session.
pub async fn logout(
    State(state): State<AppState>,
    principal: Option<axum::Extension<Principal>>,
) -> Response {
    if let Some(axum::Extension(p)) = principal {
        if let Via::Session(id) = p.via {
            let now = crate::server::clock::now();
            if let Err(e) = crate::service::auth::sign_out(&state.db, id, &p.actor(), now).await {
                tracing::warn!(error = %e, "sign-out failed");
            }
        }
    }
    let mut res = Redirect::to("/login?signed_out=1").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state.security.origins, "", 0),
    );
    res
}

/// `POST /logout-everywhere`: ends every session of the signed-in user.
pub async fn logout_everywhere(
    State(state): State<AppState>,
    axum::Extension(p): axum::Extension<Principal>,
) -> Response {
    let now = crate::server::clock::now();
    if let Err(e) =
        crate::service::auth::sign_out_everywhere(&state.db, p.me.id, &p.actor(), now).await
    {
        tracing::warn!(error = %e, "sign-out everywhere failed");
    }
    let mut res = Redirect::to("/login?signed_out=1").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state.security.origins, "", 0),
    );
    res
}

#[derive(Debug, Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub password: String,
}

/// The error code a sign-in page shows a fixed message for (never text from the request).
fn error_code(e: &AppError) -> &'static str {
    match e.field() {
        Some("email") => "email",
        Some("name") => "name",
        Some("password") => "password",
        _ if e.status_code() == 409 => "taken",
        _ if e.status_code() == 404 => "expired",
        _ => "failed",
    }
}

/// `POST /setup`: the first owner, with the one-time code from the server log.
pub async fn setup(
    State(state): State<AppState>,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<SetupForm>,
) -> Response {
    let sec = &state.security;
    let ip = client_ip(&headers, connect.map(|c| c.0 .0), sec.trusted_proxies);
    let ip_key = format!("ip:{ip}");
    if sec
        .throttle
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .wait(&ip_key, Instant::now())
        > 0
    {
        return Redirect::to("/setup?error=throttled").into_response();
    }
    let code_ok = {
        let code = sec.setup_code.lock().unwrap_or_else(|p| p.into_inner());
        code.as_deref().is_some_and(|c| {
            use subtle::ConstantTimeEq;
            bool::from(c.as_bytes().ct_eq(form.code.trim().as_bytes()))
        })
    };
    if !code_ok {
        sec.throttle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .fail(&ip_key, Instant::now());
        return Redirect::to("/setup?error=code").into_response();
    }
    let now = crate::server::clock::now();
    let made = crate::service::auth::setup_owner(
        &state.db,
        &form.email,
        &form.name,
        &form.password,
        &ip,
        now,
    )
    .await;
    match made {
        Ok(_) => {
            sec.setup_code
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take();
            sign_in_after(&state, &form.email, &form.password, &ip, &headers).await
        }
        Err(e) => Redirect::to(&format!("/setup?error={}", error_code(&e))).into_response(),
    }
}

async fn sign_in_after(
    state: &AppState,
    email: &str,
    password: &str,
    ip: &str,
    headers: &HeaderMap,
) -> Response {
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let now = crate::server::clock::now();
    match crate::service::auth::sign_in(&state.db, email, password, ip, ua, now).await {
        Ok(signed) => {
            let mut res = Redirect::to("/").into_response();
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    &state.security.origins,
                    &signed.secret,
                    auth::SESSION_MAX_SECS,
                ),
            );
            res
        }
        Err(_) => Redirect::to("/login").into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    pub password: String,
}

/// `POST /invite/{secret}`: accepts an invitation with the chosen password.
pub async fn accept_invite(
    State(state): State<AppState>,
    axum::extract::Path(secret): axum::extract::Path<String>,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<InviteForm>,
) -> Response {
    let ip = client_ip(
        &headers,
        connect.map(|c| c.0 .0),
        state.security.trusted_proxies,
    );
    let now = crate::server::clock::now();
    match crate::service::auth::accept_invite(&state.db, &secret, &form.password, &ip, now).await {
        Ok(user) => sign_in_after(&state, &user.email, &form.password, &ip, &headers).await,
        Err(e) => Redirect::to(&format!(
            "/invite/{}?error={}",
            urlencode(&secret),
            error_code(&e)
        ))
        .into_response(),
    }
}

/// Makes the setup code when the server has no users yet, and prints it.
pub async fn prepare_setup(state: &AppState) -> Result<(), AppError> {
    if crate::service::auth::needs_setup(&state.db).await? {
        let code = crate::service::auth::new_secret()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(12)
            .collect::<String>();
        tracing::warn!(
            "no users yet: open /setup and enter the setup code {code} to create the owner \
             (or run `paas user add --role owner …`)"
        );
        *state
            .security
            .setup_code
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(code);
    }
    Ok(())
}
