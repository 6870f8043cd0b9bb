//! `idpctl status`: one screen on the deployed stack — its state, each component, the hook,
//! alarms, dead-letter queues, recent executions and whether the code is the local artifact.
//! Exit 0 healthy, 1 degraded, 2 down or not deployed.

use std::io::IsTerminal as _;

use super::usage::{MAX_DOCUMENTS, Usage};
use crate::aws::{self, inspect};
use crate::cli::StatusArgs;
use crate::deploy::health::{self, Health, StatusReport};
use crate::exit::ExitStatus;
use crate::package;
use crate::settings::Settings;
use crate::ui::{self, OutputFormat, Style, Ui, color_enabled, paint};

/// The report with the documents' usage beside it (one JSON object, as `--output json` had).
#[derive(serde::Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    status: &'a StatusReport,
    /// The completed documents' metering and estimated cost (see `commands::usage`); `null`
    /// when the stack is not deployed or its tracking table could not be read (a note says why).
    usage: Option<Usage>,
}

pub fn run(args: &StatusArgs, settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    let since = super::usage::since(
        args.since.as_deref().unwrap_or("24h"),
        crate::services::clock::now_millis(),
    )
    .map_err(|e| crate::error::Hinted::usage(format!("--since: {e}"), "e.g. --since 7d"))?;
    // The local artifact is optional here: without one, code hashes are simply not compared.
    // With `package: image` it is the image built now from the same binary (reproducible: the
    // same binary gives the digest deploy pushed).
    let image_digest = match settings.package {
        crate::settings::PackageKind::Image => Some(local_image_digest(args, settings, ui)),
        crate::settings::PackageKind::Zip => None,
    };
    let local = match &image_digest {
        Some(Ok(_)) => Err(None),
        Some(Err(e)) => Err(Some(e.clone())),
        None => package::resolve(
            args.artifact.as_deref(),
            settings.architecture,
            &settings.profile,
        )
        .map_err(|e| Some(e.to_string())),
    };
    let report = aws::runtime()?.block_on(async {
        let session = aws::connect(settings).await?;
        let sha = local.as_ref().ok().map(|a| a.code_sha256.clone());
        let code = match (&image_digest, &sha) {
            (Some(Ok(digest)), _) => Some(inspect::LocalCode::Image(digest)),
            (_, Some(sha)) => Some(inspect::LocalCode::Zip(sha)),
            _ => None,
        };
        let mut report = inspect::gather_with(&session, &settings.stack_name, code).await?;
        let usage = match report
            .stack
            .is_some()
            .then(|| tracking_table(&report))
            .flatten()
        {
            Some(table) => {
                let tracking = crate::services::dynamo_tracking::DynamoTracking::new(
                    aws_sdk_dynamodb::Client::new(&session.config),
                    table,
                );
                match tracking
                    .recent_documents("COMPLETED", since.as_deref(), MAX_DOCUMENTS)
                    .await
                {
                    Ok((records, truncated)) => Some(super::usage::summed(
                        &records,
                        since.as_deref(),
                        truncated,
                        &settings.prices,
                    )),
                    Err(e) => {
                        report.notes.push(format!(
                            "the documents' usage could not be read from the tracking table: {e}"
                        ));
                        None
                    }
                }
            }
            None => None,
        };
        if report.stack.is_some()
            && let Ok(versions) = super::config_versions::open_aws(&session, settings).await
        {
            match versions.store.active().await {
                Ok(active) => report.configuration = active,
                Err(e) => report
                    .notes
                    .push(format!("the active configuration could not be read: {e}")),
            }
        }
        anyhow::Ok((report, usage))
    })?;
    let (mut report, usage) = report;
    health::assess(&mut report);
    if let Err(Some(e)) = &local {
        report.notes.push(format!(
            "deployed code not compared with a local artifact: {e}"
        ));
    }
    match ui.output {
        OutputFormat::Json => ui::print_json(&Report {
            status: &report,
            usage,
        })?,
        OutputFormat::Text => {
            print!(
                "{}",
                text(&report, color_enabled(std::io::stdout().is_terminal()))
            );
            for line in usage.iter().flat_map(|u| super::usage::text(u, 12)) {
                println!("{line}");
            }
        }
    }
    Ok(report.health.exit_status())
}

