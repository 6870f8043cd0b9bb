//! An XML entity or character reference as text: quick-xml reports `&amp;`, `&#65;` as their
//! own events, and both readers of XML here (DOCX text, e-invoices) resolve them the same way.

use quick_xml::events::BytesRef;

/// The text a general reference stands for; an unknown entity stands for nothing.
pub fn resolve(r: &BytesRef) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    match r.xml10_content().as_ref() {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => "",
    }
    .to_string()
}
