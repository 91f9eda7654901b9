//! HTTP tests of project export and import.
#![cfg(feature = "ssr")]

mod common;

use axum::http::{header, StatusCode};
use common::{app, TestApp, MAX_IMPORT};
use serde_json::{json, Value};

/// A project with an account, two sessions (one completed) and a turn; returns its id.
async fn seeded(app: &TestApp) -> i64 {
    let project = app.create("Invoices").await;
    let a = app
        .json(
            "POST",
            "/api/accounts",
            json!({ "account_name": "claude-a", "platform": "claude", "account_email": "me@example.com" })
                .to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let account = a.json()["id"].as_i64().unwrap();
    for n in 0..2 {
        let s = app
            .json(
                "POST",
                "/api/sessions",
                json!({ "project_id": project, "account_id": account, "objectives": format!("Step {n}") })
                    .to_string(),
            )
            .await;
        assert_eq!(s.status, StatusCode::CREATED, "{}", s.text());
        let session = s.json()["id"].as_i64().unwrap();
        let t = app
            .json(
                "POST",
                &format!("/api/sessions/{session}/turns"),
                json!({ "role": "user", "content": format!("Do step {n}") }).to_string(),
            )
            .await;
        assert_eq!(t.status, StatusCode::CREATED, "{}", t.text());
        if n == 0 {
            let c = app
                .json(
                    "POST",
                    &format!("/api/sessions/{session}/complete"),
                    json!({ "credits_used": 40 }).to_string(),
                )
                .await;
            assert_eq!(c.status, StatusCode::OK, "{}", c.text());
        }
    }
    project
}

#[tokio::test]
async fn export_answers_the_spec_shape_and_the_download_is_the_same_bundle() {
    let app = app().await;
    let project = seeded(&app).await;
    let a = app
        .json(
            "POST",
            "/api/private/export-project",
            json!({ "project_id": project }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let body = a.json();
    assert_eq!(body["success"], true);
    let data = &body["data"];
    assert_eq!(data["format"], "paas-project");
    assert_eq!(data["format_version"], 1);
    assert_eq!(data["project"]["name"], "Invoices");
    assert_eq!(data["project"]["total_credits_used"], 40);
    assert_eq!(data["sessions"].as_array().unwrap().len(), 2);
    assert_eq!(data["sessions"][0]["session_number"], 1);
    assert_eq!(data["conversation_turns"].as_array().unwrap().len(), 2);
    assert!(data["exported_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        data["accounts"],
        json!([{ "id": data["accounts"][0]["id"], "account_name": "claude-a", "platform": "claude" }])
    );
    assert!(!a.text().contains("me@example.com"));

    let d = app.get(&format!("/api/projects/{project}/export")).await;
    assert_eq!(d.status, StatusCode::OK);
    let disposition = d.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"invoices-")
            && disposition.ends_with(".json\""),
        "{disposition}"
    );
    let mut downloaded = d.json();
    let mut posted = data.clone();
    downloaded["exported_at"] = Value::Null;
    posted["exported_at"] = Value::Null;
    assert_eq!(downloaded, posted);
}

#[tokio::test]
async fn import_previews_then_creates_under_a_free_name() {
    let app = app().await;
    let project = seeded(&app).await;
    let bundle = app
        .get(&format!("/api/projects/{project}/export"))
        .await
        .json();
    let before = app.project_count().await;

    let dry = app
        .json(
            "POST",
            "/api/private/import-project",
            json!({ "bundle": bundle, "dry_run": true }).to_string(),
        )
        .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text());
    let plan = &dry.json()["data"]["plan"];
    assert_eq!(plan["action"], "rename");
    assert_eq!(plan["project_name"], "Invoices (2)");
    assert_eq!(plan["counts"]["sessions"], 2);
    assert_eq!(plan["accounts_matched"], json!(["claude-a"]));
    assert_eq!(
        app.project_count().await,
        before,
        "a dry run writes nothing"
    );

    let done = app
        .json(
            "POST",
            "/api/private/import-project",
            json!({ "bundle": bundle, "name": "Invoices copy" }).to_string(),
        )
        .await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.text());
    let id = done.json()["id"].as_i64().unwrap();
    assert_eq!(done.json()["data"]["plan"]["action"], "create");
    let p = app.get(&format!("/api/projects/{id}")).await.json();
    assert_eq!(p["data"]["name"], "Invoices copy");
    assert_eq!(p["data"]["total_sessions"], 1);
    let timeline = app
        .get(&format!("/api/projects/{id}/sessions-timeline"))
        .await
        .json();
    assert_eq!(timeline["data"].as_array().unwrap().len(), 2);

    let skipped = app
        .json(
            "POST",
            "/api/private/import-project",
            json!({ "bundle": bundle, "on_conflict": "skip" }).to_string(),
        )
        .await;
    assert_eq!(skipped.status, StatusCode::OK, "{}", skipped.text());
    assert_eq!(skipped.json()["data"]["plan"]["action"], "skip");
    assert_eq!(skipped.json()["data"]["project_id"], Value::Null);
    assert_eq!(app.project_count().await, before + 1);
}

