//! Summarization with a model: the document's text in, a short summary out, with the
//! configuration's summarization prompts (the accelerator's `{DOCUMENT_TEXT}` placeholder) and
//! temperature 0 unless configured. A truncated or empty answer is an error, not a summary.

use super::chat::{ChatModel, ChatRequest, Finish, Part, strip_cachepoints};
use super::error::EngineError;
use super::extract::{Usage, configured_request, document_text};
use crate::model::PageContent;
use crate::pipeline::config::sections::SummarizationSection;

pub const DEFAULT_SYSTEM_PROMPT: &str = "You summarize business documents for the people who \
process them: what the document is, who it concerns, its key dates and amounts. Plain text, no \
more than five sentences, only facts stated in the document.";

pub const DEFAULT_TASK_PROMPT: &str =
    "Summarize this document.\n\n<document>\n{DOCUMENT_TEXT}\n</document>";

/// The summary and what it cost.
pub async fn summarize_with_model(
    chat: &dyn ChatModel,
    model: &str,
    pages: &[PageContent],
    settings: &SummarizationSection,
) -> Result<(String, Usage), EngineError> {
    let (system, task) =
        super::extract::configured_or(&settings.model, DEFAULT_SYSTEM_PROMPT, DEFAULT_TASK_PROMPT);
    let user = task
        // Extraction results are not passed to this stage yet.
        .replace("{EXTRACTION_RESULTS}", "")
        .replace("{DOCUMENT_TEXT}", &document_text(pages));
    let request = ChatRequest {
        system: Some(strip_cachepoints(&system).to_string()),
        user: vec![Part::Text(strip_cachepoints(&user).to_string())],
        ..configured_request(model, &settings.model)
    };
    let answer = chat.chat(&request).await?;
    let usage = Usage::of(&answer);
    if matches!(answer.finish, Finish::Length) {
        return Err(EngineError::Truncated {
            text: answer.text,
            max_tokens: request.max_tokens,
        });
    }
    let summary = answer.text.trim().to_string();
    if summary.is_empty() {
        return Err(EngineError::InvalidAnswer {
            reason: "the model answered with an empty summary".into(),
            text: answer.text,
        });
    }
    Ok((summary, usage))
}
