//! OCR: a page image → words with boxes and confidences.
//!
//! Engines sit behind [`OcrEngine`] so Textract or a Bedrock vision model can sit next to
//! [`tesseract::Tesseract`] without touching the stages after OCR, which only see words. The
//! trait is async because the engines that matter in AWS are service calls; an engine that
//! blocks (a local program) moves its work to a blocking thread itself. [`ocr_page`] drives one
//! page to the end for callers outside a runtime (the tests, the benchmarks, `pipeline::run`).

pub mod flatten;
pub mod language;
pub mod packs;
mod sizing;
pub mod tesseract;
pub mod textract;
pub mod tsv;
pub mod upscale;
pub mod vision;

use std::sync::Arc;

use async_trait::async_trait;
use thiserror::Error;

use crate::engines::EngineError;
use crate::model::metering::{self, Metering};
use crate::model::page::PageImage;
use crate::model::{PageContent, TextSource, Word};
use crate::pipeline::config::sections::OcrSection;
use crate::pipeline::layout;

#[derive(Debug, Error)]
pub enum OcrError {
    #[error("OCR engine `{engine}` is not installed or not on PATH; {fix}")]
    EngineMissing { engine: String, fix: String },
    /// This page cannot be read by the engine (unreadable, unsupported, too large): retrying
    /// does not help.
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
    /// The engine is a model service and the call failed: throttled and unavailable ones are
    /// retried by the state machine (`idpctl.Model*` error types), the rest fail the page.
    #[error(transparent)]
    Model(#[from] EngineError),
}

/// The OCR engines a stack can be configured with (`engines.ocr` in a profile, `OCR_ENGINE` in
/// a function's environment).
/// `bedrock` and `openai` are vision models ([`vision::VisionOcr`]), built with the language
/// stages' engines (they need a model client), not by [`engine_named`].
pub const ENGINES: &[&str] = &["tesseract", "textract", "bedrock", "openai", "none"];

/// Whether the engine is a vision model reached through a model engine.
pub fn is_vision(name: &str) -> bool {
    matches!(name, "bedrock" | "openai")
}

/// The engine a function's environment names; `None` for a name that is not an engine. AWS
/// engines use the SDK's default configuration chain (`AWS_REGION`, credentials,
/// `AWS_ENDPOINT_URL_TEXTRACT`), loaded on their first call.
pub fn engine_named(name: &str) -> Option<Arc<dyn OcrEngine>> {
    match name {
        "tesseract" => Some(Arc::new(tesseract::Tesseract::default())),
        "textract" => Some(Arc::new(textract::Textract::from_default_chain())),
        "none" => Some(Arc::new(NoEngine)),
        _ => None,
    }
}

/// For stacks whose functions cannot run an OCR engine: a scanned page fails with a reason
/// that says so, and pages with a text layer are read as usual.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoEngine;

#[async_trait]
impl OcrEngine for NoEngine {
    fn name(&self) -> &str {
        "none"
    }

    async fn recognize(
        &self,
        _image: &PageImage,
        page_number: u32,
        _settings: &OcrSection,
    ) -> Result<Recognized, OcrError> {
        Err(OcrError::NoEngine {
            page: page_number,
            fix: "scanned pages need an OCR engine that runs where the functions run (the \
                  `tesseract` program is not in the Lambda zip; `textract` is a service call)"
                .into(),
        })
    }
}

/// What an engine read off one page image.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recognized {
    /// Boxes in page fractions, confidences 0–1, in the engine's reading order.
    pub words: Vec<Word>,
    /// What reading the page cost, in the accelerator's shape (`OCR/<engine>/<api>`: pages).
    pub metering: Metering,
}

/// Something that reads words off an image.
#[async_trait]
pub trait OcrEngine: Send + Sync {
    /// Short name used in messages and as the default metering key (`OCR/<name>`).
    fn name(&self) -> &str;
    /// What to tell a user once, at `-v`, about how pages will be read on this machine
    /// (Tesseract: the packs the setting names that are not installed). May ask the engine's
    /// program, so callers ask only when the note will be shown.
    fn note(&self) -> Option<String> {
        None
    }
    /// Reads one page. `settings` is the configuration's `ocr` section (Textract's
    /// `features`, …); engines ignore what they do not use.
    async fn recognize(
        &self,
        image: &PageImage,
        page_number: u32,
        settings: &OcrSection,
    ) -> Result<Recognized, OcrError>;
}

/// A page counted once under `context`, the metering most engines report.
pub fn one_page(context: &str) -> Metering {
    let mut m = Metering::new();
    metering::add(&mut m, context, "pages", 1.0);
    m
}

/// OCR a page that needs it, in place: words in reading order, text rebuilt, image kept.
/// Pages that already have text are left alone (and cost nothing). Returns the metering.
pub async fn read_page(
    page: &mut PageContent,
    engine: &dyn OcrEngine,
    settings: &OcrSection,
) -> Result<Metering, OcrError> {
    if !page.needs_ocr {
        return Ok(Metering::new());
    }
    let image = page
        .image
        .as_ref()
        .ok_or(OcrError::NoImage(page.page_number))?;
    let Recognized {
        mut words,
        metering,
    } = engine.recognize(image, page.page_number, settings).await?;
    // Specks read as "=", "—" or "|" with low confidence are noise, and they split lines
    // (a speck above "Pay" pushes it off the line of "Gross").
    words.retain(|w| w.confidence >= 0.5 || w.text.chars().any(char::is_alphanumeric));
    drop_specks(&mut words);
    page.words = layout::reading_order(words);
    page.text = layout::text_of(&page.words);
    page.text_source = TextSource::Ocr;
    Ok(metering)
}

/// A letter or digit or two whose box is under a quarter of the page's usual word height is a
/// speck of dirt read as a letter ("i" between "Nr faktury" and "FS 917/07/2025"):
/// it would join the value beside it.
fn drop_specks(words: &mut Vec<Word>) {
    let mut heights: Vec<f32> = words
        .iter()
        .filter(|w| w.text.chars().count() >= 3)
        .map(|w| w.bbox.height)
        .collect();
    if heights.len() < 5 {
        return;
    }
    heights.sort_by(f32::total_cmp);
    let usual = heights[heights.len() / 2];
    // Punctuation is short by nature: a dash or a dot between a sender line's parts stays.
    words.retain(|w| {
        w.text.chars().count() > 2
            || !w.text.chars().any(char::is_alphanumeric)
            || w.bbox.height >= usual * 0.25
    });
}

/// [`read_page`] for callers outside an async runtime, with the default OCR settings: runs it
/// to the end on a runtime of its own. Not to be called from inside a runtime.
pub fn ocr_page(page: &mut PageContent, engine: &dyn OcrEngine) -> Result<Metering, OcrError> {
    if !page.needs_ocr {
        return Ok(Metering::new());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| OcrError::Failed {
            engine: engine.name().to_string(),
            page: page.page_number,
            reason: format!("cannot start the OCR runtime: {e}"),
        })?;
    runtime.block_on(read_page(page, engine, &OcrSection::default()))
}

#[cfg(test)]
mod tests;
