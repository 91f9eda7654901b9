//! Credit analytics: the spec's `analyze-credits`, the analytics page's report, account
//! outlooks (alerts and predicted exhaustion) and the warning a running session shows.

use crate::domain::account::Platform;
use crate::domain::analytics::{
    self as a, AnalyticsSettings, CreditSummary, Outlook, Report, SessionWarning,
};
use crate::domain::ledger;
use crate::domain::project::ProjectId;
use crate::domain::session::{Session, SessionStatus};
use crate::domain::time::Timestamp;
use crate::error::{AppError, FieldError};
use crate::storage::{self, Db};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The spec's request: `{"project_id": 1, "days": 30}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AnalyzeInput {
    #[serde(default)]
    pub project_id: Option<i64>,
    #[serde(default)]
    pub days: Option<i64>,
}

fn project_ref(id: Option<i64>) -> Result<Option<i64>, FieldError> {
    match id {
        Some(id) if id > 0 => Ok(Some(id)),
        Some(id) => Err(FieldError::new("project_id", format!("{id} is not an id"))),
        None => Ok(None),
    }
}

/// `POST /api/private/analyze-credits`: the finished sessions of a project over the last
/// `days` (default 30).
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn analyze(
    db: &Db,
    input: &AnalyzeInput,
    now: Timestamp,
) -> Result<CreditSummary, AppError> {
    let project =
        project_ref(input.project_id)?.ok_or_else(|| FieldError::new("project_id", "required"))?;
    let days = a::parse_days(input.days)?;
    let mut conn = db.acquire().await?;
    storage::project::get(&mut conn, ProjectId(project)).await?;
    let since = now.plus_seconds(-days * 86_400);
    let (n, total, min, max) = storage::analytics::summary(&mut conn, since, project).await?;
    Ok(a::summary_of(n, total, min, max))
}

/// The outlooks of `accounts` (blocked ones left out).
async fn outlooks(
    conn: &mut sqlx::SqliteConnection,
    accounts: Vec<storage::analytics::AccountRow>,
    now: Timestamp,
    settings: &AnalyticsSettings,
) -> Result<Vec<Outlook>, AppError> {
    let since = now.plus_seconds(-settings.burn_window_hours.max(1) * 3_600);
    let mut recent: HashMap<i64, Vec<(Timestamp, i64)>> = HashMap::new();
    for (account, at, credits) in storage::analytics::recent_by_account(conn, since).await? {
        recent.entry(account).or_default().push((at, credits));
    }
    Ok(accounts
        .into_iter()
        .filter(|r| r.status != "blocked")
        .map(|r| {
            a::outlook(
                r.id,
                r.account_name,
                r.platform,
                r.status,
                r.credits_available,
                r.credit_capacity,
                r.next_refresh_at,
                recent.get(&r.id).map(Vec::as_slice).unwrap_or(&[]),
                now,
                settings,
            )
        })
        .collect())
}

/// Accounts past an alert threshold, the most urgent first.
pub async fn alerts(
    db: &Db,
    now: Timestamp,
    settings: &AnalyticsSettings,
) -> Result<Vec<Outlook>, AppError> {
    let mut conn = db.acquire().await?;
    let accounts = storage::analytics::accounts(&mut conn).await?;
    Ok(a::alerts(
        &outlooks(&mut conn, accounts, now, settings).await?,
    ))
}

/// The dashboard's alert line: counts by severity, the next refill, the worst accounts.
pub async fn alert_summary(
    db: &Db,
    now: Timestamp,
    settings: &AnalyticsSettings,
) -> Result<a::AlertSummary, AppError> {
    Ok(a::alert_summary(&alerts(db, now, settings).await?))
}

