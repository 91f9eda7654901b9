//! Capture throughput on a first scan of many synthetic Claude Code session files:
//! parsing alone (one core), end to end into a real SQLite file, peak memory, and a
//! re-scan when nothing changed. Prints figures; asserts nothing about time.
//!
//! `CAPTURE_BENCH_MB` (default 1024) and `CAPTURE_BENCH_FILES` (default 2000) set the size.

use paas::domain::capture::price::PriceTable;
use paas::domain::capture::{claude, Capture, Lines};
use paas::server::capture::{scan, Dirs};
use std::io::Write;
use std::time::Instant;

/// xorshift64*: a seeded, dependency-free random source.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: &[&str] = &[
    "the", "cart", "page", "test", "fails", "because", "timer", "waits", "refactor", "module",
    "cargo", "build", "error", "fixed", "handler", "session", "account", "credits", "deploy",
    "review", "query", "index", "cache", "latency", "render", "token", "budget", "handoff",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
    }
    s
}

/// One session file of about `target` bytes: prompts, streamed responses (one line per
/// block, usage repeated), tool calls and multi-kilobyte tool results.
fn write_session(path: &std::path::Path, n: usize, target: usize, rng: &mut Rng) -> usize {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut written = 0;
    let mut i = 0;
    let session = format!("sess-{n:05}");
    let cwd = format!("/home/dev/repo-{}", n % 40);
    while written < target {
        i += 1;
        let ts = format!(
            "2026-03-{:02}T{:02}:{:02}:{:02}.000Z",
            1 + n % 28,
            (i / 3600) % 24,
            (i / 60) % 60,
            i % 60
        );
        let words = 12 + rng.below(30) as usize;
        let prompt = sentence(rng, words);
        let user = format!(
            r#"{{"type":"user","sessionId":"{session}","uuid":"u{n}-{i}","timestamp":"{ts}","cwd":"{cwd}","gitBranch":"main","message":{{"role":"user","content":"{prompt}"}}}}"#
        );
        let msg = format!("msg-{n}-{i}");
        let usage = |out_tokens: u64| {
            format!(
                r#"{{"input_tokens":{},"output_tokens":{out_tokens},"cache_creation_input_tokens":{},"cache_read_input_tokens":{}}}"#,
                3 + i % 7,
                200 + i % 900,
                20_000 + i * 13 % 5000
            )
        };
        let words = 40 + rng.below(80) as usize;
        let text = sentence(rng, words);
        let a1 = format!(
            r#"{{"type":"assistant","sessionId":"{session}","uuid":"a{n}-{i}-1","requestId":"req-{n}-{i}","timestamp":"{ts}","cwd":"{cwd}","message":{{"id":"{msg}","model":"claude-sonnet-4-5-20250929","role":"assistant","content":[{{"type":"text","text":"{text}"}}],"usage":{}}}}}"#,
            usage(1)
        );
        let a2 = format!(
            r#"{{"type":"assistant","sessionId":"{session}","uuid":"a{n}-{i}-2","requestId":"req-{n}-{i}","timestamp":"{ts}","cwd":"{cwd}","message":{{"id":"{msg}","model":"claude-sonnet-4-5-20250929","role":"assistant","content":[{{"type":"tool_use","id":"t{n}-{i}","name":"Bash","input":{{"command":"cargo test --all"}}}}],"usage":{}}}}}"#,
            usage(50 + i as u64 % 400)
        );
        let words = 300 + rng.below(900) as usize;
        let result = sentence(rng, words);
        let r = format!(
            r#"{{"type":"user","sessionId":"{session}","uuid":"r{n}-{i}","timestamp":"{ts}","cwd":"{cwd}","message":{{"role":"user","content":[{{"type":"tool_result","tool_use_id":"t{n}-{i}","content":"{result}","is_error":false}}]}}}}"#
        );
        for line in [user, a1, a2, r] {
            out.write_all(line.as_bytes()).unwrap();
            out.write_all(b"\n").unwrap();
            written += line.len() + 1;
        }
    }
    out.flush().unwrap();
    written
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() {
    let mb: usize = std::env::var("CAPTURE_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let files: usize = std::env::var("CAPTURE_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let dir = tempfile::tempdir().unwrap();
    let claude_dir = dir.path().join(".claude");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let per_file = mb * 1024 * 1024 / files.max(1);
    let t = Instant::now();
    let mut total = 0usize;
    let mut paths = Vec::new();
    for n in 0..files {
        let project = claude_dir.join(format!("projects/-home-dev-repo-{}", n % 40));
        std::fs::create_dir_all(&project).unwrap();
        let path = project.join(format!("sess-{n:05}.jsonl"));
        total += write_session(&path, n, per_file, &mut rng);
        paths.push(path);
    }
    let total_mb = total as f64 / (1024.0 * 1024.0);
    println!(
        "capture bench: {files} files, {total_mb:.0} MB written in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // parsing alone, one core (files read ahead of the clock, one at a time)
    let mut parse_secs = 0.0;
    let mut calls = 0usize;
    let mut turns = 0usize;
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        let t = Instant::now();
        let mut c = Capture::default();
        let mut l = Lines::default();
        claude::feed(&mut c, &mut l, &bytes);
        parse_secs += t.elapsed().as_secs_f64();
        calls += c.usage.len();
        turns += c.turn_count();
    }
    println!(
        "parse only: {:.0} MB/s on one core ({total_mb:.0} MB in {parse_secs:.2} s; {calls} calls, {turns} turns)",
        total_mb / parse_secs
    );

    // end to end: scan into a real database file
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = paas::storage::open(&dir.path().join("bench.db").to_string_lossy())
            .await
            .unwrap();
        let dirs = Dirs {
            claude: vec![claude_dir.clone()],
            ..Default::default()
        };
        let prices = PriceTable::default();
        let t = Instant::now();
        let first = scan(&db, &dirs, &prices).await.unwrap();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "end to end: {:.0} MB/s ({total_mb:.0} MB in {secs:.1} s; {})",
            total_mb / secs,
            first.report.summary()
        );
        println!(
            "peak memory (resident, whole process): {:.0} MB",
            peak_rss_mb()
        );
        let t = Instant::now();
        let again = scan(&db, &dirs, &prices).await.unwrap();
        println!(
            "re-scan, nothing changed: {:.1} ms ({} files read)",
            t.elapsed().as_secs_f64() * 1000.0,
            again.report.files
        );
        db.close().await;
    });
}
