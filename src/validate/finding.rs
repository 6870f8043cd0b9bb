//! One finding of a validation check, whoever raised it (idpctl itself or an external linter).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    /// Errors and warnings fail `validate`; informational notes do not.
    pub fn fails(self) -> bool {
        self != Severity::Info
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// `idpctl`, `cfn-lint`, `statelint` or `checkov`.
    pub tool: String,
    /// A stable rule id (`refs`, `iam-wildcard`, `E3012`, `CKV_AWS_18`).
    pub rule: String,
    /// The file and, where known, the path or line inside it.
    pub location: String,
    pub message: String,
}

impl Finding {
    pub fn new(
        severity: Severity,
        rule: &str,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            severity,
            tool: "idpctl".into(),
            rule: rule.into(),
            location: location.into(),
            message: message.into(),
        }
    }

    pub fn error(rule: &str, location: impl Into<String>, message: impl Into<String>) -> Self {
        Finding::new(Severity::Error, rule, location, message)
    }
}