/// The analytics page: one period (`days`), all projects or one.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn report(
    db: &Db,
    project: Option<i64>,
    days: Option<i64>,
    outlook_page: Option<i64>,
    now: Timestamp,
    settings: &AnalyticsSettings,
) -> Result<Report, AppError> {
    let outlook_page = match outlook_page {
        None => 1,
        Some(p) if (1..=100_000).contains(&p) => p as usize,
        Some(p) => {
            return Err(crate::error::FieldError::new(
                "outlook_page",
                format!("a page from 1 (got {p})"),
            )
            .into())
        }
    };
    let project = project_ref(project)?;
    let days = a::parse_days(days)?;
    let since = a::period_start(now, days);
    let mut conn = db.acquire().await?;
    let projects = storage::analytics::project_names(&mut conn).await?;
    if let Some(p) = project {
        if !projects.iter().any(|(id, _)| *id == p) {
            return Err(AppError::not_found("project", p));
        }
    }
    let names: HashMap<i64, String> = projects.iter().cloned().collect();
    let name_of = |id: i64| {
        names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("Project {id}"))
    };
    let daily_rows =
        storage::analytics::daily(&mut conn, since, project, a::MAX_SERIES - 1).await?;
    let histogram = storage::analytics::histogram(&mut conn, since, project).await?;
    let per_account = storage::analytics::by_account(&mut conn, since, project).await?;
    let handoffs = storage::analytics::handoffs(&mut conn, since, project).await?;
    let usage = storage::ledger::by_project(&mut conn, since, project).await?;
    let account_rows = storage::analytics::accounts(&mut conn).await?;
    let accounts: HashMap<i64, (String, String)> = account_rows
        .iter()
        .map(|r| (r.id, (r.account_name.clone(), r.platform.clone())))
        .collect();
    let mut outlooks = outlooks(&mut conn, account_rows, now, settings).await?;
    a::by_urgency(&mut outlooks);
    let outlook_total = outlooks.len();
    let outlooks: Vec<Outlook> = outlooks
        .into_iter()
        .skip((outlook_page - 1).saturating_mul(a::OUTLOOKS_PER_PAGE))
        .take(a::OUTLOOKS_PER_PAGE)
        .collect();

    let account_of = |id: i64| {
        accounts
            .get(&id)
            .cloned()
            .unwrap_or_else(|| (format!("Account {id}"), "other".into()))
    };
    let by_account = a::top_groups(
        a::regroup(per_account.iter().map(|(id, sessions, credits)| {
            (id.to_string(), account_of(*id).0, *sessions, *credits)
        })),
        a::MAX_GROUPS,
    );
    let by_platform = a::regroup(per_account.iter().map(|(id, sessions, credits)| {
        let platform = account_of(*id).1;
        let label = platform
            .parse::<Platform>()
            .map(|p| p.label().to_owned())
            .unwrap_or_else(|_| platform.clone());
        (platform, label, *sessions, *credits)
    }));
    let costs = ledger::by_project(&usage, name_of);
    let mut cost_totals = ledger::Totals::default();
    for c in &costs {
        cost_totals.add(&c.totals);
    }
    Ok(Report {
        days,
        since,
        now,
        project_id: project,
        summary: a::summary_of_histogram(&histogram),
        daily: {
            let d = a::daily(&daily_rows.rows, a::period_days(now, days), |id| {
                if id == storage::analytics::OTHER_PROJECTS {
                    format!("{} other projects", daily_rows.other_projects)
                } else {
                    name_of(id)
                }
            });
            if days > a::WEEKLY_AFTER_DAYS {
                a::weekly(d)
            } else {
                d
            }
        },
        weekly: days > a::WEEKLY_AFTER_DAYS,
        bands: a::bands(&histogram),
        by_account,
        by_platform,
        savings: a::savings(handoffs, settings),
        costs,
        cost_totals,
        outlooks,
        outlook_total,
        outlook_page,
        projects,
    })
}

/// Minutes a session is expected to last when its account has no finished history.
pub const DEFAULT_SESSION_MINUTES: i64 = 90;

/// For a running session: whether its account will run out before the session is likely to
/// end, and the account to continue on (chosen without recording anything).
pub async fn session_warning(
    db: &Db,
    session: &Session,
    now: Timestamp,
    settings: &AnalyticsSettings,
) -> Result<Option<SessionWarning>, AppError> {
    if session.status != SessionStatus::InProgress {
        return Ok(None);
    }
    // real usage first: the window a capture-fed account is in, as the vendor reports it
    // or as its captured calls say
    let captured = crate::service::capture::runs_out(db, session.account_id, now).await?;
    let mut conn = db.acquire().await?;
    let account = storage::account::get(&mut conn, session.account_id).await?;
    if let Some(at) = captured {
        drop(conn);
        let next = crate::service::account::preview_next(db, account.id, now)
            .await?
            .map(|s| (s.account.id.0, s.account.account_name, s.reason));
        return Ok(Some(SessionWarning {
            account_id: account.id.0,
            account_name: account.account_name,
            credits_left: (account.credits_available - session.credits_used).max(0),
            runs_out_at: at.max(now),
            next_account: next,
        }));
    }
    let since = now.plus_seconds(-settings.burn_window_hours.max(1) * 3_600);
    // the running session's pace is measured on its own
    let recent =
        storage::analytics::recent_of_account(&mut conn, account.id.0, since, session.id.0).await?;
    let rate = a::burn_rate(&recent, now, settings.burn_window_hours);
    let minutes = storage::analytics::typical_minutes(&mut conn, account.id.0)
        .await?
        .map(|m| m.round() as i64)
        .unwrap_or(DEFAULT_SESSION_MINUTES);
    let Some(at) = a::runs_out_during_session(
        account.credits_available,
        session.credits_used,
        settings.exhausted_below,
        rate,
        session.started_at,
        minutes,
        now,
        account.next_refresh_at,
    ) else {
        return Ok(None);
    };
    drop(conn);
    let next = crate::service::account::preview_next(db, account.id, now)
        .await?
        .map(|s| (s.account.id.0, s.account.account_name, s.reason));
    Ok(Some(SessionWarning {
        account_id: account.id.0,
        account_name: account.account_name,
        credits_left: (account.credits_available - session.credits_used).max(0),
        runs_out_at: at,
        next_account: next,
    }))
}
