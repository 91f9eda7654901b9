//! The model pass: an OpenAI-compatible chat-completions endpoint (Ollama, llama.cpp
//! server, vLLM, OpenAI…) that may rewrite a handoff briefing. What makes its settings
//! valid; the rewrite itself and its check are in `handoff::rewrite`.

use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// Longest model name accepted.
pub const MAX_MODEL_CHARS: usize = 200;
/// Longest API key accepted.
pub const MAX_KEY_CHARS: usize = 400;
/// Longest base URL accepted.
pub const MAX_URL_CHARS: usize = 2000;
/// The shortest and the longest time the model may take, in seconds.
pub const MIN_TIMEOUT_SECS: i64 = 1;
pub const MAX_TIMEOUT_SECS: i64 = 120;
/// The timeout a form starts with.
pub const DEFAULT_TIMEOUT_SECS: i64 = 30;

/// The endpoint as shown and sent: never the key, only whether one is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModelSettings {
    /// Where `/chat/completions` is appended (`http://127.0.0.1:11434/v1`).
    pub base_url: String,
    pub model: String,
    /// Seconds the model may take before the extractive briefing is returned.
    pub timeout_secs: i64,
    /// Whether an API key is saved (it is never sent back).
    pub has_key: bool,
}

/// The endpoint to save: `api_key` left out keeps the saved key, `""` removes it,
/// anything else replaces it.
// (its `Debug` hides the key)
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModelInput {
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub model: String,
    /// Seconds, 1 to 120 (30 when left out).
    #[serde(default)]
    pub timeout_secs: Option<i64>,
    /// Left out: keep the saved key; empty: remove it; otherwise the new key.
    #[serde(default)]
    pub api_key: Option<String>,
}

impl std::fmt::Debug for ModelInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelInput")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("timeout_secs", &self.timeout_secs)
            .field("api_key", &self.api_key.as_ref().map(|_| "…"))
            .finish()
    }
}

/// What to do with the saved key. Its `Debug` hides the key.
#[derive(Clone, PartialEq, Eq)]
pub enum KeyChange {
    Keep,
    Remove,
    Set(String),
}

impl std::fmt::Debug for KeyChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyChange::Keep => "Keep",
            KeyChange::Remove => "Remove",
            KeyChange::Set(_) => "Set(…)",
        })
    }
}

/// Valid settings, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidModel {
    pub base_url: String,
    pub model: String,
    pub timeout_secs: i64,
    pub key: KeyChange,
}

impl ModelInput {
    /// Checks every field; the first that is wrong is named.
    pub fn validate(&self) -> Result<ValidModel, FieldError> {
        let base_url = base_url(&self.base_url)?;
        let model = self.model.trim();
        if model.is_empty() {
            return Err(FieldError::new(
                "model",
                "name the model (for example llama3.1 or gpt-4o-mini)",
            ));
        }
        if model.chars().count() > MAX_MODEL_CHARS {
            return Err(FieldError::new(
                "model",
                format!("at most {MAX_MODEL_CHARS} characters"),
            ));
        }
        if model.chars().any(char::is_control) {
            return Err(FieldError::new("model", "no control characters"));
        }
        let timeout_secs = self.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS);
        if !(MIN_TIMEOUT_SECS..=MAX_TIMEOUT_SECS).contains(&timeout_secs) {
            return Err(FieldError::new(
                "timeout_secs",
                format!("between {MIN_TIMEOUT_SECS} and {MAX_TIMEOUT_SECS} seconds"),
            ));
        }
        let key = match self.api_key.as_deref().map(str::trim) {
            None => KeyChange::Keep,
            Some("") => KeyChange::Remove,
            Some(k) if k.chars().count() > MAX_KEY_CHARS => {
                return Err(FieldError::new(
                    "api_key",
                    format!("at most {MAX_KEY_CHARS} characters"),
                ))
            }
            // it goes into an HTTP header: visible ASCII only
            Some(k) if !k.chars().all(|c| c.is_ascii_graphic()) => {
                return Err(FieldError::new(
                    "api_key",
                    "only visible ASCII characters, no spaces",
                ))
            }
            Some(k) => KeyChange::Set(k.to_owned()),
        };
        Ok(ValidModel {
            base_url,
            model: model.to_owned(),
            timeout_secs,
            key,
        })
    }
}

