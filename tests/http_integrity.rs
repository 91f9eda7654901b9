//! Nothing lost: stale edits are refused (409), forms saved twice count once, credits
//! change by checked adjustments, forged bundles cannot corrupt the totals, and bad input is
//! refused with a status that names the problem. Through the real router on a real file.

mod common;

use axum::http::StatusCode;
use common::app;
use serde_json::{json, Value};

/// The field an error names: the REST envelope's `field` or a server function's error.
fn field_of(a: &common::Answer) -> Option<String> {
    let j = a.json();
    match j["field"].as_str() {
        Some(f) => Some(f.to_owned()),
        None => a.app_error().field().map(str::to_owned),
    }
}

async fn scalar(app: &common::TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn data(app: &common::TestApp, uri: &str) -> Value {
    let a = app.get(uri).await;
    assert_eq!(a.status, StatusCode::OK, "{uri}: {}", a.text());
    a.json()["data"].clone()
}

#[tokio::test]
async fn a_stale_account_form_never_puts_back_debits() {
    let app = app().await;
    let project = app.create("Debits").await;
    let account = app.account_named("Debited").await;
    // the edit form is opened: it shows 100 credits and version 1
    let shown = data(&app, &format!("/api/accounts/{account}")).await;
    let (credits, version) = (
        shown["credits_available"].as_i64().unwrap(),
        shown["version"].as_i64().unwrap(),
    );
    assert_eq!(credits, 100);

    // meanwhile a session completes and debits 30
    let s = app.session(project, account, "work").await;
    let done = app
        .json(
            "POST",
            &format!("/api/sessions/{s}/complete"),
            json!({ "credits_used": 30 }).to_string(),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());

    // the form is saved with the credits it showed: no change of credits, the rename lands
    let form = [
        ("id", account.to_string()),
        ("form[account_name]", "Renamed".into()),
        ("form[credits_available]", credits.to_string()),
        ("form[credits_expected]", credits.to_string()),
        ("form[version]", version.to_string()),
    ];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = app.rpc("update_account", &pairs).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let now = data(&app, &format!("/api/accounts/{account}")).await;
    assert_eq!(now["credits_available"], 70, "the debit stays");
    assert_eq!(now["account_name"], "Renamed");

    // the same form posted again is stale
    let again = app.rpc("update_account", &pairs).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    assert!(
        again.text().contains("changed since you opened it"),
        "{}",
        again.text()
    );

    // a form that changes the credits from what it showed, after a debit: 409, nothing written
    let form = [
        ("id", account.to_string()),
        ("form[account_name]", "Renamed".into()),
        ("form[credits_available]", "500".into()),
        ("form[credits_expected]", "100".into()),
        ("form[version]", (version + 1).to_string()),
    ];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let stale = app.rpc("update_account", &pairs).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text());
    assert_eq!(field_of(&stale).as_deref(), Some("credits_available"));
    assert_eq!(
        data(&app, &format!("/api/accounts/{account}")).await["credits_available"],
        70
    );

    // REST: absolute credits need the credits the client saw
    let blind = app
        .json(
            "PATCH",
            &format!("/api/accounts/{account}"),
            json!({ "credits_available": 100 }).to_string(),
        )
        .await;
    assert_eq!(blind.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of(&blind).as_deref(), Some("credits_available"));
}

