//! `process` runs its executions one per core at a time (`LocalStack::run_all`) and the step
//! journal syncs at checkpoints rather than once per step (`synchronous=NORMAL`): a run of
//! separate uploads killed with SIGKILL mid-way resumes with every document processed exactly
//! once, and every upload gets its row and its result.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{command, run_cmd};
use serde_json::Value;

fn w2_files(dir: &Path, numbers: std::ops::Range<u32>) -> Vec<PathBuf> {
    numbers
        .map(|n| {
            let name = format!("W2_XL_input_clean_{n}.pdf");
            let to = dir.join(&name);
            std::fs::copy(common::root().join("../shared/samples/w2").join(&name), &to).unwrap();
            to
        })
        .collect()
}

fn count(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db)
        .and_then(|c| c.query_row(sql, [], |r| r.get(0)))
        .unwrap_or(0)
}

const COMPLETED: &str =
    "SELECT COUNT(*) FROM tracking WHERE kind = 'document' AND status = 'COMPLETED'";

#[test]
fn separate_uploads_killed_mid_run_resume_with_every_document_exactly_once() {
    let state = tempfile::tempdir().unwrap();
    let inputs = tempfile::tempdir().unwrap();
    let files = w2_files(inputs.path(), 1000..1010);
    let db = state.path().join("idpctl.db");
    let mut cmd = command();
    cmd.env("IDPCTL_STATE_DIR", state.path())
        .arg("process")
        .args(&files)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while count(&db, COMPLETED) < 2
        && Instant::now() < deadline
        && child.try_wait().unwrap().is_none()
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up or checkpoint
    child.wait().unwrap();
    let at_kill = count(&db, COMPLETED);
    assert!(
        (2..10).contains(&at_kill),
        "kill landed mid-run ({at_kill} of 10 done)"
    );

    let out = tempfile::tempdir().unwrap();
    let mut again = command();
    again
        .env("IDPCTL_STATE_DIR", state.path())
        .args(["--output", "json", "process", "--out"])
        .arg(out.path())
        .args(&files);
    let run = run_cmd(again);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let summary: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(summary["completed"], 10, "{summary:#}");
    for f in &files {
        let name = f.file_name().unwrap().to_str().unwrap();
        let result: Value = serde_json::from_slice(
            &std::fs::read(out.path().join(name).join("result.json")).unwrap(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(result["status"], "COMPLETED", "{name}: {result:#}");
    }
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM tracking WHERE kind = 'document'"),
        10,
        "no document registered twice"
    );
    // Each document finalized exactly once across both runs, whatever ran beside it.
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM steps WHERE path LIKE '%/Finalize%'"
        ),
        10
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM executions WHERE status = 'SUCCEEDED'"
        ),
        10
    );
}
