//! `finalize`: assembles the finished document — pages, sections with their fields, summary,
//! metering — writes `result.json` per section and per document to the output bucket (where
//! `hook_dispatch` reads the document back), marks the tracking record COMPLETED, and returns only a few bytes, so a thousand documents fit in one state.

use std::io;

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};
use serde_json::{Value, json};

use super::HandlerError;
use super::access::{Access, Action, Bucket};
use super::classify::page_ids;
use super::unpack::DocumentRef;
use super::workspace::{Workspace, document_ref, field};
use crate::model::{Document, Page, Section, Status, TextSource, metering};
use crate::services::{Services, TrackingUpdate, clock};

const NAME: &str = "finalize";

/// What this handler's code calls in AWS (see [`super::access`]). Reads the document's state,
/// writes results to the output bucket, reads and completes the document's record.
pub const ACCESS: &[Access] = &[
    Access::s3(Action::GetObject, Bucket::Working),
    Access::s3(Action::ListBucket, Bucket::Working),
    Access::s3(Action::PutObject, Bucket::Output),
    Access::tracking(Action::GetItem),
    Access::tracking(Action::UpdateItem),
];

/// Where a document's results go in the output bucket: under the upload's key, and for a batch
/// entry under the entry's name inside it.
pub fn output_prefix(upload_key: &str, doc: &DocumentRef) -> String {
    if doc.key == upload_key {
        upload_key.to_string()
    } else {
        format!("{upload_key}/{}", doc.name)
    }
}

pub async fn handle(event: Value, services: &Services) -> Result<Value, HandlerError> {
    let upload_key: String = field(&event, "/upload/key", NAME)?;
    let doc_ref: DocumentRef = document_ref(&event, services, NAME).await?;
    let ids = page_ids(&event, NAME)?;
    let ws = Workspace::new(services, &doc_ref.document_id);
    let out = &services.names.output_bucket;
    let prefix = output_prefix(&upload_key, &doc_ref);
    let uri = |rel: &str| format!("s3://{out}/{prefix}/{rel}");

    let mut doc = Document::new(&doc_ref.document_id);
    doc.input_bucket = Some(doc_ref.bucket.clone());
    doc.input_key = Some(doc_ref.key.clone());
    doc.output_bucket = Some(out.clone());
    doc.num_pages = ids.len() as u32;
    let record = services.tracking.get(&doc_ref.document_id).await?;
    doc.start_time = record.as_ref().map(|r| r.created_at.clone());

    let classes: Value = ws.get_json(&ws.sections()).await?;
    doc.config_version = classes["config_version"].as_u64();
    let failed: Vec<Value> = event
        .pointer("/page_check/failed_pages")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    // Only each page's text source is needed: the shared pages, not a copy of every word.
    let read = super::pages::read(&ws, &ids).await?;
    for id in &ids {
        let mut page = Page {
            page_id: id.clone(),
            ..Page::default()
        };
        if let Some(content) = read.iter().find(|p| p.page_id() == *id) {
            page.text_source = Some(content.text_source);
            if content.text_source == TextSource::Ocr {
                doc.num_ocr_pages += 1;
            }
        } else if let Some(f) = failed.iter().find(|f| f["page_id"] == id.as_str()) {
            let reason = f["reason"].as_str().unwrap_or("not read").to_string();
            doc.errors.push(format!("page {id}: {reason}"));
            page.error = Some(reason);
        }
        if let Some(pc) = classes["pages"]
            .as_array()
            .and_then(|a| a.iter().find(|p| p["page_id"] == id.as_str()))
        {
            page.classification = pc["class"].as_str().map(str::to_string);
            page.confidence = pc["confidence"].as_f64().map(|c| c as f32);
        }
        doc.pages.insert(id.clone(), page);
    }
    add_ocr_metering(&mut doc, &event, services.ocr.name());

    let sections: Vec<Section> =
        serde_json::from_value(classes["sections"].clone()).unwrap_or_default();
    for s in sections {
        let mut section: Section = ws.get_section(&s.section_id, "assessed").await?;
        let rel = format!("sections/{}/result.json", section.section_id);
        let result = document_json(&SectionResult::of(&section), PrettyFormatter::new())?;
        services
            .objects
            .put(out, &format!("{prefix}/{rel}"), result, "application/json")
            .await?;
        section.extraction_result_uri = Some(uri(&rel));
        doc.confidence_alert_count += section.confidence_threshold_alerts.len() as u32;
        for (context, units) in &section.metering {
            for (unit, amount) in units {
                metering::add(&mut doc.metering, context, unit, *amount);
            }
        }
        doc.sections.push(section);
    }
    let summary: Value = ws.get_json(&ws.summary()).await.unwrap_or(Value::Null);
    // What the model engines' classification and summary cost (the sections carry their own).
    for stage_metering in [&classes["metering"], &summary["metering"]] {
        for (context, units) in stage_metering.as_object().into_iter().flatten() {
            for (unit, amount) in units.as_object().into_iter().flatten() {
                if let Some(n) = amount.as_f64() {
                    metering::add(&mut doc.metering, context, unit, n);
                }
            }
        }
    }
    if let Some(text) = summary["summary"].as_str().filter(|t| !t.is_empty()) {
        let md = format!("# {}\n\n{text}\n", doc_ref.name);
        services
            .objects
            .put(
                out,
                &format!("{prefix}/summary/summary.md"),
                md.into_bytes(),
                "text/markdown",
            )
            .await?;
        doc.summary = Some(text.to_string());
        doc.summary_report_uri = Some(uri("summary/summary.md"));
    }
    for (stage, pointer) in [("split", "/split/millis")] {
        if let Some(ms) = event.pointer(pointer).and_then(Value::as_u64) {
            doc.timings.insert(stage.to_string(), ms);
        }
    }
    doc.status = Status::Completed;
    doc.completion_time = Some(clock::now_rfc3339());

    // Written straight from the typed document (no `Value` of it in between), in the bytes the
    // `Value` route gave: f32s as f64s.
    let pretty = document_json(&doc, PrettyFormatter::new())?;
    services
        .objects
        .put(
            out,
            &format!("{prefix}/result.json"),
            pretty,
            "application/json",
        )
        .await?;
    let result_uri = uri("result.json");
    services
        .tracking
        .update(
            &doc_ref.document_id,
            &TrackingUpdate {
                status: Some("COMPLETED".into()),
                details: Some(json!({
                    "num_pages": doc.num_pages,
                    "num_ocr_pages": doc.num_ocr_pages,
                    "failed_pages": failed.len(),
                    "classes": doc.sections.iter().map(|s| s.classification.clone()).collect::<Vec<_>>(),
                    "fields": doc.sections.iter().map(|s| s.attributes.len()).sum::<usize>(),
                    "alerts": doc.confidence_alert_count,
                    "result_uri": result_uri,
                    "config_version": doc.config_version,
                    "metering": doc.metering,
                })),
                updated_at: clock::now_rfc3339(),
                ..Default::default()
            },
        )
        .await?;
    // A few bytes per document: a batch's results must fit the 256 KB state with the rest.
    Ok(json!({"document_id": doc_ref.document_id, "status": "COMPLETED"}))
}

