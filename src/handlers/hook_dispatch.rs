//! `hook_dispatch`: an execution SUCCEEDED → for each document it completed, load the full
//! document (its `result.json` in the output bucket) and deliver the event the
//! accelerator's post-processing hook receives: the Step Functions status-change envelope whose
//! `detail.output` is `{"document": …}` with `document.id` the input object key (for a ZIP
//! member, `<zip key>/<member>`), and `detail.input` `{"document": {"document_id", …}}`.
//!
//! A delivery counts only when the user's function returned without an error. A document whose
//! event would not fit the invoke's payload limit is delivered by reference: the same envelope
//! with the document's identity, status, sections (without attributes) and `document_uri`, the
//! full result in the output bucket. A failed delivery is recorded on the document and fails
//! this invocation, so Lambda retries it and then parks it in the hook's dead-letter queue;
//! a delivered document is never delivered twice. No hook configured: a logged no-op.

use serde_json::{Value, json};

use super::HandlerError;
use crate::services::objects::s3_location;
use crate::services::{Services, StoreError, TrackingUpdate, clock};

const NAME: &str = "hook_dispatch";

/// What this handler's code calls in AWS (see [`super::access`]): the execution's documents
/// (by_batch) and their records, each document's result from the output bucket, `hook test`
/// outcomes written to the working bucket, and the delivery recorded. Invoking the hook is wiring: the hook part grants it while one is set.
pub const ACCESS: &[super::access::Access] = {
    use super::access::{Access, Action, Bucket, Index};
    &[
        Access::s3(Action::GetObject, Bucket::Output),
        Access::s3(Action::PutObject, Bucket::Working),
        Access::tracking(Action::GetItem),
        Access::tracking(Action::UpdateItem),
        Access::query(Index::ByBatch),
    ]
};

/// The documents an execution completed: from its output when it is there, else from the
/// tracking table (EventBridge leaves large outputs out of the event).
async fn completed_documents(
    detail: &Value,
    services: &Services,
) -> Result<Vec<String>, HandlerError> {
    let output: Option<Value> = detail
        .get("output")
        .and_then(Value::as_str)
        .and_then(|s| serde_json::from_str(s).ok());
    if let Some(docs) = output
        .as_ref()
        .and_then(|o| o.get("documents"))
        .and_then(Value::as_array)
    {
        return Ok(docs
            .iter()
            .filter(|d| d.get("status").and_then(Value::as_str) == Some("COMPLETED"))
            .filter_map(|d| {
                d.get("document_id")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .collect());
    }
    let upload = detail
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| HandlerError::invalid(NAME, "detail.name is missing"))?;
    Ok(services
        .tracking
        .by_batch(upload)
        .await?
        .into_iter()
        .filter(|r| r.status == "COMPLETED")
        .map(|r| r.id)
        .collect())
}

/// The hook's event for one document: the execution's envelope with this document as output
/// and its identity as input.
pub fn hook_event(event: &Value, document: &Value) -> Value {
    let mut e = event.clone();
    let input = json!({"document": {
        "document_id": document.get("id").cloned().unwrap_or(Value::Null),
        "input_bucket": document.get("input_bucket").cloned().unwrap_or(Value::Null),
        "input_key": document.get("input_key").cloned().unwrap_or(Value::Null),
    }});
    if let Some(detail) = e.get_mut("detail").and_then(Value::as_object_mut) {
        detail.insert("input".into(), Value::String(input.to_string()));
        detail.insert("inputDetails".into(), json!({"included": true}));
        detail.insert(
            "output".into(),
            Value::String(json!({"document": document}).to_string()),
        );
        detail.insert("outputDetails".into(), json!({"included": true}));
    }
    e
}

/// The document as the hook sees it: `id` is the input key (the accelerator's convention), the
/// internal id stays as `idpctl_document_id`.
fn as_hook_document(mut document: Value, input_key: Option<&str>) -> Value {
    if let (Some(obj), Some(key)) = (document.as_object_mut(), input_key) {
        let internal = obj.insert("id".into(), Value::String(key.to_string()));
        if let Some(internal) = internal {
            obj.insert("idpctl_document_id".into(), internal);
        }
    }
    document
}

/// The by-reference form of a document too large to send inline: everything a hook needs to
/// route it, and `document_uri` to read the rest.
fn by_reference(document: &Value, document_uri: &str) -> Value {
    let keep = [
        "id",
        "idpctl_document_id",
        "input_bucket",
        "input_key",
        "output_bucket",
        "status",
        "num_pages",
        "num_ocr_pages",
        "start_time",
        "completion_time",
        "summary_report_uri",
        "metering",
        "confidence_alert_count",
    ];
    let mut out = serde_json::Map::new();
    for k in keep {
        if let Some(v) = document.get(k) {
            out.insert(k.into(), v.clone());
        }
    }
    let sections: Vec<Value> = document
        .get("sections")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|s| {
            json!({
                "section_id": s.get("section_id"),
                "classification": s.get("classification"),
                "page_ids": s.get("page_ids"),
                "extraction_result_uri": s.get("extraction_result_uri"),
            })
        })
        .collect();
    out.insert("sections".into(), Value::Array(sections));
    out.insert("document_uri".into(), Value::String(document_uri.into()));
    out.insert("by_reference".into(), Value::Bool(true));
    Value::Object(out)
}

