//! The fast reader against pdf-extract, the reader it replaces, on every sample PDF: the same
//! words in the same order with the same boxes, and no page sent back to pdf-extract.

use std::path::PathBuf;

use pdf_extract::Document;

use super::*;
use crate::pipeline::text_layer::{extract_page, glyphs_to_words};

/// Every text and W-2 sample, here and in the shared folder (the scanned ones too: their
/// text-less pages must stay text-less).
fn sample_pdfs() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut v = Vec::new();
    for dir in [
        root.join("samples/text"),
        root.join("samples/w2"),
        root.join("../shared/samples/text"),
        root.join("../shared/samples/w2"),
        root.join("../shared/samples/scanned"),
    ] {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            if e.path().extension().is_some_and(|x| x == "pdf") {
                v.push(e.path());
            }
        }
    }
    v.sort();
    v
}

/// Box edges may differ by this much (as a fraction of the page): float rounding only.
const TOLERANCE: f32 = 0.001;

#[test]
fn same_words_and_boxes_as_pdf_extract_on_every_sample() {
    let (pages, words, _) = compare_with_pdf_extract(true);
    assert!(pages >= 50 && words > 5_000, "{pages} pages, {words} words");
}

#[test]
fn without_pdf_extract_quirks_only_nuveen_header_boxes_change() {
    // Read as the spec says, the words are still the same everywhere; only Nuveen.pdf's running
    // header (a form XObject whose fonts share names with the page's) gets other boxes: its own
    // fonts' widths instead of the page fonts', which had stacked its glyphs.
    let (_, _, diffs) = compare_with_pdf_extract(false);
    assert!(!diffs.is_empty());
    let widened = diffs
        .iter()
        .filter(|(_, _, ours, theirs)| ours > theirs)
        .count();
    for (file, word, _, _) in &diffs {
        assert!(file.ends_with("Nuveen.pdf"), "{file} {word}");
    }
    assert!(widened * 2 > diffs.len(), "{diffs:?}");
}

/// A word whose box differs: (file, text, our width, pdf-extract's).
type BoxDiff = (String, String, f32, f32);

/// Pages, words, and the words whose boxes differ. Word texts must be the same on every page
/// either way.
fn compare_with_pdf_extract(pdf_extract_quirks: bool) -> (usize, usize, Vec<BoxDiff>) {
    let files = sample_pdfs();
    assert!(files.len() >= 20, "samples missing: {files:?}");
    let (mut pages, mut words, mut diffs) = (0, 0, Vec::new());
    for path in &files {
        let doc = Document::load(path).unwrap();
        let mut cache = FontCache {
            pdf_extract_quirks,
            ..FontCache::default()
        };
        for (&num, &id) in &doc.get_pages() {
            let ours = page_glyphs(&doc, id, &mut cache)
                .unwrap_or_else(|e| panic!("{} p{num}: {e}", path.display()));
            let theirs = extract_page(&doc, num).expect("pdf-extract reads every sample");
            let (a, b) = (glyphs_to_words(&ours), glyphs_to_words(&theirs));
            let ta: Vec<&str> = a.iter().map(|w| w.text.as_str()).collect();
            let tb: Vec<&str> = b.iter().map(|w| w.text.as_str()).collect();
            assert_eq!(ta, tb, "{} p{num}: words differ", path.display());
            for (x, y) in a.iter().zip(&b) {
                let (p, q) = (&x.bbox, &y.bbox);
                let d = (p.left - q.left)
                    .abs()
                    .max((p.top - q.top).abs())
                    .max((p.width - q.width).abs())
                    .max((p.height - q.height).abs());
                if d > TOLERANCE {
                    assert!(
                        !pdf_extract_quirks,
                        "{} p{num} {:?}: {p:?} vs {q:?}",
                        path.display(),
                        x.text
                    );
                    diffs.push((path.display().to_string(), x.text.clone(), p.width, q.width));
                }
            }
            pages += 1;
            words += a.len();
        }
    }
    (pages, words, diffs)
}

