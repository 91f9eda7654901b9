//! Who may do what: users with a role, API tokens with a scope, the sessions of a signed-in
//! browser, and the rules that tie them to reads, writes and administration. Pure: the
//! secrets themselves are made and hashed by the service.

use crate::domain::time::Timestamp;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

id_type!(
    /// A user's row id.
    UserId,
    "a user"
);
id_type!(
    /// An API token's row id.
    TokenId,
    "a token"
);
id_type!(
    /// A signed-in session's row id.
    SessionRowId,
    "a sign-in session"
);

/// What a request does, from the least to the most privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Reads projects, accounts, sessions, knowledge and analytics.
    Read,
    /// Creates, changes and deletes them.
    Write,
    /// Manages users, invitations and the audit log.
    Admin,
}

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including managing users.
    Owner,
    /// Reads and writes projects, accounts, sessions and knowledge.
    #[default]
    Member,
    /// Reads; sees no e-mail addresses or notes of accounts.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Member, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Member => "Member",
            Role::Viewer => "Viewer",
        }
    }

    /// The most this role may do.
    pub fn max_access(self) -> Access {
        match self {
            Role::Owner => Access::Admin,
            Role::Member => Access::Write,
            Role::Viewer => Access::Read,
        }
    }

    /// Whether account e-mails and notes are shown to this role.
    pub fn sees_private_fields(self) -> bool {
        self != Role::Viewer
    }
}

impl FromStr for Role {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "owner" => Ok(Role::Owner),
            "member" => Ok(Role::Member),
            "viewer" => Ok(Role::Viewer),
            other => Err(FieldError::new(
                "role",
                format!("{other:?} is not a role (owner, member or viewer)"),
            )),
        }
    }
}

/// What an API token may do (never more than its user's role).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    #[default]
    Read,
    Write,
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    pub fn max_access(self) -> Access {
        match self {
            Scope::Read => Access::Read,
            Scope::Write => Access::Write,
            Scope::Admin => Access::Admin,
        }
    }
}

impl FromStr for Scope {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "read" => Ok(Scope::Read),
            "write" => Ok(Scope::Write),
            "admin" => Ok(Scope::Admin),
            other => Err(FieldError::new(
                "scope",
                format!("{other:?} is not a scope (read, write or admin)"),
            )),
        }
    }
}

/// The signed-in user as the pages see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// The most this request may do: the role, narrowed by a token's scope.
    pub access: Access,
}

impl Me {
    pub fn can(&self, access: Access) -> bool {
        access <= self.access
    }
}

/// A user as the owner's user list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub role: Role,
    pub disabled_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl TryFrom<String> for Role {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        s.parse()
    }
}

impl TryFrom<String> for Scope {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        s.parse()
    }
}

/// An API token as lists show it: never the secret, only its first characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TokenInfo {
    pub id: TokenId,
    pub name: String,
    pub prefix: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub scope: Scope,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

impl TokenInfo {
    pub fn usable(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| now < e)
    }
}

/// A signed-in browser session, as "who is signed in" lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SessionInfo {
    pub id: SessionRowId,
    pub user_id: UserId,
    pub email: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub ip: String,
    pub user_agent: String,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AuditEntry {
    pub id: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub ip: String,
    pub detail: String,
}

/// Seconds a signed-in session lives without use.
pub const SESSION_IDLE_SECS: i64 = 7 * 24 * 3600;
/// Seconds a signed-in session lives at most.
pub const SESSION_MAX_SECS: i64 = 30 * 24 * 3600;
/// Seconds an invitation link stays valid.
pub const INVITE_SECS: i64 = 7 * 24 * 3600;
/// Every API token starts with this, so secret scanners recognise a leaked one.
pub const TOKEN_PREFIX: &str = "paas_";
/// Characters of a token kept in lists to recognise it.
pub const TOKEN_SHOWN_CHARS: usize = 12;
pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 1024;
/// Longest token expiry, in days.
pub const MAX_TOKEN_DAYS: i64 = 3650;

/// Whether a session last used at `last_seen` and ending at `expires_at` is still valid.
pub fn session_alive(last_seen: Timestamp, expires_at: Timestamp, now: Timestamp) -> bool {
    now < expires_at && now.unix().saturating_sub(last_seen.unix()) < SESSION_IDLE_SECS
}

/// An e-mail address in the one form users are stored and looked up by.
pub fn normalize_email(raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::new("email", "enter an e-mail address"));
    }
    if t.chars().count() > 254 || email_address::EmailAddress::from_str(t).is_err() {
        return Err(FieldError::new(
            "email",
            format!("{t:?} is not an e-mail address"),
        ));
    }
    Ok(t.to_lowercase())
}

/// A display name: 1..=200 characters after trimming.
pub fn parse_user_name(raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    match t.chars().count() {
        0 => Err(FieldError::new("name", "enter a name")),
        1..=200 => Ok(t.to_owned()),
        _ => Err(FieldError::new("name", "at most 200 characters")),
    }
}

/// A token's name: 1..=100 characters after trimming.
pub fn parse_token_name(raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    match t.chars().count() {
        0 => Err(FieldError::new("name", "name the token (what uses it)")),
        1..=100 => Ok(t.to_owned()),
        _ => Err(FieldError::new("name", "at most 100 characters")),
    }
}

