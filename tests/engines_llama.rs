//! The `openai` engine against a real model server (llama.cpp's `llama-server` with
//! SmolLM2-135M, built and cached by `.ci/llama-server.sh`), through the real binary. A model this
//! small proves the contract — schema-constrained requests, typed and checked answers, a class
//! from the configuration, tokens in the metering, an input over its context refused with the
//! reason — not the quality of its values.

mod common;

use std::path::Path;

use common::llama::LlamaServer;
use common::{command, run_cmd};
use serde_json::Value;

const CLASS: &str = r#"x-aws-idp-document-type: Invoice
description: A bill for goods or services, with its number and the amount due.
x-idpctl-keywords:
  - { phrase: "invoice", weight: 3 }
properties:
  invoice_number:
    type: string
    description: The invoice's number, printed after "Invoice No."
  total_due:
    type: number
    description: The amount to pay.
"#;

fn process(llama: &LlamaServer, dir: &Path, file: &Path) -> (common::Run, Value) {
    process_config(llama, dir, file, CLASS)
}

/// `process` with `config` (a class config) as the only classes.
fn process_config(
    llama: &LlamaServer,
    dir: &Path,
    file: &Path,
    config: &str,
) -> (common::Run, Value) {
    let out = dir.join("out");
    let classes = dir.join("classes.yaml");
    std::fs::write(&classes, config).unwrap();
    let mut cmd = command();
    cmd.env("IDPCTL_STATE_DIR", dir.join("state"))
        .env("IDPCTL_ENGINE_LLM", "openai")
        .env("IDPCTL_OPENAI_BASE_URL", &llama.base_url)
        .env("IDPCTL_OPENAI_MODEL", &llama.model)
        .args([
            "--classes",
            classes.to_str().unwrap(),
            "--classes-mode",
            "replace",
        ])
        .args([
            "process",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
    let run = run_cmd(cmd);
    let name = file.file_name().unwrap().to_str().unwrap();
    let result = std::fs::read(out.join(name).join("result.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    (run, result)
}

/// `process_config` for a document that must complete: timed (`what` names it in the log) and,
/// on failure, with the server's log. Returns `result.json`.
fn process_ok(llama: &LlamaServer, dir: &Path, file: &Path, config: &str, what: &str) -> Value {
    let started = std::time::Instant::now();
    let (run, result) = process_config(llama, dir, file, config);
    eprintln!(
        "{what} through llama-server: {} ms",
        started.elapsed().as_millis()
    );
    assert_eq!(
        run.code,
        0,
        "{}\n{}\nserver log:\n{}",
        run.stdout,
        run.stderr,
        llama.log_tail(20)
    );
    result
}

/// The metering of `stage` by the server's model, which must count the prompt (more than a
/// few tokens) and an answer.
fn tokens_metered<'a>(result: &'a Value, llama: &LlamaServer, stage: &str) -> &'a Value {
    let metering = &result["metering"][format!("{stage}/openai/{}", llama.model)];
    assert!(
        metering["inputTokens"].as_f64().unwrap_or(0.0) > 50.0,
        "{:#}",
        result["metering"]
    );
    assert!(metering["outputTokens"].as_f64().unwrap_or(0.0) > 0.0);
    metering
}

#[test]
fn a_small_model_answers_in_the_schema_and_is_metered() {
    let Some(llama) = LlamaServer::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let invoice = dir.path().join("invoice.txt");
    std::fs::write(
        &invoice,
        "ACME Tools Ltd\nINVOICE\nInvoice No. INV-2291\nDate: 2026-11-03\n\nWidgets x 4    120.00\nShipping        15.50\n\nTotal due: 135.50 USD\n",
    )
    .unwrap();
    let result = process_ok(&llama, dir.path(), &invoice, CLASS, "one 1-page document");
    assert_eq!(result["status"], "COMPLETED", "{result:#}");
    let section = &result["sections"][0];
    assert_eq!(section["classification"], "Invoice");
    // Whatever the tiny model answered, it came back in the schema and was typed by it.
    let total = &section["attributes"]["total_due"];
    assert!(total.is_number() || total.is_null(), "{section:#}");
    let number = &section["attributes"]["invoice_number"];
    assert!(number.is_string() || number.is_null(), "{section:#}");
    for field in ["invoice_number", "total_due"] {
        let reason = section["fields"][field]["confidence_reason"]
            .as_str()
            .unwrap_or_default();
        assert!(
            !reason.is_empty(),
            "{field} says why its confidence is what it is"
        );
    }
    let metering = tokens_metered(&result, &llama, "Extraction");
    assert!(metering["requests"].as_f64().unwrap_or(0.0) >= 1.0);
    // The summary is the model's, metered on its own.
    assert!(
        !result["summary"]
            .as_str()
            .unwrap_or_default()
            .trim()
            .is_empty(),
        "{result:#}"
    );
    let summarized = &result["metering"][format!("Summarization/openai/{}", llama.model)];
    assert!(summarized["outputTokens"].as_f64().unwrap_or(0.0) > 0.0);
}

#[test]
fn an_input_over_the_context_fails_with_the_reason_not_cut() {
    let Some(llama) = LlamaServer::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // An invoice with 400 lines: far more than the server's 1,024 tokens per slot.
    let statement = dir.path().join("long-invoice.txt");
    let mut text = String::from("ACME Tools Ltd\nINVOICE\nInvoice No. INV-9000\n\n");
    for i in 0..400 {
        text.push_str(&format!(
            "Line {i}: widget model W-{i:04} x 1    {}.00\n",
            10 + i
        ));
    }
    text.push_str("\nTotal due: 87800.00 USD\n");
    std::fs::write(&statement, text).unwrap();
    let classes_note = "a long invoice";
    let (run, result) = process(&llama, dir.path(), &statement);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(result["status"], "FAILED", "{classes_note}: {result:#}");
    assert_eq!(result["sections"].as_array().map_or(0, Vec::len), 0);
    let reason = result["failure_reason"].as_str().unwrap_or_default();
    assert!(reason.to_lowercase().contains("context"), "{reason}");
}

/// Two classes, and only classification and extraction by the model: what this test is about.
/// Their fields are numbers: a model this small can ramble for minutes inside a JSON string.
const TWO_CLASSES: &str = r#"classification:
  classificationMethod: multimodalPageLevelClassification
  sectionSplitting: llm_determined
assessment:
  enabled: false
summarization:
  enabled: false
classes:
  - x-aws-idp-document-type: Invoice
    description: A bill for goods or services, with its number and the amount due.
    properties:
      total_due:
        type: number
        description: The amount to pay.
  - x-aws-idp-document-type: Letter
    description: A formal letter from one person or organisation to another.
    properties:
      year:
        type: integer
        description: The year the letter was written.
"#;

#[test]
fn a_small_model_classifies_into_a_configured_class() {
    let Some(llama) = LlamaServer::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let letter = dir.path().join("letter.txt");
    std::fs::write(
        &letter,
        "3 November 2026\n\nDear Ms. Patel,\n\nThank you for your letter. We are pleased to \
         confirm your place on the course starting in January.\n\nYours sincerely,\nJohn Okafor\n",
    )
    .unwrap();
    let result = process_ok(
        &llama,
        dir.path(),
        &letter,
        TWO_CLASSES,
        "one 1-page document classified and extracted",
    );
    assert_eq!(result["status"], "COMPLETED", "{result:#}");
    // The tiny model's class may be wrong; it is one of the configuration's, on page and section.
    let class = result["sections"][0]["classification"]
        .as_str()
        .unwrap_or_default();
    assert!(["Invoice", "Letter"].contains(&class), "{result:#}");
    assert_eq!(result["pages"]["1"]["classification"], class);
    let metering = tokens_metered(&result, &llama, "Classification");
    assert_eq!(metering["requests"], 1.0, "{:#}", result["metering"]);
    // Assessment and summarization were turned off by the configuration.
    assert!(
        result["metering"]
            .as_object()
            .unwrap()
            .keys()
            .all(|k| !k.starts_with("Assessment/") && !k.starts_with("Summarization/")),
        "{:#}",
        result["metering"]
    );
}
