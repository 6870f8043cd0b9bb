//! Task states: the journaled attempt (answered from the journal when it is already recorded),
//! `TimeoutSeconds`/`HeartbeatSeconds` read from the definition or the input, and the call to
//! the [`TaskInvoker`](super::TaskInvoker) on a thread of its own when a timeout applies.

use std::sync::{Arc, mpsc};
use std::time::Duration;

use serde_json::{Value, json};

use super::data_flow::{apply_template, input_path, reference};
use super::{Done, ExecutionEvent, Failure, LAMBDA_INVOKE, Run, TaskContext};
use crate::asl::context::ContextObject;
use crate::asl::definition::{State, TaskState};
use crate::asl::error::{StatesError, TaskError, names};
use crate::asl::journal::{StepKey, StepOutcome, StepPath};
use crate::asl::variables::Variables;

impl Run<'_> {
    /// True when the journal already knows the outcome of `attempt` of the Task at `spath`.
    pub(super) fn task_recorded(&self, spath: &StepPath, attempt: u32) -> bool {
        let key = StepKey::new(&self.info.id, spath.to_string(), attempt);
        matches!(self.ex.journal.lookup(&key), Ok(Some(_)))
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn task(
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
    pub(super) fn invoke(
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
}
