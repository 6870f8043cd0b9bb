//! JSONata: expressions generated from the grammar (paths, predicates, sorting, grouping,
//! `@`/`#` bindings, `%`, transforms, operators, ranges, blocks, lambdas, calls of every
//! library function, regexes), nested and
//! mutated byte by byte, plus raw text; each is parsed and evaluated on random JSON with
//! `$states` bound, and must end with a value or an explained error — no panic, no hang,
//! within the harness deadline even for hostile recursion and ranges. A JSONata definition
//! with every state type (a Distributed Map among them) is mutated and loaded, too.

use std::time::SystemTime;

use idpctl::asl::StateMachine;
use idpctl::asl::jsonata::{Expression, Limits};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::harness::{self, explained, run};
use crate::mutate;

const FUNCTIONS: &[&str] = &[
    "$string",
    "$length",
    "$substring",
    "$substringBefore",
    "$substringAfter",
    "$uppercase",
    "$lowercase",
    "$trim",
    "$pad",
    "$contains",
    "$split",
    "$join",
    "$match",
    "$replace",
    "$base64encode",
    "$base64decode",
    "$formatNumber",
    "$formatBase",
    "$number",
    "$abs",
    "$floor",
    "$ceil",
    "$round",
    "$power",
    "$sqrt",
    "$random",
    "$sum",
    "$max",
    "$min",
    "$average",
    "$count",
    "$boolean",
    "$not",
    "$exists",
    "$append",
    "$sort",
    "$reverse",
    "$shuffle",
    "$distinct",
    "$zip",
    "$keys",
    "$lookup",
    "$spread",
    "$merge",
    "$each",
    "$sift",
    "$type",
    "$error",
    "$assert",
    "$map",
    "$filter",
    "$reduce",
    "$single",
    "$now",
    "$millis",
    "$fromMillis",
    "$toMillis",
    "$partition",
    "$range",
    "$hash",
    "$uuid",
    "$parse",
    "$nope",
];

fn leaf() -> BoxedStrategy<String> {
    prop_oneof![
        prop::sample::select(vec![
            "a",
            "b",
            "a.b",
            "items",
            "`odd name`",
            "*",
            "**",
            "$",
            "$$",
            "$x",
            "$f",
            "$states",
            "$states.input",
            "$states.input.items",
            "$states.context.Execution.Input",
            "0",
            "1",
            "-1",
            "2.5",
            "1e308",
            "9007199254740993",
            "'s'",
            "\"t\"",
            "''",
            "'{}'",
            "'SHA-256'",
            "'#,##0.00'",
            "'[Y0001]-[M01]'",
            "'2024-01-02T03:04:05Z'",
            "true",
            "false",
            "null",
            "/a+/i",
            "/(x)(y)?/",
            "[]",
            "{}",
            "?",
            "function($v){$v}",
            "function($a, $b){$a < $b}",
            "$sum",
            "$uppercase",
            "%",
            "%.a",
            "%.%.b",
        ])
        .prop_map(str::to_string),
        (0i64..20).prop_map(|n| n.to_string()),
    ]
    .boxed()
}

/// Expressions from the grammar, `depth` levels deep.
fn expr(depth: u32) -> BoxedStrategy<String> {
    leaf()
        .prop_recursive(depth, 64, 4, |inner| {
            let op = prop::sample::select(vec![
                "+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "and", "or", "&", "in",
                "..", "~>", "?:", "??", ".",
            ]);
            prop_oneof![
                (inner.clone(), op, inner.clone()).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
                (inner.clone(), inner.clone()).prop_map(|(a, p)| format!("{a}[{p}]")),
                (inner.clone(), inner.clone()).prop_map(|(a, k)| format!("{a}^(>{k})")),
                (inner.clone(), inner.clone(), inner.clone())
                    .prop_map(|(a, k, v)| format!("{a}{{{k}: {v}}}")),
                (inner.clone(), inner.clone(), inner.clone())
                    .prop_map(|(c, t, e)| format!("{c} ? {t} : {e}")),
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|items| format!("[{}]", items.join(", "))),
                prop::collection::vec(inner.clone(), 1..4)
                    .prop_map(|items| format!("({})", items.join("; "))),
                (inner.clone(), inner.clone()).prop_map(|(v, b)| format!("($x := {v}; {b})")),
                inner
                    .clone()
                    .prop_map(|b| format!("($f := function($n){{ {b} ~> $f() }}; $f(1))")),
                (
                    prop::sample::select(FUNCTIONS),
                    prop::collection::vec(inner.clone(), 0..4)
                )
                    .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
                // Tuple streams: context and positional bindings, parents, transforms.
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}@$v.{b}")),
                (inner.clone(), inner.clone()).prop_map(|(a, p)| format!("{a}#$i[{p}].$i")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("a.{a}.b.{{'p': %.{b}}}")),
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| format!("$ ~> |{a}|{{'k': {b}}}, 'a'|")),
                inner.prop_map(|a| format!("-{a}")),
            ]
        })
        .boxed()
}

