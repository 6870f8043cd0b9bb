//! `split`: one document → pages in the working bucket. Each page's text layer is stored as is;
//! a page without one is rendered to PNG for OCR. A document that cannot be split (corrupt,
//! encrypted, unsupported) fails here with its reason; the original is never changed.

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
    for mut page in pages {
        let id = page.page_id();
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
    Ok(
        json!({"pages": refs, "num_pages": refs.len(), "millis": started.elapsed().as_millis() as u64}),
    )
}
