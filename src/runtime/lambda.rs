//! The Lambda loop: the same binary, started as `bootstrap` by `provided.al2023` (the handler
//! named by `_HANDLER`) or as `idpctl handler NAME`, polls the Runtime API and answers with the
//! handler's result or an error report whose `errorType` the state machine can match.
//!
//! Init does only what the first poll needs: the environment is checked (a missing variable
//! stops the function with its name), and the AWS clients — the SDK configuration, the TLS
//! roots, a model key from Secrets Manager — are built by the first invocation, once. A failure
//! there is that invocation's error (`idpctl.Misconfigured`, with the hint), and the next
//! invocation tries again. `cargo bench --bench cold_init` measures exec → first poll.

use std::sync::Arc;

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

use crate::diagnose::Hinted;
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
    /// Built by the first invocation (see the module documentation).
    Aws,
}

/// The hint for a missing variable: the template sets them on every function.
const AWS_ENV_HINT: &str = "the stack's template sets INPUT_BUCKET, OUTPUT_BUCKET, WORKING_BUCKET and TRACKING_TABLE on every function";

/// The `errorType` of an invocation whose services could not be built: not retried, since the
/// function's environment or role must change first.
pub const MISCONFIGURED: &str = "idpctl.Misconfigured";

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
        "aws" => {
            crate::services::aws::check_env(env).map_err(|e| Hinted::usage(e, AWS_ENV_HINT))?;
            Ok(Backend::Aws)
        }
        other => Err(Hinted::usage(
            format!("IDPCTL_BACKEND `{other}` is not a backend"),
            "use `aws` (the default) or `local`",
        )),
    }
}

/// The report of an invocation whose services could not be built; the reason keeps its own
/// hint when it has one (a Secrets Manager grant, an engine name).
fn misconfigured(reason: String) -> Diagnostic {
    let error_message = if reason.contains("hint:") {
        reason
    } else {
        format!(
            "cannot set up the function's AWS services: {reason} (hint: deploy the stack again with `idpctl deploy`; its template sets every variable the function reads)"
        )
    };
    Diagnostic {
        error_type: MISCONFIGURED.into(),
        error_message,
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
        let services = tokio::sync::OnceCell::new();
        if let Backend::Local(s) = backend {
            // Local stores: the drift guard stands in for the role the function would have.
            let _ = services.set(Arc::new(super::guard::guarded(handler, &s)));
        }
        let services = &services;
        let service = service_fn(move |event: LambdaEvent<Value>| async move {
            let services = services
                .get_or_try_init(|| async {
                    crate::services::aws::services(env).await.map(Arc::new)
                })
                .await
                .map_err(misconfigured)?;
            handler
                .invoke(event.payload, services)
                .await
                .map_err(Diagnostic::from)
        });
        lambda_runtime::run(service)
            .await
            .map_err(|e| anyhow::anyhow!("the Lambda Runtime API loop stopped: {e}"))
    })
}
