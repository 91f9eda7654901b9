//! The dashboard's figures.

use crate::domain::stats::DashboardStats;
use crate::error::AppError;
use crate::storage::{self, Db};

pub async fn dashboard(db: &Db) -> Result<DashboardStats, AppError> {
    let mut conn = db.acquire().await?;
    Ok(storage::stats::dashboard(&mut conn).await?)
}
