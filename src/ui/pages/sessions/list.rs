//! `/sessions`: the filters, one page of the session list, and the form that starts one.

use super::start::StartForm;
use super::{enc, SessionStatusBadge};
use crate::api::session::{list_sessions, start_options, SessionListing, StartSession};
use crate::domain::session::SessionType;
use crate::ui::components::layout::Loaded;
use crate::ui::components::status::figure;
use crate::ui::components::time::When;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

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
                <Loaded
                    resource=listing
                    show=move |l| view! { <SessionList listing=l/> }
                    loading="Loading sessions…"
                    padded=true
                />
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
