//! `page_check`: after the pages were read, which succeeded, which failed, and which to send
//! back for another attempt. A document goes on with the pages that worked — one unreadable page
//! in a long document must not fail the whole document — and records the ones that did not.

use serde_json::{Value, json};

use super::HandlerError;
use super::access::{Access, Action, Bucket};
use super::on_failure::cause_message;
use super::workspace::{Workspace, field};
use crate::services::{Services, TrackingUpdate, clock};

const NAME: &str = "page_check";

/// What this handler's code calls in AWS (see [`super::access`]). Reads the pages that were read
/// (a missing key is a failed page: ListBucket makes S3 answer 404 rather than 403), writes them
/// as one object for the stages after it, records the failed ones on the document.
pub const ACCESS: &[Access] = &[
    Access::s3(Action::GetObject, Bucket::Working),
    Access::s3(Action::ListBucket, Bucket::Working),
    Access::s3(Action::PutObject, Bucket::Working),
    Access::tracking(Action::UpdateItem),
];

/// The last error the state machine recorded for a page, from a Map result.
fn page_errors(results: Option<&Value>) -> Vec<(String, String)> {
    results
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r.get("status").and_then(Value::as_str) == Some("failed"))
        .filter_map(|r| {
            let id = r.get("page_id")?.as_str()?.to_string();
            let cause = r
                .pointer("/error/Cause")
                .and_then(Value::as_str)
                .unwrap_or("unknown error");
            Some((id, cause_message(cause)))
        })
        .collect()
}

pub async fn handle(event: Value, services: &Services) -> Result<Value, HandlerError> {
    let document_id: String = field(&event, "/document/document_id", NAME)?;
    let pages: Vec<Value> = field(&event, "/split/pages", NAME)?;
    let attempt = match event.pointer("/page_check/attempt").and_then(Value::as_u64) {
        Some(previous) => previous + 1,
        None => 0,
    };
    let ws = Workspace::new(services, &document_id);
    let mut errors = page_errors(event.get("pages"));
    errors.extend(page_errors(event.get("retried_pages")));
    let mut failed = Vec::new();
    // The read pages' JSON, joined into one array as they are (no parse, no re-encoding).
    let mut joined = b"[".to_vec();
    for p in &pages {
        let Some(id) = p.get("page_id").and_then(Value::as_str) else {
            return Err(HandlerError::invalid(NAME, "a page has no page_id"));
        };
        if let Some(bytes) = ws.get_bytes_if_any(&ws.page_read(id)).await? {
            if joined.len() > 1 {
                joined.push(b',');
            }
            joined.extend_from_slice(&bytes);
        } else {
            let reason = errors
                .iter()
                .rev()
                .find(|(pid, _)| pid == id)
                .map(|(_, m)| m.clone())
                .unwrap_or_else(|| "the page was not read".into());
            failed.push(json!({"page_id": id, "reason": reason}));
        }
    }
    joined.push(b']');
    ws.put_bytes(&ws.pages(), joined, "application/json")
        .await?;
    let retry: Vec<Value> = failed
        .iter()
        .map(|f| json!({"page_id": f["page_id"]}))
        .collect();
    services
        .tracking
        .update(
            &document_id,
            &TrackingUpdate {
                details: Some(json!({"failed_pages": failed, "page_attempt": attempt})),
                updated_at: clock::now_rfc3339(),
                ..Default::default()
            },
        )
        .await?;
    Ok(json!({
        "attempt": attempt,
        "pages": pages.len(),
        "ok": pages.len() - failed.len(),
        "retry_count": retry.len(),
        "retry_pages": retry,
        "failed_pages": failed,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_error_causes_become_messages() {
        let results = json!([
            {"page_id": "1", "status": "ok"},
            {"page_id": "2", "status": "failed", "error": {"Error": "idpctl.DocumentFailed", "Cause": "{\"errorType\":\"idpctl.DocumentFailed\",\"errorMessage\":\"page 2: tesseract is not installed\"}"}},
            {"page_id": "3", "status": "failed", "error": {"Error": "States.Timeout", "Cause": "timed out"}}
        ]);
        assert_eq!(
            page_errors(Some(&results)),
            vec![
                ("2".into(), "page 2: tesseract is not installed".into()),
                ("3".into(), "timed out".into())
            ]
        );
    }
}
