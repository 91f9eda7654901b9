//! The capture scanner: finds the AI tools' logs on this machine, reads each file from
//! where the last scan stopped, parses it (`domain::capture`) and records the result
//! (`service::capture`). `paas capture` runs it once; `--watch` runs it again whenever a
//! file grew. Nothing read here is sent anywhere but the local database.

use crate::domain::capture::price::PriceTable;
use crate::domain::capture::{claude, codex, Lines, Tool};
use crate::service::capture::{self as svc, Batch, FileState, Report};
use crate::storage::Db;
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Where to look.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dirs {
    pub claude: Vec<PathBuf>,
    pub codex: Vec<PathBuf>,
}

impl Dirs {
    /// The directories given to `serve --capture-dir`: `claude=DIR`, `codex=DIR`, or a
    /// directory told apart by what it holds (`projects/`, `sessions/`) or its name.
    pub fn from_specs(specs: &[String]) -> Result<Self, String> {
        let mut dirs = Dirs::default();
        for spec in specs.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            let (kind, path) = match spec.split_once('=') {
                Some((k, p)) => (Some(k.trim().to_ascii_lowercase()), PathBuf::from(p.trim())),
                None => (None, PathBuf::from(spec)),
            };
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            let kind = kind.unwrap_or_else(|| {
                if path.join("projects").is_dir() || name.contains("claude") {
                    "claude".into()
                } else if path.join("sessions").is_dir() || name.contains("codex") {
                    "codex".into()
                } else {
                    String::new()
                }
            });
            match kind.as_str() {
                "claude" => dirs.claude.push(path),
                "codex" => dirs.codex.push(path),
                "" => {
                    return Err(format!(
                        "--capture-dir {spec}: not a Claude Code or Codex CLI directory \
                         (name it as claude=DIR or codex=DIR)"
                    ))
                }
                other => {
                    return Err(format!(
                        "--capture-dir {spec}: {other:?} is not one of claude, codex"
                    ))
                }
            }
        }
        Ok(dirs)
    }

    pub fn is_empty(&self) -> bool {
        self.claude.is_empty() && self.codex.is_empty()
    }

    /// Every directory, for the file watcher.
    pub fn all(&self) -> Vec<PathBuf> {
        self.claude.iter().chain(&self.codex).cloned().collect()
    }

    /// The tools' standard places: `$CLAUDE_CONFIG_DIR` (comma-separated) or `~/.claude`
    /// and `~/.config/claude`; `$CODEX_HOME` or `~/.codex`. Only those that exist.
    pub fn standard() -> Self {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let claude: Vec<PathBuf> = match std::env::var("CLAUDE_CONFIG_DIR") {
            Ok(v) if !v.trim().is_empty() => {
                v.split(',').map(|s| PathBuf::from(s.trim())).collect()
            }
            _ => home
                .iter()
                .flat_map(|h| [h.join(".claude"), h.join(".config/claude")])
                .collect(),
        };
        let codex = match std::env::var("CODEX_HOME") {
            Ok(v) if !v.trim().is_empty() => vec![PathBuf::from(v)],
            _ => home.iter().map(|h| h.join(".codex")).collect(),
        };
        Self {
            claude: claude.into_iter().filter(|d| d.is_dir()).collect(),
            codex: codex.into_iter().filter(|d| d.is_dir()).collect(),
        }
    }
}

/// Every `*.jsonl` under `dir`, sorted (at most 64 levels deep).
fn jsonl_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0)];
    while let Some((d, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() && depth < 64 => stack.push((p, depth + 1)),
                Ok(t) if t.is_file() && p.extension().is_some_and(|x| x == "jsonl") => out.push(p),
                _ => {}
            }
        }
    }
    out.sort();
    out
}

/// The repository root of `cwd` (the nearest directory with `.git`), or `cwd` itself
/// when it is not in a repository or not on this machine.
pub fn repo_root(cwd: &str) -> String {
    let start = Path::new(cwd);
    let mut p = Some(start);
    while let Some(dir) = p {
        if dir.join(".git").exists() {
            return dir.to_string_lossy().into_owned();
        }
        p = dir.parent();
    }
    cwd.to_owned()
}

fn mtime_of(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The bytes of `path` from `from` to its end.
fn read_from(path: &Path, from: u64) -> std::io::Result<Vec<u8>> {
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(from))?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)?;
    Ok(buf)
}

/// Parsed input per recorded batch: memory stays bounded however much a first scan reads.
const FLUSH_BYTES: usize = 16 * 1024 * 1024;

