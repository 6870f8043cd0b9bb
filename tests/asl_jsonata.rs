//! JSONata states, with cases written from the AWS Step Functions guide: "Transforming data
//! with JSONata in Step Functions" (transforming-data.html), "Passing data between states
//! with variables" (workflow-variables.html), the state pages (Pass, Choice, Map, Wait,
//! Fail, Task) and "Handling errors" (concepts-error-handling.html), cited below by page.

mod asl_support;

use std::sync::Arc;

use asl_support::{Handlers, error, output, run, run_with};
use idpctl::asl::StateMachine;
use idpctl::asl::jsonata::Expression;
use idpctl::asl::{Executor, TaskError};
use serde_json::{Value, json};

fn jsonata(states: Value, start: &str) -> Value {
    json!({"QueryLanguage": "JSONata", "StartAt": start, "States": states})
}

fn load_error(def: &Value) -> String {
    StateMachine::from_value(def).unwrap_err().to_string()
}

// transforming-data.html: the JSONPath sample converted to JSONata — "Arguments": {"static":
// "Hello", "title": "{% $states.input.title %}", "name": "{% $customerName %}",
// "not-evaluated": "$customerName"}; given the input {"title": "Doctor"} and customerName
// "María", the result is {"static": "Hello", "title": "Doctor", "name": "María",
// "not-evaluated": "$customerName"}.
#[test]
fn arguments_evaluate_only_the_expressions() {
    let def = jsonata(
        json!({
            "Name": {"Type": "Pass", "Assign": {"customerName": "María"}, "Next": "Call"},
            "Call": {"Type": "Task", "Resource": "${EchoArn}", "End": true, "Arguments": {
                "static": "Hello", "title": "{% $states.input.title %}",
                "name": "{% $customerName %}", "not-evaluated": "$customerName"}}
        }),
        "Name",
    );
    let h = Arc::new(Handlers::new().on("${EchoArn}", |v, _| Ok(v)));
    let out = run_with(&def, json!({"title": "Doctor"}), h.clone());
    assert_eq!(
        output(&out),
        &json!({"static": "Hello", "title": "Doctor", "name": "María", "not-evaluated": "$customerName"})
    );
    assert_eq!(h.count("${EchoArn}"), 1);
}

// transforming-data.html: "$states.result: the result of the task or sub-workflow, if
// successful"; Output defaults to the result, and Assign and Output both read it. The
// optimized Lambda integration wraps the function's answer in Payload.
#[test]
fn task_output_and_assign_read_the_result() {
    let def = jsonata(
        json!({
            "Invoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "price", "Payload": {"sku": "{% $states.input.sku %}"}},
                "Assign": {"price": "{% $states.result.Payload.price %}"},
                "Output": {"total": "{% $states.result.Payload.price * $states.input.qty %}",
                           "status": "{% $states.result.StatusCode %}"},
                "Next": "Use"},
            "Use": {"Type": "Pass", "Output": "{% $price & ' each, ' & $states.input.total & ' in all' %}", "End": true}
        }),
        "Invoke",
    );
    let h = Arc::new(Handlers::new().on("price", |v, _| {
        assert_eq!(v, json!({"sku": "A1"}));
        Ok(json!({"price": 2.5}))
    }));
    let out = run_with(&def, json!({"sku": "A1", "qty": 4}), h);
    assert_eq!(output(&out), &json!("2.5 each, 10 in all"));
}

// pass state page (JSONata): Output replaces the input; without Output the input passes
// through. A JSONata state can sit in a JSONPath machine (QueryLanguage on the state).
#[test]
fn pass_states_and_mixed_languages() {
    let def = json!({"StartAt": "Old", "States": {
        "Old": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "New"},
        "New": {"Type": "Pass", "QueryLanguage": "JSONata",
                "Output": {"doubled": "{% $states.input.n * 2 %}", "list": [1, "{% $states.input.n %}"]},
                "Next": "Through"},
        "Through": {"Type": "Pass", "QueryLanguage": "JSONata", "End": true}}});
    let out = run(&def, json!({"n": 21, "other": true}));
    assert_eq!(output(&out), &json!({"doubled": 42, "list": [1, 21]}));
}

