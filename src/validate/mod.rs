//! `validate`'s checks: idpctl's own (references, state machine, handlers, IAM, limits) over the
//! rendered values, then the external validators over the written files. Every finding is
//! reported, not just the first.

pub mod asl_rules;
mod engines;
pub mod external;
mod finding;
mod iam;
mod image;
mod limits;
mod refs;
mod statemachine;

pub use external::ToolRun;
pub use finding::{Finding, Severity};

use crate::stack::Rendered;

/// Whether each function's engines can run in its package: for stacks that go to AWS (the
/// local profile runs its functions on this machine, where Tesseract runs).
pub fn engines(r: &Rendered) -> Vec<Finding> {
    engines::check(&r.template)
}

/// The profile's model engine, where the stack runs (see `engines::llm_for_target`).
pub fn llm_for_target(settings: &crate::settings::Settings) -> Vec<Finding> {
    engines::llm_for_target(settings)
}

/// `package: image`: the registry the image goes to and the images stack's repository.
pub fn image(
    settings: &crate::settings::Settings,
    images: Option<&crate::stack::images::RenderedImages>,
) -> Vec<Finding> {
    image::check(settings, images)
}

/// idpctl's own checks, in a stable order.
pub fn builtin(r: &Rendered) -> Vec<Finding> {
    let mut out = refs::check(&r.template);
    out.extend(statemachine::check(r));
    out.extend(iam::check(&r.template));
    out.extend(limits::check(r));
    out
}
