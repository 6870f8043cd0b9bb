//! The change-set review of a deploy: create the change set, wait while CloudFormation works it
//! out, show its rows, and get consent (asked again, with its own flag, when a change replaces
//! or removes a data store). What is declined is deleted again.

use std::time::Instant;

use super::changes;
use super::flow_error::FlowError;
use super::follow::{Poll, sleep};
use super::interaction::Interaction;
use super::options::{DeployOptions, DeployOutcome, DeployResult, Target, outcome};
use super::types::{ChangeSetRequest, StackInfo};
use crate::aws::cfn::{Created, StackApi, is_no_changes};

/// Where the review left a deploy.
pub(super) enum Reviewed {
    /// Nothing to execute: CloudFormation found no changes, or `--no-execute` was asked.
    Done(DeployOutcome),
    /// Consent given: execute change set `id` on the stack `stack_id`; `outcome` holds the
    /// change set and its rows.
    Execute {
        id: String,
        stack_id: String,
        outcome: DeployOutcome,
    },
}

/// Reviews the change set that takes `stack` (`None`: absent; `create`: it must be created)
/// to `target`.
pub(super) async fn review(
    api: &dyn StackApi,
    target: &Target,
    opts: &DeployOptions,
    io: &mut dyn Interaction,
    poll: Poll,
    stack: Option<&StackInfo>,
    create: bool,
) -> Result<Reviewed, FlowError> {
    let name = &target.stack_name;
    let request = ChangeSetRequest {
        stack_name: name.clone(),
        change_set_name: format!("idpctl-{}", unix_millis()),
        template: target.template.clone(),
        parameters: target.parameters.clone(),
        tags: target.tags.clone(),
        create,
    };
    // Waits follow the stack by id: a name can briefly match two stacks (a deleted one, or an
    // emulator's duplicate placeholder), an id never does.
    let (id, stack_id) = match api.create_change_set(&request).await? {
        Created::NoChanges => {
            return Ok(Reviewed::Done(outcome(
                target,
                DeployResult::NoChanges,
                stack,
            )));
        }
        Created::ChangeSet { id, stack_id } => (id, stack_id),
    };
    let mut delay = poll.initial;
    let started = Instant::now();
    let info = loop {
        let info = api.describe_change_set(&id).await?;
        if !matches!(
            info.status.as_str(),
            "CREATE_PENDING" | "CREATE_IN_PROGRESS"
        ) {
            break info;
        }
        if started.elapsed() > poll.timeout {
            return Err(FlowError::ChangeSetFailed {
                reason: format!("still {} after {} s", info.status, poll.timeout.as_secs()),
            });
        }
        sleep(delay).await;
        delay = (delay * 2).clamp(poll.initial, poll.max);
    };
    if is_no_changes(&info) {
        // A FAILED change set would linger in the console; it holds nothing worth keeping.
        let _ = api.delete_change_set(&id).await;
        return Ok(Reviewed::Done(outcome(
            target,
            DeployResult::NoChanges,
            stack,
        )));
    }
    if info.status != "CREATE_COMPLETE" {
        return Err(FlowError::ChangeSetFailed {
            reason: info.status_reason.unwrap_or(info.status),
        });
    }

    let rows = changes::rows(&info.changes);
    io.show_changes(&rows);
    let mut result = outcome(target, DeployResult::NotExecuted, stack);
    result.change_set = Some(id.clone());
    result.changes = rows.clone();
    if opts.no_execute {
        io.note(&format!(
            "change set {id} is ready; nothing was executed (--no-execute)"
        ));
        return Ok(Reviewed::Done(result));
    }

    let dangerous = rows.iter().filter(|r| r.dangerous).count();
    let agreed = if dangerous > 0 && !opts.allow_replace {
        io.confirm(
            &format!("{dangerous} change(s) replace or remove a bucket, table or queue and lose its data. Deploy anyway?"),
            "--allow-replace",
        )
    } else if opts.yes {
        Ok(true)
    } else {
        io.confirm(&format!("Deploy these changes to {name}?"), "--yes")
    };
    if !matches!(agreed, Ok(true)) {
        // Leave nothing behind: the change set, and for a first deploy the empty placeholder
        // stack (REVIEW_IN_PROGRESS) that creating it made.
        let _ = api.delete_change_set(&id).await;
        if create {
            let _ = api.delete_stack(&stack_id).await;
        }
        return Err(agreed.err().unwrap_or(FlowError::Declined));
    }
    Ok(Reviewed::Execute {
        id,
        stack_id,
        outcome: result,
    })
}

/// Milliseconds since the epoch: names each change set uniquely.
fn unix_millis() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default()
}
