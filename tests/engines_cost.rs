//! Metering and cost through the real binary: a text document processed with the
//! OpenAI-compatible fake model and a price for it, then `status` over the same local stack. The
//! expected cost is computed from the metering `result.json` reports, never a constant.

mod common;

use std::path::Path;

use common::{command, run_cmd};
use serde_json::Value;

const MODEL: &str = "fake-model";
const INPUT_PER_MILLION: f64 = 0.5;
const OUTPUT_PER_MILLION: f64 = 1.5;

fn prices() -> String {
    format!(
        r#"{{"openai:{MODEL}": {{"input_per_million": {INPUT_PER_MILLION}, "output_per_million": {OUTPUT_PER_MILLION}}}}}"#
    )
}

fn idpctl(state: &Path, url: &str, prices: Option<&str>, args: &[&str]) -> common::Run {
    let mut cmd = command();
    cmd.env("IDPCTL_STATE_DIR", state)
        .env("IDPCTL_ENGINE_LLM", "openai")
        .env("IDPCTL_OPENAI_BASE_URL", url)
        .env("IDPCTL_OPENAI_MODEL", MODEL)
        .args(args);
    if let Some(p) = prices {
        cmd.env("IDPCTL_PRICES", p);
    }
    run_cmd(cmd)
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 + b.abs() * 1e-9
}

/// Σ tokens × price over the meters of `fake-model` in `metering`, and its token totals.
fn expected(metering: &Value) -> (f64, f64, f64) {
    let (mut usd, mut input, mut output) = (0.0, 0.0, 0.0);
    for (key, units) in metering.as_object().unwrap() {
        if key.ends_with(&format!("/openai/{MODEL}")) {
            let i = units["inputTokens"].as_f64().unwrap();
            let o = units["outputTokens"].as_f64().unwrap();
            usd += i * INPUT_PER_MILLION / 1e6 + o * OUTPUT_PER_MILLION / 1e6;
            input += i;
            output += o;
        }
    }
    (usd, input, output)
}

#[test]
fn summary_and_status_report_tokens_and_their_cost() {
    let state = tempfile::tempdir().unwrap();
    let fake = common::fake_openai::start(None);
    let doc = state.path().join("statement.txt");
    std::fs::write(
        &doc,
        "Bank Statement\nAccount Holder: Maria Garcia\nAccount Number: 0012-3456\nStatement Period: January 2026\nOpening Balance: $1,204.50\nClosing Balance: $982.10\n",
    )
    .unwrap();
    let out = state.path().join("out");
    let prices = prices();
    let run = idpctl(
        state.path(),
        &fake.url,
        Some(&prices),
        &[
            "process",
            doc.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);

    let result = read_json(&out.join("statement.txt/result.json"));
    let (usd, input, output) = expected(&result["metering"]);
    assert!(input > 0.0 && output > 0.0, "{}", result["metering"]);
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["metering"], result["metering"]);
    let cost = &summary["cost"];
    assert_eq!(cost["currency"], "USD");
    assert!(close(cost["total_usd"].as_f64().unwrap(), usd), "{cost}");
    assert_eq!(cost["unpriced"], serde_json::json!([]));
    let model = &cost["by_model"][format!("openai:{MODEL}")];
    assert_eq!(model["input_tokens"].as_f64(), Some(input));
    assert_eq!(model["output_tokens"].as_f64(), Some(output));
    assert!(model["requests"].as_u64().unwrap() >= 2, "{model}");
    assert_eq!(
        model["usd"], cost["total_usd"],
        "one model: its cost is the total"
    );
    // The text summary shows the same total.
    common::assert_contains(&run.stdout, &format!("estimated cost  ${usd:.6}"));

    // `status` sums the tracking records: the same metering and cost.
    let status = idpctl(
        state.path(),
        &fake.url,
        Some(&prices),
        &["--output", "json", "status"],
    );
    assert_eq!(status.code, 0, "{}\n{}", status.stdout, status.stderr);
    let report: Value = serde_json::from_str(&status.stdout).unwrap();
    let usage = &report["usage"];
    assert_eq!(usage["documents"], 1);
    assert_eq!(usage["metered_documents"], 1);
    assert_eq!(usage["metering"], summary["metering"]);
    assert_eq!(usage["cost"], summary["cost"]);

    // Without a price the cost is unknown, never 0, and the output says which meters and how.
    let unpriced = idpctl(
        state.path(),
        &fake.url,
        None,
        &["--output", "json", "status"],
    );
    let report: Value = serde_json::from_str(&unpriced.stdout).unwrap();
    let cost = &report["usage"]["cost"];
    assert_eq!(cost["total_usd"], Value::Null, "{cost}");
    assert_eq!(cost["priced_usd"], 0.0);
    let meters: Vec<&str> = cost["unpriced"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(
        !meters.is_empty() && meters.iter().all(|m| m.ends_with("/openai/fake-model")),
        "{meters:?}"
    );
    let text = idpctl(state.path(), &fake.url, None, &["status"]);
    assert!(
        text.stdout.contains("estimated cost  unknown")
            && text.stdout.contains("engines.prices.\"openai:fake-model\""),
        "{}",
        text.stdout
    );
}
