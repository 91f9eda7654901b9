//! HTTP tests through the real router on a real SQLite file: the REST API, the server
//! functions and server-side rendering.
#![cfg(feature = "ssr")]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{app, MAX_BODY};
use paas::error::AppError;
use serde_json::{json, Value};

// ---------- REST: /api/stats ----------

#[tokio::test]
async fn stats_has_the_spec_envelope() {
    let app = app().await;
    let a = app.get("/api/stats").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        a.json(),
        json!({ "success": true, "data": {
            "active_projects": 0, "active_accounts": 0, "total_credits": 0, "total_sessions": 0
        }})
    );
    app.create("One").await;
    assert_eq!(
        app.get("/api/stats").await.json()["data"]["active_projects"],
        1
    );
}

// ---------- REST: /api/projects ----------

#[tokio::test]
async fn create_project_answers_the_spec_shape() {
    let app = app().await;
    let a = app
        .json(
            "POST",
            "/api/projects",
            json!({ "name": "  My New SaaS Project ", "description": "Building" }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
    let body = a.json();
    assert_eq!(body["success"], true);
    let id = body["id"].as_i64().unwrap();
    assert_eq!(body["data"]["name"], "My New SaaS Project");
    assert_eq!(body["data"]["status"], "active");

    let got = app.get(&format!("/api/projects/{id}")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json()["data"]["description"], "Building");
    let list = app.get("/api/projects").await.json();
    assert_eq!(list["data"][0]["id"], id);
    assert_eq!(list["pagination"]["total"], 1);
}

#[tokio::test]
async fn create_project_rejects_bad_input_and_writes_nothing() {
    let app = app().await;
    let cases: Vec<(Body, StatusCode, Option<&str>)> = vec![
        ("{}".into(), StatusCode::UNPROCESSABLE_ENTITY, Some("name")),
        (
            json!({ "name": "x".repeat(10_000) }).to_string().into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("name"),
        ),
        (
            json!({ "name": "ok", "description": "d".repeat(10_001) })
                .to_string()
                .into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("description"),
        ),
        (
            json!({ "name": 5 }).to_string().into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("name"),
        ),
        ("{\"name\": ".into(), StatusCode::BAD_REQUEST, None),
        ("not json".into(), StatusCode::BAD_REQUEST, None),
        ("".into(), StatusCode::BAD_REQUEST, None),
        ("[]".into(), StatusCode::UNPROCESSABLE_ENTITY, Some("body")),
    ];
    for (body, status, field) in cases {
        let a = app.json("POST", "/api/projects", body).await;
        assert_eq!(a.status, status, "{}", a.text());
        let j = a.json();
        assert_eq!(j["success"], false);
        assert!(!j["error"].as_str().unwrap().is_empty());
        if let Some(field) = field {
            assert_eq!(j["field"], field, "{j}");
            assert!(j["error"].as_str().unwrap().contains(field), "{j}");
        }
    }
    assert_eq!(app.project_count().await, 0);
}

#[tokio::test]
async fn create_project_rejects_wrong_content_type_and_huge_bodies() {
    let app = app().await;
    let req = Request::post("/api/projects")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("{\"name\":\"x\"}"))
        .unwrap();
    let a = app.send(req).await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(a.json()["success"], false);

    let huge = json!({ "name": "x", "description": "d".repeat(MAX_BODY * 2) }).to_string();
    let a = app.json("POST", "/api/projects", huge).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text());
    assert!(a.json()["error"].as_str().unwrap().contains("too large"));
    assert_eq!(app.project_count().await, 0);
}

#[tokio::test]
async fn list_projects_filters_sorts_and_validates() {
    let app = app().await;
    for i in 0..25 {
        app.create(&format!("P{i}")).await;
    }
    let a = app.get("/api/projects").await.json();
    assert_eq!(a["data"].as_array().unwrap().len(), 20);
    assert_eq!(
        a["pagination"],
        json!({ "page": 1, "per_page": 20, "total": 25, "total_pages": 2 })
    );
    let a = app.get("/api/projects?page=2&sort=credits").await.json();
    assert_eq!(a["data"].as_array().unwrap().len(), 5);
    let paused = app.get("/api/projects?status=paused").await.json();
    assert_eq!(paused["pagination"]["total"], 0);

    for (uri, field) in [
        ("/api/projects?status=bogus", "status"),
        ("/api/projects?sort=name", "sort"),
        ("/api/projects?page=0", "page"),
        ("/api/projects?page=abc", "page"),
    ] {
        let a = app.get(uri).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{uri}: {}",
            a.text()
        );
        assert_eq!(a.json()["field"], field, "{uri}");
    }
}

