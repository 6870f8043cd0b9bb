//! OCR: a page image → words with boxes and confidences.
//!
//! Engines sit behind [`OcrEngine`] so Textract or a Bedrock vision model can be added next to
//! [`tesseract::Tesseract`] without touching the stages after OCR, which only see words.

pub mod tesseract;
pub mod tsv;

use thiserror::Error;

use crate::model::page::PageImage;
use crate::model::{PageContent, TextSource, Word};
use crate::pipeline::layout;

#[derive(Debug, Error, PartialEq)]
pub enum OcrError {
    #[error("OCR engine `{engine}` is not installed or not on PATH; {fix}")]
    EngineMissing { engine: String, fix: String },
    #[error("OCR engine `{engine}` failed on page {page}: {reason}")]
    Failed {
        engine: String,
        page: u32,
        reason: String,
    },
    #[error("page {0} has no image to OCR (it was split without rendering)")]
    NoImage(u32),
    #[error(
        "page {page} has no text layer and this stack has no OCR engine (engines.ocr: none); {fix}"
    )]
    NoEngine { page: u32, fix: String },
}

/// The OCR engines a stack can be configured with (`engines.ocr` in a profile, `OCR_ENGINE` in
/// a function's environment).
pub const ENGINES: &[&str] = &["tesseract", "none"];

/// The engine a function's environment names; `None` for a name that is not an engine.
pub fn engine_named(name: &str) -> Option<std::sync::Arc<dyn OcrEngine>> {
    match name {
        "tesseract" => Some(std::sync::Arc::new(tesseract::Tesseract::default())),
        "none" => Some(std::sync::Arc::new(NoEngine)),
        _ => None,
    }
}

/// For stacks whose functions cannot run an OCR engine: a scanned page fails with a reason
/// that says so, and pages with a text layer are read as usual.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoEngine;

impl OcrEngine for NoEngine {
    fn name(&self) -> &str {
        "none"
    }

    fn recognize(&self, _image: &PageImage, page_number: u32) -> Result<Vec<Word>, OcrError> {
        Err(OcrError::NoEngine {
            page: page_number,
            fix: "scanned pages need an OCR engine that runs where the functions run (the \
                  `tesseract` program is not in the Lambda zip)"
                .into(),
        })
    }
}

/// Something that reads words off an image.
pub trait OcrEngine: Send + Sync {
    /// Short name used in metering keys (`OCR/<name>`) and messages.
    fn name(&self) -> &str;
    /// Words with boxes in page fractions and confidences 0–1, in any order.
    fn recognize(&self, image: &PageImage, page_number: u32) -> Result<Vec<Word>, OcrError>;
}

/// OCR a page that needs it, in place: words in reading order, text rebuilt, image kept.
/// Pages that already have text are left alone.
pub fn ocr_page(page: &mut PageContent, engine: &dyn OcrEngine) -> Result<(), OcrError> {
    if !page.needs_ocr {
        return Ok(());
    }
    let image = page
        .image
        .as_ref()
        .ok_or(OcrError::NoImage(page.page_number))?;
    let mut words = engine.recognize(image, page.page_number)?;
    // Specks read as "=", "—" or "|" with low confidence are noise, and they split lines
    // (a speck above "Pay" pushes it off the line of "Gross").
    words.retain(|w| w.confidence >= 0.5 || w.text.chars().any(char::is_alphanumeric));
    page.words = layout::reading_order(words);
    page.text = layout::text_of(&page.words);
    page.text_source = TextSource::Ocr;
    Ok(())
}

#[cfg(test)]
mod tests;
