//! Embeds the browser bundle (`target/site`, made by `scripts/build-site.sh`) in the server
//! binary: every file with gzip and brotli variants, the bundle's files under a directory
//! named by their content hash, and the git commit for `paas --version`. Without a built site the
//! table is empty and the server reads files from `--site-root`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    commit(&manifest);
    let server = std::env::var("CARGO_FEATURE_SSR").is_ok();
    let site = manifest.join("target/site");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PAAS_EMBED_SITE");
    let mut table = String::from("&[\n");
    let mut hash = String::new();
    if server && std::env::var("PAAS_EMBED_SITE").as_deref() != Ok("0") {
        if !site.exists() {
            // a directory to watch (a path that does not exist makes cargo run this always)
            let _ = std::fs::create_dir_all(&site);
        }
        println!("cargo:rerun-if-changed={}", site.display());
        let release = std::env::var("PROFILE").as_deref() == Ok("release");
        let mut files = Vec::new();
        walk(&site, &mut files);
        files.sort();
        // the bundle's own files (everything under pkg/: the main module, the lazily
        // loaded chunks, the loader that imports them by relative name, the CSS) are
        // served from a directory named by their joint content hash
        let mut h = Fnv::default();
        for p in &files {
            if let Ok(rel) = p.strip_prefix(site.join("pkg")) {
                h.write(rel.to_string_lossy().as_bytes());
                h.write(&std::fs::read(p).unwrap_or_default());
                hash = format!("{:016x}", h.0);
            }
        }
        for path in &files {
            let rel = path
                .strip_prefix(&site)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel.starts_with('.') || rel.ends_with(".gz") || rel.ends_with(".br") {
                continue;
            }
            let bytes = std::fs::read(path).unwrap_or_default();
            let name = match rel.strip_prefix("pkg/") {
                Some(rest) if !hash.is_empty() => format!("pkg/{hash}/{rest}"),
                _ => rel.clone(),
            };
            let key = name.replace(['/', '.', '-'], "_");
            let raw = out.join(format!("{key}.raw"));
            std::fs::write(&raw, &bytes).unwrap();
            let compressible = !matches!(
                rel.rsplit('.').next(),
                Some("png" | "jpg" | "jpeg" | "gif" | "webp" | "woff2" | "ico")
            ) && bytes.len() > 512;
            let (gz, br) = if compressible {
                let gz = out.join(format!("{key}.gz"));
                let mut enc = flate2::write::GzEncoder::new(
                    Vec::new(),
                    flate2::Compression::new(if release { 9 } else { 1 }),
                );
                enc.write_all(&bytes).unwrap();
                std::fs::write(&gz, enc.finish().unwrap()).unwrap();
                let br = out.join(format!("{key}.br"));
                let mut packed = Vec::new();
                {
                    let params = brotli::enc::BrotliEncoderParams {
                        quality: if release { 11 } else { 1 },
                        lgwin: 22,
                        ..Default::default()
                    };
                    brotli::BrotliCompress(&mut &bytes[..], &mut packed, &params).unwrap();
                }
                std::fs::write(&br, packed).unwrap();
                (
                    format!("Some(include_bytes!({:?}))", gz.display().to_string()),
                    format!("Some(include_bytes!({:?}))", br.display().to_string()),
                )
            } else {
                ("None".into(), "None".into())
            };
            let _ = writeln!(
                table,
                "    Asset {{ path: {:?}, raw: include_bytes!({:?}), gzip: {gz}, brotli: {br}, immutable: {} }},",
                format!("/{name}"),
                raw.display().to_string(),
                name != rel,
            );
        }
    }
    table.push(']');
    std::fs::write(out.join("assets.rs"), table).unwrap();
    std::fs::write(out.join("bundle_hash.txt"), &hash).unwrap();
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The commit the binary was built from (for `paas --version`), when git knows it.
fn commit(manifest: &Path) {
    let head = manifest.join(".git/HEAD");
    if head.exists() {
        println!("cargo:rerun-if-changed={}", head.display());
        if let Ok(text) = std::fs::read_to_string(&head) {
            if let Some(r) = text.trim().strip_prefix("ref: ") {
                // a packed ref has no file: watching a missing path would rerun this always
                let file = manifest.join(".git").join(r);
                if file.exists() {
                    println!("cargo:rerun-if-changed={}", file.display());
                }
            }
        }
    }
    let hash = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(manifest)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=PAAS_GIT_COMMIT={hash}");
}

/// FNV-1a, 64 bits: enough to tell two builds of the bundle apart.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}
