//! The panel that imports many accounts pasted as CSV or JSON lines, and its report.

use crate::api::account::ImportAccounts;
use crate::ui::components::forms::{last_error, FieldError, FormError};
use leptos::prelude::*;

#[component]
pub(super) fn ImportPanel(action: ServerAction<ImportAccounts>) -> impl IntoView {
    let error = last_error(action.value());
    let report = move || action.value().get().and_then(|r| r.ok());
    view! {
        <section class="panel write-only" aria-labelledby="import-title">
            <h2 id="import-title">"Import many"</h2>
            <ActionForm action attr:class="form" attr:id="import-form">
                <div class="field">
                    <label for="import-text">"CSV with a header row, or JSON lines"</label>
                    <textarea id="import-text" name="text" rows="5" class="mono" required
                        placeholder="account_name,platform,credits,capacity,reset,reset_hours\nClaude-1,claude,80,100,rolling,5"></textarea>
                    <FieldError error field="text" id="import-text-error"/>
                </div>
                <label class="check">
                    <input type="checkbox" name="atomic" value="true"/>
                    " All or nothing (create none if any row is wrong)"
                </label>
                <FormError error fields=&["text"]/>
                <button type="submit" class="btn">"Import"</button>
            </ActionForm>
            {move || report().map(|r| {
                let n = r.created.len();
                let summary = if r.atomic && !r.errors.is_empty() {
                    format!("Nothing imported: {} row(s) need fixing.", r.errors.len())
                } else {
                    format!("Imported {n} account{}.", if n == 1 { "" } else { "s" })
                };
                view! {
                    <div class=if r.errors.is_empty() { "result ok" } else { "result warn" } role="status" data-testid="import-report">
                        <p class="result-title">{summary}</p>
                        {(!r.errors.is_empty()).then(|| view! {
                            <ul class="row-errors">
                                {r.errors.iter().map(|e| view! {
                                    <li>{format!("Line {}: {}: {}", e.row, e.field, e.error)}</li>
                                }).collect_view()}
                            </ul>
                        })}
                    </div>
                }
            })}
        </section>
    }
}