#[tokio::test]
async fn credits_change_by_adjustments_recorded_with_their_reason() {
    let app = app().await;
    let account = app.account_named("Adjusted").await;
    let uri = format!("/api/accounts/{account}/credits");
    let a = app
        .json(
            "POST",
            &uri,
            json!({ "delta": -25, "reason": "used on the web" }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["data"]["credits_available"], 75);
    // set_to with the credits seen
    let a = app
        .json(
            "POST",
            &uri,
            json!({ "set_to": 90, "expected": 75, "reason": "support refund" }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    // the same request again is stale: 409, nothing changes
    let again = app
        .json(
            "POST",
            &uri,
            json!({ "set_to": 90, "expected": 75, "reason": "support refund" }).to_string(),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    for (body, field) in [
        (json!({ "delta": -1000, "reason": "x" }), "delta"),
        (json!({ "delta": 5 }), "reason"),
        (json!({ "set_to": 5, "reason": "x" }), "expected"),
        (json!({ "delta": i64::MAX, "reason": "x" }), "delta"),
        (
            json!({ "set_to": -1, "expected": 90, "reason": "x" }),
            "set_to",
        ),
        (json!({ "reason": "x" }), "delta"),
    ] {
        let bad = app.json("POST", &uri, body.to_string()).await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            bad.text()
        );
        assert_eq!(field_of(&bad).as_deref(), Some(field), "{body}");
    }
    let history = data(&app, &uri).await;
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["reason"], "support refund");
    assert_eq!(
        (
            history[0]["credits_before"].as_i64(),
            history[0]["credits_after"].as_i64()
        ),
        (Some(75), Some(90))
    );
    assert_eq!(history[1]["reason"], "used on the web");
    assert_eq!(
        data(&app, &format!("/api/accounts/{account}")).await["credits_available"],
        90
    );
}

#[tokio::test]
async fn a_session_form_submitted_twice_counts_once() {
    let app = app().await;
    let project = app.create("Twice").await;
    let account = app.account_named("Twice-acc").await;
    let s = app.session(project, account, "work").await;
    let version = data(&app, &format!("/api/sessions/{s}/detail")).await;
    let version = version["session"]["version"]
        .as_i64()
        .or_else(|| version["version"].as_i64())
        .unwrap();
    let form = [
        ("id", s.to_string()),
        ("objectives", "work".into()),
        ("accomplishments", "".into()),
        ("blockers", "stuck".into()),
        ("handoff_notes", "".into()),
        ("credits_used", "20".into()),
        ("version", version.to_string()),
    ];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = app.rpc("update_session", &pairs).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    // the browser re-posts the same form: stale, nothing counted again
    let second = app.rpc("update_session", &pairs).await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.text());
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT credits_used FROM sessions WHERE id = {s}")
        )
        .await,
        20
    );
    // a running total saved again with a fresh version is the same total
    let form = [
        ("id", s.to_string()),
        ("objectives", "work".into()),
        ("blockers", "unstuck".into()),
        ("credits_used", "20".into()),
        ("version", (version + 1).to_string()),
    ];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let third = app.rpc("update_session", &pairs).await;
    assert_eq!(third.status, StatusCode::OK, "{}", third.text());
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT credits_used FROM sessions WHERE id = {s}")
        )
        .await,
        20
    );
    // REST with a stale version: 409
    let stale = app
        .json(
            "PATCH",
            &format!("/api/sessions/{s}"),
            json!({ "add_credits": 10, "version": version }).to_string(),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text());
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT credits_used FROM sessions WHERE id = {s}")
        )
        .await,
        20
    );
}

#[tokio::test]
async fn stale_project_and_knowledge_edits_are_refused() {
    let app = app().await;
    let project = app.create("Versioned").await;
    let uri = format!("/api/projects/{project}");
    let ok = app
        .json(
            "PATCH",
            &uri,
            json!({ "name": "V2", "version": 1 }).to_string(),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert_eq!(ok.json()["data"]["version"], 2);
    let stale = app
        .json(
            "PATCH",
            &uri,
            json!({ "name": "V3", "version": 1 }).to_string(),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(field_of(&stale).as_deref(), Some("version"));
    assert_eq!(data(&app, &uri).await["name"], "V2");

    let e = app
        .json(
            "POST",
            "/api/knowledge",
            json!({ "category": "tip", "title": "Cache", "description": "d" }).to_string(),
        )
        .await;
    assert_eq!(e.status, StatusCode::CREATED, "{}", e.text());
    let id = e.json()["id"].as_i64().unwrap();
    let kuri = format!("/api/knowledge/{id}");
    let body = |title: &str, version: i64| {
        json!({ "category": "tip", "title": title, "description": "d", "version": version })
            .to_string()
    };
    assert_eq!(
        app.json("PUT", &kuri, body("Cache 2", 1)).await.status,
        StatusCode::OK
    );
    let stale = app.json("PUT", &kuri, body("Cache 3", 1)).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text());
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT version FROM knowledge_base WHERE id = {id}")
        )
        .await,
        2
    );
}

