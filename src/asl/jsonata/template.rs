//! The JSONata fields of a state: a JSON value whose strings written `{% expr %}` are
//! expressions and everything else is literal, recursively through objects and arrays
//! (<https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html>).
//!
//! Expressions see `$states` (`input`, `context`, and `result` or `errorOutput` where the
//! field may read them) and the workflow variables; `$` itself is undefined, as on AWS,
//! where the top level has no context value. An expression that fails, or gives nothing
//! (undefined) where a value is needed, is a `States.QueryEvaluationError`. The `?:` and
//! `??` operators (JSONata 2.1) are refused: Step Functions implements JSONata 2.0.6.

use std::time::SystemTime;

use serde_json::{Map, Value};

use super::{Expression, Limits};
use crate::asl::context::ContextObject;
use crate::asl::error::StatesError;
use crate::asl::template::truncate;

/// The error name of failed JSONata evaluations.
pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";

/// A compiled field value.
#[derive(Debug, Clone, PartialEq)]
pub enum Template {
    /// A JSON value without expressions.
    Literal(Value),
    /// `"{% expr %}"`.
    Expr(Box<Expression>),
    /// An object with an expression somewhere inside.
    Object(Vec<(String, Template)>),
    /// An array with an expression somewhere inside.
    Array(Vec<Template>),
}

/// What an expression may read: `$states.*` and the variables (through the context).
pub struct StatesEnv<'a> {
    /// `$states.input`: the state's input.
    pub input: &'a Value,
    /// `$states.result`, where available.
    pub result: Option<&'a Value>,
    /// `$states.errorOutput`, in a catcher.
    pub error_output: Option<&'a Value>,
    /// `$states.context`, and the workflow variables.
    pub ctx: &'a ContextObject<'a>,
    /// The clock reading for `$now()`/`$millis()`.
    pub now: SystemTime,
}

impl StatesEnv<'_> {
    fn states(&self) -> Value {
        let mut m = Map::new();
        m.insert("input".into(), self.input.clone());
        m.insert("context".into(), self.ctx.value().clone());
        if let Some(r) = self.result {
            m.insert("result".into(), r.clone());
        }
        if let Some(e) = self.error_output {
            m.insert("errorOutput".into(), e.clone());
        }
        Value::Object(m)
    }

    /// Evaluates one expression; `Ok(None)` is undefined.
    pub fn evaluate(&self, e: &Expression, field: &str) -> Result<Option<Value>, StatesError> {
        let resolver = |name: &str| -> Option<Value> {
            if name == "states" {
                Some(self.states())
            } else {
                self.ctx.variable(name).cloned()
            }
        };
        e.evaluate(None, &resolver, self.now, Limits::default())
            .map_err(|err| {
                StatesError::new(
                    QUERY_EVALUATION_ERROR,
                    format!(
                        "The JSONata expression '{}' specified for the field '{field}' failed: {err}",
                        truncate(e.as_str())
                    ),
                )
            })
    }
}

/// The expression inside `{% ... %}`, if `s` is written that way.
pub fn expression_text(s: &str) -> Option<&str> {
    s.strip_prefix("{%")?.strip_suffix("%}")
}

impl Template {
    /// Compiles a field value; a syntax error names the JSON location.
    pub fn compile(v: &Value) -> Result<Self, String> {
        Self::compile_at(v, "", 0)
    }

    fn compile_at(v: &Value, at: &str, depth: usize) -> Result<Self, String> {
        if depth > 64 {
            return Err(format!("{at}: nested too deeply"));
        }
        Ok(match v {
            Value::String(s) => match expression_text(s) {
                Some(text) => {
                    let at = if at.is_empty() {
                        String::new()
                    } else {
                        format!("{at}: ")
                    };
                    let e = Expression::parse(text).map_err(|e| {
                        let hint = match e {
                            super::Error::Limit { .. } => {
                                "; hint: split it into smaller expressions (Assign variables, or a block `($a := …; …)`)"
                            }
                            _ => "",
                        };
                        format!(
                            "{at}invalid JSONata expression {:?}: {e}{hint}",
                            truncate(s)
                        )
                    })?;
                    // Step Functions implements JSONata 2.0.6, which has neither operator.
                    if super::ast::uses_post_2_0_6_operators(e.node()) {
                        return Err(format!(
                            "{at}the JSONata expression {:?} uses ?: or ??, which are newer than JSONata 2.0.6 (the version Step Functions implements); write `a ? a : b` or `$exists(a) ? a : b`",
                            truncate(s)
                        ));
                    }
                    Template::Expr(Box::new(e))
                }
                None => Template::Literal(v.clone()),
            },
            Value::Object(o) => {
                let parts = o
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), Self::compile_at(v, &join(at, k), depth + 1)?)))
                    .collect::<Result<Vec<_>, String>>()?;
                if parts.iter().all(|(_, t)| matches!(t, Template::Literal(_))) {
                    Template::Literal(v.clone())
                } else {
                    Template::Object(parts)
                }
            }
            Value::Array(a) => {
                let parts = a
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Self::compile_at(v, &format!("{at}[{i}]"), depth + 1))
                    .collect::<Result<Vec<_>, String>>()?;
                if parts.iter().all(|t| matches!(t, Template::Literal(_))) {
                    Template::Literal(v.clone())
                } else {
                    Template::Array(parts)
                }
            }
            other => Template::Literal(other.clone()),
        })
    }

    /// Evaluates the field called `field`; an expression giving undefined is an error.
    pub fn eval(&self, field: &str, env: &StatesEnv<'_>) -> Result<Value, StatesError> {
        match self {
            Template::Literal(v) => Ok(v.clone()),
            Template::Expr(e) => env.evaluate(e, field)?.ok_or_else(|| {
                StatesError::new(
                    QUERY_EVALUATION_ERROR,
                    format!(
                        "The JSONata expression '{}' specified for the field '{field}' returned nothing (undefined).",
                        truncate(e.as_str())
                    ),
                )
            }),
            Template::Object(parts) => {
                let mut out = Map::new();
                for (k, t) in parts {
                    out.insert(k.clone(), t.eval(&join(field, k), env)?);
                }
                Ok(Value::Object(out))
            }
            Template::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, t)| t.eval(&format!("{field}[{i}]"), env))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
        }
    }
}

fn join(at: &str, k: &str) -> String {
    if at.is_empty() {
        k.to_string()
    } else {
        format!("{at}/{k}")
    }
}
