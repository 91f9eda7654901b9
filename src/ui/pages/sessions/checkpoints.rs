//! A session's checkpoints: saving one while it runs, the list, and restoring one.

use super::SessionActions;
use crate::domain::session::{SessionId, Snapshot};
use crate::domain::time::Timestamp;
use crate::ui::components::forms::{last_error, FormError};
use crate::ui::components::time::When;
use leptos::prelude::*;

/// The Checkpoints panel: a form that saves one while the session runs, then the saved
/// ones, each with a Restore button while it runs.
#[component]
pub(super) fn CheckpointsPanel(
    session_id: SessionId,
    checkpoints: Vec<Snapshot>,
    running: bool,
    now: Timestamp,
    actions: SessionActions,
) -> impl IntoView {
    let restore_error = last_error(actions.restore.value());
    view! {
        <section class="panel write-only" aria-labelledby="cp-title">
            <h2 id="cp-title">"Checkpoints"</h2>
            {running.then(|| view! {
                <ActionForm action=actions.checkpoint attr:class="form">
                    <input type="hidden" name="id" value=session_id.to_string()/>
                    <div class="field">
                        <label for="cp-note">"Note"</label>
                        <input id="cp-note" name="note" type="text" placeholder="e.g. before the refactor"/>
                    </div>
                    <button type="submit" class="btn">"Save checkpoint"</button>
                </ActionForm>
            })}
            <FormError error=restore_error fields=&[]/>
            {checkpoints.is_empty().then(|| view! { <p class="muted">"None yet."</p> })}
            <ul class="timeline" data-testid="checkpoints">
                {checkpoints.into_iter().map(move |c| {
                    view! {
                        <li>
                            <div class="timeline-head">
                                <span>{c.context_summary.clone().unwrap_or_default()}</span>
                                <When at=c.created_at now=now class="muted"/>
                            </div>
                            {running.then(|| view! {
                                <ActionForm action=actions.restore>
                                    <input type="hidden" name="id" value=session_id.to_string()/>
                                    <input type="hidden" name="checkpoint" value=c.id.to_string()/>
                                    <button type="submit" class="btn small">"Restore"</button>
                                </ActionForm>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
