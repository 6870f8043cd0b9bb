//! Conformance of the ASL interpreter with the examples of the AWS Step Functions developer
//! guide and the Amazon States Language specification. Every expected value is copied from
//! the page cited above its case.

mod asl_support;

use std::sync::Arc;
use std::time::Duration;

use asl_support::{Handlers, error, machine, output, run, run_with, single};
use idpctl::asl::{Executor, ManualClock, TaskError};
use serde_json::{Value, json};

fn hello(_: Value, _: &idpctl::asl::TaskContext) -> Result<Value, TaskError> {
    Ok(json!("Hello, AWS Step Functions!"))
}

// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html
// ("InputPath": "$.dataset2" selects {"val1": "a", "val2": "b", "val3": "c"}).
#[test]
fn inputpath_selects_part_of_the_input() {
    let out = run(
        &single(json!({"Type": "Pass", "InputPath": "$.dataset2", "End": true})),
        json!({"comment": "Example for InputPath.",
               "dataset1": {"val1": 1, "val2": 2, "val3": 3},
               "dataset2": {"val1": "a", "val2": "b", "val3": "c"}}),
    );
    assert_eq!(
        output(&out),
        &json!({"val1": "a", "val2": "b", "val3": "c"})
    );
}

// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html
// ("Parameters" key-value pairs: static values and paths into the input).
#[test]
fn parameters_key_value_pairs() {
    let out = run(
        &single(json!({"Type": "Pass", "End": true, "Parameters": {
            "comment": "Selecting what I care about.",
            "MyDetails": {"size.$": "$.product.details.size", "exists.$": "$.product.availability", "StaticValue": "foo"}}})),
        json!({"comment": "Example for Parameters.",
               "product": {"details": {"color": "blue", "size": "small", "material": "cotton"},
                           "availability": "in stock", "sku": "2317", "cost": "$23"}}),
    );
    assert_eq!(
        output(&out),
        &json!({"comment": "Selecting what I care about.",
                "MyDetails": {"size": "small", "exists": "in stock", "StaticValue": "foo"}})
    );
}

// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html: the
// Lambda of the tutorial returns "Hello, AWS Step Functions!"; each ResultPath gives the
// output printed on that page.
#[test]
fn resultpath_examples() {
    let input = json!({"comment": "This is a test of the input and output of a Task state.",
                       "details": "Default example", "who": "AWS Step Functions"});
    let cases: Vec<(Value, Value, Value)> = vec![
        // "Use ResultPath to Replace the Input with the Result" (absent, and "$").
        (
            Value::Null,
            input.clone(),
            json!("Hello, AWS Step Functions!"),
        ),
        (
            json!("$"),
            input.clone(),
            json!("Hello, AWS Step Functions!"),
        ),
        // "Discard the result and keep the original input" ("ResultPath": null).
        (json!(null), input.clone(), input.clone()),
        // "Use ResultPath to Include the Result with the Input".
        (
            json!("$.taskresult"),
            input.clone(),
            json!({"comment": "This is a test of the input and output of a Task state.",
                "details": "Default example", "who": "AWS Step Functions",
                "taskresult": "Hello, AWS Step Functions!"}),
        ),
        (
            json!("$.strings.lambdaresult"),
            json!({"comment": "An input comment.", "strings": {"string1": "foo", "string2": "bar", "string3": "baz"},
                "who": "AWS Step Functions"}),
            json!({"comment": "An input comment.",
                "strings": {"string1": "foo", "string2": "bar", "string3": "baz",
                            "lambdaresult": "Hello, AWS Step Functions!"},
                "who": "AWS Step Functions"}),
        ),
        // "Use ResultPath to Update a Node in the Input with the Result".
        (
            json!("$.comment"),
            input.clone(),
            json!({"comment": "Hello, AWS Step Functions!", "details": "Default example", "who": "AWS Step Functions"}),
        ),
    ];
    for (i, (rp, input, want)) in cases.into_iter().enumerate() {
        let mut state = json!({"Type": "Task", "Resource": "${HelloFunctionArn}", "End": true});
        // Case 0 leaves ResultPath out; case 2 sets it to JSON null.
        if i != 0 {
            state["ResultPath"] = rp.clone();
        }
        let h = Arc::new(Handlers::new().on("${HelloFunctionArn}", hello));
        let out = run_with(&single(state), input, h);
        assert_eq!(output(&out), &want, "ResultPath {rp}");
    }
}

