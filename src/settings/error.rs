//! Configuration errors: each names where the bad value came from (file and line, environment
//! variable or flag), the key, and how to fix it.

use std::path::PathBuf;

use crate::diagnose::Diagnose;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("profile `{name}` not found (looked for {})", searched.display())]
    ProfileNotFound {
        name: String,
        searched: PathBuf,
        available: Vec<String>,
    },
    #[error("cannot read profile {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{origin}: {message}")]
    Syntax { origin: String, message: String },
    #[error("{origin}: unknown key `{key}`")]
    UnknownKey {
        origin: String,
        key: String,
        suggestion: Option<String>,
        expected: Vec<String>,
    },
    #[error("{origin}: `{key}` {message}")]
    Invalid {
        origin: String,
        key: String,
        message: String,
        fix: String,
    },
}

impl Diagnose for ConfigError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            ConfigError::ProfileNotFound { available, .. } => format!(
                "available profiles: {}; or pass a file: --profile path/to/profile.yaml",
                available.join(", ")
            ),
            ConfigError::Read { path, .. } => {
                format!("check that {} exists and is readable", path.display())
            }
            ConfigError::Syntax { message, .. } if message.starts_with("a profile must be") => {
                "write one `key: value` per line, e.g. `stack_name: idp-dev`; see profiles/dev.yaml"
                    .into()
            }
            ConfigError::Syntax { .. } => {
                "fix the YAML syntax at that line (indentation, quoting, a missing `:`)".into()
            }
            ConfigError::UnknownKey {
                suggestion,
                expected,
                ..
            } => match suggestion {
                Some(s) => format!(
                    "did you mean `{s}`? valid keys here: {}",
                    expected.join(", ")
                ),
                None => format!("valid keys here: {}", expected.join(", ")),
            },
            ConfigError::Invalid { fix, .. } => fix.clone(),
        })
    }
}
