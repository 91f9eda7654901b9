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
}

pub const MAX_BODY: usize = 64 * 1024;
pub const MAX_IMPORT: usize = 1024 * 1024;

pub async fn app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db = paas::storage::open(&dir.path().join("t.db").to_string_lossy())
        .await
        .unwrap();
    let leptos_options = LeptosOptions::builder().output_name("paas").build();
    let router = router(AppState {
        leptos_options,
        db: db.clone(),
        max_body_bytes: MAX_BODY,
        max_import_bytes: MAX_IMPORT,
        pool: Default::default(),
        analytics: Default::default(),
        imports: Default::default(),
    });
    TestApp {
        _dir: dir,
        db,
        router,
    }
}

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
    pub async fn send(&self, req: Request<Body>) -> Answer {
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
