//! Delivering the completion event to the user's post-processing hook: an asynchronous Lambda
//! invoke in AWS; a command or an HTTP URL in the local profile.

use async_trait::async_trait;
use serde_json::Value;

use super::StoreError;

/// The source of `idpctl hook test`'s sample events: a failed test is reported to whoever ran
/// it, never kept as a dead letter.
pub const TEST_SOURCE: &str = "idpctl.hook-test";

#[async_trait]
pub trait HookTarget: Send + Sync {
    /// Where the events go, for logs and results (`arn:…`, `command: …`, `http://…`).
    fn describe(&self) -> String;
    /// Delivers the event and returns what the hook answered (`null` when it answers nothing).
    async fn deliver(&self, event: &Value) -> Result<Value, StoreError>;
}
