//! Showing a briefing: the text, a copy button (with JavaScript) and a download link
//! (works without it).

use crate::ui::components::layout::use_hydrated;
use leptos::prelude::*;

/// Percent-encodes text for a `data:` URL.
pub fn data_url(mime: &str, text: &str) -> String {
    format!(
        "data:{mime};charset=utf-8,{}",
        crate::domain::text::percent_encode(text)
    )
}

#[component]
pub fn BriefingBox(text: String, file_name: String) -> impl IntoView {
    view! {
        <div class="briefing" data-testid="briefing">
            <div class="briefing-bar">
                <span class="muted">"Briefing (markdown)"</span>
                <BriefingActions text=text.clone() file_name/>
            </div>
            <pre class="briefing-text" tabindex="0">{text}</pre>
        </div>
    }
}

/// Copy (with JavaScript) and download (without too) of a briefing's markdown.
#[component]
pub fn BriefingActions(text: String, file_name: String) -> impl IntoView {
    let hydrated = use_hydrated();
    let (copied, set_copied) = signal(false);
    let href = data_url("text/markdown", &text);
    let copy_text = text.clone();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let clipboard = window().navigator().clipboard();
            let _ = clipboard.write_text(&copy_text);
            set_copied.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (&copy_text, set_copied);
        }
    };
    view! {
        <div class="briefing-actions">
            <Show when=move || hydrated.get()>
                <button type="button" class="btn small" on:click=copy.clone() data-testid="copy-briefing">
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </Show>
            <a class="btn small" href=href download=file_name data-testid="download-briefing">"Download .md"</a>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::data_url;

    #[test]
    fn data_urls_escape_everything_unsafe() {
        assert_eq!(
            data_url("text/markdown", "# Hi, you\n"),
            "data:text/markdown;charset=utf-8,%23%20Hi%2C%20you%0A"
        );
        assert_eq!(
            data_url("text/plain", "é"),
            "data:text/plain;charset=utf-8,%C3%A9"
        );
    }
}
