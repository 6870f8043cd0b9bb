//! `idpctl process PATHS…`: the embedded default's main job. Deploys the local stack if needed,
//! uploads each file into the local input bucket (the same event routes it to `intake`), runs
//! every queued or interrupted execution of the rendered state machine, and reports each
//! document. Exit 0 when every document completed, 1 when some failed, 2 on usage errors.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use serde::Serialize;
use serde_json::Value;

use crate::cli::ProcessArgs;
use crate::engines::cost::{self, Estimate};
use crate::engines::prices::Prices;
use crate::error::Hinted;
use crate::exit::ExitStatus;
use crate::handlers::Handler;
use crate::model::Metering;
use crate::runtime::local::{LocalStack, is_deployed};
use crate::runtime::progress::{Counters, ProgressSink};
use crate::services::TrackingRecord;
use crate::settings::Settings;
use crate::stack::Assets;
use crate::ui::{self, OutputFormat, Style, Ui};

#[derive(Debug, Serialize)]
pub struct DocumentRow {
    pub document: String,
    pub document_id: String,
    pub status: String,
    pub classes: Vec<String>,
    pub fields: u64,
    pub pages: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// What the document cost (pages per OCR engine, model tokens), as its result says.
    #[serde(skip_serializing_if = "Metering::is_empty")]
    pub metering: Metering,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub profile: String,
    pub state_dir: String,
    pub documents: Vec<DocumentRow>,
    pub completed: usize,
    pub failed: usize,
    pub executions_failed: Vec<String>,
    /// Every document's metering, summed.
    pub metering: Metering,
    /// What that metering cost at list prices (the profile's `engines.prices` over the
    /// built-in table), with the tokens of each model.
    pub cost: Estimate,
}

impl DocumentRow {
    /// The row of one tracking record of the upload `upload_key`; `result` is where its
    /// `result.json` was written, if anywhere.
    pub(super) fn from_record(
        upload_key: &str,
        r: &TrackingRecord,
        result: Option<String>,
    ) -> DocumentRow {
        let d = &r.details;
        DocumentRow {
            document: display_name(upload_key, r),
            document_id: r.id.clone(),
            status: r.status.clone(),
            classes: d
                .get("classes")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            fields: d.get("fields").and_then(Value::as_u64).unwrap_or(0),
            pages: d.get("num_pages").and_then(Value::as_u64).unwrap_or(0),
            reason: r.reason.clone(),
            result,
            metering: d
                .get("metering")
                .and_then(|m| serde_json::from_value(m.clone()).ok())
                .unwrap_or_default(),
        }
    }
}

impl Summary {
    /// The summary of `documents`, counted.
    pub(super) fn new(
        profile: String,
        state_dir: String,
        documents: Vec<DocumentRow>,
        executions_failed: Vec<String>,
        prices: &Prices,
    ) -> Summary {
        let completed = documents.iter().filter(|r| r.status == "COMPLETED").count();
        let mut metering = Metering::new();
        for (context, units) in documents.iter().flat_map(|r| &r.metering) {
            for (unit, amount) in units {
                crate::model::metering::add(&mut metering, context, unit, *amount);
            }
        }
        Summary {
            cost: cost::estimate(&metering, prices),
            metering,
            profile,
            state_dir,
            failed: documents.len() - completed,
            completed,
            documents,
            executions_failed,
        }
    }

    /// Writes `summary.json` into `dir`, creating it.
    pub(super) fn write(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join("summary.json");
        std::fs::write(&path, serde_json::to_vec_pretty(self)?)
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// 0 when every document completed and every execution succeeded, else 1.
    pub(super) fn exit_status(&self) -> ExitStatus {
        if self.failed == 0 && self.executions_failed.is_empty() {
            ExitStatus::Success
        } else {
            ExitStatus::Findings
        }
    }
}

/// Where `finalize` leaves the result of `document` (its display name) in the output bucket:
/// the record's `result_uri`, else beside the upload.
pub(super) fn result_key(
    upload_key: &str,
    document: &str,
    r: &TrackingRecord,
    output_bucket: &str,
) -> String {
    r.details
        .get("result_uri")
        .and_then(Value::as_str)
        .and_then(|u| u.strip_prefix(&format!("s3://{output_bucket}/")))
        .map(str::to_string)
        .unwrap_or_else(|| match document.split_once('/') {
            Some((_, member)) => format!("{upload_key}/{member}/result.json"),
            None => format!("{upload_key}/result.json"),
        })
}

/// Writes `<dir>/<document>/result.json`: the `stored` result, or for an entry that never
/// reached the workflow (refused while unpacking) why; the path written.
pub(super) fn write_result(
    dir: &Path,
    document: &str,
    r: &TrackingRecord,
    stored: Option<Vec<u8>>,
) -> anyhow::Result<String> {
    let body = match stored {
        Some(bytes) => bytes,
        None => serde_json::to_vec_pretty(&serde_json::json!({
            "id": r.id, "status": r.status, "failure_reason": r.reason, "source": r.source,
        }))?,
    };
    let doc_dir = dir.join(document);
    std::fs::create_dir_all(&doc_dir)
        .with_context(|| format!("cannot create {}", doc_dir.display()))?;
    let path = doc_dir.join("result.json");
    std::fs::write(&path, body).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path.display().to_string())
}

