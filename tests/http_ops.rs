//! Operations: `/metrics` in Prometheus' text format, and the version the binary names.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;

#[tokio::test]
async fn metrics_parse_and_show_the_request_just_made() {
    let app = app().await;
    let token = app.token("owner@example.com", "read", None).await;
    let who = As::Token(token);
    let stats = app
        .send_as(
            Request::get("/api/stats").body(Body::empty()).unwrap(),
            &who,
        )
        .await;
    assert_eq!(stats.status, StatusCode::OK);
    let res = app
        .send_as(Request::get("/metrics").body(Body::empty()).unwrap(), &who)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = res.text();
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned())))
        .expect("the Prometheus text format");
    let counted = scrape.samples.iter().find(|s| {
        s.metric == "http_requests_total"
            && s.labels.get("route") == Some("/api/stats")
            && s.labels.get("status") == Some("200")
            && s.labels.get("method") == Some("GET")
    });
    let Some(counted) = counted else {
        panic!("no sample for the request just made:\n{text}")
    };
    match counted.value {
        prometheus_parse::Value::Counter(n) | prometheus_parse::Value::Untyped(n) => {
            assert!(n >= 1.0)
        }
        ref other => panic!("unexpected {other:?}"),
    }
    assert!(scrape
        .samples
        .iter()
        .any(|s| s.metric.starts_with("http_request_duration_seconds")
            && s.labels.get("route") == Some("/api/stats")));
    assert!(scrape
        .samples
        .iter()
        .any(|s| s.metric == "db_connections_open"));
    // the raw path never becomes a label
    assert!(!text.contains("route=\"/api/projects/1\""));

    // nobody signed in sees nothing
    let refused = app
        .send_as(
            Request::get("/metrics").body(Body::empty()).unwrap(),
            &As::Nobody,
        )
        .await;
    assert_ne!(refused.status, StatusCode::OK);
}

#[test]
fn the_binary_names_its_version_and_commit() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_paas"))
        .arg("--version")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("paas {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
}

#[test]
fn doctor_looks_the_database_over() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let url = format!("sqlite:{}", db.display());
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_paas"))
            .args(args)
            .env_remove("PAAS_DATABASE_URL")
            .output()
            .unwrap()
    };
    // no database yet: said so, and a failure
    let missing = run(&["doctor", "--database-url", &url]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no database"));
    assert!(run(&["migrate", "--database-url", &url]).status.success());
    let ok = run(&["doctor", "--database-url", &url]);
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{text}");
    for check in [
        "integrity",
        "foreign keys",
        "migrations",
        "size",
        "write-ahead log",
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(check) && l.contains(" ok ")),
            "{check}: {text}"
        );
    }
}
