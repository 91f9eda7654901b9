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

/// Formats an integer with thin thousands separators: 12 345.
pub fn figure(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::figure;

    #[test]
    fn figures_group_thousands() {
        assert_eq!(figure(0), "0");
        assert_eq!(figure(999), "999");
        assert_eq!(figure(1000), "1\u{202f}000");
        assert_eq!(figure(-1234567), "-1\u{202f}234\u{202f}567");
    }
}
