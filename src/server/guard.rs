//! Request guards that run before any handler: the `Host` allow-list (DNS rebinding),
//! same-origin writes for browsers (CSRF), and the security headers of every response.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Where the app is reachable: loopback names always, and the configured public URL.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    /// `https://paas.example.com` (scheme, host and port of `--public-url`), if configured.
    pub public: Option<String>,
    /// The port the server listens on (loopback origins must use it); `None` accepts any.
    pub port: Option<u16>,
}

impl Origins {
    /// The public URL parsed into its origin (`scheme://host[:port]`, no path).
    pub fn new(public_url: Option<&str>, port: Option<u16>) -> Result<Self, String> {
        let public = match public_url.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => {
                let url = url::Url::parse(raw).map_err(|e| format!("--public-url {raw:?}: {e}"))?;
                if !matches!(url.scheme(), "http" | "https") {
                    return Err(format!("--public-url {raw:?}: must be http or https"));
                }
                if url.host_str().is_none() {
                    return Err(format!("--public-url {raw:?}: names no host"));
                }
                Some(url.origin().ascii_serialization())
            }
        };
        Ok(Self { public, port })
    }

    /// Whether the app is served over https (cookies get `Secure` and `__Host-`).
    pub fn https(&self) -> bool {
        self.public
            .as_deref()
            .is_some_and(|o| o.starts_with("https://"))
    }

    /// `host[:port]` of the public URL.
    fn public_host(&self) -> Option<&str> {
        self.public
            .as_deref()
            .and_then(|o| o.split_once("://"))
            .map(|(_, h)| h)
    }

    /// Whether a `Host` header names this app: a loopback name, or the public host.
    pub fn host_allowed(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        if let Some(public) = self.public_host() {
            if strip_default_port(&host) == strip_default_port(public) {
                return true;
            }
        }
        let (name, port) = split_host(&host);
        is_loopback_name(name) && self.port_ok(port)
    }

    /// Whether an `Origin` header is one of this app's own origins.
    pub fn origin_allowed(&self, origin: &str) -> bool {
        let origin = origin.trim().to_ascii_lowercase();
        if self.public.as_deref() == Some(origin.as_str()) {
            return true;
        }
        let Some(rest) = origin.strip_prefix("http://") else {
            return false;
        };
        let (name, port) = split_host(rest);
        is_loopback_name(name) && self.port_ok(port)
    }

    fn port_ok(&self, port: Option<u16>) -> bool {
        match self.port {
            None => true,
            Some(want) => port.unwrap_or(80) == want,
        }
    }
}

fn strip_default_port(host: &str) -> &str {
    host.strip_suffix(":443")
        .or_else(|| host.strip_suffix(":80"))
        .unwrap_or(host)
}

/// `name[:port]` with IPv6 brackets kept on the name.
fn split_host(host: &str) -> (&str, Option<u16>) {
    if let Some(end) = host.find(']') {
        let (name, rest) = host.split_at(end + 1);
        return (name, rest.strip_prefix(':').and_then(|p| p.parse().ok()));
    }
    match host.rsplit_once(':') {
        Some((name, port)) => match port.parse() {
            Ok(p) => (name, Some(p)),
            Err(_) => (host, None),
        },
        None => (host, None),
    }
}

fn is_loopback_name(name: &str) -> bool {
    matches!(name, "localhost" | "[::1]") || name.starts_with("127.") && is_ipv4(name)
}

fn is_ipv4(s: &str) -> bool {
    s.parse::<std::net::Ipv4Addr>().is_ok()
}

/// Why a request was refused before reaching a handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The `Host` header names another site (or is missing).
    Host,
    /// A browser write from another origin.
    CrossSite,
}

/// The write rule for browsers: a state-changing request carrying the session cookie must
/// show the app's own origin in `Sec-Fetch-Site` or `Origin`. Requests without the cookie
/// (API tokens, scripts) are not a browser's ambient authority and pass; their own
/// credentials are checked later.
pub fn check_origin(
    origins: &Origins,
    method: &Method,
    headers: &HeaderMap,
    has_cookie: bool,
) -> Result<(), Refusal> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        return match site.to_str().unwrap_or("") {
            "same-origin" | "none" => Ok(()),
            _ => Err(Refusal::CrossSite),
        };
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        return match origin.to_str() {
            Ok(o) if origins.origin_allowed(o) => Ok(()),
            _ => Err(Refusal::CrossSite),
        };
    }
    if has_cookie {
        Err(Refusal::CrossSite)
    } else {
        Ok(())
    }
}

/// The `Host` of a request: the header, or the URI's authority (HTTP/2).
pub fn request_host(req: &Request) -> Option<String> {
    req.headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.as_str().to_owned()))
}