/// Files named directly, and every file under named folders, sorted for a stable order.
pub(super) fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut stack = vec![p.clone()];
            while let Some(dir) = stack.pop() {
                for entry in std::fs::read_dir(&dir)
                    .with_context(|| format!("cannot read {}", dir.display()))?
                    .flatten()
                {
                    let path = entry.path();
                    if path.is_dir() {
                        stack.push(path);
                    } else if !entry.file_name().to_string_lossy().starts_with('.') {
                        files.push(path);
                    }
                }
            }
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            return Err(Hinted::usage(
                format!("{} does not exist", p.display()),
                "pass files, folders or ZIP batches that exist",
            )
            .into());
        }
    }
    files.sort();
    files.dedup();
    if files.is_empty() {
        return Err(Hinted::usage(
            "no files to process",
            "pass at least one file, folder or ZIP batch",
        )
        .into());
    }
    Ok(files)
}

pub(super) fn display_name(upload_key: &str, record: &TrackingRecord) -> String {
    let file = upload_key.rsplit('/').next().unwrap_or(upload_key);
    let name = record
        .details
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(file);
    if name == file {
        file.to_string()
    } else {
        format!("{file}/{name}")
    }
}

pub fn run(
    assets: &Assets,
    args: &ProcessArgs,
    settings: &Settings,
    ui: &Ui,
) -> anyhow::Result<ExitStatus> {
    let files = expand(&args.paths)?;
    // A bad class config is refused before anything is deployed or submitted.
    let config = super::config::effective(settings, ui)?;
    let fresh = !is_deployed(settings);
    let stack = LocalStack::deploy(settings, assets).context("cannot start the local stack")?;
    // Asking may run the engine's program (`tesseract --list-langs`): only for `-v`.
    if ui.verbosity >= 1
        && let Some(note) = stack.services.ocr.note()
    {
        ui.debug(note);
    }
    super::config_versions::install_local(settings, &config, ui)?;
    if fresh {
        ui.info(format!(
            "deployed the local stack `{}` in {}",
            settings.stack_name,
            settings.state_dir.display()
        ));
    }
    let mut uploads = Vec::new();
    for file in &files {
        for result in stack.submit(file)? {
            for u in result["uploads"].as_array().into_iter().flatten() {
                if let (Some(id), Some(key)) = (u["upload_id"].as_str(), u["key"].as_str()) {
                    uploads.push((id.to_string(), key.to_string()));
                }
            }
        }
    }
    let pending = stack.pending()?;
    let progress = Arc::new(Progress::new(ui));
    let mut executions_failed = Vec::new();
    let label = |exec: &crate::services::local::LocalExecution| {
        exec.input
            .pointer("/upload/key")
            .and_then(Value::as_str)
            .unwrap_or(&exec.name)
            .to_string()
    };
    // Several run at once (one per core); the bar names the upload only when there is one.
    if let [only] = &pending[..] {
        progress.set_upload(&label(only));
    }
    stack.run_all(&pending, Some(progress.clone()), |exec, finished| {
        let label = label(exec);
        let line = match &finished.error {
            None => format!("{label}: {}", finished.status),
            Some((e, c)) => {
                executions_failed.push(format!("{label}: {e}: {c}"));
                format!("{label}: {} ({e}: {c})", finished.status)
            }
        };
        for (handler, err) in &finished.routed {
            if let Some(err) = err {
                ui.warn(format!("{handler} for {label}: {err}"));
            }
        }
        progress.line(line);
    })?;
    progress.finish();
    let summary = collect(
        &stack,
        settings,
        &uploads,
        args.out.as_deref(),
        executions_failed,
    )?;
    match ui.output {
        OutputFormat::Json => ui::print_json(&summary)?,
        OutputFormat::Text => print_table(&summary, ui),
    }
    Ok(summary.exit_status())
}

/// Documents and pages done, drawn as a bar on a terminal and as one plain line per finished
/// document otherwise (logs, CI, pipes, `--output json`). `-q` prints neither.
struct Progress {
    counters: Counters,
    bar: Option<indicatif::ProgressBar>,
    lines: bool,
}

