//! The dashboard: pages and components, rendered on the server (readable without
//! JavaScript) and hydrated in the browser.

pub mod components;
pub mod pages;
mod routes;

use components::layout::{provide_hydrated, provide_live, AppHeader};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};
use pages::dashboard::Dashboard;
use pages::not_found::NotFound;
use routes::*;

/// Applies the saved theme before the first paint (no flash of the wrong theme).
const THEME_SCRIPT: &str = "try{var t=localStorage.getItem('paas-theme');\
if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}";

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    send_page_policy(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href=format!("/{}/{}.css", options.site_pkg_dir, options.output_name)/>
                <script nonce=leptos::nonce::use_nonce()>{THEME_SCRIPT}</script>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body data-tz=crate::ui::components::time::server_zone()>
                <App/>
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy, with this render's nonce (the hydration script and
/// the theme script carry it; nothing else inline runs).
#[cfg(feature = "ssr")]
fn send_page_policy(options: &LeptosOptions) {
    if let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        let reload = std::env::var("LEPTOS_WATCH")
            .is_ok()
            .then_some(options.reload_port);
        let policy = crate::server::guard::page_policy(&nonce.to_string(), reload);
        if let Ok(v) = axum::http::HeaderValue::from_str(&policy) {
            res.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, v);
        }
    }
}

/// A page title for `<title>`: leptos_meta writes the server-rendered title without
/// escaping, so a stored name could close the element; the browser sets it as plain text.
pub fn title_text(page: &str) -> String {
    let full = if page.is_empty() {
        "PAAS".to_string()
    } else {
        format!("{page} · PAAS")
    };
    if cfg!(feature = "ssr") {
        full.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        full
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_hydrated();
    provide_live();
    crate::ui::components::time::provide_display_zone();
    view! {
        <Title formatter=|page: String| title_text(&page)/>
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <AppHeader/>
            <main id="main" class="page" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("") view=Dashboard ssr=SsrMode::InOrder/>
                    <Route path=path!("/projects/:id") view={Lazy::<ProjectRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/accounts") view={Lazy::<AccountsRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/accounts/:id") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/sessions") view={Lazy::<SessionsRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/sessions/:id") view={Lazy::<SessionRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/handoff") view={Lazy::<HandoffRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/analytics") view={Lazy::<AnalyticsRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/import") view={Lazy::<ImportRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/sources") view={Lazy::<SourcesRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/knowledge") view={Lazy::<KnowledgeRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/knowledge/:id") view={Lazy::<KnowledgeEntryRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/import/:token") view={Lazy::<ImportPreviewRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/login") view={Lazy::<LoginRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/setup") view={Lazy::<SetupRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/invite/:secret") view={Lazy::<InviteRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/settings") view={Lazy::<SettingsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin") view={Lazy::<AdminRoute>::new()} ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
