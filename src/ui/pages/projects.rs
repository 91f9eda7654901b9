//! `/projects/{id}`: one project's figures, its status, the edit form, delete and restore.

use crate::api::project::{
    get_project, DeleteProject, ProjectView, RestoreProject, SetProjectStatus, UpdateProject,
};
use crate::domain::project::{Project, ProjectStatus};
use crate::error::AppError;
use crate::ui::components::forms::{last_error, textarea_text, FieldError, FormError};
use crate::ui::components::layout::Loaded;
use crate::ui::components::status::{figure, StatusBadge};
use crate::ui::components::time::{Show, When};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::account::{latest_handoff, project_switches, rotate_choices, RotateAccount};
use crate::domain::account::Strategy;
use crate::ui::components::briefing::BriefingBox;
use crate::ui::pages::accounts::SwitchHistory;

#[derive(Clone, Copy)]
struct Actions {
    update: ServerAction<UpdateProject>,
    set_status: ServerAction<SetProjectStatus>,
    delete: ServerAction<DeleteProject>,
    restore: ServerAction<RestoreProject>,
}

#[component]
pub fn ProjectPage() -> impl IntoView {
    let params = use_params_map();
    let actions = Actions {
        update: ServerAction::new(),
        set_status: ServerAction::new(),
        delete: ServerAction::new(),
        restore: ServerAction::new(),
    };
    let project = Resource::new(
        move || {
            (
                params.with(|p| p.get("id").unwrap_or_default()),
                actions.update.version().get(),
                actions.set_status.version().get(),
                actions.delete.version().get(),
                actions.restore.version().get(),
            )
        },
        |(id, ..)| get_project(id),
    );
    view! {
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/">"Projects"</a>
        </nav>
        <Loaded
            resource=project
            show=move |view| view! { <ProjectDetail view actions/> }
            missing="Project not found"
        />
    }
}

#[component]
fn ProjectDetail(view: ProjectView, actions: Actions) -> impl IntoView {
    let ProjectView {
        project: p,
        now,
        running,
    } = view;
    let deleted = p.deleted_at;
    view! {
        <Title text=p.name.clone()/>
        <div class="page-head">
            <div class="title-block">
                <h1 data-testid="project-title">{p.name.clone()}</h1>
                <div class="meta-line">
                    <StatusBadge status=p.status/>
                    <span class="muted">
                        "Created " <When at=p.created_at now show=Show::Date/>
                        " · updated " <When at=p.updated_at now=now/>
                    </span>
                </div>
            </div>
        </div>
        <p class="head-actions">
            {deleted.is_none().then(|| view! {
                <a class="btn primary write-only" href=format!("/sessions?project_id={}#start-title", p.id) data-testid="start-session-link">"Start a session"</a>
            })}
            <a class="btn write-only" href=format!("/api/projects/{}/export", p.id) download rel="external" data-testid="export-project"
                title="Download the project with its sessions, files and history as a JSON bundle">"Export"</a>
        </p>
        {deleted.map(|at| view! { <TrashBanner project=p.clone() at=at.ago(now) action=actions.restore/> })}
        <div class="detail">
            <div class="detail-main">
                <section class="panel" aria-labelledby="overview-title">
                    <h2 id="overview-title">"Overview"</h2>
                    {match p.description.clone() {
                        Some(d) => view! { <p class="prose" data-testid="project-description">{d}</p> }.into_any(),
                        None => view! { <p class="muted">"No description yet. A few lines on the goal and the stack make every handoff briefing better."</p> }.into_any(),
                    }}
                </section>
                <crate::ui::pages::sessions::ProjectTimeline project_id=p.id.to_string()/>
                {deleted.is_none().then(|| view! { <RotatePanel project=p.clone()/> })}
                <FilesPanel project_id=p.id.to_string() editable=deleted.is_none()/>
                {deleted.is_none().then(|| view! { <EditPanel project=p.clone() action=actions.update/> })}
            </div>
            <aside class="detail-side">
                <dl class="stats compact">
                    <div class="stat" data-testid="project-credits">
                        <dt>"Credits of finished sessions"</dt>
                        <dd>{figure(p.total_credits_used)}</dd>
                    </div>
                    <div class="stat" data-testid="project-sessions">
                        <dt>"Sessions finished"</dt>
                        <dd>{figure(p.total_sessions)}</dd>
                    </div>
                </dl>
                {(running.0 > 0).then(|| view! {
                    <p class="muted small running-note" data-testid="project-running">{format!(
                        "Running now: {} session{} · {} so far (counted when finished)",
                        running.0,
                        if running.0 == 1 { "" } else { "s" },
                        crate::ui::components::status::credits(running.1),
                    )}</p>
                })}
                {deleted.is_none().then(|| view! {
                    <StatusPanel project=p.clone() action=actions.set_status/>
                    <DangerPanel project=p.clone() action=actions.delete/>
                })}
            </aside>
        </div>
    }
    .into_any()
}

