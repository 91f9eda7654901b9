//! Account pool operations: refills, create (one and many), change, select, rotate, switch.

use crate::domain::account::{
    adjust, apply_patch, select as choose, Account, AccountId, AccountInput, AccountPatchInput,
    AccountQuery, AccountStatus, AccountSwitch, AccountView, Adjustment, AdjustmentInput,
    NewAccount, RowError, SelectInput, SelectRequest, Selection, Strategy, SwitchKind, Thresholds,
};
use crate::domain::briefing::{credit_savings, rotation_briefing, RotationContext};
use crate::domain::project::{Page, ProjectId};
use crate::domain::text::name_key;
use crate::domain::time::Timestamp;
use crate::error::{AppError, FieldError};
use crate::storage::account::{NewSwitch, SwitchesOf};
use crate::storage::{self, Db};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Pool settings of this server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PoolSettings {
    pub thresholds: Thresholds,
    /// Credits a handoff saves (the spec's 15), reported by rotation.
    pub credit_savings: i64,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            thresholds: Thresholds::default(),
            credit_savings: crate::domain::briefing::DEFAULT_CREDIT_SAVINGS,
        }
    }
}

pub const MAX_BATCH_ROWS: usize = 10_000;

/// Applies every refill due at `now`, each exactly once per window. Returns how many.
#[tracing::instrument(skip_all, err(level = "warn"))]
pub async fn refresh_due(db: &Db, now: Timestamp, th: Thresholds) -> Result<usize, AppError> {
    {
        let mut conn = db.acquire().await?;
        if !storage::account::any_refill_due(&mut conn, now).await? {
            return Ok(0);
        }
    }
    let mut tx = storage::begin_write(db).await?;
    let mut applied = 0;
    for account in storage::account::refills_due(&mut tx, now).await? {
        if let Some(refill) = account.due_refill(now, th) {
            if storage::account::apply_refill(&mut tx, &refill, now).await? {
                applied += 1;
            }
        }
    }
    tx.commit().await?;
    if applied > 0 {
        tracing::info!(applied, "credits refilled");
    }
    Ok(applied)
}

pub async fn create(
    db: &Db,
    input: &AccountInput,
    now: Timestamp,
    th: Thresholds,
) -> Result<Account, AppError> {
    let new = NewAccount::parse(input, th)?;
    let mut tx = storage::begin_write(db).await?;
    ensure_name_free(&mut tx, &new.name, None).await?;
    let id = storage::account::insert(&mut tx, &new, now).await?;
    let account = storage::account::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(account)
}

/// 409 on `account_name` when another account (not `except`) has the same name by
/// `name_key`: one rule for single creates, renames, batches and imports.
async fn ensure_name_free(
    conn: &mut sqlx::SqliteConnection,
    name: &str,
    except: Option<AccountId>,
) -> Result<(), AppError> {
    let key = name_key(name);
    for (id, other) in storage::account::names_matching(conn, std::slice::from_ref(&key)).await? {
        if Some(id) != except && name_key(&other) == key {
            return Err(AppError::conflict_on(
                "account_name",
                format!("an account named {other:?} already exists"),
            ));
        }
    }
    Ok(())
}

pub async fn get(
    db: &Db,
    id: AccountId,
    now: Timestamp,
    th: Thresholds,
) -> Result<AccountView, AppError> {
    refresh_due(db, now, th).await?;
    let mut conn = db.acquire().await?;
    let account = storage::account::get(&mut conn, id).await?;
    Ok(AccountView::new(account, now, th))
}

pub async fn list(
    db: &Db,
    query: &AccountQuery,
    now: Timestamp,
    th: Thresholds,
) -> Result<Page<AccountView>, AppError> {
    refresh_due(db, now, th).await?;
    let mut conn = db.acquire().await?;
    let page = storage::account::list(&mut conn, query).await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|a| AccountView::new(a, now, th))
            .collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    })
}

