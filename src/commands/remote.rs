//! `idpctl process` and `idpctl results` against a deployed stack: uploads files, folders and
//! ZIP batches to its input bucket (multipart above 64 MiB), follows the work in its tracking
//! table — the same records the functions write — and downloads every result when each
//! document has finished, with the table, `summary.json` and exit codes of the local profile.
//! The upload's id is computed as `intake` computes it (bucket, key, version), so nothing but
//! the deployed stack is needed to find it again later.

use std::io::{IsTerminal, Read as _};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::Value;

use super::process::{
    DocumentRow, Summary, display_name, expand, print_table, result_key, write_result,
};
use crate::aws::inspect::deployed_resources;
use crate::aws::{self, AwsError, Session};
use crate::cli::{ProcessArgs, ResultsArgs};
use crate::error::Hinted;
use crate::exit::ExitStatus;
use crate::handlers::intake::upload_id;
use crate::services::dynamo_tracking::DynamoTracking;
use crate::services::{Tracking, TrackingRecord};
use crate::settings::Settings;
use crate::ui::{self, OutputFormat, Ui};

/// Files above this go up in parts, so a large ZIP never sits in memory whole.
const MULTIPART_THRESHOLD: u64 = 64 * 1024 * 1024;
const PART_SIZE: usize = 16 * 1024 * 1024;
const POLL: Duration = Duration::from_millis(500);

/// The deployed stack's data stores, found by their logical ids.
struct Deployed {
    input_bucket: String,
    output_bucket: String,
    s3: aws_sdk_s3::Client,
    tracking: DynamoTracking,
}

impl Deployed {
    async fn find(session: &Session, stack_name: &str) -> anyhow::Result<Deployed> {
        let stack = deployed_resources(&session.cloudformation(), stack_name).await?;
        Ok(Deployed {
            input_bucket: stack.require("InputBucket")?.to_string(),
            output_bucket: stack.require("OutputBucket")?.to_string(),
            s3: session.s3(),
            tracking: DynamoTracking::new(
                aws_sdk_dynamodb::Client::new(&session.config),
                stack.require("TrackingTable")?,
            ),
        })
    }

    /// Uploads `path` as `key`; the object's version (or ETag, unversioned) names the upload.
    async fn upload(&self, path: &Path, key: &str) -> anyhow::Result<String> {
        let size = std::fs::metadata(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .len();
        let (etag, version) = if size <= MULTIPART_THRESHOLD {
            let body = aws_sdk_s3::primitives::ByteStream::from_path(path)
                .await
                .with_context(|| format!("cannot read {}", path.display()))?;
            let out = self
                .s3
                .put_object()
                .bucket(&self.input_bucket)
                .key(key)
                .body(body)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("PutObject", e))?;
            (
                out.e_tag().map(str::to_string),
                out.version_id().map(str::to_string),
            )
        } else {
            self.upload_parts(path, key).await?
        };
        let identity = version.or(etag.map(|e| e.trim_matches('"').to_string()));
        Ok(upload_id(
            &self.input_bucket,
            key,
            identity.as_deref().unwrap_or(""),
        ))
    }

    async fn upload_parts(
        &self,
        path: &Path,
        key: &str,
    ) -> anyhow::Result<(Option<String>, Option<String>)> {
        let started = self
            .s3
            .create_multipart_upload()
            .bucket(&self.input_bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("CreateMultipartUpload", e))?;
        let id = started.upload_id().unwrap_or_default().to_string();
        let result = self.send_parts(path, key, &id).await;
        if result.is_err() {
            // Parts of an abandoned upload are billed until aborted.
            let _ = self
                .s3
                .abort_multipart_upload()
                .bucket(&self.input_bucket)
                .key(key)
                .upload_id(&id)
                .send()
                .await;
        }
        result
    }

    async fn send_parts(
        &self,
        path: &Path,
        key: &str,
        id: &str,
    ) -> anyhow::Result<(Option<String>, Option<String>)> {
        use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
        let mut file =
            std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut parts = Vec::new();
        let mut buf = vec![0u8; PART_SIZE];
        for number in 1.. {
            let mut filled = 0;
            while filled < PART_SIZE {
                let n = file
                    .read(&mut buf[filled..])
                    .with_context(|| format!("cannot read {}", path.display()))?;
                if n == 0 {
                    break;
                }
                filled += n;
            }
            if filled == 0 {
                break;
            }
            let out = self
                .s3
                .upload_part()
                .bucket(&self.input_bucket)
                .key(key)
                .upload_id(id)
                .part_number(number)
                .body(buf[..filled].to_vec().into())
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("UploadPart", e))?;
            parts.push(
                CompletedPart::builder()
                    .part_number(number)
                    .set_e_tag(out.e_tag().map(str::to_string))
                    .build(),
            );
            if filled < PART_SIZE {
                break;
            }
        }
        let done = self
            .s3
            .complete_multipart_upload()
            .bucket(&self.input_bucket)
            .key(key)
            .upload_id(id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("CompleteMultipartUpload", e))?;
        Ok((
            done.e_tag().map(str::to_string),
            done.version_id().map(str::to_string),
        ))
    }

    /// The upload id of the current version of `key` (for `results`).
    async fn upload_of(&self, key: &str) -> anyhow::Result<String> {
        let head = self
            .s3
            .head_object()
            .bucket(&self.input_bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| {
                if e.as_service_error().is_some_and(|s| s.is_not_found()) {
                    anyhow::Error::new(Hinted::usage(
                        format!("s3://{}/{key} does not exist", self.input_bucket),
                        "pass the key `process` uploaded: inbox/<file name>",
                    ))
                } else {
                    AwsError::from_sdk("HeadObject", e).into()
                }
            })?;
        let identity = head
            .version_id()
            .map(str::to_string)
            .or(head.e_tag().map(|e| e.trim_matches('"').to_string()));
        Ok(upload_id(
            &self.input_bucket,
            key,
            identity.as_deref().unwrap_or(""),
        ))
    }
}

