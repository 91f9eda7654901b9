//! Small display pieces: status badges, figures.

use crate::domain::project::ProjectStatus;
use leptos::prelude::*;

#[component]
pub fn StatusBadge(status: ProjectStatus) -> impl IntoView {
    view! {
        <span class=format!("badge badge-{}", status.as_str()) data-testid="status-badge">
            <span class="dot" aria-hidden="true"></span>
            {status.label()}
        </span>
    }
}

pub use crate::domain::text::figure;

/// A count of credits with its noun: `1 credit`, `1 424 credits`.
pub fn credits(n: i64) -> String {
    format!("{} credit{}", figure(n), if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::{credits, figure};

    #[test]
    fn credits_take_the_right_plural() {
        assert_eq!(credits(1), "1 credit");
        assert_eq!(credits(0), "0 credits");
        assert_eq!(credits(1424), "1\u{202f}424 credits");
    }

    #[test]
    fn figures_group_thousands() {
        assert_eq!(figure(0), "0");
        assert_eq!(figure(999), "999");
        assert_eq!(figure(1000), "1\u{202f}000");
        assert_eq!(figure(-1234567), "-1\u{202f}234\u{202f}567");
    }
}

/// An account's status, as a badge.
#[component]
pub fn AccountBadge(status: crate::domain::account::AccountStatus) -> impl IntoView {
    use crate::domain::account::AccountStatus::*;
    let tone = match status {
        Available => "active",
        Active => "completed",
        Exhausted => "paused",
        Blocked => "blocked",
    };
    view! {
        <span class=format!("badge badge-{tone}") data-testid="account-status">
            <span class="dot" aria-hidden="true"></span>
            {status.label()}
        </span>
    }
}

/// Credits left as a bar, with the figures beside it.
#[component]
pub fn Meter(
    credits: i64,
    capacity: i64,
    percent: u8,
    headroom: crate::domain::account::Headroom,
) -> impl IntoView {
    use crate::domain::account::Headroom::*;
    let tone = match headroom {
        Healthy => "ok",
        Low => "low",
        Exhausted => "out",
    };
    view! {
        <div class="meter-wrap" data-testid="headroom" title=format!("{percent}% of capacity left")>
            <div class="meter" role="meter" aria-valuemin="0" aria-valuemax=capacity aria-valuenow=credits
                aria-label="Credits left">
                <span class=format!("meter-fill {tone}") style=format!("width: {percent}%")></span>
            </div>
            <span class="meter-text">{figure(credits)} " / " {figure(capacity)}</span>
        </div>
    }
}
