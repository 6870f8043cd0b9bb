//! The Lambda handlers the binary carries. Each is a plain async function over an event and
//! [`Services`]; [`Handler`] names them, so the Lambda loop, the local runtime and tests all
//! call the same code by the name a function's `Handler` property gives.

pub mod access;
pub mod assess;
pub mod classify;
mod error;
pub mod extract;
pub mod finalize;
pub mod hook_dispatch;
pub mod intake;
pub mod ocr;
pub mod on_failure;
pub mod page_check;
pub mod pages;
pub mod split;
pub mod summarize;
pub mod unpack;
mod workspace;

use std::str::FromStr;

use serde_json::Value;

pub use error::HandlerError;

use crate::services::Services;

/// A handler, by name: the names the stack's functions use as `Handler`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Handler {
    Intake,
    Unpack,
    Split,
    Ocr,
    PageCheck,
    Classify,
    Extract,
    Assess,
    Summarize,
    Finalize,
    OnFailure,
    HookDispatch,
}

#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a handler of idpctl")]
pub struct UnknownHandler(pub String);

impl crate::diagnose::Diagnose for UnknownHandler {
    fn hint(&self) -> Option<String> {
        Some(format!("handlers: {}", names().join(", ")))
    }
}

/// Every handler name, in pipeline order.
pub fn names() -> Vec<&'static str> {
    Handler::ALL.iter().map(|h| h.name()).collect()
}

impl Handler {
    pub const ALL: &'static [Handler] = &[
        Handler::Intake,
        Handler::Unpack,
        Handler::Split,
        Handler::Ocr,
        Handler::PageCheck,
        Handler::Classify,
        Handler::Extract,
        Handler::Assess,
        Handler::Summarize,
        Handler::Finalize,
        Handler::OnFailure,
        Handler::HookDispatch,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Handler::Intake => "intake",
            Handler::Unpack => "unpack",
            Handler::Split => "split",
            Handler::Ocr => "ocr",
            Handler::PageCheck => "page_check",
            Handler::Classify => "classify",
            Handler::Extract => "extract",
            Handler::Assess => "assess",
            Handler::Summarize => "summarize",
            Handler::Finalize => "finalize",
            Handler::OnFailure => "on_failure",
            Handler::HookDispatch => "hook_dispatch",
        }
    }

    /// The stage whose engine the handler calls (a model, or Textract for OCR): what decides
    /// the engine's grants and environment in its function.
    pub fn stage(self) -> Option<crate::engines::Stage> {
        use crate::engines::Stage;
        match self {
            Handler::Ocr => Some(Stage::Ocr),
            Handler::Classify => Some(Stage::Classification),
            Handler::Extract => Some(Stage::Extraction),
            Handler::Assess => Some(Stage::Assessment),
            Handler::Summarize => Some(Stage::Summarization),
            _ => None,
        }
    }

    /// What the handler's code calls in AWS: its module's `ACCESS`, from which the stack renders
    /// the function's policy and against which local runs check every call.
    pub fn access(self) -> &'static [access::Access] {
        match self {
            Handler::Intake => intake::ACCESS,
            Handler::Unpack => unpack::ACCESS,
            Handler::Split => split::ACCESS,
            Handler::Ocr => ocr::ACCESS,
            Handler::PageCheck => page_check::ACCESS,
            Handler::Classify => classify::ACCESS,
            Handler::Extract => extract::ACCESS,
            Handler::Assess => assess::ACCESS,
            Handler::Summarize => summarize::ACCESS,
            Handler::Finalize => finalize::ACCESS,
            Handler::OnFailure => on_failure::ACCESS,
            Handler::HookDispatch => hook_dispatch::ACCESS,
        }
    }

    pub async fn invoke(self, event: Value, services: &Services) -> Result<Value, HandlerError> {
        match self {
            Handler::Intake => intake::handle(event, services).await,
            Handler::Unpack => unpack::handle(event, services).await,
            Handler::Split => split::handle(event, services).await,
            Handler::Ocr => ocr::handle(event, services).await,
            Handler::PageCheck => page_check::handle(event, services).await,
            Handler::Classify => classify::handle(event, services).await,
            Handler::Extract => extract::handle(event, services).await,
            Handler::Assess => assess::handle(event, services).await,
            Handler::Summarize => summarize::handle(event, services).await,
            Handler::Finalize => finalize::handle(event, services).await,
            Handler::OnFailure => on_failure::handle(event, services).await,
            Handler::HookDispatch => hook_dispatch::handle(event, services).await,
        }
    }
}

impl FromStr for Handler {
    type Err = UnknownHandler;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Handler::ALL
            .iter()
            .copied()
            .find(|h| h.name() == s)
            .ok_or_else(|| UnknownHandler(s.to_string()))
    }
}