// choice state page: "Condition": "{% $states.input.type = 'Private' %}"-style rules, the
// first true rule wins, Default otherwise; a rule's Output and Assign apply when it matches.
#[test]
fn choice_conditions_outputs_and_default() {
    let def = jsonata(
        json!({
            "Route": {"Type": "Choice", "Assign": {"routed": true},
                "Choices": [
                    {"Condition": "{% $states.input.value > 100 %}", "Next": "Big",
                     "Output": {"size": "big"}, "Assign": {"rule": "big"}},
                    {"Condition": "{% $states.input.value > 10 and $states.input.value <= 100 %}", "Next": "Medium"}],
                "Default": "Small"},
            "Big": {"Type": "Pass", "Output": {"in": "{% $states.input %}", "rule": "{% $rule %}", "routed": "{% $routed %}"}, "End": true},
            "Medium": {"Type": "Succeed", "Output": "{% 'medium ' & $states.input.value %}"},
            "Small": {"Type": "Succeed"}
        }),
        "Route",
    );
    assert_eq!(
        output(&run(&def, json!({"value": 500}))),
        &json!({"in": {"size": "big"}, "rule": "big", "routed": true})
    );
    assert_eq!(
        output(&run(&def, json!({"value": 50}))),
        &json!("medium 50")
    );
    assert_eq!(
        output(&run(&def, json!({"value": 5}))),
        &json!({"value": 5})
    );
    // A condition that is not a boolean is a query evaluation error, not a silent false.
    let bad = jsonata(
        json!({"C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.value %}", "Next": "S"}], "Default": "S"},
               "S": {"Type": "Succeed"}}),
        "C",
    );
    let out = run(&bad, json!({"value": 5}));
    let (e, cause) = error(&out);
    assert_eq!(e, "States.QueryEvaluationError");
    assert!(cause.contains("must evaluate to a boolean"), "{cause}");
}

// map state page (JSONata): "Items" gives the array (an expression or a literal array),
// "ItemSelector" builds each input with $states.context.Map.Item.Value/Index, and the Map's
// Output reads $states.result (the array of iteration outputs).
#[test]
fn map_items_item_selector_and_output() {
    let def = jsonata(
        json!({
            "Fan": {"Type": "Map", "Items": "{% $states.input.orders %}",
                "ItemSelector": {"id": "{% $states.context.Map.Item.Value.id %}",
                                 "pos": "{% $states.context.Map.Item.Index %}",
                                 "currency": "{% $states.input.currency %}"},
                "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Tag", "States": {
                    "Tag": {"Type": "Pass", "Output": "{% $states.input.id & '@' & $states.input.pos & ' ' & $states.input.currency %}", "End": true}}},
                "Output": {"tags": "{% $states.result %}", "n": "{% $count($states.result) %}"},
                "Next": "Literal"},
            "Literal": {"Type": "Map", "Items": [1, 2, 3],
                "ItemProcessor": {"StartAt": "Sq", "States": {
                    "Sq": {"Type": "Pass", "Output": "{% $states.input * $states.input %}", "End": true}}},
                "Output": {"prev": "{% $states.input %}", "squares": "{% $states.result %}"},
                "End": true}
        }),
        "Fan",
    );
    let out = run(
        &def,
        json!({"orders": [{"id": "a"}, {"id": "b"}], "currency": "EUR"}),
    );
    assert_eq!(
        output(&out),
        &json!({"prev": {"tags": ["a@0 EUR", "b@1 EUR"], "n": 2}, "squares": [1, 4, 9]})
    );
    let bad = jsonata(
        json!({"M": {"Type": "Map", "Items": "{% $states.input.nope %}", "End": true,
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}}),
        "M",
    );
    let out = run(&bad, json!({}));
    let (e, cause) = error(&out);
    assert_eq!(e, "States.QueryEvaluationError");
    assert!(cause.contains("returned nothing"), "{cause}");
}

// parallel state page: Arguments is each branch's input; Output reads $states.result, the
// array of branch outputs.
#[test]
fn parallel_arguments_and_output() {
    let def = jsonata(
        json!({"P": {"Type": "Parallel", "Arguments": {"x": "{% $states.input.x %}"},
            "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $states.input.x + 1 %}", "End": true}}},
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "Output": "{% $states.input.x * 10 %}", "End": true}}}],
            "Output": "{% $sum($states.result) %}", "End": true}}),
        "P",
    );
    assert_eq!(output(&run(&def, json!({"x": 2}))), &json!(23));
}