/// The manifest digest of the image `deploy` would push now: from the digest cache when this
/// binary's image was built before, else built into a scratch folder (and cached).
fn local_image_digest(args: &StatusArgs, settings: &Settings, ui: &Ui) -> Result<String, String> {
    use package::image::cache::{DigestCache, Digests, Key};
    let binary = match &args.artifact {
        Some(path) => path.clone(),
        None => {
            std::env::current_exe().map_err(|e| format!("cannot find the running idpctl ({e})"))?
        }
    };
    let key = Key::of(
        &binary,
        &settings.ocr_engine,
        &settings.tesseract_languages,
        settings.architecture,
    )
    .map_err(|e| format!("cannot read {} ({e})", binary.display()))?;
    let cache = DigestCache::user(|k| std::env::var(k).ok());
    if let Some((cache, digests)) = cache.as_ref().and_then(|c| Some((c, c.get(&key)?))) {
        ui.debug(format!(
            "image digest from the cache {}: {}",
            cache.path().display(),
            digests.manifest
        ));
        return Ok(digests.manifest);
    }
    ui.debug(format!(
        "building the image of {} to learn its digest",
        binary.display()
    ));
    let dir = tempfile::tempdir().map_err(|e| format!("no scratch folder for the image ({e})"))?;
    let built = package::image::build(&package::image::ImageRequest {
        binary: &binary,
        architecture: settings.architecture,
        ocr_engine: &settings.ocr_engine,
        ocr_languages: &settings.tesseract_languages,
        out: &dir.path().join("image"),
    })
    .map_err(|e| format!("the local image does not build: {e}"))?;
    let digests = Digests {
        manifest: built.manifest_digest,
        config: built.config_digest,
    };
    // A cache that cannot be written costs the next status a build, nothing more.
    if let Some(cache) = &cache
        && let Err(e) = cache.put(&key, &digests)
    {
        ui.debug(format!(
            "the image digest is not cached ({}: {e})",
            cache.path().display()
        ));
    }
    Ok(digests.manifest)
}

/// The physical name of the stack's tracking table, as `gather` found it.
fn tracking_table(report: &StatusReport) -> Option<String> {
    report
        .components
        .iter()
        .find(|c| c.logical_id == "TrackingTable" && c.present)
        .and_then(|c| c.physical_id.clone())
}

/// The one-screen text view.
pub fn text(r: &StatusReport, color: bool) -> String {
    let mut out = String::new();
    let health = match r.health {
        Health::Healthy => paint(color, Style::Good, "healthy"),
        Health::Degraded => paint(color, Style::Warning, "degraded"),
        Health::Down => paint(color, Style::Error, "down"),
    };
    match &r.stack {
        None => out.push_str(&format!(
            "stack       {} in {}: not deployed\n",
            r.stack_name, r.region
        )),
        Some(s) => out.push_str(&format!(
            "stack       {} in {}: {} (last change {})\n",
            r.stack_name,
            r.region,
            s.status,
            s.last_change.as_deref().unwrap_or("unknown")
        )),
    }
    out.push_str(&format!("health      {health}\n"));
    if !r.components.is_empty() {
        out.push_str("components\n");
        let width = r
            .components
            .iter()
            .map(|c| c.logical_id.len())
            .max()
            .unwrap_or(0);
        for c in &r.components {
            let state = if c.present { "ok" } else { "MISSING" };
            let code = match c.code_matches_local {
                Some(true) => "  code = local artifact",
                Some(false) => "  code ≠ local artifact",
                None => "",
            };
            out.push_str(&format!(
                "  {state:<8} {:<14} {:<width$}  {}{code}\n",
                c.kind,
                c.logical_id,
                c.physical_id.as_deref().unwrap_or("-")
            ));
        }
    }
    if r.stack.is_some() {
        let hook = &r.hook;
        let line = if !hook.enabled {
            "off".to_string()
        } else {
            let found = match hook.function_found {
                Some(true) => "function found",
                Some(false) => "function NOT FOUND",
                None => "function not checked",
            };
            let allowed = if hook.allowed_by.is_empty() {
                "no role may invoke it".to_string()
            } else {
                format!("invoked by {}", hook.allowed_by.join(", "))
            };
            let waiting = match hook.undelivered {
                0 => String::new(),
                n => format!("; {n} event(s) undelivered"),
            };
            format!("{} ({found}; {allowed}{waiting})", hook.function_arn)
        };
        out.push_str(&format!("hook        {line}\n"));
        let alarms = if r.alarms_in_alarm.is_empty() {
            "none in ALARM".to_string()
        } else {
            r.alarms_in_alarm.join(", ")
        };
        out.push_str(&format!("alarms      {alarms}\n"));
        let dlqs: Vec<String> = r
            .dead_letter_queues
            .iter()
            .map(|q| format!("{} {}", q.logical_id, q.messages))
            .collect();
        out.push_str(&format!(
            "dlq depth   {}\n",
            if dlqs.is_empty() {
                "no dead-letter queues".into()
            } else {
                dlqs.join(", ")
            }
        ));
        let runs: Vec<String> = r
            .executions_24h
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        out.push_str(&format!(
            "config      {}\n",
            match &r.configuration {
                Some(a) => format!(
                    "v{} active (since {}, by {})",
                    a.version, a.activated_at, a.activated_by
                ),
                None => "no version active: the built-in classes".into(),
            }
        ));
        out.push_str(&format!(
            "executions  {} (last 24 h)\n",
            if runs.is_empty() {
                "none".into()
            } else {
                runs.join(", ")
            }
        ));
    }
    for p in &r.problems {
        out.push_str(&format!("problem     {p}\n"));
    }
    for n in &r.notes {
        out.push_str(&format!("note        {n}\n"));
    }
    out
}
