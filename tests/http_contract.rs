//! The spec's own browser client against our REST API: the requests it sends (ids and
//! numbers as strings, read from form fields) and every field it reads from the answers
//! of its session workflow — create with handoff, detail, timeline, complete and the AI
//! handoff — through the real router.
#![cfg(feature = "ssr")]

mod common;

use axum::http::StatusCode;
use common::app;
use serde_json::{json, Value};

fn field<'a>(v: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(v, |v, k| &v[k])
}

#[tokio::test]
async fn the_spec_client_session_workflow_reads_every_field_it_needs() {
    let app = app().await;
    let project = app.create("Contract").await;
    let account = app.account_named("Client-1").await;

    // the first session, as the client starts it: strings from <select> values
    let first = app
        .json(
            "POST",
            "/api/sessions/create-with-handoff",
            json!({ "project_id": project.to_string(), "account_id": account.to_string(),
                    "session_type": "feature", "objectives": "Wire the login form" })
            .to_string(),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let d = first.json();
    let first_id = field(&d, "data.session_id")
        .as_i64()
        .expect("data.session_id");
    assert_eq!(field(&d, "data.session_number"), 1);
    assert_eq!(field(&d, "data.project_name"), "Contract");
    assert!(
        field(&d, "data.previous_handoff").is_null(),
        "no handoff before the first"
    );
    assert!(field(&d, "data.message").is_string());

    // a turn, then completion with the credits as a string
    let t = app
        .json(
            "POST",
            &format!("/api/sessions/{first_id}/turns"),
            json!({ "role": "user", "content": "Next: add the token endpoint. Error: CSRF check fails on /login" })
                .to_string(),
        )
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{}", t.text());
    let done = app
        .json(
            "POST",
            &format!("/api/sessions/{first_id}/complete"),
            json!({ "credits_used": "42", "accomplishments": "Login form wired", "blockers": "CSRF check fails" })
                .to_string(),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    let d = done.json();
    assert!(field(&d, "data.message")
        .as_str()
        .unwrap()
        .contains("completed"));
    assert_eq!(field(&d, "data.handoff_generated"), true);
    let master = field(&d, "data.master_prompt")
        .as_str()
        .expect("data.master_prompt");
    assert!(master.contains("Login form wired"), "{master}");

    // the next session continues from that briefing
    let second = app
        .json(
            "POST",
            "/api/sessions/create-with-handoff",
            json!({ "project_id": project.to_string(), "account_id": account.to_string() })
                .to_string(),
        )
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.text());
    let d = second.json();
    let second_id = field(&d, "data.session_id").as_i64().unwrap();
    assert_eq!(field(&d, "data.session_number"), 2);
    let prev = field(&d, "data.previous_handoff");
    assert!(prev["compressed_context"]
        .as_str()
        .unwrap()
        .contains("Login form wired"));
    assert!(prev["context_summary"].is_string());
    assert_eq!(prev["session_number"], 1);
    // ours stays beside it
    assert!(d["previous_handoff"].is_string());
    assert_eq!(d["id"], second_id);

    // the detail of the first session
    let detail = app.get(&format!("/api/sessions/{first_id}/detail")).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.text());
    let d = detail.json();
    assert_eq!(field(&d, "data.session.project_name"), "Contract");
    assert_eq!(field(&d, "data.session.account_name"), "Client-1");
    assert_eq!(field(&d, "data.session.credits_used"), 42);
    assert_eq!(field(&d, "data.conversations").as_array().unwrap().len(), 1);
    assert_eq!(field(&d, "data.conversations")[0]["role"], "user");
    assert!(field(&d, "data.previous_handoff").is_null());
    // and of the second: it names the briefing it continued from
    let d = app
        .get(&format!("/api/sessions/{second_id}/detail"))
        .await
        .json();
    assert!(field(&d, "data.previous_handoff.compressed_context")
        .as_str()
        .unwrap()
        .contains("Login form wired"));
    // ours stays too
    assert!(field(&d, "data.turns").is_array());
    assert!(field(&d, "data.handoffs").is_array());

    // the project's timeline counts conversations and handoffs
    let tl = app
        .get(&format!("/api/projects/{project}/sessions-timeline"))
        .await
        .json();
    let items = tl["data"].as_array().expect("data is the timeline");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["conversation_count"], 1);
    assert_eq!(items[0]["handoff_count"], 1);
    assert_eq!(items[1]["conversation_count"], 0);
    assert_eq!(items[1]["handoff_count"], 0);

    // the AI handoff, from the handoff engine
    let ai = app
        .json(
            "POST",
            "/api/ai/handoff",
            json!({ "project_id": project.to_string(), "session_id": first_id.to_string() })
                .to_string(),
        )
        .await;
    assert_eq!(ai.status, StatusCode::OK, "{}", ai.text());
    let d = ai.json();
    let prompt = field(&d, "data.master_prompt").as_str().unwrap();
    assert!(prompt.starts_with("# Handoff"), "{prompt}");
    assert_eq!(
        field(&d, "data.compressed_context").as_str().unwrap(),
        prompt
    );
    assert!(field(&d, "data.next_steps").is_array());
    assert!(field(&d, "data.troubleshooting_notes")
        .as_str()
        .unwrap()
        .contains("CSRF"));
    let confidence = field(&d, "data.confidence").as_f64().unwrap();
    assert!((0.0..=1.0).contains(&confidence), "{confidence}");

    // a string that is no number is still refused, naming the field
    let bad = app
        .json(
            "POST",
            "/api/sessions/create-with-handoff",
            json!({ "project_id": "first", "account_id": account.to_string() }).to_string(),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["field"], "project_id");
}
