//! Filling the budget: the session record, then units section by section, facts and latest lines.

use super::fact_list::{display_fact, fact_in, fact_label, list_weight, tokens};
use super::plan::{header_for, item_cost, record_items, Item, Plan};
use super::rank::rank_units;
use super::scan::{FactInfo, Scan, Unit};
use super::text::{chars, clauses, cut, similar, word_set, WordSet};
use super::{FactKind, Facts, Section};
use std::collections::{BTreeMap, BTreeSet};

/// Share of the budget the facts list reserves before the prose's second round.
const FACTS_SHARE: f64 = 0.6;

/// The most the facts list reserves before the prose has had its first say: at large
/// budgets the prose gets the rest.
const MAX_FACTS_RESERVE: usize = 4000;

/// How many commit ids the facts list names at most (the latest ones).
const MAX_COMMITS: usize = 6;

/// How many near-duplicates in a row a section's search passes before it stops.
const MAX_SKIPPED: usize = 200;

/// Characters kept for the closing "How to continue" line.
const CONTINUE_ROOM: usize = 110;

/// A plan being filled: what it has used in all and per section, and the units it took.
struct Builder<'a> {
    plan: Plan,
    budget: usize,
    used: usize,
    section_used: [usize; Section::COUNT],
    chosen_units: BTreeSet<usize>,
    chosen_sets: Vec<WordSet>,
    units: &'a [Unit],
    /// The word sets of whole units, made when first compared (a unit's words are the
    /// same in every section: a to-do box holds none).
    unit_sets: Vec<Option<WordSet>>,
    /// Every unit fits in half the budget: items are never cut.
    loose: bool,
}

