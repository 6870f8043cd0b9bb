//! The Distributed Map of the ASL interpreter: ItemReader over each input type and over a
//! listing, ItemSelector and ItemBatcher, tolerated failures by count and by percentage (and
//! `States.ExceedToleratedFailureThreshold` beyond them), the ResultWriter's files, and a
//! resumed run that does not run finished child executions again.

mod asl_support;
#[path = "common/distributed.rs"]
mod distributed;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use asl_support::{Handlers, clock, error, machine, output};
use distributed::{bucket, dmap, files_under};
use idpctl::asl::distributed::{FolderStore, ItemStore};
use idpctl::asl::{
    ExecutionOutcome, Executor, Journal, JournalError, MemoryJournal, StepKey, StepOutcome,
};
use serde_json::{Value, json};

fn echo() -> Arc<Handlers> {
    Arc::new(Handlers::new().on("${WorkArn}", |v, _| Ok(v)))
}

fn exec(handlers: Arc<Handlers>, store: Arc<FolderStore>) -> Executor {
    Executor::new(handlers)
        .with_clock(clock())
        .with_item_store(store)
}

fn go(
    def: &Value,
    input: Value,
    handlers: Arc<Handlers>,
    store: Arc<FolderStore>,
) -> ExecutionOutcome {
    exec(handlers, store).start(&machine(def), "sm", "run", input)
}

fn reader(key: &str, config: Value) -> Value {
    json!({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket": "b", "Key": key}, "ReaderConfig": config}})
}

#[test]
fn each_input_type_feeds_the_children_in_order() {
    let (_d, store) = bucket(&[
        ("items.json", r#"[{"n": 1}, {"n": 2}, {"n": 3}]"#),
        ("items.jsonl", "{\"n\": 1}\n{\"n\": 2}\n\n{\"n\": 3}\n"),
        ("first.csv", "n,name\n1,a\n2,\"b, c\"\n3,d\n"),
        ("given.csv", "1;a\n2;b\n"),
    ]);
    let cases = [
        (
            reader("items.json", json!({})),
            json!([{"n": 1}, {"n": 2}, {"n": 3}]),
        ),
        (
            reader("items.json", json!({"InputType": "JSON", "MaxItems": 2})),
            json!([{"n": 1}, {"n": 2}]),
        ),
        (
            reader("items.jsonl", json!({"InputType": "JSONL"})),
            json!([{"n": 1}, {"n": 2}, {"n": 3}]),
        ),
        (
            reader(
                "first.csv",
                json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}),
            ),
            json!([{"n": "1", "name": "a"}, {"n": "2", "name": "b, c"}, {"n": "3", "name": "d"}]),
        ),
        (
            reader(
                "given.csv",
                json!({"InputType": "CSV", "CSVHeaderLocation": "GIVEN",
                "CSVHeaders": ["n", "name"], "CSVDelimiter": "SEMICOLON"}),
            ),
            json!([{"n": "1", "name": "a"}, {"n": "2", "name": "b"}]),
        ),
    ];
    for (fields, want) in cases {
        let out = go(&dmap(fields.clone()), json!({}), echo(), store.clone());
        assert_eq!(output(&out), &want, "{fields}");
    }
    // MaxItemsPath reads the limit from the input.
    let mut fields = reader("items.jsonl", json!({"InputType": "JSONL"}));
    fields["ItemReader"]["ReaderConfig"]["MaxItemsPath"] = json!("$.max");
    let out = go(&dmap(fields), json!({"max": 1}), echo(), store.clone());
    assert_eq!(output(&out), &json!([{"n": 1}]));

    // A missing object and a malformed one are States.ItemReaderFailed.
    let out = go(
        &dmap(reader("nope.json", json!({}))),
        json!({}),
        echo(),
        store.clone(),
    );
    assert_eq!(error(&out).0, "States.ItemReaderFailed");
    assert!(
        error(&out).1.contains("s3://b/nope.json"),
        "{}",
        error(&out).1
    );
    let out = go(
        &dmap(reader("first.csv", json!({"InputType": "JSONL"}))),
        json!({}),
        echo(),
        store,
    );
    assert_eq!(error(&out).0, "States.ItemReaderFailed");
}

#[test]
fn list_objects_item_selector_and_child_isolation() {
    let (_d, store) = bucket(&[("in/a.pdf", "aaa"), ("in/b.pdf", "b"), ("other/c.pdf", "c")]);
    let def = json!({"StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"secret": 42}, "Next": "M"},
        "M": {"Type": "Map",
            "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                "Parameters": {"Bucket": "b", "Prefix.$": "$.prefix"}},
            "ItemSelector": {"key.$": "$$.Map.Item.Value.Key", "size.$": "$$.Map.Item.Value.Size",
                "index.$": "$$.Map.Item.Index", "run.$": "$.run", "seen.$": "$secret"},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "W",
                "States": {"W": {"Type": "Task", "Resource": "${WorkArn}", "End": true}}},
            "End": true}}});
    let h = Arc::new(Handlers::new().on("${WorkArn}", |v, ctx| {
        // Each child is an execution of its own.
        Ok(json!({"in": v, "execution": ctx.execution_id}))
    }));
    let out = go(&def, json!({"prefix": "in/", "run": "r1"}), h, store);
    let out = output(&out).as_array().unwrap().clone();
    assert_eq!(out.len(), 2);
    assert_eq!(
        out[0]["in"],
        json!({"key": "in/a.pdf", "size": 3, "index": 0, "run": "r1", "seen": 42})
    );
    assert_eq!(out[1]["in"]["key"], "in/b.pdf");
    let executions: BTreeSet<&str> = out
        .iter()
        .map(|o| o["execution"].as_str().unwrap())
        .collect();
    assert_eq!(executions.len(), 2, "one child execution per item");
    assert!(
        executions.iter().all(|e| e.contains(":execution:sm/M:")),
        "{executions:?}"
    );
}

