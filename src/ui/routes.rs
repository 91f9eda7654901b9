//! The pages other than the dashboard, each loaded on demand: in the browser build every
//! page's code (its views, the server functions it calls, the types it reads) is split
//! into a WASM chunk of its own that is fetched when the page is first shown, so the
//! first visit downloads the dashboard and the shared code only. On the server these
//! render like any route.

use super::pages;
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

pub struct ProjectRoute;

#[lazy_route]
impl LazyRoute for ProjectRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        pages::projects::ProjectPage().into_any()
    }
}

pub struct AccountsRoute;

#[lazy_route]
impl LazyRoute for AccountsRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        pages::accounts::AccountsPage().into_any()
    }
}

pub struct AccountRoute;

#[lazy_route]
impl LazyRoute for AccountRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        pages::accounts::AccountPage().into_any()
    }
}

pub struct SessionsRoute;

#[lazy_route]
impl LazyRoute for SessionsRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        pages::sessions::SessionsPage().into_any()
    }
}

pub struct SessionRoute;

#[lazy_route]
impl LazyRoute for SessionRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        pages::sessions::SessionPage().into_any()
    }
}

pub struct HandoffRoute;

#[lazy_route]
impl LazyRoute for HandoffRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        pages::handoff::HandoffPage().into_any()
    }
}

pub struct AnalyticsRoute;

#[lazy_route]
impl LazyRoute for AnalyticsRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        pages::analytics::AnalyticsPage().into_any()
    }
}

pub struct ImportRoute;

#[lazy_route]
impl LazyRoute for ImportRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        pages::bundle::ImportPage().into_any()
    }
}

pub struct SourcesRoute;

#[lazy_route]
impl LazyRoute for SourcesRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        pages::sources::SourcesPage().into_any()
    }
}

pub struct KnowledgeRoute;

#[lazy_route]
impl LazyRoute for KnowledgeRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        pages::knowledge::KnowledgePage().into_any()
    }
}

pub struct KnowledgeEntryRoute;

#[lazy_route]
impl LazyRoute for KnowledgeEntryRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        pages::knowledge::KnowledgeEntryPage().into_any()
    }
}

pub struct ImportPreviewRoute;

#[lazy_route]
impl LazyRoute for ImportPreviewRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        pages::bundle::ImportPreviewPage().into_any()
    }
}

pub struct LoginRoute;

#[lazy_route]
impl LazyRoute for LoginRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        pages::auth::LoginPage().into_any()
    }
}

pub struct SetupRoute;

#[lazy_route]
impl LazyRoute for SetupRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        pages::auth::SetupPage().into_any()
    }
}

pub struct InviteRoute;

#[lazy_route]
impl LazyRoute for InviteRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        pages::auth::InvitePage().into_any()
    }
}

pub struct SettingsRoute;

#[lazy_route]
impl LazyRoute for SettingsRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        pages::auth::SettingsPage().into_any()
    }
}

pub struct AdminRoute;

#[lazy_route]
impl LazyRoute for AdminRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        pages::auth::AdminPage().into_any()
    }
}
