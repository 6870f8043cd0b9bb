//! The stack: its definition (`stacks/`), the handlebars templates (`templates/`) and the
//! rendering of both into CloudFormation.

pub mod assets;
pub mod cache;
pub mod context;
pub mod definition;
mod error;
pub mod images;
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
    refuse_statements(&value, &file)?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        bad(format!("{path}: {}", e.into_inner()))
    })
}

/// Policies used to be written per function as `statements:`; they are rendered from the
/// handlers' declarations now, so a definition that still has them is refused by name rather
/// than as an unknown key, with where the permissions went.
fn refuse_statements(value: &serde_json::Value, file: &str) -> Result<(), RenderError> {
    let functions = value
        .get("functions")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten();
    for (i, f) in functions.enumerate() {
        if f.get("statements").is_some() {
            return Err(RenderError::HandWrittenStatements {
                file: file.to_string(),
                path: format!("functions[{i}].statements"),
                handler: f
                    .get("handler")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("?")
                    .to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_written_statements_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("stacks")).unwrap();
        std::fs::write(
            dir.path().join("stacks/old.yaml"),
            "name: old\ndescription: d\nparts: []\nstate_machine: s\nparameters: p\nfunctions:\n  - handler: intake\n    description: d\n    memory_mb: 128\n    timeout_s: 3\n  - handler: ocr\n    description: d\n    memory_mb: 128\n    timeout_s: 3\n    statements:\n      - Effect: Allow\n        Action: [s3:GetObject]\n        Resource: !Sub \"${WorkingBucket.Arn}/*\"\n",
        )
        .unwrap();
        let err = load_definition(&Assets::from_dir(dir.path()), "old").unwrap_err();
        let message = err.to_string();
        assert!(
            message.ends_with(
                "stacks/old.yaml: `functions[1].statements` (ocr): a function's IAM statements are not written in the stack definition; its policy comes from the handler's declaration (`ACCESS` in src/handlers/ocr.rs)"
            ),
            "{message}"
        );
        assert!(
            crate::diagnose::Diagnose::hint(&err)
                .is_some_and(|h| h.contains("delete every function's `statements:`"))
        );
    }
}
