//! The person at the other end of a flow: questions, the change set, the events as they come
//! and notes. Tests stand in for them with scripted answers.

use super::changes::ChangeRow;
use super::flow_error::FlowError;
use super::types::StackEvent;

/// The person at the other end (or a script standing in for them).
pub trait Interaction {
    /// Asks a yes/no question. Implementations that cannot ask (no terminal) return
    /// [`FlowError::NeedsConsent`] naming `flag`, the option that answers it in advance.
    fn confirm(&mut self, question: &str, flag: &'static str) -> Result<bool, FlowError>;
    fn show_changes(&mut self, rows: &[ChangeRow]);
    fn event(&mut self, event: &StackEvent);
    fn note(&mut self, message: &str);
}
