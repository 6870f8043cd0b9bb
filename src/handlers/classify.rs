//! `classify`: the pages that were read → sections, each a run of consecutive pages of one
//! class (split where a new document of that class starts), with the class's confidence. Pages that failed to read are left out (and recorded by
//! `page_check`); a document where no page could be read fails here, with the first reason.
//!
//! The model engine classifies when the stack has one and the configuration does not say
//! `classification.enabled: false`; otherwise the embedded rules do. Either way `sections.json`
//! has the same shape; the model's tokens go into its `metering`, which `finalize` adds to the
//! document's.

use serde_json::{Value, json};

use super::HandlerError;
use super::access::{Access, Action, Bucket};
use super::pages;
use super::workspace::{Workspace, field};
use crate::engines::Stage;
use crate::model::Metering;
use crate::pipeline::classify;
use crate::services::Services;

const NAME: &str = "classify";

/// What this handler's code calls in AWS (see [`super::access`]). Reads the pages that were read
/// and the active configuration, and writes the sections.
pub const ACCESS: &[Access] = &[
    Access::s3(Action::GetObject, Bucket::Working),
    Access::s3(Action::ListBucket, Bucket::Working),
    Access::s3(Action::PutObject, Bucket::Working),
    Access::configuration(),
];

pub fn page_ids(event: &Value, handler: &'static str) -> Result<Vec<String>, HandlerError> {
    let pages: Vec<Value> = field(event, "/split/pages", handler)?;
    Ok(pages
        .iter()
        .filter_map(|p| p.get("page_id").and_then(Value::as_str).map(str::to_string))
        .collect())
}

pub async fn handle(event: Value, services: &Services) -> Result<Value, HandlerError> {
    let document_id: String = field(&event, "/document/document_id", NAME)?;
    let ids = page_ids(&event, NAME)?;
    let ws = Workspace::new(services, &document_id);
    let pages = pages::read(&ws, &ids).await?;
    if pages
        .iter()
        .all(|p| p.words.is_empty() && p.text.trim().is_empty())
    {
        let first = event
            .pointer("/page_check/failed_pages/0/reason")
            .and_then(Value::as_str)
            .unwrap_or("no text was found on any page");
        return Err(HandlerError::Document(format!(
            "no page could be read: {first}"
        )));
    }
    let loaded = services.config.current().await?;
    let config_version = loaded.version;
    let settings = &loaded.config.sections.classification;
    let (per_page, sections, metering) = match services
        .llm
        .for_stage(crate::engines::Stage::Classification)
    {
        Some(llm) if settings.enabled != Some(false) => {
            let model = llm
                .model_for(Stage::Classification, settings.model.model.as_deref(), None)
                .to_string();
            let out = crate::engines::classify::classify_with_model(
                llm.chat.clone(),
                &model,
                &loaded.config.classes,
                &pages,
                settings,
            )
            .await?;
            let metering = crate::engines::extract::meter_stage(
                "Classification",
                &out.usage,
                llm.chat.backend(),
                &model,
            );
            (out.pages, out.sections, metering)
        }
        _ => {
            let loaded = loaded.clone();
            // `x-aws-idp-document-name-regex` is about the file's name, not our document id.
            let name = super::workspace::document_ref(&event, services, NAME)
                .await?
                .name;
            let (per_page, sections) = tokio::task::spawn_blocking(move || {
                let classes = &loaded.config.classes;
                let per_page = classify::classify_document(classes, Some(&name), &pages);
                let sections = classify::sections_split(classes, &pages, &per_page);
                (per_page, sections)
            })
            .await
            .map_err(|e| HandlerError::Document(format!("classification stopped: {e}")))?;
            (per_page, sections, Metering::default())
        }
    };
    let page_classes: Vec<Value> = per_page
        .iter()
        .map(|p| json!({"page_id": p.page_number.to_string(), "class": p.class, "confidence": p.confidence}))
        .collect();
    let mut record =
        json!({"pages": page_classes, "sections": sections, "config_version": config_version});
    // Only a model costs anything to meter; the rules' record stays as it was.
    if !metering.is_empty() {
        record["metering"] = json!(metering);
    }
    ws.put_json(&ws.sections(), &record).await?;
    let small: Vec<Value> = sections
        .iter()
        .map(|s| json!({"section_id": s.section_id, "classification": s.classification, "page_ids": s.page_ids}))
        .collect();
    Ok(json!({"sections": small, "config_version": config_version}))
}