// https://states-language.net/spec.html#filters ("Input/Output Processing Examples"): a task
// summing val1 and val2 with "InputPath": "$.numbers", "ResultPath": "$.sum".
#[test]
fn spec_inputpath_resultpath_sum_example() {
    let h = Arc::new(Handlers::new().on(
        "arn:aws:lambda:us-east-1:123456789012:function:add",
        |v, _| {
            Ok(json!(
                v["val1"].as_i64().unwrap() + v["val2"].as_i64().unwrap()
            ))
        },
    ));
    let out = run_with(
        &single(
            json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:add",
                       "InputPath": "$.numbers", "ResultPath": "$.sum", "End": true}),
        ),
        json!({"title": "Numbers to add", "numbers": {"val1": 3, "val2": 4}}),
        h,
    );
    assert_eq!(
        output(&out),
        &json!({"title": "Numbers to add", "numbers": {"val1": 3, "val2": 4}, "sum": 7})
    );
}

// https://states-language.net/spec.html#filters: "If the value of InputPath is null ... the
// effective input for the state is an empty JSON object"; "If the value of OutputPath is null
// ... the effective output from the state is an empty JSON object"; "Then ResultPath cannot
// apply and the interpreter fails the machine with an Error Name of
// States.ResultPathMatchFailure" (state input "foo", ResultPath "$.x").
#[test]
fn spec_null_paths_and_result_path_failure() {
    let out = run(
        &single(json!({"Type": "Pass", "InputPath": null, "End": true})),
        json!({"a": 1}),
    );
    assert_eq!(output(&out), &json!({}));
    let out = run(
        &single(json!({"Type": "Pass", "OutputPath": null, "End": true})),
        json!({"a": 1}),
    );
    assert_eq!(output(&out), &json!({}));
    let out = run(
        &single(json!({"Type": "Pass", "Result": 1, "ResultPath": "$.x", "End": true})),
        json!("foo"),
    );
    assert_eq!(error(&out).0, "States.ResultPathMatchFailure");
}

// https://states-language.net/spec.html#filters: "The value of ResultSelector MUST be a
// Payload Template, whose input is the result, and whose payload replaces and becomes the
// effective result" -- applied before ResultPath, then OutputPath.
#[test]
fn result_selector_then_result_path_then_output_path() {
    let h = Arc::new(Handlers::new().on("${EmrFunctionArn}", |_, _| {
        Ok(json!({"resourceType": "elasticmapreduce", "resource": "createCluster.sync",
                  "output": {"SdkHttpMetadata": {"HttpStatusCode": 200}, "ClusterId": "AKIAIOSFODNN7EXAMPLE"}}))
    }));
    let out = run_with(
        &single(json!({"Type": "Task", "Resource": "${EmrFunctionArn}",
                       "ResultSelector": {"ClusterId.$": "$.output.ClusterId", "ResourceType.$": "$.resourceType"},
                       "ResultPath": "$.EMROutput", "OutputPath": "$.EMROutput", "End": true})),
        json!({"keep": true}),
        h,
    );
    assert_eq!(
        output(&out),
        &json!({"ClusterId": "AKIAIOSFODNN7EXAMPLE", "ResourceType": "elasticmapreduce"})
    );
}

