//! Differential test against moto's Step Functions interpreter.
//!
//! `tests/fixtures/asl/moto_cases.json` holds Pass/Choice/Map/Parallel/Fail definitions (no
//! Lambda); `moto_recorded.json` what moto 5.2 (a port of LocalStack's interpreter) answered,
//! recorded by `moto_record.py` with `execute_state_machine` enabled. This test runs the same
//! cases through our interpreter and requires the same status, output and error name, except
//! for the few cases listed in `known_differences`, where moto is the one that departs from
//! the AWS documentation. `live_moto_still_answers_as_recorded` replays the cases on a running
//! `moto_server` (CI installs it), so the recording is checked against moto on every run.

mod asl_support;
mod common;

use asl_support::{machine, run};
use idpctl::asl::ExecutionOutcome;
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/asl/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// (case, what we produce, why moto differs).
fn known_differences() -> Vec<(&'static str, Value, &'static str)> {
    vec![
        (
            "choice_no_match",
            json!({"status": "FAILED", "error": "States.NoChoiceMatched"}),
            "moto raises a Python RuntimeError (States.Runtime); the spec and AWS name this \
             States.NoChoiceMatched",
        ),
        (
            "parallel_branches",
            json!({"status": "SUCCEEDED", "output": {"x": 7, "par": {"first": 7, "second": "b"}}}),
            "moto returns [7] for the reference path $[0].a; a reference path names a single \
             node, so AWS returns 7",
        ),
        (
            "result_path_match_failure",
            json!({"status": "FAILED", "error": "States.ResultPathMatchFailure"}),
            "moto fails with a Python TypeError (States.Runtime); the spec names this \
             States.ResultPathMatchFailure",
        ),
    ]
}

fn ours_as_record(out: &ExecutionOutcome) -> Value {
    match out {
        ExecutionOutcome::Succeeded(v) => json!({"status": "SUCCEEDED", "output": v}),
        ExecutionOutcome::Failed(e) => json!({"status": "FAILED", "error": e.error}),
    }
}

#[test]
fn same_results_as_moto() {
    let cases = fixture("moto_cases.json");
    let recorded = fixture("moto_recorded.json");
    let known = known_differences();
    let mut compared = 0;
    for (case, moto) in cases
        .as_array()
        .unwrap()
        .iter()
        .zip(recorded.as_array().unwrap())
    {
        let name = case["name"].as_str().unwrap();
        assert_eq!(moto["name"], name, "fixtures out of step");
        let _ = machine(&case["definition"]); // every case must be a valid definition for us
        let ours = ours_as_record(&run(&case["definition"], case["input"].clone()));
        if let Some((_, want, why)) = known.iter().find(|(n, _, _)| *n == name) {
            assert_eq!(&ours, want, "{name}: {why}");
            assert_ne!(moto["status"], "REJECTED", "{name}");
            continue;
        }
        let mut expected = json!({"status": moto["status"]});
        match moto["status"].as_str().unwrap() {
            "SUCCEEDED" => {
                let mut out = moto["output"].clone();
                // moto prints a string output without JSON quotes; compare the string itself.
                if moto.get("output_not_json") == Some(&json!(true)) {
                    out = json!(out.as_str().unwrap());
                }
                expected["output"] = out;
            }
            "FAILED" => expected["error"] = moto["error"].clone(),
            other => panic!("{name}: moto answered {other}: {}", moto["error"]),
        }
        assert_eq!(ours, expected, "{name}");
        compared += 1;
    }
    assert!(compared >= 10, "only {compared} cases compared");
}

#[test]
fn live_moto_still_answers_as_recorded() {
    let Some(moto) = common::moto::Moto::start() else {
        return;
    };
    let out = tempfile::NamedTempFile::new().unwrap();
    let script = common::root().join("tests/fixtures/asl/moto_record.py");
    let run = std::process::Command::new(&moto.python)
        .arg(&script)
        .arg(&moto.endpoint)
        .arg(out.path())
        .output()
        .expect("run moto_record.py");
    assert!(
        run.status.success(),
        "moto_record.py failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let live: Value = serde_json::from_slice(&std::fs::read(out.path()).unwrap()).unwrap();
    let recorded = fixture("moto_recorded.json");
    let (live, recorded) = (live.as_array().unwrap(), recorded.as_array().unwrap());
    assert_eq!(live.len(), recorded.len());
    for (l, r) in live.iter().zip(recorded) {
        // Causes carry moto's wording and ids; status, output and error name are the contract.
        for key in ["name", "status", "output", "output_not_json", "error"] {
            if r["status"] == "REJECTED" && key == "error" {
                continue;
            }
            assert_eq!(l.get(key), r.get(key), "{}: `{key}` differs", r["name"]);
        }
    }
}
