//! `deploy` and `status` for a profile whose `target` is `local`: the embedded default's stack
//! on this machine.

use serde::Serialize;

use crate::error::Hinted;
use crate::exit::ExitStatus;
use crate::runtime::local::{LocalStack, is_deployed};
use crate::settings::Settings;
use crate::stack::Assets;
use crate::ui::{self, OutputFormat, Style, Ui};

#[derive(Serialize)]
struct Deployed {
    profile: String,
    stack_name: String,
    state_dir: String,
    buckets: Vec<String>,
    database: String,
    created: bool,
    configuration: super::config_versions::Installed,
}

pub fn deploy(assets: &Assets, settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    let created = !is_deployed(settings);
    let config = super::config::effective(settings, ui)?;
    let stack = LocalStack::deploy(settings, assets)?;
    let installed = super::config_versions::install_local(settings, &config, ui)?;
    let n = &stack.services.names;
    let out = Deployed {
        profile: settings.profile.clone(),
        stack_name: settings.stack_name.clone(),
        state_dir: stack.layout.root.display().to_string(),
        buckets: vec![
            n.input_bucket.clone(),
            n.output_bucket.clone(),
            n.working_bucket.clone(),
        ],
        database: stack.layout.database().display().to_string(),
        created,
        configuration: installed,
    };
    match ui.output {
        OutputFormat::Json => ui::print_json(&out)?,
        OutputFormat::Text => {
            println!("stack      {}", out.stack_name);
            println!("state      {}", out.state_dir);
            println!("buckets    {}", out.buckets.join(", "));
            println!(
                "tables     {} (tracking, executions, step journal, configuration)",
                out.database
            );
            println!("config     v{} active", out.configuration.active);
            ui.info(if created {
                "deployed the local stack"
            } else {
                "the local stack was already deployed; definitions refreshed"
            });
        }
    }
    Ok(ExitStatus::Success)
}

#[derive(Serialize)]
struct LocalStatus {
    profile: String,
    /// healthy, degraded or not-deployed.
    health: String,
    state_dir: String,
    executions: Vec<(String, u64)>,
    documents: Vec<(String, u64)>,
    pending: usize,
    dead_letters: usize,
    recent_failures: Vec<Failure>,
    /// The configuration version the stack runs with (`null`: the built-in classes).
    configuration: Option<crate::services::config_store::Active>,
    /// The completed documents' metering, summed, and its estimated cost.
    usage: super::usage::Usage,
}

#[derive(Serialize)]
struct Failure {
    document_id: String,
    source: Option<String>,
    reason: Option<String>,
}

pub fn status(
    assets: &Assets,
    args: &crate::cli::StatusArgs,
    settings: &Settings,
    ui: &Ui,
) -> anyhow::Result<ExitStatus> {
    if !is_deployed(settings) {
        let report = serde_json::json!({"profile": settings.profile, "health": "not-deployed", "state_dir": settings.state_dir});
        match ui.output {
            OutputFormat::Json => ui::print_json(&report)?,
            OutputFormat::Text => {
                println!(
                    "local stack `{}`: not deployed (state folder {})",
                    settings.stack_name,
                    settings.state_dir.display()
                );
                ui.info("hint: `idpctl deploy --profile local`, or just `idpctl process FILES…`, which deploys first");
            }
        }
        return Ok(ExitStatus::Usage);
    }
    // Every record is in the local database: all of them unless `--since` narrows it.
    let since = match &args.since {
        Some(arg) => super::usage::since(arg, crate::services::clock::now_millis())
            .map_err(|e| Hinted::usage(format!("--since: {e}"), "e.g. --since 24h"))?,
        None => None,
    };
    let stack = LocalStack::open(settings, assets)?;
    let executions = stack.executions.counts()?;
    let mut completed = Vec::new();
    let mut documents = Vec::new();
    let mut recent_failures = Vec::new();
    for s in ["QUEUED", "RUNNING", "COMPLETED", "FAILED"] {
        let records = stack
            .runtime
            .block_on(stack.services.tracking.by_status(s))?;
        let docs: Vec<_> = records
            .into_iter()
            .filter(|r| r.kind == "document")
            .collect();
        if s == "COMPLETED" {
            completed = docs.clone();
        }
        if s == "FAILED" {
            recent_failures = docs
                .iter()
                .rev()
                .take(10)
                .map(|r| Failure {
                    document_id: r.id.clone(),
                    source: r.source.clone(),
                    reason: r.reason.clone(),
                })
                .collect();
        }
        documents.push((s.to_string(), docs.len() as u64));
    }
    let dead_letters = std::fs::read_dir(stack.layout.root.join("dead-letters"))
        .map(|d| d.count())
        .unwrap_or(0);
    let configuration = {
        let versions = super::config_versions::open_local(settings)?;
        stack.runtime.block_on(versions.store.active())?
    };
    let failed_executions = executions.iter().any(|(s, n)| s == "FAILED" && *n > 0);
    let degraded = dead_letters > 0 || failed_executions;
    let report = LocalStatus {
        profile: settings.profile.clone(),
        health: if degraded { "degraded" } else { "healthy" }.into(),
        state_dir: stack.layout.root.display().to_string(),
        pending: stack.pending()?.len(),
        executions,
        documents,
        dead_letters,
        recent_failures,
        configuration,
        usage: super::usage::summed(&completed, since.as_deref(), false, &settings.prices),
    };
    match ui.output {
        OutputFormat::Json => ui::print_json(&report)?,
        OutputFormat::Text => {
            let health = match report.health.as_str() {
                "healthy" => ui.paint(Style::Good, "healthy"),
                h => ui.paint(Style::Warning, h),
            };
            println!(
                "local stack `{}`: {health} ({})",
                settings.stack_name, report.state_dir
            );
            let fmt = |v: &[(String, u64)]| {
                v.iter()
                    .map(|(s, n)| format!("{s} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            println!(
                "executions      {}",
                if report.executions.is_empty() {
                    "none".into()
                } else {
                    fmt(&report.executions)
                }
            );
            println!("documents       {}", fmt(&report.documents));
            println!(
                "config          {}",
                match &report.configuration {
                    Some(a) => format!(
                        "v{} active (since {}, by {})",
                        a.version, a.activated_at, a.activated_by
                    ),
                    None => "no version active: the built-in classes".into(),
                }
            );
            println!(
                "pending         {} execution(s) (resumed by the next `process`)",
                report.pending
            );
            println!(
                "dead letters    {} undelivered hook event(s) in {}/dead-letters",
                report.dead_letters, report.state_dir
            );
            for line in super::usage::text(&report.usage, 16) {
                println!("{line}");
            }
            for f in &report.recent_failures {
                println!(
                    "failed          {}  {}",
                    f.source.as_deref().unwrap_or(&f.document_id),
                    f.reason.as_deref().unwrap_or("")
                );
            }
        }
    }
    Ok(if degraded {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    })
}
