//! The panel that picks which account to use next, and says why.

use crate::api::account::SelectAccount;
use crate::domain::account::Strategy;
use crate::error::AppError;
use crate::ui::components::forms::{last_error, FieldError};
use leptos::prelude::*;

#[component]
pub(super) fn SelectPanel(action: ServerAction<SelectAccount>) -> impl IntoView {
    let error = last_error(action.value());
    let result = move || action.value().get().and_then(|r| r.ok());
    view! {
        <section class="panel write-only" aria-labelledby="select-title" data-testid="select-panel">
            <h2 id="select-title">"Which account next?"</h2>
            <ActionForm action attr:class="form">
                <div class="field">
                    <label for="select-specialization">"Specialization " <span class="muted">"(optional)"</span></label>
                    <input id="select-specialization" name="specialization" type="text" placeholder="e.g. Frontend"/>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="select-min">"Min credits"</label>
                        <input id="select-min" name="min_credits" type="number" min="0" value="50"/>
                        <FieldError error field="min_credits" id="select-min-error"/>
                    </div>
                    <div class="field">
                        <label for="select-strategy">"Strategy"</label>
                        <select id="select-strategy" name="strategy">
                            {Strategy::ALL.map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
                <button type="submit" class="btn primary">"Pick account"</button>
            </ActionForm>
            {move || error.get().map(|e| match e {
                AppError::NoAccount { message, suggestion } => view! {
                    <div class="result warn" role="status" data-testid="select-none">
                        <p class="result-title">{message}</p>
                        <p>{suggestion}</p>
                    </div>
                }.into_any(),
                other => view! { <p class="form-error" role="alert">{other.to_string()}</p> }.into_any(),
            })}
            {move || result().map(|s| view! {
                <div class="result ok" role="status" data-testid="select-result">
                    <p class="result-title">
                        "Use " <a href=format!("/accounts/{}", s.account.id)>{s.account.account_name.clone()}</a>
                        <span class="muted">{format!(" · {}", crate::ui::components::status::credits(s.account.credits_available))}</span>
                    </p>
                    <p class="muted" data-testid="select-reason">{s.reason.clone()}</p>
                </div>
            })}
        </section>
    }
}
