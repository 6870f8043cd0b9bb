//! The executor: runs a [`StateMachine`] on an input and returns how the execution ended.
//!
//! Data flow follows the ASL spec and the AWS guide exactly
//! (<https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html>):
//! raw input → `InputPath` → `Parameters` (effective input) → the state's work (result) →
//! `ResultSelector` → `ResultPath` (merged into the *raw* input) → `OutputPath` (output).
//!
//! Tasks go to a [`TaskInvoker`]; Map iterations and Parallel branches run on real threads
//! (`std::thread::scope`), Map with at most `MaxConcurrency` at once. Waits and retry back-off
//! go through the injectable [`Clock`]. Every Task attempt is keyed and journaled (see
//! [`super::journal`]) so an interrupted execution can be resumed without redoing work.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::clock::{Clock, SystemClock};
use super::context::{ContextObject, ExecutionInfo, format_timestamp, parse_timestamp};
use super::definition::{
    Catcher, MapState, ParallelState, PathSpec, Retrier, Scope, State, StateKind, StateMachine,
    TaskState, Transition,
};
use super::error::{StatesError, TaskError, names};
use super::journal::{Journal, NullJournal, StepKey, StepPath};
use super::path::{Path, ReferencePath};
use super::retry::{find_catcher, find_retrier, retry_delay};
use super::template::PayloadTemplate;
use super::variables::{Assign, Variables, assign};

// The Distributed Map runs children through this module's private `Run`.
#[path = "../distributed/run.rs"]
mod distributed_run;

// JSONata states run through this module's private `Run` too.
#[path = "../jsonata/run.rs"]
mod jsonata_run;

mod branches;
mod data_flow;
mod flow;
mod task;

use branches::tolerated_failures;
pub use data_flow::json_size;
use data_flow::{apply_template, input_path, output_path, reference, result_path};

/// The payload quota of AWS Step Functions: 256 KiB for any state input or output, task
/// result, or execution input.
pub const DEFAULT_PAYLOAD_LIMIT: usize = 256 * 1024;

/// The longest wait AWS accepts until a Wait state's timestamp: 2^31 seconds.
const MAX_WAIT_SECONDS: u64 = 1 << 31;

/// The most threads one unbounded Map (`MaxConcurrency` 0) starts at once.
pub const DEFAULT_MAX_THREADS: usize = 16;

/// The resource of the optimized Lambda integration.
pub const LAMBDA_INVOKE: &str = "arn:aws:states:::lambda:invoke";

/// Runs Task resources. Implementations resolve `resource` (a `${...Arn}` placeholder, a
/// Lambda ARN, or the `FunctionName` of a `lambda:invoke` task) to a handler.
pub trait TaskInvoker: Send + Sync {
    /// Invokes `resource` with `input`; blocks until done. An `Err` is a Lambda-style error
    /// that retriers and catchers match by its name.
    fn invoke(&self, resource: &str, input: Value, ctx: &TaskContext) -> Result<Value, TaskError>;
}

impl<F> TaskInvoker for F
where
    F: Fn(&str, Value, &TaskContext) -> Result<Value, TaskError> + Send + Sync,
{
    fn invoke(&self, resource: &str, input: Value, ctx: &TaskContext) -> Result<Value, TaskError> {
        self(resource, input, ctx)
    }
}

/// What an invoker knows about the invocation it serves.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskContext {
    /// `$$.Execution.Id`.
    pub execution_id: String,
    /// The Task state's name.
    pub state_name: String,
    /// The deterministic key of this attempt; usable as an idempotency token.
    pub step_key: StepKey,
    /// 0 for the first attempt, then 1, 2, ... for retries.
    pub attempt: u32,
    /// The `Resource` as written in the definition.
    pub definition_resource: String,
    /// `TimeoutSeconds` (or `TimeoutSecondsPath`) of the state, if any.
    pub timeout: Option<Duration>,
    /// `HeartbeatSeconds` of the state, if any.
    pub heartbeat: Option<Duration>,
}

