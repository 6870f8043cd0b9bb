//! The document: identity, status, pages, sections, and what it cost.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::metering::{Metering, Timings};
use super::page::Page;
use super::section::Section;
use super::status::Status;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Document {
    pub id: String,
    #[serde(default)]
    pub input_bucket: Option<String>,
    #[serde(default)]
    pub input_key: Option<String>,
    #[serde(default)]
    pub output_bucket: Option<String>,
    pub status: Status,
    /// Why the document failed; present only when `status` is `FAILED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub completion_time: Option<String>,
    pub num_pages: u32,
    /// Pages whose words came from OCR (the rest had a text layer or were text already).
    #[serde(default)]
    pub num_ocr_pages: u32,
    /// Keyed by page id ("1", "2", ...).
    #[serde(default)]
    pub pages: BTreeMap<String, Page>,
    #[serde(default)]
    pub sections: Vec<Section>,
    #[serde(default)]
    pub summary_report_uri: Option<String>,
    /// Short extractive summary (the full report lives at `summary_report_uri`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default)]
    pub metering: Metering,
    #[serde(default)]
    pub timings: Timings,
    /// Non-fatal problems (a page OCR could not read, ...).
    #[serde(default)]
    pub errors: Vec<String>,
    #[serde(default)]
    pub confidence_alert_count: u32,
    /// The stack's configuration version the document was processed with (`null`: the
    /// built-in class library, when no version was ever activated).
    #[serde(default)]
    pub config_version: Option<u64>,
}

impl Document {
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            ..Self::default()
        }
    }

    /// Mark failed with a reason a person can act on.
    pub fn fail(&mut self, reason: impl Into<String>) {
        self.status = Status::Failed;
        self.failure_reason = Some(reason.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Section;

    /// The hook reads `document.sections[].{section_id, classification, page_ids, attributes,
    /// extraction_result_uri}`, `num_pages`, `status` and `metering`: keep those names.
    #[test]
    fn json_has_the_hook_payload_names() {
        let mut d = Document::new("invoice-001.pdf");
        d.status = Status::Completed;
        d.num_pages = 1;
        let mut s = Section {
            section_id: "1".into(),
            classification: "W2".into(),
            page_ids: vec!["1".into()],
            extraction_result_uri: Some("s3://b/k/sections/1/result.json".into()),
            ..Section::default()
        };
        s.attributes.insert("ein".into(), "37-2766773".into());
        d.sections.push(s);
        crate::model::metering::add(&mut d.metering, "OCR/tesseract/5", "pages", 1.0);
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["status"], "COMPLETED");
        assert_eq!(v["num_pages"], 1);
        assert_eq!(v["sections"][0]["section_id"], "1");
        assert_eq!(v["sections"][0]["page_ids"][0], "1");
        assert_eq!(v["sections"][0]["attributes"]["ein"], "37-2766773");
        assert!(v["sections"][0]["extraction_result_uri"].is_string());
        assert_eq!(v["metering"]["OCR/tesseract/5"]["pages"], 1.0);
        assert!(v.get("failure_reason").is_none());
        let back: Document = serde_json::from_value(v).unwrap();
        assert_eq!(back, d);
    }

    #[test]
    fn failed_document_says_why() {
        let mut d = Document::new("x.pdf");
        d.fail("PDF is encrypted");
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["status"], "FAILED");
        assert_eq!(v["failure_reason"], "PDF is encrypted");
    }
}
