//! Model-engine throughput of `idpctl process` on the local stack, through the real binary:
//! documents/minute, model calls/minute and the median time per document, for a batch of
//! generated invoices (distinct text each, one small class), (a) against the fake Bedrock
//! Converse of the moto launcher (tests/fixtures/aws/moto_server.py) and (b) against llama.cpp's
//! `llama-server` with SmolLM2-135M (built and cached by `.ci/llama-server.sh`). Each is skipped
//! with a notice when its server is not there.
//!
//! `cargo bench --bench engines` runs both against the release binary (`ENGINE_BENCH_DOCS`, default
//! 15, sets the batch size). Without `--bench` (as `cargo test --all-targets` runs it) it only
//! checks that 3 documents complete against the fake Bedrock.
//!
//! Calls are the `requests` the documents' metering counts (every stage, retries excluded); the
//! time per document is its result's `completion_time - start_time` (the local stack runs the
//! uploads one after another, so this is each document's own time through the workflow).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "../tests/common/llama.rs"]
#[allow(dead_code)]
mod llama;
#[path = "../tests/common/moto.rs"]
#[allow(dead_code)]
mod moto;

/// For the moto launcher's path (`super::root()` in tests/common/moto.rs).
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const CLASS: &str = "x-aws-idp-document-type: Invoice
description: A vendor's invoice, with its number, vendor and the amount due.
x-idpctl-keywords: [invoice]
properties:
  invoice_number: {type: string, description: The invoice's number.}
  vendor_name: {type: string, description: Who issued the invoice.}
  total: {type: number, description: The amount due.}
";

const VENDORS: &[&str] = &[
    "Northwind Traders",
    "Contoso Ltd",
    "Fabrikam Inc",
    "Tailspin Toys",
    "Wide World Importers",
    "Adventure Works",
    "Litware Systems",
    "Proseware Supplies",
    "Lucerne Publishing",
    "Coho Vineyard",
    "Alpine Ski House",
    "Blue Yonder Airlines",
    "Margie's Travel",
    "Trey Research",
    "Woodgrove Bank",
];

const ITEMS: &[&str] = &[
    "Consulting hours",
    "Office chairs",
    "Printer toner",
    "Cloud hosting",
    "Delivery charge",
    "Safety gloves",
];

/// `n` short invoices, each with its own vendor, number, date, lines and total.
fn invoices(n: usize, dir: &Path) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let vendor = VENDORS[i % VENDORS.len()];
            let lines: Vec<(String, f64)> = (0..1 + i % 3)
                .map(|j| {
                    let item = ITEMS[(i + j) % ITEMS.len()];
                    (item.to_string(), ((i * 37 + j * 11) % 900) as f64 + 12.5)
                })
                .collect();
            let total: f64 = lines.iter().map(|(_, a)| a).sum();
            let body: String = lines
                .iter()
                .map(|(item, amount)| format!("{item:<20} {amount:>10.2}\n"))
                .collect();
            let text = format!(
                "INVOICE\n\nVendor name: {vendor}\nInvoice number: INV-2026-{:04}\n\
                 Invoice date: 2026-{:02}-{:02}\n\n{body}\nTotal: {total:.2}\n",
                100 + i * 7,
                1 + i % 12,
                1 + (i * 3) % 28
            );
            let path = dir.join(format!("invoice-{i:02}.txt"));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

struct Measured {
    elapsed: Duration,
    documents: usize,
    completed: u64,
    calls: f64,
    retries: f64,
    per_document: Vec<Duration>,
    cost: Value,
    /// `document: reason` of each one that did not complete.
    failures: Vec<String>,
}

/// Milliseconds between two of the result's RFC 3339 times.
fn millis_between(start: &str, end: &str) -> Option<u64> {
    let parse = |t: &str| {
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
    };
    let d = parse(end)? - parse(start)?;
    u64::try_from(d.whole_milliseconds()).ok()
}

/// `idpctl process` of `docs` on a fresh local stack with `env`; the run's figures.
fn process(bin: &Path, docs: &[PathBuf], classes: &Path, env: &[(String, String)]) -> Measured {
    let state = tempfile::tempdir().unwrap();
    let out = state.path().join("out");
    let mut cmd = Command::new(bin);
    for (k, _) in std::env::vars() {
        if k.starts_with("IDPCTL_") || k == "AWS_ENDPOINT_URL" {
            cmd.env_remove(k);
        }
    }
    cmd.env("IDPCTL_STATE_DIR", state.path())
        .env("IDPCTL_CLASSES", classes)
        .env("IDPCTL_CLASSES_MODE", "replace")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(["--output", "json", "process"])
        .args(docs)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Deploying the local stack is not what is measured: `deploy` does it first.
    let mut deploy = Command::new(bin);
    deploy
        .env("IDPCTL_STATE_DIR", state.path())
        .env("IDPCTL_CLASSES", classes)
        .env("IDPCTL_CLASSES_MODE", "replace")
        .arg("deploy")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    assert!(deploy.status().expect("idpctl deploy runs").success());
    let started = Instant::now();
    let run = cmd.output().expect("idpctl runs");
    let elapsed = started.elapsed();
    let summary: Value = serde_json::from_slice(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON summary ({e}); exit {:?}\n{}",
            run.status.code(),
            String::from_utf8_lossy(&run.stderr)
        )
    });
    let mut per_document = Vec::new();
    for doc in docs {
        let name = doc.file_name().unwrap().to_str().unwrap();
        let path = out.join(name).join("result.json");
        let r: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        if let (Some(s), Some(e)) = (r["start_time"].as_str(), r["completion_time"].as_str())
            && let Some(ms) = millis_between(s, e)
        {
            per_document.push(Duration::from_millis(ms));
        }
    }
    per_document.sort();
    let sum = |unit: &str| -> f64 {
        summary["metering"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(_, units)| units[unit].as_f64())
            .fold(0.0, |a, b| a + b)
    };
    let failures = summary["documents"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["status"] != "COMPLETED")
        .map(|d| {
            format!(
                "{}: {}",
                d["document"].as_str().unwrap_or("?"),
                d["reason"].as_str().unwrap_or("")
            )
        })
        .collect();
    Measured {
        elapsed,
        documents: summary["documents"].as_array().map_or(0, Vec::len),
        completed: summary["completed"].as_u64().unwrap_or(0),
        calls: sum("requests"),
        retries: sum("retries"),
        per_document,
        cost: summary["cost"].clone(),
        failures,
    }
}

