//! DOCX → text pages. A DOCX is a ZIP holding `word/document.xml`; paragraphs are `<w:p>`, text
//! runs `<w:t>`, explicit page breaks `<w:br w:type="page"/>`. Sizes are checked before reading
//! so a zip bomb is refused instead of inflated.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

use super::error::SplitError;
use super::text::text_pages;
use crate::model::PageContent;

/// Largest `document.xml` we inflate, and the largest ratio to its compressed size.
const MAX_XML_BYTES: u64 = 64 * 1024 * 1024;
const MAX_RATIO: u64 = 200;

pub fn split_docx(bytes: &[u8]) -> Result<Vec<PageContent>, SplitError> {
    let bad = |e: &dyn std::fmt::Display| SplitError::CorruptDocx(e.to_string());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(&e))?;
    let mut entry = zip
        .by_name("word/document.xml")
        .map_err(|_| SplitError::CorruptDocx("it has no word/document.xml".into()))?;
    let (size, packed) = (entry.size(), entry.compressed_size().max(1));
    if size > MAX_XML_BYTES || size / packed > MAX_RATIO {
        return Err(SplitError::CorruptDocx(format!(
            "word/document.xml declares {size} bytes from {packed} compressed (a zip bomb?)"
        )));
    }
    let mut xml = String::new();
    (&mut entry)
        .take(MAX_XML_BYTES)
        .read_to_string(&mut xml)
        .map_err(|e| bad(&e))?;
    let text = document_text(&xml).map_err(SplitError::CorruptDocx)?;
    // Page breaks become form feeds, which text_pages splits on.
    Ok(text_pages(&text, false))
}

/// The text of `document.xml`: paragraphs on lines, tabs kept, page breaks as form feeds.
fn document_text(xml: &str) -> Result<String, String> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == "w:t" => in_text = true,
            Ok(Event::End(e)) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:p" => out.push('\n'),
                _ => {}
            },
            Ok(Event::Empty(e)) => match e.name().as_ref() {
                "w:tab" => out.push('\t'),
                "w:br" => {
                    let page = e
                        .attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == "w:type" && a.value.as_ref() == "page");
                    out.push(if page { '\x0c' } else { '\n' });
                }
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => out.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if in_text => {
                out.push_str(&crate::pipeline::xml_ref::resolve(&r))
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("bad XML at byte {}: {e}", reader.error_position())),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    pub(crate) fn make_docx(body: &str) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default();
            z.start_file("[Content_Types].xml", opts).unwrap();
            z.write_all(b"<Types/>").unwrap();
            z.start_file("word/document.xml", opts).unwrap();
            write!(
                z,
                r#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body>{body}</w:body></w:document>"#
            )
            .unwrap();
            z.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn paragraphs_tabs_and_page_breaks() {
        let docx = make_docx(
            r#"<w:p><w:r><w:t>Invoice</w:t><w:tab/><w:t>No. 7 &amp; more</w:t></w:r></w:p>
               <w:p><w:r><w:br w:type="page"/><w:t>Second page</w:t></w:r></w:p>"#,
        );
        let pages = split_docx(&docx).unwrap();
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].text, "Invoice\tNo. 7 & more");
        assert_eq!(pages[1].text, "Second page");
    }

    #[test]
    fn zip_without_document_is_refused() {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            z.start_file(
                "word/document.xml.bak",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            z.finish().unwrap();
        }
        let err = split_docx(&buf.into_inner()).unwrap_err();
        assert!(err.to_string().contains("no word/document.xml"), "{err}");
    }
}
