//! The layers' rules, checked over the source: SQL only in `storage/`, no `AppError` in
//! `domain/` or `storage/`, and no file in `src/` over 800 lines.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources() -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    assert!(files.len() > 100, "found only {} files", files.len());
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p.to_string_lossy().replace('\\', "/"), text)
        })
        .collect()
}

#[test]
fn sql_is_spoken_only_in_storage() {
    let sql = ["sqlx::query", "query_as(", "query_scalar(", "QueryBuilder"];
    let offenders: Vec<String> = sources()
        .into_iter()
        .filter(|(path, _)| !path.starts_with("src/storage/"))
        .filter(|(_, text)| sql.iter().any(|s| text.contains(s)))
        .map(|(path, _)| path)
        .collect();
    assert!(offenders.is_empty(), "SQL outside storage/: {offenders:?}");
}

#[test]
fn domain_and_storage_know_nothing_of_http_errors() {
    let offenders: Vec<String> = sources()
        .into_iter()
        .filter(|(path, _)| path.starts_with("src/domain/") || path.starts_with("src/storage/"))
        .filter(|(_, text)| text.contains("AppError"))
        .map(|(path, _)| path)
        .collect();
    assert!(
        offenders.is_empty(),
        "AppError in domain/ or storage/: {offenders:?}"
    );
}

#[test]
fn no_source_file_is_over_800_lines() {
    let long: Vec<String> = sources()
        .into_iter()
        .filter(|(_, text)| text.lines().count() > 800)
        .map(|(path, text)| format!("{path}: {}", text.lines().count()))
        .collect();
    assert!(long.is_empty(), "over 800 lines: {long:?}");
}
