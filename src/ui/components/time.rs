//! Times as a person reads them: relative where that is what matters, the exact local time
//! on hover. Rendered on the server in its configured zone (`--time-zone`) and switched to
//! the browser's own zone once hydrated; the texts keep their width, so nothing shifts.

use crate::domain::time::{LocalTime, Timestamp};
use crate::ui::components::layout::Hydrated;
use leptos::prelude::*;

/// The zone the server renders times in.
#[derive(Clone, Debug)]
pub struct DisplayZone(pub String);

/// The server's zone: from its settings while rendering, from `<body data-tz>` (which the
/// server wrote) in the browser, so hydration renders the same text the server did.
pub fn server_zone() -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<crate::server::AppState>()
            .map(|s| s.time_zone.as_str().to_owned())
            .unwrap_or_else(|| "UTC".into())
    }
    #[cfg(not(feature = "ssr"))]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("body").ok().flatten())
            .and_then(|b| b.get_attribute("data-tz"))
            .unwrap_or_else(|| "UTC".into())
    }
}

/// Provides `DisplayZone`. Call once, at the top of `App`.
pub fn provide_display_zone() {
    provide_context(DisplayZone(server_zone()));
}

/// The browser's own zone (an IANA name), once hydrated.
fn browser_zone() -> Option<String> {
    #[cfg(all(target_arch = "wasm32", not(feature = "ssr")))]
    {
        jiff::tz::TimeZone::system().iana_name().map(str::to_owned)
    }
    #[cfg(not(all(target_arch = "wasm32", not(feature = "ssr"))))]
    {
        None
    }
}

/// The zone to show times in now: the server's while rendering and hydrating, then the
/// browser's. Also the zone a new refill schedule is preset to.
pub fn zone_now() -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let server = use_context::<DisplayZone>()
        .map(|z| z.0)
        .unwrap_or_else(|| "UTC".into());
    let hydrated = use_context::<Hydrated>();
    move || {
        if hydrated.is_some_and(|h| h.0.get()) {
            browser_zone().unwrap_or_else(|| server.clone())
        } else {
            server.clone()
        }
    }
}

/// Every IANA time zone name, for a searchable time zone field (`list="time-zones"`).
#[component]
pub fn TimeZoneList() -> impl IntoView {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_owned())
        .filter(|n| n.contains('/') || n == "UTC")
        .collect();
    names.sort();
    view! {
        <datalist id="time-zones">
            {names.into_iter().map(|n| view! { <option value=n></option> }).collect_view()}
        </datalist>
    }
}

/// How a time reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Show {
    /// "5 min ago" (a date past a month)
    #[default]
    Ago,
    /// "in 3 h"
    Until,
    /// "14:05"
    Clock,
    /// "in 3 h (14:05)"
    UntilClock,
    /// "7 Dec 2026"
    Date,
}

/// The words for `at` seen from `now` in `local`.
pub fn words(at: Timestamp, now: Timestamp, show: Show, local: &LocalTime) -> String {
    match show {
        Show::Ago if now.unix() - at.unix() >= 30 * 86_400 => local.date.clone(),
        Show::Ago => at.ago(now),
        Show::Until => crate::domain::quota::until(now, at),
        Show::Clock => local.clock.clone(),
        Show::UntilClock => format!("{} ({})", crate::domain::quota::until(now, at), local.clock),
        Show::Date => local.date.clone(),
    }
}

/// The words for `at` as a closure (for text that cannot hold a `<time>`, such as an
/// `<option>`), local like `When`.
pub fn when_text(
    at: Timestamp,
    now: Timestamp,
    show: Show,
) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let zone = zone_now();
    move || words(at, now, show, &at.local(&zone()))
}

/// `<time>` with the words for `at` and the exact local time as its title.
#[component]
pub fn When(
    at: Timestamp,
    now: Timestamp,
    #[prop(optional)] show: Show,
    #[prop(optional, into)] class: Option<&'static str>,
) -> impl IntoView {
    let zone = zone_now();
    let local = Memo::new(move |_| at.local(&zone()));
    view! {
        <time class=class datetime=at.to_rfc3339() title=move || local.with(|l| l.exact.clone())>
            {move || local.with(|l| words(at, now, show, l))}
        </time>
    }
}
