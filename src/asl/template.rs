//! Payload templates: the `Parameters`, `ItemSelector` and `ResultSelector` objects.
//!
//! A field whose name ends in `.$` is renamed without the suffix and its value computed: a
//! `$$...` string reads the context object, a `$...` string reads the template's input, and
//! anything else must be an intrinsic function. Templates are compiled when the definition is
//! loaded so that a bad path or intrinsic is a definition error, as with AWS.

use serde_json::{Map, Value};

use super::context::ContextObject;
use super::error::{StatesError, names};
use super::intrinsics::Intrinsic;
use super::path::{Path, Root};

/// A compiled payload template.
#[derive(Debug, Clone, PartialEq)]
pub struct PayloadTemplate {
    root: Node,
    uses_context: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Literal(Value),
    Object(Vec<(String, Node)>),
    Array(Vec<Node>),
    /// `"name.$": "$.path"` (the field keeps its original name for error messages).
    Path {
        field: String,
        path: Path,
    },
    /// `"name.$": "States.Format(...)"`.
    Intrinsic(Intrinsic),
}

impl PayloadTemplate {
    /// Compiles a template. It must be a JSON object (spec: "A Payload Template MUST be a JSON
    /// object").
    pub fn compile(template: &Value) -> Result<Self, String> {
        if !template.is_object() {
            return Err("a payload template must be a JSON object".into());
        }
        let mut uses_context = false;
        let root = compile_node(template, &mut uses_context)?;
        Ok(Self { root, uses_context })
    }

    /// True when some field reads `$$`: callers build the context object only then.
    pub fn uses_context(&self) -> bool {
        self.uses_context
    }

    /// Produces the payload from `input`. Failing intrinsics raise `States.IntrinsicFailure`.
    ///
    /// A `.$` path that names nothing raises `States.Runtime`, not the spec's
    /// `States.ParameterPathFailure`: that is what the AWS service reports (with exactly this
    /// message), as do LocalStack's snapshot-tested interpreter and the moto server built on
    /// it. The difference matters: `States.Runtime` cannot be caught, so a definition that
    /// relies on catching it would work locally and fail on AWS.
    pub fn apply(&self, input: &Value, ctx: &ContextObject<'_>) -> Result<Value, StatesError> {
        eval_node(&self.root, input, ctx)
    }
}

fn compile_node(v: &Value, uses_context: &mut bool) -> Result<Node, String> {
    Ok(match v {
        Value::Object(map) => {
            let mut fields: Vec<(String, Node)> = Vec::with_capacity(map.len());
            for (key, value) in map {
                let (name, node) = if let Some(stripped) = key.strip_suffix(".$") {
                    let Value::String(expr) = value else {
                        return Err(format!(
                            "field {key:?} ends in \".$\" so its value must be a string"
                        ));
                    };
                    let node = if expr.starts_with('$') {
                        let path = Path::parse(expr).map_err(|e| format!("field {key:?}: {e}"))?;
                        if path.root() == Root::Context {
                            *uses_context = true;
                        }
                        Node::Path {
                            field: key.clone(),
                            path,
                        }
                    } else {
                        let i = Intrinsic::parse(expr).map_err(|e| {
                            format!(
                                "field {key:?}: {:?} is neither a path nor a valid intrinsic function: {e}",
                                truncate(expr)
                            )
                        })?;
                        if i.uses_context() {
                            *uses_context = true;
                        }
                        Node::Intrinsic(i)
                    };
                    (stripped.to_string(), node)
                } else {
                    (key.clone(), compile_node(value, uses_context)?)
                };
                if fields.iter().any(|(n, _)| *n == name) {
                    return Err(format!(
                        "field {name:?} appears twice once \".$\" suffixes are removed"
                    ));
                }
                fields.push((name, node));
            }
            Node::Object(fields)
        }
        Value::Array(items) => Node::Array(
            items
                .iter()
                .map(|i| compile_node(i, uses_context))
                .collect::<Result<_, _>>()?,
        ),
        other => Node::Literal(other.clone()),
    })
}

