//! Server functions of capture: what the AI tools' logs brought in, as it happens.

use crate::domain::capture::window::Live;
use crate::error::AppError;
use leptos::prelude::*;

/// Captured sessions of the last day and the windows of the accounts capture feeds.
#[server(prefix = "/rpc", endpoint = "live_usage")]
pub async fn live_usage() -> Result<Live, AppError> {
    let state = super::ssr::state()?;
    crate::service::capture::live(&state.db, crate::server::clock::now(), 8).await
}

/// The Sources page: what capture reads, what it maps to, what went wrong, what was found.
#[server(prefix = "/rpc", endpoint = "capture_sources")]
pub async fn capture_sources() -> Result<crate::domain::capture::sources::Sources, AppError> {
    let state = super::ssr::state()?;
    let dirs = places(&state);
    let found = dirs.found();
    let following = state
        .capture_dirs
        .all()
        .iter()
        .map(|d| d.display().to_string())
        .collect();
    crate::service::capture::sources(&state.db, crate::server::clock::now(), found, following).await
}

/// The server's capture directories, or the tools' standard places when none are set.
#[cfg(feature = "ssr")]
fn places(state: &crate::server::AppState) -> crate::server::capture::Dirs {
    if state.capture_dirs.is_empty() {
        crate::server::capture::Dirs::standard()
    } else {
        (*state.capture_dirs).clone()
    }
}

/// Reads every capture directory now: what it recorded, in one line.
#[server(prefix = "/rpc", endpoint = "capture_now")]
pub async fn capture_now() -> Result<String, AppError> {
    let state = super::ssr::state()?;
    let dirs = places(&state);
    if dirs.is_empty() {
        return Err(AppError::validation(
            "capture",
            "no Claude Code, Codex CLI or Gemini CLI directory on the server's machine; \
             start the server with --capture-dir",
        ));
    }
    let done = crate::server::capture::scan(&state.db, &dirs, &state.prices)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "capture now failed");
            AppError::conflict("capture could not finish; try again")
        })?;
    Ok(done.report.summary())
}

#[cfg(feature = "ssr")]
fn parse_id(field: &str, value: &str) -> Result<i64, AppError> {
    crate::domain::parse::row_id(value, field, "a")
        .map_err(|_| AppError::validation(field, "choose one from the list"))
}

/// A source feeds another account (its captured sessions move with it).
#[server(prefix = "/rpc", endpoint = "map_capture_source")]
pub async fn map_capture_source(source: String, account: String) -> Result<u64, AppError> {
    let state = super::ssr::state()?;
    let source = parse_id("source", &source)?;
    let account = crate::domain::account::AccountId(parse_id("account", &account)?);
    crate::service::capture::map_source(&state.db, source, account).await
}

/// Stops or resumes recording a source ("true" stops).
#[server(prefix = "/rpc", endpoint = "ignore_capture_source")]
pub async fn ignore_capture_source(source: String, ignored: String) -> Result<(), AppError> {
    let state = super::ssr::state()?;
    let source = parse_id("source", &source)?;
    crate::service::capture::ignore_source(&state.db, source, ignored == "true").await
}

/// A repository feeds another project (its captured sessions move with it).
#[server(prefix = "/rpc", endpoint = "map_capture_repo")]
pub async fn map_capture_repo(repo: String, project: String) -> Result<u64, AppError> {
    let state = super::ssr::state()?;
    let repo = parse_id("repo", &repo)?;
    let project = crate::domain::project::ProjectId(parse_id("project", &project)?);
    crate::service::capture::map_repo(&state.db, repo, project).await
}

#[server(prefix = "/rpc", endpoint = "ignore_capture_repo")]
pub async fn ignore_capture_repo(repo: String, ignored: String) -> Result<(), AppError> {
    let state = super::ssr::state()?;
    let repo = parse_id("repo", &repo)?;
    crate::service::capture::ignore_repo(&state.db, repo, ignored == "true").await
}
