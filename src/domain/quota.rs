//! Quota windows: when an account's credits refill.
//!
//! A reset rule says when the credits come back: never by themselves (`none`), daily at a
//! local time in a time zone, every N hours after the last refill (`rolling`), weekly on a
//! weekday, or monthly on a day of the month (clamped to the month's last day). Everything
//! here is pure: the instants come in as arguments. Local times are resolved in the rule's
//! zone with the "compatible" rule: a time skipped by a DST jump maps to the instant just
//! after the gap, a repeated time to its first occurrence.

use crate::domain::time::Timestamp;
use crate::error::FieldError;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::ToSpan;
use serde::{Deserialize, Serialize};
use std::fmt;

pub const MAX_ROLLING_HOURS: u32 = 24 * 31;

/// A time of day, `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay {
    pub hour: u8,
    pub minute: u8,
}

impl TimeOfDay {
    pub fn parse(s: &str, field: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                field,
                format!("{s:?} is not a time of day (HH:MM, 00:00–23:59)"),
            )
        };
        let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
        let hour: u8 = h.parse().map_err(|_| bad())?;
        let minute: u8 = m.parse().map_err(|_| bad())?;
        if hour > 23 || minute > 59 || m.len() != 2 {
            return Err(bad());
        }
        Ok(Self { hour, minute })
    }

    fn civil(self) -> Time {
        Time::constant(self.hour as i8, self.minute as i8, 0, 0)
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// An IANA time zone name that exists in the bundled database (`UTC`, `Europe/Berlin`, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Zone(String);

impl Default for Zone {
    fn default() -> Self {
        Self::utc()
    }
}

impl Zone {
    pub fn parse(s: &str, field: &str) -> Result<Self, FieldError> {
        let name = s.trim();
        let name = if name.is_empty() { "UTC" } else { name };
        TimeZone::get(name)
            .map(|_| Self(name.to_owned()))
            .map_err(|_| {
                FieldError::new(
                    field,
                    format!("{name:?} is not a known time zone (e.g. UTC, Europe/Berlin)"),
                )
            })
    }

    pub fn utc() -> Self {
        Self("UTC".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn tz(&self) -> TimeZone {
        // the name was checked when parsed
        TimeZone::get(&self.0).unwrap_or(TimeZone::UTC)
    }
}

/// When an account's credits refill to its capacity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetRule {
    /// Only by hand.
    None,
    Daily {
        at: TimeOfDay,
        zone: Zone,
    },
    /// Every `hours` hours after the last refill.
    Rolling {
        hours: u32,
    },
    Weekly {
        weekday: Weekday,
        at: TimeOfDay,
        zone: Zone,
    },
    /// On `day` of each month (the last day in shorter months).
    Monthly {
        day: u8,
        at: TimeOfDay,
        zone: Zone,
    },
}

/// The flat form of a rule, as it is stored in columns and sent in forms and JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResetRuleInput {
    /// none, daily, rolling, weekly, monthly
    #[serde(default)]
    pub kind: Option<String>,
    /// HH:MM (daily, weekly, monthly)
    #[serde(default)]
    pub at: Option<String>,
    /// IANA zone (daily, weekly, monthly); UTC when empty
    #[serde(default)]
    pub tz: Option<String>,
    /// hours (rolling)
    #[serde(default)]
    pub hours: Option<i64>,
    /// monday … sunday (weekly)
    #[serde(default)]
    pub weekday: Option<String>,
    /// 1–31 (monthly)
    #[serde(default)]
    pub day: Option<i64>,
}

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "monday"),
    (Weekday::Tuesday, "tuesday"),
    (Weekday::Wednesday, "wednesday"),
    (Weekday::Thursday, "thursday"),
    (Weekday::Friday, "friday"),
    (Weekday::Saturday, "saturday"),
    (Weekday::Sunday, "sunday"),
];

pub fn weekday_name(w: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(d, _)| *d == w)
        .map(|(_, n)| *n)
        .unwrap_or("monday")
}

fn parse_weekday(s: &str) -> Result<Weekday, FieldError> {
    let s = s.trim().to_ascii_lowercase();
    WEEKDAYS
        .iter()
        .find(|(_, n)| *n == s || (s.len() >= 3 && n.starts_with(&s)))
        .map(|(d, _)| *d)
        .ok_or_else(|| {
            FieldError::new(
                "reset.weekday",
                format!("{s:?} is not a weekday (monday … sunday)"),
            )
        })
}

