//! E-invoices inside PDFs: a Factur-X, ZUGFeRD or XRechnung PDF carries its invoice as XML
//! (EN 16931, in CII or UBL) beside the printed pages. The split stage reads it
//! ([`from_pdf`]); the classifier takes it as the document saying what it is, and the
//! extractor finds where the page prints each value the XML states (`extract::carried`). An
//! e-invoice that comes as a bare XML file is laid out as a text page ([`render`]).

pub mod cii;
pub mod render;
pub mod tree;
pub mod ubl;

use pdf_extract::{Document, Object};

use crate::model::einvoice::EInvoice;

/// Largest embedded file read (compressed); an invoice's XML is kilobytes.
const MAX_EMBEDDED: usize = 16 << 20;

/// The invoice an XML document states, when it is a CII or UBL invoice.
pub fn from_xml(xml: &[u8]) -> Option<EInvoice> {
    let text = String::from_utf8_lossy(xml);
    // Cheap first: most embedded files are not invoices (fonts' metadata, signatures).
    let head: String = text.chars().take(4096).collect();
    if !["CrossIndustry", "Invoice", "CreditNote"]
        .iter()
        .any(|k| head.contains(k))
    {
        return None;
    }
    let root = tree::parse(&text).ok()?;
    match root.name.as_str() {
        "CrossIndustryInvoice" | "CrossIndustryDocument" => cii::read(&root),
        "Invoice" | "CreditNote" => ubl::read(&root),
        _ => None,
    }
}

/// The first embedded file of `doc` that is an invoice's XML. Embedded files are streams
/// (`/Type /EmbeddedFile`, or a `/Subtype` naming XML), which a PDF always stores directly,
/// so they are read whatever the loader left packed.
pub fn from_pdf(doc: &Document) -> Option<EInvoice> {
    doc.objects.values().find_map(|o| {
        let Object::Stream(s) = o else {
            return None;
        };
        let subtype_xml = s
            .dict
            .get(b"Subtype")
            .and_then(Object::as_name)
            .is_ok_and(|n| {
                String::from_utf8_lossy(n)
                    .to_ascii_lowercase()
                    .contains("xml")
            });
        if !(s.dict.has_type(b"EmbeddedFile") || subtype_xml) || s.content.len() > MAX_EMBEDDED {
            return None;
        }
        from_xml(&s.get_plain_content().ok()?)
    })
}

#[cfg(test)]
mod tests;
