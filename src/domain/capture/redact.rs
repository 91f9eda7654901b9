//! Secrets never reach the database: API keys of the major vendors, tokens, JWTs, private
//! keys and `.env`-style assignments in captured text are replaced by `[redacted: kind]`.
//! Patterns after gitleaks' and detect-secrets' rules; ordinary text is left alone.

use regex::Regex;
use std::sync::LazyLock;

/// `(kind, pattern)`; a pattern's group `keep` (if any) survives, the rest is replaced.
const PATTERNS: &[(&str, &str)] = &[
    (
        "private key",
        r"(?s)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----.*?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----",
    ),
    (
        "anthropic key",
        r"sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_\-]{80,120}",
    ),
    (
        "openai key",
        r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,200}",
    ),
    ("openai key", r"sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}"),
    (
        "github token",
        r"(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,100}",
    ),
    (
        "aws key",
        r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b",
    ),
    ("google key", r"AIza[0-9A-Za-z_\-]{35}"),
    ("slack token", r"xox[abposr]-(?:[0-9]+-)+[A-Za-z0-9-]+"),
    ("stripe key", r"\b[rs]k_live_[A-Za-z0-9]{20,}"),
    ("paas token", r"\bpaas_[A-Za-z0-9_\-]{40,}"),
    (
        "jwt",
        r"\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}",
    ),
    (
        "bearer token",
        r"(?i)(?P<keep>\bbearer\s+)[A-Za-z0-9._~+/=\-]{16,}",
    ),
    (
        "password in url",
        r"(?P<keep>\b[a-z][a-z0-9+.\-]*://[^\s:/@]+:)[^\s@/]{3,}@",
    ),
    // `.env` style: an upper-case name that says what it holds
    (
        "secret",
        r#"(?m)(?P<keep>\b[A-Z0-9_]*(?:API_?KEY|SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE_KEY|ACCESS_KEY)[A-Z0-9_]*\s*[=:]\s*["']?)[^\s"']{4,}"#,
    ),
    // JSON or YAML: a quoted value under such a key
    (
        "secret",
        r#"(?i)(?P<keep>["']?\b[a-z0-9_]*(?:api_?key|secret|token|password|passwd)["']?\s*[:=]\s*["'])[^"'\s]{8,}"#,
    ),
];

/// Text every match of the pattern of the same index contains (compared ignoring ASCII
/// case): a text holding none of a pattern's words cannot match it, so most text is
/// looked at once, by one automaton, instead of by every pattern.
const MUST_CONTAIN: &[&[&str]] = &[
    &["private key"],
    &["sk-ant-"],
    &["sk-"],
    &["sk-"],
    &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
    &["a3t", "akia", "asia", "abia", "acca"],
    &["aiza"],
    &["xox"],
    &["k_live_"],
    &["paas_"],
    &["eyj"],
    &["bearer"],
    &["://"],
    &["key", "secret", "token", "password", "passwd"],
    &["key", "secret", "token", "password", "passwd"],
];

static COMPILED: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    PATTERNS
        .iter()
        .filter_map(|(kind, p)| Regex::new(p).ok().map(|r| (*kind, r)))
        .collect()
});

/// The automaton over every pattern's words, and for each word the patterns it stands for.
static WORDS: LazyLock<(aho_corasick::AhoCorasick, Vec<Vec<usize>>)> = LazyLock::new(|| {
    let mut words: Vec<&str> = Vec::new();
    let mut patterns: Vec<Vec<usize>> = Vec::new();
    for (i, list) in MUST_CONTAIN.iter().enumerate() {
        for w in *list {
            match words.iter().position(|x| x == w) {
                Some(at) => patterns[at].push(i),
                None => {
                    words.push(w);
                    patterns.push(vec![i]);
                }
            }
        }
    }
    let ac = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&words)
        .expect("the redaction words build an automaton");
    (ac, patterns)
});

/// `text` with every secret replaced by `[redacted: kind]`.
pub fn redact(text: &str) -> String {
    let (ac, patterns) = &*WORDS;
    let mut candidates = [false; 32];
    let mut any = false;
    for m in ac.find_overlapping_iter(text) {
        for &p in &patterns[m.pattern().as_usize()] {
            candidates[p] = true;
            any = true;
        }
    }
    if !any {
        return text.to_owned();
    }
    let mut out = text.to_owned();
    for (i, (kind, re)) in COMPILED.iter().enumerate() {
        if !candidates[i] || !re.is_match(&out) {
            continue;
        }
        out = re
            .replace_all(&out, |c: &regex::Captures| {
                let keep = c.name("keep").map_or("", |m| m.as_str());
                if c.get(0).is_some_and(|m| m.as_str().contains("[redacted")) {
                    return c[0].to_owned();
                }
                format!("{keep}[redacted: {kind}]")
            })
            .into_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        assert_eq!(COMPILED.len(), PATTERNS.len());
        assert_eq!(MUST_CONTAIN.len(), PATTERNS.len());
        assert!(PATTERNS.len() <= 32);
    }

    #[test]
    fn secrets_are_removed_ordinary_text_stays() {
        let ant = format!("sk-ant-api03-{}AA", "a1B2".repeat(23) + "x");
        let oai = format!("sk-proj-{}", "Ab9_".repeat(20));
        let secrets = [
            ant.as_str(),
            oai.as_str(),
            "sk-abcdefghijklmnopqrstT3BlbkFJabcdefghijklmnopqrst",
            "ghp_0123456789abcdefghijABCDEFGHIJ012345",
            "AKIAIOSFODNN7EXAMPLE",
            "AIzaSyA-1234567890abcdefghijklmnopqrstu",
            "xoxb-1234567890-1234567890123-abcdefABCDEF",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "paas_Q2hhbmdlIG1lIHBsZWFzZSB0aGlzIGlzIGEgdGVzdCB0b2tlbg",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----",
        ];
        for s in secrets {
            let text = format!("before {s} after");
            let out = redact(&text);
            assert!(!out.contains(s), "{s} survived: {out}");
            assert!(
                out.starts_with("before ") && out.ends_with(" after"),
                "{out}"
            );
            assert!(out.contains("[redacted: "), "{out}");
        }
        let env = "DATABASE_PASSWORD=hunter2hunter2\nOPENAI_API_KEY=\"abc123def456\"\nPORT=8080";
        let out = redact(env);
        assert!(
            !out.contains("hunter2") && !out.contains("abc123def456"),
            "{out}"
        );
        assert!(
            out.contains("DATABASE_PASSWORD=[redacted: secret]"),
            "{out}"
        );
        assert!(out.contains("PORT=8080"));
        let header = redact("curl -H 'Authorization: Bearer abcdefghijklmnopqrstuvwx'");
        assert!(
            header.contains("Bearer [redacted: bearer token]"),
            "{header}"
        );
        let json = redact(r#"{"api_key": "abcd1234efgh5678", "name": "shop"}"#);
        assert!(
            !json.contains("abcd1234efgh5678") && json.contains("shop"),
            "{json}"
        );
        let url = redact("postgres://app:s3cretpass@db:5432/app");
        assert!(
            !url.contains("s3cretpass") && url.contains("postgres://app:"),
            "{url}"
        );
        for ordinary in [
            "The token count grew to 1,200; the password form has a field.",
            "fn secret_hash(secret: &str) -> String",
            "Use `export PATH=$HOME/bin:$PATH` and run cargo test",
            "commit 4f9c2a1b7d3e, branch main, see https://example.com/docs",
        ] {
            assert_eq!(redact(ordinary), ordinary);
        }
    }
}