impl ResetRule {
    pub fn parse(input: &ResetRuleInput) -> Result<Self, FieldError> {
        let kind = input.kind.as_deref().map(str::trim).unwrap_or("");
        let at = || -> Result<TimeOfDay, FieldError> {
            TimeOfDay::parse(input.at.as_deref().unwrap_or("00:00"), "reset.at")
        };
        let zone = || Zone::parse(input.tz.as_deref().unwrap_or(""), "reset.tz");
        match kind {
            "" | "none" | "manual" => Ok(Self::None),
            "daily" => Ok(Self::Daily {
                at: at()?,
                zone: zone()?,
            }),
            "rolling" => {
                let hours = input.hours.ok_or_else(|| {
                    FieldError::new("reset.hours", "a rolling window needs its length in hours")
                })?;
                if !(1..=i64::from(MAX_ROLLING_HOURS)).contains(&hours) {
                    return Err(FieldError::new(
                        "reset.hours",
                        format!("between 1 and {MAX_ROLLING_HOURS} hours"),
                    ));
                }
                Ok(Self::Rolling {
                    hours: hours as u32,
                })
            }
            "weekly" => Ok(Self::Weekly {
                weekday: parse_weekday(input.weekday.as_deref().unwrap_or("monday"))?,
                at: at()?,
                zone: zone()?,
            }),
            "monthly" => {
                let day = input.day.unwrap_or(1);
                if !(1..=31).contains(&day) {
                    return Err(FieldError::new("reset.day", "a day of the month, 1–31"));
                }
                Ok(Self::Monthly {
                    day: day as u8,
                    at: at()?,
                    zone: zone()?,
                })
            }
            other => Err(FieldError::new(
                "reset.kind",
                format!("{other:?} is not one of none, daily, rolling, weekly, monthly"),
            )),
        }
    }

    /// The flat form, for storage and for filling a form.
    pub fn to_input(&self) -> ResetRuleInput {
        let mut i = ResetRuleInput {
            kind: Some(self.kind().into()),
            ..Default::default()
        };
        match self {
            Self::None => {}
            Self::Daily { at, zone } => {
                i.at = Some(at.to_string());
                i.tz = Some(zone.as_str().into());
            }
            Self::Rolling { hours } => i.hours = Some(i64::from(*hours)),
            Self::Weekly { weekday, at, zone } => {
                i.weekday = Some(weekday_name(*weekday).into());
                i.at = Some(at.to_string());
                i.tz = Some(zone.as_str().into());
            }
            Self::Monthly { day, at, zone } => {
                i.day = Some(i64::from(*day));
                i.at = Some(at.to_string());
                i.tz = Some(zone.as_str().into());
            }
        }
        i
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Daily { .. } => "daily",
            Self::Rolling { .. } => "rolling",
            Self::Weekly { .. } => "weekly",
            Self::Monthly { .. } => "monthly",
        }
    }

    /// The first refill instant strictly after `after`; `None` for manual refills.
    pub fn next_after(&self, after: Timestamp) -> Option<Timestamp> {
        match self {
            Self::None => None,
            Self::Rolling { hours } => Some(after.plus_seconds(i64::from(*hours) * 3600)),
            Self::Daily { at, zone } => {
                let tz = zone.tz();
                let mut date = local_date(after, &tz);
                loop {
                    let t = instant(date, *at, &tz)?;
                    if t > after {
                        return Some(t);
                    }
                    date = date.tomorrow().ok()?;
                }
            }
            Self::Weekly { weekday, at, zone } => {
                let tz = zone.tz();
                let mut date = local_date(after, &tz);
                let ahead = date.weekday().until(*weekday);
                date = date.checked_add(i64::from(ahead).days()).ok()?;
                loop {
                    let t = instant(date, *at, &tz)?;
                    if t > after {
                        return Some(t);
                    }
                    date = date.checked_add(7.days()).ok()?;
                }
            }
            Self::Monthly { day, at, zone } => {
                let tz = zone.tz();
                let mut first = local_date(after, &tz).first_of_month();
                loop {
                    let t = instant(month_day(first, *day)?, *at, &tz)?;
                    if t > after {
                        return Some(t);
                    }
                    first = first.checked_add(1.month()).ok()?;
                }
            }
        }
    }

    /// The latest refill instant at or before `now`, counting from `anchor` (the last
    /// refill): the window `now` falls in. `None` if no refill is due since `anchor`.
    pub fn due_window(&self, anchor: Timestamp, now: Timestamp) -> Option<Timestamp> {
        let first = self.next_after(anchor)?;
        if first > now {
            return None;
        }
        match self {
            Self::None => None,
            Self::Rolling { hours } => {
                let period = i64::from(*hours) * 3600;
                let k = (now.unix() - first.unix()) / period;
                Some(first.plus_seconds(k * period))
            }
            _ => {
                // Step back from `now`: the boundary before now is at most one period away.
                let mut probe = now.plus_seconds(-(32 * 86_400 + 7200));
                if probe < first {
                    probe = first.plus_seconds(-1);
                }
                let mut last = first;
                while let Some(t) = self.next_after(probe) {
                    if t > now {
                        break;
                    }
                    last = t;
                    probe = t;
                }
                Some(last)
            }
        }
    }

    /// "Daily at 04:00 (Europe/Berlin)", "Every 5 h", …
    pub fn describe(&self) -> String {
        match self {
            Self::None => "Manual".into(),
            Self::Daily { at, zone } => format!("Daily at {at} ({})", zone.as_str()),
            Self::Rolling { hours } => format!("Every {hours} h after a refill"),
            Self::Weekly { weekday, at, zone } => {
                let name = weekday_name(*weekday);
                let mut cap = name[..1].to_ascii_uppercase();
                cap.push_str(&name[1..]);
                format!("{cap}s at {at} ({})", zone.as_str())
            }
            Self::Monthly { day, at, zone } => {
                format!("Monthly on day {day} at {at} ({})", zone.as_str())
            }
        }
    }
}