/// Where one upload stands, from its tracking records.
#[derive(Debug, Default, PartialEq)]
struct Standing {
    /// Documents and refused entries the upload holds; `None` until it is unpacked.
    expected: Option<u64>,
    finished: u64,
    pages: u64,
    /// The upload itself failed (unreadable, the execution failed).
    failed: Option<String>,
}

impl Standing {
    fn of(upload: Option<&TrackingRecord>, documents: &[TrackingRecord]) -> Standing {
        let terminal = |s: &str| s == "COMPLETED" || s == "FAILED";
        let expected = upload.and_then(|u| {
            let d = u.details.get("documents")?.as_u64()?;
            Some(
                d + u
                    .details
                    .get("refused")
                    .and_then(Value::as_u64)
                    .unwrap_or(0),
            )
        });
        Standing {
            expected,
            finished: documents.iter().filter(|d| terminal(&d.status)).count() as u64,
            pages: documents
                .iter()
                .filter_map(|d| d.details.get("num_pages").and_then(Value::as_u64))
                .sum(),
            failed: upload
                .filter(|u| u.status == "FAILED")
                .map(|u| u.reason.clone().unwrap_or_else(|| "failed".into())),
        }
    }

    fn done(&self) -> bool {
        self.failed.is_some() || self.expected.is_some_and(|e| self.finished >= e)
    }
}

pub fn process(args: &ProcessArgs, settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    let files = expand(&args.paths)?;
    // The deployed stack runs its active configuration; `--classes` here cannot change that, but
    // a difference from the profile's is worth saying before the results come back.
    let config = super::config::effective(settings, ui)?;
    aws::runtime()?.block_on(async {
        let session = aws::connect(settings).await?;
        let stack = Deployed::find(&session, &settings.stack_name).await?;
        if let Ok(versions) = super::config_versions::open_aws(&session, settings).await {
            super::config_versions::warn_if_stack_differs(&versions, &config, ui).await;
        }
        let mut uploads = Vec::new();
        for file in &files {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let key = format!("inbox/{name}");
            let id = stack.upload(file, &key).await?;
            ui.info(format!(
                "uploaded {} to s3://{}/{key}",
                file.display(),
                stack.input_bucket
            ));
            uploads.push((id, key));
        }
        let timed_out = wait(&stack, &uploads, Duration::from_secs(args.timeout), ui).await?;
        finish(
            &stack,
            settings,
            &uploads,
            args.out.as_deref(),
            timed_out,
            ui,
        )
        .await
    })
}

pub fn results(args: &ResultsArgs, settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    if settings.target == crate::settings::Target::Local {
        return Err(Hinted::usage(
            "`results` reads a deployed stack; the local profile keeps results in its state folder",
            "run `idpctl process PATH… --out DIR` again: unchanged files are not processed twice",
        )
        .into());
    }
    aws::runtime()?.block_on(async {
        let session = aws::connect(settings).await?;
        let stack = Deployed::find(&session, &settings.stack_name).await?;
        let mut uploads = Vec::new();
        for key in &args.keys {
            uploads.push((stack.upload_of(key).await?, key.clone()));
        }
        finish(
            &stack,
            settings,
            &uploads,
            args.out.as_deref(),
            Vec::new(),
            ui,
        )
        .await
    })
}

