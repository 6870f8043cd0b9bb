//! The whole pipeline through its public API: the scanned lending package (six documents, OCR),
//! the JSON the completion hook receives, and documents that must fail with a reason.

use std::path::PathBuf;

use idpctl::model::Status;
use idpctl::pipeline::config::ClassConfig;
use idpctl::pipeline::ocr::tesseract::Tesseract;
use idpctl::pipeline::run::{RunOptions, process_document};

fn sample(rel: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/samples")).join(rel),
    )
    .unwrap()
}

fn tesseract() -> Tesseract {
    let t = Tesseract::default();
    t.version()
        .unwrap_or_else(|e| panic!("this test needs Tesseract: {e}"));
    t
}

#[test]
fn lending_package_is_split_into_its_documents() {
    let engine = tesseract();
    let config = ClassConfig::builtin();
    let (doc, pages) = process_document(
        "lending_package.pdf",
        &sample("scanned/lending_package.pdf"),
        &config,
        Some(&engine),
        &RunOptions::default(),
    );
    assert_eq!(doc.status, Status::Completed, "{:?}", doc.failure_reason);
    assert_eq!((doc.num_pages, doc.num_ocr_pages), (6, 6));
    assert_eq!(pages.len(), 6);
    assert_eq!(doc.metering["OCR/tesseract"]["pages"], 6.0);
    let class_of = |page: &str| doc.pages[page].classification.clone().unwrap();
    // Every page, the photographed licence card included (its background is flattened for OCR).
    let classes: Vec<String> = (1..=6).map(|p| class_of(&p.to_string())).collect();
    assert_eq!(
        classes,
        [
            "Payslip",
            "US-drivers-licenses",
            "Bank-checks",
            "Bank-Statement",
            "W2",
            "Homeowners-Insurance-Application"
        ],
    );
    let payslip = &doc.sections[0];
    assert_eq!(payslip.classification, "Payslip");
    assert_eq!(payslip.attributes["PayDate"], "7/25/2008");
    assert_eq!(payslip.attributes["EmployeeName"], "JOHN STILES");
    assert_eq!(payslip.attributes["EmployeeZipCode"], "12345");
    let pay_date = &payslip.fields["PayDate"];
    assert_eq!(pay_date.source.as_ref().unwrap().page_id, "1");
    assert!(
        pay_date.confidence > 0.5 && pay_date.confidence < 1.0,
        "{pay_date:?}"
    );
    for stage in ["split", "ocr", "classify", "extract", "assess", "summarize"] {
        assert!(doc.timings.contains_key(stage), "{stage}");
    }
}

/// The document as the post-processing hook reads it (seed 000): `sections[]` with
/// `section_id`, `classification`, `page_ids`, `attributes`, `extraction_result_uri`, plus
/// `num_pages`, `status`, `metering`; each field's confidence and source alongside.
#[test]
fn document_json_has_the_hook_shape() {
    let config = ClassConfig::builtin();
    let (doc, _) = process_document(
        "W2_XL_input_clean_1004.pdf",
        &sample("w2/W2_XL_input_clean_1004.pdf"),
        &config,
        None,
        &RunOptions::default(),
    );
    let v = serde_json::to_value(&doc).unwrap();
    assert_eq!(v["status"], "COMPLETED");
    assert_eq!(v["num_pages"], 1);
    let s = &v["sections"][0];
    assert_eq!(s["section_id"], "1");
    assert_eq!(s["classification"], "W2");
    assert_eq!(s["page_ids"], serde_json::json!(["1"]));
    assert!(s.get("extraction_result_uri").is_some());
    assert!(s["attributes"]["employer_info"]["ein"].is_string());
    let ein = &s["fields"]["employer_info.ein"];
    assert!(ein["confidence"].as_f64().unwrap() > 0.9);
    assert_eq!(ein["confidence_threshold"].as_f64().unwrap() as f32, 0.9);
    assert_eq!(ein["source"]["page_id"], "1");
    for k in ["left", "top", "width", "height"] {
        assert!(ein["source"]["bbox"][k].is_number(), "{k}");
    }
    assert!(s["confidence_threshold_alerts"].is_array());
    assert!(v["metering"].is_object());
    // Round trip: what the hook gets back parses into the model again.
    let back: idpctl::model::Document = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), v);
}

fn failure(bytes: &[u8], name: &str, engine: Option<&Tesseract>) -> String {
    let config = ClassConfig::builtin();
    let engine = engine.map(|e| e as &dyn idpctl::pipeline::ocr::OcrEngine);
    let (doc, _) = process_document(name, bytes, &config, engine, &RunOptions::default());
    assert_eq!(doc.status, Status::Failed, "{name}");
    let v = serde_json::to_value(&doc).unwrap();
    assert_eq!(v["status"], "FAILED");
    doc.failure_reason.expect("a failed document says why")
}

#[test]
fn bad_documents_fail_with_a_reason() {
    assert!(failure(b"", "empty.pdf", None).contains("empty (0 bytes)"));
    assert!(failure(b"%PDF-1.4\n1 0 obj garbage", "bad.pdf", None).contains("corrupt"));
    let enc = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/pipeline/encrypted-user-password.pdf"
    ))
    .unwrap();
    assert!(failure(&enc, "locked.pdf", None).contains("encrypted"));
    assert!(failure(b"GIF89a....", "photo.jpg", None).contains("GIF image"));
    // A scan with no OCR engine: the reason says how to get one.
    let reason = failure(&sample("scanned/1099B.pdf"), "1099B.pdf", None);
    assert!(reason.contains("apt-get install tesseract-ocr"), "{reason}");
    let missing = Tesseract::with_binary("/nonexistent/tesseract");
    let reason = failure(&sample("scanned/1099B.pdf"), "1099B.pdf", Some(&missing));
    assert!(reason.contains("not installed or not on PATH"), "{reason}");
}
