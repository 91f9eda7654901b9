//! The capture parsers on real Claude Code transcripts and Codex rollouts (the DEV logs in
//! `../shared/bench/handoff-dev2/`): usage totals equal a reference computed here
//! independently from the raw JSON (tokens exactly, cost to the cent from the price table).

use paas::domain::capture::{claude, codex, price::PriceTable, Capture, Lines, Tokens};
use serde_json::Value;
use std::collections::HashMap;

const DIR: &str = "../shared/bench/handoff-dev2";

fn read(name: &str) -> Option<Vec<u8>> {
    std::fs::read(format!("{DIR}/{name}")).ok()
}

fn lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Claude: one row per (message.id, requestId), the copy with the largest total.
fn claude_reference(bytes: &[u8]) -> (Tokens, f64) {
    let mut best: HashMap<String, (u64, Tokens, String)> = HashMap::new();
    for v in lines(bytes) {
        if v["type"] != "assistant" {
            continue;
        }
        let model = v["message"]["model"].as_str().unwrap_or("");
        let u = &v["message"]["usage"];
        if model == "<synthetic>" || model.is_empty() || !u.is_object() {
            continue;
        }
        let n = |k: &str| u[k].as_u64().unwrap_or(0);
        let t = Tokens {
            input: n("input_tokens"),
            output: n("output_tokens"),
            cache_write: n("cache_creation_input_tokens"),
            cache_read: n("cache_read_input_tokens"),
        };
        let key = format!(
            "{}:{}",
            v["message"]["id"].as_str().unwrap_or(""),
            v["requestId"].as_str().unwrap_or("")
        );
        let total = t.input + t.output + t.cache_write + t.cache_read;
        let e = best
            .entry(key)
            .or_insert((0, Tokens::default(), String::new()));
        if total > e.0 || e.2.is_empty() {
            *e = (total, t, model.to_owned());
        }
    }
    let prices = PriceTable::default();
    let (mut sum, mut usd) = (Tokens::default(), 0.0);
    for (_, t, model) in best.values() {
        sum.add(t);
        let p = prices.price(model).expect("a priced model");
        usd += (t.input as f64 * p.input
            + t.output as f64 * p.output
            + t.cache_write as f64 * p.cache_write
            + t.cache_read as f64 * p.cache_read)
            / 1e6;
    }
    (sum, usd)
}

/// Codex: the change of the cumulative totals, unchanged re-emissions skipped.
fn codex_reference(bytes: &[u8]) -> (Tokens, f64) {
    let mut last: Option<(u64, u64, u64)> = None;
    let mut sum = Tokens::default();
    for v in lines(bytes) {
        let info = &v["payload"]["info"];
        if v["payload"]["type"] != "token_count" || !info.is_object() {
            continue;
        }
        let t = &info["total_token_usage"];
        let now = (
            t["input_tokens"].as_u64().unwrap_or(0),
            t["cached_input_tokens"].as_u64().unwrap_or(0),
            t["output_tokens"].as_u64().unwrap_or(0),
        );
        let d = match last {
            Some(l) if l == now => continue,
            Some(l) if now.0 >= l.0 && now.1 >= l.1 && now.2 >= l.2 => {
                (now.0 - l.0, now.1 - l.1, now.2 - l.2)
            }
            Some(_) => {
                let lt = &info["last_token_usage"];
                (
                    lt["input_tokens"].as_u64().unwrap_or(0),
                    lt["cached_input_tokens"].as_u64().unwrap_or(0),
                    lt["output_tokens"].as_u64().unwrap_or(0),
                )
            }
            None => now,
        };
        last = Some(now);
        sum.input += d.0 - d.1;
        sum.cache_read += d.1;
        sum.output += d.2;
    }
    // the logs name no model: priced as Codex's default, gpt-5
    let usd =
        (sum.input as f64 * 1.25 + sum.cache_read as f64 * 0.125 + sum.output as f64 * 10.0) / 1e6;
    (sum, usd)
}

fn cost_usd(c: &Capture) -> f64 {
    let prices = PriceTable::default();
    c.usage
        .values()
        .map(|u| prices.cost_micros(&u.model, &u.tokens).expect("priced") as f64 / 1e6)
        .sum()
}

#[test]
fn claude_code_transcripts_match_the_reference() {
    let mut checked = 0;
    for name in [
        "dev11-claude-code-jsonl-chkit.jsonl",
        "dev12-claude-code-jsonl-claude-reliability.jsonl",
        "dev13-claude-code-jsonl-medgemma-hackathon.jsonl",
    ] {
        let Some(bytes) = read(name) else { continue };
        let mut c = Capture::default();
        let mut l = Lines::default();
        claude::feed(&mut c, &mut l, &bytes);
        let (want, usd) = claude_reference(&bytes);
        assert_eq!(c.tokens(), want, "{name}");
        assert!(
            (cost_usd(&c) - usd).abs() < 0.005,
            "{name}: {} vs {usd}",
            cost_usd(&c)
        );
        assert!(c.turn_count() > 10, "{name}: {} turns", c.turn_count());
        assert!(c.sessions.values().all(|s| s.started_at.is_some()));
        println!(
            "{name}: {} sessions, {} turns, {} calls, {:?}, ${:.4}",
            c.sessions.len(),
            c.turn_count(),
            c.usage.len(),
            c.tokens(),
            cost_usd(&c)
        );
        checked += 1;
    }
    assert!(
        checked == 3 || std::env::var("CI_NO_SHARED").is_ok(),
        "the DEV logs are beside the repository"
    );
}

#[test]
fn codex_rollouts_match_the_reference() {
    let mut checked = 0;
    for name in [
        "dev14-codex-jsonl-codex_log_viewer.jsonl",
        "dev15-codex-jsonl-codex_log_viewer-2.jsonl",
    ] {
        let Some(bytes) = read(name) else { continue };
        let mut c = Capture::default();
        let mut f = codex::CodexFile::new(name);
        codex::feed(&mut c, &mut f, &bytes);
        let (want, usd) = codex_reference(&bytes);
        assert_eq!(c.tokens(), want, "{name}");
        assert!(
            (cost_usd(&c) - usd).abs() < 0.005,
            "{name}: {} vs {usd}",
            cost_usd(&c)
        );
        assert!(c.turn_count() > 5, "{name}: {} turns", c.turn_count());
        // no JSON envelope becomes a turn (people may paste JSON into a prompt, though)
        for s in c.sessions.values() {
            for t in &s.turns {
                let start = t.text.trim_start();
                assert!(
                    !start.starts_with("{\"timestamp\"") && !start.starts_with("{\"type\""),
                    "{}",
                    t.text
                );
            }
        }
        println!(
            "{name}: {} sessions, {} turns, {} calls, {:?}, ${:.4}",
            c.sessions.len(),
            c.turn_count(),
            c.usage.len(),
            c.tokens(),
            cost_usd(&c)
        );
        checked += 1;
    }
    assert!(
        checked == 2 || std::env::var("CI_NO_SHARED").is_ok(),
        "the DEV logs are beside the repository"
    );
}
