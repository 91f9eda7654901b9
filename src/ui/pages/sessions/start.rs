//! The form that starts a session: project, account (the recommended one selected), type.

use crate::api::session::StartSession;
use crate::domain::session::SessionType;
use crate::ui::components::forms::{last_error, FieldError, FormError};
use crate::ui::components::time::{when_text, Show};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub(super) fn StartForm(
    action: ServerAction<StartSession>,
    choices: Resource<Result<crate::api::session::SessionChoices, crate::error::AppError>>,
) -> impl IntoView {
    let error = last_error(action.value());
    let options = choices;
    let query = use_query_map();
    let preselect = query.with_untracked(|q| q.get("project_id").unwrap_or_default());
    view! {
        <section class="panel form-panel write-only" aria-labelledby="start-title">
            <h2 id="start-title">"Start a session"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let preselect = preselect.clone();
                    Suspend::new(async move {
                    let Ok(o) = options.await else { return view! { <p class="muted">"Could not load projects and accounts."</p> }.into_any() };
                    if o.projects.is_empty() || o.accounts.is_empty() {
                        return view! {
                            <p class="muted" data-testid="start-needs">
                                "A session needs a project and an account. "
                                <a href="/">"Projects"</a> " · " <a href="/accounts">"Accounts"</a>
                            </p>
                        }.into_any();
                    }
                    view! {
                        <ActionForm action attr:class="form" attr:id="start-session-form">
                            <div class="field">
                                <label for="start-project">"Project"</label>
                                <select id="start-project" name="project_id">
                                    {o.projects.into_iter().map(|(id, name)| {
                                        let sel = id.to_string() == preselect;
                                        view! { <option value=id.to_string() selected=sel>{name}</option> }
                                    }).collect_view()}
                                </select>
                                <FieldError error field="project_id" id="start-project-error"/>
                            </div>
                            <div class="field">
                                <label for="start-account">"Account"</label>
                                <select id="start-account" name="account_id" aria-describedby="start-account-why start-account-error">
                                    {account_options(o.accounts, o.recommended.as_ref().map(|r| r.0), o.now)}
                                </select>
                                <p class="hint" id="start-account-why" data-testid="start-recommended">{match o.recommended.clone() {
                                    Some((_, why)) => format!("Recommended — {why}."),
                                    None => "No account has credits left now; the disabled ones show when they refill.".to_string(),
                                }}</p>
                                <FieldError error field="account_id" id="start-account-error"/>
                            </div>
                            <div class="field">
                                <label for="start-type">"Type"</label>
                                <select id="start-type" name="session_type">
                                    {SessionType::ALL.map(|t| view! { <option value=t.as_str()>{t.as_str()}</option> }).collect_view()}
                                </select>
                            </div>
                            <div class="field">
                                <label for="start-objectives">"Objectives"</label>
                                <textarea id="start-objectives" name="objectives" rows="3" placeholder="What this session should achieve"></textarea>
                                <FieldError error field="objectives" id="start-objectives-error"/>
                            </div>
                            <FormError error fields=&["project_id", "account_id", "objectives"]/>
                            <button type="submit" class="btn primary">"Start session"</button>
                        </ActionForm>
                    }.into_any()
                })}}
            </Transition>
        </section>
    }
}

/// The accounts a session can start on, the engine's choice selected; exhausted ones
/// listed last and disabled, with when they refill.
fn account_options(
    accounts: Vec<crate::api::account::AccountOption>,
    recommended: Option<i64>,
    now: crate::domain::time::Timestamp,
) -> impl IntoView {
    let (usable, out): (Vec<_>, Vec<_>) = accounts.into_iter().partition(|a| a.usable());
    let usable = usable
        .into_iter()
        .map(|a| {
            let sel = Some(a.id) == recommended;
            view! { <option value=a.id.to_string() selected=sel>{format!("{} · {}", a.name, crate::ui::components::status::credits(a.credits))}</option> }
        })
        .collect_view();
    let out = (!out.is_empty()).then(|| {
        view! {
            <optgroup label="Out of credits">
                {out.into_iter().map(|a| {
                    let refill = a.refills_at.map(|t| when_text(t, now, Show::UntilClock));
                    view! {
                        <option value=a.id.to_string() disabled=true>
                            {a.name.clone()}
                            {move || match &refill {
                                Some(f) => format!(" · refills {}", f()),
                                None => " · refills by hand".to_string(),
                            }}
                        </option>
                    }
                }).collect_view()}
            </optgroup>
        }
    });
    view! { {usable} {out} }
}
