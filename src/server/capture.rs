//! The capture scanner: finds the AI tools' logs on this machine, reads each file from
//! where the last scan stopped, parses it (`domain::capture`) and records the result
//! (`service::capture`). `paas capture` runs it once; `--watch` runs it again whenever a
//! file grew. Nothing read here is sent anywhere but the local database.

use crate::domain::capture::price::PriceTable;
use crate::domain::capture::{claude, codex, gemini, markdown, Lines, Tool};
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
    pub gemini: Vec<PathBuf>,
    /// Repositories with aider or SpecStory histories.
    pub repos: Vec<PathBuf>,
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
                } else if path.join("tmp").is_dir() || name.contains("gemini") {
                    "gemini".into()
                } else if path.join(".aider.chat.history.md").is_file()
                    || path.join(".specstory").is_dir()
                    || path.join(".git").exists()
                {
                    "repo".into()
                } else {
                    String::new()
                }
            });
            match kind.as_str() {
                "claude" => dirs.claude.push(path),
                "codex" => dirs.codex.push(path),
                "gemini" => dirs.gemini.push(path),
                "repo" => dirs.repos.push(path),
                "" => {
                    return Err(format!(
                        "--capture-dir {spec}: not a Claude Code, Codex CLI or Gemini CLI \
                         directory nor a repository (name it as claude=DIR, codex=DIR, \
                         gemini=DIR or repo=DIR)"
                    ))
                }
                other => {
                    return Err(format!(
                        "--capture-dir {spec}: {other:?} is not one of claude, codex, gemini, repo"
                    ))
                }
            }
        }
        Ok(dirs)
    }

    pub fn is_empty(&self) -> bool {
        self.all().is_empty()
    }

    /// Every directory, for the file watcher.
    pub fn all(&self) -> Vec<PathBuf> {
        self.claude
            .iter()
            .chain(&self.codex)
            .chain(&self.gemini)
            .chain(&self.repos)
            .cloned()
            .collect()
    }

    /// `(tool, directory)` of every place that holds logs, as the Sources page lists them.
    pub fn found(&self) -> Vec<(Tool, String)> {
        self.jobs()
            .into_iter()
            .filter(|(t, d)| !log_files(*t, d).is_empty())
            .map(|(t, d)| (t, d.to_string_lossy().into_owned()))
            .collect()
    }

    /// `(tool, directory)` of every place to read, repositories once per history kind.
    fn jobs(&self) -> Vec<(Tool, PathBuf)> {
        let mut jobs: Vec<(Tool, PathBuf)> = Vec::new();
        jobs.extend(self.claude.iter().map(|d| (Tool::ClaudeCode, d.clone())));
        jobs.extend(self.codex.iter().map(|d| (Tool::Codex, d.clone())));
        jobs.extend(self.gemini.iter().map(|d| (Tool::Gemini, d.clone())));
        for r in &self.repos {
            jobs.push((Tool::Aider, r.clone()));
            jobs.push((Tool::Specstory, r.clone()));
        }
        jobs
    }

    /// The tools' standard places: `$CLAUDE_CONFIG_DIR` (comma-separated) or `~/.claude`
    /// and `~/.config/claude`; `$CODEX_HOME` or `~/.codex`; `$GEMINI_CLI_HOME/.gemini` or
    /// `~/.gemini`. Only those that exist.
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
        let gemini = match std::env::var("GEMINI_CLI_HOME") {
            Ok(v) if !v.trim().is_empty() => vec![PathBuf::from(v).join(".gemini")],
            _ => home.iter().map(|h| h.join(".gemini")).collect(),
        };
        Self {
            claude: claude.into_iter().filter(|d| d.is_dir()).collect(),
            codex: codex.into_iter().filter(|d| d.is_dir()).collect(),
            gemini: gemini.into_iter().filter(|d| d.is_dir()).collect(),
            repos: Vec::new(),
        }
    }
}

/// Every file under `dir` that `keep` accepts, sorted (at most 64 levels deep).
fn files_under(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
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
                Ok(t) if t.is_file() && keep(&p) => out.push(p),
                _ => {}
            }
        }
    }
    out.sort();
    out
}

fn has_ext(p: &Path, ext: &str) -> bool {
    p.extension().is_some_and(|x| x == ext)
}

