//! `idpctl config validate` and `config show`, and the effective configuration every command
//! that runs or deploys the stack starts from: the built-in class library (unless
//! `classes_mode: replace`), then the files of `--classes` / `IDPCTL_CLASSES` / `classes:`.
//! The version commands (`push`, `list`, `activate`, `diff`) are in `config_versions`.

use std::path::PathBuf;

use anyhow::Context as _;
use serde::Serialize;
use serde_json::Value;

use crate::cli::{ConfigAction, ConfigArgs};
use crate::error::Hinted;
use crate::exit::ExitStatus;
use crate::pipeline::config::class::ClassDef;
use crate::pipeline::config::sources::{self, Assembled, ConfigFile, LoadError};
use crate::pipeline::config::{Finding, Severity};
use crate::settings::{ClassesMode, Settings};
use crate::ui::{self, OutputFormat, Style, Ui};

pub fn run(args: &ConfigArgs, settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    match &args.action {
        ConfigAction::Validate { files } => validate(files, ui),
        ConfigAction::Show => show(settings, ui),
        _ => super::config_versions::run(&args.action, settings, ui),
    }
}

/// Reads the files (folders expanded), failing on the first that cannot be read.
pub fn read_files(paths: &[PathBuf]) -> Result<Vec<ConfigFile>, LoadError> {
    let cwd = std::env::current_dir().map_err(|source| LoadError::Read {
        path: ".".into(),
        source,
    })?;
    sources::expand(paths, &cwd)?
        .iter()
        .map(|(name, path)| sources::read(name, path))
        .collect()
}

/// The configuration `files` make over the built-in library (or alone, with `replace`);
/// refused with every error when any file has one. Warnings go to stderr, notes at `-v`.
pub fn assemble(paths: &[PathBuf], mode: ClassesMode, ui: &Ui) -> anyhow::Result<Assembled> {
    if mode == ClassesMode::Replace && paths.is_empty() {
        return Err(Hinted::usage(
            "classes_mode is `replace` but no class config is given",
            "name your class configs with --classes, IDPCTL_CLASSES or the profile's `classes:`, or use classes_mode: add",
        )
        .into());
    }
    let files = read_files(paths)?;
    let assembled = sources::assemble(mode, &files);
    let errors = assembled.errors();
    if !errors.is_empty() {
        return Err(Hinted::usage(
            format!(
                "the class configuration has {} error{}:\n  {}",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                errors
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n  ")
            ),
            "fix each as it says; `idpctl config validate FILE…` lists every finding",
        )
        .into());
    }
    report_findings(&assembled.findings, ui);
    Ok(assembled)
}

/// The profile's effective configuration.
pub fn effective(settings: &Settings, ui: &Ui) -> anyhow::Result<Assembled> {
    assemble(&settings.classes, settings.classes_mode, ui)
}

fn report_findings(findings: &[Finding], ui: &Ui) {
    for f in findings {
        match f.severity {
            Severity::Warning => ui.warn(f.to_string()),
            Severity::Note => ui.debug(f.to_string()),
            Severity::Error => {}
        }
    }
}

#[derive(Serialize)]
struct ClassSummary {
    name: String,
    /// Top-level properties of the class schema.
    properties: usize,
    file: String,
}

#[derive(Serialize)]
struct Validation {
    classes: Vec<ClassSummary>,
    /// Errors and warnings.
    findings: Vec<Finding>,
    /// Keys kept but not read, older formats converted: shown at `-v` in text.
    notes: Vec<Finding>,
    unreadable: Vec<String>,
}

