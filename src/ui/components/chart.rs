//! Charts drawn as SVG on the server, readable without JavaScript (every mark carries its
//! figures in a `<title>`), interactive once hydrated: a readout follows the pointer or
//! keyboard focus, and a drag (or Enter, then Shift+Enter) selects a range of days.
//! Text stays in HTML so it keeps its size at any width; the SVG only draws marks.

use crate::domain::analytics::{Daily, Efficiency, GroupEfficiency};
use crate::ui::components::status::figure;
use leptos::prelude::*;

/// Keyboard movement within a chart: the index the key moves to from `at` of `len`
/// marks (arrows step, Home and End jump), or none for other keys.
pub fn step(key: &str, at: usize, len: usize) -> Option<usize> {
    let last = len.checked_sub(1)?;
    match key {
        "ArrowRight" | "ArrowDown" => Some((at + 1).min(last)),
        "ArrowLeft" | "ArrowUp" => Some(at.saturating_sub(1)),
        "Home" => Some(0),
        "End" => Some(last),
        _ => None,
    }
}

/// Moves keyboard focus to the `index`-th element matching `marks` inside the nearest
/// `within` ancestor of the event's target (a chart is one Tab stop; arrows move in it).
fn focus_mark(ev: &leptos::ev::KeyboardEvent, within: &str, marks: &str, index: usize) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let found = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest(within).ok().flatten())
            .and_then(|root| root.query_selector_all(marks).ok())
            .and_then(|list| list.item(index as u32));
        if let Some(node) = found {
            if let Ok(svg) = node.clone().dyn_into::<web_sys::SvgElement>() {
                let _ = svg.focus();
            } else if let Ok(html) = node.dyn_into::<web_sys::HtmlElement>() {
                let _ = html.focus();
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, within, marks, index);
}

/// A project's colour class, the same whatever its rank (`c0`, neutral, for the rest).
pub fn colour(project: Option<i64>) -> String {
    match project {
        Some(id) => format!("c{}", id.rem_euclid(6) + 1),
        None => "c0".into(),
    }
}

/// Short date for axes: `2026-03-02` → `Mar 2`.
pub fn short_day(day: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut parts = day.split('-').skip(1);
    match (
        parts.next().and_then(|m| m.parse::<usize>().ok()),
        parts.next().and_then(|d| d.parse::<u32>().ok()),
    ) {
        (Some(m), Some(d)) if (1..=12).contains(&m) => format!("{} {d}", MONTHS[m - 1]),
        _ => day.to_owned(),
    }
}

