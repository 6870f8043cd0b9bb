//! The embedded default: the whole stack on this machine. "Deploying" renders the same template
//! and state machine that go to AWS and creates the local stores; uploads become the S3 event
//! the template's rule routes to `intake`; queued executions run the rendered definition in the
//! ASL interpreter with the in-process handlers and a durable step journal; finished executions
//! become the status-change events the template routes to `hook_dispatch` and `on_failure`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::guard::guarded;
use super::invoker::LocalInvoker;
use super::journal::SqliteJournal;
use super::progress::ProgressSink;
use super::rules::{self, Rule};
use crate::asl::{ExecutionEvent, ExecutionInfo, ExecutionOutcome, Executor, StateMachine};
use crate::handlers::Handler;
use crate::services::local::{
    LocalExecution, LocalLayout, SqliteExecutions, local_names, services_with,
};
use crate::services::local_hook::{LocalHook, WithDeadLetters};
use crate::services::objects::s3_location;
use crate::services::{HookTarget, Services, clock};
use crate::settings::Settings;
use crate::stack::context::function_ids;
use crate::stack::{self, Assets, Rendered};

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error(transparent)]
    Render(#[from] crate::stack::RenderError),
    #[error("local stack at {dir}: {message}")]
    State { dir: PathBuf, message: String },
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
    #[error(transparent)]
    Engine(#[from] crate::engines::SelectError),
    #[error(transparent)]
    Faults(#[from] crate::services::faults::FaultsError),
}

impl crate::diagnose::Diagnose for LocalError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            LocalError::Render(e) => return e.hint(),
            LocalError::State { .. } => {
                "check that the state folder is writable, or choose another with IDPCTL_STATE_DIR"
                    .into()
            }
            LocalError::Input { .. } => "pass files or folders that exist and can be read".into(),
            LocalError::Engine(e) => return e.hint(),
            LocalError::Faults(e) => return e.hint(),
        })
    }
    fn status(&self) -> crate::exit::ExitStatus {
        match self {
            LocalError::Render(e) => e.status(),
            _ => crate::exit::ExitStatus::Usage,
        }
    }
}

/// What one finished execution produced.
#[derive(Debug, Clone)]
pub struct Finished {
    pub name: String,
    pub status: String,
    pub output: Option<Value>,
    pub error: Option<(String, String)>,
    /// Handlers the status-change event was routed to, with their error if they failed.
    pub routed: Vec<(String, Option<String>)>,
}

pub struct LocalStack {
    pub settings: Settings,
    pub layout: LocalLayout,
    pub services: Arc<Services>,
    /// What the state machine's Tasks get: `services` with client retries, and faults beneath
    /// them when `IDPCTL_FAULTS` asks for them (tests only; see `services::faults`).
    handlers: Arc<Services>,
    pub executions: Arc<SqliteExecutions>,
    pub journal: Arc<SqliteJournal>,
    pub rendered: Rendered,
    machine: StateMachine,
    rules: Vec<Rule>,
    state_machine_arn: String,
    pub runtime: tokio::runtime::Runtime,
}

/// The state folder: the profile's, or `IDPCTL_STATE_DIR` (already folded into settings).
pub fn state_dir(settings: &Settings) -> PathBuf {
    settings.state_dir.clone()
}

/// Whether `deploy` ran for this state folder.
pub fn is_deployed(settings: &Settings) -> bool {
    state_dir(settings).join("stack/template.yaml").is_file()
}

fn state_err(dir: &Path, e: impl std::fmt::Display) -> LocalError {
    LocalError::State {
        dir: dir.to_path_buf(),
        message: e.to_string(),
    }
}

