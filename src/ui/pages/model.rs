//! The model pass's settings, on `/admin`: an OpenAI-compatible endpoint whose model may
//! rewrite handoff briefings. A plain form that works without JavaScript; the API key field
//! is write-only (the page only says whether a key is saved).

use crate::api::model::{admin_model_settings, AdminRemoveModel, AdminSaveModel};
use crate::domain::model::{ModelSettings, DEFAULT_TIMEOUT_SECS};
use crate::ui::components::forms::{last_error, FieldError, FormError};
use leptos::prelude::*;

#[component]
pub fn ModelPassPanel() -> impl IntoView {
    let save = ServerAction::<AdminSaveModel>::new();
    let remove = ServerAction::<AdminRemoveModel>::new();
    let current = Resource::new(
        move || (save.version().get(), remove.version().get()),
        |_| admin_model_settings(),
    );
    let error = last_error(save.value());
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="panel form-panel" aria-labelledby="model-title" data-testid="model-pass">
            <h2 id="model-title">"Model pass"</h2>
            <p class="muted small">
                "An OpenAI-compatible chat-completions endpoint (Ollama, llama.cpp server, vLLM, OpenAI…) may rewrite each handoff briefing within its budget. "
                "A rewrite is kept only when it still holds every key fact the extractive briefing kept; otherwise the extractive one is returned with the reason."
            </p>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || current.get().map(|r| match r {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(m) => view! { <ModelForm current=m save remove error/> }.into_any(),
                })}
            </Suspense>
            {move || saved().then(|| view! { <p class="form-ok" role="status">"Saved."</p> })}
        </section>
    }
}

#[component]
fn ModelForm(
    current: Option<ModelSettings>,
    save: ServerAction<AdminSaveModel>,
    remove: ServerAction<AdminRemoveModel>,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let configured = current.is_some();
    let has_key = current.as_ref().is_some_and(|m| m.has_key);
    let status = match &current {
        None => "Off: briefings are extractive, and nothing leaves this machine.".to_owned(),
        Some(m) => format!(
            "On: briefings go to {} at {} for a rewrite ({}).",
            m.model,
            m.base_url,
            if m.has_key {
                "a key is saved"
            } else {
                "no key"
            }
        ),
    };
    let (base_url, model, timeout) = current
        .map(|m| (m.base_url, m.model, m.timeout_secs))
        .unwrap_or_else(|| (String::new(), String::new(), DEFAULT_TIMEOUT_SECS));
    view! {
        <p class="meta-line" data-testid="model-status">{status}</p>
        <ActionForm action=save attr:class="form" attr:id="model-form">
            <div class="field">
                <label for="model-base-url">"Base URL " <span class="muted">"(…/v1; /chat/completions is added)"</span></label>
                <input id="model-base-url" name="base_url" type="text" inputmode="url" required
                    value=base_url placeholder="http://127.0.0.1:11434/v1" spellcheck="false"
                    autocomplete="off" aria-describedby="model-base-url-error"/>
                <FieldError error field="base_url" id="model-base-url-error"/>
            </div>
            <div class="field-row">
                <div class="field">
                    <label for="model-name">"Model"</label>
                    <input id="model-name" name="model" type="text" required maxlength="200"
                        value=model placeholder="llama3.1" spellcheck="false"
                        aria-describedby="model-name-error"/>
                    <FieldError error field="model" id="model-name-error"/>
                </div>
                <div class="field">
                    <label for="model-timeout">"Timeout (seconds)"</label>
                    <input id="model-timeout" name="timeout_secs" type="number" min="1" max="120"
                        value=timeout.to_string() aria-describedby="model-timeout-error"/>
                    <FieldError error field="timeout_secs" id="model-timeout-error"/>
                </div>
            </div>
            <div class="field">
                <label for="model-key">"API key " <span class="muted">{if has_key { "(a key is saved: leave empty to keep it)" } else { "(none needed for a local server)" }}</span></label>
                <input id="model-key" name="api_key" type="password" autocomplete="off"
                    maxlength="400" aria-describedby="model-key-error"/>
                <FieldError error field="api_key" id="model-key-error"/>
            </div>
            {has_key.then(|| view! {
                <label class="check">
                    <input type="checkbox" name="remove_key" value="true"/>
                    " Remove the saved key"
                </label>
            })}
            <FormError error fields=&["base_url", "model", "timeout_secs", "api_key"]/>
            <button type="submit" class="btn primary" data-testid="save-model">"Save"</button>
        </ActionForm>
        {configured.then(|| view! {
            <ActionForm action=remove attr:class="pad-top">
                <button type="submit" class="btn small" data-testid="remove-model">"Turn off (extractive only)"</button>
            </ActionForm>
        })}
    }
}
