//! Tests of the daily figures, and of the rollups kept equal to the sums over sessions.

use super::*;
use crate::domain::analytics::{summary_of, summary_of_histogram};
use crate::storage::temp_db;

#[tokio::test]
async fn daily_keeps_the_largest_projects_and_sums_the_rest() {
    let (_dir, db) = temp_db().await;
    sqlx::query("INSERT INTO accounts (account_name) VALUES ('a')")
        .execute(&db)
        .await
        .unwrap();
    for p in 1..=8i64 {
        sqlx::query("INSERT INTO projects (id, name) VALUES (?, ?)")
            .bind(p)
            .bind(format!("p{p}"))
            .execute(&db)
            .await
            .unwrap();
        for (n, day) in ["2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z"]
            .iter()
            .enumerate()
        {
            sqlx::query(
                "INSERT INTO sessions (project_id, account_id, session_number, credits_used, started_at) \
                 VALUES (?, 1, ?, ?, ?)",
            )
            .bind(p)
            .bind(n as i64 + 1)
            .bind(p * 10)
            .bind(*day)
            .execute(&db)
            .await
            .unwrap();
        }
    }
    // a session before the period is not counted
    sqlx::query(
        "INSERT INTO sessions (project_id, account_id, session_number, credits_used, started_at) \
         VALUES (1, 1, 9, 999, '2026-02-01T00:00:00Z')",
    )
    .execute(&db)
    .await
    .unwrap();
    let since = Timestamp::parse("2026-03-01T00:00:00Z").unwrap();
    let mut conn = db.writer().acquire().await.unwrap();
    let d = daily(&mut conn, since, None, 5).await.unwrap();
    assert_eq!(d.other_projects, 3);
    let mut kept: Vec<i64> = d.rows.iter().map(|r| r.1).collect();
    kept.sort_unstable();
    kept.dedup();
    assert_eq!(kept, vec![OTHER_PROJECTS, 4, 5, 6, 7, 8]);
    let others: i64 = d
        .rows
        .iter()
        .filter(|r| r.1 == OTHER_PROJECTS)
        .map(|r| r.2)
        .sum();
    assert_eq!(others, 2 * (10 + 20 + 30));
    assert_eq!(d.rows.iter().map(|r| r.2).sum::<i64>(), 2 * 360);
    // few projects: nothing folded; one project: only its own
    let small = daily(&mut conn, since, None, 10).await.unwrap();
    assert_eq!((small.other_projects, small.rows.len()), (0, 16));
    let one = daily(&mut conn, since, Some(2), 5).await.unwrap();
    assert_eq!(
        one.rows,
        vec![("2026-03-01".into(), 2, 20), ("2026-03-02".into(), 2, 20)]
    );
}

/// Direct sums over the sessions and the ledger: what the roll-ups must equal.
mod reference {
    use sqlx::SqliteConnection;

    const LIVE: &str =
        "s.project_id IN (SELECT id FROM projects WHERE deleted_at IS NULL) AND s.started_at >= ?";

    pub async fn summary(
        c: &mut SqliteConnection,
        since: &str,
    ) -> (i64, i64, Option<i64>, Option<i64>) {
        sqlx::query_as(&format!(
            "SELECT COUNT(*), COALESCE(SUM(credits_used), 0), MIN(credits_used), MAX(credits_used) \
             FROM sessions s WHERE {LIVE} AND status != 'in_progress'"
        ))
        .bind(since)
        .fetch_one(c)
        .await
        .unwrap()
    }

    pub async fn histogram(c: &mut SqliteConnection, since: &str) -> Vec<(i64, i64)> {
        sqlx::query_as(&format!(
            "SELECT credits_used, COUNT(*) FROM sessions s WHERE {LIVE} AND status != 'in_progress' \
             GROUP BY credits_used ORDER BY credits_used"
        ))
        .bind(since)
        .fetch_all(c)
        .await
        .unwrap()
    }

