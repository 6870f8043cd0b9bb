//! A problem (or a note) about a config file, located at `file:line` and a key path, with how
//! to fix it. `config validate` prints them; loading a config for a run refuses errors.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The config cannot be used as written.
    Error,
    /// It can be used, but probably does not do what its author meant.
    Warning,
    /// Kept but not used by idpctl (unknown keys, sections for engines it does not run):
    /// shown at `-v`, never a failure.
    Note,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub file: String,
    pub line: Option<usize>,
    /// Dotted path of the value, `classes[2].properties.PayDate`.
    pub key: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Finding {
    pub fn new(severity: Severity, key: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            severity,
            file: String::new(),
            line: None,
            key: key.into(),
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Places the finding in a file, finding its line from the key path.
    pub fn locate(mut self, file: &str, text: &str) -> Self {
        self.file = file.to_string();
        if self.line.is_none() {
            self.line = super::lines::locate_str(text, &self.key);
        }
        self
    }

    /// `file:line`, or just the file when the line is unknown.
    pub fn origin(&self) -> String {
        match self.line {
            Some(l) => format!("{}:{l}", self.file),
            None => self.file.clone(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        if self.key.is_empty() {
            write!(f, "{}: {label}: {}", self.origin(), self.message)
        } else {
            write!(
                f,
                "{}: {label}: `{}` {}",
                self.origin(),
                self.key,
                self.message
            )
        }
    }
}
