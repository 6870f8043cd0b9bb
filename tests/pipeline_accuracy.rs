//! Field accuracy of the embedded extractor on the shared samples.
//!
//! - 20 W-2s with a text layer, against `tests/fixtures/pipeline/w2_truth.json` (made from poppler's
//!   `pdftotext -layout` by an independent layout parser, see `make_w2_truth.py`).
//! - The scanned 1099-B (needs Tesseract), against its public ground truth
//!   `1099B.expected.json`.
//!
//! Run `cargo test --release --test pipeline_accuracy -- --nocapture` for the tables. The floors
//! asserted are what the engine achieves today, so a regression fails the build.

use std::collections::BTreeMap;
use std::path::PathBuf;

use idpctl::eval;
use idpctl::pipeline::config::value_type::parse_number;
use idpctl::pipeline::config::{ClassConfig, IdpConfig};
use idpctl::pipeline::ocr::tesseract::Tesseract;
use idpctl::pipeline::run::{RunOptions, process_document};
use serde_json::Value;

/// Overall W-2 field accuracy the engine must keep (measured: see the report in the test
/// output).
const W2_FLOOR: f64 = 0.995;
/// 1099-B, scored by `idpctl::eval` against every non-null field of its ground truth (47):
/// measured 31/47 = 0.66 (the 14 fields the built-in config lacks are missed).
const F1099B_FLOOR: f64 = 0.65;
/// 1099-B: share of the fields the built-in config names that are right (measured 31/33).
const F1099B_CONFIGURED_FLOOR: f64 = 0.9;

fn samples() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/samples"))
}

#[derive(Default)]
struct Tally {
    per_field: BTreeMap<String, (u32, u32)>,
    misses: Vec<String>,
}

impl Tally {
    fn add(&mut self, doc: &str, field: &str, ok: bool, got: &Value, want: &Value) {
        let e = self.per_field.entry(field.to_string()).or_default();
        e.1 += 1;
        if ok {
            e.0 += 1;
        } else {
            self.misses
                .push(format!("{doc}: {field}: got {got}, want {want}"));
        }
    }

    fn overall(&self) -> f64 {
        let (ok, n) = self
            .per_field
            .values()
            .fold((0, 0), |(a, b), (x, y)| (a + x, b + y));
        ok as f64 / n.max(1) as f64
    }

    fn print(&self, title: &str) {
        println!(
            "\n{title}\n{:<58} {:>9} {:>8}",
            "field", "right", "accuracy"
        );
        for (f, (ok, n)) in &self.per_field {
            println!(
                "{f:<58} {:>4}/{:<4} {:>7.1}%",
                ok,
                n,
                100.0 * *ok as f64 / *n as f64
            );
        }
        let (ok, n) = self
            .per_field
            .values()
            .fold((0, 0), |(a, b), (x, y)| (a + x, b + y));
        println!(
            "{:<58} {:>4}/{:<4} {:>7.1}%",
            "OVERALL",
            ok,
            n,
            100.0 * self.overall()
        );
        for m in self.misses.iter().take(30) {
            println!("  miss: {m}");
        }
    }
}

/// Same value: numbers within a cent, text equal ignoring case, spacing and punctuation.
fn same(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (_, Value::Number(w)) => {
            let g = match got {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => parse_number(s),
                _ => None,
            };
            g.zip(w.as_f64())
                .is_some_and(|(g, w)| (g - w).abs() < 0.005)
        }
        (Value::String(g), Value::String(w)) => {
            let money = |s: &str| s.contains('$') || s.starts_with('(');
            if money(w) {
                return parse_number(g)
                    .zip(parse_number(w))
                    .is_some_and(|(a, b)| (a - b).abs() < 0.005);
            }
            let norm = |s: &str| {
                s.to_uppercase()
                    .chars()
                    .filter(|c| c.is_alphanumeric())
                    .collect::<String>()
            };
            norm(g) == norm(w)
        }
        _ => got == want,
    }
}

fn get<'a>(attrs: &'a Value, dotted: &str) -> &'a Value {
    dotted
        .split('.')
        .fold(attrs, |v, k| v.get(k).unwrap_or(&Value::Null))
}

