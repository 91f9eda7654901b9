//! HTTP tests of the account pool: CRUD, batch create, select, rotate, switch history.
#![cfg(feature = "ssr")]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{app, TestApp};
use serde_json::{json, Value};

impl TestApp {
    async fn account(&self, body: Value) -> i64 {
        let a = self.json("POST", "/api/accounts", body.to_string()).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
        a.json()["id"].as_i64().unwrap()
    }

    async fn account_count(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
            .fetch_one(&self.db)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn create_account_in_the_spec_shape_and_list_it() {
    let app = app().await;
    let a = app
        .json(
            "POST",
            "/api/accounts",
            json!({
                "account_name": "GenSpark-Backup-01",
                "account_email": "backup01@example.com",
                "platform": "genspark",
                "specialization": "Frontend Development"
            })
            .to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let id = a.json()["id"].as_i64().unwrap();
    let list = app.get("/api/accounts").await.json();
    let first = &list["data"][0];
    assert_eq!(first["id"], id);
    assert_eq!(first["account_name"], "GenSpark-Backup-01");
    assert_eq!(first["credits_available"], 100);
    assert_eq!(first["status"], "available");
    assert_eq!(first["headroom_percent"], 100);
    assert!(first.get("password").is_none());

    let got = app.get(&format!("/api/accounts/{id}")).await;
    assert_eq!(got.json()["data"]["specialization"], "Frontend Development");
    let filtered = app
        .get("/api/accounts?q=frontend&platform=genspark")
        .await
        .json();
    assert_eq!(filtered["pagination"]["total"], 1);
    let none = app.get("/api/accounts?platform=claude").await.json();
    assert_eq!(none["pagination"]["total"], 0);
    let bad = app.get("/api/accounts?platform=aol").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["field"], "platform");
}

#[tokio::test]
async fn create_account_rejects_bad_input() {
    let app = app().await;
    app.account(json!({ "account_name": "Dup" })).await;
    for (body, status, field) in [
        (
            json!({ "account_name": "dup" }),
            StatusCode::CONFLICT,
            "account_name",
        ),
        (
            json!({ "account_name": "N", "credits_available": -5 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "credits_available",
        ),
        (
            json!({ "account_name": "N", "platform": "myspace" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "platform",
        ),
        (
            json!({ "account_name": "N", "account_email": "nope" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "account_email",
        ),
        (
            json!({ "account_name": "N", "reset": { "kind": "daily", "tz": "Mars/Base" } }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "reset.tz",
        ),
        (json!({}), StatusCode::UNPROCESSABLE_ENTITY, "account_name"),
    ] {
        let a = app.json("POST", "/api/accounts", body.to_string()).await;
        assert_eq!(a.status, status, "{}", a.text());
        assert_eq!(a.json()["field"], field, "{}", a.text());
    }
    assert_eq!(app.account_count().await, 1);
}

#[tokio::test]
async fn patch_and_delete_account() {
    let app = app().await;
    let id = app
        .account(json!({ "account_name": "A", "reset": { "kind": "rolling", "hours": 5 } }))
        .await;
    let uri = format!("/api/accounts/{id}");
    let a = app
        .json(
            "PATCH",
            &uri,
            json!({ "credits_available": 3, "credits_expected": 100 }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["data"]["status"], "exhausted");
    let a = app.get(&uri).await.json();
    assert_eq!(a["data"]["reset_label"], "Every 5 h after a refill");
    assert!(a["data"]["refreshes_in"]
        .as_str()
        .unwrap()
        .starts_with("in "));
    let a = app
        .json("PATCH", &uri, json!({ "status": "blocked" }).to_string())
        .await;
    assert_eq!(a.json()["data"]["status"], "blocked");
    let a = app
        .json(
            "PATCH",
            &uri,
            json!({ "credits_available": -1, "credits_expected": 3 }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let a = app
        .json(
            "PATCH",
            "/api/accounts/999",
            json!({ "notes": "x" }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = app
        .send(Request::delete(&uri).body(Body::empty()).unwrap())
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(app.get(&uri).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/accounts/abc").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn batch_create_the_spec_request_of_100_accounts() {
    let app = app().await;
    let accounts: Vec<Value> = (1..=100)
        .map(|i| {
            json!({
                "account_name": format!("GenSpark-Dev-{i:02}"),
                "account_email": format!("dev{i:02}@example.com"),
                "platform": "genspark",
                "specialization": if i % 2 == 0 { "Backend Development" } else { "Frontend Development" }
            })
        })
        .collect();
    let a = app
        .json(
            "POST",
            "/api/private/batch-create-accounts",
            json!({ "accounts": accounts }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let body = a.json();
    assert_eq!(body["success"], true);
    assert_eq!(body["message"], "Created 100 accounts");
    assert_eq!(body["accounts"].as_array().unwrap().len(), 100);
    assert_eq!(body["accounts"][0]["name"], "GenSpark-Dev-01");
    assert!(body["accounts"][0]["id"].is_i64());
    assert_eq!(app.account_count().await, 100);
}

#[tokio::test]
async fn batch_create_reports_rows_and_respects_atomic() {
    let app = app().await;
    let rows = json!([
        { "account_name": "Good-1" },
        { "account_name": "Good-1" },
        { "account_name": "Neg", "credits_available": -1 },
        { "account_name": "Plat", "platform": "aol" },
        { "account_name": 7 },
        { "account_name": "Good-2" }
    ]);
    let a = app
        .json(
            "POST",
            "/api/private/batch-create-accounts",
            json!({ "accounts": rows, "atomic": true }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    assert_eq!(a.json()["errors"].as_array().unwrap().len(), 4);
    assert_eq!(app.account_count().await, 0, "atomic: all or nothing");

    let a = app
        .json(
            "POST",
            "/api/private/batch-create-accounts",
            json!({ "accounts": rows }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let body = a.json();
    assert_eq!(body["message"], "Created 2 accounts");
    let errors: Vec<(i64, String)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (2, "account_name".into()),
            (3, "credits_available".into()),
            (4, "platform".into()),
            (5, "account_name".into())
        ]
    );
    assert_eq!(app.account_count().await, 2);

    for body in [
        json!({}),
        json!({ "accounts": [] }),
        json!({ "accounts": "x" }),
    ] {
        let a = app
            .json(
                "POST",
                "/api/private/batch-create-accounts",
                body.to_string(),
            )
            .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    }
    let huge = json!({ "accounts": [{ "account_name": "x".repeat(common::MAX_BODY * 2) }] });
    let a = app
        .json(
            "POST",
            "/api/private/batch-create-accounts",
            huge.to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.account_count().await, 2);
}

#[tokio::test]
async fn select_best_account_follows_the_spec() {
    let app = app().await;
    app.account(json!({ "account_name": "Backend-1", "credits_available": 99, "specialization": "Backend" })).await;
    let fe = app.account(json!({ "account_name": "GenSpark-Frontend-02", "credits_available": 95, "specialization": "React, Vue, UI/UX Design" })).await;
    app.account(json!({ "account_name": "Low", "credits_available": 40 }))
        .await;
    let a = app
        .json(
            "POST",
            "/api/private/select-best-account",
            json!({ "specialization": "Vue", "min_credits": 80 }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let body = a.json();
    assert_eq!(body["data"]["id"], fe);
    assert_eq!(body["data"]["account_name"], "GenSpark-Frontend-02");
    assert_eq!(body["data"]["platform"], "genspark");
    assert!(body["reason"]
        .as_str()
        .unwrap()
        .contains("most credits (95)"));

    let none = app
        .json(
            "POST",
            "/api/private/select-best-account",
            json!({ "min_credits": 100 }).to_string(),
        )
        .await;
    assert_eq!(none.status, StatusCode::CONFLICT);
    let body = none.json();
    assert_eq!(body["success"], false);
    assert_eq!(
        body["error"],
        "No available accounts with sufficient credits"
    );
    assert!(
        body["suggestion"]
            .as_str()
            .unwrap()
            .contains("Backend-1 has 99 credits"),
        "{body}"
    );

    let bad = app
        .json(
            "POST",
            "/api/private/select-best-account",
            json!({ "strategy": "random" }).to_string(),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["field"], "strategy");
}

#[tokio::test]
async fn auto_rotate_and_switch_history() {
    let app = app().await;
    let project = app.create("Rotating").await;
    let cur = app
        .account(json!({ "account_name": "Cur", "credits_available": 95 }))
        .await;
    let next = app.account(json!({ "account_name": "GenSpark-Backup-03", "credits_available": 90, "specialization": "General Development" })).await;
    let a = app
        .json(
            "POST",
            "/api/private/auto-rotate",
            json!({ "current_account_id": cur, "project_id": project }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let body = a.json();
    assert_eq!(body["next_account"]["id"], next);
    assert_eq!(body["next_account"]["account_name"], "GenSpark-Backup-03");
    assert_eq!(body["credit_savings"], "Saved 15 credits by auto-rotation");
    assert!(body["briefing"].as_str().unwrap().contains("Rotating"));
    assert_eq!(
        app.get(&format!("/api/accounts/{cur}")).await.json()["data"]["status"],
        "exhausted"
    );

    let h = app
        .get(&format!("/api/projects/{project}/switches"))
        .await
        .json();
    assert_eq!(h["data"][0]["kind"], "rotate");
    assert_eq!(h["data"][0]["from_account_name"], "Cur");
    assert_eq!(h["data"][0]["to_account_name"], "GenSpark-Backup-03");

    // nothing left to rotate to: the spec's error, no partial state
    let again = app
        .json(
            "POST",
            "/api/private/auto-rotate",
            json!({ "current_account_id": next, "project_id": project }).to_string(),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    assert_eq!(again.json()["error"], "No available accounts for rotation");
    assert_eq!(
        app.get(&format!("/api/accounts/{next}")).await.json()["data"]["status"],
        "active"
    );

    for (body, field) in [
        (json!({ "project_id": project }), "current_account_id"),
        (json!({ "current_account_id": cur }), "project_id"),
    ] {
        let a = app
            .json("POST", "/api/private/auto-rotate", body.to_string())
            .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(a.json()["field"], field);
    }
    let a = app
        .json(
            "POST",
            "/api/private/auto-rotate",
            json!({ "current_account_id": cur, "project_id": 999 }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);

    let s = app
        .json("POST", "/api/private/switch-account", json!({ "from_account_id": next, "to_account_id": cur, "reason": "back to the main seat" }).to_string())
        .await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.text());
    let h = app
        .get(&format!("/api/accounts/{cur}/switches"))
        .await
        .json();
    assert_eq!(h["data"][0]["kind"], "manual");
    assert_eq!(h["data"][0]["reason"], "back to the main seat");
    let s = app
        .json("POST", "/api/private/switch-account", json!({}).to_string())
        .await;
    assert_eq!(s.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn import_by_paste_reports_malformed_rows_and_atomic_writes_nothing() {
    let app = app().await;
    let csv =
        "account_name,platform,credits\nOk-1,claude,80\nBroken,\"unclosed,10\nOk-2,gemini,abc\n";
    let a = app
        .rpc("import_accounts", &[("text", csv), ("atomic", "true")])
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let report = a.json();
    assert_eq!(report["created"].as_array().unwrap().len(), 0);
    assert!(!report["errors"].as_array().unwrap().is_empty());
    assert_eq!(app.account_count().await, 0, "atomic import writes nothing");

    let a = app
        .rpc(
            "import_accounts",
            &[("text", "account_name,platform\nA,claude\nB,aol\n")],
        )
        .await;
    let report = a.json();
    assert_eq!(report["created"].as_array().unwrap().len(), 1);
    // the line of the pasted text, header included
    assert_eq!(report["errors"][0]["row"], 3);
    assert_eq!(report["errors"][0]["field"], "platform");
    assert_eq!(app.account_count().await, 1);

    let a = app
        .rpc("import_accounts", &[("text", "who,what\n1,2\n")])
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.app_error().field(), Some("text"));
}

#[tokio::test]
async fn a_5_mb_body_is_refused_with_413_and_nothing_is_written() {
    let app = app().await;
    let body = format!(
        "{{\"accounts\": [{{\"account_name\": \"{}\"}}]}}",
        "x".repeat(5 * 1024 * 1024)
    );
    let a = app
        .json("POST", "/api/private/batch-create-accounts", body)
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(a.json()["success"], false);
    assert_eq!(app.account_count().await, 0);
}

#[tokio::test]
async fn use_now_records_a_manual_switch() {
    let app = app().await;
    let id = app
        .account(json!({ "account_name": "Seat", "specialization": "x" }))
        .await
        .to_string();
    let a = app
        .rpc("account_action", &[("id", &id), ("action", "use")])
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["status"], "active");
    let h = app
        .get(&format!("/api/accounts/{id}/switches"))
        .await
        .json();
    assert_eq!(h["data"][0]["kind"], "manual");
    let a = app
        .rpc("account_action", &[("id", &id), ("action", "dance")])
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Deleting an account from its page asks for a tick first; without it nothing changes.
#[tokio::test]
async fn deleting_an_account_needs_the_confirmation() {
    let app = app().await;
    let id = app.account(json!({ "account_name": "Doomed" })).await;
    let id = id.to_string();
    let refused = app.rpc("delete_account", &[("id", id.as_str())]).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    assert_eq!(refused.app_error().field(), Some("confirm"));
    assert_eq!(app.account_count().await, 1);
    let done = app
        .rpc("delete_account", &[("id", id.as_str()), ("confirm", "yes")])
        .await;
    assert!(
        done.status.is_success() || done.status.is_redirection(),
        "{}",
        done.text()
    );
    assert_eq!(app.account_count().await, 0);
}