fn evaluate(text: String, input: Value) -> Result<(), TestCaseError> {
    let out = run(move || {
        let e = Expression::parse(&text)?;
        let states = json!({"input": input, "context": {"Execution": {"Input": input}}});
        e.evaluate(
            Some(&input),
            &|name| (name == "states").then(|| states.clone()),
            SystemTime::now(),
            Limits::default(),
        )
    })?;
    if let Err(e) = out {
        explained(&e)?;
    }
    Ok(())
}

fn every_jsonata_state() -> Value {
    json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Pass", "Assign": {"x": "{% $states.input.a %}"}, "Output": {"v": "{% [1..3] %}"}, "Next": "T"},
        "T": {"Type": "Task", "Resource": "r", "Arguments": {"p": "{% $x %}"}, "TimeoutSeconds": "{% 5 %}",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}", "Next": "F"}],
              "Output": "{% $states.result %}", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.n > 1 %}", "Next": "M", "Assign": {"y": 1}}],
              "Default": "W"},
        "W": {"Type": "Wait", "Seconds": "{% 1 %}", "Next": "M"},
        "M": {"Type": "Map", "Items": "{% $states.input.items %}", "ItemSelector": {"i": "{% $states.context.Map.Item.Value %}"},
              "MaxConcurrency": "{% 2 %}", "ToleratedFailureCount": "{% 1 %}",
              "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed", "Output": "{% $states.input %}"}}},
              "Next": "D"},
        "D": {"Type": "Map", "ToleratedFailurePercentage": "{% 10 %}",
              "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                  "Arguments": {"Bucket": "b", "Key": "{% $states.input.key %}"},
                  "ReaderConfig": {"InputType": "JSONL", "MaxItems": "{% 5 %}"}},
              "ItemBatcher": {"MaxItemsPerBatch": "{% 2 %}", "BatchInput": {"k": "{% $x %}"}},
              "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Arguments": {"Bucket": "b", "Prefix": "p"}},
              "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "J",
                  "States": {"J": {"Type": "Pass", "Output": "{% $states.input.Items#$i.{'i': $i} %}", "End": true}}},
              "Next": "B"},
        "B": {"Type": "Parallel", "Branches": [{"StartAt": "L", "States": {"L": {"Type": "Pass", "End": true}}}], "Next": "S"},
        "S": {"Type": "Succeed"},
        "F": {"Type": "Fail", "Error": "{% 'E' %}", "Cause": "{% $string($states.input) %}"}
    }})
}

proptest! {
    #![proptest_config(harness::config(1))]

    #[test]
    fn generated_expressions_evaluate_or_explain(
        text in expr(5),
        input in mutate::json_value(),
    ) {
        evaluate(text, input)?;
    }

    #[test]
    fn mutated_expressions_evaluate_or_explain(
        text in expr(4),
        mutations in mutate::byte_mutations(4),
        input in mutate::json_value(),
    ) {
        let mut bytes = text.into_bytes();
        mutate::apply_bytes(&mut bytes, &mutations, &[]);
        evaluate(String::from_utf8_lossy(&bytes).into_owned(), input)?;
    }

    #[test]
    fn raw_text_parses_or_explains(text in "\\PC{0,80}", nest in 0usize..400) {
        let nested = format!("{}{text}{}", "(".repeat(nest), ")".repeat(nest));
        evaluate(nested, json!({"a": [1, 2, {"b": "x"}]}))?;
    }

    #[test]
    fn jsonata_definitions_load_or_explain(mutations in mutate::json_mutations(5)) {
        let mut def = every_jsonata_state();
        mutate::apply_json(&mut def, &mutations);
        let out = run(move || StateMachine::from_value(&def).map(|_| ()))?;
        if let Err(e) = out {
            explained(&e)?;
        }
    }
}

#[test]
fn the_jsonata_seed_definition_loads() {
    StateMachine::from_value(&every_jsonata_state()).unwrap();
}
