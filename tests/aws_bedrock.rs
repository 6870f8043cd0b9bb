//! The `bedrock` model engine through the real binary, against Bedrock's Converse API as the
//! moto launcher fakes it (tests/fixtures/aws/moto_server.py: answers in the API reference's
//! shapes, checked here against botocore's service model). The local stack runs the
//! documents; extraction and summaries come from the fake model; faults are injected there.

mod common;

use std::path::{Path, PathBuf};

use common::fake_bedrock::FakeBedrock;
use common::{command, root, run_cmd};
use serde_json::Value;

const MODEL: &str = "us.amazon.nova-lite-v1:0";

/// `idpctl process` of `inputs` on the local stack with Bedrock as the model engine.
fn process(
    fake: &FakeBedrock,
    state: &Path,
    inputs: &[&Path],
    extra: &[(&str, &str)],
) -> (common::Run, PathBuf) {
    let out = state.join("out");
    let mut cmd = command();
    cmd.envs(fake.moto.env())
        // Only Bedrock goes to the emulator: the local stack keeps its own buckets and tables.
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", &fake.moto.endpoint)
        .env("IDPCTL_STATE_DIR", state)
        .env("IDPCTL_ENGINE_LLM", "bedrock")
        .env("IDPCTL_BEDROCK_MODEL", MODEL)
        .env("IDPCTL_MODEL_RETRY_BASE_MS", "5")
        .envs(extra.iter().copied())
        .arg("process")
        .args(inputs)
        .args(["--out", out.to_str().unwrap()]);
    (run_cmd(cmd), out)
}

fn result(out: &Path, name: &str) -> Value {
    let path = out.join(name).join("result.json");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap()
}

fn sample(rel: &str) -> PathBuf {
    root().join("samples").join(rel)
}

/// A class whose fields the invoice writes as `Label: value` lines, which the fake fills from.
fn invoice_class() -> PathBuf {
    root().join("tests/fixtures/classes/invoice-lines.yaml")
}

fn invoice() -> PathBuf {
    root().join("tests/fixtures/documents/invoice-42.txt")
}