#[tokio::test]
async fn get_project_unknown_or_malformed_id() {
    let app = app().await;
    let a = app.get("/api/projects/999").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.json()["success"], false);
    assert!(a.json()["error"].as_str().unwrap().contains("999"));
    let a = app.get("/api/projects/abc").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json()["success"], false);
}

#[tokio::test]
async fn patch_project_changes_fields_and_rejects_bad_ones() {
    let app = app().await;
    let id = app.create("Alpha").await;
    let uri = format!("/api/projects/{id}");
    let a = app
        .json(
            "PATCH",
            &uri,
            json!({ "status": "paused", "name": "Beta" }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["data"]["status"], "paused");
    assert_eq!(a.json()["data"]["name"], "Beta");

    for (body, status, field) in [
        (
            json!({ "status": "done" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "status",
        ),
        (
            json!({ "name": "" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name",
        ),
        (json!({}), StatusCode::UNPROCESSABLE_ENTITY, "body"),
    ] {
        let a = app.json("PATCH", &uri, body.to_string()).await;
        assert_eq!(a.status, status, "{}", a.text());
        assert_eq!(a.json()["field"], field);
    }
    let unchanged = app.get(&uri).await.json();
    assert_eq!(unchanged["data"]["name"], "Beta");
    assert_eq!(unchanged["data"]["status"], "paused");

    let a = app
        .json(
            "PATCH",
            "/api/projects/777",
            json!({ "name": "x" }).to_string(),
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn delete_and_restore_project() {
    let app = app().await;
    let id = app.create("Alpha").await;
    let uri = format!("/api/projects/{id}");
    let a = app
        .send(Request::delete(&uri).body(Body::empty()).unwrap())
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.json()["data"]["deleted_at"].is_string());
    assert_eq!(
        app.get("/api/projects").await.json()["pagination"]["total"],
        0
    );
    assert_eq!(
        app.get("/api/projects?status=deleted").await.json()["pagination"]["total"],
        1
    );

    let again = app
        .send(Request::delete(&uri).body(Body::empty()).unwrap())
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let edit = app
        .json("PATCH", &uri, json!({ "name": "x" }).to_string())
        .await;
    assert_eq!(edit.status, StatusCode::CONFLICT);
    assert!(edit.json()["error"].as_str().unwrap().contains("restore"));

    let a = app
        .send(
            Request::post(format!("{uri}/restore"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.json()["data"].get("deleted_at").is_none());
    let a = app
        .send(
            Request::post(format!("{uri}/restore"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    let a = app
        .send(
            Request::post("/api/projects/999/restore")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = app
        .send(
            Request::delete("/api/projects/999")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unknown_endpoints_and_methods_answer_json() {
    let app = app().await;
    let a = app.get("/api/nothing-here").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.json()["success"], false);
    let a = app
        .send(Request::put("/api/projects").body(Body::empty()).unwrap())
        .await;
    assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(a.json()["success"], false);
}

// ---------- server functions (/rpc) ----------

#[tokio::test]
async fn server_fns_are_registered_under_rpc() {
    use leptos::server_fn::ServerFn;
    use paas::api::project::*;
    use paas::api::stats::GetStats;
    for path in [
        ListProjects::PATH,
        GetProject::PATH,
        CreateProject::PATH,
        UpdateProject::PATH,
        SetProjectStatus::PATH,
        DeleteProject::PATH,
        RestoreProject::PATH,
        GetStats::PATH,
    ] {
        assert!(path.starts_with("/rpc/"), "{path}");
    }
}

#[tokio::test]
async fn rpc_create_and_list() {
    let app = app().await;
    let a = app
        .rpc(
            "create_project",
            &[("name", "Via RPC"), ("description", "")],
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let created: Value = a.json();
    assert_eq!(created["name"], "Via RPC");
    assert_eq!(created["description"], Value::Null);

    let a = app.rpc("list_projects", &[]).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["page"]["total"], 1);
    let a = app.rpc("get_stats", &[]).await;
    assert_eq!(a.json()["active_projects"], 1);
    let id = created["id"].as_i64().unwrap().to_string();
    let a = app.rpc("get_project", &[("id", &id)]).await;
    assert_eq!(a.json()["project"]["name"], "Via RPC");
}

#[tokio::test]
async fn rpc_errors_carry_their_status_and_field() {
    let app = app().await;
    let a = app.rpc("create_project", &[("name", "   ")]).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        a.app_error(),
        AppError::validation("name", "a name is required")
    );
    let a = app.rpc("create_project", &[]).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.app_error().field(), Some("name"));
    assert_eq!(app.project_count().await, 0);

    let a = app.rpc("get_project", &[("id", "404")]).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = app.rpc("get_project", &[("id", "abc")]).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let a = app.rpc("get_project", &[]).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    let a = app.rpc("list_projects", &[("status", "nope")]).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn rpc_status_edit_delete_restore() {
    let app = app().await;
    let id = app.create("Alpha").await.to_string();
    let a = app
        .rpc(
            "set_project_status",
            &[("id", &id), ("status", "completed")],
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["status"], "completed");
    let a = app
        .rpc("set_project_status", &[("id", &id), ("status", "gone")])
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.app_error().field(), Some("status"));

    let a = app
        .rpc(
            "update_project",
            &[("id", &id), ("name", "Beta"), ("description", "new")],
        )
        .await;
    assert_eq!(a.json()["name"], "Beta");
    assert_eq!(a.json()["description"], "new");
    let a = app
        .rpc(
            "update_project",
            &[("id", &id), ("name", ""), ("description", "")],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);

    let a = app.rpc("delete_project", &[("id", &id)]).await;
    assert_eq!(a.status, StatusCode::OK);
    let a = app.rpc("delete_project", &[("id", &id)]).await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    let a = app.rpc("restore_project", &[("id", &id)]).await;
    assert_eq!(a.status, StatusCode::OK);
    let a = app.rpc("restore_project", &[("id", &id)]).await;
    assert_eq!(a.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn form_post_without_js_redirects_back_with_the_error() {
    let app = app().await;
    let post = |name: &str| {
        Request::post("/rpc/create_project")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, "http://127.0.0.1:3000/")
            .body(Body::from(
                serde_urlencoded::to_string([("name", name)]).unwrap(),
            ))
            .unwrap()
    };
    let ok = app.send(post("No JS")).await;
    assert_eq!(ok.status, StatusCode::FOUND);
    let back = ok.headers[header::LOCATION].to_str().unwrap();
    assert!(
        back.starts_with("http://127.0.0.1:3000/") && !back.contains("__err"),
        "{back}"
    );
    assert_eq!(app.project_count().await, 1);

    let bad = app.send(post(" ")).await;
    assert_eq!(bad.status, StatusCode::FOUND);
    let location = bad.headers[header::LOCATION].to_str().unwrap();
    assert!(location.contains("__err="), "{location}");
    assert_eq!(app.project_count().await, 1);

    // the page the browser is sent back to shows the message next to the field
    let path = location.trim_start_matches("http://127.0.0.1:3000");
    let page = app.get(path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("a name is required"),
        "{}",
        page.text()
    );
}

// ---------- server-side rendering ----------

#[tokio::test]
async fn dashboard_renders_projects_on_the_server() {
    let app = app().await;
    let first = app.get("/").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(
        first.text().contains("data-testid=\"first-run\""),
        "first-run guide"
    );
    app.create("Server Rendered").await;
    let a = app.get("/").await;
    assert_eq!(a.status, StatusCode::OK);
    let html = a.text();
    assert!(html.contains("Server Rendered"), "{html}");
    assert!(html.contains("id=\"project-list\""));
    assert!(!html.contains("data-testid=\"first-run\""));
}

#[tokio::test]
async fn project_page_renders_and_unknown_is_404() {
    let app = app().await;
    let id = app.create("Detail").await;
    let a = app.get(&format!("/projects/{id}")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text().contains("Detail"));
    let a = app.get("/projects/98765").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.text().contains("not found"));
    let a = app.get("/no/such/page").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

/// Errors fit the request that failed: a bad id in the path is not told to send a JSON
/// body, and an unknown endpoint is named as the client wrote it, `/api` included.
#[tokio::test]
async fn error_messages_fit_the_request_that_failed() {
    let app = app().await;
    let bad_id = app.get("/api/projects/abc").await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST, "{}", bad_id.text());
    let s = bad_id.json()["suggestion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!s.contains("JSON"), "{s}");
    assert!(s.contains("address"), "{s}");

    let bad_json = app
        .json("POST", "/api/projects", "{\"name\": ".to_string())
        .await;
    assert_eq!(bad_json.status, StatusCode::BAD_REQUEST);
    assert!(bad_json.json()["suggestion"]
        .as_str()
        .unwrap()
        .contains("JSON body"));

    let unknown = app.get("/api/no-such-thing").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let error = unknown.json()["error"].as_str().unwrap().to_string();
    assert!(error.contains("GET /api/no-such-thing"), "{error}");
    assert!(unknown.json()["suggestion"]
        .as_str()
        .unwrap()
        .contains("under /api"));

    let wrong_method = app.json("PUT", "/api/stats", "{}".to_string()).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong_method.json()["error"]
        .as_str()
        .unwrap()
        .contains("/api/stats"));
}