impl LocalStack {
    /// Renders the stack and creates (or re-opens) its local stores. Idempotent: deploying again
    /// keeps buckets, tables and queued work, and refreshes the definitions.
    pub fn deploy(settings: &Settings, assets: &Assets) -> Result<Self, LocalError> {
        let dir = state_dir(settings);
        let layout = LocalLayout::new(&dir);
        let files = dir.join("stack");
        std::fs::create_dir_all(&files).map_err(|e| state_err(&dir, e))?;
        // The render is kept beside the files it wrote and reused while its inputs are the
        // same (`stack::cache`); a file deleted since is written again from it.
        let write = |rendered: &Rendered, only_missing: bool| {
            for (name, text) in [
                ("template.yaml", &rendered.template_yaml),
                ("statemachine.asl.json", &rendered.definition_json),
                ("parameters.json", &rendered.parameters_json),
            ] {
                let path = files.join(name);
                if !only_missing || !path.is_file() {
                    std::fs::write(path, text).map_err(|e| state_err(&dir, e))?;
                }
            }
            Ok::<_, LocalError>(())
        };
        let (rendered, source) = stack::cache::render_kept(
            assets,
            stack::DEFAULT_STACK,
            settings,
            &files,
            |r: &Rendered| write(r, false),
        )?;
        if source == stack::cache::Source::Kept {
            write(&rendered, true)?;
        }
        let names = local_names(&settings.stack_name, settings.page_retries);
        for bucket in [
            &names.input_bucket,
            &names.output_bucket,
            &names.working_bucket,
        ] {
            std::fs::create_dir_all(layout.buckets().join(bucket))
                .map_err(|e| state_err(&dir, e))?;
        }
        Self::with_rendered(settings, rendered)
    }

    /// Opens a deployed local stack without changing it (for `status`).
    pub fn open(settings: &Settings, assets: &Assets) -> Result<Self, LocalError> {
        let rendered = stack::render(assets, stack::DEFAULT_STACK, settings)?;
        Self::with_rendered(settings, rendered)
    }

