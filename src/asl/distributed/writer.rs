//! ResultWriter: child results are spooled to an anonymous temporary file as they finish (one
//! JSON line each), then streamed into `SUCCEEDED_0.json` / `FAILED_0.json` and the
//! `manifest.json` that lists them, as AWS writes them under `<Prefix>/<map-run-id>/`. Memory
//! holds one result at a time however many children ran.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};

use serde_json::{Value, json};

use super::errors::RESULT_WRITER_FAILED;
use super::store::ItemStore;
use crate::asl::error::StatesError;

fn failed(cause: impl Into<String>) -> StatesError {
    StatesError::new(RESULT_WRITER_FAILED, cause)
}

/// Child results in finishing order, on disk.
pub struct Spool {
    out: BufWriter<File>,
    succeeded: u64,
    failed: u64,
}

impl Spool {
    pub fn new() -> Result<Self, StatesError> {
        let f = tempfile::tempfile().map_err(|e| failed(format!("cannot spool results: {e}")))?;
        Ok(Self {
            out: BufWriter::new(f),
            succeeded: 0,
            failed: 0,
        })
    }

    /// Adds one child's result entry (its `Status` is `SUCCEEDED` or `FAILED`).
    pub fn push(&mut self, entry: &Value) -> Result<(), StatesError> {
        if entry["Status"] == "SUCCEEDED" {
            self.succeeded += 1;
        } else {
            self.failed += 1;
        }
        serde_json::to_writer(&mut self.out, entry)
            .map_err(|e| failed(format!("cannot spool a result: {e}")))?;
        self.out
            .write_all(b"\n")
            .map_err(|e| failed(format!("cannot spool a result: {e}")))
    }

    /// (succeeded, failed) so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.succeeded, self.failed)
    }

    /// Writes the result files and the manifest; returns the manifest's key.
    pub fn write(
        self,
        store: &dyn ItemStore,
        bucket: &str,
        prefix: &str,
        map_run_id: &str,
        map_run_arn: &str,
    ) -> Result<String, StatesError> {
        let io = |e: std::io::Error| failed(format!("cannot write the results: {e}"));
        let mut spool = self.out.into_inner().map_err(|e| io(e.into_error()))?;
        spool.seek(SeekFrom::Start(0)).map_err(io)?;
        let dir = tempfile::tempdir().map_err(io)?;
        let base = match prefix.trim_end_matches('/') {
            "" => map_run_id.to_string(),
            p => format!("{p}/{map_run_id}"),
        };
        let mut files = Vec::new();
        for (status, count) in [("SUCCEEDED", self.succeeded), ("FAILED", self.failed)] {
            let path = dir.path().join(format!("{status}_0.json"));
            let mut w = BufWriter::new(File::create(&path).map_err(io)?);
            w.write_all(b"[").map_err(io)?;
            let mut first = true;
            if count > 0 {
                spool.seek(SeekFrom::Start(0)).map_err(io)?;
                for line in BufReader::new(&spool).lines() {
                    let line = line.map_err(io)?;
                    // The status is a top-level field; the whole line is parsed to be sure.
                    let entry: Value = serde_json::from_str(&line)
                        .map_err(|e| failed(format!("spooled result unreadable: {e}")))?;
                    if entry["Status"] != status {
                        continue;
                    }
                    if !first {
                        w.write_all(b",").map_err(io)?;
                    }
                    first = false;
                    w.write_all(line.as_bytes()).map_err(io)?;
                }
            }
            w.write_all(b"]").map_err(io)?;
            w.flush().map_err(io)?;
            drop(w);
            let size = std::fs::metadata(&path).map_err(io)?.len();
            let key = format!("{base}/{status}_0.json");
            // AWS writes a status's file only when some child ended in it.
            if count > 0 {
                store
                    .put_file(bucket, &key, &path)
                    .map_err(|e| failed(format!("s3://{bucket}/{key}: {e}")))?;
                files.push((status, json!({"Key": key, "Size": size})));
            }
        }
        let list = |s: &str| -> Vec<Value> {
            files
                .iter()
                .filter(|(st, _)| *st == s)
                .map(|(_, v)| v.clone())
                .collect()
        };
        let manifest = json!({
            "DestinationBucket": bucket,
            "MapRunArn": map_run_arn,
            "ResultFiles": {
                "FAILED": list("FAILED"),
                "PENDING": [],
                "SUCCEEDED": list("SUCCEEDED"),
            }
        });
        let path = dir.path().join("manifest.json");
        std::fs::write(&path, serde_json::to_vec(&manifest).expect("JSON")).map_err(io)?;
        let key = format!("{base}/manifest.json");
        store
            .put_file(bucket, &key, &path)
            .map_err(|e| failed(format!("s3://{bucket}/{key}: {e}")))?;
        Ok(key)
    }
}
