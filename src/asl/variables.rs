//! Workflow variables: the `Assign` field of JSONPath states
//! (<https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html>).
//!
//! An `Assign` object maps variable names to values; keys ending in `.$` take a path or an
//! intrinsic like `Parameters` does, and `$name` paths read variables back. The rules kept
//! here and in the executor:
//! - every expression of one `Assign` sees the variables as they were when the state was
//!   entered, so `{"a.$": "$b", "b.$": "$a"}` swaps; the new values are visible from the next
//!   state on;
//! - a Map iteration or Parallel branch starts with the variables of its parent scope and its
//!   own assignments end with it (checked when loading: an inner scope may not assign a name
//!   that an enclosing scope assigns);
//! - `states` is reserved, names are letters, digits and `_` not starting with a digit;
//! - the values one `Assign` sets may total at most 256 KiB of JSON.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::context::ContextObject;
use super::error::{StatesError, names};
use super::executor::json_size;
use super::path::is_variable_name;
use super::template::PayloadTemplate;

/// The variables in scope: name → value.
pub type Variables = Map<String, Value>;

/// The most JSON one `Assign` field may set (AWS: 256 KiB).
pub const MAX_ASSIGN_BYTES: usize = 256 * 1024;

/// The reserved variable name (JSONata's `$states`).
pub const RESERVED: &str = "states";

/// A compiled `Assign` field.
#[derive(Debug, Clone, PartialEq)]
pub struct Assign {
    names: Vec<String>,
    template: PayloadTemplate,
}

impl Assign {
    /// Checks the variable names and compiles the values (paths and intrinsics).
    pub fn compile(v: &Value) -> Result<Self, String> {
        let Value::Object(map) = v else {
            return Err(format!(
                "Assign must be an object of variable names, not {v}"
            ));
        };
        let mut names = Vec::with_capacity(map.len());
        for key in map.keys() {
            let name = key.strip_suffix(".$").unwrap_or(key);
            if name == RESERVED {
                return Err(format!(
                    "Assign: the variable name {name:?} is reserved by Step Functions"
                ));
            }
            if !is_variable_name(name) {
                return Err(format!(
                    "Assign: {name:?} is not a valid variable name (letters, digits and '_', not starting with a digit)"
                ));
            }
            names.push(name.to_string());
        }
        let template = PayloadTemplate::compile(v).map_err(|e| format!("Assign: {e}"))?;
        Ok(Self { names, template })
    }

    /// The names this field assigns.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Evaluates every value against `input` (`$`) and the variables of `ctx` as they were
    /// when the state was entered.
    pub fn eval(
        &self,
        state: &str,
        input: &Value,
        ctx: &ContextObject<'_>,
    ) -> Result<Variables, StatesError> {
        let Value::Object(values) = self.template.apply(input, ctx)? else {
            unreachable!("an object template gives an object")
        };
        let size: usize = values.values().map(json_size).sum();
        if size > MAX_ASSIGN_BYTES {
            return Err(StatesError::new(
                names::DATA_LIMIT_EXCEEDED,
                format!(
                    "The variables assigned by state '{state}' total {size} bytes, more than the 256 KiB limit."
                ),
            ));
        }
        Ok(values)
    }
}

impl<'de> Deserialize<'de> for Assign {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Assign::compile(&v).map_err(serde::de::Error::custom)
    }
}

/// Evaluates an optional `Assign`.
pub fn assign(
    a: Option<&Assign>,
    state: &str,
    input: &Value,
    ctx: &ContextObject<'_>,
) -> Result<Option<Variables>, StatesError> {
    a.map(|a| a.eval(state, input, ctx)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asl::context::ExecutionInfo;
    use serde_json::json;
    use std::time::UNIX_EPOCH;

    #[test]
    fn names_are_checked() {
        for (v, want) in [
            (json!([]), "must be an object"),
            (json!({"states": 1}), "reserved"),
            (json!({"states.$": "$.x"}), "reserved"),
            (json!({"1x": 1}), "not a valid variable name"),
            (json!({"a-b": 1}), "not a valid variable name"),
            (json!({"x.$": "nope("}), "Assign: field \"x.$\""),
        ] {
            let e = Assign::compile(&v).unwrap_err();
            assert!(e.contains(want), "{v}: {e}");
        }
        let a = Assign::compile(&json!({"x": 1, "y.$": "$.y", "_z9": null})).unwrap();
        assert_eq!(a.names(), ["x", "y", "_z9"]);
    }

    #[test]
    fn values_see_the_variables_of_state_entry() {
        let exec = ExecutionInfo::local("sm", "run", json!({}), UNIX_EPOCH);
        let vars: Variables = serde_json::from_value(json!({"a": 1, "b": 2})).unwrap();
        let ctx = ContextObject::new(&exec, "S", "t", 0).with_variables(&vars);
        let a = Assign::compile(&json!({"a.$": "$b", "b.$": "$a",
            "sum.$": "States.MathAdd($a, $.n)", "lit": {"k": [1]}}))
        .unwrap();
        let got = a.eval("S", &json!({"n": 10}), &ctx).unwrap();
        assert_eq!(
            Value::Object(got),
            json!({"a": 2, "b": 1, "sum": 11, "lit": {"k": [1]}})
        );
        let e = Assign::compile(&json!({"x.$": "$missing"}))
            .unwrap()
            .eval("S", &json!({}), &ctx)
            .unwrap_err();
        assert_eq!(e.error, names::RUNTIME);
        assert!(e.cause.contains("'$missing'"), "{}", e.cause);
    }

    #[test]
    fn size_limit() {
        let exec = ExecutionInfo::local("sm", "run", json!({}), UNIX_EPOCH);
        let ctx = ContextObject::new(&exec, "S", "t", 0);
        let a = Assign::compile(&json!({"a.$": "$.s", "b.$": "$.s"})).unwrap();
        let half = "x".repeat(MAX_ASSIGN_BYTES / 2);
        let e = a.eval("S", &json!({"s": half}), &ctx).unwrap_err();
        assert_eq!(e.error, names::DATA_LIMIT_EXCEEDED);
        let ok = "x".repeat(MAX_ASSIGN_BYTES / 2 - 10);
        assert!(a.eval("S", &json!({"s": ok}), &ctx).is_ok());
    }
}
