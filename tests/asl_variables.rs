//! Workflow variables (`Assign` and `$name` paths) in JSONPath states, from the AWS page
//! "Passing data between states with variables"
//! (<https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html>, cited below
//! as workflow-variables.html), and their survival across a resumed execution.

mod asl_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use asl_support::{Handlers, error, info, machine, output, run, run_with, single};
use idpctl::asl::{
    Executor, Journal, JournalError, MemoryJournal, StateMachine, StepKey, StepOutcome,
};
use serde_json::{Value, json};

fn load_error(def: &Value) -> String {
    StateMachine::from_value(def).unwrap_err().to_string()
}

// workflow-variables.html: "To set a variable, provide a JSON object with variable names and
// values: "Assign": {"productName": "product1", "count": 42, "available": true}"; "To
// reference a variable, prepend the name with a dollar sign ($), for example, $productName."
#[test]
fn assign_then_reference_in_a_later_state() {
    let def = json!({"StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"productName": "product1", "count": 42, "available": true},
                "Next": "Other"},
        "Other": {"Type": "Pass", "Result": {"unrelated": 1}, "Next": "Use"},
        "Use": {"Type": "Pass", "End": true, "Parameters": {
            "product.$": "$productName", "count.$": "$count", "available.$": "$available",
            "label.$": "States.Format('{} x{}', $productName, $count)"}}}});
    let out = run(&def, json!({}));
    assert_eq!(
        output(&out),
        &json!({"product": "product1", "count": 42, "available": true, "label": "product1 x42"})
    );
}

// workflow-variables.html: "The following state types support Assign to declare and assign
// values to variables: Pass, Task, Map, Parallel, Choice, Wait." In JSONPath states `$` in
// Assign is the state's result (after ResultSelector for Task, Map and Parallel) and the
// effective input for Choice and Wait; every value sees the variables of state entry, and
// the new values are visible from the next state on.
#[test]
fn every_state_type_that_supports_assign() {
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Result": {"r": "pass"}, "Assign": {"fromPass.$": "$.r"}, "Next": "T"},
        "T": {"Type": "Task", "Resource": "${EchoArn}", "Parameters": {"seen.$": "$fromPass"},
              "ResultSelector": {"sel.$": "$.seen", "items.$": "$.items"}, "Assign": {"fromTask.$": "$.sel"}, "Next": "W"},
        "W": {"Type": "Wait", "Seconds": 0, "Assign": {"fromWait.$": "$.sel"}, "Next": "C"},
        "C": {"Type": "Choice", "Assign": {"fromChoice": "state"},
              "Choices": [{"Variable": "$fromTask", "StringEquals": "pass", "Next": "M",
                           "Assign": {"rule": "matched", "fromChoice": "rule"}}]},
        "M": {"Type": "Map", "ItemsPath": "$.items", "ItemSelector": {"v.$": "$$.Map.Item.Value", "t.$": "$fromTask"},
              "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}},
              "Assign": {"mapCount.$": "States.ArrayLength($)"}, "ResultPath": "$.mapped", "Next": "Par"},
        "Par": {"Type": "Parallel", "Branches": [
                    {"StartAt": "B", "States": {"B": {"Type": "Pass", "Parameters": {"w.$": "$fromWait"}, "End": true}}}],
                "Assign": {"fromParallel.$": "$[0].w"}, "ResultPath": null, "Next": "Out"},
        "Out": {"Type": "Pass", "End": true, "Parameters": {
            "p.$": "$fromPass", "t.$": "$fromTask", "w.$": "$fromWait", "c.$": "$fromChoice",
            "rule.$": "$rule", "m.$": "$mapCount", "par.$": "$fromParallel", "mapped.$": "$.mapped"}}}});
    let h = Arc::new(Handlers::new().on("${EchoArn}", |v, _| {
        Ok(json!({"seen": v["seen"], "items": [1, 2]}))
    }));
    let out = run_with(&def, json!({}), h);
    assert_eq!(
        output(&out),
        &json!({"p": "pass", "t": "pass", "w": "pass", "c": "rule", "rule": "matched", "m": 2,
                "par": "pass", "mapped": [{"v": 1, "t": "pass"}, {"v": 2, "t": "pass"}]})
    );
}

