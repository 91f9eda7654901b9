//! Project export and import: `POST /api/private/export-project`,
//! `GET /api/projects/{id}/export` (a download) and `POST /api/private/import-project`.

use super::PathId;
use super::{created, ok, parse_json, require_json, ApiJson, ApiResult, CreatedEnvelope, Envelope};
use crate::domain::bundle::{Bundle, ImportAction, ImportOutcome, ImportPlan, OnConflict};
use crate::domain::project::ProjectId;
use crate::error::AppError;
use crate::server::{clock, AppState};
use crate::service::bundle::{self as svc, ImportOptions};
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

/// The project to export.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ExportRequest {
    #[serde(default)]
    project_id: Option<i64>,
}

fn project_id(v: Option<i64>) -> Result<ProjectId, AppError> {
    match v {
        Some(id) if id > 0 => Ok(ProjectId(id)),
        Some(id) => Err(AppError::validation(
            "project_id",
            format!("{id} is not a project id"),
        )),
        None => Err(AppError::validation("project_id", "required")),
    }
}

/// A project's bundle (everything about it, lossless) as `data`.
#[utoipa::path(post, path = "/api/private/export-project", tag = "bundles", request_body = ExportRequest, responses((status = 200, body = Envelope<Bundle>)))]
pub async fn export(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ExportRequest>,
) -> ApiResult {
    let id = project_id(input.project_id)?;
    ok(svc::export(&state.db, id, clock::now()).await?)
}

/// `shop-2026-11-22.json`: a safe file name for a project's bundle.
pub fn file_name(project: &str, date: &str) -> String {
    let mut slug = String::new();
    for c in project.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    let slug = if slug.is_empty() {
        "project".into()
    } else {
        slug
    };
    format!("{slug}-{date}.json")
}

/// A project's bundle as a file download.
#[utoipa::path(get, path = "/api/projects/{id}/export", tag = "bundles", params(("id" = i64, Path, description = "project id")), responses((status = 200, body = Bundle, content_type = "application/json")))]
pub async fn download(State(state): State<AppState>, PathId(id): PathId<ProjectId>) -> ApiResult {
    let now = clock::now();
    let bundle = svc::export(&state.db, id, now).await?;
    let body = serde_json::to_vec_pretty(&bundle).map_err(|_| AppError::Internal)?;
    let name = file_name(&bundle.project.name, &now.date());
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// A bundle to import, and what to do when its project's name is taken.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ImportRequest {
    #[serde(default)]
    bundle: Option<Bundle>,
    /// A new name for the project.
    #[serde(default)]
    name: Option<String>,
    /// rename (default), merge or skip.
    #[serde(default)]
    on_conflict: Option<String>,
    /// Answer the plan without importing.
    #[serde(default)]
    dry_run: bool,
}

/// `POST /api/private/import-project` with `{"bundle": …, "name": "…", "on_conflict":
/// "rename" | "merge" | "skip", "dry_run": false}`. Bundles may be larger than other
/// bodies (`--max-import-bytes`). A dry run answers the plan; an import answers 201 with
/// the new project's id (200 when skipped).
#[utoipa::path(post, path = "/api/private/import-project", tag = "bundles", request_body = ImportRequest, responses((status = 200, body = ImportAnswer, description = "a dry run's plan, or a skipped import"), (status = 201, body = CreatedEnvelope<ImportOutcome>, description = "imported")))]
pub async fn import(State(state): State<AppState>, req: Request) -> ApiResult {
    require_json(req.headers())?;
    let limit = state.max_import_bytes;
    let bytes = axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| AppError::PayloadTooLarge {
            limit_bytes: limit as u64,
        })?;
    let input: ImportRequest = parse_json(&bytes)?;
    let bundle = input
        .bundle
        .ok_or_else(|| AppError::validation("bundle", "required: a project bundle"))?;
    let options = ImportOptions {
        name: input.name,
        on_conflict: match input.on_conflict.as_deref() {
            Some(v) => OnConflict::parse(v).map_err(AppError::from)?,
            None => OnConflict::default(),
        },
    };
    if input.dry_run {
        let plan = svc::preview(&state.db, &bundle, &options).await?;
        return ok(DryRun {
            dry_run: true,
            plan,
        });
    }
    let outcome = svc::import(&state.db, &bundle, &options, clock::now()).await?;
    match outcome.project_id {
        Some(id) if outcome.plan.action != ImportAction::Skip => created(id.0, outcome),
        _ => ok(outcome),
    }
}

/// What an import would do.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DryRun {
    pub dry_run: bool,
    pub plan: ImportPlan,
}

/// A dry run's plan, or the outcome of an import that skipped.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum ImportAnswer {
    DryRun(Envelope<DryRun>),
    Skipped(Envelope<ImportOutcome>),
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            file_name("My Shop!", "2026-11-22"),
            "my-shop-2026-11-22.json"
        );
        assert_eq!(file_name("../../etc", "d"), "etc-d.json");
        assert_eq!(file_name("日本", "d"), "project-d.json");
        assert_eq!(file_name("a\"b", "d"), "a-b-d.json");
    }
}
