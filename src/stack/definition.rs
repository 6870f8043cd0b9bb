//! The stack definition (`stacks/<name>.yaml`): which template parts make the stack, and the
//! Lambda functions with their sizes and environment. Their permissions are not here: each
//! function's policy is rendered from its handler's `ACCESS` declaration (`handlers::access`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StackDefinition {
    pub name: String,
    pub description: String,
    /// Template parts, `templates/<part>.yaml.hbs`, merged in this order.
    pub parts: Vec<String>,
    /// The state machine template in `templates/`.
    pub state_machine: String,
    /// The parameter-values template in `templates/`.
    pub parameters: String,
    pub functions: Vec<FunctionDefinition>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FunctionDefinition {
    /// The handler name: the function's `Handler`, and how the binary picks its code.
    pub handler: String,
    pub description: String,
    pub memory_mb: u32,
    pub timeout_s: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_concurrency: Option<u32>,
    /// Extra environment variables (CloudFormation values).
    #[serde(default)]
    pub environment: Map<String, Value>,
}

/// Logical-id stem of a handler name: `page_check` → `PageCheck`.
pub fn pascal(name: &str) -> String {
    name.split(['_', '-'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case() {
        assert_eq!(pascal("page_check"), "PageCheck");
        assert_eq!(pascal("intake"), "Intake");
        assert_eq!(pascal("hook_dispatch"), "HookDispatch");
    }
}