/// An `http` or `https` URL with a host, no credentials, query or fragment; without its
/// trailing slashes (`/chat/completions` is appended).
pub fn base_url(raw: &str) -> Result<String, FieldError> {
    let bad = |m: &str| FieldError::new("base_url", m);
    let url = raw.trim();
    if url.is_empty() {
        return Err(bad(
            "enter the endpoint's base URL (for example http://127.0.0.1:11434/v1)",
        ));
    }
    if url.chars().count() > MAX_URL_CHARS {
        return Err(bad(&format!("at most {MAX_URL_CHARS} characters")));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("a URL has no spaces"));
    }
    let lower = url.to_ascii_lowercase();
    let rest = if lower.starts_with("http://") {
        &url[7..]
    } else if lower.starts_with("https://") {
        &url[8..]
    } else {
        return Err(bad("must start with http:// or https://"));
    };
    if rest.contains(['?', '#']) {
        return Err(bad(
            "no query or fragment: only the base the API's paths follow",
        ));
    }
    let authority = rest.split('/').next().unwrap_or("");
    if authority.contains('@') {
        return Err(bad(
            "no user or password in the URL: put a key in the API key field",
        ));
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, after)) => (h, after.strip_prefix(':')),
            None => return Err(bad("an IPv6 host is written [::1]")),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
    if !host_ok {
        return Err(bad("the URL needs a host (a name or an address)"));
    }
    if let Some(p) = port {
        if p.parse::<u16>().map_or(true, |p| p == 0) {
            return Err(bad("the port must be a number from 1 to 65535"));
        }
    }
    Ok(url.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(url: &str, model: &str, timeout: Option<i64>, key: Option<&str>) -> ModelInput {
        ModelInput {
            base_url: url.into(),
            model: model.into(),
            timeout_secs: timeout,
            api_key: key.map(str::to_owned),
        }
    }

    #[test]
    fn good_settings_pass_trimmed() {
        let v = input(" http://127.0.0.1:11434/v1/ ", " llama3 ", None, None)
            .validate()
            .unwrap();
        assert_eq!(v.base_url, "http://127.0.0.1:11434/v1");
        assert_eq!(v.model, "llama3");
        assert_eq!(v.timeout_secs, DEFAULT_TIMEOUT_SECS);
        assert_eq!(v.key, KeyChange::Keep);
        let v = input(
            "https://api.openai.com/v1",
            "gpt-4o-mini",
            Some(120),
            Some("sk-1"),
        )
        .validate()
        .unwrap();
        assert_eq!(v.key, KeyChange::Set("sk-1".into()));
        assert_eq!(
            input("http://[::1]:8080", "m", Some(1), Some(" "))
                .validate()
                .unwrap()
                .key,
            KeyChange::Remove
        );
        assert!(base_url("HTTP://localhost").is_ok());
    }

    #[test]
    fn debug_output_hides_the_key() {
        let i = input("http://h", "m", None, Some("sk-SECRET"));
        assert!(!format!("{i:?}").contains("SECRET"));
        assert!(!format!("{:?}", i.validate().unwrap()).contains("SECRET"));
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases = [
            (input("", "m", None, None), "base_url"),
            (input("ftp://x", "m", None, None), "base_url"),
            (input("http://", "m", None, None), "base_url"),
            (input("http:///v1", "m", None, None), "base_url"),
            (input("http://a b", "m", None, None), "base_url"),
            (input("http://u:p@host/v1", "m", None, None), "base_url"),
            (input("http://host:99999", "m", None, None), "base_url"),
            (input("http://host/v1?x=1", "m", None, None), "base_url"),
            (input("javascript:alert(1)", "m", None, None), "base_url"),
            (input("http://h", " ", None, None), "model"),
            (input("http://h", &"m".repeat(201), None, None), "model"),
            (input("http://h", "m", Some(0), None), "timeout_secs"),
            (input("http://h", "m", Some(121), None), "timeout_secs"),
            (
                input("http://h", "m", None, Some(&"k".repeat(401))),
                "api_key",
            ),
            (input("http://h", "m", None, Some("a key")), "api_key"),
        ];
        for (i, field) in cases {
            assert_eq!(i.validate().unwrap_err().field, field, "{i:?}");
        }
    }
}
