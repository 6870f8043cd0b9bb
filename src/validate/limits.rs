//! CloudFormation and Step Functions service quotas that a template hits only at deploy time,
//! checked before anything is sent.

use serde_json::Value;

use super::finding::{Finding, Severity};
use crate::stack::Rendered;

/// Largest template CloudFormation accepts from S3.
pub const MAX_TEMPLATE_BYTES: usize = 1_048_576;
/// Largest template that can be sent inline (`TemplateBody`); larger ones go through S3.
pub const MAX_INLINE_TEMPLATE_BYTES: usize = 51_200;
pub const MAX_DEFINITION_BYTES: usize = 1_048_576;

pub fn check(r: &Rendered) -> Vec<Finding> {
    let mut out = Vec::new();
    let size = r.template_yaml.len();
    if size > MAX_TEMPLATE_BYTES {
        out.push(Finding::error(
            "limits",
            "template.yaml",
            format!(
                "template is {size} bytes; CloudFormation accepts at most {MAX_TEMPLATE_BYTES}"
            ),
        ));
    } else if size > MAX_INLINE_TEMPLATE_BYTES {
        out.push(Finding::new(
            Severity::Info,
            "limits",
            "template.yaml",
            format!("template is {size} bytes, over the {MAX_INLINE_TEMPLATE_BYTES}-byte inline limit: deploy uploads it to the artifacts bucket"),
        ));
    }
    for (section, max) in [
        ("Resources", 500),
        ("Parameters", 200),
        ("Outputs", 200),
        ("Mappings", 200),
    ] {
        let n = r
            .template
            .get(section)
            .and_then(Value::as_object)
            .map_or(0, |m| m.len());
        if n > max {
            out.push(Finding::error(
                "limits",
                "template.yaml",
                format!("{n} {section}; CloudFormation allows at most {max}"),
            ));
        }
        for id in r
            .template
            .get(section)
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.keys())
        {
            if id.len() > 255 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
                out.push(Finding::error(
                    "limits",
                    format!("template.yaml: {section}.{id}"),
                    "logical ids must be 1 to 255 letters and digits",
                ));
            }
        }
    }
    let def = r.definition_json.len();
    if def > MAX_DEFINITION_BYTES {
        out.push(Finding::error(
            "limits",
            "statemachine.asl.json",
            format!(
                "definition is {def} bytes; Step Functions accepts at most {MAX_DEFINITION_BYTES}"
            ),
        ));
    }
    out.extend(parameters(r));
    out
}

/// parameters.json must only set declared parameters, and must set those without a default.
fn parameters(r: &Rendered) -> Vec<Finding> {
    let mut out = Vec::new();
    let declared = r.template.get("Parameters").and_then(Value::as_object);
    let given: Vec<&str> = r
        .parameters
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("ParameterKey").and_then(Value::as_str))
        .collect();
    for key in &given {
        if !declared.is_some_and(|d| d.contains_key(*key)) {
            out.push(Finding::error(
                "parameters",
                "parameters.json",
                format!("sets `{key}`, which the template does not declare"),
            ));
        }
    }
    for (key, spec) in declared.into_iter().flatten() {
        if spec.get("Default").is_none() && !given.contains(&key.as_str()) {
            out.push(Finding::error(
                "parameters",
                format!("template.yaml: Parameters.{key}"),
                "has no Default and parameters.json gives it no value",
            ));
        }
    }
    out
}
