//! PDF → pages: page count from lopdf, the text layer from our reader (`pipeline::pdf_text`,
//! pdf-extract for the pages it sends back), and a render for OCR of the pages whose text layer
//! is empty.

use std::panic::{AssertUnwindSafe, catch_unwind};

use pdf_extract::Document as PdfDoc;

use super::SplitOptions;
use super::error::SplitError;
use super::pdf_load;
use super::render;
use super::streams;
use crate::model::{PageContent, TextSource};
use crate::pipeline::{einvoice, layout, text_layer};

pub fn split_pdf(bytes: &[u8], opts: &SplitOptions) -> Result<Vec<PageContent>, SplitError> {
    // The readers inflate streams whole and unbounded: measure them first. The largest honest
    // stream is an uncompressed-size image at the pixel limit (4 bytes a pixel).
    let stream_limit = opts.max_pixels.saturating_mul(4).max(64 << 20);
    streams::check_expansion(bytes, stream_limit)?;
    // pdf-extract and lopdf can panic on hostile input (an unwrap on a missing font, an index
    // out of range); a Lambda must answer with a reason, not crash, so panics become errors.
    // Only the objects of the pages: a tagged PDF's structure tree stays packed (pdf_load).
    // A file whose cross-reference table is broken is read through a rebuilt one.
    let (mut doc, repaired) = guard(|| pdf_load::load_or_repair(bytes).map_err(|e| e.to_string()))
        .map_err(SplitError::CorruptPdf)?;
    let bytes = repaired.as_deref().unwrap_or(bytes);
    if doc.is_encrypted() {
        // Many PDFs are "encrypted" with an empty user password (only printing/copying is
        // restricted); those open fine. A real password we cannot know.
        if doc.decrypt("").is_err() {
            return Err(SplitError::EncryptedPdf);
        }
    }
    let count = doc.get_pages().len();
    if count == 0 {
        return Err(SplitError::NoPages);
    }
    if count > opts.max_pages {
        return Err(SplitError::TooManyPages {
            pages: count,
            max: opts.max_pages,
        });
    }
    let per_page = guard(|| text_layer::page_words(&doc)).map_err(SplitError::CorruptPdf)?;
    let mut pages: Vec<PageContent> = per_page
        .into_iter()
        .enumerate()
        .map(|(i, words)| {
            let words = layout::reading_order(words);
            let text = layout::text_of(&words);
            let visible = text.chars().filter(|c| !c.is_whitespace()).count();
            let needs_ocr = visible < opts.min_text_chars;
            PageContent {
                page_number: i as u32 + 1,
                text_source: if needs_ocr {
                    TextSource::None
                } else {
                    TextSource::TextLayer
                },
                words: if needs_ocr { Vec::new() } else { words },
                text: if needs_ocr { String::new() } else { text },
                needs_ocr,
                einvoice: None,
                image: None,
            }
        })
        .collect();
    // A file that cannot be read as an e-invoice is still its pages.
    if let Some(first) = pages.first_mut() {
        first.einvoice = guard(|| Ok(einvoice::from_pdf(&doc)))
            .ok()
            .flatten()
            .map(Box::new);
    }
    if opts.render_for_ocr && pages.iter().any(|p| p.needs_ocr) {
        let ids = doc.get_pages();
        let wanted: Vec<(u32, Option<u32>)> = pages
            .iter()
            .filter(|p| p.needs_ocr)
            .map(|p| {
                let px = ids
                    .get(&p.page_number)
                    .and_then(|&id| widest_image(&doc, id));
                (p.page_number, px)
            })
            .collect();
        let images = render::render_pages(bytes, &wanted, opts)?;
        for ((page_number, _), image) in wanted.into_iter().zip(images) {
            pages[page_number as usize - 1].image = Some(image);
        }
    }
    Ok(pages)
}

/// Width in pixels of the widest image on a page (a scan is one image covering the page), so
/// the render does not invent resolution the scan never had.
fn widest_image(doc: &PdfDoc, page: pdf_extract::ObjectId) -> Option<u32> {
    guard(|| {
        Ok(doc
            .get_page_images(page)
            .map_err(|e| e.to_string())?
            .iter()
            .map(|i| i.width.clamp(0, u32::MAX as i64) as u32)
            .max())
    })
    .ok()
    .flatten()
}

/// Run `f`, turning a panic into an error message.
pub(crate) fn guard<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            Err(format!("the PDF reader gave up ({msg})"))
        }
    }
}
