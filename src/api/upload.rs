//! File upload for conversation imports: a plain multipart form post (works without
//! JavaScript), answered with a redirect back to the session page carrying the outcome.

use crate::domain::session::SessionId;
use crate::server::{clock, AppState};
use crate::service::session as svc;
use axum::extract::{Multipart, Path, State};
use axum::response::Redirect;

pub use crate::domain::text::percent_encode as encode;

fn back(id: &str, key: &str, value: &str) -> Redirect {
    Redirect::to(&format!("/sessions/{id}?{key}={}", encode(value)))
}

/// `POST /upload/sessions/{id}/import` (multipart: `file`, `format`).
pub async fn import_file(
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut form: Multipart,
) -> Redirect {
    let Ok(session) = crate::domain::parse::id::<SessionId>(&id, "id") else {
        return Redirect::to("/sessions");
    };
    let mut format = None;
    let mut bytes = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("format") => format = field.text().await.ok(),
                Some("file") => match field.bytes().await {
                    Ok(b) => bytes = Some(b),
                    Err(_) => {
                        let limit = state.max_body_bytes;
                        return back(
                            &id,
                            "import_error",
                            &format!("the file is larger than the upload limit of {limit} bytes"),
                        );
                    }
                },
                _ => {}
            },
            Ok(None) => break,
            Err(e) => {
                let message = if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    format!(
                        "the file is larger than the upload limit of {} bytes",
                        state.max_body_bytes
                    )
                } else {
                    format!("the upload could not be read: {}", e.body_text())
                };
                return back(&id, "import_error", &message);
            }
        }
    }
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
        return back(&id, "import_error", "choose a file to upload");
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return back(
            &id,
            "import_error",
            "this is not a text file (it is not UTF-8)",
        );
    };
    match svc::import(&state.db, session, text, format.as_deref(), clock::now()).await {
        Ok(o) => back(&id, "imported", &o.imported.to_string()),
        Err(e) => back(&id, "import_error", &e.to_string()),
    }
}