    fn with_rendered(settings: &Settings, rendered: Rendered) -> Result<Self, LocalError> {
        let dir = state_dir(settings);
        let layout = LocalLayout::new(&dir);
        let names = local_names(&settings.stack_name, settings.page_retries);
        let executions =
            Arc::new(SqliteExecutions::open_in(&layout).map_err(|e| state_err(&dir, e))?);
        let mut services = services_with(&layout, names.clone(), executions.clone())
            .map_err(|e| state_err(&dir, e))?;
        let hook = match (&settings.local_hook_command, &settings.local_hook_url) {
            (Some(c), _) => Some(LocalHook::Command(c.clone())),
            (None, Some(u)) => Some(LocalHook::Url(u.clone())),
            _ => None,
        };
        services.hook = hook.map(|hook| {
            Arc::new(WithDeadLetters {
                hook,
                dlq_dir: layout.root.join("dead-letters"),
            }) as Arc<dyn HookTarget>
        });
        // The profile's OCR engine (`engines.ocr`, `IDPCTL_ENGINE_OCR`); Tesseract by default,
        // with the packs of `engines.tesseract.languages`.
        if settings.ocr_engine == "tesseract" {
            services.ocr = Arc::new(crate::pipeline::ocr::tesseract::Tesseract::with_languages(
                settings.tesseract_languages.clone(),
            ));
        } else if let Some(ocr) = crate::pipeline::ocr::engine_named(&settings.ocr_engine) {
            services.ocr = ocr;
        }
        // Read once; model faults go beneath the engines' retry policy, the rest around the
        // services the Tasks get (`handlers`).
        let faults = crate::services::faults::Faults::from_env(|k| std::env::var(k).ok())?;
        services.llm = crate::engines::select::from_settings_with(
            settings,
            &|k| std::env::var(k).ok(),
            &|chat| match &faults {
                Some(f) => f.chat(chat),
                None => chat,
            },
        )?;
        if let Some(vision) = services.llm.for_stage(crate::engines::Stage::Ocr) {
            services.ocr = Arc::new(crate::pipeline::ocr::vision::VisionOcr::from_engine(
                vision.clone(),
            ));
        }
        let journal =
            Arc::new(SqliteJournal::open(&layout.database()).map_err(|e| state_err(&dir, e.0))?);
        let machine =
            StateMachine::from_value(&rendered.definition).map_err(|e| state_err(&dir, e))?;
        let state_machine_arn = format!(
            "arn:aws:states:{}:000000000000:stateMachine:{}",
            settings.region, settings.stack_name
        );
        let refs = HashMap::from([
            ("InputBucket".to_string(), names.input_bucket.clone()),
            ("OutputBucket".to_string(), names.output_bucket.clone()),
            ("WorkingBucket".to_string(), names.working_bucket.clone()),
            ("StateMachine".to_string(), state_machine_arn.clone()),
        ]);
        let functions: HashMap<String, Handler> = rendered
            .stack
            .functions
            .iter()
            .filter_map(|f| Some((function_ids(&f.handler).logical_id, f.handler.parse().ok()?)))
            .collect();
        let rules = rules::rules(&rendered.template, &refs, &functions);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| state_err(&dir, e))?;
        let services = Arc::new(services);
        // The Tasks' stores retry a transient error as the SDK does in AWS (beneath it, the
        // injected faults when asked for).
        let handlers = Arc::new(crate::services::retry::wrap(&match &faults {
            Some(f) => f.wrap(&services),
            None => (*services).clone(),
        }));
        Ok(LocalStack {
            settings: settings.clone(),
            layout,
            services,
            handlers,
            executions,
            journal,
            rendered,
            machine,
            rules,
            state_machine_arn,
            runtime,
        })
    }

    /// Puts a file into the input bucket and delivers the "Object Created" event through the
    /// template's rules. The event's ETag is the content hash, so submitting the same file again
    /// is the same upload (nothing runs twice) and a changed file is a new one.
    pub fn submit(&self, path: &Path) -> Result<Vec<Value>, LocalError> {
        let input = |message: String| LocalError::Input {
            path: path.to_path_buf(),
            message,
        };
        // Hash by streaming: a 1,000-document ZIP is ~90 MB and must not sit in memory.
        let mut file = std::fs::File::open(path).map_err(|e| input(e.to_string()))?;
        let (size, digest) = sha256_stream(&mut file).map_err(|e| input(e.to_string()))?;
        drop(file);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .ok_or_else(|| input("has no file name".into()))?;
        let key = format!("inbox/{name}");
        let etag = hex::encode(&digest[..16]);
        // Local buckets keep no object versions, so an upload is named by its content and the
        // configuration version it will run with: the same file again is not processed twice,
        // but it is processed again once another configuration is active.
        let config = self
            .runtime
            .block_on(self.services.config.current())
            .map_err(|e| state_err(&self.layout.root, e))?;
        let base = match config.version {
            Some(v) => format!("{etag}.config-v{v}"),
            None => format!("{etag}.config-builtin"),
        };
        // Results are kept by input key, as the accelerator keeps them: if a later upload of
        // the same name replaced this one's results, the next generation of it is processed
        // rather than this one reported with someone else's results.
        let version_id = (1..)
            .map(|n| match n {
                1 => base.clone(),
                n => format!("{base}.{n}"),
            })
            .find(|v| {
                let id =
                    crate::handlers::intake::upload_id(&self.services.names.input_bucket, &key, v);
                !self.superseded(&id)
            })
            .unwrap_or(base);
        let bucket = self.services.names.input_bucket.clone();
        self.runtime
            .block_on(
                self.services
                    .objects
                    .upload(&bucket, &key, path, "application/octet-stream"),
            )
            .map_err(|e| state_err(&self.layout.root, e))?;
        let event = json!({
            "version": "0",
            "id": format!("local-{version_id}"),
            "detail-type": "Object Created",
            "source": "aws.s3",
            "account": "000000000000",
            "time": clock::now_rfc3339(),
            "region": self.settings.region,
            "resources": [format!("arn:aws:s3:::{bucket}")],
            "detail": {
                "version": "0",
                "bucket": {"name": bucket},
                "object": {"key": key, "size": size, "etag": etag, "version-id": version_id},
                "reason": "PutObject",
            }
        });
        self.deliver(&event)
            .into_iter()
            .map(|(h, r)| r.map_err(|e| state_err(&self.layout.root, format!("{}: {e}", h.name()))))
            .collect()
    }

    /// Whether an earlier upload's documents no longer own their results in the output bucket
    /// (`false` for an upload never seen).
    fn superseded(&self, upload_id: &str) -> bool {
        let Ok(records) = self
            .runtime
            .block_on(self.services.tracking.by_batch(upload_id))
        else {
            return false;
        };
        records.iter().any(|r| {
            let Some(uri) = r.details.get("result_uri").and_then(Value::as_str) else {
                return false;
            };
            let Some((bucket, key)) = s3_location(uri) else {
                return false;
            };
            let owner = self
                .runtime
                .block_on(self.services.objects.get(bucket, key))
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string));
            owner.as_deref() != Some(r.id.as_str())
        })
    }

    /// Runs every event a rule routes to, in order, each handler through its drift guard; each
    /// handler's result or error.
    /// Delivers `event` through the template's rules (as EventBridge would).
    pub fn deliver(&self, event: &Value) -> Vec<(Handler, Result<Value, String>)> {
        rules::route(&self.rules, event)
            .into_iter()
            .map(|h| {
                let result = self
                    .runtime
                    .block_on(h.invoke(event.clone(), &guarded(h, &self.services)))
                    .map_err(|e| e.to_string());
                (h, result)
            })
            .collect()
    }

    pub fn pending(&self) -> Result<Vec<LocalExecution>, LocalError> {
        let mut all = self
            .executions
            .by_status("RUNNING")
            .map_err(|e| state_err(&self.layout.root, e))?;
        all.extend(
            self.executions
                .by_status("QUEUED")
                .map_err(|e| state_err(&self.layout.root, e))?,
        );
        Ok(all)
    }

    /// Runs `pending` to the end, [`workers`] at a time (each on its own thread, blocking on the
    /// shared runtime as a Map iteration does), and hands each to `done` on the calling thread
    /// as it finishes. One execution is mostly one core's work: a document's split,
    /// classification and extraction run one after another, so with one at a time a 2-core
    /// machine idled half the time. Executions share no steps (their journal keys and tracking
    /// rows are their own), so order among them never mattered. The first error stops workers
    /// taking more and is returned once the running ones finished.
    pub fn run_all(
        &self,
        pending: &[LocalExecution],
        progress: Option<Arc<dyn ProgressSink>>,
        mut done: impl FnMut(&LocalExecution, Finished),
    ) -> Result<(), LocalError> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let next = AtomicUsize::new(0);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            for _ in 0..workers().min(pending.len()) {
                let (tx, next, progress) = (tx.clone(), &next, progress.clone());
                scope.spawn(move || {
                    while let Some(exec) = pending.get(next.fetch_add(1, Ordering::SeqCst)) {
                        let result = self.run_with_progress(exec, progress.clone());
                        let failed = result.is_err();
                        if tx.send((exec, result)).is_err() || failed {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            let mut first_error = None;
            for (exec, result) in rx {
                match result {
                    Ok(finished) => done(exec, finished),
                    Err(e) => {
                        next.store(pending.len(), Ordering::SeqCst);
                        first_error.get_or_insert(e);
                    }
                }
            }
            first_error.map_or(Ok(()), Err)
        })
    }

    /// Runs one queued (or interrupted) execution to the end and routes its status change.
    /// Interrupted executions resume from the journal: finished steps are not run again.
    pub fn run(&self, exec: &LocalExecution) -> Result<Finished, LocalError> {
        self.run_with_progress(exec, None)
    }

    /// [`run`](Self::run), reporting handler results to `progress` as they arrive.
    pub fn run_with_progress(
        &self,
        exec: &LocalExecution,
        progress: Option<Arc<dyn ProgressSink>>,
    ) -> Result<Finished, LocalError> {
        let err = |e: crate::services::StoreError| state_err(&self.layout.root, e);
        self.executions
            .set_status(&exec.name, "RUNNING", None, None)
            .map_err(err)?;
        let info = ExecutionInfo {
            id: format!(
                "{}:{}",
                self.state_machine_arn
                    .replacen(":stateMachine:", ":execution:", 1),
                exec.name
            ),
            name: exec.name.clone(),
            input: Arc::new(exec.input.clone()),
            // The queued time, not now: a resumed execution must see the same `$$.Execution`.
            start_time: exec.created_at.clone(),
            role_arn: None,
            state_machine_id: self.state_machine_arn.clone(),
            state_machine_name: self.settings.stack_name.clone(),
        };
        let invoker = Arc::new(LocalInvoker::new(
            &self.rendered.stack,
            self.handlers.clone(),
            self.runtime.handle().clone(),
        ));
        // A Distributed Map's ItemReader and ResultWriter use the local buckets' folders.
        let mut executor = Executor::new(invoker.clone())
            .with_journal(self.journal.clone())
            .with_item_store(Arc::new(crate::asl::distributed::FolderStore::new(
                self.layout.buckets(),
            )));
        if let Some(sink) = progress {
            // Replayed steps count too, so a resumed batch shows its real totals.
            executor = executor.with_observer(Arc::new(move |e: &ExecutionEvent<'_>| {
                if let ExecutionEvent::TaskSucceeded {
                    resource, output, ..
                } = e
                    && let Some(handler) = invoker.resolve(resource)
                {
                    sink.handled(handler, output);
                }
            }));
        }
        let started_ms = clock::now_millis();
        let outcome = executor.execute(&self.machine, &info);
        let (status, output, error) = match &outcome {
            ExecutionOutcome::Succeeded(v) => ("SUCCEEDED", Some(v.clone()), None),
            ExecutionOutcome::Failed(e) => {
                ("FAILED", None, Some((e.error.clone(), e.cause.clone())))
            }
        };
        self.executions
            .set_status(
                &exec.name,
                status,
                output.as_ref(),
                error.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
            )
            .map_err(err)?;
        let mut detail = json!({
            "executionArn": info.id,
            "stateMachineArn": self.state_machine_arn,
            "name": exec.name,
            "status": status,
            "startDate": started_ms,
            "stopDate": clock::now_millis(),
            "input": exec.input.to_string(),
            "inputDetails": {"included": true},
            "output": output.as_ref().map(|o| o.to_string()),
            "outputDetails": {"included": true},
        });
        if let Some((e, c)) = &error {
            detail["error"] = json!(e);
            detail["cause"] = json!(c);
        }
        let event = json!({
            "version": "0",
            "id": format!("local-{}-{status}", exec.name),
            "detail-type": "Step Functions Execution Status Change",
            "source": "aws.states",
            "account": "000000000000",
            "time": clock::now_rfc3339(),
            "region": self.settings.region,
            "resources": [info.id],
            "detail": detail,
        });
        let routed = self
            .deliver(&event)
            .into_iter()
            .map(|(h, r)| (h.name().to_string(), r.err()))
            .collect();
        Ok(Finished {
            name: exec.name.clone(),
            status: status.to_string(),
            output,
            error,
            routed,
        })
    }
}

/// Executions [`LocalStack::run_all`] runs at once: one per core, at most four (beyond that
/// they only contend for the SQLite file).
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4))
}

/// SHA-256 of a reader in 64 KiB chunks, with the number of bytes read.
fn sha256_stream(reader: &mut impl std::io::Read) -> std::io::Result<(u64, Vec<u8>)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hasher.finalize().to_vec()))
}
