//! The server's secret: 32 random bytes in a file (`--secret-file`, by default
//! `secret.key` beside the database), created with mode 0600 on the first start. Keys that
//! seal stored secrets are derived from it (HKDF-SHA256, one label per purpose); a sealed
//! value is a random 24-byte nonce followed by its XChaCha20-Poly1305 ciphertext. The
//! secret is never logged. Losing or replacing the file makes what was sealed unreadable,
//! and only that: such a value is entered again.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use std::path::{Path, PathBuf};

/// The length of the secret, in bytes.
pub const SECRET_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;

/// The purpose label of the key that seals the model pass's API key.
pub const MODEL_API_KEY: &str = "paas/model_settings.api_key/v1";

/// Seals and opens values for one purpose. Its `Debug` shows nothing of the key.
#[derive(Clone)]
pub struct Sealer {
    key: Key,
    purpose: &'static str,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("purpose", &self.purpose)
            .finish_non_exhaustive()
    }
}

/// A sealed value that cannot be opened: sealed under another secret, or damaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the stored value cannot be read with this server's secret")]
pub struct Unreadable;

impl Sealer {
    /// The sealer for `purpose` under `secret`.
    pub fn new(secret: &[u8; SECRET_BYTES], purpose: &'static str) -> Self {
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"paas server secret"), secret);
        let mut key = Key::default();
        hk.expand(purpose.as_bytes(), &mut key)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        Self { key, purpose }
    }

    /// A sealer under a random secret of this process only (an in-memory database, tests):
    /// what it seals cannot be opened after a restart.
    pub fn ephemeral(purpose: &'static str) -> Self {
        let mut secret = [0u8; SECRET_BYTES];
        getrandom::fill(&mut secret).expect("the operating system's random source failed");
        Self::new(&secret, purpose)
    }

    /// `plain` sealed: a fresh random nonce, then the ciphertext and its tag.
    pub fn seal(&self, plain: &str) -> Vec<u8> {
        let mut nonce = XNonce::default();
        getrandom::fill(&mut nonce).expect("the operating system's random source failed");
        let sealed = XChaCha20Poly1305::new(&self.key)
            .encrypt(
                &nonce,
                Payload {
                    msg: plain.as_bytes(),
                    aad: self.purpose.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 seals any length a String can have");
        let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// What [`Sealer::seal`] sealed, if it was sealed for this purpose under this secret.
    pub fn open(&self, sealed: &[u8]) -> Result<String, Unreadable> {
        if sealed.len() < NONCE_BYTES {
            return Err(Unreadable);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_BYTES);
        let plain = XChaCha20Poly1305::new(&self.key)
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: self.purpose.as_bytes(),
                },
            )
            .map_err(|_| Unreadable)?;
        String::from_utf8(plain).map_err(|_| Unreadable)
    }
}

/// Where the secret lives by default: `secret.key` in the database's directory; `None`
/// for an in-memory database (nothing it stores outlives the process).
pub fn default_path(database_url: &str) -> Option<PathBuf> {
    let path = database_url.strip_prefix("sqlite:").unwrap_or(database_url);
    let path = path.strip_prefix("//").unwrap_or(path);
    let path = path.split('?').next().unwrap_or("");
    if path.is_empty() || path.contains(":memory:") || database_url.contains("mode=memory") {
        return None;
    }
    let dir = Path::new(path).parent().unwrap_or(Path::new(""));
    Some(dir.join("secret.key"))
}

/// Reads the secret at `path`, creating it (and its directory) with fresh random bytes
/// and mode 0600 when the file is missing.
pub fn load_or_create(path: &Path) -> Result<[u8; SECRET_BYTES], String> {
    use std::io::Write;
    let shown = path.display();
    match std::fs::read(path) {
        Ok(bytes) => {
            #[cfg(unix)]
            if let Ok(meta) = std::fs::metadata(path) {
                use std::os::unix::fs::PermissionsExt;
                if meta.permissions().mode() & 0o077 != 0 {
                    tracing::warn!(path = %shown, "the secret file is readable by others: chmod 600 it");
                }
            }
            return bytes.try_into().map_err(|_| {
                format!(
                    "the secret file {shown} is not {SECRET_BYTES} bytes: restore it, or remove \
                     it to make a new one (saved API keys must then be entered again)"
                )
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot read the secret file {shown}: {e}")),
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut secret = [0u8; SECRET_BYTES];
    getrandom::fill(&mut secret).map_err(|e| format!("no random bytes for the secret: {e}"))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(&secret)
                .and_then(|()| file.sync_all())
                .map_err(|e| format!("cannot write the secret file {shown}: {e}"))?;
            tracing::info!(path = %shown, "created the server's secret file");
            Ok(secret)
        }
        // another process made it first: use theirs
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create(path),
        Err(e) => Err(format!("cannot create the secret file {shown}: {e}")),
    }
}

/// The sealer for the model pass's API key of a serving process: under the secret file
/// given or beside the database, or a process-only secret for an in-memory database.
pub fn model_sealer(secret_file: Option<&Path>, database_url: &str) -> Result<Sealer, String> {
    let path = secret_file
        .map(Path::to_path_buf)
        .or_else(|| default_path(database_url));
    match path {
        Some(path) => Ok(Sealer::new(&load_or_create(&path)?, MODEL_API_KEY)),
        None => Ok(Sealer::ephemeral(MODEL_API_KEY)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_under_their_secret_and_purpose() {
        let a = Sealer::new(&[7; 32], MODEL_API_KEY);
        let sealed = a.seal("sk-test-SECRETVALUE123");
        assert_eq!(sealed.len(), 24 + 22 + 16);
        assert!(!sealed.windows(6).any(|w| w == b"SECRET" || w == b"sk-tes"));
        assert_ne!(
            sealed,
            a.seal("sk-test-SECRETVALUE123"),
            "a fresh nonce each time"
        );
        assert_eq!(a.open(&sealed).unwrap(), "sk-test-SECRETVALUE123");
        assert_eq!(
            Sealer::new(&[8; 32], MODEL_API_KEY).open(&sealed),
            Err(Unreadable)
        );
        assert_eq!(
            Sealer::new(&[7; 32], "other").open(&sealed),
            Err(Unreadable)
        );
        let mut damaged = sealed.clone();
        damaged[30] ^= 1;
        assert_eq!(a.open(&damaged), Err(Unreadable));
        assert_eq!(a.open(&[1, 2, 3]), Err(Unreadable));
        assert!(!format!("{a:?}").contains('7'));
    }

    #[test]
    fn the_secret_file_is_made_once_private_and_then_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/secret.key");
        let first = load_or_create(&path).unwrap();
        assert_eq!(load_or_create(&path).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, b"short").unwrap();
        assert!(load_or_create(&path).unwrap_err().contains("not 32 bytes"));
    }

    #[test]
    fn the_default_place_is_beside_the_database() {
        assert_eq!(
            default_path("sqlite:./data/paas.db"),
            Some(PathBuf::from("./data/secret.key"))
        );
        assert_eq!(
            default_path("sqlite:///var/lib/paas/paas.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/paas/secret.key"))
        );
        assert_eq!(default_path("paas.db"), Some(PathBuf::from("secret.key")));
        assert_eq!(default_path("sqlite::memory:"), None);
    }
}
