//! `/knowledge`: search (words with stemming, identifiers and error strings), filters by
//! category and tag, results ranked by relevance and how often they worked, new entries;
//! `/knowledge/:id`: one entry with its outcomes, edit and delete. Also the suggestions
//! shown on a session page ("you solved this before") and the offer to save a finished
//! session's work as an entry.

use crate::api::knowledge::{
    get_knowledge, list_knowledge, suggest_knowledge, CreateKnowledge, DeleteKnowledge, EntryView,
    KnowledgeListing, RecordKnowledgeOutcome, UpdateKnowledge,
};
use crate::domain::knowledge::{segments, Category, Entry, Hit};
use crate::ui::components::forms::{last_error, textarea_text, FieldError, FormError};
use crate::ui::components::layout::{ErrorPanel, Loaded};
use crate::ui::components::time::When;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Text with its matched parts in `<mark>`.
#[component]
fn Marked(text: String) -> impl IntoView {
    segments(&text)
        .into_iter()
        .map(|(t, matched)| {
            if matched {
                view! { <mark>{t}</mark> }.into_any()
            } else {
                t.into_any()
            }
        })
        .collect_view()
}

fn rate_label(e: &Entry) -> String {
    if e.usage_count == 0 {
        "not applied yet".to_string()
    } else {
        format!(
            "applied {}× · worked {} ({:.0} %)",
            e.usage_count,
            e.success_count,
            e.success_rate * 100.0
        )
    }
}

/// "It worked" / "It didn't" buttons.
#[component]
fn OutcomeButtons(
    entry_id: i64,
    action: ServerAction<RecordKnowledgeOutcome>,
    #[prop(optional)] session_id: Option<i64>,
    /// Offer a note with the outcome (the entry's own page).
    #[prop(optional)]
    with_note: bool,
) -> impl IntoView {
    let session = session_id.map(|s| s.to_string()).unwrap_or_default();
    let note_id = format!("outcome-note-{entry_id}");
    view! {
        <ActionForm action attr:class="outcome-buttons" attr:aria-label="Record an outcome">
            <input type="hidden" name="id" value=entry_id.to_string()/>
            <input type="hidden" name="session_id" value=session/>
            {with_note.then(|| view! {
                <label class="sr-only" for=note_id.clone()>"Note (optional)"</label>
                <input id=note_id.clone() name="note" type="text" maxlength="2000" placeholder="Note (optional)" data-testid="outcome-note-input"/>
            })}
            <span class="muted small">"Applied:"</span>
            <button type="submit" class="btn small" name="worked" value="yes" data-testid="outcome-yes">"It worked"</button>
            <button type="submit" class="btn small" name="worked" value="no" data-testid="outcome-no">"It didn't"</button>
        </ActionForm>
    }
}

