//! The JSON REST API under `/api`, compatible with the spec's envelope:
//! `{"success": true, "data": …}` or `{"success": false, "error": "…", "field": "…",
//! "suggestion": "…"}`. Bad input is always a 4xx with a JSON message, never a 500.

pub mod account;
pub mod analytics;
pub mod bundle;
pub mod capture;
pub mod handoff;
pub mod knowledge;
pub mod ledger;
pub mod model;
pub mod openapi;
pub mod project;
pub mod project_file;
pub mod session;
pub mod stats;

use crate::error::AppError;
use crate::server::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

pub fn router(max_body_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/docs", get(openapi::reference))
        .route("/stats", get(stats::get))
        .route("/capture/files", get(capture::files))
        .route("/capture/batches", post(capture::batch))
        .route("/private/analyze-credits", post(analytics::analyze))
        .route("/analytics", get(analytics::report))
        .route("/analytics/alerts", get(analytics::alerts))
        .route("/usage", post(ledger::record))
        .route("/sessions/{id}/usage", get(ledger::of_session))
        .route("/projects", get(project::list).post(project::create))
        .route(
            "/projects/{id}",
            get(project::get)
                .patch(project::update)
                .delete(project::delete),
        )
        .route("/projects/{id}/restore", post(project::restore))
        .route("/projects/{id}/switches", get(account::project_switches))
        .route("/projects/{id}/export", get(bundle::download))
        .route("/private/export-project", post(bundle::export))
        .route("/private/import-project", post(bundle::import))
        .route("/accounts", get(account::list).post(account::create))
        .route(
            "/accounts/{id}",
            get(account::get)
                .patch(account::update)
                .delete(account::delete),
        )
        .route("/accounts/{id}/switches", get(account::switches))
        .route(
            "/accounts/{id}/credits",
            get(account::adjustments).post(account::adjust_credits),
        )
        .route(
            "/private/batch-create-accounts",
            post(account::batch_create),
        )
        .route("/private/select-best-account", post(account::select_best))
        .route("/private/auto-rotate", post(account::auto_rotate))
        .route("/private/switch-account", post(account::switch))
        .route("/knowledge", get(knowledge::list).post(knowledge::create))
        .route("/knowledge/suggest", get(knowledge::suggest))
        .route(
            "/knowledge/{id}",
            get(knowledge::get)
                .put(knowledge::update)
                .patch(knowledge::update)
                .delete(knowledge::delete),
        )
        .route("/knowledge/{id}/outcomes", post(knowledge::outcome))
        .route("/handoff/compress", post(handoff::compress))
        .route("/private/smart-compress", post(handoff::smart_compress))
        .route("/ai/handoff", post(handoff::ai_handoff))
        .route(
            "/settings/model",
            get(model::get).put(model::save).delete(model::remove),
        )
        .route("/sessions", get(session::list).post(session::start))
        .route(
            "/sessions/create-with-handoff",
            post(session::start_with_handoff),
        )
        .route("/sessions/{id}", axum::routing::patch(session::update))
        .route("/sessions/{id}/complete", post(session::complete))
        .route("/sessions/{id}/rotate", post(session::rotate))
        .route("/sessions/{id}/detail", get(session::detail))
        .route(
            "/sessions/{id}/checkpoints",
            get(session::checkpoints).post(session::checkpoint),
        )
        .route(
            "/sessions/{id}/checkpoints/{checkpoint}/restore",
            post(session::restore),
        )
        .route(
            "/sessions/{id}/turns",
            get(session::turns).post(session::append_turn),
        )
        .route("/sessions/{id}/import", post(session::import))
        .route(
            "/projects/{id}/files",
            get(project_file::list).post(project_file::add),
        )
        .route(
            "/projects/{id}/files/{file}",
            axum::routing::delete(project_file::remove),
        )
        .route("/projects/{id}/sessions-timeline", get(session::timeline))
        .fallback(unknown_endpoint)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body_bytes))
}

/// An error answered in the spec's envelope with its HTTP status.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

/// `{"success": false, "error": "…", "field"?: "…", "suggestion"?: "…"}`: every 4xx and 5xx.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Always false.
    pub success: bool,
    /// What went wrong, in words.
    pub error: String,
    /// The request field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status =
            StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            success: false,
            error: e.to_string(),
            field: e.field().map(str::to_owned),
            suggestion: e.suggestion(),
        };
        let mut res = (status, Json(body)).into_response();
        if let crate::error::AppError::TooManyRequests {
            retry_after_secs, ..
        } = e
        {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after_secs.max(1)),
            );
        }
        res
    }
}

