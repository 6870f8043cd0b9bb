//! The rendered state machine, executed by the ASL interpreter with the real handlers and local
//! services: a text PDF, a ZIP batch with a corrupt member, and a scanned page go through unpack,
//! split, OCR, page check, classify, extract, assess, summarize and finalize, exactly as deployed.

mod common;

use std::io::Write;
use std::sync::Arc;

use idpctl::asl::{Executor, StateMachine};
use idpctl::runtime::invoker::LocalInvoker;
use idpctl::services::local::{LocalLayout, local_names, services};
use idpctl::settings::{self, Layer};
use idpctl::stack::{self, Assets};
use serde_json::{Value, json};

fn samples() -> std::path::PathBuf {
    common::root().join("../shared/samples")
}

struct Local {
    _dir: tempfile::TempDir,
    services: Arc<idpctl::services::Services>,
    machine: StateMachine,
    stack: idpctl::stack::StackDefinition,
    runtime: tokio::runtime::Runtime,
}

fn local() -> Local {
    let root = common::root();
    let loaded = settings::load_profile("local", &root).unwrap();
    let s = settings::resolve(&loaded, Layer::default(), Layer::default());
    let rendered = stack::render(&Assets::builtin(), stack::DEFAULT_STACK, &s).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let services = Arc::new(services(&LocalLayout::new(dir.path()), local_names("t", 2)).unwrap());
    Local {
        _dir: dir,
        services,
        machine: StateMachine::from_value(&rendered.definition).unwrap(),
        stack: rendered.stack,
        runtime: tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap(),
    }
}

impl Local {
    fn run(&self, key: &str, bytes: Vec<u8>) -> Value {
        self.runtime
            .block_on(
                self.services
                    .objects
                    .put("t-input", key, bytes, "application/octet-stream"),
            )
            .unwrap();
        let invoker = LocalInvoker::new(
            &self.stack,
            self.services.clone(),
            self.runtime.handle().clone(),
        );
        let executor = Executor::new(Arc::new(invoker));
        let input = json!({"upload": {"upload_id": "u-test", "bucket": "t-input", "key": key}});
        let outcome = executor.start(&self.machine, "idp-local", "u-test", input);
        outcome
            .output()
            .cloned()
            .unwrap_or_else(|| panic!("execution failed: {:?}", outcome.error()))
    }

    fn output_json(&self, key: &str) -> Value {
        let bytes = self
            .runtime
            .block_on(self.services.objects.get("t-output", key))
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }
}

#[test]
fn w2_pdf_is_classified_and_extracted() {
    let l = local();
    let pdf = std::fs::read(samples().join("w2/W2_XL_input_clean_1000.pdf")).unwrap();
    let out = l.run("inbox/w2.pdf", pdf);
    assert_eq!(out["documents"][0]["status"], "COMPLETED", "{out:#}");
    let doc = l.output_json("inbox/w2.pdf/result.json");
    assert_eq!(doc["status"], "COMPLETED");
    assert_eq!(
        doc["sections"][0]["classification"], "W2",
        "{:#}",
        doc["sections"]
    );
    let attrs = doc["sections"][0]["attributes"].as_object().unwrap();
    assert!(attrs.len() >= 5, "few W-2 fields found: {attrs:?}");
    let uri = doc["sections"][0]["extraction_result_uri"]
        .as_str()
        .unwrap();
    assert_eq!(uri, "s3://t-output/inbox/w2.pdf/sections/1/result.json");
    let section = l.output_json("inbox/w2.pdf/sections/1/result.json");
    assert_eq!(section["attributes"], doc["sections"][0]["attributes"]);
}

#[test]
fn scanned_page_is_read_by_ocr() {
    let l = local();
    let png = std::fs::read(samples().join("scanned/old_cal_license.png")).unwrap();
    let out = l.run("scans/licence.png", png);
    assert_eq!(out["documents"][0]["status"], "COMPLETED", "{out:#}");
    let doc = l.output_json("scans/licence.png/result.json");
    assert_eq!(doc["num_ocr_pages"], 1, "{doc:#}");
    assert_eq!(doc["pages"]["1"]["text_source"], "ocr");
    assert!(
        doc["metering"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with("OCR/"))
    );
}

