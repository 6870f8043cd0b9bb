//! Pages for the OCR engines' tests: the scanned samples as the pipeline renders them.

use std::sync::OnceLock;

use idpctl::model::PageContent;
use idpctl::pipeline::split::{SplitOptions, split};

use super::root;

/// A scanned form without a text layer (a 1099-B).
pub const SCAN: &str = "samples/scanned/1099B.pdf";

/// A French invoice scan (from the synthetic dev set) whose accented words the English pack
/// reads without their accents.
pub const FRENCH_SCAN: &str = "evalsets/invoices-synthetic/dev/documents/invoice-fr-d-04.png";

/// The scanned page as the pipeline renders it for OCR (rendered once per run).
pub fn scanned_page() -> PageContent {
    static PAGE: OnceLock<PageContent> = OnceLock::new();
    PAGE.get_or_init(|| first_page(SCAN)).clone()
}

/// The first page of the file at `path` (from the project's root) as the pipeline renders it
/// for OCR; it must need OCR.
pub fn first_page(path: &str) -> PageContent {
    let bytes = std::fs::read(root().join(path)).unwrap();
    let name = std::path::Path::new(path)
        .file_name()
        .unwrap()
        .to_string_lossy();
    let mut pages = split(&bytes, &name, &SplitOptions::default()).unwrap();
    assert!(
        pages[0].needs_ocr && pages[0].image.is_some(),
        "{path} should need OCR"
    );
    pages.remove(0)
}

/// A `tesseract` in `dir` that appends its arguments to `dir/tesseract.log` (one line a call),
/// then runs the shell line `then` (`exec tesseract "$@"` for the real one): (the program, the
/// log).
pub fn logging_tesseract(
    dir: &std::path::Path,
    then: &str,
) -> (std::path::PathBuf, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let log = dir.join("tesseract.log");
    let script = dir.join("tesseract");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$*\" >> '{}'\n{then}\n", log.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, log)
}
