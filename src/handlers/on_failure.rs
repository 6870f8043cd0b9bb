//! `on_failure`: records why a document or an execution failed. From the workflow's Catch it
//! marks the one document FAILED with the cause and writes a `result.json` that says so; from
//! EventBridge (an execution FAILED, TIMED_OUT or ABORTED) it marks the upload and every document
//! of it that had not finished. Originals are never touched.

use serde_json::{Value, json};

use super::HandlerError;
use super::finalize::{output_prefix, put_output};
use super::workspace::{DocumentRef, document_ref};
use crate::model::Document;
use crate::services::objects::s3_location;
use crate::services::{Services, TrackingUpdate, clock};

const NAME: &str = "on_failure";

/// What this handler's code calls in AWS (see [`super::access`]). From the workflow: the
/// document's reference, its record marked FAILED and a `result.json` saying so. From
/// EventBridge: the batch's documents (by_batch) and the upload's record marked FAILED.
pub const ACCESS: &[super::access::Access] = {
    use super::access::{Access, Action, Bucket, Index};
    &[
        Access::s3(Action::GetObject, Bucket::Working),
        Access::s3(Action::PutObject, Bucket::Output),
        Access::tracking(Action::GetItem),
        Access::tracking(Action::UpdateItem),
        Access::query(Index::ByBatch),
    ]
};

/// The message a person needs from a Step Functions `{Error, Cause}` pair; Lambda's cause is a
/// JSON string with `errorMessage`.
pub fn reason_of(error: &Value) -> String {
    let name = error
        .get("Error")
        .and_then(Value::as_str)
        .unwrap_or("error");
    let message = cause_message(error.get("Cause").and_then(Value::as_str).unwrap_or(""));
    if message.is_empty() {
        name.to_string()
    } else {
        message
    }
}

/// The message of a Step Functions `Cause`: Lambda's is a JSON string whose `errorMessage` is
/// what a person needs; any other cause is the message itself.
pub fn cause_message(cause: &str) -> String {
    serde_json::from_str::<Value>(cause)
        .ok()
        .and_then(|v| {
            v.get("errorMessage")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| cause.to_string())
}

fn failed(reason: &str) -> TrackingUpdate {
    TrackingUpdate {
        status: Some("FAILED".into()),
        reason: Some(reason.to_string()),
        updated_at: clock::now_rfc3339(),
        ..Default::default()
    }
}

pub async fn handle(event: Value, services: &Services) -> Result<Value, HandlerError> {
    if event.get("detail-type").and_then(Value::as_str)
        == Some("Step Functions Execution Status Change")
    {
        return execution_failed(&event, services).await;
    }
    if event.pointer("/document/document_id").is_none() {
        return Err(HandlerError::invalid(
            NAME,
            "expected a document with an error, or an execution status event",
        ));
    }
    let doc: DocumentRef = document_ref(&event, services, NAME).await?;
    let reason = reason_of(event.get("error").unwrap_or(&Value::Null));
    services
        .tracking
        .update(&doc.document_id, &failed(&reason))
        .await?;
    if let Some(upload_key) = event.pointer("/upload/key").and_then(Value::as_str) {
        let mut d = Document::new(&doc.document_id);
        d.input_bucket = Some(doc.bucket.clone());
        d.input_key = Some(doc.key.clone());
        d.output_bucket = Some(services.names.output_bucket.clone());
        d.fail(reason.clone());
        d.completion_time = Some(clock::now_rfc3339());
        let value = serde_json::to_value(&d).map_err(|e| HandlerError::Document(e.to_string()))?;
        put_output(
            services,
            &format!("{}/result.json", output_prefix(upload_key, &doc)),
            &value,
        )
        .await?;
    }
    // The reason is in the tracking table and result.json; the state keeps a few bytes per
    // document so a batch's results fit its 256 KB.
    Ok(json!({"document_id": doc.document_id, "status": "FAILED"}))
}

async fn execution_failed(event: &Value, services: &Services) -> Result<Value, HandlerError> {
    let detail = event
        .get("detail")
        .ok_or_else(|| HandlerError::invalid(NAME, "status event has no detail"))?;
    let upload_id = detail
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| HandlerError::invalid(NAME, "detail.name is missing"))?;
    let status = detail
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("FAILED");
    let mut reason = format!("execution {status}");
    if let Some(err) = detail.get("error").and_then(Value::as_str) {
        reason.push_str(&format!(
            ": {}",
            reason_of(
                &json!({"Error": err, "Cause": detail.get("cause").cloned().unwrap_or(Value::Null)})
            )
        ));
    }
    let update = failed(&reason);
    let mut marked = 0;
    let documents = services.tracking.by_batch(upload_id).await?;
    for doc in &documents {
        if doc.status != "COMPLETED" && doc.status != "FAILED" {
            services.tracking.update(&doc.id, &update).await?;
            marked += 1;
        }
    }
    // An upload registered outside intake has no record of its own; that is not an error here.
    if let Some(upload) = services.tracking.get(upload_id).await? {
        services.tracking.update(upload_id, &update).await?;
        // It failed before any document was registered (a ZIP that does not open, an upload
        // gone before it was read): the upload is the one document, and its result says why.
        if documents.is_empty()
            && let Some((bucket, key)) = upload.source.as_deref().and_then(s3_location)
        {
            let mut d = Document::new(key);
            d.input_bucket = Some(bucket.to_string());
            d.input_key = Some(key.to_string());
            d.output_bucket = Some(services.names.output_bucket.clone());
            d.fail(reason.clone());
            d.completion_time = Some(clock::now_rfc3339());
            let value =
                serde_json::to_value(&d).map_err(|e| HandlerError::Document(e.to_string()))?;
            put_output(services, &format!("{key}/result.json"), &value).await?;
        }
    }
    Ok(
        json!({"upload_id": upload_id, "status": status, "documents_marked": marked, "reason": reason}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_cause_gives_the_message() {
        let e = json!({"Error": "idpctl.DocumentFailed", "Cause": "{\"errorType\":\"idpctl.DocumentFailed\",\"errorMessage\":\"a.pdf: the PDF is encrypted\"}"});
        assert_eq!(reason_of(&e), "a.pdf: the PDF is encrypted");
        assert_eq!(
            reason_of(&json!({"Error": "States.Timeout", "Cause": ""})),
            "States.Timeout"
        );
        assert_eq!(
            reason_of(&json!({"Error": "States.DataLimitExceeded", "Cause": "too big"})),
            "too big"
        );
    }
}
