//! `/sessions`: the session list and the form that starts one; `/sessions/{id}`: one
//! session — its fields, checkpoints, conversation and completion; and the project
//! timeline shown on a project's page.

use crate::api::session::{
    get_session, list_sessions, project_timeline, start_options, AddTurn, CompleteSession,
    ImportConversation, RestoreCheckpoint, RotateSession, SaveCheckpoint, SessionListing,
    SessionView, StartSession, UpdateSession,
};
use crate::domain::session::{SessionStatus, SessionType};
use crate::ui::components::briefing::BriefingBox;
use crate::ui::components::forms::{last_error, textarea_text, FieldError, FormError};
use crate::ui::components::layout::ErrorPanel;
use crate::ui::components::status::figure;
use crate::ui::components::time::{when_text, Show, When};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

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

#[component]
pub fn SessionsPage() -> impl IntoView {
    let start = ServerAction::<StartSession>::new();
    let query = use_query_map();
    let live = crate::ui::components::layout::use_live();
    let listing = Resource::new(
        move || {
            let q = query.with(|q| {
                (
                    q.get("project_id"),
                    q.get("account_id"),
                    q.get("status"),
                    q.get("session_type"),
                    q.get("page"),
                )
            });
            (q, live.get())
        },
        |((p, a, s, t, page), _)| list_sessions(p, a, s, t, page),
    );
    let choices = Resource::new(|| (), |_| start_options());
    view! {
        <Title text="Sessions"/>
        <div class="page-head">
            <div>
                <h1>"Sessions"</h1>
                <p class="muted">"Every stretch of work, on every account."</p>
            </div>
        </div>
        <div class="split">
            <section class="panel list-panel" aria-label="Session list">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        choices.await.ok().map(|c| view! { <SessionFilters choices=c/> })
                    })}
                </Transition>
                <Transition fallback=|| view! { <p class="muted pad">"Loading sessions…"</p> }>
                    {move || Suspend::new(async move {
                        match listing.await {
                            Ok(l) => view! { <SessionList listing=l/> }.into_any(),
                            Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <StartForm action=start choices/>
        </div>
    }
}

#[component]
fn SessionList(listing: SessionListing) -> impl IntoView {
    let SessionListing { page, now } = listing;
    if page.items.is_empty() {
        return view! {
            <div class="first-run" data-testid="sessions-empty">
                <h3>"No sessions yet"</h3>
                <p>"Start one with the form: pick the project and the account you work on, and say what this session is for."</p>
            </div>
        }
        .into_any();
    }
    let summary = format!(
        "Page {} of {} · {} session{}",
        page.page,
        page.total_pages(),
        page.total,
        if page.total == 1 { "" } else { "s" }
    );
    let query = use_query_map();
    let link = move |n: u32| {
        query.with_untracked(|q| {
            let mut parts: Vec<String> = ["project_id", "account_id", "status", "session_type"]
                .iter()
                .filter_map(|k| {
                    q.get(k)
                        .filter(|v| !v.is_empty())
                        .map(|v| format!("{k}={v}"))
                })
                .collect();
            parts.push(format!("page={n}"));
            format!("/sessions?{}", parts.join("&"))
        })
    };
    let prev = page.has_prev().then(|| link(page.page - 1));
    let next = page.has_next().then(|| link(page.page + 1));
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Sessions">
            <table class="table stack inline-meta" data-testid="session-list">
                <thead>
                    <tr>
                        <th scope="col">"Session"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="num">"Credits"</th>
                        <th scope="col">"Account"</th>
                        <th scope="col">"Started"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.items.into_iter().map(|r| {
                        let s = r.session;
                        let what = s
                            .objectives
                            .as_deref()
                            .map(str::trim)
                            .filter(|o| !o.is_empty())
                            .map(|o| o.lines().next().unwrap_or(o).to_string())
                            .unwrap_or_else(|| format!("{} session", s.session_type.as_str()));
                        view! {
                            <tr data-testid="session-row">
                                <td class="cell-title">
                                    <a class="row-title" href=format!("/sessions/{}", s.id)>{what}</a>
                                    <div class="row-sub muted">{format!("{} · #{}", r.project_name, s.session_number)}</div>
                                </td>
                                <td data-label="Status"><SessionStatusBadge status=s.status/></td>
                                <td class="num credits-cell" data-label="Credits">{figure(s.credits_used)}</td>
                                <td data-label="Account"><span class="nowrap-name">{r.account_name}</span></td>
                                <td class="muted nowrap" data-label="Started">
                                    <When at=s.started_at now=now/>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages">
            {prev.map(|h| view! { <a rel="prev" href=h>"← Previous"</a> })}
            <span class="muted">{summary}</span>
            {next.map(|h| view! { <a rel="next" href=h>"Next →"</a> })}
        </nav>
    }
    .into_any()
}

#[component]
fn SessionFilters(choices: crate::api::session::SessionChoices) -> impl IntoView {
    let query = use_query_map();
    let current = move |k: &'static str| query.with_untracked(|q| q.get(k).unwrap_or_default());
    let (p, a, st, t) = (
        current("project_id"),
        current("account_id"),
        current("status"),
        current("session_type"),
    );
    // with JavaScript a filter applies as it changes; without, the Filter button submits
    let hydrated = crate::ui::components::layout::use_hydrated();
    let navigate = leptos_router::hooks::use_navigate();
    let apply = move |key: &'static str, value: String| {
        let parts: Vec<String> = query.with_untracked(|q| {
            ["project_id", "account_id", "status", "session_type"]
                .into_iter()
                .filter_map(|k| {
                    let v = if k == key {
                        value.clone()
                    } else {
                        q.get(k).unwrap_or_default()
                    };
                    (!v.is_empty()).then(|| format!("{k}={}", enc(&v)))
                })
                .collect()
        });
        navigate(
            &format!("/sessions?{}", parts.join("&")),
            Default::default(),
        );
    };
    let on = move |key: &'static str| {
        let apply = apply.clone();
        move |ev: leptos::ev::Event| apply(key, event_target_value(&ev))
    };
    view! {
        <form method="get" action="/sessions" class="toolbar search" aria-label="Filter sessions" data-testid="session-filters">
            <label class="sr-only" for="f-project">"Project"</label>
            <select id="f-project" name="project_id" on:change=on("project_id")>
                <option value="">"All projects"</option>
                {choices.projects.into_iter().map(|(id, name)| {
                    let sel = id.to_string() == p;
                    view! { <option value=id.to_string() selected=sel>{name}</option> }
                }).collect_view()}
            </select>
            <label class="sr-only" for="f-account">"Account"</label>
            <select id="f-account" name="account_id" on:change=on("account_id")>
                <option value="">"All accounts"</option>
                {choices.accounts.into_iter().map(|o| {
                    let sel = o.id.to_string() == a;
                    view! { <option value=o.id.to_string() selected=sel>{o.name}</option> }
                }).collect_view()}
            </select>
            <label class="sr-only" for="f-status">"Status"</label>
            <select id="f-status" name="status" on:change=on("status")>
                {[("", "Any status"), ("in_progress", "In progress"), ("completed", "Completed"), ("failed", "Failed"), ("handed_off", "Handed off")]
                    .map(|(v, l)| view! { <option value=v selected=v == st>{l}</option> }).collect_view()}
            </select>
            <label class="sr-only" for="f-type">"Type"</label>
            <select id="f-type" name="session_type" on:change=on("session_type")>
                <option value="">"Any type"</option>
                {SessionType::ALL.map(|ty| view! { <option value=ty.as_str() selected=ty.as_str() == t>{ty.as_str()}</option> }).collect_view()}
            </select>
            {move || (!hydrated.get()).then(|| view! { <button type="submit" class="btn small">"Filter"</button> })}
        </form>
    }
}

#[component]
fn StartForm(
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
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match view_res.await {
                    Ok(v) => view! { <SessionDetailView v actions/> }.into_any(),
                    Err(e) => {
                        crate::ui::components::layout::set_http_status(&e);
                        view! { <Title text="Session not found"/><ErrorPanel error=e/> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Summary and the actions of a session, first on its page: state, account, credits, and
/// Rotate / Complete / Import while it runs.
#[component]
fn ActionBar(v: SessionView, actions: SessionActions) -> impl IntoView {
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
fn CompleteConfirm(v: SessionView, actions: SessionActions) -> impl IntoView {
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

#[component]
fn SessionDetailView(v: SessionView, actions: SessionActions) -> impl IntoView {
    let query = use_query_map();
    let upload_note = query.with_untracked(|q| (q.get("imported"), q.get("import_error")));
    let s = v.detail.session.clone();
    let id = s.id.to_string();
    let running = s.status == SessionStatus::InProgress;
    let update_error = last_error(actions.update.value());
    let turn_error = last_error(actions.turn.value());
    let restore_error = last_error(actions.restore.value());
    let import_error = last_error(actions.import.value());
    let import_done = move || actions.import.value().get().and_then(|r| r.ok());
    let now = v.now;
    let title = format!("{} · session {}", v.project_name, s.session_number);
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    // what the suggestions search for: objectives and blockers, as typed (debounced)
    let typed = RwSignal::new((text(&s.objectives), text(&s.blockers)));
    let asked = RwSignal::new(format!("{}\n{}", text(&s.objectives), text(&s.blockers)));
    let typing = StoredValue::new(0u64);
    let sid = s.id.0;
    let save_offer = (!running && (s.accomplishments.is_some() || s.blockers.is_some()))
        .then(|| (s.accomplishments.clone(), s.blockers.clone()));
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
    let confirming = {
        let v = v.clone();
        move || {
            (running && query.with(|q| q.get("confirm").as_deref() == Some("complete")))
                .then(|| view! { <CompleteConfirm v=v.clone() actions/> })
        }
    };
    // a session that has just started on a briefing shows it first, open
    let fresh = running && v.turns.total == 0 && v.turns.query.is_empty();
    let id_import = id.clone();
    let id_cp = id.clone();
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
                <section class="panel" aria-labelledby="work-title">
                    <h2 id="work-title">"Work"</h2>
                    {if running {
                        let id1 = id.clone();
                        view! {
                            <ActionForm action=actions.update attr:class="form">
                                <input type="hidden" name="id" value=id1/>
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
                <crate::ui::pages::knowledge::KnowledgeSuggestions text=asked.into() session_id=sid/>
                {save_offer.map(|(acc, blk)| view! {
                    <crate::ui::pages::knowledge::SaveToKnowledge session_id=sid accomplishments=acc blockers=blk/>
                })}
                <section class="panel" aria-labelledby="conv-title" id="conversation">
                    <h2 id="conv-title">"Conversation"</h2>
                    {match upload_note {
                        (Some(n), _) => Some(view! { <p class="form-ok" role="status" data-testid="upload-done">{format!("Imported {n} turns from the file.")}</p> }.into_any()),
                        (None, Some(e)) => Some(view! { <p class="form-error" role="alert" data-testid="upload-error">{e}</p> }.into_any()),
                        _ => None,
                    }}
                    <Conversation session_id=s.id.0 turns=v.turns.clone()/>
                    {running.then(|| {
                        let id2 = id.clone();
                        view! {
                        <details class="disclosure">
                            <summary>"Add a turn by hand"</summary>
                            <ActionForm action=actions.turn attr:class="form">
                                <input type="hidden" name="id" value=id2/>
                                <div class="field-row">
                                    <div class="field">
                                        <label for="t-role">"Role"</label>
                                        <select id="t-role" name="role">
                                            <option value="user">"user"</option>
                                            <option value="assistant">"assistant"</option>
                                            <option value="system">"system"</option>
                                        </select>
                                    </div>
                                    <div class="field">
                                        <label for="t-tokens">"Tokens"</label>
                                        <input id="t-tokens" name="tokens_used" type="number" min="0"/>
                                    </div>
                                </div>
                                <div class="field">
                                    <label for="t-content">"Message"</label>
                                    <textarea id="t-content" name="content" rows="2"></textarea>
                                    <FieldError error=turn_error field="content" id="t-content-error"/>
                                </div>
                                <FormError error=turn_error fields=&["content"]/>
                                <button type="submit" class="btn">"Add turn"</button>
                            </ActionForm>
                        </details>
                    }})}
                    <details class="disclosure import-log" id="import" open=move || import_error.get().is_some()>
                        <summary>"Import a conversation log"</summary>
                        <ActionForm action=actions.import attr:class="form">
                            <input type="hidden" name="id" value=id_import/>
                            <div class="field">
                                <label for="imp-format">"Format"</label>
                                <select id="imp-format" name="format">
                                    <option value="auto">"Detect"</option>
                                    <option value="chatgpt">"ChatGPT export (conversations.json)"</option>
                                    <option value="claude">"Claude.ai export (JSON)"</option>
                                    <option value="aider">"aider chat history (.md)"</option>
                                    <option value="specstory">"SpecStory markdown"</option>
                                    <option value="agent">"Claude Code, Codex or Gemini CLI log (JSONL)"</option>
                                    <option value="plain">"Plain text"</option>
                                </select>
                                <FieldError error=import_error field="format" id="imp-format-error"/>
                            </div>
                            <div class="field">
                                <label for="imp-text">"Paste the log"</label>
                                <textarea id="imp-text" name="text" rows="5" class="mono"></textarea>
                                <FieldError error=import_error field="text" id="imp-text-error"/>
                            </div>
                            <FormError error=import_error fields=&["format", "text"]/>
                            <button type="submit" class="btn">"Import"</button>
                        </ActionForm>
                        <form method="post" enctype="multipart/form-data" class="form upload-form"
                            action=format!("/upload/sessions/{}/import", s.id)>
                            <div class="field">
                                <label for="imp-file">"…or upload the file"</label>
                                <input id="imp-file" name="file" type="file" accept=".json,.jsonl,.md,.txt,text/*,application/json"/>
                            </div>
                            <input type="hidden" name="format" value="auto"/>
                            <button type="submit" class="btn">"Upload and import"</button>
                        </form>
                        {move || import_done().map(|o| view! {
                            <p class="form-ok" role="status" data-testid="import-done">
                                {format!("Imported {} turns ({}{})", o.imported, o.format.as_str(),
                                    o.title.map(|t| format!(": {t}")).unwrap_or_default())}
                            </p>
                        })}
                    </details>
                </section>
            </div>
            <aside class="detail-side">
                <section class="panel write-only" aria-labelledby="cp-title">
                    <h2 id="cp-title">"Checkpoints"</h2>
                    {running.then(|| {
                        let id4 = id.clone();
                        view! {
                        <ActionForm action=actions.checkpoint attr:class="form">
                            <input type="hidden" name="id" value=id4/>
                            <div class="field">
                                <label for="cp-note">"Note"</label>
                                <input id="cp-note" name="note" type="text" placeholder="e.g. before the refactor"/>
                            </div>
                            <button type="submit" class="btn">"Save checkpoint"</button>
                        </ActionForm>
                    }})}
                    <FormError error=restore_error fields=&[]/>
                    {v.detail.checkpoints.is_empty().then(|| view! { <p class="muted">"None yet."</p> })}
                    <ul class="timeline" data-testid="checkpoints">
                        {v.detail.checkpoints.clone().into_iter().map(move |c| {
                            let sid = id_cp.clone();
                            view! {
                                <li>
                                    <div class="timeline-head">
                                        <span>{c.context_summary.clone().unwrap_or_default()}</span>
                                        <When at=c.created_at now=now class="muted"/>
                                    </div>
                                    {running.then(|| view! {
                                        <ActionForm action=actions.restore>
                                            <input type="hidden" name="id" value=sid/>
                                            <input type="hidden" name="checkpoint" value=c.id.to_string()/>
                                            <button type="submit" class="btn small">"Restore"</button>
                                        </ActionForm>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
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

/// One page of the conversation: search, pager (the latest page first), each turn
/// rendered from markdown on the server; long turns, code and tool output folded.
#[component]
fn Conversation(session_id: i64, turns: crate::api::session::TurnPage) -> impl IntoView {
    let base = format!("/sessions/{session_id}");
    let q = turns.query.clone();
    let link = {
        let base = base.clone();
        let q = q.clone();
        move |page: u32| {
            if q.is_empty() {
                format!("{base}?page={page}#conversation")
            } else {
                format!("{base}?q={}&page={page}#conversation", enc(&q))
            }
        }
    };
    let pages = turns.pages();
    let page = turns.page;
    let summary = if turns.total == 0 {
        String::new()
    } else {
        let first = (page - 1) * turns.per_page + 1;
        let last = (first + turns.items.len() as u32).saturating_sub(1);
        format!(
            "{}–{} of {}{}",
            figure(i64::from(first)),
            figure(i64::from(last)),
            figure(i64::from(turns.total)),
            if q.is_empty() {
                " turns".to_string()
            } else {
                format!(" turns containing “{q}”")
            }
        )
    };
    let pager = (pages > 1).then(|| {
        let link = link.clone();
        view! {
            <nav class="pager" aria-label="Conversation pages">
                {(page > 1).then(|| view! { <a href=link(1)>"First"</a> <a rel="prev" href=link(page - 1)>"← Earlier"</a> })}
                <span class="muted">{format!("Page {page} of {pages}")}</span>
                {(page < pages).then(|| view! { <a rel="next" href=link(page + 1)>"Later →"</a> <a href=link(pages)>"Latest"</a> })}
            </nav>
        }
    });
    let has_turns = !turns.items.is_empty();
    // nothing to search in a conversation without turns
    let searchable = turns.total > 0 || !q.is_empty();
    view! {
        {searchable.then(|| view! {
            <form method="get" action=base.clone() class="toolbar search" role="search" aria-label="Search the conversation">
                <label class="sr-only" for="conv-q">"Search the conversation"</label>
                <input id="conv-q" type="search" name="q" value=q.clone() placeholder="Search the conversation"/>
                <button type="submit" class="btn small">"Search"</button>
                {(!q.is_empty()).then(|| view! { <a class="btn small" href=format!("{base}#conversation")>"Clear"</a> })}
                <span class="muted small" data-testid="turn-summary">{summary}</span>
            </form>
        })}
        {if has_turns {
            view! {
                <ol class="turns" data-testid="turns">
                    {turns.items.into_iter().map(|t| {
                        let role = t.role.clone();
                        let head = view! {
                            <span class="turn-role">{role.clone()}</span>
                            <span class="turn-no muted">{format!("#{}", t.turn_number)}</span>
                        };
                        let more = t.cut.then(|| {
                            let href = if q.is_empty() {
                                format!("{base}?page={page}&open={}#turn-{}", t.turn_number, t.turn_number)
                            } else {
                                format!("{base}?q={}&page={page}&open={}#turn-{}", enc(&q), t.turn_number, t.turn_number)
                            };
                            view! { <a class="small" href=href>{format!("Show all {} characters", figure(t.chars as i64))}</a> }
                        });
                        let body = view! { <div class="prose md" inner_html=t.html.clone()></div> {more} };
                        view! {
                            <li class=format!("turn turn-{role}") id=format!("turn-{}", t.turn_number) data-testid="turn">
                                {if t.folded {
                                    view! {
                                        <details class="turn-fold">
                                            <summary>{head}<span class="turn-preview">{t.preview.clone()}</span></summary>
                                            {body}
                                        </details>
                                    }.into_any()
                                } else {
                                    view! { <div class="turn-head">{head}</div> {body} }.into_any()
                                }}
                            </li>
                        }
                    }).collect_view()}
                </ol>
                {pager}
            }.into_any()
        } else if q.is_empty() {
            view! { <p class="muted">"No turns recorded. Import the log your AI tool wrote, or add turns by hand."</p> }.into_any()
        } else {
            view! { <p class="muted" data-testid="turn-none">{format!("No turn contains “{q}”.")}</p> }.into_any()
        }}
    }
}

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
