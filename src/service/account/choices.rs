//! What the account pickers offer, and the quick actions of an account page.

use super::{refresh_due, switch, update, SwitchInput};
use crate::domain::account::{
    Account, AccountId, AccountInput, AccountStatus, Thresholds, ROTATE_CHOICES,
};
use crate::domain::time::Timestamp;
use crate::error::AppError;
use crate::storage::{self, Db};

/// The accounts pickers offer (due refills applied first): not blocked, most credits first.
pub async fn options(
    db: &Db,
    now: Timestamp,
    th: Thresholds,
) -> Result<Vec<crate::domain::account::AccountOption>, AppError> {
    refresh_due(db, now, th).await?;
    let mut conn = db.acquire().await?;
    let pool = storage::account::selection_pool(&mut conn, None, None).await?;
    Ok(crate::domain::account::options(pool, 500))
}

/// Accounts a project can rotate away from: those its running sessions use first, then
/// the usable ones with the most credits — a short list even with a thousand accounts.
pub async fn rotate_choices(
    db: &Db,
    project: crate::domain::project::ProjectId,
    now: Timestamp,
    th: Thresholds,
) -> Result<Vec<crate::domain::account::AccountOption>, AppError> {
    let running = {
        let mut conn = db.acquire().await?;
        storage::session::running_accounts(&mut conn, project).await?
    };
    let all = options(db, now, th).await?;
    let mut out: Vec<_> = running
        .iter()
        .filter_map(|id| all.iter().find(|o| o.id == *id).cloned())
        .collect();
    out.extend(
        all.into_iter()
            .filter(|o| !running.contains(&o.id))
            .take(ROTATE_CHOICES),
    );
    Ok(out)
}

/// A quick action of an account page: use it, block, unblock, mark it exhausted or
/// refilled. A refill sets the credits to capacity unless they changed meanwhile (409).
pub async fn quick_action(
    db: &Db,
    id: AccountId,
    action: crate::domain::account::QuickAction,
    now: Timestamp,
    th: Thresholds,
) -> Result<Account, AppError> {
    use crate::domain::account::QuickAction as Q;
    let status = |s: &str| AccountInput {
        status: Some(s.into()),
        ..Default::default()
    };
    let input = match action {
        Q::Use => {
            let input = SwitchInput {
                to_account_id: Some(id.0),
                reason: Some("chosen by hand on the account page".into()),
                ..Default::default()
            };
            switch(db, &input, now).await?;
            let mut conn = db.acquire().await?;
            return Ok(storage::account::get(&mut conn, id).await?);
        }
        Q::Block => status("blocked"),
        Q::Unblock => status("available"),
        Q::Exhausted => status("exhausted"),
        Q::Refilled => {
            let mut conn = db.acquire().await?;
            let a = storage::account::get(&mut conn, id).await?;
            AccountInput {
                credits_available: Some(a.credit_capacity),
                // the update refuses (409) if the credits changed since this read
                credits_expected: Some(a.credits_available),
                credits_reason: Some("marked as refilled".into()),
                status: Some(
                    if a.status == AccountStatus::Blocked {
                        "blocked"
                    } else {
                        "available"
                    }
                    .into(),
                ),
                reset: Some(a.reset.clone()),
                ..Default::default()
            }
        }
    };
    update(db, id, &input, now, th).await
}
