//! HTTP tests of the handoff engine's endpoints and page.
#![cfg(feature = "ssr")]

mod common;

use axum::http::StatusCode;
use common::app;
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
