//! `/`: the four headline figures, the project list with its filters, and the form that
//! creates a project.

use crate::api::project::{list_projects, CreateProject, ProjectListing, RestoreProject};
use crate::api::stats::get_stats;
use crate::domain::project::{
    ProjectQuery, ProjectQueryInput, ProjectSort, ProjectStatus, StatusFilter,
};
use crate::domain::stats::DashboardStats;
use crate::ui::components::forms::{last_error, FieldError, FormError};
use crate::ui::components::layout::{ErrorPanel, Loaded};
use crate::ui::components::status::{figure, StatusBadge};
use crate::ui::components::time::When;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn Dashboard() -> impl IntoView {
    let create = ServerAction::<CreateProject>::new();
    let restore = ServerAction::<RestoreProject>::new();
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        query_map.with(|q| {
            ProjectQuery::parse_lenient(&ProjectQueryInput {
                status: q.get("status"),
                sort: q.get("sort"),
                page: q.get("page"),
            })
        })
    });
    let live = crate::ui::components::layout::use_live();
    let alerts = Resource::new(move || live.get(), |_| crate::api::analytics::get_alerts());
    let stats = Resource::new(
        move || (create.version().get(), restore.version().get(), live.get()),
        |_| get_stats(),
    );
    let now_usage = Resource::new(move || live.get(), |_| crate::api::capture::live_usage());
    let listing = Resource::new(
        move || {
            (
                query.get(),
                create.version().get(),
                restore.version().get(),
                live.get(),
            )
        },
        |(q, _, _, _)| {
            list_projects(
                Some(q.status.as_str().to_owned()),
                Some(q.sort.as_str().to_owned()),
                Some(q.page.to_string()),
            )
        },
    );

    view! {
        <Title text="Projects"/>
        <div class="page-head">
            <div>
                <h1>"Projects"</h1>
                <p class="muted">"Sessions, credits and handoffs of every piece of work."</p>
            </div>
            <div class="head-actions">
                <a class="btn write-only" href="/import" data-testid="import-link">"Import"</a>
                <a class="btn primary show-narrow write-only" href="#project-name">"New project"</a>
            </div>
        </div>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                alerts.await.ok().filter(|(a, _)| a.total > 0).map(|(summary, now)| view! {
                    <crate::ui::pages::analytics::AlertLine summary now/>
                })
            })}
        </Transition>
        <Transition fallback=|| view! { <div class="stats placeholder" aria-hidden="true"></div> }>
            {move || Suspend::new(async move {
                match stats.await {
                    Ok(s) => view! { <StatCards stats=s/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                now_usage.await.ok().filter(|l| !l.sessions.is_empty() || !l.accounts.is_empty())
                    .map(|l| view! { <LivePanel live=l/> })
            })}
        </Transition>
        <div class="split">
            <section class="panel list-panel" aria-labelledby="list-title">
                <h2 id="list-title" class="sr-only">"Project list"</h2>
                <FilterBar query/>
                <Loaded
                    resource=listing
                    show=move |l| view! { <ProjectList listing=l restore/> }
                    loading="Loading projects…"
                    padded=true
                />
            </section>
            <NewProjectForm action=create/>
        </div>
    }
}

