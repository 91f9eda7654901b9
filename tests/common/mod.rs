//! The test app: the real router on a fresh SQLite file.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use paas::error::AppError;
use paas::server::{router, AppState};
use paas::storage::Db;
use serde_json::{json, Value};
use tower::ServiceExt;

pub struct TestApp {
    pub _dir: tempfile::TempDir,
    pub db: Db,
    pub router: Router,
    /// The sign-in cookie of the owner every request is sent as (unless told otherwise).
    pub cookie: String,
    /// The change feed behind `/events` (its watcher is not started unless a test does).
    pub events: paas::server::events::Events,
}

/// The host and origin the test browser uses.
pub const HOST: &str = "localhost:3000";
pub const ORIGIN: &str = "http://localhost:3000";
pub const PASSWORD: &str = "correct horse battery staple";

/// How a request authenticates.
#[derive(Debug, Clone)]
pub enum As {
    /// Nobody: no cookie, no token.
    Nobody,
    /// A browser with this sign-in cookie (same-origin headers added for writes).
    Cookie(String),
    /// A script with this API token.
    Token(String),
}

pub const MAX_BODY: usize = 64 * 1024;
pub const MAX_IMPORT: usize = 1024 * 1024;

pub async fn app() -> TestApp {
    let security = paas::server::auth::Security::new(
        paas::server::guard::Origins::new(None, Some(3000)).unwrap(),
        600,
    );
    let mut app = bare_app(security).await;
    app.cookie = app.user("owner@example.com", Role::Owner).await;
    app
}

/// The real router on a fresh database with no users (and no one signed in).
pub async fn bare_app(security: paas::server::auth::Security) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db = paas::storage::open(&dir.path().join("t.db").to_string_lossy())
        .await
        .unwrap();
    let leptos_options = LeptosOptions::builder().output_name("paas").build();
    let events = paas::server::events::Events::default();
    let router = router(AppState {
        leptos_options,
        db: db.clone(),
        max_body_bytes: MAX_BODY,
        max_import_bytes: MAX_IMPORT,
        pool: Default::default(),
        analytics: Default::default(),
        imports: Default::default(),
        security,
        events: events.clone(),
        prices: Default::default(),
        capture_dirs: Default::default(),
        assets: Default::default(),
        time_zone: Default::default(),
        model_pass: paas::service::model::ModelPass::ephemeral(),
    });
    TestApp {
        _dir: dir,
        db,
        router,
        cookie: String::new(),
        events,
    }
}

use paas::domain::auth::Role;

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn app_error(&self) -> AppError {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not an AppError ({e}): {}", self.text()))
    }
}

impl TestApp {
    /// Adds a user with `role` and signs them in: their cookie value.
    pub async fn user(&self, email: &str, role: Role) -> String {
        let now = paas::server::clock::now();
        let cli = paas::storage::auth::Actor {
            user: None,
            label: "cli".into(),
            ip: String::new(),
        };
        paas::service::auth::create_user(&self.db, email, email, role, PASSWORD, &cli, now)
            .await
            .unwrap();
        paas::service::auth::sign_in(&self.db, email, PASSWORD, "127.0.0.1", "test", now)
            .await
            .unwrap()
            .secret
    }

    /// An API token of the user with `email`.
    pub async fn token(&self, email: &str, scope: &str, days: Option<i64>) -> String {
        let now = paas::server::clock::now();
        let cli = paas::storage::auth::Actor::default();
        let user = paas::service::auth::user_by_email(&self.db, email)
            .await
            .unwrap();
        paas::service::auth::create_token(
            &self.db,
            user.id,
            "test",
            scope.parse().unwrap(),
            days,
            &cli,
            now,
        )
        .await
        .unwrap()
        .0
    }

    /// Sends a request as the signed-in owner's browser.
    pub async fn send(&self, req: Request<Body>) -> Answer {
        self.send_as(req, &As::Cookie(self.cookie.clone())).await
    }

    /// Sends a request the way a browser or script authenticated `who` would: the `Host`
    /// header, and for a browser its cookie and the `Origin` of its writes. Headers the
    /// request already has are kept.
    pub async fn send_as(&self, mut req: Request<Body>, who: &As) -> Answer {
        let h = req.headers_mut();
        if !h.contains_key(header::HOST) {
            h.insert(header::HOST, HOST.parse().unwrap());
        }
        match who {
            As::Nobody => {}
            As::Cookie(c) => {
                if !h.contains_key(header::COOKIE) {
                    h.insert(header::COOKIE, format!("paas_session={c}").parse().unwrap());
                }
                if !h.contains_key(header::ORIGIN) && !h.contains_key("sec-fetch-site") {
                    h.insert(header::ORIGIN, ORIGIN.parse().unwrap());
                }
            }
            As::Token(t) => {
                if !h.contains_key(header::AUTHORIZATION) {
                    h.insert(
                        header::AUTHORIZATION,
                        format!("Bearer {t}").parse().unwrap(),
                    );
                }
            }
        }
        self.send_raw(req).await
    }

    /// Sends a request exactly as given.
    pub async fn send_raw(&self, req: Request<Body>) -> Answer {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> Answer {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn json(&self, method: &str, uri: &str, body: impl Into<Body>) -> Answer {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.into())
            .unwrap();
        self.send(req).await
    }

    pub async fn rpc(&self, name: &str, form: &[(&str, &str)]) -> Answer {
        let req = Request::post(format!("/rpc/{name}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(serde_urlencoded::to_string(form).unwrap()))
            .unwrap();
        self.send(req).await
    }

    pub async fn project_count(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM projects")
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    pub async fn create(&self, name: &str) -> i64 {
        let a = self
            .json("POST", "/api/projects", json!({ "name": name }).to_string())
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
        a.json()["id"].as_i64().unwrap()
    }

    /// Creates an account with 100 credits; returns its id.
    #[allow(dead_code)]
    pub async fn account_named(&self, name: &str) -> i64 {
        let a = self
            .json(
                "POST",
                "/api/accounts",
                json!({ "account_name": name, "credits_available": 100 }).to_string(),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
        a.json()["id"].as_i64().unwrap()
    }

    /// Starts a session; returns its id.
    #[allow(dead_code)]
    pub async fn session(&self, project: i64, account: i64, objectives: &str) -> i64 {
        let s = self
            .json(
                "POST",
                "/api/sessions",
                json!({ "project_id": project, "account_id": account, "objectives": objectives })
                    .to_string(),
            )
            .await;
        assert_eq!(s.status, StatusCode::CREATED, "{}", s.text());
        s.json()["id"].as_i64().unwrap()
    }
}
