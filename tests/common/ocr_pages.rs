//! Pages for the OCR engines' tests: the scanned sample as the pipeline renders it.

use std::sync::OnceLock;

use idpctl::model::PageContent;
use idpctl::pipeline::split::{SplitOptions, split};

use super::root;

/// A scanned form without a text layer (a 1099-B).
pub const SCAN: &str = "samples/scanned/1099B.pdf";

/// The scanned page as the pipeline renders it for OCR (rendered once per run).
pub fn scanned_page() -> PageContent {
    static PAGE: OnceLock<PageContent> = OnceLock::new();
    PAGE.get_or_init(|| {
        let bytes = std::fs::read(root().join(SCAN)).unwrap();
        let mut pages = split(&bytes, "1099B.pdf", &SplitOptions::default()).unwrap();
        assert!(pages[0].needs_ocr && pages[0].image.is_some());
        pages.remove(0)
    })
    .clone()
}
