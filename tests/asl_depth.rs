//! Nesting limits: a definition or expression nested as deep as a user can write it ends with
//! an error that names the state and field and gives a hint, never a stack overflow. Every
//! case runs on a thread with 2 MiB of stack, the default for a spawned thread (the fuzz
//! harness gives 8 MiB; a debug build's frames are several times a release build's), and a
//! 100,000-deep input is the hostile case; inputs just within each limit must still work.

mod asl_support;

use std::sync::Arc;

use asl_support::{Handlers, error, run_with};
use idpctl::asl::StateMachine;
use idpctl::asl::path::MAX_QUERY_NESTING;
use idpctl::asl::walk::MAX_DEFINITION_DEPTH;
use serde_json::{Value, json};

const STACK: usize = 2 << 20;
const DEEP: usize = 100_000;

/// Runs `f` on a 2 MiB thread: a stack overflow aborts the test binary, failing the test.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

/// Loads a definition from its text on a 2 MiB stack: the error text, or `None`.
fn load(text: String) -> Option<String> {
    on_small_stack(move || StateMachine::from_json(&text).err().map(|e| e.to_string()))
}

fn pass_with(field: &str, value: &str) -> String {
    format!(r#"{{"StartAt":"A","States":{{"A":{{"Type":"Pass","{field}":{value},"End":true}}}}}}"#)
}

fn jsonata_pass(expr: &str) -> String {
    json!({"QueryLanguage": "JSONata", "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Output": format!("{{% {expr} %}}"), "End": true}}})
    .to_string()
}

fn assert_clear(err: Option<String>, needles: &[&str]) {
    let err = err.expect("an error");
    for n in needles {
        assert!(
            err.contains(n),
            "{n:?} not in {}",
            &err[..err.len().min(600)]
        );
    }
    assert!(
        err.contains("hint:"),
        "no hint in {}",
        &err[..err.len().min(600)]
    );
    assert!(err.len() < 5_000, "{} characters of error", err.len());
}

fn nested_parallels(n: usize) -> Value {
    let mut def = json!({"StartAt": "L", "States": {"L": {"Type": "Pass", "End": true}}});
    for k in 0..n {
        def = json!({"StartAt": format!("P{k}"), "States": {format!("P{k}"): {
            "Type": "Parallel", "Branches": [def], "End": true}}});
    }
    def
}

#[test]
fn definitions_100000_deep_are_refused_by_state_and_field() {
    let params = "{\"a\":".repeat(DEEP) + "1" + &"}".repeat(DEEP);
    assert_clear(
        load(pass_with("Parameters", &params)),
        &[
            "state \"A\"",
            "Parameters is nested more than 128 levels deep",
        ],
    );
    let arrays = "[".repeat(DEEP) + &"]".repeat(DEEP);
    assert_clear(
        load(pass_with("Result", &arrays)),
        &["state \"A\"", "Result is nested more than 128"],
    );
    // Parallel states nested in each other: the innermost state within the limit is named.
    let text = (0..DEEP / 10).fold(
        r#"{"StartAt":"L","States":{"L":{"Type":"Pass","End":true}}}"#.to_string(),
        |inner, k| {
            format!(
                r#"{{"StartAt":"P{k}","States":{{"P{k}":{{"Type":"Parallel","End":true,"Branches":[{inner}]}}}}}}"#
            )
        },
    );
    assert_clear(load(text), &["state \"P", "nested more than 128"]);
    // A definition built in memory gets the same answer as its text (the value is dropped
    // on the big main test thread: serde_json drops values recursively).
    let mut deep = json!(1);
    for _ in 0..MAX_DEFINITION_DEPTH + 10 {
        deep = json!({ "a": deep });
    }
    let def =
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": deep, "End": true}}});
    let e = StateMachine::from_value(&def).unwrap_err().to_string();
    assert!(
        e.contains("state \"A\": Parameters is nested more than 128"),
        "{e}"
    );
}

#[test]
fn definitions_at_the_limit_load_on_a_small_stack() {
    // Each Parallel level is 5 JSON levels: 25 is the deepest that fits in 128.
    assert_eq!(load(nested_parallels(25).to_string()), None);
    let mut maps = json!({"StartAt": "L", "States": {"L": {"Type": "Pass", "End": true}}});
    for k in 0..31 {
        maps = json!({"StartAt": format!("M{k}"), "States": {format!("M{k}"): {
            "Type": "Map", "ItemProcessor": maps, "End": true}}});
    }
    assert_eq!(load(maps.to_string()), None);
    let nots =
        "{\"Not\":".repeat(118) + r#"{"Variable":"$.a","IsPresent":true}"# + &"}".repeat(118);
    let choice = format!(
        r#"{{"StartAt":"C","States":{{"C":{{"Type":"Choice","Choices":[{{"Not":{nots},"Next":"E"}}]}},"E":{{"Type":"Succeed"}}}}}}"#
    );
    assert_eq!(load(choice), None);
    let params = "{\"a\":".repeat(120) + "\"x\"" + &"}".repeat(120);
    assert_eq!(load(pass_with("Parameters", &params)), None);
    // A JSONata Output nested to the template compiler's own limit.
    let output = "{\"a\":".repeat(60) + "\"{% 1 %}\"" + &"}".repeat(60);
    let text = format!(
        r#"{{"QueryLanguage":"JSONata","StartAt":"A","States":{{"A":{{"Type":"Pass","Output":{output},"End":true}}}}}}"#
    );
    assert_eq!(load(text), None);
}