type Known = HashMap<String, (i64, i64, String)>;

fn new_batch(tool: Tool, dir: &Path) -> Batch {
    Batch {
        tool: Some(tool),
        dir: dir.to_string_lossy().into_owned(),
        ..Default::default()
    }
}

/// Completes a batch (repository roots of its sessions) before it is recorded.
fn finish(mut batch: Batch) -> Batch {
    let cwds: Vec<String> = batch
        .capture
        .sessions
        .values()
        .filter_map(|s| s.cwd.clone())
        .collect();
    for cwd in cwds {
        batch
            .roots
            .entry(cwd.clone())
            .or_insert_with(|| repo_root(&cwd));
    }
    batch
}

/// Reads and parses the files of one tool directory that changed since `known`, handing
/// over a batch whenever `FLUSH_BYTES` were read (and the rest at the end).
fn parse_dir(
    tool: Tool,
    dir: &Path,
    known: &Known,
    errors: &mut Vec<String>,
    send: &mut dyn FnMut(Batch) -> bool,
) {
    let root = match tool {
        Tool::ClaudeCode => dir.join("projects"),
        Tool::Codex => dir.join("sessions"),
    };
    let mut batch = new_batch(tool, dir);
    let mut read = 0usize;
    for path in jsonl_files(&root) {
        let key = path.to_string_lossy().into_owned();
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        let (size, mtime) = (
            i64::try_from(meta.len()).unwrap_or(i64::MAX),
            mtime_of(&meta),
        );
        let stored = known.get(&key);
        if stored.is_some_and(|(s, m, _)| *s == size && *m == mtime) {
            continue;
        }
        let state = stored.map(|(_, _, st)| st.as_str()).unwrap_or("");
        let result = match tool {
            Tool::ClaudeCode => {
                let mut lines: Lines = serde_json::from_str(state).unwrap_or_default();
                let mut from = lines.consumed + lines.pending_len() as u64;
                if from > meta.len() {
                    // the file was replaced: read it anew
                    lines = Lines::default();
                    from = 0;
                }
                read_from(&path, from).map(|bytes| {
                    claude::feed(&mut batch.capture, &mut lines, &bytes);
                    (
                        bytes.len(),
                        serde_json::to_string(&lines).unwrap_or_default(),
                    )
                })
            }
            Tool::Codex => {
                let fallback = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let mut file: codex::CodexFile = serde_json::from_str(state)
                    .unwrap_or_else(|_| codex::CodexFile::new(&fallback));
                let mut from = file.lines.consumed + file.lines.pending_len() as u64;
                if from > meta.len() {
                    file = codex::CodexFile::new(&fallback);
                    from = 0;
                }
                read_from(&path, from).map(|bytes| {
                    codex::feed(&mut batch.capture, &mut file, &bytes);
                    (
                        bytes.len(),
                        serde_json::to_string(&file).unwrap_or_default(),
                    )
                })
            }
        };
        match result {
            Ok((n, state)) => {
                read += n;
                batch.files.push(FileState {
                    path: key,
                    size,
                    mtime,
                    state,
                });
            }
            Err(e) => errors.push(format!("{key}: {e}")),
        }
        if read >= FLUSH_BYTES {
            let full = std::mem::replace(&mut batch, new_batch(tool, dir));
            read = 0;
            if !send(finish(full)) {
                return;
            }
        }
    }
    if !batch.files.is_empty() {
        send(finish(batch));
    }
}

/// What a scan did: the report, and files that could not be read.
#[derive(Debug, Default)]
pub struct Scan {
    pub report: Report,
    pub errors: Vec<String>,
    /// Bytes of log read.
    pub bytes: u64,
}