#[component]
fn TrashBanner(
    project: Project,
    at: String,
    action: ServerAction<RestoreProject>,
) -> impl IntoView {
    let error = last_error(action.value());
    view! {
        <div class="banner warn" role="status" data-testid="trash-banner">
            <p>{format!("This project is in the trash (deleted {at}). Restore it to work on it again.")}</p>
            <ActionForm action>
                <input type="hidden" name="id" value=project.id.to_string()/>
                <button type="submit" class="btn" data-testid="restore">"Restore project"</button>
            </ActionForm>
            <FormError error fields=&[]/>
        </div>
    }
}

#[component]
fn StatusPanel(project: Project, action: ServerAction<SetProjectStatus>) -> impl IntoView {
    let error = last_error(action.value());
    let id = project.id.to_string();
    view! {
        <section class="panel write-only" aria-labelledby="status-title">
            <h2 id="status-title">"Status"</h2>
            <ActionForm action attr:class="segmented-form">
                <input type="hidden" name="id" value=id/>
                <div class="segmented" role="group" aria-label="Project status">
                    {ProjectStatus::ALL
                        .iter()
                        .map(|&s| {
                            let current = s == project.status;
                            view! {
                                <button
                                    type="submit"
                                    name="status"
                                    value=s.as_str()
                                    aria-pressed=if current { "true" } else { "false" }
                                    disabled=current
                                    data-status=s.as_str()
                                >
                                    {s.label()}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            </ActionForm>
            <FieldError error field="status" id="status-error"/>
            <FormError error fields=&["status"]/>
        </section>
    }
}

#[component]
fn EditPanel(project: Project, action: ServerAction<UpdateProject>) -> impl IntoView {
    let error = last_error(action.value());
    let invalid = move |field: &'static str| {
        move || {
            error
                .get()
                .and_then(|e: AppError| e.message_for(field))
                .is_some()
                .then_some("true")
        }
    };
    let saved = move || matches!(action.value().get(), Some(Ok(_)));
    let open = move || error.get().is_some() || saved();
    view! {
        <details class="panel disclosure write-only" open=open>
            <summary>"Edit name and description"</summary>
            <ActionForm action attr:class="form" attr:id="edit-project-form">
                <input type="hidden" name="id" value=project.id.to_string()/>
                <input type="hidden" name="version" value=project.version.to_string()/>
                <div class="field">
                    <label for="edit-name">"Name"</label>
                    <input
                        id="edit-name"
                        name="name"
                        type="text"
                        required
                        maxlength="120"
                        value=project.name.clone()
                        aria-invalid=invalid("name")
                        aria-describedby="edit-name-error"
                    />
                    <FieldError error field="name" id="edit-name-error"/>
                </div>
                <div class="field">
                    <label for="edit-description">"Description"</label>
                    <textarea
                        id="edit-description"
                        name="description"
                        rows="5"
                        maxlength="10000"
                        aria-invalid=invalid("description")
                        aria-describedby="edit-description-error"
                    >
                        {textarea_text(&project.description.clone().unwrap_or_default())}
                    </textarea>
                    <FieldError error field="description" id="edit-description-error"/>
                </div>
                <FormError error fields=&["name", "description"]/>
                <div class="form-actions">
                    <button type="submit" class="btn primary" disabled=move || action.pending().get()>
                        "Save changes"
                    </button>
                    {move || saved().then(|| view! { <span class="form-ok" role="status">"Saved"</span> })}
                </div>
            </ActionForm>
        </details>
    }
}

#[component]
fn DangerPanel(project: Project, action: ServerAction<DeleteProject>) -> impl IntoView {
    let error = last_error(action.value());
    view! {
        <section class="panel danger write-only" aria-labelledby="danger-title">
            <h2 id="danger-title">"Trash"</h2>
            <p class="muted">
                "Moving the project to the trash hides it from every list; its sessions and "
                "history are kept, and you can restore it at any time."
            </p>
            <ActionForm action>
                <input type="hidden" name="id" value=project.id.to_string()/>
                <button type="submit" class="btn danger" data-testid="delete">"Move to trash"</button>
            </ActionForm>
            <FormError error fields=&[]/>
        </section>
    }
}

/// Rotate the project to the next account: pick the account that ran out, get the next one
/// and the briefing to paste into it. Shows the project's switch history below.
#[component]
fn RotatePanel(project: Project) -> impl IntoView {
    let rotate = ServerAction::<RotateAccount>::new();
    let error = last_error(rotate.value());
    let pid = project.id.to_string();
    let options = Resource::new(
        {
            let pid = pid.clone();
            move || (pid.clone(), rotate.version().get())
        },
        |(pid, _)| rotate_choices(pid),
    );
    let history = Resource::new(
        {
            let pid = pid.clone();
            move || (pid.clone(), rotate.version().get())
        },
        |(pid, _)| project_switches(pid),
    );
    let latest = Resource::new(
        {
            let pid = pid.clone();
            move || (pid.clone(), rotate.version().get())
        },
        |(pid, _)| latest_handoff(pid),
    );
    let file_name = format!("handoff-{}.md", project.id);
    view! {
        <section class="panel write-only" aria-labelledby="rotate-title" data-testid="rotate-panel">
            <h2 id="rotate-title">"Rotate account"</h2>
            <p class="muted">
                "When the account you work on runs low, rotate: it is marked exhausted, the next "
                "account is chosen, and you get a briefing to paste into the new session."
            </p>
            <Transition fallback=|| view! { <p class="muted">"Loading accounts…"</p> }>
                {move || {
                let pid = pid.clone();
                Suspend::new(async move {
                    let opts = options.await.unwrap_or_default();
                    if opts.len() < 2 {
                        return view! {
                            <p class="muted" data-testid="rotate-needs-accounts">
                                "Rotation needs at least two usable accounts. "
                                <a href="/accounts">"Add accounts"</a>
                            </p>
                        }.into_any();
                    }
                    view! {
                        <ActionForm action=rotate attr:class="form inline-form">
                            <input type="hidden" name="project_id" value=pid.clone()/>
                            <div class="field">
                                <label for="rotate-current">"Running out"</label>
                                <select id="rotate-current" name="current_account_id">
                                    {opts.into_iter().map(|o| view! {
                                        <option value=o.id.to_string()>
                                            {format!("{} · {} · {}", o.name, o.status.label(), crate::ui::components::status::credits(o.credits))}
                                        </option>
                                    }).collect_view()}
                                </select>
                            </div>
                            <div class="field">
                                <label for="rotate-strategy">"Pick next by"</label>
                                <select id="rotate-strategy" name="strategy">
                                    {Strategy::ALL.map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                                </select>
                            </div>
                            <button type="submit" class="btn primary" disabled=move || rotate.pending().get()>"Rotate"</button>
                        </ActionForm>
                    }.into_any()
                })}}
            </Transition>
            {move || error.get().map(|e| {
                let suggestion = e.suggestion();
                view! {
                    <div class="result warn" role="alert" data-testid="rotate-error">
                        <p class="result-title">{e.to_string()}</p>
                        {suggestion.map(|s| view! { <p>{s}</p> })}
                    </div>
                }
            })}
            {move || rotate.value().get().and_then(|r| r.ok()).map(|r| view! {
                <div class="result ok" role="status" data-testid="rotate-result">
                    <p class="result-title">
                        "Continue on " <a href=format!("/accounts/{}", r.next_account.id)>{r.next_account.account_name.clone()}</a>
                        <span class="muted">{format!(" · {} · {}", crate::ui::components::status::credits(r.next_account.credits_available), r.credit_savings)}</span>
                    </p>
                    <p class="muted">{r.reason.clone()}</p>
                </div>
            })}
            <Transition fallback=|| ()>
                {move || {
                    let file_name = file_name.clone();
                    Suspend::new(async move {
                        latest.await.ok().flatten().map(|(h, now)| view! {
                            <div class="latest-handoff" data-testid="latest-handoff">
                                <p class="muted">
                                    "Latest handoff: "
                                    <strong>{h.from_account_name.clone().unwrap_or_default()}</strong>
                                    " → "
                                    <strong>{h.to_account_name.clone().unwrap_or_default()}</strong>
                                    {format!(" · {}", h.created_at.ago(now))}
                                </p>
                                <BriefingBox text=h.briefing.clone() file_name=file_name/>
                            </div>
                        })
                    })
                }}
            </Transition>
        </section>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                history.await.ok().map(|(switches, now)| view! {
                    <SwitchHistory switches now title="Account switches"/>
                })
            })}
        </Transition>
    }
}

/// The files a successor must know about; critical ones go into every briefing.
#[component]
fn FilesPanel(project_id: String, editable: bool) -> impl IntoView {
    use crate::api::project::{list_files, AddFile, RemoveFile};
    use crate::domain::project_file::Importance;
    let add = ServerAction::<AddFile>::new();
    let remove = ServerAction::<RemoveFile>::new();
    let error = last_error(add.value());
    let form_project_id = project_id.clone();
    let files = Resource::new(
        {
            let id = project_id.clone();
            move || (id.clone(), add.version().get(), remove.version().get())
        },
        |(id, ..)| list_files(id),
    );
    view! {
        <section class="panel" aria-labelledby="files-title" data-testid="files-panel">
            <h2 id="files-title">"Files"</h2>
            <Transition fallback=|| ()>
                {
                    let project_id = project_id.clone();
                    move || {
                        let project_id = project_id.clone();
                        Suspend::new(async move {
                            let list = files.await.unwrap_or_default();
                            if list.is_empty() {
                                return view! { <p class="muted">"No tracked files. Mark the ones a new session must read first as critical: they go into every briefing."</p> }.into_any();
                            }
                            view! {
                                <ul class="files">
                                    {list.into_iter().map(|f| {
                                        let pid = project_id.clone();
                                        view! {
                                            <li data-testid="file">
                                                <code>{f.file_path.clone()}</code>
                                                <span class=format!("badge imp-{}", f.importance.as_str())>{f.importance.as_str()}</span>
                                                {f.git_status.clone().map(|g| view! { <span class="muted">{g}</span> })}
                                                {f.notes.clone().map(|n| view! { <span class="muted">{format!("· {n}")}</span> })}
                                                {editable.then(|| view! {
                                                    <ActionForm action=remove attr:class="inline">
                                                        <input type="hidden" name="project_id" value=pid/>
                                                        <input type="hidden" name="file" value=f.id.to_string()/>
                                                        <button type="submit" class="btn small">"Remove"</button>
                                                    </ActionForm>
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        })
                    }
                }
            </Transition>
            {editable.then(|| view! {
                <ActionForm action=add attr:class="form inline-form files-form">
                    <input type="hidden" name="project_id" value=form_project_id/>
                    <div class="field">
                        <label for="file-path">"Path"</label>
                        <input id="file-path" name="file_path" type="text" placeholder="src/main.rs" required/>
                        <FieldError error field="file_path" id="file-path-error"/>
                    </div>
                    <div class="field">
                        <label for="file-importance">"Importance"</label>
                        <select id="file-importance" name="importance">
                            {Importance::ALL.map(|i| view! { <option value=i.as_str() selected=i == Importance::Normal>{i.as_str()}</option> }).collect_view()}
                        </select>
                    </div>
                    <button type="submit" class="btn">"Track file"</button>
                </ActionForm>
                <FormError error fields=&["file_path", "importance"]/>
            })}
        </section>
    }
}
