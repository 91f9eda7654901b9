//! `POST /api/private/analyze-credits`, `GET /api/analytics` and `GET /api/analytics/alerts`.

use super::ApiQuery;
use super::{ok, ApiResult, Envelope};
use crate::domain::analytics::{CreditSummary, Outlook, Report};
use crate::domain::parse::opt_number;
use crate::server::{clock, AppState};
use crate::service::analytics::{self as svc, AnalyzeInput};
use axum::extract::State;
use serde::Deserialize;

/// The spec's credit analysis of one project over the last `days` (default 30).
#[utoipa::path(post, path = "/api/private/analyze-credits", tag = "analytics", request_body = AnalyzeInput, responses((status = 200, body = Envelope<CreditSummary>)))]
pub async fn analyze(
    State(state): State<AppState>,
    super::ApiJson(input): super::ApiJson<AnalyzeInput>,
) -> ApiResult {
    ok(svc::analyze(&state.db, &input, clock::now()).await?)
}

/// What the report covers.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// One project (all when left out).
    #[param(value_type = Option<i64>)]
    project_id: Option<String>,
    /// The last 1 to 365 days (30 when left out).
    #[param(value_type = Option<i64>)]
    days: Option<String>,
    /// The page of outlooks, 25 each.
    #[param(value_type = Option<i64>)]
    outlook_page: Option<String>,
}

/// Everything the analytics page shows, as JSON: rankings of the top accounts with the
/// rest summed, one page of outlooks (`outlook_page`, 25 each), weekly bars past 90 days.
#[utoipa::path(get, path = "/api/analytics", tag = "analytics", params(ReportQuery), responses((status = 200, body = Envelope<Report>)))]
pub async fn report(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult {
    let project = opt_number(q.project_id.as_deref(), "project_id")?;
    let days = opt_number(q.days.as_deref(), "days")?;
    let page = opt_number(q.outlook_page.as_deref(), "outlook_page")?;
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
#[utoipa::path(get, path = "/api/analytics/alerts", tag = "analytics", responses((status = 200, body = Envelope<Vec<Outlook>>)))]
pub async fn alerts(State(state): State<AppState>) -> ApiResult {
    ok(svc::alerts(&state.db, clock::now(), &state.analytics).await?)
}
