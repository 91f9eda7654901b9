//! Tests of efficiency bands, summaries, periods, the daily chart, forecasts and alerts.

use super::*;

fn look(name: &str, used: u8, forecast: Forecast, refresh: Option<&str>) -> Outlook {
    Outlook {
        account_id: 1,
        account_name: name.into(),
        platform: "claude".into(),
        status: "available".into(),
        credits_available: i64::from(100 - used),
        capacity: 100,
        used_percent: used,
        alert: Some(70),
        rate_per_hour: None,
        next_refresh_at: refresh.and_then(Timestamp::parse),
        forecast,
    }
}

#[test]
fn the_alert_line_counts_by_one_rule_and_refills_first_are_quiet() {
    let at = |s: &str| Timestamp::parse(s).unwrap();
    let alerts = vec![
        look(
            "quiet",
            95,
            Forecast::RefreshFirst {
                refresh_at: at("2026-01-02T00:00:00Z"),
            },
            None,
        ),
        look(
            "out-late",
            100,
            Forecast::Exhausted,
            Some("2026-01-03T00:00:00Z"),
        ),
        look(
            "low",
            80,
            Forecast::RunsOut {
                at: at("2026-01-01T05:00:00Z"),
            },
            None,
        ),
        look(
            "out-soon",
            99,
            Forecast::Exhausted,
            Some("2026-01-01T18:15:00Z"),
        ),
        look("idle", 75, Forecast::Idle, None),
    ];
    let s = alert_summary(&alerts);
    assert_eq!((s.out, s.running_low, s.quiet, s.total), (2, 1, 2, 5));
    assert_eq!(s.next_refill, Some(at("2026-01-01T18:15:00Z")));
    let names: Vec<&str> = s.top.iter().map(|o| o.account_name.as_str()).collect();
    assert_eq!(
        names,
        ["out-late", "out-soon", "low"],
        "no quiet ones, the worst first"
    );
    let many: Vec<Outlook> = (0..50)
        .map(|i| look(&format!("a{i}"), 100, Forecast::Exhausted, None))
        .collect();
    assert_eq!(alert_summary(&many).top.len(), ALERT_ROWS);
}

#[test]
fn rankings_keep_the_top_and_sum_the_rest() {
    let groups: Vec<GroupEfficiency> = (0..20)
        .map(|i| GroupEfficiency::new(i.to_string(), format!("g{i}"), 20 - i, 100))
        .collect();
    let top = top_groups(groups.clone(), 12);
    assert_eq!(top.len(), 13);
    let other = top.last().unwrap();
    assert_eq!(other.key, OTHER_GROUP);
    assert_eq!(other.label, "8 others");
    assert_eq!(other.sessions, (1..=8).sum::<i64>());
    assert_eq!(other.credits, 800);
    // one left over is shown as itself
    assert_eq!(top_groups(groups[..13].to_vec(), 12).len(), 13);
    assert_eq!(top_groups(groups[..13].to_vec(), 12)[12].key, "12");
}

#[test]
fn long_periods_chart_by_week() {
    let d = Daily {
        days: (1..=10).map(|d| format!("2026-01-{d:02}")).collect(),
        series: vec![Series {
            project_id: Some(1),
            name: "p".into(),
            values: (1..=10).collect(),
            total: 55,
        }],
    };
    let w = weekly(d);
    assert_eq!(w.days, ["2026-01-01", "2026-01-08"]);
    assert_eq!(w.series[0].values, [28, 27]);
    assert_eq!(w.series[0].total, 55);
}

#[test]
fn rollup_range_reads_days_to_the_month_end_then_months() {
    let at = |s: &str| Timestamp::parse(s).unwrap();
    let r = rollup_range(at("2025-11-23T00:00:00Z"));
    assert_eq!(
        (
            r.days_from.as_str(),
            r.days_until.as_str(),
            r.months_from.as_str()
        ),
        ("2025-11-23", "2025-12-01", "2025-12")
    );
    // December rolls into the next year
    let r = rollup_range(at("2025-12-31T00:00:00Z"));
    assert_eq!(
        (r.days_until.as_str(), r.months_from.as_str()),
        ("2026-01-01", "2026-01")
    );
    // the 1st: months only
    let r = rollup_range(at("2026-03-01T00:00:00Z"));
    assert_eq!(r.days_from, r.days_until);
    assert_eq!(r.months_from, "2026-03");
    // the period's start day, whatever the hour
    assert_eq!(
        rollup_range(at("2026-02-28T23:59:59Z")).days_from,
        "2026-02-28"
    );
}

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