impl From<crate::error::FieldError> for ApiError {
    fn from(e: crate::error::FieldError) -> Self {
        Self(e.into())
    }
}

pub type ApiResult = Result<Response, ApiError>;

/// The signed-in user or token of a REST request (the router's middleware puts it there).
pub type Who = Option<axum::Extension<crate::server::auth::Principal>>;

/// Whether the caller may see account e-mails and notes (viewers may not).
pub fn sees_private_fields(who: &Who) -> bool {
    who.as_ref()
        .is_some_and(|w| w.0.me.role.sees_private_fields())
}

/// The spec's success envelope: `{"success": true, "data": …}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Envelope<T> {
    /// Always true.
    pub success: bool,
    pub data: T,
}

/// The spec's create answer: `{"success": true, "id": 7, "data": …}` with status 201.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedEnvelope<T> {
    /// Always true.
    pub success: bool,
    /// The new row's id.
    pub id: i64,
    pub data: T,
}

/// Where a list page stands.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Pagination {
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
    pub total_pages: u32,
}

/// One page of a list: `{"success": true, "data": […], "pagination": {…}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PageEnvelope<T> {
    /// Always true.
    pub success: bool,
    pub data: Vec<T>,
    pub pagination: Pagination,
}

/// What a delete answers: the id of what is gone.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Deleted {
    pub id: i64,
}

/// `{"success": true, "data": data}` with status 200.
pub fn ok<T: Serialize>(data: T) -> ApiResult {
    Ok(Json(Envelope {
        success: true,
        data,
    })
    .into_response())
}

/// `{"success": true, "id": id, "data": data}` with status 201 (the spec's create answer).
pub fn created<T: Serialize>(id: i64, data: T) -> ApiResult {
    Ok((
        StatusCode::CREATED,
        Json(CreatedEnvelope {
            success: true,
            id,
            data,
        }),
    )
        .into_response())
}

/// One page of a list with its pagination.
pub fn paged<T: Serialize, U: Serialize>(
    page: crate::domain::project::Page<T>,
    each: impl FnMut(T) -> U,
) -> ApiResult {
    let pagination = Pagination {
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        total_pages: page.total_pages(),
    };
    Ok(Json(PageEnvelope {
        success: true,
        data: page.items.into_iter().map(each).collect(),
        pagination,
    })
    .into_response())
}

/// A body of this endpoint's own shape with status 200.
pub fn body<T: Serialize>(body: T) -> ApiResult {
    Ok(Json(body).into_response())
}

/// A query string read into `T`; one that does not fit is a 400 in the envelope.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| ApiQuery(q.0))
            .map_err(|e| ApiError(AppError::bad_request(e.body_text())))
    }
}

/// The path's parameters by name (`{id}`, `{checkpoint}`…).
async fn path_params<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<Vec<(String, String)>, ApiError> {
    let raw = axum::extract::RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|e| ApiError(AppError::bad_request(e.body_text())))?;
    Ok(raw
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect())
}

/// The `{id}` of a path parsed once into its domain type (`ProjectId`, `SessionId`…); a
/// bad one is a 400 naming `id`.
pub struct PathId<T>(pub T);

impl<T, S> FromRequestParts<S> for PathId<T>
where
    T: std::str::FromStr<Err = crate::error::FieldError> + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = path_params(parts, state).await?;
        parse_id(&params).map(PathId)
    }
}

/// The `{id}` among a path's parameters, as its domain type.
fn parse_id<T: std::str::FromStr<Err = crate::error::FieldError>>(
    params: &[(String, String)],
) -> Result<T, ApiError> {
    let raw = params
        .iter()
        .find(|(k, _)| k == "id")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    crate::domain::parse::id::<T>(raw, "id").map_err(|e| ApiError(AppError::bad_parameter(e)))
}

/// The `{id}` of a path and the row id after it (`/sessions/{id}/checkpoints/{checkpoint}`),
/// each parsed once; a bad one is a 400 naming its parameter.
pub struct PathIds<T>(pub T, pub i64);

impl<T, S> FromRequestParts<S> for PathIds<T>
where
    T: std::str::FromStr<Err = crate::error::FieldError> + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = path_params(parts, state).await?;
        let id = parse_id::<T>(&params)?;
        let (name, raw) = params
            .iter()
            .find(|(k, _)| k != "id")
            .ok_or_else(|| ApiError(AppError::bad_request("the path names one id")))?;
        let row = crate::domain::parse::row_id(raw, name, &format!("a {name}"))
            .map_err(|e| ApiError(AppError::bad_parameter(e)))?;
        Ok(PathIds(id, row))
    }
}

