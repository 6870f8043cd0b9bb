//! The third-party validators AWS users already trust — `cfn-lint`, `statelint`, `checkov` —
//! run on the rendered files when they are on PATH, their findings folded into ours.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

use super::finding::{Finding, Severity};

/// What happened to one external tool.
#[derive(Debug, Clone, Serialize)]
pub struct ToolRun {
    pub tool: String,
    /// `ran`, `not-installed` or `failed` (the tool itself broke; see `detail`).
    pub status: String,
    pub findings: usize,
    pub millis: u128,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Turns a tool's stdout and exit code into findings, or says why it could not.
type Parser = fn(&str, i32) -> Result<Vec<Finding>, String>;

/// Finds an executable on PATH without running a shell.
pub fn which(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
}

/// Runs every installed tool on `dir/template.yaml` and `dir/statemachine.asl.json`.
pub fn run_all(dir: &Path) -> (Vec<Finding>, Vec<ToolRun>) {
    let template = dir.join("template.yaml");
    let asl = dir.join("statemachine.asl.json");
    let tools: [(&str, Vec<String>, Parser); 3] = [
        (
            "cfn-lint",
            vec![
                "--format".into(),
                "json".into(),
                "--".into(),
                path_arg(&template),
            ],
            parse_cfn_lint,
        ),
        ("statelint", vec![path_arg(&asl)], parse_statelint),
        (
            "checkov",
            vec![
                "-f".into(),
                path_arg(&template),
                "--framework".into(),
                "cloudformation".into(),
                "--skip-download".into(),
                "-o".into(),
                "json".into(),
            ],
            parse_checkov,
        ),
    ];
    run_tools(dir, tools)
}

/// Runs cfn-lint and checkov on one more CloudFormation template in `dir` (the images stack's),
/// each finding's location naming that file.
pub fn run_on_template(dir: &Path, file: &str) -> (Vec<Finding>, Vec<ToolRun>) {
    let tools: Vec<(&str, Vec<String>, Parser)> = vec![
        (
            "cfn-lint",
            vec!["--format".into(), "json".into(), "--".into(), file.into()],
            parse_cfn_lint,
        ),
        (
            "checkov",
            vec![
                "-f".into(),
                file.into(),
                "--framework".into(),
                "cloudformation".into(),
                "--skip-download".into(),
                "-o".into(),
                "json".into(),
            ],
            parse_checkov,
        ),
    ];
    let (mut findings, runs) = run_tools(dir, tools);
    // The parsers name the main template; these findings are in `file`.
    for f in &mut findings {
        if let Some(rest) = f.location.strip_prefix("template.yaml") {
            f.location = format!("{file}{rest}");
        }
    }
    (findings, runs)
}

fn run_tools(
    dir: &Path,
    tools: impl IntoIterator<Item = (&'static str, Vec<String>, Parser)>,
) -> (Vec<Finding>, Vec<ToolRun>) {
    let mut findings = Vec::new();
    let mut runs = Vec::new();
    for (tool, args, parse) in tools {
        let Some(exe) = which(tool) else {
            runs.push(ToolRun {
                tool: tool.into(),
                status: "not-installed".into(),
                findings: 0,
                millis: 0,
                detail: Some(format!(
                    "{tool} is not on PATH; `pip install {tool}` to include it"
                )),
            });
            continue;
        };
        let started = Instant::now();
        let output = Command::new(exe).args(&args).current_dir(dir).output();
        let millis = started.elapsed().as_millis();
        let result = match output {
            Ok(o) => parse(
                &String::from_utf8_lossy(&o.stdout),
                o.status.code().unwrap_or(-1),
            )
            .map_err(|e| {
                let stderr = String::from_utf8_lossy(&o.stderr);
                let tail: String = stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | ");
                format!("{e}; stderr: {tail}")
            }),
            Err(e) => Err(e.to_string()),
        };
        match result {
            Ok(mut found) => {
                for f in &mut found {
                    f.tool = tool.into();
                }
                runs.push(ToolRun {
                    tool: tool.into(),
                    status: "ran".into(),
                    findings: found.iter().filter(|f| f.severity.fails()).count(),
                    millis,
                    detail: None,
                });
                findings.extend(found);
            }
            Err(detail) => {
                findings.push(Finding::error(
                    "tool-failed",
                    tool,
                    format!("{tool} did not run cleanly: {detail}"),
                ));
                runs.push(ToolRun {
                    tool: tool.into(),
                    status: "failed".into(),
                    findings: 1,
                    millis,
                    detail: Some(detail),
                });
            }
        }
    }
    (findings, runs)
}

fn path_arg(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// cfn-lint's JSON: a list of matches with `Level`, `Rule.Id`, `Message`, `Location`.
pub fn parse_cfn_lint(stdout: &str, _code: i32) -> Result<Vec<Finding>, String> {
    let items: Vec<Value> =
        serde_json::from_str(stdout.trim()).map_err(|e| format!("unreadable JSON: {e}"))?;
    Ok(items
        .iter()
        .map(|m| {
            let severity = match m.get("Level").and_then(Value::as_str) {
                Some("Error") => Severity::Error,
                Some("Warning") => Severity::Warning,
                _ => Severity::Info,
            };
            let line = m
                .pointer("/Location/Start/LineNumber")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            let path: Vec<String> = m
                .pointer("/Location/Path")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| {
                    p.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| p.to_string())
                })
                .collect();
            Finding::new(
                severity,
                m.pointer("/Rule/Id")
                    .and_then(Value::as_str)
                    .unwrap_or("cfn-lint"),
                format!("template.yaml:{line}: {}", path.join(".")),
                m.get("Message").and_then(Value::as_str).unwrap_or_default(),
            )
        })
        .collect())
}

/// statelint prints `N errors:` then one problem per line, and exits non-zero when it found any.
pub fn parse_statelint(stdout: &str, code: i32) -> Result<Vec<Finding>, String> {
    if code == 0 {
        return Ok(vec![]);
    }
    let problems: Vec<Finding> = stdout
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Finding::error("statelint", "statemachine.asl.json", l))
        .collect();
    if problems.is_empty() {
        return Err(format!("exited {code} without listing problems"));
    }
    Ok(problems)
}

