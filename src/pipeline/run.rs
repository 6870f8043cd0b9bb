//! All stages in order, for the local runtime and the tests: bytes in, a finished [`Document`]
//! (and the pages, for callers that store page text or images) out. The Lambda handlers call the
//! stages one by one instead, with Step Functions in between.

use std::time::Instant;

use crate::model::metering;
use crate::model::{Document, Page, PageContent, Status};
use crate::pipeline::config::ClassConfig;
use crate::pipeline::ocr::{self, OcrEngine};
use crate::pipeline::split::{self, SplitOptions};
use crate::pipeline::{assess, classify, extract, summarize};

/// Knobs of a whole run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub split: SplitOptions,
    /// Threshold for fields whose config sets none (the accelerator's default is 0.8).
    pub default_threshold: f32,
    pub summary_sentences: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            split: SplitOptions::default(),
            default_threshold: 0.8,
            summary_sentences: 3,
        }
    }
}

/// Process one document end to end. Never panics and never returns an error: a document that
/// cannot be processed comes back `FAILED` with its `failure_reason`.
pub fn process_document(
    id: &str,
    bytes: &[u8],
    config: &ClassConfig,
    engine: Option<&dyn OcrEngine>,
    opts: &RunOptions,
) -> (Document, Vec<PageContent>) {
    let mut doc = Document::new(id);
    doc.status = Status::Running;
    let t = Instant::now();
    let mut pages = match split::split(bytes, id, &opts.split) {
        Ok(p) => p,
        Err(e) => {
            doc.fail(e.to_string());
            return (doc, Vec::new());
        }
    };
    lap(&mut doc, "split", t);
    doc.num_pages = pages.len() as u32;

    doc.status = Status::Ocr;
    let t = Instant::now();
    for page in pages.iter_mut().filter(|p| p.needs_ocr) {
        let result = match engine {
            Some(e) => ocr::ocr_page(page, e).map(|_| e.name().to_string()),
            None => Err(ocr::OcrError::EngineMissing {
                engine: "none".into(),
                fix: format!(
                    "no OCR engine was configured; {}",
                    ocr::tesseract::INSTALL_HINT
                ),
            }),
        };
        match result {
            Ok(name) => {
                doc.num_ocr_pages += 1;
                metering::add(&mut doc.metering, &format!("OCR/{name}"), "pages", 1.0);
            }
            Err(e) => doc.errors.push(e.to_string()),
        }
    }
    lap(&mut doc, "ocr", t);
    for p in &pages {
        doc.pages.insert(
            p.page_id(),
            Page {
                page_id: p.page_id(),
                text_source: Some(p.text_source),
                error: (p.needs_ocr && p.words.is_empty() && !doc.errors.is_empty())
                    .then(|| doc.errors.last().cloned())
                    .flatten(),
                ..Page::default()
            },
        );
    }
    if pages.iter().all(|p| p.words.is_empty()) {
        let reason = doc
            .errors
            .first()
            .cloned()
            .unwrap_or_else(|| "no text was found on any page".into());
        doc.fail(reason);
        return (doc, pages);
    }

    doc.status = Status::Classifying;
    let t = Instant::now();
    let per_page = classify::classify_document(config, Some(id), &pages);
    for pc in &per_page {
        if let Some(p) = doc.pages.get_mut(&pc.page_number.to_string()) {
            p.classification = Some(pc.class.clone());
            p.confidence = Some(pc.confidence);
        }
    }
    doc.sections = classify::sections_split(config, &pages, &per_page);
    lap(&mut doc, "classify", t);

    doc.status = Status::Extracting;
    let t = Instant::now();
    for section in &mut doc.sections {
        let Some(class) = config.class(&section.classification) else {
            continue;
        };
        let section_pages: Vec<&PageContent> = pages
            .iter()
            .filter(|p| section.page_ids.contains(&p.page_id()))
            .collect();
        let ex = extract::extract_section(class, &section_pages);
        section.attributes = ex.attributes;
        section.fields = ex.fields;
    }
    lap(&mut doc, "extract", t);

    doc.status = Status::Assessing;
    let t = Instant::now();
    let mut alerts = 0;
    for section in &mut doc.sections {
        if let Some(class) = config.class(&section.classification) {
            alerts += assess::assess_section(section, class, opts.default_threshold);
        }
    }
    doc.confidence_alert_count = alerts as u32;
    lap(&mut doc, "assess", t);

    doc.status = Status::Summarizing;
    let t = Instant::now();
    let summary = summarize::summarize(&pages, opts.summary_sentences);
    doc.summary = (!summary.is_empty()).then_some(summary);
    lap(&mut doc, "summarize", t);

    doc.status = Status::Completed;
    (doc, pages)
}

fn lap(doc: &mut Document, stage: &str, since: Instant) {
    doc.timings
        .insert(stage.to_string(), since.elapsed().as_millis() as u64);
}