fn local_date(t: Timestamp, tz: &TimeZone) -> Date {
    jiff::Timestamp::from_second(t.unix())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(tz.clone())
        .date()
}

fn instant(date: Date, at: TimeOfDay, tz: &TimeZone) -> Option<Timestamp> {
    let zoned = date.to_datetime(at.civil()).to_zoned(tz.clone()).ok()?;
    Timestamp::from_unix(zoned.timestamp().as_second())
}

fn month_day(first: Date, day: u8) -> Option<Date> {
    let last = first.days_in_month();
    first.with().day((day as i8).min(last)).build().ok()
}

/// "in 2 h 10 min", "in 3 d 4 h", "now"
pub fn until(from: Timestamp, to: Timestamp) -> String {
    let secs = to.unix() - from.unix();
    if secs <= 0 {
        return "now".into();
    }
    let mins = (secs + 59) / 60;
    let (d, h, m) = (mins / 1440, (mins % 1440) / 60, mins % 60);
    match (d, h, m) {
        (0, 0, m) => format!("in {m} min"),
        (0, h, 0) => format!("in {h} h"),
        (0, h, m) => format!("in {h} h {m} min"),
        (d, 0, _) => format!("in {d} d"),
        (d, h, _) => format!("in {d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn rule(kind: &str, at: &str, tz: &str) -> ResetRule {
        ResetRule::parse(&ResetRuleInput {
            kind: Some(kind.into()),
            at: Some(at.into()),
            tz: Some(tz.into()),
            hours: Some(5),
            weekday: Some("monday".into()),
            day: Some(31),
        })
        .unwrap()
    }

    #[test]
    fn daily_in_a_zone() {
        let r = rule("daily", "04:00", "Europe/Berlin");
        // 2026-01-10 is winter time (UTC+1): 04:00 local = 03:00Z
        assert_eq!(
            r.next_after(ts("2026-01-10T02:00:00Z")),
            Some(ts("2026-01-10T03:00:00Z"))
        );
        assert_eq!(
            r.next_after(ts("2026-01-10T03:00:00Z")),
            Some(ts("2026-01-11T03:00:00Z"))
        );
        // summer time (UTC+2)
        assert_eq!(
            r.next_after(ts("2026-07-10T12:00:00Z")),
            Some(ts("2026-07-11T02:00:00Z"))
        );
    }

    #[test]
    fn daily_across_dst_changes() {
        // Europe/Berlin springs forward 2026-03-29 02:00 -> 03:00: 02:30 does not exist
        let r = rule("daily", "02:30", "Europe/Berlin");
        let t = r.next_after(ts("2026-03-28T12:00:00Z")).unwrap();
        assert_eq!(
            t,
            ts("2026-03-29T01:30:00Z"),
            "the skipped time maps past the gap (03:30 CEST)"
        );
        // falls back 2026-10-25 03:00 -> 02:00: 02:30 happens twice, the first one counts
        let t = r.next_after(ts("2026-10-24T12:00:00Z")).unwrap();
        assert_eq!(t, ts("2026-10-25T00:30:00Z"));
        let next = r.next_after(t).unwrap();
        assert_eq!(
            next,
            ts("2026-10-26T01:30:00Z"),
            "not twice on the repeated hour"
        );
    }

    #[test]
    fn weekly_and_monthly() {
        let w = rule("weekly", "09:00", "UTC");
        // 2026-01-07 is a Wednesday
        assert_eq!(
            w.next_after(ts("2026-01-07T00:00:00Z")),
            Some(ts("2026-01-12T09:00:00Z"))
        );
        assert_eq!(
            w.next_after(ts("2026-01-12T08:59:59Z")),
            Some(ts("2026-01-12T09:00:00Z"))
        );
        assert_eq!(
            w.next_after(ts("2026-01-12T09:00:00Z")),
            Some(ts("2026-01-19T09:00:00Z"))
        );

        let m = rule("monthly", "00:00", "UTC"); // day 31
        assert_eq!(
            m.next_after(ts("2026-01-31T00:00:00Z")),
            Some(ts("2026-02-28T00:00:00Z"))
        );
        assert_eq!(
            m.next_after(ts("2026-02-28T00:00:00Z")),
            Some(ts("2026-03-31T00:00:00Z"))
        );
        assert_eq!(
            m.next_after(ts("2028-02-01T00:00:00Z")),
            Some(ts("2028-02-29T00:00:00Z"))
        );
    }

    #[test]
    fn rolling_and_none() {
        let r = rule("rolling", "", "");
        assert_eq!(
            r.next_after(ts("2026-01-01T00:00:00Z")),
            Some(ts("2026-01-01T05:00:00Z"))
        );
        assert_eq!(ResetRule::None.next_after(ts("2026-01-01T00:00:00Z")), None);
        assert_eq!(
            ResetRule::None.due_window(ts("2026-01-01T00:00:00Z"), ts("2027-01-01T00:00:00Z")),
            None
        );
    }

    #[test]
    fn due_window_is_the_latest_boundary() {
        let r = rule("rolling", "", "");
        let anchor = ts("2026-01-01T00:00:00Z");
        assert_eq!(r.due_window(anchor, ts("2026-01-01T04:59:59Z")), None);
        assert_eq!(
            r.due_window(anchor, ts("2026-01-01T05:00:00Z")),
            Some(ts("2026-01-01T05:00:00Z"))
        );
        assert_eq!(
            r.due_window(anchor, ts("2026-01-01T16:00:00Z")),
            Some(ts("2026-01-01T15:00:00Z"))
        );
        let d = rule("daily", "04:00", "UTC");
        assert_eq!(
            d.due_window(ts("2026-01-01T05:00:00Z"), ts("2026-01-09T03:00:00Z")),
            Some(ts("2026-01-08T04:00:00Z"))
        );
        assert_eq!(
            d.due_window(ts("2026-01-01T05:00:00Z"), ts("2026-01-02T03:59:59Z")),
            None
        );
    }

    #[test]
    fn bad_rules_name_their_field() {
        let e = |i: ResetRuleInput| ResetRule::parse(&i).unwrap_err().field;
        let base = ResetRuleInput {
            kind: Some("daily".into()),
            ..Default::default()
        };
        assert_eq!(
            e(ResetRuleInput {
                kind: Some("hourly".into()),
                ..Default::default()
            }),
            "reset.kind"
        );
        assert_eq!(
            e(ResetRuleInput {
                at: Some("25:00".into()),
                ..base.clone()
            }),
            "reset.at"
        );
        assert_eq!(
            e(ResetRuleInput {
                at: Some("4:5".into()),
                ..base.clone()
            }),
            "reset.at"
        );
        assert_eq!(
            e(ResetRuleInput {
                tz: Some("Mars/Olympus".into()),
                ..base.clone()
            }),
            "reset.tz"
        );
        assert_eq!(
            e(ResetRuleInput {
                kind: Some("rolling".into()),
                ..Default::default()
            }),
            "reset.hours"
        );
        assert_eq!(
            e(ResetRuleInput {
                kind: Some("rolling".into()),
                hours: Some(0),
                ..Default::default()
            }),
            "reset.hours"
        );
        assert_eq!(
            e(ResetRuleInput {
                kind: Some("monthly".into()),
                day: Some(32),
                ..Default::default()
            }),
            "reset.day"
        );
        assert_eq!(
            e(ResetRuleInput {
                kind: Some("weekly".into()),
                weekday: Some("someday".into()),
                ..Default::default()
            }),
            "reset.weekday"
        );
    }

    #[test]
    fn flat_form_round_trips() {
        for r in [
            ResetRule::None,
            rule("daily", "04:00", "Europe/Berlin"),
            rule("rolling", "", ""),
            rule("weekly", "09:30", "America/New_York"),
            rule("monthly", "00:00", "UTC"),
        ] {
            assert_eq!(ResetRule::parse(&r.to_input()).unwrap(), r);
        }
    }

    #[test]
    fn until_phrases() {
        let t = ts("2026-01-01T00:00:00Z");
        assert_eq!(until(t, t), "now");
        assert_eq!(until(t, t.plus_seconds(61)), "in 2 min");
        assert_eq!(until(t, t.plus_seconds(7800)), "in 2 h 10 min");
        assert_eq!(until(t, t.plus_seconds(3 * 86400 + 4 * 3600)), "in 3 d 4 h");
    }

    const ZONES: [&str; 6] = [
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "America/Santiago",
    ];

    fn any_rule() -> impl Strategy<Value = ResetRule> {
        (
            0usize..5,
            0u8..24,
            0u8..60,
            0usize..ZONES.len(),
            1u32..200,
            0usize..7,
            1u8..32,
        )
            .prop_map(|(k, h, m, z, hours, wd, day)| {
                let at = TimeOfDay { hour: h, minute: m };
                let zone = Zone(ZONES[z].into());
                match k {
                    0 => ResetRule::Daily { at, zone },
                    1 => ResetRule::Rolling { hours },
                    2 => ResetRule::Weekly {
                        weekday: WEEKDAYS[wd].0,
                        at,
                        zone,
                    },
                    3 => ResetRule::Monthly { day, at, zone },
                    _ => ResetRule::Daily {
                        at,
                        zone: Zone::utc(),
                    },
                }
            })
    }

    fn max_period(r: &ResetRule) -> i64 {
        match r {
            ResetRule::None => 0,
            ResetRule::Daily { .. } => 86_400 + 7200,
            ResetRule::Rolling { hours } => i64::from(*hours) * 3600,
            ResetRule::Weekly { .. } => 7 * 86_400 + 7200,
            ResetRule::Monthly { .. } => 31 * 86_400 + 7200,
        }
    }

    proptest! {
        // 2000-01-01 .. 2040-01-01, across many DST changes and month ends
        #[test]
        fn next_is_after_and_within_one_period(r in any_rule(), secs in 946_684_800i64..2_208_988_800) {
            let after = Timestamp::from_unix(secs).unwrap();
            let next = r.next_after(after).unwrap();
            prop_assert!(next > after);
            prop_assert!(next.unix() - after.unix() <= max_period(&r), "{:?} after {} gave {}", r, after, next);
            // calendar rules skip no boundary: nothing lies between `after` and `next`
            if !matches!(r, ResetRule::Rolling { .. }) {
                let between = r.next_after(next.plus_seconds(-1)).unwrap();
                prop_assert_eq!(between, next);
            }
        }

        #[test]
        fn local_time_of_a_boundary_is_the_rule_time(r in any_rule(), secs in 946_684_800i64..2_208_988_800) {
            let after = Timestamp::from_unix(secs).unwrap();
            let next = r.next_after(after).unwrap();
            if let ResetRule::Daily { at, zone } | ResetRule::Weekly { at, zone, .. } | ResetRule::Monthly { at, zone, .. } = &r {
                let local = jiff::Timestamp::from_second(next.unix()).unwrap().to_zoned(zone.tz());
                let got = i32::from(local.hour()) * 60 + i32::from(local.minute());
                let want = i32::from(at.hour) * 60 + i32::from(at.minute);
                // only a time skipped by a DST gap may differ: it moves forward, by under 3 h
                prop_assert!(got == want || (got > want && got - want < 180),
                    "{:?}: {} is {} local", r, next, local);
            }
            if let ResetRule::Weekly { weekday, zone, .. } = &r {
                let local = jiff::Timestamp::from_second(next.unix()).unwrap().to_zoned(zone.tz());
                prop_assert_eq!(local.weekday(), *weekday);
            }
        }

        #[test]
        fn due_window_is_a_boundary_not_after_now(r in any_rule(), secs in 946_684_800i64..2_000_000_000, gap in 0i64..10_000_000) {
            let anchor = Timestamp::from_unix(secs).unwrap();
            let now = anchor.plus_seconds(gap);
            match r.due_window(anchor, now) {
                None => prop_assert!(r.next_after(anchor).unwrap() > now),
                Some(w) => {
                    prop_assert!(w <= now && w > anchor);
                    // the next boundary after the window is in the future: one refill per window
                    prop_assert!(r.next_after(w).unwrap() > now);
                }
            }
        }
    }
}
