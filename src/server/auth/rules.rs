//! What each route needs (anyone, a static file, an access level) and what the audit log records.

use crate::domain::auth::Access;
use axum::http::Method;

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Anyone: sign-in, setup, invitations, health and the static files.
    Public,
    /// A static file: public when it exists.
    Static,
    /// A signed-in user or token with at least this access.
    Access(Access),
}

/// Server functions that only read (everything else under `/rpc` writes).
pub const READ_RPCS: &[&str] = &[
    "list_accounts",
    "get_account",
    "account_options",
    "project_switches",
    "latest_handoff",
    "get_analytics",
    "get_alerts",
    "handoff_sources",
    "compress_handoff",
    "handoff_briefing",
    "list_knowledge",
    "get_knowledge",
    "suggest_knowledge",
    "list_projects",
    "get_project",
    "list_files",
    "list_sessions",
    "start_options",
    "get_session",
    "rotate_choices",
    "project_timeline",
    "get_stats",
    "live_usage",
    "capture_sources",
    // the signed-in user's own things: any role manages its own tokens and sessions
    "current_user",
    "my_tokens",
    "create_my_token",
    "revoke_my_token",
    "my_sessions",
];

/// Server functions anyone may call (they back the sign-in pages).
pub const PUBLIC_RPCS: &[&str] = &["auth_status", "invitation_info"];

/// The rule for one request.
pub fn need(method: &Method, path: &str) -> Need {
    let read_method = matches!(*method, Method::GET | Method::HEAD);
    match path {
        "/login" | "/setup" | "/healthz" | "/readyz" => return Need::Public,
        "/logout" | "/logout-everywhere" => return Need::Access(Access::Read),
        _ => {}
    }
    if path.starts_with("/invite/") && path.matches('/').count() == 2 {
        return Need::Public;
    }
    if let Some(name) = path.strip_prefix("/rpc/") {
        if PUBLIC_RPCS.contains(&name) {
            return Need::Public;
        }
        if READ_RPCS.contains(&name) {
            return Need::Access(Access::Read);
        }
        if name.starts_with("admin_") {
            return Need::Access(Access::Admin);
        }
        return Need::Access(Access::Write);
    }
    // what capture clients read (parser states of the server's files) is theirs alone
    if path.starts_with("/api/capture/") {
        return Need::Access(Access::Write);
    }
    // the model pass sends briefings to the endpoint it names: only the owner sets it
    if path == "/api/settings/model" && !read_method {
        return Need::Access(Access::Admin);
    }
    if path.starts_with("/api/admin/") || path == "/admin" || path.starts_with("/admin/") {
        return Need::Access(Access::Admin);
    }
    if path.starts_with("/api/") || path == "/api" || path.starts_with("/upload/") {
        // a bundle is the whole project with account e-mails: members and owners only
        let export = path.ends_with("/export");
        return Need::Access(if read_method && !export && !path.starts_with("/upload/") {
            Access::Read
        } else {
            Access::Write
        });
    }
    if read_method && is_static_path(path) {
        return Need::Static;
    }
    Need::Access(if read_method {
        Access::Read
    } else {
        Access::Write
    })
}

/// The audit log's name for a change worth recording: deletes, imports, rotations and
/// account switches, restores and credit adjustments (sign-ins and user and token changes
/// are recorded by the service itself).
pub fn audit_action(method: &Method, path: &str) -> Option<&'static str> {
    if *method == Method::GET || *method == Method::HEAD {
        return None;
    }
    let rpc = path.strip_prefix("/rpc/").unwrap_or("");
    if path == "/api/settings/model" || rpc == "admin_save_model" || rpc == "admin_remove_model" {
        return Some("settings.model");
    }
    if *method == Method::DELETE || rpc.starts_with("delete_") || rpc.starts_with("remove_") {
        return Some("delete");
    }
    if rpc.contains("import") || path.starts_with("/upload/") || path.contains("/import") {
        return Some("import");
    }
    if rpc == "rotate_account"
        || rpc == "rotate_session"
        || path.ends_with("/auto-rotate")
        || path.starts_with("/api/sessions/") && path.ends_with("/rotate")
    {
        return Some("rotation");
    }
    if path.ends_with("/switch-account") {
        return Some("account.switch");
    }
    if rpc == "restore_project" || path.ends_with("/restore") && path.starts_with("/api/projects") {
        return Some("restore");
    }
    if path.starts_with("/api/accounts/") && path.ends_with("/credits") {
        return Some("credits.adjust");
    }
    None
}

/// `/pkg/…` and top-level files with an asset extension (`/favicon.svg`).
fn is_static_path(path: &str) -> bool {
    const EXT: &[&str] = &[
        "css",
        "js",
        "wasm",
        "svg",
        "png",
        "ico",
        "txt",
        "webmanifest",
        "woff2",
        "map",
    ];
    let ext_ok = path
        .rsplit_once('.')
        .is_some_and(|(_, e)| EXT.contains(&e.to_ascii_lowercase().as_str()));
    let one_segment = path.matches('/').count() == 1;
    ext_ok && !path.contains("..") && (path.starts_with("/pkg/") || one_segment)
}
