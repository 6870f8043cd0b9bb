//! ASL: definitions (the recorded conformance cases and a definition with every state type,
//! mutated node by node and nested deeper), paths and reference paths (generated from their
//! grammar and as raw text, read and written on random documents), intrinsic functions
//! (generated call trees, nested past AWS's limit, evaluated on random input) and payload
//! templates.

use std::time::{Duration, UNIX_EPOCH};

use idpctl::asl::context::{ContextObject, ExecutionInfo};
use idpctl::asl::definition::{StateMachine, transitions};
use idpctl::asl::intrinsics::Intrinsic;
use idpctl::asl::path::{Path, ReferencePath};
use idpctl::asl::template::PayloadTemplate;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::harness::{self, explained, run};
use crate::mutate;

/// One definition with every state type and most fields.
fn every_state() -> Value {
    json!({
        "Comment": "every state type",
        "TimeoutSeconds": 300,
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Parameters": {"items.$": "States.ArrayRange(1, 5, 1)",
                "name.$": "States.Format('{}-{}', $.a, $$.Execution.Name)"},
                "ResultPath": "$.prepared", "Next": "Work"},
            "Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                "ResultSelector": {"body.$": "$.Payload"}, "OutputPath": "$.body",
                "TimeoutSeconds": 30, "HeartbeatSeconds": 10,
                "Retry": [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1,
                    "MaxAttempts": 3, "BackoffRate": 2.0, "MaxDelaySeconds": 10,
                    "JitterStrategy": "FULL"}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
                "Next": "Route"},
            "Route": {"Type": "Choice", "Choices": [
                {"And": [{"Variable": "$.n", "NumericGreaterThan": 1},
                         {"Not": {"Variable": "$.s", "StringMatches": "a*b"}}], "Next": "Fan"},
                {"Variable": "$.t", "TimestampLessThanPath": "$.u", "Next": "Later"}],
                "Default": "Done"},
            "Later": {"Type": "Wait", "TimestampPath": "$.when", "Next": "Fan"},
            "Fan": {"Type": "Map", "ItemsPath": "$.prepared.items", "MaxConcurrency": 2,
                "ItemSelector": {"i.$": "$$.Map.Item.Value"},
                "ToleratedFailurePercentage": 10,
                "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Each",
                    "States": {"Each": {"Type": "Wait", "Seconds": 1, "End": true}}},
                "ResultPath": "$.fanned", "Next": "Both"},
            "Both": {"Type": "Parallel", "Branches": [
                {"StartAt": "L", "States": {"L": {"Type": "Pass", "Result": 1, "End": true}}},
                {"StartAt": "R", "States": {"R": {"Type": "Succeed"}}}],
                "Next": "Done"},
            "Done": {"Type": "Succeed"},
            "Failed": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"}
        }
    })
}

