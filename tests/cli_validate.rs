//! `idpctl validate` through the real binary: every shipped profile is clean (with the external
//! linters when installed — CI sets IDPCTL_REQUIRE_LINTERS=1 so they cannot be skipped there),
//! and a deliberately broken stack reports every problem, not just the first.

mod common;

use common::{golden, idpctl, root};
use serde_json::Value;

fn require_linters() -> bool {
    std::env::var_os("IDPCTL_REQUIRE_LINTERS").is_some()
}

#[test]
fn every_shipped_profile_is_clean() {
    for profile in ["local", "dev", "prod"] {
        let run = idpctl(&["--profile", profile, "--output", "json", "validate"]);
        let report: Value =
            serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stderr));
        let failing: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] != "info")
            .collect();
        assert!(failing.is_empty(), "{profile}: {failing:#?}");
        assert_eq!(run.code, 0, "{profile}: {}", run.stderr);
        assert_eq!(report["clean"], true);
        for tool in report["tools"].as_array().unwrap() {
            if require_linters() {
                assert_eq!(tool["status"], "ran", "{profile}: {tool}");
            }
        }
    }
}

#[test]
fn broken_stack_reports_every_finding() {
    let run = idpctl(&[
        "--templates-dir",
        "tests/fixtures/broken-stack",
        "--profile",
        "dev",
        "validate",
        "--no-external",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        golden(&root().join("tests/ui/validate_broken.out"), &run.stdout),
        None
    );
    common::assert_contains(&run.stderr, "not clean");
}

/// `validate --output json` of tests/fixtures/broken-stack, which has findings (exit 1).
fn validate_broken_stack(extra: &[&str]) -> Value {
    let mut args = vec![
        "--templates-dir",
        "tests/fixtures/broken-stack",
        "--profile",
        "dev",
        "--output",
        "json",
        "validate",
    ];
    args.extend_from_slice(extra);
    let run = idpctl(&args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

/// The `field` (rule, tool) of each finding.
fn findings<'a>(report: &'a Value, field: &str) -> Vec<&'a str> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f[field].as_str().unwrap())
        .collect()
}

#[test]
fn broken_stack_json_lists_findings_by_rule() {
    let report = validate_broken_stack(&["--no-external"]);
    let mut rules = findings(&report, "rule");
    rules.sort();
    rules.dedup();
    assert_eq!(
        rules,
        vec!["asl", "handler", "iam-wildcard", "parameters", "refs"]
    );
    assert_eq!(report["clean"], false);
}

#[test]
fn linters_fold_their_findings_in() {
    // Only meaningful where the linters are installed; CI requires them.
    if external_missing() {
        assert!(
            !require_linters(),
            "IDPCTL_REQUIRE_LINTERS is set but a linter is missing"
        );
        return;
    }
    let report = validate_broken_stack(&[]);
    let tools = findings(&report, "tool");
    for tool in ["idpctl", "cfn-lint", "statelint", "checkov"] {
        assert!(tools.contains(&tool), "no finding from {tool}: {tools:?}");
    }
}

fn external_missing() -> bool {
    ["cfn-lint", "statelint", "checkov"]
        .iter()
        .any(|t| idpctl::validate::external::which(t).is_none())
}