/// A bundle with one session, whose numbers a test then forges.
async fn exported(app: &common::TestApp) -> Value {
    let project = app.create("Forged").await;
    let account = app.account_named("forge-acc").await;
    let s = app.session(project, account, "work").await;
    let done = app
        .json(
            "POST",
            &format!("/api/sessions/{s}/complete"),
            json!({ "credits_used": 12 }).to_string(),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    app.get(&format!("/api/projects/{project}/export"))
        .await
        .json()
}

#[tokio::test]
async fn forged_bundles_are_refused_or_recomputed_and_never_corrupt_the_totals() {
    let app = app().await;
    let bundle = exported(&app).await;
    let max = i64::MAX;
    for (path, value, field) in [
        (
            "/sessions/0/credits_used",
            json!(max),
            "bundle.sessions[0].credits_used",
        ),
        (
            "/sessions/0/credits_used",
            json!(-5),
            "bundle.sessions[0].credits_used",
        ),
        (
            "/sessions/0/duration_minutes",
            json!(max),
            "bundle.sessions[0].duration_minutes",
        ),
        (
            "/project/total_credits_used",
            json!(max),
            "bundle.project.total_credits_used",
        ),
        (
            "/project/total_sessions",
            json!(-1),
            "bundle.project.total_sessions",
        ),
        (
            "/sessions/0/credits_used",
            json!("NaN"),
            "bundle.sessions[0].credits_used",
        ),
        (
            "/sessions/0/credits_used",
            json!(1e308),
            "bundle.sessions[0].credits_used",
        ),
    ] {
        let mut forged = bundle.clone();
        *forged.pointer_mut(path).unwrap() = value.clone();
        let before = app.project_count().await;
        let a = app
            .json(
                "POST",
                "/api/private/import-project",
                json!({ "bundle": forged, "name": "Forged copy" }).to_string(),
            )
            .await;
        assert!(
            a.status.is_client_error(),
            "{path} = {value}: {} {}",
            a.status,
            a.text()
        );
        assert_eq!(field_of(&a).as_deref(), Some(field), "{path} = {value}");
        assert_eq!(app.project_count().await, before, "{path}: nothing written");
    }

    // totals that disagree with the records are recomputed from them
    let mut forged = bundle.clone();
    *forged.pointer_mut("/project/total_credits_used").unwrap() = json!(1_000_000_000_000i64);
    *forged.pointer_mut("/project/total_sessions").unwrap() = json!(999);
    let a = app
        .json(
            "POST",
            "/api/private/import-project",
            json!({ "bundle": forged, "name": "Recomputed" }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let id = a.json()["data"]["project_id"].as_i64().unwrap();
    let p = data(&app, &format!("/api/projects/{id}")).await;
    assert_eq!(
        (
            p["total_credits_used"].as_i64(),
            p["total_sessions"].as_i64()
        ),
        (Some(12), Some(1))
    );

    // every page and the analytics still answer, and the sums agree
    let page = format!("/projects/{id}");
    for uri in [
        "/api/stats",
        "/api/analytics",
        "/api/analytics?days=365",
        "/",
        "/analytics",
        "/sessions",
        page.as_str(),
    ] {
        let a = app.get(uri).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}: {}", a.text());
    }
    let direct = scalar(
        &app,
        "SELECT COALESCE(SUM(credits_used), 0) FROM sessions WHERE status <> 'in_progress'",
    )
    .await;
    let totals = scalar(&app, "SELECT SUM(total_credits_used) FROM projects").await;
    assert_eq!(direct, totals);
}

#[tokio::test]
async fn bad_input_is_named_and_changes_nothing() {
    let app = app().await;
    // trailing data after the JSON body
    let before = app.project_count().await;
    let a = app
        .json("POST", "/api/projects", "{\"name\":\"t\"} garbage")
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    assert_eq!(app.project_count().await, before);

    // a specialization too long for a search
    let long = "x".repeat(50_001);
    let a = app
        .json(
            "POST",
            "/api/private/select-best-account",
            json!({ "specialization": long }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    assert_eq!(field_of(&a).as_deref(), Some("specialization"));
}

#[tokio::test]
async fn account_names_are_unique_by_unicode_case_folding_everywhere() {
    let app = app().await;
    app.account_named("Ärger").await;
    // one at a time
    for name in ["ärger", "ÄRGER"] {
        let a = app
            .json(
                "POST",
                "/api/accounts",
                json!({ "account_name": name }).to_string(),
            )
            .await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{name}: {}", a.text());
        assert_eq!(field_of(&a).as_deref(), Some("account_name"));
    }
    let a = app
        .json(
            "POST",
            "/api/accounts",
            json!({ "account_name": "Öl" }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
    let a = app
        .json(
            "POST",
            "/api/accounts",
            json!({ "account_name": "öl" }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "Öl and öl are one name");

    // a non-atomic batch: each bad row reported by its number, the rest created
    let a = app
        .json(
            "POST",
            "/api/private/batch-create-accounts",
            json!({ "accounts": [
                { "account_name": "Fresh-1" },
                { "account_name": "ärger" },
                { "account_name": "Straße" },
                { "account_name": "STRASSE" },
            ], "atomic": false })
            .to_string(),
        )
        .await;
    assert!(a.status.is_success(), "{}", a.text());
    let body = a.json();
    let text = body.to_string();
    assert!(
        text.contains("Fresh-1") && text.contains("Straße"),
        "{text}"
    );
    let errors = body["errors"]
        .as_array()
        .or_else(|| body["data"]["errors"].as_array())
        .unwrap_or_else(|| panic!("{text}"));
    let rows: Vec<i64> = errors.iter().map(|e| e["row"].as_i64().unwrap()).collect();
    assert_eq!(rows, vec![2, 4], "{text}");
    assert!(
        errors[0]["error"]
            .as_str()
            .unwrap()
            .contains("already exists"),
        "{text}"
    );
    assert!(
        errors[1]["error"]
            .as_str()
            .unwrap()
            .contains("earlier in this batch"),
        "{text}"
    );
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM accounts").await,
        4,
        "Ärger, Öl, Fresh-1, Straße"
    );
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = app().await;
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    let r = app.get("/readyz").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_readable_413_in_the_route_shape() {
    let app = app().await;
    let big = format!("{{\"name\":\"{}\"}}", "x".repeat(common::MAX_BODY + 10));
    let before = app.project_count().await;
    let a = app
        .send(
            axum::http::Request::post("/api/projects")
                .header("content-type", "application/json")
                .header("content-length", big.len().to_string())
                .body(axum::body::Body::from(big.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text());
    assert_eq!(a.json()["success"], false);
    assert_eq!(
        a.headers.get("connection").and_then(|v| v.to_str().ok()),
        Some("close")
    );
    let r = app
        .send(
            axum::http::Request::post("/rpc/create_project")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("content-length", (common::MAX_BODY + 15).to_string())
                .body(axum::body::Body::from(format!(
                    "name={}",
                    "y".repeat(common::MAX_BODY + 10)
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(matches!(
        r.app_error(),
        paas::error::AppError::PayloadTooLarge { .. }
    ));
    assert_eq!(app.project_count().await, before);
}
