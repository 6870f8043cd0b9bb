//! `page_check`: after the pages were read, which succeeded, which failed, and which to send
//! back for another attempt. A document goes on with the pages that worked — one unreadable page
//! in a long document must not fail the whole document — and records the ones that did not.

use serde_json::{Value, json};

use super::HandlerError;
use super::access::{Access, Action, Bucket};
use super::on_failure::cause_message;
use super::split::is_text_layer;
use super::workspace::{Workspace, field};
use crate::model::PageContent;
use crate::services::{Services, StoreError, TrackingUpdate, clock};

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

/// The text-layer pages `split` stored in `pages.json`.
enum TextLayer {
    /// Every page is one, and `pages.json` is complete as `split` wrote it.
    Complete,
    /// Those there are, to merge with the pages OCR read: parsed from `pages.json` as `split`
    /// wrote it or as an earlier check merged it (none when it is missing, which only an
    /// interrupted `split` that was never retried could leave: those pages then failed).
    Some(Vec<PageContent>),
}

async fn text_layer_pages(ws: &Workspace<'_>, pages: &[Value]) -> Result<TextLayer, HandlerError> {
    if !pages.iter().any(is_text_layer) {
        return Ok(TextLayer::Some(Vec::new()));
    }
    if pages.iter().all(is_text_layer) && ws.exists(&ws.pages()).await? {
        return Ok(TextLayer::Complete);
    }
    match ws.get_json::<Vec<PageContent>>(&ws.pages()).await {
        Ok(found) => Ok(TextLayer::Some(found)),
        Err(HandlerError::Store(StoreError::NotFound { .. })) => Ok(TextLayer::Some(Vec::new())),
        Err(e) => Err(e),
    }
}

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
    let (mut failed, mut retry) = (Vec::new(), Vec::new());
    let text_layer = text_layer_pages(&ws, &pages).await?;
    // By id, so a long document's merge is not quadratic in its pages.
    let by_id: std::collections::HashMap<String, &PageContent> = match &text_layer {
        TextLayer::Some(found) => found.iter().map(|p| (p.page_id(), p)).collect(),
        TextLayer::Complete => Default::default(),
    };
    // The read pages' JSON, joined into one array (an OCR page's file as it is: no parse, no
    // re-encoding).
    let mut joined = b"[".to_vec();
    for p in &pages {
        let Some(id) = p.get("page_id").and_then(Value::as_str) else {
            return Err(HandlerError::invalid(NAME, "a page has no page_id"));
        };
        let read = match &text_layer {
            TextLayer::Complete => continue,
            TextLayer::Some(_) if is_text_layer(p) => by_id
                .get(id)
                .map(serde_json::to_vec)
                .transpose()
                .map_err(|e| HandlerError::Document(format!("page {id}: {e}")))?,
            TextLayer::Some(_) => ws.get_bytes_if_any(&ws.page_read(id)).await?,
        };
        if let Some(bytes) = read {
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
            // The page's reference as `split` gave it, so `ocr` sees the same page again.
            retry.push(p.clone());
        }
    }
    joined.push(b']');
    // When every page was read from its text layer, `pages.json` is `split`'s as it stands.
    if !matches!(text_layer, TextLayer::Complete) {
        ws.put_bytes(&ws.pages(), joined, "application/json")
            .await?;
    }
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
    use crate::model::TextSource;
    use crate::services::TrackingRecord;
    use crate::services::local::{LocalLayout, local_names, services};

    fn page(n: u32, source: TextSource) -> PageContent {
        PageContent {
            page_number: n,
            text_source: source,
            words: vec![],
            text: format!("page {n}"),
            needs_ocr: source == TextSource::Ocr,
            einvoice: None,
            image: None,
        }
    }

    /// Local services with document `d`'s record, and what `split` stored of its text pages.
    async fn document(text_pages: &[u32]) -> (tempfile::TempDir, Services) {
        let dir = tempfile::tempdir().unwrap();
        let s = services(&LocalLayout::new(dir.path()), local_names("t", 2)).unwrap();
        let now = clock::now_rfc3339();
        s.tracking
            .create(&TrackingRecord {
                id: "d".into(),
                kind: "document".into(),
                batch_id: None,
                status: "RUNNING".into(),
                created_at: now.clone(),
                updated_at: now,
                source: None,
                execution: None,
                reason: None,
                details: json!({}),
            })
            .await
            .unwrap();
        if !text_pages.is_empty() {
            let ws = Workspace::new(&s, "d");
            let pages: Vec<_> = text_pages
                .iter()
                .map(|&n| page(n, TextSource::TextLayer))
                .collect();
            ws.put_json(&ws.pages(), &pages).await.unwrap();
        }
        (dir, s)
    }

    fn check(refs: Value, previous: Option<u64>) -> Value {
        let mut event = json!({"document": {"document_id": "d"}, "split": {"pages": refs}});
        if let Some(attempt) = previous {
            event["page_check"] = json!({"attempt": attempt});
        }
        event
    }

    async fn stored_pages(s: &Services) -> Vec<(u32, TextSource)> {
        let ws = Workspace::new(s, "d");
        let pages: Vec<PageContent> = ws.get_json(&ws.pages()).await.unwrap();
        pages
            .iter()
            .map(|p| (p.page_number, p.text_source))
            .collect()
    }

    #[tokio::test]
    async fn text_layer_pages_from_split_merge_with_ocr_pages_in_page_order() {
        let (_dir, s) = document(&[1, 3]).await;
        let ws = Workspace::new(&s, "d");
        let refs = json!([
            {"page_id": "1", "text_layer": true},
            {"page_id": "2"},
            {"page_id": "3", "text_layer": true},
        ]);
        // Page 2's OCR has not succeeded yet: it is sent back alone, as split referred to it.
        let out = handle(check(refs.clone(), None), &s).await.unwrap();
        assert_eq!(out["ok"], 2, "{out}");
        assert_eq!(out["retry_pages"], json!([{"page_id": "2"}]));
        assert_eq!(
            stored_pages(&s).await,
            [(1, TextSource::TextLayer), (3, TextSource::TextLayer)]
        );
        // Read on the retry: the next check merges it from its file, the text pages from the
        // merged object the first check wrote.
        ws.put_json(&ws.page_read("2"), &page(2, TextSource::Ocr))
            .await
            .unwrap();
        let out = handle(check(refs, Some(0)), &s).await.unwrap();
        assert_eq!(
            (out["ok"].clone(), out["attempt"].clone()),
            (json!(3), json!(1))
        );
        assert_eq!(
            stored_pages(&s).await,
            [
                (1, TextSource::TextLayer),
                (2, TextSource::Ocr),
                (3, TextSource::TextLayer)
            ]
        );
    }

    #[tokio::test]
    async fn a_document_read_from_its_text_layer_keeps_splits_pages_and_fails_without_them() {
        let (dir, s) = document(&[1, 2]).await;
        // A rewrite would be a new file (objects are replaced by a rename).
        use std::os::unix::fs::MetadataExt;
        let file = dir.path().join("buckets/t-working/documents/d/pages.json");
        let before = std::fs::metadata(&file).unwrap().ino();
        let refs =
            json!([{"page_id": "1", "text_layer": true}, {"page_id": "2", "text_layer": true}]);
        let out = handle(check(refs.clone(), None), &s).await.unwrap();
        assert_eq!(
            (out["ok"].clone(), out["retry_count"].clone()),
            (json!(2), json!(0))
        );
        assert_eq!(std::fs::metadata(&file).unwrap().ino(), before);
        assert_eq!(stored_pages(&s).await.len(), 2);

        // Never written (an interrupted split): the pages failed, and say so.
        let (_dir, s) = document(&[]).await;
        let out = handle(check(refs, None), &s).await.unwrap();
        assert_eq!(out["ok"], 0, "{out}");
        assert_eq!(out["failed_pages"][1]["reason"], "the page was not read");
    }

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