    pub async fn by_account(c: &mut SqliteConnection, since: &str) -> Vec<(i64, i64, i64)> {
        sqlx::query_as(&format!(
            "SELECT account_id, COUNT(*), SUM(credits_used) FROM sessions s WHERE {LIVE} \
             AND status != 'in_progress' GROUP BY account_id ORDER BY account_id"
        ))
        .bind(since)
        .fetch_all(c)
        .await
        .unwrap()
    }

    pub async fn daily(c: &mut SqliteConnection, since: &str) -> Vec<(String, i64, i64)> {
        sqlx::query_as(&format!(
            "SELECT substr(started_at, 1, 10) AS d, project_id, SUM(credits_used) AS n FROM sessions s \
             WHERE {LIVE} GROUP BY d, project_id HAVING n > 0 ORDER BY d, project_id"
        ))
        .bind(since)
        .fetch_all(c)
        .await
        .unwrap()
    }

    /// `(project, sessions with usage, their accomplishments, calls, input, output,
    /// cost, latency sum, latency count)` from the ledger rows themselves.
    pub async fn usage(c: &mut SqliteConnection, since: &str) -> Vec<[i64; 9]> {
        use sqlx::Row;
        let rows = sqlx::query(&format!(
            "SELECT s.project_id, COUNT(*), SUM(s.accomplishment_count), SUM(u.calls), SUM(u.i), \
             SUM(u.o), SUM(u.cost), SUM(u.ls), SUM(u.lc) FROM sessions s JOIN \
             (SELECT session_id, COUNT(*) AS calls, SUM(input_tokens) AS i, SUM(output_tokens) AS o, \
              SUM(cost_micros) AS cost, COALESCE(SUM(latency_ms), 0) AS ls, COUNT(latency_ms) AS lc \
              FROM usage_ledger GROUP BY session_id) u ON u.session_id = s.id \
             WHERE {LIVE} GROUP BY s.project_id ORDER BY s.project_id"
        ))
        .bind(since)
        .fetch_all(c)
        .await
        .unwrap();
        rows.into_iter()
            .map(|r| std::array::from_fn(|i| r.get::<i64, _>(i)))
            .collect()
    }
}

/// Deterministic pseudo-random numbers (a linear congruential generator).
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> i64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n) as i64
    }
}

