//! HTTP tests of sessions: start, change, checkpoints, turns, completion, timeline.
#![cfg(feature = "ssr")]

mod common;

use axum::http::StatusCode;
use common::app;
use serde_json::json;

impl common::TestApp {
    /// A project, an account and a running session on them: (project, account, session).
    async fn running_session(&self, project_name: &str, account_name: &str) -> (i64, i64, i64) {
        let project = self.create(project_name).await;
        let acc = self
            .json(
                "POST",
                "/api/accounts",
                json!({ "account_name": account_name }).to_string(),
            )
            .await;
        let account = acc.json()["id"].as_i64().unwrap();
        let s = self
            .json(
                "POST",
                "/api/sessions",
                json!({ "project_id": project, "account_id": account }).to_string(),
            )
            .await;
        assert_eq!(s.status, StatusCode::CREATED, "{}", s.text());
        (project, account, s.json()["id"].as_i64().unwrap())
    }
}

#[tokio::test]
async fn session_lifecycle_over_rest() {
    let app = app().await;
    let project = app.create("Sessions").await;
    let acc = app
        .json(
            "POST",
            "/api/accounts",
            json!({ "account_name": "S-1", "credits_available": 100 }).to_string(),
        )
        .await;
    let account = acc.json()["id"].as_i64().unwrap();

    let a = app
        .json("POST", "/api/sessions", json!({ "project_id": project, "account_id": account, "session_type": "feature", "objectives": "Build authentication system" }).to_string())
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let body = a.json();
    assert_eq!(body["session_number"], 1);
    let id = body["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&format!("/api/accounts/{account}")).await.json()["data"]["status"],
        "active"
    );

    let a = app
        .json(
            "PATCH",
            &format!("/api/sessions/{id}"),
            json!({ "accomplishments": "Login form", "add_credits": 30 }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["data"]["credits_used"], 30);

    let cp = app
        .json(
            "POST",
            &format!("/api/sessions/{id}/checkpoints"),
            json!({ "note": "half way" }).to_string(),
        )
        .await;
    assert_eq!(cp.status, StatusCode::CREATED, "{}", cp.text());
    let cp_id = cp.json()["id"].as_i64().unwrap();
    app.json(
        "PATCH",
        &format!("/api/sessions/{id}"),
        json!({ "accomplishments": "changed" }).to_string(),
    )
    .await;
    let r = app
        .json(
            "POST",
            &format!("/api/sessions/{id}/checkpoints/{cp_id}/restore"),
            "{}",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["data"]["accomplishments"], "Login form");

    let t = app
        .json(
            "POST",
            &format!("/api/sessions/{id}/turns"),
            json!({ "role": "user", "content": "hello", "tokens_used": 3 }).to_string(),
        )
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{}", t.text());
    assert_eq!(t.json()["data"]["turn_number"], 1);

    let list = app
        .get(&format!("/api/sessions?project_id={project}"))
        .await
        .json();
    assert_eq!(list["data"][0]["project_name"], "Sessions");
    assert_eq!(list["data"][0]["account_name"], "S-1");

    let done = app
        .json(
            "POST",
            &format!("/api/sessions/{id}/complete"),
            json!({ "credits_used": 88 }).to_string(),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    assert_eq!(done.json()["data"]["debited"], 88);
    let again = app
        .json(
            "POST",
            &format!("/api/sessions/{id}/complete"),
            json!({ "credits_used": 88 }).to_string(),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        app.get(&format!("/api/accounts/{account}")).await.json()["data"]["credits_available"],
        12
    );
    let p = app.get(&format!("/api/projects/{project}")).await.json();
    assert_eq!(
        (
            p["data"]["total_credits_used"].as_i64(),
            p["data"]["total_sessions"].as_i64()
        ),
        (Some(88), Some(1))
    );

    let detail = app.get(&format!("/api/sessions/{id}/detail")).await.json();
    assert_eq!(detail["data"]["handoffs"].as_array().unwrap().len(), 1);
    assert_eq!(detail["data"]["turns"].as_array().unwrap().len(), 1);
    let tl = app
        .get(&format!("/api/projects/{project}/sessions-timeline"))
        .await
        .json();
    assert_eq!(tl["data"][0]["has_handoff"], true);

    let next = app
        .json(
            "POST",
            "/api/sessions/create-with-handoff",
            json!({ "project_id": project, "account_id": account }).to_string(),
        )
        .await;
    assert_eq!(next.json()["session_number"], 2);
    assert!(next.json()["previous_handoff"]
        .as_str()
        .unwrap()
        .contains("Login form"));
}

#[tokio::test]
async fn session_endpoints_reject_bad_input() {
    let app = app().await;
    let project = app.create("Bad").await;
    for (body, status, field) in [
        (
            json!({}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("project_id"),
        ),
        (
            json!({ "project_id": project }),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("account_id"),
        ),
        (
            json!({ "project_id": project, "account_id": 99 }),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            json!({ "project_id": 99, "account_id": 1 }),
            StatusCode::NOT_FOUND,
            None,
        ),
    ] {
        let a = app.json("POST", "/api/sessions", body.to_string()).await;
        assert_eq!(a.status, status, "{}", a.text());
        if let Some(f) = field {
            assert_eq!(a.json()["field"], f);
        }
    }
    assert_eq!(
        app.json(
            "PATCH",
            "/api/sessions/5",
            json!({ "blockers": "x" }).to_string()
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.json("POST", "/api/sessions/x/complete", "{}")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/api/sessions?status=sleeping").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get("/api/sessions?project_id=abc").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn import_a_conversation_log() {
    let app = app().await;
    let (_, _, id) = app.running_session("Imports", "I-1").await;
    let uri = format!("/api/sessions/{id}/import");

    let aider = "# aider chat started at 2026-01-01 10:00:00\n\n#### add a health endpoint\n\nAdded GET /health in src/main.rs\n";
    let a = app
        .json("POST", &uri, json!({ "text": aider }).to_string())
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["data"]["format"], "aider");
    assert_eq!(a.json()["data"]["imported"], 2);

    // a Claude Code Markdown transcript: the alert is the user's, the call a tool's
    let transcript = "# Claude Code Transcript\n\n> [!IMPORTANT]\n> Run the tests.\n\nRunning them now.\n\n💻 **Bash: Run the tests**\n```shell\ncargo test\n```\n```\ntest result: ok\n```\n\n📖 **Read: src/main.rs**\n";
    let t = app
        .json("POST", &uri, json!({ "text": transcript }).to_string())
        .await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.text());
    assert_eq!(t.json()["data"]["format"], "transcript");
    assert_eq!(t.json()["data"]["imported"], 4);

    let bad = app
        .json(
            "POST",
            &uri,
            json!({ "format": "chatgpt", "text": "[{\"mapping\": " }).to_string(),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.json()["error"]
            .as_str()
            .unwrap()
            .contains("not a ChatGPT export"),
        "{}",
        bad.text()
    );
    let unknown = app
        .json(
            "POST",
            &uri,
            json!({ "format": "yaml", "text": "x" }).to_string(),
        )
        .await;
    assert_eq!(unknown.json()["field"], "format");
    let turns = app.get(&format!("/api/sessions/{id}/turns")).await.json();
    let turns = turns["data"].as_array().unwrap();
    assert_eq!(turns.len(), 6, "failed imports add nothing");
    let roles: Vec<&str> = turns[2..]
        .iter()
        .map(|t| t["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        ["user", "assistant", "system", "system"],
        "{turns:?}"
    );
    assert!(turns[4]["content"]
        .as_str()
        .unwrap()
        .starts_with("$ cargo test"));
    assert_eq!(
        app.json(
            "POST",
            "/api/sessions/999/import",
            json!({ "text": "hi" }).to_string()
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn tracked_files_and_critical_ones_in_briefings() {
    let app = app().await;
    let project = app.create("Files").await;
    let uri = format!("/api/projects/{project}/files");
    let a = app.json("POST", &uri, json!({ "file_path": "src/auth.rs", "importance": "critical", "git_status": "modified" }).to_string()).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    assert_eq!(a.json()["data"]["file_type"], "rs");
    app.json(
        "POST",
        &uri,
        json!({ "file_path": "README.md" }).to_string(),
    )
    .await;
    let again = app
        .json(
            "POST",
            &uri,
            json!({ "file_path": "src/auth.rs", "importance": "critical", "notes": "token logic" })
                .to_string(),
        )
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    let list = app.get(&uri).await.json();
    assert_eq!(
        list["data"].as_array().unwrap().len(),
        2,
        "same path updates, not duplicates"
    );
    assert_eq!(list["data"][0]["file_path"], "src/auth.rs");
    for (body, field) in [
        (json!({}), "file_path"),
        (
            json!({ "file_path": "x", "importance": "vital" }),
            "importance",
        ),
    ] {
        let a = app.json("POST", &uri, body.to_string()).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(a.json()["field"], field);
    }

    let acc = app
        .json(
            "POST",
            "/api/accounts",
            json!({ "account_name": "F-1" }).to_string(),
        )
        .await;
    let account = acc.json()["id"].as_i64().unwrap();
    let s = app
        .json(
            "POST",
            "/api/sessions",
            json!({ "project_id": project, "account_id": account }).to_string(),
        )
        .await;
    let id = s.json()["id"].as_i64().unwrap();
    let done = app
        .json(
            "POST",
            &format!("/api/sessions/{id}/complete"),
            json!({ "credits_used": 5 }).to_string(),
        )
        .await;
    let briefing = done.json()["data"]["handoff"]["compressed_context"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        briefing.contains("## Files & identifiers") && briefing.contains("Critical: src/auth.rs"),
        "{briefing}"
    );
    assert!(!briefing.contains("README.md"));

    let file_id = list["data"][1]["id"].as_i64().unwrap();
    let del = app
        .send(
            axum::http::Request::delete(format!("{uri}/{file_id}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(del.status, StatusCode::OK);
    let del = app
        .send(
            axum::http::Request::delete(format!("{uri}/{file_id}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(del.status, StatusCode::NOT_FOUND);
}

fn multipart(file: &[u8]) -> axum::http::Request<axum::body::Body> {
    let boundary = "XBOUNDARYX";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\nauto\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"log.md\"\r\nContent-Type: text/markdown\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    axum::http::Request::post("/upload/sessions/1/import")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn upload_a_log_file_without_javascript() {
    let app = app().await;
    let (_, _, session) = app.running_session("Uploads", "U-1").await;
    assert_eq!(session, 1, "the upload requests below address session 1");

    let ok = app
        .send(multipart(b"User: ship it\nAssistant: shipped"))
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.headers["location"], "/sessions/1?imported=2");

    let binary = app.send(multipart(&[0xff, 0xfe, 0x00, 0x01])).await;
    assert!(binary.headers["location"]
        .to_str()
        .unwrap()
        .contains("import_error=this%20is%20not%20a%20text%20file"));
    let big = app.send(multipart(&vec![b'a'; common::MAX_BODY * 2])).await;
    let location = big.headers["location"].to_str().unwrap().to_owned();
    assert!(location.contains("upload%20limit"), "{location}");
    let turns = app.get("/api/sessions/1/turns").await.json();
    assert_eq!(turns["data"].as_array().unwrap().len(), 2);
}

/// An account with a specialization and credits; returns its id.
async fn account(app: &common::TestApp, name: &str, spec: &str, credits: i64) -> i64 {
    let a = app
        .json(
            "POST",
            "/api/accounts",
            json!({ "account_name": name, "specialization": spec, "credits_available": credits })
                .to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    a.json()["id"].as_i64().unwrap()
}

async fn count(app: &common::TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.db).await.unwrap()
}

/// Rotate → continue: the running session ends handed off (debited once, its briefing
/// written), its account is marked exhausted, and the next session starts on an account
/// of the same specialization with the same objective and the briefing attached.
#[tokio::test]
async fn rotating_a_session_continues_on_the_next_account() {
    let app = app().await;
    let project = app.create("Loop").await;
    let low = account(&app, "Low", "code", 100).await;
    let same = account(&app, "Same-kind", "code", 500).await;
    let _richer = account(&app, "Richer-other", "writing", 900).await;
    let id = app.session(project, low, "Ship the exporter").await;
    let a = app
        .json(
            "PATCH",
            &format!("/api/sessions/{id}"),
            json!({ "credits_used": 40, "accomplishments": "CSV writer done", "blockers": "quoting of newlines" }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());

    let r = app
        .json("POST", &format!("/api/sessions/{id}/rotate"), "{}")
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let body = r.json();
    let next = &body["data"]["next"]["session"];
    assert_eq!(
        next["account_id"], same,
        "same specialization first: {body}"
    );
    assert_eq!(next["session_number"], 2);
    assert_eq!(next["objectives"], "Ship the exporter");
    assert_eq!(body["id"], next["id"]);
    let briefing = body["data"]["next"]["previous_handoff"].as_str().unwrap();
    assert!(briefing.contains("CSV writer done"), "{briefing}");
    assert!(briefing.contains("quoting of newlines"), "{briefing}");

    let first = app.get(&format!("/api/sessions/{id}/detail")).await.json();
    assert_eq!(first["data"]["session"]["status"], "handed_off");
    let acc = app.get(&format!("/api/accounts/{low}")).await.json();
    assert_eq!(acc["data"]["credits_available"], 60, "debited once: {acc}");
    assert_eq!(acc["data"]["status"], "exhausted");
    assert_eq!(
        app.get(&format!("/api/accounts/{same}")).await.json()["data"]["status"],
        "active"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM account_switches WHERE kind = 'rotate'"
        )
        .await,
        1
    );

    // the finished session cannot be rotated again: 409, nothing changes
    let again = app
        .json("POST", &format!("/api/sessions/{id}/rotate"), "{}")
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions").await, 2);
    assert_eq!(
        app.get(&format!("/api/accounts/{low}")).await.json()["data"]["credits_available"],
        60
    );
}

/// A rotation that cannot finish changes nothing: the session keeps running, nothing is
/// debited, no session starts.
#[tokio::test]
async fn a_refused_rotation_changes_nothing() {
    let app = app().await;
    let project = app.create("Stuck").await;
    let low = account(&app, "Only", "code", 100).await;
    let blocked = account(&app, "Blocked", "code", 100).await;
    let b = app
        .json(
            "PATCH",
            &format!("/api/accounts/{blocked}"),
            json!({ "status": "blocked" }).to_string(),
        )
        .await;
    assert_eq!(b.status, StatusCode::OK, "{}", b.text());
    let id = app.session(project, low, "work").await;
    app.json(
        "PATCH",
        &format!("/api/sessions/{id}"),
        json!({ "credits_used": 30 }).to_string(),
    )
    .await;

    for (body, status, field) in [
        (json!({}), StatusCode::CONFLICT, None), // no other account can take over
        (
            json!({ "account_id": blocked }),
            StatusCode::CONFLICT,
            Some("account_id"),
        ),
        (
            json!({ "account_id": low }),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("account_id"),
        ),
        (
            json!({ "account_id": -3 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("account_id"),
        ),
        (
            json!({ "strategy": "random" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("strategy"),
        ),
    ] {
        let r = app
            .json(
                "POST",
                &format!("/api/sessions/{id}/rotate"),
                body.to_string(),
            )
            .await;
        assert_eq!(r.status, status, "{body}: {}", r.text());
        if let Some(f) = field {
            assert_eq!(r.json()["field"], f, "{body}: {}", r.text());
        }
        let s = app.get(&format!("/api/sessions/{id}/detail")).await.json();
        assert_eq!(s["data"]["session"]["status"], "in_progress", "{body}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions").await, 1);
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM context_snapshots").await,
            0,
            "no briefing written"
        );
        let acc = app.get(&format!("/api/accounts/{low}")).await.json();
        assert_eq!(acc["data"]["credits_available"], 100, "{body}");
    }
}

/// Without JavaScript the rotate form posts to the server function and the browser lands
/// on the new session, whose page shows the briefing first.
#[tokio::test]
async fn rotate_without_javascript_opens_the_next_session() {
    use axum::body::Body;
    use axum::http::{header, Request};
    let app = app().await;
    let project = app.create("Plain").await;
    let low = account(&app, "From", "code", 100).await;
    let to = account(&app, "To", "code", 50).await;
    let id = app.session(project, low, "Keep going").await;
    app.json(
        "PATCH",
        &format!("/api/sessions/{id}"),
        json!({ "accomplishments": "parser <b>fixed</b>" }).to_string(),
    )
    .await;
    let page = app.get(&format!("/sessions/{id}")).await.text();
    assert!(
        page.contains("Hand off and continue on To"),
        "proposed on the page"
    );
    let body =
        serde_urlencoded::to_string([("id", id.to_string()), ("account_id", to.to_string())])
            .unwrap();
    let req = Request::post("/rpc/rotate_session")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(
            header::REFERER,
            format!("http://localhost:3000/sessions/{id}"),
        )
        .body(Body::from(body))
        .unwrap();
    let a = app.send(req).await;
    assert!(a.status.is_redirection(), "{} {}", a.status, a.text());
    let location = a.headers[header::LOCATION].to_str().unwrap().to_owned();
    let next: i64 = sqlx::query_scalar("SELECT id FROM sessions WHERE session_number = 2")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(location, format!("/sessions/{next}"));
    let html = app.get(&location).await.text().replace("<!>", "");
    assert!(html.contains("Continue from this briefing"), "{html}");
    assert!(html.contains("data-testid=\"previous-handoff\""));
    assert!(html.contains("parser"), "the briefing is on the page");
    assert!(!html.contains("parser <b>fixed"), "never raw");
}

/// A long conversation is paged: the page shows the latest turns, earlier pages and a
/// search on request, rendered from markdown safely.
#[tokio::test]
async fn a_long_conversation_is_paged_and_searchable() {
    let app = app().await;
    let project = app.create("Long").await;
    let acc = app.account_named("Talker").await;
    let id = app.session(project, acc, "talk").await;
    let mut turns = String::new();
    for n in 1..=60 {
        turns.push_str(&format!(
            "USER: question number-{n}-mark\n\nASSISTANT: answer {n}\n\n"
        ));
    }
    turns.push_str(
        "USER: a [link](javascript:alert(2)) and **bold**\n\n<script>alert(1)</script>\n",
    );
    let r = app
        .rpc(
            "import_conversation",
            &[
                ("id", &id.to_string()),
                ("format", "plain"),
                ("text", &turns),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let total = count(&app, "SELECT COUNT(*) FROM conversation_history").await;
    assert!(total > 100, "{total} turns");

    let html = app
        .get(&format!("/sessions/{id}"))
        .await
        .text()
        .replace("<!>", "");
    assert!(html.contains("data-testid=\"session-actions\""));
    let shown = html.matches("data-testid=\"turn\"").count();
    assert_eq!(shown as i64, (total - 1) % 25 + 1, "the latest page");
    assert!(html.contains("<strong>bold</strong>"), "markdown rendered");
    assert!(!html.contains("<script>alert(1)"), "raw HTML is text");
    assert!(!html.contains("href=\"javascript:"), "unsafe link removed");
    assert!(html.contains("#unsafe-link-removed"));
    assert!(!html.contains("number-1-mark"), "first page not shown");
    // the action bar comes before the conversation
    assert!(html.find("session-actions").unwrap() < html.find("data-testid=\"turns\"").unwrap());

    let first = app.get(&format!("/sessions/{id}?page=1")).await.text();
    assert!(first.contains("number-1-mark"));
    assert_eq!(first.matches("data-testid=\"turn\"").count(), 25);

    let found = app
        .get(&format!("/sessions/{id}?q=number-42-"))
        .await
        .text();
    assert_eq!(
        found.matches("data-testid=\"turn\"").count(),
        1,
        "one match"
    );
    assert!(found.contains("number-42-mark"));
    // LIKE wildcards are literal
    let none = app.get(&format!("/sessions/{id}?q=%25_%25")).await.text();
    assert_eq!(none.matches("data-testid=\"turn\"").count(), 0);
    // nonsense pages fall back to the latest
    let odd = app.get(&format!("/sessions/{id}?page=abc")).await;
    assert_eq!(odd.status, StatusCode::OK);
}

/// A project's figures count finished sessions, say so, and show what runs beside them.
#[tokio::test]
async fn project_figures_say_what_they_count_and_show_running_work() {
    let app = app().await;
    let project = app.create("Counted").await;
    let account = app.account_named("Counter").await;
    let s = app.session(project, account, "Count things").await;
    let r = app
        .json(
            "PATCH",
            &format!("/api/sessions/{s}"),
            json!({ "credits_used": 40 }).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let page = app
        .get(&format!("/projects/{project}"))
        .await
        .text()
        .replace("<!>", "");
    assert!(page.contains("Credits of finished sessions"), "{page}");
    assert!(page.contains("Sessions finished"));
    assert!(
        page.contains("Running now: 1 session · 40 credits so far"),
        "running work is shown beside the finished figures"
    );
    let dashboard = app.get("/").await.text();
    assert!(dashboard.contains("Credits of finished sessions"));
}

/// The spec's browser client sends ids and numbers read from form fields as strings
/// (`{"project_id":"1","account_id":"4"}`, `"credits_used":"88"`): they are taken as the
/// numbers they are; a string that is no number is still refused, naming the field.
#[tokio::test]
async fn ids_and_numbers_sent_as_strings_are_accepted() {
    let app = app().await;
    let project = app.create("Strings").await;
    let account = app.account_named("Stringly").await;
    let s = app
        .json(
            "POST",
            "/api/sessions/create-with-handoff",
            json!({ "project_id": project.to_string(), "account_id": account.to_string(), "objectives": "from a form" })
                .to_string(),
        )
        .await;
    assert_eq!(s.status, StatusCode::CREATED, "{}", s.text());
    let id = s.json()["data"]["id"].as_i64().unwrap();
    let done = app
        .json(
            "POST",
            &format!("/api/sessions/{id}/complete"),
            json!({ "credits_used": "88", "accomplishments": "done" }).to_string(),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    let acc = app.get(&format!("/api/accounts/{account}")).await.json();
    let left = acc["data"]["credits_available"]
        .as_i64()
        .or_else(|| acc["data"]["account"]["credits_available"].as_i64())
        .unwrap();
    let before = 100;
    assert_eq!(left, before - 88, "{acc}");

    let bad = app
        .json(
            "POST",
            "/api/sessions",
            json!({ "project_id": "one", "account_id": account }).to_string(),
        )
        .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );
    assert_eq!(bad.json()["field"], "project_id");
}