/// Captured work as it happens: sessions of the last day with their usage, and the
/// windows of the accounts capture feeds.
#[component]
fn LivePanel(live: crate::domain::capture::window::Live) -> impl IntoView {
    use crate::domain::capture::window::{dollars, tokens_short};
    let now = live.now;
    let ago = move |t: crate::domain::time::Timestamp| now.map(|n| t.ago(n)).unwrap_or_default();
    let sessions = live
        .sessions
        .into_iter()
        .map(|s| {
            let cost = if s.unpriced_calls > 0 {
                format!("{} + {} unpriced", dollars(s.cost_micros), s.unpriced_calls)
            } else {
                dollars(s.cost_micros)
            };
            let title = s
                .objective
                .clone()
                .unwrap_or_else(|| format!("Session {}", s.session_number));
            view! {
                <li class="live-row" data-testid="live-session" data-session=s.session_id.to_string()>
                    <a class="live-title" href=format!("/sessions/{}", s.session_id)>{title}</a>
                    <span class="muted live-meta">
                        {format!("{} · #{} · {}", s.project_name, s.session_number, s.account_name)}
                    </span>
                    <span class="live-figures">
                        <span data-testid="live-tokens">{format!("{} tokens", tokens_short(s.tokens))}</span>
                        <span data-testid="live-cost">{cost}</span>
                        <span class="muted">{if s.turns == 1 { "1 turn".to_string() } else { format!("{} turns", s.turns) }}</span>
                        <time class="muted" datetime=s.last_at.to_rfc3339()>{ago(s.last_at)}</time>
                    </span>
                </li>
            }
        })
        .collect_view();
    let accounts = live
        .accounts
        .into_iter()
        .map(|a| {
            let vendor = a
                .vendor
                .iter()
                .map(|w| {
                    let span = if w.window_minutes >= 24 * 60 {
                        "week".to_string()
                    } else {
                        format!("{} h", (w.window_minutes + 30) / 60)
                    };
                    let resets = w
                        .resets_at
                        .zip(now)
                        .map(|(r, n)| format!(", resets {}", r.until(n)))
                        .unwrap_or_default();
                    format!("{span} window {:.0} % used{resets} (reported by the tool)", w.used_percent)
                })
                .collect::<Vec<_>>();
            let computed = a.window.map(|w| {
                let rel = |t: crate::domain::time::Timestamp, f: fn(crate::domain::time::Timestamp, crate::domain::time::Timestamp) -> String| {
                    now.map(|n| f(t, n)).unwrap_or_default()
                };
                let mut s = format!(
                    "5 h block (started {}): {} tokens, {}, {} tokens/min; about {} when it ends {}",
                    rel(w.block.start, crate::domain::time::Timestamp::ago),
                    tokens_short(w.block.tokens),
                    dollars(w.block.cost_micros),
                    tokens_short(w.tokens_per_minute.round() as u64),
                    tokens_short(w.projected_tokens),
                    rel(w.block.end, crate::domain::time::Timestamp::until),
                );
                if let (Some(out), Some(limit)) = (w.runs_out_at, w.largest_before) {
                    s.push_str(&format!(
                        "; passes the largest earlier block ({}) {}",
                        tokens_short(limit),
                        rel(out, crate::domain::time::Timestamp::until)
                    ));
                }
                s
            });
            view! {
                <li class="live-row" data-testid="live-account">
                    <a class="live-title" href=format!("/accounts/{}", a.account_id)>{a.account_name}</a>
                    {vendor.into_iter().map(|v| view! { <span class="live-meta">{v}</span> }).collect_view()}
                    {computed.map(|c| view! { <span class="live-meta muted">{c}</span> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel live" aria-labelledby="live-title" data-testid="live">
            <h2 id="live-title">"Captured now"</h2>
            <ul class="live-list">{sessions}{accounts}</ul>
        </section>
    }
}

#[component]
fn StatCards(stats: DashboardStats) -> impl IntoView {
    let cards = [
        ("Active projects", stats.active_projects, "active-projects"),
        ("Active accounts", stats.active_accounts, "active-accounts"),
        (
            "Credits of finished sessions",
            stats.total_credits,
            "total-credits",
        ),
        ("Sessions finished", stats.total_sessions, "total-sessions"),
    ];
    view! {
        <dl class="stats" data-testid="stats">
            {cards
                .into_iter()
                .map(|(label, value, id)| {
                    view! {
                        <div class="stat" data-testid=id>
                            <dt>{label}</dt>
                            <dd>{figure(value)}</dd>
                        </div>
                    }
                })
                .collect_view()}
        </dl>
    }
}

fn filter_link(query: ProjectQuery, status: StatusFilter) -> String {
    let q = ProjectQuery {
        status,
        page: 1,
        ..query
    };
    format!("/{}", q.to_query_string())
}

fn sort_link(query: ProjectQuery, sort: ProjectSort) -> String {
    let q = ProjectQuery {
        sort,
        page: 1,
        ..query
    };
    format!("/{}", q.to_query_string())
}

#[component]
fn FilterBar(query: Memo<ProjectQuery>) -> impl IntoView {
    let mut filters = vec![(StatusFilter::All, "All")];
    filters.extend(
        ProjectStatus::ALL
            .iter()
            .map(|&s| (StatusFilter::Only(s), s.label())),
    );
    filters.push((StatusFilter::Deleted, "Trash"));
    view! {
        <div class="toolbar">
            <nav class="tabs" aria-label="Filter by status">
                {filters
                    .into_iter()
                    .map(|(f, label)| {
                        view! {
                            <a
                                href=move || filter_link(query.get(), f)
                                aria-current=move || (query.get().status == f).then_some("page")
                                data-filter=f.as_str()
                            >
                                {label}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            <nav class="sort" aria-label="Sort">
                <span class="muted">"Sort"</span>
                {ProjectSort::ALL
                    .into_iter()
                    .map(|s| {
                        view! {
                            <a
                                href=move || sort_link(query.get(), s)
                                aria-current=move || (query.get().sort == s).then_some("true")
                                data-sort=s.as_str()
                            >
                                {s.label()}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
        </div>
    }
}

#[component]
fn ProjectList(listing: ProjectListing, restore: ServerAction<RestoreProject>) -> impl IntoView {
    let ProjectListing { page, query, now } = listing;
    if page.items.is_empty() {
        return match query.status {
            StatusFilter::All if page.total == 0 => view! { <FirstRun/> }.into_any(),
            StatusFilter::Deleted => view! {
                <div class="empty" data-testid="empty">
                    <p>"The trash is empty."</p>
                    <p class="muted">"Deleted projects wait here until you restore them."</p>
                </div>
            }
            .into_any(),
            StatusFilter::Only(s) => view! {
                <div class="empty" data-testid="empty">
                    <p>{format!("No {} projects.", s.as_str())}</p>
                    <a href="/">"Show all projects"</a>
                </div>
            }
            .into_any(),
            StatusFilter::All => view! {
                <div class="empty" data-testid="empty">
                    <p>"No projects on this page."</p>
                    <a href="/">"Back to the first page"</a>
                </div>
            }
            .into_any(),
        };
    }
    let trash = query.status == StatusFilter::Deleted;
    let restore_error = last_error(restore.value());
    let prev = (page.has_prev()).then(|| ProjectQuery {
        page: page.page - 1,
        ..query
    });
    let next = (page.has_next()).then(|| ProjectQuery {
        page: page.page + 1,
        ..query
    });
    let summary = format!(
        "Page {} of {} · {} project{}",
        page.page,
        page.total_pages(),
        page.total,
        if page.total == 1 { "" } else { "s" }
    );
    let rows = page
        .items
        .into_iter()
        .map(|p| {
            let href = format!("/projects/{}", p.id);
            let updated = p.updated_at;
            let id = p.id.to_string();
            view! {
                <tr data-testid="project-row" data-project-id=p.id.0>
                    <td class="cell-title">
                        <a class="row-title" href=href>{p.name.clone()}</a>
                        {p.description.map(|d| view! { <div class="row-sub">{d}</div> })}
                    </td>
                    <td><StatusBadge status=p.status/></td>
                    <td class="num">{figure(p.total_credits_used)}</td>
                    <td class="num hide-sm">{figure(p.total_sessions)}</td>
                    <td class="hide-sm muted nowrap">
                        <When at=updated now/>
                    </td>
                    {trash.then(|| view! {
                        <td class="actions">
                            <ActionForm action=restore>
                                <input type="hidden" name="id" value=id/>
                                <button type="submit" class="btn small">"Restore"</button>
                            </ActionForm>
                        </td>
                    })}
                </tr>
            }
        })
        .collect_view();
    view! {
        <FormError error=restore_error fields=&[]/>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Projects">
            <table class="table" id="project-list" data-testid="project-list">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="num" title="Credits of finished sessions">"Credits"</th>
                        <th scope="col" class="num hide-sm" title="Sessions finished">"Sessions"</th>
                        <th scope="col" class="hide-sm">"Updated"</th>
                        {trash.then(|| view! { <th scope="col"><span class="sr-only">"Actions"</span></th> })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages">
            {prev.map(|q| view! { <a rel="prev" href=format!("/{}", q.to_query_string())>"← Previous"</a> })}
            <span class="muted" data-testid="pager-summary">{summary}</span>
            {next.map(|q| view! { <a rel="next" href=format!("/{}", q.to_query_string())>"Next →"</a> })}
        </nav>
    }
    .into_any()
}

#[component]
fn FirstRun() -> impl IntoView {
    view! {
        <div class="first-run" data-testid="first-run">
            <h3>"Start with your first project"</h3>
            <p>
                "A project is one piece of work you build with AI assistants. It keeps the "
                "sessions, handoff briefings and tracked files of that work, and adds up the "
                "credits its sessions use."
            </p>
            <ol class="steps">
                <li>
                    <a href="#project-name">"Name a project"</a>
                    " in the form — a name is enough; a description helps every later briefing."
                </li>
                <li>"Open it to edit it, change its status, or move it to the trash."</li>
            </ol>
        </div>
    }
}

#[component]
fn NewProjectForm(action: ServerAction<CreateProject>) -> impl IntoView {
    let error = last_error(action.value());
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let created = move || action.value().get().and_then(|r| r.ok());
    Effect::new(move |_| {
        if created().is_some() {
            if let Some(form) = form_ref.get() {
                form.reset();
            }
        }
    });
    let invalid = move |field: &'static str| {
        move || {
            error
                .get()
                .and_then(|e| e.message_for(field))
                .is_some()
                .then_some("true")
        }
    };
    view! {
        <section class="panel form-panel write-only" aria-labelledby="new-project-title">
            <h2 id="new-project-title">"New project"</h2>
            <ActionForm action node_ref=form_ref attr:id="new-project-form" attr:class="form">
                <div class="field">
                    <label for="project-name">"Name"</label>
                    <input
                        id="project-name"
                        name="name"
                        type="text"
                        required
                        maxlength="120"
                        autocomplete="off"
                        placeholder="e.g. Billing service rewrite"
                        aria-invalid=invalid("name")
                        aria-describedby="project-name-error"
                    />
                    <FieldError error field="name" id="project-name-error"/>
                </div>
                <div class="field">
                    <label for="project-description">
                        "Description " <span class="muted">"(optional)"</span>
                    </label>
                    <textarea
                        id="project-description"
                        name="description"
                        rows="3"
                        maxlength="10000"
                        placeholder="What it is, the stack, what done looks like"
                        aria-invalid=invalid("description")
                        aria-describedby="project-description-error"
                    ></textarea>
                    <FieldError error field="description" id="project-description-error"/>
                </div>
                <FormError error fields=&["name", "description"]/>
                <button type="submit" class="btn primary" disabled=move || action.pending().get()>
                    "Create project"
                </button>
            </ActionForm>
            {move || {
                created()
                    .map(|p| {
                        view! {
                            <p class="form-ok" role="status">
                                "Created " <a href=format!("/projects/{}", p.id)>{p.name}</a>
                            </p>
                        }
                    })
            }}
        </section>
    }
}
