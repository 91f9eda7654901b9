//! `/metrics` in Prometheus' text format: requests by route, method and status, their
//! latency, the database connections open, and how far capture is behind. One recorder
//! for the process (`metrics` with the Prometheus exporter); the route is the router's
//! pattern (`/api/projects/{id}`), never the raw path.

use crate::server::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder (installed on first use; None if another one was installed).
fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".into()),
                    &[
                        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                        5.0, 10.0,
                    ],
                )
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            Some(handle)
        })
        .as_ref()
}

/// Counts and times every request (the route's pattern, or `other` for the pages' fallback).
pub async fn record(req: Request, next: Next) -> Response {
    let _ = handle();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "other".into());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route, "method" => method)
        .record(start.elapsed().as_secs_f64());
    res
}

/// `GET /metrics`.
pub async fn render(State(state): State<AppState>) -> Response {
    let Some(handle) = handle() else {
        return (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "another metrics recorder is installed",
        )
            .into_response();
    };
    metrics::gauge!("db_connections_open").set(f64::from(state.db.size()));
    if let Ok(Some(lag)) =
        crate::service::capture::lag_seconds(&state.db, crate::server::clock::now()).await
    {
        metrics::gauge!("capture_seconds_since_last").set(lag as f64);
    }
    let mut res = handle.render().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    res
}
