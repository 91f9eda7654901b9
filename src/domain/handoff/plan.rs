//! A briefing's plan: the items of each section, what they cost, and the markdown they render.

use super::record::Facts;
use super::text::{chars, cut};
use super::{scan, Section};
use std::collections::BTreeMap;

/// One item (a `- ` line) of a section.
#[derive(Debug, Clone)]
pub(super) struct Item {
    pub(super) text: String,
    pub(super) pos: f64,
    /// Pinned items come from the session record and always go first.
    pub(super) pinned: bool,
}

/// A briefing being made: its header and each section's items.
#[derive(Default)]
pub(super) struct Plan {
    pub(super) sections: BTreeMap<Section, Vec<Item>>,
    pub(super) header: String,
}

impl Plan {
    /// The markdown: the header, then each section that has items, under its title.
    pub(super) fn render(&self) -> String {
        let mut out = self.header.clone();
        for (s, items) in &self.sections {
            if items.is_empty() {
                continue;
            }
            out.push_str("\n## ");
            out.push_str(s.title());
            out.push('\n');
            let mut sorted: Vec<&Item> = items.iter().collect();
            if !matches!(s, Section::Files) {
                sorted.sort_by(|a, b| b.pinned.cmp(&a.pinned).then(a.pos.total_cmp(&b.pos)));
            }
            for it in sorted {
                out.push_str("- ");
                out.push_str(&it.text);
                out.push('\n');
            }
        }
        out
    }
}

/// Cost in characters of adding `text` as an item of a section that has `n` items.
pub(super) fn item_cost(section: Section, n: usize, text: &str) -> usize {
    let head = if n == 0 {
        4 + chars(section.title()) // "\n## " + title + "\n" (the newline counted below)
            + 1
    } else {
        0
    };
    head + 2 + chars(text) + 1
}

pub(super) fn header_for(facts: &Facts, title: Option<&str>) -> String {
    let mut h = String::from("# Handoff");
    if let Some(p) = facts
        .project_name
        .as_deref()
        .filter(|p| !p.trim().is_empty())
    {
        h.push_str(": ");
        h.push_str(&scan::clean_line(p));
        if let Some(n) = facts.session_number {
            h.push_str(&format!(" · after session {n}"));
        }
    } else if let Some(t) = title {
        h.push_str(": ");
        h.push_str(&cut(&scan::clean_line(t), 80));
    }
    h.push('\n');
    h
}

/// Splits recorded free text (objectives, notes…) into items.
pub(super) fn record_items(text: Option<&str>) -> Vec<String> {
    text.unwrap_or("")
        .lines()
        .map(scan::clean_line)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Whether `text` is a briefing this engine wrote: a `# Handoff` title and only our
/// section headings.
pub(super) fn parse_own(text: &str) -> Option<(String, Vec<(Section, String)>)> {
    let mut lines = text.lines();
    let first = lines.next()?;
    if !first.starts_with("# Handoff") {
        return None;
    }
    let mut items = Vec::new();
    let mut section = None;
    for l in lines {
        if l.is_empty() {
            continue;
        }
        if let Some(t) = l.strip_prefix("## ") {
            section = Some(Section::from_title(t)?);
        } else if let Some(item) = l.strip_prefix("- ") {
            items.push((section?, item.to_owned()));
        } else {
            return None;
        }
    }
    Some((format!("{first}\n"), items))
}

/// Re-selects the items of one of our own briefings (it is already sectioned).
pub(super) fn plan_from_markdown(
    header: String,
    items: Vec<(Section, String)>,
    budget: usize,
    all: bool,
) -> Plan {
    let n = items.len().max(1) as f64;
    let mut plan = Plan {
        header: cut(&header, budget / 4),
        ..Plan::default()
    };
    let mut used = chars(&plan.header);
    for (i, (s, text)) in items.into_iter().enumerate() {
        let list = plan.sections.entry(s).or_default();
        let cost = item_cost(s, list.len(), &text);
        if all || used + cost <= budget {
            used += cost;
            list.push(Item {
                text,
                pos: i as f64 / n,
                pinned: false,
            });
        }
    }
    plan
}
