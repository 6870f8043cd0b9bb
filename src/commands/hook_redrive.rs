//! `idpctl hook redrive`: completion events that could not be delivered wait in the hook's
//! dead-letter queue (Lambda's on-failure record, or EventBridge's copy of the event). Each is
//! sent to the stack's dispatcher again, synchronously, so it leaves the queue only when the
//! user's hook took it; the others stay, and the report says why.

use serde::Serialize;
use serde_json::Value;

use crate::aws::inspect::deployed_resources;
use crate::aws::{self, AwsError};
use crate::exit::ExitStatus;
use crate::settings::Settings;
use crate::ui::{self, OutputFormat, Ui};

#[derive(Debug, Serialize)]
struct Failed {
    message_id: String,
    reason: String,
}

#[derive(Debug, Serialize)]
struct Report {
    queue: String,
    dispatcher: String,
    delivered: usize,
    failed: Vec<Failed>,
}

/// The status-change event inside a dead letter: Lambda's on-failure record keeps it as
/// `requestPayload`; EventBridge's dead-letter queue holds the event itself.
pub fn original_event(body: &str) -> Option<Value> {
    let v: Value = serde_json::from_str(body).ok()?;
    if let Some(p) = v.get("requestPayload") {
        return Some(p.clone());
    }
    v.get("detail-type").is_some().then_some(v)
}

pub async fn run(max: usize, settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    let session = aws::connect(settings).await?;
    let stack = deployed_resources(&session.cloudformation(), &settings.stack_name).await?;
    let (Some(queue), Some(dispatcher)) = (
        stack.physical("HookDeadLetterQueue"),
        stack.physical("HookDispatchFunction"),
    ) else {
        return Err(stack.missing("hook dead-letter queue or dispatcher").into());
    };
    let (queue, dispatcher) = (queue.to_string(), dispatcher.to_string());
    let sqs = session.sqs();
    let lambda = session.lambda();
    let mut report = Report {
        queue: queue.clone(),
        dispatcher: dispatcher.clone(),
        delivered: 0,
        failed: Vec::new(),
    };
    let mut seen = 0;
    while seen < max {
        let batch = sqs
            .receive_message()
            .queue_url(&queue)
            .max_number_of_messages(10.min((max - seen) as i32))
            // Long enough for one delivery; a message that fails reappears for the next run.
            .visibility_timeout(300)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("ReceiveMessage", e))?;
        let messages = batch.messages();
        if messages.is_empty() {
            break;
        }
        for m in messages {
            seen += 1;
            let id = m.message_id().unwrap_or_default().to_string();
            let Some(event) = original_event(m.body().unwrap_or_default()) else {
                report.failed.push(Failed {
                    message_id: id,
                    reason: "not a completion event or an on-failure record; left in the queue"
                        .into(),
                });
                continue;
            };
            let answer = lambda
                .invoke()
                .function_name(&dispatcher)
                .invocation_type(aws_sdk_lambda::types::InvocationType::RequestResponse)
                .payload(aws_sdk_lambda::primitives::Blob::new(event.to_string()))
                .send()
                .await;
            let reason = match answer {
                Ok(out) if out.function_error().is_none() => None,
                Ok(out) => Some(
                    out.payload()
                        .map(|p| String::from_utf8_lossy(p.as_ref()).into_owned())
                        .unwrap_or_else(|| "the dispatcher failed".into()),
                ),
                Err(e) => Some(AwsError::from_sdk("Invoke", e).to_string()),
            };
            match reason {
                None => {
                    if let Some(handle) = m.receipt_handle() {
                        sqs.delete_message()
                            .queue_url(&queue)
                            .receipt_handle(handle)
                            .send()
                            .await
                            .map_err(|e| AwsError::from_sdk("DeleteMessage", e))?;
                    }
                    report.delivered += 1;
                }
                Some(reason) => report.failed.push(Failed {
                    message_id: id,
                    reason,
                }),
            }
        }
    }
    match ui.output {
        OutputFormat::Json => ui::print_json(&report)?,
        OutputFormat::Text => {
            println!("delivered\t{}", report.delivered);
            println!("failed\t{}", report.failed.len());
            for f in &report.failed {
                println!("  {}\t{}", f.message_id, f.reason);
            }
        }
    }
    if report.failed.is_empty() {
        if report.delivered == 0 {
            ui.info(format!("the hook's dead-letter queue {queue} is empty"));
        }
        Ok(ExitStatus::Success)
    } else {
        ui.warn(format!(
            "{} event(s) could not be delivered and stay in {queue}",
            report.failed.len()
        ));
        Ok(ExitStatus::Findings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_event_comes_out_of_either_kind_of_dead_letter() {
        let event = json!({"detail-type": "Step Functions Execution Status Change", "detail": {}});
        let record =
            json!({"requestContext": {"condition": "RetriesExhausted"}, "requestPayload": event});
        assert_eq!(original_event(&record.to_string()), Some(event.clone()));
        assert_eq!(original_event(&event.to_string()), Some(event));
        assert_eq!(original_event("{\"x\": 1}"), None);
        assert_eq!(original_event("not json"), None);
    }
}
