//! Records what the capture parsers found, in one transaction per tool directory: the
//! directory's account (made on first sight: "Claude Code · default"), each working
//! directory's project by its repository root (made on first sight, named after the
//! repository), one of our sessions per tool session (a resumed tool session continues
//! it), its new turns, and its usage as ledger rows priced from the price table. Keys make
//! a second run record nothing twice; a larger copy of a call seen before updates its row.

use crate::domain::account::{AccountInput, NewAccount, Thresholds};
use crate::domain::capture::price::PriceTable;
use crate::domain::capture::window::{self, AccountWindow, Call, Live, LiveSession};
use crate::domain::capture::{Capture, RateWindow, Speaker, Tokens, Tool};
use crate::domain::project::{NewProject, ProjectId, ProjectInput};
use crate::domain::session::{NewSession, SessionId, SessionType};
use crate::domain::time::Timestamp;
use crate::error::AppError;
use crate::storage::capture::{self as store, LedgerRow};
use crate::storage::{self, Db};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};

/// What one scan of one tool directory found (also the body of `POST
/// /api/capture/batches`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Batch {
    pub tool: Option<Tool>,
    /// The tool's configuration directory (one account).
    pub dir: String,
    pub capture: Capture,
    /// Working directory → repository root (or the directory itself outside a repository).
    pub roots: HashMap<String, String>,
    /// Files read, with the parser state to continue from.
    pub files: Vec<FileState>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FileState {
    pub path: String,
    pub size: i64,
    pub mtime: i64,
    pub state: String,
    /// What went wrong reading it (a read error, lines not understood).
    #[serde(default)]
    pub error: Option<String>,
}

/// What a capture recorded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Report {
    pub sessions_new: usize,
    pub sessions_continued: usize,
    pub turns: usize,
    pub usage_rows: usize,
    pub usage_grown: usize,
    pub tokens: Tokens,
    pub cost_micros: u64,
    pub unpriced_models: BTreeSet<String>,
    pub accounts_new: Vec<String>,
    pub projects_new: Vec<String>,
    pub files: usize,
}

impl Report {
    pub fn add(&mut self, o: Report) {
        self.sessions_new += o.sessions_new;
        self.sessions_continued += o.sessions_continued;
        self.turns += o.turns;
        self.usage_rows += o.usage_rows;
        self.usage_grown += o.usage_grown;
        self.tokens.add(&o.tokens);
        self.cost_micros = self.cost_micros.saturating_add(o.cost_micros);
        self.unpriced_models.extend(o.unpriced_models);
        self.accounts_new.extend(o.accounts_new);
        self.projects_new.extend(o.projects_new);
        self.files += o.files;
    }

    /// One line for the command line.
    pub fn summary(&self) -> String {
        let t = &self.tokens;
        let mut s = format!(
            "{} new sessions, {} continued, {} turns, {} usage rows ({} grown), {} tokens \
             (input {}, output {}, cache write {}, cache read {}), cost ${:.2}, {} files",
            self.sessions_new,
            self.sessions_continued,
            self.turns,
            self.usage_rows,
            self.usage_grown,
            t.total(),
            t.input,
            t.output,
            t.cache_write,
            t.cache_read,
            self.cost_micros as f64 / 1e6,
            self.files
        );
        if !self.unpriced_models.is_empty() {
            let names: Vec<&str> = self.unpriced_models.iter().map(String::as_str).collect();
            s.push_str(&format!(
                "; not priced (unknown model): {}",
                names.join(", ")
            ));
        }
        s
    }
}

/// The most a batch sent to the server may hold.
pub const BATCH_MAX_SESSIONS: usize = 10_000;
pub const BATCH_MAX_TURNS: usize = 200_000;
pub const BATCH_MAX_USAGE: usize = 200_000;

