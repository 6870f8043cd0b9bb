//! Rendering: the stack definition and resolved settings through the handlebars templates into
//! the three artifacts a deploy needs — the CloudFormation template, the standalone state
//! machine definition and the parameter values. Pure: same inputs, same bytes.

use handlebars::{Handlebars, RenderErrorReason, handlebars_helper};
use serde_json::{Map, Value, json};

use super::context::{self, function_ids};
use super::definition::StackDefinition;
use super::error::RenderError;
use super::{Assets, load_definition};
use crate::settings::Settings;
use crate::yaml;

/// Top-level template sections a part may contribute, in the order CloudFormation documents them.
pub const SECTIONS: &[&str] = &[
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Resources",
    "Outputs",
];

/// Everything `render` produces, both as values (for validation) and as the exact file text.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Rendered {
    pub stack: StackDefinition,
    pub template: Value,
    pub template_yaml: String,
    pub definition: Value,
    pub definition_json: String,
    pub parameters: Value,
    pub parameters_json: String,
}

handlebars_helper!(json_helper: |v: Json| serde_json::to_string(v).unwrap_or_default());

pub(super) fn registry() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    // CloudFormation is not HTML: escaping would corrupt `&`, quotes and `<` in values.
    hb.register_escape_fn(handlebars::no_escape);
    hb.register_helper("json", Box::new(json_helper));
    hb
}

pub(super) fn render_file(
    assets: &Assets,
    hb: &mut Handlebars<'static>,
    file: &str,
    ctx: &Value,
) -> Result<String, RenderError> {
    let shown = assets.describe(file);
    let text = assets.get(file).ok_or_else(|| RenderError::Template {
        file: shown.clone(),
        message: "no such template".into(),
    })?;
    hb.register_template_string(file, text.as_ref())
        .map_err(|e| {
            let pos = e.pos();
            let at = location(&shown, pos.map(|p| p.0), pos.map(|p| p.1));
            RenderError::Template {
                file: at,
                message: e.reason().to_string(),
            }
        })?;
    hb.render(file, ctx).map_err(|e| {
        let at = location(&shown, e.line_no, e.column_no);
        match e.reason() {
            RenderErrorReason::MissingVariable(Some(var)) => RenderError::MissingVariable {
                file: at,
                suggestion: nearest_path(ctx, var),
                variable: var.clone(),
            },
            reason => RenderError::Template {
                file: at,
                message: reason.to_string(),
            },
        }
    })
}

fn location(file: &str, line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        (Some(l), None) => format!("{file}:{l}"),
        _ => file.to_string(),
    }
}

/// The closest existing key beside a missing dotted path (`settings.display_nmae` →
/// `settings.stack_name`), for the hint. Paths into `this`/loop scopes are not resolved.
fn nearest_path(ctx: &Value, var: &str) -> Option<String> {
    let (parent, leaf) = var.rsplit_once('.').unwrap_or(("", var));
    let mut node = ctx;
    for seg in parent.split('.').filter(|s| !s.is_empty()) {
        node = node.get(seg)?;
    }
    let best = node
        .as_object()?
        .keys()
        .map(|k| (strsim::jaro_winkler(leaf, k), k))
        .filter(|(score, _)| *score > 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    Some(if parent.is_empty() {
        best.1.clone()
    } else {
        format!("{parent}.{}", best.1)
    })
}

/// The models the profile's engine may call, read from its configuration (only Bedrock grants
/// name models; other engines need no configuration here).
pub(super) fn engine_models(settings: &Settings) -> Result<context::Models, RenderError> {
    let on_bedrock = crate::engines::Stage::ALL
        .iter()
        .any(|s| crate::engines::EngineSpec::for_stage(settings, *s).engine == "bedrock");
    if !on_bedrock {
        return Ok(Default::default());
    }
    let config = crate::pipeline::config::sources::effective(settings)
        .map_err(RenderError::Configuration)?;
    Ok(crate::engines::grants::bedrock_models(settings, &config))
}

/// Renders the named stack definition (`stacks/<stack>.yaml`) with these settings.
pub fn render(
    assets: &Assets,
    stack_name: &str,
    settings: &Settings,
) -> Result<Rendered, RenderError> {
    render_with(assets, stack_name, settings, &engine_models(settings)?)
}

/// [`render`] with the engine's models already read from the configuration.
pub(super) fn render_with(
    assets: &Assets,
    stack_name: &str,
    settings: &Settings,
    models: &context::Models,
) -> Result<Rendered, RenderError> {
    let stack = load_definition(assets, stack_name)?;
    let mut ctx = context::build(&stack, settings, models);
    let mut hb = registry();

    let asl_file = format!("templates/{}", stack.state_machine);
    let asl_text = render_file(assets, &mut hb, &asl_file, &ctx)?;
    let definition: Value = serde_json::from_str(&asl_text).map_err(|e| RenderError::Output {
        file: asl_file.clone(),
        format: "JSON",
        message: e.to_string(),
    })?;
    let definition_string = serde_json::to_string(&definition).unwrap_or_default();
    let substitutions = substitutions(&stack, &asl_file, &definition_string)?;
    ctx["state_machine"] = json!({
        "definition_string": definition_string,
        "substitutions": substitutions,
    });

    let mut sections: Map<String, Value> = SECTIONS
        .iter()
        .map(|s| (s.to_string(), json!({})))
        .collect();
    let mut owner: std::collections::HashMap<(String, String), String> = Default::default();
    for part in &stack.parts {
        let file = format!("templates/{part}.yaml.hbs");
        if assets.get(&file).is_none() {
            return Err(RenderError::PartMissing {
                part: part.clone(),
                file: assets.describe(&file),
            });
        }
        let text = render_file(assets, &mut hb, &file, &ctx)?;
        let value = yaml::parse(&text).map_err(|e| RenderError::Output {
            file: file.clone(),
            format: "YAML",
            message: e.to_string(),
        })?;
        merge_part(&mut sections, &mut owner, &file, value)?;
    }

    let mut template = Map::new();
    template.insert("AWSTemplateFormatVersion".into(), "2010-09-09".into());
    template.insert("Description".into(), stack.description.clone().into());
    for (name, value) in sections {
        if value.as_object().is_some_and(|m| !m.is_empty()) {
            template.insert(name, value);
        }
    }
    let template = Value::Object(template);
    let template_yaml = format!(
        "# Rendered by idpctl from stacks/{stack_name}.yaml with profile `{}`.\n# Edit templates/, stacks/ or profiles/ and render again; do not edit this file.\n{}",
        settings.profile,
        yaml::to_string(&template)
    );

    let params_file = format!("templates/{}", stack.parameters);
    let params_text = render_file(assets, &mut hb, &params_file, &ctx)?;
    let parameters: Value =
        serde_json::from_str(&params_text).map_err(|e| RenderError::Output {
            file: params_file.clone(),
            format: "JSON",
            message: e.to_string(),
        })?;
    check_parameters(&params_file, &parameters)?;

    Ok(Rendered {
        definition_json: pretty(&definition),
        parameters_json: pretty(&parameters),
        stack,
        template,
        template_yaml,
        definition,
        parameters,
    })
}

fn pretty(value: &Value) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

/// `${Name}` placeholders in order of first use.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = after[..end].to_string();
        if !found.contains(&name) {
            found.push(name);
        }
        rest = &after[end + 1..];
    }
    found
}

