//! Tests of the account pool: create, batch import, refills, rotation, select, switch and delete.

use super::*;
use crate::domain::account::Platform;
use crate::domain::project::ProjectInput;
use crate::domain::quota::ResetRuleInput;
use crate::storage::temp_db;

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

const T0: &str = "2026-03-01T00:00:00Z";

fn input(name: &str, credits: i64) -> AccountInput {
    AccountInput {
        account_name: Some(name.into()),
        credits_available: Some(credits),
        ..Default::default()
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    crate::storage::testing::count(db, table).await
}

async fn project(db: &Db) -> ProjectId {
    let input = ProjectInput {
        name: Some("P".into()),
        description: None,
    };
    crate::service::project::create(db, &input, t(T0))
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn create_get_and_duplicate_names() {
    let (_d, db) = temp_db().await;
    let th = Thresholds::default();
    let a = create(
        &db,
        &AccountInput {
            platform: Some("claude".into()),
            ..input("Claude-1", 80)
        },
        t(T0),
        th,
    )
    .await
    .unwrap();
    assert_eq!(
        (a.platform, a.credits_available, a.credit_capacity),
        (Platform::Claude, 80, 100)
    );
    let view = get(&db, a.id, t(T0), th).await.unwrap();
    assert_eq!(view.headroom_percent, 80);
    let e = create(&db, &input("claude-1", 10), t(T0), th)
        .await
        .unwrap_err();
    assert_eq!(e.status_code(), 409);
    assert_eq!(e.field(), Some("account_name"));
    assert_eq!(count(&db, "accounts").await, 1);
}

#[tokio::test]
async fn batch_partial_and_atomic() {
    let (_d, db) = temp_db().await;
    let th = Thresholds::default();
    create(&db, &input("Taken", 50), t(T0), th).await.unwrap();
    let rows = || {
        vec![
            Ok(input("B1", 90)),
            Ok(input("taken", 90)),
            Ok(AccountInput {
                platform: Some("myspace".into()),
                ..input("B2", 1)
            }),
            Ok(input("B1", 90)),
            Err(RowError {
                row: 5,
                field: "row".into(),
                error: "malformed".into(),
            }),
            Ok(input("B3", -5)),
            Ok(input("B4", 70)),
        ]
    };
    let atomic = batch_create(&db, rows(), true, t(T0), th).await.unwrap();
    assert!(atomic.created.is_empty());
    assert_eq!(atomic.errors.len(), 5);
    assert_eq!(count(&db, "accounts").await, 1, "atomic: nothing written");

    let partial = batch_create(&db, rows(), false, t(T0), th).await.unwrap();
    let names: Vec<&str> = partial.created.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["B1", "B4"]);
    let errs: Vec<(usize, &str)> = partial
        .errors
        .iter()
        .map(|e| (e.row, e.field.as_str()))
        .collect();
    assert_eq!(
        errs,
        [
            (2, "account_name"),
            (3, "platform"),
            (4, "account_name"),
            (5, "row"),
            (6, "credits_available")
        ]
    );
    assert_eq!(count(&db, "accounts").await, 3);
}

/// Pasted CSV: each error names the line it is on, blank lines and a quoted line break
/// counted, whether the parser or the validation found it.
#[tokio::test]
async fn pasted_rows_are_reported_by_their_line() {
    let (_d, db) = temp_db().await;
    let th = Thresholds::default();
    let csv = "account_name,platform,credits\nOk-1,claude,10\n\n\"Two\nlines\",gemini,5\nBad-platform,myspace,1\nBad-credits,claude,-4\nBad-number,claude,x\n";
    let rows = crate::domain::account::parse_paste(csv).unwrap();
    let out = batch_create(&db, rows, false, t(T0), th).await.unwrap();
    let errs: Vec<(usize, &str)> = out
        .errors
        .iter()
        .map(|e| (e.row, e.field.as_str()))
        .collect();
    assert_eq!(
        errs,
        [
            (4, "account_name"),
            (6, "platform"),
            (7, "credits_available"),
            (8, "credits_available")
        ]
    );
    assert_eq!(out.created.len(), 1);
}

#[tokio::test]
async fn refills_happen_exactly_once_per_window() {
    let (_d, db) = temp_db().await;
    let th = Thresholds::default();
    let rolling = AccountInput {
        reset: Some(ResetRuleInput {
            kind: Some("rolling".into()),
            hours: Some(5),
            ..Default::default()
        }),
        ..input("Rolling", 100)
    };
    let a = create(&db, &rolling, t(T0), th).await.unwrap();
    assert_eq!(a.next_refresh_at, Some(t("2026-03-01T05:00:00Z")));
    let spend = AccountInput {
        credits_available: Some(4),
        credits_expected: Some(100),
        ..Default::default()
    };
    update(&db, a.id, &spend, t("2026-03-01T01:00:00Z"), th)
        .await
        .unwrap();
    assert_eq!(
        get(&db, a.id, t("2026-03-01T04:00:00Z"), th)
            .await
            .unwrap()
            .account
            .status,
        AccountStatus::Exhausted
    );

    // two refillers at once, in the same window: one refill
    let at = t("2026-03-01T06:00:00Z");
    let (x, y) = tokio::join!(refresh_due(&db, at, th), refresh_due(&db, at, th));
    assert_eq!(x.unwrap() + y.unwrap(), 1);
    let after = get(&db, a.id, at, th).await.unwrap().account;
    assert_eq!(
        (after.credits_available, after.status),
        (100, AccountStatus::Available)
    );
    assert_eq!(after.next_refresh_at, Some(t("2026-03-01T10:00:00Z")));

    // spending in the same window is not undone by another check
    update(
        &db,
        a.id,
        &AccountInput {
            credits_available: Some(30),
            credits_expected: Some(100),
            ..Default::default()
        },
        at,
        th,
    )
    .await
    .unwrap();
    assert_eq!(
        refresh_due(&db, t("2026-03-01T09:59:00Z"), th)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        get(&db, a.id, t("2026-03-01T09:59:00Z"), th)
            .await
            .unwrap()
            .account
            .credits_available,
        30
    );

    // three windows later (server was down): one refill, for the latest window
    assert_eq!(
        refresh_due(&db, t("2026-03-01T21:00:00Z"), th)
            .await
            .unwrap(),
        1
    );
    let mut conn = db.acquire().await.unwrap();
    assert_eq!(
        storage::account::refill_count(&mut conn, a.id)
            .await
            .unwrap(),
        2
    );
    let latest = storage::account::get(&mut conn, a.id).await.unwrap();
    assert_eq!(latest.last_refresh_at, Some(t("2026-03-01T20:00:00Z")));
}

#[tokio::test]
async fn rotate_moves_to_another_account_in_one_step() {
    let (_d, db) = temp_db().await;
    let th = Thresholds::default();
    let p = project(&db).await;
    let a = create(&db, &input("A", 95), t(T0), th).await.unwrap();
    let b = create(&db, &input("B", 90), t(T0), th).await.unwrap();
    create(&db, &input("C", 60), t(T0), th).await.unwrap();
    let r = rotate(
        &db,
        &RotateInput {
            current_account_id: Some(a.id.0),
            project_id: Some(p.0),
            ..Default::default()
        },
        t(T0),
        PoolSettings::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        r.next_account.id, b.id,
        "never the current account, even with the most credits"
    );
    assert_eq!(r.credit_savings, "Saved 15 credits by auto-rotation");
    assert!(r.briefing.contains("# Handoff: P"));
    let mut conn = db.acquire().await.unwrap();
    assert_eq!(
        storage::account::get(&mut conn, a.id).await.unwrap().status,
        AccountStatus::Exhausted
    );
    assert_eq!(
        storage::account::get(&mut conn, b.id).await.unwrap().status,
        AccountStatus::Active
    );
    assert_eq!(count(&db, "handoff_queue").await, 1);
    let h = history(&db, SwitchesOf::Project(p.0), 10).await.unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(
        (h[0].from_account_id, h[0].to_account_id),
        (Some(a.id), Some(b.id))
    );
}

#[tokio::test]
async fn failed_rotation_leaves_no_trace() {
    let (_d, db) = temp_db().await;
    let th = Thresholds::default();
    let p = project(&db).await;
    let a = create(&db, &input("Only", 95), t(T0), th).await.unwrap();
    create(&db, &input("Poor", 20), t(T0), th).await.unwrap();
    let e = rotate(
        &db,
        &RotateInput {
            current_account_id: Some(a.id.0),
            project_id: Some(p.0),
            ..Default::default()
        },
        t(T0),
        PoolSettings::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, AppError::NoAccount { message, .. } if message == "No available accounts for rotation"),
        "{e:?}"
    );
    assert!(e.suggestion().unwrap().contains("Poor has 20 credits"));
    let mut conn = db.acquire().await.unwrap();
    assert_eq!(
        storage::account::get(&mut conn, a.id).await.unwrap().status,
        AccountStatus::Available
    );
    assert_eq!(count(&db, "handoff_queue").await, 0);
    assert_eq!(count(&db, "account_switches").await, 0);

    // unknown ids fail the same clean way
    let e = rotate(
        &db,
        &RotateInput {
            current_account_id: Some(999),
            project_id: Some(p.0),
            ..Default::default()
        },
        t(T0),
        PoolSettings::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.status_code(), 404);
}