async fn assert_rollups_match(conn: &mut SqliteConnection, step: usize) {
    for since in [
        "2025-12-01T00:00:00Z",
        "2025-12-20T00:00:00Z",
        "2026-01-01T00:00:00Z",
        "2026-01-31T00:00:00Z",
        "2026-02-14T00:00:00Z",
        "2026-03-09T00:00:00Z",
    ] {
        let at = Timestamp::parse(since).unwrap();
        let ctx = format!("step {step}, since {since}");
        let mut h = histogram(&mut *conn, at, None).await.unwrap();
        let (n, total, min, max) = reference::summary(&mut *conn, since).await;
        assert_eq!(
            summary_of_histogram(&h),
            summary_of(n, total, min, max),
            "summary, {ctx}"
        );
        h.sort_unstable();
        assert_eq!(
            h,
            reference::histogram(&mut *conn, since).await,
            "histogram, {ctx}"
        );
        let mut a = by_account(&mut *conn, at, None).await.unwrap();
        a.sort_unstable();
        assert_eq!(
            a,
            reference::by_account(&mut *conn, since).await,
            "accounts, {ctx}"
        );
        // every project kept: the day rows themselves
        let want = reference::daily(&mut *conn, since).await;
        let mut all = daily(&mut *conn, at, None, 100).await.unwrap();
        all.rows.sort();
        assert_eq!(
            (all.rows, all.other_projects),
            (want.clone(), 0),
            "daily, {ctx}"
        );
        // two kept, the rest summed per day
        let folded = daily(&mut *conn, at, None, 2).await.unwrap();
        let kept: Vec<i64> = {
            let mut k: Vec<i64> = folded.rows.iter().map(|r| r.1).filter(|p| *p > 0).collect();
            k.sort_unstable();
            k.dedup();
            k
        };
        // two kept and the rest summed, or three shown as they are
        assert!(
            kept.len() <= 2 || (kept.len() == 3 && folded.other_projects == 0),
            "{ctx}"
        );
        for (day, p, credits) in &want {
            if kept.contains(p) {
                assert!(folded.rows.contains(&(day.clone(), *p, *credits)), "{ctx}");
            }
        }
        let days: std::collections::BTreeSet<&String> = want.iter().map(|r| &r.0).collect();
        for day in days {
            let total: i64 = want.iter().filter(|r| &r.0 == day).map(|r| r.2).sum();
            let shown: i64 = folded
                .rows
                .iter()
                .filter(|r| &r.0 == day)
                .map(|r| r.2)
                .sum();
            assert_eq!(shown, total, "day {day}, {ctx}");
        }
        for p in 1..=4 {
            let one = daily(&mut *conn, at, Some(p), 5).await.unwrap();
            let want_p: Vec<_> = want.iter().filter(|r| r.1 == p).cloned().collect();
            assert_eq!(one.rows, want_p, "project {p} daily, {ctx}");
        }
        let mut usage: Vec<[i64; 9]> = crate::storage::ledger::by_project(&mut *conn, at, None)
            .await
            .unwrap()
            .into_iter()
            .map(|u| {
                let t = u.totals;
                [
                    u.project_id,
                    u.sessions,
                    u.accomplishments,
                    t.calls,
                    t.input_tokens,
                    t.output_tokens,
                    t.cost_micros,
                    t.latency_sum_ms,
                    t.latency_count,
                ]
            })
            .collect();
        usage.sort_unstable();
        assert_eq!(
            usage,
            reference::usage(&mut *conn, since).await,
            "usage, {ctx}"
        );
    }
}

