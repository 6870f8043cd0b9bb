//! The embedded default through the real binary: `process` deploys the local stack, runs the
//! samples through the rendered state machine, writes results, delivers the local hook, and a
//! run killed with SIGKILL resumes with every document exactly once.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{command, run_cmd};
use serde_json::Value;

fn samples() -> PathBuf {
    common::root().join("../shared/samples")
}

fn zip_of(path: &Path, entries: &[(&str, Vec<u8>)]) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, body) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(body).unwrap();
    }
    w.finish().unwrap();
}

fn w2(n: u32) -> Vec<u8> {
    std::fs::read(samples().join(format!("w2/W2_XL_input_clean_{n}.pdf"))).unwrap()
}

/// Any idpctl command against the local stack in `state`.
fn idpctl(state: &Path, args: &[&str]) -> common::Run {
    let mut cmd = command();
    cmd.env("IDPCTL_STATE_DIR", state).args(args);
    run_cmd(cmd)
}

fn process(state: &Path, args: &[&str], env: &[(&str, &str)]) -> common::Run {
    let mut cmd = command();
    cmd.env("IDPCTL_STATE_DIR", state).arg("process").args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    run_cmd(cmd)
}

#[test]
fn samples_complete_and_results_land_on_disk() {
    let state = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let batch = state.path().join("w2-batch.zip");
    zip_of(&batch, &[("a.pdf", w2(1002)), ("b.pdf", w2(1003))]);
    let text = samples().join("text/insurance_package_single.pdf");
    let run = process(
        state.path(),
        &[
            "--output",
            "json",
            "--out",
            out.path().to_str().unwrap(),
            text.to_str().unwrap(),
            batch.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let summary: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(summary["completed"], 3, "{summary:#}");
    let mut names: Vec<&str> = summary["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["document"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "insurance_package_single.pdf",
            "w2-batch.zip/a.pdf",
            "w2-batch.zip/b.pdf"
        ]
    );
    let doc: Value = serde_json::from_slice(
        &std::fs::read(out.path().join("w2-batch.zip/a.pdf/result.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(doc["sections"][0]["classification"], "W2");
    assert!(out.path().join("summary.json").is_file());

    // The stack is deployed now: the same files again start nothing new and report the same.
    let again = process(
        state.path(),
        &["--output", "json", text.to_str().unwrap()],
        &[],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    let executions = rusqlite::Connection::open(state.path().join("idpctl.db"))
        .unwrap()
        .query_row("SELECT COUNT(*) FROM executions", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap();
    assert_eq!(executions, 2, "one execution per distinct upload");
}

#[test]
fn corrupt_members_fail_with_reasons_and_the_rest_completes() {
    let state = tempfile::tempdir().unwrap();
    let batch = state.path().join("mixed.zip");
    zip_of(
        &batch,
        &[
            ("good.pdf", w2(1004)),
            ("corrupt.pdf", b"%PDF-1.7 broken".to_vec()),
            ("zero.pdf", Vec::new()),
            ("photo.exe", vec![0x4d, 0x5a, 0, 1, 2, 3]),
        ],
    );
    let run = process(
        state.path(),
        &["--output", "json", batch.to_str().unwrap()],
        &[],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let summary: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(summary["completed"], 1);
    assert_eq!(summary["failed"], 3);
    for d in summary["documents"].as_array().unwrap() {
        if d["status"] != "COMPLETED" {
            let reason = d["reason"].as_str().unwrap_or_default();
            assert!(
                !reason.is_empty()
                    && reason.contains(d["document"].as_str().unwrap().rsplit('/').next().unwrap())
                    || reason.len() > 10,
                "{d:#}"
            );
        }
    }
    assert!(
        std::fs::read(state.path().join("buckets/idp-local-input/inbox/mixed.zip")).is_ok(),
        "original kept"
    );
}

#[test]
fn a_zip_that_does_not_open_gets_a_row_and_a_result_alone_and_in_a_batch() {
    let state = tempfile::tempdir().unwrap();
    let broken = state.path().join("broken.zip");
    std::fs::write(&broken, b"PK\x03\x04 this is not a ZIP archive").unwrap();
    let good = state.path().join("good.pdf");
    std::fs::write(&good, w2(1005)).unwrap();
    for inputs in [vec![&broken], vec![&broken, &good]] {
        let run_state = tempfile::tempdir().unwrap();
        let out = run_state.path().join("out");
        let mut args = vec!["--output", "json", "--out", out.to_str().unwrap()];
        args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
        let run = process(run_state.path(), &args, &[]);
        assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
        let summary: Value = serde_json::from_str(&run.stdout).unwrap();
        let docs = summary["documents"].as_array().unwrap();
        assert_eq!(docs.len(), inputs.len(), "one row per input: {summary:#}");
        assert_eq!(summary["failed"], 1, "{summary:#}");
        assert_eq!(summary["completed"], inputs.len() as u64 - 1);
        let row = docs
            .iter()
            .find(|d| d["document"] == "broken.zip")
            .expect("a row");
        assert_eq!(row["status"], "FAILED");
        let reason = row["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("not a readable ZIP"), "{reason}");
        let result: Value =
            serde_json::from_slice(&std::fs::read(out.join("broken.zip/result.json")).unwrap())
                .unwrap();
        assert_eq!(result["status"], "FAILED", "{result:#}");
        assert!(
            result.to_string().contains("not a readable ZIP"),
            "{result:#}"
        );
    }
}

#[test]
fn missing_input_is_a_usage_error() {
    let state = tempfile::tempdir().unwrap();
    let run = process(state.path(), &["no/such/file.pdf"], &[]);
    assert_eq!(run.code, 2);
    common::assert_contains(&run.stderr, "no/such/file.pdf does not exist");
}

#[test]
fn local_hook_command_receives_the_documented_payload_and_failures_go_to_dead_letters() {
    let state = tempfile::tempdir().unwrap();
    let received = state.path().join("received.json");
    let hook = format!("cat > {}", received.display());
    let doc = samples().join("w2/W2_XL_input_clean_1005.pdf");
    let run = process(
        state.path(),
        &[doc.to_str().unwrap()],
        &[("IDPCTL_LOCAL_HOOK_COMMAND", &hook)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let event: Value = serde_json::from_slice(&std::fs::read(&received).unwrap()).unwrap();
    assert_eq!(
        event["detail-type"],
        "Step Functions Execution Status Change"
    );
    assert_eq!(event["detail"]["status"], "SUCCEEDED");
    let output: Value = serde_json::from_str(event["detail"]["output"].as_str().unwrap()).unwrap();
    let document = &output["document"];
    assert_eq!(document["status"], "COMPLETED");
    assert_eq!(document["num_pages"], 1);
    assert_eq!(document["sections"][0]["classification"], "W2");
    assert!(
        document["sections"][0]["extraction_result_uri"]
            .as_str()
            .unwrap()
            .starts_with("s3://idp-local-output/")
    );

    let state2 = tempfile::tempdir().unwrap();
    let run = process(
        state2.path(),
        &[doc.to_str().unwrap()],
        &[("IDPCTL_LOCAL_HOOK_COMMAND", "exit 3")],
    );
    common::assert_contains(&run.stderr, "hook delivery failed");
    let letters: Vec<_> = std::fs::read_dir(state2.path().join("dead-letters"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(letters.len(), 1);
    let letter: Value = serde_json::from_slice(&std::fs::read(letters[0].path()).unwrap()).unwrap();
    assert!(letter["reason"].as_str().unwrap().contains("exited with"));
}

#[test]
fn killed_run_resumes_with_every_document_exactly_once() {
    let state = tempfile::tempdir().unwrap();
    let batch = state.path().join("twelve.zip");
    let entries: Vec<(String, Vec<u8>)> = (1006..1018)
        .map(|n| (format!("w2-{n}.pdf"), w2(n)))
        .collect();
    let refs: Vec<(&str, Vec<u8>)> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.clone()))
        .collect();
    zip_of(&batch, &refs);
    let db = state.path().join("idpctl.db");
    let completed = |db: &Path| -> i64 {
        rusqlite::Connection::open(db)
            .and_then(|c| c.query_row("SELECT COUNT(*) FROM tracking WHERE kind = 'document' AND status = 'COMPLETED'", [], |r| r.get(0)))
            .unwrap_or(0)
    };
    let mut cmd = command();
    cmd.env("IDPCTL_STATE_DIR", state.path())
        .args(["process", batch.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while completed(&db) < 1 && Instant::now() < deadline && child.try_wait().unwrap().is_none() {
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let at_kill = completed(&db);
    assert!(
        (1..12).contains(&at_kill),
        "kill landed mid-batch ({at_kill} of 12 done)"
    );

    let run = process(
        state.path(),
        &["--output", "json", batch.to_str().unwrap()],
        &[],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let summary: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(summary["completed"], 12, "{summary:#}");
    // Steps replayed from the journal count too: the resumed run's progress covers the batch.
    let last = run.stderr.lines().rfind(|l| l.starts_with('['));
    assert!(
        last.is_some_and(|l| l.starts_with("[12/12] ")),
        "{}",
        run.stderr
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let docs: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM tracking WHERE kind = 'document'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(docs, 12, "no document registered twice");
    // Each document finalized exactly once across both runs.
    let finalized: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM steps WHERE path LIKE '%/Finalize%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(finalized, 12);
    let executions: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM executions WHERE status = 'SUCCEEDED'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(executions, 1);
}

#[test]
fn deploy_and_status_on_the_local_target() {
    let state = tempfile::tempdir().unwrap();
    let env = |args: &[&str]| idpctl(state.path(), args);
    let before = env(&["--output", "json", "status"]);
    assert_eq!(before.code, 2, "not deployed yet: {}", before.stdout);
    let deployed = env(&["--output", "json", "deploy"]);
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    let d: Value = serde_json::from_str(&deployed.stdout).unwrap();
    assert_eq!(d["created"], true);
    assert!(state.path().join("stack/statemachine.asl.json").is_file());
    let doc = samples().join("w2/W2_XL_input_clean_1018.pdf");
    assert_eq!(process(state.path(), &[doc.to_str().unwrap()], &[]).code, 0);
    let healthy = env(&["--output", "json", "status"]);
    assert_eq!(healthy.code, 0, "{}", healthy.stdout);
    let s: Value = serde_json::from_str(&healthy.stdout).unwrap();
    assert_eq!(s["health"], "healthy");
    assert_eq!(s["pending"], 0);
    // A failed hook delivery leaves a dead letter: the stack is degraded until it is dealt with.
    let other = samples().join("w2/W2_XL_input_clean_1019.pdf");
    process(
        state.path(),
        &[other.to_str().unwrap()],
        &[("IDPCTL_LOCAL_HOOK_URL", "http://127.0.0.1:9/hook")],
    );
    let degraded = env(&["--output", "json", "status"]);
    assert_eq!(degraded.code, 1, "{}", degraded.stdout);
    let s: Value = serde_json::from_str(&degraded.stdout).unwrap();
    assert_eq!(s["dead_letters"], 1);
}

#[test]
fn text_scanned_and_w2_batch_run_end_to_end_with_progress_lines() {
    let state = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let env = |args: &[&str]| idpctl(state.path(), args);
    let deployed = env(&["--profile", "local", "deploy"]);
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    let batch = state.path().join("w2s.zip");
    zip_of(
        &batch,
        &[
            ("w2-a.pdf", w2(1010)),
            ("w2-b.pdf", w2(1011)),
            ("w2-c.pdf", w2(1012)),
        ],
    );
    let text = samples().join("text/bank-statement-multipage.pdf");
    let scanned = samples().join("scanned/1099B.pdf");
    let run = process(
        state.path(),
        &[
            "--out",
            out.path().to_str().unwrap(),
            text.to_str().unwrap(),
            scanned.to_str().unwrap(),
            batch.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    // Not a terminal: one plain line per finished document, counted across the run.
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with('[') && l.contains("COMPLETED"))
        .collect();
    assert_eq!(lines.len(), 5, "{}", run.stderr);
    assert!(lines.iter().any(|l| l.starts_with("[5/5] ")), "{lines:?}");
    assert!(run.stdout.starts_with("DOCUMENT"), "{}", run.stdout);

    let result = |name: &str| -> Value {
        serde_json::from_slice(&std::fs::read(out.path().join(name).join("result.json")).unwrap())
            .unwrap()
    };
    // The scan has no text layer: its page was read by OCR and its fields match the form.
    let scan = result("1099B.pdf");
    assert_eq!(scan["status"], "COMPLETED");
    assert_eq!(scan["num_ocr_pages"], 1, "{scan:#}");
    assert_eq!(scan["pages"]["1"]["text_source"], "ocr");
    assert_eq!(scan["sections"][0]["classification"], "1099-B");
    let expected: Value = serde_json::from_slice(
        &std::fs::read(samples().join("scanned/1099B.expected.json")).unwrap(),
    )
    .unwrap();
    let payer = &scan["sections"][0]["attributes"]["PayerInformation"];
    assert_eq!(
        payer["payers_name"],
        expected["PayerInformation"]["payers_name"]
    );
    assert_eq!(payer["city"], expected["PayerInformation"]["city"]);

    let statement = result("bank-statement-multipage.pdf");
    assert_eq!(statement["status"], "COMPLETED");
    assert!(
        statement["num_pages"].as_u64().unwrap() > 1,
        "{statement:#}"
    );
    assert_eq!(statement["num_ocr_pages"], 0, "a text layer needs no OCR");
    // Nor a file per page: only the scan's page has any (its split, image and OCR read), the
    // text-layer pages are in their documents' one `pages.json`.
    let documents = state.path().join("buckets/idp-local-working/documents");
    let mut page_files = Vec::new();
    for doc in std::fs::read_dir(&documents).unwrap() {
        let doc = doc.unwrap().path();
        assert!(doc.join("pages.json").is_file(), "{}", doc.display());
        for file in std::fs::read_dir(doc.join("pages")).into_iter().flatten() {
            page_files.push(file.unwrap().file_name().to_string_lossy().to_string());
        }
    }
    page_files.sort();
    assert_eq!(page_files, ["1.json", "1.png", "1.read.json"]);
    for member in ["w2-a.pdf", "w2-b.pdf", "w2-c.pdf"] {
        let doc = result(&format!("w2s.zip/{member}"));
        assert_eq!(doc["sections"][0]["classification"], "W2", "{member}");
    }
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["completed"], 5);

    let status = env(&["--profile", "local", "--output", "json", "status"]);
    assert_eq!(status.code, 0, "{}\n{}", status.stdout, status.stderr);
    let s: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(s["health"], "healthy", "{s:#}");
}

/// `hook test` on the local stack: the sample event goes through the template's rules to the
/// dispatcher and the local hook, and what the hook printed comes back.
#[test]
fn hook_test_delivers_a_sample_event_to_the_local_hook() {
    let state = tempfile::tempdir().unwrap();
    let received = state.path().join("received.json");
    let hook = format!("cat > {}; echo '{{\"ok\": true}}'", received.display());
    let mut cmd = command();
    cmd.env("IDPCTL_STATE_DIR", state.path())
        .env("IDPCTL_LOCAL_HOOK_COMMAND", &hook)
        .args(["deploy"]);
    assert_eq!(run_cmd(cmd).code, 0);
    let mut cmd = command();
    cmd.env("IDPCTL_STATE_DIR", state.path())
        .env("IDPCTL_LOCAL_HOOK_COMMAND", &hook)
        .args(["--output", "json", "hook", "test"]);
    let run = run_cmd(cmd);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["delivered"], true);
    assert_eq!(report["answer"], serde_json::json!({"ok": true}));
    let event: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&received).unwrap()).unwrap();
    let output: serde_json::Value =
        serde_json::from_str(event["detail"]["output"].as_str().unwrap()).unwrap();
    assert!(
        output["document"]["id"]
            .as_str()
            .unwrap()
            .starts_with("idpctl-hook-test/")
    );

    // A failing hook fails the test with its reason, and leaves no dead letter behind.
    let mut cmd = command();
    cmd.env("IDPCTL_STATE_DIR", state.path())
        .env("IDPCTL_LOCAL_HOOK_COMMAND", "echo broken >&2; exit 3")
        .args(["--output", "json", "hook", "test"]);
    let run = run_cmd(cmd);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(
        report["error"].as_str().unwrap().contains("broken"),
        "{report:#}"
    );
    let letters = state.path().join("dead-letters");
    assert!(
        !letters.exists() || std::fs::read_dir(&letters).unwrap().next().is_none(),
        "a failed test is not a dead letter"
    );

    // Without a hook, it says how to set one.
    let run = idpctl(state.path(), &["hook", "test"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    common::assert_contains(&run.stderr, "local.hook_command");
}

/// The note about missing Tesseract language packs comes from the stack's own engine, and only
/// `-v` shows it: a plain run never starts `tesseract --list-langs` for it.
#[test]
fn missing_language_packs_are_asked_for_only_when_the_note_is_shown() {
    let state = tempfile::tempdir().unwrap();
    // A Tesseract with English only, that logs how it was called; a text PDF never needs it
    // for reading.
    let (program, log) = common::ocr_pages::logging_tesseract(
        state.path(),
        "printf 'List of available languages in \"/x\" (1):\\neng\\n'",
    );
    let w2 = samples().join("w2/W2_XL_input_clean_1000.pdf");
    let env = [
        ("TESSERACT_PATH", program.to_str().unwrap()),
        ("IDPCTL_TESSERACT_LANGUAGES", "eng+deu"),
    ];
    let calls = || std::fs::read_to_string(&log).unwrap_or_default();

    let run = process(state.path(), &[w2.to_str().unwrap()], &env);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("language pack"), "{}", run.stderr);
    assert_eq!(
        calls(),
        "",
        "nothing asks Tesseract for its packs without -v"
    );

    let run = process(state.path(), &["-v", w2.to_str().unwrap()], &env);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    common::assert_contains(&run.stderr, "no Tesseract language pack for deu");
    assert_eq!(
        calls(),
        "--list-langs\n",
        "asked once, by the stack's engine"
    );
}
