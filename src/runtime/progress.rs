//! Batch progress as the local runtime sees it: documents and pages, counted from what the
//! handlers report (unpack says how many documents, split how many pages, ocr finishes a page,
//! finalize or on_failure finishes a document). `process` draws it; tests read the counters.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;

use crate::handlers::Handler;

/// Receives every successful handler result of a local run, replayed ones included; called
/// from worker threads.
pub trait ProgressSink: Send + Sync {
    fn handled(&self, handler: Handler, output: &Value);
}

/// Running totals. Totals grow as uploads are unpacked and documents split, so a bar's length
/// is only final once every document has been split.
#[derive(Debug, Default)]
pub struct Counters {
    documents_total: AtomicU64,
    documents_done: AtomicU64,
    documents_failed: AtomicU64,
    pages_total: AtomicU64,
    pages_done: AtomicU64,
}

/// A consistent-enough copy of [`Counters`] for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub documents_total: u64,
    pub documents_done: u64,
    pub documents_failed: u64,
    pub pages_total: u64,
    pub pages_done: u64,
}

impl Counters {
    /// Applies one handler result; returns whether anything changed.
    pub fn apply(&self, handler: Handler, output: &Value) -> bool {
        let add = |c: &AtomicU64, n: u64| {
            c.fetch_add(n, Ordering::Relaxed);
            true
        };
        match handler {
            Handler::Unpack => {
                // `count`: a large batch's ids are in its manifest, not in `documents`.
                let docs = output["count"]
                    .as_u64()
                    .unwrap_or_else(|| output["documents"].as_array().map_or(0, Vec::len) as u64);
                // Refused entries are documents too: they are recorded failed without running.
                let refused = output["refused"].as_u64().unwrap_or(0);
                add(&self.documents_total, docs + refused);
                add(&self.documents_failed, refused);
                add(&self.documents_done, refused)
            }
            Handler::Split => {
                // Pages read from their text layer are done: only `ocr_pages` go on to OCR.
                let pages = output["num_pages"].as_u64().unwrap_or(0);
                let to_read = output["ocr_pages"]
                    .as_array()
                    .map_or(pages, |p| p.len() as u64);
                add(&self.pages_done, pages.saturating_sub(to_read));
                add(&self.pages_total, pages)
            }
            // A text-layer page's quick answer was counted with its split.
            Handler::Ocr if output["text_layer"] == true => false,
            Handler::Ocr => add(&self.pages_done, 1),
            Handler::Finalize => add(&self.documents_done, 1),
            Handler::OnFailure => {
                add(&self.documents_failed, 1);
                add(&self.documents_done, 1)
            }
            _ => false,
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let pages_total = get(&self.pages_total);
        Snapshot {
            documents_total: get(&self.documents_total),
            documents_done: get(&self.documents_done),
            documents_failed: get(&self.documents_failed),
            pages_total,
            // A page re-read after a failed check counts once.
            pages_done: get(&self.pages_done).min(pages_total),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counts_documents_and_pages_from_handler_results() {
        let c = Counters::default();
        c.apply(
            Handler::Unpack,
            &json!({"documents": ["a", "b", "c"], "refused": 1}),
        );
        c.apply(Handler::Split, &json!({"num_pages": 2}));
        c.apply(Handler::Split, &json!({"num_pages": 1}));
        c.apply(Handler::Ocr, &json!({}));
        // Two text-layer pages and one scan: the scan is done once OCR read it.
        c.apply(
            Handler::Split,
            &json!({"num_pages": 3, "ocr_pages": [{"page_id": "2"}]}),
        );
        assert_eq!(c.snapshot().pages_done, 3);
        assert!(!c.apply(Handler::Ocr, &json!({"text_layer": true})));
        c.apply(Handler::Ocr, &json!({}));
        c.apply(Handler::Finalize, &json!({}));
        c.apply(Handler::OnFailure, &json!({}));
        assert!(!c.apply(Handler::Classify, &json!({})));
        assert_eq!(
            c.snapshot(),
            Snapshot {
                documents_total: 4,
                documents_done: 3,
                documents_failed: 2,
                pages_total: 6,
                pages_done: 4,
            }
        );
    }

    #[test]
    fn pages_read_twice_do_not_pass_the_total() {
        let c = Counters::default();
        c.apply(Handler::Split, &json!({"num_pages": 1}));
        c.apply(Handler::Ocr, &json!({}));
        c.apply(Handler::Ocr, &json!({}));
        assert_eq!(c.snapshot().pages_done, 1);
    }
}