/// Something that happened during an execution, for logs and tests.
#[derive(Debug, Clone, Copy)]
pub enum ExecutionEvent<'a> {
    /// The execution began.
    ExecutionStarted {
        /// Execution id.
        execution_id: &'a str,
        /// Execution input.
        input: &'a Value,
    },
    /// A state was entered with this raw input.
    StateEntered {
        /// State name.
        name: &'a str,
        /// Step path, e.g. `/Map[2]/Task`.
        path: &'a str,
        /// Raw input.
        input: &'a Value,
    },
    /// A state finished with this output.
    StateExited {
        /// State name.
        name: &'a str,
        /// Step path.
        path: &'a str,
        /// Output.
        output: &'a Value,
    },
    /// A state failed (after retries; catchers may still handle it).
    StateFailed {
        /// State name.
        name: &'a str,
        /// Step path.
        path: &'a str,
        /// The error.
        error: &'a StatesError,
    },
    /// A Task attempt is about to run, or was answered from the journal (`replayed`).
    TaskScheduled {
        /// State name.
        name: &'a str,
        /// Step path.
        path: &'a str,
        /// Journal key of the attempt.
        key: &'a StepKey,
        /// The resource handed to the invoker.
        resource: &'a str,
        /// True when the outcome came from the journal and the invoker was not called.
        replayed: bool,
    },
    /// A Task attempt returned (or its journaled result was replayed): the resource's own
    /// result, before the Lambda wrapper and ResultSelector.
    TaskSucceeded {
        /// State name.
        name: &'a str,
        /// Step path.
        path: &'a str,
        /// The resource handed to the invoker.
        resource: &'a str,
        /// Its result.
        output: &'a Value,
        /// True when the result came from the journal.
        replayed: bool,
    },
    /// A state will be retried after `delay`.
    StateRetry {
        /// State name.
        name: &'a str,
        /// Step path.
        path: &'a str,
        /// The error being retried.
        error: &'a StatesError,
        /// The attempt about to start (1 for the first retry).
        attempt: u32,
        /// Back-off before it.
        delay: Duration,
    },
    /// A catcher handled an error and the execution continues at `next`.
    ErrorCaught {
        /// State name.
        name: &'a str,
        /// Step path.
        path: &'a str,
        /// The error.
        error: &'a StatesError,
        /// The catcher's `Next`.
        next: &'a str,
    },
    /// The execution succeeded.
    ExecutionSucceeded {
        /// Its output.
        output: &'a Value,
    },
    /// The execution failed.
    ExecutionFailed {
        /// Its error.
        error: &'a StatesError,
    },
}

/// Receives [`ExecutionEvent`]s; called from worker threads too.
pub trait Observer: Send + Sync {
    /// Called for every event, synchronously.
    fn on_event(&self, event: &ExecutionEvent<'_>);
}

impl<F> Observer for F
where
    F: Fn(&ExecutionEvent<'_>) + Send + Sync,
{
    fn on_event(&self, event: &ExecutionEvent<'_>) {
        self(event)
    }
}

/// How an execution ended.
#[derive(Debug, Clone, PartialEq)]
pub enum ExecutionOutcome {
    /// `SUCCEEDED`, with the output.
    Succeeded(Value),
    /// `FAILED`, with the error and cause.
    Failed(StatesError),
}

impl ExecutionOutcome {
    /// The output of a successful execution.
    pub fn output(&self) -> Option<&Value> {
        match self {
            Self::Succeeded(v) => Some(v),
            Self::Failed(_) => None,
        }
    }

    /// The error of a failed execution.
    pub fn error(&self) -> Option<&StatesError> {
        match self {
            Self::Succeeded(_) => None,
            Self::Failed(e) => Some(e),
        }
    }

    /// `"SUCCEEDED"` or `"FAILED"`, as AWS reports the status.
    pub fn status(&self) -> &'static str {
        match self {
            Self::Succeeded(_) => "SUCCEEDED",
            Self::Failed(_) => "FAILED",
        }
    }
}

/// Runs state machines. Cheap to share: all its parts are `Arc`s.
#[derive(Clone)]
pub struct Executor {
    invoker: Arc<dyn TaskInvoker>,
    journal: Arc<dyn Journal>,
    clock: Arc<dyn Clock>,
    observer: Option<Arc<dyn Observer>>,
    payload_limit: usize,
    max_threads: usize,
    /// S3 for Distributed Map ItemReader/ResultWriter.
    item_store: Option<Arc<dyn super::distributed::ItemStore>>,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("payload_limit", &self.payload_limit)
            .field("max_threads", &self.max_threads)
            .finish_non_exhaustive()
    }
}

