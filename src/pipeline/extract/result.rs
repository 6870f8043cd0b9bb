//! One way to turn a value found on a page into a [`FieldResult`]: the labelled reader
//! ([`super::field`]) and the generic one ([`super::generic`]) both end here, so a result's
//! typing, OCR note and source are built the same whichever reader found it.

use serde_json::Value;

use super::view::PageView;
use crate::model::{BoundingBox, FieldResult, FieldSource};
use crate::pipeline::config::FieldDef;

/// A value found on one page, with the confidence its reader worked out.
pub struct Found {
    /// The text as printed.
    pub text: String,
    /// The page's words it came from (their OCR confidence is already in `confidence`).
    pub words: Vec<usize>,
    pub bbox: BoundingBox,
    /// The label it was read beside, if any.
    pub label: Option<String>,
    pub confidence: f32,
    /// Why the confidence is what it is, without the OCR note (added here).
    pub reason: String,
    /// The OCR's confidence in `words`, noted in the reason when below 99%.
    pub ocr: f32,
}

/// The field result of a found value: typed by the schema, the OCR note appended to the reason,
/// the source pointing at the words.
pub fn field_result(view: &PageView, field: &FieldDef, found: Found) -> FieldResult {
    let (value, _) = typed(field, &found.text);
    let mut reason = found.reason;
    if found.ocr < 0.99 {
        reason.push_str(&format!(", OCR confidence {:.0}%", found.ocr * 100.0));
    }
    FieldResult {
        value,
        raw_text: Some(found.text),
        confidence: found.confidence.clamp(0.0, 1.0),
        confidence_threshold: None,
        confidence_reason: reason,
        source: Some(FieldSource {
            page_id: view.page.page_id(),
            bbox: found.bbox,
            label: found.label,
            approximate: view.approximate(&found.words),
        }),
    }
}

/// Type the text by the schema: `number`/`integer` get the locale-aware parse, booleans are
/// true (the box was found ticked), the rest stays as printed. Returns whether it parsed.
pub fn typed(field: &FieldDef, text: &str) -> (Value, bool) {
    match field.schema_type.as_str() {
        "number" | "integer" => match crate::numbers::parse(text) {
            Some(n) if field.schema_type == "integer" => (Value::from(n.round() as i64), true),
            Some(n) => (
                serde_json::Number::from_f64(n)
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
                true,
            ),
            None => (Value::Null, false),
        },
        "boolean" => (Value::Bool(true), true),
        _ => (Value::String(text.to_string()), true),
    }
}
