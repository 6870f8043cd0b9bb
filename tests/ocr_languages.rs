//! OCR in the page's own language, with the real Tesseract: a French scan (from the synthetic
//! dev set) gets its accented words right only when the French pack is there, and an English
//! scan is read once. The program runs through a wrapper that logs each call, so the number of
//! readings is what Tesseract was really asked to do.
//!
//! Without Tesseract or its French pack the tests skip with a notice, except under
//! `IDPCTL_REQUIRE_LINTERS=1` (CI, whose `.ci/run` installs the packs), where that is a failure.

mod common;

use std::path::{Path, PathBuf};

use common::ocr_pages::{FRENCH_SCAN, first_page as page};
use idpctl::model::PageContent;
use idpctl::pipeline::ocr::ocr_page;
use idpctl::pipeline::ocr::packs::{self, Languages};
use idpctl::pipeline::ocr::tesseract::Tesseract;

/// Whether Tesseract with `pack` is here; a skip notice (or CI's failure) when not.
fn have(pack: &str) -> bool {
    let installed = packs::installed("tesseract");
    if installed.iter().any(|p| p == pack) {
        return true;
    }
    let msg = format!(
        "Tesseract's `{pack}` language pack is not installed (have: {installed:?}): install it \
         with `apt-get install tesseract-ocr tesseract-ocr-{pack}` (bash .ci/run does)"
    );
    if std::env::var_os("IDPCTL_REQUIRE_LINTERS").is_some() {
        panic!("{msg}");
    }
    eprintln!("skipping: {msg}");
    false
}

/// A `tesseract` in a fresh folder that appends its arguments to a log (one line a call) and
/// runs the real one: (the folder, the program, the log).
fn logging_tesseract() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (script, log) = common::ocr_pages::logging_tesseract(dir.path(), "exec tesseract \"$@\"");
    (dir, script, log)
}

/// The `-l` argument of each page reading the log holds (the pack listing is not one).
fn readings(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("stdin "))
        .map(|l| {
            let args: Vec<&str> = l.split_whitespace().collect();
            let i = args.iter().position(|a| *a == "-l").unwrap();
            args[i + 1].to_string()
        })
        .collect()
}

fn engine(languages: &str, binary: &Path) -> Tesseract {
    let mut t = Tesseract::with_languages(Languages::parse(languages).unwrap());
    t.binary = binary.display().to_string();
    t
}

#[test]
fn a_french_scan_is_read_again_in_french_and_its_accents_come_out() {
    if !have("fra") {
        return;
    }
    let (_dir, binary, log) = logging_tesseract();

    let mut english_only = page(FRENCH_SCAN);
    ocr_page(&mut english_only, &engine("eng", &binary)).unwrap();
    assert_eq!(readings(&log), ["eng"]);

    std::fs::remove_file(&log).unwrap();
    let mut own_language = page(FRENCH_SCAN);
    ocr_page(&mut own_language, &engine("auto", &binary)).unwrap();
    assert_eq!(readings(&log), ["eng", "fra+eng"]);

    // Words the English model reads without their accents.
    let accented = ["RÉGLER", "règlement", "À"];
    let words =
        |p: &PageContent| -> Vec<String> { p.words.iter().map(|w| w.text.clone()).collect() };
    let (before, after) = (words(&english_only), words(&own_language));
    for w in accented {
        assert!(
            after.iter().any(|x| x.contains(w)),
            "`{w}` missing with the French pack: {after:?}"
        );
    }
    assert!(
        accented
            .iter()
            .filter(|w| before.iter().any(|x| x.contains(*w)))
            .count()
            < accented.len(),
        "the English reading already had every accented word: {before:?}"
    );
    let mean = |p: &PageContent| p.mean_confidence().unwrap();
    assert!(
        mean(&own_language) > mean(&english_only),
        "{} <= {}",
        mean(&own_language),
        mean(&english_only)
    );
}

#[test]
fn an_english_scan_is_read_once() {
    if !have("eng") {
        return;
    }
    let (_dir, binary, log) = logging_tesseract();
    let mut page = common::ocr_pages::scanned_page();
    ocr_page(&mut page, &engine("auto", &binary)).unwrap();
    assert_eq!(readings(&log), ["eng"]);
    assert!(page.text.contains("1099-B"), "{}", page.text);
}

#[test]
fn a_language_the_setting_leaves_out_is_not_read_again() {
    if !have("eng") {
        return;
    }
    let (_dir, binary, log) = logging_tesseract();
    // As with a missing pack: the page is read as before, in English only.
    let t = engine("eng+deu", &binary);
    let mut french = page(FRENCH_SCAN);
    ocr_page(&mut french, &t).unwrap();
    assert_eq!(readings(&log), ["eng"]);
    assert!(!french.words.is_empty());
}