/// Maps each placeholder the definition uses to its function's ARN; anything else is an error,
/// because the local runtime could not resolve it either.
fn substitutions(
    stack: &StackDefinition,
    file: &str,
    definition: &str,
) -> Result<Value, RenderError> {
    let known: Vec<(String, String)> = stack
        .functions
        .iter()
        .map(|f| {
            let ids = function_ids(&f.handler);
            (ids.arn_placeholder, ids.logical_id)
        })
        .collect();
    let mut map = Map::new();
    for name in placeholders(definition) {
        let Some((_, logical)) = known.iter().find(|(p, _)| *p == name) else {
            return Err(RenderError::Placeholder {
                file: file.to_string(),
                placeholder: name,
                known: known.iter().map(|(p, _)| format!("${{{p}}}")).collect(),
            });
        };
        map.insert(name, json!({"Fn::GetAtt": [logical, "Arn"]}));
    }
    Ok(Value::Object(map))
}

fn merge_part(
    sections: &mut Map<String, Value>,
    owner: &mut std::collections::HashMap<(String, String), String>,
    file: &str,
    value: Value,
) -> Result<(), RenderError> {
    let part = match value {
        Value::Object(map) => map,
        // A part may render to nothing when everything in it is conditional.
        Value::Null => return Ok(()),
        _ => {
            return Err(RenderError::Shape {
                file: file.to_string(),
                message: "renders to something other than a mapping".into(),
            });
        }
    };
    for (section, entries) in part {
        let Some(target) = sections.get_mut(&section).and_then(Value::as_object_mut) else {
            return Err(RenderError::Shape {
                file: file.to_string(),
                message: format!("`{section}` is not a template section"),
            });
        };
        let entries = match entries {
            Value::Object(m) => m,
            Value::Null => continue,
            _ => {
                return Err(RenderError::Shape {
                    file: file.to_string(),
                    message: format!("`{section}` must be a mapping of logical ids"),
                });
            }
        };
        for (id, body) in entries {
            let key = (section.clone(), id.clone());
            if let Some(first) = owner.get(&key) {
                return Err(RenderError::Duplicate {
                    section: section.trim_end_matches('s').to_string(),
                    id,
                    first: first.clone(),
                    second: file.to_string(),
                });
            }
            owner.insert(key, file.to_string());
            target.insert(id, body);
        }
    }
    Ok(())
}

fn check_parameters(file: &str, value: &Value) -> Result<(), RenderError> {
    let ok = value.as_array().is_some_and(|items| {
        items.iter().all(|p| {
            p.get("ParameterKey").is_some_and(Value::is_string)
                && p.get("ParameterValue").is_some_and(Value::is_string)
                && p.as_object().is_some_and(|m| m.len() == 2)
        })
    });
    if ok {
        Ok(())
    } else {
        Err(RenderError::Shape {
            file: file.to_string(),
            message: "must be a list of {\"ParameterKey\": …, \"ParameterValue\": \"…\"} with string values".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_in_order_without_repeats() {
        assert_eq!(
            placeholders(r#"{"a":"${B}","c":"${A}","d":"${B}"}"#),
            vec!["B".to_string(), "A".to_string()]
        );
    }

    #[test]
    fn duplicate_ids_name_both_parts() {
        let mut sections: Map<String, Value> = SECTIONS
            .iter()
            .map(|s| (s.to_string(), json!({})))
            .collect();
        let mut owner = Default::default();
        merge_part(
            &mut sections,
            &mut owner,
            "a.hbs",
            json!({"Resources": {"X": {}}}),
        )
        .unwrap();
        let err = merge_part(
            &mut sections,
            &mut owner,
            "b.hbs",
            json!({"Resources": {"X": {}}}),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Resource `X` is defined by both a.hbs and b.hbs"
        );
    }

    #[test]
    fn unknown_sections_are_rejected() {
        let mut sections = Map::new();
        let err = merge_part(
            &mut sections,
            &mut Default::default(),
            "a.hbs",
            json!({"Resource": {}}),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.hbs: `Resource` is not a template section"
        );
    }
}