/// Credits per day, stacked per project.
#[component]
pub fn DailyChart(daily: Daily) -> impl IntoView {
    let n = daily.days.len().max(1);
    let max = daily.max_day().max(1);
    // a round top for the scale
    let top = nice_ceiling(max);
    let totals: Vec<i64> = (0..daily.days.len())
        .map(|i| daily.series.iter().map(|s| s.values[i]).sum())
        .collect();
    let hover = RwSignal::new(None::<usize>);
    // the one day reachable by Tab (the latest at first); arrows move from it
    let count = daily.days.len();
    let cursor = RwSignal::new(count.saturating_sub(1));
    let selection = RwSignal::new(None::<(usize, usize)>);
    let dragging = RwSignal::new(false);
    let days = StoredValue::new(daily.days.clone());
    let totals_s = StoredValue::new(totals.clone());
    let series_s = StoredValue::new(daily.series.clone());

    let w = 10.0;
    let bars = (0..daily.days.len())
        .map(|i| {
            let mut y = 100.0;
            let segments = daily
                .series
                .iter()
                .filter(|s| s.values[i] > 0)
                .map(|s| {
                    let h = s.values[i] as f64 * 100.0 / top as f64;
                    y -= h;
                    view! {
                        <rect class=format!("seg {}", colour(s.project_id)) x=format!("{:.2}", i as f64 * w + 1.5)
                            y=format!("{y:.3}") width=format!("{:.2}", w - 3.0) height=format!("{h:.3}")/>
                    }
                })
                .collect_view();
            let detail = day_detail(&daily, i);
            let label = detail.clone();
            view! {
                <g class="day" data-day=daily.days[i].clone() data-value=totals[i].to_string()
                    class:hovered=move || hover.get() == Some(i)
                    class:selected=move || selection.get().is_some_and(|(a, b)| a.min(b) <= i && i <= a.max(b))>
                    {segments}
                    <rect class="hit" x=format!("{:.2}", i as f64 * w) y="0" width=format!("{w:.2}") height="100"
                        tabindex=move || if cursor.get() == i { "0" } else { "-1" } role="img" aria-label=label
                        on:pointerenter=move |_| {
                            hover.set(Some(i));
                            if dragging.get_untracked() {
                                selection.update(|s| if let Some(s) = s { s.1 = i });
                            }
                        }
                        on:pointerleave=move |_| hover.set(None)
                        on:focus=move |_| {
                            cursor.set(i);
                            hover.set(Some(i));
                        }
                        on:blur=move |_| hover.set(None)
                        on:pointerdown=move |ev| {
                            ev.prevent_default();
                            dragging.set(true);
                            selection.set(Some((i, i)));
                        }
                        on:pointerup=move |_| dragging.set(false)
                        on:keydown=move |ev| {
                            if ev.key() == "Enter" || ev.key() == " " {
                                ev.prevent_default();
                                let extend = ev.shift_key();
                                selection.update(|s| match (extend, *s) {
                                    (true, Some((a, _))) => *s = Some((a, i)),
                                    _ => *s = Some((i, i)),
                                });
                            } else if ev.key() == "Escape" {
                                selection.set(None);
                            } else if let Some(j) = step(&ev.key(), i, count) {
                                ev.prevent_default();
                                cursor.set(j);
                                focus_mark(&ev, "svg", "rect.hit", j);
                            }
                        }>
                        <title>{detail}</title>
                    </rect>
                </g>
            }
        })
        .collect_view();

    let readout = move || {
        let days = days.get_value();
        let totals = totals_s.get_value();
        if let Some((a, b)) = selection.get() {
            let (a, b) = (a.min(b), a.max(b));
            let sum: i64 = totals[a..=b].iter().sum();
            let count = b - a + 1;
            let label = if a == b {
                short_day(&days[a])
            } else {
                format!("{} – {}", short_day(&days[a]), short_day(&days[b]))
            };
            let per_day = sum as f64 / count as f64;
            return Some(view! {
                <span class="readout-sel" data-testid="chart-selection">
                    <strong>{label}</strong>
                    {format!(": {} over {count} day{} · {:.1} a day", crate::ui::components::status::credits(sum), if count == 1 { "" } else { "s" }, per_day)}
                    <button type="button" class="btn small ghost" on:click=move |_| selection.set(None)>"Clear"</button>
                </span>
            }
            .into_any());
        }
        hover.get().map(|i| {
            let parts = series_s.with_value(|series| {
                series
                    .iter()
                    .filter(|s| s.values[i] > 0)
                    .map(|s| format!("{} {}", s.name, figure(s.values[i])))
                    .collect::<Vec<_>>()
                    .join(" · ")
            });
            view! {
                <span data-testid="chart-tooltip">
                    <strong>{short_day(&days[i])}</strong>
                    {format!(": {}", crate::ui::components::status::credits(totals[i]))}
                    {(!parts.is_empty()).then(|| format!(" — {parts}"))}
                </span>
            }
            .into_any()
        })
    };

    let first = daily.days.first().map(|d| short_day(d)).unwrap_or_default();
    let mid = daily
        .days
        .get(daily.days.len() / 2)
        .map(|d| short_day(d))
        .unwrap_or_default();
    let last = daily.days.last().map(|d| short_day(d)).unwrap_or_default();
    view! {
        <div class="chart daily-chart">
            <p class="readout" aria-live="polite">
                {move || readout().unwrap_or_else(|| view! {
                    <span class="muted">"Point at a day for its credits; drag across days to add them up."</span>
                }.into_any())}
            </p>
            <div class="plot">
                <div class="y-axis" aria-hidden="true">
                    <span>{figure(top)}</span>
                    <span>{figure(top / 2)}</span>
                    <span>"0"</span>
                </div>
                <svg class="bars" viewBox=format!("0 0 {} 100", n as f64 * w) preserveAspectRatio="none"
                    on:pointerleave=move |_| dragging.set(false)>
                    <line class="grid" x1="0" x2=format!("{}", n as f64 * w) y1="50" y2="50"/>
                    <line class="grid" x1="0" x2=format!("{}", n as f64 * w) y1="100" y2="100"/>
                    {bars}
                </svg>
            </div>
            <div class="x-axis" aria-hidden="true">
                <span>{first}</span><span>{mid}</span><span>{last}</span>
            </div>
            <ul class="legend">
                {daily.series.iter().map(|s| view! {
                    <li><span class=format!("swatch {}", colour(s.project_id))></span>{s.name.clone()}
                        <span class="muted">{format!(" {}", figure(s.total))}</span></li>
                }).collect_view()}
            </ul>
        </div>
    }
}