/// The middleware: `Host` first, then the origin rule, then security headers on the answer.
pub async fn guard(
    State(state): State<crate::server::AppState>,
    req: Request,
    next: Next,
) -> Response {
    let origins = &state.security.origins;
    let host_ok = request_host(&req).is_some_and(|h| origins.host_allowed(&h));
    let verdict = if !host_ok {
        Err(Refusal::Host)
    } else {
        let has_cookie = crate::server::auth::session_cookie(req.headers(), origins).is_some();
        check_origin(origins, req.method(), req.headers(), has_cookie)
    };
    let mut res = match verdict {
        Ok(()) => next.run(req).await,
        Err(refusal) => {
            let path = req.uri().path().to_owned();
            tracing::warn!(?refusal, %path, method = %req.method(), "request refused");
            refuse(refusal, &path)
        }
    };
    add_security_headers(res.headers_mut(), origins.https());
    res
}

fn refuse(refusal: Refusal, path: &str) -> Response {
    use crate::error::AppError;
    let (status, message) = match refusal {
        Refusal::Host => (
            StatusCode::MISDIRECTED_REQUEST,
            "this server does not answer for that host name; use the address it was \
             configured with (--public-url) or a loopback address",
        ),
        Refusal::CrossSite => (
            StatusCode::FORBIDDEN,
            "refused: the request came from another site; changes can only be made from \
             this app's own pages or with an API token",
        ),
    };
    let error = AppError::Forbidden {
        message: message.into(),
    };
    let mut res = if path.starts_with("/api/") || path == "/api" {
        crate::rest::ApiError(error).into_response()
    } else {
        (status, axum::Json(error)).into_response()
    };
    *res.status_mut() = status;
    res
}

/// Headers every answer carries; HTML pages add their Content-Security-Policy (with the
/// render's nonce) in `ui::shell`.
pub fn add_security_headers(headers: &mut HeaderMap, https: bool) {
    let set = |h: &mut HeaderMap, name: &'static str, value: &'static str| {
        if !h.contains_key(name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(headers, "x-content-type-options", "nosniff");
    set(
        headers,
        "referrer-policy",
        "strict-origin-when-cross-origin",
    );
    set(headers, "x-frame-options", "DENY");
    set(headers, "cross-origin-opener-policy", "same-origin");
    set(
        headers,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    );
    if https {
        set(
            headers,
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        );
    }
    // answers that are not pages (JSON, files) get a policy that allows nothing active
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        set(
            headers,
            "content-security-policy",
            "default-src 'none'; frame-ancestors 'none'; sandbox",
        );
    }
}

/// The policy of an HTML page rendered with `nonce`.
pub fn page_policy(nonce: &str, reload_port: Option<u32>) -> String {
    let connect = match reload_port {
        Some(p) => format!("'self' ws://localhost:{p} ws://127.0.0.1:{p}"),
        None => "'self'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
         connect-src {connect}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
         form-action 'self'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins() -> Origins {
        Origins::new(None, Some(3000)).unwrap()
    }

    #[test]
    fn hosts() {
        let o = origins();
        for ok in [
            "localhost:3000",
            "127.0.0.1:3000",
            "[::1]:3000",
            "LOCALHOST:3000",
        ] {
            assert!(o.host_allowed(ok), "{ok}");
        }
        for bad in [
            "evil.example:3000",
            "evil.example",
            "localhost:3001",
            "127.0.0.1.evil.example:3000",
            "localhost.evil.example:3000",
            "",
        ] {
            assert!(!o.host_allowed(bad), "{bad}");
        }
        let p = Origins::new(Some("https://paas.example.com/app"), Some(3000)).unwrap();
        assert_eq!(p.public.as_deref(), Some("https://paas.example.com"));
        assert!(p.host_allowed("paas.example.com"));
        assert!(p.host_allowed("paas.example.com:443"));
        assert!(!p.host_allowed("other.example.com"));
        assert!(p.https());
        assert!(Origins::new(Some("ftp://x"), None).is_err());
        assert!(Origins::new(Some("not a url"), None).is_err());
    }

    #[test]
    fn origins_of_writes() {
        let o = origins();
        let post = Method::POST;
        let with = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            h
        };
        let same = with(&[("sec-fetch-site", "same-origin")]);
        assert_eq!(check_origin(&o, &post, &same, true), Ok(()));
        for site in ["cross-site", "same-site"] {
            let h = with(&[("sec-fetch-site", site)]);
            assert_eq!(
                check_origin(&o, &post, &h, false),
                Err(Refusal::CrossSite),
                "{site}, even without a cookie"
            );
        }
        let ours = with(&[("origin", "http://127.0.0.1:3000")]);
        assert_eq!(check_origin(&o, &post, &ours, true), Ok(()));
        for bad in ["http://evil.example", "null", "http://localhost:5173"] {
            let mut h = HeaderMap::new();
            h.insert("origin", HeaderValue::from_str(bad).unwrap());
            assert_eq!(
                check_origin(&o, &post, &h, true),
                Err(Refusal::CrossSite),
                "{bad}"
            );
        }
        // neither header: only clients without the browser cookie
        assert_eq!(
            check_origin(&o, &post, &HeaderMap::new(), true),
            Err(Refusal::CrossSite)
        );
        assert_eq!(check_origin(&o, &post, &HeaderMap::new(), false), Ok(()));
        // reads are never refused here
        let evil = with(&[("origin", "http://evil.example")]);
        assert_eq!(check_origin(&o, &Method::GET, &evil, true), Ok(()));
    }
}
