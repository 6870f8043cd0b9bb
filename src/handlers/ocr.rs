//! `ocr`: one page → its words. A page with a text layer is read as it is; a scanned page goes
//! through the OCR engine. Success is the page's `read` file; a page that fails raises an error
//! the state machine records, and `page_check` decides whether to try again.

use std::time::Instant;

use serde_json::{Value, json};

use super::HandlerError;
use super::access::{Access, Action, Bucket};
use super::split::StoredPage;
use super::workspace::{Workspace, field};
use crate::model::page::PageImage;
use crate::pipeline::ocr;

const NAME: &str = "ocr";

/// What this handler's code calls in AWS (see [`super::access`]). Checks whether the page was read
/// already, reads its split and image, writes what it read.
pub const ACCESS: &[Access] = &[
    Access::s3(Action::GetObject, Bucket::Working),
    Access::s3(Action::ListBucket, Bucket::Working),
    Access::s3(Action::PutObject, Bucket::Working),
];

pub async fn handle(
    event: Value,
    services: &crate::services::Services,
) -> Result<Value, HandlerError> {
    let document_id: String = field(&event, "/document/document_id", NAME)?;
    let page_id: String = field(&event, "/page/page_id", NAME)?;
    let ws = Workspace::new(services, &document_id);
    let read_key = ws.page_read(&page_id);
    let started = Instant::now();
    let stored: StoredPage = ws.get_json(&ws.page_split(&page_id)).await?;
    let mut page = stored.content;
    let mut engine_name = None;
    // Idempotent: a retried or re-dispatched page that OCR already read is not read again. A page
    // with a text layer is cheaper to write again than to look for.
    if page.needs_ocr && ws.exists(&read_key).await? {
        return Ok(json!({"page_id": page_id, "status": "ok", "cached": true}));
    }
    if page.needs_ocr {
        let info = stored.image.ok_or_else(|| {
            HandlerError::Document(format!("page {page_id} needs OCR but was not rendered"))
        })?;
        let png = ws.get_bytes(&ws.page_image(&page_id)).await?;
        page.image = Some(PageImage {
            bytes: png,
            width: info.width,
            height: info.height,
            dpi: info.dpi,
        });
        let engine = services.ocr.clone();
        let (result, back) = tokio::task::spawn_blocking(move || {
            let r = ocr::ocr_page(&mut page, engine.as_ref());
            (r, page)
        })
        .await
        .map_err(|e| HandlerError::Document(format!("OCR stopped: {e}")))?;
        page = back;
        result.map_err(|e| HandlerError::Document(format!("page {page_id}: {e}")))?;
        page.image = None;
        engine_name = Some(services.ocr.name().to_string());
    }
    ws.put_json(&read_key, &page).await?;
    Ok(json!({
        "page_id": page_id,
        "status": "ok",
        "words": page.words.len(),
        "engine": engine_name,
        "millis": started.elapsed().as_millis() as u64,
    }))
}
