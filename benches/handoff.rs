//! Handoff engine throughput on a 1 MB session log (one core).
//! Run: `make bench` (or `cargo bench --bench handoff`). Criterion prints the time per
//! compression and the throughput in MB/s. With `../shared/bench/handoff-dev` beside the
//! project, its real logs are compressed too (read at run time, never copied).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use paas::domain::handoff::{compress, Facts, Level};
use std::hint::black_box;

/// A deterministic 1 MB log: user requests, assistant answers with code, commands,
/// tool output with errors, repeated boilerplate.
fn synthetic_log(bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 4096);
    let mut i = 0usize;
    while out.len() < bytes {
        let m = i % 97;
        out.push_str(&format!(
            "### User\n\nPlease make the parser in src/parser/mod_{m}.rs handle nested blocks; \
             never change the public API and keep tests green (step {i}).\n\n\
             ### Assistant\n\nI looked at `parse_block_{m}` and `TokenStream::next_token` in \
             src/parser/mod_{m}.rs. I'll use a stack instead of recursion because deep inputs \
             overflow.\n\n```rust\nfn parse_block_{m}(ts: &mut TokenStream) -> Result<Block, ParseError> {{\n    \
             let mut stack = Vec::new();\n    while let Some(t) = ts.next_token()? {{ stack.push(t); }}\n    \
             Ok(Block::from(stack))\n}}\n```\n\n```bash\ncargo test -p parser --test nested_{m}\n```\n\n\
             ```text\nerror[E0308]: mismatched types in src/parser/mod_{m}.rs:{}:9\ntest nested_{m} ... FAILED\n```\n\n\
             ✅ Fixed the type error; committed as {:07x}. Next: run the fuzzer on v1.{}.{} and update README.md.\n\n",
            40 + m,
            0x1a2b3c4 + i * 7919,
            i % 9,
            i % 13
        ));
        i += 1;
    }
    out
}

/// The same kind of session as raw Claude Code JSONL (envelopes, tool calls, results),
/// about `bytes` long.
fn synthetic_jsonl(bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 4096);
    let mut i = 0usize;
    while out.len() < bytes {
        let m = i % 97;
        let line = |kind: &str, uuid: String, message: serde_json::Value| {
            serde_json::json!({
                "parentUuid": format!("p{i}"), "isSidechain": false, "userType": "external",
                "cwd": "/work/parser", "sessionId": "s1", "version": "2.0.1", "gitBranch": "main",
                "type": kind, "uuid": uuid, "timestamp": format!("2026-03-01T10:{:02}:{:02}.000Z", (i / 60) % 60, i % 60),
                "message": message,
            })
            .to_string()
        };
        for l in [
            line(
                "user",
                format!("u{i}"),
                serde_json::json!({"role": "user", "content":
                format!("Please make the parser in src/parser/mod_{m}.rs handle nested blocks; never change the public API (step {i}).")}),
            ),
            line(
                "assistant",
                format!("a{i}"),
                serde_json::json!({"id": format!("m{i}"), "model": "claude-sonnet-4-5", "role": "assistant",
                "content": [{"type": "thinking", "thinking": "Considering a stack instead of recursion."},
                            {"type": "text", "text": format!("I'll use a stack in `parse_block_{m}` because deep inputs overflow.")},
                            {"type": "tool_use", "id": format!("toolu_{i}"), "name": "Bash", "input": {"command": format!("cargo test -p parser --test nested_{m}")}}],
                "usage": {"input_tokens": 10, "output_tokens": 50, "cache_read_input_tokens": 9000}}),
            ),
            line(
                "user",
                format!("r{i}"),
                serde_json::json!({"role": "user", "content": [{"type": "tool_result", "tool_use_id": format!("toolu_{i}"),
                "content": format!("error[E0308]: mismatched types in src/parser/mod_{m}.rs:{}:9\ntest nested_{m} ... FAILED", 40 + m)}]}),
            ),
        ] {
            out.push_str(&l);
            out.push('\n');
        }
        i += 1;
    }
    out
}

fn dev_logs() -> Vec<(String, String)> {
    let dir = std::path::Path::new("../shared/bench/handoff-dev");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some((p.file_name()?.to_string_lossy().into_owned(), text))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let log = synthetic_log(1024 * 1024);
    let facts = Facts::default();
    let mut g = c.benchmark_group("handoff");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(log.len() as u64));
    for level in [Level::High, Level::Medium] {
        let budget = level.budget(log.chars().count());
        g.bench_with_input(
            BenchmarkId::new("synthetic_1MB", level.as_str()),
            &log,
            |b, log| b.iter(|| compress(black_box(log), &facts, budget).unwrap()),
        );
    }
    let jsonl = synthetic_jsonl(1024 * 1024);
    g.throughput(Throughput::Bytes(jsonl.len() as u64));
    let budget = Level::High.budget(jsonl.chars().count());
    g.bench_with_input(
        BenchmarkId::new("raw_claude_jsonl_1MB", "high"),
        &jsonl,
        |b, log| b.iter(|| compress(black_box(log), &facts, budget).unwrap()),
    );
    let dev = dev_logs();
    if !dev.is_empty() {
        let all: String = dev
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join("\n\n");
        g.throughput(Throughput::Bytes(all.len() as u64));
        let budget = Level::High.budget(all.chars().count());
        g.bench_with_input(
            BenchmarkId::new("dev_set_joined", "high"),
            &all,
            |b, log| b.iter(|| compress(black_box(log), &facts, budget).unwrap()),
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
