use super::*;
use crate::domain::account::{AccountInput, Thresholds};
use crate::domain::bundle::ImportAction;
use crate::domain::project::ProjectInput;
use crate::domain::project_file::ProjectFileInput;
use crate::domain::session::{CompletionInput, SessionInput};
use crate::service::account::{PoolSettings, RotateInput};
use crate::service::session::TurnInput;
use crate::storage::temp_db;
use proptest::prelude::*;

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

const TABLES: &[&str] = &[
    "projects",
    "accounts",
    "sessions",
    "context_snapshots",
    "conversation_history",
    "project_files",
    "handoff_queue",
    "knowledge_base",
    "account_switches",
    "knowledge_outcomes",
    "usage_ledger",
];

/// Rows in every table a bundle touches, in `TABLES` order.
async fn rows(db: &Db) -> Vec<i64> {
    let mut out = Vec::new();
    for table in TABLES {
        out.push(crate::storage::testing::count(db, table).await);
    }
    out
}

/// A project with two sessions on two accounts, turns, a checkpoint, a tracked file, a
/// completion, a rotation (handoff + switch) and a knowledge entry from a session.
async fn seed(db: &Db) -> ProjectId {
    let now = t("2026-03-01T09:00:00Z");
    let p = crate::service::project::create(
        db,
        &ProjectInput {
            name: Some("Shop".into()),
            description: Some("An online shop".into()),
        },
        now,
    )
    .await
    .unwrap();
    let mut accounts = Vec::new();
    for (name, platform) in [("claude-main", "claude"), ("gpt-spare", "chatgpt")] {
        let a = crate::service::account::create(
            db,
            &AccountInput {
                account_name: Some(name.into()),
                account_email: Some(format!("{name}@example.com")),
                platform: Some(platform.into()),
                credits_available: Some(100),
                ..Default::default()
            },
            now,
            Thresholds::default(),
        )
        .await
        .unwrap();
        accounts.push(a.id);
    }
    let s1 = crate::service::session::start(
        db,
        &SessionInput {
            project_id: Some(p.id.0),
            account_id: Some(accounts[0].0),
            session_type: Some("feature".into()),
            objectives: Some("Build the cart".into()),
        },
        now,
    )
    .await
    .unwrap()
    .session;
    for (role, content) in [
        ("user", "Add a cart to src/cart.rs"),
        ("assistant", "Done; tests pass."),
    ] {
        crate::service::session::append_turn(
            db,
            s1.id,
            &TurnInput {
                role: Some(role.into()),
                content: Some(content.into()),
                tokens_used: Some(12),
            },
            now,
        )
        .await
        .unwrap();
    }
    crate::service::session::checkpoint(db, s1.id, Some("before refactor"), now)
        .await
        .unwrap();
    crate::service::project_file::add(
        db,
        p.id,
        &ProjectFileInput {
            file_path: Some("src/cart.rs".into()),
            importance: Some("critical".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    crate::service::session::complete(
        db,
        s1.id,
        &CompletionInput {
            credits_used: Some(88),
            accomplishments: Some("Cart works".into()),
            ..Default::default()
        },
        t("2026-03-01T10:00:00Z"),
        Thresholds::default(),
    )
    .await
    .unwrap();
    crate::service::account::rotate(
        db,
        &RotateInput {
            current_account_id: Some(accounts[0].0),
            project_id: Some(p.id.0),
            ..Default::default()
        },
        t("2026-03-01T10:01:00Z"),
        PoolSettings::default(),
    )
    .await
    .unwrap();
    crate::service::session::start(
        db,
        &SessionInput {
            project_id: Some(p.id.0),
            account_id: Some(accounts[1].0),
            session_type: None,
            objectives: Some("Checkout".into()),
        },
        t("2026-03-01T10:02:00Z"),
    )
    .await
    .unwrap();
    let entry = crate::service::knowledge::create(
        db,
        &crate::domain::knowledge::EntryInput {
            category: Some("error_solution".into()),
            title: Some("Fix E0382".into()),
            description: Some("clone it".into()),
            tags: Some("rust".into()),
            source_session_id: Some(s1.id.0),
            version: None,
        },
        now,
    )
    .await
    .unwrap();
    crate::service::ledger::record(
        db,
        &[crate::domain::ledger::CallInput {
            session_id: Some(s1.id.0),
            provider: Some("anthropic".into()),
            model: Some("claude-sonnet-4".into()),
            input_tokens: Some(1_200),
            output_tokens: Some(300),
            cost_usd: Some(0.0123),
            latency_ms: Some(900),
            at: None,
        }],
        now,
    )
    .await
    .unwrap();
    for worked in [true, false, true] {
        crate::service::knowledge::record_outcome(
            db,
            entry.id,
            &crate::domain::knowledge::OutcomeInput {
                worked: Some(worked),
                session_id: Some(s1.id.0),
                note: None,
            },
            now,
        )
        .await
        .unwrap();
    }
    p.id
}

#[tokio::test]
async fn export_import_export_gives_the_same_bundle_apart_from_ids_and_time() {
    let (_d1, db1) = temp_db().await;
    let id = seed(&db1).await;
    let first = export(&db1, id, t("2026-03-02T00:00:00Z")).await.unwrap();
    let c = first.counts();
    assert_eq!(
        (
            c.sessions,
            c.conversation_turns,
            c.files,
            c.handoffs,
            c.knowledge
        ),
        (2, 2, 1, 1, 1)
    );
    assert!(
        c.context_snapshots >= 2,
        "checkpoint + handoff snapshot: {c:?}"
    );
    assert_eq!(c.account_switches, 1, "the rotation: {c:?}");
    assert_eq!(first.accounts.len(), 2);
    assert_eq!(first.knowledge_outcomes.len(), 3);
    assert_eq!(first.usage.len(), 1);
    assert_eq!(first.usage[0].cost_micros, 12_300);
    assert_eq!(first.knowledge[0].success_count, Some(2));
    let text = serde_json::to_string_pretty(&first).unwrap();
    assert!(!text.contains("@example.com"), "no e-mail addresses leave");
    assert!(!text.contains("credits_available"));

    let (_d2, db2) = temp_db().await;
    // shift the ids of the second database so equal ids cannot hide a mapping bug
    crate::storage::testing::insert_project(&db2, "placeholder").await;
    let outcome = import_text(
        &db2,
        &text,
        &ImportOptions::default(),
        t("2026-03-03T00:00:00Z"),
    )
    .await
    .unwrap();
    assert_eq!(outcome.plan.action, ImportAction::Create);
    assert_eq!(
        outcome.plan.accounts_created,
        vec!["claude-main", "gpt-spare"]
    );
    let new_id = outcome.project_id.unwrap();
    assert_ne!(new_id, id);
    let second = export(&db2, new_id, t("2026-03-04T00:00:00Z"))
        .await
        .unwrap();
    assert_ne!(first, second, "ids and export time differ");
    assert_eq!(first.canonical(), second.canonical());

    // the imported project reads like the original through the ordinary services
    let timeline = crate::service::session::timeline(&db2, new_id)
        .await
        .unwrap();
    assert_eq!(timeline.len(), 2);
    assert_eq!(timeline[0].credits_used, 88);
}

#[tokio::test]
async fn name_conflicts_rename_merge_or_skip() {
    let (_d, db) = temp_db().await;
    let id = seed(&db).await;
    let bundle = export(&db, id, t("2026-03-02T00:00:00Z")).await.unwrap();
    let now = t("2026-03-03T00:00:00Z");

    let before = rows(&db).await;
    let skipped = import(
        &db,
        &bundle,
        &ImportOptions {
            name: None,
            on_conflict: OnConflict::Skip,
        },
        now,
    )
    .await
    .unwrap();
    assert_eq!(skipped.plan.action, ImportAction::Skip);
    assert_eq!(skipped.project_id, None);
    assert_eq!(skipped.plan.existing_project_id, Some(id));
    assert_eq!(rows(&db).await, before, "skip writes nothing");

    let renamed = import(&db, &bundle, &ImportOptions::default(), now)
        .await
        .unwrap();
    assert_eq!(renamed.plan.action, ImportAction::Rename);
    assert_eq!(renamed.plan.project_name, "Shop (2)");
    assert!(
        renamed.plan.accounts_created.is_empty(),
        "accounts are matched by name"
    );
    let after = rows(&db).await;
    assert_eq!(after[0], before[0] + 1, "one project more");
    assert_eq!(after[1], before[1], "no account more");
    assert_eq!(after[2], before[2] + 2, "two sessions more");

    // a chosen name that is free creates; matching ignores case
    let chosen = import(
        &db,
        &bundle,
        &ImportOptions {
            name: Some("  shop (2) ".into()),
            on_conflict: OnConflict::Rename,
        },
        now,
    )
    .await
    .unwrap();
    assert_eq!(chosen.plan.project_name, "shop (3)");

    let merged = import(
        &db,
        &bundle,
        &ImportOptions {
            name: None,
            on_conflict: OnConflict::Merge,
        },
        now,
    )
    .await
    .unwrap();
    assert_eq!(merged.plan.action, ImportAction::Merge);
    assert_eq!(merged.project_id, Some(id));
    assert_eq!(merged.plan.first_session_number, 3);
    assert_eq!(merged.plan.files_already_tracked, 1);
    let numbers: Vec<i64> = crate::service::session::timeline(&db, id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.session_number)
        .collect();
    assert_eq!(numbers, vec![1, 2, 3, 4]);
    let project = crate::service::project::get(&db, id).await.unwrap();
    assert_eq!(
        project.total_credits_used,
        2 * bundle.project.total_credits_used
    );
    assert_eq!(project.total_sessions, 2 * bundle.project.total_sessions);
    let files = crate::service::project_file::list(&db, id).await.unwrap();
    assert_eq!(files.len(), 1, "the tracked file is kept, not doubled");
}

#[tokio::test]
async fn a_bad_bundle_is_refused_with_its_first_problem_and_writes_nothing() {
    let (_d, db) = temp_db().await;
    let id = seed(&db).await;
    let good =
        serde_json::to_value(export(&db, id, t("2026-03-02T00:00:00Z")).await.unwrap()).unwrap();
    let before = rows(&db).await;
    let now = t("2026-03-03T00:00:00Z");
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|v| v["format_version"] = 9.into()),
            "bundle.format_version",
        ),
        (
            Box::new(|v| v["sessions"][1]["account_id"] = 999.into()),
            "bundle.sessions[1].account_id",
        ),
        (
            Box::new(|v| v["conversation_turns"][0]["session_id"] = 999.into()),
            "bundle.conversation_turns[0].session_id",
        ),
        (
            Box::new(|v| v["sessions"][0]["credits_used"] = (-1).into()),
            "bundle.sessions[0].credits_used",
        ),
        (
            Box::new(|v| v["sessions"][0]["status"] = "asleep".into()),
            "bundle.sessions[0].status",
        ),
        (
            Box::new(|v| v["handoffs"][0]["priority"] = 0.into()),
            "bundle.handoffs[0].priority",
        ),
        (
            Box::new(|v| v["project"]["name"] = "".into()),
            "bundle.project.name",
        ),
        (
            Box::new(|v| v["exported_at"] = "yesterday".into()),
            "bundle.exported_at",
        ),
    ];
    for (edit, field) in cases {
        let mut v = good.clone();
        edit(&mut v);
        let e = import_text(&db, &v.to_string(), &ImportOptions::default(), now)
            .await
            .unwrap_err();
        match &e {
            AppError::Validation { field: f, .. } => assert_eq!(f, field, "{e}"),
            other => panic!("expected a validation error for {field}, got {other:?}"),
        }
        assert_eq!(rows(&db).await, before, "{field}: nothing written");
    }
    let e = import_text(
        &db,
        &good.to_string(),
        &ImportOptions {
            name: Some("x".repeat(200)),
            on_conflict: OnConflict::Rename,
        },
        now,
    )
    .await
    .unwrap_err();
    assert_eq!(e.field(), Some("name"));
    assert_eq!(rows(&db).await, before);
}