/// checkov's JSON: `results.failed_checks` fail; `skipped_checks` are kept as notes so every
/// skip and its reason stays visible.
pub fn parse_checkov(stdout: &str, _code: i32) -> Result<Vec<Finding>, String> {
    let doc: Value =
        serde_json::from_str(stdout.trim()).map_err(|e| format!("unreadable JSON: {e}"))?;
    // checkov prints a bare summary (or `[]`) when a file has nothing it checks.
    let reports: Vec<&Value> = match &doc {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let mut out = Vec::new();
    for report in reports {
        for (key, severity) in [
            ("failed_checks", Severity::Error),
            ("skipped_checks", Severity::Info),
        ] {
            for c in report
                .pointer(&format!("/results/{key}"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let lines = c.get("file_line_range").and_then(Value::as_array);
                let line = lines
                    .and_then(|l| l.first())
                    .and_then(Value::as_u64)
                    .unwrap_or(0);
                let resource = c
                    .get("resource")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let mut message = c
                    .get("check_name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                if severity == Severity::Info {
                    let reason = c
                        .pointer("/check_result/suppress_comment")
                        .and_then(Value::as_str)
                        .unwrap_or("no reason given");
                    message = format!("skipped: {message} — {reason}");
                }
                out.push(Finding::new(
                    severity,
                    c.get("check_id")
                        .and_then(Value::as_str)
                        .unwrap_or("checkov"),
                    format!("template.yaml:{line}: {resource}"),
                    message,
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cfn_lint_matches_become_findings() {
        let out = r#"[{"Level":"Error","Message":"Additional properties are not allowed ('Bogus' was unexpected)","Location":{"Start":{"LineNumber":6},"Path":["Resources","B","Properties","Bogus"]},"Rule":{"Id":"E3002"}}]"#;
        let f = parse_cfn_lint(out, 2).unwrap();
        assert_eq!(f[0].rule, "E3002");
        assert_eq!(
            f[0].location,
            "template.yaml:6: Resources.B.Properties.Bogus"
        );
        assert_eq!(f[0].severity, Severity::Error);
    }

    #[test]
    fn statelint_lines_become_findings() {
        let out = "2 errors:\n Field \"Nex\" not allowed in State Machine.States.B\n No terminal state found\n";
        let f = parse_statelint(out, 1).unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].message, "No terminal state found");
        assert!(parse_statelint("", 0).unwrap().is_empty());
        assert!(parse_statelint("", 1).is_err());
    }

    #[test]
    fn checkov_failed_and_skipped() {
        let out = r#"{"check_type":"cloudformation","results":{"failed_checks":[{"check_id":"CKV_AWS_53","check_name":"Ensure S3 bucket has block public ACLs enabled","file_line_range":[3,6],"resource":"AWS::S3::Bucket.B"}],"skipped_checks":[{"check_id":"CKV_AWS_18","check_name":"Ensure the S3 bucket has access logging enabled","file_line_range":[9,12],"resource":"AWS::S3::Bucket.L","check_result":{"result":"SKIPPED","suppress_comment":"this is the log bucket"}}]},"summary":{}}"#;
        let f = parse_checkov(out, 1).unwrap();
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!(f[0].location, "template.yaml:3: AWS::S3::Bucket.B");
        assert_eq!(f[1].severity, Severity::Info);
        assert!(f[1].message.ends_with("— this is the log bucket"));
    }
}
