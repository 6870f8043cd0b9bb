//! The state machine against the template it ships in: every transition lands on a state, every
//! Task invokes a function of this stack, every function runs a handler the binary has, and the
//! template carries exactly the definition that was rendered.

use serde_json::Value;

use super::finding::Finding;
use crate::asl::walk;
use crate::handlers;
use crate::stack::Rendered;
use crate::stack::render::placeholders;

const FILE: &str = "statemachine.asl.json";

pub fn check(r: &Rendered) -> Vec<Finding> {
    let mut out = Vec::new();
    check_handlers(&r.template, &mut out);
    let machines: Vec<(&String, &Value)> =
        resources_of(&r.template, "AWS::StepFunctions::StateMachine");
    if machines.is_empty() {
        out.push(Finding::error(
            "asl",
            "template.yaml",
            "no AWS::StepFunctions::StateMachine resource",
        ));
        return out;
    }
    let compact = serde_json::to_string(&r.definition).unwrap_or_default();
    for (id, res) in machines {
        let props = res.get("Properties");
        let here = format!("template.yaml: Resources.{id}");
        if props
            .and_then(|p| p.get("DefinitionString"))
            .and_then(Value::as_str)
            != Some(compact.as_str())
        {
            out.push(Finding::error(
                "asl",
                &here,
                "DefinitionString is not the rendered statemachine.asl.json",
            ));
        }
        let subs = props
            .and_then(|p| p.get("DefinitionSubstitutions"))
            .and_then(Value::as_object);
        let used = placeholders(&compact);
        for key in subs.into_iter().flat_map(|m| m.keys()) {
            if !used.contains(key) {
                out.push(Finding::new(
                    super::Severity::Warning,
                    "asl",
                    &here,
                    format!(
                        "DefinitionSubstitutions sets `{key}`, which the definition never uses"
                    ),
                ));
            }
        }
        let ctx = Ctx {
            template: &r.template,
            subs,
        };
        states(&r.definition, "", &ctx, &mut out);
    }
    // The interpreter's own refusal would repeat a broken transition or StartAt found above.
    let structural = out.iter().any(|f| f.rule == "asl");
    out.extend(super::asl_rules::check(&r.definition, !structural));
    out
}

struct Ctx<'a> {
    template: &'a Value,
    subs: Option<&'a serde_json::Map<String, Value>>,
}

fn resources_of<'a>(template: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    template
        .get("Resources")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(ty))
        .collect()
}

fn check_handlers(template: &Value, out: &mut Vec<Finding>) {
    for (id, res) in resources_of(template, "AWS::Lambda::Function") {
        let props = res.get("Properties");
        // An image function names its handler as the image command (after the entrypoint
        // `idpctl handler`), a zip function as Handler.
        let image = props
            .and_then(|p| p.get("PackageType"))
            .and_then(Value::as_str)
            == Some("Image");
        let (handler, key) = if image {
            let command = props
                .and_then(|p| p.pointer("/ImageConfig/Command"))
                .and_then(Value::as_array);
            let one = command.filter(|c| c.len() == 1).and_then(|c| c[0].as_str());
            (one, "ImageConfig.Command")
        } else {
            (
                props.and_then(|p| p.get("Handler")).and_then(Value::as_str),
                "Handler",
            )
        };
        match handler {
            Some(h) if h.parse::<handlers::Handler>().is_ok() => {}
            other => out.push(Finding::error(
                "handler",
                format!("template.yaml: Resources.{id}.Properties.{key}"),
                format!(
                    "`{}` is not a handler of this binary (handlers: {})",
                    other.unwrap_or("(none)"),
                    handlers::names().join(", ")
                ),
            )),
        }
    }
}

/// Checks one `States` scope (the top level, a Map's processor or a Parallel branch).
fn states(scope: &Value, path: &str, ctx: &Ctx, out: &mut Vec<Finding>) {
    let loc = |p: &str| format!("{FILE}: {}", if p.is_empty() { "(top)" } else { p });
    let Some(scope_states) = scope.get("States").and_then(Value::as_object) else {
        out.push(Finding::error("asl", loc(path), "has no States"));
        return;
    };
    let start = scope
        .get("StartAt")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !scope_states.contains_key(start) {
        out.push(Finding::error(
            "asl",
            loc(path),
            format!("StartAt `{start}` is not a state here"),
        ));
    }
    for (name, state) in scope_states {
        let here = if path.is_empty() {
            format!("States.{name}")
        } else {
            format!("{path}.States.{name}")
        };
        let mut targets: Vec<&str> = Vec::new();
        targets.extend(state.get("Next").and_then(Value::as_str));
        targets.extend(state.get("Default").and_then(Value::as_str));
        for key in ["Choices", "Catch"] {
            for rule in state
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                targets.extend(rule.get("Next").and_then(Value::as_str));
            }
        }
        for t in targets {
            if !scope_states.contains_key(t) {
                out.push(Finding::error(
                    "asl",
                    loc(&here),
                    format!("goes to `{t}`, which is not a state in its scope"),
                ));
            }
        }
        let ty = state.get("Type").and_then(Value::as_str);
        if ty == Some("Task") {
            task(state, &here, ctx, out);
        }
        if !matches!(ty, Some("Map" | "Parallel")) {
            continue;
        }
        let nested = walk::nested_scopes(state);
        if ty == Some("Map") && nested.is_empty() {
            out.push(Finding::error(
                "asl",
                loc(&here),
                "Map has no ItemProcessor",
            ));
        }
        for n in nested {
            states(n.scope, &format!("{here}.{}", n.field), ctx, out);
        }
    }
}

/// The function a Task calls: a placeholder as the Resource, or in `Parameters.FunctionName` of
/// the optimised `lambda:invoke` integration.
fn task(state: &Value, here: &str, ctx: &Ctx, out: &mut Vec<Finding>) {
    let resource = state
        .get("Resource")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let target = if resource.starts_with("arn:aws:states:::lambda:invoke") {
        state
            .get("Parameters")
            .and_then(|p| p.get("FunctionName"))
            .and_then(Value::as_str)
            .unwrap_or_default()
    } else {
        resource
    };
    let loc = format!("{FILE}: {here}");
    let names = placeholders(target);
    let [name] = names.as_slice() else {
        out.push(Finding::error(
            "asl",
            loc,
            format!(
                "Task calls `{target}`, not a function of this stack (use ${{<Name>FunctionArn}})"
            ),
        ));
        return;
    };
    let Some(sub) = ctx.subs.and_then(|s| s.get(name)) else {
        out.push(Finding::error(
            "asl",
            loc,
            format!("`${{{name}}}` has no DefinitionSubstitutions entry"),
        ));
        return;
    };
    let logical = sub
        .get("Fn::GetAtt")
        .and_then(|g| g.get(0))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let is_function = ctx
        .template
        .get("Resources")
        .and_then(|r| r.get(logical))
        .and_then(|r| r.get("Type"))
        .and_then(Value::as_str)
        == Some("AWS::Lambda::Function");
    if !is_function {
        out.push(Finding::error(
            "asl",
            loc,
            format!("`${{{name}}}` does not resolve to a Lambda function of this stack"),
        ));
    }
}