/// The files a tool keeps under `dir`.
fn log_files(tool: Tool, dir: &Path) -> Vec<PathBuf> {
    match tool {
        Tool::ClaudeCode => files_under(&dir.join("projects"), &|p| has_ext(p, "jsonl")),
        Tool::Codex => files_under(&dir.join("sessions"), &|p| has_ext(p, "jsonl")),
        Tool::Gemini => files_under(&dir.join("tmp"), &|p| {
            let in_chats = p.components().any(|c| c.as_os_str() == "chats");
            in_chats && (has_ext(p, "jsonl") || has_ext(p, "json"))
        }),
        Tool::Aider => {
            let f = dir.join(".aider.chat.history.md");
            if f.is_file() {
                vec![f]
            } else {
                Vec::new()
            }
        }
        Tool::Specstory => files_under(&dir.join(".specstory").join("history"), &|p| {
            has_ext(p, "md")
        }),
    }
}

/// Gemini CLI's project roots by the name of their directory under `tmp/`: the sha256 of
/// the root (older builds) or the short name `projects.json` gives it (newer ones).
fn gemini_roots(dir: &Path) -> HashMap<String, String> {
    use sha2::Digest;
    let mut out = HashMap::new();
    let Ok(text) = std::fs::read_to_string(dir.join("projects.json")) else {
        return out;
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return out;
    };
    // whatever its nesting, pairs of a path and a short name
    let mut stack = vec![&v];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Object(m) => {
                for (k, val) in m {
                    match val {
                        serde_json::Value::String(s) if k.starts_with('/') => {
                            out.insert(s.clone(), k.clone());
                        }
                        serde_json::Value::String(s) if s.starts_with('/') => {
                            out.insert(k.clone(), s.clone());
                        }
                        other => stack.push(other),
                    }
                }
            }
            serde_json::Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    let roots: Vec<String> = out.values().cloned().collect();
    for root in roots {
        let hash = sha2::Sha256::digest(root.as_bytes());
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        out.insert(hex, root);
    }
    out
}

