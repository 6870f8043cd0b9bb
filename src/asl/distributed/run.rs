//! Running a Distributed Map (a child module of the executor, for its private `Run`): items
//! stream from the ItemReader (or ItemsPath) through ItemSelector and ItemBatcher into a
//! bounded channel; worker threads run each child execution with its own execution id, then
//! record its end (status, output or error, dates) in the parent's journal under
//! `<map path>[<child index>]`. A resumed Map reads the items again but answers recorded
//! children from the journal without running them (with an observer, it replays their
//! journaled steps for it, invoking and recording nothing); an interrupted child resumes from
//! its own journaled steps. Results go to the ResultWriter's spool (or, without one, to the
//! state's output, which the 256 KiB limit bounds), never into a history.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{
    Done, Executor, Failure, Run, input_path, json_size, lock, reference, tolerated_failures,
};
use crate::asl::context::{ContextObject, ExecutionInfo, format_timestamp};
use crate::asl::definition::{MapState, State};
use crate::asl::distributed::errors::{ITEM_READER_FAILED, RESULT_WRITER_FAILED};
use crate::asl::distributed::reader::read_items;
use crate::asl::distributed::replay::{NoInvoker, ReadOnlyJournal};
use crate::asl::distributed::writer::Spool;
use crate::asl::distributed::{Distributed, ItemStore};
use crate::asl::error::{StatesError, names};
use crate::asl::journal::{StepKey, StepOutcome, StepPath};
use crate::asl::variables::Variables;

/// One child execution to run: its index, input and how many items it carries.
struct Job {
    index: usize,
    input: Value,
    items: u64,
}

