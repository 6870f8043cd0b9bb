//! The deploy, hook and destroy flows over any [`StackApi`]: decide from the stack's state
//! (`prepare.rs`), create a change set (or skip it when nothing changed), show it and get
//! consent (`review.rs`), execute, follow the events and name the root cause when it fails
//! (`follow.rs`). Talking to the person goes through [`Interaction`], so tests
//! drive every path with recorded responses and scripted answers. The types the flows share
//! live in their own files and are re-exported here, where callers have always found them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::events::EventStream;
use super::follow::{delete_and_wait, root_cause_text};
use super::noop::{self, Desired};
use super::prepare::prepare;
use super::review::{Reviewed, review};
use super::state;
use super::types::ParameterValue;
use crate::aws::cfn::StackApi;

pub use super::flow_error::FlowError;
pub use super::follow::{Poll, wait_settled};
pub use super::interaction::Interaction;
use super::options::outcome;
pub use super::options::{DeployOptions, DeployOutcome, DeployResult, Target};

/// The whole deploy: see the module doc.
pub async fn deploy(
    api: &dyn StackApi,
    target: &Target,
    opts: &DeployOptions,
    io: &mut dyn Interaction,
) -> Result<DeployOutcome, FlowError> {
    let poll = opts.poll.unwrap_or_default();
    let name = &target.stack_name;
    let (stack, create) = prepare(api, target, opts, io, poll).await?;
    if create && target.template.is_none() {
        return Err(FlowError::NotDeployed {
            stack: name.clone(),
        });
    }

    if let (false, Some(stack), Some(template)) = (create, &stack, &target.template) {
        let parameters: BTreeMap<String, String> = target
            .parameters
            .iter()
            .filter_map(|(k, v)| match v {
                ParameterValue::Set(v) => Some((k.clone(), v.clone())),
                ParameterValue::UsePrevious => None,
            })
            .collect();
        let desired = Desired {
            template,
            parameters: &parameters,
            tags: &target.tags,
        };
        let deployed = api.get_template(name).await?;
        if noop::is_unchanged(stack, &deployed, &desired) {
            return Ok(outcome(target, DeployResult::Unchanged, Some(stack)));
        }
    }

    let reviewed = review(api, target, opts, io, poll, stack.as_ref(), create).await?;
    let (id, stack_id, mut result) = match reviewed {
        Reviewed::Done(outcome) => return Ok(outcome),
        Reviewed::Execute {
            id,
            stack_id,
            outcome,
        } => (id, stack_id, outcome),
    };

    let mut stream = EventStream::after(&api.stack_events(&stack_id).await.unwrap_or_default());
    api.execute_change_set(&id).await?;
    let (after, seen) = wait_settled(api, &stack_id, &mut stream, io, poll).await?;
    let status = after
        .as_ref()
        .map(|s| s.stack_status.clone())
        .unwrap_or("DELETE_COMPLETE".into());
    if !state::is_success(&status) {
        return Err(FlowError::Failed {
            stack: name.clone(),
            status,
            cause: root_cause_text(&seen),
        });
    }
    result.result = DeployResult::Executed;
    result.status = Some(status);
    result.outputs = after.map(|s| s.outputs).unwrap_or_default();
    Ok(result)
}

#[derive(Debug, Clone, Serialize)]
pub struct DestroyOutcome {
    pub stack_name: String,
    /// False when there was no stack to delete.
    pub deleted: bool,
    /// What outlives the stack: `(logical id, type, physical id)`.
    pub retained: Vec<Retained>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Retained {
    pub logical_id: String,
    pub resource_type: String,
    pub physical_id: Option<String>,
}

/// Deletes the stack after consent; `retained` lists what its template keeps.
pub async fn destroy(
    api: &dyn StackApi,
    stack_name: &str,
    retained: impl FnOnce(&str) -> Vec<(String, String)>,
    yes: bool,
    io: &mut dyn Interaction,
    poll: Option<Poll>,
) -> Result<DestroyOutcome, FlowError> {
    let poll = poll.unwrap_or_default();
    let Some(stack) = api.describe_stack(stack_name).await? else {
        return Ok(DestroyOutcome {
            stack_name: stack_name.into(),
            deleted: false,
            retained: vec![],
        });
    };
    if !state::is_settled(&stack.stack_status) && stack.stack_status != "REVIEW_IN_PROGRESS" {
        return Err(FlowError::Busy {
            stack: stack_name.into(),
            status: stack.stack_status,
        });
    }
    let template = api.get_template(&stack.stack_id).await.unwrap_or_default();
    let resources = api
        .stack_resources(&stack.stack_id)
        .await
        .unwrap_or_default();
    let kept: Vec<Retained> = retained(&template)
        .into_iter()
        .map(|(logical_id, resource_type)| Retained {
            physical_id: resources
                .iter()
                .find(|r| r.logical_resource_id == logical_id)
                .and_then(|r| r.physical_resource_id.clone()),
            logical_id,
            resource_type,
        })
        .collect();
    let mut question = format!("Delete stack {stack_name} ({})?", stack.stack_status);
    if !kept.is_empty() {
        question.push_str(&format!(" {} data store(s) are kept", kept.len()));
    }
    if !(yes || io.confirm(&question, "--yes")?) {
        return Err(FlowError::Declined);
    }
    delete_and_wait(api, &stack, io, poll).await?;
    Ok(DestroyOutcome {
        stack_name: stack_name.into(),
        deleted: true,
        retained: kept,
    })
}