fn doc_with_page(content: &[u8], font: Object, extra: Vec<(&str, Object)>) -> (Document, ObjectId) {
    use pdf_extract::{Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let font_id = doc.add_object(font);
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
    let mut resources = dictionary! { "Font" => dictionary! { "F1" => font_id } };
    for (k, v) in extra {
        resources.set(k, v);
    }
    let pages_id = doc.new_object_id();
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "Resources" => resources,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
            "MediaBox" => vec![0.into(), 0.into(), 600.into(), 800.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    (doc, page_id)
}

fn simple_font() -> Object {
    use pdf_extract::dictionary;
    let widths: Vec<Object> = (32..=126).map(|_| Object::Integer(500)).collect();
    Object::Dictionary(dictionary! {
        "Type" => "Font",
        "Subtype" => "TrueType",
        "BaseFont" => "Test",
        "FirstChar" => 32,
        "LastChar" => 126,
        "Widths" => widths,
        "Encoding" => "WinAnsiEncoding",
    })
}

#[test]
fn positions_follow_the_text_and_graphics_state() {
    // 10 pt, 500/1000 widths: each glyph advances 5 pt; Tc adds 1, Tz 50% halves the advance.
    let (doc, page) = doc_with_page(
        b"q 1 0 0 1 100 0 cm BT /F1 10 Tf 0 0 Td 1 0 0 1 0 700 Tm (ab) Tj \
          2 Tc (c) Tj 0 Tc 50 Tz (d) Tj 100 Tz [(e) -1000 (f)] TJ 12 TL T* (g) Tj ET Q \
          BT /F1 10 Tf 5 5 Td (h) ' ET",
        simple_font(),
        vec![],
    );
    let p = page_glyphs(&doc, page, &mut FontCache::default()).unwrap();
    let got: Vec<(&str, f64, f64)> = p
        .glyphs
        .iter()
        .map(|g| (g.text.as_str(), g.x, g.y))
        .collect();
    // The ' after Q moves down by the leading Q restored (0: TL 12 was set inside q … Q).
    assert_eq!(
        got,
        [
            ("a", 100.0, 100.0),
            ("b", 105.0, 100.0),
            ("c", 110.0, 100.0),
            ("d", 117.0, 100.0),
            ("e", 119.5, 100.0),
            ("f", 134.5, 100.0),
            ("g", 100.0, 112.0),
            ("h", 5.0, 795.0),
        ]
    );
    assert_eq!(p.glyphs[0].size, 10.0);
}

#[test]
fn form_xobjects_are_drawn_with_their_matrix_and_cycles_are_bounded() {
    use pdf_extract::{Stream, dictionary};
    let (mut doc, page) = doc_with_page(b"1 0 0 1 50 50 cm /X1 Do", simple_font(), vec![]);
    let font_ref = doc
        .get_object(page)
        .unwrap()
        .as_dict()
        .unwrap()
        .get(b"Resources")
        .unwrap()
        .as_dict()
        .unwrap()
        .get(b"Font")
        .unwrap()
        .clone();
    let form_id = doc.new_object_id();
    let form = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form",
            "Matrix" => vec![1.into(), 0.into(), 0.into(), 1.into(), 10.into(), 20.into()],
            "Resources" => dictionary! { "Font" => font_ref, "XObject" => dictionary! { "X1" => form_id } },
        },
        b"BT /F1 10 Tf (x) Tj ET".to_vec(),
    );
    doc.objects.insert(form_id, Object::Stream(form));
    let page_dict = doc.get_object_mut(page).unwrap().as_dict_mut().unwrap();
    page_dict
        .get_mut(b"Resources")
        .unwrap()
        .as_dict_mut()
        .unwrap()
        .set("XObject", dictionary! { "X1" => form_id });
    let p = page_glyphs(&doc, page, &mut FontCache::default()).unwrap();
    assert_eq!((p.glyphs[0].x, p.glyphs[0].y), (60.0, 730.0));

    // The same form drawing itself: bounded, and reported as a limit, not a hang.
    let form = doc
        .get_object_mut(form_id)
        .unwrap()
        .as_stream_mut()
        .unwrap();
    form.set_content(b"BT /F1 10 Tf (x) Tj ET /X1 Do".to_vec());
    let err = page_glyphs(&doc, page, &mut FontCache::default()).unwrap_err();
    assert_eq!(err, PageError::Limit("nested forms"));
}

#[test]
fn fonts_it_cannot_read_like_pdf_extract_are_sent_back() {
    use pdf_extract::dictionary;
    let type3 = Object::Dictionary(dictionary! { "Type" => "Font", "Subtype" => "Type3" });
    let (doc, page) = doc_with_page(b"BT /F1 10 Tf (x) Tj ET", type3, vec![]);
    assert_eq!(
        page_glyphs(&doc, page, &mut FontCache::default()).unwrap_err(),
        PageError::Unsupported(Unsupported("a Type3 font"))
    );
    let standard14 = Object::Dictionary(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let (doc, page) = doc_with_page(b"BT /F1 10 Tf (x) Tj ET", standard14, vec![]);
    assert!(matches!(
        page_glyphs(&doc, page, &mut FontCache::default()),
        Err(PageError::Unsupported(_))
    ));
}

#[test]
fn differences_and_identity_fonts_decode() {
    use pdf_extract::dictionary;
    let mut font = simple_font();
    font.as_dict_mut().unwrap().set(
        "Encoding",
        dictionary! {
            "BaseEncoding" => "WinAnsiEncoding",
            "Differences" => vec![65.into(), Object::Name(b"eacute".to_vec()), Object::Name(b"germandbls".to_vec())],
        },
    );
    let (doc, page) = doc_with_page(b"BT /F1 10 Tf (ABC) Tj ET", font, vec![]);
    let p = page_glyphs(&doc, page, &mut FontCache::default()).unwrap();
    let text: String = p.glyphs.iter().map(|g| g.text.as_str()).collect();
    assert_eq!(text, "éßC");
}

mod fuzz {
    use proptest::prelude::*;

    use super::*;

    const TOKENS: &[&str] = &[
        "BT",
        "ET",
        "Tj",
        "TJ",
        "'",
        "\"",
        "Tf",
        "Td",
        "TD",
        "Tm",
        "T*",
        "Tc",
        "Tw",
        "Tz",
        "TL",
        "Ts",
        "q",
        "Q",
        "cm",
        "Do",
        "BI",
        "ID",
        "EI",
        "(a b)",
        "(\\",
        "<41>",
        "<4",
        "[",
        "]",
        "<<",
        ">>",
        "/F1",
        "/X1",
        "/Nope",
        "1",
        "-2.5",
        "1e9",
        "0",
        "99999999999",
        "%c\n",
        "{",
        ")",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any sequence of content-stream tokens, and any bytes: an answer, never a panic.
        #[test]
        fn any_content_stream_reads_without_panic(
            tokens in prop::collection::vec(prop::sample::select(TOKENS), 0..200),
            bytes in prop::collection::vec(any::<u8>(), 0..300),
        ) {
            let mut data = tokens.join(" ").into_bytes();
            data.extend_from_slice(&bytes);
            let (doc, page) = doc_with_page(&data, simple_font(), vec![]);
            let _ = page_glyphs(&doc, page, &mut FontCache::default());
        }
    }
}
