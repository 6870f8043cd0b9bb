//! Turning any error into what a person reads: `error:` with the chain of causes, then a `hint:`
//! line with the fix, and the exit code the error's kind deserves.
//!
//! Library modules return `thiserror` types that know their own hint and whether the caller is at
//! fault (usage/config → exit 2): each implements [`Diagnose`] where it lives, importing it from
//! the leaf module [`crate::diagnose`]. Command edges wrap them in `anyhow` context; this module,
//! which only the command edge uses, walks the chain back to find them.

use std::error::Error as StdError;

pub use crate::diagnose::{Diagnose, Hinted};
use crate::exit::ExitStatus;
use crate::ui::{Style, paint};

fn diagnose<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a dyn Diagnose> {
    if let Some(e) = err.downcast_ref::<Hinted>() {
        return Some(e);
    }
    if let Some(e) = err.downcast_ref::<crate::settings::ConfigError>() {
        return Some(e);
    }
    if let Some(e) = err.downcast_ref::<crate::stack::RenderError>() {
        return Some(e);
    }
    if let Some(e) = err.downcast_ref::<crate::aws::AwsError>() {
        return Some(e);
    }
    if let Some(e) = err.downcast_ref::<crate::deploy::flow::FlowError>() {
        return Some(e);
    }
    if let Some(e) = err.downcast_ref::<crate::package::PackageError>() {
        return Some(e);
    }
    if let Some(e) = err.downcast_ref::<crate::package::image::ImageError>() {
        return Some(e);
    }
    if let Some(e) = err.downcast_ref::<crate::runtime::local::LocalError>() {
        return Some(e);
    }
    if let Some(e) = err.downcast_ref::<crate::handlers::UnknownHandler>() {
        return Some(e);
    }
    if let Some(e) = err.downcast_ref::<crate::engines::SelectError>() {
        return Some(e);
    }
    if let Some(e) = err.downcast_ref::<crate::aws::registry::RegistryError>() {
        return Some(e);
    }
    if let Some(e) = err.downcast_ref::<crate::deploy::image::ImageDeployError>() {
        return Some(e);
    }
    None
}

/// The hint and exit status of the first error in the chain that knows them.
pub fn classify(err: &anyhow::Error) -> (Option<String>, ExitStatus) {
    for cause in err.chain() {
        if let Some(d) = diagnose(cause) {
            return (d.hint(), d.status());
        }
    }
    (None, ExitStatus::Findings)
}

/// Renders the error for stderr; kept separate from printing so tests can pin the exact text.
pub fn render(err: &anyhow::Error, color: bool) -> String {
    let mut out = format!("{}: {}", paint(color, Style::Error, "error"), err);
    let mut last = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        // Context layers often repeat their source's message; say each thing once.
        if !last.contains(&text) {
            out.push_str(&format!("\n  caused by: {text}"));
        }
        last = text;
    }
    if let (Some(hint), _) = classify(err) {
        out.push_str(&format!("\n{}: {hint}", paint(color, Style::Hint, "hint")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hint_is_found_under_context() {
        let err = anyhow::Error::new(Hinted::usage("bad thing", "do the other thing"))
            .context("while rendering");
        let text = render(&err, false);
        assert_eq!(
            text,
            "error: while rendering\n  caused by: bad thing\nhint: do the other thing"
        );
        assert_eq!(classify(&err).1, ExitStatus::Usage);
    }

    #[test]
    fn unknown_errors_exit_one_without_hint() {
        let err = anyhow::anyhow!("boom");
        assert_eq!(render(&err, false), "error: boom");
        assert_eq!(classify(&err), (None, ExitStatus::Findings));
    }
}
