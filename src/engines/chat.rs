//! The backend-neutral model call: one system prompt, one user turn of text and page images, an
//! optional JSON schema for the answer. Each backend (Bedrock Converse, OpenAI-compatible
//! servers) turns a [`ChatRequest`] into its own wire format and its failures into
//! [`EngineError`].

use std::fmt;

use async_trait::async_trait;

use super::error::EngineError;

/// The accelerator's prompt-caching marker; only backends with prompt caching understand it.
pub const CACHEPOINT: &str = "<<CACHEPOINT>>";

/// One piece of the user turn.
#[derive(Clone, PartialEq)]
pub enum Part {
    Text(String),
    /// A page image; `media_type` is `image/png` or `image/jpeg`.
    Image {
        media_type: String,
        bytes: Vec<u8>,
    },
}

// Page images are megabytes: show their size, not their bytes.
impl fmt::Debug for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::Text(text) => f.debug_tuple("Text").field(text).finish(),
            Part::Image { media_type, bytes } => f
                .debug_struct("Image")
                .field("media_type", media_type)
                .field("bytes", &format_args!("<{} bytes>", bytes.len()))
                .finish(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChatRequest {
    pub model: String,
    pub system: Option<String>,
    pub user: Vec<Part>,
    /// 0 unless a stage's configuration says otherwise: extraction wants the same answer twice.
    pub temperature: f64,
    pub top_p: Option<f64>,
    /// Not part of OpenAI's API (OpenAI itself rejects it); llama.cpp, vLLM and Bedrock take it.
    pub top_k: Option<f64>,
    pub max_tokens: Option<u32>,
    /// JSON schema the answer must follow (structured output), with a name.
    pub schema: Option<(String, serde_json::Value)>,
}

impl ChatRequest {
    /// A request for `model` with temperature 0 and nothing else set.
    pub fn new(model: impl Into<String>) -> Self {
        ChatRequest {
            model: model.into(),
            ..ChatRequest::default()
        }
    }
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finish {
    /// It finished its answer (or hit a stop sequence).
    Stop,
    /// It hit the token limit.
    Length,
    /// Anything else, as the service named it.
    Other(String),
}

impl Finish {
    /// From the service's own name: OpenAI's `stop`/`length`, Bedrock's `end_turn`/`max_tokens`.
    pub fn from_reason(reason: &str) -> Finish {
        match reason {
            "stop" | "end_turn" | "stop_sequence" | "eos" => Finish::Stop,
            "length" | "max_tokens" => Finish::Length,
            other => Finish::Other(other.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChatResponse {
    pub text: String,
    /// The model that answered, as the service names it (may differ from the one asked for).
    pub model: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub finish: Finish,
    /// Wall-clock time of the call, retries included.
    pub millis: u64,
    /// Attempts that failed (throttled, unavailable, timed out) before this answer; the retry
    /// policy (`engines::policy`) counts them, so metering shows what faults cost.
    pub retries: u32,
}

impl ChatResponse {
    /// The answer as JSON. Tolerates a Markdown code fence around it, which small models add
    /// even when asked not to; anything else that does not parse is an `InvalidAnswer`.
    pub fn json(&self) -> Result<serde_json::Value, EngineError> {
        let body = unfence(&self.text);
        serde_json::from_str(body).map_err(|e| EngineError::InvalidAnswer {
            reason: format!("not JSON ({e})"),
            text: self.text.clone(),
        })
    }
}

fn unfence(text: &str) -> &str {
    let t = text.trim();
    let Some(rest) = t.strip_prefix("```") else {
        return t;
    };
    // The opening fence may name a language (```json); the body starts on the next line.
    let body = rest.split_once('\n').map_or("", |(_, body)| body);
    body.trim_end().strip_suffix("```").unwrap_or(body).trim()
}

#[async_trait]
pub trait ChatModel: Send + Sync {
    /// Short name used in errors and metering: `openai`, `bedrock`.
    fn backend(&self) -> &'static str;
    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, EngineError>;
}

/// Prompt text without the accelerator's `<<CACHEPOINT>>` markers, for backends without prompt
/// caching (where the marker would reach the model as literal text).
pub fn strip_cachepoints(text: &str) -> String {
    text.replace(CACHEPOINT, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cachepoints_are_stripped() {
        assert_eq!(
            strip_cachepoints("classes…\n<<CACHEPOINT>>\ndocument"),
            "classes…\n\ndocument"
        );
        assert_eq!(strip_cachepoints("plain"), "plain");
    }

    #[test]
    fn finish_reasons_of_both_families() {
        assert_eq!(Finish::from_reason("stop"), Finish::Stop);
        assert_eq!(Finish::from_reason("end_turn"), Finish::Stop);
        assert_eq!(Finish::from_reason("length"), Finish::Length);
        assert_eq!(Finish::from_reason("max_tokens"), Finish::Length);
        assert_eq!(
            Finish::from_reason("content_filter"),
            Finish::Other("content_filter".into())
        );
    }

    #[test]
    fn json_answers_with_and_without_fences() {
        let answer = |text: &str| ChatResponse {
            text: text.into(),
            model: "m".into(),
            input_tokens: 0,
            output_tokens: 0,
            finish: Finish::Stop,
            millis: 0,
            retries: 0,
        };
        let want = serde_json::json!({"a": 1});
        assert_eq!(answer(r#" {"a": 1} "#).json().unwrap(), want);
        assert_eq!(answer("```json\n{\"a\": 1}\n```").json().unwrap(), want);
        assert_eq!(answer("```\n{\"a\": 1}```").json().unwrap(), want);
        let err = answer("Sure! Here it is").json().unwrap_err();
        assert_eq!(err.error_type(), "idpctl.ModelInvalidAnswer");
    }

    #[test]
    fn image_parts_debug_as_their_size() {
        let part = Part::Image {
            media_type: "image/png".into(),
            bytes: vec![0; 2048],
        };
        assert_eq!(
            format!("{part:?}"),
            r#"Image { media_type: "image/png", bytes: <2048 bytes> }"#
        );
    }
}
