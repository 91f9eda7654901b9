//! A session's action bar (state, credits, rotate, complete, import) and the completion form.

use super::{SessionActions, SessionStatusBadge};
use crate::api::session::SessionView;
use crate::domain::session::SessionStatus;
use crate::ui::components::forms::{last_error, FieldError, FormError};
use crate::ui::components::status::figure;
use leptos::prelude::*;

/// Summary and the actions of a session, first on its page: state, account, credits, and
/// Rotate / Complete / Import while it runs.
#[component]
pub(super) fn ActionBar(v: SessionView, actions: SessionActions) -> impl IntoView {
    let s = v.detail.session.clone();
    let running = s.status == SessionStatus::InProgress;
    let rotate_error = last_error(actions.rotate.value());
    let base = format!("/sessions/{}", s.id);
    let credits = figure(s.credits_used);
    let rotate = v.rotate_to.clone();
    let id = s.id.to_string();
    view! {
        <section class="panel action-bar" aria-label="Session summary and actions" data-testid="session-actions">
            <dl class="facts">
                <div><dt>"State"</dt><dd><SessionStatusBadge status=s.status/></dd></div>
                <div><dt>"Account"</dt><dd class="nowrap-name">{v.account_name.clone()}</dd></div>
                <div><dt>"Credits"</dt><dd data-testid="session-credits">{credits}</dd></div>
                <div><dt>"Turns"</dt><dd>{figure(i64::from(v.turns.total))}</dd></div>
            </dl>
            {running.then(|| view! {
                <div class="action-row">
                    {match rotate {
                        Some((aid, name, reason)) => view! {
                            <ActionForm action=actions.rotate attr:class="inline-form" attr:data-testid="rotate-form">
                                <input type="hidden" name="id" value=id.clone()/>
                                <input type="hidden" name="account_id" value=aid.to_string()/>
                                <button type="submit" class="btn primary" data-testid="rotate-continue"
                                    aria-describedby="rotate-why" disabled=move || actions.rotate.pending().get()>
                                    {format!("Hand off and continue on {name}")}
                                </button>
                            </ActionForm>
                            <span class="muted small" id="rotate-why">{format!("Rotate: this session ends as handed off with its briefing; {reason}.")}</span>
                        }.into_any(),
                        None => view! {
                            <span class="muted small" data-testid="rotate-none">"No other account can take over now; see Accounts for the next refill."</span>
                        }.into_any(),
                    }}
                    <a class="btn" href=format!("{base}?confirm=complete#complete") data-testid="complete-open">"Complete…"</a>
                    <a class="btn" href="#import">"Import a log"</a>
                </div>
                <FormError error=rotate_error fields=&[]/>
            })}
        </section>
    }
}

#[component]
pub(super) fn CompleteConfirm(v: SessionView, actions: SessionActions) -> impl IntoView {
    let s = v.detail.session.clone();
    let complete_error = last_error(actions.complete.value());
    let cancel = format!("/sessions/{}", s.id);
    let credits = RwSignal::new(s.credits_used.to_string());
    let account = v.account_name.clone();
    view! {
        <section class="panel confirm" id="complete" aria-labelledby="complete-title" data-testid="complete-confirm">
            <h2 id="complete-title">{format!("Complete session {}?", s.session_number)}</h2>
            <ActionForm action=actions.complete attr:class="form">
                <input type="hidden" name="id" value=s.id.to_string()/>
                <div class="field-row">
                    <div class="field">
                        <label for="c-credits">"Credits used in total"</label>
                        <input id="c-credits" name="credits_used" type="number" min="0" inputmode="numeric"
                            value=s.credits_used.to_string()
                            on:input=move |ev| credits.set(event_target_value(&ev))
                            aria-describedby="c-credits-error"/>
                        <FieldError error=complete_error field="credits_used" id="c-credits-error"/>
                    </div>
                    <div class="field">
                        <label for="c-status">"Outcome"</label>
                        <select id="c-status" name="status">
                            <option value="completed">"Completed"</option>
                            <option value="handed_off">"Handed off"</option>
                            <option value="failed">"Failed"</option>
                        </select>
                    </div>
                </div>
                <p class="muted">"The credits are taken from the account once; the session then becomes a read-only record with its handoff briefing."</p>
                <FormError error=complete_error fields=&["credits_used"]/>
                <div class="form-actions">
                    <button type="submit" class="btn primary" data-testid="complete-submit">
                        {move || format!("Complete and debit {} credits from {}", credits.get().trim(), account)}
                    </button>
                    <a class="btn" href=cancel>"Cancel"</a>
                </div>
            </ActionForm>
        </section>
    }
}
