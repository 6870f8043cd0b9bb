//! Split on the shared sample documents, and on bad input: every failure is a typed reason.

use std::io::Cursor;
use std::path::PathBuf;

use super::*;
use crate::model::TextSource;

pub(crate) fn sample(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/samples")).join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/pipeline"
    ))
    .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn text_only() -> SplitOptions {
    SplitOptions {
        render_for_ocr: false,
        ..SplitOptions::default()
    }
}

#[test]
fn w2_text_layer_has_words_with_boxes() {
    let pages = split(
        &sample("w2/W2_XL_input_clean_1000.pdf"),
        "w2.pdf",
        &text_only(),
    )
    .unwrap();
    assert_eq!(pages.len(), 1);
    let p = &pages[0];
    assert_eq!(p.text_source, TextSource::TextLayer);
    assert!(!p.needs_ocr && p.image.is_none());
    let ein = p
        .words
        .iter()
        .find(|w| w.text == "37-2766773")
        .expect("EIN word");
    assert!(ein.confidence == 1.0 && !ein.approximate);
    // Box b is in the upper-left quarter of the page.
    assert!(
        ein.bbox.left < 0.3 && ein.bbox.top < 0.2 && ein.bbox.width > 0.0,
        "{ein:?}"
    );
    assert!(
        p.words
            .iter()
            .all(|w| w.bbox.right() <= 1.0 && w.bbox.bottom() <= 1.0)
    );
    assert!(p.text.contains("Employer identification number"));
}

#[test]
fn multi_page_text_pdfs() {
    for (file, n) in [
        ("text/bank-statement-multipage.pdf", 5),
        ("text/Nuveen.pdf", 17),
        ("text/insurance_package_single.pdf", 1),
    ] {
        let pages = split(&sample(file), file, &text_only()).unwrap();
        assert_eq!(pages.len(), n, "{file}");
        assert!(pages.iter().all(|p| !p.needs_ocr), "{file}");
        assert_eq!(pages.last().unwrap().page_number as usize, n);
    }
    let pages = split(
        &sample("text/insurance_package_single.pdf"),
        "d.pdf",
        &text_only(),
    )
    .unwrap();
    assert!(
        pages[0].text.contains("Patient Discharge Summary"),
        "{}",
        pages[0].text
    );
}

#[test]
fn scanned_pdf_needs_ocr_and_is_rendered() {
    let pages = split(
        &sample("scanned/1099B.pdf"),
        "1099B.pdf",
        &SplitOptions::default(),
    )
    .unwrap();
    assert_eq!(pages.len(), 1);
    let p = &pages[0];
    assert!(p.needs_ocr && p.words.is_empty());
    assert_eq!(p.text_source, TextSource::None);
    let img = p.image.as_ref().expect("rendered");
    assert!(img.bytes.starts_with(b"\x89PNG"));
    // A 96 ppi scan renders at ~2.5x its resolution, not at 300 dpi.
    let dpi = img.dpi.unwrap();
    assert!((200..=260).contains(&dpi), "{dpi}");
    assert!(
        (img.width as f32 - 612.0 * dpi as f32 / 72.0).abs() < 8.0,
        "{}",
        img.width
    );

    let pages = split(
        &sample("scanned/lending_package.pdf"),
        "l.pdf",
        &text_only(),
    )
    .unwrap();
    assert_eq!(pages.len(), 6);
    assert!(pages.iter().all(|p| p.needs_ocr && p.image.is_none()));
}

#[test]
fn png_is_one_page_with_the_original_bytes() {
    let bytes = sample("scanned/old_cal_license.png");
    let pages = split(&bytes, "license.png", &SplitOptions::default()).unwrap();
    assert_eq!(pages.len(), 1);
    let img = pages[0].image.as_ref().unwrap();
    assert_eq!(img.bytes, bytes);
    assert!(img.width > 100 && img.height > 100);
}

#[test]
fn wrong_extension_still_works() {
    let pdf = sample("w2/W2_XL_input_clean_1001.pdf");
    let as_png = split(&pdf, "scan.png", &text_only()).unwrap();
    assert_eq!(as_png[0].text_source, TextSource::TextLayer);
    let png = sample("scanned/old_cal_license.png");
    assert!(split(&png, "license.pdf", &text_only()).unwrap()[0].needs_ocr);
}

#[test]
fn jpeg_and_multi_page_tiff() {
    let mut img = ::image::GrayImage::new(40, 30);
    img.put_pixel(3, 3, ::image::Luma([255]));
    let mut jpg = Cursor::new(Vec::new());
    img.write_to(&mut jpg, ::image::ImageFormat::Jpeg).unwrap();
    let pages = split(&jpg.into_inner(), "x.jpg", &SplitOptions::default()).unwrap();
    assert_eq!(pages[0].image.as_ref().unwrap().width, 40);

    let mut tif = Cursor::new(Vec::new());
    {
        let mut enc = ::tiff::encoder::TiffEncoder::new(&mut tif).unwrap();
        enc.write_image::<::tiff::encoder::colortype::Gray8>(20, 10, &[200u8; 200])
            .unwrap();
        enc.write_image::<::tiff::encoder::colortype::RGB8>(8, 4, &[10u8; 96])
            .unwrap();
    }
    let pages = split(&tif.into_inner(), "fax.tif", &SplitOptions::default()).unwrap();
    assert_eq!(pages.len(), 2, "every TIFF page, not only the first");
    assert_eq!(pages[1].page_number, 2);
    let second = pages[1].image.as_ref().unwrap();
    assert_eq!((second.width, second.height), (8, 4));
    assert!(second.bytes.starts_with(b"\x89PNG"));
}