impl Batch {
    /// A batch from elsewhere (`POST /api/capture/batches`) held to what the local parsers
    /// would produce: known tool, bounded counts, texts redacted and cut, names of models
    /// within the ledger's limit. Refuses what cannot be made so.
    pub fn checked(mut self) -> Result<Self, AppError> {
        use crate::domain::capture::{redact::redact, truncate};
        if self.tool.is_none() {
            return Err(AppError::validation(
                "tool",
                "name the tool the logs are from",
            ));
        }
        if self.dir.trim().is_empty() || self.dir.chars().count() > 4096 {
            return Err(AppError::validation(
                "dir",
                "give the directory the logs are in (at most 4,096 characters)",
            ));
        }
        let c = &mut self.capture;
        if c.sessions.len() > BATCH_MAX_SESSIONS {
            return Err(AppError::validation(
                "capture.sessions",
                format!("at most {BATCH_MAX_SESSIONS} sessions per batch"),
            ));
        }
        if c.turn_count() > BATCH_MAX_TURNS {
            return Err(AppError::validation(
                "capture.sessions",
                format!("at most {BATCH_MAX_TURNS} turns per batch"),
            ));
        }
        if c.usage.len() > BATCH_MAX_USAGE {
            return Err(AppError::validation(
                "capture.usage",
                format!("at most {BATCH_MAX_USAGE} usage rows per batch"),
            ));
        }
        for s in c.sessions.values_mut() {
            for t in &mut s.turns {
                t.text = redact(&truncate(&t.text, 20_000));
                t.key = truncate(&t.key, 200);
            }
            s.first_request = s
                .first_request
                .as_deref()
                .map(|f| redact(&truncate(f, 500)));
        }
        for u in c.usage.values_mut() {
            u.model = truncate(&u.model, crate::domain::ledger::MODEL_MAX_CHARS);
        }
        Ok(self)
    }
}

/// Files read before, by path: `(size, mtime, parser state)`.
pub async fn known_files(db: &Db) -> Result<HashMap<String, (i64, i64, String)>, AppError> {
    let mut conn = db.acquire().await?;
    Ok(store::files(&mut conn)
        .await?
        .into_iter()
        .map(|(p, s, m, st)| (p, (s, m, st)))
        .collect())
}

