//! What the deploy, hook and destroy flows fail with, and the hint and exit status of each.

use crate::aws::AwsError;
use crate::diagnose::Diagnose;
use crate::exit::ExitStatus;

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
