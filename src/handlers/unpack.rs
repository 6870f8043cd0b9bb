//! `unpack`: an upload becomes documents. A ZIP batch is downloaded to a temporary file and
//! unpacked entry by entry into the working bucket — one entry on disk at a time, so memory and
//! disk stay flat however large the batch — with every refused entry recorded as a failed
//! document with its reason. Any other file passes through as the one document of its upload;
//! the original is never touched.
//!
//! The document ids of every upload of more than one document also go to a manifest in the
//! working bucket (`manifests/<upload id>/documents.json`, a JSON array): the state machine's
//! Distributed Map reads it when the upload has more than `batch.distributed_threshold`
//! documents. The ids
//! travel inline in the result only up to [`batch::INLINE_DOCUMENTS`] (the 256 KB state).

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{Value, json};

use super::HandlerError;
use super::access::{Access, Action, Bucket};
// `DocumentRef` lives with the workspace that stores it; unpack makes them.
pub use super::workspace::DocumentRef;
use super::workspace::Workspace;
use crate::batch::{self, Accepted, Limits, Plan};
use crate::services::{Services, StoreError, TrackingRecord, TrackingUpdate, clock};

const NAME: &str = "unpack";

/// The smallest `batch.distributed_threshold` settings accept: an upload of at most this many
/// documents never takes the Distributed Map.
const MIN_DISTRIBUTED_THRESHOLD: usize = 1;

/// What this handler's code calls in AWS (see [`super::access`]). Downloads a ZIP batch from the
/// input bucket, uploads its entries and every document's reference to the working bucket,
/// registers each document and updates the upload's record.
pub const ACCESS: &[Access] = &[
    Access::s3(Action::GetObject, Bucket::Input),
    Access::s3(Action::PutObject, Bucket::Working),
    Access::tracking(Action::PutItem),
    Access::tracking(Action::UpdateItem),
];

#[derive(Debug, Deserialize)]
struct UploadIn {
    upload_id: String,
    bucket: String,
    key: String,
}

fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

pub fn document_id(upload_id: &str, index: usize) -> String {
    format!("{upload_id}-{index:04}")
}

fn record(
    id: String,
    upload: &UploadIn,
    status: &str,
    source: String,
    reason: Option<String>,
    details: Value,
) -> TrackingRecord {
    let now = clock::now_rfc3339();
    TrackingRecord {
        id,
        kind: "document".into(),
        batch_id: Some(upload.upload_id.clone()),
        status: status.into(),
        created_at: now.clone(),
        updated_at: now,
        source: Some(source),
        execution: None,
        reason,
        details,
    }
}

pub async fn handle(event: Value, services: &Services) -> Result<Value, HandlerError> {
    let upload: UploadIn = serde_json::from_value(
        event.get("upload").cloned().unwrap_or(Value::Null),
    )
    .map_err(|e| HandlerError::invalid(NAME, format!("`upload` is missing or malformed: {e}")))?;
    let is_batch = upload.key.to_ascii_lowercase().ends_with(".zip");
    let (documents, refused) = if is_batch {
        unpack_batch(&upload, services).await?
    } else {
        let doc = DocumentRef {
            document_id: document_id(&upload.upload_id, 0),
            name: base_name(&upload.key).to_string(),
            bucket: upload.bucket.clone(),
            key: upload.key.clone(),
        };
        let source = format!("s3://{}/{}", upload.bucket, upload.key);
        services
            .tracking
            .create(&record(
                doc.document_id.clone(),
                &upload,
                "QUEUED",
                source,
                None,
                json!({"name": doc.name}),
            ))
            .await?;
        (vec![doc], Vec::new())
    };
    services
        .tracking
        .update(
            &upload.upload_id,
            &TrackingUpdate {
                details: Some(json!({"documents": documents.len(), "refused": refused.len()})),
                updated_at: clock::now_rfc3339(),
                ..Default::default()
            },
        )
        .await
        .or_else(ignore_missing)?;
    // The full list of refusals is in the tracking table; the state keeps a sample so a hostile
    // archive cannot push it past the 256 KB state limit.
    let sample: Vec<&Value> = refused.iter().take(10).collect();
    // The state carries only ids (a thousand fit in 256 KB whatever the file names); each
    // document's full reference waits in the working bucket for the stages that need it.
    for doc in &documents {
        let ws = Workspace::new(services, &doc.document_id);
        ws.put_json(&ws.reference(), doc).await?;
    }
    let ids: Vec<&str> = documents.iter().map(|d| d.document_id.as_str()).collect();
    let manifest_key = manifest_key(&upload.upload_id);
    // The smallest threshold a profile may set is 1 (settings refuse 0), so an upload of one
    // document always runs inline and nobody reads its manifest: a file and a folder saved per
    // single-file upload, which is every upload `process` makes of loose files.
    if ids.len() > MIN_DISTRIBUTED_THRESHOLD {
        let manifest = serde_json::to_vec(&ids).expect("ids serialise");
        services
            .objects
            .put(
                &services.names.working_bucket,
                &manifest_key,
                manifest,
                "application/json",
            )
            .await?;
    }
    let inline: &[&str] = if ids.len() <= batch::INLINE_DOCUMENTS {
        &ids
    } else {
        &[]
    };
    Ok(json!({
        "documents": inline,
        "count": ids.len(),
        "manifest": {"bucket": services.names.working_bucket, "key": manifest_key},
        "refused": refused.len(),
        "refused_sample": sample,
    }))
}

