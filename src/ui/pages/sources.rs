//! `/sources`: what capture reads — each AI tool's directory and the account it feeds,
//! each repository and the project it feeds — with merge, ignore and "capture now", the
//! files that could not be read, and what was found but not read yet.

use crate::api::capture::{
    capture_sources, CaptureNow, IgnoreCaptureRepo, IgnoreCaptureSource, MapCaptureRepo,
    MapCaptureSource,
};
use crate::domain::capture::sources::{Repo, Source, Sources};
use crate::ui::components::forms::{last_error, FormError};
use crate::ui::components::layout::{use_live, Loaded};
use crate::ui::components::time::When;
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Clone, Copy)]
struct Actions {
    map_source: ServerAction<MapCaptureSource>,
    ignore_source: ServerAction<IgnoreCaptureSource>,
    map_repo: ServerAction<MapCaptureRepo>,
    ignore_repo: ServerAction<IgnoreCaptureRepo>,
}

#[component]
pub fn SourcesPage() -> impl IntoView {
    let now = ServerAction::<CaptureNow>::new();
    let actions = Actions {
        map_source: ServerAction::new(),
        ignore_source: ServerAction::new(),
        map_repo: ServerAction::new(),
        ignore_repo: ServerAction::new(),
    };
    let live = use_live();
    let data = Resource::new(
        move || {
            (
                live.get(),
                now.version().get(),
                actions.map_source.version().get(),
                actions.ignore_source.version().get(),
                actions.map_repo.version().get(),
                actions.ignore_repo.version().get(),
            )
        },
        |_| capture_sources(),
    );
    let now_error = last_error(now.value());
    let errors = Signal::derive(move || {
        now_error
            .get()
            .or_else(|| last_error(actions.map_source.value()).get())
            .or_else(|| last_error(actions.ignore_source.value()).get())
            .or_else(|| last_error(actions.map_repo.value()).get())
            .or_else(|| last_error(actions.ignore_repo.value()).get())
    });
    view! {
        <Title text="Sources"/>
        <div class="page-head">
            <div>
                <h1>"Sources"</h1>
                <p class="muted">
                    "What Claude Code, Codex CLI, Gemini CLI, aider and SpecStory wrote on this \
                     machine, read into sessions, turns and usage."
                </p>
            </div>
            <div class="head-actions write-only">
                <ActionForm action=now>
                    <button type="submit" class="btn primary" data-testid="capture-now">
                        "Capture now"
                    </button>
                </ActionForm>
            </div>
        </div>
        <p class="notice" data-testid="redaction-note">
            "API keys, bearer tokens, private keys and PASSWORD=… style lines are removed \
             before anything is stored. Nothing read here is sent anywhere."
        </p>
        {move || {
            now.value()
                .get()
                .and_then(|r| r.ok())
                .map(|summary| view! {
                    <p class="form-ok" role="status" data-testid="capture-result">{summary}</p>
                })
        }}
        <FormError error=errors fields=&[]/>
        <Loaded
            resource=data
            show=move |s| view! { <SourcesView sources=s actions/> }
            loading="Loading sources…"
            padded=true
        />
    }
}