/// A section's `result.json`, borrowed from the section rather than copied into a `Value`.
#[derive(Serialize)]
struct SectionResult<'a> {
    document_class: DocumentClass<'a>,
    page_ids: &'a [String],
    attributes: &'a serde_json::Map<String, Value>,
    fields: &'a std::collections::BTreeMap<String, crate::model::FieldResult>,
    confidence_threshold_alerts: &'a [crate::model::section::ConfidenceAlert],
}

#[derive(Serialize)]
struct DocumentClass<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
}

impl<'a> SectionResult<'a> {
    fn of(s: &'a Section) -> Self {
        SectionResult {
            document_class: DocumentClass {
                kind: &s.classification,
            },
            page_ids: &s.page_ids,
            attributes: &s.attributes,
            fields: &s.fields,
            confidence_threshold_alerts: &s.confidence_threshold_alerts,
        }
    }
}

/// What OCR cost, as each page's `ocr` task reported it (`metering` in the results the state
/// machine keeps in `$.pages` and `$.retried_pages`: `OCR/textract/detect_document_text`, …).
/// A page read by OCR whose report was not kept (one that succeeded in an earlier round of page
/// retries) counts under the key the others used, or `OCR/<engine>`.
fn add_ocr_metering(doc: &mut Document, event: &Value, engine: &str) {
    let mut counted = 0.0;
    let mut first_key = None;
    let results = ["/pages", "/retried_pages"]
        .iter()
        .filter_map(|p| event.pointer(p).and_then(Value::as_array))
        .flatten();
    for result in results {
        for (context, units) in result["metering"].as_object().into_iter().flatten() {
            for (unit, amount) in units.as_object().into_iter().flatten() {
                if let Some(n) = amount.as_f64() {
                    metering::add(&mut doc.metering, context, unit, n);
                    if unit == "pages" {
                        counted += n;
                        first_key.get_or_insert_with(|| context.clone());
                    }
                }
            }
        }
    }
    let missing = f64::from(doc.num_ocr_pages) - counted;
    if missing > 0.0 {
        let key = first_key.unwrap_or_else(|| format!("OCR/{engine}"));
        metering::add(&mut doc.metering, &key, "pages", missing);
    }
}

