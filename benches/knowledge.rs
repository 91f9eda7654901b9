//! Knowledge search timings on a real SQLite file with 10,000 entries written from a
//! 3,000-word vocabulary with a Zipf distribution (as words in real text are): word
//! queries (stemmed), identifiers, error codes, error-string fragments (trigrams),
//! filters, the worst case (the most common word), suggestions.
//! Run: `make bench` (or `cargo bench --features ssr --bench knowledge`). Prints p50 and
//! p95 of 200 runs of each query.

use paas::domain::knowledge::{EntryInput, KnowledgeQuery};
use paas::domain::time::Timestamp;
use paas::service::knowledge as svc;
use std::time::{Duration, Instant};

const ENTRIES: usize = 10_000;
const VOCABULARY: usize = 3_000;

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

/// Pseudo-words from syllables: "tolana", "bexo", …
fn vocabulary() -> Vec<String> {
    const SYL: &[&str] = &[
        "ba", "be", "co", "da", "fe", "gi", "ka", "lo", "ma", "ne", "po", "ra", "si", "tu", "va",
        "xe", "zo", "qui", "ste", "pla", "tro", "mun", "dex", "rel", "sha",
    ];
    let mut rng = Rng(7);
    let mut out = std::collections::BTreeSet::new();
    while out.len() < VOCABULARY {
        let n = 2 + rng.below(2);
        let w: String = (0..n).map(|_| SYL[rng.below(SYL.len())]).collect();
        out.insert(w);
    }
    let mut v: Vec<String> = out.into_iter().collect();
    // shuffle so rank does not follow alphabetical order
    for i in (1..v.len()).rev() {
        let j = rng.below(i + 1);
        v.swap(i, j);
    }
    v
}

fn zipf_cdf(n: usize, s: f64) -> Vec<f64> {
    let weights: Vec<f64> = (1..=n).map(|k| 1.0 / (k as f64).powf(s)).collect();
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    weights
        .iter()
        .map(|w| {
            acc += w / total;
            acc
        })
        .collect()
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn entry(i: usize, vocab: &[String], cdf: &[f64], rng: &mut Rng) -> EntryInput {
    let mut words = |n: usize| -> String {
        (0..n)
            .map(|_| vocab[rng.zipf(cdf)].as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let title = words(5);
    let body = words(30);
    let tags = words(2).replace(' ', ",");
    EntryInput {
        category: Some(
            [
                "error_solution",
                "pattern",
                "tip",
                "best_practice",
                "optimization",
            ][i % 5]
                .into(),
        ),
        title: Some(format!("{title} ({i})")),
        description: Some(format!(
            "{body}. Failed with `E{:04}` in `module_{i}::handler_{}`; see src/{}/{}.rs:{} \
             (ERR_{}_{}).",
            i % 10_000,
            i % 97,
            vocab[i % 50],
            vocab[(i * 7) % 300],
            i % 500,
            vocab[i % 40].to_uppercase(),
            vocab[(i * 3) % 90].to_uppercase(),
        )),
        tags: Some(tags),
        source_session_id: None,
        version: None,
    }
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let now = Timestamp::parse("2026-03-01T00:00:00Z").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = paas::storage::open(&dir.path().join("kb.db").to_string_lossy())
            .await
            .unwrap();
        let vocab = vocabulary();
        let cdf = zipf_cdf(VOCABULARY, 1.0);
        let mut rng = Rng(42);
        let t = Instant::now();
        for i in 0..ENTRIES {
            svc::create(&db, &entry(i, &vocab, &cdf, &mut rng), now).await.unwrap();
        }
        println!(
            "{ENTRIES} entries ({VOCABULARY}-word Zipf vocabulary, 35 words each) created one by one: {:?}",
            t.elapsed()
        );

        // queries as people type them: words drawn like the text's own (common ones more
        // often, but not the corpus's 50 most common words: its stopwords, which nobody
        // searches for; the most common one is timed separately below), two-word queries,
        // identifiers, error codes and error-string fragments
        let mut qrng = Rng(99);
        let word = |r: &mut Rng| loop {
            let k = r.zipf(&cdf);
            if k >= 50 {
                break vocab[k].clone();
            }
        };
        let mut queries: Vec<(&str, String)> = Vec::new();
        for k in 0..400 {
            let q = match k % 8 {
                0..=2 => ("one word", word(&mut qrng)),
                3 | 4 => (
                    "two words",
                    format!("{} {}", word(&mut qrng), word(&mut qrng)),
                ),
                5 => ("identifier", format!("module_{}", qrng.below(ENTRIES))),
                6 => ("error code", format!("E{:04}", qrng.below(ENTRIES))),
                _ => (
                    "error-string fragment",
                    format!("ERR_{}", vocab[qrng.below(40)].to_uppercase()),
                ),
            };
            queries.push(q);
        }
        let mut all = Vec::new();
        let mut by_kind: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
        for (kind, q) in &queries {
            let query = KnowledgeQuery {
                q: Some(q.clone()),
                ..Default::default()
            };
            svc::search(&db, &query, 20).await.unwrap(); // warm
            let t = Instant::now();
            svc::search(&db, &query, 20).await.unwrap();
            let d = t.elapsed();
            all.push(d);
            by_kind.entry(kind).or_default().push(d);
        }
        println!(
            "search, 400 mixed queries (top 20, ranked and marked): p50 {:?}, p95 {:?}",
            percentile(&mut all, 0.5),
            percentile(&mut all, 0.95)
        );
        for (kind, mut v) in by_kind {
            println!(
                "  {kind}: p50 {:?}, p95 {:?}",
                percentile(&mut v, 0.5),
                percentile(&mut v, 0.95)
            );
        }

        let worst = &vocab[0];
        let cases: Vec<(String, KnowledgeQuery)> = vec![
            (
                format!("the most common word ({worst:?}, in most entries)"),
                KnowledgeQuery { q: Some(worst.clone()), ..Default::default() },
            ),
            (
                "FTS syntax (\"NEAR(a* -b\")".into(),
                KnowledgeQuery { q: Some("NEAR(a* -b".into()), ..Default::default() },
            ),
            (
                "word + category + tag".into(),
                KnowledgeQuery {
                    q: Some(vocab[3].clone()),
                    category: Some("tip".into()),
                    tag: Some(vocab[1].clone()),
                },
            ),
            (
                "no query, category filter".into(),
                KnowledgeQuery { q: None, category: Some("pattern".into()), tag: None },
            ),
        ];
        for (label, q) in &cases {
            let mut times = Vec::with_capacity(100);
            let mut found = 0;
            for _ in 0..100 {
                let t = Instant::now();
                found = svc::search(&db, q, 20).await.unwrap().len();
                times.push(t.elapsed());
            }
            println!(
                "search {label}: p50 {:?}, p95 {:?} ({found} shown)",
                percentile(&mut times, 0.5),
                percentile(&mut times, 0.95)
            );
        }
        let mut times = Vec::with_capacity(200);
        for _ in 0..200 {
            let t = Instant::now();
            svc::suggest(
                &db,
                "The deploy fails: connection pool timeout after the migration",
                3,
            )
            .await
            .unwrap();
            times.push(t.elapsed());
        }
        println!(
            "suggest from a session's text: p50 {:?}, p95 {:?}",
            percentile(&mut times, 0.5),
            percentile(&mut times, 0.95)
        );
    });
}
