//! Server functions for credit analytics: the analytics page's report, the dashboard's
//! alerts, a running session's warning and a session's usage.

use crate::domain::analytics::{Outlook, Report, SessionWarning};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{api::session::opt_number, server::clock, service::analytics as svc};

/// The report of the last `days` (default 30) of all projects or of `project_id`.
#[server(prefix = "/rpc", endpoint = "get_analytics")]
pub async fn get_analytics(
    project_id: Option<String>,
    days: Option<String>,
) -> Result<Report, AppError> {
    let state = super::ssr::state()?;
    let project = opt_number(project_id, "project_id")?;
    let days = opt_number(days, "days")?;
    svc::report(&state.db, project, days, clock::now(), &state.analytics).await
}

/// Accounts past an alert threshold, the most urgent first.
#[server(prefix = "/rpc", endpoint = "get_alerts")]
pub async fn get_alerts() -> Result<Vec<Outlook>, AppError> {
    let state = super::ssr::state()?;
    svc::alerts(&state.db, clock::now(), &state.analytics).await
}

/// Whether a running session's account will run out before the session ends.
#[server(prefix = "/rpc", endpoint = "get_session_warning")]
pub async fn get_session_warning(id: String) -> Result<Option<SessionWarning>, AppError> {
    let state = super::ssr::state()?;
    let id = crate::api::session::id_of(&id, "id")?;
    svc::session_warning(
        &state.db,
        crate::domain::session::SessionId(id),
        clock::now(),
        &state.analytics,
    )
    .await
}

/// A session's recorded usage.
#[server(prefix = "/rpc", endpoint = "get_session_usage")]
pub async fn get_session_usage(
    id: String,
) -> Result<crate::domain::ledger::SessionLedger, AppError> {
    let state = super::ssr::state()?;
    let id = crate::api::session::id_of(&id, "id")?;
    crate::service::ledger::of_session(&state.db, crate::domain::session::SessionId(id)).await
}
