//! Whole-database backups while the app runs: `VACUUM INTO` a temporary file, check it,
//! then rename it into place, so a backup file is either complete and sound or absent.

use crate::domain::backup;
use crate::domain::time::Timestamp;
use crate::storage::{backup as store, Db};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists; choose a new file name")]
    Exists(String),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("the database could not be copied: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the copy failed its integrity check: {0}")]
    Corrupt(String),
}

/// A finished backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |e| BackupError::Io(path.display().to_string(), e)
}

/// Copies the whole database to `path` (a new file), consistently, while others write.
#[tracing::instrument(skip(db), err(level = "warn"))]
pub async fn backup(db: &Db, path: &Path) -> Result<Backup, BackupError> {
    if tokio::fs::try_exists(path).await.map_err(io(path))? {
        return Err(BackupError::Exists(path.display().to_string()));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir).await.map_err(io(dir))?;
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    if tokio::fs::try_exists(&partial)
        .await
        .map_err(io(&partial))?
    {
        tokio::fs::remove_file(&partial)
            .await
            .map_err(io(&partial))?;
    }
    let result = async {
        let mut conn = db.connect_detached().await?;
        store::vacuum_into(&mut conn, &partial.to_string_lossy()).await?;
        sqlx::Connection::close(conn).await?;
        let problems = store::check_file(&partial).await?;
        if problems != ["ok"] {
            return Err(BackupError::Corrupt(problems.join("; ")));
        }
        tokio::fs::rename(&partial, path).await.map_err(io(path))?;
        let bytes = tokio::fs::metadata(path).await.map_err(io(path))?.len();
        Ok(Backup {
            path: path.to_owned(),
            bytes,
        })
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(&partial).await;
    }
    result
}

/// A scheduled backup into `dir` named by `now`, then the oldest scheduled backups beyond
/// `keep` are deleted. Returns the backup and the names deleted.
pub async fn scheduled(
    db: &Db,
    dir: &Path,
    keep: usize,
    now: Timestamp,
) -> Result<(Backup, Vec<String>), BackupError> {
    let done = backup(db, &dir.join(backup::file_name(now))).await?;
    let mut names = Vec::new();
    let mut entries = tokio::fs::read_dir(dir).await.map_err(io(dir))?;
    while let Some(e) = entries.next_entry().await.map_err(io(dir))? {
        if let Some(name) = e.file_name().to_str() {
            names.push(name.to_owned());
        }
    }
    let prune = backup::to_prune(&names, keep.max(1));
    for name in &prune {
        let p = dir.join(name);
        tokio::fs::remove_file(&p).await.map_err(io(&p))?;
    }
    Ok((done, prune))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::project::ProjectInput;
    use crate::storage::temp_db;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_backup_taken_during_writes_is_sound_and_consistent() {
        let (dir, db) = temp_db().await;
        let stop = Arc::new(AtomicBool::new(false));
        let mut writers = Vec::new();
        for w in 0..2 {
            let (db, stop) = (db.clone(), stop.clone());
            writers.push(tokio::spawn(async move {
                let mut n = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    let input = ProjectInput {
                        name: Some(format!("p{w}-{n}")),
                        description: Some("x".repeat(2_000)),
                    };
                    crate::service::project::create(&db, &input, t("2026-03-01T00:00:00Z"))
                        .await
                        .unwrap();
                    n += 1;
                }
                n
            }));
        }
        // let the writers get going, then back up three times while they run
        while crate::storage::testing::count(&db, "projects").await < 50 {
            tokio::task::yield_now().await;
        }
        let mut copies = Vec::new();
        for i in 0..3 {
            copies.push(
                backup(&db, &dir.path().join(format!("copy-{i}.db")))
                    .await
                    .unwrap(),
            );
        }
        stop.store(true, Ordering::Relaxed);
        let mut written = 0;
        for w in writers {
            written += w.await.unwrap();
        }
        let mut seen = Vec::new();
        for copy in &copies {
            assert!(copy.bytes > 0);
            assert_eq!(store::check_file(&copy.path).await.unwrap(), ["ok"]);
            let copy_db = crate::storage::connect(&copy.path.to_string_lossy())
                .await
                .unwrap();
            let n = crate::storage::testing::count(&copy_db, "projects").await;
            assert_eq!(
                crate::storage::testing::foreign_key_problems(&copy_db).await,
                0
            );
            seen.push(n);
        }
        assert!(
            seen.windows(2).all(|w| w[0] <= w[1]),
            "later copies hold more: {seen:?}"
        );
        assert!(seen[0] >= 50 && (seen[2] as u32) <= written);
        // no temporary file is left behind, and an existing file is never overwritten
        assert!(!dir.path().join("copy-0.db.partial").exists());
        let again = backup(&db, &copies[0].path).await.unwrap_err();
        assert!(matches!(again, BackupError::Exists(_)), "{again}");
    }

    #[tokio::test]
    async fn scheduled_backups_keep_the_newest() {
        let (dir, db) = temp_db().await;
        let backups = dir.path().join("backups");
        std::fs::create_dir_all(&backups).unwrap();
        std::fs::write(backups.join("notes.txt"), "mine").unwrap();
        let mut last = Vec::new();
        for hour in 0..4 {
            let now = t(&format!("2026-03-01T0{hour}:00:00Z"));
            let (done, pruned) = scheduled(&db, &backups, 2, now).await.unwrap();
            assert!(done.path.ends_with(backup::file_name(now)));
            last = pruned;
        }
        assert_eq!(last, vec!["paas-20260301T010000Z.db".to_string()]);
        let mut left: Vec<String> = std::fs::read_dir(&backups)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            vec![
                "notes.txt",
                "paas-20260301T020000Z.db",
                "paas-20260301T030000Z.db"
            ]
        );
    }
}
