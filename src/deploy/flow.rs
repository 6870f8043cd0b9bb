//! The deploy, hook and destroy flows over any [`StackApi`]: decide from the stack's state,
//! create a change set (or skip it when nothing changed), show it, get consent, execute, follow
//! the events, and name the root cause when it fails. Talking to the person goes through
//! [`Interaction`], so tests drive every path with recorded responses and scripted answers.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::changes::{self, ChangeRow};
use super::events::{self, EventStream};
use super::noop::{self, Desired};
use super::state::{self, Decision};
use super::types::{ChangeSetRequest, ParameterValue, StackEvent, StackInfo, StackOutput};
use crate::aws::AwsError;
use crate::aws::cfn::{Created, StackApi, is_no_changes};
use crate::error::Diagnose;
use crate::exit::ExitStatus;

/// How often to poll: quickly at first (an emulator, a small update), then every few seconds.
#[derive(Debug, Clone, Copy)]
pub struct Poll {
    pub initial: Duration,
    pub max: Duration,
    pub timeout: Duration,
}

impl Default for Poll {
    fn default() -> Self {
        Poll {
            initial: Duration::from_millis(200),
            max: Duration::from_secs(5),
            timeout: Duration::from_secs(3 * 60 * 60),
        }
    }
}

impl Poll {
    /// No sleeping: for tests over recorded responses.
    pub fn immediate() -> Self {
        Poll {
            initial: Duration::ZERO,
            max: Duration::ZERO,
            timeout: Duration::from_secs(60),
        }
    }
}

/// The person at the other end (or a script standing in for them).
pub trait Interaction {
    /// Asks a yes/no question. Implementations that cannot ask (no terminal) return
    /// [`FlowError::NeedsConsent`] naming `flag`, the option that answers it in advance.
    fn confirm(&mut self, question: &str, flag: &'static str) -> Result<bool, FlowError>;
    fn show_changes(&mut self, rows: &[ChangeRow]);
    fn event(&mut self, event: &StackEvent);
    fn note(&mut self, message: &str);
}

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error("cannot ask \"{question}\": standard input is not a terminal")]
    NeedsConsent {
        question: String,
        flag: &'static str,
    },
    #[error("cancelled; nothing was changed")]
    Declined,
    #[error("stack {stack} is busy ({status})")]
    Busy { stack: String, status: String },
    #[error("stack {stack} is {status} and idpctl will not change it")]
    Refused {
        stack: String,
        status: String,
        hint: String,
    },
    #[error("stack {stack} is not deployed")]
    NotDeployed { stack: String },
    #[error("the change set failed: {reason}")]
    ChangeSetFailed { reason: String },
    #[error("stack {stack} ended in {status}{}", cause.as_ref().map(|c| format!("\n  root cause: {c}")).unwrap_or_default())]
    Failed {
        stack: String,
        status: String,
        cause: Option<String>,
    },
    #[error("stack {stack} is still {status} after {minutes} minutes")]
    Timeout {
        stack: String,
        status: String,
        minutes: u64,
    },
}

impl Diagnose for FlowError {
    fn hint(&self) -> Option<String> {
        match self {
            FlowError::Aws(e) => e.hint(),
            FlowError::NeedsConsent { flag, .. } => {
                Some(format!("run it in a terminal to answer, or pass {flag} to agree in advance"))
            }
            FlowError::Declined => None,
            FlowError::Busy { .. } => {
                Some("wait for it to finish (`idpctl status`), or run again without --no-wait to wait for it".into())
            }
            FlowError::Refused { hint, .. } => Some(hint.clone()),
            FlowError::NotDeployed { .. } => Some("deploy it first with `idpctl deploy`".into()),
            FlowError::ChangeSetFailed { .. } => {
                Some("run `idpctl validate` to check the template, then deploy again".into())
            }
            FlowError::Failed { .. } => Some(
                "fix the root cause, then deploy again; CloudFormation rolled the stack back to its last good state"
                    .into(),
            ),
            FlowError::Timeout { .. } => {
                Some("look at the stack's events in the console; `idpctl status` shows where it stands".into())
            }
        }
    }

    fn status(&self) -> ExitStatus {
        match self {
            FlowError::Aws(e) => e.status(),
            FlowError::NeedsConsent { .. } | FlowError::NotDeployed { .. } => ExitStatus::Usage,
            _ => ExitStatus::Findings,
        }
    }
}

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

