//! Server functions for the Handoff page.

use crate::domain::handoff::{Briefing, Engine, Level};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A compressed briefing with its markdown rendered to safe HTML for the preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoffResult {
    pub briefing: Briefing,
    pub level: Level,
    /// Which engine wrote the briefing, and why the extractive one was returned.
    pub engine: Engine,
    pub html: String,
    pub file_name: String,
}

/// Markdown to HTML with raw HTML shown as text (no script injection).
#[cfg(feature = "ssr")]
pub fn render_markdown(md: &str) -> String {
    use pulldown_cmark::{html, Event, Options, Parser, Tag};
    // briefings hold identifiers like __init__ or snake_case: underscores are literal
    // (the engine never writes emphasis), except inside code spans
    let mut escaped = String::with_capacity(md.len() + 16);
    let mut in_code = false;
    for c in md.chars() {
        match c {
            '`' => in_code = !in_code,
            '\n' => in_code = false,
            '_' if !in_code => escaped.push('\\'),
            _ => {}
        }
        escaped.push(c);
    }
    let parser = Parser::new_ext(
        &escaped,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Link {
            link_type,
            dest_url: "#unsafe-link-removed".into(),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Image {
            link_type,
            dest_url: "".into(),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

/// Link and image targets markdown may render: relative ones, and `http`, `https` and
/// `mailto` (never `javascript:`, `data:` or other schemes). The parser has already
/// decoded entities, so `&#106;avascript:` is seen as what it is.
#[cfg(feature = "ssr")]
pub fn safe_url(url: &str) -> bool {
    let t: String = url
        .trim()
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect();
    let before_path = t.split(['/', '?', '#']).next().unwrap_or("");
    match before_path.split_once(':') {
        None => true,
        Some((scheme, _)) => matches!(
            scheme.to_ascii_lowercase().as_str(),
            "http" | "https" | "mailto"
        ),
    }
}

/// Sessions to build a briefing from: `(id, "Project · session N")`, newest first.
#[server(prefix = "/rpc", endpoint = "handoff_sources")]
pub async fn handoff_sources() -> Result<Vec<(i64, String)>, AppError> {
    let state = super::ssr::state()?;
    let zone = state.time_zone.as_str().to_owned();
    // what the work was first, then where and when: "Fix the totals — Billing · #3 · 7 Dec 2026"
    Ok(crate::service::session::choices(&state.db, 200)
        .await?
        .into_iter()
        .map(|c| {
            let what = c
                .objectives
                .as_deref()
                .and_then(|o| o.lines().map(str::trim).find(|l| !l.is_empty()))
                .map(|o| crate::domain::handoff::cut(o, 70))
                .unwrap_or_else(|| "(no objective)".to_string());
            let when = c
                .started_at
                .map(|t| format!(" · {}", t.local(&zone).date))
                .unwrap_or_default();
            (
                c.id,
                format!("{what} — {} · #{}{when}", c.project, c.number),
            )
        })
        .collect())
}

/// Compresses a pasted log or a stored session.
#[server(prefix = "/rpc", endpoint = "compress_handoff")]
pub async fn compress_handoff(
    context: Option<String>,
    session_id: Option<String>,
    level: Option<String>,
    budget_chars: Option<String>,
) -> Result<HandoffResult, AppError> {
    use crate::service::handoff::{compress, CompressRequest};
    let state = super::ssr::state()?;
    let session_id = super::form::opt_number(session_id, "session_id")?;
    // "8,000" and "8 000" as people type them
    let budget_chars = super::form::opt_number(
        budget_chars.map(|v| v.replace([',', '_', ' '], "")),
        "budget_chars",
    )?;
    let req = CompressRequest {
        session_id,
        context,
        compress_level: level,
        budget_chars,
        ..CompressRequest::default()
    };
    let c = compress(&state.db, &state.model_pass, &req).await?;
    let file_name = match session_id {
        Some(id) => format!("handoff-session-{id}.md"),
        None => "handoff.md".to_owned(),
    };
    let result = HandoffResult {
        html: render_markdown(&c.briefing.markdown),
        briefing: c.briefing,
        level: c.level,
        engine: c.engine,
        file_name,
    };
    // a form posted without JavaScript: the page shows the result after the redirect
    if let Ok(headers) = leptos_axum::extract::<axum::http::HeaderMap>().await {
        let html = headers
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
        if let (true, Ok(me)) = (html, super::ssr::signed_in()) {
            let token = recent::put(me.me.id, result.clone());
            leptos_axum::redirect(&format!("/handoff?briefing={token}"));
        }
    }
    Ok(result)
}

/// A briefing made by a form posted without JavaScript, by the token its redirect carries:
/// only for the user who made it (`None` otherwise, and once it is gone: only the last few
/// are kept, in memory).
#[server(prefix = "/rpc", endpoint = "handoff_briefing")]
pub async fn handoff_briefing(token: String) -> Result<Option<HandoffResult>, AppError> {
    let me = super::ssr::require(crate::domain::auth::Access::Read)?;
    Ok(recent::get(me.me.id, token.trim()))
}

/// The last few briefings made without JavaScript, by an unguessable token.
#[cfg(feature = "ssr")]
mod recent {
    use super::HandoffResult;
    use crate::domain::auth::UserId;
    use std::collections::VecDeque;
    use std::sync::{Mutex, OnceLock};

    const KEPT: usize = 16;

    type Kept = (String, UserId, HandoffResult);

    fn store() -> &'static Mutex<VecDeque<Kept>> {
        static STORE: OnceLock<Mutex<VecDeque<Kept>>> = OnceLock::new();
        STORE.get_or_init(Default::default)
    }

    pub fn put(user: UserId, result: HandoffResult) -> String {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let mut q = store().lock().unwrap_or_else(|e| e.into_inner());
        q.push_back((token.clone(), user, result));
        while q.len() > KEPT {
            q.pop_front();
        }
        token
    }

    pub fn get(user: UserId, token: &str) -> Option<HandoffResult> {
        let q = store().lock().unwrap_or_else(|e| e.into_inner());
        q.iter()
            .find(|(t, u, _)| t == token && *u == user)
            .map(|(_, _, r)| r.clone())
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::render_markdown;

    #[test]
    fn only_safe_schemes() {
        for ok in [
            "https://x.y",
            "http://x",
            "mailto:a@b.c",
            "/a",
            "a/b",
            "#top",
            "?q=1",
            "a/b:c",
        ] {
            assert!(super::safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:x",
            " JAVASCRIPT:x",
            "java\tscript:x",
            "data:x",
            "vbscript:x",
            "file:///etc",
        ] {
            assert!(!super::safe_url(bad), "{bad}");
        }
    }

    #[test]
    fn raw_html_is_escaped() {
        let html = render_markdown("## Goal\n- <script>alert(1)</script> `x`\n");
        assert!(html.contains("<h2>Goal</h2>"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        // underscores stay literal, in and out of code spans
        for evil in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](&#106;avascript:alert(1))",
            "<javascript:alert(1)>",
            "[x][r]\n\n[r]: javascript:alert(1)",
            "![i](data:text/html;base64,PHNjcmlwdD4=)",
            "[x](java\tscript:alert(1))",
            "[x](vbscript:msgbox)",
            "[x](data:text/html,<script>alert(1)</script>)",
        ] {
            let out = render_markdown(evil);
            for attr in ["href=\"", "src=\""] {
                for part in out.split(attr).skip(1) {
                    let value = part.split('"').next().unwrap_or("");
                    assert!(
                        super::safe_url(value) && !value.to_ascii_lowercase().contains("script:"),
                        "{evil:?} rendered {out}"
                    );
                }
            }
        }
        let ok =
            render_markdown("[a](https://example.com) [b](/projects/1) [c](mailto:a@b.c) [d](#x)");
        for href in ["https://example.com", "/projects/1", "mailto:a@b.c", "#x"] {
            assert!(ok.contains(&format!("href=\"{href}\"")), "{ok}");
        }
        let html = render_markdown("- Files: scripts/__pycache__, `a__b__`\n");
        assert!(html.contains("scripts/__pycache__"), "{html}");
        assert!(html.contains("<code>a__b__</code>"), "{html}");
    }
}
