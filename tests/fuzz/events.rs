//! Events: S3 notifications, EventBridge "Object Created", the same batched through SQS, and
//! Step Functions status changes, taken from the recorded fixtures and mutated node by node
//! (inside SQS bodies too), then read by `intake::parse` and by the handlers that take them
//! (`intake`, `on_failure`, `hook_dispatch`) over local services.

use std::future::Future;

use idpctl::handlers::{hook_dispatch, intake, on_failure};
use idpctl::services::Services;
use idpctl::services::local::{LocalLayout, local_names, services};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::harness::{self, explained, run};
use crate::mutate;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/events/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect(&path)
}

/// A Step Functions execution status change, as EventBridge delivers it.
fn status_change(status: &str) -> Value {
    json!({
        "version": "0",
        "id": "315c1398-40ff-a850-213b-158f73e60175",
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "account": "123456789012",
        "time": "2026-11-22T05:31:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:states:us-east-1:123456789012:execution:idp:u-1"],
        "detail": {
            "executionArn": "arn:aws:states:us-east-1:123456789012:execution:idp:u-1",
            "name": "u-1",
            "status": status,
            "input": "{\"upload\": {\"upload_id\": \"u-1\", \"bucket\": \"t-input\", \"key\": \"a.pdf\"}}",
            "output": "{\"documents\": [{\"document_id\": \"u-1-0000\", \"status\": \"COMPLETED\"}]}",
            "error": "States.TaskFailed",
            "cause": "{\"errorMessage\": \"boom\"}"
        }
    })
}

/// Every event shape the stack's functions receive.
pub fn seeds() -> Vec<Value> {
    let mut v: Vec<Value> = [
        "s3-object-created.eventbridge.json",
        "s3-object-created.sqs.json",
        "s3-put.notification.json",
        "aws-lambda-events.example-s3-event.json",
        "aws-lambda-events.example-sqs-event.json",
    ]
    .iter()
    .map(|n| fixture(n))
    .collect();
    v.push(status_change("SUCCEEDED"));
    v.push(status_change("FAILED"));
    v.push(json!({
        "document": {"document_id": "u-1-0000"},
        "error": {"Error": "idpctl.DocumentFailed", "Cause": "{\"errorMessage\": \"bad PDF\"}"}
    }));
    v.push(json!({"upload": {"upload_id": "u-1", "bucket": "t-input", "key": "in/a.pdf"}}));
    v
}

/// Runs `f` with fresh local services in a temporary folder, on a runtime of its own.
pub fn with_local_services<T, F, Fut>(f: F) -> Result<T, String>
where
    F: FnOnce(Services) -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let s =
        services(&LocalLayout::new(dir.path()), local_names("t", 2)).map_err(|e| e.to_string())?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(f(s))
}

fn mutated_event() -> impl Strategy<Value = Value> {
    (prop::sample::select(seeds()), mutate::json_mutations(4)).prop_map(|(mut doc, m)| {
        mutate::apply_json(&mut doc, &m);
        doc
    })
}

proptest! {
    #![proptest_config(harness::config(1))]

    #[test]
    fn intake_reads_any_event_or_names_what_is_wrong(event in mutated_event()) {
        let uploads = run(move || intake::parse(&event))?;
        match uploads {
            Ok(uploads) => {
                for u in uploads {
                    prop_assert!(u.upload_id.starts_with("u-") && u.upload_id.len() == 26, "{u:?}");
                }
            }
            Err(e) => explained(&e)?,
        }
    }

    #[test]
    fn intake_reads_raw_json_text(text in ".{0,200}", seed in prop::sample::select(seeds()), cut in any::<prop::sample::Index>()) {
        // Raw text, and a recorded event cut short: whatever parses as JSON is read.
        let whole = seed.to_string();
        let cut_at = cut.index(whole.len() + 1);
        for candidate in [text, whole.get(..cut_at).unwrap_or("").to_string()] {
            if let Ok(v) = serde_json::from_str::<Value>(&candidate)
                && let Err(e) = run(move || intake::parse(&v))?
            {
                explained(&e)?;
            }
        }
    }

    #[test]
    fn url_decoding_never_panics(key in ".{0,64}", raw in prop::collection::vec(any::<u8>(), 0..64)) {
        let from_bytes = String::from_utf8_lossy(&raw).into_owned();
        let plain = !key.contains(['%', '+']);
        let k = key.clone();
        let decoded = run(move || (intake::url_decode(&k), intake::url_decode(&from_bytes)))?;
        // Only `+` and `%XX` are escapes: anything else comes back as written.
        if plain {
            prop_assert_eq!(decoded.0, key);
        }
    }
}

proptest! {
    #![proptest_config(harness::config(4))]

    /// The handlers that read these events, over local services: an answer or an error with a
    /// message, never a panic.
    #[test]
    fn handlers_take_any_event(event in mutated_event(), which in 0usize..4) {
        let outcome = run(move || with_local_services(|s| async move {
            let r = match which {
                0 => intake::handle(event, &s).await,
                1 => on_failure::handle(event, &s).await,
                2 => hook_dispatch::handle(event, &s).await,
                _ => idpctl::handlers::unpack::handle(event, &s).await,
            };
            Ok(r.map_err(|e| e.to_string()))
        }))?;
        if let Err(e) = outcome.map_err(TestCaseError::fail)? {
            explained(&e)?;
        }
    }
}
