//! `idpctl status`: the report's shape and the one rule that turns it into healthy, degraded or
//! down. Gathering the facts is the AWS side's job; judging them is pure and tested here.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::exit::ExitStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Healthy,
    Degraded,
    Down,
}

impl Health {
    /// 0 healthy, 1 degraded, 2 down or not deployed.
    pub fn exit_status(self) -> ExitStatus {
        match self {
            Health::Healthy => ExitStatus::Success,
            Health::Degraded => ExitStatus::Findings,
            Health::Down => ExitStatus::Usage,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackSummary {
    pub status: String,
    pub status_reason: Option<String>,
    pub last_change: Option<String>,
}

/// One bucket, table, queue, state machine or function the template declares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    pub kind: String,
    pub logical_id: String,
    pub physical_id: Option<String>,
    pub present: bool,
    /// Functions only: whether the deployed code is the local artifact (`None`: not known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_matches_local: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct HookReport {
    /// The deployed `PostProcessingLambdaHookFunctionArn`; empty when the hook is off.
    pub function_arn: String,
    pub enabled: bool,
    /// Whether the hook function exists (`None` when off or not checked).
    pub function_found: Option<bool>,
    /// Roles of the stack whose policies allow invoking the hook.
    pub allowed_by: Vec<String>,
    /// Completion events waiting in the hook's dead-letter queue (`idpctl hook redrive`).
    pub undelivered: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueDepth {
    pub logical_id: String,
    pub url: String,
    pub messages: u64,
}

/// Everything `status` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    pub stack_name: String,
    pub region: String,
    pub stack: Option<StackSummary>,
    pub components: Vec<Component>,
    pub hook: HookReport,
    pub alarms_in_alarm: Vec<String>,
    pub dead_letter_queues: Vec<QueueDepth>,
    /// Executions started in the last 24 hours, by status.
    pub executions_24h: BTreeMap<String, u64>,
    /// The configuration version the functions run with (`null`: none active, or not read).
    #[serde(default)]
    pub configuration: Option<crate::services::config_store::Active>,
    pub health: Health,
    /// Why the stack is not healthy, one line each; notes that do not affect health too.
    pub problems: Vec<String>,
    pub notes: Vec<String>,
    /// Checks that could not be made (permissions, throttling): each counts as a problem.
    #[serde(skip)]
    pub unchecked: Vec<String>,
}

/// Statuses in which the stack serves nothing.
fn is_down(status: &str) -> bool {
    matches!(
        status,
        "CREATE_IN_PROGRESS"
            | "CREATE_FAILED"
            | "ROLLBACK_IN_PROGRESS"
            | "ROLLBACK_FAILED"
            | "ROLLBACK_COMPLETE"
            | "DELETE_IN_PROGRESS"
            | "DELETE_FAILED"
            | "DELETE_COMPLETE"
            | "REVIEW_IN_PROGRESS"
    )
}

/// Fills in `health`, `problems` and `notes` from the facts; notes gathered with the facts
/// (the image comparison, an unreadable table) stay, first.
pub fn assess(report: &mut StatusReport) {
    let mut problems = Vec::new();
    let mut notes = std::mem::take(&mut report.notes);
    let Some(stack) = &report.stack else {
        report.health = Health::Down;
        report.problems = vec![format!(
            "stack {} is not deployed in {}",
            report.stack_name, report.region
        )];
        return;
    };
    if is_down(&stack.status) {
        report.health = Health::Down;
        report.problems = vec![format!("stack is {}", stack.status)];
        return;
    }
    if stack.status.ends_with("_IN_PROGRESS") {
        problems.push(format!("an operation is running ({})", stack.status));
    } else if stack.status.contains("ROLLBACK") || stack.status.ends_with("_FAILED") {
        problems.push(format!(
            "the last update did not complete ({})",
            stack.status
        ));
    }
    for c in report.components.iter().filter(|c| !c.present) {
        problems.push(format!("{} {} is missing", c.kind, c.logical_id));
    }
    let stale: Vec<&str> = report
        .components
        .iter()
        .filter(|c| c.code_matches_local == Some(false))
        .map(|c| c.logical_id.as_str())
        .collect();
    if !stale.is_empty() {
        notes.push(format!(
            "{} function(s) run code other than the local artifact ({}): `idpctl deploy` updates them",
            stale.len(),
            stale.join(", ")
        ));
    }
    let hook = &report.hook;
    if hook.enabled {
        if hook.function_found == Some(false) {
            problems.push(format!(
                "hook function {} cannot be found",
                hook.function_arn
            ));
        }
        if hook.allowed_by.is_empty() {
            problems.push("no role of the stack may invoke the hook function".into());
        }
    }
    for alarm in &report.alarms_in_alarm {
        problems.push(format!("alarm {alarm} is in ALARM"));
    }
    report.hook.undelivered = report
        .dead_letter_queues
        .iter()
        .filter(|q| q.logical_id == "HookDeadLetterQueue")
        .map(|q| q.messages)
        .sum();
    if report.hook.undelivered > 0 {
        problems.push(format!(
            "{} completion event(s) not delivered to the hook: `idpctl hook redrive` sends them again",
            report.hook.undelivered
        ));
    }
    for q in report
        .dead_letter_queues
        .iter()
        .filter(|q| q.messages > 0 && q.logical_id != "HookDeadLetterQueue")
    {
        problems.push(format!(
            "dead-letter queue {} holds {} message(s)",
            q.logical_id, q.messages
        ));
    }
    let failed: u64 = ["FAILED", "TIMED_OUT", "ABORTED"]
        .iter()
        .filter_map(|s| report.executions_24h.get(*s))
        .sum();
    if failed > 0 {
        problems.push(format!(
            "{failed} execution(s) failed, timed out or were aborted in the last 24 h"
        ));
    }
    for what in &report.unchecked {
        problems.push(format!("could not check {what}"));
    }
    report.health = if problems.is_empty() {
        Health::Healthy
    } else {
        Health::Degraded
    };
    report.problems = problems;
    report.notes = notes;
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn healthy() -> StatusReport {
        StatusReport {
            configuration: None,
            stack_name: "idp-dev".into(),
            region: "us-east-1".into(),
            stack: Some(StackSummary {
                status: "UPDATE_COMPLETE".into(),
                status_reason: None,
                last_change: None,
            }),
            components: vec![],
            hook: HookReport::default(),
            alarms_in_alarm: vec![],
            dead_letter_queues: vec![],
            executions_24h: BTreeMap::new(),
            health: Health::Healthy,
            problems: vec![],
            notes: vec![],
            unchecked: vec![],
        }
    }

    #[test]
    fn absent_or_failed_create_is_down() {
        let mut r = healthy();
        r.stack = None;
        assess(&mut r);
        assert_eq!(r.health, Health::Down);
        let mut r = healthy();
        r.stack.as_mut().unwrap().status = "ROLLBACK_COMPLETE".into();
        assess(&mut r);
        assert_eq!(r.health, Health::Down);
    }

    #[test]
    fn a_message_in_a_dlq_degrades() {
        let mut r = healthy();
        assess(&mut r);
        assert_eq!(r.health, Health::Healthy);
        r.dead_letter_queues.push(QueueDepth {
            logical_id: "HookDlq".into(),
            url: "u".into(),
            messages: 1,
        });
        assess(&mut r);
        assert_eq!(r.health, Health::Degraded);
        assert_eq!(r.problems, ["dead-letter queue HookDlq holds 1 message(s)"]);
    }

    #[test]
    fn stale_code_is_a_note_not_a_problem() {
        let mut r = healthy();
        r.components.push(Component {
            kind: "function".into(),
            logical_id: "OcrFunction".into(),
            physical_id: None,
            present: true,
            code_matches_local: Some(false),
        });
        assess(&mut r);
        assert_eq!(r.health, Health::Healthy);
        assert_eq!(r.notes.len(), 1);
    }
}
