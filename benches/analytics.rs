//! Credit analytics timings on a real SQLite file with 100,000 sessions (200 projects, 50
//! accounts, spread over a year), 200,000 ledger rows and 5,000 handoffs: each analytics
//! query over 30 and 365 days, for all projects and for one, the whole analytics report,
//! `analyze-credits`, the dashboard alerts and a running session's warning.
//! Run: `make bench` (or `cargo bench --features ssr --bench analytics`). Prints the
//! median and the slowest of 30 runs of each (goal: every query under 20 ms).

use paas::domain::analytics::AnalyticsSettings;
use paas::domain::session::SessionId;
use paas::domain::time::Timestamp;
use paas::service::analytics as svc;
use paas::storage::{self, analytics as q};
use std::future::Future;
use std::time::{Duration, Instant};

const SESSIONS: i64 = 100_000;
const PROJECTS: i64 = 200;
const ACCOUNTS: i64 = 50;
const LEDGER: i64 = 200_000;
const HANDOFFS: i64 = 5_000;
const RUNS: usize = 30;

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

async fn time<F, Fut, T>(label: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    let mut runs: Vec<Duration> = Vec::with_capacity(RUNS);
    f().await; // warm the page cache
    for _ in 0..RUNS {
        let t = Instant::now();
        std::hint::black_box(f().await);
        runs.push(t.elapsed());
    }
    runs.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    println!(
        "{label:<52} median {:>7.2} ms   slowest {:>7.2} ms",
        ms(runs[RUNS / 2]),
        ms(runs[RUNS - 1])
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let db = storage::open(&dir.path().join("bench.db").to_string_lossy())
        .await
        .unwrap();
    let now = Timestamp::parse("2026-11-22T12:00:00Z").unwrap();
    let year = 365 * 86_400;
    let seeded = Instant::now();
    let mut rng = Rng(42);
    let mut tx = storage::begin_write(&db).await.unwrap();
    for p in 1..=PROJECTS {
        sqlx::query("INSERT INTO projects (id, name) VALUES (?, ?)")
            .bind(p)
            .bind(format!("Project {p}"))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    let platforms = ["claude", "chatgpt", "gemini", "genspark", "local"];
    for a in 1..=ACCOUNTS {
        sqlx::query(
            "INSERT INTO accounts (id, account_name, platform, credits_available, credit_capacity, next_refresh_at) \
             VALUES (?, ?, ?, ?, 1000, ?)",
        )
        .bind(a)
        .bind(format!("account-{a}"))
        .bind(platforms[(a % 5) as usize])
        .bind(rng.range(1000))
        .bind(now.plus_seconds(rng.range(7 * 86_400)))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    let mut numbers = vec![0i64; PROJECTS as usize + 1];
    let phase = Instant::now();
    for s in 1..=SESSIONS {
        let p = 1 + rng.range(PROJECTS);
        numbers[p as usize] += 1;
        let started = now.plus_seconds(-(rng.range(year)));
        let credits = 40 + rng.range(70);
        let running = s % 500 == 0;
        sqlx::query(
            "INSERT INTO sessions (id, project_id, account_id, session_number, credits_used, duration_minutes, \
             accomplishments, status, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(s)
        .bind(p)
        .bind(1 + rng.range(ACCOUNTS))
        .bind(numbers[p as usize])
        .bind(credits)
        .bind(30 + rng.range(90))
        .bind("- one\n- two")
        .bind(if running { "in_progress" } else { "completed" })
        .bind(started)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    let per_session = phase.elapsed().as_secs_f64() * 1e6 / SESSIONS as f64;
    let phase = Instant::now();
    for _ in 0..LEDGER {
        let s = 1 + rng.range(SESSIONS);
        sqlx::query(
            "INSERT INTO usage_ledger (session_id, provider, model, input_tokens, output_tokens, cost_micros, latency_ms, created_at) \
             SELECT ?, 'anthropic', 'claude-sonnet-4', ?, ?, ?, ?, started_at FROM sessions WHERE id = ?",
        )
        .bind(s)
        .bind(rng.range(20_000))
        .bind(rng.range(2_000))
        .bind(rng.range(100_000))
        .bind(rng.range(5_000))
        .bind(s)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    let per_call = phase.elapsed().as_secs_f64() * 1e6 / LEDGER as f64;
    for _ in 0..HANDOFFS {
        sqlx::query(
            "INSERT INTO handoff_queue (project_id, from_account_id, handoff_context, created_at) VALUES (?, ?, 'x', ?)",
        )
        .bind(1 + rng.range(PROJECTS))
        .bind(1 + rng.range(ACCOUNTS))
        .bind(now.plus_seconds(-(rng.range(year))))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    sqlx::query("ANALYZE").execute(&db).await.unwrap();
    println!(
        "seeded {SESSIONS} sessions, {LEDGER} ledger rows, {HANDOFFS} handoffs in {:.1} s \
         (roll-ups kept by triggers: {per_session:.0} µs a session, {per_call:.0} µs a ledger row)",
        seeded.elapsed().as_secs_f64()
    );

    let settings = AnalyticsSettings::default();
    for days in [30, 365] {
        let since = paas::domain::analytics::period_start(now, days);
        for project in [None, Some(7)] {
            let scope = match project {
                None => format!("{days} days, all projects"),
                Some(_) => format!("{days} days, one project"),
            };
            let db = &db;
            time(
                &format!("credits per day per project ({scope})"),
                || async move {
                    let mut c = db.acquire().await.unwrap();
                    q::daily(&mut c, since, project, 5).await.unwrap()
                },
            )
            .await;
            time(
                &format!("summary and sessions per band ({scope})"),
                || async move {
                    let mut c = db.acquire().await.unwrap();
                    q::histogram(&mut c, since, project).await.unwrap()
                },
            )
            .await;
            time(
                &format!("efficiency per account ({scope})"),
                || async move {
                    let mut c = db.acquire().await.unwrap();
                    q::by_account(&mut c, since, project).await.unwrap()
                },
            )
            .await;
            time(&format!("handoffs saved ({scope})"), || async move {
                let mut c = db.acquire().await.unwrap();
                q::handoffs(&mut c, since, project).await.unwrap()
            })
            .await;
            time(
                &format!("ledger cost per project ({scope})"),
                || async move {
                    let mut c = db.acquire().await.unwrap();
                    storage::ledger::by_project(&mut c, since, project)
                        .await
                        .unwrap()
                },
            )
            .await;
            let settings = &settings;
            time(&format!("whole report ({scope})"), || async move {
                svc::report(db, project, Some(days), None, now, settings)
                    .await
                    .unwrap()
            })
            .await;
        }
    }
    let db = &db;
    let settings = &settings;
    time("analyze-credits (one project, 30 days)", || async move {
        svc::analyze(
            db,
            &svc::AnalyzeInput {
                project_id: Some(7),
                days: Some(30),
            },
            now,
        )
        .await
        .unwrap()
    })
    .await;
    time("outlooks and alerts (50 accounts)", || async move {
        svc::alerts(db, now, settings).await.unwrap()
    })
    .await;
    let running = paas::service::session::get(db, SessionId(500))
        .await
        .unwrap();
    let running = &running;
    time("a running session's warning", || async move {
        svc::session_warning(db, running, now, settings)
            .await
            .unwrap()
    })
    .await;
}
