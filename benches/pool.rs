//! Account pool timings on a real SQLite file: batch create, list, select, refill check.
//! Run: `make bench` (or `cargo bench --features ssr --bench pool`). Prints the median of
//! several runs of each operation.

use paas::domain::account::{AccountInput, AccountQuery, SelectInput, Thresholds};
use paas::domain::time::Timestamp;
use paas::service::account as svc;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn rows(prefix: &str, n: usize) -> Vec<Result<AccountInput, paas::domain::account::RowError>> {
    (0..n)
        .map(|i| {
            Ok(AccountInput {
                account_name: Some(format!("{prefix}-{i:05}")),
                account_email: Some(format!("{prefix}{i}@example.com")),
                platform: Some(["genspark", "claude", "chatgpt", "gemini"][i % 4].into()),
                specialization: Some(["Frontend", "Backend", "DevOps", "General"][i % 4].into()),
                credits_available: Some((i % 100) as i64),
                ..Default::default()
            })
        })
        .collect()
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let th = Thresholds::default();
        let now = Timestamp::parse("2026-03-01T00:00:00Z").unwrap();
        let mut batch = Vec::new();
        for run in 0..7 {
            let dir = tempfile::tempdir().unwrap();
            let db = paas::storage::open(&dir.path().join("b.db").to_string_lossy())
                .await
                .unwrap();
            let input = rows(&format!("r{run}"), 1000);
            let t = Instant::now();
            let out = svc::batch_create(&db, input, false, now, th).await.unwrap();
            batch.push(t.elapsed());
            assert_eq!(out.created.len(), 1000);
        }
        println!(
            "batch create 1,000 accounts (one transaction): median {:?}",
            median(batch)
        );

        let dir = tempfile::tempdir().unwrap();
        let db = paas::storage::open(&dir.path().join("pool.db").to_string_lossy())
            .await
            .unwrap();
        for chunk in 0..10 {
            svc::batch_create(&db, rows(&format!("p{chunk}"), 1000), false, now, th)
                .await
                .unwrap();
        }
        let time = |label: &'static str, runs: usize| (label, runs);
        let (label, runs) = time("list page 1 of 10,000 accounts (sorted by credits)", 21);
        let mut v = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            svc::list(
                &db,
                &AccountQuery {
                    page: 1,
                    ..Default::default()
                },
                now,
                th,
            )
            .await
            .unwrap();
            v.push(t.elapsed());
        }
        println!("{label}: median {:?}", median(v));

        let mut v = Vec::new();
        let q = AccountQuery {
            q: Some("front".into()),
            page: 3,
            ..Default::default()
        };
        for _ in 0..21 {
            let t = Instant::now();
            svc::list(&db, &q, now, th).await.unwrap();
            v.push(t.elapsed());
        }
        println!(
            "list page 3 of 10,000 accounts filtered by specialization text: median {:?}",
            median(v)
        );

        let mut v = Vec::new();
        for _ in 0..21 {
            let input = SelectInput {
                specialization: Some("Backend".into()),
                ..Default::default()
            };
            let t = Instant::now();
            svc::select(&db, &input, now, th).await.unwrap();
            v.push(t.elapsed());
        }
        println!(
            "select best account among 10,000 (specialization Backend): median {:?}",
            median(v)
        );

        let mut v = Vec::new();
        for _ in 0..21 {
            let t = Instant::now();
            svc::refresh_due(&db, now, th).await.unwrap();
            v.push(t.elapsed());
        }
        println!(
            "refill check with nothing due, 10,000 accounts: median {:?}",
            median(v)
        );
    });
}
