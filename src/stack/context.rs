//! The handlebars context every template sees: the stack definition, the resolved settings, and
//! each function with the logical ids derived from its handler name, so templates never build
//! names by string-pasting and every part agrees on them, and with the `statements` of its role
//! derived from its handler's `ACCESS` declaration, so the policy is what the code calls.
//!
//! This is the one place the stack layer looks up at the handlers: the declarations live beside
//! the code that makes the calls, and the stack only turns them into statements.

use serde_json::{Value, json};

use std::collections::{BTreeMap, BTreeSet};

use super::definition::{StackDefinition, pascal};
use crate::engines::{EngineSpec, Stage, grants};
use crate::handlers::{Handler, access};
use crate::settings::Settings;

/// The role statements of a function: its handler's declaration as IAM statements. A handler
/// this build lacks gets none (`validate` reports the unknown handler).
pub fn statements(handler: &str) -> Vec<Value> {
    handler
        .parse::<Handler>()
        .map(|h| access::statements(h.access()))
        .unwrap_or_default()
}

/// The Bedrock models each stage is granted (see [`grants`]).
pub type Models = BTreeMap<Stage, BTreeSet<String>>;

/// A function that calls a model waits on it: with a model engine its timeout is at least
/// this (three attempts of up to two minutes each, and their back-off).
const MODEL_TIMEOUT_S: u64 = 900;

/// Names derived for one function; also used by validation to map ids back to handlers.
pub struct FunctionIds {
    pub pascal: String,
    pub logical_id: String,
    pub role_id: String,
    pub log_group_id: String,
    pub arn_placeholder: String,
}

pub fn function_ids(handler: &str) -> FunctionIds {
    let pascal = pascal(handler);
    FunctionIds {
        logical_id: format!("{pascal}Function"),
        role_id: format!("{pascal}FunctionRole"),
        log_group_id: format!("{pascal}FunctionLogGroup"),
        arn_placeholder: format!("{pascal}FunctionArn"),
        pascal,
    }
}

pub fn build(stack: &StackDefinition, settings: &Settings, models: &Models) -> Value {
    let functions: Vec<Value> = stack
        .functions
        .iter()
        .map(|f| {
            let ids = function_ids(&f.handler);
            let mut value = serde_json::to_value(f).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                map.insert("pascal".into(), ids.pascal.into());
                map.insert("logical_id".into(), ids.logical_id.into());
                map.insert("role_id".into(), ids.role_id.into());
                map.insert("log_group_id".into(), ids.log_group_id.into());
                map.insert("arn_placeholder".into(), ids.arn_placeholder.into());
                let stage = f.handler.parse::<Handler>().ok().and_then(Handler::stage);
                let mut role = statements(&f.handler);
                role.extend(grants::statements(stage, settings, models));
                map.insert("statements".into(), role.into());
                let env: BTreeMap<&str, String> = match stage {
                    Some(s) => EngineSpec::function_env(settings, s),
                    None => BTreeMap::new(),
                };
                let calls_model = !env.is_empty();
                map.insert("engine_environment".into(), json!(env));
                let textract = stage == Some(Stage::Ocr) && settings.ocr_engine == "textract";
                if calls_model || textract {
                    let t = map.get("timeout_s").and_then(Value::as_u64).unwrap_or(0);
                    map.insert("timeout_s".into(), json!(t.max(MODEL_TIMEOUT_S)));
                }
                // Strict mode would reject `{{#if reserved_concurrency}}` on an absent key.
                map.entry("reserved_concurrency").or_insert(Value::Null);
            }
            value
        })
        .collect();
    json!({
        "stack": stack,
        "settings": settings,
        "functions": functions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handlers::{finalize, intake};

    #[test]
    fn each_function_gets_its_handlers_declaration_as_statements() {
        assert_eq!(statements("intake"), access::statements(intake::ACCESS));
        let rendered = statements("finalize");
        assert_eq!(rendered, access::statements(finalize::ACCESS));
        assert_eq!(
            rendered[0],
            json!({"Effect": "Allow", "Action": ["s3:GetObject"],
                   "Resource": {"Fn::Sub": "${WorkingBucket.Arn}/*"}})
        );
        assert!(statements("teleport").is_empty());
    }
}
