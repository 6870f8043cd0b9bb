//! Facts read from a CloudFormation template (as a JSON value): which resources are the stack's
//! components, which queues are dead-letter queues, and which resources outlive the stack.

use serde_json::Value;

/// Resource types `status` checks one by one, with the word it uses for them.
pub const COMPONENT_KINDS: &[(&str, &str)] = &[
    ("AWS::S3::Bucket", "bucket"),
    ("AWS::DynamoDB::Table", "table"),
    ("AWS::StepFunctions::StateMachine", "state machine"),
    ("AWS::Lambda::Function", "function"),
    ("AWS::SQS::Queue", "queue"),
];

/// A resource of the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub logical_id: String,
    pub resource_type: String,
    /// Created only when this template condition holds.
    pub condition: Option<String>,
}

fn resources(template: &Value) -> impl Iterator<Item = (&String, &Value)> {
    template
        .get("Resources")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.iter())
}

/// The components `status` reports on, in template order.
pub fn components(template: &Value) -> Vec<Declared> {
    resources(template)
        .filter_map(|(id, body)| {
            let ty = body.get("Type")?.as_str()?;
            COMPONENT_KINDS
                .iter()
                .any(|(t, _)| *t == ty)
                .then(|| Declared {
                    logical_id: id.clone(),
                    resource_type: ty.to_string(),
                    condition: body
                        .get("Condition")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                })
        })
        .collect()
}

pub fn kind_of(resource_type: &str) -> &'static str {
    COMPONENT_KINDS
        .iter()
        .find(|(t, _)| *t == resource_type)
        .map_or("resource", |(_, k)| k)
}

/// Logical ids a `Fn::GetAtt: [X, Arn]` (or `!GetAtt X.Arn`) anywhere under `value` names.
fn arn_targets(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(att) = map.get("Fn::GetAtt") {
                let target = match att {
                    Value::Array(parts) if parts.get(1).and_then(Value::as_str) == Some("Arn") => {
                        parts.first().and_then(Value::as_str).map(str::to_string)
                    }
                    Value::String(s) => s.strip_suffix(".Arn").map(str::to_string),
                    _ => None,
                };
                out.extend(target);
            }
            map.values().for_each(|v| arn_targets(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| arn_targets(v, out)),
        _ => {}
    }
}

/// Keys under which a template points at a dead-letter destination: SQS redrive policies,
/// Lambda `DeadLetterConfig`, EventBridge targets' `DeadLetterConfig`, event source mappings'
/// and `EventInvokeConfig`'s `OnFailure` destinations.
const DLQ_KEYS: &[&str] = &["deadLetterTargetArn", "DeadLetterConfig", "OnFailure"];

fn dlq_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if DLQ_KEYS.contains(&k.as_str()) {
                    arn_targets(v, out);
                } else {
                    dlq_refs(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| dlq_refs(v, out)),
        _ => {}
    }
}

/// The queues used as dead-letter queues: pointed at as one, or named like one.
pub fn dead_letter_queues(template: &Value) -> Vec<String> {
    let mut referenced = Vec::new();
    dlq_refs(template, &mut referenced);
    resources(template)
        .filter(|(_, body)| body.get("Type").and_then(Value::as_str) == Some("AWS::SQS::Queue"))
        .filter(|(id, _)| {
            let lower = id.to_ascii_lowercase();
            referenced.contains(id) || lower.contains("dlq") || lower.contains("deadletter")
        })
        .map(|(id, _)| id.clone())
        .collect()
}

/// Resources CloudFormation leaves in place when the stack is deleted.
pub fn retained(template: &Value) -> Vec<Declared> {
    resources(template)
        .filter(|(_, body)| {
            matches!(
                body.get("DeletionPolicy").and_then(Value::as_str),
                Some("Retain" | "RetainExceptOnCreate" | "Snapshot")
            )
        })
        .map(|(id, body)| Declared {
            logical_id: id.clone(),
            resource_type: body
                .get("Type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            condition: body
                .get("Condition")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
        .collect()
}

/// Roles whose functions call the hook: those of the functions the template lets invoke the
/// hook parameter. Returned as the role logical ids referenced by any policy that names
/// `param` in a `Resource`.
pub fn roles_naming_parameter(template: &Value, param: &str) -> Vec<String> {
    fn mentions(value: &Value, param: &str) -> bool {
        match value {
            Value::Object(map) => {
                map.get("Ref").and_then(Value::as_str) == Some(param)
                    || map.values().any(|v| mentions(v, param))
            }
            Value::Array(items) => items.iter().any(|v| mentions(v, param)),
            Value::String(s) => s.contains(&format!("${{{param}}}")),
            _ => false,
        }
    }
    resources(template)
        .filter(|(_, body)| body.get("Type").and_then(Value::as_str) == Some("AWS::IAM::Role"))
        .filter(|(_, body)| body.get("Properties").is_some_and(|p| mentions(p, param)))
        .map(|(id, _)| id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template() -> Value {
        json!({"Resources": {
            "Input": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"},
            "Work": {"Type": "AWS::SQS::Queue", "Properties": {"RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["Parked", "Arn"]}}}},
            "Parked": {"Type": "AWS::SQS::Queue"},
            "HookDlq": {"Type": "AWS::SQS::Queue"},
            "Fn": {"Type": "AWS::Lambda::Function", "Condition": "HasHook",
                   "Properties": {"DeadLetterConfig": {"TargetArn": "!GetAtt"}}},
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyDocument": {"Statement": [{"Resource": {"Ref": "HookArn"}}]}}]}},
            "Topic": {"Type": "AWS::SNS::Topic"}
        }})
    }

    #[test]
    fn reads_components_dlqs_retained_and_roles() {
        let t = template();
        let ids: Vec<String> = components(&t).into_iter().map(|d| d.logical_id).collect();
        assert_eq!(ids, ["Input", "Work", "Parked", "HookDlq", "Fn"]);
        assert_eq!(dead_letter_queues(&t), ["Parked", "HookDlq"]);
        assert_eq!(retained(&t)[0].logical_id, "Input");
        assert_eq!(roles_naming_parameter(&t, "HookArn"), ["Role"]);
        assert_eq!(components(&t)[4].condition.as_deref(), Some("HasHook"));
    }
}
