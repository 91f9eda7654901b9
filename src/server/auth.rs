//! Who is asking, and whether they may: the sign-in cookie or an API token becomes a
//! `Principal` in the request's extensions, and one rule per route decides what it needs.
//! The sign-in, sign-out, setup and invitation forms are plain HTML form posts (they work
//! without JavaScript).

use crate::domain::auth::{self, Access, Me, SessionRowId, TokenId};
use crate::error::AppError;
use crate::server::guard::Origins;
use crate::server::AppState;
use crate::storage::auth::Actor;
use axum::extract::{ConnectInfo, Form, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Anyone: sign-in, setup, invitations, health and the static files.
    Public,
    /// A static file: public when it exists.
    Static,
    /// A signed-in user or token with at least this access.
    Access(Access),
}

/// Server functions that only read (everything else under `/rpc` writes).
pub const READ_RPCS: &[&str] = &[
    "list_accounts",
    "get_account",
    "account_options",
    "project_switches",
    "latest_handoff",
    "get_analytics",
    "get_alerts",
    "handoff_sources",
    "compress_handoff",
    "handoff_briefing",
    "list_knowledge",
    "get_knowledge",
    "suggest_knowledge",
    "list_projects",
    "get_project",
    "list_files",
    "list_sessions",
    "start_options",
    "get_session",
    "rotate_choices",
    "project_timeline",
    "get_stats",
    "live_usage",
    "capture_sources",
    // the signed-in user's own things: any role manages its own tokens and sessions
    "current_user",
    "my_tokens",
    "create_my_token",
    "revoke_my_token",
    "my_sessions",
];

/// Server functions anyone may call (they back the sign-in pages).
pub const PUBLIC_RPCS: &[&str] = &["auth_status", "invitation_info"];

/// The rule for one request.
pub fn need(method: &Method, path: &str) -> Need {
    let read_method = matches!(*method, Method::GET | Method::HEAD);
    match path {
        "/login" | "/setup" | "/healthz" | "/readyz" => return Need::Public,
        "/logout" | "/logout-everywhere" => return Need::Access(Access::Read),
        _ => {}
    }
    if path.starts_with("/invite/") && path.matches('/').count() == 2 {
        return Need::Public;
    }
    if let Some(name) = path.strip_prefix("/rpc/") {
        if PUBLIC_RPCS.contains(&name) {
            return Need::Public;
        }
        if READ_RPCS.contains(&name) {
            return Need::Access(Access::Read);
        }
        if name.starts_with("admin_") {
            return Need::Access(Access::Admin);
        }
        return Need::Access(Access::Write);
    }
    // what capture clients read (parser states of the server's files) is theirs alone
    if path.starts_with("/api/capture/") {
        return Need::Access(Access::Write);
    }
    if path.starts_with("/api/admin/") || path == "/admin" || path.starts_with("/admin/") {
        return Need::Access(Access::Admin);
    }
    if path.starts_with("/api/") || path == "/api" || path.starts_with("/upload/") {
        // a bundle is the whole project with account e-mails: members and owners only
        let export = path.ends_with("/export");
        return Need::Access(if read_method && !export && !path.starts_with("/upload/") {
            Access::Read
        } else {
            Access::Write
        });
    }
    if read_method && is_static_path(path) {
        return Need::Static;
    }
    Need::Access(if read_method {
        Access::Read
    } else {
        Access::Write
    })
}

/// The audit log's name for a change worth recording: deletes, imports, rotations and
/// account switches, restores and credit adjustments (sign-ins and user and token changes
/// are recorded by the service itself).
pub fn audit_action(method: &Method, path: &str) -> Option<&'static str> {
    if *method == Method::GET || *method == Method::HEAD {
        return None;
    }
    let rpc = path.strip_prefix("/rpc/").unwrap_or("");
    if *method == Method::DELETE || rpc.starts_with("delete_") || rpc.starts_with("remove_") {
        return Some("delete");
    }
    if rpc.contains("import") || path.starts_with("/upload/") || path.contains("/import") {
        return Some("import");
    }
    if rpc == "rotate_account"
        || rpc == "rotate_session"
        || path.ends_with("/auto-rotate")
        || path.starts_with("/api/sessions/") && path.ends_with("/rotate")
    {
        return Some("rotation");
    }
    if path.ends_with("/switch-account") {
        return Some("account.switch");
    }
    if rpc == "restore_project" || path.ends_with("/restore") && path.starts_with("/api/projects") {
        return Some("restore");
    }
    if path.starts_with("/api/accounts/") && path.ends_with("/credits") {
        return Some("credits.adjust");
    }
    None
}

