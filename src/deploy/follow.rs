//! Following a stack operation: polling until the stack settles, streaming each new event to
//! the person as it comes, and naming the root cause when it ends badly.

use std::time::{Duration, Instant};

use super::events::{self, EventStream};
use super::flow_error::FlowError;
use super::interaction::Interaction;
use super::state;
use super::types::{StackEvent, StackInfo};
use crate::aws::cfn::StackApi;

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

pub(super) async fn sleep(d: Duration) {
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

pub(super) fn root_cause_text(events: &[StackEvent]) -> Option<String> {
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
pub(super) async fn delete_and_wait(
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
