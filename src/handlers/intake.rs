//! `intake`: an upload landed in the input bucket. Records it in the tracking table with a
//! conditional write and starts one workflow execution named after it, so a repeated event (S3
//! and EventBridge deliver at least once) starts nothing new.
//!
//! Takes the EventBridge "Object Created" event, the same events batched through SQS (the
//! batching-window path), or a classic S3 notification.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::s3::S3Event;
use aws_lambda_events::event::sqs::SqsEvent;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::HandlerError;
use super::access::{Access, Action};
use crate::services::{Services, TrackingRecord, clock};

const NAME: &str = "intake";

/// What this handler's code calls in AWS (see [`super::access`]). Records the upload, starts its
/// execution, then notes the execution on the record.
pub const ACCESS: &[Access] = &[
    Access::tracking(Action::PutItem),
    Access::tracking(Action::UpdateItem),
    Access::start_execution(),
];

/// One uploaded object, however it was announced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upload {
    pub upload_id: String,
    pub bucket: String,
    pub key: String,
    pub size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
}

/// A deterministic id: the same object version always maps to the same upload and execution
/// name; a new version of the same key is a new upload. Execution names allow 80 characters of
/// `[A-Za-z0-9-_]`.
pub fn upload_id(bucket: &str, key: &str, version: &str) -> String {
    let digest = Sha256::digest(format!("{bucket}\0{key}\0{version}").as_bytes());
    format!("u-{}", &hex::encode(digest)[..24])
}

/// `+` and `%XX` as S3 notifications encode keys; invalid escapes are kept as written.
pub fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn object(
    bucket: &str,
    key: String,
    size: u64,
    etag: Option<&str>,
    version: Option<&str>,
    sequencer: Option<&str>,
) -> Upload {
    let identity = version.or(etag).or(sequencer).unwrap_or("");
    Upload {
        upload_id: upload_id(bucket, &key, identity),
        bucket: bucket.to_string(),
        key,
        size,
        etag: etag.map(|e| e.trim_matches('"').to_string()),
        version_id: version.map(str::to_string),
    }
}

/// The `detail` of S3's "Object Created" event (aws_lambda_events has no type for S3 events
/// delivered by EventBridge, only the envelope).
#[derive(Debug, Serialize, Deserialize)]
struct ObjectCreated {
    bucket: BucketName,
    object: CreatedObject,
}

