//! Damaged copies of real samples, made here by breaking their `startxref` or moving every
//! object, read back as the intact file reads.

use pdf_extract::Document;

use super::rebuild;
use crate::pipeline::split::pdf_load::load;
use crate::pipeline::split::tests::sample;
use crate::pipeline::split::{SplitOptions, split};
use crate::pipeline::text_layer;

const SAMPLES: &[&str] = &[
    "text/Nuveen.pdf",
    "text/bank-statement-multipage.pdf",
    "w2/W2_XL_input_clean_1000.pdf",
    "scanned/1099B.pdf",
];

/// The file with the number after its last `startxref` replaced by `to`.
fn with_startxref(bytes: &[u8], to: &str) -> Vec<u8> {
    let at = bytes
        .windows(9)
        .rposition(|w| w == b"startxref")
        .expect("a startxref")
        + 9;
    let digits_at = at + bytes[at..].iter().position(u8::is_ascii_digit).unwrap();
    let end = digits_at
        + bytes[digits_at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
    let mut out = bytes[..digits_at].to_vec();
    out.extend_from_slice(to.as_bytes());
    out.extend_from_slice(&bytes[end..]);
    out
}

/// The file with a comment line inserted after its header: every offset now misses.
fn shifted(bytes: &[u8]) -> Vec<u8> {
    let nl = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    let mut out = bytes[..nl].to_vec();
    out.extend_from_slice(b"% moved by an editor that kept the old cross-reference table\n");
    out.extend_from_slice(&bytes[nl..]);
    out
}

fn words(doc: &Document) -> Vec<Vec<String>> {
    text_layer::page_words(doc)
        .unwrap()
        .into_iter()
        .map(|p| p.into_iter().map(|w| w.text).collect())
        .collect()
}

#[test]
fn a_wrong_startxref_is_repaired_on_every_sample() {
    for rel in SAMPLES {
        let bytes = sample(rel);
        let intact = load(&bytes).unwrap();
        for to in ["7", "0", "999999999"] {
            let broken = with_startxref(&bytes, to);
            // The damage is real: lopdf alone refuses the file.
            assert!(Document::load_mem(&broken).is_err(), "{rel} startxref {to}");
            let repaired = load(&broken).unwrap_or_else(|e| panic!("{rel} startxref {to}: {e}"));
            assert_eq!(
                repaired.get_pages().len(),
                intact.get_pages().len(),
                "{rel}"
            );
            assert_eq!(words(&repaired), words(&intact), "{rel} startxref {to}");
        }
    }
}

#[test]
fn offsets_that_all_miss_are_repaired() {
    for rel in SAMPLES {
        let bytes = sample(rel);
        let intact = load(&bytes).unwrap();
        let broken = shifted(&bytes);
        let repaired = load(&broken).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(words(&repaired), words(&intact), "{rel}");
    }
}

#[test]
fn split_reads_a_damaged_file_as_the_intact_one() {
    let opts = SplitOptions {
        render_for_ocr: false,
        ..SplitOptions::default()
    };
    let bytes = sample("text/bank-statement-multipage.pdf");
    let intact = split(&bytes, "s.pdf", &opts).unwrap();
    let damaged = split(&with_startxref(&bytes, "7"), "s.pdf", &opts).unwrap();
    assert_eq!(intact.len(), damaged.len());
    for (a, b) in intact.iter().zip(&damaged) {
        assert_eq!(a.text, b.text);
    }
}

#[test]
fn nothing_to_root_a_document_in_is_no_repair() {
    assert_eq!(rebuild(b"%PDF-1.7\nthis is not really a pdf"), None);
    assert_eq!(rebuild(b"no header at all 1 0 obj << >> endobj"), None);
    // Objects, but no catalog and no trailer.
    assert_eq!(
        rebuild(b"%PDF-1.4\n1 0 obj\n<< /Type /Font >>\nendobj\n"),
        None
    );
    // And split says the file is corrupt, as before.
    let opts = SplitOptions::default();
    let err = split(
        b"%PDF-1.4\n1 0 obj\n<< /Type /Font >>\nendobj\n",
        "x.pdf",
        &opts,
    );
    assert!(err.is_err());
}

#[test]
fn the_catalog_roots_a_file_without_a_trailer() {
    let pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
        2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n\
        3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n";
    let fixed = rebuild(pdf).unwrap();
    let doc = Document::load_mem(&fixed).unwrap();
    assert_eq!(doc.get_pages().len(), 1);
}

#[test]
fn stream_data_and_huge_numbers_are_not_objects() {
    let pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
        5 0 obj\n<< /Length 20 >>\nstream\n9 0 obj junk here\nendstream\nendobj\n\
        8388608 0 obj\n<< >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n";
    let fixed = rebuild(pdf).unwrap();
    let table = String::from_utf8_lossy(&fixed[pdf.len()..]).to_string();
    // Objects 1 and 5 only: the header inside the stream and the number past the format's
    // limit are not indexed, and the table is as small as what was found.
    assert!(
        table.contains("1 1\n") && table.contains("5 1\n"),
        "{table}"
    );
    assert!(
        !table.contains("9 1\n") && !table.contains("8388608"),
        "{table}"
    );
    assert!(fixed.len() < pdf.len() + 200);
}
