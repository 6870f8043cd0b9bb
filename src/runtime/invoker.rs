//! Task resources → in-process handlers, for the local runtime. The rendered definition names
//! functions as `${<Pascal>FunctionArn}` (the placeholders CloudFormation fills); this maps each
//! back to the handler its function runs, so the local run executes exactly the definition that
//! is deployed. Each handler gets the services through its drift guard ([`super::guard`]): a call
//! its `ACCESS` declaration lacks fails the Task as the deployed role would.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::guard::guarded;
use crate::asl::{TaskContext, TaskError, TaskInvoker};
use crate::handlers::Handler;
use crate::services::Services;
use crate::stack::StackDefinition;
use crate::stack::context::function_ids;

pub struct LocalInvoker {
    handlers: HashMap<String, Handler>,
    /// The services as each handler may use them.
    services: HashMap<Handler, Services>,
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
        let handlers: HashMap<String, Handler> = stack
            .functions
            .iter()
            .filter_map(|f| {
                let h: Handler = f.handler.parse().ok()?;
                Some((function_ids(&f.handler).arn_placeholder, h))
            })
            .collect();
        let services = handlers
            .values()
            .map(|&h| (h, guarded(h, &services)))
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
        let Some((handler, services)) = self
            .resolve(resource)
            .and_then(|h| Some((h, self.services.get(&h)?)))
        else {
            return Err(TaskError::new(
                "States.TaskFailed",
                format!("`{resource}` is not a function of this stack that idpctl can run locally"),
            ));
        };
        // The interpreter runs states on its own threads; each Task blocks on the shared runtime.
        self.runtime
            .block_on(handler.invoke(input, services))
            .map_err(|e| TaskError::lambda(e.error_type(), e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::local::{LocalLayout, local_names, services};
    use crate::stack::FunctionDefinition;

    #[test]
    fn each_handler_runs_with_its_guarded_services() {
        let dir = tempfile::tempdir().unwrap();
        let s = Arc::new(services(&LocalLayout::new(dir.path()), local_names("t", 2)).unwrap());
        let function = |handler: &str| FunctionDefinition {
            handler: handler.into(),
            description: String::new(),
            memory_mb: 128,
            timeout_s: 3,
            reserved_concurrency: None,
            environment: Default::default(),
        };
        let stack = StackDefinition {
            name: "t".into(),
            description: String::new(),
            parts: vec![],
            state_machine: String::new(),
            parameters: String::new(),
            functions: vec![function("assess"), function("finalize")],
        };
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let invoker = LocalInvoker::new(&stack, s, runtime.handle().clone());
        let put = |h: Handler| {
            runtime.block_on(invoker.services[&h].objects.put(
                "t-output",
                "a/result.json",
                b"{}".to_vec(),
                "application/json",
            ))
        };
        assert!(put(Handler::Finalize).is_ok());
        let err = put(Handler::Assess).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("assess calls s3:PutObject on OutputBucket but does not declare it"),
            "{err}"
        );
    }
}
