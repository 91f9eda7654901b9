//! What git says about a repository, for the briefing's Repository part: branch, HEAD, the
//! last five commit subjects, uncommitted and untracked files. Read with the `git` command
//! under a time limit; a missing git, a directory that is not a repository or a slow
//! answer give nothing, never an error.

use crate::domain::handoff::RepoState;
use std::time::Duration;

/// The most all of git's answers may take together.
pub const LIMIT: Duration = Duration::from_secs(2);

async fn git(root: &str, args: &[&str]) -> Option<String> {
    let mut cmd = tokio::process::Command::new("git");
    cmd.arg("-C")
        .arg(root)
        .args(args)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("LC_ALL", "C")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    let out = cmd.output().await.ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The state of the repository at `root` (None when git cannot tell in time).
pub async fn state(root: &str) -> Option<RepoState> {
    if root.trim().is_empty() || !std::path::Path::new(root).is_dir() {
        return None;
    }
    tokio::time::timeout(LIMIT, async {
        let branch = git(root, &["rev-parse", "--abbrev-ref", "HEAD"]).await?;
        let head = git(root, &["rev-parse", "--short=8", "HEAD"]).await;
        let log = git(root, &["log", "-5", "--format=%s"])
            .await
            .unwrap_or_default();
        let status = git(
            root,
            &["status", "--porcelain=v1", "-z", "--untracked-files=normal"],
        )
        .await
        .unwrap_or_default();
        let (changed, untracked) = parse_status(&status);
        let branch = branch.trim();
        Some(RepoState {
            branch: (!branch.is_empty() && branch != "HEAD").then(|| branch.to_owned()),
            head: head.map(|h| h.trim().to_owned()).filter(|h| !h.is_empty()),
            commits: log
                .lines()
                .map(|l| crate::domain::capture::truncate(l, 100))
                .filter(|l| !l.is_empty())
                .collect(),
            changed,
            untracked,
        })
    })
    .await
    .ok()
    .flatten()
}

/// `(changed, untracked)` paths from `git status --porcelain=v1 -z`.
fn parse_status(out: &str) -> (Vec<String>, Vec<String>) {
    let (mut changed, mut untracked) = (Vec::new(), Vec::new());
    let mut parts = out.split('\0').filter(|p| !p.is_empty());
    while let Some(entry) = parts.next() {
        let (code, path) = (entry.get(..2).unwrap_or(""), entry.get(3..).unwrap_or(""));
        if code == "??" {
            untracked.push(path.to_owned());
        } else if code != "!!" {
            changed.push(path.to_owned());
            // a rename or copy names its source next
            if code.contains('R') || code.contains('C') {
                parts.next();
            }
        }
    }
    (changed, untracked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_become_changed_and_untracked() {
        let out = " M src/a.rs\0R  new.rs\0old.rs\0?? notes.txt\0A  b.rs\0";
        let (c, u) = parse_status(out);
        assert_eq!(c, vec!["src/a.rs", "new.rs", "b.rs"]);
        assert_eq!(u, vec!["notes.txt"]);
    }

    #[tokio::test]
    async fn not_a_repository_gives_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(state(&dir.path().to_string_lossy()).await, None);
        assert_eq!(state("/no/such/dir").await, None);
    }
}
