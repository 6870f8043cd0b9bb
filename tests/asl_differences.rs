//! The differences issue 16 measured between this interpreter and executions recorded on
//! AWS, one test each. Every expectation comes from the AWS page cited above its case (the
//! rule quoted there), checked against what the recordings showed.

mod asl_support;

use std::sync::Arc;
use std::time::Duration;

use asl_support::{Handlers, error, machine, output, run, run_with, single};
use idpctl::asl::{Executor, StateMachine, TaskError};
use serde_json::{Value, json};

fn fails_on(map_fields: Value) -> Value {
    let mut state = json!({"Type": "Map", "End": true, "ItemsPath": "$.items",
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Task", "Resource": "${ItemArn}", "End": true}}}});
    for (k, v) in map_fields.as_object().unwrap() {
        state[k] = v.clone();
    }
    single(state)
}

fn odd_fails() -> Arc<Handlers> {
    Arc::new(Handlers::new().on("${ItemArn}", |v, _| {
        if v.as_i64().unwrap() % 2 == 1 {
            Err(TaskError::new("Odd", "odd item"))
        } else {
            Ok(v)
        }
    }))
}

// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
// ("ToleratedFailurePercentagePath ... When resolved, the reference path must select a field
// whose value is between zero and 100"; ToleratedFailureCountPath likewise a non-negative
// integer). Four items, two fail (50%).
#[test]
fn tolerated_failure_paths_are_read_from_the_input() {
    let items = json!([1, 2, 3, 4]);
    let cases = [
        (
            json!({"ToleratedFailurePercentagePath": "$.pct"}),
            json!(50),
            true,
        ),
        (
            json!({"ToleratedFailurePercentagePath": "$.pct"}),
            json!(49.5),
            false,
        ),
        (
            json!({"ToleratedFailureCountPath": "$.count"}),
            json!(2),
            true,
        ),
        (
            json!({"ToleratedFailureCountPath": "$.count"}),
            json!(1),
            false,
        ),
    ];
    for (fields, value, tolerated) in cases {
        let input = json!({"items": items, "pct": value, "count": value});
        let out = run_with(&fails_on(fields.clone()), input, odd_fails());
        if tolerated {
            assert_eq!(
                output(&out),
                &json!([{"Error": "Odd", "Cause": "odd item"}, 2, {"Error": "Odd", "Cause": "odd item"}, 4]),
                "{fields} = {value}"
            );
        } else {
            assert_eq!(
                error(&out).0,
                "States.ExceedToleratedFailureThreshold",
                "{fields} = {value}"
            );
        }
    }
    // Bad values are runtime errors, raised before any item runs.
    for (fields, value) in [
        (
            json!({"ToleratedFailurePercentagePath": "$.v"}),
            json!("10"),
        ),
        (json!({"ToleratedFailurePercentagePath": "$.v"}), json!(-1)),
        (
            json!({"ToleratedFailurePercentagePath": "$.v"}),
            json!(100.5),
        ),
        (json!({"ToleratedFailureCountPath": "$.v"}), json!(-1)),
        (json!({"ToleratedFailureCountPath": "$.v"}), json!(1.5)),
        (json!({"ToleratedFailureCountPath": "$.v"}), json!(null)),
        (json!({"ToleratedFailureCountPath": "$.missing"}), json!(1)),
    ] {
        let h = odd_fails();
        let out = run_with(
            &fails_on(fields.clone()),
            json!({"items": items, "v": value}),
            h.clone(),
        );
        assert_eq!(error(&out).0, "States.Runtime", "{fields} = {value}");
        assert_eq!(h.calls().len(), 0, "{fields} = {value}");
    }
    // A fixed value and its path exclude each other.
    let both = fails_on(json!({"ToleratedFailureCount": 1, "ToleratedFailureCountPath": "$.c"}));
    let e = StateMachine::from_value(&both).unwrap_err().to_string();
    assert!(e.contains("exclude each other"), "{e}");
}

// https://docs.aws.amazon.com/step-functions/latest/dg/state-map.html: "Iterator" is the
// deprecated name of "ItemProcessor"; AWS still accepts it with a ProcessorConfig.
#[test]
fn legacy_iterator_accepts_processor_config() {
    let def = single(json!({"Type": "Map", "End": true,
        "Iterator": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "I",
                     "States": {"I": {"Type": "Pass", "End": true}}}}));
    assert_eq!(output(&run(&def, json!([1, 2]))), &json!([1, 2]));
}

// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
// (States.MathAdd: "If you specify a non-integer value for one or both the arguments, Step
// Functions will round it off to the nearest integer"; the page's example adds 111 and -1);
// States.StringToJson of an empty or blank string gives null; States.Format prints object
// and array arguments as the Java service does.
#[test]
fn intrinsics_as_the_service_computes_them() {
    let def = single(json!({"Type": "Pass", "End": true, "Parameters": {
        "value1.$": "States.MathAdd($.value1, $.step)",
        "rounded.$": "States.MathAdd($.a, $.b)",
        "halves.$": "States.MathAdd($.c, $.c)",
        "empty.$": "States.StringToJson($.e)",
        "blank.$": "States.StringToJson($.blank)",
        "formatted.$": "States.Format('args: {}', $.obj)"}}));
    let out = run(
        &def,
        json!({"value1": 111, "step": -1, "a": 1.4, "b": 2.6, "c": 2.5, "e": "", "blank": " ",
               "obj": {"Arg1": 1, "Arg2": [], "Arg3": {"s": "t", "n": null}}}),
    );
    assert_eq!(
        output(&out),
        &json!({"value1": 110, "rounded": 4, "halves": 6, "empty": null, "blank": null,
                "formatted": "args: {Arg1=1, Arg2=[], Arg3={s=t, n=null}}"})
    );
}

// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html: the
// State node's RetryCount belongs to states that retry (the recordings show it for Task,
// absent for Pass, where reading it fails like any missing path).
#[test]
fn retry_count_only_where_states_retry() {
    let pass = single(json!({"Type": "Pass", "End": true,
        "Parameters": {"retry.$": "$$.State.RetryCount"}}));
    assert_eq!(error(&run(&pass, json!({}))).0, "States.Runtime");
    let pass = single(json!({"Type": "Pass", "End": true, "Parameters": {"state.$": "$$.State"}}));
    let out = run(&pass, json!({}));
    let state = &output(&out)["state"];
    assert_eq!(
        state.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["EnteredTime", "Name"]
    );
    let task = single(
        json!({"Type": "Task", "Resource": "${EchoArn}", "End": true,
        "Parameters": {"retry.$": "$$.State.RetryCount"}}),
    );
    let h = Arc::new(Handlers::new().on("${EchoArn}", |v, _| Ok(v)));
    assert_eq!(output(&run_with(&task, json!({}), h)), &json!({"retry": 0}));
    let map = single(json!({"Type": "Map", "End": true, "ItemsPath": "$.items",
        "ItemSelector": {"retry.$": "$$.State.RetryCount"},
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}}));
    assert_eq!(
        output(&run(&map, json!({"items": [1]}))),
        &json!([{"retry": 0}])
    );
}