#[test]
fn batch_with_a_corrupt_member_completes_the_good_ones() {
    let l = local();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, body) in [
        (
            "a.pdf",
            std::fs::read(samples().join("w2/W2_XL_input_clean_1001.pdf")).unwrap(),
        ),
        (
            "broken.pdf",
            b"%PDF-1.7\n this is not really a PDF".to_vec(),
        ),
        ("empty.pdf", Vec::new()),
        ("../escape.pdf", b"x".to_vec()),
        (
            "b.pdf",
            std::fs::read(samples().join("text/insurance_package_single.pdf")).unwrap(),
        ),
    ] {
        w.start_file(name, opts).unwrap();
        w.write_all(&body).unwrap();
    }
    let out = l.run("batch.zip", w.finish().unwrap().into_inner());
    let by_status = |s: &str| {
        out["documents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["status"] == s)
            .count()
    };
    assert_eq!(by_status("COMPLETED"), 2, "{out:#}");
    assert_eq!(by_status("FAILED"), 2, "{out:#}");
    let failed = l
        .runtime
        .block_on(l.services.tracking.by_status("FAILED"))
        .unwrap();
    let reasons: Vec<String> = failed
        .iter()
        .map(|r| r.reason.clone().unwrap_or_default())
        .collect();
    assert_eq!(failed.len(), 3, "{reasons:#?}");
    assert!(
        reasons.iter().any(|r| r.contains("broken.pdf")),
        "{reasons:#?}"
    );
    assert!(reasons.iter().any(|r| r.contains("empty")), "{reasons:#?}");
    assert!(
        reasons.iter().any(|r| r.contains("outside the batch")),
        "{reasons:#?}"
    );
    let broken = l.output_json("batch.zip/broken.pdf/result.json");
    assert_eq!(broken["status"], "FAILED");
    assert!(
        l.output_json("batch.zip/a.pdf/result.json")["sections"][0]["attributes"]
            .as_object()
            .is_some()
    );
}

/// A document's failure that cannot be recorded (on_failure itself fails) must not end in a
/// SUCCEEDED execution: the rest of the batch still runs, then the execution fails.
#[test]
fn an_unrecorded_failure_fails_the_execution() {
    let l = local();
    let local_invoker = Arc::new(LocalInvoker::new(
        &l.stack,
        l.services.clone(),
        l.runtime.handle().clone(),
    ));
    let invoker = {
        let local_invoker = local_invoker.clone();
        move |resource: &str, input: Value, ctx: &idpctl::asl::TaskContext| {
            if local_invoker.resolve(resource) == Some(idpctl::handlers::Handler::OnFailure) {
                return Err(idpctl::asl::TaskError::lambda(
                    "idpctl.StoreFailed",
                    "the tracking table is unavailable",
                ));
            }
            idpctl::asl::TaskInvoker::invoke(local_invoker.as_ref(), resource, input, ctx)
        }
    };
    let batch = {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("w2.pdf", opts).unwrap();
        w.write_all(&std::fs::read(samples().join("w2/W2_XL_input_clean_1000.pdf")).unwrap())
            .unwrap();
        w.start_file("broken.pdf", opts).unwrap();
        w.write_all(b"%PDF-1.7\nnot a PDF body").unwrap();
        w.finish().unwrap().into_inner()
    };
    l.runtime
        .block_on(
            l.services
                .objects
                .put("t-input", "batch.zip", batch, "application/zip"),
        )
        .unwrap();
    let executor = Executor::new(Arc::new(invoker));
    let input = json!({"upload": {"upload_id": "u-test", "bucket": "t-input", "key": "batch.zip"}});
    let outcome = executor.start(&l.machine, "idp-local", "u-test", input);
    let error = outcome.error().expect("the execution must fail");
    assert_eq!(error.error, "idpctl.FailureNotRecorded", "{error:?}");
    // The good member was still processed.
    let good = l.output_json("batch.zip/w2.pdf/result.json");
    assert_eq!(good["status"], "COMPLETED");
}
