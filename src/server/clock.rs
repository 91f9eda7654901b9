//! The one place that reads the wall clock.

use crate::domain::time::Timestamp;

pub fn now() -> Timestamp {
    Timestamp::from_jiff(jiff::Timestamp::now())
}