/// A JSON body extractor whose every failure is an `ApiError`: 415 without a JSON content
/// type, 413 over the size limit, 400 for malformed JSON, 422 naming the field whose value
/// has the wrong type.
pub struct ApiJson<T>(pub T);

impl<T> FromRequest<AppState> for ApiJson<T>
where
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        require_json(req.headers())?;
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge {
                    limit_bytes: state.max_body_bytes as u64,
                }
            } else {
                AppError::bad_request(format!("cannot read the body: {}", rejection.body_text()))
            }
        })?;
        parse_json(&bytes).map(ApiJson).map_err(ApiError)
    }
}

/// 415 unless the request says its body is JSON.
pub fn require_json(headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            let mime = v
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            mime == "application/json" || mime.ends_with("+json")
        })
        .unwrap_or(false);
    if is_json {
        Ok(())
    } else {
        Err(AppError::UnsupportedMediaType {
            message: "expected a JSON body (Content-Type: application/json)".into(),
        }
        .into())
    }
}

/// Parses a JSON object into `T`, naming the field of a type error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        None => return Err(AppError::bad_request("malformed JSON: the body is empty")),
        Some(b'{') => {}
        Some(b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9') => {
            // well-formed or not, it is not an object
            if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
                return Err(AppError::validation("body", "expected a JSON object"));
            }
        }
        Some(_) => {}
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = match serde_path_to_error::deserialize(&mut de) {
        Ok(v) => v,
        // the spec's client sends numbers it read from form fields as strings ("1", "88"):
        // read the body again, taking numeric strings where numbers are expected
        Err(e) if numeric_string(&e) => {
            let v: Value = serde_json::from_slice(bytes)
                .map_err(|e| AppError::bad_request(format!("malformed JSON: {e}")))?;
            return from_value(v, "");
        }
        Err(e) => return Err(path_error(e, "")),
    };
    // `{"name":"t"} garbage` is not a JSON body
    de.end()
        .map_err(|e| AppError::bad_request(format!("malformed JSON: {e}")))?;
    Ok(value)
}

/// Deserialises a JSON value already read (a part of a body), naming the field of a type
/// error under `prefix` (`calls` → `calls[1].input_tokens`). A number sent as a numeric
/// string (`"88"`) is taken as the number; any other string where a number belongs is
/// an error naming the field.
pub fn from_value<T: DeserializeOwned>(mut v: Value, prefix: &str) -> Result<T, AppError> {
    // each round turns one numeric string the type refused into its number
    for _ in 0..256 {
        match serde_path_to_error::deserialize(&v) {
            Ok(t) => return Ok(t),
            Err(e) if numeric_string(&e) && as_number(&mut v, e.path()) => continue,
            Err(e) => return Err(path_error(e, prefix)),
        }
    }
    serde_path_to_error::deserialize(&v).map_err(|e| path_error(e, prefix))
}

/// A type error about a string where a number was expected.
fn numeric_string(e: &serde_path_to_error::Error<serde_json::Error>) -> bool {
    let m = e.inner().to_string();
    m.starts_with("invalid type: string")
        && [
            "expected i",
            "expected u",
            "expected f",
            "integer",
            "a number",
            "number",
        ]
        .iter()
        .any(|w| m.contains(w))
}

/// Replaces the numeric string at `path` in `v` by its number; false when there is none.
fn as_number(v: &mut Value, path: &serde_path_to_error::Path) -> bool {
    use serde_path_to_error::Segment;
    let mut at = v;
    for seg in path.iter() {
        at = match (seg, at) {
            (Segment::Map { key }, Value::Object(m)) => match m.get_mut(key.as_str()) {
                Some(x) => x,
                None => return false,
            },
            (Segment::Seq { index }, Value::Array(a)) => match a.get_mut(*index) {
                Some(x) => x,
                None => return false,
            },
            _ => return false,
        };
    }
    let Value::String(s) = at else { return false };
    let t = s.trim();
    let n = if let Ok(i) = t.parse::<i64>() {
        Value::from(i)
    } else if let Ok(u) = t.parse::<u64>() {
        Value::from(u)
    } else {
        match t.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
            Some(f) if !t.is_empty() => Value::Number(f),
            _ => return false,
        }
    };
    *at = n;
    true
}

