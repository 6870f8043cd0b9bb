//! Delivering the completion event to the user's post-processing hook: an asynchronous Lambda
//! invoke in AWS; a command or an HTTP URL in the local profile.

use async_trait::async_trait;
use serde_json::Value;

use super::StoreError;

#[async_trait]
pub trait HookTarget: Send + Sync {
    /// Where the events go, for logs and results (`arn:…`, `command: …`, `http://…`).
    fn describe(&self) -> String;
    /// Delivers the event and returns what the hook answered (`null` when it answers nothing).
    async fn deliver(&self, event: &Value) -> Result<Value, StoreError>;
}