#[component]
fn SourcesView(sources: Sources, actions: Actions) -> impl IntoView {
    let now = sources.now;
    let unmapped = sources.unmapped();
    let empty = sources.sources.is_empty() && sources.repos.is_empty();
    let inbox = (!sources.found.is_empty() || unmapped > 0).then(|| {
        let found = sources
            .found
            .iter()
            .map(|f| {
                view! {
                    <li data-testid="found">
                        <strong>{f.tool.label()}</strong>" "<code>{f.dir.clone()}</code>
                        <span class="muted">" — not read yet; Capture now reads it"</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="panel" aria-labelledby="inbox-title" data-testid="inbox">
                <h2 id="inbox-title">"Inbox"</h2>
                <ul class="plain-list">{found}</ul>
                {(unmapped > 0).then(|| view! {
                    <p>{format!(
                        "{unmapped} of the sources below feed no account or project any more (it was deleted): choose one."
                    )}</p>
                })}
            </section>
        }
    });
    let following = (!sources.following.is_empty()).then(|| {
        view! {
            <p class="muted">
                "The server follows: " {sources.following.join(", ")}
            </p>
        }
    });
    let accounts = sources.accounts.clone();
    let projects = sources.projects.clone();
    let tool_rows = sources
        .sources
        .into_iter()
        .map(|s| view! { <SourceRow source=s accounts=accounts.clone() now actions/> })
        .collect_view();
    let repo_rows = sources
        .repos
        .into_iter()
        .map(|r| view! { <RepoRow repo=r projects=projects.clone() actions/> })
        .collect_view();
    view! {
        {inbox}
        {following}
        {empty.then(|| view! {
            <div class="panel empty" data-testid="sources-empty">
                <p>"Nothing captured yet."</p>
                <p class="muted">
                    "Run " <code>"paas capture"</code> " on the machine where you use the tools, \
                     start the server with " <code>"--capture-dir ~/.claude"</code>
                    " (repeatable), or press Capture now to read the standard places on this one."
                </p>
            </div>
        })}
        <section class="panel" aria-labelledby="tools-title">
            <h2 id="tools-title">"Tool directories → accounts"</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Tool directories">
                <table class="table stack" data-testid="sources">
                    <thead>
                        <tr>
                            <th scope="col">"Tool and directory"</th>
                            <th scope="col">"Account"</th>
                            <th scope="col" class="num">"Files"</th>
                            <th scope="col" class="num">"Sessions"</th>
                            <th scope="col">"Last read"</th>
                            <th scope="col"><span class="sr-only">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>{tool_rows}</tbody>
                </table>
            </div>
        </section>
        <section class="panel" aria-labelledby="repos-title">
            <h2 id="repos-title">"Repositories → projects"</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Repositories">
                <table class="table stack" data-testid="repos">
                    <thead>
                        <tr>
                            <th scope="col">"Repository"</th>
                            <th scope="col">"Project"</th>
                            <th scope="col" class="num">"Sessions"</th>
                            <th scope="col"><span class="sr-only">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>{repo_rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn SourceRow(
    source: Source,
    accounts: Vec<(crate::domain::account::AccountId, String)>,
    now: Option<crate::domain::time::Timestamp>,
    actions: Actions,
) -> impl IntoView {
    let id = source.id.to_string();
    let id2 = id.clone();
    let select_id = format!("source-account-{}", source.id);
    let current = source.account.as_ref().map(|(a, _)| *a);
    let options = accounts
        .into_iter()
        .map(|(a, name)| {
            view! { <option value=a.to_string() selected=current == Some(a)>{name}</option> }
        })
        .collect_view();
    let errors = (!source.errors.is_empty()).then(|| {
        let n = source.errors.len();
        let items = source
            .errors
            .iter()
            .map(|(path, e)| view! { <li><code>{path.clone()}</code>": "{e.clone()}</li> })
            .collect_view();
        view! {
            <details class="file-errors" data-testid="file-errors">
                <summary>{format!("{n} file(s) with problems")}</summary>
                <ul class="plain-list">{items}</ul>
            </details>
        }
    });
    let ignored = source.ignored;
    view! {
        <tr data-testid="source-row" class:ignored=ignored>
            <td>
                <strong>{source.tool.label()}</strong>
                {ignored.then(|| view! { <span class="badge">"Ignored"</span> })}
                <div class="muted path"><code>{source.dir.clone()}</code></div>
                {errors}
            </td>
            <td>
                {match source.account.clone() {
                    Some((a, name)) => view! {
                        <a href=format!("/accounts/{a}") title="Open the account to rename it">{name}</a>
                    }.into_any(),
                    None => view! { <span class="muted">"none"</span> }.into_any(),
                }}
                <ActionForm action=actions.map_source attr:class="inline-form write-only">
                    <input type="hidden" name="source" value=id.clone()/>
                    <label class="sr-only" for=select_id.clone()>"Merge into account"</label>
                    <select id=select_id name="account">{options}</select>
                    <button type="submit" class="btn small">"Merge"</button>
                </ActionForm>
            </td>
            <td class="num" data-label="Files">{source.files}</td>
            <td class="num" data-label="Sessions">{source.sessions}</td>
            <td data-label="Last read">
                {source
                    .last_capture_at
                    .zip(now)
                    .map(|(t, n)| view! { <When at=t now=n/> })}
            </td>
            <td>
                <ActionForm action=actions.ignore_source attr:class="write-only">
                    <input type="hidden" name="source" value=id2.clone()/>
                    <input type="hidden" name="ignored" value=if ignored { "false" } else { "true" }/>
                    <button type="submit" class="btn small">
                        {if ignored { "Resume" } else { "Ignore" }}
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
fn RepoRow(
    repo: Repo,
    projects: Vec<(crate::domain::project::ProjectId, String)>,
    actions: Actions,
) -> impl IntoView {
    let id = repo.id.to_string();
    let id2 = id.clone();
    let select_id = format!("repo-project-{}", repo.id);
    let current = repo.project.as_ref().map(|(p, _)| *p);
    let options = projects
        .into_iter()
        .map(|(p, name)| {
            view! { <option value=p.to_string() selected=current == Some(p)>{name}</option> }
        })
        .collect_view();
    let ignored = repo.ignored;
    view! {
        <tr data-testid="repo-row" class:ignored=ignored>
            <td>
                <code>{if repo.root.is_empty() { "(no working directory)".to_string() } else { repo.root.clone() }}</code>
                {ignored.then(|| view! { <span class="badge">"Ignored"</span> })}
            </td>
            <td>
                {match repo.project.clone() {
                    Some((p, name)) => view! {
                        <a href=format!("/projects/{p}") title="Open the project to rename it">{name}</a>
                    }.into_any(),
                    None => view! { <span class="muted">"none"</span> }.into_any(),
                }}
                <ActionForm action=actions.map_repo attr:class="inline-form write-only">
                    <input type="hidden" name="repo" value=id.clone()/>
                    <label class="sr-only" for=select_id.clone()>"Merge into project"</label>
                    <select id=select_id name="project">{options}</select>
                    <button type="submit" class="btn small">"Merge"</button>
                </ActionForm>
            </td>
            <td class="num" data-label="Sessions">{repo.sessions}</td>
            <td>
                <ActionForm action=actions.ignore_repo attr:class="write-only">
                    <input type="hidden" name="repo" value=id2.clone()/>
                    <input type="hidden" name="ignored" value=if ignored { "false" } else { "true" }/>
                    <button type="submit" class="btn small">
                        {if ignored { "Resume" } else { "Ignore" }}
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}
