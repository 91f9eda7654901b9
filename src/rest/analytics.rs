//! `POST /api/private/analyze-credits`, `GET /api/analytics` and `GET /api/analytics/alerts`.

use super::{ok, ApiResult};
use crate::api::session::opt_number;
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
    outlook_page: Option<String>,
}

/// Everything the analytics page shows, as JSON: rankings of the top accounts with the
/// rest summed, one page of outlooks (`outlook_page`, 25 each), weekly bars past 90 days.
pub async fn report(
    State(state): State<AppState>,
    query: Result<Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let Query(q) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let project = opt_number(q.project_id, "project_id")?;
    let days = opt_number(q.days, "days")?;
    let page = opt_number(q.outlook_page, "outlook_page")?;
    ok(svc::report(
        &state.db,
        project,
        days,
        page,
        clock::now(),
        &state.analytics,
    )
    .await?)
}

/// Accounts past an alert threshold, the most urgent first.
pub async fn alerts(State(state): State<AppState>) -> ApiResult {
    ok(svc::alerts(&state.db, clock::now(), &state.analytics).await?)
}
