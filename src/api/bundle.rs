//! Project import from the dashboard: an upload (a plain multipart form post, works
//! without JavaScript) is validated and held for confirmation; the preview page shows
//! what will be created; confirming applies it in one transaction.

use crate::domain::bundle::ImportPlan;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// An upload waiting for confirmation and what importing it would do now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub token: String,
    pub file_name: String,
    pub plan: ImportPlan,
}

#[cfg(feature = "ssr")]
fn staged(
    state: &crate::server::AppState,
    token: &str,
) -> Result<std::sync::Arc<crate::service::bundle::Staged>, AppError> {
    state.imports.get(token.trim()).ok_or_else(|| {
        AppError::conflict_on(
            "token",
            "this upload is no longer waiting (the server keeps the last few uploads until \
             it restarts); upload the file again",
        )
    })
}

#[server(prefix = "/rpc", endpoint = "preview_import")]
pub async fn preview_import(token: String) -> Result<ImportPreview, AppError> {
    let state = super::ssr::state()?;
    let s = staged(&state, &token)?;
    let plan = crate::service::bundle::preview(&state.db, &s.bundle, &s.options).await?;
    Ok(ImportPreview {
        token,
        file_name: s.file_name.clone(),
        plan,
    })
}

/// Imports a waiting upload and opens the project it went into.
#[server(prefix = "/rpc", endpoint = "apply_import")]
pub async fn apply_import(token: String) -> Result<(), AppError> {
    let state = super::ssr::state()?;
    let s = staged(&state, &token)?;
    let outcome = crate::service::bundle::import(
        &state.db,
        &s.bundle,
        &s.options,
        crate::server::clock::now(),
    )
    .await?;
    state.imports.remove(token.trim());
    match outcome.project_id {
        Some(id) => leptos_axum::redirect(&format!("/projects/{id}")),
        None => leptos_axum::redirect("/"),
    }
    Ok(())
}

#[cfg(feature = "ssr")]
pub use upload::upload;

#[cfg(feature = "ssr")]
mod upload {
    use crate::api::upload::encode;
    use crate::domain::bundle::OnConflict;
    use crate::server::AppState;
    use crate::service::bundle::{self as svc, ImportOptions, Staged};
    use axum::extract::{Multipart, State};
    use axum::response::Redirect;

    fn back(field: &str, message: &str) -> Redirect {
        Redirect::to(&format!(
            "/import?field={}&error={}",
            encode(field),
            encode(message)
        ))
    }

    /// `POST /upload/import` (multipart: `file`, `name`, `on_conflict`): validates the
    /// bundle and shows its preview, or returns to the form with the first problem.
    pub async fn upload(State(state): State<AppState>, mut form: Multipart) -> Redirect {
        let limit = state.max_import_bytes;
        let too_large = || {
            back(
                "file",
                &format!("the file is larger than the import limit of {limit} bytes"),
            )
        };
        let (mut name, mut on_conflict, mut file) = (None, None, None);
        loop {
            match form.next_field().await {
                Ok(Some(field)) => match field.name() {
                    Some("name") => name = field.text().await.ok(),
                    Some("on_conflict") => on_conflict = field.text().await.ok(),
                    Some("file") => {
                        let file_name = field.file_name().unwrap_or("bundle.json").to_owned();
                        match field.bytes().await {
                            Ok(b) => file = Some((file_name, b)),
                            Err(_) => return too_large(),
                        }
                    }
                    _ => {}
                },
                Ok(None) => break,
                Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                    return too_large()
                }
                Err(e) => {
                    return back(
                        "file",
                        &format!("the upload could not be read: {}", e.body_text()),
                    )
                }
            }
        }
        let on_conflict = match OnConflict::parse(on_conflict.as_deref().unwrap_or("rename")) {
            Ok(v) => v,
            Err(e) => return back(&e.field, &e.message),
        };
        let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
            return back("file", "choose a bundle file (.json) to upload");
        };
        let Ok(text) = std::str::from_utf8(&bytes) else {
            return back(
                "file",
                "this is not a project bundle (the file is not UTF-8 text)",
            );
        };
        let bundle = match svc::read(text) {
            Ok(b) => b,
            Err(e) => return back("file", &e.to_string()),
        };
        let options = ImportOptions {
            name: name.filter(|n| !n.trim().is_empty()),
            on_conflict,
        };
        if let Err(e) = svc::preview(&state.db, &bundle, &options).await {
            return match &e {
                crate::error::AppError::Validation { field, message } if field == "name" => {
                    back("name", message)
                }
                _ => back("file", &e.to_string()),
            };
        }
        let token = state.imports.put(Staged {
            bundle,
            options,
            file_name,
        });
        Redirect::to(&format!("/import/{token}"))
    }
}
