//! What can go wrong when a stage calls a model, in terms the state machine and the user can act
//! on: whether to retry (`retryable`), the stable `errorType` the state machine's Retry and Catch
//! match on (`error_type`), and what to change (`hint`).
//!
//! Every backend (Bedrock, Textract, OpenAI-compatible servers) maps its own failures onto these
//! variants, so a throttled Bedrock call and a throttled vLLM call are retried by the same rule.

use std::time::Duration;

use lambda_runtime::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// HTTP 429 or the service's rate-limit error: retryable, the state machine backs off.
    #[error("{backend} throttled the request to `{model}`: {detail}")]
    Throttled {
        backend: &'static str,
        model: String,
        detail: String,
    },
    /// 5xx, connection refused or reset, a model still loading: retryable.
    #[error("{backend} is unavailable for `{model}`: {detail}")]
    Unavailable {
        backend: &'static str,
        model: String,
        detail: String,
    },
    /// No answer within the timeout, `attempts` times over: retryable.
    #[error("{backend} did not answer for `{model}` within {} s ({attempts} attempts)", after.as_secs_f64())]
    Timeout {
        backend: &'static str,
        model: String,
        after: Duration,
        attempts: u32,
    },
    /// 401/403, or an account without quota: retrying does not help.
    #[error("{backend} denied access to `{model}`: {detail}")]
    AccessDenied {
        backend: &'static str,
        model: String,
        detail: String,
    },
    /// 404 or "model not found": the id is wrong or the server has not loaded it.
    #[error("{backend} has no model `{model}`: {detail}")]
    ModelNotFound {
        backend: &'static str,
        model: String,
        detail: String,
    },
    /// The server refused the input as longer than the model's context. Never cut silently.
    #[error("the input is too large for `{model}` on {backend}: {detail}")]
    InputTooLarge {
        backend: &'static str,
        model: String,
        detail: String,
    },
    /// The answer stopped at the token limit (`finish_reason: length`); `text` is what came.
    #[error("{}", truncated_message(*max_tokens))]
    Truncated {
        text: String,
        max_tokens: Option<u32>,
    },
    /// Any other 4xx, with the server's own message.
    #[error("{0}")]
    BadRequest(String),
    /// The answer is not JSON, or not the requested shape; the caller may try one repair.
    #[error("the model's answer is not usable: {reason}")]
    InvalidAnswer { reason: String, text: String },
    /// The engine's settings cannot work (no such endpoint, key variable unset, bad URL).
    #[error("{backend} is misconfigured: {reason}")]
    Misconfigured {
        backend: &'static str,
        reason: String,
        hint: String,
    },
}

fn truncated_message(max_tokens: Option<u32>) -> String {
    match max_tokens {
        Some(n) => format!("the model's answer was cut at max_tokens = {n}"),
        None => "the model's answer was cut at the server's own token limit".into(),
    }
}

