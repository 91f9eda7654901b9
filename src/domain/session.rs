//! Sessions: one stretch of work on a project with one account. A session starts with
//! objectives, collects accomplishments, blockers and notes, saves checkpoints, and
//! completes once with the credits it used.

use crate::domain::account::AccountId;
use crate::domain::project::ProjectId;
use crate::domain::time::Timestamp;
use crate::domain::DomainError;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

pub const TEXT_MAX_CHARS: usize = 50_000;
pub use crate::domain::limits::MAX_SESSION_CREDITS;

id_type!(SessionId, "a session");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum SessionType {
    #[default]
    Development,
    Bugfix,
    Feature,
    Refactor,
    Deployment,
}

impl SessionType {
    pub const ALL: [SessionType; 5] = [
        Self::Development,
        Self::Bugfix,
        Self::Feature,
        Self::Refactor,
        Self::Deployment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Bugfix => "bugfix",
            Self::Feature => "feature",
            Self::Refactor => "refactor",
            Self::Deployment => "deployment",
        }
    }
}

impl FromStr for SessionType {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        match s.trim() {
            "" => Ok(Self::Development),
            t => Self::ALL.into_iter().find(|v| v.as_str() == t).ok_or_else(|| {
                FieldError::new(
                    "session_type",
                    format!("{t:?} is not one of development, bugfix, feature, refactor, deployment"),
                )
            }),
        }
    }
}

text_enum!(
    /// Where a session stands.
    #[derive(Default)]
    SessionStatus, "status", {
        #[default]
        InProgress => "In progress",
        Completed => "Completed",
        Failed => "Failed",
        HandedOff => "Handed off",
    }
);

/// Which sessions a list shows (one page of them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionFilter {
    pub project_id: Option<ProjectId>,
    pub account_id: Option<AccountId>,
    pub status: Option<SessionStatus>,
    pub session_type: Option<SessionType>,
    pub page: u32,
}

/// The session list's parameters as they arrive in a URL query or a form (all optional;
/// blank or `all` means no filter).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct SessionQueryInput {
    #[serde(default)]
    #[cfg_attr(feature = "ssr", param(value_type = Option<i64>))]
    pub project_id: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", param(value_type = Option<i64>))]
    pub account_id: Option<String>,
    /// in_progress, completed, failed or handed_off
    #[serde(default)]
    pub status: Option<String>,
    /// development, bugfix, feature, refactor or deployment
    #[serde(default)]
    pub session_type: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", param(value_type = Option<u32>, minimum = 1))]
    pub page: Option<String>,
}

impl SessionQueryInput {
    /// The filter, or the first parameter that is not one (named).
    pub fn parse(&self) -> Result<SessionFilter, FieldError> {
        use crate::domain::parse;
        fn chosen(v: &Option<String>) -> Option<&str> {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty() && *v != "all")
        }
        Ok(SessionFilter {
            project_id: parse::opt_id(chosen(&self.project_id), "project_id")?,
            account_id: parse::opt_id(chosen(&self.account_id), "account_id")?,
            status: chosen(&self.status).map(str::parse).transpose()?,
            session_type: chosen(&self.session_type).map(str::parse).transpose()?,
            page: parse::page(self.page.as_deref())?,
        })
    }
}

/// A session as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Session {
    pub id: SessionId,
    pub project_id: ProjectId,
    pub account_id: AccountId,
    pub session_number: i64,
    pub session_type: SessionType,
    pub credits_used: i64,
    pub duration_minutes: Option<i64>,
    pub objectives: Option<String>,
    pub accomplishments: Option<String>,
    pub blockers: Option<String>,
    pub handoff_notes: Option<String>,
    pub status: SessionStatus,
    pub started_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    /// Increments with every change of the session.
    #[serde(default = "first_version")]
    #[cfg_attr(feature = "ssr", sqlx(default))]
    pub version: i64,
}

fn first_version() -> i64 {
    1
}

fn parse_text(s: Option<&str>, field: &str) -> Result<Option<String>, FieldError> {
    crate::domain::text::optional(s, field, TEXT_MAX_CHARS)
}

fn parse_ref(v: Option<i64>, field: &str) -> Result<i64, FieldError> {
    match v {
        Some(id) if id > 0 => Ok(id),
        Some(id) => Err(FieldError::new(field, format!("{id} is not an id"))),
        None => Err(FieldError::new(field, "required")),
    }
}

