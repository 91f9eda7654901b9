//! The rotation briefing: what a fresh session on the next account needs to continue.
//! A plain template over the project and its latest session (the handoff engine builds
//! richer briefings from whole conversation logs).

use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Credits a handoff saves by not re-explaining the project (spec: 15).
pub const DEFAULT_CREDIT_SAVINGS: i64 = 15;

/// The parts of the latest session a briefing carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    pub now: Timestamp,
}

fn files_section(out: &mut String, files: &[String]) {
    if files.is_empty() {
        return;
    }
    out.push_str("\n## Critical files\n\n");
    for f in files {
        out.push_str(&format!("- `{f}`\n"));
    }
}

fn section(out: &mut String, title: &str, body: Option<&str>, empty: &str) {
    out.push_str("\n## ");
    out.push_str(title);
    out.push_str("\n\n");
    match body.map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) => out.push_str(b),
        None => out.push_str(empty),
    }
    out.push('\n');
}

/// The markdown briefing handed to the next account.
pub fn rotation_briefing(ctx: &RotationContext<'_>) -> String {
    let mut out = format!("# Handoff: {}\n\n", ctx.project_name);
    out.push_str(&format!(
        "- **From**: {} (exhausted, {} credits left)\n- **To**: {} ({}, {} credits available)\n- **When**: {}\n",
        ctx.from_name, ctx.from_credits, ctx.to_name, ctx.to_platform, ctx.to_credits, ctx.now
    ));
    if let Some(s) = ctx.latest_session {
        out.push_str(&format!(
            "- **Continues**: session {} ({} credits used)\n",
            s.session_number, s.credits_used
        ));
    }
    section(
        &mut out,
        "Project",
        ctx.project_description,
        "(no description)",
    );
    let s = ctx.latest_session;
    section(
        &mut out,
        "Goal of the last session",
        s.and_then(|s| s.objectives.as_deref()),
        "(not recorded)",
    );
    section(
        &mut out,
        "Done",
        s.and_then(|s| s.accomplishments.as_deref()),
        "(nothing recorded yet)",
    );
    section(
        &mut out,
        "Blockers",
        s.and_then(|s| s.blockers.as_deref()),
        "None recorded.",
    );
    section(
        &mut out,
        "Notes for the next session",
        s.and_then(|s| s.handoff_notes.as_deref()),
        "(none)",
    );
    files_section(&mut out, ctx.critical_files);
    out.push_str(
        "\n## Next steps\n\n1. Read this briefing and the blockers above.\n2. Continue from the last \
         accomplishment; do not redo finished work.\n3. Record what you finish as you go.\n",
    );
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
    critical_files: &[String],
    now: Timestamp,
) -> String {
    let mut out = format!("# Handoff: {project_name}\n\n");
    out.push_str(&format!(
        "- **After**: session {} on {account_name} ({} credits used)\n- **When**: {now}\n",
        s.session_number, s.credits_used
    ));
    section(&mut out, "Project", project_description, "(no description)");
    section(
        &mut out,
        "Goal of the last session",
        s.objectives.as_deref(),
        "(not recorded)",
    );
    section(
        &mut out,
        "Done",
        s.accomplishments.as_deref(),
        "(nothing recorded)",
    );
    section(
        &mut out,
        "Blockers",
        s.blockers.as_deref(),
        "None recorded.",
    );
    section(
        &mut out,
        "Notes for the next session",
        s.handoff_notes.as_deref(),
        "(none)",
    );
    files_section(&mut out, critical_files);
    out.push_str(
        "\n## Next steps\n\n1. Read the blockers and notes above.\n2. Continue from the last \
         accomplishment; do not redo finished work.\n",
    );
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
            "## Next steps",
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
            now: Timestamp::parse("2026-02-01T00:00:00Z").unwrap(),
        });
        assert!(b.contains("(nothing recorded yet)"));
        assert!(!b.contains("Continues"));
        assert!(!b.contains("Critical files"));
    }
}
