//! What model calls cost: a table of list prices shipped with the app (USD per million
//! tokens for input, output, cache writes and cache reads), overridable by a user file.
//! Costs are exact integers of millionths of a dollar. A model the table does not know is
//! reported as unknown, never priced as zero.

use super::Tokens;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// List prices in USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Price {
    pub input: f64,
    pub output: f64,
    #[serde(default)]
    pub cache_write: f64,
    #[serde(default)]
    pub cache_read: f64,
}

/// The shipped prices (per million tokens, USD), by model name prefix.
const SHIPPED: &[(&str, Price)] = &[
    // Anthropic
    ("claude-opus-4-6", p(5.0, 25.0, 6.25, 0.50)),
    ("claude-opus-4-5", p(5.0, 25.0, 6.25, 0.50)),
    ("claude-opus-4-1", p(15.0, 75.0, 18.75, 1.50)),
    ("claude-opus-4", p(15.0, 75.0, 18.75, 1.50)),
    ("claude-sonnet-4-5", p(3.0, 15.0, 3.75, 0.30)),
    ("claude-sonnet-4", p(3.0, 15.0, 3.75, 0.30)),
    ("claude-3-7-sonnet", p(3.0, 15.0, 3.75, 0.30)),
    ("claude-haiku-4-5", p(1.0, 5.0, 1.25, 0.10)),
    ("claude-3-5-haiku", p(0.80, 4.0, 1.0, 0.08)),
    // OpenAI (cached input is read at the cache price; there are no cache writes)
    ("gpt-5-mini", p(0.25, 2.0, 0.0, 0.025)),
    ("gpt-5-nano", p(0.05, 0.40, 0.0, 0.005)),
    ("gpt-5", p(1.25, 10.0, 0.0, 0.125)),
    ("gpt-4.1-mini", p(0.40, 1.60, 0.0, 0.10)),
    ("gpt-4.1", p(2.0, 8.0, 0.0, 0.50)),
    ("o3", p(2.0, 8.0, 0.0, 0.50)),
    ("o4-mini", p(1.10, 4.40, 0.0, 0.275)),
    // Google
    ("gemini-2.5-pro", p(1.25, 10.0, 0.0, 0.31)),
    ("gemini-2.5-flash-lite", p(0.10, 0.40, 0.0, 0.025)),
    ("gemini-2.5-flash", p(0.30, 2.50, 0.0, 0.075)),
];

const fn p(input: f64, output: f64, cache_write: f64, cache_read: f64) -> Price {
    Price {
        input,
        output,
        cache_write,
        cache_read,
    }
}

/// Prices by model name prefix; the longest matching prefix wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PriceTable {
    pub models: BTreeMap<String, Price>,
}

impl Default for PriceTable {
    fn default() -> Self {
        Self {
            models: SHIPPED.iter().map(|(m, p)| ((*m).to_owned(), *p)).collect(),
        }
    }
}

impl PriceTable {
    /// The shipped table with a user's prices (`{"model-prefix": {"input": …, …}}`) over it.
    pub fn with_overrides(json: &str) -> Result<Self, String> {
        let user: BTreeMap<String, Price> =
            serde_json::from_str(json).map_err(|e| format!("price file: {e}"))?;
        let mut table = Self::default();
        for (model, price) in user {
            let ok = [
                price.input,
                price.output,
                price.cache_write,
                price.cache_read,
            ]
            .iter()
            .all(|v| v.is_finite() && *v >= 0.0 && *v <= 10_000.0);
            if !ok {
                return Err(format!(
                    "price file: {model}: prices must be 0 to 10000 USD per million tokens"
                ));
            }
            table.models.insert(normalize(&model), price);
        }
        Ok(table)
    }

    /// The price of `model`, if the table knows it.
    pub fn price(&self, model: &str) -> Option<Price> {
        let m = normalize(model);
        self.models
            .iter()
            .filter(|(prefix, _)| m.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, p)| *p)
    }

    /// What `tokens` of `model` cost, in millionths of a dollar (None: unknown model).
    pub fn cost_micros(&self, model: &str, tokens: &Tokens) -> Option<u64> {
        let p = self.price(model)?;
        // price per million tokens × tokens = micro-dollars; summed exactly in f64 for
        // realistic counts, rounded once
        let micros = p.input * tokens.input as f64
            + p.output * tokens.output as f64
            + p.cache_write * tokens.cache_write as f64
            + p.cache_read * tokens.cache_read as f64;
        Some(micros.round().clamp(0.0, u64::MAX as f64) as u64)
    }
}

/// `anthropic/Claude-Opus-4-6` → `claude-opus-4-6`.
fn normalize(model: &str) -> String {
    let m = model.trim().to_ascii_lowercase();
    match m.rsplit_once('/') {
        Some((_, name)) => name.to_owned(),
        None => m,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_prices_and_unknown_models_are_unknown() {
        let t = PriceTable::default();
        assert_eq!(t.price("claude-opus-4-20250514").unwrap().input, 15.0);
        assert_eq!(t.price("claude-opus-4-6").unwrap().input, 5.0);
        assert_eq!(
            t.price("anthropic/claude-haiku-4-5-20251001")
                .unwrap()
                .output,
            5.0
        );
        assert_eq!(t.price("gpt-5-codex").unwrap().input, 1.25);
        assert_eq!(t.price("gpt-5-mini-2025").unwrap().input, 0.25);
        assert!(t.price("llama-3-70b").is_none());
        assert!(t.cost_micros("mystery-model", &Tokens::default()).is_none());
        // 1M input + 1M output of Sonnet 4.5: $3 + $15
        let tokens = Tokens {
            input: 1_000_000,
            output: 1_000_000,
            cache_write: 0,
            cache_read: 0,
        };
        assert_eq!(
            t.cost_micros("claude-sonnet-4-5", &tokens),
            Some(18_000_000)
        );
        let cached = Tokens {
            input: 0,
            output: 0,
            cache_write: 1000,
            cache_read: 10_000,
        };
        // 1000 × 3.75 + 10000 × 0.30 = 6750 micro-dollars
        assert_eq!(t.cost_micros("claude-sonnet-4-5", &cached), Some(6_750));
    }

    #[test]
    fn a_user_file_overrides_and_is_checked() {
        let t =
            PriceTable::with_overrides(r#"{"llama-3": {"input": 0.5, "output": 1.5}}"#).unwrap();
        assert_eq!(t.price("llama-3-70b").unwrap().output, 1.5);
        assert!(PriceTable::with_overrides(r#"{"x": {"input": -1, "output": 1}}"#).is_err());
        assert!(PriceTable::with_overrides("not json").is_err());
    }
}
