//! Server functions for the knowledge base.

use crate::domain::knowledge::{Category, Entry, Hit, KnowledgeQuery, Outcome};
use crate::domain::time::Timestamp;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    api::form,
    domain::knowledge::{EntryInput, OutcomeInput},
    server::clock,
    service::knowledge as svc,
};

/// Results of the knowledge page: hits for the query and filters, and the facets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeListing {
    pub query: KnowledgeQuery,
    pub hits: Vec<Hit>,
    pub tags: Vec<(String, i64)>,
    pub categories: Vec<(Category, i64)>,
    pub total: i64,
}

/// One entry, its description rendered safely, and its recorded outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryView {
    pub entry: Entry,
    pub description_html: String,
    pub outcomes: Vec<Outcome>,
    pub now: Timestamp,
}

#[server(prefix = "/rpc", endpoint = "list_knowledge")]
pub async fn list_knowledge(
    q: Option<String>,
    category: Option<String>,
    tag: Option<String>,
) -> Result<KnowledgeListing, AppError> {
    let state = super::ssr::state()?;
    let query = KnowledgeQuery { q, category, tag };
    let hits = svc::search(&state.db, &query, 50).await?;
    let (tags, categories) = svc::facets(&state.db).await?;
    Ok(KnowledgeListing {
        total: categories.iter().map(|(_, n)| n).sum(),
        query,
        hits,
        tags,
        categories,
    })
}

#[server(prefix = "/rpc", endpoint = "get_knowledge")]
pub async fn get_knowledge(id: String) -> Result<EntryView, AppError> {
    let state = super::ssr::state()?;
    let id = form::id(&id, "id")?;
    let entry = svc::get(&state.db, id).await?;
    Ok(EntryView {
        description_html: crate::api::handoff::render_markdown(&entry.description),
        outcomes: svc::outcomes(&state.db, id).await?,
        entry,
        now: clock::now(),
    })
}

#[cfg(feature = "ssr")]
fn entry_input(
    category: Option<String>,
    title: Option<String>,
    description: Option<String>,
    tags: Option<String>,
    source_session_id: Option<String>,
) -> Result<EntryInput, AppError> {
    Ok(EntryInput {
        category,
        title,
        description,
        tags,
        source_session_id: form::opt_number(source_session_id, "source_session_id")?,
        version: None,
    })
}

/// Creates an entry and opens it.
#[server(prefix = "/rpc", endpoint = "create_knowledge")]
pub async fn create_knowledge(
    category: Option<String>,
    title: Option<String>,
    description: Option<String>,
    tags: Option<String>,
    source_session_id: Option<String>,
) -> Result<Entry, AppError> {
    let state = super::ssr::state()?;
    let input = entry_input(category, title, description, tags, source_session_id)?;
    let entry = svc::create(&state.db, &input, clock::now()).await?;
    leptos_axum::redirect(&format!("/knowledge/{}", entry.id));
    Ok(entry)
}

#[server(prefix = "/rpc", endpoint = "update_knowledge")]
pub async fn update_knowledge(
    id: String,
    category: Option<String>,
    title: Option<String>,
    description: Option<String>,
    tags: Option<String>,
    source_session_id: Option<String>,
    #[server(default)] version: Option<String>,
) -> Result<Entry, AppError> {
    let state = super::ssr::state()?;
    let mut input = entry_input(category, title, description, tags, source_session_id)?;
    input.version = match version.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => Some(form::id(v, "version")?),
    };
    svc::update(&state.db, form::id(&id, "id")?, &input, clock::now()).await
}

#[server(prefix = "/rpc", endpoint = "delete_knowledge")]
pub async fn delete_knowledge(id: String, confirm: Option<String>) -> Result<(), AppError> {
    // deleting cannot be undone: the form asks for a tick first
    if confirm.as_deref() != Some("yes") {
        return Err(AppError::validation(
            "confirm",
            "tick the box to confirm: a deleted entry and its outcomes cannot be brought back",
        ));
    }
    let state = super::ssr::state()?;
    svc::delete(&state.db, form::id(&id, "id")?).await?;
    leptos_axum::redirect("/knowledge");
    Ok(())
}

/// "Applied — it worked" (`worked = "yes"`) or "it didn't" (`"no"`).
#[server(prefix = "/rpc", endpoint = "record_knowledge_outcome")]
pub async fn record_knowledge_outcome(
    id: String,
    worked: String,
    session_id: Option<String>,
    note: Option<String>,
) -> Result<Entry, AppError> {
    let state = super::ssr::state()?;
    let worked = match worked.trim() {
        "yes" | "true" => true,
        "no" | "false" => false,
        other => {
            return Err(AppError::validation(
                "worked",
                format!("{other:?} is not yes or no"),
            ))
        }
    };
    let input = OutcomeInput {
        worked: Some(worked),
        session_id: form::opt_number(session_id, "session_id")?,
        note: note.filter(|n| !n.trim().is_empty()),
    };
    svc::record_outcome(&state.db, form::id(&id, "id")?, &input, clock::now()).await
}

/// The entries that best match a session's objectives and blockers.
#[server(prefix = "/rpc", endpoint = "suggest_knowledge")]
pub async fn suggest_knowledge(text: String) -> Result<Vec<Hit>, AppError> {
    let state = super::ssr::state()?;
    let text: String = text.chars().take(4_000).collect();
    svc::suggest(&state.db, &text, 3).await
}