#[tracing::instrument(skip_all, fields(account.id = %id), err(level = "info"))]
pub async fn update(
    db: &Db,
    id: AccountId,
    input: &AccountPatchInput,
    now: Timestamp,
    th: Thresholds,
) -> Result<Account, AppError> {
    let mut tx = storage::begin_write(db).await?;
    let current = storage::account::get(&mut tx, id).await?;
    AppError::ensure_version("account", current.version, input.version)?;
    let before = current.credits_available;
    if input.credits_available.is_some() {
        match input.credits_expected {
            None => {
                return Err(AppError::validation(
                    "credits_available",
                    "credits change by an adjustment: send credits_expected (the credits you saw) \
                     with it, or POST /api/accounts/{id}/credits",
                ))
            }
            Some(e) if e != before => {
                return Err(AppError::conflict_on(
                    "credits_available",
                    format!(
                        "the credits changed since you opened this form (now {before}) — \
                         reload to see them, then save again"
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    let updated = apply_patch(current, input, now, th)?;
    if input.account_name.is_some() {
        ensure_name_free(&mut tx, &updated.account_name, Some(id)).await?;
    }
    storage::account::save(&mut tx, &updated).await?;
    if updated.credits_available != before {
        storage::account::record_adjustment(
            &mut tx,
            id,
            before,
            updated.credits_available,
            input
                .credits_reason
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .unwrap_or("set by an edit"),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(updated)
}

/// Changes an account's credits by hand: a delta, or a new value checked against the
/// credits the client saw (stale → 409). Recorded with its reason in the account's history;
/// the status follows the credits (blocked stays blocked).
#[tracing::instrument(skip_all, fields(account.id = %id), err(level = "info"))]
pub async fn adjust_credits(
    db: &Db,
    id: AccountId,
    input: &AdjustmentInput,
    now: Timestamp,
    th: Thresholds,
) -> Result<Account, AppError> {
    let mut tx = storage::begin_write(db).await?;
    let current = storage::account::get(&mut tx, id).await?;
    let before = current.credits_available;
    let (after, reason) = match adjust(before, input) {
        Ok(v) => v,
        Err(Some(e)) => return Err(e.into()),
        Err(None) => {
            return Err(AppError::conflict_on(
                "expected",
                format!(
                    "the credits changed since you read them (now {before}) — reload, then adjust again"
                ),
            ))
        }
    };
    let status = current.status.after_credits(after, th);
    storage::account::set_credits(&mut tx, id, after, status, now).await?;
    storage::account::record_adjustment(&mut tx, id, before, after, &reason, now).await?;
    let account = storage::account::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(account)
}

/// An account's credit adjustments, newest first (404 for an account that is not there).
pub async fn adjustments(db: &Db, id: AccountId, limit: i64) -> Result<Vec<Adjustment>, AppError> {
    let mut conn = db.acquire().await?;
    storage::account::get(&mut conn, id).await?;
    Ok(storage::account::adjustments(&mut conn, id, limit).await?)
}

pub async fn delete(db: &Db, id: AccountId) -> Result<(), AppError> {
    let mut tx = storage::begin_write(db).await?;
    // an account with a history stays, so the history keeps its names and sums
    let used = storage::account::history_count(&mut tx, id).await?;
    if used > 0 {
        return Err(AppError::conflict(format!(
            "account {id} has {used} session(s) or handoff(s) in its history; block it instead of deleting it"
        )));
    }
    storage::account::delete(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// The result of a batch: what was created and what was wrong, row by row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BatchOutcome {
    pub created: Vec<(String, AccountId)>,
    pub errors: Vec<RowError>,
}

/// Creates many accounts in one transaction. Every row is validated (including duplicate
/// names, in the batch and in the pool). With `atomic`, any error means nothing is written;
/// otherwise the valid rows are created and the invalid ones reported.
#[tracing::instrument(skip_all, fields(rows = rows.len(), atomic), err(level = "info"))]
pub async fn batch_create(
    db: &Db,
    rows: Vec<Result<AccountInput, RowError>>,
    atomic: bool,
    now: Timestamp,
    th: Thresholds,
) -> Result<BatchOutcome, AppError> {
    if rows.is_empty() {
        return Err(AppError::validation("accounts", "no accounts given"));
    }
    if rows.len() > MAX_BATCH_ROWS {
        return Err(AppError::validation(
            "accounts",
            format!(
                "at most {MAX_BATCH_ROWS} accounts per batch (got {})",
                rows.len()
            ),
        ));
    }
    let keys: Vec<String> = rows
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter_map(|input| input.account_name.as_deref())
        .map(name_key)
        .collect();
    let mut tx = storage::begin_write(db).await?;
    let taken: HashSet<String> = storage::account::names_matching(&mut tx, &keys)
        .await?
        .iter()
        .map(|(_, n)| name_key(n))
        .collect();
    let mut in_batch: HashSet<String> = HashSet::new();
    let mut valid = Vec::with_capacity(rows.len());
    let mut outcome = BatchOutcome::default();
    for (i, row) in rows.into_iter().enumerate() {
        // the row's line in pasted text, else its place in the request
        let n = match &row {
            Ok(input) => input.line.unwrap_or(i + 1),
            Err(e) if e.row > 0 => e.row,
            Err(_) => i + 1,
        };
        let parsed = row.and_then(|input| {
            NewAccount::parse(&input, th).map_err(|e: FieldError| RowError {
                row: n,
                field: e.field,
                error: e.message,
            })
        });
        match parsed {
            Ok(new) if taken.contains(&name_key(&new.name)) => outcome.errors.push(RowError {
                row: n,
                field: "account_name".into(),
                error: format!("an account named {:?} already exists", new.name),
            }),
            Ok(new) if !in_batch.insert(name_key(&new.name)) => outcome.errors.push(RowError {
                row: n,
                field: "account_name".into(),
                error: format!("{:?} appears earlier in this batch", new.name),
            }),
            Ok(new) => valid.push(new),
            Err(mut e) => {
                if e.row == 0 {
                    e.row = n;
                }
                outcome.errors.push(e)
            }
        }
    }
    if atomic && !outcome.errors.is_empty() {
        tx.rollback().await?;
        return Ok(outcome);
    }
    outcome.created = storage::account::insert_many(&mut tx, &valid, now).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Picks the account to use next and records the choice in the switch history.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn select(
    db: &Db,
    input: &SelectInput,
    now: Timestamp,
    th: Thresholds,
) -> Result<Selection, AppError> {
    let req = SelectRequest::parse(input)?;
    refresh_due(db, now, th).await?;
    // choose from a read snapshot, off the single writer (the pool can be thousands of
    // accounts); the write transaction then only checks that the chosen account is
    // unchanged, and chooses again itself if it changed meanwhile
    let planned = {
        let mut conn = db.acquire().await?;
        choose_in(&mut conn, &req, now).await
    };
    let mut tx = storage::begin_write(db).await?;
    let project = match input.project_id {
        Some(id) => Some(storage::project::get(&mut tx, ProjectId(id)).await?.id),
        None => None,
    };
    let selection = match planned {
        Ok(s) if storage::account::get(&mut tx, s.account.id).await? == s.account => s,
        _ => choose_in(&mut tx, &req, now).await?,
    };
    storage::account::mark_used(&mut tx, selection.account.id, None, now).await?;
    storage::account::record_switch(
        &mut tx,
        &NewSwitch {
            kind: SwitchKind::Select,
            from: req.current.filter(|c| *c != selection.account.id),
            to: Some(selection.account.id),
            project_id: project.map(|p| p.0),
            reason: &selection.reason,
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(selection)
}

/// The account to continue on instead of `current`, chosen by the default
/// strategy without recording anything (for advice shown before a rotation).
pub async fn preview_next(
    db: &Db,
    current: AccountId,
    now: Timestamp,
) -> Result<Option<Selection>, AppError> {
    let mut conn = db.acquire().await?;
    let from = storage::account::get(&mut conn, current).await?;
    match successor(&mut conn, &from, Strategy::default(), now).await {
        Ok(s) => Ok(Some(s)),
        Err(AppError::NoAccount { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The account the engine recommends for a new session (default strategy), without
/// recording anything; none when no account qualifies.
pub async fn recommend(db: &Db, now: Timestamp) -> Result<Option<Selection>, AppError> {
    let req = SelectRequest {
        specialization: None,
        min_credits: crate::domain::account::DEFAULT_MIN_CREDITS,
        strategy: Strategy::default(),
        current: None,
        exclude: None,
    };
    let mut conn = db.acquire().await?;
    match choose_in(&mut conn, &req, now).await {
        Ok(s) => Ok(Some(s)),
        Err(AppError::NoAccount { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The account that takes over from `from`: by `strategy`, never `from` itself, one with
/// the same specialization when there is such an account that qualifies, else any.
pub(crate) async fn successor(
    conn: &mut sqlx::SqliteConnection,
    from: &Account,
    strategy: Strategy,
    now: Timestamp,
) -> Result<Selection, AppError> {
    let req = SelectRequest {
        specialization: None,
        min_credits: crate::domain::account::DEFAULT_MIN_CREDITS,
        strategy,
        current: Some(from.id),
        exclude: Some(from.id),
    };
    if let Some(spec) = from
        .specialization
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        let same = SelectRequest {
            specialization: Some(spec.to_string()),
            ..req.clone()
        };
        let pool =
            storage::account::selection_pool(conn, Some(spec), Some(req.min_credits)).await?;
        if let Ok(s) = choose(&pool, &same, now) {
            return Ok(s);
        }
    }
    choose_in(conn, &req, now).await
}

/// Selects from the accounts that can qualify; on failure, looks at the whole matching pool
/// for a useful suggestion.
pub(crate) async fn choose_in(
    conn: &mut sqlx::SqliteConnection,
    req: &SelectRequest,
    now: Timestamp,
) -> Result<Selection, AppError> {
    let spec = req.specialization.as_deref();
    let candidates = storage::account::selection_pool(conn, spec, Some(req.min_credits)).await?;
    match choose(&candidates, req, now) {
        Ok(s) => Ok(s),
        Err(_) => {
            let pool = storage::account::selection_pool(conn, spec, None).await?;
            Ok(choose(&pool, req, now)?)
        }
    }
}

/// Raw rotation request (spec: `current_account_id`, `project_id`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RotateInput {
    #[serde(default)]
    pub current_account_id: Option<i64>,
    #[serde(default)]
    pub project_id: Option<i64>,
    #[serde(default)]
    pub specialization: Option<String>,
    #[serde(default)]
    pub min_credits: Option<i64>,
    #[serde(default)]
    pub strategy: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Rotation {
    pub next_account: Account,
    pub previous_account: Account,
    pub briefing: String,
    pub credit_savings: String,
    pub reason: String,
    pub handoff_id: i64,
}

/// Rotates a project away from an exhausted account, in one transaction: marks it
/// exhausted, chooses the next (never the same), writes the briefing into the handoff
/// queue, makes the next account active and records the switch. On any failure nothing
/// changes.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn rotate(
    db: &Db,
    input: &RotateInput,
    now: Timestamp,
    settings: PoolSettings,
) -> Result<Rotation, AppError> {
    let current = match input.current_account_id {
        Some(id) if id > 0 => AccountId(id),
        Some(id) => {
            return Err(AppError::validation(
                "current_account_id",
                format!("{id} is not an account id"),
            ))
        }
        None => {
            return Err(AppError::validation(
                "current_account_id",
                "which account is running out?",
            ))
        }
    };
    let project_id = match input.project_id {
        Some(id) if id > 0 => ProjectId(id),
        Some(id) => {
            return Err(AppError::validation(
                "project_id",
                format!("{id} is not a project id"),
            ))
        }
        None => {
            return Err(AppError::validation(
                "project_id",
                "which project is being handed off?",
            ))
        }
    };
    let mut req = SelectRequest::parse(&SelectInput {
        specialization: input.specialization.clone(),
        min_credits: input.min_credits,
        strategy: input.strategy.clone(),
        current_account_id: None,
        project_id: None,
    })?;
    req.exclude = Some(current);
    refresh_due(db, now, settings.thresholds).await?;
    // git is asked before the write transaction: it may take a moment
    let repository = {
        let mut conn = db.acquire().await?;
        let root = storage::capture::root_of_project(&mut conn, project_id).await?;
        drop(conn);
        match root {
            Some(r) => crate::server::git::state(&r).await,
            None => None,
        }
    };

    let mut tx = storage::begin_write(db).await?;
    let project = storage::project::get(&mut tx, project_id).await?;
    project.ensure_editable()?;
    let mut previous = storage::account::get(&mut tx, current).await?;
    if previous.status != AccountStatus::Blocked {
        previous.status = AccountStatus::Exhausted;
    }
    previous.updated_at = now;
    storage::account::set_status(&mut tx, current, previous.status, now).await?;

    let selection = choose_in(&mut tx, &req, now).await.map_err(|e| match e {
        AppError::NoAccount { suggestion, .. } => AppError::NoAccount {
            message: "No available accounts for rotation".into(),
            suggestion,
        },
        other => other,
    })?;
    let mut next = selection.account;
    let latest = storage::handoff::latest_session(&mut tx, project_id).await?;
    let critical_files = storage::project_file::critical_paths(&mut tx, project_id).await?;
    let log = match &latest {
        Some((id, _)) => crate::service::handoff::session_log(&mut tx, *id).await?,
        None => String::new(),
    };
    let briefing = rotation_briefing(&RotationContext {
        project_name: &project.name,
        project_description: project.description.as_deref(),
        from_name: &previous.account_name,
        from_credits: previous.credits_available,
        to_name: &next.account_name,
        to_platform: next.platform.label(),
        to_credits: next.credits_available,
        latest_session: latest.as_ref().map(|(_, s)| s),
        critical_files: &critical_files,
        log: &log,
        repository: repository.as_ref(),
        now,
    });
    let handoff_id = storage::handoff::insert(
        &mut tx,
        &storage::handoff::NewHandoff {
            project: project_id,
            session_id: latest.as_ref().map(|(id, _)| *id),
            from: current,
            to: next.id,
            context: &briefing,
            at: now,
        },
    )
    .await?;
    storage::account::mark_used(&mut tx, next.id, Some(AccountStatus::Active), now).await?;
    next.status = AccountStatus::Active;
    next.last_used_at = Some(now);
    let reason = format!(
        "{} is exhausted ({} credits left); {}",
        previous.account_name, previous.credits_available, selection.reason
    );
    storage::account::record_switch(
        &mut tx,
        &NewSwitch {
            kind: SwitchKind::Rotate,
            from: Some(current),
            to: Some(next.id),
            project_id: Some(project_id.0),
            reason: &reason,
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Rotation {
        next_account: next,
        previous_account: previous,
        briefing,
        credit_savings: credit_savings(settings.credit_savings),
        reason,
        handoff_id,
    })
}

/// Raw manual switch: "from now on I work on `to_account_id`".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SwitchInput {
    #[serde(default)]
    pub from_account_id: Option<i64>,
    #[serde(default)]
    pub to_account_id: Option<i64>,
    #[serde(default)]
    pub project_id: Option<i64>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Records a switch made by hand: the new account becomes active, the old one (if given
/// and active) available again.
pub async fn switch(
    db: &Db,
    input: &SwitchInput,
    now: Timestamp,
) -> Result<AccountSwitch, AppError> {
    let to = match input.to_account_id {
        Some(id) if id > 0 => AccountId(id),
        _ => {
            return Err(AppError::validation(
                "to_account_id",
                "which account do you switch to?",
            ))
        }
    };
    let from = match input.from_account_id {
        None => None,
        Some(id) if id > 0 && id != to.0 => Some(AccountId(id)),
        Some(_) => {
            return Err(AppError::validation(
                "from_account_id",
                "must be another account",
            ))
        }
    };
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or("switched by hand");
    if reason.chars().count() > 500 {
        return Err(AppError::validation("reason", "at most 500 characters"));
    }
    let mut tx = storage::begin_write(db).await?;
    let target = storage::account::get(&mut tx, to).await?;
    if target.status == AccountStatus::Blocked {
        return Err(AppError::conflict_on(
            "to_account_id",
            format!("{} is blocked; unblock it first", target.account_name),
        ));
    }
    if let Some(p) = input.project_id {
        storage::project::get(&mut tx, ProjectId(p)).await?;
    }
    if let Some(f) = from {
        let old = storage::account::get(&mut tx, f).await?;
        if old.status == AccountStatus::Active {
            storage::account::set_status(&mut tx, f, AccountStatus::Available, now).await?;
        }
    }
    storage::account::mark_used(&mut tx, to, Some(AccountStatus::Active), now).await?;
    let id = storage::account::record_switch(
        &mut tx,
        &NewSwitch {
            kind: SwitchKind::Manual,
            from,
            to: Some(to),
            project_id: input.project_id,
            reason,
            at: now,
        },
    )
    .await?;
    let recorded = storage::account::switches(&mut tx, SwitchesOf::Account(to), 1).await?;
    tx.commit().await?;
    recorded
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(AppError::Internal)
}

/// The switches of an account or a project, newest first (404 for one that is not there).
pub async fn history(db: &Db, of: SwitchesOf, limit: i64) -> Result<Vec<AccountSwitch>, AppError> {
    let mut conn = db.acquire().await?;
    match of {
        SwitchesOf::Account(id) => drop(storage::account::get(&mut conn, id).await?),
        SwitchesOf::Project(id) => {
            drop(storage::project::get(&mut conn, crate::domain::project::ProjectId(id)).await?)
        }
        SwitchesOf::All => {}
    }
    Ok(storage::account::switches(&mut conn, of, limit.clamp(1, 500)).await?)
}

mod choices;
pub use choices::{options, quick_action, rotate_choices};

#[cfg(test)]
mod tests;