impl Builder<'_> {
    fn len(&self, s: Section) -> usize {
        self.plan.sections.get(&s).map_or(0, Vec::len)
    }

    fn add(&mut self, s: Section, item: Item) {
        let cost = item_cost(s, self.len(s), &item.text);
        self.used += cost;
        self.section_used[s as usize] += cost;
        self.plan.sections.entry(s).or_default().push(item);
    }

    /// Adds up to `max_new` of the best remaining candidates of `s`, each at most `cap`
    /// characters, while the briefing stays within `global`. Returns how many were added.
    fn fill_units(
        &mut self,
        s: Section,
        global: usize,
        candidates: &[(usize, f64)],
        max_new: usize,
        cap: usize,
    ) -> usize {
        // when the whole log fits with room to spare, nothing is cut
        let cap = if self.loose {
            usize::MAX
        } else {
            s.item_cap().min(cap)
        };
        let mut added = 0;
        // (a long run of near-duplicates of what was taken ends the search: what
        // follows them scores lower still)
        let mut skipped = 0;
        for &(ui, _) in candidates {
            if added >= max_new || skipped >= MAX_SKIPPED {
                break;
            }
            if self.chosen_units.contains(&ui) {
                continue;
            }
            let overhead = item_cost(s, self.len(s), "");
            let room = global.min(self.budget).saturating_sub(self.used);
            if room < overhead + 30 {
                break;
            }
            let u = &self.units[ui];
            // (an open to-do item under the next steps says so by where it stands)
            let source = match s {
                Section::Next => u.text.strip_prefix("[ ] ").unwrap_or(&u.text),
                _ => &u.text,
            };
            let full = chars(source).min(cap);
            let allowed = cap.min(room - overhead);
            // a unit cut to a stub says little: leave it for a smaller one (but the
            // goal is cut rather than skipped)
            let text = if allowed < full
                && allowed * 10 < full * 7
                && (self.len(s) > 0 || s != Section::Goal)
            {
                // (or its opening clauses when they say something on their own)
                match clauses(source, allowed, 40) {
                    Some(t) => t,
                    None => continue,
                }
            } else {
                cut(source, allowed)
            };
            let set = if text.len() == source.len() {
                self.unit_sets[ui].get_or_insert_with(|| word_set(source))
            } else {
                &word_set(&text)
            };
            if self.chosen_sets.iter().any(|c| similar(c, set)) {
                skipped += 1;
                continue;
            }
            skipped = 0;
            let set = set.clone();
            self.chosen_units.insert(ui);
            self.chosen_sets.push(set);
            self.add(
                s,
                Item {
                    text,
                    pos: u.pos,
                    pinned: false,
                },
            );
            added += 1;
        }
        added
    }

    /// Lists the salient facts the briefing does not mention yet, the most valuable per
    /// character first; every kind of fact counts the same in total.
    fn fill_facts(&mut self, limit: usize, facts: &[FactInfo]) {
        let s = Section::Files;
        let rendered = self.plan.render();
        let words = tokens(&rendered);
        let mut kind_total: BTreeMap<FactKind, f64> = BTreeMap::new();
        for f in facts {
            *kind_total.entry(f.kind).or_default() += list_weight(f);
        }
        // commits: only the latest few say where things stand
        let mut commits: Vec<&FactInfo> = facts
            .iter()
            .filter(|f| f.kind == FactKind::Commit)
            .collect();
        commits.sort_by(|a, b| b.last.total_cmp(&a.last).then_with(|| a.text.cmp(&b.text)));
        let recent_commits: BTreeSet<&str> = commits
            .iter()
            .take(MAX_COMMITS)
            .map(|f| f.text.as_str())
            .collect();
        let mut ranked: Vec<(f64, &FactInfo, String)> = facts
            .iter()
            .filter(|f| f.kind != FactKind::Commit || recent_commits.contains(f.text.as_str()))
            .map(|f| {
                let shown = display_fact(f);
                let value = list_weight(f) / kind_total[&f.kind].max(1e-9);
                (value / (chars(&shown) + 2) as f64, f, shown)
            })
            .filter(|(_, f, _)| !fact_in(&rendered, &words, f))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
        let mut picked: BTreeMap<FactKind, Vec<String>> = BTreeMap::new();
        let mut extra = 0usize; // what the picked lists cost beyond the section so far
        let base_lines = self.len(s);
        let start_used = self.used;
        for (_, f, shown) in ranked {
            let list = picked.get(&f.kind);
            let add = match list {
                Some(l) if l.iter().any(|x| x == &shown) => continue,
                Some(_) => 2 + chars(&shown),
                None => {
                    let n_lines = base_lines + picked.len();
                    item_cost(s, n_lines, &format!("{}: ", fact_label(f.kind))) + chars(&shown)
                }
            };
            if self.section_used[s as usize] + extra + add > limit
                || start_used + extra + add > self.budget
            {
                continue;
            }
            extra += add;
            picked.entry(f.kind).or_default().push(shown);
        }
        for kind in [
            FactKind::Path,
            FactKind::Error,
            FactKind::Command,
            FactKind::Identifier,
            FactKind::Commit,
            FactKind::Url,
            FactKind::Version,
        ] {
            if let Some(list) = picked.remove(&kind) {
                let sep = if matches!(kind, FactKind::Command | FactKind::Error) {
                    "; "
                } else {
                    ", "
                };
                let text = format!("{}: {}", fact_label(kind), list.join(sep));
                self.add(
                    s,
                    Item {
                        text,
                        pos: 0.0,
                        pinned: false,
                    },
                );
            }
        }
    }

    /// What is still free: the latest lines of the log, verbatim.
    fn fill_tail(&mut self) {
        let mut tail: Vec<Item> = Vec::new();
        let mut tail_used = 0usize;
        let taken: BTreeSet<&str> = self
            .plan
            .sections
            .values()
            .flatten()
            .map(|i| i.text.as_str())
            .collect();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        for (ui, u) in self.units.iter().enumerate().rev() {
            if self.chosen_units.contains(&ui) || taken.contains(u.text.as_str()) {
                continue;
            }
            // a heading of a word or two says nothing without what stood under it (but
            // when the whole log fits, all of it is kept)
            if !self.loose && u.is_heading && u.text.split_whitespace().count() < 3 {
                continue;
            }
            if !seen.insert(u.text.as_str()) {
                continue;
            }
            let cost = item_cost(Section::Tail, tail.len(), &u.text);
            if self.used + tail_used + cost > self.budget {
                if self.budget.saturating_sub(self.used + tail_used) < 120 {
                    break;
                }
                continue;
            }
            tail_used += cost;
            tail.push(Item {
                text: u.text.clone(),
                pos: u.pos,
                pinned: false,
            });
        }
        self.used += tail_used;
        if !tail.is_empty() {
            self.plan.sections.insert(Section::Tail, tail);
        }
    }
}

