//! Model engines behind the pipeline's stages: what reads a page image or a section's text with
//! a model (OCR, classification, extraction, assessment, summarization), and the clients that
//! talk to model services. `rules` (the embedded engine in `pipeline`) is the default.

pub mod chat;
pub mod error;
pub mod extract;
pub mod openai;
pub mod summarize;

/// The model engines of the language stages a profile may name (`engines.llm`).
pub const LLM_ENGINES: &[&str] = &["rules", "openai"];

pub use chat::{ChatModel, ChatRequest, ChatResponse, Finish, Part};
pub use error::EngineError;

use std::sync::Arc;
use std::time::Duration;

use crate::settings::Settings;

/// The model behind the language stages, as a run uses it.
pub struct LlmEngine {
    pub chat: Arc<dyn ChatModel>,
    pub model: String,
}

/// Why the profile's model engine cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    #[error("engines.llm is `{engine}` but {missing} is not set")]
    Missing {
        engine: String,
        missing: &'static str,
        fix: &'static str,
    },
}

impl crate::error::Diagnose for SelectError {
    fn hint(&self) -> Option<String> {
        match self {
            SelectError::Missing { fix, .. } => Some((*fix).to_string()),
        }
    }
}

/// How long one model call may take before it is retried once and then given up.
pub const MODEL_TIMEOUT: Duration = Duration::from_secs(120);

/// The profile's model engine: `None` for `rules`. The API key is read from the environment
/// (`IDPCTL_OPENAI_API_KEY`) here, where it is used, and never enters the settings.
pub fn from_settings(
    settings: &Settings,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<LlmEngine>, SelectError> {
    match settings.llm_engine.as_str() {
        "openai" => {
            let missing = |missing, fix| SelectError::Missing {
                engine: "openai".into(),
                missing,
                fix,
            };
            let base_url = settings.openai_base_url.clone().ok_or_else(|| {
                missing(
                    "engines.openai.base_url",
                    "set engines.openai.base_url in the profile or IDPCTL_OPENAI_BASE_URL (e.g. http://127.0.0.1:8080/v1)",
                )
            })?;
            let model = settings.openai_model.clone().ok_or_else(|| {
                missing(
                    "engines.openai.model",
                    "set engines.openai.model in the profile or IDPCTL_OPENAI_MODEL to a model the server serves",
                )
            })?;
            let key = env("IDPCTL_OPENAI_API_KEY").filter(|k| !k.is_empty());
            Ok(Some(LlmEngine {
                chat: Arc::new(openai::OpenAiChat::new(&base_url, key, MODEL_TIMEOUT)),
                model,
            }))
        }
        _ => Ok(None),
    }
}