#[derive(Debug, Serialize, Deserialize)]
struct BucketName {
    name: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct CreatedObject {
    key: String,
    #[serde(default)]
    size: u64,
    etag: Option<String>,
    #[serde(rename = "version-id")]
    version_id: Option<String>,
    sequencer: Option<String>,
}

fn from_eventbridge(ev: &Value) -> Result<Upload, String> {
    // Checked before the typed parse so a wrong event is named, not reported as a missing field.
    let detail_type = ev.get("detail-type").and_then(Value::as_str);
    if detail_type != Some("Object Created") {
        return Err(format!(
            "expected an S3 \"Object Created\" event, got detail-type {}",
            ev.get("detail-type").unwrap_or(&Value::Null)
        ));
    }
    let event: EventBridgeEvent<ObjectCreated> = serde_json::from_value(ev.clone())
        .map_err(|e| format!("malformed \"Object Created\" event: {e}"))?;
    let o = event.detail.object;
    Ok(object(
        &event.detail.bucket.name,
        o.key,
        o.size,
        o.etag.as_deref(),
        o.version_id.as_deref(),
        o.sequencer.as_deref(),
    ))
}

fn from_notification(event: S3Event) -> Result<Vec<Upload>, String> {
    event
        .records
        .into_iter()
        .map(|r| {
            let bucket = r.s3.bucket.name.ok_or("s3.bucket.name is missing")?;
            let o = r.s3.object;
            let key = o.key.ok_or("s3.object.key is missing")?;
            Ok(object(
                &bucket,
                url_decode(&key),
                o.size.unwrap_or(0).max(0) as u64,
                o.e_tag.as_deref(),
                o.version_id.as_deref(),
                o.sequencer.as_deref(),
            ))
        })
        .collect()
}

/// Every upload an event announces, in order: an EventBridge event, an SQS batch of them (the
/// batching-window path) or a classic S3 notification.
pub fn parse(event: &Value) -> Result<Vec<Upload>, String> {
    let source = event
        .pointer("/Records/0/eventSource")
        .and_then(Value::as_str);
    match source {
        Some("aws:sqs") => {
            let batch: SqsEvent = serde_json::from_value(event.clone())
                .map_err(|e| format!("malformed SQS event: {e}"))?;
            batch
                .records
                .iter()
                .map(|m| {
                    let body = m.body.as_deref().ok_or("SQS record has no body")?;
                    let inner: Value = serde_json::from_str(body)
                        .map_err(|e| format!("SQS body is not JSON: {e}"))?;
                    from_eventbridge(&inner)
                })
                .collect()
        }
        Some("aws:s3") => {
            let notification: S3Event = serde_json::from_value(event.clone())
                .map_err(|e| format!("malformed S3 notification: {e}"))?;
            from_notification(notification)
        }
        Some(other) => Err(format!("unsupported record source {other:?}")),
        None => from_eventbridge(event).map(|u| vec![u]),
    }
}

pub async fn handle(event: Value, services: &Services) -> Result<Value, HandlerError> {
    let uploads = parse(&event).map_err(|r| HandlerError::invalid(NAME, r))?;
    let mut results = Vec::new();
    for upload in uploads {
        // "Folders" made in the S3 console are zero-byte keys ending in `/`; they are not documents.
        if upload.key.ends_with('/') {
            results.push(json!({"key": upload.key, "skipped": "folder marker"}));
            continue;
        }
        let now = clock::now_rfc3339();
        let record = TrackingRecord {
            id: upload.upload_id.clone(),
            kind: "upload".into(),
            batch_id: None,
            status: "QUEUED".into(),
            created_at: now.clone(),
            updated_at: now,
            source: Some(format!("s3://{}/{}", upload.bucket, upload.key)),
            execution: None,
            reason: None,
            details: json!({"size": upload.size, "etag": upload.etag, "version_id": upload.version_id}),
        };
        let created = services.tracking.create(&record).await?;
        // Starting is idempotent by name, so a crash between the two writes is repaired by the
        // redelivered event rather than losing the upload.
        let started = services
            .executions
            .start(&upload.upload_id, &json!({"upload": upload}))
            .await?;
        if created || started.new {
            services
                .tracking
                .update(
                    &upload.upload_id,
                    &crate::services::TrackingUpdate {
                        execution: Some(started.execution.clone()),
                        status: Some("RUNNING".into()),
                        updated_at: clock::now_rfc3339(),
                        ..Default::default()
                    },
                )
                .await?;
        }
        results.push(json!({
            "upload_id": upload.upload_id,
            "key": upload.key,
            "execution": started.execution,
            // The conditional write decides: Step Functions reports a repeated start of a running
            // execution as a success too.
            "new": created,
        }));
    }
    Ok(json!({ "uploads": results }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/events/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn eventbridge_key_is_taken_as_written() {
        let u = parse(&fixture("s3-object-created.eventbridge.json")).unwrap();
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].key, "inbox/2026-11-22/W2 Form: 1001.pdf");
        assert_eq!(u[0].bucket, "idp-dev-input-123456789012");
        assert_eq!(u[0].size, 71289);
        assert!(u[0].upload_id.starts_with("u-") && u[0].upload_id.len() == 26);
    }

    #[test]
    fn sqs_batches_carry_every_event() {
        let u = parse(&fixture("s3-object-created.sqs.json")).unwrap();
        assert_eq!(
            u.iter().map(|u| u.key.as_str()).collect::<Vec<_>>(),
            vec!["inbox/2026-11-22/W2 Form: 1001.pdf", "inbox/batch.zip"]
        );
        assert_ne!(u[0].upload_id, u[1].upload_id);
    }

    #[test]
    fn notification_keys_are_url_decoded() {
        let u = parse(&fixture("s3-put.notification.json")).unwrap();
        assert_eq!(u[0].key, "inbox/W2 Form: 1001.pdf");
    }

    #[test]
    fn same_version_same_id_new_version_new_id() {
        assert_eq!(upload_id("b", "k", "v1"), upload_id("b", "k", "v1"));
        assert_ne!(upload_id("b", "k", "v1"), upload_id("b", "k", "v2"));
    }

    #[test]
    fn wrong_events_are_named() {
        let err =
            parse(&serde_json::json!({"detail-type": "Object Deleted", "detail": {}})).unwrap_err();
        assert!(err.contains("Object Deleted"), "{err}");
        assert!(parse(&serde_json::json!({"Records": [{"eventSource": "aws:sns"}]})).is_err());
    }

    #[test]
    fn the_crates_own_s3_fixture_parses() {
        let u = parse(&fixture("aws-lambda-events.example-s3-event.json")).unwrap();
        assert_eq!(
            (u[0].bucket.as_str(), u[0].key.as_str(), u[0].size),
            ("sourcebucket", "Happy Face.jpg", 1024)
        );
        assert_eq!(u[0].version_id.as_deref(), Some("version"));
    }

    #[test]
    fn an_sqs_message_that_is_not_an_s3_event_is_refused_by_name() {
        let err = parse(&fixture("aws-lambda-events.example-sqs-event.json")).unwrap_err();
        assert!(
            err.starts_with("SQS body is not JSON") || err.contains("detail-type"),
            "{err}"
        );
    }

    #[test]
    fn url_decoding() {
        assert_eq!(url_decode("a+b%3Ac%2F%zz%"), "a b:c/%zz%");
    }
}
