//! The stack: its definition (`stacks/`), the handlebars templates (`templates/`) and the
//! rendering of both into CloudFormation.

pub mod assets;
pub mod context;
pub mod definition;
mod error;
pub mod render;

pub use assets::Assets;
pub use definition::{FunctionDefinition, StackDefinition};
pub use error::RenderError;
pub use render::{Rendered, render};

/// The stack definition idpctl deploys unless told otherwise.
pub const DEFAULT_STACK: &str = "idp";

/// Reads and checks `stacks/<name>.yaml`.
pub fn load_definition(assets: &Assets, name: &str) -> Result<StackDefinition, RenderError> {
    let rel = format!("stacks/{name}.yaml");
    let file = assets.describe(&rel);
    let Some(text) = assets.get(&rel) else {
        return Err(RenderError::StackNotFound {
            name: name.to_string(),
            file,
            available: assets
                .names_under("stacks/")
                .iter()
                .filter_map(|n| n.strip_suffix(".yaml"))
                .map(str::to_string)
                .collect(),
        });
    };
    let bad = |message: String| RenderError::StackDefinition {
        file: file.clone(),
        message,
    };
    let value = crate::yaml::parse(&text).map_err(|e| bad(e.to_string()))?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        bad(format!("{path}: {}", e.into_inner()))
    })
}