#[test]
fn extraction_and_summary_come_from_bedrock_with_a_forced_tool_and_are_metered() {
    let Some(fake) = FakeBedrock::start(&[]) else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    let (class, invoice) = (invoice_class(), invoice());
    let (run, out) = process(
        &fake,
        state.path(),
        &[&invoice],
        &[
            ("IDPCTL_CLASSES", class.to_str().unwrap()),
            ("IDPCTL_CLASSES_MODE", "replace"),
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let r = result(&out, "invoice-42.txt");
    assert_eq!(r["status"], "COMPLETED", "{r:#}");
    let section = &r["sections"][0];
    assert_eq!(section["classification"], "Invoice");
    // What the model's tool input said, typed by the class schema (the total is a number).
    assert_eq!(
        section["attributes"]["invoice_number"], "INV-2026-0042",
        "{section:#}"
    );
    assert_eq!(section["attributes"]["vendor_name"], "Northwind Traders");
    assert_eq!(section["attributes"]["total"], 1234.5);

    let metering = &r["metering"];
    let extraction = &metering[format!("Extraction/bedrock/{MODEL}")];
    assert_eq!(extraction["requests"], 1.0, "{metering:#}");
    assert!(
        extraction["inputTokens"].as_f64().unwrap() > 10.0,
        "{metering:#}"
    );
    assert!(
        metering[format!("Summarization/bedrock/{MODEL}")]["requests"]
            .as_f64()
            .unwrap()
            >= 1.0
    );

    let calls = fake.calls();
    let extract = calls
        .iter()
        .find(|c| {
            let schema = &c["request"]["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"];
            schema["properties"].get("invoice_number").is_some()
        })
        .expect("an extraction call whose tool asks for the class's fields");
    assert_eq!(extract["model"], MODEL);
    let request = &extract["request"];
    assert_eq!(
        request["toolConfig"]["toolChoice"]["tool"]["name"],
        "answer"
    );
    assert_eq!(request["inferenceConfig"]["temperature"], 0.0);
    assert!(
        request["messages"]
            .to_string()
            .contains("Northwind Traders"),
        "the page text is sent: {}",
        request["messages"]
    );
    fake.check_shapes();
}

#[test]
fn with_a_fifth_of_calls_throttled_every_document_completes_and_metering_shows_the_retries() {
    let Some(fake) = FakeBedrock::start(&[("IDPCTL_FAKE_BEDROCK_THROTTLE", "0.2")]) else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    let inputs = [
        sample("w2/W2_XL_input_clean_1000.pdf"),
        sample("w2/W2_XL_input_clean_1001.pdf"),
        sample("w2/W2_XL_input_clean_1002.pdf"),
        sample("text/bank-statement-multipage.pdf"),
        sample("text/insurance_package_single.pdf"),
    ];
    let refs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    let (run, out) = process(&fake, state.path(), &refs, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let mut retries = 0.0;
    let mut requests = 0.0;
    for input in &inputs {
        let name = input.file_name().unwrap().to_str().unwrap();
        let r = result(&out, name);
        assert_eq!(r["status"], "COMPLETED", "{name}: {r:#}");
        for (key, m) in r["metering"].as_object().unwrap() {
            if key.contains("/bedrock/") {
                retries += m["retries"].as_f64().unwrap_or(0.0);
                requests += m["requests"].as_f64().unwrap_or(0.0);
            }
        }
    }
    let calls = fake.calls();
    let throttled = calls
        .iter()
        .filter(|c| c["error"] == "ThrottlingException")
        .count() as f64;
    let answered = calls.iter().filter(|c| c.get("answer").is_some()).count() as f64;
    assert!(
        throttled > 0.0,
        "the fake throttled nothing in {} calls",
        calls.len()
    );
    assert!(retries > 0.0, "metering shows no retries");
    // Every retry metering counts was a throttled call; a call throttled past its attempts is
    // retried by the state machine instead, and its step's metering is the retry's.
    assert!(
        retries <= throttled,
        "{retries} retries metered, {throttled} throttled"
    );
    assert!(
        requests <= answered,
        "{requests} requests metered, {answered} answered"
    );
    fake.check_shapes();
}

/// A W-2 processed with the fake answering as `env` says: it must fail; its reason.
fn failed_w2(fake: &FakeBedrock) -> String {
    let state = tempfile::tempdir().unwrap();
    let w2 = sample("w2/W2_XL_input_clean_1000.pdf");
    let (run, out) = process(fake, state.path(), &[&w2], &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let r = result(&out, "W2_XL_input_clean_1000.pdf");
    assert_eq!(r["status"], "FAILED");
    r["failure_reason"].as_str().unwrap_or_default().to_string()
}

#[test]
fn access_denied_fails_the_document_with_the_reason_and_the_fix() {
    let Some(fake) = FakeBedrock::start(&[("IDPCTL_FAKE_BEDROCK_ERROR", "AccessDeniedException")])
    else {
        return;
    };
    let reason = failed_w2(&fake);
    assert!(reason.contains("denied access"), "{reason}");
    assert!(
        reason.contains("bedrock:InvokeModel"),
        "the hint names the grant: {reason}"
    );
    // Not retried: access does not come back by waiting.
    assert!(fake.calls().len() <= 2, "{} calls", fake.calls().len());
    fake.check_shapes();
}

#[test]
fn an_input_over_the_models_context_is_refused_not_cut() {
    let Some(fake) = FakeBedrock::start(&[("IDPCTL_FAKE_BEDROCK_CONTEXT", "50")]) else {
        return;
    };
    let reason = failed_w2(&fake);
    assert!(reason.contains("too large"), "{reason}");
    fake.check_shapes();
}

#[test]
fn bedrock_without_a_model_is_refused_before_anything_runs() {
    let state = tempfile::tempdir().unwrap();
    let mut cmd = command();
    cmd.env("IDPCTL_STATE_DIR", state.path())
        .env("IDPCTL_ENGINE_LLM", "bedrock")
        .env_remove("IDPCTL_BEDROCK_MODEL")
        .arg("process")
        .arg(sample("w2/W2_XL_input_clean_1000.pdf"));
    let run = run_cmd(cmd);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    common::assert_contains(&run.stderr, "engines.bedrock.model");
    common::assert_contains(&run.stderr, "hint:");
}

#[test]
fn each_stage_runs_on_the_engine_and_model_the_profile_gives_it() {
    let Some(fake) = FakeBedrock::start(&[]) else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    let (class, invoice) = (invoice_class(), invoice());
    let profile = state.path().join("stages.yaml");
    std::fs::write(
        &profile,
        format!(
            "target: local\nclasses: {}\nclasses_mode: replace\nengines:\n  llm: bedrock\n  bedrock:\n    model: {MODEL}\n\
             \x20 classification:\n    llm: rules\n  summarization:\n    model: amazon.nova-micro-v1:0\n",
            class.display()
        ),
    )
    .unwrap();
    let (run, out) = process(
        &fake,
        state.path(),
        &[&invoice],
        &[("IDPCTL_PROFILE", profile.to_str().unwrap())],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let r = result(&out, "invoice-42.txt");
    assert_eq!(r["status"], "COMPLETED", "{r:#}");
    let metering = r["metering"].as_object().unwrap();
    let keys: Vec<&String> = metering
        .keys()
        .filter(|k| k.contains("/bedrock/"))
        .collect();
    assert!(
        keys.iter().all(|k| !k.starts_with("Classification/")),
        "classification runs on rules: {keys:?}"
    );
    assert!(
        metering.contains_key(&format!("Extraction/bedrock/{MODEL}")),
        "{keys:?}"
    );
    assert!(
        metering.contains_key("Summarization/bedrock/amazon.nova-micro-v1:0"),
        "{keys:?}"
    );
    let models: std::collections::BTreeSet<String> = fake
        .calls()
        .iter()
        .map(|c| c["model"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        models,
        [MODEL.to_string(), "amazon.nova-micro-v1:0".to_string()].into(),
        "{models:?}"
    );
}

#[test]
fn a_scanned_page_is_read_by_a_vision_model_and_classified_by_the_rules() {
    let Some(fake) = FakeBedrock::start(&[]) else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    let scan = sample("scanned/1099B.pdf");
    let (run, out) = process(
        &fake,
        state.path(),
        &[&scan],
        &[
            ("IDPCTL_ENGINE_OCR", "bedrock"),
            ("IDPCTL_ENGINE_LLM", "rules"),
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let r = result(&out, "1099B.pdf");
    assert_eq!(r["status"], "COMPLETED", "{r:#}");
    // The embedded engine classified what the vision model read off the image.
    assert_eq!(
        r["sections"][0]["classification"], "1099-B",
        "{:#}",
        r["sections"]
    );
    let ocr = &r["metering"][format!("OCR/bedrock/{MODEL}")];
    assert_eq!(ocr["pages"], 1.0, "{:#}", r["metering"]);
    assert!(ocr["inputTokens"].as_f64().unwrap() > 0.0);
    let calls = fake.calls();
    assert_eq!(calls.len(), 1, "one call, for the one scanned page");
    let blocks = calls[0]["request"]["messages"][0]["content"]
        .as_array()
        .unwrap();
    assert!(
        blocks.iter().any(|b| b.get("image").is_some()),
        "the page goes as an image"
    );
    fake.check_shapes();
}
