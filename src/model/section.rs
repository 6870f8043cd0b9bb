//! A section: consecutive pages of one class and the fields extracted from them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::extraction::{DocumentClass, ExtractionResult, FieldResult, SplitDocument};

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

impl ExtractionResult {
    /// The result file of an extracted section. Page ids "1", "2", ... become the 0-based
    /// `page_indices` the accelerator writes.
    pub fn of_section(section: &Section) -> Self {
        Self {
            document_class: DocumentClass {
                class_type: section.classification.clone(),
            },
            split_document: SplitDocument {
                page_indices: section
                    .page_ids
                    .iter()
                    .filter_map(|p| p.parse::<u32>().ok())
                    .map(|p| p.saturating_sub(1))
                    .collect(),
            },
            inference_result: section.attributes.clone(),
            explainability_info: section.fields.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_file_of_a_section() {
        let mut s = Section {
            section_id: "2".into(),
            classification: "W2".into(),
            page_ids: vec!["3".into(), "4".into()],
            ..Section::default()
        };
        s.attributes.insert("ein".into(), "37-2766773".into());
        s.fields.insert("ein".into(), FieldResult::missing("x"));
        let r = ExtractionResult::of_section(&s);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["document_class"]["type"], "W2");
        assert_eq!(
            v["split_document"]["page_indices"],
            serde_json::json!([2, 3])
        );
        assert_eq!(v["inference_result"]["ein"], "37-2766773");
        assert_eq!(v["explainability_info"]["ein"]["confidence"], 0.0);
    }
}
