//! The rotation briefing: what a fresh session on the next account needs to continue.
//! The handoff engine's briefing of the latest session's log and record, plus the
//! rotation itself.

use crate::domain::handoff;
use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Credits a handoff saves by not re-explaining the project (spec: 15).
pub const DEFAULT_CREDIT_SAVINGS: i64 = 15;

/// The parts of the latest session a briefing carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionSummary {
    pub session_number: i64,
    pub objectives: Option<String>,
    pub accomplishments: Option<String>,
    pub blockers: Option<String>,
    pub handoff_notes: Option<String>,
    pub credits_used: i64,
}

/// A handoff as stored in the queue: who handed over to whom, when, with what briefing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Handoff {
    pub id: i64,
    pub created_at: Timestamp,
    pub from_account_name: Option<String>,
    pub to_account_name: Option<String>,
    pub briefing: String,
    pub status: String,
}

pub struct RotationContext<'a> {
    pub project_name: &'a str,
    pub project_description: Option<&'a str>,
    pub from_name: &'a str,
    pub from_credits: i64,
    pub to_name: &'a str,
    pub to_platform: &'a str,
    pub to_credits: i64,
    pub latest_session: Option<&'a SessionSummary>,
    /// Paths of the project's critical files.
    pub critical_files: &'a [String],
    /// The latest session's conversation, as a transcript (may be empty).
    pub log: &'a str,
    /// What git says about the project's repository, when it has one.
    pub repository: Option<&'a handoff::RepoState>,
    pub now: Timestamp,
}

/// The project's record and the log of its latest session, as the engine reads them.
fn engine_facts(
    project_name: &str,
    project_description: Option<&str>,
    s: Option<&SessionSummary>,
    critical_files: &[String],
) -> handoff::Facts {
    let objectives = match (project_description, s.and_then(|s| s.objectives.as_deref())) {
        (Some(d), Some(o)) => Some(format!("{o}\nProject: {d}")),
        (Some(d), None) => Some(format!("Project: {d}")),
        (None, o) => o.map(str::to_owned),
    };
    handoff::Facts {
        project_name: Some(project_name.to_owned()),
        session_number: s.map(|s| s.session_number),
        objectives,
        accomplishments: s.and_then(|s| s.accomplishments.clone()),
        blockers: s.and_then(|s| s.blockers.clone()),
        notes: s.and_then(|s| s.handoff_notes.clone()),
        critical_files: critical_files.to_vec(),
        repository: None,
    }
}

/// The engine's briefing of `log` and the record, or a short note when there is nothing
/// to brief from.
fn engine_body(log: &str, facts: &handoff::Facts) -> String {
    let budget = handoff::Level::Medium.budget(log.chars().count());
    match handoff::compress(log, facts, budget) {
        Ok(b) => b.markdown,
        Err(_) => {
            let mut out = format!(
                "# Handoff: {}\n\n(nothing recorded yet)\n",
                facts.project_name.as_deref().unwrap_or("project")
            );
            if !facts.critical_files.is_empty() {
                out.push_str(&format!(
                    "\n## Files & identifiers\n- Critical: {}\n",
                    facts.critical_files.join(", ")
                ));
            }
            out
        }
    }
}

/// The markdown briefing handed to the next account: the engine's briefing of the latest
/// session (its log and record) and the rotation itself.
pub fn rotation_briefing(ctx: &RotationContext<'_>) -> String {
    let mut facts = engine_facts(
        ctx.project_name,
        ctx.project_description,
        ctx.latest_session,
        ctx.critical_files,
    );
    facts.repository = ctx.repository.cloned();
    let mut out = engine_body(ctx.log, &facts);
    out.push_str(&format!(
        "\n## Rotation\n- From: {} (exhausted, {} credits left)\n- To: {} ({}, {} credits available)\n- When: {}\n",
        ctx.from_name, ctx.from_credits, ctx.to_name, ctx.to_platform, ctx.to_credits, ctx.now
    ));
    if let Some(s) = ctx.latest_session {
        out.push_str(&format!(
            "- Continues: session {} ({} credits used)\n",
            s.session_number, s.credits_used
        ));
    }
    out
}

/// The spec's `credit_savings` phrase.
pub fn credit_savings(credits: i64) -> String {
    format!("Saved {credits} credits by auto-rotation")
}

/// The briefing stored when a session completes: what the next session starts from.
pub fn session_briefing(
    project_name: &str,
    project_description: Option<&str>,
    account_name: &str,
    s: &SessionSummary,
    log: &str,
    critical_files: &[String],
    now: Timestamp,
) -> String {
    let facts = engine_facts(project_name, project_description, Some(s), critical_files);
    let mut out = engine_body(log, &facts);
    out.push_str(&format!(
        "\n## Session\n- After: session {} on {account_name} ({} credits used)\n- When: {now}\n",
        s.session_number, s.credits_used
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn briefing_carries_project_and_latest_session() {
        let s = SessionSummary {
            session_number: 7,
            objectives: Some("Auth flow".into()),
            accomplishments: Some("Login page done".into()),
            blockers: Some("CORS error on /token".into()),
            handoff_notes: None,
            credits_used: 88,
        };
        let b = rotation_briefing(&RotationContext {
            project_name: "Billing",
            project_description: Some("Invoices in Rust"),
            from_name: "GS-1",
            from_credits: 4,
            to_name: "GS-2",
            to_platform: "genspark",
            to_credits: 100,
            latest_session: Some(&s),
            critical_files: &["src/auth.rs".to_string()],
            log:
                "User: add the refresh token flow next\nAssistant: Login works; CORS still fails.\n",
            repository: None,
            now: Timestamp::parse("2026-02-01T00:00:00Z").unwrap(),
        });
        for needle in [
            "# Handoff: Billing",
            "GS-1",
            "GS-2",
            "session 7",
            "Invoices in Rust",
            "Login page done",
            "CORS error on /token",
            "src/auth.rs",
            "refresh token flow",
        ] {
            assert!(b.contains(needle), "missing {needle:?} in\n{b}");
        }
        assert_eq!(credit_savings(15), "Saved 15 credits by auto-rotation");
    }

    #[test]
    fn briefing_without_sessions_says_so() {
        let b = rotation_briefing(&RotationContext {
            project_name: "New",
            project_description: None,
            from_name: "A",
            from_credits: 0,
            to_name: "B",
            to_platform: "claude",
            to_credits: 50,
            latest_session: None,
            critical_files: &[],
            repository: None,
            log: "",
            now: Timestamp::parse("2026-02-01T00:00:00Z").unwrap(),
        });
        assert!(b.contains("(nothing recorded yet)"));
        assert!(!b.contains("Continues"));
        assert!(!b.contains("Critical files"));
    }
}
