//! Tests of the scanner: facts, normalising, cleaning, roles and error lines.

use super::lines::is_search_hit;
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
    // a checkbox stays: it says whether the item is still to do
    assert_eq!(clean_line("  - [ ] **Ship** it  "), "[ ] Ship it");
    assert_eq!(clean_line("* [x] Shipped"), "[x] Shipped");
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
    assert!(!is_error_line(
        "[x] Error handling - User-friendly messages on every failed request",
        Kind::Prose
    ));
}

#[test]
fn search_results_and_the_agents_own_limits_are_not_errors() {
    let log = "User: Why does the thumbnail step fail?
        Assistant: Searching for the exception.
        | `file:///e%3A/app/lambda/handler.py` | L864 | `raise Exception(\"FFmpeg not found in Lambda environment\")` |
        | `src/worker.py` | L12-L14 | `except TimeoutError as err:` |
        Error: File content (56293 tokens) exceeds maximum allowed tokens (25000). Please use offset and limit parameters.
        [ERROR] Lambda thumbnail generation failed: Lambda returned status 500
";
    let s = scan(log);
    let errors: Vec<&str> = s
        .facts
        .iter()
        .filter(|f| f.kind == FactKind::Error)
        .map(|f| f.text.as_str())
        .collect();
    assert_eq!(
        errors,
        ["[ERROR] Lambda thumbnail generation failed: Lambda returned status 500"]
    );
    // the rows still tell where the code is
    assert!(s.facts.iter().any(|f| f.text.contains("worker.py")));
    assert!(!s
        .units
        .iter()
        .any(|u| u.text.contains("L864") || u.text.contains("tokens")));
    assert!(is_search_hit("| src/a.rs | L3 | fn main() {} |"));
    assert!(!is_search_hit("| Name | Value | Notes |"));
}

#[test]
fn a_diff_is_a_change_not_something_said() {
    let s = scan(
        "User: Update the changelog.
Assistant: Done.
```diff
+- 📝 Update README with the new CLI documentation
-- old line about the project
```
",
    );
    assert!(
        !s.units.iter().any(|u| u.text.contains("README")),
        "{:?}",
        s.units
    );
}

#[test]
fn source_lines_and_code_excerpts_are_not_error_lines() {
    for code in [
        "import { notUndefinedOrThrow } from './error.throw.ts';",
        "  } catch (error) { console.error(error) }",
        "21 │ \"noConstEnum\": \"error\",",
        "Test failed: 76 | });  expect(error).toBeUndefined() failed here",
        "← 286→- Clamp or return error for out-of-bounds results",
    ] {
        assert!(!is_error_line(code, Kind::Output), "{code}");
    }
    // the message a code excerpt belongs to is still an error, and so are the error a
    // program raises with its message and a failure whose output has a pipe in it
    assert!(is_error_line(
        "raise VersionError, \"File #{file} already exists. Use force: true to overwrite.\"",
        Kind::Output
    ));
    assert!(is_error_line(
        "src/CommandParser.ts(82,20): error TS2532: Object is possibly 'undefined'.",
        Kind::Output
    ));
    assert!(is_error_line(
        "error: process exited with code 1 | see the log above",
        Kind::Output
    ));
}
