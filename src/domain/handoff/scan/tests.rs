//! Tests of the scanner: facts, normalising, cleaning, roles and error lines.

use super::turns::normalize;
use super::*;

#[test]
fn finds_paths_commands_and_errors() {
    let log = "User: fix the build\n\nAssistant: I ran\n```bash\n$ cargo test --all\n```\n\
               ```text\nerror[E0308]: mismatched types in src/main.rs\n```\n\
               See https://example.com/docs. Edited src/lib.rs and Cargo.toml (v1.2.3), commit 9a6175d.";
    let s = scan(log);
    let has = |k: FactKind, t: &str| s.facts.iter().any(|f| f.kind == k && f.text == t);
    assert!(has(FactKind::Command, "cargo test --all"), "{:?}", s.facts);
    assert!(has(FactKind::Path, "src/main.rs"));
    assert!(has(FactKind::Path, "src/lib.rs"));
    assert!(has(FactKind::Path, "Cargo.toml"));
    assert!(has(FactKind::Url, "https://example.com/docs"));
    assert!(has(FactKind::Version, "1.2.3"));
    assert!(has(FactKind::Commit, "9a6175d"));
    assert!(s
        .facts
        .iter()
        .any(|f| f.kind == FactKind::Error && f.text.contains("mismatched types")));
}

#[test]
fn json_escaped_lines_are_split() {
    assert_eq!(normalize("a\\nb \\\"q\\\""), "a\nb \"q\"");
    assert_eq!(normalize("plain\r\nline"), "plain\nline");
}

#[test]
fn markdown_decoration_is_removed() {
    assert_eq!(clean_line("  - [ ] **Ship** it  "), "Ship it");
    assert_eq!(clean_line("### 2. Next steps"), "Next steps");
    assert_eq!(clean_line("> > quoted"), "quoted");
}

#[test]
fn turns_keep_roles() {
    let s = scan("User: please keep the API stable\nAssistant: Done, tests pass.\n");
    assert_eq!(s.turns, 2);
    assert_eq!(s.units[0].role, Role::User);
    assert_eq!(s.units[1].role, Role::Assistant);
}

#[test]
fn prose_about_errors_is_not_an_error_line() {
    assert!(!is_error_line(
        "add error handling to the parser",
        Kind::Prose
    ));
    assert!(is_error_line(
        "TypeError: x is undefined at foo",
        Kind::Prose
    ));
}

#[test]
fn banners_and_checked_items_are_not_error_lines() {
    assert!(is_error_line(
        "error[E0599]: no method named `render_pdf` found for struct `Invoice`",
        Kind::Output
    ));
    assert!(!is_error_line(
        "Error: ============================= test session starts ==============================",
        Kind::Output
    ));
    assert!(!is_error_line(
        "✅ Error handling - User-friendly messages on every failed request",
        Kind::Prose
    ));
}