#[test]
fn validate_reports_a_too_deep_definition_as_one_finding() {
    let mut deep = json!([]);
    for _ in 0..MAX_DEFINITION_DEPTH + 5 {
        deep = json!([deep]);
    }
    let def =
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": deep, "End": true}}});
    let findings = idpctl::validate::asl_rules::check(&def, true);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(findings[0].location.contains("state `A`"), "{findings:?}");
    assert!(
        findings[0]
            .message
            .contains("Result is nested more than 128")
    );
}

#[test]
fn intrinsics_and_paths_100000_deep_are_refused() {
    let intr = "States.Array(".repeat(DEEP) + &")".repeat(DEEP);
    assert_clear(
        load(pass_with("Parameters", &format!("{{\"a.$\":\"{intr}\"}}"))),
        &["state \"A\"", "more than 10 nested intrinsic functions"],
    );
    let filter = |n: usize| format!("$[?({}@.a{})]", "(".repeat(n), ")".repeat(n));
    assert_clear(
        load(pass_with("InputPath", &format!("\"{}\"", filter(DEEP)))),
        &[
            "state \"A\"",
            "nests brackets and parentheses more than 32 deep",
        ],
    );
    // Just within the limit: `[`, `(` and the parentheses inside.
    assert_eq!(
        load(pass_with(
            "InputPath",
            &format!("\"{}\"", filter(MAX_QUERY_NESTING - 2))
        )),
        None
    );
}

#[test]
fn jsonata_expressions_100000_deep_are_refused() {
    for e in [
        "(".repeat(DEEP) + &")".repeat(DEEP),
        "[".repeat(DEEP) + &"]".repeat(DEEP),
        "{".repeat(DEEP / 2) + &"}".repeat(DEEP / 2),
        "-".repeat(DEEP) + "1",
        // Operator chains: built without recursion in the parser, deep all the same.
        "1".to_string() + &"+1".repeat(DEEP),
        "$f".to_string() + &"()".repeat(DEEP),
        "(1)".to_string() + &"[0]".repeat(DEEP),
        "1".to_string() + &" ~> $f".repeat(DEEP),
    ] {
        assert_clear(
            load(jsonata_pass(&e)),
            &[
                "state \"A\": Output: invalid JSONata expression",
                "nesting depth",
            ],
        );
    }
}

#[test]
fn jsonata_at_the_limits_runs_on_a_small_stack() {
    let run = |expr: String| {
        on_small_stack(move || {
            let def: Value = serde_json::from_str(&jsonata_pass(&expr)).unwrap();
            let h = Arc::new(Handlers::new());
            let out = run_with(&def, json!({}), h);
            match out {
                idpctl::asl::ExecutionOutcome::Succeeded(v) => Ok(v),
                other => Err(format!("{:?}", error(&other))),
            }
        })
    };
    // The deepest expression the parser takes evaluates.
    let sum = "1".to_string() + &"+1".repeat(98);
    assert_eq!(run(sum).unwrap(), json!(99));
    let parens = "(".repeat(98) + "7" + &")".repeat(98);
    assert_eq!(run(parens).unwrap(), json!(7));
    // Recursion through a lambda stops at the evaluator's depth limit with an error.
    let err =
        run("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))".into()).unwrap_err();
    assert!(
        err.contains("States.QueryEvaluationError") && err.contains("nesting depth"),
        "{err}"
    );
    // Within it, recursion works.
    let ok = run("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(60))".into()).unwrap();
    assert_eq!(ok, json!(60));
}

#[test]
fn deep_jsonata_values_on_a_small_stack() {
    // $reduce nests a value 900 deep (under the evaluator's value limit of 1000) without
    // nesting evaluations: building, converting, storing and dropping it must fit in 2 MiB.
    let out = on_small_stack(|| {
        let def: Value = serde_json::from_str(&jsonata_pass(
            "$reduce([1..900], function($a, $v){ {'a': $a} }, {})",
        ))
        .unwrap();
        let out = run_with(&def, json!({}), Arc::new(Handlers::new()));
        let depth = out.output().map(|v| {
            let (mut v, mut d) = (v, 0);
            while let Some(inner) = v.get("a") {
                v = inner;
                d += 1;
            }
            d
        });
        // Dropped here, on the small stack, too.
        drop(out);
        depth
    });
    assert_eq!(out, Some(900));
}