#[tokio::test]
async fn exporting_a_missing_project_is_404() {
    let (_d, db) = temp_db().await;
    let e = export(&db, ProjectId(42), t("2026-03-02T00:00:00Z"))
        .await
        .unwrap_err();
    assert_eq!(e.status_code(), 404);
}

/// One way to damage a bundle's JSON.
#[derive(Debug, Clone)]
enum Damage {
    Truncate(prop::sample::Index),
    Insert(prop::sample::Index, char),
    Replace(prop::sample::Index, u8),
    Remove(prop::sample::Index),
    Duplicate(prop::sample::Index),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<prop::sample::Index>().prop_map(Damage::Truncate),
        (any::<prop::sample::Index>(), any::<char>()).prop_map(|(i, c)| Damage::Insert(i, c)),
        (any::<prop::sample::Index>(), 0u8..10).prop_map(|(i, k)| Damage::Replace(i, k)),
        any::<prop::sample::Index>().prop_map(Damage::Remove),
        any::<prop::sample::Index>().prop_map(Damage::Duplicate),
    ]
}

/// JSON pointers of every node below the root.
fn pointers(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, c) in m {
                let p = format!("{at}/{k}");
                out.push(p.clone());
                pointers(c, p, out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(c, p, out);
            }
        }
        _ => {}
    }
}