/// Raw input to start a session (spec: `POST /api/sessions`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionInput {
    #[serde(default)]
    pub project_id: Option<i64>,
    #[serde(default)]
    pub account_id: Option<i64>,
    #[serde(default)]
    pub session_type: Option<String>,
    #[serde(default)]
    pub objectives: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub project_id: ProjectId,
    pub account_id: AccountId,
    pub session_type: SessionType,
    pub objectives: Option<String>,
}

impl NewSession {
    pub fn parse(input: &SessionInput) -> Result<Self, FieldError> {
        Ok(Self {
            project_id: ProjectId(parse_ref(input.project_id, "project_id")?),
            account_id: AccountId(parse_ref(input.account_id, "account_id")?),
            session_type: input.session_type.as_deref().unwrap_or("").parse()?,
            objectives: parse_text(input.objectives.as_deref(), "objectives")?,
        })
    }
}

/// Raw change to a running session: absent fields stay, empty text clears; `add_credits`
/// adds to the credits used so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionPatchInput {
    #[serde(default)]
    pub objectives: Option<String>,
    #[serde(default)]
    pub accomplishments: Option<String>,
    #[serde(default)]
    pub blockers: Option<String>,
    #[serde(default)]
    pub handoff_notes: Option<String>,
    #[serde(default)]
    pub add_credits: Option<i64>,
    /// The credits used so far, as a running total (instead of `add_credits`).
    #[serde(default)]
    pub credits_used: Option<i64>,
    /// The version the change was based on (stale → 409): a form saved twice counts once.
    #[serde(default)]
    pub version: Option<i64>,
}

/// The session after a change; only a running session changes.
pub fn apply_patch(mut s: Session, input: &SessionPatchInput) -> Result<Session, DomainError> {
    s.ensure_running()?;
    let mut changed = false;
    for (value, slot, field) in [
        (&input.objectives, &mut s.objectives, "objectives"),
        (
            &input.accomplishments,
            &mut s.accomplishments,
            "accomplishments",
        ),
        (&input.blockers, &mut s.blockers, "blockers"),
        (&input.handoff_notes, &mut s.handoff_notes, "handoff_notes"),
    ] {
        if let Some(v) = value {
            *slot = parse_text(Some(v), field)?;
            changed = true;
        }
    }
    if let Some(total) = input.credits_used {
        if input.add_credits.is_some() {
            return Err(FieldError::new(
                "credits_used",
                "send either credits_used (the running total) or add_credits, not both",
            )
            .into());
        }
        s.credits_used = crate::domain::limits::within(total, MAX_SESSION_CREDITS)
            .map_err(|m| FieldError::new("credits_used", m))?;
        changed = true;
    }
    if let Some(add) = input.add_credits {
        if add < 0 {
            return Err(FieldError::new(
                "add_credits",
                format!("must not be negative (got {add})"),
            )
            .into());
        }
        s.credits_used = s
            .credits_used
            .checked_add(add)
            .filter(|c| *c <= MAX_SESSION_CREDITS)
            .ok_or_else(|| {
                DomainError::from(FieldError::new(
                    "add_credits",
                    format!("a session uses at most {MAX_SESSION_CREDITS} credits"),
                ))
            })?;
        changed = true;
    }
    if !changed {
        return Err(FieldError::new("body", "nothing to change").into());
    }
    Ok(s)
}

impl Session {
    pub fn ensure_running(&self) -> Result<(), DomainError> {
        if self.status != SessionStatus::InProgress {
            return Err(DomainError::conflict(format!(
                "session {} is already {}",
                self.id,
                self.status.label().to_lowercase()
            )));
        }
        Ok(())
    }
}

/// Raw completion (spec: `POST /api/sessions/{id}/complete`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CompletionInput {
    /// completed (default), failed, handed_off
    #[serde(default)]
    pub status: Option<String>,
    /// Total credits the session used; defaults to what was recorded while it ran.
    #[serde(default)]
    pub credits_used: Option<i64>,
    #[serde(default)]
    pub accomplishments: Option<String>,
    #[serde(default)]
    pub blockers: Option<String>,
    #[serde(default)]
    pub handoff_notes: Option<String>,
}

/// What completing a session decides: its final state, what the account is debited and
/// what the project is credited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub session: Session,
    /// Credits taken from the account (never more than it has).
    pub debit: i64,
    pub account_credits_after: i64,
}