fn report(label: &str, m: &Measured) {
    let minutes = m.elapsed.as_secs_f64() / 60.0;
    let p50 = m
        .per_document
        .get(m.per_document.len() / 2)
        .map_or(0.0, |d| d.as_secs_f64());
    let max = m.per_document.last().map_or(0.0, |d| d.as_secs_f64());
    let cost = match m.cost["total_usd"].as_f64() {
        Some(usd) => format!("${usd:.6} at list prices"),
        None => "cost unknown (no price for the model)".into(),
    };
    println!(
        "{label:<40} {:>3} docs ({:>3} completed) in {:>6.2} s  {:>6.0} docs/min  {:>5} calls ({} retries)  {:>6.0} calls/min  p50 {:>5.2} s/doc (max {:.2} s)  {cost}",
        m.documents,
        m.completed,
        m.elapsed.as_secs_f64(),
        m.documents as f64 / minutes,
        m.calls,
        m.retries,
        m.calls / minutes,
        p50,
        max,
    );
    for f in &m.failures {
        println!("    not completed: {f}");
    }
}

/// `/proc/loadavg`: the figures mean little on a machine busy with something else.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn bedrock_env(moto: &moto::Moto) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = moto
        .env()
        .into_iter()
        .filter(|(k, _)| *k != "AWS_ENDPOINT_URL")
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    env.extend(
        [
            ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", moto.endpoint.as_str()),
            ("IDPCTL_ENGINE_LLM", "bedrock"),
            ("IDPCTL_BEDROCK_MODEL", "amazon.nova-lite-v1:0"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    env
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_idpctl"));
    let dir = tempfile::tempdir().unwrap();
    let classes = dir.path().join("invoice.yaml");
    std::fs::write(&classes, CLASS).unwrap();
    let n = if full {
        std::env::var("ENGINE_BENCH_DOCS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(15)
    } else {
        3
    };
    let docs_dir = dir.path().join("docs");
    std::fs::create_dir_all(&docs_dir).unwrap();
    let docs = invoices(n, &docs_dir);

    // `ENGINE_BENCH=bedrock` or `llama` runs only that one.
    let only = std::env::var("ENGINE_BENCH").unwrap_or_default();
    if full {
        println!(
            "idpctl process, model engines, local stack ({}), {} CPUs; load average: {}",
            bin.display(),
            std::thread::available_parallelism().map_or(0, usize::from),
            load()
        );
    }
    let skip_bedrock = full && only == "llama";
    match (!skip_bedrock).then(moto::Moto::start).flatten() {
        Some(moto) => {
            let m = process(&bin, &docs, &classes, &bedrock_env(&moto));
            if !full {
                assert_eq!(m.completed, n as u64, "every document completes");
                assert!(m.calls >= n as f64, "the model was called");
                println!(
                    "engines smoke run: {n} documents completed against the fake Bedrock (run `cargo bench --bench engines` for figures)"
                );
                return;
            }
            report("fake Bedrock (moto), amazon.nova-lite-v1:0", &m);
        }
        None if skip_bedrock => {}
        None => println!("skipping the fake Bedrock: moto_server is not on PATH"),
    }
    if !full {
        return;
    }
    if only == "bedrock" {
        return;
    }
    match llama::LlamaServer::start() {
        Some(server) => {
            let env = [
                ("IDPCTL_ENGINE_LLM", "openai"),
                ("IDPCTL_OPENAI_BASE_URL", server.base_url.as_str()),
                ("IDPCTL_OPENAI_MODEL", server.model.as_str()),
                (
                    "IDPCTL_PRICES",
                    r#"{"openai:*": {"input_per_million": 0, "output_per_million": 0}}"#,
                ),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()));
            println!("load average before llama-server: {}", load());
            let m = process(&bin, &docs, &classes, &env);
            report("llama-server, SmolLM2-135M (2 threads)", &m);
        }
        None => println!("skipping llama-server: not built (bash .ci/llama-server.sh)"),
    }
}
