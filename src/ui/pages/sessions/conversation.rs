//! A session's conversation panel: the turns, search and pages, adding a turn, importing a log.

use super::{enc, SessionActions};
use crate::api::session::TurnPage;
use crate::domain::session::SessionId;
use crate::ui::components::forms::{last_error, FieldError, FormError};
use crate::ui::components::status::figure;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The Conversation panel: the outcome of a file upload, one page of the conversation, and
/// the forms that add a turn (while the session runs) and import a log.
#[component]
pub(super) fn ConversationPanel(
    session_id: SessionId,
    turns: TurnPage,
    running: bool,
    actions: SessionActions,
) -> impl IntoView {
    let query = use_query_map();
    let upload_note = query.with_untracked(|q| (q.get("imported"), q.get("import_error")));
    let turn_error = last_error(actions.turn.value());
    let import_error = last_error(actions.import.value());
    let import_done = move || actions.import.value().get().and_then(|r| r.ok());
    view! {
        <section class="panel" aria-labelledby="conv-title" id="conversation">
            <h2 id="conv-title">"Conversation"</h2>
            {match upload_note {
                (Some(n), _) => Some(view! { <p class="form-ok" role="status" data-testid="upload-done">{format!("Imported {n} turns from the file.")}</p> }.into_any()),
                (None, Some(e)) => Some(view! { <p class="form-error" role="alert" data-testid="upload-error">{e}</p> }.into_any()),
                _ => None,
            }}
            <Conversation session_id=session_id.0 turns/>
            {running.then(|| view! {
                <details class="disclosure">
                    <summary>"Add a turn by hand"</summary>
                    <ActionForm action=actions.turn attr:class="form">
                        <input type="hidden" name="id" value=session_id.to_string()/>
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
            })}
            <details class="disclosure import-log" id="import" open=move || import_error.get().is_some()>
                <summary>"Import a conversation log"</summary>
                <ActionForm action=actions.import attr:class="form">
                    <input type="hidden" name="id" value=session_id.to_string()/>
                    <div class="field">
                        <label for="imp-format">"Format"</label>
                        <select id="imp-format" name="format">
                            <option value="auto">"Detect"</option>
                            <option value="chatgpt">"ChatGPT export (conversations.json)"</option>
                            <option value="claude">"Claude.ai export (JSON)"</option>
                            <option value="aider">"aider chat history (.md)"</option>
                            <option value="specstory">"SpecStory markdown"</option>
                            <option value="agent">"Claude Code, Codex or Gemini CLI log (JSONL)"</option>
                            <option value="console">"Claude Code or Gemini CLI terminal copy"</option>
                            <option value="transcript">"Claude Code Markdown transcript"</option>
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
                    action=format!("/upload/sessions/{session_id}/import")>
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
    }
}

/// One page of the conversation: search, pager (the latest page first), each turn
/// rendered from markdown on the server; long turns, code and tool output folded.
#[component]
fn Conversation(session_id: i64, turns: TurnPage) -> impl IntoView {
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
