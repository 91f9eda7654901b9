//! The page frame: header with navigation and theme switch, and the hydration marker.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// True once the WASM bundle has hydrated the page (always false during SSR and without
/// JavaScript). Provided by `App`.
#[derive(Clone, Copy)]
pub struct Hydrated(pub ReadSignal<bool>);

/// Provides `Hydrated`, flipped once the browser has taken over (`data-hydrated` on
/// `<body>` is set when the whole page, lazily loaded parts included, has hydrated). Call once, at the top of `App`.
pub fn provide_hydrated() {
    let (hydrated, set_hydrated) = signal(false);
    provide_context(Hydrated(hydrated));
    // flipped by `mark_hydrated` once the whole page (lazy parts too) has hydrated: parts
    // shown only with JavaScript must not exist while the server's HTML is hydrated
    HYDRATED_SETTER.with(|s| *s.borrow_mut() = Some(set_hydrated));
}

thread_local! {
    static HYDRATED_SETTER: std::cell::RefCell<Option<WriteSignal<bool>>> =
        const { std::cell::RefCell::new(None) };
}

/// Called once hydration has finished: `Hydrated` becomes true.
pub fn mark_hydrated() {
    if let Some(set) = HYDRATED_SETTER.with(|s| *s.borrow()) {
        set.set(true);
    }
}

/// A number that moves whenever the server's data changed (`/events`): resources that show
/// live data list it among their sources and refetch. Stays 0 without JavaScript.
#[derive(Clone, Copy)]
pub struct Live(pub ReadSignal<u64>);

pub fn provide_live() {
    let (version, set_version) = signal(0u64);
    provide_context(Live(version));
    // the stream opens once the page has hydrated: a change arriving while it hydrates
    // would send its resources back into suspense before hydration has finished
    #[cfg(feature = "hydrate")]
    let hydrated = use_hydrated();
    #[cfg(feature = "hydrate")]
    Effect::new(move |opened: Option<bool>| {
        if opened == Some(true) {
            return true;
        }
        if !hydrated.get() {
            return false;
        }
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        // the pages for signing in have nothing live (and no right to the stream)
        let path = web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .unwrap_or_default();
        if ["/login", "/setup", "/invite/"]
            .iter()
            .any(|p| path.starts_with(p))
        {
            return true;
        }
        let Ok(source) = web_sys::EventSource::new("/events") else {
            return true;
        };
        let on_change = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| {
            set_version.update(|v| *v += 1);
        });
        let _ =
            source.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        // lives as long as the page
        on_change.forget();
        std::mem::forget(source);
        true
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = set_version;
}

/// The live data version (0 on the server and until something changed).
pub fn use_live() -> ReadSignal<u64> {
    use_context::<Live>()
        .map(|l| l.0)
        .unwrap_or_else(|| signal(0u64).0)
}

pub fn use_hydrated() -> ReadSignal<bool> {
    use_context::<Hydrated>()
        .map(|h| h.0)
        .unwrap_or_else(|| signal(false).0)
}

#[component]
pub fn AppHeader() -> impl IntoView {
    let location = use_location();
    let on_projects = move || {
        let p = location.pathname.get();
        p == "/" || p.starts_with("/projects")
    };
    let on_accounts = move || location.pathname.get().starts_with("/accounts");
    let on_sessions = move || location.pathname.get().starts_with("/sessions");
    let on_handoff = move || location.pathname.get().starts_with("/handoff");
    let on_knowledge = move || location.pathname.get().starts_with("/knowledge");
    let on_analytics = move || location.pathname.get().starts_with("/analytics");
    let on_sources = move || location.pathname.get().starts_with("/sources");
    view! {
        <header class="topbar">
            <a class="brand" href="/" aria-label="PAAS home">
                <svg class="brand-mark" viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M4 7l8-4 8 4-8 4z" fill="currentColor" opacity="0.9"/>
                    <path d="M4 12l8 4 8-4" fill="none" stroke="currentColor" stroke-width="2"/>
                    <path d="M4 17l8 4 8-4" fill="none" stroke="currentColor" stroke-width="2" opacity="0.6"/>
                </svg>
                <span>"PAAS"</span>
            </a>
            <nav class="topnav" aria-label="Main">
                <a href="/" aria-current=move || on_projects().then_some("page")>"Projects"</a>
                <a href="/sessions" aria-current=move || on_sessions().then_some("page")>"Sessions"</a>
                <a href="/accounts" aria-current=move || on_accounts().then_some("page")>"Accounts"</a>
                <a href="/handoff" aria-current=move || on_handoff().then_some("page")>"Handoff"</a>
                <a href="/knowledge" aria-current=move || on_knowledge().then_some("page")>"Knowledge"</a>
                <a href="/analytics" aria-current=move || on_analytics().then_some("page")>"Analytics"</a>
                <a href="/sources" aria-current=move || on_sources().then_some("page")>"Sources"</a>
            </nav>
            <UserMenu/>
            <ThemeToggle/>
        </header>
    }
}

/// Who is signed in, their settings, the owner's users page, and signing out (a plain
/// form post). `data-access` tells the stylesheet to hide write forms from viewers.
#[component]
fn UserMenu() -> impl IntoView {
    let me = Resource::new(|| (), |_| crate::api::auth::current_user());
    view! {
        <Suspense fallback=|| ()>
            {move || me.get().and_then(|r| r.ok()).flatten().map(|me| {
                let access = match me.access {
                    crate::domain::auth::Access::Read => "read",
                    crate::domain::auth::Access::Write => "write",
                    crate::domain::auth::Access::Admin => "admin",
                };
                let owner = me.role == crate::domain::auth::Role::Owner;
                view! {
                    <div class="user-menu" data-access=access data-testid="user-menu">
                        <a href="/settings" class="user-name" title=me.email.clone()>{me.name.clone()}</a>
                        {owner.then(|| view! { <a href="/admin">"Users"</a> })}
                        <form method="post" action="/logout" class="keep">
                            <button type="submit" class="linklike">"Sign out"</button>
                        </form>
                    </div>
                }
            })}
        </Suspense>
    }
}

/// Switches between light and dark (remembered in this browser); follows the system
/// setting until used. Needs JavaScript, so it appears once the page has hydrated.
#[component]
fn ThemeToggle() -> impl IntoView {
    let hydrated = use_hydrated();
    let toggle = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let Some(root) = document().document_element() else {
                return;
            };
            let current = root.get_attribute("data-theme").unwrap_or_else(|| {
                let dark = window()
                    .match_media("(prefers-color-scheme: dark)")
                    .ok()
                    .flatten()
                    .map(|m| m.matches())
                    .unwrap_or(false);
                if dark { "dark" } else { "light" }.to_string()
            });
            let next = if current == "dark" { "light" } else { "dark" };
            let _ = root.set_attribute("data-theme", next);
            if let Ok(Some(storage)) = window().local_storage() {
                let _ = storage.set_item("paas-theme", next);
            }
        }
    };
    view! {
        <Show when=move || hydrated.get()>
            <button class="icon-btn theme-toggle" type="button" on:click=toggle
                title="Switch light / dark theme" aria-label="Switch light or dark theme">
                <svg viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M12 3a9 9 0 1 0 9 9 7 7 0 0 1-9-9z" fill="currentColor"/>
                </svg>
            </button>
        </Show>
    }
}

