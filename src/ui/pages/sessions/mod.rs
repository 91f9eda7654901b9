//! `/sessions`: the session list and the form that starts one; `/sessions/{id}`: one
//! session — its fields, checkpoints, conversation and completion; and the project
//! timeline shown on a project's page.
//!
//! The list page is in `list` (with `start`, its form); the session's page in `detail`,
//! with its panels: `actions`, `work`, `conversation` and `checkpoints`; the project
//! timeline in `timeline`.

mod actions;
mod checkpoints;
mod conversation;
mod detail;
mod list;
mod start;
mod timeline;
mod work;

pub use detail::SessionPage;
pub use list::SessionsPage;
pub use timeline::ProjectTimeline;

use crate::api::session::{
    AddTurn, CompleteSession, ImportConversation, RestoreCheckpoint, RotateSession, SaveCheckpoint,
    UpdateSession,
};
use crate::domain::session::SessionStatus;
use leptos::prelude::*;

/// A session's status as a badge.
#[component]
pub fn SessionStatusBadge(status: SessionStatus) -> impl IntoView {
    let tone = match status {
        SessionStatus::InProgress => "completed",
        SessionStatus::Completed => "active",
        SessionStatus::Failed => "blocked",
        SessionStatus::HandedOff => "paused",
    };
    view! {
        <span class=format!("badge badge-{tone}") data-testid="session-status">
            <span class="dot" aria-hidden="true"></span>
            {status.label()}
        </span>
    }
}

/// The server actions of a session's page, shared by its panels.
#[derive(Clone, Copy)]
struct SessionActions {
    import: ServerAction<ImportConversation>,
    update: ServerAction<UpdateSession>,
    checkpoint: ServerAction<SaveCheckpoint>,
    restore: ServerAction<RestoreCheckpoint>,
    turn: ServerAction<AddTurn>,
    complete: ServerAction<CompleteSession>,
    rotate: ServerAction<RotateSession>,
}

/// A query value, percent-encoded for a link.
fn enc(v: &str) -> String {
    form_urlencoded::byte_serialize(v.as_bytes()).collect()
}