/// The roll-ups equal the direct sums through inserts, updates and deletes of sessions
/// and ledger rows, and projects trashed, restored and deleted.
#[tokio::test]
async fn rollups_equal_the_sums_over_sessions_through_every_change() {
    let (_dir, db) = temp_db().await;
    let mut conn = db.writer().acquire().await.unwrap();
    for p in 1..=4 {
        sqlx::query("INSERT INTO projects (id, name) VALUES (?, ?)")
            .bind(p)
            .bind(format!("p{p}"))
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    sqlx::query("INSERT INTO accounts (id, account_name) VALUES (1, 'a'), (2, 'b'), (3, 'c')")
        .execute(&mut *conn)
        .await
        .unwrap();
    let statuses = ["in_progress", "completed", "failed", "handed_off"];
    let texts = [None, Some(""), Some("done"), Some("- a\n- b\n\n- c")];
    let start = Timestamp::parse("2025-12-10T00:00:00Z").unwrap();
    let mut rng = Lcg(7);
    let mut next_id = 1i64;
    let mut deleted_project = false;
    for step in 0..400usize {
        let sessions: Vec<i64> = sqlx::query_scalar("SELECT id FROM sessions")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        let pick = |rng: &mut Lcg| sessions[rng.below(sessions.len() as u64) as usize];
        let when = |rng: &mut Lcg| start.plus_seconds(rng.below(100 * 86_400));
        let op = if sessions.is_empty() {
            0
        } else {
            rng.below(100)
        };
        match op {
            0..=29 => {
                let project = 1 + rng.below(4);
                // a deleted project takes no sessions
                let exists: bool =
                    sqlx::query_scalar("SELECT EXISTS(SELECT 1 FROM projects WHERE id = ?)")
                        .bind(project)
                        .fetch_one(&mut *conn)
                        .await
                        .unwrap();
                if exists {
                    sqlx::query(
                        "INSERT INTO sessions (id, project_id, account_id, session_number, credits_used, \
                         status, accomplishments, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    )
                    .bind(next_id)
                    .bind(project)
                    .bind(1 + rng.below(3))
                    .bind(next_id)
                    .bind(rng.below(12) * 10)
                    .bind(statuses[rng.below(4) as usize])
                    .bind(texts[rng.below(4) as usize])
                    .bind(when(&mut rng))
                    .execute(&mut *conn)
                    .await
                    .unwrap();
                    next_id += 1;
                }
            }
            30..=54 => {
                let latency = (rng.below(3) > 0).then(|| rng.below(900));
                sqlx::query(
                    "INSERT INTO usage_ledger (session_id, provider, model, input_tokens, output_tokens, \
                     cost_micros, latency_ms, created_at) VALUES (?, 'openai', 'gpt', ?, ?, ?, ?, ?)",
                )
                .bind(pick(&mut rng))
                .bind(rng.below(5_000))
                .bind(rng.below(500))
                .bind(rng.below(90_000))
                .bind(latency)
                .bind(when(&mut rng))
                .execute(&mut *conn)
                .await
                .unwrap();
            }
            55..=59 => {
                sqlx::query("UPDATE sessions SET credits_used = ?, status = ? WHERE id = ?")
                    .bind(rng.below(12) * 10)
                    .bind(statuses[rng.below(4) as usize])
                    .bind(pick(&mut rng))
                    .execute(&mut *conn)
                    .await
                    .unwrap();
            }
            60..=63 => {
                sqlx::query("UPDATE sessions SET started_at = ?, account_id = ? WHERE id = ?")
                    .bind(when(&mut rng))
                    .bind(1 + rng.below(3))
                    .bind(pick(&mut rng))
                    .execute(&mut *conn)
                    .await
                    .unwrap();
            }
            64..=67 => {
                sqlx::query("UPDATE sessions SET accomplishments = ? WHERE id = ?")
                    .bind(texts[rng.below(4) as usize])
                    .bind(pick(&mut rng))
                    .execute(&mut *conn)
                    .await
                    .unwrap();
            }
            68..=70 => {
                // moved to another (existing) project
                sqlx::query(
                    "UPDATE sessions SET project_id = ?1 WHERE id = ?2 \
                     AND EXISTS (SELECT 1 FROM projects WHERE id = ?1)",
                )
                .bind(1 + rng.below(4))
                .bind(pick(&mut rng))
                .execute(&mut *conn)
                .await
                .unwrap();
            }
            71..=76 => {
                sqlx::query(
                    "UPDATE usage_ledger SET cost_micros = ?, latency_ms = NULL, session_id = ? \
                     WHERE id = (SELECT id FROM usage_ledger ORDER BY random() LIMIT 1)",
                )
                .bind(rng.below(50_000))
                .bind(pick(&mut rng))
                .execute(&mut *conn)
                .await
                .unwrap();
            }
            77..=84 => {
                sqlx::query(
                    "DELETE FROM usage_ledger WHERE id = (SELECT id FROM usage_ledger ORDER BY random() LIMIT 1)",
                )
                .execute(&mut *conn)
                .await
                .unwrap();
            }
            85..=89 => {
                sqlx::query("DELETE FROM sessions WHERE id = ?")
                    .bind(pick(&mut rng))
                    .execute(&mut *conn)
                    .await
                    .unwrap();
            }
            90..=94 => {
                sqlx::query(
                    "UPDATE projects SET deleted_at = CASE WHEN deleted_at IS NULL \
                     THEN '2026-03-10T00:00:00Z' ELSE NULL END WHERE id = ?",
                )
                .bind(1 + rng.below(4))
                .execute(&mut *conn)
                .await
                .unwrap();
            }
            _ if step > 300 && !deleted_project => {
                // a live project deleted outright, its sessions and ledger with it
                sqlx::query("UPDATE projects SET deleted_at = NULL WHERE id = 4; DELETE FROM projects WHERE id = 4")
                    .execute(&mut *conn)
                    .await
                    .unwrap();
                deleted_project = true;
            }
            _ => {}
        }
        if step % 20 == 19 {
            assert_rollups_match(&mut conn, step).await;
        }
    }
    assert!(deleted_project);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert!(
        left > 20,
        "the run should leave sessions to compare, {left} left"
    );
    assert_rollups_match(&mut conn, 400).await;
}

/// A database from before the roll-ups gets them, and its sessions' usage, from what it
/// holds when the migration runs.
#[tokio::test]
async fn the_rollups_migration_sums_what_was_there() {
    use sqlx::migrate::Migrator;
    const ROLLUPS: i64 = 20261122000005;
    let dir = tempfile::tempdir().unwrap();
    let db = crate::storage::connect(&dir.path().join("old.db").to_string_lossy())
        .await
        .unwrap();
    let before = Migrator {
        migrations: std::borrow::Cow::Owned(
            crate::storage::MIGRATOR
                .migrations
                .iter()
                .filter(|m| m.version < ROLLUPS)
                .cloned()
                .collect(),
        ),
        ..Migrator::DEFAULT
    };
    before.run(db.writer()).await.unwrap();
    sqlx::raw_sql(
        "INSERT INTO projects (id, name, deleted_at) VALUES (1, 'a', NULL), (2, 'b', NULL), \
             (3, 'trashed', '2026-01-05T00:00:00Z');
             INSERT INTO accounts (id, account_name) VALUES (1, 'x'), (2, 'y');
             INSERT INTO sessions (id, project_id, account_id, session_number, credits_used, status, \
             accomplishments, started_at) VALUES
                 (1, 1, 1, 1, 80, 'completed', '- a\n- b', '2025-12-30T10:00:00Z'),
                 (2, 1, 2, 2, 95, 'handed_off', 'c', '2026-01-02T10:00:00Z'),
                 (3, 2, 1, 1, 40, 'in_progress', NULL, '2026-01-02T11:00:00Z'),
                 (4, 3, 2, 1, 70, 'completed', 'x', '2026-01-03T11:00:00Z');
             INSERT INTO usage_ledger (session_id, provider, model, input_tokens, output_tokens, \
             cost_micros, latency_ms, created_at) VALUES
                 (1, 'openai', 'gpt', 100, 10, 2500, 300, '2025-12-30T10:01:00Z'),
                 (1, 'openai', 'gpt', 200, 20, 7500, NULL, '2026-01-01T10:01:00Z'),
                 (3, 'openai', 'gpt', 5, 5, 5, 5, '2026-01-02T11:01:00Z'),
                 (4, 'openai', 'gpt', 9, 9, 9, 9, '2026-01-03T11:01:00Z');",
    )
    .execute(&db)
    .await
    .unwrap();
    crate::storage::migrate(&db).await.unwrap();
    let mut conn = db.writer().acquire().await.unwrap();
    let (calls, cost): (i64, i64) =
        sqlx::query_as("SELECT usage_calls, usage_cost_micros FROM sessions WHERE id = 1")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!((calls, cost), (2, 10_000));
    assert_rollups_match(&mut conn, 0).await;
    // id 0 is the roll-ups' "all projects"
    assert!(
        sqlx::query("INSERT INTO projects (id, name) VALUES (0, 'zero')")
            .execute(&mut *conn)
            .await
            .is_err()
    );
    let at = Timestamp::parse("2025-12-01T00:00:00Z").unwrap();
    let s = summary_of_histogram(&histogram(&mut conn, at, None).await.unwrap());
    assert_eq!(
        (
            s.total_sessions,
            s.total_credits,
            s.min_credits,
            s.max_credits
        ),
        (2, 175, Some(80), Some(95))
    );
}
