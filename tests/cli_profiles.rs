//! Bad profiles, environment variables and flags: the exact message (file, line, key, hint) and
//! exit code 2, pinned by golden files in tests/ui/.

mod common;

use common::{golden, idpctl, idpctl_env, root};

#[test]
fn every_invalid_profile_has_its_exact_error() {
    let dir = root().join("tests/ui/profiles");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 10,
        "expected the invalid-profile corpus in {}",
        dir.display()
    );
    let mut failures = Vec::new();
    for case in cases {
        let rel = case
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .to_string();
        let run = idpctl(&["--profile", &rel, "render"]);
        if run.code != 2 {
            failures.push(format!(
                "{rel}: exit {} (want 2), stderr: {}",
                run.code, run.stderr
            ));
        }
        if !run.stdout.is_empty() {
            failures.push(format!("{rel}: wrote to stdout: {}", run.stdout));
        }
        if let Some(diff) = golden(&case.with_extension("err"), &run.stderr) {
            failures.push(diff);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn missing_profile_lists_the_available_ones() {
    let run = idpctl(&["--profile", "staging", "render"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        golden(&root().join("tests/ui/missing_profile.err"), &run.stderr),
        None
    );
}

#[test]
fn missing_profile_file_says_which() {
    let run = idpctl(&["--profile", "nowhere/prod.yaml", "render"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        golden(
            &root().join("tests/ui/missing_profile_file.err"),
            &run.stderr
        ),
        None
    );
}

#[test]
fn bad_environment_value_names_the_variable() {
    let run = idpctl_env(&["render"], &[("IDPCTL_PAGE_RETRIES", "many")]);
    assert_eq!(run.code, 2);
    assert_eq!(
        golden(&root().join("tests/ui/bad_env.err"), &run.stderr),
        None
    );
}

#[test]
fn bad_flag_value_names_the_flag() {
    let run = idpctl(&["--region", "moon-1a", "render"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        golden(&root().join("tests/ui/bad_flag.err"), &run.stderr),
        None
    );
}

#[test]
fn unknown_environment_variable_is_a_warning_not_silence() {
    let run = idpctl_env(&["--print-settings"], &[("IDPCTL_STAK_NAME", "x")]);
    assert_eq!(
        run.code, 2,
        "a subcommand is still required: {}",
        run.stderr
    );
    let run = idpctl_env(
        &["--print-settings", "render"],
        &[("IDPCTL_STAK_NAME", "x")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    common::assert_contains(
        &run.stderr,
        "warning: ignoring unknown environment variable IDPCTL_STAK_NAME",
    );
}

#[test]
fn precedence_flag_over_env_over_profile_over_default() {
    let settings = |args: &[&str], env: &[(&str, &str)]| -> serde_json::Value {
        let mut all = vec!["--print-settings"];
        all.extend_from_slice(args);
        all.push("render");
        let run = idpctl_env(&all, env);
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str(&run.stdout).unwrap()
    };
    let profile = "tests/fixtures/profiles/precedence.yaml";
    let s = settings(&["--profile", profile], &[]);
    assert_eq!(s["stack_name"], "from-profile");
    assert_eq!(s["region"], "eu-west-1");
    assert_eq!(s["page_retries"], 2, "default");
    let s = settings(
        &["--profile", profile],
        &[
            ("IDPCTL_STACK_NAME", "from-env"),
            ("IDPCTL_PAGE_RETRIES", "4"),
        ],
    );
    assert_eq!(s["stack_name"], "from-env");
    assert_eq!(s["page_retries"], 4);
    let s = settings(
        &["--profile", profile, "--stack-name", "from-flag"],
        &[("IDPCTL_STACK_NAME", "from-env")],
    );
    assert_eq!(s["stack_name"], "from-flag");
    assert_eq!(s["region"], "eu-west-1");
}