/// Scans every directory once and records what is new. Parsing runs on a blocking thread
/// and hands over batches as it goes; each is recorded in its own transaction.
pub async fn scan(db: &Db, dirs: &Dirs, prices: &PriceTable) -> Result<Scan, String> {
    let known = svc::known_files(db).await.map_err(|e| e.to_string())?;
    let jobs: Vec<(Tool, PathBuf)> = dirs
        .claude
        .iter()
        .map(|d| (Tool::ClaudeCode, d.clone()))
        .chain(dirs.codex.iter().map(|d| (Tool::Codex, d.clone())))
        .collect();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(1);
    let parser = tokio::task::spawn_blocking(move || {
        let mut errors = Vec::new();
        for (tool, dir) in jobs {
            let mut send = |b: Batch| tx.blocking_send(b).is_ok();
            parse_dir(tool, &dir, &known, &mut errors, &mut send);
        }
        errors
    });
    let mut out = Scan::default();
    let mut failed = None;
    while let Some(batch) = rx.recv().await {
        if failed.is_some() {
            continue;
        }
        out.bytes += batch
            .files
            .iter()
            .map(|f| f.size.max(0) as u64)
            .sum::<u64>();
        match svc::record(db, &batch, prices, crate::server::clock::now()).await {
            Ok(report) => out.report.add(report),
            Err(e) => failed = Some(format!("{}: {e}", batch.dir)),
        }
    }
    out.errors = parser.await.map_err(|e| format!("scanner stopped: {e}"))?;
    match failed {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// Scans now and again whenever a watched file changed (debounced), and at least every
/// `fallback` (a directory made after the start, a watcher that missed an event); each
/// scan's outcome goes to `done`. Runs until the task is dropped.
pub async fn follow(
    db: Db,
    dirs: Dirs,
    prices: PriceTable,
    fallback: std::time::Duration,
    mut done: impl FnMut(Result<Scan, String>),
) {
    use notify_debouncer_mini::notify::RecursiveMode;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<()>(1);
    let debouncer = notify_debouncer_mini::new_debouncer(
        std::time::Duration::from_millis(200),
        move |_: notify_debouncer_mini::DebounceEventResult| {
            // a full channel already holds a wake-up
            let _ = tx.try_send(());
        },
    );
    let mut debouncer = match debouncer {
        Ok(d) => Some(d),
        Err(e) => {
            tracing::warn!(error = %e, "file watching unavailable; capture polls instead");
            None
        }
    };
    if let Some(d) = debouncer.as_mut() {
        for dir in dirs.all() {
            if let Err(e) = d.watcher().watch(&dir, RecursiveMode::Recursive) {
                tracing::warn!(dir = %dir.display(), error = %e, "cannot watch; polling it");
            }
        }
    }
    let fallback = if debouncer.is_some() {
        fallback
    } else {
        fallback.min(std::time::Duration::from_secs(2))
    };
    loop {
        done(scan(&db, &dirs, &prices).await);
        tokio::select! {
            _ = rx.recv() => {}
            _ = tokio::time::sleep(fallback) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_scan_reads_only_what_was_appended() {
        let (_dir, db) = crate::storage::temp_db().await;
        let home = tempfile::tempdir().unwrap();
        let claude_dir = home.path().join(".claude");
        let project = claude_dir.join("projects/-home-ann-shop");
        std::fs::create_dir_all(&project).unwrap();
        let file = project.join("s1.jsonl");
        let line = |uuid: &str, text: &str| {
            format!(
                r#"{{"type":"user","sessionId":"s1","uuid":"{uuid}","timestamp":"2026-03-01T10:00:00.000Z","cwd":"/nowhere/shop","message":{{"role":"user","content":"{text}"}}}}"#
            ) + "\n"
        };
        std::fs::write(&file, line("u1", "first")).unwrap();
        let dirs = Dirs {
            claude: vec![claude_dir.clone()],
            codex: vec![],
        };
        let prices = PriceTable::default();
        let first = scan(&db, &dirs, &prices).await.unwrap();
        assert_eq!((first.report.sessions_new, first.report.turns), (1, 1));
        // nothing changed: nothing read, nothing recorded
        let same = scan(&db, &dirs, &prices).await.unwrap();
        assert_eq!((same.report.files, same.report.turns), (0, 0));
        // a line appended, and half of the next one
        let mut more = line("u2", "second");
        let half = line("u3", "third");
        more.push_str(&half[..20]);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .and_then(|mut f| std::io::Write::write_all(&mut f, more.as_bytes()))
            .unwrap();
        let grown = scan(&db, &dirs, &prices).await.unwrap();
        assert_eq!(
            (grown.report.sessions_continued, grown.report.turns),
            (1, 1)
        );
        std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .and_then(|mut f| std::io::Write::write_all(&mut f, &half.as_bytes()[20..]))
            .unwrap();
        let rest = scan(&db, &dirs, &prices).await.unwrap();
        assert_eq!(rest.report.turns, 1);
        let mut conn = db.acquire().await.unwrap();
        let turns: Vec<String> =
            sqlx::query_scalar("SELECT content FROM conversation_history ORDER BY turn_number")
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        assert_eq!(turns, vec!["first", "second", "third"]);
    }
}