/// Polls the tracking table until every upload is done or `timeout` passes; the uploads still
/// running then.
async fn wait(
    stack: &Deployed,
    uploads: &[(String, String)],
    timeout: Duration,
    ui: &Ui,
) -> anyhow::Result<Vec<String>> {
    let started = Instant::now();
    let bar =
        (ui.verbosity >= 0 && ui.output == OutputFormat::Text && std::io::stderr().is_terminal())
            .then(|| {
                let bar = indicatif::ProgressBar::new(0);
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "{spinner} [{bar:30}] {pos}/{len} documents  {msg}  {elapsed}",
                ) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar.enable_steady_tick(Duration::from_millis(200));
                bar
            });
    let mut reported = 0;
    loop {
        let mut standings = Vec::new();
        for (id, _) in uploads {
            let upload = stack.tracking.get(id).await?;
            let documents = stack.tracking.by_batch(id).await?;
            standings.push(Standing::of(upload.as_ref(), &documents));
        }
        let expected: u64 = standings.iter().filter_map(|s| s.expected).sum();
        let finished: u64 = standings.iter().map(|s| s.finished).sum();
        let pages: u64 = standings.iter().map(|s| s.pages).sum();
        match &bar {
            Some(bar) => {
                bar.set_length(expected);
                bar.set_position(finished);
                bar.set_message(format!("{pages} pages"));
            }
            None if ui.verbosity >= 0 && finished > reported => {
                eprintln!("[{finished}/{expected}] documents finished ({pages} pages)");
                reported = finished;
            }
            None => {}
        }
        if standings.iter().all(Standing::done) {
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            return Ok(Vec::new());
        }
        if started.elapsed() >= timeout {
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            return Ok(uploads
                .iter()
                .zip(&standings)
                .filter(|(_, s)| !s.done())
                .map(|((_, key), _)| key.clone())
                .collect());
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The rows, the results on disk, the table or JSON, and the exit status.
async fn finish(
    stack: &Deployed,
    settings: &Settings,
    uploads: &[(String, String)],
    out: Option<&Path>,
    unfinished: Vec<String>,
    ui: &Ui,
) -> anyhow::Result<ExitStatus> {
    let mut rows = Vec::new();
    let mut executions_failed = Vec::new();
    for (id, key) in uploads {
        let upload = stack.tracking.get(id).await?;
        if upload.is_none() && !unfinished.contains(key) {
            executions_failed.push(format!(
                "{key}: the stack has no record of this upload (was it processed by this stack?)"
            ));
        }
        if let Some(reason) = upload
            .as_ref()
            .filter(|u| u.status == "FAILED")
            .and_then(|u| u.reason.clone())
        {
            executions_failed.push(format!("{key}: {reason}"));
        }
        let mut documents = stack.tracking.by_batch(id).await?;
        // An upload that failed before any document was registered is its own row.
        if documents.is_empty()
            && let Some(failed) = upload.filter(|u| u.status == "FAILED")
        {
            documents.push(failed);
        }
        for r in documents {
            rows.push(row(stack, key, &r, out).await?);
        }
    }
    for key in &unfinished {
        executions_failed.push(format!(
            "{key}: still processing when the wait ended; fetch it later with `idpctl results {key}`"
        ));
    }
    let summary = Summary::new(
        settings.profile.clone(),
        format!("stack {} in {}", settings.stack_name, settings.region),
        rows,
        executions_failed,
        &settings.prices,
    );
    if let Some(dir) = out {
        summary.write(dir)?;
    }
    match ui.output {
        OutputFormat::Json => ui::print_json(&summary)?,
        OutputFormat::Text => {
            print_table(&summary, ui);
            for e in &summary.executions_failed {
                ui.warn(e);
            }
        }
    }
    Ok(summary.exit_status())
}

/// The row of one document, its result downloaded into `out`.
async fn row(
    stack: &Deployed,
    key: &str,
    r: &TrackingRecord,
    out: Option<&Path>,
) -> anyhow::Result<DocumentRow> {
    let mut written = None;
    if let Some(dir) = out {
        let name = display_name(key, r);
        let result_key = result_key(key, &name, r, &stack.output_bucket);
        let stored = match stack
            .s3
            .get_object()
            .bucket(&stack.output_bucket)
            .key(&result_key)
            .send()
            .await
        {
            Ok(o) => Some(
                o.body
                    .collect()
                    .await
                    .map(|b| b.into_bytes().to_vec())
                    .with_context(|| {
                        format!("cannot read s3://{}/{result_key}", stack.output_bucket)
                    })?,
            ),
            Err(_) => None,
        };
        written = Some(write_result(dir, &name, r, stored)?);
    }
    Ok(DocumentRow::from_record(key, r, written))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(status: &str, details: Value) -> TrackingRecord {
        TrackingRecord {
            id: "x".into(),
            kind: "document".into(),
            batch_id: None,
            status: status.into(),
            created_at: String::new(),
            updated_at: String::new(),
            source: None,
            execution: None,
            reason: None,
            details,
        }
    }

    #[test]
    fn an_upload_is_done_when_every_entry_finished_or_it_failed() {
        let upload = record("RUNNING", json!({"documents": 2, "refused": 1}));
        let docs = [
            record("COMPLETED", json!({"num_pages": 3})),
            record("FAILED", json!({})),
        ];
        let s = Standing::of(Some(&upload), &docs);
        assert_eq!((s.expected, s.finished, s.pages), (Some(3), 2, 3));
        assert!(!s.done());
        let all = [
            record("COMPLETED", json!({})),
            record("FAILED", json!({})),
            record("FAILED", json!({})),
        ];
        assert!(Standing::of(Some(&upload), &all).done());
        // Not unpacked yet: nothing is known, so not done.
        assert!(!Standing::of(Some(&record("RUNNING", json!({}))), &[]).done());
        assert!(!Standing::of(None, &[]).done());
        let mut failed = record("FAILED", json!({}));
        failed.reason = Some("execution FAILED".into());
        assert!(Standing::of(Some(&failed), &[]).done());
    }
}