/// `/pkg/…` and top-level files with an asset extension (`/favicon.svg`).
fn is_static_path(path: &str) -> bool {
    const EXT: &[&str] = &[
        "css",
        "js",
        "wasm",
        "svg",
        "png",
        "ico",
        "txt",
        "webmanifest",
        "woff2",
        "map",
    ];
    let ext_ok = path
        .rsplit_once('.')
        .is_some_and(|(_, e)| EXT.contains(&e.to_ascii_lowercase().as_str()));
    let one_segment = path.matches('/').count() == 1;
    ext_ok && !path.contains("..") && (path.starts_with("/pkg/") || one_segment)
}

/// Failed sign-ins per e-mail and per client address; after a few, each further attempt
/// waits twice as long as the last (up to 15 minutes).
#[derive(Debug, Default)]
pub struct Throttle {
    failures: HashMap<String, (u32, Instant)>,
}

/// Failures allowed before delays begin: per e-mail, per client address.
const FREE_FAILURES_EMAIL: u32 = 5;
const FREE_FAILURES_IP: u32 = 20;
const MAX_DELAY_SECS: u64 = 900;

impl Throttle {
    fn free(key: &str) -> u32 {
        if key.starts_with("ip:") {
            FREE_FAILURES_IP
        } else {
            FREE_FAILURES_EMAIL
        }
    }

    /// Seconds to wait before `key` may try again (0: now).
    pub fn wait(&self, key: &str, now: Instant) -> u64 {
        let Some((n, last)) = self.failures.get(key) else {
            return 0;
        };
        let free = Self::free(key);
        if *n < free {
            return 0;
        }
        let delay = 1u64
            .checked_shl(n - free)
            .unwrap_or(MAX_DELAY_SECS)
            .min(MAX_DELAY_SECS);
        delay.saturating_sub(now.saturating_duration_since(*last).as_secs())
    }

    pub fn fail(&mut self, key: &str, now: Instant) {
        if self.failures.len() > 100_000 {
            // forget the oldest half rather than grow without bound
            let mut ages: Vec<Instant> = self.failures.values().map(|(_, t)| *t).collect();
            ages.sort();
            let cut = ages[ages.len() / 2];
            self.failures.retain(|_, (_, t)| *t > cut);
        }
        let e = self.failures.entry(key.to_owned()).or_insert((0, now));
        e.0 = e.0.saturating_add(1);
        e.1 = now;
    }

    pub fn clear(&mut self, key: &str) {
        self.failures.remove(key);
    }
}

type TokenLimiter = governor::DefaultKeyedRateLimiter<i64>;

/// An invitation link just made: `(path, e-mail, expiry)`.
pub type FreshInvite = (String, String, crate::domain::time::Timestamp);

/// Sign-in state of the server: origins, throttling, the setup code, token rate limits.
#[derive(Clone)]
pub struct Security {
    pub origins: Origins,
    pub throttle: Arc<Mutex<Throttle>>,
    /// The one-time code `/setup` asks for, while the server has no users.
    pub setup_code: Arc<Mutex<Option<String>>>,
    limiter: Arc<TokenLimiter>,
    /// A token just made in a browser session, shown once on the next settings render
    /// (so it shows without JavaScript too, and never travels in an address).
    pub fresh_tokens: Arc<Mutex<HashMap<i64, String>>>,
    /// The same for an invitation link the owner just made: `(path, e-mail, expiry)`.
    pub fresh_invites: Arc<Mutex<HashMap<i64, FreshInvite>>>,
    /// Trust `X-Forwarded-For` from this many proxies in front (0: use the peer address).
    pub trusted_proxies: usize,
}

impl Security {
    /// `per_minute` requests per API token (with bursts of the same size).
    pub fn new(origins: Origins, per_minute: u32) -> Self {
        use std::num::NonZeroU32;
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = governor::Quota::per_minute(n);
        Self {
            origins,
            throttle: Arc::default(),
            setup_code: Arc::default(),
            limiter: Arc::new(governor::RateLimiter::keyed(quota)),
            fresh_tokens: Arc::default(),
            fresh_invites: Arc::default(),
            trusted_proxies: 0,
        }
    }