#[tokio::test]
async fn bad_imports_name_the_problem_and_write_nothing() {
    let app = app().await;
    let project = seeded(&app).await;
    let good = app
        .get(&format!("/api/projects/{project}/export"))
        .await
        .json();
    let before = app.project_count().await;
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(&app.db)
        .await
        .unwrap();

    let mut broken_ref = good.clone();
    broken_ref["sessions"][1]["account_id"] = json!(777);
    let mut bad_version = good.clone();
    bad_version["format_version"] = json!(99);
    let mut bad_type = good.clone();
    bad_type["sessions"][0]["credits_used"] = json!("many");
    let cases = [
        (json!({}), "bundle"),
        (
            json!({ "bundle": broken_ref }),
            "bundle.sessions[1].account_id",
        ),
        (json!({ "bundle": bad_version }), "bundle.format_version"),
        (
            json!({ "bundle": bad_type }),
            "bundle.sessions[0].credits_used",
        ),
        (
            json!({ "bundle": good, "on_conflict": "replace" }),
            "on_conflict",
        ),
        (json!({ "bundle": good, "name": "x".repeat(121) }), "name"),
        (json!({ "bundle": [1, 2] }), "bundle[0]"),
    ];
    for (body, field) in cases {
        let a = app
            .json("POST", "/api/private/import-project", body.to_string())
            .await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            a.text()
        );
        let e = a.json();
        assert_eq!(e["success"], false);
        assert_eq!(e["field"], field, "{}", a.text());
    }
    let a = app
        .json("POST", "/api/private/import-project", "{\"bundle\": {")
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let a = app
        .send(
            axum::http::Request::post("/api/private/import-project")
                .body(axum::body::Body::from(good.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = json!({ "bundle": good, "name": "x", "pad": "y".repeat(MAX_IMPORT) });
    let a = app
        .json("POST", "/api/private/import-project", huge.to_string())
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text());

    assert_eq!(app.project_count().await, before);
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(after, sessions);

    // exports: a missing or bad id
    let a = app.json("POST", "/api/private/export-project", "{}").await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json()["field"], "project_id");
    let a = app
        .json(
            "POST",
            "/api/private/export-project",
            json!({ "project_id": 999 }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/projects/abc/export").await.status,
        StatusCode::BAD_REQUEST
    );
}

fn upload(fields: &[(&str, &str)], file: Option<&[u8]>) -> axum::http::Request<axum::body::Body> {
    let boundary = "XBUNDLEX";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some(file) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"shop.json\"\r\nContent-Type: application/json\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    axum::http::Request::post("/upload/import")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .unwrap()
}

fn location(a: &common::Answer) -> String {
    a.headers[header::LOCATION].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_import_page_uploads_previews_and_applies_without_javascript() {
    let app = app().await;
    let project = seeded(&app).await;
    let bundle = app
        .get(&format!("/api/projects/{project}/export"))
        .await
        .body;

    let page = app.get("/import").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("action=\"/upload/import\""));
    assert!(page.text().contains("enctype=\"multipart/form-data\""));

    let a = app
        .send(upload(
            &[("name", ""), ("on_conflict", "rename")],
            Some(&bundle),
        ))
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let to = location(&a);
    assert!(to.starts_with("/import/"), "{to}");
    let token = to.trim_start_matches("/import/").to_owned();

    let preview = app.get(&to).await;
    assert_eq!(preview.status, StatusCode::OK);
    let html = preview.text();
    assert!(html.contains("Import “shop.json”"), "{html}");
    assert!(html.contains("The name is taken: creates the project as “Invoices (2)”."));
    assert!(html.contains("claude-a"));
    assert_eq!(app.project_count().await, 1, "a preview writes nothing");

    // confirming is a plain form post to the server function; it redirects to the project
    let before = app.project_count().await;
    let req = axum::http::Request::post("/rpc/apply_import")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::REFERER, format!("http://localhost{to}"))
        .body(axum::body::Body::from(format!("token={token}")))
        .unwrap();
    let a = app.send(req).await;
    assert!(a.status.is_redirection(), "{} {}", a.status, a.text());
    let project_page = location(&a);
    assert!(project_page.starts_with("/projects/"), "{project_page}");
    assert_eq!(app.project_count().await, before + 1);
    let html = app.get(&project_page).await.text();
    assert!(html.contains("Invoices (2)"));

    // the token is used up
    let gone = app.get(&to).await;
    assert_eq!(gone.status, StatusCode::CONFLICT);
    assert!(gone.text().contains("upload the file again"));
}

#[tokio::test]
async fn a_bad_upload_returns_to_the_form_with_the_problem_next_to_the_field() {
    let app = app().await;
    let project = seeded(&app).await;
    let mut bundle = app
        .get(&format!("/api/projects/{project}/export"))
        .await
        .json();
    bundle["sessions"][0]["account_id"] = json!(4242);
    type Case<'a> = (Vec<(&'a str, &'a str)>, Option<Vec<u8>>, &'a str, &'a str);
    let cases: [Case; 4] = [
        (vec![], None, "file", "choose a bundle file"),
        (vec![], Some(b"not json".to_vec()), "file", "bundle"),
        (
            vec![],
            Some(bundle.to_string().into_bytes()),
            "file",
            "sessions[0].account_id",
        ),
        (
            vec![("on_conflict", "replace")],
            Some(b"{}".to_vec()),
            "on_conflict",
            "rename, merge, skip",
        ),
    ];
    for (fields, file, field, words) in cases {
        let a = app.send(upload(&fields, file.as_deref())).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER);
        let to = location(&a);
        assert!(
            to.starts_with(&format!("/import?field={field}&error=")),
            "{to}"
        );
        let html = app.get(&to).await.text();
        let shown = html
            .split(&format!("data-field=\"{field}\""))
            .nth(1)
            .unwrap_or_else(|| panic!("no message next to {field}: {to}"));
        let message = shown.split("</p>").next().unwrap();
        assert!(message.contains(words), "{message}");
    }
    assert_eq!(app.project_count().await, 1);
}
