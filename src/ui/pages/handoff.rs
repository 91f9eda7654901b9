//! `/handoff`: paste a session log (or pick a stored session), choose a level or a
//! budget, and get a briefing: rendered preview, the markdown to copy or download, the
//! numbers, and the salient facts that did not fit.

use crate::api::handoff::{handoff_briefing, handoff_sources, CompressHandoff, HandoffResult};
use crate::domain::handoff::{EngineKind, FactKind};
use crate::ui::components::briefing::BriefingActions;
use crate::ui::components::forms::{last_error, FieldError, FormError};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn HandoffPage() -> impl IntoView {
    let action = ServerAction::<CompressHandoff>::new();
    let error = last_error(action.value());
    let sources = Resource::new(|| (), |_| handoff_sources());
    let query = use_query_map();
    let preselect = query.with_untracked(|q| q.get("session_id").unwrap_or_default());
    // without JavaScript the form posts, and the redirect names the briefing it made
    let stored = Resource::new(
        move || query.with(|q| q.get("briefing").unwrap_or_default()),
        |token| async move {
            if token.is_empty() {
                None
            } else {
                handoff_briefing(token).await.ok().flatten()
            }
        },
    );
    let result = move || {
        action
            .value()
            .get()
            .and_then(Result::ok)
            .or_else(|| stored.get().flatten())
    };
    view! {
        <Title text="Handoff"/>
        <div class="page-head">
            <div>
                <h1>"Handoff"</h1>
                <p class="muted">"Compress a session log into a briefing any fresh session can continue from."</p>
            </div>
        </div>
        <div class="split handoff-split">
            <section class="panel form-panel" aria-labelledby="compress-title">
                <h2 id="compress-title">"Source"</h2>
                <ActionForm action attr:class="form" attr:id="compress-form">
                    <div class="field">
                        <label for="handoff-context">"Session log"</label>
                        <textarea id="handoff-context" name="context" rows="12" spellcheck="false"
                            aria-describedby="handoff-context-error"
                            placeholder="Paste a conversation: an aider history, a SpecStory or Claude Code export, a ChatGPT or Claude.ai JSON export, or plain notes"></textarea>
                        <FieldError error field="context" id="handoff-context-error"/>
                    </div>
                    <div class="field">
                        <label for="handoff-session">"…or a stored session"</label>
                        <Transition fallback=|| view! { <select id="handoff-session" name="session_id" disabled=true><option>"Loading…"</option></select> }>
                            {move || {
                                let preselect = preselect.clone();
                                Suspend::new(async move {
                                    let list = sources.await.unwrap_or_default();
                                    view! {
                                        <select id="handoff-session" name="session_id">
                                            <option value="">"— use the pasted log —"</option>
                                            {list.into_iter().map(|(id, label)| {
                                                let sel = id.to_string() == preselect;
                                                view! { <option value=id.to_string() selected=sel>{label}</option> }
                                            }).collect_view()}
                                        </select>
                                    }
                                })
                            }}
                        </Transition>
                        <FieldError error field="session_id" id="handoff-session-error"/>
                    </div>
                    <div class="field-row">
                        <div class="field">
                            <label for="handoff-level">"Level"</label>
                            <select id="handoff-level" name="level">
                                <option value="low">"Low (10 %)"</option>
                                <option value="medium" selected=true>"Medium (5 %)"</option>
                                <option value="high">"High (2 %)"</option>
                            </select>
                            <FieldError error field="compress_level" id="handoff-level-error"/>
                        </div>
                        <div class="field">
                            <label for="handoff-budget">"Budget (characters)"</label>
                            <input id="handoff-budget" name="budget_chars" type="text" inputmode="numeric" placeholder="from the level"
                                aria-describedby="handoff-budget-error"/>
                            <FieldError error field="budget_chars" id="handoff-budget-error"/>
                        </div>
                    </div>
                    <FormError error fields=&["context", "session_id", "compress_level", "budget_chars"]/>
                    <button type="submit" class="btn primary" data-testid="compress">
                        {move || if action.pending().get() { "Compressing…" } else { "Compress" }}
                    </button>
                </ActionForm>
            </section>
            <section class="panel" aria-label="Briefing" data-testid="handoff-result">
                <Suspense fallback=|| ()>
                {move || match result() {
                    None => view! {
                        <div class="empty">
                            <h2>"No briefing yet"</h2>
                            <p class="muted">"The briefing keeps the goal, the current state, blockers and errors, decisions, files, the user's constraints and the next steps, within the budget. It is made on this machine unless the owner has set up a model pass; the result says which."</p>
                        </div>
                    }.into_any(),
                    Some(r) => view! { <Result r/> }.into_any(),
                }}
                </Suspense>
            </section>
        </div>
    }
}

