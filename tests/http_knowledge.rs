//! HTTP tests of the knowledge base: REST, search, outcomes, pages.
#![cfg(feature = "ssr")]

mod common;

use axum::http::StatusCode;
use common::{app, TestApp};
use serde_json::{json, Value};

async fn add(app: &TestApp, body: Value) -> i64 {
    let a = app.json("POST", "/api/knowledge", body.to_string()).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    a.json()["id"].as_i64().unwrap()
}

fn encode(q: &str) -> String {
    serde_urlencoded::to_string([("q", q)]).unwrap()
}

#[tokio::test]
async fn the_spec_list_search_and_outcomes() {
    let app = app().await;
    let fix = add(
        &app,
        json!({ "category": "error_solution", "title": "Wrangler cannot find dist", "description": "Run `npm run build` first: `ENOENT: dist/_worker.js`.", "tags": "cloudflare, deployment" }),
    )
    .await;
    let tip = add(
        &app,
        json!({ "category": "best_practice", "title": "Always build before first start", "description": "npm run build creates the dist folder.", "tags": "deployment,build" }),
    )
    .await;

    // the spec's list, filtered by category
    let all = app.get("/api/knowledge").await.json();
    assert_eq!(all["success"], true);
    assert_eq!(all["data"].as_array().unwrap().len(), 2);
    let e = &all["data"][0];
    for key in [
        "id",
        "category",
        "title",
        "description",
        "tags",
        "usage_count",
        "success_rate",
        "created_at",
    ] {
        assert!(e.get(key).is_some(), "{key} missing: {e}");
    }
    let only = app
        .get("/api/knowledge?category=best_practice")
        .await
        .json();
    assert_eq!(only["data"].as_array().unwrap().len(), 1);
    assert_eq!(only["data"][0]["id"], tip);
    let tagged = app.get("/api/knowledge?tag=cloudflare").await.json();
    assert_eq!(tagged["data"][0]["id"], fix);

    // an error string finds the fix, with the match highlighted
    let found = app
        .get(&format!("/api/knowledge?{}", encode("_worker.js")))
        .await
        .json();
    assert_eq!(found["data"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found["data"][0]["id"], fix);
    assert!(
        found["data"][0]["highlight"]["snippet"]
            .as_str()
            .unwrap()
            .contains("[_worker]"),
        "{found}"
    );
    // stemmed words: "building" finds "build"
    let found = app
        .get(&format!("/api/knowledge?{}", encode("building")))
        .await
        .json();
    assert_eq!(found["data"][0]["id"], tip, "{found}");

    // outcomes: usage and success rate
    for worked in [true, false, true, true] {
        let a = app
            .json(
                "POST",
                &format!("/api/knowledge/{tip}/outcomes"),
                json!({ "worked": worked }).to_string(),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    }
    let e = app.get(&format!("/api/knowledge/{tip}")).await.json();
    assert_eq!(e["data"]["usage_count"], 4);
    assert_eq!(e["data"]["success_count"], 3);
    assert_eq!(e["data"]["success_rate"], 0.75);
    assert_eq!(e["outcomes"].as_array().unwrap().len(), 4);

    // edit and delete keep the index in step
    let a = app
        .json(
            "PUT",
            &format!("/api/knowledge/{fix}"),
            json!({ "category": "error_solution", "title": "Pages deploy fails", "description": "Set the output directory.", "tags": "cloudflare" }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let gone = app
        .get(&format!("/api/knowledge?{}", encode("_worker.js")))
        .await
        .json();
    assert_eq!(gone["data"].as_array().unwrap().len(), 0);
    assert_eq!(
        app.send(
            axum::http::Request::delete(format!("/api/knowledge/{fix}"))
                .body(axum::body::Body::empty())
                .unwrap()
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/api/knowledge/{fix}")).await.status,
        StatusCode::NOT_FOUND
    );

    // suggestions from a session's text
    let s = app
        .get(&format!(
            "/api/knowledge/suggest?{}",
            serde_urlencoded::to_string([("text", "the build before the first start fails")])
                .unwrap()
        ))
        .await
        .json();
    assert_eq!(s["data"][0]["id"], tip, "{s}");
}

#[tokio::test]
async fn queries_full_of_fts_syntax_never_fail() {
    let app = app().await;
    add(
        &app,
        json!({ "category": "tip", "title": "t", "description": "d" }),
    )
    .await;
    for q in [
        "\"",
        "(",
        "a)",
        "NEAR(x y",
        "*",
        "-",
        "a -b",
        "AND OR NOT",
        "x:y",
        "'\"",
        "title:*",
        "\\",
        "^",
        "((((",
        "💥\"💥",
    ] {
        let a = app.get(&format!("/api/knowledge?{}", encode(q))).await;
        assert_eq!(a.status, StatusCode::OK, "{q:?}: {}", a.text());
    }
    let long = "x".repeat(600);
    let a = app.get(&format!("/api/knowledge?{}", encode(&long))).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json()["field"], "q");
}

#[tokio::test]
async fn bad_entries_and_outcomes_name_the_field_and_change_nothing() {
    let app = app().await;
    let id = add(
        &app,
        json!({ "category": "tip", "title": "t", "description": "d" }),
    )
    .await;
    let cases = [
        (json!({ "title": "t", "description": "d" }), "category"),
        (
            json!({ "category": "recipe", "title": "t", "description": "d" }),
            "category",
        ),
        (
            json!({ "category": "tip", "title": " ", "description": "d" }),
            "title",
        ),
        (
            json!({ "category": "tip", "title": "t", "description": "" }),
            "description",
        ),
        (
            json!({ "category": "tip", "title": "t", "description": "d", "source_session_id": 77 }),
            "source_session_id",
        ),
        (
            json!({ "category": "tip", "title": "t", "description": "d", "tags": "x".repeat(50) }),
            "tags",
        ),
    ];
    for (body, field) in cases {
        let a = app.json("POST", "/api/knowledge", body.to_string()).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            a.text()
        );
        assert_eq!(a.json()["field"], field);
    }
    let a = app
        .json("POST", &format!("/api/knowledge/{id}/outcomes"), "{}")
        .await;
    assert_eq!(a.json()["field"], "worked");
    let a = app
        .json(
            "POST",
            &format!("/api/knowledge/{id}/outcomes"),
            json!({ "worked": "maybe" }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get("/api/knowledge?category=nope").await.json()["field"],
        "category"
    );
    assert_eq!(
        app.get("/api/knowledge?limit=0").await.json()["field"],
        "limit"
    );
    assert_eq!(
        app.get("/api/knowledge/abc").await.status,
        StatusCode::BAD_REQUEST
    );
    let all = app.get("/api/knowledge").await.json();
    assert_eq!(all["data"].as_array().unwrap().len(), 1);
    assert_eq!(all["data"][0]["usage_count"], 0);
}

#[tokio::test]
async fn pages_render_matches_marked_and_descriptions_without_markup_injection() {
    let app = app().await;
    let id = add(
        &app,
        json!({ "category": "error_solution", "title": "Fix E0382 in loops", "description": "Clone it: **bold** `snake_case_name`\n\n<script>alert(1)</script>", "tags": "rust" }),
    )
    .await;
    // (hydration markers `<!>` left out)
    let html = app
        .get("/knowledge?q=E0382")
        .await
        .text()
        .replace("<!>", "");
    assert!(html.contains("<mark>E0382</mark>"), "{html}");
    assert!(html.contains("Fix "));
    let html = app.get(&format!("/knowledge/{id}")).await.text();
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "rendered description"
    );
    // the edit form's textarea holds the text; it cannot close the element early
    assert!(
        html.contains("&lt;script>alert(1)&lt;/script>"),
        "textarea text"
    );
    assert!(html.contains("<strong>bold</strong>"));
    assert!(html.contains("<code>snake_case_name</code>"));
    let empty = app.get("/knowledge?q=zebra").await.text();
    assert!(empty.contains("Nothing matches."));
    assert_eq!(
        app.get("/knowledge/999").await.status,
        StatusCode::NOT_FOUND
    );

    // the no-JavaScript outcome form posts and comes back
    let a = app
        .send(
            axum::http::Request::post("/rpc/record_knowledge_outcome")
                .header(
                    axum::http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .header(axum::http::header::ACCEPT, "text/html")
                .header(
                    axum::http::header::REFERER,
                    "http://127.0.0.1:3000/knowledge",
                )
                .body(axum::body::Body::from(format!(
                    "id={id}&worked=yes&session_id="
                )))
                .unwrap(),
        )
        .await;
    assert!(a.status.is_redirection(), "{}", a.status);
    let e = app.get(&format!("/api/knowledge/{id}")).await.json();
    assert_eq!(e["data"]["usage_count"], 1);
}

#[tokio::test]
async fn session_text_cannot_close_its_textarea() {
    let app = app().await;
    let project = app.create("P").await;
    let account = app.account_named("a").await;
    let id = app
        .session(project, account, "</textarea><img src=x onerror=alert(1)>")
        .await;
    let html = app.get(&format!("/sessions/{id}")).await.text();
    assert!(!html.contains("<img src=x"), "markup escaped");
    assert!(html.contains("&lt;/textarea>&lt;img src=x onerror=alert(1)>"));
}

#[tokio::test]
async fn a_finished_session_offers_to_save_what_it_solved() {
    let app = app().await;
    let project = app.create("P").await;
    let account = app.account_named("a").await;
    let id = app.session(project, account, "").await;
    let running = app.get(&format!("/sessions/{id}")).await.text();
    assert!(
        !running.contains("Save to the knowledge base"),
        "only once it is finished"
    );
    let done = app
        .json(
            "POST",
            &format!("/api/sessions/{id}/complete"),
            json!({ "credits_used": 10, "accomplishments": "Pinned sqlx to 0.8.6", "blockers": "- sqlx 0.9 broke the build" }).to_string(),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    let html = app.get(&format!("/sessions/{id}")).await.text();
    assert!(html.contains("Save to the knowledge base"));
    // a resolved blocker: an error solution titled by the blocker, linked to the session
    assert!(
        html.contains("value=\"sqlx 0.9 broke the build\""),
        "{html}"
    );
    assert!(html.contains(&format!("name=\"source_session_id\" value=\"{id}\"")));
    assert!(html.contains("<option value=\"error_solution\" selected"));

    let created = app
        .rpc(
            "create_knowledge",
            &[
                ("category", "error_solution"),
                ("title", "sqlx 0.9 broke the build"),
                ("description", "Pin sqlx to 0.8.6"),
                ("tags", ""),
                ("source_session_id", &id.to_string()),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text());
    let list = app.get("/api/knowledge").await.json();
    assert_eq!(list["data"][0]["source_session_id"], id);
}

/// Deleting an entry from its page asks for a tick first; without it nothing changes. An
/// outcome's note from the page is kept and shown.
#[tokio::test]
async fn deleting_an_entry_needs_the_confirmation_and_notes_are_kept() {
    let app = app().await;
    let id = add(
        &app,
        json!({ "title": "Doomed tip", "category": "tip", "description": "x" }),
    )
    .await;
    let id = id.to_string();
    let noted = app
        .rpc(
            "record_knowledge_outcome",
            &[
                ("id", id.as_str()),
                ("worked", "no"),
                ("note", "failed on <b>arm64</b>"),
            ],
        )
        .await;
    assert!(noted.status.is_success(), "{}", noted.text());
    let page = app.get(&format!("/knowledge/{id}")).await.text();
    assert!(
        page.contains("failed on &lt;b&gt;arm64&lt;/b&gt;"),
        "{page}"
    );
    let refused = app.rpc("delete_knowledge", &[("id", id.as_str())]).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    assert_eq!(refused.app_error().field(), Some("confirm"));
    assert_eq!(
        app.get(&format!("/api/knowledge/{id}")).await.status,
        StatusCode::OK
    );
    let done = app
        .rpc(
            "delete_knowledge",
            &[("id", id.as_str()), ("confirm", "yes")],
        )
        .await;
    assert!(
        done.status.is_success() || done.status.is_redirection(),
        "{}",
        done.text()
    );
    assert_eq!(
        app.get(&format!("/api/knowledge/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
}
