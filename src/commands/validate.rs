//! `idpctl validate`: render, run every check, report every finding.
//! Exit 0 clean, 1 on findings (errors or warnings), 2 when it could not render at all.

use anyhow::Context as _;
use serde::Serialize;

use super::render::write_files;
use crate::cli::ValidateArgs;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use crate::stack;
use crate::ui::{self, OutputFormat, Style, Ui};
use crate::validate::{self, Finding, Severity, ToolRun, external};

#[derive(Serialize)]
struct Report {
    profile: String,
    clean: bool,
    errors: usize,
    warnings: usize,
    notes: usize,
    findings: Vec<Finding>,
    tools: Vec<ToolRun>,
}

pub fn run(
    assets: &stack::Assets,
    args: &ValidateArgs,
    settings: &Settings,
    ui: &Ui,
) -> anyhow::Result<ExitStatus> {
    let rendered = super::render::render_stack(assets, &args.stack, settings)?;
    let mut findings = validate::builtin(&rendered);
    if settings.target != crate::settings::Target::Local {
        findings.extend(validate::engines(&rendered));
    }
    findings.extend(class_config_findings(settings)?);
    findings.extend(crate::validate::llm_for_target(settings));
    // `package: image` deploys a second, small stack first: its repository is checked too.
    let images = match settings.package {
        crate::settings::PackageKind::Image => Some(stack::images::render(assets, settings)?),
        crate::settings::PackageKind::Zip => None,
    };
    findings.extend(validate::image(settings, images.as_ref()));
    let mut tools = Vec::new();
    if !args.no_external {
        // The linters need files; a temporary folder unless the user wants to keep them.
        let temp;
        let dir = match &args.out {
            Some(d) => d.clone(),
            None => {
                temp = tempfile::tempdir().context("cannot create a temporary folder")?;
                temp.path().to_path_buf()
            }
        };
        write_files(&rendered, &dir)?;
        let (found, runs) = external::run_all(&dir);
        findings.extend(found);
        tools = runs;
        if let Some(images) = &images {
            let path = dir.join("images.yaml");
            std::fs::write(&path, &images.template_yaml)
                .with_context(|| format!("cannot write {}", path.display()))?;
            let (found, runs) = external::run_on_template(&dir, "images.yaml");
            findings.extend(found);
            tools.extend(runs.into_iter().map(|mut r| {
                r.tool = format!("{} (images.yaml)", r.tool);
                r
            }));
        }
    } else if let Some(dir) = &args.out {
        write_files(&rendered, dir)?;
        if let Some(images) = &images {
            let path = dir.join("images.yaml");
            std::fs::write(&path, &images.template_yaml)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let report = Report {
        profile: settings.profile.clone(),
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        notes: count(Severity::Info),
        clean: findings.iter().all(|f| !f.severity.fails()),
        findings,
        tools,
    };
    match ui.output {
        OutputFormat::Json => ui::print_json(&report)?,
        OutputFormat::Text => print_text(&report, ui),
    }
    Ok(if report.clean {
        ExitStatus::Success
    } else {
        ExitStatus::Findings
    })
}

fn print_text(report: &Report, ui: &Ui) {
    for f in &report.findings {
        if f.severity == Severity::Info && ui.verbosity < 1 {
            continue;
        }
        let style = match f.severity {
            Severity::Error => Style::Error,
            Severity::Warning => Style::Warning,
            Severity::Info => Style::Dim,
        };
        println!(
            "{} [{} {}] {}: {}",
            ui.paint(style, f.severity.as_str()),
            f.tool,
            f.rule,
            f.location,
            f.message
        );
    }
    for t in &report.tools {
        match t.status.as_str() {
            "ran" => ui.debug(format!(
                "{}: {} finding(s) in {} ms",
                t.tool, t.findings, t.millis
            )),
            _ => ui.info(format!(
                "{}: {}",
                t.tool,
                t.detail.as_deref().unwrap_or(&t.status)
            )),
        }
    }
    let ran: Vec<&str> = std::iter::once("idpctl")
        .chain(
            report
                .tools
                .iter()
                .filter(|t| t.status == "ran")
                .map(|t| t.tool.as_str()),
        )
        .collect();
    let verdict = if report.clean {
        ui.paint(Style::Good, "clean")
    } else {
        ui.paint(Style::Error, "not clean")
    };
    ui.info(format!(
        "profile `{}`: {verdict} — {} error(s), {} warning(s), {} note(s); checked by {}",
        report.profile,
        report.errors,
        report.warnings,
        report.notes,
        ran.join(", ")
    ));
}

/// The profile's class configs' errors and warnings, as validate findings (rule
/// `class-config`); a file that cannot be read stops validation (exit 2).
fn class_config_findings(settings: &Settings) -> anyhow::Result<Vec<Finding>> {
    use crate::pipeline::config::Severity as S;
    if settings.classes_mode == crate::settings::ClassesMode::Replace && settings.classes.is_empty()
    {
        return Ok(vec![Finding::error(
            "class-config",
            "classes_mode",
            "is `replace` but no class config is given: the stack would have no classes",
        )]);
    }
    let files = super::config::read_files(&settings.classes)?;
    let assembled = crate::pipeline::config::sources::assemble(settings.classes_mode, &files);
    Ok(assembled
        .findings
        .iter()
        .filter_map(|f| {
            let severity = match f.severity {
                S::Error => Severity::Error,
                S::Warning => Severity::Warning,
                S::Note => return None,
            };
            Some(Finding::new(
                severity,
                "class-config",
                f.origin(),
                format!("`{}` {}", f.key, f.message),
            ))
        })
        .collect())
}
