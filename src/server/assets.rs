//! The browser bundle embedded in the binary (see `build.rs`): each file with its gzip and
//! brotli variants, served by what the client accepts; the bundle's own files sit under a
//! directory named by their content hash and are cached for good. Files not in the table come from
//! `--site-root` on disk (development).

use crate::server::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// The URL path (`/pkg/3f…9a/paas.wasm`).
    pub path: &'static str,
    pub raw: &'static [u8],
    pub gzip: Option<&'static [u8]>,
    pub brotli: Option<&'static [u8]>,
    /// A name with the content's hash: it never changes, so it is cached for good.
    pub immutable: bool,
}

/// The embedded files and the hash their names carry (empty when nothing is embedded).
#[derive(Debug, Clone, Copy, Default)]
pub struct Embedded {
    pub files: &'static [Asset],
    pub hash: &'static str,
}

impl Embedded {
    pub fn find(&self, path: &str) -> Option<&'static Asset> {
        self.files.iter().find(|a| a.path == path)
    }

    /// Where the bundle's files are: `pkg/<hash>`, or `pkg` when not embedded.
    pub fn pkg_dir(&self) -> String {
        if self.hash.is_empty() {
            "pkg".into()
        } else {
            format!("pkg/{}", self.hash.trim())
        }
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" | "webmanifest" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// Whether `accept` (an `Accept-Encoding` value) takes `coding` (a `q=0` refuses it).
fn accepts(accept: &str, coding: &str) -> bool {
    accept.split(',').any(|part| {
        let mut it = part.split(';');
        let name = it.next().unwrap_or("").trim();
        let refused = it.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        name.eq_ignore_ascii_case(coding) && !refused
    })
}

/// Answers GET and HEAD for embedded files; anything else goes on.
pub async fn serve(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let Some(asset) = state.assets.find(req.uri().path()) else {
        return next.run(req).await;
    };
    let accept = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (body, coding) = match (asset.brotli, asset.gzip) {
        (Some(br), _) if accepts(accept, "br") => (br, Some("br")),
        (_, Some(gz)) if accepts(accept, "gzip") => (gz, Some("gzip")),
        _ => (asset.raw, None),
    };
    let head = *req.method() == Method::HEAD;
    let mut res = Response::new(if head {
        Body::empty()
    } else {
        Body::from(body)
    });
    *res.status_mut() = StatusCode::OK;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(asset.path)),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    if let Some(c) = coding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(c));
    }
    if asset.gzip.is_some() {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if asset.immutable {
            "public, max-age=31536000, immutable"
        } else {
            "public, max-age=3600"
        }),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_taken_unless_refused() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip;q=1.0, br;q=0.5", "br"));
        assert!(!accepts("gzip, br;q=0", "br"));
        assert!(!accepts("", "gzip"));
        assert!(accepts("GZIP", "gzip"));
    }
}
