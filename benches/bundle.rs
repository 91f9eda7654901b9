//! Project export and import timings on real SQLite files, for a project of 10,000
//! sessions (two conversation turns and one checkpoint each, 50 tracked files, 100
//! knowledge entries, 500 account switches). Run: `make bench` (or
//! `cargo bench --features ssr --bench bundle`). Prints the median of several runs.

use paas::domain::account::Platform;
use paas::domain::bundle::*;
use paas::domain::project::ProjectStatus;
use paas::domain::project_file::Importance;
use paas::domain::session::{SessionStatus, SessionType};
use paas::domain::time::Timestamp;
use paas::service::bundle::{self as svc, ImportOptions};
use std::time::{Duration, Instant};

const SESSIONS: i64 = 10_000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn big_bundle() -> Bundle {
    let t = Timestamp::parse("2026-03-01T00:00:00Z").unwrap();
    let text = |i: i64, what: &str| {
        format!("{what} {i}: refactor src/module_{i}.rs, run cargo test, fix the failing assertion in totals")
    };
    let sessions: Vec<SessionRecord> = (1..=SESSIONS)
        .map(|i| SessionRecord {
            id: i,
            account_id: 1 + i % 2,
            session_number: i,
            session_type: SessionType::Development,
            credits_used: 80 + i % 15,
            duration_minutes: Some(45),
            objectives: Some(text(i, "objective")),
            accomplishments: Some(text(i, "done")),
            blockers: None,
            handoff_notes: Some(text(i, "next")),
            checkpoint_data: None,
            status: SessionStatus::Completed,
            started_at: t,
            completed_at: Some(t),
        })
        .collect();
    Bundle {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        exported_at: t,
        project: ProjectRecord {
            id: 1,
            name: "Big".into(),
            description: Some("A long-running project".into()),
            status: ProjectStatus::Active,
            total_credits_used: sessions.iter().map(|s| s.credits_used).sum(),
            total_sessions: SESSIONS,
            created_at: t,
            updated_at: t,
        },
        accounts: vec![
            AccountRef {
                id: 1,
                account_name: "claude-a".into(),
                platform: Platform::Claude,
            },
            AccountRef {
                id: 2,
                account_name: "gpt-b".into(),
                platform: Platform::Chatgpt,
            },
        ],
        context_snapshots: (1..=SESSIONS)
            .map(|i| SnapshotRecord {
                id: i,
                session_id: i,
                snapshot_type: "checkpoint".into(),
                compressed_context: text(i, "checkpoint"),
                context_summary: None,
                file_count: 0,
                code_lines: 0,
                git_commit_hash: None,
                created_at: t,
            })
            .collect(),
        conversation_turns: (1..=SESSIONS)
            .flat_map(|i| {
                [("user", 1), ("assistant", 2)].map(|(role, n)| TurnRecord {
                    id: i * 2 + n,
                    session_id: i,
                    turn_number: n,
                    role: Some(role.into()),
                    content: text(i, role),
                    tokens_used: Some(40),
                    timestamp: t,
                })
            })
            .collect(),
        files: (10..=59)
            .map(|i| FileRecord {
                id: i,
                file_path: format!("src/module_{i}.rs"),
                file_type: Some("rust".into()),
                last_modified: None,
                size_bytes: Some(1000),
                git_status: None,
                importance: Importance::Normal,
                notes: None,
            })
            .collect(),
        handoffs: vec![],
        knowledge: (1..=100)
            .map(|i| KnowledgeRecord {
                id: i,
                category: "tip".into(),
                title: format!("Tip {i}"),
                description: text(i, "tip"),
                tags: Some("rust".into()),
                usage_count: 1,
                success_count: Some(1),
                success_rate: 1.0,
                source_session_id: Some(i),
                created_at: t,
                updated_at: t,
            })
            .collect(),
        usage: Vec::new(),
        knowledge_outcomes: (1..=100)
            .map(|i| OutcomeRecord {
                id: i,
                entry_id: i,
                session_id: Some(i + 1),
                worked: true,
                note: None,
                created_at: t,
            })
            .collect(),
        account_switches: (1..=500)
            .map(|i| SwitchRecord {
                id: i,
                kind: "rotate".into(),
                from_account_id: Some(1),
                to_account_id: Some(2),
                session_id: Some(i * 20),
                reason: "low credits".into(),
                created_at: t,
            })
            .collect(),
        sessions,
    }
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let now = Timestamp::parse("2026-03-02T00:00:00Z").unwrap();
        let bundle = big_bundle();
        let text = serde_json::to_string(&bundle).unwrap();
        println!(
            "bundle: {SESSIONS} sessions, {} turns, {} snapshots; {:.1} MB of JSON",
            bundle.conversation_turns.len(),
            bundle.context_snapshots.len(),
            text.len() as f64 / 1e6
        );

        let (mut import_times, mut export_times, mut parse_times) = (vec![], vec![], vec![]);
        let mut exported = None;
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let db = paas::storage::open(&dir.path().join("b.db").to_string_lossy())
                .await
                .unwrap();
            // import = parse, then validate + plan + one transaction
            let t0 = Instant::now();
            let parsed = svc::read(&text).unwrap();
            parse_times.push(t0.elapsed());
            let out = svc::import(&db, &parsed, &ImportOptions::default(), now)
                .await
                .unwrap();
            import_times.push(t0.elapsed());
            let id = out.project_id.unwrap();

            // export = read in one transaction + serialise
            let t1 = Instant::now();
            let b = svc::export(&db, id, now).await.unwrap();
            let json = serde_json::to_vec(&b).unwrap();
            export_times.push(t1.elapsed());
            assert_eq!(b.sessions.len() as i64, SESSIONS);
            exported = Some((b, json.len()));
        }
        let (b, bytes) = exported.unwrap();
        // (the generated bundle lists everything in export order, so the forms match)
        assert!(
            b.canonical() == bundle.canonical(),
            "the round trip is not exact"
        );
        println!(
            "import 10,000-session bundle (parse, then validate + plan + one transaction): median {:?} (parse {:?})",
            median(import_times),
            median(parse_times)
        );
        println!(
            "export 10,000-session project (read + serialise {:.1} MB): median {:?}",
            bytes as f64 / 1e6,
            median(export_times)
        );

        // a whole-database backup of that database while it is idle
        let dir = tempfile::tempdir().unwrap();
        let db = paas::storage::open(&dir.path().join("c.db").to_string_lossy())
            .await
            .unwrap();
        svc::import(&db, &bundle, &ImportOptions::default(), now).await.unwrap();
        let mut backups = vec![];
        for i in 0..3 {
            let t = Instant::now();
            let done = paas::service::backup::backup(&db, &dir.path().join(format!("copy{i}.db")))
                .await
                .unwrap();
            backups.push((t.elapsed(), done.bytes));
        }
        let (t, bytes) = backups[1];
        println!(
            "backup (VACUUM INTO + integrity check) of a {:.1} MB database: {:?}",
            bytes as f64 / 1e6,
            t
        );
    });
}
