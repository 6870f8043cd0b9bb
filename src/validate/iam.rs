//! Least privilege: no policy in the stack may allow a wildcard action (`*`, `s3:*`,
//! `s3:Get*`) or use `NotAction` with Allow, which grants everything not listed.

use serde_json::Value;

use super::finding::Finding;

/// Resource types whose properties hold policy documents, and where.
const POLICY_HOLDERS: &[(&str, &[&str])] = &[
    ("AWS::IAM::Role", &["Policies", "AssumeRolePolicyDocument"]),
    ("AWS::IAM::Policy", &["PolicyDocument"]),
    ("AWS::IAM::ManagedPolicy", &["PolicyDocument"]),
    ("AWS::S3::BucketPolicy", &["PolicyDocument"]),
    ("AWS::SQS::QueuePolicy", &["PolicyDocument"]),
    ("AWS::SNS::TopicPolicy", &["PolicyDocument"]),
    ("AWS::KMS::Key", &["KeyPolicy"]),
];

pub fn check(template: &Value) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return out;
    };
    for (id, res) in resources {
        let ty = res.get("Type").and_then(Value::as_str).unwrap_or_default();
        let Some((_, props)) = POLICY_HOLDERS.iter().find(|(t, _)| *t == ty) else {
            continue;
        };
        for prop in *props {
            if let Some(v) = res.get("Properties").and_then(|p| p.get(prop)) {
                statements(v, &format!("Resources.{id}.Properties.{prop}"), &mut out);
            }
        }
    }
    out
}

/// Finds `Statement` entries at any depth (inline policies nest them under `PolicyDocument`,
/// and `Fn::If` may wrap them).
fn statements(value: &Value, path: &str, out: &mut Vec<Finding>) {
    match value {
        Value::Object(map) => {
            if let Some(stmts) = map.get("Statement") {
                let list: Vec<&Value> = match stmts {
                    Value::Array(a) => a.iter().collect(),
                    other => vec![other],
                };
                for (i, s) in list.into_iter().enumerate() {
                    statement(s, &format!("{path}.Statement[{i}]"), out);
                }
            }
            for (k, v) in map {
                if k != "Statement" {
                    statements(v, &format!("{path}.{k}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                statements(v, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn statement(stmt: &Value, path: &str, out: &mut Vec<Finding>) {
    if stmt.get("Effect").and_then(Value::as_str) != Some("Allow") {
        return;
    }
    let location = format!("template.yaml: {path}");
    if stmt.get("NotAction").is_some() {
        out.push(Finding::error(
            "iam-wildcard",
            location.clone(),
            "Allow with NotAction grants every action not listed; list the actions instead",
        ));
    }
    let actions: Vec<&str> = match stmt.get("Action") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    for action in actions {
        if action.contains('*') {
            out.push(Finding::error(
                "iam-wildcard",
                location.clone(),
                format!("Allow statement grants the wildcard action `{action}`; name each action it needs"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flags_wildcards_in_allow_only() {
        let t = json!({"Resources": {
            "R": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:*"], "Resource": "x"},
                {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
            ]}}]}},
            "B": {"Type": "AWS::S3::BucketPolicy", "Properties": {"PolicyDocument": {"Statement": [
                {"Effect": "Deny", "Action": "s3:*", "Principal": "*", "Resource": "x"}
            ]}}},
            "K": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement":
                {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}
            }}}
        }});
        let found: Vec<(String, String)> = check(&t)
            .into_iter()
            .map(|f| (f.location, f.message))
            .collect();
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found[0].1.contains("`s3:*`"));
        assert!(found[1].1.contains("NotAction"));
        assert!(
            found[2]
                .0
                .contains("Resources.K.Properties.KeyPolicy.Statement[0]")
        );
    }
}
