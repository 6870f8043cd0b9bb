//! A Distributed Map in a JSONata state machine, with the fields the Step Functions guide
//! gives for JSONata ("Map state" and "ItemReader"/"ResultWriter" pages): `ItemReader` and
//! `ResultWriter` take `Arguments` (not `Parameters`), `Items`, `ItemSelector`,
//! `ItemBatcher.BatchInput`, `MaxItems`, `MaxConcurrency` and the tolerated failures may be
//! `{% %}` expressions, and `Output`/`Assign` read `$states.result`.

mod asl_support;
#[path = "common/distributed.rs"]
mod distributed;

use std::sync::Arc;

use asl_support::{Handlers, clock, error, machine, output};
use distributed::bucket;
use idpctl::asl::distributed::FolderStore;
use idpctl::asl::{ExecutionOutcome, Executor, StateMachine, TaskError};
use serde_json::{Value, json};

/// A JSONata machine whose Distributed Map `M` has `extra` fields; each child runs the
/// Task `${WorkArn}` on its input.
fn dmap(extra: Value) -> Value {
    let mut def = distributed::dmap(extra);
    def["QueryLanguage"] = json!("JSONata");
    def
}

fn go(def: &Value, input: Value, h: Arc<Handlers>, store: Arc<FolderStore>) -> ExecutionOutcome {
    Executor::new(h)
        .with_clock(clock())
        .with_item_store(store)
        .start(&machine(def), "sm", "run", input)
}

fn echo() -> Arc<Handlers> {
    Arc::new(Handlers::new().on("${WorkArn}", |v, _| Ok(v)))
}

#[test]
fn item_reader_arguments_selector_and_output() {
    let (_d, store) = bucket(&[(
        "in/items.json",
        r#"[{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}]"#,
    )]);
    let def = dmap(json!({
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
            "Arguments": {"Bucket": "{% $states.input.bucket %}", "Key": "{% 'in/' & $states.input.file %}"},
            "ReaderConfig": {"InputType": "JSON", "MaxItems": "{% $states.input.limit %}"}},
        "ItemSelector": {"value": "{% $states.context.Map.Item.Value.n * 10 %}",
                         "index": "{% $states.context.Map.Item.Index %}",
                         "tag": "{% $states.input.tag %}"},
        "MaxConcurrency": "{% 2 %}",
        "Output": {"values": "{% $states.result.value %}", "tag": "{% $distinct($states.result.tag) %}"}}));
    let input = json!({"bucket": "b", "file": "items.json", "limit": 3, "tag": "t"});
    let out = go(&def, input, echo(), store);
    assert_eq!(output(&out), &json!({"values": [10, 20, 30], "tag": "t"}));
}

#[test]
fn items_batches_and_result_writer() {
    let (dir, store) = bucket(&[]);
    let def = dmap(json!({
        "Items": "{% $states.input.docs %}",
        "ItemBatcher": {"MaxItemsPerBatch": "{% $states.input.per %}",
            "BatchInput": {"job": "{% $states.input.job %}"}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
            "Arguments": {"Bucket": "b", "Prefix": "{% 'runs/' & $states.input.job %}"}},
        "Assign": {"key": "{% $states.result.ResultWriterDetails.Key %}"},
        "Output": "{% $states.result.ResultWriterDetails %}"}));
    let h = Arc::new(Handlers::new().on("${WorkArn}", |v, _| {
        Ok(json!({"job": v["BatchInput"]["job"], "count": v["Items"].as_array().unwrap().len()}))
    }));
    let input = json!({"docs": ["a", "b", "c", "d", "e"], "per": 2, "job": "j7"});
    let out = go(&def, input, h.clone(), store);
    let details = output(&out);
    assert_eq!(details["Bucket"], "b");
    let key = details["Key"].as_str().unwrap();
    assert!(
        key.starts_with("runs/j7/") && key.ends_with("/manifest.json"),
        "{key}"
    );
    assert_eq!(h.count("${WorkArn}"), 3, "5 items in batches of 2");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("b").join(key)).unwrap()).unwrap();
    let ok_key = manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]
        .as_str()
        .unwrap();
    let ok: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("b").join(ok_key)).unwrap()).unwrap();
    // The result file lists children in the order they finished (as AWS's does), and two run
    // at once: compare the batch sizes as a multiset.
    let mut counts: Vec<u64> = ok
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            serde_json::from_str::<Value>(r["Output"].as_str().unwrap()).unwrap()["count"]
                .as_u64()
                .unwrap()
        })
        .collect();
    counts.sort_unstable();
    assert_eq!(counts, [1, 2, 2]);
}

#[test]
fn tolerated_failures_and_bad_values() {
    let (_d, store) = bucket(&[]);
    let h = || {
        Arc::new(Handlers::new().on("${WorkArn}", |v, _| {
            if v.as_i64().unwrap() < 0 {
                Err(TaskError::new("Negative", "below zero"))
            } else {
                Ok(v)
            }
        }))
    };
    let input = json!({"xs": [1, -1, 2, -2], "ok": 2});
    let def = dmap(json!({"Items": "{% $states.input.xs %}",
        "ToleratedFailureCount": "{% $states.input.ok %}"}));
    assert!(
        go(&def, input.clone(), h(), store.clone())
            .output()
            .is_some()
    );
    let def = dmap(json!({"Items": "{% $states.input.xs %}",
        "ToleratedFailurePercentage": "{% $states.input.ok * 10 %}"}));
    assert_eq!(
        error(&go(&def, input.clone(), h(), store.clone())).0,
        "States.ExceedToleratedFailureThreshold"
    );
    let def = dmap(json!({"Items": "{% $states.input.xs %}",
        "ItemBatcher": {"MaxItemsPerBatch": "{% 'many' %}"}}));
    let out = go(&def, input.clone(), h(), store.clone());
    let (e, cause) = error(&out);
    assert_eq!(e, "States.QueryEvaluationError");
    assert!(cause.contains("ItemBatcher.MaxItemsPerBatch"), "{cause}");
    let def = dmap(json!({"Items": "{% $states.input.ok %}"}));
    let out = go(&def, input, h(), store);
    let (e, cause) = error(&out);
    assert_eq!(e, "States.QueryEvaluationError");
    assert!(cause.contains("must evaluate to a JSON array"), "{cause}");
}

#[test]
fn jsonpath_fields_of_the_reader_and_writer_are_refused() {
    for (extra, want) in [
        (
            json!({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                "Parameters": {"Bucket": "b", "Key": "k"}}}),
            "ItemReader.Parameters is a JSONPath field",
        ),
        (
            json!({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject"}}),
            "ItemReader.Arguments is required",
        ),
        (
            json!({"ItemBatcher": {"MaxItemsPerBatchPath": "$.n"}}),
            "ItemBatcher.MaxItemsPerBatchPath is a JSONPath field",
        ),
        (
            json!({"ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "b"}}}),
            "ResultWriter.Parameters is a JSONPath field",
        ),
    ] {
        let e = StateMachine::from_value(&dmap(extra))
            .unwrap_err()
            .to_string();
        assert!(e.contains("state \"M\"") && e.contains(want), "{e}");
    }
}
