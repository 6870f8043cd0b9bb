//! EventBridge, locally: the rendered template's `AWS::Events::Rule` patterns decide which
//! handler an event goes to, so a change to a rule in the template changes local routing the
//! same way it changes AWS.

use std::collections::HashMap;

use serde_json::Value;

use crate::handlers::Handler;

/// One enabled rule: its pattern (intrinsics resolved) and the handlers it targets.
#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    pub pattern: Value,
    pub targets: Vec<Handler>,
}

/// Rules of a template; `refs` gives the local value of each `Ref` a pattern may use, and
/// `functions` the handler behind each function's logical id.
pub fn rules(
    template: &Value,
    refs: &HashMap<String, String>,
    functions: &HashMap<String, Handler>,
) -> Vec<Rule> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Vec::new();
    };
    resources
        .iter()
        .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some("AWS::Events::Rule"))
        .filter(|(_, r)| r.pointer("/Properties/State").and_then(Value::as_str) != Some("DISABLED"))
        .filter_map(|(name, r)| {
            let props = r.get("Properties")?;
            let targets = props
                .get("Targets")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|t| t.pointer("/Arn/Fn::GetAtt/0").and_then(Value::as_str))
                .filter_map(|id| functions.get(id).copied())
                .collect();
            Some(Rule {
                name: name.clone(),
                pattern: resolve(props.get("EventPattern")?, refs),
                targets,
            })
        })
        .collect()
}

fn resolve(v: &Value, refs: &HashMap<String, String>) -> Value {
    match v {
        Value::Object(m) if m.len() == 1 && m.contains_key("Ref") => {
            let name = m["Ref"].as_str().unwrap_or_default();
            refs.get(name)
                .map(|s| Value::String(s.clone()))
                .unwrap_or(Value::Null)
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), resolve(v, refs)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| resolve(v, refs)).collect()),
        other => other.clone(),
    }
}

/// EventBridge matching for the forms the stack uses: a list of allowed values (or `prefix`
/// objects) at a leaf, nested objects for nested fields. Anything else does not match.
pub fn matches(pattern: &Value, event: &Value) -> bool {
    let Some(fields) = pattern.as_object() else {
        return false;
    };
    fields.iter().all(|(key, want)| {
        let got = event.get(key);
        match want {
            Value::Object(_) => got.is_some_and(|g| matches(want, g)),
            Value::Array(options) => options.iter().any(|o| match (o, got) {
                (Value::Object(op), Some(Value::String(s))) => op
                    .get("prefix")
                    .and_then(Value::as_str)
                    .is_some_and(|p| s.starts_with(p)),
                (o, Some(g)) => o == g,
                _ => false,
            }),
            _ => false,
        }
    })
}

/// Handlers an event is delivered to, in rule order.
pub fn route(rules: &[Rule], event: &Value) -> Vec<Handler> {
    rules
        .iter()
        .filter(|r| matches(&r.pattern, event))
        .flat_map(|r| r.targets.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matching_like_eventbridge() {
        let p = json!({"source": ["aws.s3"], "detail": {"bucket": {"name": ["in"]}, "object": {"key": [{"prefix": "inbox/"}]}}});
        assert!(matches(
            &p,
            &json!({"source": "aws.s3", "detail": {"bucket": {"name": "in"}, "object": {"key": "inbox/a.pdf"}}})
        ));
        assert!(!matches(
            &p,
            &json!({"source": "aws.s3", "detail": {"bucket": {"name": "out"}, "object": {"key": "inbox/a.pdf"}}})
        ));
        assert!(!matches(
            &p,
            &json!({"source": "aws.s3", "detail": {"bucket": {"name": "in"}, "object": {"key": "x/a.pdf"}}})
        ));
        assert!(!matches(&p, &json!({"source": "aws.s3"})));
    }

    #[test]
    fn refs_resolve_and_targets_map_to_handlers() {
        let t = json!({"Resources": {"R": {"Type": "AWS::Events::Rule", "Properties": {
            "EventPattern": {"detail": {"bucket": {"name": [{"Ref": "InputBucket"}]}}},
            "Targets": [{"Arn": {"Fn::GetAtt": ["IntakeFunction", "Arn"]}}]}}}});
        let refs = HashMap::from([("InputBucket".to_string(), "local-in".to_string())]);
        let functions = HashMap::from([("IntakeFunction".to_string(), Handler::Intake)]);
        let r = rules(&t, &refs, &functions);
        assert_eq!(
            route(&r, &json!({"detail": {"bucket": {"name": "local-in"}}})),
            vec![Handler::Intake]
        );
        assert!(route(&r, &json!({"detail": {"bucket": {"name": "other"}}})).is_empty());
    }
}
