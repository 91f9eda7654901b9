//! Cancellation safety: write futures dropped at random await points, thousands of times,
//! on a real database file. Afterwards every write still succeeds, nothing is half-written,
//! and the totals equal direct sums.
//!
//! `CANCEL_TRIALS` sets the number of trials (default 2,000); `CANCEL_SEED` the seed.

use paas::domain::account::{AccountInput, Thresholds};
use paas::domain::knowledge::EntryInput;
use paas::domain::project::ProjectInput;
use paas::domain::session::{CompletionInput, SessionInput, SessionPatchInput};
use paas::domain::time::Timestamp;
use paas::service;
use paas::storage::Db;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

/// xorshift64*: a seeded, dependency-free random source.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Runs `fut` but gives up (dropping it) after it has been polled `polls` times: the drop
/// happens at whichever await point the future reached by then.
async fn cancel_after_polls<F: Future>(fut: F, polls: u32) -> Option<F::Output> {
    let mut fut = std::pin::pin!(fut);
    let mut n = 0;
    std::future::poll_fn(move |cx| {
        if n >= polls {
            return Poll::Ready(None);
        }
        n += 1;
        fut.as_mut().poll(cx).map(Some)
    })
    .await
}

/// Runs `fut` with a cancellation chosen by `rng`: after some polls, after some
/// microseconds, or not at all.
async fn maybe_cancel<F: Future>(fut: F, rng: &mut Rng) -> Option<F::Output> {
    match rng.below(3) {
        0 => cancel_after_polls(fut, 1 + rng.below(30) as u32).await,
        1 => tokio::time::timeout(Duration::from_micros(rng.below(3_000)), fut)
            .await
            .ok(),
        _ => Some(fut.await),
    }
}

fn now() -> Timestamp {
    Timestamp::parse("2026-06-01T12:00:00Z").unwrap()
}

const INITIAL: i64 = 1_000_000_000;