/// A type error named by its path (`body` for the whole); anything else is malformed JSON.
fn path_error(e: serde_path_to_error::Error<serde_json::Error>, prefix: &str) -> AppError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    match inner.classify() {
        serde_json::error::Category::Data => {
            let field = match (prefix, path.as_str()) {
                ("", ".") => "body".to_string(),
                (p, ".") => p.to_string(),
                ("", path) => path.to_string(),
                (p, path) if path.starts_with('[') => format!("{p}{path}"),
                (p, path) => format!("{p}.{path}"),
            };
            AppError::validation(field, strip_position(&inner.to_string()))
        }
        _ => AppError::bad_request(format!("malformed JSON: {inner}")),
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The path as the client sent it (`/api/…`: this router is nested under `/api`).
fn full_path(req: &Request) -> String {
    req.extensions()
        .get::<axum::extract::OriginalUri>()
        .map(|u| u.0.path().to_owned())
        .unwrap_or_else(|| req.uri().path().to_owned())
}

async fn unknown_endpoint(req: Request) -> ApiError {
    ApiError(AppError::NotFound {
        entity: "endpoint".into(),
        id: format!("{} {}", req.method(), full_path(&req)),
    })
}

async fn method_not_allowed(req: Request) -> Response {
    let body = ErrorBody {
        success: false,
        error: format!(
            "method {} is not allowed on {}",
            req.method(),
            full_path(&req)
        ),
        field: None,
        suggestion: Some(
            "check the method: /api/docs and the README's REST API table list each path's methods"
                .into(),
        ),
    };
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::project::ProjectInput;

    #[test]
    fn json_errors_name_the_problem() {
        let e = parse_json::<ProjectInput>(b"{\"name\": 5}").unwrap_err();
        assert_eq!(e.field(), Some("name"));
        assert!(e.to_string().contains("invalid type"), "{e}");
        let e = parse_json::<ProjectInput>(b"{\"name\": ").unwrap_err();
        assert!(matches!(e, AppError::BadRequest { .. }), "{e:?}");
        let e = parse_json::<ProjectInput>(b"").unwrap_err();
        assert!(matches!(e, AppError::BadRequest { .. }), "{e:?}");
        let e = parse_json::<ProjectInput>(b"[1]").unwrap_err();
        assert_eq!(e.field(), Some("body"));
        assert_eq!(
            parse_json::<ProjectInput>(b"{}").unwrap(),
            ProjectInput::default()
        );
        let e = parse_json::<ProjectInput>(b"{\"name\":\"t\"} garbage").unwrap_err();
        assert!(matches!(e, AppError::BadRequest { .. }), "{e:?}");
        let e = parse_json::<ProjectInput>(b"{\"name\":\"t\"}{}").unwrap_err();
        assert!(matches!(e, AppError::BadRequest { .. }), "{e:?}");
        assert!(parse_json::<ProjectInput>(b"{\"name\":\"t\"}\n  ").is_ok());
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Call {
        tokens: u32,
        cost: Option<f64>,
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Numbers {
        project_id: Option<i64>,
        credits: i64,
        #[serde(default)]
        calls: Vec<Call>,
        name: Option<String>,
    }

    #[test]
    fn numbers_sent_as_numeric_strings_are_numbers() {
        let n: Numbers = parse_json(
            br#"{"project_id":"1","credits":" 88 ","calls":[{"tokens":"12","cost":"0.5"},{"tokens":3}],"name":"7"}"#,
        )
        .unwrap();
        assert_eq!(
            n,
            Numbers {
                project_id: Some(1),
                credits: 88,
                calls: vec![
                    Call {
                        tokens: 12,
                        cost: Some(0.5)
                    },
                    Call {
                        tokens: 3,
                        cost: None
                    }
                ],
                name: Some("7".into()),
            }
        );
        // anything else where a number belongs still names the field
        let e = parse_json::<Numbers>(br#"{"credits":"eighty"}"#).unwrap_err();
        assert_eq!(e.field(), Some("credits"));
        let e = parse_json::<Numbers>(br#"{"credits":1,"calls":[{"tokens":"-1"}]}"#).unwrap_err();
        assert_eq!(e.field(), Some("calls[0].tokens"));
        let e = parse_json::<Numbers>(br#"{"credits":"1e999"}"#).unwrap_err();
        assert_eq!(e.field(), Some("credits"));
        let e = parse_json::<Numbers>(br#"{"credits":""}"#).unwrap_err();
        assert_eq!(e.field(), Some("credits"));
    }
}
