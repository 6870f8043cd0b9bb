//! Error types of the ASL interpreter.
//!
//! Two kinds of failure exist and they must not be confused:
//! - [`DefinitionError`]: the state machine JSON is invalid. This is a programming error in
//!   the definition, reported before anything runs (AWS rejects such definitions at
//!   `CreateStateMachine` time).
//! - [`StatesError`]: a runtime error *inside* an execution, named like AWS names it
//!   (`States.TaskFailed`, a Lambda `errorType`, ...). Retriers and catchers match on its name,
//!   and an uncaught one fails the execution with that error and cause.

/// The predefined error names of the Amazon States Language (spec appendix A) plus the ones
/// AWS Step Functions adds (`States.Runtime`, `States.DataLimitExceeded`).
pub mod names {
    /// Wildcard matching any error name except `States.Runtime` and `States.DataLimitExceeded`.
    pub const ALL: &str = "States.ALL";
    /// A Task failed; as a matcher it matches any error except `States.Timeout` and terminal ones.
    pub const TASK_FAILED: &str = "States.TaskFailed";
    /// A Task ran longer than `TimeoutSeconds`, or the execution exceeded its `TimeoutSeconds`.
    pub const TIMEOUT: &str = "States.Timeout";
    /// A Task missed its heartbeat (never raised locally: there are no heartbeats in-process).
    pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
    /// Not retriable, not catchable: InputPath/OutputPath/ItemsPath or a Choice path failed.
    pub const RUNTIME: &str = "States.Runtime";
    /// A state's input or output, or a task's result, exceeded the payload quota (256 KiB).
    pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
    /// ResultPath could not be applied to the state's raw input.
    pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
    /// A `.$` field of a payload template referenced a path that is not in the input (the
    /// spec's name; the AWS service, and so this interpreter, reports `States.Runtime`).
    pub const PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
    /// No Choice rule matched and there is no Default.
    pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
    /// An intrinsic function failed at run time.
    pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
    /// A branch of a Parallel state failed (used when a branch has no error of its own).
    pub const BRANCH_FAILED: &str = "States.BranchFailed";
    /// A Map state had more failed items than its tolerated failure threshold.
    pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
    /// A Task failed because of insufficient privileges (raised by invokers, never by us).
    pub const PERMISSIONS: &str = "States.Permissions";
}

/// A runtime error inside an execution: an error name and a human-readable cause.
///
/// This is what AWS shows as `error`/`cause` of a failed execution, and what a catcher puts
/// into `{"Error": ..., "Cause": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {cause}")]
pub struct StatesError {
    /// The error name, e.g. `States.TaskFailed` or a Lambda `errorType`.
    pub error: String,
    /// The cause; for Lambda errors a JSON text with `errorMessage` and `errorType`.
    pub cause: String,
}

impl StatesError {
    /// Builds an error from a name and a cause.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            cause: cause.into(),
        }
    }

    /// `States.Runtime`: neither retriable nor catchable.
    pub fn runtime(cause: impl Into<String>) -> Self {
        Self::new(names::RUNTIME, cause)
    }

    /// The `{"Error": ..., "Cause": ...}` object a catcher hands to its ResultPath.
    pub fn to_error_output(&self) -> serde_json::Value {
        serde_json::json!({ "Error": self.error, "Cause": self.cause })
    }
}

/// The failure of one Task invocation, as reported by a [`crate::asl::TaskInvoker`].
///
/// Shaped like a Lambda function error: the name is the `errorType`, the cause the message
/// (for Lambda the whole `{"errorMessage","errorType"}` JSON text, see [`TaskError::lambda`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[error("{error}: {cause}")]
pub struct TaskError {
    /// Error name that retriers and catchers match (`errorType` for a Lambda).
    pub error: String,
    /// Free-form cause.
    pub cause: String,
}

impl TaskError {
    /// An error with an explicit name and cause.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            cause: cause.into(),
        }
    }

    /// A Lambda function error: AWS reports `Error = errorType` and a `Cause` that is the JSON
    /// text of the function's error payload, so handlers downstream can parse it back.
    pub fn lambda(error_type: impl Into<String>, error_message: impl Into<String>) -> Self {
        let error_type = error_type.into();
        let cause = serde_json::json!({
            "errorMessage": error_message.into(),
            "errorType": error_type,
        });
        Self {
            cause: cause.to_string(),
            error: error_type,
        }
    }

    /// The error a Lambda function returned as its payload
    /// (`{"errorType": ..., "errorMessage": ..., "stackTrace": [...]}`): the name is the
    /// `errorType` (`Lambda.Unknown` when missing) and the cause the whole payload as JSON
    /// text, as Step Functions reports it.
    pub fn from_lambda_payload(payload: &serde_json::Value) -> Self {
        let error = payload
            .get("errorType")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("Lambda.Unknown");
        Self {
            error: error.to_string(),
            cause: payload.to_string(),
        }
    }

    /// A generic task failure (`States.TaskFailed`).
    pub fn task_failed(cause: impl Into<String>) -> Self {
        Self::new(names::TASK_FAILED, cause)
    }
}

impl From<TaskError> for StatesError {
    fn from(e: TaskError) -> Self {
        StatesError::new(e.error, e.cause)
    }
}

/// An invalid state machine definition. The message names the offending state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    /// The text is not JSON, or the top level is not an object.
    #[error("state machine definition is not valid JSON: {0}")]
    Json(String),
    /// A field of the state machine itself (not of a state) is wrong.
    #[error("state machine{scope}: {message}")]
    Machine {
        /// Where (empty for the top level, else ` (in <parent state> ...)`).
        scope: String,
        /// What is wrong.
        message: String,
    },
    /// A state is invalid.
    #[error("state {state:?}{scope}: {message}")]
    State {
        /// The state's name.
        state: String,
        /// Where (empty for the top level, else ` (in <parent state> ...)`).
        scope: String,
        /// What is wrong.
        message: String,
    },
}

/// An error in a path expression (JSONPath or reference path) or an intrinsic function call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ExprError(pub String);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lambda_errors() {
        let e = TaskError::lambda("ValueError", "bad page");
        assert_eq!(e.error, "ValueError");
        let cause: serde_json::Value = serde_json::from_str(&e.cause).unwrap();
        assert_eq!(
            cause,
            json!({"errorMessage": "bad page", "errorType": "ValueError"})
        );
        let e = TaskError::from_lambda_payload(
            &json!({"errorMessage": "m", "errorType": "T", "stackTrace": []}),
        );
        assert_eq!(e.error, "T");
        assert!(e.cause.contains("stackTrace"));
        assert_eq!(
            TaskError::from_lambda_payload(&json!({})).error,
            "Lambda.Unknown"
        );
        let s: StatesError = e.into();
        assert_eq!(s.to_error_output()["Error"], "T");
    }
}