struct Fixture {
    _dir: tempfile::TempDir,
    db: Db,
    project: i64,
    account: i64,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = paas::storage::open(&dir.path().join("c.db").to_string_lossy())
        .await
        .unwrap();
    let project = service::project::create(
        &db,
        &ProjectInput {
            name: Some("Cancelled".into()),
            description: None,
        },
        now(),
    )
    .await
    .unwrap();
    let account = service::account::create(
        &db,
        &AccountInput {
            account_name: Some("Main".into()),
            credits_available: Some(INITIAL),
            credit_capacity: Some(INITIAL),
            ..Default::default()
        },
        now(),
        Thresholds::default(),
    )
    .await
    .unwrap();
    Fixture {
        _dir: dir,
        db,
        project: project.id.0,
        account: account.id.0,
    }
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(db)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// One random write, possibly cancelled. Returns whether it was acknowledged.
async fn one_write(f: &Fixture, rng: &mut Rng, batch: &AtomicU64) -> bool {
    let db = &f.db;
    match rng.below(6) {
        0 | 1 => {
            let input = SessionInput {
                project_id: Some(f.project),
                account_id: Some(f.account),
                objectives: Some("cancel me".into()),
                ..Default::default()
            };
            maybe_cancel(service::session::start(db, &input, now()), rng)
                .await
                .map(|r| r.expect("start"))
                .is_some()
        }
        2 => {
            let running: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM sessions WHERE status = 'in_progress' ORDER BY random() LIMIT 1",
            )
            .fetch_optional(db)
            .await
            .unwrap();
            let Some(id) = running else { return false };
            let input = CompletionInput {
                credits_used: Some(1 + rng.below(50) as i64),
                ..Default::default()
            };
            let fut = service::session::complete(
                db,
                paas::domain::session::SessionId(id),
                &input,
                now(),
                Thresholds::default(),
            );
            match maybe_cancel(fut, rng).await {
                None => false,
                // another task may have completed it first
                Some(Err(paas::error::AppError::Conflict { .. })) => false,
                Some(r) => {
                    r.expect("complete");
                    true
                }
            }
        }
        3 => {
            let running: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM sessions WHERE status = 'in_progress' ORDER BY random() LIMIT 1",
            )
            .fetch_optional(db)
            .await
            .unwrap();
            let Some(id) = running else { return false };
            let input = SessionPatchInput {
                blockers: Some(format!("blocker {}", rng.next())),
                ..Default::default()
            };
            let fut = service::session::update(db, paas::domain::session::SessionId(id), &input);
            match maybe_cancel(fut, rng).await {
                None => false,
                Some(Err(paas::error::AppError::Conflict { .. })) => false,
                Some(r) => {
                    r.expect("update");
                    true
                }
            }
        }
        4 => {
            let n = batch.fetch_add(1, Ordering::Relaxed);
            let rows = (0..3)
                .map(|i| {
                    Ok(AccountInput {
                        account_name: Some(format!("batch-{n}-{i}")),
                        specialization: Some(format!("batch-{n}")),
                        ..Default::default()
                    })
                })
                .collect();
            let fut = service::account::batch_create(db, rows, true, now(), Thresholds::default());
            maybe_cancel(fut, rng)
                .await
                .map(|r| assert!(r.expect("batch").errors.is_empty()))
                .is_some()
        }
        _ => {
            let input = EntryInput {
                category: Some("tip".into()),
                title: Some(format!("entry {}", rng.next())),
                description: Some("written while cancelling".into()),
                tags: Some("cancel".into()),
                source_session_id: None,
                version: None,
            };
            maybe_cancel(service::knowledge::create(db, &input, now()), rng)
                .await
                .map(|r| r.expect("knowledge"))
                .is_some()
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_cancelled_at_random_points_leave_the_pool_healthy_and_the_data_whole() {
    let trials: u64 = std::env::var("CANCEL_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000);
    let seed: u64 = std::env::var("CANCEL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_CA9C);
    let f = Arc::new(fixture().await);
    let batch = Arc::new(AtomicU64::new(0));
    let acknowledged = Arc::new(AtomicU64::new(0));
    let tasks: u64 = 4;
    let mut handles = Vec::new();
    for t in 0..tasks {
        let (f, batch, acknowledged) = (f.clone(), batch.clone(), acknowledged.clone());
        handles.push(tokio::spawn(async move {
            let mut rng = Rng(seed ^ (t + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            for _ in 0..trials / tasks {
                if one_write(&f, &mut rng, &batch).await {
                    acknowledged.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for h in handles {
        h.await.expect("a writer task panicked");
    }

    // every later write succeeds, promptly
    for i in 0..50 {
        let input = EntryInput {
            category: Some("tip".into()),
            title: Some(format!("after {i}")),
            description: Some("after the storm".into()),
            tags: None,
            source_session_id: None,
            version: None,
        };
        tokio::time::timeout(
            Duration::from_secs(5),
            service::knowledge::create(&f.db, &input, now()),
        )
        .await
        .expect("a write after the cancellations hung")
        .expect("a write after the cancellations failed");
    }

    let db = &f.db;
    let ok: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(ok, "ok");
    let fk: Vec<(String,)> = sqlx::query_as("PRAGMA foreign_key_check")
        .fetch_all(db)
        .await
        .unwrap();
    assert!(fk.is_empty(), "foreign key problems: {fk:?}");

    // nothing half-written: credits, project totals and snapshots agree with the sessions
    let debited = scalar(
        db,
        "SELECT COALESCE(SUM(credits_used), 0) FROM sessions WHERE status <> 'in_progress'",
    )
    .await;
    let finished = scalar(
        db,
        "SELECT COUNT(*) FROM sessions WHERE status <> 'in_progress'",
    )
    .await;
    let credits = scalar(
        db,
        &format!(
            "SELECT credits_available FROM accounts WHERE id = {}",
            f.account
        ),
    )
    .await;
    assert_eq!(credits, INITIAL - debited, "credits = initial − Σ debits");
    let (total_credits, total_sessions) = (
        scalar(
            db,
            &format!(
                "SELECT total_credits_used FROM projects WHERE id = {}",
                f.project
            ),
        )
        .await,
        scalar(
            db,
            &format!(
                "SELECT total_sessions FROM projects WHERE id = {}",
                f.project
            ),
        )
        .await,
    );
    assert_eq!((total_credits, total_sessions), (debited, finished));
    let without_handoff = scalar(
        db,
        "SELECT COUNT(*) FROM sessions s WHERE status <> 'in_progress' AND NOT EXISTS \
         (SELECT 1 FROM context_snapshots c WHERE c.session_id = s.id AND c.snapshot_type = 'handoff')",
    )
    .await;
    assert_eq!(
        without_handoff, 0,
        "every finished session has its briefing"
    );
    let (n, max) = (
        scalar(db, "SELECT COUNT(*) FROM sessions").await,
        scalar(db, "SELECT COALESCE(MAX(session_number), 0) FROM sessions").await,
    );
    assert_eq!(n, max, "session numbers are gapless");
    let partial_batches = scalar(
        db,
        "SELECT COUNT(*) FROM (SELECT specialization FROM accounts WHERE specialization LIKE 'batch-%' \
         GROUP BY specialization HAVING COUNT(*) <> 3)",
    )
    .await;
    assert_eq!(partial_batches, 0, "a batch is all or nothing");
    println!(
        "cancellation: {trials} trials, {} acknowledged, {n} sessions ({finished} finished), \
         {} batches, credits {credits}",
        acknowledged.load(Ordering::Relaxed),
        scalar(
            db,
            "SELECT COUNT(DISTINCT specialization) FROM accounts WHERE specialization LIKE 'batch-%'"
        )
        .await
    );
}
