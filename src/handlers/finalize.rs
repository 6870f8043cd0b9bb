//! `finalize`: assembles the finished document — pages, sections with their fields, summary,
//! metering — writes `result.json` per section and per document to the output bucket, keeps the
//! full document gzip-compressed in the working bucket for `hook_dispatch`, marks the tracking
//! record COMPLETED, and returns only a few bytes, so a thousand documents fit in one state.

use serde_json::{Value, json};

use super::HandlerError;
use super::access::{Access, Action, Bucket};
use super::classify::page_ids;
use super::unpack::DocumentRef;
use super::workspace::{Workspace, document_ref, field, gzip};
use crate::model::{Document, Page, PageContent, Section, Status, TextSource, metering};
use crate::services::{Services, TrackingUpdate, clock};

const NAME: &str = "finalize";

/// What this handler's code calls in AWS (see [`super::access`]). Reads the document's state,
/// writes results to the output bucket and the compressed document to the working bucket, reads and
/// completes the document's record.
pub const ACCESS: &[Access] = &[
    Access::s3(Action::GetObject, Bucket::Working),
    Access::s3(Action::ListBucket, Bucket::Working),
    Access::s3(Action::PutObject, Bucket::Working),
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
    let read: Vec<PageContent> = super::classify::read_pages(&ws, &ids).await?;
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
        let mut section: Section = ws.get_json(&ws.section(&s.section_id, "assessed")).await?;
        let rel = format!("sections/{}/result.json", section.section_id);
        let result = json!({
            "document_class": {"type": section.classification},
            "page_ids": section.page_ids,
            "attributes": section.attributes,
            "fields": section.fields,
            "confidence_threshold_alerts": section.confidence_threshold_alerts,
        });
        put_output(services, &format!("{prefix}/{rel}"), &result).await?;
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

    let full = serde_json::to_value(&doc).map_err(|e| HandlerError::Document(e.to_string()))?;
    put_output(services, &format!("{prefix}/result.json"), &full).await?;
    ws.put_bytes(&ws.document(), gzip(&full), "application/gzip")
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
