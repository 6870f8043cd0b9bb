//! Model engines behind the pipeline's stages: what reads a page image or a section's text with
//! a model (OCR, classification, extraction, assessment, summarization), and the clients that
//! talk to model services. `rules` (the embedded engine in `pipeline`) is the default.

pub mod assess;
pub mod bedrock;
pub mod chat;
pub mod classify;
pub mod cost;
pub mod error;
pub mod extract;
pub mod grants;
pub mod openai;
pub mod policy;
pub mod prices;
pub mod repair;
pub mod select;
pub mod stage;
pub mod summarize;
#[cfg(test)]
pub mod testing;

/// The model engines of the language stages a profile may name (`engines.llm`).
pub const LLM_ENGINES: &[&str] = &["rules", "bedrock", "openai"];

pub use chat::{ChatModel, ChatRequest, ChatResponse, Finish, Part};
pub use error::EngineError;

pub use select::{EngineSpec, SelectError, env_vars, from_settings};
pub use stage::{Engines, LlmEngine, Stage};

/// How long one model call may take before it is retried once and then given up.
pub const MODEL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);
