//! Handler errors, and the `errorType` each reports to Lambda — the name Step Functions' Retry
//! and Catch match on, so it must be stable.

use lambda_runtime::Diagnostic;

use crate::services::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The event is not the shape this handler takes: a wiring mistake, never retried.
    #[error("invalid event for `{handler}`: {reason}")]
    InvalidEvent {
        handler: &'static str,
        reason: String,
    },
    /// This document cannot be processed (corrupt, encrypted, unsupported); the rest go on.
    #[error("{0}")]
    Document(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The post-processing hook did not take a completion event (after its own retries).
    #[error("{0}")]
    Hook(String),
    /// A model call failed: throttled or unavailable ones are retried by the state machine,
    /// the rest fail the document with the reason.
    #[error("{}", with_hint(.0))]
    Model(#[from] crate::engines::EngineError),
}

impl HandlerError {
    pub fn invalid(handler: &'static str, reason: impl Into<String>) -> Self {
        HandlerError::InvalidEvent {
            handler,
            reason: reason.into(),
        }
    }

    /// The `errorType` reported to Lambda; the state machine retries `idpctl.Transient`.
    pub fn error_type(&self) -> &'static str {
        match self {
            HandlerError::InvalidEvent { .. } => "idpctl.InvalidEvent",
            HandlerError::Document(_) => "idpctl.DocumentFailed",
            HandlerError::Store(StoreError::Transient(_)) => "idpctl.Transient",
            HandlerError::Store(_) => "idpctl.StoreFailed",
            HandlerError::Hook(_) => "idpctl.HookFailed",
            HandlerError::Model(e) => e.error_type(),
        }
    }
}

/// A model error as a failure reason: what happened and what to do, since the reason is all the
/// user sees of it in a result.
fn with_hint(e: &crate::engines::EngineError) -> String {
    match e.hint() {
        Some(h) => format!("{e} (hint: {h})"),
        None => e.to_string(),
    }
}

impl From<HandlerError> for Diagnostic {
    fn from(e: HandlerError) -> Self {
        Diagnostic {
            error_type: e.error_type().to_string(),
            error_message: e.to_string(),
        }
    }
}
