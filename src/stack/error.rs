//! Why a stack could not be rendered; each error names the template file or definition at fault.

use crate::diagnose::Diagnose;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("stack definition `{name}` not found (looked for {file})")]
    StackNotFound {
        name: String,
        file: String,
        available: Vec<String>,
    },
    #[error("{file}: {message}")]
    StackDefinition { file: String, message: String },
    /// `statements:` in a function: policies are derived from the handlers' declarations now.
    #[error(
        "{file}: `{path}` ({handler}): a function's IAM statements are not written in the stack definition; its policy comes from the handler's declaration (`ACCESS` in src/handlers/{handler}.rs)"
    )]
    HandWrittenStatements {
        file: String,
        path: String,
        handler: String,
    },
    #[error("stack part `{part}` has no template (looked for {file})")]
    PartMissing { part: String, file: String },
    #[error("{file}: {message}")]
    Template { file: String, message: String },
    #[error("{file}: `{variable}` is not in the template context")]
    MissingVariable {
        file: String,
        variable: String,
        suggestion: Option<String>,
    },
    #[error("{file} did not render to valid {format}: {message}")]
    Output {
        file: String,
        format: &'static str,
        message: String,
    },
    #[error("{file}: {message}")]
    Shape { file: String, message: String },
    #[error("{section} `{id}` is defined by both {first} and {second}")]
    Duplicate {
        section: String,
        id: String,
        first: String,
        second: String,
    },
    /// The configuration the engines' grants are read from does not load.
    #[error("the class configuration cannot be read to grant the model engine its models: {0}")]
    Configuration(String),
    #[error("{file}: `${{{placeholder}}}` does not name a function of this stack")]
    Placeholder {
        file: String,
        placeholder: String,
        known: Vec<String>,
    },
}

impl Diagnose for RenderError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            RenderError::StackNotFound { available, .. } => {
                format!("stack definitions available: {}", available.join(", "))
            }
            RenderError::StackDefinition { .. } => {
                "fix the stack definition; its keys are name, description, parts, state_machine, parameters, functions".into()
            }
            RenderError::HandWrittenStatements { .. } => {
                "delete every function's `statements:`; to change what a function may do, change its handler's `ACCESS` (local runs refuse calls it does not declare)".into()
            }
            RenderError::PartMissing { part, .. } => {
                format!("add templates/{part}.yaml.hbs or remove `{part}` from the stack's parts")
            }
            RenderError::Template { .. } => "fix the handlebars syntax at that position".into(),
            RenderError::MissingVariable { suggestion: Some(s), .. } => format!(
                "did you mean `{s}`? templates render in strict mode, so every variable must exist (`idpctl --print-settings render` shows the settings)"
            ),
            RenderError::MissingVariable { .. } => {
                "templates render in strict mode: use stack.*, settings.*, functions or state_machine.* (`idpctl --print-settings render` shows the settings)".into()
            }
            RenderError::Output { .. } => {
                "render the part alone and check its indentation and quoting; use {{json value}} to emit values".into()
            }
            RenderError::Shape { .. } => {
                "a part is a mapping with Parameters, Conditions, Resources, Outputs, Mappings, Rules or Metadata at the top".into()
            }
            RenderError::Duplicate { .. } => "rename one of them: logical ids are global to the stack".into(),
            RenderError::Configuration(_) => {
                "`idpctl config validate FILE…` lists every finding of the class configs".into()
            }
            RenderError::Placeholder { known, .. } => {
                format!("Task resources name functions as one of: {}", known.join(", "))
            }
        })
    }
}