#[test]
fn text_formats() {
    let pages = split(b"Invoice: 42\nTotal: 10.00\n", "notes.txt", &text_only()).unwrap();
    assert_eq!(pages[0].text_source, TextSource::Native);
    assert_eq!(pages[0].text, "Invoice: 42\nTotal: 10.00");
    let pages = split(
        b"<html><body><p>Hello</p><p>World</p></body></html>",
        "x.html",
        &text_only(),
    )
    .unwrap();
    assert_eq!(pages[0].text, "Hello\nWorld");
    let pages = split(b"# Report\n\nSome *markdown* text\n", "r.md", &text_only()).unwrap();
    assert!(pages[0].text.contains("markdown"));
    let pages = split(b"a,b\n1,2\n", "t.csv", &text_only()).unwrap();
    assert_eq!(pages[0].text, "a\tb\n1\t2");
}

// ---- bad input: a typed reason, never a panic ----

#[test]
fn zero_bytes() {
    let err = split(b"", "empty.pdf", &text_only()).unwrap_err();
    assert_eq!(err, SplitError::Empty);
    assert_eq!(err.to_string(), "the file is empty (0 bytes)");
}

#[test]
fn corrupt_pdfs() {
    let err = split(b"%PDF-1.7\nthis is not really a pdf", "x.pdf", &text_only()).unwrap_err();
    assert!(matches!(err, SplitError::CorruptPdf(_)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("the PDF is corrupt or unreadable"),
        "{err}"
    );
    // Truncated in the middle of a real file.
    let pdf = sample("w2/W2_XL_input_clean_1002.pdf");
    for cut in [16, 1000, pdf.len() / 2] {
        match split(&pdf[..cut], "x.pdf", &text_only()) {
            Err(SplitError::CorruptPdf(_)) | Err(SplitError::NoPages) => {}
            // lopdf can rebuild a damaged file; then it must at least have pages.
            Ok(pages) => assert!(!pages.is_empty()),
            Err(e) => panic!("cut at {cut}: unexpected {e:?}"),
        }
    }
}

#[test]
fn encrypted_pdf_says_so() {
    let err = split(
        &fixture("encrypted-user-password.pdf"),
        "x.pdf",
        &text_only(),
    )
    .unwrap_err();
    assert_eq!(err, SplitError::EncryptedPdf);
    assert!(err.to_string().contains("encrypted (password-protected)"));
    // Encrypted only against editing (empty user password): opens like any PDF.
    let pages = split(&fixture("encrypted-owner-only.pdf"), "x.pdf", &text_only()).unwrap();
    assert!(pages[0].text.contains("INV-2024-001"), "{}", pages[0].text);
}

#[test]
fn unknown_types_are_named() {
    let err = split(b"GIF89a\x01\x00\x01\x00", "x.pdf", &text_only()).unwrap_err();
    assert!(
        err.to_string()
            .contains("unsupported file type (GIF image)"),
        "{err}"
    );
    let err = split(
        &[0u8, 159, 146, 150, 0, 1, 2, 3, 4, 5, 6, 7],
        "x.bin",
        &text_only(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("binary data of an unknown type"),
        "{err}"
    );
}

/// A valid PNG header declaring `w` x `h` pixels and no pixel data.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]); // 8-bit gray
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    png.extend(crc32(&ihdr).to_be_bytes());
    png
}

#[test]
fn absurd_image_dimensions_are_refused_before_decoding() {
    let err = split(
        &png_header(100_000, 100_000),
        "bomb.png",
        &SplitOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        SplitError::ImageTooLarge {
            format: "PNG",
            width: 100_000,
            height: 100_000,
            max_pixels: 100_000_000
        }
    );
    assert!(err.to_string().contains("scale it down"), "{err}");
    let err = split(&png_header(0, 10), "zero.png", &SplitOptions::default()).unwrap_err();
    assert!(matches!(err, SplitError::CorruptImage { .. }), "{err:?}");
}

#[test]
fn corrupt_images() {
    let err = split(
        b"\x89PNG\r\n\x1a\nrubbish",
        "x.png",
        &SplitOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(err, SplitError::CorruptImage { format: "PNG", .. }),
        "{err:?}"
    );
    let err = split(b"II*\0\xff\xff\xff\x7f", "x.tif", &SplitOptions::default()).unwrap_err();
    assert!(
        matches!(err, SplitError::CorruptImage { format: "TIFF", .. }),
        "{err:?}"
    );
}

#[test]
fn too_many_pages() {
    let opts = SplitOptions {
        max_pages: 3,
        ..text_only()
    };
    let err = split(&sample("text/bank-statement-multipage.pdf"), "b.pdf", &opts).unwrap_err();
    assert_eq!(err, SplitError::TooManyPages { pages: 5, max: 3 });
}
