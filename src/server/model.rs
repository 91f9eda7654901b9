//! The model pass's one network call: `POST {base_url}/chat/completions` in the OpenAI
//! format, which Ollama, llama.cpp server, vLLM, OpenAI and others answer. Bounded by the
//! configured timeout; no redirects are followed (the key would go along). Neither the key
//! nor the prompt is ever logged.

use crate::domain::handoff::rewrite::Message;
use std::time::Duration;

/// Largest answer read, in bytes.
const MAX_ANSWER_BYTES: u64 = 4 * 1024 * 1024;

/// Where to send the request and how long to wait.
#[derive(Clone)]
pub struct Endpoint {
    pub base_url: String,
    pub model: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub api_key: Option<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("has_key", &self.api_key.is_some())
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Why the model gave no rewrite; its `Display` is the reason people are shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("the model timed out after {0} s")]
    Timeout(u64),
    #[error("the model answered {0}")]
    Status(u16),
    #[error("the model's host was not found")]
    HostNotFound,
    #[error("the model could not be reached ({0})")]
    Unreachable(String),
    #[error("the model's answer could not be read ({0})")]
    BadAnswer(String),
}

/// Asks the model to answer `messages`; its answer's text.
pub async fn chat(endpoint: Endpoint, messages: Vec<Message>) -> Result<String, CallError> {
    let secs = endpoint.timeout.as_secs().max(1);
    let call = tokio::task::spawn_blocking(move || call(&endpoint, &messages));
    // ureq's own timeout ends the call; this one only makes sure the request does too
    match tokio::time::timeout(Duration::from_secs(secs) + Duration::from_secs(2), call).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(_)) => Err(CallError::Unreachable("the call failed".into())),
        Err(_) => Err(CallError::Timeout(secs)),
    }
}

fn call(endpoint: &Endpoint, messages: &[Message]) -> Result<String, CallError> {
    let secs = endpoint.timeout.as_secs().max(1);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(endpoint.timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let body = serde_json::json!({
        "model": endpoint.model,
        "messages": messages,
        "temperature": 0,
        "stream": false,
    });
    let url = format!("{}/chat/completions", endpoint.base_url);
    let mut req = agent.post(&url);
    if let Some(key) = &endpoint.api_key {
        req = req.header("Authorization", &format!("Bearer {key}"));
    }
    let failed = |e: ureq::Error| match e {
        ureq::Error::Timeout(_) => CallError::Timeout(secs),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            CallError::Timeout(secs)
        }
        ureq::Error::HostNotFound => CallError::HostNotFound,
        other => CallError::Unreachable(other.to_string()),
    };
    let mut res = req.send_json(&body).map_err(failed)?;
    let status = res.status().as_u16();
    if !(200..300).contains(&status) {
        return Err(CallError::Status(status));
    }
    let answer: serde_json::Value = res
        .body_mut()
        .with_config()
        .limit(MAX_ANSWER_BYTES)
        .read_json()
        .map_err(|e| match e {
            ureq::Error::Timeout(_) => CallError::Timeout(secs),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                CallError::Timeout(secs)
            }
            _ => CallError::BadAnswer("not JSON".into()),
        })?;
    answer["choices"][0]["message"]["content"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| CallError::BadAnswer("no choices[0].message.content".into()))
}