/// The document as finalize wrote it to the output bucket (the record's `result_uri`). Read
/// back rather than kept twice: a compressed copy in the working bucket cost every document a
/// second serialisation, a gzip and a file, while only deliveries read it.
async fn load_result(
    services: &Services,
    id: &str,
    result_uri: Option<&str>,
) -> Result<Value, HandlerError> {
    let Some((bucket, key)) = result_uri.and_then(s3_location) else {
        return Err(StoreError::Permanent(format!(
            "document {id} is COMPLETED but its record has no result_uri"
        ))
        .into());
    };
    let bytes = services.objects.get(bucket, key).await?;
    serde_json::from_slice(&bytes)
        .map_err(|e| StoreError::Permanent(format!("s3://{bucket}/{key}: {e}")).into())
}

/// `s3://bucket/<prefix>/result.json` → `<prefix>`: the key the results were written under,
/// which is the input key (or `<zip key>/<member>`).
fn input_key_of(result_uri: &str) -> Option<&str> {
    s3_location(result_uri)?.1.strip_suffix("/result.json")
}

/// The source of `idpctl hook test`'s events: a sample completion event that travels the deployed
/// rule → dispatcher → hook path; its document is in the event, nothing is read or recorded.
pub use crate::services::hook::TEST_SOURCE;

/// Where the dispatcher leaves a test delivery's outcome for `idpctl hook test` to read.
pub fn test_outcome_key(name: &str) -> String {
    format!("hook-tests/{name}.json")
}

