//! HTTP tests of the handoff engine's endpoints and page.
#![cfg(feature = "ssr")]

mod common;

use axum::http::StatusCode;
use common::app;
use paas::domain::auth::Role;
use serde_json::json;

const LOG: &str = "User: Build the invoice export so accountants get CSV files. Never change the public REST paths.\n\
Assistant: I added src/export/csv.rs and ran cargo test --workspace.\n\
```text\nthread 'export::totals' panicked at src/export/csv.rs:42: assertion failed: left == right\n```\n\
Assistant: The totals test still fails; rounding differs.\n\
User: Next, fix the rounding in totals and commit.\n";

#[tokio::test]
async fn compress_answers_the_spec_shape_within_budget() {
    let app = app().await;
    let project = app.create("Invoices").await;
    let a = app
        .json(
            "POST",
            "/api/handoff/compress",
            json!({ "project_id": project, "context": LOG, "credits_used": 88, "from_account_id": 1, "budget_chars": 700 })
                .to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let body = a.json();
    assert_eq!(body["success"], true);
    let briefing = body["briefing"].as_str().unwrap();
    assert!(briefing.starts_with("# Handoff: Invoices\n"), "{briefing}");
    assert!(briefing.chars().count() <= 700);
    assert!(briefing.contains("Never change the public REST paths"));
    assert!(briefing.contains("src/export/csv.rs"));
    assert_eq!(
        body["stats"]["compressed_chars"].as_u64().unwrap() as usize,
        briefing.chars().count()
    );
    assert!(body["dropped_facts"].is_array());

    let a = app
        .json(
            "POST",
            "/api/private/smart-compress",
            json!({ "project_id": project, "context": LOG.repeat(40), "compress_level": "high" })
                .to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let body = a.json();
    assert_eq!(body["level"], "high");
    assert!(body["stats"]["original_lines"].as_u64().unwrap() > 100);
    assert!(body["stats"]["compression_ratio"].as_f64().unwrap() > 50.0);
    assert!(body["stats"]["compressed_lines"].as_u64().unwrap() > 3);
}

#[tokio::test]
async fn compress_rejects_bad_input_with_the_field() {
    let app = app().await;
    let cases = [
        (json!({ "context": "   " }), "context"),
        (json!({ "context": "a\u{0}b" }), "context"),
        (
            json!({ "context": "\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}".repeat(50) }),
            "context",
        ),
        (
            json!({ "context": LOG, "budget_chars": 10 }),
            "budget_chars",
        ),
        (
            json!({ "context": LOG, "compress_level": "extreme" }),
            "compress_level",
        ),
        (json!({ "context": LOG, "session_id": 999 }), ""),
    ];
    for (body, field) in cases {
        let a = app
            .json("POST", "/api/handoff/compress", body.to_string())
            .await;
        assert!(
            a.status.is_client_error(),
            "{body}: {} {}",
            a.status,
            a.text()
        );
        let j = a.json();
        assert_eq!(j["success"], false);
        if !field.is_empty() {
            assert_eq!(j["field"], field, "{}", a.text());
        }
    }
    // not JSON, wrong type
    let a = app
        .json("POST", "/api/handoff/compress", "{\"context\": 5}")
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    // a 50 MB body is refused before it is read
    let huge = format!("{{\"context\": \"{}\"}}", "x".repeat(50 * 1024 * 1024));
    let a = app.json("POST", "/api/private/smart-compress", huge).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(a.json()["success"], false);
}

#[tokio::test]
async fn a_stored_session_is_compressed_and_rotation_uses_the_engine() {
    let app = app().await;
    let project = app.create("Engine").await;
    let mut accounts = Vec::new();
    for name in ["E-1", "E-2"] {
        let a = app
            .json(
                "POST",
                "/api/accounts",
                json!({ "account_name": name, "credits_available": 100 }).to_string(),
            )
            .await;
        accounts.push(a.json()["id"].as_i64().unwrap());
    }
    let s = app
        .json(
            "POST",
            "/api/sessions",
            json!({ "project_id": project, "account_id": accounts[0], "objectives": "Ship CSV export" }).to_string(),
        )
        .await;
    let session = s.json()["id"].as_i64().unwrap();
    let a = app
        .json(
            "POST",
            &format!("/api/sessions/{session}/import"),
            json!({ "text": LOG, "format": "plain" }).to_string(),
        )
        .await;
    assert!(a.status.is_success(), "{}", a.text());

    let a = app
        .json(
            "POST",
            "/api/handoff/compress",
            json!({ "session_id": session }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let b = a.json()["briefing"].as_str().unwrap().to_owned();
    assert!(b.contains("after session 1"), "{b}");
    assert!(b.contains("Ship CSV export"));
    assert!(b.contains("fix the rounding in totals"), "{b}");

    // a session of another project is refused
    let other = app.create("Other").await;
    let a = app
        .json(
            "POST",
            "/api/handoff/compress",
            json!({ "session_id": session, "project_id": other }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);

    // rotation: the briefing is the engine's, with the rotation appended
    let a = app
        .json(
            "POST",
            "/api/private/auto-rotate",
            json!({ "project_id": project, "current_account_id": accounts[0] }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let b = a.json()["briefing"].as_str().unwrap().to_owned();
    assert!(b.contains("## Goal\n- Ship CSV export"), "{b}");
    assert!(b.contains("## Rotation\n- From: E-1"), "{b}");
    assert!(b.contains("src/export/csv.rs"), "{b}");
}

#[tokio::test]
async fn handoff_page_renders_and_rpc_compresses() {
    let app = app().await;
    let a = app.get("/handoff").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text().contains("No briefing yet"));
    let a = app
        .rpc(
            "compress_handoff",
            &[
                ("context", LOG),
                ("level", "medium"),
                ("budget_chars", "900"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let v: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
    assert!(v["html"].as_str().unwrap().contains("<h2>Goal</h2>"));
    assert!(v["briefing"]["markdown"].as_str().unwrap().chars().count() <= 900);
    let a = app
        .rpc(
            "compress_handoff",
            &[("context", ""), ("budget_chars", "12x")],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.app_error().field(), Some("budget_chars"));
}

/// Without JavaScript the form posts to the server function: the answer is a redirect to
/// the page, which renders the briefing, its figures and the dropped facts on the server.
/// A form post without JavaScript, as the user with `who`'s cookie: where it redirects.
async fn post_without_js(app: &common::TestApp, who: &common::As) -> String {
    use axum::body::Body;
    use axum::http::{header, Request};
    let body = serde_urlencoded::to_string([
        ("context", LOG),
        ("level", "medium"),
        ("budget_chars", "900"),
    ])
    .unwrap();
    let req = Request::post("/rpc/compress_handoff")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::REFERER, "http://localhost:3000/handoff")
        .body(Body::from(body))
        .unwrap();
    let a = app.send_as(req, who).await;
    assert!(a.status.is_redirection(), "{} {}", a.status, a.text());
    let to = a.headers[axum::http::header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(to.starts_with("/handoff?briefing="), "{to}");
    to
}

/// Without JavaScript the form posts to the server function: the answer is a redirect to
/// the page, which renders the briefing, its figures and the dropped facts on the server —
/// for the user who made it (a viewer too: compressing is reading), nobody else.
#[tokio::test]
async fn the_handoff_form_works_without_javascript() {
    use axum::body::Body;
    use axum::http::Request;
    use common::As;
    let app = app().await;
    let to = post_without_js(&app, &As::Cookie(app.cookie.clone())).await;
    let page = app.get(&to).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(!html.contains("No briefing yet"), "{html}");
    assert!(html.contains("data-testid=\"handoff-stats\""), "{html}");
    assert!(html.contains("<h2>Goal</h2>"), "{html}");
    assert!(html.contains("facts kept"), "{html}");
    assert!(html.contains("Dropped facts"), "{html}");
    // which engine wrote it
    assert!(html.contains("Extractive — no model configured"), "{html}");
    // a token nobody made shows the empty page, not an error
    let page = app.get("/handoff?briefing=0123456789abcdef").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("No briefing yet"));

    // a viewer may compress, and sees their own briefing
    let viewer = As::Cookie(app.user("viewer@example.com", Role::Viewer).await);
    let theirs = post_without_js(&app, &viewer).await;
    let get = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
    let page = app.send_as(get(&theirs), &viewer).await;
    assert!(page.text().contains("<h2>Goal</h2>"), "{}", page.text());
    // but not the owner's, token or not
    let page = app.send_as(get(&to), &viewer).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("No briefing yet"));
    // and nobody signed in gets nothing
    let token = to.trim_start_matches("/handoff?briefing=");
    let req = Request::post("/rpc/handoff_briefing")
        .header(
            axum::http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(Body::from(format!("token={token}")))
        .unwrap();
    let a = app.send_as(req, &As::Nobody).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.text());
}

/// A project whose repository capture knows gets a Repository part in its briefing: the
/// branch, HEAD, the last commits, what is changed and not committed, what is untracked.
#[tokio::test]
async fn the_briefing_says_what_git_knows() {
    let app = app().await;
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path().to_string_lossy().into_owned();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .arg("-C")
            .arg(&root)
            .args(args)
            .env("GIT_AUTHOR_NAME", "Ann")
            .env("GIT_AUTHOR_EMAIL", "ann@example.com")
            .env("GIT_COMMITTER_NAME", "Ann")
            .env("GIT_COMMITTER_EMAIL", "ann@example.com")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q", "-b", "basket"]);
    std::fs::write(repo.path().join("cart.rs"), "fn total() {}\n").unwrap();
    git(&["add", "cart.rs"]);
    git(&["commit", "-q", "-m", "Add the cart total"]);
    std::fs::write(repo.path().join("cart.rs"), "fn total() -> u32 { 0 }\n").unwrap();
    std::fs::write(repo.path().join("notes.txt"), "todo\n").unwrap();

    let project = app.create("Shop").await;
    sqlx::query("INSERT INTO capture_repos (root, project_id) VALUES (?, ?)")
        .bind(&root)
        .bind(project)
        .execute(&app.db)
        .await
        .unwrap();
    let res = app
        .json(
            "POST",
            "/api/handoff/compress",
            serde_json::json!({
                "project_id": project,
                "context": "user: make the total a number\nassistant: changed total() to return u32; tests next",
                "budget_chars": 2000
            })
            .to_string(),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let md = res.json()["data"]["compressed_context"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| res.text());
    assert!(md.contains("## Repository"), "{md}");
    assert!(md.contains("Branch `basket` at `"), "{md}");
    assert!(md.contains("Last commits: Add the cart total"), "{md}");
    assert!(md.contains("Uncommitted: `cart.rs`"), "{md}");
    assert!(md.contains("Untracked: `notes.txt`"), "{md}");

    // rotating the project hands the next account the same part
    let from = app.account_named("Out of credits").await;
    app.account_named("Fresh").await;
    let rotated = app
        .json(
            "POST",
            "/api/private/auto-rotate",
            json!({ "project_id": project, "current_account_id": from }).to_string(),
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text());
    assert!(
        rotated.text().contains("## Repository"),
        "{}",
        rotated.text()
    );
    assert!(rotated.text().contains("basket"), "{}", rotated.text());

    // a project without a repository gets no such part, and a vanished one fails nothing
    let other = app.create("Elsewhere").await;
    sqlx::query("INSERT INTO capture_repos (root, project_id) VALUES ('/no/such/repo', ?)")
        .bind(other)
        .execute(&app.db)
        .await
        .unwrap();
    let res = app
        .json(
            "POST",
            "/api/handoff/compress",
            serde_json::json!({"project_id": other, "context": "user: hello\nassistant: hi", "budget_chars": 2000}).to_string(),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(!res.text().contains("## Repository"));
}