// workflow-variables.html ("Variable evaluation"): all expressions of one Assign are evaluated
// with the variable values from when the state was entered, so the order of the fields does
// not matter and two variables can be swapped.
#[test]
fn assign_reads_the_values_of_state_entry() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"x": 1, "y": 2}, "Next": "Swap"},
        "Swap": {"Type": "Pass", "Assign": {"x.$": "$y", "y.$": "$x", "sum.$": "States.MathAdd($x, $y)"},
                 "Parameters": {"xAtEntry.$": "$x"}, "Next": "Read"},
        "Read": {"Type": "Pass", "Parameters": {"before.$": "$.xAtEntry", "x.$": "$x", "y.$": "$y", "sum.$": "$sum"},
                 "End": true}}});
    assert_eq!(
        output(&run(&def, json!({}))),
        &json!({"before": 1, "x": 2, "y": 1, "sum": 3})
    );
}

// workflow-variables.html ("Variable scope"): Map iterations and Parallel branches can read
// the variables of the outer scope; what they assign stays inside; and a state in an inner
// scope cannot assign a variable that the outer scope assigns.
#[test]
fn inner_scopes_read_outer_variables_but_keep_their_own() {
    let def = json!({"StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"factor": 10}, "Next": "M"},
        "M": {"Type": "Map", "ItemsPath": "$.items",
              "ItemProcessor": {"StartAt": "Inner", "States": {
                  "Inner": {"Type": "Pass", "Assign": {"local.$": "$"}, "Next": "Use"},
                  "Use": {"Type": "Pass", "Parameters": {"f.$": "$factor", "l.$": "$local"}, "End": true}}},
              "Next": "After"},
        "After": {"Type": "Pass", "Parameters": {"results.$": "$", "local.$": "$local"}, "End": true}}});
    let out = run(&def, json!({"items": [1, 2]}));
    // The inner "local" is gone once the Map is done: reading it fails like any missing path.
    assert_eq!(error(&out).0, "States.Runtime");
    assert!(error(&out).1.contains("$local"), "{}", error(&out).1);

    let mut ok = def.clone();
    ok["States"]["After"]["Parameters"] = json!({"results.$": "$", "factor.$": "$factor"});
    assert_eq!(
        output(&run(&ok, json!({"items": [1, 2]}))),
        &json!({"results": [{"f": 10, "l": 1}, {"f": 10, "l": 2}], "factor": 10})
    );

    let mut bad = def.clone();
    bad["States"]["M"]["ItemProcessor"]["States"]["Inner"]["Assign"] = json!({"factor": 1});
    let e = load_error(&bad);
    assert!(
        e.contains("state \"Inner\" (in Map \"M\")") && e.contains("\"factor\""),
        "{e}"
    );
    let par = json!({"StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"x": 1}, "Next": "P"},
        "P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "Assign": {"x": 2}, "End": true}}}]}}});
    assert!(load_error(&par).contains("enclosing scope"));
}

// workflow-variables.html: "$states" is reserved; Assign is not available in Succeed and Fail
// states; a Catch can assign from the error output (`$` is {"Error", "Cause"}), and then the
// state's own Assign does not apply.
#[test]
fn reserved_names_unsupported_states_and_catch() {
    for (state, want) in [
        (
            json!({"Type": "Pass", "Assign": {"states": 1}, "End": true}),
            "reserved",
        ),
        (
            json!({"Type": "Pass", "Assign": {"bad-name": 1}, "End": true}),
            "not a valid variable name",
        ),
        (
            json!({"Type": "Succeed", "Assign": {"x": 1}}),
            "cannot Assign",
        ),
        (json!({"Type": "Fail", "Assign": {"x": 1}}), "cannot Assign"),
    ] {
        let e = load_error(&single(state.clone()));
        assert!(e.contains(want), "{state}: {e}");
    }
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "${FailArn}", "Assign": {"ok": true},
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled", "ResultPath": null,
                         "Assign": {"err.$": "$.Error", "cause.$": "$.Cause"}}], "End": true},
        "Handled": {"Type": "Pass", "Parameters": {"err.$": "$err", "cause.$": "$cause"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$ok", "IsPresent": true, "Next": "Bad"}],
                  "Default": "Done"},
        "Bad": {"Type": "Fail", "Error": "OkWasAssigned"},
        "Done": {"Type": "Succeed"}}});
    let h = Arc::new(Handlers::new().on("${FailArn}", |_, _| {
        Err(idpctl::asl::TaskError::new("Boom", "it broke"))
    }));
    let out = run_with(&def, json!({}), h);
    assert_eq!(output(&out), &json!({"err": "Boom", "cause": "it broke"}));
}

