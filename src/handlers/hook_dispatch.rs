//! `hook_dispatch`: an execution SUCCEEDED → for each document it completed, load the full
//! document (stored compressed in the working bucket) and deliver the Step Functions status
//! change event to the user's hook with `detail.output` holding `{"document": …}` — the payload
//! the post-processing hook documents. No hook configured: a logged no-op. Each delivery is
//! recorded, so a retried dispatch does not deliver a document twice.

use serde_json::{Value, json};

use super::HandlerError;
use super::workspace::{Workspace, gunzip};
use crate::services::{Services, StoreError, TrackingUpdate, clock};

const NAME: &str = "hook_dispatch";

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

/// The hook's event for one document: the execution's envelope with this document as output.
pub fn hook_event(event: &Value, document: &Value) -> Value {
    let mut e = event.clone();
    if let Some(detail) = e.get_mut("detail").and_then(Value::as_object_mut) {
        detail.insert(
            "output".into(),
            Value::String(json!({"document": document}).to_string()),
        );
        detail.insert("outputDetails".into(), json!({"included": true}));
    }
    e
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
    let mut delivered = 0;
    let mut skipped = 0;
    for id in completed_documents(detail, services).await? {
        let record = services.tracking.get(&id).await?;
        if record
            .as_ref()
            .is_some_and(|r| r.details.get("hook_delivered") == Some(&Value::Bool(true)))
        {
            skipped += 1;
            continue;
        }
        let ws = Workspace::new(services, &id);
        let bytes = ws.get_bytes(&ws.document()).await?;
        let document =
            gunzip(&bytes).map_err(|e| StoreError::Permanent(format!("{}: {e}", ws.document())))?;
        hook.deliver(&hook_event(&event, &document)).await?;
        if record.is_some() {
            services
                .tracking
                .update(
                    &id,
                    &TrackingUpdate {
                        details: Some(json!({"hook_delivered": true})),
                        updated_at: clock::now_rfc3339(),
                        ..Default::default()
                    },
                )
                .await?;
        }
        delivered += 1;
    }
    Ok(json!({"delivered": delivered, "already_delivered": skipped, "hook": hook.describe()}))
}