// wait state page (JSONata): "Seconds" and "Timestamp" accept an integer/string or an
// expression; the manual clock advances by exactly the wait.
#[test]
fn wait_seconds_and_timestamp_expressions() {
    let def = jsonata(
        json!({
            "W1": {"Type": "Wait", "Seconds": "{% $states.input.delay * 2 %}", "Next": "W2"},
            "W2": {"Type": "Wait", "Timestamp": "{% $states.input.until %}", "Next": "W3"},
            "W3": {"Type": "Wait", "Seconds": 5, "Output": {"waited": true}, "End": true}
        }),
        "W1",
    );
    let clock = asl_support::clock();
    let start = idpctl::asl::Clock::now(clock.as_ref());
    let out = Executor::new(Arc::new(Handlers::new()))
        .with_clock(clock.clone())
        .start(
            &StateMachine::from_value(&def).unwrap(),
            "sm",
            "run",
            // The manual clock starts at 2023-11-14T22:13:20Z (1_700_000_000).
            json!({"delay": 30, "until": "2023-11-14T22:20:00Z"}),
        );
    assert_eq!(output(&out), &json!({"waited": true}));
    let waited = idpctl::asl::Clock::now(clock.as_ref())
        .duration_since(start)
        .unwrap()
        .as_secs();
    assert_eq!(
        waited,
        400 + 5,
        "60 s, then until 22:20:00 (340 s more), then 5 s"
    );
    let bad = jsonata(
        json!({"W": {"Type": "Wait", "Seconds": "{% 'soon' %}", "End": true}}),
        "W",
    );
    let out = run(&bad, json!({}));
    let (e, cause) = error(&out);
    assert_eq!(e, "States.QueryEvaluationError");
    assert!(cause.contains("non-negative integer"), "{cause}");
}

// fail state page (JSONata): "Error" and "Cause" may be expressions.
#[test]
fn fail_error_and_cause_expressions() {
    let def = jsonata(
        json!({"F": {"Type": "Fail", "Error": "{% 'Order.' & $states.input.code %}",
                     "Cause": "{% 'order ' & $states.input.id & ' was rejected' %}"}}),
        "F",
    );
    let out = run(&def, json!({"code": "Rejected", "id": 7}));
    assert_eq!(error(&out), ("Order.Rejected", "order 7 was rejected"));
    let fixed = jsonata(
        json!({"F": {"Type": "Fail", "Error": "E", "Cause": "literal"}}),
        "F",
    );
    assert_eq!(error(&run(&fixed, json!({}))), ("E", "literal"));
}

// concepts-error-handling.html (JSONata): a catcher's Output defaults to $states.errorOutput
// ({"Error", "Cause"}); its Output and Assign read $states.errorOutput, and the state's own
// Assign is skipped.
#[test]
fn catch_output_and_assign_read_the_error_output() {
    let def = jsonata(
        json!({
            "Work": {"Type": "Task", "Resource": "${FailArn}", "Assign": {"never": 1},
                "Catch": [
                    {"ErrorEquals": ["Custom.Bad"], "Next": "Handled",
                     "Assign": {"why": "{% $states.errorOutput.Cause %}"},
                     "Output": {"error": "{% $states.errorOutput.Error %}", "input": "{% $states.input %}"}},
                    {"ErrorEquals": ["States.ALL"], "Next": "Default"}],
                "End": true},
            "Handled": {"Type": "Pass", "Output": {"caught": "{% $states.input %}", "why": "{% $why %}"}, "End": true},
            "Default": {"Type": "Pass", "End": true}
        }),
        "Work",
    );
    let h = Arc::new(Handlers::new().on("${FailArn}", |v, _| {
        if v["kind"] == "bad" {
            Err(TaskError::new("Custom.Bad", "it was bad"))
        } else {
            Err(TaskError::new("Other", "something else"))
        }
    }));
    let out = run_with(&def, json!({"kind": "bad"}), h.clone());
    assert_eq!(
        output(&out),
        &json!({"caught": {"error": "Custom.Bad", "input": {"kind": "bad"}}, "why": "it was bad"})
    );
    let out = run_with(&def, json!({"kind": "other"}), h);
    assert_eq!(
        output(&out),
        &json!({"Error": "Other", "Cause": "something else"})
    );
}

