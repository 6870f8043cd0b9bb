//! `extract`: one section → the fields its class defines, each with value, confidence and the
//! page and box it came from. A section of a class with no field definitions keeps no fields.

use serde_json::{Value, json};

use super::HandlerError;
use super::access::{Access, Action, Bucket};
use super::workspace::{Workspace, field};
use crate::model::{PageContent, Section};
use crate::pipeline::extract;
use crate::services::Services;

const NAME: &str = "extract";

/// What this handler's code calls in AWS (see [`super::access`]). Reads the section's pages and
/// the configuration version its document was classified with, and writes its extraction.
pub const ACCESS: &[Access] = &[
    Access::s3(Action::GetObject, Bucket::Working),
    Access::s3(Action::ListBucket, Bucket::Working),
    Access::s3(Action::PutObject, Bucket::Working),
    Access::configuration(),
];

pub async fn handle(event: Value, services: &Services) -> Result<Value, HandlerError> {
    let document_id: String = field(&event, "/document/document_id", NAME)?;
    let mut section: Section = field(&event, "/section", NAME)?;
    let ws = Workspace::new(services, &document_id);
    let pages = super::pages::read(&ws, &section.page_ids).await?;
    let version: Option<u64> = event.get("config_version").and_then(Value::as_u64);
    let loaded = services.config.version(version).await?;
    if let Some(class) = loaded
        .config
        .classes
        .class(&section.classification)
        .cloned()
    {
        let result = match services.llm.for_stage(crate::engines::Stage::Extraction) {
            Some(llm) => {
                let schema = class_schema(&loaded.config.document, &class.name);
                let settings = &loaded.config.sections.extraction;
                let model = llm.model_for(
                    crate::engines::Stage::Extraction,
                    settings.model.model.as_deref(),
                    Some(&schema),
                );
                let (result, usage) = crate::engines::extract::extract_with_model(
                    llm.chat.as_ref(),
                    model,
                    &class,
                    &schema,
                    &pages,
                    settings,
                )
                .await?;
                section.metering =
                    crate::engines::extract::meter(&usage, llm.chat.backend(), model);
                result
            }
            None => tokio::task::spawn_blocking(move || {
                let refs: Vec<&PageContent> = pages.iter().collect();
                extract::extract_section(&class, &refs)
            })
            .await
            .map_err(|e| HandlerError::Document(format!("extraction stopped: {e}")))?,
        };
        section.attributes = result.attributes;
        section.fields = result.fields;
    }
    ws.put_json(&ws.section(&section.section_id, "extraction"), &section)
        .await?;
    Ok(json!({"section_id": section.section_id, "fields": section.fields.len()}))
}

/// The class's schema as the configuration holds it: what a model is asked to fill, and where
/// a class names its own model for a stage (`x-aws-idp-<stage>-model`). `null` for a class the
/// configuration's document does not hold.
pub(super) fn class_schema(document: &Value, name: &str) -> Value {
    document["classes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| {
            c.get("x-aws-idp-document-type")
                .or_else(|| c.get("$id"))
                .and_then(Value::as_str)
                == Some(name)
        })
        .cloned()
        .unwrap_or(Value::Null)
}