fn day_detail(daily: &Daily, i: usize) -> String {
    let total: i64 = daily.series.iter().map(|s| s.values[i]).sum();
    let parts: Vec<String> = daily
        .series
        .iter()
        .filter(|s| s.values[i] > 0)
        .map(|s| format!("{} {}", s.name, s.values[i]))
        .collect();
    if parts.is_empty() {
        format!("{}: no credits", daily.days[i])
    } else {
        format!(
            "{}: {} ({})",
            daily.days[i],
            crate::ui::components::status::credits(total),
            parts.join(", ")
        )
    }
}

/// The first of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ⁿ at or above `v` (an even number up
/// to 10).
pub fn nice_ceiling(v: i64) -> i64 {
    if v <= 10 {
        // even, so the middle line has a whole label
        return (v.max(1) + 1) / 2 * 2;
    }
    let mut base = 1i64;
    loop {
        for m in [10, 12, 15, 20, 25, 30, 40, 50, 60, 80] {
            if base.saturating_mul(m) >= v {
                return base.saturating_mul(m);
            }
        }
        if base > i64::MAX / 10 {
            return v;
        }
        base *= 10;
    }
}

/// One horizontal bar of a bar list.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub href: Option<String>,
    pub value: f64,
    pub shown: String,
    pub detail: String,
    pub tone: &'static str,
}