/// Completes a running session at `now`, debiting `account_credits` (never below zero).
pub fn complete(
    session: Session,
    input: &CompletionInput,
    account_credits: i64,
    now: Timestamp,
) -> Result<Completion, DomainError> {
    session.ensure_running()?;
    let status = match input.status.as_deref().map(str::trim) {
        None | Some("") | Some("completed") => SessionStatus::Completed,
        Some("failed") => SessionStatus::Failed,
        Some("handed_off") => SessionStatus::HandedOff,
        Some(other) => {
            return Err(FieldError::new(
                "status",
                format!("{other:?} is not one of completed, failed, handed_off"),
            )
            .into())
        }
    };
    let credits = input.credits_used.unwrap_or(session.credits_used);
    if !(0..=MAX_SESSION_CREDITS).contains(&credits) {
        return Err(FieldError::new(
            "credits_used",
            format!("between 0 and {MAX_SESSION_CREDITS} (got {credits})"),
        )
        .into());
    }
    let mut s = session;
    if let Some(a) = &input.accomplishments {
        s.accomplishments = parse_text(Some(a), "accomplishments")?;
    }
    if let Some(b) = &input.blockers {
        s.blockers = parse_text(Some(b), "blockers")?;
    }
    if let Some(h) = &input.handoff_notes {
        s.handoff_notes = parse_text(Some(h), "handoff_notes")?;
    }
    // credits are debited once, at completion, and never below zero
    let debit = credits.min(account_credits.max(0));
    s.credits_used = credits;
    s.status = status;
    s.completed_at = Some(now);
    s.duration_minutes = Some(((now.unix() - s.started_at.unix()).max(0) + 30) / 60);
    Ok(Completion {
        account_credits_after: account_credits.max(0) - debit,
        session: s,
        debit,
    })
}

/// The fields a checkpoint saves and restores.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CheckpointData {
    pub objectives: Option<String>,
    pub accomplishments: Option<String>,
    pub blockers: Option<String>,
    pub handoff_notes: Option<String>,
    pub credits_used: i64,
    #[serde(default)]
    pub note: Option<String>,
}

impl CheckpointData {
    pub fn of(s: &Session, note: Option<&str>) -> Result<Self, FieldError> {
        Ok(Self {
            objectives: s.objectives.clone(),
            accomplishments: s.accomplishments.clone(),
            blockers: s.blockers.clone(),
            handoff_notes: s.handoff_notes.clone(),
            credits_used: s.credits_used,
            note: parse_text(note, "note")?,
        })
    }

    /// The session with these fields restored (only a running session is restored).
    pub fn restore_into(&self, mut s: Session) -> Result<Session, DomainError> {
        s.ensure_running()?;
        s.objectives = self.objectives.clone();
        s.accomplishments = self.accomplishments.clone();
        s.blockers = self.blockers.clone();
        s.handoff_notes = self.handoff_notes.clone();
        s.credits_used = self.credits_used;
        Ok(s)
    }

    /// A one-line summary for lists.
    pub fn summary(&self) -> String {
        let first = |t: &Option<String>| {
            t.as_deref()
                .and_then(|t| t.lines().next())
                .unwrap_or("")
                .to_string()
        };
        match (&self.note, first(&self.accomplishments)) {
            (Some(n), _) => n.clone(),
            (None, a) if !a.is_empty() => a,
            _ => first(&self.objectives),
        }
    }
}

/// A session with the names of its project and account (the spec's list shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SessionRow {
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    #[serde(flatten)]
    pub session: Session,
    pub project_name: String,
    pub account_name: String,
}

/// A context snapshot (checkpoint, handoff or backup).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Snapshot {
    pub id: i64,
    pub session_id: SessionId,
    pub snapshot_type: String,
    pub compressed_context: String,
    pub context_summary: Option<String>,
    pub created_at: Timestamp,
}

/// One conversation turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Turn {
    pub id: i64,
    pub session_id: SessionId,
    pub turn_number: i64,
    pub role: Option<String>,
    pub content: String,
    pub tokens_used: Option<i64>,
    pub timestamp: Timestamp,
}

/// A session with everything recorded about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Detail {
    pub session: Session,
    pub checkpoints: Vec<Snapshot>,
    pub handoffs: Vec<Snapshot>,
    pub turns: Vec<Turn>,
}