// https://docs.aws.amazon.com/step-functions/latest/dg/state-map.html ("Map State Example With
// Parameters", also https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemselector.html):
// each iteration receives {"parcel": <item>, "courier": "UQS"}, and ResultPath
// "$.detail.shipped" overwrites the array with the iterations' outputs.
#[test]
fn map_with_parameters_and_result_path() {
    let input = json!({
        "ship-date": "2016-03-14T01:59:00Z",
        "detail": {
            "delivery-partner": "UQS",
            "shipped": [
                {"prod": "R31", "dest-code": 9511, "quantity": 1344},
                {"prod": "S39", "dest-code": 9511, "quantity": 40},
                {"prod": "R31", "dest-code": 9833, "quantity": 12},
                {"prod": "R40", "dest-code": 9860, "quantity": 887},
                {"prod": "R40", "dest-code": 9511, "quantity": 1220}
            ]
        }
    });
    let def = json!({"StartAt": "Validate-All", "States": {"Validate-All": {
        "Type": "Map", "InputPath": "$.detail", "ItemsPath": "$.shipped", "MaxConcurrency": 0,
        "ResultPath": "$.detail.shipped",
        "Parameters": {"parcel.$": "$$.Map.Item.Value", "courier.$": "$.delivery-partner"},
        "Iterator": {"StartAt": "Validate", "States": {"Validate": {
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:ship-val", "End": true}}},
        "End": true}}});
    // ship-val echoes its input, so each output element is the iteration input.
    let h = Arc::new(Handlers::new().on(
        "arn:aws:lambda:us-east-1:123456789012:function:ship-val",
        |v, _| Ok(v),
    ));
    let out = run_with(&def, input.clone(), h.clone());
    let first_call = h.calls().into_iter().find(|c| c.2.contains("[0]")).unwrap();
    assert_eq!(
        first_call.1,
        json!({"parcel": {"prod": "R31", "dest-code": 9511, "quantity": 1344}, "courier": "UQS"})
    );
    let mut want = input.clone();
    want["detail"]["shipped"] = Value::Array(
        input["detail"]["shipped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| json!({"parcel": p, "courier": "UQS"}))
            .collect(),
    );
    assert_eq!(output(&out), &want);
}

// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
// ("Context Object Data For Map States": ContextIndex/ContextValue, output copied from the page).
#[test]
fn map_context_object_example() {
    let def = json!({"StartAt": "ExampleMapState", "States": {"ExampleMapState": {
        "Type": "Map",
        "Parameters": {"ContextIndex.$": "$$.Map.Item.Index", "ContextValue.$": "$$.Map.Item.Value"},
        "Iterator": {"StartAt": "TestPass", "States": {"TestPass": {"Type": "Pass", "End": true}}},
        "End": true}}});
    let out = run(
        &def,
        json!([{"who": "bob"}, {"who": "meg"}, {"who": "joe"}]),
    );
    assert_eq!(
        output(&out),
        &json!([
            {"ContextValue": {"who": "bob"}, "ContextIndex": 0},
            {"ContextValue": {"who": "meg"}, "ContextIndex": 1},
            {"ContextValue": {"who": "joe"}, "ContextIndex": 2}
        ])
    );
}

// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemselector.html
// ({"size": 10, "value.$": "$$.Map.Item.Value"} gives {"size": 10, "value": {...}}).
#[test]
fn map_item_selector_example() {
    let def = json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemSelector": {"size": 10, "value.$": "$$.Map.Item.Value"},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P",
                          "States": {"P": {"Type": "Pass", "End": true}}},
        "End": true}}});
    let out = run(
        &def,
        json!([{"resize": "true", "format": "jpg"}, {"resize": "false", "format": "png"}, {"resize": "true", "format": "jpg"}]),
    );
    assert_eq!(
        output(&out)[0],
        json!({"size": 10, "value": {"resize": "true", "format": "jpg"}})
    );
    assert_eq!(output(&out).as_array().unwrap().len(), 3);
}

// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html ("Use
// ResultPath to Include Both Error and Input in a Catch": input {"foo": "bar"} becomes
// {"foo": "bar", "error": {"Error": "Error here", ...}}).
#[test]
fn catch_with_result_path_keeps_the_input() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "${FailFunctionArn}",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "NextTask", "ResultPath": "$.error"}],
              "End": true},
        "NextTask": {"Type": "Pass", "End": true}}});
    let h = Arc::new(Handlers::new().on("${FailFunctionArn}", |_, _| {
        Err(TaskError::new("Error here", "something broke"))
    }));
    let out = run_with(&def, json!({"foo": "bar"}), h);
    assert_eq!(
        output(&out),
        &json!({"foo": "bar", "error": {"Error": "Error here", "Cause": "something broke"}})
    );
}

// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html: a
// retrier with "IntervalSeconds": 3, "MaxAttempts": 2, "BackoffRate": 1.5 "makes up to two
// retry attempts after waiting for 3 and 4.5 seconds".
#[test]
fn retry_backoff_example() {
    let def = single(
        json!({"Type": "Task", "Resource": "${SlowFunctionArn}", "End": true,
        "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 3, "MaxAttempts": 2, "BackoffRate": 1.5}]}),
    );
    let h = Arc::new(Handlers::new().on("${SlowFunctionArn}", |_, _| {
        Err(TaskError::new("States.Timeout", "too slow"))
    }));
    let clock = asl_support::clock();
    let out = Executor::new(h.clone()).with_clock(clock.clone()).start(
        &machine(&def),
        "sm",
        "run",
        json!({}),
    );
    assert_eq!(error(&out).0, "States.Timeout");
    assert_eq!(
        h.count("${SlowFunctionArn}"),
        3,
        "one attempt and two retries"
    );
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_secs(3), Duration::from_millis(4500)]
    );
}

// https://states-language.net/spec.html#choice-state (the ChoiceStateX example: Not,
// NumericEquals, And with NumericGreaterThanEquals/NumericLessThan, Default).
#[test]
fn choice_state_example() {
    let def = json!({"StartAt": "ChoiceStateX", "States": {
        "ChoiceStateX": {"Type": "Choice", "Choices": [
            {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
            {"Variable": "$.value", "NumericEquals": 0, "Next": "ValueIsZero"},
            {"And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20},
                     {"Variable": "$.value", "NumericLessThan": 30}], "Next": "ValueInTwenties"}],
            "Default": "DefaultState"},
        "Public": {"Type": "Pass", "Result": "Public", "End": true},
        "ValueIsZero": {"Type": "Pass", "Result": "ValueIsZero", "End": true},
        "ValueInTwenties": {"Type": "Pass", "Result": "ValueInTwenties", "End": true},
        "DefaultState": {"Type": "Fail", "Error": "DefaultStateError", "Cause": "No Matches!"}}});
    let cases = [
        (json!({"type": "Public", "value": 5}), Ok("Public")),
        (json!({"type": "Private", "value": 0}), Ok("ValueIsZero")),
        (
            json!({"type": "Private", "value": 22}),
            Ok("ValueInTwenties"),
        ),
        (
            json!({"type": "Private", "value": 30}),
            Err("DefaultStateError"),
        ),
    ];
    for (input, want) in cases {
        let out = run(&def, input.clone());
        match want {
            Ok(s) => assert_eq!(output(&out), &json!(s), "{input}"),
            Err(e) => assert_eq!(error(&out), (e, "No Matches!"), "{input}"),
        }
    }
}

// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
// ("BuildId.$": "States.Array($.Id)" with {"Id": 123456} returns "BuildId": [123456]).
#[test]
fn intrinsic_in_pass_parameters() {
    let out = run(
        &single(
            json!({"Type": "Pass", "Parameters": {"BuildId.$": "States.Array($.Id)"}, "End": true}),
        ),
        json!({"Id": 123456}),
    );
    assert_eq!(output(&out), &json!({"BuildId": [123456]}));
}

// https://states-language.net/spec.html#parallel-state: "The Parallel State's output is an
// array with one element for each branch containing the output from that branch."
#[test]
fn parallel_output_is_one_element_per_branch() {
    let def = json!({"StartAt": "LookupCustomerInfo", "States": {"LookupCustomerInfo": {
        "Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "LookupAddress", "States": {"LookupAddress": {"Type": "Task", "Resource": "${AddressFinderArn}", "End": true}}},
            {"StartAt": "LookupPhone", "States": {"LookupPhone": {"Type": "Task", "Resource": "${PhoneFinderArn}", "End": true}}}]}}});
    let h = Arc::new(
        Handlers::new()
            .on("${AddressFinderArn}", |v, _| {
                Ok(json!({"address": v["name"]}))
            })
            .on("${PhoneFinderArn}", |v, _| Ok(json!({"phone": v["name"]}))),
    );
    let out = run_with(&def, json!({"name": "x"}), h);
    assert_eq!(output(&out), &json!([{"address": "x"}, {"phone": "x"}]));
}