/// Records one batch.
pub async fn record(
    db: &Db,
    batch: &Batch,
    prices: &PriceTable,
    now: Timestamp,
) -> Result<Report, AppError> {
    let tool = batch.tool.ok_or(AppError::Internal)?;
    let key = tool.key();
    let mut report = Report {
        files: batch.files.len(),
        ..Default::default()
    };
    let mut tx = storage::begin_write(db).await?;
    // the directory's account
    let source = store::source(&mut tx, key, &batch.dir).await?;
    if source.as_ref().is_some_and(|s| s.ignored) {
        return Ok(report);
    }
    let shared = if tool.in_repositories() && source.is_none() {
        store::account_of_tool(&mut tx, key).await?
    } else {
        None
    };
    let account = match source.as_ref().and_then(|s| s.account_id).or(shared) {
        Some(a) => a,
        None => {
            let dir_name = std::path::Path::new(&batch.dir)
                .file_name()
                .map(|n| n.to_string_lossy().trim_start_matches('.').to_owned())
                .filter(|n| {
                    !tool.in_repositories()
                        && !n.is_empty()
                        && !["claude", "codex", "gemini"].contains(&n.as_str())
                })
                .unwrap_or_else(|| "default".into());
            let base = format!("{} · {dir_name}", tool.label());
            let taken: HashSet<String> = storage::account::names(&mut tx)
                .await?
                .into_iter()
                .map(|n| n.to_lowercase())
                .collect();
            let name = if taken.contains(&base.to_lowercase()) {
                crate::domain::bundle::free_name(&base, &taken)
            } else {
                base
            };
            let input = AccountInput {
                account_name: Some(name.clone()),
                platform: Some(tool.platform().into()),
                notes: Some(format!("Captured from {}", batch.dir)),
                ..Default::default()
            };
            let new = NewAccount::parse(&input, Thresholds::default())?;
            let id = storage::account::insert(&mut tx, &new, now).await?;
            report.accounts_new.push(name);
            id
        }
    };
    let source_id = match source {
        Some(s) => s.id,
        None => store::insert_source(&mut tx, key, &batch.dir, Some(account)).await?,
    };
    store::set_source_account(&mut tx, source_id, account, now).await?;
    if let Some((primary, secondary)) = batch.capture.rate_limits {
        let windows: Vec<RateWindow> = primary.into_iter().chain(secondary).collect();
        if !windows.is_empty() {
            let json = serde_json::to_string(&windows).map_err(|_| AppError::Internal)?;
            store::set_rate_limits(&mut tx, source_id, &json).await?;
        }
    }

    let mut project_of_root: HashMap<String, Option<ProjectId>> = HashMap::new();
    for (tool_session, s) in &batch.capture.sessions {
        let session = match store::session_of(&mut tx, key, tool_session).await? {
            Some(id) => {
                report.sessions_continued += 1;
                Some(id)
            }
            None => {
                let cwd = s.cwd.clone().unwrap_or_default();
                let root = batch.roots.get(&cwd).cloned().unwrap_or(cwd);
                let project = match project_of_root.get(&root) {
                    Some(p) => *p,
                    None => {
                        let p = project_for(&mut tx, &root, now, &mut report).await?;
                        project_of_root.insert(root.clone(), p);
                        p
                    }
                };
                match project {
                    None => None,
                    Some(project) => {
                        let started = s.started_at.unwrap_or(now);
                        let new = NewSession {
                            project_id: project,
                            account_id: account,
                            session_type: SessionType::default(),
                            objectives: s.first_request.clone(),
                        };
                        let number = storage::session::next_number(&mut tx, project).await?;
                        let made = storage::session::insert(&mut tx, &new, number, started).await?;
                        store::link_session(&mut tx, key, tool_session, made.id).await?;
                        report.sessions_new += 1;
                        Some(made.id)
                    }
                }
            }
        };
        let Some(session) = session else { continue };
        let keys: Vec<&str> = s.turns.iter().map(|t| t.key.as_str()).collect();
        let fresh = store::claim_turns(&mut tx, session, &keys).await?;
        let rows: Vec<(&str, &str, Timestamp)> = s
            .turns
            .iter()
            .filter(|t| fresh.contains(&t.key))
            .map(|t| {
                let role = match t.speaker {
                    Speaker::User => "user",
                    Speaker::Assistant => "assistant",
                    Speaker::Tool => "system",
                };
                (role, t.text.as_str(), t.at.unwrap_or(now))
            })
            .collect();
        store::append_turns(&mut tx, session, &rows).await?;
        report.turns += rows.len();
    }

    // usage rows of sessions that were recorded (an ignored repository's are not)
    let mut sessions: HashMap<&str, Option<SessionId>> = HashMap::new();
    for u in batch.capture.usage.values() {
        let session = match sessions.get(u.session.as_str()) {
            Some(s) => *s,
            None => {
                let s = store::session_of(&mut tx, key, &u.session).await?;
                sessions.insert(u.session.as_str(), s);
                s
            }
        };
        let Some(session) = session else { continue };
        let cost = u
            .reported_cost_micros
            .or_else(|| prices.cost_micros(&u.model, &u.tokens));
        if cost.is_none() {
            report.unpriced_models.insert(u.model.clone());
        }
        let total = i64::try_from(u.tokens.total()).unwrap_or(i64::MAX);
        let model = match u.model.trim() {
            "" => "unknown".to_owned(),
            m => crate::domain::capture::truncate(m, crate::domain::ledger::MODEL_MAX_CHARS),
        };
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        let row = LedgerRow {
            session,
            provider: tool.provider(&u.model),
            model: &model,
            input: n(u
                .tokens
                .input
                .saturating_add(u.tokens.cache_read)
                .saturating_add(u.tokens.cache_write)),
            output: n(u.tokens.output),
            cache_read: n(u.tokens.cache_read),
            cache_write: n(u.tokens.cache_write),
            cost_micros: n(cost.unwrap_or(0)),
            priced: cost.is_some(),
            at: u.at,
        };
        match store::usage(&mut tx, &u.key).await? {
            None => {
                store::insert_usage(&mut tx, &u.key, &row, total).await?;
                report.usage_rows += 1;
                report.tokens.add(&u.tokens);
                report.cost_micros = report.cost_micros.saturating_add(cost.unwrap_or(0));
            }
            Some((ledger, before)) if total > before => {
                store::grow_usage(&mut tx, &u.key, ledger, &row, total).await?;
                report.usage_grown += 1;
            }
            Some(_) => {}
        }
    }
    for f in &batch.files {
        store::save_file(
            &mut tx,
            source_id,
            &f.path,
            (f.size, f.mtime),
            &f.state,
            f.error
                .as_deref()
                .map(|e| crate::domain::capture::truncate(e, 500))
                .as_deref(),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(report)
}

/// Captured work as it happens: sessions active in the last day (at most `limit`), and the
/// window each capture-fed account is in — the vendor's own when a tool reported one,
/// otherwise the 5-hour block computed from its calls.
pub async fn live(db: &Db, now: Timestamp, limit: i64) -> Result<Live, AppError> {
    let mut tx = db.begin().await?;
    let rows = store::recent_sessions(&mut tx, now.plus_seconds(-24 * 3600), limit).await?;
    let sessions = rows
        .into_iter()
        .map(|r| LiveSession {
            session_id: r.session_id,
            session_number: r.session_number,
            project_id: r.project_id,
            project_name: r.project_name,
            account_name: r.account_name,
            objective: r
                .objectives
                .as_deref()
                .and_then(|o| o.lines().find(|l| !l.trim().is_empty()))
                .map(|l| crate::domain::capture::truncate(l, 140)),
            status: r.status,
            turns: r.turns,
            tokens: r.tokens.max(0) as u64,
            cost_micros: r.cost_micros.max(0) as u64,
            unpriced_calls: r.unpriced_calls.max(0) as u64,
            last_at: r.last_at,
        })
        .collect();
    drop(tx);
    let accounts = account_windows(db, now).await?;
    Ok(Live {
        now: Some(now),
        sessions,
        accounts,
    })
}

/// The Sources page: sources, repositories, file errors and what can be merged into.
/// `found` and `following` come from the caller (they are the server's directories).
pub async fn sources(
    db: &Db,
    now: Timestamp,
    found: Vec<(Tool, String)>,
    following: Vec<String>,
) -> Result<crate::domain::capture::sources::Sources, AppError> {
    use crate::domain::capture::sources::{Found, Repo, Source, Sources};
    let mut tx = db.begin().await?;
    let rows = store::source_list(&mut tx).await?;
    let errors = store::file_errors(&mut tx, 500).await?;
    let repos = store::repo_list(&mut tx).await?;
    let (accounts, projects) = store::merge_targets(&mut tx).await?;
    drop(tx);
    let known: HashSet<(String, String)> = rows
        .iter()
        .map(|r| (r.tool.clone(), r.dir.clone()))
        .collect();
    let sources = rows
        .into_iter()
        .filter_map(|r| {
            Some(Source {
                id: r.id,
                tool: Tool::from_key(&r.tool)?,
                errors: errors
                    .iter()
                    .filter(|(s, _, _)| *s == r.id)
                    .take(20)
                    .map(|(_, p, e)| (p.clone(), e.clone()))
                    .collect(),
                dir: r.dir,
                account: r.account_id.zip(r.account_name),
                ignored: r.ignored,
                last_capture_at: r.last_capture_at,
                files: r.files,
                sessions: r.sessions,
            })
        })
        .collect();
    Ok(Sources {
        now: Some(now),
        sources,
        repos: repos
            .into_iter()
            .map(|r| Repo {
                id: r.id,
                root: r.root,
                project: r.project_id.zip(r.project_name),
                ignored: r.ignored,
                sessions: r.sessions,
            })
            .collect(),
        found: found
            .into_iter()
            .filter(|(t, d)| !known.contains(&(t.key().to_owned(), d.clone())))
            .map(|(tool, dir)| Found { tool, dir })
            .collect(),
        following,
        accounts,
        projects,
    })
}

/// A source feeds another account from now on, and its captured sessions move there.
pub async fn map_source(
    db: &Db,
    source: i64,
    account: crate::domain::account::AccountId,
) -> Result<u64, AppError> {
    let mut tx = storage::begin_write(db).await?;
    let s = store::source_by_id(&mut tx, source)
        .await?
        .ok_or_else(|| AppError::not_found("capture source", source))?;
    storage::account::get(&mut tx, account)
        .await
        .map_err(|_| AppError::validation("account", "choose an account of the pool"))?;
    store::map_source(&mut tx, source, account).await?;
    let moved = match s.account_id {
        Some(old) if old != account => {
            store::move_tool_sessions(&mut tx, &s.tool, old, account).await?
        }
        _ => 0,
    };
    tx.commit().await?;
    Ok(moved)
}

/// Stops (or resumes) recording what a source's tool writes. What was recorded stays.
pub async fn ignore_source(db: &Db, source: i64, ignored: bool) -> Result<(), AppError> {
    let mut tx = storage::begin_write(db).await?;
    store::source_by_id(&mut tx, source)
        .await?
        .ok_or_else(|| AppError::not_found("capture source", source))?;
    store::set_source_ignored(&mut tx, source, ignored).await?;
    tx.commit().await?;
    Ok(())
}

/// A repository feeds another project from now on; its captured sessions move there,
/// numbered after that project's own.
pub async fn map_repo(db: &Db, repo: i64, project: ProjectId) -> Result<u64, AppError> {
    let mut tx = storage::begin_write(db).await?;
    let (old, ignored) = store::repo_by_id(&mut tx, repo)
        .await?
        .ok_or_else(|| AppError::not_found("repository", repo))?;
    let target = storage::project::get(&mut tx, project)
        .await
        .map_err(|_| AppError::validation("project", "choose a project"))?;
    if target.is_deleted() {
        return Err(AppError::validation(
            "project",
            "that project is in the trash; restore it first",
        ));
    }
    store::set_repo(&mut tx, repo, Some(project), ignored).await?;
    let mut moved = 0;
    if let Some(old) = old.filter(|o| *o != project) {
        for session in store::captured_sessions_of(&mut tx, old).await? {
            let number = storage::session::next_number(&mut tx, project).await?;
            store::move_session(&mut tx, session, project, number).await?;
            moved += 1;
        }
    }
    tx.commit().await?;
    Ok(moved)
}

pub async fn ignore_repo(db: &Db, repo: i64, ignored: bool) -> Result<(), AppError> {
    let mut tx = storage::begin_write(db).await?;
    let (project, _) = store::repo_by_id(&mut tx, repo)
        .await?
        .ok_or_else(|| AppError::not_found("repository", repo))?;
    store::set_repo(&mut tx, repo, project, ignored).await?;
    tx.commit().await?;
    Ok(())
}

/// The window each capture-fed account is in now: the vendor's own when a tool reported
/// one, otherwise the 5-hour block computed from its calls.
async fn account_windows(db: &Db, now: Timestamp) -> Result<Vec<AccountWindow>, AppError> {
    let mut tx = db.begin().await?;
    // two days of calls: the running block and the ones before it to compare with
    let calls = store::account_calls(&mut tx, now.plus_seconds(-48 * 3600)).await?;
    let vendor: HashMap<_, Vec<RateWindow>> = store::rate_limits(&mut tx)
        .await?
        .into_iter()
        .filter_map(|(a, json)| {
            let w: Vec<RateWindow> = serde_json::from_str(&json).ok()?;
            let w: Vec<RateWindow> = w
                .into_iter()
                .filter(|w| window::vendor_current(w, now))
                .collect();
            (!w.is_empty()).then_some((a, w))
        })
        .collect();
    drop(tx);
    let mut accounts: Vec<AccountWindow> = Vec::new();
    let mut i = 0;
    while i < calls.len() {
        let (account, name, platform) = (calls[i].0, calls[i].1.clone(), calls[i].2.clone());
        let mut mine = Vec::new();
        while i < calls.len() && calls[i].0 == account {
            let c = &calls[i];
            mine.push(Call {
                at: c.3,
                tokens: c.4.max(0) as u64,
                cost_micros: c.5.max(0) as u64,
            });
            i += 1;
        }
        let w = window::current(&mine, now, window::BLOCK_SECS);
        let v = vendor.get(&account).cloned().unwrap_or_default();
        if w.is_some() || !v.is_empty() {
            accounts.push(AccountWindow {
                account_id: account,
                account_name: name,
                platform,
                window: w,
                vendor: v,
            });
        }
    }
    Ok(accounts)
}

/// Seconds since the last capture recorded anything (None before the first).
pub async fn lag_seconds(db: &Db, now: Timestamp) -> Result<Option<i64>, AppError> {
    let mut conn = db.acquire().await?;
    Ok(store::last_capture(&mut conn)
        .await?
        .map(|t| (now.unix() - t.unix()).max(0)))
}

/// When a capture-fed account runs out in its current window, from real usage (None when
/// capture does not feed it or nothing says so).
pub async fn runs_out(
    db: &Db,
    account: crate::domain::account::AccountId,
    now: Timestamp,
) -> Result<Option<Timestamp>, AppError> {
    Ok(account_windows(db, now)
        .await?
        .iter()
        .find(|a| a.account_id == account)
        .and_then(AccountWindow::runs_out_at))
}

/// The project of a repository root: the one mapped before, or a new one named after the
/// repository (None when the user chose to ignore it).
async fn project_for(
    tx: &mut sqlx::SqliteConnection,
    root: &str,
    now: Timestamp,
    report: &mut Report,
) -> Result<Option<ProjectId>, AppError> {
    let mapped = store::repo(tx, root).await?;
    if let Some((_, true)) = mapped {
        return Ok(None);
    }
    if let Some((Some(p), false)) = mapped {
        if storage::project::get(tx, p).await.is_ok() {
            return Ok(Some(p));
        }
    }
    // a log that names no working directory goes to one project for such sessions
    let base = std::path::Path::new(root)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "Unsorted captures".into());
    let taken: HashSet<String> = store::project_names(tx).await?.into_iter().collect();
    let name = if taken.contains(&base.to_lowercase()) {
        crate::domain::bundle::free_name(&base, &taken)
    } else {
        base
    };
    let new = NewProject::parse(&ProjectInput {
        name: Some(name.clone()),
        description: Some(if root.is_empty() {
            "Captured sessions whose log names no working directory".into()
        } else {
            format!("Captured from {root}")
        }),
    })?;
    let project = storage::project::insert(tx, &new, now).await?;
    store::upsert_repo(tx, root, project.id).await?;
    report.projects_new.push(name);
    Ok(Some(project.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::capture::{claude, Lines};

    const LOG: &str = concat!(
        r#"{"type":"user","sessionId":"s1","uuid":"u1","timestamp":"2026-03-01T10:00:00.000Z","cwd":"/home/ann/shop","message":{"role":"user","content":"Add a cart page"}}"#,
        "\n",
        r#"{"type":"assistant","sessionId":"s1","uuid":"a1","requestId":"r1","timestamp":"2026-03-01T10:00:05.000Z","message":{"id":"m1","model":"claude-sonnet-4-5","role":"assistant","content":[{"type":"text","text":"On it."}],"usage":{"input_tokens":1000,"output_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}}"#,
        "\n",
    );
    const MORE: &str = concat!(
        r#"{"type":"assistant","sessionId":"s1","uuid":"a2","requestId":"r1","timestamp":"2026-03-01T10:00:06.000Z","message":{"id":"m1","model":"claude-sonnet-4-5","role":"assistant","content":[{"type":"text","text":"Done."}],"usage":{"input_tokens":1000,"output_tokens":200,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}}"#,
        "\n",
        r#"{"type":"assistant","sessionId":"s1","uuid":"a3","requestId":"r2","timestamp":"2026-03-01T10:01:00.000Z","message":{"id":"m2","model":"mystery-1","role":"assistant","content":[{"type":"text","text":"Also this."}],"usage":{"input_tokens":5,"output_tokens":5}}}"#,
        "\n",
    );

    fn batch(bytes: &[u8]) -> Batch {
        let mut c = Capture::default();
        let mut l = Lines::default();
        claude::feed(&mut c, &mut l, bytes);
        Batch {
            tool: Some(Tool::ClaudeCode),
            dir: "/home/ann/.claude".into(),
            capture: c,
            roots: [("/home/ann/shop".to_string(), "/home/ann/shop".to_string())].into(),
            files: vec![],
        }
    }

    #[tokio::test]
    async fn a_capture_makes_account_project_and_session_once() {
        let (_dir, db) = storage::temp_db().await;
        let now = Timestamp::from_unix(1_800_000_000).unwrap();
        let prices = PriceTable::default();
        let r = record(&db, &batch(LOG.as_bytes()), &prices, now)
            .await
            .unwrap();
        assert_eq!(r.accounts_new, vec!["Claude Code · default".to_string()]);
        assert_eq!(r.projects_new, vec!["shop".to_string()]);
        assert_eq!((r.sessions_new, r.turns, r.usage_rows), (1, 2, 1));
        // 1000 × $3 + 10 × $15 per million
        assert_eq!(r.cost_micros, 3_150);
        // the same again records nothing
        let again = record(&db, &batch(LOG.as_bytes()), &prices, now)
            .await
            .unwrap();
        assert_eq!(
            (again.sessions_new, again.turns, again.usage_rows),
            (0, 0, 0)
        );
        assert!(again.accounts_new.is_empty() && again.projects_new.is_empty());
        // the rest of the stream: the call grows, a new call of an unknown model is flagged
        let whole = format!("{LOG}{MORE}");
        let more = record(&db, &batch(whole.as_bytes()), &prices, now)
            .await
            .unwrap();
        assert_eq!(
            (
                more.sessions_continued,
                more.turns,
                more.usage_rows,
                more.usage_grown
            ),
            (1, 2, 1, 1)
        );
        assert!(more.unpriced_models.contains("mystery-1"));
        let (rows, output, cost, unpriced) = crate::storage::testing::ledger_totals(&db).await;
        assert_eq!((rows, output, unpriced), (2, 205, 1));
        // m1 took its larger copy: 1000 × 3 + 200 × 15
        assert_eq!(cost, 6_000);
        let objectives = crate::storage::testing::session_objectives(&db).await;
        assert_eq!(objectives[0].as_deref(), Some("Add a cart page"));
    }
}