/// The plan of a briefing of `scanned` and the session record within `budget` characters.
pub(super) fn build_plan(scanned: &Scan, facts: &Facts, budget: usize) -> Plan {
    // room for the closing "How to continue" line, kept out of the selection; a tight
    // budget gives it only what the selection leaves
    let continue_room = if budget >= 3_000 { CONTINUE_ROOM } else { 0 };
    let budget = budget - continue_room;
    let header = cut(&header_for(facts, scanned.title.as_deref()), budget / 4);
    let header_len = chars(&header);
    let body = budget.saturating_sub(header_len);
    let mut b = Builder {
        plan: Plan {
            header,
            ..Plan::default()
        },
        budget,
        used: header_len,
        section_used: [0; Section::COUNT],
        chosen_units: BTreeSet::new(),
        chosen_sets: Vec::new(),
        units: &scanned.units,
        unit_sets: vec![None; scanned.units.len()],
        loose: header_len
            + 300
            + scanned
                .units
                .iter()
                .map(|u| chars(&u.text) + 3)
                .sum::<usize>()
            <= budget / 2,
    };

    // the session record goes first
    let mut pinned: Vec<(Section, String)> = Vec::new();
    for (s, t) in [
        (Section::Goal, facts.objectives.as_deref()),
        (Section::Done, facts.accomplishments.as_deref()),
        (Section::Blockers, facts.blockers.as_deref()),
        (Section::Next, facts.notes.as_deref()),
    ] {
        for item in record_items(t) {
            pinned.push((s, item));
        }
    }
    if !facts.critical_files.is_empty() {
        pinned.push((
            Section::Files,
            format!("Critical: {}", facts.critical_files.join(", ")),
        ));
    }
    if let Some(repo) = &facts.repository {
        for item in repo.items() {
            pinned.push((Section::Repository, item));
        }
    }
    for (s, text) in pinned {
        let overhead = item_cost(s, b.len(s), "");
        let room = budget.saturating_sub(b.used);
        if room <= overhead + 20 {
            continue;
        }
        let text = cut(&text, (room - overhead).min(s.item_cap() * 2));
        b.chosen_sets.push(word_set(&text));
        b.add(
            s,
            Item {
                text,
                pos: 0.0,
                pinned: true,
            },
        );
    }

    let candidates = rank_units(&scanned.units, scanned.turns <= 1);
    let order = [
        Section::Goal,
        Section::State,
        Section::Next,
        Section::Blockers,
        Section::Constraints,
        Section::Decisions,
        Section::Done,
        Section::InProgress,
    ];
    // the facts list keeps its share of the budget until the prose has had a first say
    let reserve = ((FACTS_SHARE * body as f64) as usize).min(MAX_FACTS_RESERVE);
    let round_cap = (body / 8).max(100);
    // first round: the best unit of every section, short
    for s in order {
        let cap = match s {
            Section::Goal | Section::State => round_cap * 3 / 2,
            _ => round_cap,
        };
        b.fill_units(
            s,
            budget.saturating_sub(reserve),
            &candidates[s as usize],
            1,
            cap,
        );
    }
    // the facts the prose does not carry yet
    let limit = b.section_used[Section::Files as usize] + reserve;
    b.fill_facts(limit, &scanned.facts);
    // then one more unit per section and round while any fits
    loop {
        let mut added = 0;
        for s in order {
            added += b.fill_units(s, budget, &candidates[s as usize], 1, usize::MAX);
        }
        if added == 0 {
            break;
        }
    }
    b.fill_tail();
    let room = continue_room + budget.saturating_sub(b.used);
    let mut plan = b.plan;
    if let Some(line) = how_to_continue(&plan) {
        let overhead = item_cost(Section::Continue, 0, "");
        if room > overhead + 40 {
            let text = cut(&line, (room - overhead).min(Section::Continue.item_cap()));
            plan.sections
                .entry(Section::Continue)
                .or_default()
                .push(Item {
                    text,
                    pos: 1.0,
                    pinned: false,
                });
        }
    }
    plan
}

/// The closing line for the next assistant: the parts to read first and the next step
/// (the first one listed), or where to pick up when none is known.
fn how_to_continue(plan: &Plan) -> Option<String> {
    let has = |s: Section| plan.sections.get(&s).is_some_and(|v| !v.is_empty());
    let first: Vec<String> = [
        Section::Blockers,
        Section::InProgress,
        Section::State,
        Section::Files,
        Section::Repository,
    ]
    .into_iter()
    .filter(|s| has(*s))
    .take(2)
    .map(|s| s.title().to_string())
    .collect();
    if first.is_empty() && !has(Section::Next) {
        return None;
    }
    let next = plan.sections.get(&Section::Next).and_then(|items| {
        items
            .iter()
            .min_by(|a, b| b.pinned.cmp(&a.pinned).then(a.pos.total_cmp(&b.pos)))
            .map(|it| cut(it.text.trim_end_matches('.'), 70))
    });
    let read = if first.is_empty() {
        String::new()
    } else {
        format!("Read {} first; then ", first.join(", "))
    };
    let then = match next {
        Some(n) => format!("next: {n}."),
        None if has(Section::InProgress) => "pick up the last item in progress.".to_string(),
        None => "confirm the current state before changing anything.".to_string(),
    };
    let mut line = format!("{read}{then}");
    if let Some(c) = line.get(..1) {
        let upper = c.to_uppercase();
        line.replace_range(..1, &upper);
    }
    Some(line)
}
