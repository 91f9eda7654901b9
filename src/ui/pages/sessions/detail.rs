//! `/sessions/{id}`: one session's page, its header and notices around the panels.

use super::actions::{ActionBar, CompleteConfirm};
use super::checkpoints::CheckpointsPanel;
use super::conversation::ConversationPanel;
use super::work::WorkPanel;
use super::SessionActions;
use crate::api::session::{get_session, SessionView};
use crate::domain::session::SessionStatus;
use crate::ui::components::briefing::BriefingBox;
use crate::ui::components::layout::Loaded;
use crate::ui::components::status::figure;
use crate::ui::components::time::{Show, When};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn SessionPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let actions = SessionActions {
        import: ServerAction::new(),
        update: ServerAction::new(),
        checkpoint: ServerAction::new(),
        restore: ServerAction::new(),
        turn: ServerAction::new(),
        complete: ServerAction::new(),
        rotate: ServerAction::new(),
    };
    let view_res = Resource::new(
        move || {
            (
                params.with(|p| p.get("id").unwrap_or_default()),
                query.with(|q| (q.get("page"), q.get("q"), q.get("open"))),
                (
                    actions.update.version().get(),
                    actions.checkpoint.version().get(),
                    actions.restore.version().get(),
                    actions.turn.version().get(),
                    actions.complete.version().get(),
                    actions.import.version().get(),
                ),
            )
        },
        |(id, (page, q, open), _)| get_session(id, page, q, open),
    );
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/sessions">"Sessions"</a></nav>
        <Loaded
            resource=view_res
            show=move |v| view! { <SessionDetailView v actions/> }
            missing="Session not found"
        />
    }
}

/// A session's page: title and meta line, the action bar, notices, the Work, Conversation
/// and Checkpoints panels, and the briefing it handed off.
#[component]
fn SessionDetailView(v: SessionView, actions: SessionActions) -> impl IntoView {
    let query = use_query_map();
    let s = v.detail.session.clone();
    let running = s.status == SessionStatus::InProgress;
    let now = v.now;
    let title = format!("{} · session {}", v.project_name, s.session_number);
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    // what the suggestions search for: objectives and blockers, as typed in the Work panel
    let asked = RwSignal::new(format!("{}\n{}", text(&s.objectives), text(&s.blockers)));
    let sid = s.id.0;
    let save_offer = (!running && (s.accomplishments.is_some() || s.blockers.is_some()))
        .then(|| (s.accomplishments.clone(), s.blockers.clone()));
    let confirming = {
        let v = v.clone();
        move || {
            (running && query.with(|q| q.get("confirm").as_deref() == Some("complete")))
                .then(|| view! { <CompleteConfirm v=v.clone() actions/> })
        }
    };
    // a session that has just started on a briefing shows it first, open
    let fresh = running && v.turns.total == 0 && v.turns.query.is_empty();
    view! {
        <Title text=title.clone()/>
        <div class="page-head">
            <div class="title-block">
                <h1 data-testid="session-title">{title}</h1>
                <p class="objective">{s.objectives.clone().unwrap_or_else(|| "No objective written yet.".into())}</p>
                <div class="meta-line">
                    <span class="muted">
                        {format!("{} · on {} · started ", s.session_type.as_str(), v.account_name)}<When at=s.started_at now/>
                        {s.duration_minutes.map(|d| format!(" · {}", crate::domain::time::minutes_in_words(d)))}
                        {(v.usage.calls > 0).then(|| format!(
                            " · {} AI call{} · {} tokens · ${:.4}",
                            v.usage.calls,
                            if v.usage.calls == 1 { "" } else { "s" },
                            figure(v.usage.input_tokens + v.usage.output_tokens),
                            crate::domain::ledger::usd(v.usage.cost_micros),
                        ))}
                    </span>
                </div>
            </div>
        </div>
        <ActionBar v=v.clone() actions/>
        {confirming}
        {v.warning.clone().map(|w| {
            let href = format!("/handoff?session_id={}", s.id);
            view! {
                <section class="panel notice warn" role="status" data-testid="runs-out">
                    <p>
                        <strong>{format!("{} runs out ", w.account_name)}<When at=w.runs_out_at now show=Show::Until/></strong>
                        " (around "<When at=w.runs_out_at now show=Show::Clock/>
                        {format!(
                            ", {} credit{} left) at this pace — before this session is likely to end.",
                            figure(w.credits_left),
                            if w.credits_left == 1 { "" } else { "s" },
                        )}
                    </p>
                    <p class="notice-actions">
                        <a class="btn" href=href>"Preview the briefing"</a>
                    </p>
                </section>
            }
        })}
        {v.previous_handoff.clone().map(|b| {
            let body = view! { <BriefingBox text=b file_name="previous-handoff.md".to_string()/> };
            if fresh {
                view! {
                    <section class="panel" aria-labelledby="prev-title" data-testid="previous-handoff">
                        <h2 id="prev-title">"Continue from this briefing"</h2>
                        <p class="muted">"Paste it as the first message of the new conversation."</p>
                        {body}
                    </section>
                }.into_any()
            } else {
                view! {
                    <details class="panel disclosure" data-testid="previous-handoff">
                        <summary>"Briefing this session continued from"</summary>
                        {body}
                    </details>
                }.into_any()
            }
        })}
        <div class="detail">
            <div class="detail-main">
                <WorkPanel session=s.clone() running actions asked/>
                <crate::ui::pages::knowledge::KnowledgeSuggestions text=asked.into() session_id=sid/>
                {save_offer.map(|(acc, blk)| view! {
                    <crate::ui::pages::knowledge::SaveToKnowledge session_id=sid accomplishments=acc blockers=blk/>
                })}
                <ConversationPanel session_id=s.id turns=v.turns.clone() running actions/>
            </div>
            <aside class="detail-side">
                <CheckpointsPanel session_id=s.id checkpoints=v.detail.checkpoints.clone() running now actions/>
            </aside>
        </div>
        {v.detail.handoffs.first().map(|h| view! {
            <section class="panel" aria-label="Handoff" data-testid="session-handoff">
                <h2>"Handoff briefing"</h2>
                <BriefingBox text=h.compressed_context.clone() file_name=format!("session-{}-handoff.md", s.id)/>
            </section>
        })}
    }
    .into_any()
}