/// The machine's offset from UTC now, in seconds (aider writes local times).
fn local_offset_secs() -> i64 {
    jiff::Zoned::now().offset().seconds() as i64
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
    flush: usize,
    errors: &mut Vec<String>,
    send: &mut dyn FnMut(Batch) -> bool,
) {
    let mut batch = new_batch(tool, dir);
    let mut read = 0usize;
    let gemini = if tool == Tool::Gemini {
        gemini_roots(dir)
    } else {
        HashMap::new()
    };
    let offset = local_offset_secs();
    for path in log_files(tool, dir) {
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
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let skipped_before = batch.capture.skipped_lines;
        let result = match tool {
            Tool::ClaudeCode => {
                let mut lines: Lines = serde_json::from_str(state).unwrap_or_default();
                let mut from = lines.consumed;
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
                let mut file: codex::CodexFile =
                    serde_json::from_str(state).unwrap_or_else(|_| codex::CodexFile::new(&stem));
                let mut from = file.lines.consumed;
                if from > meta.len() {
                    file = codex::CodexFile::new(&stem);
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
            Tool::Gemini => {
                // tmp/<project>/chats/…: the project's root when projects.json names it
                let project = path
                    .strip_prefix(dir.join("tmp"))
                    .ok()
                    .and_then(|rest| rest.components().next())
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .unwrap_or_default();
                let cwd = gemini.get(&project).cloned();
                if has_ext(&path, "json") {
                    // the older record is rewritten whole: read it whole
                    read_from(&path, 0).map(|bytes| {
                        let mut file = gemini::GeminiFile::new(&stem, cwd);
                        gemini::read_record(&mut batch.capture, &mut file, &bytes);
                        (bytes.len(), String::new())
                    })
                } else {
                    let mut file: gemini::GeminiFile = serde_json::from_str(state)
                        .unwrap_or_else(|_| gemini::GeminiFile::new(&stem, cwd.clone()));
                    let mut from = file.lines.consumed;
                    if from > meta.len() {
                        file = gemini::GeminiFile::new(&stem, cwd);
                        from = 0;
                    }
                    read_from(&path, from).map(|bytes| {
                        gemini::feed(&mut batch.capture, &mut file, &bytes);
                        (
                            bytes.len(),
                            serde_json::to_string(&file).unwrap_or_default(),
                        )
                    })
                }
            }
            Tool::Aider | Tool::Specstory => read_from(&path, 0).map(|bytes| {
                let text = String::from_utf8_lossy(&bytes);
                let cwd = dir.to_string_lossy();
                if tool == Tool::Aider {
                    markdown::aider(&mut batch.capture, &text, &key, &cwd, offset);
                } else {
                    markdown::specstory(&mut batch.capture, &text, &key, &cwd);
                }
                (bytes.len(), String::new())
            }),
        };
        match result {
            Ok((n, state)) => {
                read += n;
                let skipped = batch.capture.skipped_lines - skipped_before;
                batch.files.push(FileState {
                    path: key,
                    size,
                    mtime,
                    state,
                    error: (skipped > 0)
                        .then(|| format!("{skipped} lines not understood (skipped)")),
                });
            }
            Err(e) => {
                errors.push(format!("{key}: {e}"));
                // noted with the file, which is tried again next time
                let (size, mtime, state) = stored.cloned().unwrap_or_default();
                batch.files.push(FileState {
                    path: key,
                    size,
                    mtime,
                    state,
                    error: Some(format!("cannot read: {e}")),
                });
            }
        }
        if read >= flush {
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

/// Parsed input per batch sent to a server: its request stays well under the body limit.
const REMOTE_FLUSH_BYTES: usize = 1024 * 1024;

/// Scans every directory once and sends what is new to the app at `url` (`paas capture
/// --server`): the server says which files it has read and how far, then takes one batch
/// per request (`POST /api/capture/batches`) and records it as a local scan would.
pub async fn scan_remote(url: &str, token: &str, dirs: &Dirs) -> Result<Scan, String> {
    let base = url.trim_end_matches('/').to_owned();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(120)))
        .http_status_as_error(false)
        .build()
        .into();
    let dirs = dirs.clone();
    let token = token.to_owned();
    tokio::task::spawn_blocking(move || {
    let auth = format!("Bearer {token}");
        let answer = |res: Result<ureq::http::Response<ureq::Body>, ureq::Error>| -> Result<serde_json::Value, String> {
            let mut res = res.map_err(|e| format!("{base}: {e}"))?;
            let status = res.status();
            let body: serde_json::Value = res
                .body_mut()
                .read_json()
                .map_err(|e| format!("{base}: the answer is not JSON ({e})"))?;
            if !status.is_success() {
                let why = body["error"].as_str().unwrap_or("refused");
                return Err(format!("{base}: {status}: {why}"));
            }
            Ok(body["data"].clone())
        };

        let known: Vec<FileState> = serde_json::from_value(answer(
            agent
                .get(format!("{base}/api/capture/files"))
                .header("Authorization", &auth)
                .call(),
        )?)
        .map_err(|e| format!("{base}: unexpected answer ({e})"))?;
        let known: Known = known
            .into_iter()
            .map(|f| (f.path, (f.size, f.mtime, f.state)))
            .collect();
        let mut out = Scan::default();
        let mut failed = None;
        for (tool, dir) in dirs.jobs() {
            let mut send = |b: Batch| {
                out.bytes += b.files.iter().map(|f| f.size.max(0) as u64).sum::<u64>();
                let sent = answer(
                    agent
                        .post(format!("{base}/api/capture/batches"))
                        .header("Authorization", &auth)
                        .send_json(&b),
                )
                .and_then(|v| serde_json::from_value::<Report>(v).map_err(|e| e.to_string()));
                match sent {
                    Ok(r) => {
                        out.report.add(r);
                        true
                    }
                    Err(e) => {
                        failed = Some(e);
                        false
                    }
                }
            };
            parse_dir(tool, &dir, &known, REMOTE_FLUSH_BYTES, &mut out.errors, &mut send);
            if failed.is_some() {
                break;
            }
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(out),
        }
    })
    .await
    .map_err(|e| format!("scanner stopped: {e}"))?
}

/// Scans every directory once and records what is new. Parsing runs on a blocking thread
/// and hands over batches as it goes; each is recorded in its own transaction.
pub async fn scan(db: &Db, dirs: &Dirs, prices: &PriceTable) -> Result<Scan, String> {
    let known = svc::known_files(db).await.map_err(|e| e.to_string())?;
    let jobs = dirs.jobs();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(1);
    let parser = tokio::task::spawn_blocking(move || {
        let mut errors = Vec::new();
        for (tool, dir) in jobs {
            let mut send = |b: Batch| tx.blocking_send(b).is_ok();
            parse_dir(tool, &dir, &known, FLUSH_BYTES, &mut errors, &mut send);
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

/// Changes under some directories, as a debounced file watcher sees them (or nothing,
/// where watching is unavailable: callers fall back to a timer).
pub struct Watch {
    rx: tokio::sync::mpsc::Receiver<()>,
    _debouncer:
        Option<notify_debouncer_mini::Debouncer<notify_debouncer_mini::notify::RecommendedWatcher>>,
}

impl Watch {
    pub fn new(dirs: &Dirs) -> Self {
        use notify_debouncer_mini::notify::RecursiveMode;
        let (tx, rx) = tokio::sync::mpsc::channel::<()>(1);
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
        Self {
            rx,
            _debouncer: debouncer,
        }
    }

    /// Waits for a change, or `fallback` (2 s at most when nothing is watched).
    pub async fn changed(&mut self, fallback: std::time::Duration) {
        let fallback = if self._debouncer.is_some() {
            fallback
        } else {
            fallback.min(std::time::Duration::from_secs(2))
        };
        tokio::select! {
            _ = self.rx.recv() => {}
            _ = tokio::time::sleep(fallback) => {}
        }
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
    let mut watch = Watch::new(&dirs);
    loop {
        done(scan(&db, &dirs, &prices).await);
        watch.changed(fallback).await;
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
            ..Default::default()
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
        let turns: Vec<String> = crate::storage::testing::turn_texts(&db).await;
        assert_eq!(turns, vec!["first", "second", "third"]);
    }

    #[tokio::test]
    async fn gemini_chats_and_repository_histories_are_found_and_mapped() {
        let (_dir, db) = crate::storage::temp_db().await;
        let home = tempfile::tempdir().unwrap();
        // a repository with an aider history and a SpecStory file
        let repo = home.path().join("shop");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join(".specstory/history")).unwrap();
        std::fs::write(
            repo.join(".aider.chat.history.md"),
            "# aider chat started at 2026-01-01 10:00:00\n\n> Main model: gpt-4o with diff edit format\n\n#### add a cart\n\nDone.\n\n> Tokens: 2k sent, 100 received. Cost: $0.01 message, $0.01 session.\n",
        )
        .unwrap();
        std::fs::write(
            repo.join(".specstory/history/2026-01-02_09-30-00Z-cart.md"),
            "<!-- Generated by SpecStory -->\n\n_**User**_\n\nwhy is the cart empty\n\n---\n\n_**Assistant**_\n\nThe session expired.\n",
        )
        .unwrap();
        // Gemini CLI: a chat in a project projects.json names
        let gemini = home.path().join(".gemini");
        let chats = gemini.join("tmp/shop/chats");
        std::fs::create_dir_all(&chats).unwrap();
        let root = repo.to_string_lossy().into_owned();
        std::fs::write(
            gemini.join("projects.json"),
            serde_json::json!({ "projects": { root.clone(): "shop" } }).to_string(),
        )
        .unwrap();
        std::fs::write(
            chats.join("session-2026-01-03T10-00-g1.jsonl"),
            concat!(
                r#"{"sessionId":"g1","startTime":"2026-01-03T10:00:00Z"}"#, "\n",
                r#"{"id":"m1","timestamp":"2026-01-03T10:00:01Z","type":"user","content":"list the routes"}"#, "\n",
                r#"{"id":"m2","timestamp":"2026-01-03T10:00:03Z","type":"gemini","content":"Three routes.","model":"gemini-2.5-pro","tokens":{"input":900,"output":40,"cached":0}}"#, "\n"
            ),
        )
        .unwrap();
        let dirs = Dirs::from_specs(&[
            format!("gemini={}", gemini.display()),
            repo.to_string_lossy().into_owned(),
        ])
        .unwrap();
        assert_eq!((dirs.gemini.len(), dirs.repos.len()), (1, 1));
        let done = scan(&db, &dirs, &PriceTable::default()).await.unwrap();
        assert_eq!(done.report.sessions_new, 3, "{:?}", done.report);
        // one project for the repository, whichever tool worked in it
        assert_eq!(done.report.projects_new, vec!["shop".to_string()]);
        assert_eq!(done.report.usage_rows, 2);
        // aider's own cost wins over the price table
        let aider_cost = crate::storage::testing::ledger_cost_of(&db, "gpt-4o").await;
        assert_eq!(aider_cost, 10_000);
        let providers = crate::storage::testing::ledger_providers(&db).await;
        assert_eq!(providers, vec!["google", "openai"]);
        let again = scan(&db, &dirs, &PriceTable::default()).await.unwrap();
        assert_eq!((again.report.files, again.report.turns), (0, 0));
    }
}
