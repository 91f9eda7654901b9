//! Analysis periods in whole UTC days, the roll-up rows they read, and the daily (or
//! weekly) chart of credits per project.

use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Most days one analysis covers.
pub const MAX_DAYS: i64 = 366;

/// The number of days of an analysis (default 30), or an error naming `days`.
pub fn parse_days(days: Option<i64>) -> Result<i64, crate::error::FieldError> {
    match days {
        None => Ok(30),
        Some(d) if (1..=MAX_DAYS).contains(&d) => Ok(d),
        Some(d) => Err(crate::error::FieldError::new(
            "days",
            format!("{d} is not a number of days from 1 to {MAX_DAYS}"),
        )),
    }
}

/// The start of a period of `days` calendar days (UTC) ending today: midnight `days - 1`
/// days ago.
pub fn period_start(now: Timestamp, days: i64) -> Timestamp {
    let midnight = now.plus_seconds(-(now.unix().rem_euclid(86_400)));
    midnight.plus_seconds(-(days.max(1) - 1) * 86_400)
}

/// Which roll-up rows hold a period that starts on a day (UTC) and runs to now: the day
/// rows from `days_from` up to (not including) `days_until` — the rest of the first
/// month — then every month row from `months_from` on. A period starting on the 1st
/// reads months only (`days_from == days_until`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupRange {
    pub days_from: String,
    pub days_until: String,
    pub months_from: String,
}

/// The roll-up rows of the period that starts on `since`'s day.
pub fn rollup_range(since: Timestamp) -> RollupRange {
    let day = since.date();
    let year: i32 = day[..4].parse().unwrap_or(1970);
    let month: u8 = day[5..7].parse().unwrap_or(1);
    if day.ends_with("-01") {
        return RollupRange {
            days_until: day.clone(),
            months_from: day[..7].to_owned(),
            days_from: day,
        };
    }
    let (y, m) = if month >= 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    RollupRange {
        days_from: day,
        days_until: format!("{y:04}-{m:02}-01"),
        months_from: format!("{y:04}-{m:02}"),
    }
}

/// The dates (`2026-03-02`) of the period, oldest first.
pub fn period_days(now: Timestamp, days: i64) -> Vec<String> {
    let start = period_start(now, days);
    (0..days.max(1))
        .map(|i| start.plus_seconds(i * 86_400).date())
        .collect()
}

/// One line of the daily chart: a project's credits per day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Series {
    /// `None` for the sum of the smaller projects.
    pub project_id: Option<i64>,
    pub name: String,
    pub values: Vec<i64>,
    pub total: i64,
}

/// Credits per day per project.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Daily {
    pub days: Vec<String>,
    pub series: Vec<Series>,
}

impl Daily {
    /// The largest stacked day (for the chart's scale).
    pub fn max_day(&self) -> i64 {
        (0..self.days.len())
            .map(|i| self.series.iter().map(|s| s.values[i]).sum::<i64>())
            .max()
            .unwrap_or(0)
    }
}

/// Most projects drawn separately; the rest are summed as "Other projects".
pub const MAX_SERIES: usize = 6;

/// Builds the daily chart from `(day, project, credits)` rows: the biggest projects
/// first, the rest summed; days without sessions are zero.
pub fn daily(
    rows: &[(String, i64, i64)],
    days: Vec<String>,
    name_of: impl Fn(i64) -> String,
) -> Daily {
    let index: std::collections::HashMap<&str, usize> = days
        .iter()
        .enumerate()
        .map(|(i, d)| (d.as_str(), i))
        .collect();
    let mut per: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
    for (day, project, credits) in rows {
        if let Some(i) = index.get(day.as_str()) {
            per.entry(*project).or_insert_with(|| vec![0; days.len()])[*i] += credits;
        }
    }
    let mut series: Vec<Series> = per
        .into_iter()
        .map(|(id, values)| Series {
            // a negative id is a bucket of other projects, already summed
            project_id: (id > 0).then_some(id),
            name: name_of(id),
            total: values.iter().sum(),
            values,
        })
        .filter(|s| s.total > 0)
        .collect();
    series.sort_by(|a, b| {
        (
            a.project_id.is_none(),
            std::cmp::Reverse(a.total),
            a.project_id,
        )
            .cmp(&(
                b.project_id.is_none(),
                std::cmp::Reverse(b.total),
                b.project_id,
            ))
    });
    if series.len() > MAX_SERIES {
        let rest = series.split_off(MAX_SERIES - 1);
        let mut values = vec![0; days.len()];
        for s in &rest {
            for (v, x) in values.iter_mut().zip(&s.values) {
                *v += x;
            }
        }
        series.push(Series {
            project_id: None,
            name: format!("{} other projects", rest.len()),
            total: values.iter().sum(),
            values,
        });
    }
    Daily { days, series }
}

/// Sums a daily chart into weeks (seven-day buckets from the first day, each labelled with
/// its first day), for long periods.
pub fn weekly(d: Daily) -> Daily {
    let weeks = d.days.len().div_ceil(7);
    Daily {
        days: d.days.iter().step_by(7).cloned().collect(),
        series: d
            .series
            .into_iter()
            .map(|s| Series {
                values: (0..weeks)
                    .map(|w| {
                        s.values
                            .iter()
                            .skip(w * 7)
                            .take(7)
                            .fold(0i64, |a, v| a.saturating_add(*v))
                    })
                    .collect(),
                ..s
            })
            .collect(),
    }
}

/// Periods longer than this are charted by week.
pub const WEEKLY_AFTER_DAYS: i64 = 90;