#[test]
fn batches_carry_items_and_batch_input() {
    let items: Vec<Value> = (1..=10).map(|n| json!(n)).collect();
    let def = dmap(json!({"ItemsPath": "$.items",
        "ItemBatcher": {"MaxItemsPerBatch": 4, "BatchInput": {"job.$": "$.job"}}}));
    let h = Arc::new(Handlers::new().on("${WorkArn}", |v, _| {
        Ok(json!({"n": v["Items"].as_array().unwrap().len(), "job": v["BatchInput"]["job"]}))
    }));
    let (_d, store) = bucket(&[]);
    let out = go(
        &def,
        json!({"items": items, "job": "j"}),
        h.clone(),
        store.clone(),
    );
    assert_eq!(
        output(&out),
        &json!([{"n": 4, "job": "j"}, {"n": 4, "job": "j"}, {"n": 2, "job": "j"}])
    );
    assert_eq!(h.count("${WorkArn}"), 3);
    // By bytes: each item `"xxxxxxxx"` is 10 bytes plus a separator.
    let def = dmap(json!({"ItemBatcher": {"MaxInputBytesPerBatch": 25}}));
    let out = go(
        &def,
        json!(["xxxxxxxx", "xxxxxxxx", "xxxxxxxx"]),
        echo(),
        store,
    );
    assert_eq!(
        output(&out),
        &json!([{"Items": ["xxxxxxxx", "xxxxxxxx"]}, {"Items": ["xxxxxxxx"]}])
    );
}

/// 20 items; the children of multiples of 4 fail (5 of 20: 25%).
fn tolerance(extra: Value, input: Value) -> ExecutionOutcome {
    let mut fields = json!({"ItemsPath": "$.items"});
    for (k, v) in extra.as_object().unwrap() {
        fields[k] = v.clone();
    }
    let h = Arc::new(Handlers::new().on("${WorkArn}", |v, _| {
        if v.as_u64().unwrap() % 4 == 0 {
            Err(idpctl::asl::TaskError::new("Boom", format!("item {v}")))
        } else {
            Ok(v)
        }
    }));
    let mut input = input;
    input["items"] = json!((1..=20).collect::<Vec<u64>>());
    let (_d, store) = bucket(&[]);
    go(&dmap(fields), input, h, store)
}

#[test]
fn tolerated_failures_by_count_and_percentage() {
    for (extra, input, ok) in [
        (json!({}), json!({}), false),
        (json!({"ToleratedFailureCount": 5}), json!({}), true),
        (json!({"ToleratedFailureCount": 4}), json!({}), false),
        (json!({"ToleratedFailurePercentage": 25}), json!({}), true),
        (json!({"ToleratedFailurePercentage": 20}), json!({}), false),
        (
            json!({"ToleratedFailureCountPath": "$.c"}),
            json!({"c": 5}),
            true,
        ),
        (
            json!({"ToleratedFailurePercentagePath": "$.p"}),
            json!({"p": 24.9}),
            false,
        ),
    ] {
        let out = tolerance(extra.clone(), input);
        if ok {
            let out = output(&out).as_array().unwrap().clone();
            assert_eq!(out.len(), 20, "{extra}");
            let failed: Vec<&Value> = out.iter().filter(|o| o.get("Error").is_some()).collect();
            assert_eq!(failed.len(), 5, "{extra}");
            assert_eq!(failed[0]["Error"], "Boom");
        } else {
            let (e, cause) = error(&out);
            assert_eq!(e, "States.ExceedToleratedFailureThreshold", "{extra}");
            assert!(cause.contains("Boom"), "{cause}");
        }
    }
}