/// Where an upload's manifest of document ids goes in the working bucket.
pub fn manifest_key(upload_id: &str) -> String {
    format!("manifests/{upload_id}/documents.json")
}

/// Uploads registered by hand (tests, `process`) may have no upload record; that is fine.
fn ignore_missing(e: StoreError) -> Result<(), StoreError> {
    match e {
        StoreError::Permanent(m) if m.contains("does not exist") => Ok(()),
        other => Err(other),
    }
}

async fn unpack_batch(
    upload: &UploadIn,
    services: &Services,
) -> Result<(Vec<DocumentRef>, Vec<Value>), HandlerError> {
    let dir =
        tempfile::tempdir().map_err(|e| StoreError::io("cannot create a temporary folder", e))?;
    let archive_path = dir.path().join("batch.zip");
    services
        .objects
        .download(&upload.bucket, &upload.key, &archive_path)
        .await?;

    let limits = Limits::default();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(Accepted, Result<PathBuf, String>)>(2);
    let work_dir = dir.path().to_path_buf();
    let planner = tokio::task::spawn_blocking(move || -> Result<Plan, String> {
        let file = std::fs::File::open(&archive_path).map_err(|e| e.to_string())?;
        let mut archive = batch::open(std::io::BufReader::new(file)).map_err(|e| e.to_string())?;
        let plan = batch::plan(&mut archive, &limits).map_err(|e| e.to_string())?;
        for entry in &plan.accepted {
            let path = work_dir.join(format!("entry-{}", entry.index));
            let result = std::fs::File::create(&path)
                .map_err(|e| e.to_string())
                .and_then(|mut f| {
                    batch::extract(&mut archive, entry, &limits, &mut f).map_err(|e| e.to_string())
                })
                .map(|_| path);
            if tx.blocking_send((entry.clone(), result)).is_err() {
                break;
            }
        }
        Ok(plan)
    });

    let mut documents = Vec::new();
    let mut refused = Vec::new();
    while let Some((entry, extracted)) = rx.recv().await {
        let id = document_id(&upload.upload_id, entry.index);
        let source = format!("s3://{}/{}#{}", upload.bucket, upload.key, entry.name);
        match extracted {
            Ok(path) => {
                let key = format!("documents/{id}/original/{}", base_name(&entry.name));
                services
                    .objects
                    .upload(
                        &services.names.working_bucket,
                        &key,
                        &path,
                        "application/octet-stream",
                    )
                    .await?;
                let _ = tokio::fs::remove_file(&path).await;
                services
                    .tracking
                    .create(&record(
                        id.clone(),
                        upload,
                        "QUEUED",
                        source,
                        None,
                        json!({"name": entry.name}),
                    ))
                    .await?;
                documents.push(DocumentRef {
                    document_id: id,
                    name: entry.name,
                    bucket: services.names.working_bucket.clone(),
                    key,
                });
            }
            Err(reason) => {
                refused.push(refuse(upload, services, entry.index, &entry.name, &reason).await?);
            }
        }
    }
    let plan = match planner.await {
        Ok(Ok(plan)) => plan,
        Ok(Err(reason)) => {
            let reason = format!("{}: {reason}", upload.key);
            mark_upload_failed(upload, services, &reason).await?;
            return Err(HandlerError::Document(reason));
        }
        Err(e) => return Err(HandlerError::Document(format!("unpacking stopped: {e}"))),
    };
    for r in &plan.refused {
        refused.push(refuse(upload, services, r.index, &r.name, &r.reason).await?);
    }
    Ok((documents, refused))
}

/// Records the archive entry `index` (`name`) as a FAILED document with `reason`, whether the
/// plan refused it or its extraction failed, and returns its line of the `refused` list.
async fn refuse(
    upload: &UploadIn,
    services: &Services,
    index: usize,
    name: &str,
    reason: &str,
) -> Result<Value, HandlerError> {
    let id = document_id(&upload.upload_id, index);
    let reason = format!("`{name}` {reason}");
    let source = format!("s3://{}/{}#{name}", upload.bucket, upload.key);
    services
        .tracking
        .create(&record(
            id.clone(),
            upload,
            "FAILED",
            source,
            Some(reason.clone()),
            json!({"name": name}),
        ))
        .await?;
    Ok(json!({"document_id": id, "name": name, "reason": reason}))
}

