//! A session's Work panel: its fields, editable while it runs, read-only once it has ended.

use super::SessionActions;
use crate::domain::session::Session;
use crate::ui::components::forms::{last_error, textarea_text, FieldError, FormError};
use leptos::prelude::*;

/// The session's objectives, accomplishments, blockers, notes and credits: a form while it
/// runs, a record once it has ended. Objectives and blockers typed in the form become
/// `asked`, what the knowledge suggestions search for, once typing pauses.
#[component]
pub(super) fn WorkPanel(
    session: Session,
    running: bool,
    actions: SessionActions,
    asked: RwSignal<String>,
) -> impl IntoView {
    let s = session;
    let update_error = last_error(actions.update.value());
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    let typed = RwSignal::new((text(&s.objectives), text(&s.blockers)));
    let typing = StoredValue::new(0u64);
    let retype = move || {
        let n = typing.get_value() + 1;
        typing.set_value(n);
        set_timeout(
            move || {
                if typing.get_value() == n {
                    let (o, b) = typed.get_untracked();
                    asked.set(format!("{o}\n{b}"));
                }
            },
            std::time::Duration::from_millis(300),
        );
    };
    view! {
        <section class="panel" aria-labelledby="work-title">
            <h2 id="work-title">"Work"</h2>
            {if running {
                view! {
                    <ActionForm action=actions.update attr:class="form">
                        <input type="hidden" name="id" value=s.id.to_string()/>
                        <input type="hidden" name="version" value=s.version.to_string()/>
                        <div class="field">
                            <label for="s-objectives">"Objectives"</label>
                            <textarea id="s-objectives" name="objectives" rows="2" prop:value=text(&s.objectives)
                                on:input=move |ev| { typed.update(|t| t.0 = event_target_value(&ev)); retype(); }>{textarea_text(&text(&s.objectives))}</textarea>
                        </div>
                        <div class="field">
                            <label for="s-accomplishments">"Accomplishments"</label>
                            <textarea id="s-accomplishments" name="accomplishments" rows="3" prop:value=text(&s.accomplishments)>{textarea_text(&text(&s.accomplishments))}</textarea>
                        </div>
                        <div class="field">
                            <label for="s-blockers">"Blockers"</label>
                            <textarea id="s-blockers" name="blockers" rows="2" prop:value=text(&s.blockers)
                                on:input=move |ev| { typed.update(|t| t.1 = event_target_value(&ev)); retype(); }>{textarea_text(&text(&s.blockers))}</textarea>
                        </div>
                        <div class="field">
                            <label for="s-notes">"Handoff notes"</label>
                            <textarea id="s-notes" name="handoff_notes" rows="2" prop:value=text(&s.handoff_notes)>{textarea_text(&text(&s.handoff_notes))}</textarea>
                        </div>
                        <div class="field">
                            <label for="s-credits">"Credits used so far"</label>
                            <input id="s-credits" name="credits_used" type="number" min="0" inputmode="numeric"
                                value=s.credits_used.to_string() prop:value=s.credits_used.to_string()
                                aria-describedby="s-credits-hint s-credits-error"/>
                            <p class="muted choice-hint" id="s-credits-hint">"The running total: saving it again never counts twice."</p>
                            <FieldError error=update_error field="credits_used" id="s-credits-error"/>
                        </div>
                        <FormError error=update_error fields=&["credits_used"]/>
                        <div class="form-actions">
                            <button type="submit" class="btn primary">"Save"</button>
                            {move || matches!(actions.update.value().get(), Some(Ok(_))).then(|| view! {
                                <span class="form-ok" role="status" data-testid="session-saved">"Saved"</span>
                            })}
                        </div>
                    </ActionForm>
                }.into_any()
            } else {
                let fields = [
                    ("Objectives", s.objectives.clone()),
                    ("Accomplishments", s.accomplishments.clone()),
                    ("Blockers", s.blockers.clone()),
                    ("Handoff notes", s.handoff_notes.clone()),
                ];
                view! {
                    <dl class="record" data-testid="session-record">
                        {fields.into_iter().map(|(label, value)| {
                            let class = if value.is_some() { "prose" } else { "prose muted" };
                            view! {
                                <dt>{label}</dt>
                                <dd class=class>{value.unwrap_or_else(|| "—".into())}</dd>
                            }
                        }).collect_view()}
                    </dl>
                }.into_any()
            }}
        </section>
    }
}