fn definition_seeds() -> Vec<Value> {
    let path = format!(
        "{}/tests/fixtures/asl/moto_cases.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect(&path);
    let mut v: Vec<Value> = cases.into_iter().map(|c| c["definition"].clone()).collect();
    v.push(every_state());
    v
}

/// The machine as a branch of a Parallel, `depth` times over: nesting deepened the way real
/// definitions nest.
fn nest_in_parallel(mut def: Value, depth: usize) -> Value {
    for k in 0..depth {
        def = json!({"StartAt": format!("P{k}"), "States": {format!("P{k}"): {
            "Type": "Parallel", "Branches": [def], "End": true}}});
    }
    def
}

fn parse_definition(text: String) -> Result<(), TestCaseError> {
    let out = run(move || {
        StateMachine::from_json(&text).map(|sm| {
            // Every state's transitions are readable (the validator and the graph walk use them).
            let mut n = 0;
            for state in sm.root.states.values() {
                n += transitions(state).len();
            }
            n
        })
    })?;
    if let Err(e) = out {
        explained(&e)?;
    }
    Ok(())
}

/// Paths from their grammar: roots, names, quoted names with escapes, indices, and the query
/// forms handed to the RFC 9535 engine.
fn path_text() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        "\\.[a-zA-Z_][a-zA-Z0-9_-]{0,6}",
        "\\['[a-z\\\\' .\"]{0,6}'\\]",
        "\\[\"[a-z\\\\' .\"]{0,6}\"\\]",
        (any::<i64>()).prop_map(|i| format!("[{i}]")),
        prop::sample::select(vec![
            "[*]",
            ".*",
            "..a",
            "..*",
            "[0:2]",
            "[::-1]",
            "[1:]",
            "[-1:]",
            "[?(@.a > 1)]",
            "[?@.a == 'x']",
            "['a','b']",
            "[0,1]",
            "[99999999999999999999]",
            "[",
            "]",
            ".",
            "['unterminated",
            "[?(",
            "\\.",
            ".a\\.b",
            "[-0]",
            "[ 1 ]",
            "['a\\'b']",
        ])
        .prop_map(str::to_string),
    ];
    (
        prop::sample::select(vec!["$", "$$", "", "$$$", "@"]),
        prop::collection::vec(segment, 0..6),
    )
        .prop_map(|(root, segs)| format!("{root}{}", segs.concat()))
}

/// Intrinsic calls from their grammar, nested `depth` levels (AWS allows 10).
fn intrinsic_text(depth: u32) -> BoxedStrategy<String> {
    let name = prop::sample::select(vec![
        "States.Format",
        "States.Array",
        "States.UUID",
        "States.StringToJson",
        "States.JsonToString",
        "States.ArrayLength",
        "States.ArrayUnique",
        "States.Base64Encode",
        "States.Base64Decode",
        "States.ArrayPartition",
        "States.ArrayContains",
        "States.ArrayGetItem",
        "States.Hash",
        "States.MathAdd",
        "States.StringSplit",
        "States.ArrayRange",
        "States.JsonMerge",
        "States.MathRandom",
        "States.Bogus",
        "Format",
    ]);
    let leaf = prop_oneof![
        prop::sample::select(vec![
            "'{}'",
            "'{} and {}'",
            "'\\{\\}'",
            "'\\''",
            "'\\\\'",
            "'\\x'",
            "''",
            "'",
            "'SHA-256'",
            "'MD5'",
            "'a,b'",
            "'aGVsbG8='",
            "'!!'",
            "null",
            "true",
            "false",
            "0",
            "1",
            "-1",
            "1.5",
            "-0.5",
            "1e308",
            "9223372036854775807",
            "-9223372036854775808",
            "18446744073709551616",
            "2147483648",
            "$",
            "$.a",
            "$.arr",
            "$.n",
            "$.s",
            "$.obj",
            "$$.Execution.Input",
            "$$.State.Name",
            "$.missing",
            "$.big",
        ])
        .prop_map(str::to_string),
        any::<i64>().prop_map(|i| i.to_string()),
        "'[a-z{}\\\\ ]{0,8}'",
    ];
    if depth == 0 {
        return (name, prop::collection::vec(leaf, 0..4))
            .prop_map(|(n, a)| format!("{n}({})", a.join(", ")))
            .boxed();
    }
    let arg = prop_oneof![3 => leaf, 1 => intrinsic_text(depth - 1)];
    (name, prop::collection::vec(arg, 0..4))
        .prop_map(|(n, a)| format!("{n}({})", a.join(", ")))
        .boxed()
}

/// The input intrinsics and paths read: the names the generators use, with hostile values.
fn input_doc() -> impl Strategy<Value = Value> {
    (mutate::json_value(), any::<i64>(), ".{0,20}").prop_map(|(v, n, s)| {
        json!({"a": v, "arr": [1, "x", [2], {"k": null}, 1], "n": n, "s": s,
               "obj": {"a": {"b": [1, 2]}}, "big": i64::MAX})
    })
}

