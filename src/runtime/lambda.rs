//! The Lambda loop: the same binary, started as `bootstrap` by `provided.al2023` (the handler
//! named by `_HANDLER`) or as `idpctl handler NAME`, polls the Runtime API and answers with the
//! handler's result or an error report whose `errorType` the state machine can match.

use std::sync::Arc;

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

use crate::error::Hinted;
use crate::handlers::Handler;
use crate::services::{Services, StackNames, local};

/// Variables the Runtime API client needs; it panics without them, so they are checked first.
pub const REQUIRED_ENV: &[&str] = &[
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
];

/// Which services a Lambda process talks to.
enum Backend {
    Local(Box<Services>),
    /// Built inside the runtime: the SDK's configuration loads asynchronously.
    Aws,
}

/// AWS by default; `IDPCTL_BACKEND=local` uses the local folders and database (for trying the
/// loop without an account).
fn backend(env: &dyn Fn(&str) -> Option<String>) -> Result<Backend, Hinted> {
    let backend = env("IDPCTL_BACKEND").unwrap_or_else(|| "aws".into());
    match backend.as_str() {
        "local" => {
            let dir = env("IDPCTL_STATE_DIR").ok_or_else(|| {
                Hinted::usage(
                    "IDPCTL_BACKEND=local needs IDPCTL_STATE_DIR",
                    "set IDPCTL_STATE_DIR to the local stack's state folder",
                )
            })?;
            let names = StackNames::from_env(env).map_err(|e| {
                Hinted::usage(e, "set INPUT_BUCKET, OUTPUT_BUCKET and WORKING_BUCKET as the stack's template does")
            })?;
            local::services(&local::LocalLayout::new(dir), names)
                .map(|s| Backend::Local(Box::new(s)))
                .map_err(|e| {
                    Hinted::usage(
                        format!("cannot open the local state: {e}"),
                        "check IDPCTL_STATE_DIR is writable",
                    )
                })
        }
        "aws" => Ok(Backend::Aws),
        other => Err(Hinted::usage(
            format!("IDPCTL_BACKEND `{other}` is not a backend"),
            "use `aws` (the default) or `local`",
        )),
    }
}

/// Checks the Lambda environment, then serves invocations until the Runtime API goes away.
pub fn run(handler: Handler, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<()> {
    let missing: Vec<&str> = REQUIRED_ENV
        .iter()
        .copied()
        .filter(|k| env(k).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(Hinted::usage(
            format!("not running inside Lambda: {} not set", missing.join(", ")),
            "Lambda sets these for `bootstrap`; to try a handler locally, point AWS_LAMBDA_RUNTIME_API at a Runtime API emulator and set the others",
        )
        .into());
    }
    let backend = backend(env)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let services = Arc::new(match backend {
            // Local stores: the drift guard stands in for the role the function would have.
            Backend::Local(s) => super::guard::guarded(handler, &s),
            Backend::Aws => crate::services::aws::services(env).await.map_err(|e| {
                Hinted::usage(
                    e,
                    "the stack's template sets INPUT_BUCKET, OUTPUT_BUCKET, WORKING_BUCKET and TRACKING_TABLE on every function",
                )
            })?,
        });
        let service = service_fn(move |event: LambdaEvent<Value>| {
            let services = services.clone();
            async move { handler.invoke(event.payload, &services).await.map_err(Diagnostic::from) }
        });
        lambda_runtime::run(service)
            .await
            .map_err(|e| anyhow::anyhow!("the Lambda Runtime API loop stopped: {e}"))
    })
}