fn read(dir: &std::path::Path, key: &str) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("b").join(key)).unwrap()).unwrap()
}

#[test]
fn result_writer_writes_manifest_and_result_files() {
    let (dir, store) = bucket(&[]);
    let def = dmap(json!({"ItemsPath": "$.items", "ToleratedFailureCount": 10,
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "b", "Prefix.$": "States.Format('runs/{}', $.id)"}}}));
    let h = Arc::new(Handlers::new().on("${WorkArn}", |v, _| {
        if v == json!(3) {
            Err(idpctl::asl::TaskError::new("Bad", "three"))
        } else {
            Ok(json!({"doubled": v.as_u64().unwrap() * 2}))
        }
    }));
    let out = go(&def, json!({"items": [1, 2, 3, 4], "id": "u1"}), h, store);
    let out = output(&out);
    let key = out["ResultWriterDetails"]["Key"].as_str().unwrap();
    assert_eq!(out["ResultWriterDetails"]["Bucket"], "b");
    assert!(
        key.starts_with("runs/u1/") && key.ends_with("/manifest.json"),
        "{key}"
    );
    assert!(out["MapRunArn"].as_str().unwrap().contains(":mapRun:sm/M:"));

    let manifest = read(dir.path(), key);
    assert_eq!(manifest["DestinationBucket"], "b");
    assert_eq!(manifest["MapRunArn"], out["MapRunArn"]);
    let succeeded_key = manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]
        .as_str()
        .unwrap();
    let failed_key = manifest["ResultFiles"]["FAILED"][0]["Key"]
        .as_str()
        .unwrap();
    assert!(succeeded_key.ends_with("/SUCCEEDED_0.json"));
    assert!(failed_key.ends_with("/FAILED_0.json"));
    assert_eq!(
        manifest["ResultFiles"]["SUCCEEDED"][0]["Size"]
            .as_u64()
            .unwrap(),
        std::fs::metadata(dir.path().join("b").join(succeeded_key))
            .unwrap()
            .len()
    );
    let succeeded = read(dir.path(), succeeded_key);
    let mut outputs: Vec<Value> = succeeded
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["Status"], "SUCCEEDED");
            assert!(
                e["ExecutionArn"]
                    .as_str()
                    .unwrap()
                    .contains(":execution:sm/M:")
            );
            serde_json::from_str(e["Output"].as_str().unwrap()).unwrap()
        })
        .collect();
    outputs.sort_by_key(|v| v["doubled"].as_u64());
    assert_eq!(
        outputs,
        vec![
            json!({"doubled": 2}),
            json!({"doubled": 4}),
            json!({"doubled": 8})
        ]
    );
    let failed = read(dir.path(), failed_key);
    assert_eq!(failed.as_array().unwrap().len(), 1);
    assert_eq!(failed[0]["Status"], "FAILED");
    assert_eq!(failed[0]["Error"], "Bad");
    assert_eq!(failed[0]["Input"], "3");
}

/// A journal that stops recording after `budget` steps, like a process killed mid-run.
struct Dying {
    inner: Arc<MemoryJournal>,
    budget: AtomicUsize,
}

impl Journal for Dying {
    fn lookup(&self, key: &StepKey) -> Result<Option<StepOutcome>, JournalError> {
        self.inner.lookup(key)
    }
    fn record(&self, key: &StepKey, outcome: &StepOutcome) -> Result<(), JournalError> {
        if self
            .budget
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| b.checked_sub(1))
            .is_err()
        {
            return Err(JournalError("killed".into()));
        }
        self.inner.record(key, outcome)
    }
}

