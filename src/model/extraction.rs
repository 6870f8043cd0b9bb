//! Field results: one value found on the document, with how sure we are and where it came from.
//!
//! `ExtractionResult` is the file stored at a section's `extraction_result_uri`; its
//! `inference_result` / `explainability_info` names follow the accelerator's result file.
//! It is made from a section (`ExtractionResult::of_section`, in `section.rs`: a section
//! holds field results, so this file does not name sections).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::geometry::BoundingBox;

/// Where on the document a value was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldSource {
    pub page_id: String,
    pub bbox: BoundingBox,
    /// The label the value was found by, when it was found by one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// True when the box is an estimate (text without measured positions).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub approximate: bool,
}

/// One extracted field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldResult {
    /// Typed value (string, number, bool) or `null` when nothing was found.
    pub value: serde_json::Value,
    /// The text as it stood on the page, before typing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_text: Option<String>,
    /// 0.0–1.0. Low when the value was guessed (found without its label, or failed to parse).
    pub confidence: f32,
    /// From the class config (`x-aws-idp-confidence-threshold`), filled in by assessment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence_threshold: Option<f32>,
    /// Why the confidence is what it is, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub confidence_reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<FieldSource>,
}

impl FieldResult {
    /// A field nobody found.
    pub fn missing(reason: impl Into<String>) -> Self {
        Self {
            value: serde_json::Value::Null,
            raw_text: None,
            confidence: 0.0,
            confidence_threshold: None,
            confidence_reason: reason.into(),
            source: None,
        }
    }
}

/// The result file of one section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ExtractionResult {
    pub document_class: DocumentClass,
    pub split_document: SplitDocument,
    /// Field name → value, nested like the class schema.
    pub inference_result: serde_json::Map<String, serde_json::Value>,
    /// Dotted field path (`employer_info.ein`) → details.
    pub explainability_info: BTreeMap<String, FieldResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DocumentClass {
    #[serde(rename = "type")]
    pub class_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SplitDocument {
    /// 0-based page indices, as the accelerator writes them.
    pub page_indices: Vec<u32>,
}