/// Why a state did not produce an output.
enum Failure {
    /// An ASL error: enclosing retriers, catchers, Map and Parallel states see it.
    State(StatesError),
    /// The execution must stop (execution timeout, journal failure, sibling cancelled):
    /// nothing may catch this.
    Abort(StatesError),
}

impl From<StatesError> for Failure {
    fn from(e: StatesError) -> Self {
        Failure::State(e)
    }
}

/// Where a state sends the execution, with the variables its `Assign` set (if any).
enum Step {
    Next(String, Value, Option<Variables>),
    End(Value),
}

/// What one attempt of a Task, Parallel or Map state produced: its output and assignments.
type Done = (Value, Option<Variables>);

/// Cooperative cancellation of Map iterations and Parallel branches once a sibling failed.
struct Cancel<'a> {
    flag: AtomicBool,
    parent: Option<&'a Cancel<'a>>,
}

impl<'a> Cancel<'a> {
    fn root() -> Self {
        Self {
            flag: AtomicBool::new(false),
            parent: None,
        }
    }
    fn child(parent: &'a Cancel<'a>) -> Self {
        Self {
            flag: AtomicBool::new(false),
            parent: Some(parent),
        }
    }
    fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
    }
    fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst) || self.parent.is_some_and(|p| p.is_cancelled())
    }
}

/// The state of one running execution shared by all its threads.
struct Run<'a> {
    ex: &'a Executor,
    info: &'a ExecutionInfo,
    deadline: Option<SystemTime>,
}

impl Executor {
    /// An executor with no journal, the system clock, the AWS payload limit and no observer.
    pub fn new(invoker: Arc<dyn TaskInvoker>) -> Self {
        Self {
            invoker,
            journal: Arc::new(NullJournal),
            clock: Arc::new(SystemClock),
            observer: None,
            payload_limit: DEFAULT_PAYLOAD_LIMIT,
            max_threads: DEFAULT_MAX_THREADS,
            item_store: None,
        }
    }

    /// Uses `journal` to record and replay Task outcomes.
    pub fn with_journal(mut self, journal: Arc<dyn Journal>) -> Self {
        self.journal = journal;
        self
    }

    /// Uses `clock` for timestamps, Wait states and retry back-off.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Reports events to `observer`.
    pub fn with_observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Changes the payload limit (bytes of compact JSON) beyond which
    /// `States.DataLimitExceeded` is raised. Tests lower it; production keeps 256 KiB.
    pub fn with_payload_limit(mut self, bytes: usize) -> Self {
        self.payload_limit = bytes;
        self
    }

    /// Gives Distributed Maps their S3 (ItemReader, ResultWriter).
    pub fn with_item_store(mut self, store: Arc<dyn super::distributed::ItemStore>) -> Self {
        self.item_store = Some(store);
        self
    }

    /// Caps the threads of a Map without `MaxConcurrency` (default 16).
    pub fn with_max_threads(mut self, threads: usize) -> Self {
        self.max_threads = threads.max(1);
        self
    }

    /// Starts a new execution called `execution_name` of the machine called
    /// `state_machine_name`, at the clock's current time.
    pub fn start(
        &self,
        machine: &StateMachine,
        state_machine_name: &str,
        execution_name: &str,
        input: Value,
    ) -> ExecutionOutcome {
        let info =
            ExecutionInfo::local(state_machine_name, execution_name, input, self.clock.now());
        self.execute(machine, &info)
    }