// https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html: timestamps "must
// conform to the RFC3339 profile of ISO 8601" with an uppercase T; a wait may not end more
// than 2^31 seconds from now (the recordings fail such waits with States.Runtime).
#[test]
fn wait_timestamp_limits() {
    let ts_path = single(json!({"Type": "Wait", "TimestampPath": "$.t", "End": true}));
    // asl_support::clock() starts at 2023-11-14T22:13:20Z (1_700_000_000 s).
    for t in ["2023-11-14 22:14:20Z", "2023-11-14", "2092-01-01T00:00:00Z"] {
        let out = run(&ts_path, json!({"t": t}));
        assert_eq!(error(&out).0, "States.Runtime", "{t}");
    }
    // 2^31 seconds after the start is still accepted.
    let clock = asl_support::clock();
    let out = Executor::new(Arc::new(Handlers::new()))
        .with_clock(clock.clone())
        .start(
            &machine(&ts_path),
            "sm",
            "run",
            json!({"t": "2091-12-03T01:27:28Z"}),
        );
    assert!(out.output().is_some(), "{:?}", out.error());
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(1 << 31)]);
    let fixed = single(json!({"Type": "Wait", "Timestamp": "2092-01-01T00:00:00Z", "End": true}));
    assert_eq!(error(&run(&fixed, json!({}))).0, "States.Runtime");
    let bad = single(json!({"Type": "Wait", "Timestamp": "2092-01-01 00:00:00Z", "End": true}));
    assert!(StateMachine::from_value(&bad).is_err());
}

// https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html:
// bracket notation names fields that dot notation cannot, escaped quotes included.
#[test]
fn bracket_notation_with_escaped_quotes() {
    let def = single(json!({"Type": "Pass", "End": true,
        "Parameters": {"name.$": "$['Test\\\"\\\"Name\\\"']",
                       "fmt.$": "States.Format('{}', $['Test\\\"\\\"Name\\\"'])"},
        "ResultPath": "$['Out\\\"put']"}));
    let out = run(&def, json!({"Test\"\"Name\"": "v"}));
    assert_eq!(
        output(&out),
        &json!({"Test\"\"Name\"": "v", "Out\"put": {"name": "v", "fmt": "v"}})
    );
    // In a query path (a wildcard after the name) too.
    let def = single(json!({"Type": "Pass", "End": true,
        "Parameters": {"all.$": "$['Test\\\"\\\"Name\\\"'][*]"}}));
    let out = run(&def, json!({"Test\"\"Name\"": [1, 2]}));
    assert_eq!(output(&out), &json!({"all": [1, 2]}));
}