pub async fn put_output(services: &Services, key: &str, value: &Value) -> Result<(), HandlerError> {
    let body =
        serde_json::to_vec_pretty(value).map_err(|e| HandlerError::Document(e.to_string()))?;
    Ok(services
        .objects
        .put(&services.names.output_bucket, key, body, "application/json")
        .await?)
}

/// `value` as JSON through `formatter`, f32s written as the f64s they widen to (what
/// `serde_json::to_value` did before: `0.9f32` stays `0.8999999761581421`, so readers of earlier
/// results see the same numbers).
fn document_json<T: Serialize, F: Formatter>(
    value: &T,
    formatter: F,
) -> Result<Vec<u8>, HandlerError> {
    let mut out = Vec::with_capacity(64 * 1024);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, F32AsF64(formatter));
    value
        .serialize(&mut ser)
        .map_err(|e| HandlerError::Document(e.to_string()))?;
    Ok(out)
}

/// A formatter that writes f32 as f64 and otherwise defers to the one it wraps.
struct F32AsF64<F>(F);

impl<F: Formatter> Formatter for F32AsF64<F> {
    fn write_f32<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f32) -> io::Result<()> {
        self.0.write_f64(w, f64::from(value))
    }
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::ser::CompactFormatter;

    use super::*;
    use crate::model::{BoundingBox, Word};

    /// A document with f32s (page and word confidences), maps and nested values.
    fn sample_document() -> Document {
        let mut doc = Document::new("doc-1");
        doc.num_pages = 2;
        for (i, c) in [0.9f32, 0.123_456_79].into_iter().enumerate() {
            let id = (i + 1).to_string();
            doc.pages.insert(
                id.clone(),
                Page {
                    page_id: id,
                    confidence: Some(c),
                    classification: Some("W2".into()),
                    ..Page::default()
                },
            );
        }
        metering::add(&mut doc.metering, "OCR/tesseract", "pages", 2.0);
        doc.errors.push("page 3: \"quoted\" reason".into());
        doc
    }

    #[test]
    fn a_section_result_has_the_bytes_of_the_value_route() {
        let mut section: Section = serde_json::from_value(json!({
            "section_id": "1", "classification": "Invoice", "page_ids": ["1", "2"],
            "attributes": {"Total": "12.50", "Vendor": {"Name": "B", "Address": null}},
            "fields": {"Total": {"value": "12.50", "confidence": 0.9}},
            "confidence_threshold_alerts": [
                {"attribute_name": "Vendor", "confidence": 0.3, "confidence_threshold": 0.8}
            ]
        }))
        .unwrap();
        section.confidence = Some(0.7);
        let value = json!({
            "document_class": {"type": section.classification},
            "page_ids": section.page_ids,
            "attributes": section.attributes,
            "fields": section.fields,
            "confidence_threshold_alerts": section.confidence_threshold_alerts,
        });
        assert_eq!(
            document_json(&SectionResult::of(&section), PrettyFormatter::new()).unwrap(),
            serde_json::to_vec_pretty(&value).unwrap()
        );
    }

    #[test]
    fn the_bytes_are_those_of_the_value_route() {
        let doc = sample_document();
        let value = serde_json::to_value(&doc).unwrap();
        assert_eq!(
            document_json(&doc, PrettyFormatter::new()).unwrap(),
            serde_json::to_vec_pretty(&value).unwrap()
        );
        let compact = document_json(&doc, CompactFormatter).unwrap();
        assert_eq!(compact, serde_json::to_vec(&value).unwrap());
        assert!(
            String::from_utf8_lossy(&compact).contains("0.8999999761581421"),
            "f32 written as f64"
        );
        // Words carry f32 confidences and boxes too.
        let w = Word::new("x", BoundingBox::from_edges(0.1, 0.2, 0.3, 0.4), 0.7);
        assert_eq!(
            document_json(&w, CompactFormatter).unwrap(),
            serde_json::to_vec(&serde_json::to_value(&w).unwrap()).unwrap()
        );
    }
}
