//! `classify`: the pages that were read → sections, each a run of consecutive pages of one
//! class, with the class's confidence. Pages that failed to read are left out (and recorded by
//! `page_check`); a document where no page could be read fails here, with the first reason.

use serde_json::{Value, json};

use super::HandlerError;
use super::access::{Access, Action, Bucket};
use super::workspace::{Workspace, field};
use crate::model::PageContent;
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

/// The pages of `ids` that were read, in page order: from page_check's one object, else (a
/// document that started before it was written) page by page.
pub async fn read_pages(
    ws: &Workspace<'_>,
    ids: &[String],
) -> Result<Vec<PageContent>, HandlerError> {
    if let Some(bytes) = ws.get_bytes_if_any(&ws.pages()).await? {
        let all: Vec<PageContent> = serde_json::from_slice(&bytes).map_err(|e| {
            crate::services::StoreError::Permanent(format!("{} is not valid: {e}", ws.pages()))
        })?;
        let mut pages: Vec<PageContent> = all
            .into_iter()
            .filter(|p| ids.contains(&p.page_id()))
            .collect();
        pages.sort_by_key(|p| p.page_number);
        return Ok(pages);
    }
    let mut pages = Vec::new();
    for id in ids {
        let key = ws.page_read(id);
        if ws.exists(&key).await? {
            pages.push(ws.get_json::<PageContent>(&key).await?);
        }
    }
    pages.sort_by_key(|p| p.page_number);
    Ok(pages)
}

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
    let pages = read_pages(&ws, &ids).await?;
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
    let (per_page, sections) = tokio::task::spawn_blocking(move || {
        let per_page = classify::classify_pages(&loaded.config.classes, &pages);
        let sections = classify::sections_of(&per_page);
        (per_page, sections)
    })
    .await
    .map_err(|e| HandlerError::Document(format!("classification stopped: {e}")))?;
    let page_classes: Vec<Value> = per_page
        .iter()
        .map(|p| json!({"page_id": p.page_number.to_string(), "class": p.class, "confidence": p.confidence}))
        .collect();
    ws.put_json(
        &ws.sections(),
        &json!({"pages": page_classes, "sections": sections, "config_version": config_version}),
    )
    .await?;
    let small: Vec<Value> = sections
        .iter()
        .map(|s| json!({"section_id": s.section_id, "classification": s.classification, "page_ids": s.page_ids}))
        .collect();
    Ok(json!({"sections": small, "config_version": config_version}))
}