#[test]
fn bands_at_their_edges() {
    use Efficiency::*;
    for (avg, want) in [
        (0.0, NeedsImprovement),
        (74.99, NeedsImprovement),
        (75.0, Good),
        (84.99, Good),
        (85.0, Optimal),
        (87.2, Optimal),
        (92.0, Optimal),
        (92.01, Good),
        (97.99, Good),
        (98.0, NeedsImprovement),
        (150.0, NeedsImprovement),
    ] {
        assert_eq!(score(avg).score, want, "{avg}");
    }
    assert_eq!(
        score(80.0).action,
        "Try extending sessions 5-10 credits longer"
    );
    assert_eq!(score(99.0).action, "Handoff earlier (around 90-92 credits)");
}

#[test]
fn summaries_follow_the_spec_example() {
    let s = summarize(&[88, 65, 95, 90, 90, 87, 88]);
    assert_eq!(s.total_sessions, 7);
    assert_eq!(s.total_credits, 603);
    assert_eq!(s.avg_credits_per_session, 86.1);
    assert_eq!((s.min_credits, s.max_credits), (Some(65), Some(95)));
    assert_eq!(s.efficiency_score, Some(Efficiency::Optimal));
    assert_eq!(s.recommendations[0], "Excellent! Keep this pattern.");
    assert!(s
        .recommendations
        .contains(&"Target range: 85-92 credits per session".into()));

    let low = summarize(&[40, 50]);
    assert_eq!(low.efficiency_score, Some(Efficiency::NeedsImprovement));
    assert!(low
        .recommendations
        .contains(&"Aim for 85-92 credit range per session".into()));
    let high = summarize(&[99, 97]);
    assert_eq!(high.avg_credits_per_session, 98.0);
    assert!(high
        .recommendations
        .contains(&"Consider earlier handoffs".into()));

    let none = summarize(&[]);
    assert_eq!(none.total_sessions, 0);
    assert_eq!(none.efficiency_score, None);
    assert_eq!(none.min_credits, None);
}

#[test]
fn burn_rate_counts_the_recent_window_only() {
    let now = t("2026-03-02T12:00:00Z");
    let sessions = [
        (t("2026-03-02T10:00:00Z"), 30),
        (t("2026-03-02T02:00:00Z"), 18),
        (t("2026-02-20T10:00:00Z"), 90), // outside the window
        (t("2026-03-02T13:00:00Z"), 50), // in the future: not counted
    ];
    assert_eq!(burn_rate(&sessions, now, 24), Some(2.0));
    assert_eq!(burn_rate(&[], now, 24), None, "no history");
    assert_eq!(burn_rate(&[(now, 0)], now, 24), None);
}

#[test]
fn forecasts_against_the_next_refresh() {
    let now = t("2026-03-02T12:00:00Z");
    // no history: nothing predicted
    assert_eq!(forecast(80, 10, None, now, None), Forecast::Idle);
    // 70 usable credits at 10 an hour: out in 7 hours
    assert_eq!(
        forecast(80, 10, Some(10.0), now, None),
        Forecast::RunsOut {
            at: t("2026-03-02T19:00:00Z")
        }
    );
    // the refresh arrives before that
    let refresh = t("2026-03-02T16:00:00Z");
    assert_eq!(
        forecast(80, 10, Some(10.0), now, Some(refresh)),
        Forecast::RefreshFirst {
            refresh_at: refresh
        }
    );
    // a refresh after the predicted time does not save it
    assert_eq!(
        forecast(80, 10, Some(10.0), now, Some(t("2026-03-03T00:00:00Z"))),
        Forecast::RunsOut {
            at: t("2026-03-02T19:00:00Z")
        }
    );
    // exactly at the refresh: the refresh comes first
    assert_eq!(
        forecast(80, 10, Some(10.0), now, Some(t("2026-03-02T19:00:00Z"))),
        Forecast::RefreshFirst {
            refresh_at: t("2026-03-02T19:00:00Z")
        }
    );
    assert_eq!(forecast(9, 10, Some(10.0), now, None), Forecast::Exhausted);
    assert_eq!(forecast(50, 10, Some(f64::NAN), now, None), Forecast::Idle);
    assert!(matches!(
        forecast(i64::MAX, 0, Some(1e-300), now, None),
        Forecast::RunsOut { .. }
    ));
}

