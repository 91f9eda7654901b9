//! `/import`: upload a project bundle, see what it will create, confirm. Works without
//! JavaScript (a multipart form post, then a server-rendered preview).

use crate::api::bundle::{preview_import, ApplyImport, ImportPreview};
use crate::domain::bundle::{ImportAction, OnConflict};
use crate::error::AppError;
use crate::ui::components::forms::{last_error, FieldError, FormError};
use crate::ui::components::layout::ErrorPanel;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ImportPage() -> impl IntoView {
    let query = use_query_map();
    let error = Signal::derive(move || {
        query.with(|q| {
            q.get("error").map(|message| {
                AppError::validation(q.get("field").unwrap_or_else(|| "file".into()), message)
            })
        })
    });
    let choices = [
        (
            OnConflict::Rename,
            "Import under a free name",
            "“Shop” becomes “Shop (2)”.",
        ),
        (
            OnConflict::Merge,
            "Merge into the existing project",
            "Sessions are numbered after its own; tracked files it has stay as they are.",
        ),
        (
            OnConflict::Skip,
            "Skip",
            "Import nothing if the name is taken.",
        ),
    ];
    view! {
        <Title text="Import a project"/>
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/">"Projects"</a>
        </nav>
        <div class="page-head">
            <div>
                <h1>"Import a project"</h1>
                <p class="muted">"Restore a project bundle exported from this or another PAAS database."</p>
            </div>
        </div>
        <div class="split">
            <section class="panel form-panel" aria-labelledby="import-title">
                <h2 id="import-title">"Bundle"</h2>
                <form method="post" action="/upload/import" enctype="multipart/form-data" class="form" data-testid="import-form">
                    <div class="field">
                        <label for="import-file">"Bundle file (.json)"</label>
                        <input id="import-file" name="file" type="file" accept=".json,application/json" required
                            aria-describedby="import-file-error"/>
                        <FieldError error field="file" id="import-file-error"/>
                    </div>
                    <div class="field">
                        <label for="import-name">"Name " <span class="muted">"(optional)"</span></label>
                        <input id="import-name" name="name" type="text" maxlength="120" autocomplete="off"
                            placeholder="The bundle's own name" aria-describedby="import-name-error"/>
                        <FieldError error field="name" id="import-name-error"/>
                    </div>
                    <fieldset class="fieldset choices">
                        <legend>"If a project with that name exists"</legend>
                        {choices.into_iter().map(|(value, label, hint)| view! {
                            <label class="choice">
                                <input type="radio" name="on_conflict" value=value.as_str() checked=value == OnConflict::Rename/>
                                <span>
                                    <span class="choice-label">{label}</span>
                                    <span class="muted choice-hint">{hint}</span>
                                </span>
                            </label>
                        }).collect_view()}
                        <FieldError error field="on_conflict" id="import-conflict-error"/>
                    </fieldset>
                    <FormError error fields=&["file", "name", "on_conflict"]/>
                    <button type="submit" class="btn primary">"Upload and preview"</button>
                </form>
            </section>
            <aside class="panel side-notes" aria-labelledby="bundle-notes-title">
                <h2 id="bundle-notes-title">"What a bundle holds"</h2>
                <p>"The project, its sessions with checkpoints and conversation turns, tracked files, handoff briefings, switch history and the knowledge entries its sessions produced."</p>
                <p>"Accounts travel by name and platform only — never e-mail addresses or credentials. Accounts this database lacks are created with default credits; you will see which before anything is written."</p>
                <p>"Export a bundle from any project page, or on the command line:"</p>
                <pre class="mono small">"paas export --project 3 --out shop.json\npaas import shop.json --on-conflict rename\npaas backup backups/paas.db"</pre>
            </aside>
        </div>
    }
}

#[component]
pub fn ImportPreviewPage() -> impl IntoView {
    let params = use_params_map();
    let preview = Resource::new(
        move || params.with(|p| p.get("token").unwrap_or_default()),
        preview_import,
    );
    view! {
        <Title text="Import preview"/>
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/import">"Import"</a>
        </nav>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match preview.await {
                    Ok(p) => view! { <PreviewView preview=p/> }.into_any(),
                    Err(e) => {
                        crate::ui::components::layout::set_http_status(&e);
                        view! {
                            <ErrorPanel error=e/>
                            <p><a class="btn" href="/import">"Upload a bundle"</a></p>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn PreviewView(preview: ImportPreview) -> impl IntoView {
    let apply = ServerAction::<ApplyImport>::new();
    let error = last_error(apply.value());
    let ImportPreview {
        token,
        file_name,
        plan,
    } = preview;
    let c = plan.counts.clone();
    let rows = [
        ("Sessions", c.sessions),
        ("Conversation turns", c.conversation_turns),
        ("Checkpoints and briefings", c.context_snapshots),
        ("Tracked files", c.files),
        ("Handoffs", c.handoffs),
        ("Knowledge entries", c.knowledge),
        ("Recorded outcomes", c.knowledge_outcomes),
        ("AI calls", c.usage),
        ("Account switches", c.account_switches),
    ];
    let skip = plan.action == ImportAction::Skip;
    let existing = plan.existing_project_id;
    view! {
        <div class="page-head">
            <div>
                <h1 data-testid="import-preview-title">{format!("Import “{file_name}”")}</h1>
                <p class="muted">{format!("Exported {}", plan.exported_at.date())}</p>
            </div>
        </div>
        <section class="panel" aria-labelledby="plan-title">
            <h2 id="plan-title">"What will happen"</h2>
            <p class=if skip { "banner warn" } else { "banner note" } data-testid="import-summary">{plan.summary()}</p>
            <dl class="stats compact import-counts">
                {rows.into_iter().map(|(label, n)| view! {
                    <div class="stat">
                        <dt>{label}</dt>
                        <dd>{n.to_string()}</dd>
                    </div>
                }).collect_view()}
            </dl>
            {(plan.files_already_tracked > 0).then(|| view! {
                <p class="muted">{format!("{} of the files are tracked already and stay as they are.", plan.files_already_tracked)}</p>
            })}
            <h3>"Accounts"</h3>
            <ul class="plain-list">
                {plan.accounts_matched.iter().map(|a| view! {
                    <li>{a.clone()} " " <span class="muted">"— found in this database"</span></li>
                }).collect_view()}
                {plan.accounts_created.iter().map(|a| view! {
                    <li>{a.clone()} " " <span class="badge">"new"</span> " " <span class="muted">"— will be created with default credits"</span></li>
                }).collect_view()}
            </ul>
            {(plan.accounts_matched.is_empty() && plan.accounts_created.is_empty())
                .then(|| view! { <p class="muted">"The bundle names no accounts."</p> })}
            {if skip {
                view! {
                    <p class="head-actions">
                        {existing.map(|id| view! { <a class="btn" href=format!("/projects/{id}")>"Open the existing project"</a> })}
                        <a class="btn" href="/import">"Choose another option"</a>
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <ActionForm action=apply attr:class="form">
                        <input type="hidden" name="token" value=token/>
                        <FormError error fields=&[]/>
                        <div class="head-actions">
                            <button type="submit" class="btn primary" data-testid="confirm-import">"Import"</button>
                            <a class="btn" href="/import">"Cancel"</a>
                        </div>
                    </ActionForm>
                }
                .into_any()
            }}
        </section>
    }
}