async fn sleep(d: Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}

/// Polls until the stack settles, showing each new event; returns its final state (`None` once
/// deleted) and the events of the operation, oldest first.
pub async fn wait_settled(
    api: &dyn StackApi,
    stack_id: &str,
    stream: &mut EventStream,
    io: &mut dyn Interaction,
    poll: Poll,
) -> Result<(Option<StackInfo>, Vec<StackEvent>), FlowError> {
    let started = Instant::now();
    let mut delay = poll.initial;
    let mut seen = Vec::new();
    loop {
        let stack = api.describe_stack(stack_id).await?;
        // Read events after the status, so the events that led to a settled status are in.
        if let Ok(page) = api.stack_events(stack_id).await {
            for e in stream.take_new(&page) {
                io.event(&e);
                seen.push(e);
            }
        }
        // An executed change set leaves REVIEW_IN_PROGRESS at once; a stack that stays there is
        // not following this operation, and waiting for it would never end.
        let stuck_in_review = |s: &StackInfo| {
            s.stack_status == "REVIEW_IN_PROGRESS"
                && started.elapsed() > poll.timeout.min(Duration::from_secs(120))
        };
        match stack {
            None => return Ok((None, seen)),
            Some(s) if state::is_settled(&s.stack_status) => return Ok((Some(s), seen)),
            Some(s) if started.elapsed() > poll.timeout || stuck_in_review(&s) => {
                return Err(FlowError::Timeout {
                    stack: s.stack_name,
                    status: s.stack_status,
                    minutes: poll.timeout.as_secs() / 60,
                });
            }
            Some(_) => {}
        }
        sleep(delay).await;
        delay = (delay * 2).clamp(poll.initial, poll.max);
    }
}

fn root_cause_text(events: &[StackEvent]) -> Option<String> {
    events::root_cause(events).map(|e| {
        format!(
            "{} ({}) {}: {}",
            e.logical_resource_id,
            e.resource_type,
            e.resource_status,
            e.resource_status_reason
                .as_deref()
                .unwrap_or("no reason given")
        )
    })
}

/// Deletes a stack and waits for it to go; fails with the root cause if it does not.
async fn delete_and_wait(
    api: &dyn StackApi,
    stack: &StackInfo,
    io: &mut dyn Interaction,
    poll: Poll,
) -> Result<(), FlowError> {
    let mut stream =
        EventStream::after(&api.stack_events(&stack.stack_id).await.unwrap_or_default());
    api.delete_stack(&stack.stack_id).await?;
    let (after, seen) = wait_settled(api, &stack.stack_id, &mut stream, io, poll).await?;
    match after {
        Some(s) if s.stack_status != "DELETE_COMPLETE" => Err(FlowError::Failed {
            stack: stack.stack_name.clone(),
            status: s.stack_status,
            cause: root_cause_text(&seen),
        }),
        _ => Ok(()),
    }
}

/// Brings the stack into a state a change set can be made from; returns it (`None`: absent)
/// and whether the change set must be a CREATE.
async fn prepare(
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

fn outcome(target: &Target, result: DeployResult, stack: Option<&StackInfo>) -> DeployOutcome {
    DeployOutcome {
        stack_name: target.stack_name.clone(),
        result,
        change_set: None,
        changes: Vec::new(),
        status: stack.map(|s| s.stack_status.clone()),
        outputs: stack.map(|s| s.outputs.clone()).unwrap_or_default(),
    }
}

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
        Created::NoChanges => return Ok(outcome(target, DeployResult::NoChanges, stack.as_ref())),
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
        return Ok(outcome(target, DeployResult::NoChanges, stack.as_ref()));
    }
    if info.status != "CREATE_COMPLETE" {
        return Err(FlowError::ChangeSetFailed {
            reason: info.status_reason.unwrap_or(info.status),
        });
    }

    let rows = changes::rows(&info.changes);
    io.show_changes(&rows);
    let mut result = outcome(target, DeployResult::NotExecuted, stack.as_ref());
    result.change_set = Some(id.clone());
    result.changes = rows.clone();
    if opts.no_execute {
        io.note(&format!(
            "change set {id} is ready; nothing was executed (--no-execute)"
        ));
        return Ok(result);
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

fn unix_millis() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default()
}
