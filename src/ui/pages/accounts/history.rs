//! A table of account switches, shown on an account's page and on a project's page.

use crate::domain::account::AccountSwitch;
use crate::domain::time::Timestamp;
use crate::ui::components::time::When;
use leptos::prelude::*;

/// A table of account switches, newest first.
#[component]
pub fn SwitchHistory(
    switches: Vec<AccountSwitch>,
    now: Timestamp,
    title: &'static str,
) -> impl IntoView {
    view! {
        <section class="panel" aria-label=title data-testid="switch-history">
            <h2>{title}</h2>
            {if switches.is_empty() {
                view! { <p class="muted">"No switches yet. Picking, rotating or switching accounts records them here."</p> }.into_any()
            } else {
                view! {
                    <ul class="timeline">
                        {switches.into_iter().map(|s| {
                            let from = s.from_account_name.clone().unwrap_or_else(|| "—".into());
                            let to = s.to_account_name.clone().unwrap_or_else(|| "—".into());
                            view! {
                                <li data-testid="switch">
                                    <div class="timeline-head">
                                        <span class="kind">{s.kind.label()}</span>
                                        <span>{from} " → " <strong>{to}</strong></span>
                                        {s.project_name.clone().map(|p| view! { <span class="muted">{format!("· {p}")}</span> })}
                                        <When at=s.created_at now=now class="muted"/>
                                    </div>
                                    <p class="muted reason">{s.reason.clone()}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
