//! `idpctl render` through the real binary: golden files for every shipped profile, and
//! byte-identical output across runs.

mod common;

use common::{golden, idpctl, root};

fn profiles() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("profiles"))
        .unwrap()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_string_lossy()
                .strip_suffix(".yaml")
                .map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

#[test]
fn ships_the_three_profiles() {
    assert_eq!(profiles(), vec!["dev", "local", "prod"]);
}

#[test]
fn every_profile_matches_its_golden_files_and_is_byte_stable() {
    let mut failures = Vec::new();
    for profile in profiles() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        for dir in [&a, &b] {
            let run = idpctl(&[
                "--profile",
                &profile,
                "render",
                "--out",
                dir.path().to_str().unwrap(),
            ]);
            assert_eq!(run.code, 0, "{profile}: {}", run.stderr);
        }
        for file in ["template.yaml", "statemachine.asl.json", "parameters.json"] {
            let first = std::fs::read_to_string(a.path().join(file)).unwrap();
            let second = std::fs::read_to_string(b.path().join(file)).unwrap();
            assert_eq!(first, second, "{profile}/{file} differs between two runs");
            let path = root().join("tests/golden").join(&profile).join(file);
            failures.extend(golden(&path, &first));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn without_out_the_template_goes_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let run = idpctl(&[
        "--profile",
        "dev",
        "render",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0);
    let stdout = idpctl(&["--profile", "dev", "render"]);
    assert_eq!(stdout.code, 0, "{}", stdout.stderr);
    assert_eq!(
        stdout.stdout,
        std::fs::read_to_string(dir.path().join("template.yaml")).unwrap()
    );
}

#[test]
fn json_output_lists_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let run = idpctl(&[
        "--profile",
        "prod",
        "--output",
        "json",
        "render",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let files: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 4);
    assert!(files[3].ends_with("configuration.json"));
    assert!(files[1].ends_with("statemachine.asl.json"));
    assert!(v["files"][0]["bytes"].as_u64().unwrap() > 10_000);
}

#[test]
fn settings_reach_the_template() {
    let plain = idpctl(&["--profile", "dev", "render"]).stdout;
    let run = common::idpctl_env(
        &["--profile", "dev", "render"],
        &[("IDPCTL_LOG_RETENTION_DAYS", "731")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_ne!(plain, run.stdout);
    assert!(run.stdout.contains("RetentionInDays: 731"));
}

#[test]
fn strict_mode_refuses_a_missing_variable() {
    let run = idpctl(&[
        "--templates-dir",
        "tests/fixtures/strict-stack",
        "--profile",
        "dev",
        "render",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert_eq!(
        golden(
            &root().join("tests/ui/strict_missing_variable.err"),
            &run.stderr
        ),
        None
    );
}
