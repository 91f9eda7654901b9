//! Tests of sessions: numbering, completion and its debit, checkpoints and turns.

use super::*;
use crate::domain::account::{AccountId, AccountInput};
use crate::domain::project::ProjectInput;
use crate::domain::session::SessionStatus;
use crate::storage::temp_db;

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

async fn setup(db: &Db) -> (ProjectId, AccountId) {
    let p = crate::service::project::create(
        db,
        &ProjectInput {
            name: Some("P".into()),
            description: None,
        },
        t("2026-03-01T00:00:00Z"),
    )
    .await
    .unwrap();
    let a = crate::service::account::create(
        db,
        &AccountInput {
            account_name: Some("A".into()),
            credits_available: Some(100),
            ..Default::default()
        },
        t("2026-03-01T00:00:00Z"),
        Thresholds::default(),
    )
    .await
    .unwrap();
    (p.id, a.id)
}

fn start_input(p: ProjectId, a: AccountId) -> SessionInput {
    SessionInput {
        project_id: Some(p.0),
        account_id: Some(a.0),
        session_type: None,
        objectives: Some("Work".into()),
    }
}

#[tokio::test]
async fn numbers_stay_sequential_under_16_concurrent_starts() {
    let (_d, db) = temp_db().await;
    let (p, a) = setup(&db).await;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            start(&db, &start_input(p, a), t("2026-03-01T01:00:00Z")).await
        }));
    }
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(
            task.await
                .unwrap()
                .expect("every start succeeds")
                .session
                .session_number,
        );
    }
    numbers.sort();
    assert_eq!(numbers, (1..=16).collect::<Vec<_>>());
}

#[tokio::test]
async fn completion_is_atomic_and_happens_once() {
    let (_d, db) = temp_db().await;
    let (p, a) = setup(&db).await;
    let th = Thresholds::default();
    let s = start(&db, &start_input(p, a), t("2026-03-01T10:00:00Z"))
        .await
        .unwrap()
        .session;
    let input = CompletionInput {
        credits_used: Some(88),
        accomplishments: Some("Login works".into()),
        ..Default::default()
    };
    let done = complete(&db, s.id, &input, t("2026-03-01T10:45:00Z"), th)
        .await
        .unwrap();
    assert_eq!((done.debited, done.account_credits), (88, 12));
    assert_eq!(done.session.duration_minutes, Some(45));
    assert!(done.handoff.compressed_context.contains("Login works"));

    let again = complete(&db, s.id, &input, t("2026-03-01T11:00:00Z"), th)
        .await
        .unwrap_err();
    assert_eq!(again.status_code(), 409);
    let mut conn = db.acquire().await.unwrap();
    let account = storage::account::get(&mut conn, a).await.unwrap();
    assert_eq!(
        account.credits_available, 12,
        "the second completion debits nothing"
    );
    let project = storage::project::get(&mut conn, p).await.unwrap();
    assert_eq!(
        (project.total_credits_used, project.total_sessions),
        (88, 1)
    );

    // the next session starts from this one's briefing
    let next = start(&db, &start_input(p, a), t("2026-03-01T12:00:00Z"))
        .await
        .unwrap();
    assert_eq!(next.session.session_number, 2);
    assert!(next.previous_handoff.unwrap().contains("Login works"));
}

#[tokio::test]
async fn completion_debits_no_more_than_the_account_has() {
    let (_d, db) = temp_db().await;
    let (p, a) = setup(&db).await;
    let s = start(&db, &start_input(p, a), t("2026-03-01T10:00:00Z"))
        .await
        .unwrap()
        .session;
    let done = complete(
        &db,
        s.id,
        &CompletionInput {
            credits_used: Some(500),
            ..Default::default()
        },
        t("2026-03-01T11:00:00Z"),
        Thresholds::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        (done.debited, done.account_credits, done.account_status),
        (100, 0, AccountStatus::Exhausted)
    );
    assert_eq!(done.session.credits_used, 500);
}

#[tokio::test]
async fn restoring_a_checkpoint_brings_back_exactly_the_saved_fields() {
    let (_d, db) = temp_db().await;
    let (p, a) = setup(&db).await;
    let s = start(&db, &start_input(p, a), t("2026-03-01T10:00:00Z"))
        .await
        .unwrap()
        .session;
    let saved = update(
        &db,
        s.id,
        &SessionPatchInput {
            accomplishments: Some("Schema".into()),
            blockers: Some("Flaky CI".into()),
            add_credits: Some(20),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let cp = checkpoint(
        &db,
        s.id,
        Some("before the rewrite"),
        t("2026-03-01T10:30:00Z"),
    )
    .await
    .unwrap();
    update(
        &db,
        s.id,
        &SessionPatchInput {
            accomplishments: Some("Half a rewrite".into()),
            blockers: Some("".into()),
            objectives: Some("Rewrite".into()),
            add_credits: Some(50),
            handoff_notes: Some("n".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let restored = restore(&db, s.id, cp.id).await.unwrap();
    // the fields come back; the version moves on (two changes since the checkpoint)
    assert_eq!(restored.version, saved.version + 2);
    let saved = Session {
        version: restored.version,
        ..saved
    };
    assert_eq!(restored, saved);
    assert_eq!(get(&db, s.id).await.unwrap(), saved);
    assert_eq!(
        restore(&db, s.id, 9999).await.unwrap_err().status_code(),
        404
    );
}

#[tokio::test]
async fn turns_are_numbered_and_validated() {
    let (_d, db) = temp_db().await;
    let (p, a) = setup(&db).await;
    let s = start(&db, &start_input(p, a), t("2026-03-01T10:00:00Z"))
        .await
        .unwrap()
        .session;
    for (i, role) in ["user", "assistant", "user"].into_iter().enumerate() {
        let turn = append_turn(
            &db,
            s.id,
            &TurnInput {
                role: Some(role.into()),
                content: Some(format!("m{i}")),
                tokens_used: Some(5),
            },
            t("2026-03-01T10:01:00Z"),
        )
        .await
        .unwrap();
        assert_eq!(turn.turn_number, i as i64 + 1);
    }
    let e = append_turn(
        &db,
        s.id,
        &TurnInput {
            role: Some("robot".into()),
            content: Some("x".into()),
            tokens_used: None,
        },
        t("2026-03-01T10:02:00Z"),
    )
    .await
    .unwrap_err();
    assert_eq!(e.field(), Some("role"));
    let d = detail(&db, s.id).await.unwrap();
    assert_eq!(d.turns.len(), 3);
    let tl = timeline(&db, p).await.unwrap();
    assert_eq!(tl.len(), 1);
    assert_eq!(tl[0].status, SessionStatus::InProgress);
    assert!(!tl[0].has_handoff);
}
