//! The server's sign-in state: failed sign-in throttling, the setup code, token rate limits.

use crate::domain::auth::TokenId;
use crate::server::guard::Origins;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Failed sign-ins per e-mail and per client address; after a few, each further attempt
/// waits twice as long as the last (up to 15 minutes).
#[derive(Debug, Default)]
pub struct Throttle {
    failures: HashMap<String, (u32, Instant)>,
}

/// Failures allowed before delays begin: per e-mail, per client address.
pub(super) const FREE_FAILURES_EMAIL: u32 = 5;
pub(super) const FREE_FAILURES_IP: u32 = 20;
pub(super) const MAX_DELAY_SECS: u64 = 900;

impl Throttle {
    fn free(key: &str) -> u32 {
        if key.starts_with("ip:") {
            FREE_FAILURES_IP
        } else {
            FREE_FAILURES_EMAIL
        }
    }

    /// Seconds to wait before `key` may try again (0: now).
    pub fn wait(&self, key: &str, now: Instant) -> u64 {
        let Some((n, last)) = self.failures.get(key) else {
            return 0;
        };
        let free = Self::free(key);
        if *n < free {
            return 0;
        }
        let delay = 1u64
            .checked_shl(n - free)
            .unwrap_or(MAX_DELAY_SECS)
            .min(MAX_DELAY_SECS);
        delay.saturating_sub(now.saturating_duration_since(*last).as_secs())
    }

    pub fn fail(&mut self, key: &str, now: Instant) {
        if self.failures.len() > 100_000 {
            // forget the oldest half rather than grow without bound
            let mut ages: Vec<Instant> = self.failures.values().map(|(_, t)| *t).collect();
            ages.sort();
            let cut = ages[ages.len() / 2];
            self.failures.retain(|_, (_, t)| *t > cut);
        }
        let e = self.failures.entry(key.to_owned()).or_insert((0, now));
        e.0 = e.0.saturating_add(1);
        e.1 = now;
    }

    pub fn clear(&mut self, key: &str) {
        self.failures.remove(key);
    }
}

type TokenLimiter = governor::DefaultKeyedRateLimiter<i64>;

/// An invitation link just made: `(path, e-mail, expiry)`.
pub type FreshInvite = (String, String, crate::domain::time::Timestamp);

/// Sign-in state of the server: origins, throttling, the setup code, token rate limits.
#[derive(Clone)]
pub struct Security {
    pub origins: Origins,
    pub throttle: Arc<Mutex<Throttle>>,
    /// The one-time code `/setup` asks for, while the server has no users.
    pub setup_code: Arc<Mutex<Option<String>>>,
    limiter: Arc<TokenLimiter>,
    /// A token just made in a browser session, shown once on the next settings render
    /// (so it shows without JavaScript too, and never travels in an address).
    pub fresh_tokens: Arc<Mutex<HashMap<i64, String>>>,
    /// The same for an invitation link the owner just made: `(path, e-mail, expiry)`.
    pub fresh_invites: Arc<Mutex<HashMap<i64, FreshInvite>>>,
    /// Trust `X-Forwarded-For` from this many proxies in front (0: use the peer address).
    pub trusted_proxies: usize,
}

impl Security {
    /// `per_minute` requests per API token (with bursts of the same size).
    pub fn new(origins: Origins, per_minute: u32) -> Self {
        use std::num::NonZeroU32;
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = governor::Quota::per_minute(n);
        Self {
            origins,
            throttle: Arc::default(),
            setup_code: Arc::default(),
            limiter: Arc::new(governor::RateLimiter::keyed(quota)),
            fresh_tokens: Arc::default(),
            fresh_invites: Arc::default(),
            trusted_proxies: 0,
        }
    }

    /// `Err(seconds to wait)` when a token has used its requests.
    pub(super) fn check_token_rate(&self, token: TokenId) -> Result<(), u64> {
        self.limiter.check_key(&token.0).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            wait.as_secs().max(1)
        })
    }
}

impl Default for Security {
    fn default() -> Self {
        Self::new(Origins::default(), 600)
    }
}
