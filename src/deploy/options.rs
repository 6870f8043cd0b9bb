//! What a deploy is asked to do (the target stack and the options) and what it did.

use std::collections::BTreeMap;

use serde::Serialize;

use super::changes::ChangeRow;
use super::follow::Poll;
use super::types::{ParameterValue, StackInfo, StackOutput};

/// What the user asked a deploy to do.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeployOptions {
    pub yes: bool,
    pub allow_replace: bool,
    pub no_execute: bool,
    /// Fail instead of waiting when another operation is running.
    pub no_wait: bool,
    pub poll: Option<Poll>,
}

/// The stack to converge to.
#[derive(Debug, Clone)]
pub struct Target {
    pub stack_name: String,
    /// `None` keeps the deployed template (the hook flow).
    pub template: Option<String>,
    pub parameters: Vec<(String, ParameterValue)>,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployResult {
    /// Template, parameters and artifact equal what is deployed: no change set was made.
    Unchanged,
    /// CloudFormation found nothing to change.
    NoChanges,
    /// The change set was created and left for review (`--no-execute`).
    NotExecuted,
    Executed,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeployOutcome {
    pub stack_name: String,
    pub result: DeployResult,
    pub change_set: Option<String>,
    pub changes: Vec<ChangeRow>,
    pub status: Option<String>,
    pub outputs: Vec<StackOutput>,
}

/// The outcome of a deploy of `target` that stopped with `result`, showing `stack` as it is.
pub(super) fn outcome(
    target: &Target,
    result: DeployResult,
    stack: Option<&StackInfo>,
) -> DeployOutcome {
    DeployOutcome {
        stack_name: target.stack_name.clone(),
        result,
        change_set: None,
        changes: Vec::new(),
        status: stack.map(|s| s.stack_status.clone()),
        outputs: stack.map(|s| s.outputs.clone()).unwrap_or_default(),
    }
}