fn eval_node(node: &Node, input: &Value, ctx: &ContextObject<'_>) -> Result<Value, StatesError> {
    Ok(match node {
        Node::Literal(v) => v.clone(),
        Node::Object(fields) => {
            let mut map = Map::with_capacity(fields.len());
            for (name, child) in fields {
                map.insert(name.clone(), eval_node(child, input, ctx)?);
            }
            Value::Object(map)
        }
        Node::Array(items) => Value::Array(
            items
                .iter()
                .map(|n| eval_node(n, input, ctx))
                .collect::<Result<_, _>>()?,
        ),
        Node::Path { field, path } => {
            path.select_in(input, ctx).ok_or_else(|| {
                let doc = match path.root() {
                    Root::Input => input,
                    Root::Context => ctx.value(),
                    Root::Variable => &Value::Null,
                };
                // The wording follows the AWS error so that logs read the same.
                StatesError::new(
                    names::RUNTIME,
                    match path.variable() {
                        Some(var) if ctx.variable(var).is_none() => format!(
                            "The variable '${var}' referenced by the field '{field}' is not set"
                        ),
                        _ => format!(
                            "The JSONPath '{}' specified for the field '{field}' could not be found in the input '{}'",
                            path.as_str(),
                            truncate(&doc.to_string())
                        ),
                    },
                )
            })?
        }
        Node::Intrinsic(i) => i.eval(input, ctx)?,
    })
}

/// Error messages quote the input; keep them readable when the input is large.
pub(crate) fn truncate(s: &str) -> String {
    const MAX: usize = 2048;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asl::context::ExecutionInfo;
    use serde_json::json;
    use std::time::UNIX_EPOCH;

    fn apply(template: Value, input: Value) -> Result<Value, StatesError> {
        let exec = ExecutionInfo::local("sm", "x", json!({}), UNIX_EPOCH);
        let ctx = ContextObject::new(&exec, "S", "t", 0);
        PayloadTemplate::compile(&template)
            .unwrap()
            .apply(&input, &ctx)
    }

    // "Parameters" key-value example:
    // https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html
    #[test]
    fn aws_parameters_key_value_example() {
        let input = json!({
            "comment": "Example for Parameters.",
            "product": {
                "details": {"color": "blue", "size": "small", "material": "cotton"},
                "availability": "in stock",
                "sku": "2317",
                "cost": "$23"
            }
        });
        let template = json!({
            "comment": "Selecting what I care about.",
            "MyDetails": {
                "size.$": "$.product.details.size",
                "exists.$": "$.product.availability",
                "StaticValue": "foo"
            }
        });
        assert_eq!(
            apply(template, input).unwrap(),
            json!({
                "comment": "Selecting what I care about.",
                "MyDetails": {"size": "small", "exists": "in stock", "StaticValue": "foo"}
            })
        );
    }

    // Payload template example of the ASL spec (https://states-language.net/spec.html#payload-template),
    // with our context object standing in for the spec's {"DayOfWeek": "TUESDAY"}.
    #[test]
    fn spec_payload_template_example() {
        let exec = ExecutionInfo::local("sm", "TUESDAY", json!({}), UNIX_EPOCH);
        let ctx = ContextObject::new(&exec, "S", "t", 0);
        let t = PayloadTemplate::compile(&json!({
            "flagged": true,
            "parts": {"first.$": "$.vals[0]", "last3.$": "$.vals[-3:]"},
            "weekday.$": "$$.Execution.Name",
            "formattedOutput.$": "States.Format('Today is {}', $$.Execution.Name)"
        }))
        .unwrap();
        assert!(t.uses_context());
        let out = t
            .apply(
                &json!({"flagged": 7, "vals": [0, 10, 20, 30, 40, 50]}),
                &ctx,
            )
            .unwrap();
        assert_eq!(
            out,
            json!({
                "flagged": true,
                "parts": {"first": 0, "last3": [30, 40, 50]},
                "weekday": "TUESDAY",
                "formattedOutput": "Today is TUESDAY"
            })
        );
    }

    #[test]
    fn arrays_are_templated_and_missing_paths_fail() {
        assert_eq!(
            apply(json!({"a": [{"b.$": "$.x"}, 1]}), json!({"x": 2})).unwrap(),
            json!({"a": [{"b": 2}, 1]})
        );
        let e = apply(json!({"b.$": "$.nope"}), json!({"x": 2})).unwrap_err();
        assert_eq!(e.error, names::RUNTIME);
        assert!(
            e.cause.contains("'$.nope'") && e.cause.contains("'b.$'"),
            "{}",
            e.cause
        );
    }

    #[test]
    fn compile_errors() {
        for bad in [
            json!("not an object"),
            json!({"a.$": 1}),
            json!({"a.$": "nonsense"}),
            json!({"a.$": "$.x", "a": 1}),
            json!({"a.$": "$.x[?"}),
        ] {
            assert!(PayloadTemplate::compile(&bad).is_err(), "{bad}");
        }
    }
}