fn info(input: Value) -> ExecutionInfo {
    ExecutionInfo::local(
        "fuzz",
        "run",
        input,
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    )
}

proptest! {
    #![proptest_config(harness::config(1))]

    #[test]
    fn definitions_parse_or_explain(
        seed in prop::sample::select(definition_seeds()),
        mutations in mutate::json_mutations(5),
        nesting in prop_oneof![Just(0usize), 1usize..40],
    ) {
        let mut def = seed;
        mutate::apply_json(&mut def, &mutations);
        parse_definition(nest_in_parallel(def, nesting).to_string())?;
    }

    #[test]
    fn definitions_as_raw_text(
        seed in prop::sample::select(definition_seeds()),
        cut in any::<prop::sample::Index>(),
        mutations in mutate::byte_mutations(3),
    ) {
        let mut bytes = seed.to_string().into_bytes();
        bytes.truncate(cut.index(bytes.len() + 1).max(bytes.len() / 2));
        mutate::apply_bytes(&mut bytes, &mutations, &[]);
        parse_definition(String::from_utf8_lossy(&bytes).into_owned())?;
    }

    #[test]
    fn paths_parse_read_and_write(
        text in prop_oneof![4 => path_text(), 1 => ".{0,24}"],
        doc in input_doc(),
        value in mutate::json_value(),
    ) {
        let out = run(move || -> Result<(), String> {
            if let Ok(p) = Path::parse(&text) {
                let _ = p.select(&doc);
            }
            if let Ok(r) = ReferencePath::parse(&text) {
                let before = r.get(&doc).cloned();
                // Reading through `Path` agrees with reading through the reference path.
                if let Ok(p) = Path::parse(&text)
                    && p.is_reference()
                    && p.select(&doc) != before
                {
                    return Err(format!("{text}: Path and ReferencePath read differently"));
                }
                // What ResultPath writes is what the same path then reads.
                if let Ok(written) = r.set(doc, value.clone())
                    && r.get(&written) != Some(&value)
                {
                    return Err(format!("{text}: wrote {value} but read {:?}", r.get(&written)));
                }
            }
            Ok(())
        })?;
        out.map_err(TestCaseError::fail)?;
    }

    #[test]
    fn intrinsics_parse_and_evaluate(
        text in prop_oneof![6 => intrinsic_text(2), 1 => intrinsic_text(12), 1 => ".{0,40}"],
        input in input_doc(),
    ) {
        let out = run(move || {
            let f = Intrinsic::parse(&text).map_err(|e| e.to_string())?;
            let exec = info(input.clone());
            let ctx = ContextObject::new(&exec, "S", "2026-01-01T00:00:00.000Z", 0);
            f.eval(&input, &ctx).map(|_| ()).map_err(|e| e.to_string())
        })?;
        if let Err(e) = out {
            explained(&e)?;
        }
    }

    #[test]
    fn payload_templates_compile_and_apply(
        template in mutate::json_value(),
        fields in prop::collection::vec(("[a-z]{1,5}", prop_oneof![path_text(), intrinsic_text(1)]), 0..5),
        input in input_doc(),
    ) {
        let mut t = match template {
            Value::Object(m) => m,
            other => serde_json::Map::from_iter([("v".to_string(), other)]),
        };
        for (k, v) in fields {
            t.insert(format!("{k}.$"), Value::String(v));
        }
        let out = run(move || {
            let compiled = PayloadTemplate::compile(&Value::Object(t))?;
            let exec = info(input.clone());
            let ctx = ContextObject::new(&exec, "S", "2026-01-01T00:00:00.000Z", 0)
                .with_map_item(0, &input);
            compiled.apply(&input, &ctx).map(|_| ()).map_err(|e| e.to_string())
        })?;
        if let Err(e) = out {
            explained(&e)?;
        }
    }
}
