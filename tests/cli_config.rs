//! Configuration as data through the real binary: `--classes` (flag, environment, profile)
//! changes what `process` finds; `config validate` reads every accelerator config we have and
//! names file, line and key for each mistake; `config push` / `activate` on the local stack
//! change what the next document is processed with, with no code deployed, and each result
//! records the version it used.

mod common;

use std::path::{Path, PathBuf};

use common::{command, golden, root, run_cmd};
use serde_json::Value;

fn fixture(rel: &str) -> String {
    root()
        .join("tests/fixtures")
        .join(rel)
        .display()
        .to_string()
}

fn sample(rel: &str) -> String {
    root().join("samples").join(rel).display().to_string()
}

/// An idpctl command against the local stack in `state`.
fn idpctl(state: &Path, args: &[&str], env: &[(&str, &str)]) -> common::Run {
    let mut cmd = command();
    cmd.env("IDPCTL_STATE_DIR", state).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    run_cmd(cmd)
}

/// `process FILE --out OUT` → the one result document.
fn process_one(state: &Path, file: &str, extra: &[&str], env: &[(&str, &str)]) -> Value {
    let out = state.join(format!("out-{}", rand_suffix()));
    let mut args: Vec<&str> = extra.to_vec();
    let out_s = out.display().to_string();
    args.extend(["process", file, "--out", &out_s]);
    let run = idpctl(state, &args, env);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let name = Path::new(file).file_name().unwrap().to_str().unwrap();
    let text = std::fs::read_to_string(out.join(name).join("result.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::SeqCst).to_string()
}

fn class_of(result: &Value) -> String {
    result["sections"][0]["classification"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_class_from_a_file_changes_what_process_finds() {
    let bank = sample("text/bank-statement-multipage.pdf");
    let classes = fixture("classes/credit-union.yaml");

    let state = tempfile::tempdir().unwrap();
    let builtin = process_one(state.path(), &bank, &[], &[]);
    assert_eq!(class_of(&builtin), "Bank-Statement");

    // The flag, replacing the library: the only class there is.
    let state = tempfile::tempdir().unwrap();
    let replaced = process_one(
        state.path(),
        &bank,
        &["--classes", &classes, "--classes-mode", "replace"],
        &[],
    );
    assert_eq!(class_of(&replaced), "Credit-Union-Statement");
    assert_eq!(replaced["config_version"], 1);
    let fields: Vec<&str> = replaced["sections"][0]["fields"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(
        fields
            .iter()
            .all(|f| ["member_name", "statement_date"].contains(f)),
        "fields come from the file's class: {fields:?}"
    );

    // The environment, the same way.
    let state = tempfile::tempdir().unwrap();
    let from_env = process_one(
        state.path(),
        &bank,
        &[],
        &[
            ("IDPCTL_CLASSES", &classes),
            ("IDPCTL_CLASSES_MODE", "replace"),
        ],
    );
    assert_eq!(class_of(&from_env), "Credit-Union-Statement");

    // A profile's `classes:`.
    let state = tempfile::tempdir().unwrap();
    let profile = state.path().join("mine.yaml");
    std::fs::write(
        &profile,
        format!("target: local\nclasses:\n  - {classes}\nclasses_mode: replace\n"),
    )
    .unwrap();
    let from_profile = process_one(
        state.path(),
        &bank,
        &["--profile", profile.to_str().unwrap()],
        &[],
    );
    assert_eq!(class_of(&from_profile), "Credit-Union-Statement");

    // Added to the library (the default), the built-in W-2 class still wins on a W-2.
    let state = tempfile::tempdir().unwrap();
    let w2 = process_one(
        state.path(),
        &sample("w2/W2_XL_input_clean_1000.pdf"),
        &["--classes", &classes],
        &[],
    );
    assert_eq!(class_of(&w2), "W2");
}

#[test]
fn push_then_activate_changes_the_next_document_without_a_deploy() {
    let state = tempfile::tempdir().unwrap();
    let s = state.path();
    let bank = sample("text/bank-statement-multipage.pdf");
    let first = process_one(s, &bank, &[], &[]);
    assert_eq!(class_of(&first), "Bank-Statement");
    assert_eq!(
        first["config_version"], 1,
        "the profile's configuration is v1"
    );

    let push = idpctl(
        s,
        &[
            "--classes-mode",
            "replace",
            "--output",
            "json",
            "config",
            "push",
            &fixture("classes/credit-union.yaml"),
            "-m",
            "credit union only",
        ],
        &[],
    );
    assert_eq!(push.code, 0, "{}", push.stderr);
    let pushed: Value = serde_json::from_str(&push.stdout).unwrap();
    assert_eq!(pushed["version"], 2);
    assert_eq!(pushed["active"], false);
    assert_eq!(pushed["origin"], "push");

    // Pushed but not active: nothing changes yet.
    let same = process_one(s, &bank, &[], &[]);
    assert_eq!(class_of(&same), "Bank-Statement");
    assert_eq!(same["config_version"], 1);

    let act = idpctl(s, &["config", "activate", "2"], &[]);
    assert_eq!(act.code, 0, "{}", act.stderr);
    common::assert_contains(&act.stderr, "v2 is active (was v1)");
    // The same file again is processed again: it has not been with this configuration.
    let after = process_one(s, &bank, &[], &[]);
    assert_eq!(class_of(&after), "Credit-Union-Statement");
    assert_eq!(after["config_version"], 2);

    // A deploy of an unchanged profile keeps the pushed version active.
    let deploy = idpctl(s, &["deploy"], &[]);
    assert_eq!(deploy.code, 0, "{}", deploy.stderr);
    let list = idpctl(s, &["--output", "json", "config", "list"], &[]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let listed: Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(listed["active"], 2);
    let versions = listed["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "nothing new was stored: {listed}");
    assert_eq!(versions[1]["description"], "credit union only");
    assert!(!versions[1]["pushed_by"].as_str().unwrap().is_empty());
    assert!(versions[1]["pushed_at"].as_str().unwrap().starts_with("20"));

    // diff: what v2 changed, by class.
    let diff = idpctl(s, &["--output", "json", "config", "diff", "1", "2"], &[]);
    assert_eq!(diff.code, 1, "different versions exit 1: {}", diff.stderr);
    let changes: Value = serde_json::from_str(&diff.stdout).unwrap();
    let parts: Vec<(&str, &str)> = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["kind"].as_str().unwrap(), c["part"].as_str().unwrap()))
        .collect();
    assert!(parts.contains(&("added", "classes.Credit-Union-Statement")));
    assert!(parts.contains(&("removed", "classes.W2")));
    let same = idpctl(s, &["config", "diff", "2", "active"], &[]);
    assert_eq!(same.code, 0, "{}", same.stderr);

    // Versions are never overwritten; a missing one is refused by name.
    let missing = idpctl(s, &["config", "activate", "9"], &[]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    common::assert_contains(&missing.stderr, "has no configuration version 9");
    // Back to v1 and the library is back.
    assert_eq!(idpctl(s, &["config", "activate", "1"], &[]).code, 0);
    let back = process_one(s, &bank, &[], &[]);
    assert_eq!(class_of(&back), "Bank-Statement");
    assert_eq!(back["config_version"], 1);
}

/// Every config of the accelerator's `config_library` we have (tests/fixtures/accelerator)
/// loads whole: each class, and no error.
#[test]
fn every_accelerator_config_loads_with_all_its_classes() {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![root().join("tests/fixtures/accelerator")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(
        files.len() >= 10,
        "only {} accelerator configs",
        files.len()
    );
    let mut failures = Vec::new();
    let mut total_classes = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let doc: Value = yaml_serde::from_str(&text).unwrap();
        let expected = doc["classes"].as_array().map_or(0, Vec::len);
        let run = common::idpctl(&[
            "--output",
            "json",
            "config",
            "validate",
            f.to_str().unwrap(),
        ]);
        let name = f.strip_prefix(root()).unwrap().display().to_string();
        if run.code == 2 {
            failures.push(format!("{name}: unreadable: {}", run.stdout));
            continue;
        }
        let v: Value = serde_json::from_str(&run.stdout).unwrap();
        let errors: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(|f| f.to_string())
            .collect();
        if !errors.is_empty() {
            failures.push(format!("{name}: {errors:?}"));
        }
        let got = v["classes"].as_array().unwrap().len();
        if got != expected {
            failures.push(format!("{name}: {got} of {expected} classes"));
        }
        total_classes += got;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!(
        "{} accelerator configs, {total_classes} classes, all loaded",
        files.len()
    );
}

/// A whole accelerator config: its classes join the library and its sections are kept and
/// typed (what `config show` reports with their sources).
#[test]
fn an_accelerator_config_keeps_its_sections() {
    let file = fixture("accelerator/pattern-2/bank-statement-sample/config.yaml");
    let run = common::idpctl(&["--classes", &file, "--output", "json", "config", "show"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let names: Vec<&str> = v["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Bank Statement"), "{names:?}");
    assert!(
        names.contains(&"W2"),
        "the built-in library is kept: {names:?}"
    );
    for section in [
        "ocr",
        "classification",
        "extraction",
        "assessment",
        "summarization",
        "evaluation",
    ] {
        assert!(
            v["document"][section].is_object(),
            "section {section} kept: {}",
            v["document"]
        );
    }
    let model = v["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["part"] == "classification.model")
        .expect("classification.model is reported");
    assert!(model["source"].as_str().unwrap().ends_with("config.yaml"));
    assert_eq!(model["value"], "us.amazon.nova-pro-v1:0");
}

#[test]
fn bad_configs_name_file_line_and_key() {
    let run = common::idpctl(&["config", "validate", "tests/fixtures/classes/bad.yaml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    if let Some(diff) = golden(
        &root().join("tests/ui/config_validate_bad.err"),
        &run.stderr,
    ) {
        panic!("{diff}");
    }
    let json = common::idpctl(&[
        "--output",
        "json",
        "config",
        "validate",
        "tests/fixtures/classes/bad.yaml",
    ]);
    let v: Value = serde_json::from_str(&json.stdout).unwrap();
    let at: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["key"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    for want in [
        ("classification.temperature", 4),
        ("classes[0]", 8),
        (
            "classes[0].properties.total.x-aws-idp-confidence-threshold",
            12,
        ),
        ("classes[1]", 15),
        (
            "classes[2].properties.total.x-aws-idp-evaluation-method",
            23,
        ),
    ] {
        assert!(
            at.contains(&(want.0.to_string(), want.1)),
            "{want:?} not in {at:?}"
        );
    }

    // Unreadable: a YAML error names the line; a missing file its path. Exit 2.
    let broken = common::idpctl(&["config", "validate", "tests/fixtures/classes/broken.yaml"]);
    assert_eq!(broken.code, 2, "{}", broken.stderr);
    assert!(
        broken
            .stderr
            .contains("tests/fixtures/classes/broken.yaml:4: not valid YAML"),
        "{}",
        broken.stderr
    );
    let missing = common::idpctl(&["config", "validate", "nope.yaml"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("cannot read nope.yaml"));

    // A run with the bad config is refused before anything starts, with every error.
    let state = tempfile::tempdir().unwrap();
    let refused = idpctl(
        state.path(),
        &[
            "--classes",
            "tests/fixtures/classes/bad.yaml",
            "process",
            &sample("text/bank-statement-multipage.pdf"),
        ],
        &[],
    );
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    if let Some(diff) = golden(
        &root().join("tests/ui/process_bad_classes.err"),
        &refused.stderr,
    ) {
        panic!("{diff}");
    }
    assert!(
        !state.path().join("idpctl.db").exists(),
        "nothing was deployed or stored"
    );
}

/// The built-in class library as `config show` and `config validate` report it: every class of
/// `configs/classes/`, each with the file it came from.
#[test]
fn config_show_lists_the_whole_built_in_library() {
    let run = common::idpctl(&["--output", "json", "config", "show"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let names: Vec<&str> = v["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let library = [
        "W2",
        "1099-B",
        "Bank-Statement",
        "Payslip",
        "US-drivers-licenses",
        "Discharge-Summary",
        "Fund-Distribution-Table",
        "invoice",
        "receipt",
        "purchase_order",
        "utility_bill",
        "contract",
        "Passport",
        "1099-INT",
        "1099-DIV",
        "1099-MISC",
        "1099-NEC",
        "Bank-checks",
        "Homeowners-Insurance-Application",
    ];
    for class in library {
        assert!(names.contains(&class), "{class} missing from {names:?}");
    }
    assert_eq!(names.len(), library.len(), "{names:?}");
    // Every class's file, checked as a user would check their own: no error, no warning.
    let run = common::idpctl(&["config", "validate", "configs/classes"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("19 classes in 19 files: 0 error(s), 0 warning(s)")
            || run
                .stdout
                .contains("19 classes in 19 files: 0 error(s), 0 warning(s)"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
}
