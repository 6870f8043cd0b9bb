//! Every `Ref`, `Fn::GetAtt`, `Fn::Sub` variable, `DependsOn` and condition name in the template
//! must point at something the template (or CloudFormation) defines.

use std::collections::HashSet;

use serde_json::Value;

use super::finding::Finding;
use crate::stack::render::placeholders;

const PSEUDO: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

struct Names {
    parameters: HashSet<String>,
    resources: HashSet<String>,
    conditions: HashSet<String>,
}

fn keys(template: &Value, section: &str) -> HashSet<String> {
    template
        .get(section)
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

pub fn check(template: &Value) -> Vec<Finding> {
    let names = Names {
        parameters: keys(template, "Parameters"),
        resources: keys(template, "Resources"),
        conditions: keys(template, "Conditions"),
    };
    let mut out = Vec::new();
    for section in ["Conditions", "Resources", "Outputs", "Rules"] {
        let Some(entries) = template.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (id, body) in entries {
            let path = format!("{section}.{id}");
            if section == "Resources" || section == "Outputs" {
                if let Some(cond) = body.get("Condition").and_then(Value::as_str)
                    && !names.conditions.contains(cond)
                {
                    out.push(missing(&path, "Condition", cond, "condition"));
                }
                let deps = match body.get("DependsOn") {
                    Some(Value::String(s)) => vec![s.as_str()],
                    Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
                    _ => vec![],
                };
                for dep in deps {
                    if !names.resources.contains(dep) {
                        out.push(missing(&path, "DependsOn", dep, "resource"));
                    }
                }
            }
            walk(body, &path, &names, &mut out);
        }
    }
    out
}

fn missing(path: &str, what: &str, target: &str, kind: &str) -> Finding {
    Finding::error(
        "refs",
        format!("template.yaml: {path}"),
        format!("{what} `{target}` names no {kind} of this template"),
    )
}

fn walk(value: &Value, path: &str, names: &Names, out: &mut Vec<Finding>) {
    match value {
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(v, &format!("{path}[{i}]"), names, out);
            }
        }
        Value::Object(map) => {
            if map.len() == 1 {
                let (key, arg) = map.iter().next().expect("one entry");
                check_intrinsic(key, arg, path, names, out);
            }
            for (k, v) in map {
                walk(v, &format!("{path}.{k}"), names, out);
            }
        }
        _ => {}
    }
}

fn check_intrinsic(key: &str, arg: &Value, path: &str, names: &Names, out: &mut Vec<Finding>) {
    let is_ref_target = |t: &str| {
        names.parameters.contains(t) || names.resources.contains(t) || PSEUDO.contains(&t)
    };
    match key {
        "Ref" => {
            if let Some(t) = arg.as_str()
                && !is_ref_target(t)
            {
                out.push(missing(path, "Ref", t, "parameter or resource"));
            }
        }
        "Fn::GetAtt" => {
            let target = match arg {
                Value::Array(a) => a.first().and_then(Value::as_str),
                Value::String(s) => s.split('.').next(),
                _ => None,
            };
            if let Some(t) = target
                && !names.resources.contains(t)
            {
                out.push(missing(path, "Fn::GetAtt", t, "resource"));
            }
        }
        "Fn::Sub" => {
            let (text, vars) = match arg {
                Value::String(s) => (Some(s.as_str()), None),
                Value::Array(a) => (
                    a.first().and_then(Value::as_str),
                    a.get(1).and_then(Value::as_object),
                ),
                _ => (None, None),
            };
            for var in text.map(placeholders).unwrap_or_default() {
                // `${!Literal}` is an escaped literal, not a variable.
                if var.starts_with('!') || vars.is_some_and(|v| v.contains_key(&var)) {
                    continue;
                }
                let ok = match var.split_once('.') {
                    Some((res, _)) if !var.starts_with("AWS::") => names.resources.contains(res),
                    _ => is_ref_target(&var),
                };
                if !ok {
                    out.push(missing(
                        path,
                        "Fn::Sub variable",
                        &var,
                        "parameter, resource or attribute",
                    ));
                }
            }
        }
        "Fn::If" => {
            if let Some(c) = arg.get(0).and_then(Value::as_str)
                && !names.conditions.contains(c)
            {
                out.push(missing(path, "Fn::If", c, "condition"));
            }
        }
        "Condition" => {
            if let Some(c) = arg.as_str()
                && !names.conditions.contains(c)
            {
                out.push(missing(path, "Condition", c, "condition"));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_every_dangling_reference() {
        let t = json!({
            "Parameters": {"P": {"Type": "String"}},
            "Conditions": {"C": {"Fn::Equals": [{"Ref": "P"}, ""]}},
            "Resources": {
                "A": {"Type": "X", "DependsOn": ["B", "Nope"], "Condition": "C2", "Properties": {
                    "a": {"Ref": "Missing"},
                    "b": {"Fn::GetAtt": ["Ghost", "Arn"]},
                    "c": {"Fn::Sub": "${AWS::Region}-${P}-${B.Arn}-${Gone}-${!Lit}"},
                    "d": {"Fn::Sub": ["${x}-${y}", {"x": "1"}]},
                    "e": {"Fn::If": ["C", {"Ref": "AWS::NoValue"}, {"Ref": "A"}]},
                    "f": {"Fn::If": ["NoCond", 1, 2]},
                    "g": {"Condition": {"StringEquals": {"k": "v"}}}
                }},
                "B": {"Type": "X"}
            }
        });
        let msgs: Vec<String> = check(&t).into_iter().map(|f| f.message).collect();
        assert_eq!(
            msgs,
            vec![
                "Condition `C2` names no condition of this template",
                "DependsOn `Nope` names no resource of this template",
                "Ref `Missing` names no parameter or resource of this template",
                "Fn::GetAtt `Ghost` names no resource of this template",
                "Fn::Sub variable `Gone` names no parameter, resource or attribute of this template",
                "Fn::Sub variable `y` names no parameter, resource or attribute of this template",
                "Fn::If `NoCond` names no condition of this template",
            ]
        );
    }
}
