//! A section: consecutive pages of one class and the fields extracted from them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::extraction::FieldResult;

/// A field whose confidence is below its threshold (accelerator spelling).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfidenceAlert {
    pub attribute_name: String,
    pub confidence: f32,
    pub confidence_threshold: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Section {
    pub section_id: String,
    pub classification: String,
    /// Classification confidence, 0.0–1.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    pub page_ids: Vec<String>,
    #[serde(default)]
    pub extraction_result_uri: Option<String>,
    /// Field name → value, nested like the class schema (what hooks read).
    #[serde(default)]
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// Dotted field path → value, confidence, threshold and source page + box.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldResult>,
    #[serde(default)]
    pub confidence_threshold_alerts: Vec<ConfidenceAlert>,
    /// Model calls made for this section (`Extraction/<backend>/<model>`: tokens, requests);
    /// summed into the document's metering.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub metering: super::Metering,
}
