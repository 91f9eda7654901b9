//! Tests of bundle validation, parsing, canonical forms, free names and conflict choices.

use super::*;
use std::collections::HashSet;

fn at(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

/// A small bundle with one of everything, ids offset by `base` as another database's
/// would be.
pub(crate) fn sample(base: i64) -> Bundle {
    let t = at("2026-01-30T10:00:00Z");
    Bundle {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        exported_at: at("2026-01-31T03:00:00Z"),
        project: ProjectRecord {
            id: base + 1,
            name: "Shop".into(),
            description: Some("A shop".into()),
            status: ProjectStatus::Active,
            total_credits_used: 88,
            total_sessions: 2,
            created_at: t,
            updated_at: t,
        },
        accounts: vec![
            AccountRef {
                id: base + 7,
                account_name: "claude-1".into(),
                platform: Platform::Claude,
            },
            AccountRef {
                id: base + 3,
                account_name: "gpt-1".into(),
                platform: Platform::Chatgpt,
            },
        ],
        sessions: vec![
            SessionRecord {
                id: base + 10,
                account_id: base + 7,
                session_number: 1,
                session_type: SessionType::Feature,
                credits_used: 88,
                duration_minutes: Some(45),
                objectives: Some("Build auth".into()),
                accomplishments: Some("JWT".into()),
                blockers: None,
                handoff_notes: Some("Ready".into()),
                checkpoint_data: Some("{\"x\":1}".into()),
                status: SessionStatus::Completed,
                started_at: t,
                completed_at: Some(at("2026-01-30T10:45:00Z")),
            },
            SessionRecord {
                id: base + 11,
                account_id: base + 3,
                session_number: 2,
                session_type: SessionType::Development,
                credits_used: 0,
                duration_minutes: None,
                objectives: None,
                accomplishments: None,
                blockers: None,
                handoff_notes: None,
                checkpoint_data: None,
                status: SessionStatus::InProgress,
                started_at: t,
                completed_at: None,
            },
        ],
        context_snapshots: vec![SnapshotRecord {
            id: base + 5,
            session_id: base + 10,
            snapshot_type: "handoff".into(),
            compressed_context: "## Goal".into(),
            context_summary: None,
            file_count: 0,
            code_lines: 0,
            git_commit_hash: None,
            created_at: t,
        }],
        conversation_turns: vec![TurnRecord {
            id: base + 20,
            session_id: base + 10,
            turn_number: 1,
            role: Some("user".into()),
            content: "hello".into(),
            tokens_used: Some(3),
            timestamp: t,
        }],
        files: vec![FileRecord {
            id: base + 2,
            file_path: "src/main.rs".into(),
            file_type: Some("rust".into()),
            last_modified: None,
            size_bytes: Some(100),
            git_status: None,
            importance: Importance::Critical,
            notes: None,
        }],
        handoffs: vec![HandoffRecord {
            id: base + 4,
            session_id: Some(base + 10),
            from_account_id: base + 7,
            to_account_id: Some(base + 3),
            priority: 5,
            handoff_context: "## Goal".into(),
            status: "completed".into(),
            created_at: t,
            processed_at: None,
        }],
        knowledge: vec![KnowledgeRecord {
            id: base + 9,
            category: "error_solution".into(),
            title: "Fix E0382".into(),
            description: "clone it".into(),
            tags: Some("rust".into()),
            usage_count: 2,
            success_count: Some(1),
            success_rate: 0.5,
            source_session_id: Some(base + 10),
            created_at: t,
            updated_at: t,
        }],
        usage: vec![crate::domain::ledger::Call {
            id: crate::domain::ledger::CallId(base + 50),
            session_id: crate::domain::session::SessionId(base + 11),
            provider: "openai".into(),
            model: "gpt-4o".into(),
            input_tokens: 3_200,
            output_tokens: 21,
            cost_micros: 8_200,
            latency_ms: None,
            source: crate::domain::ledger::Source::Import,
            created_at: t,
        }],
        knowledge_outcomes: vec![OutcomeRecord {
            id: base + 40,
            entry_id: base + 9,
            session_id: Some(base + 11),
            worked: true,
            note: None,
            created_at: t,
        }],
        account_switches: vec![SwitchRecord {
            id: base + 30,
            kind: "rotate".into(),
            from_account_id: Some(base + 7),
            to_account_id: Some(base + 3),
            session_id: Some(base + 10),
            reason: "low credits".into(),
            created_at: t,
        }],
    }
}

fn first_problem(edit: impl FnOnce(&mut Bundle)) -> String {
    let mut b = sample(0);
    edit(&mut b);
    b.validate()
        .expect_err("the edit makes the bundle invalid")
        .field
}

#[test]
fn a_sample_bundle_is_valid_and_survives_json() {
    let b = sample(0);
    assert_eq!(b.validate(), Ok(()));
    let text = serde_json::to_string(&b).unwrap();
    assert_eq!(parse(&text).unwrap(), b);
    assert_eq!(b.counts().sessions, 2);
    assert_eq!(b.counts().account_switches, 1);
}

#[test]
fn validation_names_the_first_problem() {
    assert_eq!(first_problem(|b| b.format = "zip".into()), "format");
    assert_eq!(first_problem(|b| b.format_version = 2), "format_version");
    assert_eq!(
        first_problem(|b| b.project.name = "  ".into()),
        "project.name"
    );
    assert_eq!(
        first_problem(|b| b.project.total_sessions = -1),
        "project.total_sessions"
    );
    assert_eq!(
        first_problem(|b| b.accounts[1].account_name = "CLAUDE-1".into()),
        "accounts[1].account_name"
    );
    assert_eq!(first_problem(|b| b.sessions[1].id = 10), "sessions[1].id");
    assert_eq!(first_problem(|b| b.sessions[0].id = 0), "sessions[0].id");
    assert_eq!(
        first_problem(|b| b.sessions[1].account_id = 99),
        "sessions[1].account_id"
    );
    assert_eq!(
        first_problem(|b| b.sessions[1].session_number = 1),
        "sessions[1].session_number"
    );
    assert_eq!(
        first_problem(|b| b.sessions[0].credits_used = -5),
        "sessions[0].credits_used"
    );
    assert_eq!(
        first_problem(|b| b.context_snapshots[0].session_id = 12),
        "context_snapshots[0].session_id"
    );
    assert_eq!(
        first_problem(|b| b.context_snapshots[0].snapshot_type = "zip".into()),
        "context_snapshots[0].snapshot_type"
    );
    assert_eq!(
        first_problem(|b| {
            let t = b.conversation_turns[0].clone();
            b.conversation_turns.push(TurnRecord { id: 21, ..t });
        }),
        "conversation_turns[1].turn_number"
    );
    assert_eq!(
        first_problem(|b| b.conversation_turns[0].role = Some("robot".into())),
        "conversation_turns[0].role"
    );
    assert_eq!(
        first_problem(|b| b.conversation_turns[0].content = "a\0b".into()),
        "conversation_turns[0].content"
    );
    assert_eq!(
        first_problem(|b| b.files[0].file_path = String::new()),
        "files[0].file_path"
    );
    assert_eq!(
        first_problem(|b| b.handoffs[0].priority = 11),
        "handoffs[0].priority"
    );
    assert_eq!(
        first_problem(|b| b.handoffs[0].to_account_id = Some(1)),
        "handoffs[0].to_account_id"
    );
    assert_eq!(
        first_problem(|b| b.knowledge[0].success_rate = f64::NAN),
        "knowledge[0].success_rate"
    );
    assert_eq!(
        first_problem(|b| b.knowledge[0].source_session_id = Some(3)),
        "knowledge[0].source_session_id"
    );
    assert_eq!(
        first_problem(|b| b.knowledge[0].success_count = Some(3)),
        "knowledge[0].success_count"
    );
    assert_eq!(
        first_problem(|b| b.knowledge_outcomes[0].entry_id = 1),
        "knowledge_outcomes[0].entry_id"
    );
    assert_eq!(
        first_problem(|b| b.usage[0].session_id = crate::domain::session::SessionId(1)),
        "usage[0].session_id"
    );
    assert_eq!(
        first_problem(|b| b.usage[0].model = " ".into()),
        "usage[0].model"
    );
    assert_eq!(
        first_problem(|b| b.usage[0].cost_micros = -1),
        "usage[0].cost_micros"
    );
    assert_eq!(
        first_problem(|b| b.account_switches[0].kind = "teleport".into()),
        "account_switches[0].kind"
    );
}

#[test]
fn parse_errors_name_the_path() {
    let mut v = serde_json::to_value(sample(0)).unwrap();
    v["sessions"][1]["status"] = "sleeping".into();
    let e = parse(&v.to_string()).unwrap_err();
    assert_eq!(e.field, "sessions[1].status");
    assert!(e.message.contains("sleeping"), "{}", e.message);

    let mut v = serde_json::to_value(sample(0)).unwrap();
    v.as_object_mut().unwrap().remove("sessions");
    let e = parse(&v.to_string()).unwrap_err();
    assert!(e.message.contains("missing field `sessions`"), "{e}");

    let e = parse("{\"format\": \"paas-project\"").unwrap_err();
    assert!(e.message.contains("EOF"), "{e}");
    assert!(parse("").is_err());
    // found by fuzzing: an empty key at the top level still names where the problem is
    for text in ["{\"\": 1}", "{\"format\": \"paas-project\", \"\": 1"] {
        assert_eq!(parse(text).unwrap_err().field, "bundle", "{text}");
    }
    assert!(parse("[1, 2]").is_err());
}

#[test]
fn canonical_forms_ignore_ids_and_export_time_only() {
    let a = sample(0);
    let mut b = sample(1000);
    b.exported_at = at("2027-01-01T00:00:00Z");
    assert_ne!(a, b);
    assert_eq!(a.canonical(), b.canonical());

    // any change of content shows
    let mut c = sample(1000);
    c.conversation_turns[0].content = "hello!".into();
    assert_ne!(a.canonical(), c.canonical());
    // and so does a reference pointing elsewhere
    let mut d = sample(1000);
    d.sessions[0].account_id = 1003;
    assert_ne!(a.canonical(), d.canonical());
}

#[test]
fn free_names_count_up_and_fit_the_limit() {
    let taken: HashSet<String> = ["shop", "shop (2)"].iter().map(|s| s.to_string()).collect();
    assert_eq!(free_name("Shop", &taken), "Shop (3)");
    assert_eq!(free_name(" Blog ", &taken), "Blog (2)");
    assert_eq!(free_name("Shop (2)", &taken), "Shop (3)");
    assert_eq!(free_name("Shop (x)", &taken), "Shop (x) (2)");
    let long = "x".repeat(200);
    let name = free_name(&long, &HashSet::new());
    assert_eq!(name.chars().count(), crate::domain::project::NAME_MAX_CHARS);
    assert!(name.ends_with(" (2)"));
}

#[test]
fn on_conflict_parses() {
    assert_eq!(OnConflict::parse(" Merge "), Ok(OnConflict::Merge));
    assert_eq!(OnConflict::parse("skip"), Ok(OnConflict::Skip));
    assert_eq!(OnConflict::parse("drop").unwrap_err().field, "on_conflict");
    assert_eq!(OnConflict::default(), OnConflict::Rename);
}