/// A deterministic Map Run id (UUID-shaped) for this Map state's attempt in this execution, so
/// a resumed run finds its children under the same execution ids.
fn map_run_id(execution_id: &str, spath: &StepPath, attempt: u32) -> String {
    let d = Sha256::digest(format!("{execution_id}{spath}#{attempt}").as_bytes());
    let h = hex::encode(&d[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

impl Run<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn distributed_map(
        &self,
        state: &State,
        s: &MapState,
        d: &Distributed,
        raw: &Value,
        spath: &StepPath,
        entered: &str,
        attempt: u32,
        cancel: &super::Cancel<'_>,
        vars: &Variables,
    ) -> Result<Done, Failure> {
        let ctx = ContextObject::new(self.info, &state.name, entered, attempt).with_variables(vars);
        let eff = input_path(&s.input_path, raw, &ctx)?;
        // A JSONata state's expression fields, evaluated once (`None` in JSONPath).
        let jd = match state.jsonata.as_deref() {
            Some(j) => Some(self.jsonata_distributed(state, j, raw, &ctx, d.reader.is_some())?),
            None => None,
        };
        let store: Option<&dyn ItemStore> = self.ex.item_store.as_deref();

        // Where the items come from: the ItemReader's object, or ItemsPath as inline.
        let reader = match &d.reader {
            Some(r) => {
                let store = store.ok_or_else(|| {
                    StatesError::new(
                        ITEM_READER_FAILED,
                        "this executor has no object store for ItemReader (Executor::with_item_store)",
                    )
                })?;
                let params = match jd.as_ref().and_then(|a| a.reader_params.clone()) {
                    Some(p) => p,
                    None => r.parameters.apply(&eff, &ctx)?,
                };
                let max = match (&r.max_items, &r.max_items_path) {
                    (Some(m), _) => Some(*m),
                    (None, Some(p)) => Some(reference(p, &eff)?.as_u64().ok_or_else(|| {
                        StatesError::runtime(format!(
                            "MaxItemsPath '{}' must reference a non-negative integer",
                            p.as_str()
                        ))
                    })?),
                    (None, None) => jd.as_ref().and_then(|a| a.reader_max_items),
                }
                // 0 means no limit, as on AWS.
                .filter(|m| *m > 0);
                Some((r, params, store, max))
            }
            None => None,
        };
        let inline_items: Option<&Vec<Value>> = match (&reader, &s.items_path) {
            (Some(_), _) => None,
            (None, p) => {
                let v = match p {
                    Some(p) => reference(p, &eff)?,
                    None => jd.as_ref().and_then(|a| a.items.as_ref()).unwrap_or(&eff),
                };
                Some(v.as_array().ok_or_else(|| {
                    StatesError::runtime(format!(
                        "Map state '{}': the ItemsPath must reference a JSON array, not {}",
                        state.name,
                        crate::asl::path::type_name(v)
                    ))
                })?)
            }
        };
        let for_each_item = |each: &mut dyn FnMut(Value) -> bool| -> Result<u64, StatesError> {
            match (&reader, inline_items) {
                (Some((r, params, store, max)), _) => read_items(r, params, *store, *max, each),
                (None, Some(items)) => {
                    let mut n = 0;
                    for item in items {
                        n += 1;
                        if !each(item.clone()) {
                            break;
                        }
                    }
                    Ok(n)
                }
                (None, None) => unreachable!("one source is set"),
            }
        };

        // Batching, read once from the effective input.
        let u64_at =
            |p: &crate::asl::path::ReferencePath, what: &str| -> Result<u64, StatesError> {
                reference(p, &eff)?.as_u64().ok_or_else(|| {
                    StatesError::runtime(format!(
                        "{what} '{}' must reference a non-negative integer",
                        p.as_str()
                    ))
                })
            };
        let batching = match &d.batcher {
            Some(b) => {
                // A JSONata expression's value comes first (its field holds a placeholder).
                let max_items = jd.as_ref().and_then(|a| a.batch_max_items).or(
                    match (&b.max_items, &b.max_items_path) {
                        (Some(m), _) => Some(*m),
                        (None, Some(p)) => Some(u64_at(p, "MaxItemsPerBatchPath")?.max(1)),
                        _ => None,
                    },
                );
                let max_bytes = jd.as_ref().and_then(|a| a.batch_max_bytes).or(
                    match (&b.max_bytes, &b.max_bytes_path) {
                        (Some(m), _) => Some(*m),
                        (None, Some(p)) => Some(u64_at(p, "MaxInputBytesPerBatchPath")?),
                        _ => None,
                    },
                );
                let batch_input = match jd.as_ref().and_then(|a| a.batch_input.clone()) {
                    Some(v) => Some(v),
                    None => b
                        .batch_input
                        .as_ref()
                        .map(|t| t.apply(&eff, &ctx))
                        .transpose()?,
                };
                Some((max_items, max_bytes, batch_input))
            }
            None => None,
        };

        let (tolerated_count, tolerated_pct) = tolerated_failures(s, &eff)?;
        // JSONata expressions for the limits (MaxConcurrency's is used below).
        let (jsonata_limit, tolerated_count, tolerated_pct) = match state.jsonata.as_deref() {
            Some(j) => {
                self.jsonata_map_limits(state, j, raw, &ctx, (0, tolerated_count, tolerated_pct))?
            }
            None => (0, tolerated_count, tolerated_pct),
        };
        // A percentage is of all items: count them first (a second streaming read).
        let total_items = if tolerated_pct.is_some() {
            for_each_item(&mut |_| true)?
        } else {
            0
        };
        let exceeded = |failed: u64| -> bool {
            match (tolerated_count, tolerated_pct) {
                (None, None) => failed > 0,
                (c, p) => {
                    let by_count = c.is_some_and(|c| failed <= c);
                    let by_pct = p.is_some_and(|p| {
                        total_items > 0 && (failed as f64) * 100.0 / (total_items as f64) <= p
                    });
                    !(by_count || by_pct)
                }
            }
        };

        let limit = match (&s.max_concurrency, &s.max_concurrency_path) {
            (Some(c), _) => *c as usize,
            (None, Some(p)) => u64_at(p, "MaxConcurrencyPath")? as usize,
            (None, None) => jsonata_limit,
        };
        let workers = match limit {
            0 => self.ex.max_threads,
            l => l.min(self.ex.max_threads.max(1)),
        }
        .max(1);

        let writer = match &d.writer {
            Some(w) => {
                let store = store.ok_or_else(|| {
                    StatesError::new(
                        RESULT_WRITER_FAILED,
                        "this executor has no object store for ResultWriter (Executor::with_item_store)",
                    )
                })?;
                let p = match jd.as_ref().and_then(|a| a.writer_params.clone()) {
                    Some(p) => p,
                    None => w.parameters.apply(&eff, &ctx)?,
                };
                let bucket = p
                    .get("Bucket")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        StatesError::new(
                            RESULT_WRITER_FAILED,
                            format!("ResultWriter.Parameters must give a string Bucket, got {p}"),
                        )
                    })?
                    .to_string();
                let prefix = p
                    .get("Prefix")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                Some((store, bucket, prefix, Mutex::new(Spool::new()?)))
            }
            None => None,
        };

        // The Map Run's identity: deterministic, so children keep their ids across resumptions.
        let label = d.label.as_deref().unwrap_or(&state.name);
        let run_id = map_run_id(&self.info.id, spath, attempt);
        let arn_base = self
            .info
            .state_machine_id
            .split(":stateMachine:")
            .next()
            .unwrap_or("arn:aws:states:local:000000000000")
            .to_string();
        let sm = &self.info.state_machine_name;
        let map_run_arn = format!("{arn_base}:mapRun:{sm}/{label}:{run_id}");
        let child_machine_id = format!("{arn_base}:stateMachine:{sm}/{label}");

        let group = super::Cancel::child(cancel);
        let failed_items = AtomicU64::new(0);
        let first_error: Mutex<Option<Failure>> = Mutex::new(None);
        let outputs: Mutex<(Vec<(usize, Value)>, usize)> = Mutex::new((Vec::new(), 0));
        let produce_error: Mutex<Option<StatesError>> = Mutex::new(None);
        let threshold_hit = AtomicBool::new(false);
        let fail = |f: Failure| {
            let mut g = lock(&first_error);
            if g.is_none() {
                *g = Some(f);
            }
            group.cancel();
        };

        // With an observer, finished children are replayed for it (see `replay`).
        let replayer = self.ex.observer.as_ref().map(|_| Executor {
            invoker: Arc::new(NoInvoker),
            journal: Arc::new(ReadOnlyJournal(self.ex.journal.clone())),
            ..self.ex.clone()
        });
        let (tx, rx) = mpsc::sync_channel::<Job>(workers * 2);
        let rx = Mutex::new(rx);
        std::thread::scope(|sc| {
            for _ in 0..workers {
                sc.spawn(|| {
                    loop {
                        let job = match lock(&rx).recv() {
                            Ok(j) => j,
                            Err(_) => return,
                        };
                        // After a failure the rest are drained, not run.
                        if group.is_cancelled() {
                            continue;
                        }
                        let key = StepKey::new(&self.info.id, format!("{spath}[{}]", job.index), attempt);
                        let name = format!("{run_id}-{}", job.index);
                        let child_id = format!("{arn_base}:execution:{sm}/{label}:{name}");
                        // Runs (or, with the replayer, replays) this child from its start.
                        let run_child = |ex: &Executor, start: &str| {
                            let info = ExecutionInfo {
                                id: child_id.clone(),
                                name: name.clone(),
                                input: Arc::new(job.input.clone()),
                                start_time: start.to_string(),
                                role_arn: self.info.role_arn.clone(),
                                state_machine_id: child_machine_id.clone(),
                                state_machine_name: format!("{sm}/{label}"),
                            };
                            let child = Run {
                                ex,
                                info: &info,
                                deadline: self.deadline,
                            };
                            // A child sees none of the parent's variables, as on AWS.
                            child.run_scope(
                                &s.processor,
                                job.input.clone(),
                                &StepPath::root(),
                                &group,
                                &Variables::new(),
                            )
                        };
                        let record = match self.ex.journal.lookup(&key) {
                            Ok(Some(StepOutcome::Succeeded(v))) => {
                                if let Some(r) = &replayer {
                                    // Its end is recorded: the replay only shows its steps.
                                    let _ = run_child(r, v["StartDate"].as_str().unwrap_or(entered));
                                }
                                v
                            }
                            Ok(Some(StepOutcome::Failed(e))) => json!({"Status": "FAILED", "Error": e.error, "Cause": e.cause}),
                            Ok(None) => {
                                let start = format_timestamp(self.ex.clock.now());
                                let ended = run_child(self.ex, &start);
                                let stop = format_timestamp(self.ex.clock.now());
                                let v = match ended {
                                    Ok(out) => json!({"Status": "SUCCEEDED", "Output": out, "StartDate": start, "StopDate": stop}),
                                    Err(Failure::State(e)) => json!({"Status": "FAILED", "Error": e.error, "Cause": e.cause, "StartDate": start, "StopDate": stop}),
                                    Err(f @ Failure::Abort(_)) => {
                                        fail(f);
                                        continue;
                                    }
                                };
                                if let Err(e) = self.ex.journal.record(&key, &StepOutcome::Succeeded(v.clone())) {
                                    fail(Failure::Abort(StatesError::runtime(format!("{e} (recording {key})"))));
                                    continue;
                                }
                                v
                            }
                            Err(e) => {
                                fail(Failure::Abort(StatesError::runtime(format!("{e} (looking up {key})"))));
                                continue;
                            }
                        };
                        let succeeded = record["Status"] == "SUCCEEDED";
                        if !succeeded {
                            let failed = failed_items.fetch_add(job.items, Ordering::SeqCst) + job.items;
                            if exceeded(failed) && !threshold_hit.swap(true, Ordering::SeqCst) {
                                fail(Failure::State(StatesError::new(
                                    names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                                    format!(
                                        "Map state '{}' exceeded its tolerated failure threshold ({failed} items failed; the last: {}: {}).",
                                        state.name,
                                        record["Error"].as_str().unwrap_or(""),
                                        record["Cause"].as_str().unwrap_or("")
                                    ),
                                )));
                            }
                        }
                        match &writer {
                            Some((_, _, _, spool)) => {
                                let mut entry = json!({
                                    "ExecutionArn": child_id,
                                    "Input": job.input.to_string(),
                                    "InputDetails": {"Included": true},
                                    "Name": name,
                                    "RedriveCount": 0,
                                    "StartDate": record["StartDate"],
                                    "StateMachineArn": child_machine_id,
                                    "Status": record["Status"],
                                    "StopDate": record["StopDate"],
                                });
                                if succeeded {
                                    entry["Output"] = json!(record["Output"].to_string());
                                    entry["OutputDetails"] = json!({"Included": true});
                                    entry["RedriveStatus"] = json!("NOT_REDRIVABLE");
                                    entry["RedriveStatusReason"] = json!("Execution is SUCCEEDED and cannot be redriven");
                                } else {
                                    entry["Error"] = record["Error"].clone();
                                    entry["Cause"] = record["Cause"].clone();
                                    entry["RedriveStatus"] = json!("REDRIVABLE");
                                }
                                if let Err(e) = lock(spool).push(&entry) {
                                    fail(Failure::State(e));
                                }
                            }
                            None => {
                                let v = if succeeded {
                                    record["Output"].clone()
                                } else {
                                    json!({"Error": record["Error"], "Cause": record["Cause"]})
                                };
                                let mut g = lock(&outputs);
                                g.1 += json_size(&v) + 1;
                                if g.1 > self.ex.payload_limit {
                                    drop(g);
                                    fail(Failure::State(StatesError::new(
                                        names::DATA_LIMIT_EXCEEDED,
                                        format!("The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit; give the Distributed Map a ResultWriter.", state.name),
                                    )));
                                } else {
                                    g.0.push((job.index, v));
                                }
                            }
                        }
                    }
                });
            }

            // The producer: items -> ItemSelector -> batches -> jobs, on this thread.
            let mut index = 0usize;
            let mut item_index = 0usize;
            let mut batch: Vec<Value> = Vec::new();
            let mut batch_bytes = 0usize;
            let send = |job: Job| -> bool { !group.is_cancelled() && tx.send(job).is_ok() };
            let make_batch = |items: Vec<Value>| -> Value {
                let mut v = json!({"Items": items});
                if let Some((_, _, Some(bi))) = &batching {
                    v["BatchInput"] = bi.clone();
                }
                v
            };
            let result = for_each_item(&mut |item| {
                let selected = match &s.item_selector {
                    // JSONata: ItemSelector is an expression template on the state input.
                    _ if state
                        .jsonata
                        .as_deref()
                        .is_some_and(|j| j.item_selector.is_some()) =>
                    {
                        let ictx = ContextObject::new(self.info, &state.name, entered, attempt)
                            .with_map_item(item_index, &item)
                            .with_variables(vars);
                        let j = state.jsonata.as_deref().expect("checked");
                        match self.jsonata_item_input(j, raw, &item, &ictx) {
                            Ok(v) => v,
                            Err(e) => {
                                *lock(&produce_error) = Some(e);
                                return false;
                            }
                        }
                    }
                    Some(t) => {
                        let ictx = ContextObject::new(self.info, &state.name, entered, attempt)
                            .with_map_item(item_index, &item)
                            .with_variables(vars);
                        match t.apply(&eff, &ictx) {
                            Ok(v) => v,
                            Err(e) => {
                                *lock(&produce_error) = Some(e);
                                return false;
                            }
                        }
                    }
                    None => item,
                };
                item_index += 1;
                match &batching {
                    None => {
                        if let Err(e) =
                            self.check_size(&selected, || super::state_input_too_big(&state.name))
                        {
                            *lock(&produce_error) = Some(e);
                            return false;
                        }
                        let ok = send(Job {
                            index,
                            input: selected,
                            items: 1,
                        });
                        index += 1;
                        ok
                    }
                    Some((max_items, max_bytes, _)) => {
                        let size = json_size(&selected) + 1;
                        let full_by_bytes = max_bytes
                            .is_some_and(|m| !batch.is_empty() && (batch_bytes + size) as u64 > m);
                        if full_by_bytes {
                            let items = std::mem::take(&mut batch);
                            let n = items.len() as u64;
                            batch_bytes = 0;
                            if !send(Job {
                                index,
                                input: make_batch(items),
                                items: n,
                            }) {
                                return false;
                            }
                            index += 1;
                        }
                        batch.push(selected);
                        batch_bytes += size;
                        if max_items.is_some_and(|m| batch.len() as u64 >= m) {
                            let items = std::mem::take(&mut batch);
                            let n = items.len() as u64;
                            batch_bytes = 0;
                            let ok = send(Job {
                                index,
                                input: make_batch(items),
                                items: n,
                            });
                            index += 1;
                            return ok;
                        }
                        true
                    }
                }
            });
            if !batch.is_empty() && lock(&produce_error).is_none() && result.is_ok() {
                let n = batch.len() as u64;
                send(Job {
                    index,
                    input: make_batch(std::mem::take(&mut batch)),
                    items: n,
                });
            }
            drop(tx);
            if let Err(e) = result {
                *lock(&produce_error) = Some(e);
            }
            if let Some(e) = lock(&produce_error).take() {
                fail(Failure::State(e));
            }
        });

        let failure = lock(&first_error).take();
        if let Some(Failure::Abort(e)) = failure {
            return Err(Failure::Abort(e));
        }
        let result = match writer {
            Some((store, bucket, prefix, spool)) => {
                let spool = spool.into_inner().unwrap_or_else(|e| e.into_inner());
                // Results are written even when the Map fails, as AWS does.
                let key = spool.write(store, &bucket, &prefix, &run_id, &map_run_arn)?;
                json!({"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": key}})
            }
            None => {
                let (mut v, _) = outputs.into_inner().unwrap_or_else(|e| e.into_inner());
                v.sort_by_key(|(i, _)| *i);
                Value::Array(v.into_iter().map(|(_, v)| v).collect())
            }
        };
        if let Some(f) = failure {
            return Err(f);
        }
        self.finish(state, s.into(), raw, result, &ctx)
    }
}