    /// `Err(seconds to wait)` when a token has used its requests.
    fn check_token_rate(&self, token: TokenId) -> Result<(), u64> {
        self.limiter.check_key(&token.0).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            wait.as_secs().max(1)
        })
    }
}

impl Default for Security {
    fn default() -> Self {
        Self::new(Origins::default(), 600)
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

// ------------------------------------------------------------------ forms

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
mod tests {
    use super::*;

    #[test]
    fn rules() {
        let get = Method::GET;
        let post = Method::POST;
        assert_eq!(need(&get, "/login"), Need::Public);
        assert_eq!(need(&post, "/login"), Need::Public);
        assert_eq!(need(&get, "/healthz"), Need::Public);
        assert_eq!(need(&get, "/invite/abc"), Need::Public);
        assert_eq!(need(&get, "/invite/abc/x"), Need::Access(Access::Read));
        assert_eq!(need(&get, "/pkg/paas.wasm"), Need::Static);
        assert_eq!(need(&get, "/favicon.svg"), Need::Static);
        assert_eq!(need(&get, "/projects/1.css"), Need::Access(Access::Read));
        assert_eq!(need(&get, "/"), Need::Access(Access::Read));
        assert_eq!(need(&get, "/api/projects"), Need::Access(Access::Read));
        assert_eq!(need(&post, "/api/projects"), Need::Access(Access::Write));
        assert_eq!(
            need(&post, "/rpc/list_projects"),
            Need::Access(Access::Read)
        );
        assert_eq!(
            need(&post, "/rpc/delete_project"),
            Need::Access(Access::Write)
        );
        assert_eq!(
            need(&post, "/rpc/brand_new_fn"),
            Need::Access(Access::Write)
        );
        assert_eq!(need(&post, "/rpc/admin_users"), Need::Access(Access::Admin));
        assert_eq!(need(&get, "/admin"), Need::Access(Access::Admin));
        assert_eq!(need(&post, "/upload/import"), Need::Access(Access::Write));
    }

    #[test]
    fn what_is_audited() {
        assert_eq!(
            audit_action(&Method::DELETE, "/api/projects/1"),
            Some("delete")
        );
        assert_eq!(
            audit_action(&Method::POST, "/rpc/delete_account"),
            Some("delete")
        );
        assert_eq!(
            audit_action(&Method::POST, "/upload/import"),
            Some("import")
        );
        assert_eq!(
            audit_action(&Method::POST, "/rpc/import_conversation"),
            Some("import")
        );
        assert_eq!(
            audit_action(&Method::POST, "/api/private/auto-rotate"),
            Some("rotation")
        );
        assert_eq!(
            audit_action(&Method::POST, "/rpc/rotate_account"),
            Some("rotation")
        );
        assert_eq!(audit_action(&Method::POST, "/api/projects"), None);
        assert_eq!(audit_action(&Method::GET, "/api/projects/1"), None);
    }

    #[test]
    fn throttle_grows() {
        let mut t = Throttle::default();
        let t0 = Instant::now();
        for _ in 0..FREE_FAILURES_EMAIL {
            assert_eq!(t.wait("email:a", t0), 0);
            t.fail("email:a", t0);
        }
        assert_eq!(t.wait("email:a", t0), 1);
        t.fail("email:a", t0);
        assert_eq!(t.wait("email:a", t0), 2);
        for _ in 0..40 {
            t.fail("email:a", t0);
        }
        assert_eq!(t.wait("email:a", t0), MAX_DELAY_SECS);
        assert_eq!(
            t.wait("email:a", t0 + Duration::from_secs(MAX_DELAY_SECS)),
            0
        );
        t.clear("email:a");
        assert_eq!(t.wait("email:a", t0), 0);
        // addresses get more tries (people share them)
        for _ in 0..FREE_FAILURES_EMAIL {
            t.fail("ip:1", t0);
        }
        assert_eq!(t.wait("ip:1", t0), 0);
    }

    #[test]
    fn forwarded_addresses_only_from_trusted_proxies() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 10.0.0.5"),
        );
        let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
        assert_eq!(client_ip(&h, Some(peer), 0), "127.0.0.1");
        assert_eq!(client_ip(&h, Some(peer), 1), "10.0.0.5");
        assert_eq!(client_ip(&h, Some(peer), 2), "6.6.6.6");
    }
}
