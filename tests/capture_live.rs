//! Capture as it happens: a followed directory's appended lines become turns and ledger
//! rows once, and `/events` tells open pages about it; the dashboard's live figures follow.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use http_body_util::BodyExt;
use paas::domain::capture::price::PriceTable;
use paas::server::capture::{follow, Dirs, Scan};
use std::io::Write;
use std::time::Duration;
use tower::ServiceExt;

fn user_line(uuid: &str, text: &str, at: &str) -> String {
    format!(
        r#"{{"type":"user","sessionId":"live-1","uuid":"{uuid}","timestamp":"{at}","cwd":"/nowhere/live-shop","message":{{"role":"user","content":"{text}"}}}}"#
    ) + "\n"
}

fn assistant_line(uuid: &str, msg: &str, output: u64, at: &str) -> String {
    format!(
        r#"{{"type":"assistant","sessionId":"live-1","uuid":"{uuid}","requestId":"req_{msg}","timestamp":"{at}","cwd":"/nowhere/live-shop","message":{{"id":"{msg}","role":"assistant","model":"claude-sonnet-4-5","content":[{{"type":"text","text":"Done with {msg}"}}],"usage":{{"input_tokens":100,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":{output}}}}}}}"#
    ) + "\n"
}

fn append(path: &std::path::Path, text: &str) {
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .unwrap();
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.db).await.unwrap()
}

/// Waits (at most `secs`) until the SSE body delivers an event named `name`.
async fn next_event(body: &mut Body, name: &str, secs: u64) -> bool {
    let wanted = format!("event: {name}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, body.frame()).await {
            Ok(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    if String::from_utf8_lossy(data).contains(&wanted) {
                        return true;
                    }
                }
            }
            _ => return false,
        }
    }
}

#[tokio::test]
async fn appended_lines_are_recorded_once_and_announced() {
    let app = app().await;
    app.events.spawn_watcher(&app.db).await;

    let home = tempfile::tempdir().unwrap();
    let claude = home.path().join("claude");
    let project = claude.join("projects/-nowhere-live-shop");
    std::fs::create_dir_all(&project).unwrap();
    let file = project.join("live-1.jsonl");
    let now = paas::server::clock::now();
    let at = |secs: i64| now.plus_seconds(secs).to_rfc3339();
    std::fs::write(&file, user_line("u1", "add a basket page", &at(-60))).unwrap();

    // a browser signed in follows /events
    let req = Request::get("/events")
        .header(header::HOST, HOST)
        .header(header::COOKIE, format!("paas_session={}", app.cookie))
        .body(Body::empty())
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[header::CONTENT_TYPE].to_str().unwrap(),
        "text/event-stream"
    );
    let mut sse = res.into_body();
    assert!(next_event(&mut sse, "ready", 5).await);

    // nobody signed in gets no stream
    let refused = app
        .send_as(
            Request::get("/events").body(Body::empty()).unwrap(),
            &As::Nobody,
        )
        .await;
    assert_ne!(refused.status, StatusCode::OK);

    let (tx, mut scans) = tokio::sync::mpsc::unbounded_channel::<Scan>();
    let dirs = Dirs {
        claude: vec![claude.clone()],
        ..Default::default()
    };
    let follower = tokio::spawn(follow(
        app.db.clone(),
        dirs,
        PriceTable::default(),
        Duration::from_secs(60),
        move |done| {
            let _ = tx.send(done.expect("scan"));
        },
    ));
    let first = tokio::time::timeout(Duration::from_secs(10), scans.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((first.report.sessions_new, first.report.turns), (1, 1));
    assert!(
        next_event(&mut sse, "change", 5).await,
        "no event after the first scan"
    );

    // the tool writes on: a reply streamed on two lines (the second one larger), then more
    append(
        &file,
        &(assistant_line("a1", "msg_1", 5, &at(-30))
            + &assistant_line("a2", "msg_1", 40, &at(-29))),
    );
    // the watcher (not the 60-second fallback) picks it up
    let grown = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let s = scans.recv().await.unwrap();
            if s.report.files > 0 {
                return s;
            }
        }
    })
    .await
    .expect("the appended lines were not picked up");
    assert_eq!(grown.report.usage_rows, 1);
    assert!(
        next_event(&mut sse, "change", 5).await,
        "no event after the append"
    );
    assert_eq!(count(&app, "SELECT count(*) FROM usage_ledger").await, 1);
    assert_eq!(
        count(&app, "SELECT output_tokens FROM usage_ledger").await,
        40,
        "the larger copy of a streamed reply is the one recorded"
    );
    let turns = count(&app, "SELECT count(*) FROM conversation_history").await;

    // nothing new: a scan records nothing twice
    let again = paas::server::capture::scan(
        &app.db,
        &Dirs {
            claude: vec![claude.clone()],
            ..Default::default()
        },
        &PriceTable::default(),
    )
    .await
    .unwrap();
    assert_eq!((again.report.turns, again.report.usage_rows), (0, 0));
    assert_eq!(
        count(&app, "SELECT count(*) FROM conversation_history").await,
        turns
    );
    assert_eq!(count(&app, "SELECT count(*) FROM usage_ledger").await, 1);

    // the dashboard's live figures: the session, its tokens and the account's window
    let live = paas::service::capture::live(&app.db, paas::server::clock::now(), 8)
        .await
        .unwrap();
    assert_eq!(live.sessions.len(), 1);
    assert_eq!(live.sessions[0].tokens, 140);
    assert_eq!(
        live.sessions[0].objective.as_deref(),
        Some("add a basket page")
    );
    assert_eq!(live.accounts.len(), 1);
    assert_eq!(live.accounts[0].window.unwrap().block.tokens, 140);
    let page = app.get("/").await;
    assert!(page.text().contains("add a basket page"), "{}", page.text());
    follower.abort();
}

