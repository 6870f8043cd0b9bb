//! What an error can tell the person besides its message: a `hint:` line with the fix and the
//! exit status its kind deserves. A leaf module: library errors implement [`Diagnose`] where
//! they live, and only the command edge (`crate::error`) collects them, so no import circle
//! runs through here.

use crate::exit::ExitStatus;

/// Implemented by library error types that can tell the user how to fix them.
pub trait Diagnose {
    /// One line that says what to do about it.
    fn hint(&self) -> Option<String>;
    /// Usage and configuration errors are the caller's to fix (exit 2); the rest exit 1.
    fn status(&self) -> ExitStatus {
        ExitStatus::Usage
    }
}

/// An error whose hint is written where it is raised, for command edges that have no type of
/// their own to attach it to.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Hinted {
    pub message: String,
    pub hint: String,
    pub status: ExitStatus,
}

impl Hinted {
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Hinted {
            message: message.into(),
            hint: hint.into(),
            status: ExitStatus::Usage,
        }
    }
}

impl Diagnose for Hinted {
    fn hint(&self) -> Option<String> {
        Some(self.hint.clone())
    }
    fn status(&self) -> ExitStatus {
        self.status
    }
}