// workflow-variables.html: a state may store up to 256 KiB in its variables; more is an error
// of the state (States.DataLimitExceeded, which States.ALL does not catch).
#[test]
fn assign_size_limit() {
    let def = single(json!({"Type": "Pass", "End": true,
        "Assign": {"a.$": "$.big", "b.$": "$.big"}}));
    let big = "x".repeat(130 * 1024);
    let out = run(&def, json!({"big": big}));
    assert_eq!(error(&out).0, "States.DataLimitExceeded");
    let small = "x".repeat(100 * 1024);
    assert!(run(&def, json!({"big": small})).output().is_some());
}

/// A journal that fails to record one step: the process dies there, as under SIGKILL.
struct CrashingJournal {
    inner: Arc<MemoryJournal>,
    crash_path: &'static str,
}

impl Journal for CrashingJournal {
    fn lookup(&self, key: &StepKey) -> Result<Option<StepOutcome>, JournalError> {
        self.inner.lookup(key)
    }
    fn record(&self, key: &StepKey, outcome: &StepOutcome) -> Result<(), JournalError> {
        if key.path() == self.crash_path {
            return Err(JournalError("killed".into()));
        }
        self.inner.record(key, outcome)
    }
}

// Variables are rebuilt on resume exactly like state input: from the journaled Task results,
// never by calling a completed Task again (whose answer may differ the second time).
#[test]
fn variables_survive_a_resume() {
    let def = json!({"StartAt": "Token", "States": {
        "Token": {"Type": "Task", "Resource": "${TokenArn}", "Assign": {"token.$": "$.token"},
                  "ResultPath": null, "Next": "Items"},
        "Items": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "ResultPath": "$.done",
                  "ItemProcessor": {"StartAt": "Work", "States": {
                      "Work": {"Type": "Task", "Resource": "${WorkArn}",
                               "Parameters": {"item.$": "$", "token.$": "$token"}, "End": true}}},
                  "Next": "Report"},
        "Report": {"Type": "Pass", "Parameters": {"token.$": "$token", "done.$": "$.done"}, "End": true}}});
    let calls = Arc::new(AtomicUsize::new(0));
    let handlers = |calls: Arc<AtomicUsize>| {
        Arc::new(
            Handlers::new()
                .on("${TokenArn}", move |_, _| {
                    let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
                    Ok(json!({"token": format!("t{n}")}))
                })
                .on("${WorkArn}", |v, _| {
                    Ok(json!(format!(
                        "{}:{}",
                        v["token"].as_str().unwrap(),
                        v["item"]
                    )))
                }),
        )
    };
    let store = Arc::new(MemoryJournal::new());
    let machine = machine(&def);
    let info = info(json!({"items": [1, 2, 3]}));
    let first = handlers(calls.clone());
    let out = Executor::new(first.clone())
        .with_clock(asl_support::clock())
        .with_journal(Arc::new(CrashingJournal {
            inner: store.clone(),
            crash_path: "/Items[1]/Work",
        }))
        .execute(&machine, &info);
    assert!(out.error().is_some(), "the first run dies at item 1");

    let second = handlers(calls.clone());
    let out = Executor::new(second.clone())
        .with_clock(asl_support::clock())
        .with_journal(store)
        .execute(&machine, &info);
    assert_eq!(
        output(&out),
        &json!({"token": "t1", "done": ["t1:1", "t1:2", "t1:3"]})
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the token task ran once");
    assert_eq!(second.count("${TokenArn}"), 0);
    assert_eq!(second.count("${WorkArn}"), 2, "items 1 and 2 only");
}
