//! Server functions for credit analytics: the analytics page's report and the dashboard's
//! alerts (a session's warning and usage come with the session page's own data).

use crate::domain::analytics::{AlertSummary, Report};
use crate::domain::time::Timestamp;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{api::form, server::clock, service::analytics as svc};

/// The report of the last `days` (default 30) of all projects or of `project_id`.
#[server(prefix = "/rpc", endpoint = "get_analytics")]
pub async fn get_analytics(
    project_id: Option<String>,
    days: Option<String>,
    #[server(default)] outlook_page: Option<String>,
) -> Result<Report, AppError> {
    let state = super::ssr::state()?;
    let project = form::opt_number(project_id, "project_id")?;
    let days = form::opt_number(days, "days")?;
    let page = form::opt_number(outlook_page, "outlook_page")?;
    svc::report(
        &state.db,
        project,
        days,
        page,
        clock::now(),
        &state.analytics,
    )
    .await
}

/// The dashboard's alert line: accounts out, running low and quiet, the worst first.
#[server(prefix = "/rpc", endpoint = "get_alerts")]
pub async fn get_alerts() -> Result<(AlertSummary, Timestamp), AppError> {
    let state = super::ssr::state()?;
    let now = clock::now();
    Ok((
        svc::alert_summary(&state.db, now, &state.analytics).await?,
        now,
    ))
}
