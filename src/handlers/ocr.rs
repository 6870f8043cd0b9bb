//! `ocr`: one page → its words. A page `split` read from its text layer (its reference says
//! `text_layer`) is done already; any other page with a text layer is read as it is; a scanned
//! page goes through the OCR engine, with the active configuration's `ocr` section (Textract's
//! `features`). Success is the page's `read` file, which keeps what reading the page cost
//! (`metering`, beside the page's content) so a retried page reports it too; a page that fails
//! raises an error the state machine records (model errors keep their `idpctl.Model*` type, so
//! throttling is retried with back-off), and `page_check` decides whether to try again.

use std::time::Instant;

use serde::Serialize;
use serde_json::{Value, json};

use super::HandlerError;
use super::access::{Access, Action, Bucket};
use super::split::{StoredPage, is_text_layer};
use super::workspace::{Workspace, field};
use crate::model::page::PageImage;
use crate::model::{Metering, PageContent};
use crate::pipeline::ocr::{self, OcrError};

const NAME: &str = "ocr";

/// A page's `read` file: the page as it serialises, then what reading it cost. Written
/// directly rather than through a `serde_json::Value`, which built a map per word and wrote
/// each `f32` coordinate widened to 17 digits (a third of a text page's JSON); read back, the
/// page is the same either way.
#[derive(Serialize)]
struct ReadPage<'a> {
    #[serde(flatten)]
    page: &'a PageContent,
    #[serde(skip_serializing_if = "Metering::is_empty")]
    metering: &'a Metering,
}

/// What this handler's code calls in AWS (see [`super::access`]). Checks whether the page was read
/// already, reads its split and image and the configuration (the OCR engine's settings), writes
/// what it read. The engine's own calls (Textract) are granted from the engine's settings.
pub const ACCESS: &[Access] = &[
    Access::s3(Action::GetObject, Bucket::Working),
    Access::s3(Action::ListBucket, Bucket::Working),
    Access::s3(Action::PutObject, Bucket::Working),
    Access::configuration(),
];

pub async fn handle(
    event: Value,
    services: &crate::services::Services,
) -> Result<Value, HandlerError> {
    let document_id: String = field(&event, "/document/document_id", NAME)?;
    let page_id: String = field(&event, "/page/page_id", NAME)?;
    // `split` read this page from its text layer and stored it with the document's pages.
    if event.get("page").is_some_and(is_text_layer) {
        return Ok(json!({"page_id": page_id, "status": "ok", "text_layer": true}));
    }
    let ws = Workspace::new(services, &document_id);
    let read_key = ws.page_read(&page_id);
    let started = Instant::now();
    let stored: StoredPage = ws.get_json(&ws.page_split(&page_id)).await?;
    let mut page = stored.content;
    let mut engine_name = None;
    let mut metering = Metering::new();
    // Idempotent: a retried or re-dispatched page that OCR already read is not read again (nor
    // paid for again: its metering is the one the first read kept). A page with a text layer is
    // cheaper to write again than to look for.
    if page.needs_ocr
        && let Some(read) = ws.get_bytes_if_any(&read_key).await?
    {
        let metering = serde_json::from_slice::<Value>(&read)
            .ok()
            .and_then(|v| serde_json::from_value::<Metering>(v["metering"].clone()).ok())
            .unwrap_or_default();
        return Ok(
            json!({"page_id": page_id, "status": "ok", "cached": true, "metering": metering}),
        );
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
        // OCR runs before classification pins the document to a configuration version: the
        // active one's `ocr` section applies.
        let loaded = services.config.current().await?;
        metering = ocr::read_page(
            &mut page,
            services.ocr.as_ref(),
            &loaded.config.sections.ocr,
        )
        .await
        .map_err(|e| page_error(&page_id, e))?;
        page.image = None;
        engine_name = Some(services.ocr.name().to_string());
    }
    ws.put_json(
        &read_key,
        &ReadPage {
            page: &page,
            metering: &metering,
        },
    )
    .await?;
    let mut out = json!({
        "page_id": page_id,
        "status": "ok",
        "words": page.words.len(),
        "engine": engine_name,
        "millis": started.elapsed().as_millis() as u64,
    });
    if !metering.is_empty() {
        out["metering"] = json!(metering);
    }
    Ok(out)
}

/// A page's OCR failure as the handler's error: a model service's failure keeps its own type
/// (retried when it is throttling or an outage), anything else fails the page with the reason.
fn page_error(page_id: &str, e: OcrError) -> HandlerError {
    match e {
        OcrError::Model(e) => HandlerError::Model(e),
        other => HandlerError::Document(format!("page {page_id}: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::EngineError;
    use crate::model::{BoundingBox, TextSource, Word};

    #[test]
    fn a_read_page_parses_back_to_the_same_page_and_keeps_metering_after_it() {
        // Coordinates as a text layer gives them (quotients of glyph positions), and a
        // spread of magnitudes: each f32 must come back bit for bit.
        let mut words = Vec::new();
        let mut x = 0.123_456_79_f32;
        for i in 0..2000 {
            x = (x * 7.3 + i as f32 / 611.0).fract();
            let b = BoundingBox {
                left: x,
                top: x / 3.0,
                width: 1.0 / (i as f32 + 3.0),
                height: x * 1e-5,
            };
            words.push(Word::new(format!("w{i}"), b, 1.0 - x / 2.0));
        }
        let page = PageContent {
            page_number: 3,
            text_source: TextSource::TextLayer,
            words,
            text: "w0 w1".into(),
            needs_ocr: false,
            einvoice: None,
            image: None,
        };
        let none = Metering::new();
        let bytes = serde_json::to_vec(&ReadPage {
            page: &page,
            metering: &none,
        })
        .unwrap();
        let back: PageContent = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, page);
        assert!(!String::from_utf8_lossy(&bytes).contains("metering"));
        let mut cost = Metering::new();
        crate::model::metering::add(&mut cost, "OCR", "pages", 1.0);
        let text = serde_json::to_string(&ReadPage {
            page: &page,
            metering: &cost,
        })
        .unwrap();
        assert!(
            text.ends_with(r#""metering":{"OCR":{"pages":1.0}}}"#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<PageContent>(&text).unwrap(), page);
    }

    #[test]
    fn model_errors_keep_their_type_and_page_failures_name_the_page() {
        let throttled = page_error(
            "2",
            OcrError::Model(EngineError::Throttled {
                backend: "textract",
                model: "DetectDocumentText".into(),
                detail: "page 2: ThrottlingException: slow down".into(),
            }),
        );
        assert_eq!(throttled.error_type(), "idpctl.ModelThrottled");
        assert!(throttled.to_string().contains("(hint: "), "{throttled}");
        let failed = page_error(
            "2",
            OcrError::Failed {
                engine: "textract".into(),
                page: 2,
                reason: "Textract refused the page image".into(),
            },
        );
        assert_eq!(failed.error_type(), "idpctl.DocumentFailed");
        assert!(
            failed
                .to_string()
                .starts_with("page 2: OCR engine `textract` failed on page 2")
        );
    }
}
