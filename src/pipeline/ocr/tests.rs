//! OCR with the real Tesseract on the shared scans, and the engine-missing path.

use super::tesseract::Tesseract;
use super::*;
use crate::pipeline::split::tests::sample;
use crate::pipeline::split::{self, SplitOptions};

fn tesseract() -> Tesseract {
    let t = Tesseract::default();
    if let Err(e) = t.version() {
        panic!("these tests need Tesseract: {e}");
    }
    t
}

#[test]
fn scanned_1099b_reads_words_with_boxes() {
    let mut pages = split::split(
        &sample("scanned/1099B.pdf"),
        "1099B.pdf",
        &SplitOptions::default(),
    )
    .unwrap();
    let page = &mut pages[0];
    let metering = ocr_page(page, &tesseract()).unwrap();
    assert_eq!(metering["OCR/tesseract"]["pages"], 1.0);
    assert_eq!(page.text_source, TextSource::Ocr);
    assert!(page.words.len() > 150, "{} words", page.words.len());
    assert!(page.text.contains("1099-B"), "{}", page.text);
    assert!(page.text.contains("$472,525.00"), "{}", page.text);
    for w in &page.words {
        assert!((0.0..=1.0).contains(&w.confidence));
        assert!(w.bbox.right() <= 1.0 && w.bbox.bottom() <= 1.0 && w.bbox.width > 0.0);
    }
    // Reading order: the payer block comes before the state tax lines.
    let payer = page.text.find("INTEGRATED DATA MANAGEMENT").unwrap();
    let state = page.text.find("69,780.00").unwrap();
    assert!(payer < state);
    let mean = page.mean_confidence().unwrap();
    assert!(mean > 0.7, "mean confidence {mean}");
}

#[test]
fn png_photo_is_read() {
    let mut pages = split::split(
        &sample("scanned/old_cal_license.png"),
        "license.png",
        &SplitOptions::default(),
    )
    .unwrap();
    ocr_page(&mut pages[0], &tesseract()).unwrap();
    let text = pages[0].text.to_uppercase();
    assert!(text.contains("LICENSE"), "{text}");
}

#[test]
fn missing_engine_says_how_to_install_it() {
    let mut pages = split::split(
        &sample("scanned/1099B.pdf"),
        "1099B.pdf",
        &SplitOptions::default(),
    )
    .unwrap();
    let engine = Tesseract {
        binary: "/nonexistent/bin/tesseract".into(),
        ..Tesseract::default()
    };
    let err = ocr_page(&mut pages[0], &engine).unwrap_err();
    assert!(matches!(err, OcrError::EngineMissing { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("apt-get install tesseract-ocr"), "{msg}");
    assert!(pages[0].words.is_empty() && pages[0].needs_ocr);
    assert!(engine.version().is_err());
}

#[test]
fn unreadable_image_fails_with_the_engine_reason() {
    let mut page = crate::pipeline::split::image::image_page(
        3,
        b"\x89PNG\r\n\x1a\nnot really".to_vec(),
        10,
        10,
        None,
    );
    let err = ocr_page(&mut page, &tesseract()).unwrap_err();
    match err {
        OcrError::Failed { page, .. } => assert_eq!(page, 3),
        other => panic!("{other:?}"),
    }
}

#[test]
fn pages_with_text_or_without_image() {
    let mut pages = split::split(
        &sample("w2/W2_XL_input_clean_1000.pdf"),
        "w2.pdf",
        &SplitOptions::default(),
    )
    .unwrap();
    let before = pages[0].clone();
    let broken = Tesseract {
        binary: "/nonexistent".into(),
        ..Tesseract::default()
    };
    ocr_page(&mut pages[0], &broken).unwrap(); // text layer: OCR is not even tried
    assert_eq!(pages[0], before);
    let mut no_image = before;
    no_image.needs_ocr = true;
    let err = ocr_page(&mut no_image, &broken).unwrap_err();
    assert!(matches!(err, OcrError::NoImage(1)), "{err:?}");
}

#[test]
fn a_speck_read_as_a_letter_is_dropped_but_small_print_is_kept() {
    use crate::model::BoundingBox;
    let word = |t: &str, left: f32, h: f32| {
        Word::new(
            t,
            BoundingBox::from_edges(left, 0.13, left + 0.05, 0.13 + h),
            0.9,
        )
    };
    let mut words = vec![
        word("Nr", 0.58, 0.023),
        word("faktury", 0.61, 0.023),
        word("i", 0.678, 0.001),
        word("FS", 0.81, 0.012),
        word("917/07/2025", 0.84, 0.012),
        word("Data", 0.58, 0.012),
        word("sprzedaży", 0.61, 0.012),
        word("Kraków", 0.1, 0.012),
        // A footnote mark in small print: a third of the usual height, kept; so is a dash
        // between a sender line's parts, however flat.
        word("*", 0.95, 0.004),
        word("-", 0.3, 0.001),
    ];
    drop_specks(&mut words);
    let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Nr",
            "faktury",
            "FS",
            "917/07/2025",
            "Data",
            "sprzedaży",
            "Kraków",
            "*",
            "-"
        ]
    );
}
