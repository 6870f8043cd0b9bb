//! Robustness through the real binary: with `IDPCTL_FAULTS` failing a fifth of the storage, OCR
//! or model calls, every document still completes, and exactly once; a 200-document batch
//! killed with SIGKILL ten times at random points and resumed each time ends with every
//! document exactly once and one completion event. Both hold for the inline Map and for the
//! Distributed Map (`IDPCTL_DISTRIBUTED_THRESHOLD` below the batch: one child execution per
//! document, results through the ResultWriter).

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::distributed::files_under;
use common::{command, run_cmd};
use rusqlite::Connection;
use serde_json::Value;

/// A ZIP batch of `n` small invoices as text files.
fn text_batch(path: &Path, n: usize) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        w.start_file(
            format!("invoice-{i:03}.txt"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        write!(
            w,
            "INVOICE\nInvoice Number: INV-{i:05}\nInvoice Date: 2026-01-{:02}\nBill To: Customer {i}\nTotal Due: ${}.00\n",
            i % 28 + 1,
            i * 10 + 5
        )
        .unwrap();
    }
    w.finish().unwrap();
}

/// `copies` of the scanned sample (no text layer: every page goes through OCR) in a ZIP.
fn scanned_batch(path: &Path, copies: usize) {
    let scan = std::fs::read(common::root().join("samples/scanned/1099B.pdf")).unwrap();
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..copies {
        w.start_file(
            format!("scan-{i}.pdf"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        w.write_all(&scan).unwrap();
    }
    w.finish().unwrap();
}

/// `process` on the local stack in `state`, the hook appending each completion event to
/// `<state>/events.jsonl`.
fn process(state: &Path, args: &[&str], env: &[(&str, &str)]) -> common::Run {
    let mut cmd = command();
    let hook = format!(
        "cat >> {}; echo >> {0}",
        state.join("events.jsonl").display()
    );
    cmd.env("IDPCTL_STATE_DIR", state)
        .env("IDPCTL_LOCAL_HOOK_COMMAND", hook)
        .arg("process")
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    run_cmd(cmd)
}

/// Faults the run reported injecting, per kind (`idpctl: fault injected: <kind> …` lines).
fn injected(stderr: &str, kind: &str) -> usize {
    stderr
        .lines()
        .filter(|l| l.starts_with(&format!("idpctl: fault injected: {kind} ")))
        .count()
}

fn count(db: &Connection, sql: &str) -> i64 {
    db.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// What must hold after every run however it was disturbed: `n` documents, each registered
/// once, COMPLETED, finalized once in the step journal (`Finalize` in the inline Map,
/// `FinalizeChild` in a Distributed Map's child executions); one execution, SUCCEEDED; one
/// completion event per document, none twice. Returns the Task attempts the state machine
/// retried (failed attempts in the journal).
fn exactly_once(state: &Path, n: usize) -> i64 {
    let db = Connection::open(state.join("idpctl.db")).unwrap();
    let docs = count(&db, "SELECT COUNT(*) FROM tracking WHERE kind = 'document'");
    assert_eq!(docs, n as i64, "each document registered once");
    let completed = count(
        &db,
        "SELECT COUNT(*) FROM tracking WHERE kind = 'document' AND status = 'COMPLETED'",
    );
    assert_eq!(completed, n as i64, "every document COMPLETED");
    let finalized = count(
        &db,
        r#"SELECT COUNT(*) FROM steps WHERE (path LIKE '%/Finalize' OR path LIKE '%/FinalizeChild')
           AND outcome LIKE '{"Succeeded"%'"#,
    );
    // A child execution's steps are under its own id: (execution, path) names one step.
    let distinct = count(
        &db,
        r#"SELECT COUNT(DISTINCT execution_id || ' ' || path) FROM steps
           WHERE (path LIKE '%/Finalize' OR path LIKE '%/FinalizeChild') AND outcome LIKE '{"Succeeded"%'"#,
    );
    assert_eq!(
        (finalized, distinct),
        (n as i64, n as i64),
        "one Finalize per document"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM executions"),
        1,
        "one execution"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM executions WHERE status = 'SUCCEEDED'"
        ),
        1
    );
    let events = std::fs::read_to_string(state.join("events.jsonl")).unwrap_or_default();
    let events: Vec<Value> = events
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The hook gets one completion event per document.
    let mut ids: Vec<String> = events
        .iter()
        .map(|e| {
            let output: Value =
                serde_json::from_str(e["detail"]["output"].as_str().unwrap()).unwrap();
            assert_eq!(output["document"]["status"], "COMPLETED", "{output:#}");
            output["document"]["id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(ids.len(), n, "one completion event per document");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "no document's completion event twice");
    count(
        &db,
        r#"SELECT COUNT(*) FROM steps WHERE outcome LIKE '{"Failed"%'"#,
    )
}

fn summary(run: &common::Run) -> Value {
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn a_fifth_of_storage_calls_failing_still_completes_every_document_once() {
    let started = Instant::now();
    let state = tempfile::tempdir().unwrap();
    let batch = state.path().join("invoices.zip");
    text_batch(&batch, 12);
    let run = process(
        state.path(),
        &["--output", "json", batch.to_str().unwrap()],
        &[("IDPCTL_FAULTS", "storage:0.2,seed:11")],
    );
    let s = summary(&run);
    assert_eq!(s["completed"], 12, "{s:#}");
    let faults = injected(&run.stderr, "storage");
    assert!(faults > 0, "{}", run.stderr);
    assert_eq!(
        injected(&run.stderr, "ocr") + injected(&run.stderr, "model"),
        0
    );
    let retried = exactly_once(state.path(), 12);
    eprintln!(
        "storage: {faults} faults injected, {retried} Task attempts retried by the state machine, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn a_fifth_of_ocr_calls_failing_still_completes_every_scan_once() {
    let started = Instant::now();
    let state = tempfile::tempdir().unwrap();
    let batch = state.path().join("scans.zip");
    scanned_batch(&batch, 3);
    // Seed 5 fails the first OCR call, whichever page makes it: at least one fault each run.
    let run = process(
        state.path(),
        &["--output", "json", batch.to_str().unwrap()],
        &[("IDPCTL_FAULTS", "ocr:0.2,seed:5")],
    );
    let s = summary(&run);
    assert_eq!(s["completed"], 3, "{s:#}");
    let faults = injected(&run.stderr, "ocr");
    assert!(faults > 0, "{}", run.stderr);
    let retried = exactly_once(state.path(), 3);
    // Each injected fault failed an ocr Task attempt, which the state machine retried.
    assert!(retried >= faults as i64, "{retried} < {faults}");
    for d in s["documents"].as_array().unwrap() {
        assert_eq!(d["status"], "COMPLETED", "{d:#}");
    }
    eprintln!(
        "ocr: {faults} faults injected, {retried} Task attempts retried, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn a_fifth_of_model_calls_failing_still_completes_every_document_once() {
    let started = Instant::now();
    let state = tempfile::tempdir().unwrap();
    let fake = common::fake_openai::start(None);
    let batch = state.path().join("invoices.zip");
    text_batch(&batch, 6);
    let out = state.path().join("out");
    let run = process(
        state.path(),
        &[
            "--output",
            "json",
            "--out",
            out.to_str().unwrap(),
            batch.to_str().unwrap(),
        ],
        &[
            ("IDPCTL_FAULTS", "model:0.2,seed:3"),
            ("IDPCTL_ENGINE_LLM", "openai"),
            ("IDPCTL_OPENAI_BASE_URL", &fake.url),
            ("IDPCTL_OPENAI_MODEL", "fake-model"),
            // The engine policy's back-off, short: the test is about whether, not how long.
            ("IDPCTL_MODEL_RETRY_BASE_MS", "20"),
        ],
    );
    let s = summary(&run);
    assert_eq!(s["completed"], 6, "{s:#}");
    let faults = injected(&run.stderr, "model");
    assert!(faults > 0, "{}", run.stderr);
    let retried = exactly_once(state.path(), 6);
    // The engine policy retried the throttled calls; each answer's metering says how often.
    let mut metered_retries = 0.0;
    for d in s["documents"].as_array().unwrap() {
        let name = d["document"].as_str().unwrap();
        let result: Value =
            serde_json::from_slice(&std::fs::read(out.join(name).join("result.json")).unwrap())
                .unwrap();
        for (key, units) in result["metering"].as_object().unwrap() {
            if key.ends_with("/openai/fake-model") {
                metered_retries += units["retries"].as_f64().unwrap_or(0.0);
            }
        }
    }
    assert!(metered_retries > 0.0, "{:#}", s);
    // A fault is either retried by the policy (metered) or, after its last attempt, by the
    // state machine; never more retries than faults.
    assert!(
        metered_retries <= faults as f64,
        "{metered_retries} > {faults}"
    );
    let calls = fake.requests.lock().unwrap().len();
    eprintln!(
        "model: {faults} faults injected in {} calls, {metered_retries} retried by the engine policy, {retried} Task attempts retried, {:.1} s",
        calls + faults,
        started.elapsed().as_secs_f64()
    );

    // Without the engine policy's retries (one attempt), every fault fails its Task attempt
    // and the state machine's Retry (idpctl.ModelThrottled) carries the document through. The
    // same seed and batch fault the same calls.
    let started = Instant::now();
    let state = tempfile::tempdir().unwrap();
    let batch = state.path().join("invoices.zip");
    text_batch(&batch, 6);
    let run = process(
        state.path(),
        &["--output", "json", batch.to_str().unwrap()],
        &[
            ("IDPCTL_FAULTS", "model:0.2,seed:3"),
            ("IDPCTL_ENGINE_LLM", "openai"),
            ("IDPCTL_OPENAI_BASE_URL", &fake.url),
            ("IDPCTL_OPENAI_MODEL", "fake-model"),
            ("IDPCTL_MODEL_RETRY_ATTEMPTS", "1"),
        ],
    );
    let s = summary(&run);
    assert_eq!(s["completed"], 6, "{s:#}");
    let faults = injected(&run.stderr, "model");
    assert!(faults > 0, "{}", run.stderr);
    let retried = exactly_once(state.path(), 6);
    let throttled_attempts = {
        let db = Connection::open(state.path().join("idpctl.db")).unwrap();
        count(
            &db,
            r#"SELECT COUNT(*) FROM steps WHERE outcome LIKE '{"Failed"%idpctl.ModelThrottled%'"#,
        )
    };
    assert_eq!(
        throttled_attempts, faults as i64,
        "each fault failed one Task attempt, which was retried"
    );
    eprintln!(
        "model, no engine retries: {faults} faults injected, {retried} Task attempts retried, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Documents COMPLETED so far (0 while the database is not there yet).
fn completed(db: &Path) -> i64 {
    Connection::open(db)
        .and_then(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM tracking WHERE kind = 'document' AND status = 'COMPLETED'",
                [],
                |r| r.get(0),
            )
        })
        .unwrap_or(0)
}

/// `process` on a batch of `n` documents in `state`, killed with SIGKILL ten times at random
/// points of progress (each a random count of completed documents short of the whole batch,
/// plus a random delay after it so the kill falls anywhere inside a step) and then run to its
/// end: the final run must complete every document and show `[n/n]` as its last progress line
/// (replayed steps count). Returns the final run's summary.
fn killed_ten_times_then_resumed(state: &Path, n: i64, env: &[(&str, &str)]) -> Value {
    let started = Instant::now();
    let batch = state.join("invoices.zip");
    text_batch(&batch, n as usize);
    let db = state.join("idpctl.db");
    let seed = fastrand::u64(..);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut points: Vec<i64> = (0..10).map(|_| rng.i64(1..n - 10)).collect();
    points.sort();
    let mut kills = Vec::new();
    for point in points {
        let mut cmd = command();
        cmd.env("IDPCTL_STATE_DIR", state)
            .env(
                "IDPCTL_LOCAL_HOOK_COMMAND",
                format!(
                    "cat >> {}; echo >> {0}",
                    state.join("events.jsonl").display()
                ),
            )
            .args(["process", batch.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while completed(&db) < point
            && Instant::now() < deadline
            && child.try_wait().unwrap().is_none()
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(rng.u64(0..40)));
        let finished_first = child.try_wait().unwrap().is_some();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let done = completed(&db);
        assert!(
            !finished_first && done < n,
            "seed {seed}: the run ended before its kill at {point} ({done} done)"
        );
        kills.push(done);
    }
    let run = process(state, &["--output", "json", batch.to_str().unwrap()], env);
    let s = summary(&run);
    assert_eq!(s["completed"], n, "seed {seed}: {s:#}");
    assert_eq!(s["documents"].as_array().unwrap().len(), n as usize);
    let last = run.stderr.lines().rfind(|l| l.starts_with('['));
    assert!(
        last.is_some_and(|l| l.starts_with(&format!("[{n}/{n}] "))),
        "seed {seed}: {}",
        run.stderr
    );
    exactly_once(state, n as usize);
    nothing_half_written(state);
    eprintln!(
        "killed at {kills:?} documents done (seed {seed}); {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
    s
}

/// What the killed runs were writing is gone: the object store's staging folder (cleared when a
/// later run opens it) holds nothing, and no bucket holds a temporary file. The Distributed
/// Map's own result files (`map-runs/`) are written by the interpreter's store, not checked here.
fn nothing_half_written(state: &Path) {
    let buckets = state.join("buckets");
    let staged: Vec<_> = std::fs::read_dir(buckets.join(".staging"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(staged.is_empty(), "left in staging: {staged:?}");
    let mut stack = vec![buckets.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.ends_with(".staging") || path.ends_with("map-runs") {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                let name = entry.file_name().to_string_lossy().to_string();
                assert!(
                    !name.contains(".tmp-"),
                    "a temporary file in a bucket: {path:?}"
                );
            }
        }
    }
}

#[test]
fn a_batch_killed_ten_times_at_random_points_ends_with_every_document_exactly_once() {
    let state = tempfile::tempdir().unwrap();
    killed_ten_times_then_resumed(state.path(), 200, &[]);
}

/// The Map Run's evidence in `state`: every child execution that finished a document, and
/// the ResultWriter's files, which must list each child once, all SUCCEEDED. Returns how many
/// children the results list.
fn map_run_results(state: &Path) -> usize {
    let db = Connection::open(state.join("idpctl.db")).unwrap();
    let children = count(
        &db,
        r#"SELECT COUNT(DISTINCT execution_id) FROM steps
           WHERE execution_id LIKE '%/ProcessDocumentsDistributed:%' AND path LIKE '%/FinalizeChild'"#,
    );
    let runs = state.join("buckets/idp-local-working/map-runs");
    let manifests: Vec<_> = files_under(&runs)
        .into_iter()
        .filter(|p| p.ends_with("manifest.json"))
        .collect();
    assert_eq!(manifests.len(), 1, "one Map Run: {manifests:?}");
    let m: Value = serde_json::from_slice(&std::fs::read(&manifests[0]).unwrap()).unwrap();
    assert_eq!(m["ResultFiles"]["FAILED"], serde_json::json!([]), "{m:#}");
    let results = manifests[0].parent().unwrap().join("SUCCEEDED_0.json");
    let r: Value = serde_json::from_slice(&std::fs::read(results).unwrap()).unwrap();
    let entries = r.as_array().unwrap();
    let mut names: Vec<&str> = entries
        .iter()
        .map(|e| e["Name"].as_str().unwrap())
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), entries.len(), "a child listed twice");
    assert_eq!(
        entries.len() as i64,
        children,
        "one result per child execution"
    );
    entries.len()
}

/// The same through the Distributed Map: with the threshold at 50 the 200 documents run as
/// child executions; kills land in children, between a child's end and its record in the
/// parent, and while other children run.
#[test]
fn a_distributed_map_killed_ten_times_at_random_points_ends_with_every_document_exactly_once() {
    let state = tempfile::tempdir().unwrap();
    killed_ten_times_then_resumed(state.path(), 200, &[("IDPCTL_DISTRIBUTED_THRESHOLD", "50")]);
    assert_eq!(map_run_results(state.path()), 200);
}

/// A fifth of the storage and of the OCR calls failing on the Distributed Map's path: every
/// document completes once, and each child is in the Map Run's results once.
#[test]
fn the_distributed_map_with_a_fifth_of_storage_and_ocr_calls_failing_completes_every_document_once()
{
    let started = Instant::now();
    let state = tempfile::tempdir().unwrap();
    let texts = state.path().join("invoices.zip");
    text_batch(&texts, 12);
    let run = process(
        state.path(),
        &["--output", "json", texts.to_str().unwrap()],
        &[
            ("IDPCTL_FAULTS", "storage:0.2,seed:11"),
            ("IDPCTL_DISTRIBUTED_THRESHOLD", "4"),
        ],
    );
    let s = summary(&run);
    assert_eq!(s["completed"], 12, "{s:#}");
    let storage = injected(&run.stderr, "storage");
    assert!(storage > 0, "{}", run.stderr);
    let retried = exactly_once(state.path(), 12);
    assert_eq!(map_run_results(state.path()), 12);
    eprintln!(
        "distributed, storage: {storage} faults injected, {retried} Task attempts retried, {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let state = tempfile::tempdir().unwrap();
    let scans = state.path().join("scans.zip");
    // Two scans, each a child (Tesseract is the slow part: two keep it short).
    scanned_batch(&scans, 2);
    let run = process(
        state.path(),
        &["--output", "json", scans.to_str().unwrap()],
        &[
            ("IDPCTL_FAULTS", "ocr:0.2,seed:5"),
            ("IDPCTL_DISTRIBUTED_THRESHOLD", "1"),
        ],
    );
    let s = summary(&run);
    assert_eq!(s["completed"], 2, "{s:#}");
    let ocr = injected(&run.stderr, "ocr");
    assert!(ocr > 0, "{}", run.stderr);
    let retried = exactly_once(state.path(), 2);
    assert!(retried >= ocr as i64, "{retried} < {ocr}");
    assert_eq!(map_run_results(state.path()), 2);
    eprintln!(
        "distributed, ocr: {ocr} faults injected, {retried} Task attempts retried, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