fn kind_label(k: FactKind) -> &'static str {
    match k {
        FactKind::Path => "Files",
        FactKind::Command => "Commands",
        FactKind::Error => "Errors",
        FactKind::Url => "Links",
        FactKind::Identifier => "Identifiers",
        FactKind::Version => "Versions",
        FactKind::Commit => "Commits",
    }
}

#[component]
fn Result(r: HandoffResult) -> impl IntoView {
    let b = r.briefing;
    let s = b.stats;
    let (tab, set_tab) = signal("preview");
    let html = r.html;
    let dropped_total = b.dropped.len();
    let mut groups: Vec<(FactKind, Vec<(String, usize)>)> = Vec::new();
    for d in b.dropped {
        match groups.iter_mut().find(|(k, _)| *k == d.kind) {
            Some((_, list)) => list.push((d.text, d.count)),
            None => groups.push((d.kind, vec![(d.text, d.count)])),
        }
    }
    let markdown = b.markdown;
    let engine = r.engine.summary(b.facts_kept);
    let engine_class = match (r.engine.kind, r.engine.model.is_some()) {
        (EngineKind::Model, _) => "engine-line model",
        (EngineKind::Extractive, true) => "engine-line refused",
        (EngineKind::Extractive, false) => "engine-line",
    };
    view! {
        <p class=engine_class data-testid="briefing-engine">{engine}</p>
        <div class="handoff-stats" data-testid="handoff-stats">
            <span><strong>{format!("{:.1} %", s.compression_ratio)}</strong>" smaller"</span>
            <span>{format!("{} → {} characters", s.original_chars, s.compressed_chars)}</span>
            <span>{format!("{} → {} lines", s.original_lines, s.compressed_lines)}</span>
            <span>{format!("budget {} · {}", b.budget, r.level.as_str())}</span>
            <span>{format!("facts kept {} of {}", b.facts_kept, b.facts_total)}</span>
        </div>
        // copy and download sit beside the tabs: both views give the same markdown
        <div class="tabs-row">
            <div class="tabs" role="tablist" aria-label="Briefing view">
                <button type="button" role="tab" class="tab" aria-selected=move || (tab.get() == "preview").to_string()
                    on:click=move |_| set_tab.set("preview")>"Preview"</button>
                <button type="button" role="tab" class="tab" aria-selected=move || (tab.get() == "markdown").to_string()
                    on:click=move |_| set_tab.set("markdown")>"Markdown"</button>
            </div>
            <BriefingActions text=markdown.clone() file_name=r.file_name/>
        </div>
        <div class="markdown-preview" data-testid="briefing-preview" inner_html=html
            class:hidden=move || tab.get() != "preview"></div>
        <div class="briefing" class:hidden=move || tab.get() != "markdown">
            <pre class="briefing-text" tabindex="0">{markdown}</pre>
        </div>
        <details class="dropped" data-testid="dropped-facts">
            <summary>
                {if dropped_total == 0 {
                    "Dropped facts: none — every salient fact is in the briefing".to_owned()
                } else {
                    format!("Dropped facts: {dropped_total} did not fit")
                }}
            </summary>
            {groups.into_iter().map(|(k, list)| {
                let n = list.len();
                view! {
                    <div class="dropped-group">
                        <h3>{format!("{} · {}", kind_label(k), n)}</h3>
                        <ul>
                            {list.into_iter().take(40).map(|(t, c)| view! {
                                <li><code>{t}</code>{(c > 1).then(|| view! { <span class="muted">{format!(" ×{c}")}</span> })}</li>
                            }).collect_view()}
                        </ul>
                        {(n > 40).then(|| view! { <p class="muted">{format!("and {} more", n - 40)}</p> })}
                    </div>
                }
            }).collect_view()}
        </details>
    }
}