/// A failed load, said plainly, with a way forward.
#[component]
pub fn ErrorPanel(error: crate::error::AppError) -> impl IntoView {
    let title = match &error {
        crate::error::AppError::NotFound { .. } => "Not found",
        crate::error::AppError::Internal => "Something went wrong on the server",
        _ => "This could not be loaded",
    };
    let class = if matches!(error, crate::error::AppError::NotFound { .. }) {
        "error-panel neutral"
    } else {
        "error-panel"
    };
    view! {
        <div class=class role="alert" data-testid="error-panel">
            <p class="error-title">{title}</p>
            <p class="muted">{error.to_string()}</p>
            <a href="/">"Back to projects"</a>
        </div>
    }
}

/// During server rendering, answers the page with the error's HTTP status (404 for an
/// unknown id, …); in the browser, does nothing.
pub fn set_http_status(error: &crate::error::AppError) {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(code) = axum::http::StatusCode::from_u16(error.status_code()) {
            res.set_status(code);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = error;
}

/// A page part loaded from the server: `loading` while it loads, `show` with the value once
/// it has, and a failure as an [`ErrorPanel`] — answered with its HTTP status when
/// `missing` names the page's title for a record that is not there.
#[component]
pub fn Loaded<T, V>(
    resource: Resource<Result<T, crate::error::AppError>>,
    show: impl Fn(T) -> V + Clone + Send + Sync + 'static,
    /// What is loading, said in the meantime ("Loading sessions…").
    #[prop(default = "Loading…")]
    loading: &'static str,
    /// The loading line sits in a padded list panel.
    #[prop(optional)]
    padded: bool,
    /// The page's title when the record is missing ("Session not found"); the page is then
    /// answered with the error's status (404…).
    #[prop(optional)]
    missing: Option<&'static str>,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    let class = if padded { "muted pad" } else { "muted" };
    view! {
        <Transition fallback=move || view! { <p class=class>{loading}</p> }>
            {move || {
                let show = show.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(v) => show(v).into_any(),
                        Err(e) => match missing {
                            Some(title) => {
                                set_http_status(&e);
                                view! { <leptos_meta::Title text=title/><ErrorPanel error=e/> }
                                    .into_any()
                            }
                            None => view! { <ErrorPanel error=e/> }.into_any(),
                        },
                    }
                })
            }}
        </Transition>
    }
}