impl Progress {
    fn new(ui: &Ui) -> Self {
        let silent = ui.verbosity < 0 || ui.output == OutputFormat::Json;
        let bar = (!silent && std::io::stderr().is_terminal()).then(|| {
            // Length 0 until the first upload is unpacked: the number of documents in a ZIP is
            // only known then.
            let bar = indicatif::ProgressBar::new(0);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} [{bar:30}] {pos}/{len} documents  {msg}  {prefix}  {elapsed}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            bar
        });
        Progress {
            counters: Counters::default(),
            // Lines go to stderr, so they cannot spoil `--output json` on stdout.
            lines: ui.verbosity >= 0 && bar.is_none(),
            bar,
        }
    }

    /// The upload being run, shown beside the counts.
    fn set_upload(&self, label: &str) {
        if let Some(bar) = &self.bar {
            bar.set_prefix(label.to_string());
        }
    }

    fn redraw(&self, bar: &indicatif::ProgressBar) {
        let s = self.counters.snapshot();
        bar.set_length(s.documents_total);
        bar.set_position(s.documents_done);
        let failed = match s.documents_failed {
            0 => String::new(),
            n => format!(", {n} failed"),
        };
        bar.set_message(format!("{}/{} pages{failed}", s.pages_done, s.pages_total));
    }

    /// A message that must not be overdrawn by the bar.
    fn line(&self, line: String) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None if self.lines => eprintln!("{line}"),
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl ProgressSink for Progress {
    fn handled(&self, handler: Handler, output: &Value) {
        if !self.counters.apply(handler, output) {
            return;
        }
        if let Some(bar) = &self.bar {
            self.redraw(bar);
        } else if self.lines && matches!(handler, Handler::Finalize | Handler::OnFailure) {
            let s = self.counters.snapshot();
            eprintln!(
                "[{}/{}] {} {} ({}/{} pages)",
                s.documents_done,
                s.documents_total,
                output["document_id"].as_str().unwrap_or("document"),
                output["status"].as_str().unwrap_or(handler.name()),
                s.pages_done,
                s.pages_total
            );
        }
    }
}

/// One row per document of this run's uploads, with its result copied into `out`.
fn collect(
    stack: &LocalStack,
    settings: &Settings,
    uploads: &[(String, String)],
    out: Option<&Path>,
    executions_failed: Vec<String>,
) -> anyhow::Result<Summary> {
    let services = &stack.services;
    let bucket = &services.names.output_bucket;
    let mut rows = Vec::new();
    for (upload_id, key) in uploads {
        let mut records = stack
            .runtime
            .block_on(services.tracking.by_batch(upload_id))?;
        // An upload that failed before any document was registered is its own row.
        if records.is_empty()
            && let Some(upload) = stack.runtime.block_on(services.tracking.get(upload_id))?
        {
            records.push(upload);
        }
        for r in records {
            let mut written = None;
            if let Some(dir) = out {
                let name = display_name(key, &r);
                let stored = stack
                    .runtime
                    .block_on(
                        services
                            .objects
                            .get(bucket, &result_key(key, &name, &r, bucket)),
                    )
                    .ok();
                written = Some(write_result(dir, &name, &r, stored)?);
            }
            rows.push(DocumentRow::from_record(key, &r, written));
        }
    }
    let summary = Summary::new(
        settings.profile.clone(),
        settings.state_dir.display().to_string(),
        rows,
        executions_failed,
        &settings.prices,
    );
    if let Some(dir) = out {
        summary.write(dir)?;
    }
    Ok(summary)
}

pub(super) fn print_table(s: &Summary, ui: &Ui) {
    let width = s
        .documents
        .iter()
        .map(|r| r.document.chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 60);
    println!(
        "{:<width$}  {:<22}  {:>6}  {:>5}  {:<9}  REASON",
        "DOCUMENT", "CLASS", "FIELDS", "PAGES", "STATUS"
    );
    for r in &s.documents {
        let status = match r.status.as_str() {
            "COMPLETED" => ui.paint(Style::Good, &format!("{:<9}", r.status)),
            _ => ui.paint(Style::Error, &format!("{:<9}", r.status)),
        };
        let classes = if r.classes.is_empty() {
            "-".to_string()
        } else {
            r.classes.join(",")
        };
        println!(
            "{:<width$}  {:<22}  {:>6}  {:>5}  {status}  {}",
            r.document,
            classes,
            r.fields,
            r.pages,
            r.reason.as_deref().unwrap_or("")
        );
    }
    // What the run cost, beside the documents: tokens per model, pages per OCR meter, total.
    let lines = cost::text(&s.cost, &s.metering);
    if !lines.is_empty() {
        println!();
        for line in lines {
            println!("{line}");
        }
    }
    ui.info(format!(
        "{} completed, {} failed (state: {})",
        s.completed, s.failed, s.state_dir
    ));
}
