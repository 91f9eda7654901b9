//! HTTP tests of credit analytics: analyze-credits, the usage ledger, alerts, the analytics
//! page and a running session's exhaustion warning.
#![cfg(feature = "ssr")]

mod common;

use axum::http::StatusCode;
use common::app;
use serde_json::json;

impl common::TestApp {
    async fn account_with(&self, name: &str, credits: i64, capacity: i64, spec: &str) -> i64 {
        let a = self
            .json(
                "POST",
                "/api/accounts",
                json!({ "account_name": name, "credits_available": credits,
                        "credit_capacity": capacity, "specialization": spec, "platform": "claude" })
                .to_string(),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
        a.json()["id"].as_i64().unwrap()
    }

    async fn finished(&self, project: i64, account: i64, credits: i64) -> i64 {
        let id = self.session(project, account, "work").await;
        let done = self
            .json(
                "POST",
                &format!("/api/sessions/{id}/complete"),
                json!({ "credits_used": credits, "accomplishments": "- one\n- two" }).to_string(),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text());
        id
    }
}

#[tokio::test]
async fn analyze_credits_answers_the_spec_shape() {
    let app = app().await;
    let project = app.create("Analysed").await;
    let other = app.create("Elsewhere").await;
    let account = app.account_with("A-1", 1000, 1000, "analyse").await;
    for c in [88, 90, 85] {
        app.finished(project, account, c).await;
    }
    app.finished(other, account, 10).await;
    // a running session has not finished spending: not counted
    app.session(project, account, "still going").await;

    let a = app
        .json(
            "POST",
            "/api/private/analyze-credits",
            json!({ "project_id": project }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let d = &a.json()["data"];
    assert_eq!(d["total_sessions"], 3);
    assert_eq!(d["total_credits"], 263);
    assert_eq!(d["avg_credits_per_session"], 87.7);
    assert_eq!(
        (d["min_credits"].as_i64(), d["max_credits"].as_i64()),
        (Some(85), Some(90))
    );
    assert_eq!(d["efficiency_score"], "optimal");
    assert_eq!(d["recommendations"][0], "Excellent! Keep this pattern.");

    let days = app
        .json(
            "POST",
            "/api/private/analyze-credits",
            json!({ "project_id": other, "days": 7 }).to_string(),
        )
        .await
        .json();
    assert_eq!(days["data"]["efficiency_score"], "needs_improvement");

    for (body, status, field) in [
        (
            json!({}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("project_id"),
        ),
        (
            json!({ "project_id": project, "days": 0 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("days"),
        ),
        (
            json!({ "project_id": project, "days": "many" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("days"),
        ),
        (json!({ "project_id": 999 }), StatusCode::NOT_FOUND, None),
    ] {
        let r = app
            .json("POST", "/api/private/analyze-credits", body.to_string())
            .await;
        assert_eq!(r.status, status, "{body}: {}", r.text());
        if let Some(f) = field {
            assert_eq!(r.json()["field"], f, "{body}");
        }
    }
}

#[tokio::test]
async fn the_ledger_records_calls_and_costs_sessions() {
    let app = app().await;
    let project = app.create("Ledger").await;
    let account = app.account_with("L-1", 1000, 1000, "ledger").await;
    let session = app.finished(project, account, 80).await;

    let one = app
        .json(
            "POST",
            "/api/usage",
            json!({ "session_id": session, "provider": "Anthropic", "model": "claude-sonnet-4",
                    "input_tokens": 12000, "output_tokens": 800, "cost_usd": 0.048, "latency_ms": 2300 })
            .to_string(),
        )
        .await;
    assert_eq!(one.status, StatusCode::CREATED, "{}", one.text());
    assert_eq!(one.json()["data"]["recorded"], 1);

    let many = app
        .json(
            "POST",
            "/api/usage",
            json!({ "calls": [
                { "session_id": session, "provider": "openai", "model": "gpt-4o", "input_tokens": 1000, "cost_usd": 0.002 },
                { "session_id": session, "provider": "openai", "model": "gpt-4o", "output_tokens": 10, "cost_usd": 0.0 }
            ] })
            .to_string(),
        )
        .await;
    assert_eq!(many.status, StatusCode::CREATED, "{}", many.text());

    // bad rows name their place and write nothing
    for (body, field) in [
        (
            json!({ "calls": [ { "session_id": session, "provider": "p", "model": "m" }, { "session_id": session, "provider": "p" } ] }),
            "calls[1].model",
        ),
        (
            json!({ "session_id": 999, "provider": "p", "model": "m" }),
            "session_id",
        ),
        (
            json!({ "session_id": session, "provider": "p", "model": "m", "cost_usd": -1 }),
            "calls[0].cost_usd",
        ),
        (
            json!({ "session_id": session, "provider": "p", "model": "m", "input_tokens": "lots" }),
            "input_tokens",
        ),
        (json!({ "calls": [] }), "calls"),
    ] {
        let r = app.json("POST", "/api/usage", body.to_string()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text()
        );
        assert_eq!(r.json()["field"], field, "{body}");
    }

    let usage = app.get(&format!("/api/sessions/{session}/usage")).await;
    assert_eq!(usage.status, StatusCode::OK);
    let u = usage.json();
    assert_eq!(u["data"]["totals"]["calls"], 3);
    assert_eq!(u["data"]["totals"]["input_tokens"], 13000);
    assert_eq!(u["data"]["totals"]["cost_micros"], 50_000);
    assert_eq!(u["data"]["calls"][0]["provider"], "anthropic");
    assert_eq!(
        app.get("/api/sessions/999/usage").await.status,
        StatusCode::NOT_FOUND
    );

    // an aider log that reports tokens and cost adds rows of its own
    let log = "# aider chat started at 2026-01-01 10:00:00\n\n> Main model: gpt-4o with diff edit format\n\n#### add a test\n\nDone.\n\n> Tokens: 3.2k sent, 21 received. Cost: $0.0082 message, $0.0082 session.\n";
    let imported = app
        .json(
            "POST",
            &format!("/api/sessions/{session}/import"),
            json!({ "text": log }).to_string(),
        )
        .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.text());
    assert_eq!(imported.json()["data"]["usage_recorded"], 1);
    let u = app
        .get(&format!("/api/sessions/{session}/usage"))
        .await
        .json();
    assert_eq!(u["data"]["totals"]["calls"], 4);
    assert_eq!(u["data"]["calls"][3]["source"], "import");

    // cost per project, session and accomplishment (two accomplishments)
    let report = app
        .get(&format!("/api/analytics?project_id={project}"))
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text());
    let costs = &report.json()["data"]["costs"][0];
    assert_eq!(costs["project_name"], "Ledger");
    assert_eq!(costs["sessions"], 1);
    assert_eq!(costs["accomplishments"], 2);
    assert!((costs["cost_usd"].as_f64().unwrap() - 0.0582).abs() < 1e-9);
    assert!((costs["cost_per_accomplishment_usd"].as_f64().unwrap() - 0.0291).abs() < 1e-9);
}

#[tokio::test]
async fn an_account_past_90_percent_raises_an_alert_on_the_dashboard() {
    let app = app().await;
    let project = app.create("Alerts").await;
    let account = app.account_with("Nearly-Empty", 100, 100, "alerts").await;
    app.account_with("Plenty", 100, 100, "alerts").await;
    assert_eq!(
        app.get("/api/analytics/alerts").await.json()["data"],
        json!([])
    );
    let page = app.get("/").await.text();
    assert!(!page.contains("data-testid=\"alert\""));

    app.finished(project, account, 91).await;
    let alerts = app.get("/api/analytics/alerts").await.json();
    assert_eq!(alerts["data"].as_array().unwrap().len(), 1, "{alerts}");
    assert_eq!(alerts["data"][0]["account_name"], "Nearly-Empty");
    assert_eq!(alerts["data"][0]["alert"], 90);
    assert_eq!(alerts["data"][0]["used_percent"], 91);

    let page = app.get("/").await.text();
    assert!(page.contains("data-testid=\"alert\""), "{page}");
    assert!(page.contains("Nearly-Empty"));
    assert!(page.contains("91% used"));
}

#[tokio::test]
async fn the_analytics_page_draws_charts_on_the_server() {
    let app = app().await;
    let empty = app.get("/analytics").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.text().contains("No sessions in this period"));
    assert!(
        !empty.text().contains("data-testid=\"chart-daily\""),
        "an empty period draws no empty charts"
    );
    assert!(empty.text().contains("data-testid=\"outlooks\""));

    let project = app.create("Charted").await;
    let account = app.account_with("C-1", 1000, 1000, "charts").await;
    for c in [88, 60, 95] {
        app.finished(project, account, c).await;
    }
    let page = app.get("/analytics?days=7").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    for id in [
        "chart-daily",
        "chart-bands",
        "chart-accounts",
        "chart-platforms",
        "savings",
    ] {
        assert!(
            html.contains(&format!("data-testid=\"{id}\"")),
            "{id} missing"
        );
    }
    assert!(html.contains("<svg"));
    assert!(html.contains("Charted"));
    assert!(html.contains("243 credits"), "the week's total");

    let bad = app.get("/analytics?days=0").await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.text().contains("days: 0 is not a number of days"));
}

#[tokio::test]
async fn a_running_session_offers_the_briefing_before_its_account_runs_out() {
    let app = app().await;
    let project = app.create("Runs out").await;
    let account = app.account_with("Draining", 200, 200, "drain").await;
    let next = app.account_with("Fresh", 200, 200, "drain").await;
    // 150 credits in the last day: 6.25 an hour
    app.finished(project, account, 150).await;
    let session = app.session(project, account, "keep going").await;
    let quiet = app.get(&format!("/sessions/{session}")).await.text();
    assert!(
        !quiet.contains("data-testid=\"runs-out\""),
        "50 left is enough for now"
    );

    // 35 more used in this session: 15 left, 5 above the reserve, gone in under an hour
    let patch = app
        .json(
            "PATCH",
            &format!("/api/sessions/{session}"),
            json!({ "add_credits": 35 }).to_string(),
        )
        .await;
    assert_eq!(patch.status, StatusCode::OK, "{}", patch.text());
    let page = app.get(&format!("/sessions/{session}")).await.text();
    assert!(page.contains("data-testid=\"runs-out\""), "{page}");
    assert!(page.contains("Preview the briefing"));
    assert!(
        page.contains("Hand off and continue on Fresh"),
        "offers the next account in one action"
    );
    // nothing was recorded by the advice
    let switches = app
        .get(&format!("/api/accounts/{next}/switches"))
        .await
        .json();
    assert_eq!(switches["data"], json!([]));
}

/// With many accounts the report stays small: the ranking keeps the top accounts and sums
/// the rest, outlooks come a page at a time (the most urgent first), long periods chart
/// weeks; the dashboard shows one line, not an alert per account.
#[tokio::test]
async fn many_accounts_stay_a_short_report_and_one_alert_line() {
    let app = app().await;
    let project = app.create("Busy").await;
    let now = paas::server::clock::now();
    let mut tx = paas::storage::begin_write(&app.db).await.unwrap();
    for a in 1..=40i64 {
        // every other account is out of credits; refills come later for each
        sqlx::query(
            "INSERT INTO accounts (id, account_name, platform, credits_available, credit_capacity, next_refresh_at) \
             VALUES (?, ?, 'claude', ?, 100, ?)",
        )
        .bind(a)
        .bind(format!("acc-{a:02}"))
        .bind(if a % 2 == 0 { 0 } else { 60 })
        .bind(now.plus_seconds(3_600 * a))
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO sessions (project_id, account_id, session_number, credits_used, status, started_at, completed_at) \
             VALUES (?, ?, ?, ?, 'completed', ?, ?)",
        )
        .bind(project)
        .bind(a)
        .bind(a)
        .bind(10 + a)
        .bind(now.plus_seconds(-86_400 * (a % 20)))
        .bind(now.plus_seconds(-86_400 * (a % 20) + 600))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let r = app.get("/api/analytics?days=365").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = &r.json()["data"];
    let ranking = d["by_account"].as_array().unwrap();
    assert_eq!(ranking.len(), 13, "12 accounts and the rest");
    assert_eq!(ranking[12]["key"], "other");
    assert_eq!(ranking[12]["label"], "28 others");
    let sessions: i64 = ranking
        .iter()
        .map(|g| g["sessions"].as_i64().unwrap())
        .sum();
    assert_eq!(sessions, 40, "nothing lost in the sum");
    assert_eq!(d["outlook_total"], 40);
    assert_eq!(d["outlooks"].as_array().unwrap().len(), 25);
    assert_eq!(
        d["outlooks"][0]["credits_available"], 0,
        "the most urgent first"
    );
    assert_eq!(d["weekly"], true);
    assert!(d["daily"]["days"].as_array().unwrap().len() <= 53);
    let second = app
        .get("/api/analytics?days=365&outlook_page=2")
        .await
        .json();
    assert_eq!(second["data"]["outlooks"].as_array().unwrap().len(), 15);
    let bad = app.get("/api/analytics?outlook_page=0").await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );
    assert_eq!(bad.json()["field"], "outlook_page");
    let month = app.get("/api/analytics").await.json();
    assert_eq!(month["data"]["weekly"], false);

    let page = app.get("/").await.text().replace("<!>", "");
    assert_eq!(page.matches("data-testid=\"alert-line\"").count(), 1);
    assert!(
        page.contains("20 accounts out of credits"),
        "one line counts them"
    );
    // the soonest refill, relative, with its local clock time (UTC on the server)
    let refill = page.split("next refill ").nth(1).unwrap_or_default();
    assert!(
        refill.starts_with("<time") && refill.contains(">in 2 h ("),
        "the soonest refill: {}",
        &refill[..refill.len().min(200)]
    );
    assert_eq!(
        page.matches("data-testid=\"alert\"").count(),
        20,
        "the table holds the worst 20"
    );
    // the table sorts by a column through the address and stays open
    let rows_of = |page: &str| -> Vec<String> {
        page.split("data-testid=\"alert\"")
            .skip(1)
            .filter_map(|r| r.split("/accounts/").nth(1))
            .filter_map(|r| r.split('>').nth(1))
            .map(|r| r.split('<').next().unwrap_or_default().to_string())
            .collect()
    };
    let by_name = app.get("/?alerts=name").await.text().replace("<!>", "");
    assert!(
        by_name.contains("<details open"),
        "sorted, the table stays open"
    );
    let names = rows_of(&by_name);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names.len(), 20);
    assert_eq!(names, sorted, "by name");
    // the header of the order in use says so
    let sorted_by = |page: &str| -> Vec<String> {
        page.split("aria-sort=\"descending\"")
            .skip(1)
            .filter_map(|h| h.split("data-testid=\"alerts-sort-").nth(1))
            .map(|h| h.split('"').next().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(sorted_by(&by_name), ["name"]);
    assert_eq!(sorted_by(&page), ["urgency"]);
    let analytics = app.get("/analytics?outlook_page=2").await.text();
    assert!(analytics.contains("Accounts 26–40 of 40"), "paged outlooks");
}
