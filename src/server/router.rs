//! The HTTP router: the REST API under `/api`, server functions under `/rpc`, the
//! dashboard pages, and static files.

use crate::error::AppError;
use crate::server::AppState;
use crate::ui::{shell, App};
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let pages = Router::new()
        .leptos_routes(&state, routes, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(server_fn_status))
        .layer(RequestBodyLimitLayer::new(state.max_body_bytes));
    let uploads = Router::new()
        .route(
            "/upload/sessions/{id}/import",
            axum::routing::post(crate::api::upload::import_file),
        )
        .layer(axum::extract::DefaultBodyLimit::max(state.max_body_bytes));
    let imports = Router::new()
        .route(
            "/upload/import",
            axum::routing::post(crate::api::bundle::upload),
        )
        .layer(axum::extract::DefaultBodyLimit::max(state.max_import_bytes));
    let sign_in = Router::new()
        .route("/login", axum::routing::post(crate::server::auth::login))
        .route("/logout", axum::routing::post(crate::server::auth::logout))
        .route(
            "/logout-everywhere",
            axum::routing::post(crate::server::auth::logout_everywhere),
        )
        .route("/setup", axum::routing::post(crate::server::auth::setup))
        .route(
            "/invite/{secret}",
            axum::routing::post(crate::server::auth::accept_invite),
        )
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024));
    Router::new()
        .route("/healthz", axum::routing::get(healthz))
        .route("/readyz", axum::routing::get(readyz))
        .route("/events", axum::routing::get(crate::server::events::stream))
        .route(
            "/metrics",
            axum::routing::get(crate::server::metrics::render),
        )
        .nest("/api", crate::rest::router(state.max_body_bytes))
        .merge(uploads)
        .merge(imports)
        .merge(sign_in)
        .merge(pages)
        .layer(middleware::from_fn(crate::server::metrics::record))
        // the embedded bundle, before pages and files on disk
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::server::assets::serve,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            refuse_oversize,
        ))
        // who is asking and whether they may (inner), after the host and origin checks
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::server::auth::authenticate,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::server::guard::guard,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Bodies this much over a limit are still read (and thrown away) before the 413, so a
/// client that sends its whole body before reading gets the answer instead of a reset.
const DRAIN_CAP: u64 = 8 * 1024 * 1024;

/// A request whose declared body is over its route's limit is answered 413 at once, in
/// the error shape of its route, after draining the body up to `DRAIN_CAP`; the
/// connection is then closed.
async fn refuse_oversize(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let limit = if path == "/upload/import" || path == "/api/private/import-project" {
        state.max_import_bytes.max(state.max_body_bytes)
    } else {
        state.max_body_bytes
    } as u64;
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let Some(declared) = declared.filter(|n| *n > limit) else {
        return next.run(req).await;
    };
    let is_api = path.starts_with("/api/");
    if declared <= limit.saturating_add(DRAIN_CAP) {
        use http_body_util::BodyExt;
        let mut body = req.into_body();
        let drain = async { while let Some(Ok(_)) = body.frame().await {} };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), drain).await;
    }
    let error = AppError::PayloadTooLarge { limit_bytes: limit };
    let mut res = if is_api {
        crate::rest::ApiError(error).into_response()
    } else {
        (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(error)).into_response()
    };
    res.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    res
}

/// `/healthz`: the process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// `/readyz`: the database answers and its migrations are current (503 otherwise).
async fn readyz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    match crate::storage::readiness(&state.db).await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(why) => (StatusCode::SERVICE_UNAVAILABLE, why).into_response(),
    }
}

/// Server functions answer every error with 500; this gives a failed call the status of
/// its `AppError` (422 for a field error, 404, 409, …). Form posts without JavaScript are
/// redirects (302) and pass through unchanged.
async fn server_fn_status(req: Request, next: Next) -> Response {
    let is_rpc = req.uri().path().starts_with("/rpc/");
    let res = next.run(req).await;
    if !is_rpc || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match to_bytes(body, 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => return Response::from_parts(parts, Body::empty()),
    };
    if let Ok(e) = serde_json::from_slice::<AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(e.status_code()) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