#[component]
pub fn KnowledgePage() -> impl IntoView {
    let query = use_query_map();
    let create = ServerAction::<CreateKnowledge>::new();
    let outcome = ServerAction::<RecordKnowledgeOutcome>::new();
    let listing = Resource::new(
        move || {
            (
                query.with(|q| (q.get("q"), q.get("category"), q.get("tag"))),
                outcome.version().get(),
            )
        },
        |((q, category, tag), _)| list_knowledge(q, category, tag),
    );
    view! {
        <Title text="Knowledge"/>
        <div class="page-head">
            <div>
                <h1>"Knowledge"</h1>
                <p class="muted">"Solutions, patterns and tips — ranked by how well they match and how often they worked."</p>
            </div>
            <a class="btn primary show-narrow" href="#entry-title">"New entry"</a>
        </div>
        <div class="split">
            <section class="panel list-panel" aria-labelledby="kb-results-title">
                <h2 id="kb-results-title" class="sr-only">"Entries"</h2>
                <Transition fallback=|| view! { <p class="muted pad">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match listing.await {
                            Ok(l) => view! { <Results listing=l outcome/> }.into_any(),
                            Err(e) => view! { <SearchBar listing=None/><ErrorPanel error=e/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <NewEntryForm action=create/>
        </div>
    }
}

#[component]
fn SearchBar(listing: Option<KnowledgeListing>) -> impl IntoView {
    let (q, category, tag, tags, categories) = match &listing {
        Some(l) => (
            l.query.q.clone().unwrap_or_default(),
            l.query.category.clone().unwrap_or_default(),
            l.query.tag.clone().unwrap_or_default(),
            l.tags.clone(),
            l.categories.clone(),
        ),
        None => Default::default(),
    };
    let count = |c: Category| {
        categories
            .iter()
            .find(|(k, _)| *k == c)
            .map_or(0, |(_, n)| *n)
    };
    view! {
        <form method="get" action="/knowledge" class="toolbar kb-search" role="search">
            <label for="kb-q" class="sr-only">"Search"</label>
            <input id="kb-q" name="q" type="search" value=q.clone() placeholder="Search words, identifiers, error messages" autocomplete="off"/>
            <label for="kb-category" class="sr-only">"Category"</label>
            <select id="kb-category" name="category">
                <option value="" selected=category.is_empty()>"All categories"</option>
                {Category::ALL.iter().map(|c| view! {
                    <option value=c.as_str() selected=category == c.as_str()>{format!("{} ({})", c.label(), count(*c))}</option>
                }).collect_view()}
            </select>
            <label for="kb-tag" class="sr-only">"Tag"</label>
            <select id="kb-tag" name="tag">
                <option value="" selected=tag.is_empty()>"All tags"</option>
                {tags.into_iter().take(100).map(|(t, n)| {
                    let selected = tag == t;
                    view! { <option value=t.clone() selected=selected>{format!("{t} ({n})")}</option> }
                }).collect_view()}
            </select>
            <button type="submit" class="btn">"Search"</button>
        </form>
    }
}

#[component]
fn Results(
    listing: KnowledgeListing,
    outcome: ServerAction<RecordKnowledgeOutcome>,
) -> impl IntoView {
    let error = last_error(outcome.value());
    let searching = listing
        .query
        .q
        .as_deref()
        .is_some_and(|q| !q.trim().is_empty())
        || listing
            .query
            .category
            .as_deref()
            .is_some_and(|c| !c.is_empty())
        || listing.query.tag.as_deref().is_some_and(|t| !t.is_empty());
    let total = listing.total;
    let hits = listing.hits.clone();
    view! {
        <SearchBar listing=Some(listing)/>
        <FormError error fields=&[]/>
        {if hits.is_empty() {
            if searching {
                view! {
                    <div class="empty pad" data-testid="kb-empty">
                        <p>"Nothing matches."</p>
                        <p class="muted">"Try fewer words, another form of a word, or part of the error message. " <a href="/knowledge">"Show all entries"</a></p>
                    </div>
                }.into_any()
            } else {
                view! {
                    <div class="empty pad" data-testid="kb-empty">
                        <p>"No entries yet."</p>
                        <p class="muted">"When something works — a fix for an error, a pattern, a setting — write it down here. Sessions show matching entries while you type their objectives and blockers, and finished sessions offer to save what they solved."</p>
                    </div>
                }.into_any()
            }
        } else {
            view! {
                <p class="muted small pad-x">{format!("{} of {total} entries", hits.len())}</p>
                <ul class="kb-list" data-testid="kb-results">
                    {hits.into_iter().map(|h| view! { <HitItem hit=h outcome/> }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
fn HitItem(hit: Hit, outcome: ServerAction<RecordKnowledgeOutcome>) -> impl IntoView {
    let e = hit.entry.clone();
    let tags = e.tag_list();
    view! {
        <li class="kb-item" data-testid="kb-hit">
            <div class="kb-head">
                <a class="kb-title" href=format!("/knowledge/{}", e.id)><Marked text=hit.title_marked.clone()/></a>
                <span class="badge">{e.category.label()}</span>
            </div>
            <p class="kb-snippet"><Marked text=hit.snippet_marked.clone()/></p>
            <div class="kb-meta">
                {tags.into_iter().map(|t| view! { <a class="tag" href=format!("/knowledge?tag={t}")>{format!("#{t}")}</a> }).collect_view()}
                <span class="muted small" data-testid="kb-rate">{rate_label(&e)}</span>
                <OutcomeButtons entry_id=e.id action=outcome/>
            </div>
        </li>
    }
}

#[component]
fn EntryFields(
    error: Signal<Option<crate::error::AppError>>,
    #[prop(optional)] entry: Option<Entry>,
    prefix: &'static str,
) -> impl IntoView {
    let (category, title, description, tags) = match &entry {
        Some(e) => (
            e.category,
            e.title.clone(),
            e.description.clone(),
            e.tag_list().join(", "),
        ),
        None => (
            Category::ErrorSolution,
            String::new(),
            String::new(),
            String::new(),
        ),
    };
    let id = move |f: &str| format!("{prefix}-{f}");
    view! {
        <div class="field">
            <label for=id("category")>"Category"</label>
            <select id=id("category") name="category">
                {Category::ALL.iter().map(|c| view! {
                    <option value=c.as_str() selected=*c == category>{c.label()}</option>
                }).collect_view()}
            </select>
            <FieldError error field="category" id="entry-category-error"/>
        </div>
        <div class="field">
            <label for=id("title")>"Title"</label>
            <input id=id("title") name="title" type="text" maxlength="200" value=title required
                placeholder="e.g. Fix E0382 when moving out of a loop"/>
            <FieldError error field="title" id="entry-title-error"/>
        </div>
        <div class="field">
            <label for=id("description")>"Solution " <span class="muted">"(Markdown)"</span></label>
            <textarea id=id("description") name="description" rows="6" required prop:value=description.clone()
                placeholder="What worked, when it applies, the exact error message or identifiers">{textarea_text(&description)}</textarea>
            <FieldError error field="description" id="entry-description-error"/>
        </div>
        <div class="field">
            <label for=id("tags")>"Tags"</label>
            <input id=id("tags") name="tags" type="text" value=tags placeholder="rust, sqlx, ci"/>
            <FieldError error field="tags" id="entry-tags-error"/>
        </div>
    }
}

#[component]
fn NewEntryForm(action: ServerAction<CreateKnowledge>) -> impl IntoView {
    let error = last_error(action.value());
    view! {
        <section class="panel form-panel write-only" aria-labelledby="entry-title">
            <h2 id="entry-title">"New entry"</h2>
            <ActionForm action attr:class="form">
                <EntryFields error prefix="new"/>
                <FormError error fields=&["category", "title", "description", "tags"]/>
                <button type="submit" class="btn primary">"Save entry"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn KnowledgeEntryPage() -> impl IntoView {
    let params = use_params_map();
    let update = ServerAction::<UpdateKnowledge>::new();
    let outcome = ServerAction::<RecordKnowledgeOutcome>::new();
    let delete = ServerAction::<DeleteKnowledge>::new();
    let entry = Resource::new(
        move || {
            (
                params.with(|p| p.get("id").unwrap_or_default()),
                update.version().get(),
                outcome.version().get(),
            )
        },
        |(id, ..)| get_knowledge(id),
    );
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/knowledge">"Knowledge"</a></nav>
        <Loaded
            resource=entry
            show=move |v| view! { <EntryDetail v update outcome delete/> }
            missing="Entry not found"
        />
    }
}

#[component]
fn EntryDetail(
    v: EntryView,
    update: ServerAction<UpdateKnowledge>,
    outcome: ServerAction<RecordKnowledgeOutcome>,
    delete: ServerAction<DeleteKnowledge>,
) -> impl IntoView {
    let e = v.entry.clone();
    let for_edit = v.entry.clone();
    let update_error = last_error(update.value());
    let outcome_error = last_error(outcome.value());
    let delete_error = last_error(delete.value());
    let now = v.now;
    let saved = move || update.value().get().is_some_and(|r| r.is_ok());
    view! {
        <Title text=e.title.clone()/>
        <div class="page-head">
            <div class="title-block">
                <h1 data-testid="entry-title">{e.title.clone()}</h1>
                <div class="meta-line">
                    <span class="badge">{e.category.label()}</span>
                    {e.tag_list().into_iter().map(|t| view! { <a class="tag" href=format!("/knowledge?tag={t}")>{format!("#{t}")}</a> }).collect_view()}
                    <span class="muted">"updated "<When at=e.updated_at now/></span>
                    {e.source_session_id.map(|s| view! { <a href=format!("/sessions/{s}")>"from its session"</a> })}
                </div>
            </div>
        </div>
        <div class="detail">
            <div class="detail-main">
                <section class="panel" aria-label="Solution">
                    <div class="markdown-preview" data-testid="entry-description" inner_html=v.description_html.clone()></div>
                </section>
                <details class="panel disclosure write-only" open=move || update_error.get().is_some()>
                    <summary>"Edit"</summary>
                    <ActionForm action=update attr:class="form">
                        <input type="hidden" name="id" value=e.id.to_string()/>
                        <input type="hidden" name="version" value=e.version.to_string()/>
                        <input type="hidden" name="source_session_id" value=e.source_session_id.map(|s| s.to_string()).unwrap_or_default()/>
                        <EntryFields error=update_error entry=for_edit.clone() prefix="edit"/>
                        <FormError error=update_error fields=&["category", "title", "description", "tags"]/>
                        <button type="submit" class="btn primary">"Save changes"</button>
                        {move || saved().then(|| view! { <span class="form-ok" role="status">"Saved"</span> })}
                    </ActionForm>
                </details>
            </div>
            <aside class="detail-side">
                <dl class="stats compact">
                    <div class="stat" data-testid="entry-usage">
                        <dt>"Applied"</dt>
                        <dd>{e.usage_count.to_string()}</dd>
                    </div>
                    <div class="stat" data-testid="entry-success">
                        <dt>"Worked"</dt>
                        <dd>{if e.usage_count == 0 { "—".to_string() } else { format!("{:.0} %", e.success_rate * 100.0) }}</dd>
                    </div>
                </dl>
                <section class="panel" aria-labelledby="outcomes-title">
                    <h2 id="outcomes-title">"Outcomes"</h2>
                    <OutcomeButtons entry_id=e.id action=outcome with_note=true/>
                    <FormError error=outcome_error fields=&[]/>
                    {if v.outcomes.is_empty() {
                        view! { <p class="muted small">"No outcomes yet. Record one each time you apply this: the ranking trusts entries that keep working."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="timeline" data-testid="entry-outcomes">
                                {v.outcomes.iter().map(|o| view! {
                                    <li>
                                        <div class="timeline-head">
                                            <span>{if o.worked { "Worked" } else { "Did not work" }}</span>
                                            {o.session_id.map(|s| view! { <a href=format!("/sessions/{s}")>{format!("session {s}")}</a> })}
                                            <When at=o.created_at now=now class="muted"/>
                                        </div>
                                        {o.note.clone().filter(|n| !n.trim().is_empty()).map(|n| view! { <p class="outcome-note" data-testid="outcome-note">{n}</p> })}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
                <section class="panel danger write-only" aria-labelledby="entry-delete-title">
                    <h2 id="entry-delete-title">"Delete"</h2>
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=e.id.to_string()/>
                        <label class="check">
                            <input type="checkbox" name="confirm" value="yes" required
                                aria-describedby="entry-delete-confirm-error" data-testid="delete-entry-confirm"/>
                            {match v.outcomes.len() {
                                0 => " Delete it for good (this cannot be undone)".to_string(),
                                1 => " Delete it and its outcome for good (this cannot be undone)".to_string(),
                                n => format!(" Delete it and its {n} outcomes for good (this cannot be undone)"),
                            }}
                        </label>
                        <FieldError error=delete_error field="confirm" id="entry-delete-confirm-error"/>
                        <button type="submit" class="btn danger" data-testid="delete-entry">{format!("Delete “{}”", e.title)}</button>
                    </ActionForm>
                    <FormError error=delete_error fields=&["confirm"]/>
                </section>
            </aside>
        </div>
    }
}

/// "You solved this before": entries matching `text` (a session's objectives and
/// blockers, updated as they are typed). Renders nothing when nothing matches.
#[component]
pub fn KnowledgeSuggestions(text: Signal<String>, session_id: i64) -> impl IntoView {
    let outcome = ServerAction::<RecordKnowledgeOutcome>::new();
    let hits = Resource::new(move || text.get(), suggest_knowledge);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let hits = hits.await.unwrap_or_default();
                (!hits.is_empty()).then(|| view! {
                    <section class="panel suggestions" aria-labelledby="suggest-title" data-testid="knowledge-suggestions">
                        <h2 id="suggest-title">"You solved this before"</h2>
                        <ul class="kb-list compact">
                            {hits.into_iter().map(|h| {
                                let e = h.entry.clone();
                                view! {
                                    <li class="kb-item">
                                        <div class="kb-head">
                                            <a class="kb-title" href=format!("/knowledge/{}", e.id)><Marked text=h.title_marked.clone()/></a>
                                            <span class="badge">{e.category.label()}</span>
                                        </div>
                                        <p class="kb-snippet"><Marked text=h.snippet_marked.clone()/></p>
                                        <div class="kb-meta">
                                            <span class="muted small">{rate_label(&e)}</span>
                                            <OutcomeButtons entry_id=e.id action=outcome session_id=session_id/>
                                        </div>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}

/// After a session: save what it solved as an entry linked to it.
#[component]
pub fn SaveToKnowledge(
    session_id: i64,
    accomplishments: Option<String>,
    blockers: Option<String>,
) -> impl IntoView {
    let action = ServerAction::<CreateKnowledge>::new();
    let error = last_error(action.value());
    let first_line = |t: &str| -> String {
        t.lines()
            .map(|l| {
                l.trim()
                    .trim_start_matches(['-', '*', '#', '✅', ' '])
                    .trim()
            })
            .find(|l| !l.is_empty())
            .unwrap_or("")
            .chars()
            .take(200)
            .collect()
    };
    let done = accomplishments.clone().unwrap_or_default();
    let (category, title, description) =
        match blockers.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
            Some(b) => (
                Category::ErrorSolution,
                first_line(b),
                if done.trim().is_empty() {
                    b.to_string()
                } else {
                    format!("**Problem:** {b}\n\n**Solution:** {done}")
                },
            ),
            None => (Category::Pattern, first_line(&done), done.clone()),
        };
    let sid = session_id.to_string();
    view! {
        <details class="panel disclosure write-only" data-testid="save-to-knowledge" open=move || error.get().is_some()>
            <summary>"Save to the knowledge base"</summary>
            <p class="muted small">"Keep what this session solved, linked to it, so the next session that meets the problem finds it."</p>
            <ActionForm action attr:class="form">
                <input type="hidden" name="source_session_id" value=sid/>
                <div class="field">
                    <label for="save-category">"Category"</label>
                    <select id="save-category" name="category">
                        {Category::ALL.iter().map(|c| view! {
                            <option value=c.as_str() selected=*c == category>{c.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="save-title">"Title"</label>
                    <input id="save-title" name="title" type="text" maxlength="200" value=title/>
                    <FieldError error field="title" id="save-title-error"/>
                </div>
                <div class="field">
                    <label for="save-description">"Solution"</label>
                    <textarea id="save-description" name="description" rows="5" prop:value=description.clone()>{textarea_text(&description)}</textarea>
                    <FieldError error field="description" id="save-description-error"/>
                </div>
                <div class="field">
                    <label for="save-tags">"Tags"</label>
                    <input id="save-tags" name="tags" type="text" placeholder="rust, ci"/>
                    <FieldError error field="tags" id="save-tags-error"/>
                </div>
                <FormError error fields=&["title", "description", "tags"]/>
                <button type="submit" class="btn">"Save entry"</button>
            </ActionForm>
        </details>
    }
}