// workflow-variables.html: Assign in JSONata states ("{% ... %}" values); every expression
// of one Assign and the Output see the variables of state entry, so values can be swapped.
#[test]
fn assign_across_states_sees_values_of_state_entry() {
    let def = jsonata(
        json!({
            "Init": {"Type": "Pass", "Assign": {"a": 1, "b": 2, "list": [1, 2, 3]}, "Next": "Swap"},
            "Swap": {"Type": "Pass", "Assign": {"a": "{% $b %}", "b": "{% $a %}"},
                     "Output": {"aAtEntry": "{% $a %}"}, "Next": "Read"},
            "Read": {"Type": "Pass", "Output": {"a": "{% $a %}", "b": "{% $b %}",
                     "sum": "{% $sum($list) %}", "prev": "{% $states.input.aAtEntry %}"}, "End": true}
        }),
        "Init",
    );
    assert_eq!(
        output(&run(&def, json!({}))),
        &json!({"a": 2, "b": 1, "sum": 6, "prev": 1})
    );
}

// transforming-data.html ("JSONata functions provided by Step Functions"): $partition,
// $range, $hash, $random with a seed, $uuid and $parse; and the context object through
// $states.context.
#[test]
fn step_functions_functions_and_context() {
    let def = jsonata(
        json!({"S": {"Type": "Pass", "Output": {
            "partition": "{% $partition([1,2,3,4], 2) %}",
            "range": "{% $range(1, 5, 2) %}",
            "hash": "{% $hash('input data', 'SHA-1') %}",
            "seeded": "{% $random(7) = $random(7) and $random(7) != $random(8) %}",
            "uuid": "{% $uuid() ~> $match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) ~> $exists() %}",
            "parsed": "{% $parse($states.input.json).items[1] %}",
            "name": "{% $states.context.State.Name & '/' & $states.context.Execution.Name %}",
            "original": "{% $states.context.Execution.Input.json %}"
        }, "End": true}}),
        "S",
    );
    let out = run(&def, json!({"json": "{\"items\": [\"a\", \"b\"]}"}));
    assert_eq!(
        output(&out),
        &json!({
            "partition": [[1, 2], [3, 4]],
            "range": [1, 3, 5],
            "hash": "aaff4a450a104cd177d28d18d74485e8cae074b7",
            "seeded": true,
            "uuid": true,
            "parsed": "b",
            "name": "S/run",
            "original": "{\"items\": [\"a\", \"b\"]}"
        })
    );
}