async fn mark_upload_failed(
    upload: &UploadIn,
    services: &Services,
    reason: &str,
) -> Result<(), HandlerError> {
    services
        .tracking
        .update(
            &upload.upload_id,
            &TrackingUpdate {
                status: Some("FAILED".into()),
                reason: Some(reason.to_string()),
                updated_at: clock::now_rfc3339(),
                ..Default::default()
            },
        )
        .await
        .or_else(ignore_missing)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;

    use super::*;
    use crate::services::local::{LocalLayout, local_names, services};

    fn batch_zip() -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, body) in [
            ("w2/a.pdf", b"%PDF-1.4 a".to_vec()),
            ("../escape.pdf", b"x".to_vec()),
            ("W2/A.PDF", b"dup".to_vec()),
            ("bomb.txt", vec![0u8; 4 * 1024 * 1024]),
            ("notes.txt", b"hello".to_vec()),
        ] {
            w.start_file(name, opts).unwrap();
            w.write_all(&body).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[tokio::test]
    async fn batch_becomes_documents_and_refusals_are_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let s = services(&LocalLayout::new(dir.path()), local_names("t", 2)).unwrap();
        s.objects
            .put("t-input", "in/batch.zip", batch_zip(), "application/zip")
            .await
            .unwrap();
        let out = handle(
            json!({"upload": {"upload_id": "u-1", "bucket": "t-input", "key": "in/batch.zip"}}),
            &s,
        )
        .await
        .unwrap();
        let ids: Vec<String> = serde_json::from_value(out["documents"].clone()).unwrap();
        let mut docs: Vec<DocumentRef> = Vec::new();
        for id in &ids {
            let ws = Workspace::new(&s, id);
            docs.push(ws.get_json(&ws.reference()).await.unwrap());
        }
        assert_eq!(
            docs.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
            vec!["w2/a.pdf", "notes.txt"]
        );
        assert_eq!(
            s.objects.get("t-working", &docs[1].key).await.unwrap(),
            b"hello"
        );
        assert_eq!(out["refused"], 3);
        let failed = s.tracking.by_status("FAILED").await.unwrap();
        let reasons: Vec<&str> = failed.iter().filter_map(|r| r.reason.as_deref()).collect();
        assert_eq!(failed.len(), 3, "{reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("outside the batch")));
        assert!(reasons.iter().any(|r| r.contains("duplicate")));
        assert!(reasons.iter().any(|r| r.contains("compression ratio")));
        assert!(
            s.objects.exists("t-input", "in/batch.zip").await.unwrap(),
            "the original is kept"
        );

        // Idempotent: a retried unpack registers nothing twice and returns the same documents.
        let again = handle(
            json!({"upload": {"upload_id": "u-1", "bucket": "t-input", "key": "in/batch.zip"}}),
            &s,
        )
        .await
        .unwrap();
        assert_eq!(again["documents"], out["documents"]);
        assert_eq!(s.tracking.by_batch("u-1").await.unwrap().len(), 5);
    }

    #[tokio::test]
    async fn single_file_passes_through_and_corrupt_zip_fails_the_upload() {
        let dir = tempfile::tempdir().unwrap();
        let s = services(&LocalLayout::new(dir.path()), local_names("t", 2)).unwrap();
        let out = handle(
            json!({"upload": {"upload_id": "u-2", "bucket": "t-input", "key": "a/W2.pdf"}}),
            &s,
        )
        .await
        .unwrap();
        assert_eq!(out["documents"], json!(["u-2-0000"]));
        let ws = Workspace::new(&s, "u-2-0000");
        let doc: DocumentRef = ws.get_json(&ws.reference()).await.unwrap();
        assert_eq!(
            (doc.bucket.as_str(), doc.key.as_str()),
            ("t-input", "a/W2.pdf")
        );

        s.objects
            .put(
                "t-input",
                "bad.zip",
                b"PK\x03\x04 truncated".to_vec(),
                "application/zip",
            )
            .await
            .unwrap();
        let err = handle(
            json!({"upload": {"upload_id": "u-3", "bucket": "t-input", "key": "bad.zip"}}),
            &s,
        )
        .await
        .unwrap_err();
        assert_eq!(err.error_type(), "idpctl.DocumentFailed");
        assert!(
            err.to_string()
                .starts_with("bad.zip: not a readable ZIP archive"),
            "{err}"
        );

        let err = handle(json!({"nope": 1}), &s).await.unwrap_err();
        assert_eq!(err.error_type(), "idpctl.InvalidEvent");
    }
}