/// Horizontal bars with HTML labels; `scale` is the value of a full bar; `band` shades a
/// target range (the optimal 85–92 credits).
#[component]
pub fn BarList(
    bars: Vec<Bar>,
    scale: f64,
    #[prop(optional)] band: Option<(f64, f64)>,
) -> impl IntoView {
    let scale = if scale > 0.0 { scale } else { 1.0 };
    let hover = RwSignal::new(None::<usize>);
    // one Tab stop for the whole list; arrows move between its bars
    let count = bars.len();
    let cursor = RwSignal::new(0usize);
    let navigate = leptos_router::hooks::use_navigate();
    let details: Vec<String> = bars.iter().map(|b| b.detail.clone()).collect();
    let details = StoredValue::new(details);
    view! {
        <div class="barlist">
            <ul>
                {bars.into_iter().enumerate().map(|(i, b)| {
                    let pct = (b.value / scale * 100.0).clamp(0.0, 100.0);
                    let title = b.detail.clone();
                    // the row is the Tab stop; Enter follows its link
                    let href = b.href.clone();
                    let label = match b.href.clone() {
                        Some(h) => view! { <a href=h tabindex="-1">{b.label.clone()}</a> }.into_any(),
                        None => view! { <span>{b.label.clone()}</span> }.into_any(),
                    };
                    let navigate = navigate.clone();
                    view! {
                        <li class="bar-row" class:hovered=move || hover.get() == Some(i)
                            tabindex=move || if cursor.get() == i { "0" } else { "-1" } aria-label=b.detail.clone()
                            on:pointerenter=move |_| hover.set(Some(i))
                            on:pointerleave=move |_| hover.set(None)
                            on:focus=move |_| {
                                cursor.set(i);
                                hover.set(Some(i));
                            }
                            on:blur=move |_| hover.set(None)
                            on:keydown=move |ev| {
                                if let Some(j) = step(&ev.key(), i, count) {
                                    ev.prevent_default();
                                    cursor.set(j);
                                    focus_mark(&ev, "ul", "li.bar-row", j);
                                } else if ev.key() == "Enter" {
                                    if let Some(h) = &href {
                                        navigate(h, Default::default());
                                    }
                                }
                            }>
                            <span class="bar-label">{label}</span>
                            <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" data-value=format!("{}", b.value)>
                                {band.map(|(lo, hi)| {
                                    let x = (lo / scale * 100.0).clamp(0.0, 100.0);
                                    let w = ((hi - lo) / scale * 100.0).clamp(0.0, 100.0 - x);
                                    view! { <rect class="band" x=format!("{x:.2}") y="0" width=format!("{w:.2}") height="10"/> }
                                })}
                                <rect class=format!("fill {}", b.tone) x="0" y="2" width=format!("{pct:.2}") height="6" rx="1">
                                    <title>{title}</title>
                                </rect>
                            </svg>
                            <span class="bar-value">{b.shown}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="readout small" aria-live="polite">
                {move || hover.get().map(|i| details.with_value(|d| d[i].clone()))}
            </p>
        </div>
    }
}

/// The CSS tone of an efficiency band.
pub fn tone(e: Efficiency) -> &'static str {
    match e {
        Efficiency::Optimal => "ok",
        Efficiency::Good => "fair",
        Efficiency::NeedsImprovement => "poor",
    }
}

/// Bars of average credits per session, one per group.
pub fn efficiency_bars(
    groups: &[GroupEfficiency],
    href: impl Fn(&str) -> Option<String>,
) -> Vec<Bar> {
    groups
        .iter()
        .map(|g| Bar {
            label: g.label.clone(),
            href: href(&g.key),
            value: g.avg_credits,
            shown: format!("{:.1}", g.avg_credits),
            detail: format!(
                "{}: {:.1} credits a session over {} session{} ({}) — {}",
                g.label,
                g.avg_credits,
                g.sessions,
                if g.sessions == 1 { "" } else { "s" },
                crate::ui::components::status::credits(g.credits),
                g.score.label()
            ),
            tone: tone(g.score),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_move_within_the_chart_and_stop_at_its_ends() {
        assert_eq!(step("ArrowRight", 3, 10), Some(4));
        assert_eq!(step("ArrowDown", 9, 10), Some(9));
        assert_eq!(step("ArrowLeft", 0, 10), Some(0));
        assert_eq!(step("ArrowUp", 5, 10), Some(4));
        assert_eq!(step("Home", 5, 10), Some(0));
        assert_eq!(step("End", 5, 10), Some(9));
        assert_eq!(step("Tab", 5, 10), None);
        assert_eq!(step("ArrowRight", 0, 0), None);
    }

    #[test]
    fn scales_round_up() {
        assert_eq!(nice_ceiling(0), 2);
        assert_eq!(nice_ceiling(3), 4);
        assert_eq!(nice_ceiling(10), 10);
        assert_eq!(nice_ceiling(91), 100);
        assert_eq!(nice_ceiling(101), 120);
        assert_eq!(nice_ceiling(1150), 1200);
        assert_eq!(nice_ceiling(500), 500);
        assert_eq!(nice_ceiling(501), 600);
        assert_eq!(short_day("2026-03-02"), "Mar 2");
        assert_eq!(short_day("junk"), "junk");
    }
}