// https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html: ErrorPath and
// CausePath take a reference path or an intrinsic function.
#[test]
fn fail_state_error_and_cause_paths() {
    let out = run(
        &single(json!({"Type": "Fail", "ErrorPath": "$.err",
                       "CausePath": "States.Format('This is a custom error message for {}, caused by {}.', $.Error, $.Cause)"})),
        json!({"err": "CustomError", "Error": "TaskFailed", "Cause": "a timeout"}),
    );
    assert_eq!(
        error(&out),
        (
            "CustomError",
            "This is a custom error message for TaskFailed, caused by a timeout."
        )
    );
}

// https://states-language.net/spec.html#wait-state: Seconds, Timestamp, SecondsPath,
// TimestampPath; the output of a Wait state is its input.
#[test]
fn wait_states_use_the_injected_clock() {
    let start = "2023-11-14T22:13:20Z"; // asl_support::clock() starts at 1_700_000_000
    let cases = [
        (
            json!({"Type": "Wait", "Seconds": 10, "End": true}),
            json!({}),
            10,
        ),
        (
            json!({"Type": "Wait", "Timestamp": "2023-11-14T22:14:20Z", "End": true}),
            json!({}),
            60,
        ),
        (
            json!({"Type": "Wait", "SecondsPath": "$.s", "End": true}),
            json!({"s": 5}),
            5,
        ),
        (
            json!({"Type": "Wait", "TimestampPath": "$.t", "End": true}),
            json!({"t": "2023-11-14T23:13:20+01:00"}),
            0,
        ),
        (
            json!({"Type": "Wait", "TimestampPath": "$.t", "End": true}),
            json!({"t": start}),
            0,
        ),
    ];
    for (state, input, secs) in cases {
        let clock: Arc<ManualClock> = asl_support::clock();
        let out = Executor::new(Arc::new(Handlers::new()))
            .with_clock(clock.clone())
            .start(&machine(&single(state.clone())), "sm", "run", input.clone());
        assert_eq!(output(&out), &input, "{state}");
        let slept: u64 = clock.sleeps().iter().map(Duration::as_secs).sum();
        assert_eq!(slept, secs, "{state}");
    }
    let out = run(
        &single(json!({"Type": "Wait", "SecondsPath": "$.s", "End": true})),
        json!({"s": "x"}),
    );
    assert_eq!(error(&out).0, "States.Runtime");
}

// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html:
// "$$.Execution.Id", "$$.State.Name", "$$.StateMachine.Id" and
// "$$.Execution.Input"/"Name"/"StartTime" ("$$.State.RetryCount" exists only in states that
// retry: see asl_differences.rs).
#[test]
fn context_object_fields() {
    let def = single(json!({"Type": "Pass", "End": true, "Parameters": {
        "exec.$": "$$.Execution.Id", "name.$": "$$.Execution.Name", "input.$": "$$.Execution.Input",
        "start.$": "$$.Execution.StartTime", "state.$": "$$.State.Name", "entered.$": "$$.State.EnteredTime",
        "machine.$": "$$.StateMachine.Id"}}));
    let out = run(&def, json!({"k": "v"}));
    assert_eq!(
        output(&out),
        &json!({
            "exec": "arn:aws:states:local:000000000000:execution:sm:run",
            "name": "run",
            "input": {"k": "v"},
            "start": "2023-11-14T22:13:20.000Z",
            "state": "S",
            "entered": "2023-11-14T22:13:20.000Z",
            "machine": "arn:aws:states:local:000000000000:stateMachine:sm"
        })
    );
}
