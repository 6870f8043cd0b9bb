//! Helpers shared by the `asl_*` integration tests: a table of in-process task handlers that
//! records its calls, and one-line runners with a manual clock.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use idpctl::asl::{
    ExecutionInfo, ExecutionOutcome, Executor, ManualClock, StateMachine, TaskContext, TaskError,
    TaskInvoker,
};
use serde_json::Value;

type Handler = Box<dyn Fn(Value, &TaskContext) -> Result<Value, TaskError> + Send + Sync>;

/// Resource name → handler; every call is recorded as (resource, input, step key).
#[derive(Default)]
pub struct Handlers {
    map: HashMap<String, Handler>,
    calls: Mutex<Vec<(String, Value, String)>>,
}

impl Handlers {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn on(
        mut self,
        resource: &str,
        f: impl Fn(Value, &TaskContext) -> Result<Value, TaskError> + Send + Sync + 'static,
    ) -> Self {
        self.map.insert(resource.to_string(), Box::new(f));
        self
    }

    /// (resource, input, step key) of every call, in call order.
    pub fn calls(&self) -> Vec<(String, Value, String)> {
        self.calls.lock().unwrap().clone()
    }

    pub fn count(&self, resource: &str) -> usize {
        self.calls().iter().filter(|c| c.0 == resource).count()
    }
}

impl TaskInvoker for Handlers {
    fn invoke(&self, resource: &str, input: Value, ctx: &TaskContext) -> Result<Value, TaskError> {
        self.calls.lock().unwrap().push((
            resource.to_string(),
            input.clone(),
            ctx.step_key.to_string(),
        ));
        match self.map.get(resource) {
            Some(f) => f(input, ctx),
            None => Err(TaskError::new(
                "NoHandler",
                format!("no handler for {resource}"),
            )),
        }
    }
}

pub fn machine(def: &Value) -> StateMachine {
    StateMachine::from_value(def).unwrap_or_else(|e| panic!("invalid definition: {e}"))
}

pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    ))
}

/// Runs `def` on `input` with `handlers` and a manual clock.
pub fn run_with(def: &Value, input: Value, handlers: Arc<Handlers>) -> ExecutionOutcome {
    let clock = clock();
    Executor::new(handlers)
        .with_clock(clock)
        .start(&machine(def), "sm", "run", input)
}

/// Runs a definition that has no Task states.
pub fn run(def: &Value, input: Value) -> ExecutionOutcome {
    run_with(def, input, Arc::new(Handlers::new()))
}

pub fn info(input: Value) -> ExecutionInfo {
    ExecutionInfo::local(
        "sm",
        "run",
        input,
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    )
}

/// A one-state machine around `state` (named "S"), ending the execution.
pub fn single(state: Value) -> Value {
    serde_json::json!({"StartAt": "S", "States": {"S": state}})
}

pub fn output(o: &ExecutionOutcome) -> &Value {
    o.output()
        .unwrap_or_else(|| panic!("execution failed: {:?}", o.error()))
}

pub fn error(o: &ExecutionOutcome) -> (&str, &str) {
    let e = o
        .error()
        .unwrap_or_else(|| panic!("execution succeeded: {:?}", o.output()));
    (&e.error, &e.cause)
}
