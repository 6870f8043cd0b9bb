//! Shared by the integration tests: run the real `idpctl` binary with a clean environment and
//! compare output with golden files (`IDPCTL_BLESS=1 cargo test` rewrites them).

#![allow(dead_code)]

pub mod distributed;
pub mod fake_bedrock;
pub mod fake_openai;
pub mod invoices;
pub mod llama;
pub mod moto;
pub mod ocr_pages;
pub mod runtime_api;
pub mod tables;

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, in the crate root, with no `IDPCTL_*` or colour settings leaking in from the
/// developer's shell.
pub fn command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_idpctl"));
    cmd.current_dir(root());
    for (k, _) in std::env::vars() {
        if k.starts_with("IDPCTL_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

pub fn run_cmd(mut cmd: Command) -> Run {
    let out = cmd.output().expect("run idpctl");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn idpctl(args: &[&str]) -> Run {
    let mut cmd = command();
    cmd.args(args);
    run_cmd(cmd)
}

pub fn idpctl_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = command();
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    run_cmd(cmd)
}

pub fn blessing() -> bool {
    std::env::var_os("IDPCTL_BLESS").is_some()
}

/// Compares `actual` with the golden file, or rewrites it when blessing. Returns a description
/// of the mismatch so a test can report every failing case at once.
pub fn golden(path: &Path, actual: &str) -> Option<String> {
    if blessing() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create golden dir");
        }
        std::fs::write(path, actual).expect("write golden file");
        return None;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected == actual {
        return None;
    }
    let first = expected
        .lines()
        .zip(actual.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    Some(format!(
        "{} differs from the output at line {} (run `IDPCTL_BLESS=1 cargo test` if the change is intended)\n--- expected\n{}\n--- actual\n{}",
        path.display(),
        first + 1,
        expected
            .lines()
            .skip(first)
            .take(5)
            .collect::<Vec<_>>()
            .join("\n"),
        actual
            .lines()
            .skip(first)
            .take(5)
            .collect::<Vec<_>>()
            .join("\n"),
    ))
}

/// Runs a tool a test needs besides idpctl (skopeo, umoci, …) and returns its stdout; a failure
/// fails the test with the command and its stderr.
#[track_caller]
pub fn run_tool(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run a tool");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts that `text` (a run's stderr, usually) says `needle`, showing all of it when not.
#[track_caller]
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "`{needle}` not in:\n{text}");
}
