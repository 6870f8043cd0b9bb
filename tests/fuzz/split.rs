//! Splitting: PDF (text layer through pdf-extract, renders through hayro), PNG, JPEG, TIFF and
//! DOCX, each generated valid and then mutated at its own length and offset fields; the sample
//! PDFs mutated; raw bytes behind every magic number; text and HTML of any content.

use std::io::{Cursor, Write};

use idpctl::pipeline::split::{SplitOptions, split};
use image::{GrayImage, ImageFormat, RgbImage};
use proptest::prelude::*;

use crate::bombs;
use crate::harness::{self, explained, run};
use crate::mutate;

/// Renders small: the renderer runs on every page that needs OCR, and a debug build is slow.
pub fn opts() -> SplitOptions {
    SplitOptions {
        max_pixels: 4_000_000,
        max_pages: 50,
        min_text_chars: 16,
        render_for_ocr: true,
        render_dpi: 36,
    }
}

/// Splits under the harness; checks what a successful split promises.
fn check(bytes: Vec<u8>, name: &'static str) -> Result<Result<usize, String>, TestCaseError> {
    let o = opts();
    let out = run(move || split(&bytes, name, &o))?;
    match out {
        Ok(pages) => {
            prop_assert!(!pages.is_empty() && pages.len() <= opts().max_pages);
            for (i, p) in pages.iter().enumerate() {
                prop_assert_eq!(p.page_number as usize, i + 1);
                if let Some(img) = &p.image {
                    prop_assert!(img.width as u64 * img.height as u64 <= opts().max_pixels);
                }
            }
            Ok(Ok(pages.len()))
        }
        Err(e) => {
            explained(&e)?;
            Ok(Err(e.to_string()))
        }
    }
}

#[derive(Debug, Clone)]
pub enum PageSpec {
    Text(Vec<String>),
    Image(u8, u8, u8),
    Blank,
}

fn page_spec() -> impl Strategy<Value = PageSpec> {
    prop_oneof![
        prop::collection::vec("[A-Za-z0-9]{1,10}", 1..30).prop_map(PageSpec::Text),
        (1u8..40, 1u8..40, any::<u8>()).prop_map(|(w, h, s)| PageSpec::Image(w, h, s)),
        Just(PageSpec::Blank),
    ]
}

/// A valid PDF of the given pages (Helvetica text, gray images, blank pages).
pub fn build_pdf(pages: &[PageSpec], compress: bool) -> Vec<u8> {
    let n = pages.len();
    // 1 catalog, 2 pages, 3 font, then per page: page, content, image.
    let page_obj = |i: usize| 4 + 3 * i;
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", page_obj(i))).collect();
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    ];
    for (i, page) in pages.iter().enumerate() {
        let (content, image): (String, Vec<u8>) = match page {
            PageSpec::Text(words) => {
                let mut c = String::from("BT /F1 11 Tf 72 720 Td 14 TL\n");
                for line in words.chunks(6) {
                    c.push_str(&format!("({}) Tj T*\n", line.join(" ")));
                }
                c.push_str("ET");
                (c, Vec::new())
            }
            PageSpec::Image(w, h, seed) => {
                let px: Vec<u8> = (0..*w as usize * *h as usize)
                    .map(|k| (k as u8).wrapping_mul(*seed))
                    .collect();
                let mut img = format!(
                    "<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace \
                     /DeviceGray /BitsPerComponent 8 /Length {} >>\nstream\n",
                    px.len()
                )
                .into_bytes();
                img.extend_from_slice(&px);
                img.extend_from_slice(b"\nendstream");
                ("q 540 0 0 700 36 46 cm /Im1 Do Q".to_string(), img)
            }
            PageSpec::Blank => (String::new(), Vec::new()),
        };
        let xobject = if image.is_empty() {
            String::new()
        } else {
            format!("/XObject << /Im1 {} 0 R >> ", page_obj(i) + 2)
        };
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {} 0 R \
                 /Resources << /Font << /F1 3 0 R >> {xobject}>> >>",
                page_obj(i) + 1
            )
            .into_bytes(),
        );
        let (data, filter) = if compress {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            z.write_all(content.as_bytes()).unwrap();
            (z.finish().unwrap(), "/Filter /FlateDecode ")
        } else {
            (content.into_bytes(), "")
        };
        let mut stream = format!("<< {filter}/Length {} >>\nstream\n", data.len()).into_bytes();
        stream.extend_from_slice(&data);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
        // An unused slot stays a valid (null) object, so numbering stays simple.
        objects.push(if image.is_empty() {
            b"null".to_vec()
        } else {
            image
        });
    }
    bombs::assemble_pdf(&objects)
}