#[test]
fn a_resumed_map_does_not_run_finished_children_again() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 2,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "A",
            "States": {"A": {"Type": "Task", "Resource": "${A}", "Next": "B"},
                       "B": {"Type": "Task", "Resource": "${B}", "End": true}}},
        "End": true}}});
    let items: Vec<u64> = (0..30).collect();
    let handlers = || {
        Arc::new(
            Handlers::new()
                .on("${A}", |v, _| Ok(v))
                .on("${B}", |v, _| Ok(json!(v.as_u64().unwrap() + 100))),
        )
    };
    let journal = Arc::new(MemoryJournal::new());
    let first = handlers();
    // 2 Tasks and 1 child record per item: the budget dies inside the 8th child or so.
    let dying = Arc::new(Dying {
        inner: journal.clone(),
        budget: AtomicUsize::new(23),
    });
    let info = asl_support::info(json!(items));
    let out = Executor::new(first.clone())
        .with_clock(clock())
        .with_journal(dying)
        .execute(&machine(&def), &info);
    assert!(out.error().unwrap().cause.contains("killed"), "{out:?}");
    let finished: BTreeSet<usize> = journal
        .entries()
        .iter()
        .filter_map(|(k, _)| {
            k.path()
                .strip_prefix("/M[")?
                .strip_suffix(']')?
                .parse()
                .ok()
        })
        .collect();
    assert!(!finished.is_empty() && finished.len() < 30, "{finished:?}");

    let second = handlers();
    let out = Executor::new(second.clone())
        .with_clock(clock())
        .with_journal(journal.clone())
        .execute(&machine(&def), &info);
    let want: Vec<u64> = items.iter().map(|n| n + 100).collect();
    assert_eq!(output(&out), &json!(want));
    // No Task of a finished child ran again, and every other child ran to the end.
    let rerun: BTreeSet<u64> = second
        .calls()
        .iter()
        .map(|(_, input, _)| input.as_u64().unwrap() % 100)
        .collect();
    assert!(
        rerun.is_disjoint(&finished.iter().map(|i| *i as u64).collect()),
        "{rerun:?} vs {finished:?}"
    );
    // At most the two Tasks of each unfinished child ran (fewer where the first run got further).
    assert!(second.calls().len() <= 2 * (30 - finished.len()));
}

#[test]
fn inline_fields_need_distributed_mode_and_the_store_is_required() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"}},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "End": true}}});
    let e = idpctl::asl::StateMachine::from_value(&def).unwrap_err();
    assert!(e.to_string().contains("DISTRIBUTED"), "{e}");
    let out = Executor::new(echo()).with_clock(clock()).start(
        &machine(&dmap(reader("k", json!({})))),
        "sm",
        "run",
        json!({}),
    );
    assert_eq!(error(&out).0, "States.ItemReaderFailed");
    let _: Option<&dyn ItemStore> = None;
}

/// End to end: a ZIP of 1,500 small text documents through `idpctl process` on the local
/// profile takes the Distributed Map (above the default threshold of 500) and every document
/// gets exactly one result and one row.
#[test]
fn a_batch_of_1500_documents_runs_as_a_distributed_map() {
    use std::io::Write;
    let state = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let zip_path = state.path().join("big.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    for i in 0..1500 {
        w.start_file(
            format!("notes/note-{i:04}.txt"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        writeln!(
            w,
            "Meeting note {i}\nThe quarterly review is on Monday; bring figures."
        )
        .unwrap();
    }
    w.finish().unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_idpctl"));
    for (k, _) in std::env::vars() {
        if k.starts_with("IDPCTL_") {
            cmd.env_remove(k);
        }
    }
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("IDPCTL_STATE_DIR", state.path())
        .args(["--output", "json", "process", "--out"])
        .arg(out.path())
        .arg(&zip_path);
    let run = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.code() == Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    let docs = summary["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 1500, "one row per document");
    assert_eq!(summary["completed"], 1500);
    let ids: BTreeSet<&str> = docs
        .iter()
        .map(|d| d["id"].as_str().or(d["document_id"].as_str()).unwrap_or(""))
        .collect();
    assert_eq!(ids.len(), 1500, "no document twice");
    let results = files_under(out.path())
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "result.json"))
        .count();
    assert_eq!(results, 1500, "one result per document");

    // It went the distributed way: the manifest and the Map Run's result files are there, and
    // the results list every document's child execution as SUCCEEDED.
    let buckets = state.path().join("buckets");
    let files = files_under(&buckets);
    let manifest = files
        .iter()
        .find(|p| p.to_string_lossy().contains("/map-runs/") && p.ends_with("manifest.json"))
        .unwrap_or_else(|| panic!("no Map Run manifest in {files:?}"));
    let m: Value = serde_json::from_slice(&std::fs::read(manifest).unwrap()).unwrap();
    assert_eq!(m["ResultFiles"]["FAILED"], json!([]));
    let succeeded = manifest.parent().unwrap().join("SUCCEEDED_0.json");
    let s: Value = serde_json::from_slice(&std::fs::read(succeeded).unwrap()).unwrap();
    assert_eq!(s.as_array().unwrap().len(), 1500);
}
