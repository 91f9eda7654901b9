//! `POST /api/private/analyze-credits`, `GET /api/analytics` and `GET /api/analytics/alerts`.

use super::{ok, ApiResult};
use crate::error::AppError;
use crate::server::{clock, AppState};
use crate::service::analytics::{self as svc, AnalyzeInput};
use axum::extract::{Query, State};
use serde::Deserialize;

/// The spec's credit analysis of one project over the last `days` (default 30).
pub async fn analyze(
    State(state): State<AppState>,
    super::ApiJson(input): super::ApiJson<AnalyzeInput>,
) -> ApiResult {
    ok(svc::analyze(&state.db, &input, clock::now()).await?)
}

#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    project_id: Option<String>,
    days: Option<String>,
}

fn number(raw: Option<&str>, field: &str) -> Result<Option<i64>, AppError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            crate::error::FieldError::new(field, format!("{v:?} is not a whole number")).into()
        }),
    }
}

/// Everything the analytics page shows, as JSON.
pub async fn report(
    State(state): State<AppState>,
    query: Result<Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let Query(q) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let project = number(q.project_id.as_deref(), "project_id")?;
    let days = number(q.days.as_deref(), "days")?;
    ok(svc::report(&state.db, project, days, clock::now(), &state.analytics).await?)
}

/// Accounts past an alert threshold, the most urgent first.
pub async fn alerts(State(state): State<AppState>) -> ApiResult {
    ok(svc::alerts(&state.db, clock::now(), &state.analytics).await?)
}
