//! `split`: one document → pages in the working bucket. A page with a text layer is read already:
//! those pages go, in page order, into the document's one `pages.json` (what the stages after
//! `page_check` read), and their page references say `text_layer`, so `ocr` has nothing to do for
//! them. A page without one is stored on its own and rendered to PNG for OCR; those pages alone
//! are listed again as `ocr_pages`, what the state machine's OCR Map runs over (it skips the Map
//! when the list is empty). A document that
//! cannot be split (corrupt, encrypted, unsupported) fails here with its reason; the original is
//! never changed.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::HandlerError;
use super::access::{Access, Action, Bucket};
use super::unpack::DocumentRef;
use super::workspace::{Workspace, document_ref};
use crate::model::PageContent;
use crate::pipeline::split::{self, SplitOptions};
use crate::services::{Services, TrackingUpdate, clock};

const NAME: &str = "split";

/// What this handler's code calls in AWS (see [`super::access`]). Reads the document's reference
/// (working bucket) and bytes (the input bucket for a single upload, the working bucket for a batch
/// entry), writes pages and images, updates the record.
pub const ACCESS: &[Access] = &[
    Access::s3(Action::GetObject, Bucket::Input),
    Access::s3(Action::GetObject, Bucket::Working),
    Access::s3(Action::PutObject, Bucket::Working),
    Access::tracking(Action::UpdateItem),
];

/// A page as stored: its content, and the size of its image when it has one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredPage {
    pub content: PageContent,
    pub image: Option<ImageInfo>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ImageInfo {
    pub width: u32,
    pub height: u32,
    pub dpi: Option<u32>,
}

/// The flag on a page reference (`{"page_id": "3", "text_layer": true}`) that says the page was
/// read from its text layer by `split` and is in the document's `pages.json` already.
pub const TEXT_LAYER: &str = "text_layer";

/// Whether a page reference of `split`'s result is a text-layer page (see [`TEXT_LAYER`]).
pub fn is_text_layer(page_ref: &Value) -> bool {
    page_ref.get(TEXT_LAYER).and_then(Value::as_bool) == Some(true)
}

/// Text-layer pages as a JSON array, each page as `ocr` writes a page it read.
#[derive(Default)]
struct TextPages {
    json: Vec<u8>,
}

impl TextPages {
    fn push(&mut self, page: &PageContent) -> Result<(), HandlerError> {
        self.json
            .push(if self.json.is_empty() { b'[' } else { b',' });
        serde_json::to_writer(&mut self.json, page)
            .map_err(|e| HandlerError::Document(format!("page {}: {e}", page.page_number)))
    }

    /// The array, or `None` when there was no text-layer page.
    fn finish(mut self) -> Option<Vec<u8>> {
        if self.json.is_empty() {
            return None;
        }
        self.json.push(b']');
        Some(self.json)
    }
}

pub async fn handle(event: Value, services: &Services) -> Result<Value, HandlerError> {
    let doc: DocumentRef = document_ref(&event, services, NAME).await?;
    let started = Instant::now();
    let bytes = services.objects.get(&doc.bucket, &doc.key).await?;
    let name = doc.name.clone();
    let pages =
        tokio::task::spawn_blocking(move || split::split(&bytes, &name, &SplitOptions::default()))
            .await
            .map_err(|e| HandlerError::Document(format!("splitting stopped: {e}")))?
            .map_err(|e| HandlerError::Document(format!("{}: {e}", doc.name)))?;
    let ws = Workspace::new(services, &doc.document_id);
    let mut refs = Vec::with_capacity(pages.len());
    // The pages OCR must read: the state machine maps over these alone, and skips its OCR Map
    // when there are none (a text PDF then makes no `ocr` call at all).
    let mut ocr_refs = Vec::new();
    // One object for all the text-layer pages rather than a split and a read file per page:
    // creating files was a third of a text PDF's CPU time on a journaled disk.
    let mut text_pages = TextPages::default();
    for mut page in pages {
        let id = page.page_id();
        if !page.needs_ocr {
            text_pages.push(&page)?;
            refs.push(json!({"page_id": id, TEXT_LAYER: true}));
            continue;
        }
        let image = page.image.take().map(|img| {
            let info = ImageInfo {
                width: img.width,
                height: img.height,
                dpi: img.dpi,
            };
            (info, img.bytes)
        });
        if let Some((_, png)) = &image {
            ws.put_bytes(&ws.page_image(&id), png.clone(), "image/png")
                .await?;
        }
        let stored = StoredPage {
            content: page,
            image: image.map(|(info, _)| info),
        };
        ws.put_json(&ws.page_split(&id), &stored).await?;
        refs.push(json!({"page_id": id}));
        ocr_refs.push(json!({"page_id": id}));
    }
    if let Some(joined) = text_pages.finish() {
        ws.put_bytes(&ws.pages(), joined, "application/json")
            .await?;
    }
    services
        .tracking
        .update(
            &doc.document_id,
            &TrackingUpdate {
                status: Some("RUNNING".into()),
                details: Some(json!({"num_pages": refs.len()})),
                updated_at: clock::now_rfc3339(),
                ..Default::default()
            },
        )
        .await?;
    Ok(json!({
        "pages": refs,
        "ocr_pages": ocr_refs,
        "num_pages": refs.len(),
        "millis": started.elapsed().as_millis() as u64,
    }))
}
