//! Instants in time. The domain never reads the clock: `now` is always an argument.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A UTC instant with second precision, written as RFC 3339 (`2026-01-30T10:00:00Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(jiff::Timestamp);

impl Timestamp {
    /// An instant from seconds since the Unix epoch; `None` when out of range.
    pub fn from_unix(secs: i64) -> Option<Self> {
        jiff::Timestamp::from_second(secs).ok().map(Self)
    }

    /// The instant, to the second (what is stored and compared).
    pub fn from_jiff(t: jiff::Timestamp) -> Self {
        Self::from_unix(t.as_second()).unwrap_or(Self(t))
    }

    /// Parses RFC 3339 (`2026-01-30T10:00:00Z`, any offset) and SQLite's own
    /// `2026-01-30 10:00:00` (UTC).
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() == 19 && b[10] == b' ' {
            let civil: jiff::civil::DateTime = s.parse().ok()?;
            return civil
                .to_zoned(jiff::tz::TimeZone::UTC)
                .ok()
                .map(|z| Self::from_jiff(z.timestamp()));
        }
        // an offset is required: `2026-01-30T10:00:00` alone names no instant
        s.parse::<jiff::Timestamp>().ok().map(Self::from_jiff)
    }

    pub fn unix(self) -> i64 {
        self.0.as_second()
    }

    /// The date and time of day in UTC.
    pub fn civil(self) -> jiff::civil::DateTime {
        self.0.to_zoned(jiff::tz::TimeZone::UTC).datetime()
    }

    pub fn to_rfc3339(self) -> String {
        self.0.to_string()
    }

    pub fn plus_seconds(self, secs: i64) -> Self {
        match self.0.checked_add(jiff::SignedDuration::from_secs(secs)) {
            Ok(t) => Self(t),
            Err(_) if secs > 0 => Self::from_jiff(jiff::Timestamp::MAX),
            Err(_) => Self::from_jiff(jiff::Timestamp::MIN),
        }
    }

    /// A short human phrase for how long before `now` this instant was: "just now",
    /// "5 min ago", "3 h ago", "2 d ago", else the date.
    pub fn ago(self, now: Timestamp) -> String {
        let secs = now.unix() - self.unix();
        match secs {
            i64::MIN..=44 => "just now".to_string(),
            45..=3_599 => format!("{} min ago", (secs + 30) / 60),
            3_600..=86_399 => format!("{} h ago", secs / 3_600),
            86_400..=2_591_999 => format!("{} d ago", secs / 86_400),
            _ => self.date(),
        }
    }

    /// How far ahead: "in 12 min", "in 3 h", "in 2 d" ("now" when not ahead).
    pub fn until(self, now: Timestamp) -> String {
        let secs = self.unix() - now.unix();
        match secs {
            i64::MIN..=59 => "now".to_string(),
            60..=5_399 => format!("in {} min", (secs + 30) / 60),
            5_400..=172_799 => format!("in {} h", (secs + 1_800) / 3_600),
            _ => format!("in {} d", (secs + 43_200) / 86_400),
        }
    }

    /// The time of day in UTC, `14:05 UTC`.
    pub fn clock(self) -> String {
        self.0.strftime("%H:%M UTC").to_string()
    }

    /// The calendar date, `2026-01-30`.
    pub fn date(self) -> String {
        self.0.strftime("%Y-%m-%d").to_string()
    }
}

/// An instant as a person in a time zone reads it. `zone` is an IANA name; an unknown one
/// reads as UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTime {
    /// `14:05`
    pub clock: String,
    /// `Mon 7 Dec 2026, 14:05 CET`
    pub exact: String,
    /// `7 Dec 2026`
    pub date: String,
}

impl Timestamp {
    /// This instant in `zone` (an IANA name such as `Europe/Berlin`).
    pub fn local(self, zone: &str) -> LocalTime {
        let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let zoned = self.0.to_zoned(tz);
        LocalTime {
            clock: zoned.strftime("%H:%M").to_string(),
            exact: zoned.strftime("%a %-d %b %Y, %H:%M %Z").to_string(),
            date: zoned.strftime("%-d %b %Y").to_string(),
        }
    }
}

