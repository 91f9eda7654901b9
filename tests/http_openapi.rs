//! The OpenAPI document against the router that serves it: every route the router
//! answers under `/api` is in the document with its method, and every operation the
//! document names is served.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::Value;

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// The `/api` paths the router mounts, as written in its source (`{id}` kept).
fn router_paths() -> Vec<String> {
    let src = std::fs::read_to_string("src/rest/mod.rs").unwrap();
    let mut paths: Vec<String> = src
        .split(".route(")
        .skip(1)
        .map(|part| {
            let lit = part.trim_start().trim_start_matches('"');
            format!("/api{}", &lit[..lit.find('"').unwrap()])
        })
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

fn concrete(path: &str) -> String {
    let mut p = path.to_owned();
    while let (Some(a), Some(b)) = (p.find('{'), p.find('}')) {
        p.replace_range(a..=b, "999999");
    }
    p
}

/// Whether the router serves `method` at `path` (anything but "no such endpoint" and
/// "method not allowed").
async fn served(app: &TestApp, method: &str, path: &str) -> bool {
    let req = Request::builder()
        .method(method)
        .uri(concrete(path))
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::COOKIE, format!("paas_session={}", app.cookie))
        .body(Body::empty())
        .unwrap();
    let r = app.send_raw(req).await;
    if r.status == StatusCode::METHOD_NOT_ALLOWED {
        return false;
    }
    let unknown = r.status == StatusCode::NOT_FOUND
        && serde_json::from_slice::<Value>(&r.body)
            .ok()
            .and_then(|v| v["error"].as_str().map(|e| e.contains("endpoint")))
            .unwrap_or(false);
    !unknown
}

async fn document(app: &TestApp) -> Value {
    let r = app.get("/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn the_document_lists_exactly_what_the_router_serves() {
    let app = app().await;
    let doc = document(&app).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let documented = doc["paths"].as_object().unwrap();
    let paths = router_paths();
    assert!(paths.len() >= 40, "found only {} routes", paths.len());
    let mut missing = Vec::new();
    let mut stale = Vec::new();
    for path in &paths {
        for method in METHODS {
            let in_doc = documented
                .get(path)
                .and_then(|item| item.get(method.to_lowercase()))
                .is_some();
            let serves = served(&app, method, path).await;
            if serves && !in_doc {
                missing.push(format!("{method} {path}"));
            }
            if in_doc && !serves {
                stale.push(format!("{method} {path}"));
            }
        }
    }
    for path in documented.keys() {
        if !paths.contains(path) {
            stale.push(format!("{path} (no such route)"));
        }
    }
    assert!(missing.is_empty(), "served but not documented: {missing:?}");
    assert!(stale.is_empty(), "documented but not served: {stale:?}");
}

#[tokio::test]
async fn every_operation_has_an_id_a_summary_and_the_error_envelope() {
    let app = app().await;
    let doc = document(&app).await;
    let mut ids = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            ids.push(op["operationId"].as_str().unwrap_or_default().to_owned());
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name} has no summary"
            );
            assert!(op["responses"]["4XX"].is_object(), "{name}: no 4XX answer");
            assert!(
                op["responses"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .any(|k| k.starts_with('2')),
                "{name}: no success answer"
            );
        }
    }
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "operation ids repeat");
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert!(doc["components"]["securitySchemes"]["token"].is_object());
}

#[tokio::test]
async fn the_spec_clients_shapes_are_documented() {
    let app = app().await;
    let doc = document(&app).await;
    let schemas = &doc["components"]["schemas"];
    fn props(schemas: &Value, s: &Value) -> Vec<String> {
        if let Some(r) = s["$ref"].as_str() {
            return props(schemas, &schemas[r.rsplit('/').next().unwrap()]);
        }
        let mut out: Vec<String> = s["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        for part in s["allOf"].as_array().into_iter().flatten() {
            out.extend(props(schemas, part));
        }
        out
    }
    let props = |name: &str| props(schemas, &schemas[name]);
    for (schema, fields) in [
        (
            "StartedSession",
            &["session_id", "project_name", "previous_handoff", "message"][..],
        ),
        (
            "PreviousHandoff",
            &["compressed_context", "context_summary", "session_number"][..],
        ),
        (
            "SessionDetail",
            &["session", "previous_handoff", "conversations", "turns"][..],
        ),
        ("NamedSession", &["project_name", "account_name"][..]),
        (
            "CompletedSession",
            &["message", "handoff_generated", "master_prompt", "debited"][..],
        ),
        (
            "AiHandoff",
            &[
                "master_prompt",
                "compressed_context",
                "next_steps",
                "troubleshooting_notes",
                "confidence",
            ][..],
        ),
        (
            "TimelineEntry",
            &["conversation_count", "handoff_count", "has_handoff"][..],
        ),
    ] {
        let have = props(schema);
        for f in fields {
            assert!(
                have.iter().any(|h| h == f),
                "{schema} lacks {f}: has {have:?}"
            );
        }
    }
}

#[tokio::test]
async fn the_reference_page_is_rendered_by_the_app_and_needs_sign_in() {
    let app = app().await;
    let r = app.get("/api/docs").await;
    assert_eq!(r.status, StatusCode::OK);
    let page = r.text();
    assert!(page.contains("API reference"));
    assert!(page.contains("<code>POST /api/sessions/{id}/complete</code>"));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no outside assets"
    );
    let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    for path in ["/api/docs", "/api/openapi.json"] {
        let r = app
            .send_as(
                Request::builder().uri(path).body(Body::empty()).unwrap(),
                &As::Nobody,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
    }
}
