//! A project's latest sessions, shown on the project's page.

use super::SessionStatusBadge;
use crate::api::session::project_timeline;
use crate::ui::components::status::figure;
use crate::ui::components::time::When;
use leptos::prelude::*;

/// A project's latest sessions, newest first, for its page: objective first, the rest on
/// one line; the sessions page lists them all.
#[component]
pub fn ProjectTimeline(project_id: String) -> impl IntoView {
    let all = format!("/sessions?project_id={project_id}");
    let timeline = Resource::new(move || project_id.clone(), project_timeline);
    view! {
        <Transition fallback=|| ()>
            {move || {
                let all = all.clone();
                Suspend::new(async move {
                let Ok((entries, total, now)) = timeline.await else { return None };
                let shown = entries.len() as i64;
                Some(view! {
                    <section class="panel" aria-labelledby="timeline-title" data-testid="project-timeline">
                        <h2 id="timeline-title">"Sessions"</h2>
                        {if entries.is_empty() {
                            view! { <p class="muted">"No sessions yet. " <a class="write-only" href="/sessions">"Start one"</a></p> }.into_any()
                        } else {
                            view! {
                                <ul class="timeline">
                                    {entries.into_iter().map(|e| view! {
                                        <li>
                                            <a class="row-title" href=format!("/sessions/{}", e.id)>
                                                {e.objectives.clone().unwrap_or_else(|| format!("Session {}", e.session_number))}
                                            </a>
                                            <div class="timeline-head">
                                                <span class="muted">{format!("#{}", e.session_number)}</span>
                                                <SessionStatusBadge status=e.status/>
                                                <span class="nowrap-name">{format!("{} credit{} · {}", figure(e.credits_used), if e.credits_used == 1 { "" } else { "s" }, e.account_name)}</span>
                                                {e.has_handoff.then(|| view! { <span class="muted">"· handoff"</span> })}
                                                <When at=e.started_at now=now class="muted"/>
                                            </div>
                                        </li>
                                    }).collect_view()}
                                </ul>
                                {(total > shown).then(|| view! {
                                    <p class="small"><a href=all.clone()>{format!("All {} sessions →", figure(total))}</a></p>
                                })}
                            }.into_any()
                        }}
                    </section>
                })
            })}}
        </Transition>
    }
}