    /// Runs (or resumes, given the same `info` and journal) an execution to its end.
    pub fn execute(&self, machine: &StateMachine, info: &ExecutionInfo) -> ExecutionOutcome {
        self.emit(&ExecutionEvent::ExecutionStarted {
            execution_id: &info.id,
            input: &info.input,
        });
        let deadline = machine
            .timeout_seconds
            .and_then(|s| parse_timestamp(&info.start_time).map(|t| t + Duration::from_secs(s)));
        let run = Run {
            ex: self,
            info,
            deadline,
        };
        let result = run
            .check_size(&info.input, || {
                "The input of the execution exceeds the maximum number of bytes service limit."
                    .to_string()
            })
            .map_err(Failure::State)
            .and_then(|()| {
                run.run_scope(
                    &machine.root,
                    (*info.input).clone(),
                    &StepPath::root(),
                    &Cancel::root(),
                    &Variables::new(),
                )
            });
        let outcome = match result {
            Ok(v) => ExecutionOutcome::Succeeded(v),
            Err(Failure::State(e) | Failure::Abort(e)) => ExecutionOutcome::Failed(e),
        };
        match &outcome {
            ExecutionOutcome::Succeeded(output) => {
                self.emit(&ExecutionEvent::ExecutionSucceeded { output })
            }
            ExecutionOutcome::Failed(error) => {
                self.emit(&ExecutionEvent::ExecutionFailed { error })
            }
        }
        outcome
    }

    fn emit(&self, e: &ExecutionEvent<'_>) {
        if let Some(o) = &self.observer {
            o.on_event(e);
        }
    }
}