#[tokio::test]
async fn select_and_switch_are_recorded() {
    let (_d, db) = temp_db().await;
    let th = Thresholds::default();
    let a = create(&db, &input("A", 95), t(T0), th).await.unwrap();
    let b = create(&db, &input("B", 90), t(T0), th).await.unwrap();
    let s = select(&db, &SelectInput::default(), t(T0), th)
        .await
        .unwrap();
    assert_eq!(s.account.id, a.id);
    let sw = switch(
        &db,
        &SwitchInput {
            from_account_id: Some(a.id.0),
            to_account_id: Some(b.id.0),
            ..Default::default()
        },
        t(T0),
    )
    .await
    .unwrap();
    assert_eq!(sw.kind, SwitchKind::Manual);
    assert_eq!(sw.to_account_name.as_deref(), Some("B"));
    let h = history(&db, SwitchesOf::Account(a.id), 10).await.unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h.iter().filter(|s| s.kind == SwitchKind::Select).count(), 1);
}

#[tokio::test]
async fn accounts_with_history_cannot_be_deleted() {
    let (_d, db) = temp_db().await;
    let th = Thresholds::default();
    let p = project(&db).await;
    let a = create(&db, &input("A", 95), t(T0), th).await.unwrap();
    let b = create(&db, &input("B", 90), t(T0), th).await.unwrap();
    let lone = create(&db, &input("Lone", 90), t(T0), th).await.unwrap();
    rotate(
        &db,
        &RotateInput {
            current_account_id: Some(a.id.0),
            project_id: Some(p.0),
            ..Default::default()
        },
        t(T0),
        PoolSettings::default(),
    )
    .await
    .unwrap();
    assert_eq!(delete(&db, a.id).await.unwrap_err().status_code(), 409);
    assert_eq!(delete(&db, b.id).await.unwrap_err().status_code(), 409);
    delete(&db, lone.id).await.unwrap();
    assert_eq!(delete(&db, lone.id).await.unwrap_err().status_code(), 404);
}