#[test]
fn alerts_at_the_crossed_threshold() {
    let th = [70, 85, 90];
    assert_eq!(alert_level(31, 100, &th), None);
    assert_eq!(alert_level(30, 100, &th), Some(70));
    assert_eq!(alert_level(15, 100, &th), Some(85));
    assert_eq!(alert_level(10, 100, &th), Some(90));
    assert_eq!(alert_level(0, 100, &th), Some(90));
    assert_eq!(alert_level(40, 200, &th), Some(70), "80 % of 200");
    assert_eq!(alert_level(5, 0, &th), None);
    assert_eq!(alert_level(-5, 100, &th), Some(90));
}

#[test]
fn summary_from_aggregates_matches_the_list() {
    let credits = [88, 65, 95, 90, 90, 87, 88];
    assert_eq!(summary_of(7, 603, Some(65), Some(95)), summarize(&credits));
    assert_eq!(summary_of(0, 0, None, None).efficiency_score, None);
    let histogram = [(95, 1), (88, 2), (65, 1), (87, 1), (90, 2), (70, 0)];
    assert_eq!(summary_of_histogram(&histogram), summarize(&credits));
    assert_eq!(summary_of_histogram(&[]).total_sessions, 0);
}

#[test]
fn thresholds_and_days_parse_with_named_errors() {
    assert_eq!(parse_thresholds("90, 70,85,70").unwrap(), vec![70, 85, 90]);
    assert_eq!(parse_thresholds("75%").unwrap(), vec![75]);
    assert!(parse_thresholds("0").is_err());
    assert!(parse_thresholds("101").is_err());
    assert!(parse_thresholds(" , ").is_err());
    assert_eq!(parse_days(None).unwrap(), 30);
    assert_eq!(parse_days(Some(1)).unwrap(), 1);
    assert_eq!(parse_days(Some(366)).unwrap(), 366);
    assert_eq!(parse_days(Some(0)).unwrap_err().field, "days");
    assert_eq!(parse_days(Some(367)).unwrap_err().field, "days");
}

#[test]
fn periods_are_whole_utc_days_ending_today() {
    let now = t("2026-03-02T12:34:56Z");
    assert_eq!(period_start(now, 1), t("2026-03-02T00:00:00Z"));
    assert_eq!(period_start(now, 3), t("2026-02-28T00:00:00Z"));
    assert_eq!(
        period_days(now, 3),
        ["2026-02-28", "2026-03-01", "2026-03-02"]
    );
}

#[test]
fn daily_series_fill_gaps_and_fold_small_projects() {
    let days = vec!["2026-03-01".to_string(), "2026-03-02".to_string()];
    let rows = vec![
        ("2026-03-01".to_string(), 1, 90),
        ("2026-03-02".to_string(), 1, 80),
        ("2026-03-02".to_string(), 2, 40),
        ("2026-02-01".to_string(), 2, 999), // outside the period
    ];
    let d = daily(&rows, days.clone(), |id| format!("p{id}"));
    assert_eq!(d.series.len(), 2);
    assert_eq!(d.series[0].values, vec![90, 80]);
    assert_eq!(d.series[1].values, vec![0, 40]);
    assert_eq!(d.max_day(), 120);

    let many: Vec<_> = (1..=9)
        .map(|p| ("2026-03-01".to_string(), p, p * 10))
        .collect();
    let d = daily(&many, days, |id| format!("p{id}"));
    assert_eq!(d.series.len(), MAX_SERIES);
    let other = d.series.last().unwrap();
    assert_eq!(other.project_id, None);
    assert_eq!(other.name, "4 other projects");
    assert_eq!(other.total, 10 + 20 + 30 + 40);
    assert_eq!(d.series.iter().map(|s| s.total).sum::<i64>(), 450);

    // a bucket summed by the database stays last, however large
    let bucketed = vec![
        ("2026-03-01".to_string(), 3, 10),
        ("2026-03-01".to_string(), -1, 500),
        ("2026-03-02".to_string(), 5, 20),
    ];
    let d = daily(
        &bucketed,
        vec!["2026-03-01".into(), "2026-03-02".into()],
        |id| {
            if id < 0 {
                "9 other projects".into()
            } else {
                format!("p{id}")
            }
        },
    );
    assert_eq!(d.series.len(), 3);
    assert_eq!(d.series[0].project_id, Some(5));
    let last = d.series.last().unwrap();
    assert_eq!(
        (last.project_id, last.name.as_str(), last.total),
        (None, "9 other projects", 500)
    );
}