impl Run<'_> {
    /// Runs `scope` from its start; `outer` are the variables of the enclosing scope, which
    /// this scope reads but whose changes it keeps to itself.
    fn run_scope(
        &self,
        scope: &Scope,
        input: Value,
        path: &StepPath,
        cancel: &Cancel<'_>,
        outer: &Variables,
    ) -> Result<Value, Failure> {
        // Copied on the first assignment only: most scopes never assign.
        let mut vars: Cow<'_, Variables> = Cow::Borrowed(outer);
        let mut visits: HashMap<&str, u32> = HashMap::new();
        let mut current: &str = &scope.start_at;
        let mut input = input;
        loop {
            if cancel.is_cancelled() {
                return Err(Failure::Abort(StatesError::new(
                    names::BRANCH_FAILED,
                    "cancelled because a sibling iteration or branch failed",
                )));
            }
            if self.deadline.is_some_and(|d| self.ex.clock.now() >= d) {
                return Err(Failure::Abort(StatesError::new(
                    names::TIMEOUT,
                    "The execution timed out (TimeoutSeconds of the state machine).",
                )));
            }
            let state = scope
                .states
                .get(current)
                .expect("validated: every transition targets a state of its scope");
            let visit = visits.entry(&state.name).or_insert(0);
            let spath = path.state(&state.name, *visit);
            *visit += 1;
            let spath_s = spath.to_string();
            self.ex.emit(&ExecutionEvent::StateEntered {
                name: &state.name,
                path: &spath_s,
                input: &input,
            });
            let entered = format_timestamp(self.ex.clock.now());
            match self.run_state(state, &input, &spath, &spath_s, &entered, cancel, &vars) {
                Ok(Step::Next(next, output, assigned)) => {
                    if let Some(assigned) = assigned {
                        vars.to_mut().extend(assigned);
                    }
                    self.ex.emit(&ExecutionEvent::StateExited {
                        name: &state.name,
                        path: &spath_s,
                        output: &output,
                    });
                    input = output;
                    current = scope
                        .states
                        .get_key_value(&next)
                        .map(|(k, _)| k.as_str())
                        .expect("validated transition");
                }
                Ok(Step::End(output)) => {
                    self.ex.emit(&ExecutionEvent::StateExited {
                        name: &state.name,
                        path: &spath_s,
                        output: &output,
                    });
                    return Ok(output);
                }
                Err(f) => {
                    if let Failure::State(error) = &f {
                        self.ex.emit(&ExecutionEvent::StateFailed {
                            name: &state.name,
                            path: &spath_s,
                            error,
                        });
                    }
                    return Err(f);
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn run_state(
        &self,
        state: &State,
        raw: &Value,
        spath: &StepPath,
        spath_s: &str,
        entered: &str,
        cancel: &Cancel<'_>,
        vars: &Variables,
    ) -> Result<Step, Failure> {
        // Task, Parallel and Map build their own context, with RetryCount; these do not retry.
        let ctx = || {
            ContextObject::new(self.info, &state.name, entered, 0)
                .without_retry_count()
                .with_variables(vars)
        };
        if let Some(j) = &state.jsonata
            && let Some(step) = self.jsonata_state(state, j, raw, &ctx())
        {
            return step;
        }
        match &state.kind {
            StateKind::Pass(s) => self.pass(s, raw, &ctx()),
            StateKind::Choice(s) => self.choice(s, raw, &ctx()),
            StateKind::Wait(s) => self.wait(s, raw, &ctx()),
            StateKind::Succeed(s) => {
                let c = ctx();
                let eff = input_path(&s.input_path, raw, &c)?;
                let out = output_path(&s.output_path, &eff, &c)?;
                Ok(Step::End(out))
            }
            StateKind::Fail(s) => Err(Failure::State(self.fail(s, raw, &ctx())?)),
            StateKind::Task(s) => self.with_retry_catch(
                state,
                raw,
                spath_s,
                (entered, vars),
                &s.retry,
                &s.catch,
                &s.transition,
                |attempt| self.task(state, s, raw, spath, spath_s, entered, attempt, vars),
                |attempt| self.task_recorded(spath, attempt),
            ),
            StateKind::Parallel(s) => self.with_retry_catch(
                state,
                raw,
                spath_s,
                (entered, vars),
                &s.retry,
                &s.catch,
                &s.transition,
                |attempt| self.parallel(state, s, raw, spath, entered, attempt, cancel, vars),
                |_| false,
            ),
            StateKind::Map(s) => self.with_retry_catch(
                state,
                raw,
                spath_s,
                (entered, vars),
                &s.retry,
                &s.catch,
                &s.transition,
                |attempt| self.map(state, s, raw, spath, entered, attempt, cancel, vars),
                |_| false,
            ),
        }
    }

    /// Runs `body` (one attempt of a Task, Parallel or Map state) with the state's retriers
    /// and catchers around it.
    #[allow(clippy::too_many_arguments)]
    fn with_retry_catch(
        &self,
        state: &State,
        raw: &Value,
        spath_s: &str,
        (entered, vars): (&str, &Variables),
        retry: &[Retrier],
        catch: &[Catcher],
        transition: &Transition,
        mut body: impl FnMut(u32) -> Result<Done, Failure>,
        next_attempt_recorded: impl Fn(u32) -> bool,
    ) -> Result<Step, Failure> {
        let mut retries_by_retrier = vec![0u32; retry.len()];
        let mut attempt = 0u32;
        loop {
            let error = match body(attempt) {
                Ok((output, assigned)) => {
                    return Ok(match transition {
                        Transition::Next(n) => Step::Next(n.clone(), output, assigned),
                        Transition::End => Step::End(output),
                    });
                }
                Err(Failure::Abort(e)) => return Err(Failure::Abort(e)),
                Err(Failure::State(e)) => e,
            };
            if let Some(ri) = find_retrier(retry, &error.error)
                && retries_by_retrier[ri] < retry[ri].max_attempts
            {
                let delay = retry_delay(&retry[ri], retries_by_retrier[ri]);
                retries_by_retrier[ri] += 1;
                attempt += 1;
                self.ex.emit(&ExecutionEvent::StateRetry {
                    name: &state.name,
                    path: spath_s,
                    error: &error,
                    attempt,
                    delay,
                });
                // When resuming, the back-off before an attempt whose outcome is already
                // journaled was served by the original run.
                if !next_attempt_recorded(attempt) {
                    self.ex.clock.sleep(delay);
                }
                continue;
            }
            if let Some(catcher) = find_catcher(catch, &error.error) {
                // A catcher's Assign reads the error output; the state's own Assign is skipped.
                let ctx = ContextObject::new(self.info, &state.name, entered, attempt)
                    .with_variables(vars);
                let (output, assigned) = match &state.jsonata {
                    Some(j) => {
                        let index = catch.iter().position(|c| std::ptr::eq(c, catcher));
                        self.jsonata_catch(state, j, index.unwrap_or(0), raw, &error, &ctx)?
                    }
                    None => {
                        let assigned = assign(
                            catcher.assign.as_ref(),
                            &state.name,
                            &error.to_error_output(),
                            &ctx,
                        )?;
                        let output =
                            result_path(&catcher.result_path, raw, error.to_error_output())?;
                        (output, assigned)
                    }
                };
                self.check_size(&output, || state_output_too_big(&state.name))?;
                self.ex.emit(&ExecutionEvent::ErrorCaught {
                    name: &state.name,
                    path: spath_s,
                    error: &error,
                    next: &catcher.next,
                });
                return Ok(Step::Next(catcher.next.clone(), output, assigned));
            }
            return Err(Failure::State(error));
        }
    }

    /// What a Task, Parallel or Map state (inline or distributed) does with its result: in
    /// JSONata, `Assign` and `Output`; in JSONPath, ResultSelector, Assign (on the selected
    /// result), ResultPath, OutputPath and the output size check.
    fn finish(
        &self,
        state: &State,
        fields: ResultFields<'_>,
        raw: &Value,
        result: Value,
        ctx: &ContextObject<'_>,
    ) -> Result<Done, Failure> {
        if let Some(j) = &state.jsonata {
            return self.jsonata_finish(state, j, raw, result, ctx);
        }
        let name = &state.name;
        let result = apply_template(fields.selector, result, ctx)?;
        let assigned = assign(fields.assign, name, &result, ctx)?;
        let out = result_path(fields.result_path, raw, result)?;
        let out = output_path(fields.output_path, &out, ctx)?;
        self.check_size(&out, || state_output_too_big(name))?;
        Ok((out, assigned))
    }

    fn check_size(&self, v: &Value, message: impl FnOnce() -> String) -> Result<(), StatesError> {
        if json_size(v) > self.ex.payload_limit {
            return Err(StatesError::new(names::DATA_LIMIT_EXCEEDED, message()));
        }
        Ok(())
    }
}

/// The result fields Task, Parallel and Map states share, borrowed from whichever it is, so
/// one [`Run::finish`] serves all of them (the Distributed Map's too).
struct ResultFields<'s> {
    selector: Option<&'s PayloadTemplate>,
    assign: Option<&'s Assign>,
    result_path: &'s PathSpec<ReferencePath>,
    output_path: &'s PathSpec<Path>,
}

macro_rules! result_fields_from {
    ($($state:ty),*) => {$(
        impl<'s> From<&'s $state> for ResultFields<'s> {
            fn from(s: &'s $state) -> Self {
                ResultFields {
                    selector: s.result_selector.as_ref(),
                    assign: s.assign.as_ref(),
                    result_path: &s.result_path,
                    output_path: &s.output_path,
                }
            }
        }
    )*};
}
result_fields_from!(TaskState, ParallelState, MapState);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn ctx_name<'a>(ctx: &'a ContextObject<'_>) -> &'a str {
    ctx.value()["State"]["Name"].as_str().unwrap_or("")
}

fn state_output_too_big(name: &str) -> String {
    format!(
        "The state/task '{name}' returned a result with a size exceeding the maximum number of bytes service limit."
    )
}

fn state_input_too_big(name: &str) -> String {
    format!(
        "The state/task '{name}' has an input with a size exceeding the maximum number of bytes service limit."
    )
}