/// `paas capture --server`: parsed on one machine, recorded by the app on another through
/// `POST /api/capture/batches` with a write token; a second run sends nothing twice.
#[tokio::test]
async fn a_capture_client_sends_batches_to_a_server() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let security = paas::server::auth::Security::new(
        paas::server::guard::Origins::new(None, Some(port)).unwrap(),
        600,
    );
    let mut app = bare_app(security).await;
    app.cookie = app
        .user("owner@example.com", paas::domain::auth::Role::Owner)
        .await;
    let write = app.token("owner@example.com", "write", None).await;
    let read = app.token("owner@example.com", "read", None).await;
    let router = app.router.clone();
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let url = format!("http://127.0.0.1:{port}");

    let home = tempfile::tempdir().unwrap();
    let claude = home.path().join("claude");
    let project = claude.join("projects/-nowhere-live-shop");
    std::fs::create_dir_all(&project).unwrap();
    let file = project.join("live-1.jsonl");
    let now = paas::server::clock::now();
    let at = |secs: i64| now.plus_seconds(secs).to_rfc3339();
    std::fs::write(
        &file,
        user_line("u1", "send me across", &at(-60)) + &assistant_line("a1", "msg_1", 12, &at(-50)),
    )
    .unwrap();
    let dirs = Dirs {
        claude: vec![claude.clone()],
        ..Default::default()
    };

    // a read token may not send
    let refused = paas::server::capture::scan_remote(&url, &read, &dirs).await;
    assert!(refused.unwrap_err().contains("403"));
    assert_eq!(
        count(&app, "SELECT count(*) FROM conversation_history").await,
        0
    );

    let sent = paas::server::capture::scan_remote(&url, &write, &dirs)
        .await
        .unwrap();
    assert_eq!(
        (
            sent.report.sessions_new,
            sent.report.turns,
            sent.report.usage_rows
        ),
        (1, 2, 1)
    );
    assert_eq!(sent.report.tokens.total(), 112);
    let again = paas::server::capture::scan_remote(&url, &write, &dirs)
        .await
        .unwrap();
    assert_eq!((again.report.files, again.report.turns), (0, 0));
    append(&file, &user_line("u2", "and one more", &at(-10)));
    let more = paas::server::capture::scan_remote(&url, &write, &dirs)
        .await
        .unwrap();
    assert_eq!((more.report.sessions_continued, more.report.turns), (1, 1));
    assert_eq!(
        count(&app, "SELECT count(*) FROM conversation_history").await,
        3
    );

    // a batch built by hand is held to the parsers' rules: secrets out, tool named
    let hostile = serde_json::json!({
        "tool": "claude_code", "dir": "/elsewhere", "roots": {}, "files": [],
        "capture": {"sessions": {"x": {"id": "x", "cwd": "/elsewhere/app", "turns": [
            {"key": "k1", "speaker": "user", "text": "my key is AKIAIOSFODNN7EXAMPLE ok", "at": null}
        ]}}, "usage": {}, "skipped_lines": 0}
    });
    let res = app
        .send_as(
            Request::post("/api/capture/batches")
                .header(header::HOST, format!("127.0.0.1:{port}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(hostile.to_string()))
                .unwrap(),
            &As::Token(write.clone()),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let stored: String = sqlx::query_scalar(
        "SELECT content FROM conversation_history WHERE content LIKE 'my key is%'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(!stored.contains("AKIAIOSFODNN7EXAMPLE"), "{stored}");
    let mut no_tool = hostile.clone();
    no_tool["tool"] = serde_json::Value::Null;
    let res = app
        .send_as(
            Request::post("/api/capture/batches")
                .header(header::HOST, format!("127.0.0.1:{port}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(no_tool.to_string()))
                .unwrap(),
            &As::Token(write),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    assert_eq!(res.json()["field"], "tool");
    server.abort();
}

/// The Sources page lists what capture read; a repository merged into another project
/// takes its captured sessions along (numbered after that project's own), an ignored
/// source records nothing more, and a viewer sees the page without its forms.
#[tokio::test]
async fn sources_are_listed_merged_and_ignored() {
    let app = app().await;
    let home = tempfile::tempdir().unwrap();
    let claude = home.path().join("claude");
    let project = claude.join("projects/-nowhere-live-shop");
    std::fs::create_dir_all(&project).unwrap();
    let file = project.join("live-1.jsonl");
    let now = paas::server::clock::now();
    let at = |secs: i64| now.plus_seconds(secs).to_rfc3339();
    std::fs::write(&file, user_line("u1", "the first thing", &at(-60))).unwrap();
    let dirs = Dirs {
        claude: vec![claude.clone()],
        ..Default::default()
    };
    let prices = PriceTable::default();
    paas::server::capture::scan(&app.db, &dirs, &prices)
        .await
        .unwrap();

    let page = app.get("/sources").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Claude Code"), "{html}");
    assert!(html.contains(&claude.display().to_string()));
    assert!(html.contains("/nowhere/live-shop"));
    assert!(html.contains("removed before anything is stored"));

    // merge the repository into a project of the user's own, which already has a session
    let target = app.create("Shop (mine)").await;
    let account: i64 = sqlx::query_scalar("SELECT id FROM accounts LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO sessions (project_id, account_id, session_number) VALUES (?, ?, 1)")
        .bind(target)
        .bind(account)
        .execute(&app.db)
        .await
        .unwrap();
    let repo: i64 = sqlx::query_scalar("SELECT id FROM capture_repos")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let res = app
        .rpc(
            "map_capture_repo",
            &[
                ("repo", &repo.to_string()),
                ("project", &target.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let moved: (i64, i64) = sqlx::query_as(
        "SELECT project_id, session_number FROM sessions s JOIN capture_sessions c ON c.session_id = s.id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(moved, (target, 2));
    // the tool writes on: the session continues in the project it was merged into
    append(&file, &user_line("u2", "the second thing", &at(-30)));
    paas::server::capture::scan(&app.db, &dirs, &prices)
        .await
        .unwrap();
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) FROM sessions WHERE project_id = {target}")
        )
        .await,
        2
    );
    // a project that does not exist is refused, naming the field
    let res = app
        .rpc(
            "map_capture_repo",
            &[("repo", &repo.to_string()), ("project", "999")],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );

    // ignore the source: what the tool writes next is not recorded
    let source: i64 = sqlx::query_scalar("SELECT id FROM capture_sources")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let res = app
        .rpc(
            "ignore_capture_source",
            &[("source", &source.to_string()), ("ignored", "true")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let turns = count(&app, "SELECT count(*) FROM conversation_history").await;
    append(&file, &user_line("u3", "unseen", &at(-10)));
    paas::server::capture::scan(&app.db, &dirs, &prices)
        .await
        .unwrap();
    assert_eq!(
        count(&app, "SELECT count(*) FROM conversation_history").await,
        turns
    );
    assert!(app.get("/sources").await.text().contains("Ignored"));

    // a viewer reads the page but may not change a mapping
    let viewer = app
        .user("viewer@example.com", paas::domain::auth::Role::Viewer)
        .await;
    let page = app
        .send_as(
            Request::get("/sources").body(Body::empty()).unwrap(),
            &As::Cookie(viewer.clone()),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let res = app
        .send_as(
            Request::post("/rpc/ignore_capture_source")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .body(Body::from(format!("source={source}&ignored=false")))
                .unwrap(),
            &As::Cookie(viewer),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
}

/// A running captured session whose account's vendor window is nearly used up offers the
/// briefing before it runs out, from the tool's own figures.
#[tokio::test]
async fn a_nearly_used_vendor_window_offers_the_briefing() {
    let app = app().await;
    let home = tempfile::tempdir().unwrap();
    let codex = home.path().join("codex");
    let day = codex.join("sessions/2026/12/07");
    std::fs::create_dir_all(&day).unwrap();
    let now = paas::server::clock::now();
    let at = |secs: i64| now.plus_seconds(secs).to_rfc3339();
    // a 5-hour window that resets in an hour, 97 % used ten minutes ago
    let resets = now.plus_seconds(3600).unix();
    let lines = [
        serde_json::json!({"timestamp": at(-900), "type": "session_meta", "payload": {"id": "cx-9", "cwd": "/nowhere/api"}}),
        serde_json::json!({"timestamp": at(-890), "type": "turn_context", "payload": {"model": "gpt-5-codex"}}),
        serde_json::json!({"timestamp": at(-880), "type": "response_item", "payload": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "rate-limit the API"}]}}),
        serde_json::json!({"timestamp": at(-600), "type": "event_msg", "payload": {"type": "token_count",
            "info": {"total_token_usage": {"input_tokens": 5000, "cached_input_tokens": 1000, "output_tokens": 300}},
            "rate_limits": {"primary": {"used_percent": 97.0, "window_minutes": 300, "resets_at": resets}}}}),
    ];
    let text: String = lines.iter().map(|l| l.to_string() + "\n").collect();
    std::fs::write(day.join("rollout-2026-12-07T00-00-00-cx-9.jsonl"), text).unwrap();
    let dirs = Dirs {
        codex: vec![codex.clone()],
        ..Default::default()
    };
    paas::server::capture::scan(&app.db, &dirs, &PriceTable::default())
        .await
        .unwrap();
    let session: i64 = sqlx::query_scalar("SELECT session_id FROM capture_sessions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let page = app.get(&format!("/sessions/{session}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Codex CLI · default runs out"), "{html}");
    // and the dashboard says what the tool reported
    let live = paas::service::capture::live(&app.db, paas::server::clock::now(), 8)
        .await
        .unwrap();
    assert_eq!(live.accounts[0].vendor[0].used_percent, 97.0);
}