/// A duration in words: "under a minute", "45 minutes", "1 hour 5 minutes", "2 days 3 hours".
pub fn minutes_in_words(minutes: i64) -> String {
    fn unit(n: i64, one: &str) -> String {
        format!("{n} {one}{}", if n == 1 { "" } else { "s" })
    }
    match minutes {
        i64::MIN..=0 => "under a minute".to_string(),
        1..=59 => unit(minutes, "minute"),
        60..=1_439 => match minutes % 60 {
            0 => unit(minutes / 60, "hour"),
            m => format!("{} {}", unit(minutes / 60, "hour"), unit(m, "minute")),
        },
        _ => match (minutes / 60) % 24 {
            0 => unit(minutes / 1_440, "day"),
            h => format!("{} {}", unit(minutes / 1_440, "day"), unit(h, "hour")),
        },
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("not an RFC 3339 timestamp: {s:?}")))
    }
}

#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::DateTime,
            )))
            .description(Some("An instant in RFC 3339 (UTC)"))
            .into()
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for Timestamp {}

#[cfg(test)]
mod tests {

    #[test]
    fn durations_read_as_words() {
        assert_eq!(minutes_in_words(0), "under a minute");
        assert_eq!(minutes_in_words(1), "1 minute");
        assert_eq!(minutes_in_words(45), "45 minutes");
        assert_eq!(minutes_in_words(60), "1 hour");
        assert_eq!(minutes_in_words(65), "1 hour 5 minutes");
        assert_eq!(minutes_in_words(1_440), "1 day");
        assert_eq!(minutes_in_words(3 * 1_440 + 125), "3 days 2 hours");
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_both_forms() {
        let a = Timestamp::parse("2026-01-30T10:00:00Z").unwrap();
        let b = Timestamp::parse("2026-01-30 10:00:00").unwrap();
        let c = Timestamp::parse("2026-01-30T11:00:00+01:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.to_rfc3339(), "2026-01-30T10:00:00Z");
        assert_eq!(Timestamp::parse("yesterday"), None);
        assert_eq!(Timestamp::parse("2026-01-30T10:00:00"), None);
        assert_eq!(Timestamp::parse("2026-01-30"), None);
        // sub-second parts are dropped: instants are whole seconds
        let d = Timestamp::parse("2026-01-30T10:00:00.750Z").unwrap();
        assert_eq!(d.to_rfc3339(), "2026-01-30T10:00:00Z");
    }

    #[test]
    fn local_times_follow_the_zone() {
        let t = Timestamp::parse("2026-12-07T13:05:00Z").unwrap();
        let berlin = t.local("Europe/Berlin");
        assert_eq!(berlin.clock, "14:05");
        assert_eq!(berlin.exact, "Mon 7 Dec 2026, 14:05 CET");
        assert_eq!(berlin.date, "7 Dec 2026");
        // summer time, and a zone east of UTC past midnight
        let s = Timestamp::parse("2026-07-01T22:30:00Z").unwrap();
        assert_eq!(s.local("Europe/Berlin").clock, "00:30");
        assert_eq!(s.local("Europe/Berlin").date, "2 Jul 2026");
        assert_eq!(s.local("Asia/Jakarta").exact, "Thu 2 Jul 2026, 05:30 WIB");
        // unknown zones read as UTC
        assert_eq!(t.local("Mars/Olympus").exact, "Mon 7 Dec 2026, 13:05 UTC");
    }

    #[test]
    fn ago_phrases() {
        let now = Timestamp::parse("2026-01-30T10:00:00Z").unwrap();
        assert_eq!(now.plus_seconds(-10).ago(now), "just now");
        assert_eq!(now.plus_seconds(-300).ago(now), "5 min ago");
        assert_eq!(now.plus_seconds(-3 * 3600).ago(now), "3 h ago");
        assert_eq!(now.plus_seconds(-2 * 86_400).ago(now), "2 d ago");
        assert_eq!(now.plus_seconds(-40 * 86_400).ago(now), "2025-12-21");
        assert_eq!(now.plus_seconds(60).ago(now), "just now");
        assert_eq!(now.plus_seconds(30).until(now), "now");
        assert_eq!(now.plus_seconds(48 * 60).until(now), "in 48 min");
        assert_eq!(now.plus_seconds(3 * 3600).until(now), "in 3 h");
        assert_eq!(now.plus_seconds(3 * 86_400).until(now), "in 3 d");
        assert_eq!(now.plus_seconds(5 * 60 + 20).clock(), "10:05 UTC");
    }

    proptest! {
        #[test]
        fn rfc3339_round_trips(secs in 0i64..253_402_300_799) {
            let t = Timestamp::from_unix(secs).unwrap();
            prop_assert_eq!(Timestamp::parse(&t.to_rfc3339()), Some(t));
            let json = serde_json::to_string(&t).unwrap();
            prop_assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
        }
    }
}
