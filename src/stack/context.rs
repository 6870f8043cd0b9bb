//! The handlebars context every template sees: the stack definition, the resolved settings, and
//! each function with the logical ids derived from its handler name, so templates never build
//! names by string-pasting and every part agrees on them.

use serde_json::{Value, json};

use super::definition::{StackDefinition, pascal};
use crate::settings::Settings;

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

pub fn build(stack: &StackDefinition, settings: &Settings) -> Value {
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