/// A project's sessions in order, with whether each left a handoff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TimelineEntry {
    pub id: SessionId,
    pub session_number: i64,
    pub session_type: SessionType,
    pub status: SessionStatus,
    pub credits_used: i64,
    pub account_id: AccountId,
    pub account_name: String,
    pub started_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    /// What the session was for.
    pub objectives: Option<String>,
    pub has_handoff: bool,
    /// Conversation turns recorded (the spec's `conversation_count`).
    #[serde(default)]
    pub conversation_count: i64,
    /// Handoff briefings stored for it (the spec's `handoff_count`).
    #[serde(default)]
    pub handoff_count: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn session() -> Session {
        Session {
            id: SessionId(1),
            project_id: ProjectId(1),
            account_id: AccountId(1),
            session_number: 1,
            session_type: SessionType::Development,
            credits_used: 0,
            duration_minutes: None,
            objectives: Some("Build auth".into()),
            accomplishments: None,
            blockers: None,
            handoff_notes: None,
            status: SessionStatus::InProgress,
            started_at: ts("2026-03-01T10:00:00Z"),
            completed_at: None,
            version: 1,
        }
    }

    #[test]
    fn start_input_names_fields() {
        let e = NewSession::parse(&SessionInput::default()).unwrap_err();
        assert_eq!(e.field, "project_id");
        let e = NewSession::parse(&SessionInput {
            project_id: Some(1),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e.field, "account_id");
        let e = NewSession::parse(&SessionInput {
            project_id: Some(1),
            account_id: Some(1),
            session_type: Some("party".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e.field, "session_type");
    }

    #[test]
    fn completion_computes_duration_and_refuses_twice() {
        let c = complete(
            session(),
            &CompletionInput {
                credits_used: Some(88),
                ..Default::default()
            },
            100,
            ts("2026-03-01T10:45:00Z"),
        )
        .unwrap();
        assert_eq!(c.session.status, SessionStatus::Completed);
        assert_eq!(c.session.duration_minutes, Some(45));
        assert_eq!((c.debit, c.account_credits_after), (88, 12));
        let again = complete(
            c.session,
            &CompletionInput::default(),
            12,
            ts("2026-03-01T11:00:00Z"),
        )
        .unwrap_err();
        assert!(again.is_conflict());
    }

    #[test]
    fn completion_validates() {
        let e = complete(
            session(),
            &CompletionInput {
                status: Some("done".into()),
                ..Default::default()
            },
            100,
            ts("2026-03-01T11:00:00Z"),
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("status"));
        let e = complete(
            session(),
            &CompletionInput {
                credits_used: Some(-1),
                ..Default::default()
            },
            100,
            ts("2026-03-01T11:00:00Z"),
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("credits_used"));
    }

    #[test]
    fn checkpoint_restores_exactly() {
        let mut s = session();
        s.accomplishments = Some("Login page".into());
        s.blockers = Some("CORS".into());
        s.credits_used = 40;
        let cp = CheckpointData::of(&s, Some("before refactor")).unwrap();
        let mut changed = apply_patch(
            s.clone(),
            &SessionPatchInput {
                accomplishments: Some("Everything else".into()),
                blockers: Some("".into()),
                add_credits: Some(30),
                ..Default::default()
            },
        )
        .unwrap();
        assert_ne!(changed, s);
        changed = cp.restore_into(changed).unwrap();
        assert_eq!(changed, s);
        assert_eq!(cp.summary(), "before refactor");
    }

    proptest! {
        #[test]
        fn credits_never_go_negative(used in -10i64..2_000_000, account in -50i64..5_000) {
            let input = CompletionInput { credits_used: Some(used), ..Default::default() };
            if let Ok(c) = complete(session(), &input, account, ts("2026-03-01T12:00:00Z")) {
                prop_assert!(c.account_credits_after >= 0);
                prop_assert!(c.debit >= 0);
                prop_assert!(c.debit <= used);
                prop_assert_eq!(c.account_credits_after, account.max(0) - c.debit);
            }
        }

        #[test]
        fn patches_keep_credits_in_bounds(adds in proptest::collection::vec(-5i64..400_000, 0..10)) {
            let mut s = session();
            for a in adds {
                match apply_patch(s.clone(), &SessionPatchInput { add_credits: Some(a), ..Default::default() }) {
                    Ok(next) => { prop_assert!(next.credits_used >= s.credits_used); s = next; }
                    Err(e) => prop_assert!(e.field() == Some("add_credits")),
                }
                prop_assert!((0..=MAX_SESSION_CREDITS).contains(&s.credits_used));
            }
        }
    }
}
