//! Starting workflow executions: Step Functions in AWS, the local runtime's queue on this
//! machine. Names are deterministic, so starting the same upload twice is a no-op.

use async_trait::async_trait;
use serde_json::Value;

use super::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// The execution's ARN (AWS) or id (local).
    pub execution: String,
    /// False when an execution with this name already existed.
    pub new: bool,
}

#[async_trait]
pub trait Executions: Send + Sync {
    async fn start(&self, name: &str, input: &Value) -> Result<Started, StoreError>;
}
