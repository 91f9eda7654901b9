//! `/analytics`: credits per day per project, sessions per efficiency band, efficiency per
//! account and platform, what handoffs saved, the cost of recorded AI usage, and each
//! account's predicted exhaustion. Also the usage alerts shown on the dashboard.

use crate::api::analytics::get_analytics;
use crate::domain::analytics::{AlertSummary, Forecast, Outlook, Report};
use crate::domain::time::Timestamp;
use crate::ui::components::chart::{efficiency_bars, tone, Bar, BarList, DailyChart};
use crate::ui::components::layout::ErrorPanel;
use crate::ui::components::status::figure;
use crate::ui::components::time::{Show, When};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

const RANGES: [(i64, &str); 4] = [
    (7, "7 days"),
    (30, "30 days"),
    (90, "90 days"),
    (365, "1 year"),
];

fn link(days: i64, project: Option<i64>) -> String {
    match project {
        Some(p) => format!("/analytics?days={days}&project_id={p}"),
        None => format!("/analytics?days={days}"),
    }
}

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let query = use_query_map();
    let args = Memo::new(move |_| {
        query.with(|q| (q.get("project_id"), q.get("days"), q.get("outlook_page")))
    });
    let report = Resource::new(move || args.get(), |(p, d, o)| get_analytics(p, d, o));
    view! {
        <Title text="Analytics"/>
        <div class="page-head">
            <div>
                <h1>"Analytics"</h1>
                <p class="muted">"How sessions spend credits, which accounts serve best, and when each account runs out."</p>
            </div>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading analytics…"</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(r) => view! { <ReportView r/> }.into_any(),
                    Err(e) => view! {
                        <div class="toolbar analytics-filters">
                            <nav class="chips" aria-label="Period">
                                {RANGES.iter().map(|(d, label)| view! { <a class="chip" href=link(*d, None)>{*label}</a> }).collect_view()}
                            </nav>
                        </div>
                        <ErrorPanel error=e/>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Filters(days: i64, project: Option<i64>, projects: Vec<(i64, String)>) -> impl IntoView {
    let navigate = use_navigate();
    let on_project = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        let p = crate::domain::parse::opt_number(Some(&v), "project_id")
            .ok()
            .flatten();
        navigate(&link(days, p), Default::default());
    };
    view! {
        <div class="toolbar analytics-filters">
            <nav class="chips" aria-label="Period">
                {RANGES.iter().map(|(d, label)| view! {
                    <a class="chip" href=link(*d, project) aria-current=(*d == days).then_some("page")>{*label}</a>
                }).collect_view()}
            </nav>
            <form method="get" action="/analytics" class="inline">
                <input type="hidden" name="days" value=days.to_string()/>
                <label for="an-project" class="sr-only">"Project"</label>
                <select id="an-project" name="project_id" on:change=on_project>
                    <option value="" selected=project.is_none()>"All projects"</option>
                    {projects.into_iter().map(|(id, name)| view! {
                        <option value=id.to_string() selected=project == Some(id)>{name}</option>
                    }).collect_view()}
                </select>
                <noscript><button type="submit" class="btn small">"Show"</button></noscript>
            </form>
        </div>
    }
}

#[component]
fn ReportView(r: Report) -> impl IntoView {
    let s = r.summary.clone();
    let empty = s.total_sessions == 0 && r.daily.series.is_empty();
    let band_total: i64 = r.bands.iter().map(|b| b.sessions).sum();
    let band_bars: Vec<Bar> = r
        .bands
        .iter()
        .map(|b| Bar {
            label: b.band.label().to_owned(),
            href: None,
            value: b.sessions as f64,
            shown: figure(b.sessions),
            detail: format!(
                "{}: {} of {} finished sessions",
                b.band.label(),
                b.sessions,
                band_total
            ),
            tone: tone(b.band),
        })
        .collect();
    let scale = |groups: &[crate::domain::analytics::GroupEfficiency]| {
        groups
            .iter()
            .map(|g| g.avg_credits)
            .fold(100.0_f64, f64::max)
    };
    let account_scale = scale(&r.by_account);
    let platform_scale = scale(&r.by_platform);
    let account_bars = efficiency_bars(&r.by_account, |k| {
        (k != crate::domain::analytics::OTHER_GROUP).then(|| format!("/accounts/{k}"))
    });
    let platform_bars = efficiency_bars(&r.by_platform, |_| None);
    let total_credits: i64 = r.daily.series.iter().map(|x| x.total).sum();
    let period = format!(
        "{} – {}",
        crate::ui::components::chart::short_day(&r.since.date()),
        crate::ui::components::chart::short_day(&r.now.date())
    );
    let hours = r.savings.minutes / 60.0;
    let (daily, savings) = (r.daily.clone(), r.savings);
    view! {
        <Filters days=r.days project=r.project_id projects=r.projects.clone()/>
        {empty.then(|| view! {
            <section class="panel empty" data-testid="analytics-empty">
                <h2>"No sessions in this period"</h2>
                <p class="muted">"Start and complete sessions to see how their credits are spent; choose a longer period to look further back."</p>
            </section>
        })}
        // the period's figures and charts; an empty period shows only the notice above
        {(!empty).then(move || view! {
        // the figures count finished sessions; running ones join them when they finish (the
        // daily chart shows what every session has spent so far, and says so)
        <dl class="stats" data-testid="analytics-summary">
            <div class="stat"><dt>"Sessions finished"</dt><dd>{figure(s.total_sessions as i64)}</dd></div>
            <div class="stat"><dt>"Credits of finished sessions"</dt><dd data-testid="period-credits">{crate::ui::components::status::credits(s.total_credits)}</dd></div>
            <div class="stat">
                <dt>"Average a finished session"</dt>
                <dd>{format!("{:.1}", s.avg_credits_per_session)}
                    {s.efficiency_score.map(|e| view! { <span class=format!("pill {}", tone(e))>{e.label()}</span> })}
                </dd>
            </div>
            <div class="stat"><dt>"Range (finished)"</dt><dd>{match (s.min_credits, s.max_credits) {
                (Some(a), Some(b)) => format!("{a}–{b}"),
                _ => "—".to_string(),
            }}</dd></div>
        </dl>
        <div class="analytics-grid">
            <section class="panel wide" aria-labelledby="daily-title" data-testid="chart-daily">
                <h2 id="daily-title">{if r.weekly { "Credits spent per week" } else { "Credits spent per day" }}<span class="muted small">{format!(" · {period}")}</span></h2>
                <p class="muted small" data-testid="daily-counts">{format!(
                    "{} spent by every session of the period, running ones included.",
                    crate::ui::components::status::credits(total_credits)
                )}</p>
                <DailyChart daily/>
            </section>
            <section class="panel" aria-labelledby="bands-title" data-testid="chart-bands">
                <h2 id="bands-title">"Sessions per efficiency band"</h2>
                <BarList bars=band_bars scale=band_total.max(1) as f64/>
                <ul class="recommendations">
                    {s.recommendations.iter().map(|t| view! { <li>{t.clone()}</li> }).collect_view()}
                </ul>
            </section>
            <section class="panel" aria-labelledby="savings-title" data-testid="savings">
                <h2 id="savings-title">"Handoffs and their estimated savings"</h2>
                <dl class="figures">
                    <div><dt>"Handoffs (counted)"</dt><dd>{figure(savings.handoffs)}</dd></div>
                    <div><dt>"Credits saved (estimate)"</dt><dd>{format!("≈ {}", figure(savings.credits))}</dd></div>
                    <div><dt>"Time saved (estimate)"</dt><dd>{if hours >= 1.0 { format!("≈ {hours:.1} h") } else { format!("≈ {:.0} min", savings.minutes) }}</dd></div>
                </dl>
                <p class="muted small" data-testid="savings-basis">{format!(
                    "An estimate, not a measurement: each handoff is counted as saving {} and {} of re-explaining (set with --handoff-credit-savings and --handoff-minutes-saved).",
                    crate::ui::components::status::credits(savings.credits_each),
                    minutes_phrase(savings.minutes_each),
                )}</p>
            </section>
            <EfficiencyPanel title="Efficiency per account" id="chart-accounts" bars=account_bars scale=account_scale/>
            <EfficiencyPanel title="Efficiency per platform" id="chart-platforms" bars=platform_bars scale=platform_scale/>
        </div>
        })}
        <div class="analytics-grid">
            <section class="panel wide" aria-labelledby="out-title" data-testid="outlooks">
                <h2 id="out-title">"Accounts: usage and predicted exhaustion"</h2>
                <OutlookTable outlooks=r.outlooks.clone() now=r.now/>
                <OutlookPager total=r.outlook_total page=r.outlook_page days=r.days project=r.project_id/>
            </section>
            <section class="panel wide" aria-labelledby="cost-title" data-testid="costs">
                <h2 id="cost-title">"Cost of recorded AI usage"</h2>
                {if r.costs.is_empty() {
                    view! { <p class="muted">"The sessions of this period recorded no AI calls. Record them with POST /api/usage, or import an aider chat history (it reports tokens and cost)."</p> }.into_any()
                } else {
                    view! {
                        <p class="muted small">"The calls of the sessions started in this period."</p>
                        <CostTable r=r.clone()/>
                    }.into_any()
                }}
            </section>
        </div>
    }
}

#[component]
fn EfficiencyPanel(
    title: &'static str,
    id: &'static str,
    bars: Vec<Bar>,
    scale: f64,
) -> impl IntoView {
    let heading = format!("{id}-title");
    let labelled_by = heading.clone();
    view! {
        <section class="panel" aria-labelledby=labelled_by data-testid=id>
            <h2 id=heading>{title}</h2>
            <p class="muted small">"Average credits a session; the shaded band is the optimal 85–92."</p>
            {if bars.is_empty() {
                view! { <p class="muted">"No finished sessions."</p> }.into_any()
            } else {
                view! { <BarList bars scale band=(85.0, 92.0)/> }.into_any()
            }}
        </section>
    }
}

/// `19.5 minutes`, `1 minute`.
fn minutes_phrase(m: f64) -> String {
    if (m - 1.0).abs() < f64::EPSILON {
        "1 minute".into()
    } else if m.fract() == 0.0 {
        format!("{m:.0} minutes")
    } else {
        format!("{m:.1} minutes")
    }
}

fn usd(micros: i64) -> String {
    let d = crate::domain::ledger::usd(micros);
    if d >= 100.0 {
        format!("${d:.0}")
    } else if d >= 1.0 {
        format!("${d:.2}")
    } else {
        format!("${d:.4}")
    }
}

fn usd_opt(v: Option<f64>) -> String {
    v.map(|d| usd((d * 1_000_000.0).round() as i64))
        .unwrap_or_else(|| "—".into())
}

#[component]
fn CostTable(r: Report) -> impl IntoView {
    let t = r.cost_totals;
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Costs">
            <table class="table costs">
                <thead><tr>
                    <th scope="col">"Project"</th><th scope="col" class="num">"Calls"</th>
                    <th scope="col" class="num">"Tokens in / out"</th><th scope="col" class="num">"Cost"</th>
                    <th scope="col" class="num">"Per session"</th><th scope="col" class="num">"Per accomplishment"</th>
                </tr></thead>
                <tbody>
                    {r.costs.iter().map(|c| view! {
                        <tr>
                            <td><a href=format!("/projects/{}", c.project_id)>{c.project_name.clone()}</a></td>
                            <td class="num calls">{figure(c.totals.calls)}<span class="narrow-unit">" calls"</span></td>
                            <td class="num">{format!("{} / {}", figure(c.totals.input_tokens), figure(c.totals.output_tokens))}<span class="narrow-unit">" tokens"</span></td>
                            <td class="num cost">{usd(c.totals.cost_micros)}</td>
                            <td class="num per-session"><span class="narrow-unit">"per session "</span>{usd_opt(c.cost_per_session_usd)}</td>
                            <td class="num"><span class="narrow-unit">"per accomplishment "</span>{usd_opt(c.cost_per_accomplishment_usd)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot><tr>
                    <th scope="row">"All"</th><td class="num calls">{figure(t.calls)}<span class="narrow-unit">" calls"</span></td>
                    <td class="num">{format!("{} / {}", figure(t.input_tokens), figure(t.output_tokens))}<span class="narrow-unit">" tokens"</span></td>
                    <td class="num cost">{usd(t.cost_micros)}</td>
                    <td class="num per-session"><span class="narrow-unit">"per session "</span>"—"</td>
                    <td class="num"><span class="narrow-unit">"per accomplishment "</span>"—"</td>
                </tr></tfoot>
            </table>
        </div>
        {t.avg_latency_ms().map(|l| view! { <p class="muted small latency">{format!("Average latency of these calls: {l:.0} ms.")}</p> })}
    }
}

/// The alert table's rows in the chosen order: `name` (A–Z), `left` (fewest credits
/// first), else as the engine ranked them (most urgent first).
fn sort_alerts(mut rows: Vec<Outlook>, key: &str) -> Vec<Outlook> {
    match key {
        "name" => rows.sort_by_key(|o| o.account_name.to_lowercase()),
        "left" => rows.sort_by_key(|o| (o.credits_available, o.account_id)),
        _ => {}
    }
    rows
}

/// A forecast in words, its times local.
#[component]
pub fn ForecastText(forecast: Forecast, now: Timestamp) -> impl IntoView {
    match forecast {
        Forecast::Idle => "no recent use".into_any(),
        Forecast::Exhausted => "out of credits".into_any(),
        Forecast::RefreshFirst { refresh_at } => {
            view! { "lasts until its refill " <When at=refresh_at now show=Show::UntilClock/> }
                .into_any()
        }
        Forecast::RunsOut { at } => {
            view! { "runs out " <When at now show=Show::UntilClock/> }.into_any()
        }
    }
}

#[component]
fn OutlookTable(outlooks: Vec<Outlook>, now: Timestamp) -> impl IntoView {
    if outlooks.is_empty() {
        return view! { <p class="muted">"No accounts yet. "<a href="/accounts">"Add one"</a>"."</p> }.into_any();
    }
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Account outlooks">
            <table class="table outlooks">
                <thead><tr>
                    <th scope="col">"Account"</th><th scope="col">"Used"</th>
                    <th scope="col" class="num">"Credits an hour"</th><th scope="col">"Forecast"</th>
                </tr></thead>
                <tbody>
                    {outlooks.into_iter().map(|o| {
                        let pct = o.used_percent;
                        view! {
                            <tr>
                                <td><a href=format!("/accounts/{}", o.account_id)>{o.account_name.clone()}</a>
                                    <span class="muted small">{format!(" {}", o.platform)}</span></td>
                                <td class="usage-cell">
                                    <svg class="meter" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true">
                                        <rect class="track" x="0" y="0" width="100" height="6" rx="1"/>
                                        <rect class=format!("fill {}", level_tone(o.alert)) x="0" y="0" width=pct.to_string() height="6" rx="1"/>
                                    </svg>
                                    <span>{format!("{pct}% · {} of {} left", figure(o.credits_available), figure(o.capacity))}</span>
                                </td>
                                <td class="num rate">{match o.rate_per_hour {
                                    Some(r) => view! { {format!("{r:.1}")}<span class="narrow-unit">" credits an hour"</span> }.into_any(),
                                    None => view! { <span class="dash">"—"</span> }.into_any(),
                                }}</td>
                                <td class="forecast"><ForecastText forecast=o.forecast now/></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Pages through the outlooks, the most urgent first.
#[component]
fn OutlookPager(total: usize, page: usize, days: i64, project: Option<i64>) -> impl IntoView {
    let per = crate::domain::analytics::OUTLOOKS_PER_PAGE;
    let pages = total.div_ceil(per).max(1);
    let href = move |n: usize| format!("{}&outlook_page={n}#out-title", link(days, project));
    (pages > 1).then(|| {
        let first = (page - 1) * per + 1;
        let last = (page * per).min(total);
        view! {
            <nav class="pager" aria-label="Account pages">
                {(page > 1).then(|| view! { <a rel="prev" href=href(page - 1)>"← More urgent"</a> })}
                <span class="muted">{format!("Accounts {first}–{last} of {}, the most urgent first", figure(total as i64))}</span>
                {(page < pages).then(|| view! { <a rel="next" href=href(page + 1)>"Next →"</a> })}
            </nav>
        }
    })
}

fn level_tone(alert: Option<u8>) -> &'static str {
    match alert {
        Some(l) if l >= 90 => "poor",
        Some(l) if l >= 85 => "warn",
        Some(_) => "fair",
        None => "ok",
    }
}

/// The dashboard's one line about credits ("13 accounts out of credits · next refill in
/// 2 h · 2 running low"), opening into a table of the most pressing accounts. Accounts
/// that refill before they run out are counted, never alarmed about.
#[component]
pub fn AlertLine(summary: AlertSummary, now: Timestamp) -> impl IntoView {
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{} {many}", figure(n as i64))
        }
    };
    let mut parts = Vec::new();
    let mut refill = None;
    if summary.out > 0 {
        parts.push(format!(
            "{} out of credits",
            plural(summary.out, "account", "accounts")
        ));
        refill = summary.next_refill;
    }

    if summary.running_low > 0 {
        parts.push(format!(
            "{} before {} refill",
            plural(summary.running_low, "runs out", "run out"),
            if summary.running_low == 1 {
                "its"
            } else {
                "their"
            }
        ));
    }
    if summary.quiet > 0 {
        parts.push(format!(
            "{} past 70 % but lasting until {} refill",
            plural(summary.quiet, "account", "accounts"),
            if summary.quiet == 1 { "its" } else { "their" }
        ));
    }
    // the next refill follows the first part, its time local
    let rest = parts.split_off(parts.len().min(1));
    let tone = if summary.out > 0 {
        "poor"
    } else if summary.running_low > 0 {
        "warn"
    } else {
        "quiet"
    };
    let rows = summary.top.clone();
    let shown = rows.len();
    let alarming = summary.out + summary.running_low;
    // the table sorts by a column through the address (`?alerts=left`), so it works
    // without JavaScript and stays open after sorting
    let query = use_query_map();
    let order = move || query.with(|q| q.get("alerts").unwrap_or_default());
    let opened = query.with_untracked(|q| q.get("alerts").is_some());
    let head = move |key: &'static str, label: &'static str, class: &'static str| {
        let href = move || {
            query.with(|q| {
                let mut parts: Vec<String> = q
                    .into_iter()
                    .filter(|(k, _)| k.as_ref() != "alerts")
                    .map(|(k, v)| {
                        format!(
                            "{k}={}",
                            form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                        )
                    })
                    .collect();
                parts.push(format!("alerts={key}"));
                format!("?{}#alerts", parts.join("&"))
            })
        };
        let sorted = move || {
            let o = order();
            (o == key || (o.is_empty() && key == "urgency")).then_some("descending")
        };
        view! {
            <th scope="col" class=class aria-sort=move || sorted().unwrap_or("none")>
                <a href=href data-testid=format!("alerts-sort-{key}")>{label}</a>
            </th>
        }
    };
    view! {
        <section class=format!("alert-line {tone}") aria-label="Credit alerts" data-testid="alert-line" id="alerts">
            <details open=opened>
                <summary>
                    <span class="dot" aria-hidden="true"></span>
                    <span>
                        {parts.join(" · ")}
                        {refill.map(|at| view! { " · next refill " <When at now show=Show::UntilClock/> })}
                        {(!rest.is_empty()).then(|| format!(" · {}", rest.join(" · ")))}
                    </span>
                </summary>
                {(shown > 0).then(|| view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Alerts">
                        <table class="table stack inline-meta alert-table">
                            <thead><tr>
                                {head("name", "Account", "")}
                                {head("urgency", "Used", "num")}
                                {head("left", "Left", "num")}
                                <th scope="col">"Outlook"</th>
                            </tr></thead>
                            <tbody>
                                {move || sort_alerts(rows.clone(), &order()).into_iter().map(|o| view! {
                                    <tr data-testid="alert" data-level=o.alert.unwrap_or(0).to_string()>
                                        <td class="nowrap-name"><a href=format!("/accounts/{}", o.account_id)>{o.account_name.clone()}</a></td>
                                        <td class="num" data-label="Used">{format!("{}% used", o.used_percent)}</td>
                                        <td class="num" data-label="Left">{format!("{} of {} left", figure(o.credits_available), figure(o.capacity))}</td>
                                        <td data-label="Outlook"><ForecastText forecast=o.forecast now/></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                })}
                <p class="small">
                    {(alarming > shown).then(|| format!("The {shown} most pressing of {}. ", figure(alarming as i64)))}
                    <a href="/analytics#out-title">"Every account's outlook"</a>
                </p>
            </details>
        </section>
    }
}