// transforming-data.html: an expression that evaluates to nothing, or that fails, is a
// States.QueryEvaluationError naming the field; a catcher can catch it.
#[test]
fn evaluation_errors_are_query_evaluation_errors() {
    for (expr, want) in [
        (
            "{% $states.input.missing %}",
            "returned nothing (undefined)",
        ),
        ("{% $states.input.text + 1 %}", "T2001"),
        ("{% $error('stop here') %}", "stop here"),
        ("{% $range(1, 5000, 1) %}", "more than 1000"),
        ("{% ($f := function(){ $f() }; $f()) %}", "limit"),
    ] {
        let def = jsonata(
            json!({"S": {"Type": "Pass", "Output": {"x": expr}, "End": true}}),
            "S",
        );
        let out = run(&def, json!({"text": "a"}));
        let (e, cause) = error(&out);
        assert_eq!(e, "States.QueryEvaluationError", "{expr}");
        assert!(
            cause.contains(want) && cause.contains("'Output/x'"),
            "{expr}: {cause}"
        );
    }
    let caught = jsonata(
        json!({"T": {"Type": "Task", "Resource": "${EchoArn}", "Arguments": "{% $states.input.nothing %}",
                     "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "C"}], "End": true},
               "C": {"Type": "Pass", "Output": "{% $states.input.Error %}", "End": true}}),
        "T",
    );
    let h = Arc::new(Handlers::new().on("${EchoArn}", |v, _| Ok(v)));
    let out = run_with(&caught, json!({}), h.clone());
    assert_eq!(output(&out), &json!("States.QueryEvaluationError"));
    assert_eq!(h.count("${EchoArn}"), 0, "the task never ran");
}

// transforming-data.html: JSONata states do not have the five JSONPath fields; AWS refuses a
// definition that mixes them, and so does loading one here, naming the state and field.
#[test]
fn jsonpath_fields_in_jsonata_states_are_refused() {
    for (state, want) in [
        (
            json!({"Type": "Pass", "InputPath": "$.a", "End": true}),
            "InputPath is a JSONPath field",
        ),
        (
            json!({"Type": "Task", "Resource": "r", "Parameters": {}, "End": true}),
            "Parameters is a JSONPath field",
        ),
        (
            json!({"Type": "Task", "Resource": "r", "ResultPath": "$.r", "End": true}),
            "ResultPath is a JSONPath field",
        ),
        (
            json!({"Type": "Map", "ItemsPath": "$.a", "End": true,
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}),
            "ItemsPath is a JSONPath field",
        ),
        (
            json!({"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": true, "Next": "S"}]}),
            "Choices[0].Variable",
        ),
        (
            json!({"Type": "Pass", "Output": "{% $states.input. %}", "End": true}),
            "invalid JSONata expression",
        ),
        // path-operators: a parent (%) with no step to find it through is S0217.
        (
            json!({"Type": "Pass", "Output": "{% %.a %}", "End": true}),
            "S0217",
        ),
        // transforming-data.html: "Step Functions supports JSONata version 2.0.6"; ?: and ??
        // came with JSONata 2.1.
        (
            json!({"Type": "Pass", "Output": "{% $states.input.a ?: 1 %}", "End": true}),
            "newer than JSONata 2.0.6",
        ),
    ] {
        let def = jsonata(json!({"S": state}), "S");
        let e = load_error(&def);
        assert!(
            e.contains("state \"S\"") && e.contains(want),
            "{e}\nwant: {want}"
        );
    }
    let e = load_error(
        &json!({"QueryLanguage": "JSONata", "StartAt": "S", "States": {
        "S": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": true}}}),
    );
    assert!(e.contains("not allowed in a JSONata state machine"), "{e}");
}

// A few cases from the JSONata reference (docs.jsonata.org), through the public API.
#[test]
fn jsonata_reference_examples() {
    let data = json!({"Account": {"Order": [
        {"OrderID": "o1", "Product": [{"Name": "Hat", "Price": 34.45, "Quantity": 2}, {"Name": "Trilby", "Price": 21.67, "Quantity": 1}]},
        {"OrderID": "o2", "Product": [{"Name": "Hat", "Price": 34.45, "Quantity": 4}, {"Name": "Cloak", "Price": 107.99, "Quantity": 1}]}]}});
    for (expr, want) in [
        (
            "$sum(Account.Order.Product.(Price * Quantity))",
            json!(336.36),
        ),
        (
            "Account.Order.Product[Quantity > 1].Name",
            json!(["Hat", "Hat"]),
        ),
        (
            "Account.Order.Product{Name: $sum(Quantity)}",
            json!({"Hat": 6, "Trilby": 1, "Cloak": 1}),
        ),
        ("Account.Order.Product^(>Price)[0].Name", json!("Cloak")),
        (
            "$map(Account.Order, function($o){ $o.OrderID & ':' & $count($o.Product) })",
            json!(["o1:2", "o2:2"]),
        ),
        ("Account.Order.OrderID ~> $join(',')", json!("o1,o2")),
        (
            "$formatNumber($sum(Account.Order.Product.Price), '#,##0.00')",
            json!("198.56"),
        ),
    ] {
        let got = Expression::parse(expr)
            .unwrap()
            .evaluate_plain(&data)
            .unwrap();
        assert_eq!(got, Some(want), "{expr}");
    }
}

// map state page (JSONata): MaxConcurrency, ToleratedFailureCount and
// ToleratedFailurePercentage may be JSONata expressions, evaluated on the state input when
// the Map starts.
#[test]
fn map_limits_as_expressions() {
    let map = |limits: Value| {
        let mut m = json!({"Type": "Map", "Items": "{% $states.input.items %}", "End": true,
            "ItemProcessor": {"StartAt": "Check", "States": {
                "Check": {"Type": "Choice", "Choices": [
                    {"Condition": "{% $states.input < 0 %}", "Next": "Bad"}], "Default": "Ok"},
                "Bad": {"Type": "Fail", "Error": "Negative"},
                "Ok": {"Type": "Pass", "End": true}}}});
        for (k, v) in limits.as_object().unwrap() {
            m[k] = v.clone();
        }
        jsonata(json!({"M": m}), "M")
    };
    let input = json!({"items": [1, -2, 3, -4], "conc": 2, "tolerate": 2, "pct": 25});
    // Two failures of four: tolerated by a count of 2, not by 1 or by 25 %.
    let def = map(json!({"MaxConcurrency": "{% $states.input.conc %}",
        "ToleratedFailureCount": "{% $states.input.tolerate %}"}));
    let out = run(&def, input.clone());
    // A failed iteration's place holds its error output.
    assert_eq!(
        output(&out),
        &json!([1, {"Error": "Negative", "Cause": ""}, 3, {"Error": "Negative", "Cause": ""}])
    );
    let def = map(json!({"ToleratedFailureCount": "{% $states.input.tolerate - 1 %}"}));
    assert_eq!(
        error(&run(&def, input.clone())).0,
        "States.ExceedToleratedFailureThreshold"
    );
    let def = map(json!({"ToleratedFailurePercentage": "{% $states.input.pct %}"}));
    assert_eq!(
        error(&run(&def, input.clone())).0,
        "States.ExceedToleratedFailureThreshold"
    );
    let def = map(json!({"ToleratedFailurePercentage": "{% $states.input.pct * 2 %}"}));
    assert!(run(&def, input.clone()).output().is_some());
    // Values of the wrong kind name the field.
    for (limits, want) in [
        (
            json!({"MaxConcurrency": "{% -1 %}"}),
            "MaxConcurrency of Map state 'M' must evaluate to a non-negative integer",
        ),
        (json!({"MaxConcurrency": "{% 'two' %}"}), "MaxConcurrency"),
        (
            json!({"ToleratedFailureCount": "{% 1.5 %}"}),
            "ToleratedFailureCount",
        ),
        (
            json!({"ToleratedFailurePercentage": "{% 101 %}"}),
            "within 0-100",
        ),
    ] {
        let out = run(&map(limits), input.clone());
        let (e, cause) = error(&out);
        assert_eq!(e, "States.QueryEvaluationError", "{cause}");
        assert!(cause.contains(want), "{cause}");
    }
}

// JSONata's path operators and the transform operator in state fields (path-operators,
// other-operators#transform in the JSONata reference; Step Functions runs JSONata 2.0).
#[test]
fn bindings_parent_and_transform_in_states() {
    let def = jsonata(
        json!({
            "Lines": {"Type": "Pass", "Next": "Reprice", "Output": {
                "lines": "{% $states.input.orders.items#$i.{'order': %.id, 'line': $i + 1, 'sku': sku} %}",
                "joined": "{% $states.input.orders@$o.$states.input.customers@$c[$o.customer = $c.id].($c.name & ':' & $o.id) %}",
                "input": "{% $states.input %}"}},
            "Reprice": {"Type": "Pass", "End": true,
                "Output": "{% $states.input.input ~> |orders.items|{'price': price * 2}, 'sku'| %}"}
        }),
        "Lines",
    );
    let input = json!({
        "orders": [
            {"id": "o1", "customer": "c2", "items": [{"sku": "a", "price": 1}, {"sku": "b", "price": 2}]},
            {"id": "o2", "customer": "c1", "items": [{"sku": "c", "price": 3}]}],
        "customers": [{"id": "c1", "name": "Ann"}, {"id": "c2", "name": "Bob"}]});
    let mut lines = def["States"]["Lines"].clone();
    lines.as_object_mut().unwrap().remove("Next");
    lines["End"] = json!(true);
    let first = run(&jsonata(json!({ "Lines": lines }), "Lines"), input.clone());
    assert_eq!(
        output(&first)["lines"],
        json!([
            {"order": "o1", "line": 1, "sku": "a"},
            {"order": "o1", "line": 2, "sku": "b"},
            {"order": "o2", "line": 1, "sku": "c"}])
    );
    assert_eq!(output(&first)["joined"], json!(["Bob:o1", "Ann:o2"]));
    let out = run(&def, input);
    assert_eq!(
        output(&out)["orders"][0]["items"],
        json!([{"price": 2}, {"price": 4}])
    );
    assert_eq!(output(&out)["customers"][0]["name"], json!("Ann"));
}
