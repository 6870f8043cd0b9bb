//! Exit codes, in one place, so every command means the same thing by them.
//!
//! 0: success (or clean). 1: the command ran and found problems (validation findings, failed
//! documents, a degraded stack). 2: the command could not run as asked (usage, configuration, a
//! missing file) — the fix is on the caller's side.

use std::process::ExitCode;

/// What a command's outcome means to a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    Findings,
    Usage,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Usage => 2,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}
