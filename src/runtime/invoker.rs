//! Task resources → in-process handlers, for the local runtime. The rendered definition names
//! functions as `${<Pascal>FunctionArn}` (the placeholders CloudFormation fills); this maps each
//! back to the handler its function runs, so the local run executes exactly the definition that
//! is deployed.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::asl::{TaskContext, TaskError, TaskInvoker};
use crate::handlers::Handler;
use crate::services::Services;
use crate::stack::StackDefinition;
use crate::stack::context::function_ids;

pub struct LocalInvoker {
    handlers: HashMap<String, Handler>,
    services: Arc<Services>,
    runtime: tokio::runtime::Handle,
}

impl LocalInvoker {
    /// One entry per function of the stack; a function whose handler this build lacks is left
    /// out, and a Task that calls it fails with a message that says so.
    pub fn new(
        stack: &StackDefinition,
        services: Arc<Services>,
        runtime: tokio::runtime::Handle,
    ) -> Self {
        let handlers = stack
            .functions
            .iter()
            .filter_map(|f| {
                let h: Handler = f.handler.parse().ok()?;
                Some((function_ids(&f.handler).arn_placeholder, h))
            })
            .collect();
        LocalInvoker {
            handlers,
            services,
            runtime,
        }
    }

    /// The handler a Task resource (a function placeholder) runs, if this stack has it.
    pub fn resolve(&self, resource: &str) -> Option<Handler> {
        let name = resource
            .strip_prefix("${")
            .and_then(|r| r.strip_suffix('}'))
            .unwrap_or(resource);
        self.handlers.get(name).copied()
    }
}

impl TaskInvoker for LocalInvoker {
    fn invoke(&self, resource: &str, input: Value, _ctx: &TaskContext) -> Result<Value, TaskError> {
        let Some(handler) = self.resolve(resource) else {
            return Err(TaskError::new(
                "States.TaskFailed",
                format!("`{resource}` is not a function of this stack that idpctl can run locally"),
            ));
        };
        // The interpreter runs states on its own threads; each Task blocks on the shared runtime.
        self.runtime
            .block_on(handler.invoke(input, &self.services))
            .map_err(|e| TaskError::lambda(e.error_type(), e.to_string()))
    }
}