impl EngineError {
    /// Worth trying again later: the state machine's Retry covers exactly these.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            EngineError::Throttled { .. }
                | EngineError::Unavailable { .. }
                | EngineError::Timeout { .. }
        )
    }

    /// The `errorType` reported to Lambda (as `HandlerError::error_type` does); the state
    /// machine's Retry and Catch match on these names, so they must not change.
    pub fn error_type(&self) -> &'static str {
        match self {
            EngineError::Throttled { .. } => "idpctl.ModelThrottled",
            EngineError::Unavailable { .. } => "idpctl.ModelUnavailable",
            EngineError::Timeout { .. } => "idpctl.ModelTimeout",
            EngineError::AccessDenied { .. } => "idpctl.ModelAccessDenied",
            EngineError::ModelNotFound { .. } => "idpctl.ModelNotFound",
            EngineError::InputTooLarge { .. } => "idpctl.ModelInputTooLarge",
            EngineError::Truncated { .. } => "idpctl.ModelTruncated",
            EngineError::BadRequest(_) => "idpctl.ModelBadRequest",
            EngineError::InvalidAnswer { .. } => "idpctl.ModelInvalidAnswer",
            EngineError::Misconfigured { .. } => "idpctl.ModelMisconfigured",
        }
    }

    /// One line that says what to do about it.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            EngineError::Throttled { .. } => "the state machine retries with back-off; if it \
                 keeps happening, raise the service's rate limit or lower the stack's concurrency"
                .into(),
            EngineError::Unavailable { backend, .. } => format!(
                "the state machine retries; if it keeps happening, check that the {backend} \
                 endpoint is up and reachable from the functions"
            ),
            EngineError::Timeout { .. } => "raise the engine's timeout, or use a faster model \
                 (page images take longest)"
                .into(),
            EngineError::AccessDenied { backend, model, .. } => match *backend {
                "bedrock" => format!(
                    "grant the function's role bedrock:InvokeModel on `{model}` and enable \
                     access to it in the Bedrock console for this region"
                ),
                "textract" => "grant the function's role the textract:Analyze*/Detect* actions \
                     it calls"
                    .into(),
                _ => format!(
                    "check the API key (the environment variable the engine reads it from) and \
                     that it may use `{model}`"
                ),
            },
            EngineError::ModelNotFound { backend, .. } => match *backend {
                "bedrock" => "check the model id and the region; some models are only reached \
                     through an inference profile id (e.g. `us.` + the model id)"
                    .into(),
                _ => "check the model id, and that the server has loaded it (`ollama pull`, \
                     `llama-server -m`, vLLM's --served-model-name); GET <base_url>/models lists \
                     what it serves"
                    .into(),
            },
            EngineError::InputTooLarge { .. } => "split the document into smaller sections, \
                 lower max_tokens, or use a model or server with a larger context \
                 (llama-server -c, vLLM --max-model-len)"
                .into(),
            EngineError::Truncated { max_tokens, .. } => match max_tokens {
                Some(n) => format!("raise max_tokens for this stage (it is {n})"),
                None => "set max_tokens for this stage; the server's default limit cut it".into(),
            },
            EngineError::BadRequest(_) => {
                "the server's message says what it refused; check the engine's parameters \
                 (OpenAI itself rejects top_k, some servers reject response_format)"
                    .into()
            }
            EngineError::InvalidAnswer { .. } => "a larger model, or a server that enforces the \
                 JSON schema (response_format), answers in shape more reliably"
                .into(),
            EngineError::Misconfigured { hint, .. } => hint.clone(),
        })
    }
}

/// Lets a handler return an engine error to Lambda with its stable `errorType`; the message
/// carries the hint because it becomes the document's failure reason.
impl From<EngineError> for Diagnostic {
    fn from(e: EngineError) -> Self {
        let error_message = match e.hint() {
            Some(hint) => format!("{e} (hint: {hint})"),
            None => e.to_string(),
        };
        Diagnostic {
            error_type: e.error_type().to_string(),
            error_message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<EngineError> {
        let (backend, model, detail) = ("openai", "m".to_string(), "d".to_string());
        vec![
            EngineError::Throttled {
                backend,
                model: model.clone(),
                detail: detail.clone(),
            },
            EngineError::Unavailable {
                backend,
                model: model.clone(),
                detail: detail.clone(),
            },
            EngineError::Timeout {
                backend,
                model: model.clone(),
                after: Duration::from_millis(1500),
                attempts: 2,
            },
            EngineError::AccessDenied {
                backend,
                model: model.clone(),
                detail: detail.clone(),
            },
            EngineError::ModelNotFound {
                backend,
                model: model.clone(),
                detail: detail.clone(),
            },
            EngineError::InputTooLarge {
                backend,
                model: model.clone(),
                detail: detail.clone(),
            },
            EngineError::Truncated {
                text: "{".into(),
                max_tokens: Some(10),
            },
            EngineError::BadRequest("no".into()),
            EngineError::InvalidAnswer {
                reason: "not JSON".into(),
                text: "hi".into(),
            },
            EngineError::Misconfigured {
                backend,
                reason: "r".into(),
                hint: "h".into(),
            },
        ]
    }

    #[test]
    fn only_throttling_unavailability_and_timeouts_are_retried() {
        let retried: Vec<_> = all()
            .iter()
            .filter(|e| e.retryable())
            .map(|e| e.error_type())
            .collect();
        assert_eq!(
            retried,
            [
                "idpctl.ModelThrottled",
                "idpctl.ModelUnavailable",
                "idpctl.ModelTimeout"
            ]
        );
    }

    #[test]
    fn every_error_has_a_distinct_type_and_a_hint() {
        let errors = all();
        let mut types: Vec<_> = errors.iter().map(|e| e.error_type()).collect();
        types.sort();
        types.dedup();
        assert_eq!(types.len(), errors.len());
        assert!(errors.iter().all(|e| e.hint().is_some()));
    }

    #[test]
    fn diagnostic_carries_type_message_and_hint() {
        let d = Diagnostic::from(EngineError::Timeout {
            backend: "openai",
            model: "m".into(),
            after: Duration::from_millis(1500),
            attempts: 2,
        });
        assert_eq!(d.error_type, "idpctl.ModelTimeout");
        assert!(
            d.error_message
                .starts_with("openai did not answer for `m` within 1.5 s (2 attempts) (hint: ")
        );
    }
}
