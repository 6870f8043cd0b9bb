//! `summarize`: a short summary of the document — written by the model engine when the stack
//! has one (and the configuration does not turn summarization off), else extractive (its most
//! informative sentences).

use serde_json::{Value, json};

use super::HandlerError;
use super::access::{Access, Action, Bucket};
use super::classify::page_ids;
use super::workspace::{Workspace, field};
use crate::pipeline::summarize;
use crate::services::Services;

const NAME: &str = "summarize";

/// What this handler's code calls in AWS (see [`super::access`]). Reads the pages that were read
/// and the document's configuration version, and writes the summary to the working bucket.
pub const ACCESS: &[Access] = &[
    Access::s3(Action::GetObject, Bucket::Working),
    Access::s3(Action::ListBucket, Bucket::Working),
    Access::s3(Action::PutObject, Bucket::Working),
    Access::configuration(),
];

pub async fn handle(event: Value, services: &Services) -> Result<Value, HandlerError> {
    let document_id: String = field(&event, "/document/document_id", NAME)?;
    let ids = page_ids(&event, NAME)?;
    let ws = Workspace::new(services, &document_id);
    let pages = super::pages::read(&ws, &ids).await?;
    let version = event
        .pointer("/classification/config_version")
        .and_then(Value::as_u64);
    let loaded = services.config.version(version).await?;
    let settings = &loaded.config.sections.summarization;
    let (summary, metering) = match services.llm.for_stage(crate::engines::Stage::Summarization) {
        Some(llm) if settings.enabled != Some(false) => {
            let model = llm.model_for(
                crate::engines::Stage::Summarization,
                settings.model.model.as_deref(),
                None,
            );
            let (summary, usage) = crate::engines::summarize::summarize_with_model(
                llm.chat.as_ref(),
                model,
                &pages,
                settings,
            )
            .await?;
            let metering = crate::engines::extract::meter_stage(
                "Summarization",
                &usage,
                llm.chat.backend(),
                model,
            );
            (summary, metering)
        }
        _ => (summarize::summarize(&pages, 3), Default::default()),
    };
    ws.put_json(
        &ws.summary(),
        &json!({"summary": summary, "metering": metering}),
    )
    .await?;
    Ok(json!({"chars": summary.chars().count()}))
}