fn validate(paths: &[PathBuf], ui: &Ui) -> anyhow::Result<ExitStatus> {
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let mut out = Validation {
        classes: Vec::new(),
        findings: Vec::new(),
        notes: Vec::new(),
        unreadable: Vec::new(),
    };
    let mut files = Vec::new();
    for p in paths {
        match sources::expand(std::slice::from_ref(p), &cwd) {
            Ok(found) => files.extend(found),
            Err(e) => out.unreadable.push(e.to_string()),
        }
    }
    for (name, path) in &files {
        match sources::read(name, path) {
            Ok(file) => {
                for c in file.classes() {
                    if let Ok(class) = ClassDef::from_schema(c) {
                        out.classes.push(ClassSummary {
                            name: class.name,
                            properties: c
                                .get("properties")
                                .and_then(Value::as_object)
                                .map_or(0, |m| m.len()),
                            file: file.name.clone(),
                        });
                    }
                }
                for f in file.findings {
                    if f.severity == Severity::Note {
                        out.notes.push(f);
                    } else {
                        out.findings.push(f);
                    }
                }
            }
            Err(e) => out.unreadable.push(e.to_string()),
        }
    }
    let status = if !out.unreadable.is_empty() {
        ExitStatus::Usage
    } else if out.findings.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Findings
    };
    if ui.output == OutputFormat::Json {
        ui::print_json(&out)?;
        return Ok(status);
    }
    for c in &out.classes {
        println!("{:<32} {:>4} properties  {}", c.name, c.properties, c.file);
    }
    for f in &out.findings {
        let style = if f.severity == Severity::Error {
            Style::Error
        } else {
            Style::Warning
        };
        eprintln!("{}", ui.paint(style, &f.to_string()));
        if let Some(h) = &f.hint {
            eprintln!("  hint: {h}");
        }
    }
    for n in &out.notes {
        ui.debug(n.to_string());
    }
    for u in &out.unreadable {
        eprintln!("{}", ui.paint(Style::Error, &format!("error: {u}")));
    }
    let count = |s: Severity| out.findings.iter().filter(|f| f.severity == s).count();
    ui.info(format!(
        "{} class{} in {} file{}: {} error(s), {} warning(s), {} unreadable{}",
        out.classes.len(),
        if out.classes.len() == 1 { "" } else { "es" },
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        count(Severity::Error),
        count(Severity::Warning),
        out.unreadable.len(),
        if out.notes.is_empty() || ui.verbosity > 0 {
            String::new()
        } else {
            format!("; {} note(s) at -v", out.notes.len())
        }
    ));
    Ok(status)
}

#[derive(Serialize)]
struct Shown {
    profile: String,
    classes_mode: &'static str,
    sources: Vec<String>,
    classes: Vec<ShownClass>,
    settings: Vec<ShownSetting>,
    /// The whole document, as `deploy` or `config push` would store it.
    document: Value,
}

#[derive(Serialize)]
struct ShownClass {
    name: String,
    fields: usize,
    source: String,
}

#[derive(Serialize)]
struct ShownSetting {
    part: String,
    value: Value,
    source: String,
}

fn show(settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    let assembled = effective(settings, ui)?;
    let source_of = |part: &str| {
        assembled
            .origins
            .iter()
            .find(|o| o.part == part)
            .map(|o| o.source.clone())
            .unwrap_or_default()
    };
    let classes = assembled.document["classes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| ClassDef::from_schema(c).ok())
        .map(|c| ShownClass {
            source: source_of(&format!("classes.{}", c.name)),
            fields: c.fields.len() + c.tables.iter().map(|(_, cols)| cols.len()).sum::<usize>(),
            name: c.name,
        })
        .collect();
    let settings_shown = assembled
        .origins
        .iter()
        .filter(|o| !o.part.starts_with("classes."))
        .map(|o| ShownSetting {
            value: o
                .part
                .split('.')
                .try_fold(&assembled.document, |v, k| v.get(k))
                .cloned()
                .unwrap_or(Value::Null),
            part: o.part.clone(),
            source: o.source.clone(),
        })
        .collect();
    let shown = Shown {
        profile: settings.profile.clone(),
        classes_mode: settings.classes_mode.as_str(),
        sources: assembled.sources.clone(),
        classes,
        settings: settings_shown,
        document: assembled.document.clone(),
    };
    if ui.output == OutputFormat::Json {
        ui::print_json(&shown)?;
        return Ok(ExitStatus::Success);
    }
    println!(
        "profile       {} ({})",
        shown.profile, settings.profile_source
    );
    println!(
        "classes_mode  {}{}",
        shown.classes_mode,
        match settings.classes_mode {
            ClassesMode::Add => " (the built-in classes, then yours)",
            ClassesMode::Replace => " (only yours)",
        }
    );
    println!(
        "files         {}",
        if shown.sources.is_empty() {
            "none (the built-in class library only)".to_string()
        } else {
            shown.sources.join(", ")
        }
    );
    println!("\nclasses ({})", shown.classes.len());
    for c in &shown.classes {
        println!("  {:<28} {:>3} fields  {}", c.name, c.fields, c.source);
    }
    println!("\nsettings ({})", shown.settings.len());
    if shown.settings.is_empty() {
        println!("  none: every stage runs with its defaults");
    }
    for s in &shown.settings {
        println!(
            "  {:<40} {:<44} {}",
            s.part,
            crate::pipeline::config::diff::short(&s.value, 42),
            s.source
        );
    }
    Ok(ExitStatus::Success)
}