#[test]
fn band_counts_use_the_spec_edges() {
    let hist = [
        (74, 1),
        (75, 2),
        (84, 1),
        (85, 3),
        (92, 1),
        (93, 2),
        (97, 1),
        (98, 4),
        (0, 1),
    ];
    let b = bands(&hist);
    assert_eq!(
        b[0],
        BandCount {
            band: Efficiency::Optimal,
            sessions: 4
        }
    );
    assert_eq!(
        b[1],
        BandCount {
            band: Efficiency::Good,
            sessions: 6
        }
    );
    assert_eq!(
        b[2],
        BandCount {
            band: Efficiency::NeedsImprovement,
            sessions: 6
        }
    );
    assert!(bands(&[]).iter().all(|b| b.sessions == 0));
}

#[test]
fn platforms_regroup_their_accounts() {
    let g = regroup([
        ("claude".into(), "Claude".into(), 2, 180),
        ("chatgpt".into(), "ChatGPT".into(), 1, 60),
        ("claude".into(), "Claude".into(), 2, 170),
        ("gemini".into(), "Gemini".into(), 0, 0),
    ]);
    assert_eq!(g.len(), 2);
    assert_eq!(
        (g[0].key.as_str(), g[0].sessions, g[0].credits),
        ("claude", 4, 350)
    );
    assert_eq!(g[0].avg_credits, 87.5);
    assert_eq!(g[0].score, Efficiency::Optimal);
    assert_eq!(g[1].score, Efficiency::NeedsImprovement);
}

#[test]
fn savings_follow_the_settings() {
    let s = savings(4, &AnalyticsSettings::default());
    assert_eq!((s.handoffs, s.credits, s.minutes), (4, 60, 78.0));
    let custom = AnalyticsSettings {
        credits_per_handoff: 20,
        minutes_per_handoff: 10.0,
        ..Default::default()
    };
    assert_eq!(savings(3, &custom).credits, 60);
    assert_eq!(savings(0, &custom).minutes, 0.0);
}

#[test]
fn outlooks_raise_alerts_and_forecast() {
    let now = t("2026-03-02T12:00:00Z");
    let settings = AnalyticsSettings::default();
    let recent = [(t("2026-03-02T10:00:00Z"), 48)]; // 2 credits an hour over 24 h
    let o = outlook(
        1,
        "a".into(),
        "claude".into(),
        "active".into(),
        9,
        100,
        None,
        &recent,
        now,
        &settings,
    );
    assert_eq!((o.used_percent, o.alert), (91, Some(90)));
    assert_eq!(o.forecast, Forecast::Exhausted);
    let o = outlook(
        2,
        "b".into(),
        "claude".into(),
        "available".into(),
        50,
        100,
        None,
        &recent,
        now,
        &settings,
    );
    assert_eq!(o.alert, None);
    assert_eq!(o.rate_per_hour, Some(2.0));
    assert_eq!(
        o.forecast,
        Forecast::RunsOut {
            at: t("2026-03-03T08:00:00Z")
        }
    );
    let idle = outlook(
        3,
        "c".into(),
        "x".into(),
        "available".into(),
        20,
        100,
        None,
        &[],
        now,
        &settings,
    );
    assert_eq!((idle.alert, idle.forecast), (Some(70), Forecast::Idle));
    let list = alerts(&[o.clone(), idle.clone()]);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].account_name, "c");
}

#[test]
fn a_session_warns_when_its_account_runs_out_before_it_ends() {
    let started = t("2026-03-02T12:00:00Z");
    let now = t("2026-03-02T12:30:00Z");
    // 40 credits in 30 min = 80/h; 60 left - 40 used = 20, minus 10 reserve = 10 usable
    // → out at 12:37:30, before the expected end at 13:30
    assert_eq!(
        runs_out_during_session(60, 40, 10, None, started, 90, now, None),
        Some(t("2026-03-02T12:37:30Z"))
    );
    // the refresh arrives first: no warning
    assert_eq!(
        runs_out_during_session(
            60,
            40,
            10,
            None,
            started,
            90,
            now,
            Some(t("2026-03-02T12:35:00Z"))
        ),
        None
    );
    // plenty left
    assert_eq!(
        runs_out_during_session(1000, 40, 10, None, started, 90, now, None),
        None
    );
    // no usage yet and no history: nothing to predict
    assert_eq!(
        runs_out_during_session(60, 0, 10, None, started, 90, started, None),
        None
    );
    // already spent down to the reserve
    assert_eq!(
        runs_out_during_session(50, 45, 10, None, started, 90, now, None),
        Some(now)
    );
    // the account's recent pace counts when faster than the session's
    assert_eq!(
        runs_out_during_session(100, 10, 10, Some(200.0), started, 90, now, None),
        Some(t("2026-03-02T12:54:00Z"))
    );
}
