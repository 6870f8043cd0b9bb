//! The state decision of a deploy, carried out: wait for a busy stack, delete one whose first
//! create failed, continue a failed rollback, or refuse, until a change set can be made.

use super::events::EventStream;
use super::flow_error::FlowError;
use super::follow::{Poll, delete_and_wait, root_cause_text, wait_settled};
use super::interaction::Interaction;
use super::options::{DeployOptions, Target};
use super::state::{self, Decision};
use super::types::StackInfo;
use crate::aws::cfn::StackApi;

/// Brings the stack into a state a change set can be made from; returns it (`None`: absent)
/// and whether the change set must be a CREATE.
pub(super) async fn prepare(
    api: &dyn StackApi,
    target: &Target,
    opts: &DeployOptions,
    io: &mut dyn Interaction,
    poll: Poll,
) -> Result<(Option<StackInfo>, bool), FlowError> {
    let name = &target.stack_name;
    // Each turn settles one thing (a wait, a delete, a rollback); a few turns always suffice.
    for _ in 0..4 {
        let stack = api.describe_stack(name).await?;
        match state::decide(stack.as_ref().map(|s| s.stack_status.as_str())) {
            Decision::Create => return Ok((stack, true)),
            Decision::Update => return Ok((stack, false)),
            Decision::Wait { status } => {
                if opts.no_wait {
                    return Err(FlowError::Busy {
                        stack: name.clone(),
                        status,
                    });
                }
                let stack = stack.expect("a status implies a stack");
                io.note(&format!(
                    "stack {name} is {status}; waiting for it to finish"
                ));
                let mut stream = EventStream::after(
                    &api.stack_events(&stack.stack_id).await.unwrap_or_default(),
                );
                wait_settled(api, &stack.stack_id, &mut stream, io, poll).await?;
            }
            Decision::Recreate { status } => {
                let stack = stack.expect("a status implies a stack");
                if target.template.is_none() {
                    return Err(FlowError::NotDeployed {
                        stack: name.clone(),
                    });
                }
                let question = format!(
                    "Stack {name} is {status}: its first create failed, so it can only be deleted. Delete it and create it again?"
                );
                if !(opts.yes || io.confirm(&question, "--yes")?) {
                    return Err(FlowError::Declined);
                }
                io.note(&format!("deleting stack {name} ({status})"));
                delete_and_wait(api, &stack, io, poll).await?;
            }
            Decision::ContinueRollback { status } => {
                let stack = stack.expect("a status implies a stack");
                let question = format!(
                    "Stack {name} is {status}: an update's rollback failed. Ask CloudFormation to continue the rollback?"
                );
                if !(opts.yes || io.confirm(&question, "--yes")?) {
                    return Err(FlowError::Declined);
                }
                let mut stream = EventStream::after(
                    &api.stack_events(&stack.stack_id).await.unwrap_or_default(),
                );
                api.continue_update_rollback(&stack.stack_id).await?;
                let (after, seen) =
                    wait_settled(api, &stack.stack_id, &mut stream, io, poll).await?;
                if let Some(s) = after.filter(|s| s.stack_status != "UPDATE_ROLLBACK_COMPLETE") {
                    return Err(FlowError::Failed {
                        stack: name.clone(),
                        status: s.stack_status,
                        cause: root_cause_text(&seen),
                    });
                }
            }
            Decision::Refuse { status, hint } => {
                return Err(FlowError::Refused {
                    stack: name.clone(),
                    status,
                    hint,
                });
            }
        }
    }
    let status = api
        .describe_stack(name)
        .await?
        .map(|s| s.stack_status)
        .unwrap_or_default();
    Err(FlowError::Busy {
        stack: name.clone(),
        status,
    })
}
