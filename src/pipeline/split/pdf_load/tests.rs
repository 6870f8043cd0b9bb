//! The partial load against lopdf's whole load: same pages, same words, fewer objects.

use pdf_extract::{Dictionary, Document, Object, SaveOptions, Stream};

use super::load;
use crate::pipeline::split::tests::sample;
use crate::pipeline::text_layer;

fn sample_pdfs() -> Vec<String> {
    let mut v: Vec<String> = (1000..1020)
        .map(|i| format!("w2/W2_XL_input_clean_{i}.pdf"))
        .collect();
    for f in [
        "text/Nuveen.pdf",
        "text/bank-statement-multipage.pdf",
        "text/insurance_package_single.pdf",
        "scanned/1099B.pdf",
        "scanned/lending_package.pdf",
        "scanned/rvl_cdip_package.pdf",
    ] {
        v.push(f.to_string());
    }
    v
}

#[test]
fn same_pages_and_words_as_the_whole_load_on_every_sample() {
    let (mut whole_objects, mut partial_objects) = (0, 0);
    for rel in sample_pdfs() {
        let bytes = sample(&rel);
        let whole = Document::load_mem(&bytes).unwrap();
        let partial = load(&bytes).unwrap();
        assert_eq!(whole.get_pages(), partial.get_pages(), "{rel}");
        assert_eq!(
            text_layer::page_words(&whole).unwrap(),
            text_layer::page_words(&partial).unwrap(),
            "{rel}"
        );
        for &page in whole.get_pages().values() {
            let widths = |d: &Document| -> Vec<i64> {
                d.get_page_images(page)
                    .unwrap()
                    .iter()
                    .map(|i| i.width)
                    .collect()
            };
            assert_eq!(widths(&whole), widths(&partial), "{rel}");
        }
        whole_objects += whole.objects.len();
        partial_objects += partial.objects.len();
    }
    // The W-2s' structure trees (~2,500 objects each) stay packed.
    assert!(
        partial_objects * 5 < whole_objects,
        "{partial_objects} of {whole_objects} objects loaded"
    );
}

/// A one-page PDF saved with object streams: the page's font and a structure element are
/// both packed in one.
fn packed_pdf() -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type1".to_vec()));
    font.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
    let font_id = doc.add_object(font);
    let mut fonts = Dictionary::new();
    fonts.set("F1", Object::Reference(font_id));
    let mut resources = Dictionary::new();
    resources.set("Font", Object::Dictionary(fonts));
    let content = doc.add_object(Stream::new(
        Dictionary::new(),
        b"BT /F1 12 Tf 72 700 Td (Packed hello world) Tj ET".to_vec(),
    ));
    let mut page = Dictionary::new();
    page.set("Type", Object::Name(b"Page".to_vec()));
    page.set("Parent", Object::Reference(pages_id));
    page.set("Contents", Object::Reference(content));
    page.set("Resources", Object::Dictionary(resources));
    page.set("StructParents", Object::Integer(0));
    let page_id = doc.add_object(page);
    let mut pages = Dictionary::new();
    pages.set("Type", Object::Name(b"Pages".to_vec()));
    pages.set("Kids", Object::Array(vec![Object::Reference(page_id)]));
    pages.set("Count", Object::Integer(1));
    pages.set(
        "MediaBox",
        Object::Array(vec![0.into(), 0.into(), 612.into(), 792.into()]),
    );
    doc.objects.insert(pages_id, Object::Dictionary(pages));
    let mut elem = Dictionary::new();
    elem.set("Type", Object::Name(b"StructElem".to_vec()));
    elem.set("Pg", Object::Reference(page_id));
    let elem_id = doc.add_object(elem);
    let mut tree = Dictionary::new();
    tree.set("Type", Object::Name(b"StructTreeRoot".to_vec()));
    tree.set("K", Object::Reference(elem_id));
    let tree_id = doc.add_object(tree);
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference(pages_id));
    catalog.set("StructTreeRoot", Object::Reference(tree_id));
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", Object::Reference(catalog_id));
    let mut out = Vec::new();
    doc.save_with_options(
        &mut out,
        SaveOptions::builder()
            .use_object_streams(true)
            .use_xref_streams(true)
            .build(),
    )
    .unwrap();
    out
}

#[test]
fn objects_of_the_pages_are_unpacked_and_the_structure_tree_is_not() {
    let bytes = packed_pdf();
    let whole = Document::load_mem(&bytes).unwrap();
    let partial = load(&bytes).unwrap();
    let is_type = |o: &Object, t: &[u8]| match o {
        Object::Dictionary(d) => d.has_type(t),
        Object::Stream(s) => s.dict.has_type(t),
        _ => false,
    };
    let count = |d: &Document, t: &[u8]| d.objects.values().filter(|o| is_type(o, t)).count();
    // The fixture really packs them (else this test proves nothing).
    assert!(count(&whole, b"ObjStm") >= 1);
    assert_eq!(count(&whole, b"StructElem"), 1);
    assert_eq!(count(&partial, b"StructElem"), 0);
    assert_eq!(count(&partial, b"StructTreeRoot"), 0);
    assert_eq!(count(&partial, b"Font"), 1);
    assert_eq!(count(&partial, super::PACKED), 0);
    let words = text_layer::page_words(&partial).unwrap();
    let text: Vec<&str> = words[0].iter().map(|w| w.text.as_str()).collect();
    assert_eq!(text, ["Packed", "hello", "world"]);
    assert_eq!(words, text_layer::page_words(&whole).unwrap());
}