/// Days until a token expires: empty means never; 1..=3650.
pub fn parse_expiry_days(raw: Option<&str>) -> Result<Option<i64>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => match v.parse::<i64>() {
            Ok(d) if (1..=MAX_TOKEN_DAYS).contains(&d) => Ok(Some(d)),
            _ => Err(FieldError::new(
                "expires_days",
                format!("{v:?}: give a whole number of days from 1 to {MAX_TOKEN_DAYS}, or nothing for no expiry"),
            )),
        },
    }
}

/// The length rule of passwords (the service also refuses common ones).
pub fn check_password_length(password: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(FieldError::new(
            "password",
            format!("use at least {MIN_PASSWORD_CHARS} characters (a few words make a good one)"),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(FieldError::new(
            "password",
            format!("use at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

/// "Chrome on Linux" from a User-Agent header (the browser and system people recognise).
pub fn device_label(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else if ua.starts_with("curl/") {
        "curl"
    } else if ua.is_empty() {
        return "Unknown client".into();
    } else {
        return ua
            .split(['/', ' '])
            .next()
            .unwrap_or("Unknown client")
            .to_owned();
    };
    let system = if ua.contains("Android") {
        Some("Android")
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        Some("iOS")
    } else if ua.contains("Windows") {
        Some("Windows")
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        Some("macOS")
    } else if ua.contains("Linux") || ua.contains("X11") {
        Some("Linux")
    } else {
        None
    };
    match system {
        Some(os) => format!("{browser} on {os}"),
        None => browser.to_owned(),
    }
}

/// Where to go after signing in: a path on this site only (never `//host` or a URL).
pub fn safe_next(next: Option<&str>) -> String {
    let n = next.unwrap_or("").trim();
    let ok = n.starts_with('/')
        && !n.starts_with("//")
        && !n.starts_with("/\\")
        && !n.chars().any(|c| c.is_control() || c == '\\')
        && !n.starts_with("/login")
        && !n.starts_with("/logout")
        && n.len() <= 2000;
    if ok {
        n.to_owned()
    } else {
        "/".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_scopes_narrow_access() {
        assert!(Access::Read < Access::Write && Access::Write < Access::Admin);
        assert_eq!(Role::Viewer.max_access(), Access::Read);
        assert_eq!(Role::Member.max_access(), Access::Write);
        assert_eq!(Role::Owner.max_access(), Access::Admin);
        assert_eq!("Owner".parse::<Role>().unwrap(), Role::Owner);
        assert_eq!("root".parse::<Role>().unwrap_err().field, "role");
        assert_eq!(" write ".parse::<Scope>().unwrap(), Scope::Write);
        assert!("all".parse::<Scope>().is_err());
        let me = Me {
            id: UserId(1),
            email: "a@b.c".into(),
            name: "A".into(),
            role: Role::Member,
            access: Access::Write,
        };
        assert!(me.can(Access::Read) && me.can(Access::Write) && !me.can(Access::Admin));
        assert!(!Role::Viewer.sees_private_fields());
    }

    #[test]
    fn emails_names_and_passwords() {
        assert_eq!(
            normalize_email(" Ann@Example.COM ").unwrap(),
            "ann@example.com"
        );
        for bad in ["", "ann", "ann@", "@x.y", &"a".repeat(300)] {
            assert_eq!(normalize_email(bad).unwrap_err().field, "email", "{bad:?}");
        }
        assert_eq!(parse_user_name("  Ann ").unwrap(), "Ann");
        assert!(parse_user_name(" ").is_err());
        assert!(check_password_length("short").is_err());
        assert!(check_password_length("twelve chars").is_ok());
        assert!(check_password_length(&"x".repeat(1025)).is_err());
        // characters, not bytes
        assert!(check_password_length("ääääääääääää").is_ok());
        assert_eq!(parse_expiry_days(Some("")).unwrap(), None);
        assert_eq!(parse_expiry_days(Some("30")).unwrap(), Some(30));
        for bad in ["0", "-1", "x", "3651"] {
            assert_eq!(
                parse_expiry_days(Some(bad)).unwrap_err().field,
                "expires_days"
            );
        }
    }

    #[test]
    fn sessions_end_when_idle_or_old() {
        let t0 = Timestamp::from_unix(1_800_000_000).unwrap();
        let end = t0.plus_seconds(SESSION_MAX_SECS);
        assert!(session_alive(t0, end, t0.plus_seconds(60)));
        assert!(!session_alive(t0, end, t0.plus_seconds(SESSION_IDLE_SECS)));
        let recent = t0.plus_seconds(SESSION_MAX_SECS - 10);
        assert!(session_alive(recent, end, recent.plus_seconds(5)));
        assert!(!session_alive(recent, end, end));
    }

    #[test]
    fn devices() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        assert_eq!(device_label(chrome), "Chrome on Linux");
        let ff = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0";
        assert_eq!(device_label(ff), "Firefox on Windows");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
        assert_eq!(device_label(safari), "Safari on iOS");
        assert_eq!(device_label("curl/8.5.0"), "curl");
        assert_eq!(device_label(""), "Unknown client");
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/projects/3?x=1")), "/projects/3?x=1");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "/login?next=/",
            "",
            "/a\nb",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
