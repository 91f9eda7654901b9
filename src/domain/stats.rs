//! The dashboard's four headline figures (spec: `GET /api/stats`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DashboardStats {
    /// Projects with status `active` that are not deleted.
    pub active_projects: i64,
    /// Accounts that can take work now: status `available` or `active`.
    pub active_accounts: i64,
    /// Credits used across all projects that are not deleted.
    pub total_credits: i64,
    /// Sessions across all projects that are not deleted.
    pub total_sessions: i64,
}

impl DashboardStats {
    /// True before the user has created anything: the dashboard shows its first-run guide.
    pub fn is_first_run(&self) -> bool {
        *self == Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_run_is_all_zero() {
        assert!(DashboardStats::default().is_first_run());
        let s = DashboardStats {
            active_accounts: 1,
            ..Default::default()
        };
        assert!(!s.is_first_run());
    }
}
