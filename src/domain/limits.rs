//! The domain's numeric limits, in one place. Every number that enters — REST, server
//! functions, forms, bundles, conversation imports, the usage ledger — passes the same
//! bounds, chosen so that sums of any realistic volume of valid values stay far inside
//! `i64` (and the Rust sums over them saturate anyway).

/// Credits an account can hold or refill to.
pub const MAX_CREDITS: i64 = 1_000_000_000;
/// Credits one session can use.
pub const MAX_SESSION_CREDITS: i64 = 1_000_000;
/// Tokens of one model call (input or output) or one conversation turn.
pub const MAX_TOKENS: i64 = 10_000_000_000;
/// Latency of one model call, in milliseconds (a day).
pub const MAX_LATENCY_MS: i64 = 86_400_000;
/// A session's length in minutes (a year).
pub const MAX_DURATION_MINUTES: i64 = 525_600;
/// Counts kept on records: file counts, code lines, uses of a knowledge entry.
pub const MAX_COUNT: i64 = 1_000_000_000;
/// A tracked file's size in bytes (1 PB).
pub const MAX_FILE_BYTES: i64 = 1_000_000_000_000_000;
/// Characters of a search-like text parameter (specialization, search queries).
pub const MAX_QUERY_CHARS: usize = 200;

/// `v` if it lies in `0..=max`, else a message saying why not.
pub fn within(v: i64, max: i64) -> Result<i64, String> {
    if v < 0 {
        Err(format!("{v} is negative"))
    } else if v > max {
        Err(format!("{v} is more than {max}"))
    } else {
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_hold_at_the_edges() {
        assert_eq!(within(0, 5), Ok(0));
        assert_eq!(within(5, 5), Ok(5));
        assert!(within(6, 5).is_err());
        assert!(within(-1, 5).is_err());
        assert!(within(i64::MAX, MAX_CREDITS).is_err());
        assert!(within(i64::MIN, MAX_CREDITS).is_err());
    }

    #[test]
    fn sums_of_a_full_bundle_stay_inside_i64() {
        let records = crate::domain::bundle::MAX_RECORDS as i64;
        assert!(records.checked_mul(MAX_SESSION_CREDITS).is_some());
        assert!(records.checked_mul(MAX_TOKENS).unwrap() < i64::MAX / 100);
    }
}