/// Where a PDF keeps lengths and offsets: every run of digits (object numbers, `/Length`,
/// xref offsets, `startxref`, sizes, coordinates).
fn pdf_numbers(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

/// Textual mutations a PDF reader meets in the wild: numbers replaced with hostile ones,
/// nesting deepened, operators repeated.
#[derive(Debug, Clone)]
pub enum PdfMutation {
    Number(prop::sample::Index, &'static str),
    Insert(prop::sample::Index, &'static str, u16),
}

fn pdf_mutation() -> impl Strategy<Value = PdfMutation> {
    prop_oneof![
        (
            any::<prop::sample::Index>(),
            prop::sample::select(vec![
                "0",
                "1",
                "-1",
                "2147483647",
                "4294967296",
                "99999999999999999999",
                "-0",
                "1e9",
                "3.4e38",
                "00",
                "65535",
            ])
        )
            .prop_map(|(i, s)| PdfMutation::Number(i, s)),
        (
            any::<prop::sample::Index>(),
            prop::sample::select(vec![
                "[",
                "<<",
                "(",
                "q ",
                "Q ",
                "BT ",
                "ET ",
                "1 0 R ",
                "/Kids [4 0 R] ",
                "/Parent 2 0 R ",
                "stream\n",
                "endobj\n",
                "xref\n",
                "%%EOF\n",
                "\\",
                ")",
            ]),
            1u16..2000,
        )
            .prop_map(|(i, s, n)| PdfMutation::Insert(i, s, n)),
    ]
}

fn apply_pdf(bytes: &mut Vec<u8>, mutations: &[PdfMutation]) {
    for m in mutations {
        match m {
            PdfMutation::Number(i, s) => {
                let nums = pdf_numbers(bytes);
                if nums.is_empty() {
                    continue;
                }
                let (a, b) = nums[i.index(nums.len())];
                bytes.splice(a..b, s.bytes());
            }
            PdfMutation::Insert(i, s, n) => {
                let at = i.index(bytes.len() + 1);
                bytes.splice(at..at, s.repeat(*n as usize).into_bytes());
            }
        }
    }
}

fn png(w: u32, h: u32, seed: u8, rgb: bool) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    if rgb {
        RgbImage::from_fn(w, h, |x, y| image::Rgb([(x as u8) ^ seed, y as u8, seed]))
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
    } else {
        GrayImage::from_fn(w, h, |x, y| image::Luma([(x * y) as u8 ^ seed]))
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
    }
    out.into_inner()
}

fn jpeg(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    GrayImage::from_fn(w, h, |x, y| image::Luma([(x + y) as u8 ^ seed]))
        .write_to(&mut out, ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

/// A multi-page TIFF: gray or RGB pages, uncompressed or PackBits.
pub fn tiff(pages: &[(u16, u16, bool)], packbits: bool) -> Vec<u8> {
    use tiff::encoder::{Compression, TiffEncoder, colortype};
    let mut out = Cursor::new(Vec::new());
    let mut enc = TiffEncoder::new(&mut out).unwrap();
    if packbits {
        enc = enc.with_compression(Compression::Packbits);
    }
    for (w, h, rgb) in pages {
        let (w, h) = (*w as u32, *h as u32);
        if *rgb {
            let data: Vec<u8> = (0..w * h * 3).map(|k| k as u8).collect();
            enc.write_image::<colortype::RGB8>(w, h, &data).unwrap();
        } else {
            let data: Vec<u8> = (0..w * h).map(|k| (k / 7) as u8).collect();
            enc.write_image::<colortype::Gray8>(w, h, &data).unwrap();
        }
    }
    out.into_inner()
}

/// TIFF keeps offsets in its header (+4) and in every directory entry (12 bytes each, value or
/// offset at +8): all aligned 4-byte slots are fair game.
fn tiff_fields(bytes: &[u8]) -> Vec<usize> {
    (4..bytes.len().min(4096)).step_by(2).collect()
}

/// XML for `word/document.xml`: paragraphs, runs, tabs, breaks, entities, and nesting as deep
/// as asked.
fn document_xml(paragraphs: &[String], depth: usize, entity: &str) -> String {
    let mut body = String::new();
    body.push_str(&"<w:sdt>".repeat(depth));
    for p in paragraphs {
        body.push_str(&format!(
            "<w:p><w:r><w:t>{p}</w:t><w:tab/><w:t>{entity}</w:t><w:br w:type=\"page\"/></w:r></w:p>"
        ));
    }
    body.push_str(&"</w:sdt>".repeat(depth));
    format!(r#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body>{body}</w:body></w:document>"#)
}

/// A CII or UBL invoice with generated texts, `lines` line items, `depth` extra nested
/// elements in the header and `entity` inside the number.
pub fn einvoice_xml(
    ubl: bool,
    texts: &[String],
    lines: usize,
    depth: usize,
    entity: &str,
) -> String {
    let t = |i: usize| texts.get(i).cloned().unwrap_or_default();
    let nest = format!("{}{}", "<x>".repeat(depth), "</x>".repeat(depth));
    if ubl {
        let line = format!(
            "<cac:InvoiceLine><cbc:InvoicedQuantity>2</cbc:InvoicedQuantity><cac:Item><cbc:Name>{}</cbc:Name></cac:Item><cac:Price><cbc:PriceAmount>1.50</cbc:PriceAmount></cac:Price></cac:InvoiceLine>",
            t(3)
        );
        return format!(
            "<?xml version=\"1.0\"?><Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" xmlns:cac=\"c\" xmlns:cbc=\"b\">{nest}<cbc:ID>{}{entity}</cbc:ID><cbc:IssueDate>2026-01-31</cbc:IssueDate><cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>{}</cbc:Name></cac:PartyName></cac:Party></cac:AccountingSupplierParty><cac:LegalMonetaryTotal><cbc:PayableAmount>{}</cbc:PayableAmount></cac:LegalMonetaryTotal>{}</Invoice>",
            t(0),
            t(1),
            t(2),
            line.repeat(lines)
        );
    }
    let line = format!(
        "<ram:IncludedSupplyChainTradeLineItem><ram:SpecifiedTradeProduct><ram:Name>{}</ram:Name></ram:SpecifiedTradeProduct><ram:SpecifiedLineTradeDelivery><ram:BilledQuantity>2.0000</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery></ram:IncludedSupplyChainTradeLineItem>",
        t(3)
    );
    format!(
        "<?xml version=\"1.0\"?><rsm:CrossIndustryInvoice xmlns:rsm=\"r\" xmlns:ram=\"a\" xmlns:udt=\"u\"><rsm:ExchangedDocument>{nest}<ram:ID>{}{entity}</ram:ID><ram:TypeCode>380</ram:TypeCode><ram:IssueDateTime><udt:DateTimeString format=\"102\">20260131</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument><rsm:SupplyChainTradeTransaction>{}<ram:ApplicableHeaderTradeAgreement><ram:SellerTradeParty><ram:Name>{}</ram:Name></ram:SellerTradeParty></ram:ApplicableHeaderTradeAgreement><ram:ApplicableHeaderTradeSettlement><ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:GrandTotalAmount>{}</ram:GrandTotalAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation></ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>",
        t(0),
        line.repeat(lines),
        t(1),
        t(2)
    )
}

pub fn docx(xml: &str, deflate: bool) -> Vec<u8> {
    let method = if deflate {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    z.start_file("[Content_Types].xml", opts).unwrap();
    z.write_all(b"<Types/>").unwrap();
    z.start_file("word/document.xml", opts).unwrap();
    z.write_all(xml.as_bytes()).unwrap();
    z.finish().unwrap().into_inner()
}

proptest! {
    #![proptest_config(harness::config(1))]

    #[test]
    fn generated_pdfs_split_and_mutated_ones_fail_cleanly(
        pages in prop::collection::vec(page_spec(), 1..5),
        compress in any::<bool>(),
        text_mutations in prop::collection::vec(pdf_mutation(), 0..3),
        byte_mutations in mutate::byte_mutations(2),
    ) {
        let mut bytes = build_pdf(&pages, compress);
        let valid = text_mutations.is_empty() && byte_mutations.is_empty();
        apply_pdf(&mut bytes, &text_mutations);
        mutate::apply_bytes(&mut bytes, &byte_mutations, &[]);
        let out = check(bytes, "doc.pdf")?;
        if valid {
            prop_assert_eq!(out, Ok(pages.len()), "a valid PDF did not split");
        }
    }

    #[test]
    fn images_split_and_mutated_ones_fail_cleanly(
        w in 1u32..64,
        h in 1u32..64,
        seed in any::<u8>(),
        kind in 0u8..3,
        mutations in mutate::byte_mutations(3),
    ) {
        let (mut bytes, name) = match kind {
            0 => (png(w, h, seed, false), "a.png"),
            1 => (png(w, h, seed, true), "a.png"),
            _ => (jpeg(w, h, seed), "a.jpg"),
        };
        // PNG: the IHDR length, width and height, and the next chunk's length.
        let fields = [8usize, 16, 20, 33];
        let valid = mutations.is_empty();
        mutate::apply_bytes(&mut bytes, &mutations, &fields);
        let out = check(bytes, name)?;
        if valid {
            prop_assert_eq!(out, Ok(1));
        }
    }

    #[test]
    fn tiffs_split_and_mutated_ones_fail_cleanly(
        pages in prop::collection::vec((1u16..48, 1u16..48, any::<bool>()), 1..4),
        packbits in any::<bool>(),
        mutations in mutate::byte_mutations(3),
    ) {
        let mut bytes = tiff(&pages, packbits);
        let fields = tiff_fields(&bytes);
        let valid = mutations.is_empty();
        mutate::apply_bytes(&mut bytes, &mutations, &fields);
        let out = check(bytes, "a.tif")?;
        if valid {
            prop_assert_eq!(out, Ok(pages.len()));
        }
    }

    #[test]
    fn docx_split_and_mutated_ones_fail_cleanly(
        paragraphs in prop::collection::vec("[A-Za-z0-9 ]{0,20}", 0..8),
        depth in prop_oneof![0usize..4, 100usize..5000],
        entity in prop::sample::select(vec!["&amp;", "&#65;", "&#x1F600;", "&#0;", "&#xFFFFFFFF;", "&bogus;", "&", "<", "]]>"]),
        deflate in any::<bool>(),
        xml_cut in any::<prop::sample::Index>(),
        cut_xml in any::<bool>(),
        mutations in mutate::byte_mutations(3),
    ) {
        let mut xml = document_xml(&paragraphs, depth, entity);
        if cut_xml {
            let mut at = xml_cut.index(xml.len() + 1);
            while !xml.is_char_boundary(at) {
                at -= 1;
            }
            xml.truncate(at);
        }
        let mut bytes = docx(&xml, deflate);
        let fields = crate::zip::zip_fields(&bytes);
        mutate::apply_bytes(&mut bytes, &mutations, &fields);
        let _refused = check(bytes, "a.docx")?;
    }

    #[test]
    fn einvoice_xml_split_and_mutated_ones_fail_cleanly(
        ubl in any::<bool>(),
        texts in prop::collection::vec("[A-Za-z0-9 .,-]{0,16}", 4),
        lines in 0usize..40,
        depth in prop_oneof![0usize..4, 60usize..3000],
        entity in prop::sample::select(vec!["&amp;", "&#65;", "&#0;", "&bogus;", "&", "<", "]]>"]),
        xml_cut in any::<prop::sample::Index>(),
        cut_xml in any::<bool>(),
        mutations in mutate::byte_mutations(3),
    ) {
        let mut xml = einvoice_xml(ubl, &texts, lines, depth, entity);
        let valid = !cut_xml && mutations.is_empty() && depth == 0 && entity == "&amp;";
        if cut_xml {
            let mut at = xml_cut.index(xml.len() + 1);
            while !xml.is_char_boundary(at) {
                at -= 1;
            }
            xml.truncate(at);
        }
        let mut bytes = xml.into_bytes();
        mutate::apply_bytes(&mut bytes, &mutations, &[]);
        let out = check(bytes, "invoice.xml")?;
        if valid {
            prop_assert!(out.is_ok(), "a valid e-invoice did not split: {out:?}");
        }
    }

    #[test]
    fn raw_bytes_behind_every_magic_number(
        head in prop::sample::select(vec![
            &b"%PDF-1.7\n"[..], b"\x89PNG\r\n\x1a\n", b"\xFF\xD8\xFF", b"II*\0", b"MM\0*",
            b"PK\x03\x04word/document.xml", b"",
        ]),
        tail in prop::collection::vec(any::<u8>(), 0..1024),
    ) {
        let mut bytes = head.to_vec();
        bytes.extend(tail);
        let _refused = check(bytes, "upload.bin")?;
    }

    #[test]
    fn text_csv_and_html_of_any_content(
        text in prop_oneof![".{0,400}", "(<[a-z/ ]{0,8}>?|&[a-z#0-9]{0,6};?|[a-z ,;\"\t\n\x0c]{0,8}){0,60}"],
        name in prop::sample::select(vec!["a.txt", "a.csv", "a.html", "a.md", "a"]),
    ) {
        let _refused = check(text.into_bytes(), name)?;
    }
}

proptest! {
    // Real PDFs are 60–250 KB; each costs tens of ordinary cases in a debug build.
    #![proptest_config(harness::config(8))]

    #[test]
    fn sample_pdfs_mutated(
        sample in prop::sample::select(vec![
            "samples/w2/W2_XL_input_clean_1000.pdf",
            "samples/scanned/1099B.pdf",
            "samples/text/insurance_package_single.pdf",
        ]),
        text_mutations in prop::collection::vec(pdf_mutation(), 0..3),
        byte_mutations in mutate::byte_mutations(3),
    ) {
        let path = format!("{}/{sample}", env!("CARGO_MANIFEST_DIR"));
        let mut bytes = std::fs::read(&path).expect(&path);
        apply_pdf(&mut bytes, &text_mutations);
        mutate::apply_bytes(&mut bytes, &byte_mutations, &[]);
        let _refused = check(bytes, "sample.pdf")?;
    }
}
