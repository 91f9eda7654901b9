//! The model pass through the real router and a real SQLite file, against a stand-in
//! OpenAI-compatible server on 127.0.0.1 started by each test: a good rewrite is kept, a
//! rewrite that drops a fact, a timeout and a 500 give the extractive briefing with the
//! reason, nothing is sent without configuration, the API key is sent only when set and is
//! never readable in the database file or in an answer.
#![cfg(feature = "ssr")]

mod common;

use axum::http::{HeaderMap, StatusCode};
use common::{app, As, TestApp};
use paas::domain::auth::Role;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const LOG: &str = "User: Build the invoice export so accountants get CSV files. Never change the public REST paths.\n\
Assistant: I added src/export/csv.rs and ran cargo test --workspace.\n\
Assistant: The totals still differ; rounding happens in src/billing/rounding.rs.\n\
User: Next, fix the rounding in src/billing/rounding.rs and commit.\n";

const KEY: &str = "sk-test-SECRETVALUE123";

/// How the stand-in answers.
#[derive(Clone)]
enum Mode {
    /// The briefing it was sent, under a heading of its own.
    Rewrite,
    /// The briefing it was sent with this text taken out.
    Drop(&'static str),
    /// Waits this long, then rewrites.
    Slow(Duration),
    /// This status and no answer.
    Status(u16),
}

/// What the stand-in received: the Authorization header and the body.
#[derive(Debug, Clone)]
struct Seen {
    auth: Option<String>,
    body: Value,
}

#[derive(Clone)]
struct StandIn {
    url: String,
    mode: Arc<Mutex<Mode>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl StandIn {
    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// The briefing inside the prompt's user message.
fn briefing_of(body: &Value) -> String {
    let user = body["messages"][1]["content"].as_str().unwrap();
    let (_, rest) = user.split_once("the rewrite may have at most ").unwrap();
    rest.split_once(":\n\n").unwrap().1.to_owned()
}

async fn stand_in() -> StandIn {
    use axum::routing::post;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let s = StandIn {
        url,
        mode: Arc::new(Mutex::new(Mode::Rewrite)),
        seen: Default::default(),
    };
    let state = s.clone();
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        post(move |headers: HeaderMap, body: axum::Json<Value>| {
            let state = state.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .map(|v| v.to_str().unwrap().to_owned());
                state.seen.lock().unwrap().push(Seen {
                    auth,
                    body: body.0.clone(),
                });
                let mode = state.mode.lock().unwrap().clone();
                let briefing = briefing_of(&body.0);
                let content = match mode {
                    Mode::Rewrite => format!("## Rewritten\n{briefing}"),
                    Mode::Drop(text) => briefing.replace(text, "(gone)"),
                    Mode::Slow(wait) => {
                        tokio::time::sleep(wait).await;
                        briefing
                    }
                    Mode::Status(code) => {
                        return (StatusCode::from_u16(code).unwrap(), "failed".to_owned());
                    }
                };
                let answer = json!({
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]
                });
                (StatusCode::OK, answer.to_string())
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    s
}

async fn configure(app: &TestApp, body: Value) -> common::Answer {
    app.json("PUT", "/api/settings/model", body.to_string())
        .await
}

async fn compress(app: &TestApp) -> Value {
    let a = app
        .json(
            "POST",
            "/api/handoff/compress",
            json!({ "context": LOG, "budget_chars": 3000 }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    a.json()
}

/// The Handoff page after its form is posted without JavaScript (the server renders the
/// briefing the redirect names).
async fn page_after_form(app: &TestApp) -> String {
    use axum::http::{header, Request};
    let body = serde_urlencoded::to_string([("context", LOG), ("budget_chars", "3000")]).unwrap();
    let req = Request::post("/rpc/compress_handoff")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, "http://localhost:3000/handoff")
        .body(axum::body::Body::from(body))
        .unwrap();
    let a = app.send(req).await;
    assert!(a.status.is_redirection(), "{} {}", a.status, a.text());
    let to = a.headers[header::LOCATION].to_str().unwrap().to_owned();
    let page = app.get(&to).await;
    assert_eq!(page.status, StatusCode::OK);
    page.text()
}

#[tokio::test]
async fn a_good_rewrite_is_kept() {
    let app = app().await;
    let s = stand_in().await;
    let a = configure(
        &app,
        json!({ "base_url": s.url, "model": "llama3", "timeout_secs": 5 }),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let body = compress(&app).await;
    assert_eq!(body["engine"]["kind"], "model", "{body}");
    assert_eq!(body["engine"]["model"], "llama3");
    assert!(body["engine"]["reason"].is_null());
    let briefing = body["briefing"].as_str().unwrap();
    assert!(briefing.starts_with("## Rewritten\n"), "{briefing}");
    assert!(briefing.contains("billing/rounding.rs"));
    assert_eq!(
        body["stats"]["compressed_chars"].as_u64().unwrap() as usize,
        briefing.chars().count()
    );
    // what the model was asked: the OpenAI format, the facts and the budget
    let seen = s.seen();
    assert_eq!(seen.len(), 1);
    let sent = &seen[0].body;
    assert_eq!(sent["model"], "llama3");
    assert_eq!(sent["temperature"], 0);
    assert_eq!(sent["messages"][0]["role"], "system");
    assert!(sent["messages"][0]["content"]
        .as_str()
        .unwrap()
        .contains("At most 3000 characters"));
    let user = sent["messages"][1]["content"].as_str().unwrap();
    assert!(user.contains("- billing/rounding.rs\n"), "{user}");
    // the spec client's shape says so too
    let a = app
        .json(
            "POST",
            "/api/ai/handoff",
            json!({ "context": LOG, "budget_chars": 3000 }).to_string(),
        )
        .await;
    assert_eq!(a.json()["data"]["engine"], "model");
    // and the Handoff page's server function
    let a = app
        .rpc(
            "compress_handoff",
            &[("context", LOG), ("budget_chars", "3000")],
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let v = a.json();
    assert_eq!(v["engine"]["kind"], "model");
    assert!(v["html"].as_str().unwrap().contains("<h2>Rewritten</h2>"));
    // the page says which engine wrote it
    let html = page_after_form(&app).await;
    assert!(html.contains("Rewritten by llama3 — kept all"), "{html}");
    assert!(html.contains("engine-line model"), "{html}");
}

#[tokio::test]
async fn a_rewrite_that_drops_a_fact_is_refused_with_the_fact_named() {
    let app = app().await;
    let s = stand_in().await;
    configure(&app, json!({ "base_url": s.url, "model": "llama3" })).await;
    s.set(Mode::Drop("billing/rounding.rs"));
    let body = compress(&app).await;
    assert_eq!(body["engine"]["kind"], "extractive", "{body}");
    assert_eq!(body["engine"]["model"], "llama3");
    assert_eq!(
        body["engine"]["reason"],
        "the model's rewrite dropped `billing/rounding.rs`"
    );
    // the extractive briefing, whole
    let briefing = body["briefing"].as_str().unwrap();
    assert!(briefing.contains("billing/rounding.rs"), "{briefing}");
    assert!(!briefing.contains("(gone)"));
    assert_eq!(s.seen().len(), 1);
    let html = page_after_form(&app).await;
    assert!(
        html.contains("Extractive — the model's rewrite dropped `billing/rounding.rs`"),
        "{html}"
    );
    assert!(html.contains("engine-line refused"), "{html}");
}

#[tokio::test]
async fn a_timeout_and_a_500_return_the_extractive_briefing() {
    let app = app().await;
    let s = stand_in().await;
    configure(
        &app,
        json!({ "base_url": s.url, "model": "llama3", "timeout_secs": 1 }),
    )
    .await;
    s.set(Mode::Slow(Duration::from_secs(4)));
    let started = std::time::Instant::now();
    let body = compress(&app).await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(body["engine"]["kind"], "extractive", "{body}");
    assert_eq!(body["engine"]["reason"], "the model timed out after 1 s");
    assert!(body["briefing"]
        .as_str()
        .unwrap()
        .contains("billing/rounding.rs"));

    s.set(Mode::Status(500));
    let body = compress(&app).await;
    assert_eq!(body["engine"]["kind"], "extractive", "{body}");
    assert_eq!(body["engine"]["reason"], "the model answered 500");
    assert!(body["briefing"]
        .as_str()
        .unwrap()
        .contains("billing/rounding.rs"));

    // nothing listens there: unreachable, still the extractive briefing
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    configure(
        &app,
        json!({ "base_url": format!("http://127.0.0.1:{port}/v1"), "model": "llama3" }),
    )
    .await;
    let body = compress(&app).await;
    assert_eq!(body["engine"]["kind"], "extractive", "{body}");
    assert!(body["engine"]["reason"]
        .as_str()
        .unwrap()
        .starts_with("the model could not be reached"));
}

#[tokio::test]
async fn without_configuration_nothing_is_sent() {
    let app = app().await;
    let s = stand_in().await;
    let a = app.get("/api/settings/model").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        a.json()["data"],
        json!({ "configured": false, "settings": null })
    );
    let body = compress(&app).await;
    assert_eq!(
        body["engine"],
        json!({ "kind": "extractive", "model": null, "reason": "no model configured" })
    );
    // configured, then turned off again
    configure(&app, json!({ "base_url": s.url, "model": "llama3" })).await;
    let a = app
        .send(
            axum::http::Request::delete("/api/settings/model")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["data"]["configured"], false);
    let body = compress(&app).await;
    assert_eq!(body["engine"]["reason"], "no model configured");
    assert!(s.seen().is_empty(), "{:?}", s.seen());
    // the command-line compressor never asks: it has no settings to read
}

#[tokio::test]
async fn the_key_is_sent_only_when_set_and_never_readable_at_rest() {
    let app = app().await;
    let s = stand_in().await;
    configure(&app, json!({ "base_url": s.url, "model": "llama3" })).await;
    compress(&app).await;
    let a = configure(
        &app,
        json!({ "base_url": s.url, "model": "gpt-4o-mini", "api_key": KEY }),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert!(!a.text().contains("SECRETVALUE"), "{}", a.text());
    assert_eq!(a.json()["data"]["settings"]["has_key"], true);
    compress(&app).await;
    // saving again without a key keeps it
    configure(&app, json!({ "base_url": s.url, "model": "gpt-4o-mini" })).await;
    compress(&app).await;
    let seen = s.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].auth, None);
    assert_eq!(seen[1].auth.as_deref(), Some(&*format!("Bearer {KEY}")));
    assert_eq!(seen[2].auth.as_deref(), Some(&*format!("Bearer {KEY}")));

    // GET says a key is saved, never which
    let a = app.get("/api/settings/model").await;
    assert!(!a.text().contains("SECRETVALUE"), "{}", a.text());
    assert_eq!(
        a.json()["data"],
        json!({ "configured": true, "settings": {
            "base_url": s.url, "model": "gpt-4o-mini", "timeout_secs": 30, "has_key": true } })
    );
    // nor does the owner's page
    let page = app.get("/admin").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Model pass"), "{html}");
    assert!(html.contains("a key is saved"), "{html}");
    assert!(!html.contains("SECRETVALUE"));

    // the database file and its write-ahead log hold no trace of it
    let dir = app._dir.path();
    let mut files = 0;
    for name in ["t.db", "t.db-wal", "t.db-shm"] {
        if let Ok(bytes) = std::fs::read(dir.join(name)) {
            files += 1;
            for needle in [KEY.as_bytes(), b"SECRETVALUE123"] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "{name} holds the key"
                );
            }
        }
    }
    assert!(files >= 2, "the database and its log were read");

    // removing the key: no header again
    let a = app
        .rpc(
            "admin_save_model",
            &[
                ("base_url", &s.url),
                ("model", "gpt-4o-mini"),
                ("timeout_secs", "30"),
                ("api_key", ""),
                ("remove_key", "true"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["has_key"], false);
    compress(&app).await;
    assert_eq!(s.seen().last().unwrap().auth, None);
}

#[tokio::test]
async fn bad_settings_name_the_field_and_change_nothing() {
    let app = app().await;
    let s = stand_in().await;
    configure(
        &app,
        json!({ "base_url": s.url, "model": "llama3", "api_key": KEY }),
    )
    .await;
    let before = app.get("/api/settings/model").await.json();
    let long_model = "m".repeat(201);
    let long_key = "k".repeat(401);
    let cases = [
        (
            json!({ "base_url": "ftp://example.com", "model": "m" }),
            "base_url",
        ),
        (json!({ "base_url": "http://", "model": "m" }), "base_url"),
        (json!({ "base_url": "not a url", "model": "m" }), "base_url"),
        (json!({ "base_url": s.url, "model": "" }), "model"),
        (json!({ "base_url": s.url, "model": long_model }), "model"),
        (
            json!({ "base_url": s.url, "model": "m", "timeout_secs": 0 }),
            "timeout_secs",
        ),
        (
            json!({ "base_url": s.url, "model": "m", "timeout_secs": 121 }),
            "timeout_secs",
        ),
        (
            json!({ "base_url": s.url, "model": "m", "api_key": long_key }),
            "api_key",
        ),
    ];
    for (body, field) in cases {
        let a = configure(&app, body.clone()).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} {}",
            a.text()
        );
        assert_eq!(a.json()["field"], field, "{body}");
        assert_eq!(a.json()["success"], false);
    }
    // the form's server function names the field the same way
    let a = app
        .rpc(
            "admin_save_model",
            &[
                ("base_url", "gopher://x"),
                ("model", "m"),
                ("timeout_secs", "5"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    assert_eq!(a.app_error().field(), Some("base_url"));
    let a = app
        .rpc(
            "admin_save_model",
            &[
                ("base_url", &s.url),
                ("model", "m"),
                ("timeout_secs", "soon"),
            ],
        )
        .await;
    assert_eq!(a.app_error().field(), Some("timeout_secs"));

    // without JavaScript the form posts, and the page it returns to shows the message
    // under the field
    use axum::http::{header, Request};
    let body = serde_urlencoded::to_string([
        ("base_url", "gopher://x"),
        ("model", "m"),
        ("timeout_secs", "5"),
        ("api_key", ""),
    ])
    .unwrap();
    let req = Request::post("/rpc/admin_save_model")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, "http://localhost:3000/admin")
        .body(axum::body::Body::from(body))
        .unwrap();
    let a = app.send(req).await;
    assert!(a.status.is_redirection(), "{} {}", a.status, a.text());
    let to = a.headers[header::LOCATION].to_str().unwrap().to_owned();
    let html = app.get(&to).await.text();
    assert!(
        html.contains(r#"data-field="base_url" class="field-error">must start with http://"#),
        "{html}"
    );

    // only the owner changes it; anyone signed in may read it
    let member = As::Cookie(app.user("member@example.com", Role::Member).await);
    let req = axum::http::Request::put("/api/settings/model")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            json!({ "base_url": "http://127.0.0.1:9/v1", "model": "m" }).to_string(),
        ))
        .unwrap();
    let a = app.send_as(req, &member).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text());
    let req = axum::http::Request::get("/api/settings/model")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(app.send_as(req, &member).await.status, StatusCode::OK);

    assert_eq!(app.get("/api/settings/model").await.json(), before);
    assert!(s.seen().is_empty());
}

/// A key sealed under another server secret (the secret file was replaced) cannot be
/// opened: the extractive briefing says to enter it again, and nothing is sent.
#[tokio::test]
async fn a_key_sealed_under_another_secret_is_reported_not_sent() {
    use paas::server::secret::{Sealer, MODEL_API_KEY};
    use paas::service::handoff::CompressRequest;
    use paas::service::model::ModelPass;
    let dir = tempfile::tempdir().unwrap();
    let db = paas::storage::open(&dir.path().join("m.db").to_string_lossy())
        .await
        .unwrap();
    let s = stand_in().await;
    let before = Sealer::new(&[1; 32], MODEL_API_KEY);
    let input = paas::domain::model::ModelInput {
        base_url: s.url.clone(),
        model: "llama3".into(),
        timeout_secs: Some(5),
        api_key: Some(KEY.into()),
    };
    paas::service::model::save(&db, &before, &input, paas::server::clock::now())
        .await
        .unwrap();
    let req = CompressRequest {
        context: Some(LOG.into()),
        budget_chars: Some(3000),
        ..CompressRequest::default()
    };
    let pass = |key| ModelPass {
        key,
        time_limit: Duration::from_secs(10),
    };
    let after = pass(Sealer::new(&[2; 32], MODEL_API_KEY));
    let c = paas::service::handoff::compress(&db, &after, &req)
        .await
        .unwrap();
    assert_eq!(c.engine.kind, paas::domain::handoff::EngineKind::Extractive);
    assert!(
        c.engine
            .reason
            .as_deref()
            .unwrap()
            .contains("enter it again"),
        "{:?}",
        c.engine
    );
    assert!(s.seen().is_empty());
    // under the secret it was sealed with, the same settings work
    let c = paas::service::handoff::compress(&db, &pass(before), &req)
        .await
        .unwrap();
    assert_eq!(c.engine.kind, paas::domain::handoff::EngineKind::Model);
    assert_eq!(s.seen()[0].auth.as_deref(), Some(&*format!("Bearer {KEY}")));
    // the server's own limit (under its request timeout) wins over a longer model timeout
    s.set(Mode::Slow(Duration::from_secs(4)));
    let short = ModelPass {
        key: Sealer::new(&[1; 32], MODEL_API_KEY),
        time_limit: Duration::from_secs(1),
    };
    let c = paas::service::handoff::compress(&db, &short, &req)
        .await
        .unwrap();
    assert_eq!(
        c.engine.reason.as_deref(),
        Some("the model timed out after 1 s")
    );
    assert_eq!(
        ModelPass::new(Sealer::ephemeral(MODEL_API_KEY), Duration::from_secs(120)).time_limit,
        Duration::from_secs(115)
    );
}