fn replacement(k: u8) -> serde_json::Value {
    use serde_json::json;
    match k {
        0 => json!(null),
        1 => json!(-1),
        2 => json!(0),
        3 => json!(i64::MAX),
        4 => json!(""),
        5 => json!("x"),
        6 => json!(true),
        7 => json!([]),
        8 => json!({}),
        _ => json!(1.5e300),
    }
}

fn apply_damage(good: &serde_json::Value, text: &str, d: &Damage) -> String {
    let mut paths = Vec::new();
    pointers(good, String::new(), &mut paths);
    let chars: Vec<char> = text.chars().collect();
    match d {
        Damage::Truncate(i) => chars[..i.index(chars.len())].iter().collect(),
        Damage::Insert(i, c) => {
            let mut c2 = chars.clone();
            c2.insert(i.index(chars.len() + 1), *c);
            c2.into_iter().collect()
        }
        Damage::Replace(i, k) => {
            let mut v = good.clone();
            if let Some(n) = v.pointer_mut(&paths[i.index(paths.len())]) {
                *n = replacement(*k);
            }
            v.to_string()
        }
        Damage::Remove(i) => {
            let mut v = good.clone();
            let p = &paths[i.index(paths.len())];
            let (parent, key) = p.rsplit_once('/').unwrap_or(("", p));
            match v.pointer_mut(parent) {
                Some(serde_json::Value::Object(m)) => {
                    m.remove(key);
                }
                Some(serde_json::Value::Array(a)) => {
                    if let Ok(n) = key.parse::<usize>() {
                        a.remove(n);
                    }
                }
                _ => {}
            }
            v.to_string()
        }
        Damage::Duplicate(i) => {
            let mut v = good.clone();
            let p = &paths[i.index(paths.len())];
            let (parent, _) = p.rsplit_once('/').unwrap_or(("", p));
            if let Some(serde_json::Value::Array(a)) = v.pointer_mut(parent) {
                if let Some(first) = a.first().cloned() {
                    a.push(first);
                }
            }
            v.to_string()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// A damaged bundle either imports whole (when the damage left it valid) or is refused
    /// with a 4xx and writes nothing; it never panics.
    #[test]
    fn damaged_bundles_never_panic_and_never_half_write(ds in prop::collection::vec(damage(), 1..4)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let (_d, db) = temp_db().await;
            let id = seed(&db).await;
            let good = serde_json::to_value(export(&db, id, t("2026-03-02T00:00:00Z")).await.unwrap()).unwrap();
            let mut text = good.to_string();
            for d in &ds {
                let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|_| good.clone());
                text = apply_damage(&v, &text, d);
            }
            let before = rows(&db).await;
            match import_text(&db, &text, &ImportOptions::default(), t("2026-03-03T00:00:00Z")).await {
                Ok(outcome) => {
                    let after = rows(&db).await;
                    prop_assert_eq!(after[0], before[0] + 1);
                    prop_assert_eq!(after[2] - before[2], outcome.plan.counts.sessions as i64);
                    prop_assert_eq!(after[4] - before[4], outcome.plan.counts.conversation_turns as i64);
                }
                Err(e) => {
                    prop_assert!((400..500).contains(&e.status_code()), "{:?}", e);
                    prop_assert_eq!(rows(&db).await, before);
                }
            }
            Ok(())
        })?;
    }
}
