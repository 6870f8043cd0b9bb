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
use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use super::clock::{Clock, SystemClock};
use super::context::{ContextObject, ExecutionInfo, format_timestamp, parse_timestamp};
use super::definition::{
    Catcher, ChoiceState, DynamicString, FailState, MapState, ParallelState, PassState, PathSpec,
    Retrier, Scope, State, StateKind, StateMachine, TaskState, Transition, WaitState,
};
use super::error::{StatesError, TaskError, names};
use super::journal::{Journal, NullJournal, StepKey, StepOutcome, StepPath};
use super::path::{Path, ReferencePath};
use super::retry::{find_catcher, find_retrier, retry_delay};
use super::template::{PayloadTemplate, truncate};
use super::variables::{Assign, Variables, assign};

// The Distributed Map runs children through this module's private `Run`.
#[path = "distributed/run.rs"]
mod distributed_run;

// JSONata states run through this module's private `Run` too.
#[path = "jsonata/run.rs"]
mod jsonata_run;

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

    fn pass(&self, s: &PassState, raw: &Value, ctx: &ContextObject<'_>) -> Result<Step, Failure> {
        let eff = input_path(&s.input_path, raw, ctx)?;
        let eff = apply_template(s.parameters.as_ref(), eff, ctx)?;
        let result = match &s.result {
            Some(r) => r.clone(),
            None => eff,
        };
        let assigned = assign(s.assign.as_ref(), ctx_name(ctx), &result, ctx)?;
        let out = result_path(&s.result_path, raw, result)?;
        let out = output_path(&s.output_path, &out, ctx)?;
        self.check_size(&out, || state_output_too_big(ctx_name(ctx)))?;
        Ok(match &s.transition {
            Transition::Next(n) => Step::Next(n.clone(), out, assigned),
            Transition::End => Step::End(out),
        })
    }

    fn choice(
        &self,
        s: &ChoiceState,
        raw: &Value,
        ctx: &ContextObject<'_>,
    ) -> Result<Step, Failure> {
        let eff = input_path(&s.input_path, raw, ctx)?;
        let mut next = None;
        let mut rule_assign = None;
        for rule in &s.choices {
            if rule.condition.eval(&eff, ctx)? {
                next = Some(rule.next.clone());
                rule_assign = rule.assign.as_ref();
                break;
            }
        }
        let next = match next.or_else(|| s.default.clone()) {
            Some(n) => n,
            None => {
                return Err(Failure::State(StatesError::new(
                    names::NO_CHOICE_MATCHED,
                    format!(
                        "No Choice rule of state '{}' matched and it has no Default.",
                        ctx_name(ctx)
                    ),
                )));
            }
        };
        // The state's Assign, then the matched rule's: both read the variables of state entry,
        // and the rule's value wins where both set a name.
        let mut assigned = assign(s.assign.as_ref(), ctx_name(ctx), &eff, ctx)?;
        if let Some(rule) = assign(rule_assign, ctx_name(ctx), &eff, ctx)? {
            assigned.get_or_insert_with(Variables::new).extend(rule);
        }
        let out = output_path(&s.output_path, &eff, ctx)?;
        Ok(Step::Next(next, out, assigned))
    }

    fn wait(&self, s: &WaitState, raw: &Value, ctx: &ContextObject<'_>) -> Result<Step, Failure> {
        let eff = input_path(&s.input_path, raw, ctx)?;
        let now = self.ex.clock.now();
        // AWS refuses a wait that ends more than 2^31 seconds from now.
        let until = |t: SystemTime, field: &str| -> Result<Duration, StatesError> {
            let d = t.duration_since(now).unwrap_or(Duration::ZERO);
            if d.as_secs() > MAX_WAIT_SECONDS {
                return Err(StatesError::runtime(format!(
                    "The {field} of Wait state '{}' is more than 2^31 seconds in the future.",
                    ctx_name(ctx)
                )));
            }
            Ok(d)
        };
        let delay = if let Some(secs) = s.seconds {
            Duration::from_secs(secs)
        } else if let Some(ts) = &s.timestamp {
            until(
                parse_timestamp(ts).expect("validated when loading"),
                "Timestamp",
            )?
        } else if let Some(p) = &s.seconds_path {
            let v = reference(p, &eff)?;
            let secs = v.as_u64().ok_or_else(|| {
                StatesError::runtime(format!(
                    "The SecondsPath parameter does not reference a valid non-negative integer: {v}"
                ))
            })?;
            Duration::from_secs(secs)
        } else if let Some(p) = &s.timestamp_path {
            let v = reference(p, &eff)?;
            let t = v.as_str().and_then(parse_timestamp).ok_or_else(|| {
                StatesError::runtime(format!(
                    "The TimestampPath parameter does not reference a valid ISO-8601 timestamp: {v}"
                ))
            })?;
            until(t, "TimestampPath")?
        } else {
            unreachable!("validated: a Wait state has one of its four fields")
        };
        if !delay.is_zero() {
            self.ex.clock.sleep(delay);
        }
        let assigned = assign(s.assign.as_ref(), ctx_name(ctx), &eff, ctx)?;
        let out = output_path(&s.output_path, &eff, ctx)?;
        Ok(match &s.transition {
            Transition::Next(n) => Step::Next(n.clone(), out, assigned),
            Transition::End => Step::End(out),
        })
    }

    fn fail(
        &self,
        s: &FailState,
        raw: &Value,
        ctx: &ContextObject<'_>,
    ) -> Result<StatesError, Failure> {
        let dynamic = |d: &Option<DynamicString>, fixed: &Option<String>, field: &str| {
            Ok::<String, StatesError>(match (d, fixed) {
                (Some(DynamicString::Path(p)), _) => match p.select_in(raw, ctx) {
                    Some(Value::String(s)) => s,
                    other => {
                        return Err(StatesError::runtime(format!(
                            "The {field} '{}' of a Fail state must reference a string, found {}",
                            p.as_str(),
                            other.map_or("nothing".to_string(), |v| v.to_string())
                        )));
                    }
                },
                (Some(DynamicString::Intrinsic(i)), _) => match i.eval(raw, ctx)? {
                    Value::String(s) => s,
                    v => v.to_string(),
                },
                (None, Some(s)) => s.clone(),
                (None, None) => String::new(),
            })
        };
        let error = dynamic(&s.error_path, &s.error, "ErrorPath")?;
        let cause = dynamic(&s.cause_path, &s.cause, "CausePath")?;
        Ok(StatesError::new(error, cause))
    }

    /// True when the journal already knows the outcome of `attempt` of the Task at `spath`.
    fn task_recorded(&self, spath: &StepPath, attempt: u32) -> bool {
        let key = StepKey::new(&self.info.id, spath.to_string(), attempt);
        matches!(self.ex.journal.lookup(&key), Ok(Some(_)))
    }

    #[allow(clippy::too_many_arguments)]
    fn task(
        &self,
        state: &State,
        s: &TaskState,
        raw: &Value,
        spath: &StepPath,
        spath_s: &str,
        entered: &str,
        attempt: u32,
        vars: &Variables,
    ) -> Result<Done, Failure> {
        let ctx = ContextObject::new(self.info, &state.name, entered, attempt).with_variables(vars);
        let selected = input_path(&s.input_path, raw, &ctx)?;
        let timeout =
            match (&s.timeout_seconds, &s.timeout_seconds_path) {
                (Some(t), _) => Some(Duration::from_secs(*t)),
                (None, Some(p)) => {
                    let v = reference(p, &selected)?;
                    Some(Duration::from_secs(v.as_u64().filter(|t| *t > 0).ok_or_else(|| {
                    StatesError::runtime(format!(
                        "TimeoutSecondsPath '{}' does not reference a positive integer: {v}",
                        p.as_str()
                    ))
                })?))
                }
                (None, None) => None,
            };
        let heartbeat = match (&s.heartbeat_seconds, &s.heartbeat_seconds_path) {
            (Some(t), _) => Some(Duration::from_secs(*t)),
            (None, Some(p)) => reference(p, &selected)?.as_u64().map(Duration::from_secs),
            (None, None) => None,
        };
        let (timeout, heartbeat, eff) = match &state.jsonata {
            Some(j) => {
                let (t, h) = self.jsonata_timeouts(j, raw, &ctx, (timeout, heartbeat))?;
                (t, h, self.jsonata_arguments(j, raw, &ctx)?)
            }
            None => (
                timeout,
                heartbeat,
                apply_template(s.parameters.as_ref(), selected, &ctx)?,
            ),
        };
        self.check_size(&eff, || {
            format!(
                "The state/task '{}' has an input with a size exceeding the maximum number of bytes service limit.",
                state.name
            )
        })?;

        // The optimized Lambda integration names the function in the payload and wraps the
        // function's result; any other resource is invoked with the effective input as is.
        let (target, payload, wrap) = if s.resource == LAMBDA_INVOKE {
            let function = eff
                .get("FunctionName")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    StatesError::runtime(format!(
                        "Task '{}' uses {LAMBDA_INVOKE} but Parameters has no string FunctionName",
                        state.name
                    ))
                })?
                .to_string();
            let payload = eff.get("Payload").cloned().unwrap_or_else(|| json!({}));
            (function, payload, true)
        } else {
            (s.resource.clone(), eff, false)
        };

        let key = StepKey::new(&self.info.id, spath.to_string(), attempt);
        let recorded =
            self.ex.journal.lookup(&key).map_err(|e| {
                Failure::Abort(StatesError::runtime(format!("{e} (looking up {key})")))
            })?;
        let replayed = recorded.is_some();
        self.ex.emit(&ExecutionEvent::TaskScheduled {
            name: &state.name,
            path: spath_s,
            key: &key,
            resource: &target,
            replayed,
        });
        let outcome = match recorded {
            Some(o) => o,
            None => {
                let tctx = TaskContext {
                    execution_id: self.info.id.clone(),
                    state_name: state.name.clone(),
                    step_key: key.clone(),
                    attempt,
                    definition_resource: s.resource.clone(),
                    timeout,
                    heartbeat,
                };
                let o = match self.invoke(&target, payload, tctx, timeout) {
                    Ok(v) => StepOutcome::Succeeded(v),
                    Err(e) => StepOutcome::Failed(e),
                };
                self.ex.journal.record(&key, &o).map_err(|e| {
                    Failure::Abort(StatesError::runtime(format!("{e} (recording {key})")))
                })?;
                o
            }
        };
        let result = match outcome {
            StepOutcome::Succeeded(v) => v,
            StepOutcome::Failed(e) => return Err(Failure::State(e.into())),
        };
        self.check_size(&result, || {
            format!(
                "The state/task '{target}' returned a result with a size exceeding the maximum number of bytes service limit."
            )
        })?;
        self.ex.emit(&ExecutionEvent::TaskSucceeded {
            name: &state.name,
            path: spath_s,
            resource: &target,
            output: &result,
            replayed,
        });
        let result = if wrap {
            json!({"ExecutedVersion": "$LATEST", "Payload": result, "StatusCode": 200})
        } else {
            result
        };
        self.finish(state, s.into(), raw, result, &ctx)
    }

    /// Calls the invoker; with a timeout the call runs on its own thread, which is abandoned
    /// (it cannot be killed) when the timeout expires.
    fn invoke(
        &self,
        target: &str,
        payload: Value,
        tctx: TaskContext,
        timeout: Option<Duration>,
    ) -> Result<Value, TaskError> {
        let panicked = |p: Box<dyn std::any::Any + Send>| {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into());
            TaskError::task_failed(format!("the task handler panicked: {msg}"))
        };
        match timeout {
            None => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.ex.invoker.invoke(target, payload, &tctx)
            }))
            .unwrap_or_else(|p| Err(panicked(p))),
            Some(t) => {
                let (tx, rx) = mpsc::channel();
                let invoker = Arc::clone(&self.ex.invoker);
                let target = target.to_string();
                std::thread::spawn(move || {
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        invoker.invoke(&target, payload, &tctx)
                    }));
                    let _ = tx.send(r);
                });
                match rx.recv_timeout(t) {
                    Ok(r) => r.unwrap_or_else(|p| Err(panicked(p))),
                    Err(_) => Err(TaskError::new(
                        names::TIMEOUT,
                        format!("Task timed out after {} seconds.", t.as_secs_f64()),
                    )),
                }
            }
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

    #[allow(clippy::too_many_arguments)]
    fn parallel(
        &self,
        state: &State,
        s: &ParallelState,
        raw: &Value,
        spath: &StepPath,
        entered: &str,
        attempt: u32,
        cancel: &Cancel<'_>,
        vars: &Variables,
    ) -> Result<Done, Failure> {
        let ctx = ContextObject::new(self.info, &state.name, entered, attempt).with_variables(vars);
        let eff = input_path(&s.input_path, raw, &ctx)?;
        let eff = match &state.jsonata {
            Some(j) => self.jsonata_arguments(j, raw, &ctx)?,
            None => apply_template(s.parameters.as_ref(), eff, &ctx)?,
        };
        self.check_size(&eff, || state_input_too_big(&state.name))?;
        let group = Cancel::child(cancel);
        let first_error: Mutex<Option<(usize, Failure)>> = Mutex::new(None);
        let results: Vec<Option<Value>> = std::thread::scope(|sc| {
            let handles: Vec<_> = s
                .branches
                .iter()
                .enumerate()
                .map(|(i, branch)| {
                    let eff = &eff;
                    let group = &group;
                    let first_error = &first_error;
                    let bpath = spath.branch(i);
                    sc.spawn(move || {
                        match self.run_scope(branch, eff.clone(), &bpath, group, vars) {
                            Ok(v) => Some(v),
                            Err(f) => {
                                record_first(first_error, i, f);
                                group.cancel();
                                None
                            }
                        }
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("branch threads catch their panics"))
                .collect()
        });
        if let Some((_, f)) = lock(&first_error).take() {
            return Err(f);
        }
        let result = Value::Array(results.into_iter().map(|r| r.expect("no error")).collect());
        self.finish(state, s.into(), raw, result, &ctx)
    }

    #[allow(clippy::too_many_arguments)]
    fn map(
        &self,
        state: &State,
        s: &MapState,
        raw: &Value,
        spath: &StepPath,
        entered: &str,
        attempt: u32,
        cancel: &Cancel<'_>,
        vars: &Variables,
    ) -> Result<Done, Failure> {
        if let Some(d) = &s.distributed {
            return self.distributed_map(state, s, d, raw, spath, entered, attempt, cancel, vars);
        }
        let ctx = ContextObject::new(self.info, &state.name, entered, attempt).with_variables(vars);
        let eff = input_path(&s.input_path, raw, &ctx)?;
        let items: Cow<'_, Value> = match (&state.jsonata, &s.items_path) {
            (Some(j), _) => Cow::Owned(self.jsonata_items(state, j, raw, &ctx)?),
            (None, Some(p)) => Cow::Borrowed(reference(p, &eff)?),
            (None, None) => Cow::Borrowed(&eff),
        };
        let Value::Array(items) = items.as_ref() else {
            return Err(Failure::State(StatesError::runtime(format!(
                "Map state '{}': the ItemsPath '{}' must reference a JSON array, not {}",
                state.name,
                s.items_path.as_ref().map_or("$", |p| p.as_str()),
                super::path::type_name(&items)
            ))));
        };
        // Build every iteration's input first: an ItemSelector error fails the Map before any
        // iteration runs.
        let mut inputs = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let input = match &s.item_selector {
                _ if state.jsonata.is_some() => {
                    let ictx = ContextObject::new(self.info, &state.name, entered, attempt)
                        .with_map_item(i, item)
                        .with_variables(vars);
                    let j = state.jsonata.as_deref().expect("checked");
                    self.jsonata_item_input(j, raw, item, &ictx)?
                }
                Some(t) => {
                    let ictx = ContextObject::new(self.info, &state.name, entered, attempt)
                        .with_map_item(i, item)
                        .with_variables(vars);
                    t.apply(&eff, &ictx)?
                }
                None => item.clone(),
            };
            self.check_size(&input, || state_input_too_big(&state.name))?;
            inputs.push(input);
        }
        let n = inputs.len();
        let limit = match (&s.max_concurrency, &s.max_concurrency_path) {
            (Some(c), _) => *c as usize,
            (None, Some(p)) => reference(p, &eff)?.as_u64().ok_or_else(|| {
                StatesError::runtime(format!(
                    "MaxConcurrencyPath '{}' must reference a non-negative integer",
                    p.as_str()
                ))
            })? as usize,
            (None, None) => 0,
        };
        let (tolerated_count, tolerated_pct) = tolerated_failures(s, &eff)?;
        let (limit, tolerated_count, tolerated_pct) = match state.jsonata.as_deref() {
            Some(j) => self.jsonata_map_limits(
                state,
                j,
                raw,
                &ctx,
                (limit, tolerated_count, tolerated_pct),
            )?,
            None => (limit, tolerated_count, tolerated_pct),
        };
        let workers = if limit == 0 {
            n.min(self.ex.max_threads)
        } else {
            n.min(limit)
        };
        let tolerance = |failed: usize| -> bool {
            let by_count = tolerated_count.map(|c| failed as u64 <= c);
            let by_pct = tolerated_pct.map(|p| n > 0 && (failed as f64) * 100.0 / (n as f64) <= p);
            match (by_count, by_pct) {
                (None, None) => failed == 0,
                (a, b) => a.unwrap_or(false) || b.unwrap_or(false),
            }
        };
        let tolerant = tolerated_count.is_some() || tolerated_pct.is_some();

        let group = Cancel::child(cancel);
        let next_index = AtomicUsize::new(0);
        let slots: Vec<Mutex<Option<Result<Value, StatesError>>>> =
            (0..n).map(|_| Mutex::new(None)).collect();
        let failed = AtomicUsize::new(0);
        let first_error: Mutex<Option<(usize, Failure)>> = Mutex::new(None);
        std::thread::scope(|sc| {
            for _ in 0..workers {
                sc.spawn(|| {
                    loop {
                        if group.is_cancelled() {
                            return;
                        }
                        let i = next_index.fetch_add(1, Ordering::SeqCst);
                        if i >= n {
                            return;
                        }
                        let input = inputs[i].clone();
                        match self.run_scope(&s.processor, input, &spath.map_item(i), &group, vars)
                        {
                            Ok(v) => *lock(&slots[i]) = Some(Ok(v)),
                            Err(Failure::State(e)) if tolerant => {
                                let count = failed.fetch_add(1, Ordering::SeqCst) + 1;
                                *lock(&slots[i]) = Some(Err(e));
                                if !tolerance(count) {
                                    record_first(
                                        &first_error,
                                        i,
                                        Failure::State(StatesError::new(
                                            names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                                            format!(
                                                "Map state '{}' exceeded its tolerated failure threshold ({count} of {n} items failed).",
                                                state.name
                                            ),
                                        )),
                                    );
                                    group.cancel();
                                }
                            }
                            Err(f) => {
                                record_first(&first_error, i, f);
                                group.cancel();
                            }
                        }
                    }
                });
            }
        });
        if let Some((_, f)) = lock(&first_error).take() {
            return Err(f);
        }
        let result = Value::Array(
            slots
                .into_iter()
                .map(
                    |m| match m.into_inner().unwrap_or_else(|e| e.into_inner()) {
                        Some(Ok(v)) => v,
                        Some(Err(e)) => e.to_error_output(),
                        None => Value::Null,
                    },
                )
                .collect(),
        );
        self.finish(state, s.into(), raw, result, &ctx)
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

/// The Map's tolerated failure count and percentage, from the fixed fields or read through
/// `ToleratedFailureCountPath`/`ToleratedFailurePercentagePath` from the effective input; a
/// value that is not a non-negative integer (count) or a number within 0-100 (percentage) is
/// a `States.Runtime` error, as on AWS.
fn tolerated_failures(
    s: &MapState,
    eff: &Value,
) -> Result<(Option<u64>, Option<f64>), StatesError> {
    let count = match (&s.tolerated_failure_count, &s.tolerated_failure_count_path) {
        (Some(c), _) => Some(*c),
        (None, Some(p)) => {
            let v = reference(p, eff)?;
            let c = v.as_u64().or_else(|| {
                v.as_f64()
                    .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                    .map(|f| f as u64)
            });
            Some(c.ok_or_else(|| {
                StatesError::runtime(format!(
                    "ToleratedFailureCountPath '{}' must reference a non-negative integer, found {v}",
                    p.as_str()
                ))
            })?)
        }
        (None, None) => None,
    };
    let pct = match (
        &s.tolerated_failure_percentage,
        &s.tolerated_failure_percentage_path,
    ) {
        (Some(p), _) => Some(*p),
        (None, Some(p)) => {
            let v = reference(p, eff)?;
            Some(v.as_f64().filter(|f| (0.0..=100.0).contains(f)).ok_or_else(|| {
                StatesError::runtime(format!(
                    "ToleratedFailurePercentagePath '{}' must reference a number within 0-100, found {v}",
                    p.as_str()
                ))
            })?)
        }
        (None, None) => None,
    };
    Ok((count, pct))
}

/// Keeps the error of whichever iteration or branch failed first, preferring real errors
/// over the cancellations they cause in siblings.
fn record_first(slot: &Mutex<Option<(usize, Failure)>>, index: usize, f: Failure) {
    let mut g = lock(slot);
    let replace = match (&*g, &f) {
        (None, _) => true,
        (Some((_, Failure::Abort(e))), Failure::State(_)) => e.error == names::BRANCH_FAILED,
        _ => false,
    };
    if replace {
        *g = Some((index, f));
    }
}

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

/// Size of the compact JSON text of `v`, without building the text.
pub fn json_size(v: &Value) -> usize {
    struct Count(usize);
    impl io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    serde_json::to_writer(&mut c, v).expect("counting never fails");
    c.0
}

fn select_path(p: &Path, doc: &Value, ctx: &ContextObject<'_>) -> Option<Value> {
    p.select_in(doc, ctx)
}

fn no_results(p: &str, doc: &Value) -> StatesError {
    StatesError::runtime(format!(
        "Invalid path '{p}' : No results for path: {p} in {}",
        truncate(&doc.to_string())
    ))
}

/// InputPath: absent keeps the input, `null` gives `{}`, a path selects (or fails with
/// `States.Runtime`).
fn input_path(
    spec: &PathSpec<Path>,
    raw: &Value,
    ctx: &ContextObject<'_>,
) -> Result<Value, StatesError> {
    match spec {
        PathSpec::Absent => Ok(raw.clone()),
        PathSpec::Null => Ok(json!({})),
        PathSpec::Path(p) => select_path(p, raw, ctx).ok_or_else(|| no_results(p.as_str(), raw)),
    }
}

/// OutputPath: same rules as InputPath.
fn output_path(
    spec: &PathSpec<Path>,
    out: &Value,
    ctx: &ContextObject<'_>,
) -> Result<Value, StatesError> {
    input_path(spec, out, ctx)
}

/// ResultPath: absent replaces the input by the result, `null` keeps the input, a reference
/// path places the result inside (a copy of) the raw input.
fn result_path(
    spec: &PathSpec<ReferencePath>,
    raw: &Value,
    result: Value,
) -> Result<Value, StatesError> {
    match spec {
        PathSpec::Absent => Ok(result),
        PathSpec::Null => Ok(raw.clone()),
        PathSpec::Path(p) => p.set(raw.clone(), result).map_err(|e| {
            StatesError::new(
                names::RESULT_PATH_MATCH_FAILURE,
                format!(
                    "Unable to apply ReferencePath {} to input '{}': {e}",
                    p.as_str(),
                    truncate(&raw.to_string())
                ),
            )
        }),
    }
}

fn apply_template(
    t: Option<&PayloadTemplate>,
    input: Value,
    ctx: &ContextObject<'_>,
) -> Result<Value, StatesError> {
    match t {
        Some(t) => t.apply(&input, ctx),
        None => Ok(input),
    }
}

fn reference<'v>(p: &ReferencePath, doc: &'v Value) -> Result<&'v Value, StatesError> {
    p.get(doc).ok_or_else(|| no_results(p.as_str(), doc))
}
