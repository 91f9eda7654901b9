//! Whole-database backups: file names that sort by time, and which old ones to prune.

use crate::domain::time::Timestamp;

const PREFIX: &str = "paas-";
const SUFFIX: &str = ".db";

/// `paas-20261122T093000Z.db`: the name of a scheduled backup taken at `at`.
pub fn file_name(at: Timestamp) -> String {
    let d = at.civil();
    format!(
        "{PREFIX}{:04}{:02}{:02}T{:02}{:02}{:02}Z{SUFFIX}",
        d.year(),
        d.month(),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// The time in a scheduled backup's name; `None` for any other file.
pub fn taken_at(name: &str) -> Option<Timestamp> {
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let b = stamp.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<&str> {
        let s = stamp.get(r)?;
        s.bytes().all(|c| c.is_ascii_digit()).then_some(s)
    };
    let text = format!(
        "{}-{}-{}T{}:{}:{}Z",
        digits(0..4)?,
        digits(4..6)?,
        digits(6..8)?,
        digits(9..11)?,
        digits(11..13)?,
        digits(13..15)?
    );
    Timestamp::parse(&text)
}

/// The scheduled backups to delete so that the newest `keep` remain. Files whose names are
/// not scheduled-backup names are never chosen.
pub fn to_prune(names: &[String], keep: usize) -> Vec<String> {
    let mut dated: Vec<(Timestamp, &String)> = names
        .iter()
        .filter_map(|n| taken_at(n).map(|t| (t, n)))
        .collect();
    dated.sort_by(|a, b| b.cmp(a));
    dated
        .into_iter()
        .skip(keep)
        .map(|(_, n)| n.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn names_carry_their_time() {
        let at = t("2026-11-22T09:30:05Z");
        assert_eq!(file_name(at), "paas-20261122T093005Z.db");
        assert_eq!(taken_at(&file_name(at)), Some(at));
        for other in [
            "paas.db",
            "paas-20261122T093005Z.db-wal",
            "paas-2026112xT093005Z.db",
            "paas-20261322T093005Z.db",
            "notes-20261122T093005Z.db",
            "paas-20261122T093005Z.db.partial",
        ] {
            assert_eq!(taken_at(other), None, "{other}");
        }
    }

    #[test]
    fn pruning_keeps_the_newest_and_ignores_other_files() {
        let names: Vec<String> = [
            "paas-20261120T000000Z.db",
            "paas-20261122T000000Z.db",
            "readme.txt",
            "paas-20261121T000000Z.db",
            "paas-20261119T000000Z.db",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            to_prune(&names, 2),
            vec!["paas-20261120T000000Z.db", "paas-20261119T000000Z.db"]
        );
        assert!(to_prune(&names, 4).is_empty());
        assert_eq!(to_prune(&names, 0).len(), 4);
    }
}