async fn deliver_test(
    event: &Value,
    hook: &dyn crate::services::HookTarget,
    services: &Services,
) -> Result<Value, HandlerError> {
    let name = event
        .pointer("/detail/name")
        .and_then(Value::as_str)
        .filter(|n| {
            n.starts_with("idpctl-hook-test-")
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .ok_or_else(|| {
            HandlerError::invalid(
                NAME,
                "a hook test event needs detail.name idpctl-hook-test-<id>",
            )
        })?;
    let outcome = match hook.deliver(event).await {
        Ok(answer) => json!({"delivered": true, "hook": hook.describe(), "answer": answer}),
        Err(e) => json!({"delivered": false, "hook": hook.describe(), "error": e.to_string()}),
    };
    let body = serde_json::to_vec(&outcome).map_err(|e| HandlerError::Document(e.to_string()))?;
    services
        .objects
        .put(
            &services.names.working_bucket,
            &test_outcome_key(name),
            body,
            "application/json",
        )
        .await?;
    // A failed test is reported to whoever asked, not retried into the dead-letter queue.
    Ok(outcome)
}

pub async fn handle(event: Value, services: &Services) -> Result<Value, HandlerError> {
    if event.get("detail-type").and_then(Value::as_str)
        != Some("Step Functions Execution Status Change")
    {
        return Err(HandlerError::invalid(
            NAME,
            "expected a \"Step Functions Execution Status Change\" event",
        ));
    }
    let detail = &event["detail"];
    if detail.get("status").and_then(Value::as_str) != Some("SUCCEEDED") {
        return Err(HandlerError::invalid(
            NAME,
            format!("expected status SUCCEEDED, got {}", detail["status"]),
        ));
    }
    let Some(hook) = services.hook.clone() else {
        // In Lambda this line is the CloudWatch record of the no-op; locally the result says it.
        if std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some() {
            eprintln!("hook_dispatch: no post-processing hook configured; nothing delivered");
        }
        return Ok(json!({"delivered": 0, "hook": null}));
    };
    if event.get("source").and_then(Value::as_str) == Some(TEST_SOURCE) {
        return deliver_test(&event, hook.as_ref(), services).await;
    }
    let mut delivered = 0;
    let mut skipped = 0;
    let mut by_ref = 0;
    let mut failures = Vec::new();
    for id in completed_documents(detail, services).await? {
        let record = services.tracking.get(&id).await?;
        if record
            .as_ref()
            .is_some_and(|r| r.details.get("hook_delivered") == Some(&Value::Bool(true)))
        {
            skipped += 1;
            continue;
        }
        let result_uri = record
            .as_ref()
            .and_then(|r| r.details.get("result_uri"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let document = load_result(services, &id, result_uri.as_deref()).await?;
        let document = as_hook_document(document, result_uri.as_deref().and_then(input_key_of));
        let mut hook_event = hook_event(&event, &document);
        let size = hook_event.to_string().len();
        let inline = size <= services.names.hook_payload_limit;
        if !inline {
            let uri = result_uri.clone().unwrap_or_default();
            hook_event = self::hook_event(&event, &by_reference(&document, &uri));
            by_ref += 1;
        }
        let outcome = hook.deliver(&hook_event).await;
        let note = match &outcome {
            Ok(_) => {
                json!({"hook_delivered": true, "hook_delivered_at": clock::now_rfc3339(), "hook_inline": inline, "hook_error": null})
            }
            Err(e) => json!({"hook_delivered": false, "hook_error": e.to_string()}),
        };
        if record.is_some() {
            services
                .tracking
                .update(
                    &id,
                    &TrackingUpdate {
                        details: Some(note),
                        updated_at: clock::now_rfc3339(),
                        ..Default::default()
                    },
                )
                .await?;
        }
        match outcome {
            Ok(_) => delivered += 1,
            Err(e) => failures.push(format!("{id}: {e}")),
        }
    }
    if !failures.is_empty() {
        // Fails the invocation: Lambda retries the event, then the dead-letter queue keeps it
        // with this message. Documents delivered meanwhile are not delivered again.
        return Err(HandlerError::Hook(format!(
            "{} of {} documents not delivered to {}: {}",
            failures.len(),
            failures.len() + delivered,
            hook.describe(),
            failures.join("; ")
        )));
    }
    Ok(
        json!({"delivered": delivered, "by_reference": by_ref, "already_delivered": skipped, "hook": hook.describe()}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hook_document_has_the_input_key_as_id_and_input_names_it() {
        let doc = as_hook_document(
            json!({"id": "u-1-0000", "input_key": "inbox/a.pdf", "status": "COMPLETED"}),
            input_key_of("s3://out/inbox/a.pdf/result.json"),
        );
        assert_eq!(doc["id"], "inbox/a.pdf");
        assert_eq!(doc["idpctl_document_id"], "u-1-0000");
        let e = hook_event(&json!({"detail": {"status": "SUCCEEDED"}}), &doc);
        let input: Value = serde_json::from_str(e["detail"]["input"].as_str().unwrap()).unwrap();
        assert_eq!(input["document"]["document_id"], "inbox/a.pdf");
        let output: Value = serde_json::from_str(e["detail"]["output"].as_str().unwrap()).unwrap();
        assert_eq!(output["document"]["status"], "COMPLETED");
    }

    #[test]
    fn zip_members_are_named_inside_their_zip() {
        assert_eq!(
            input_key_of("s3://out/batch.zip/w2/a.pdf/result.json"),
            Some("batch.zip/w2/a.pdf")
        );
        assert_eq!(input_key_of("out/a.pdf/result.json"), None);
    }

    #[test]
    fn by_reference_keeps_identity_and_drops_bulk() {
        let doc = json!({"id": "a.pdf", "status": "COMPLETED", "pages": {"1": {}},
            "sections": [{"section_id": "1", "classification": "W2", "page_ids": ["1"],
                          "attributes": {"big": "x"}, "extraction_result_uri": "s3://o/a.pdf/sections/1/result.json"}]});
        let r = by_reference(&doc, "s3://o/a.pdf/result.json");
        assert_eq!(r["id"], "a.pdf");
        assert_eq!(r["document_uri"], "s3://o/a.pdf/result.json");
        assert!(r.get("pages").is_none());
        assert!(r["sections"][0].get("attributes").is_none());
        assert_eq!(r["sections"][0]["classification"], "W2");
    }
}
