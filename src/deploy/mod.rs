//! Deploying the stack: pure cores (the state decision table, change-set rendering with
//! dangerous-change marking, the event stream, no-op detection, health assessment, template
//! facts) and the flows that drive them over the AWS wrappers in [`crate::aws`].

pub mod changes;
pub mod events;
pub mod flow;
mod flow_error;
mod follow;
pub mod health;
pub mod image;
mod interaction;
pub mod noop;
mod options;
mod prepare;
mod review;
pub mod state;
pub mod template;
pub mod terminal;
pub mod types;

/// The parameter `idpctl hook` changes; every other parameter keeps its deployed value.
pub const HOOK_PARAMETER: &str = "PostProcessingLambdaHookFunctionArn";