#[test]
fn w2_field_accuracy() {
    let truth: BTreeMap<String, BTreeMap<String, Value>> =
        serde_json::from_str(include_str!("fixtures/pipeline/w2_truth.json")).unwrap();
    assert_eq!(truth.len(), 20);
    let config = ClassConfig::builtin();
    let mut tally = Tally::default();
    let mut classified = 0;
    for (file, fields) in &truth {
        let bytes = std::fs::read(samples().join("w2").join(file)).unwrap();
        let (doc, _) = process_document(file, &bytes, &config, None, &RunOptions::default());
        assert_eq!(doc.num_ocr_pages, 0, "{file}: W-2s have a text layer");
        let section = &doc.sections[0];
        if section.classification == "W2" {
            classified += 1;
        }
        let attrs = Value::Object(section.attributes.clone());
        for (field, want) in fields {
            if field == "state_taxes_table" {
                let rows = want.as_array().unwrap();
                let got_rows = attrs["state_taxes_table"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                for (i, row) in rows.iter().enumerate() {
                    for (col, w) in row.as_object().unwrap() {
                        let g = got_rows
                            .get(i)
                            .and_then(|r| r.get(col))
                            .unwrap_or(&Value::Null);
                        tally.add(
                            file,
                            &format!("state_taxes_table[].{col}"),
                            same(g, w),
                            g,
                            w,
                        );
                    }
                }
                let extra = got_rows.len().saturating_sub(rows.len());
                for _ in 0..extra {
                    tally.add(
                        file,
                        "state_taxes_table (no extra rows)",
                        false,
                        &Value::Null,
                        &Value::Null,
                    );
                }
                tally.add(
                    file,
                    "state_taxes_table (row count)",
                    got_rows.len() == rows.len(),
                    &Value::from(got_rows.len()),
                    &Value::from(rows.len()),
                );
                continue;
            }
            let got = get(&attrs, field);
            tally.add(file, field, same(got, want), got, want);
        }
    }
    println!("W-2 classification: {classified}/20 pages classified as W2");
    tally.print("W-2 field accuracy (20 documents, text layer)");
    assert_eq!(classified, 20);
    assert!(
        tally.overall() >= W2_FLOOR,
        "W-2 accuracy {:.3} fell below {W2_FLOOR}",
        tally.overall()
    );
}

#[test]
fn form_1099b_field_accuracy() {
    let engine = Tesseract::default();
    if let Err(e) = engine.version() {
        panic!("this test needs Tesseract: {e}");
    }
    let dir = samples().join("scanned");
    let bytes = std::fs::read(dir.join("1099B.pdf")).unwrap();
    let idp = IdpConfig::builtin();
    let (doc, _) = process_document(
        "1099B.pdf",
        &bytes,
        &idp.classes,
        Some(&engine),
        &RunOptions::default(),
    );
    assert_eq!(doc.num_ocr_pages, 1, "{:?}", doc.errors);
    assert_eq!(doc.sections[0].classification, "1099-B");
    let ours = eval::load::result_doc("1099B.pdf", &serde_json::to_value(&doc).unwrap()).unwrap();
    let truth = eval::load::truths(&dir.join("1099B.expected.json")).unwrap();
    let report = eval::evaluate(&[ours], &truth, &eval::class_schemas(&idp.document));
    println!("\n1099-B (1 scanned page, Tesseract OCR), every ground-truth field");
    print!("{}", eval::report::text(&report));
    let mut configured = eval::Counts::default();
    for r in &report.rows {
        if r.method_source == eval::methods::Source::Config {
            configured.add(r.outcome);
        }
    }
    println!(
        "fields the config names: {}/{} right",
        configured.tp,
        configured.expected()
    );
    // Every non-null truth field counts, not only the configured ones.
    assert_eq!(report.overall.expected(), 47);
    assert!(
        report.overall.match_rate() >= F1099B_FLOOR,
        "1099-B: {}/47 truth fields right, below {F1099B_FLOOR}",
        report.overall.tp
    );
    assert!(
        configured.match_rate() >= F1099B_CONFIGURED_FLOOR,
        "1099-B configured fields {:.3} fell below {F1099B_CONFIGURED_FLOOR}",
        configured.match_rate()
    );
}
