//! One extractable field: a leaf of the class schema, with the hints the embedded engine uses to
//! find it. Hints are optional `x-idpctl-*` keys on the property:
//!
//! - `x-idpctl-labels`: the printed labels to look for (default: the property name in words);
//! - `x-idpctl-value`: `text`, `money`, `number`, `date`, `ssn`, `ein`, `zip`, `phone`, `state`,
//!   `checkbox` (default: guessed from `type`, `format` and the name);
//! - `x-idpctl-pattern`: a regex the value must match (group 1 is the value when present);
//! - `x-idpctl-direction`: `right`, `below` or `any` (default) — where the value sits;
//! - `x-idpctl-line`: the value is the n-th line below the label (default 1);
//! - `x-idpctl-lines`: join n consecutive lines (addresses);
//! - `x-idpctl-width`: the label's box is this wide (page fraction from the label's left edge),
//!   for boxes holding sub-labels ("first name ... Last name") that would otherwise end it.

use regex::Regex;
use serde_json::Value;

use super::threshold_of;
use super::value_type::ValueType;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Right,
    Below,
    Any,
}

#[derive(Debug, Clone)]
pub struct FieldDef {
    /// Property names from the class root to this leaf.
    pub path: Vec<String>,
    /// The JSON Schema `type` (`string`, `number`, `integer`, `boolean`).
    pub schema_type: String,
    pub description: String,
    pub threshold: Option<f32>,
    pub evaluation_method: Option<String>,
    pub labels: Vec<String>,
    pub value_type: ValueType,
    pub pattern: Option<Regex>,
    pub direction: Direction,
    pub line: usize,
    pub lines: usize,
    pub width: Option<f32>,
}

impl FieldDef {
    pub fn dotted(&self) -> String {
        self.path.join(".")
    }

    /// Read a leaf property. `inherited` is the nearest threshold above it (object, class).
    pub fn from_property(
        path: Vec<String>,
        prop: &Value,
        inherited: Option<f32>,
    ) -> Result<Self, String> {
        let name = path.last().cloned().unwrap_or_default();
        let schema_type = prop
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("string")
            .to_string();
        let format = prop.get("format").and_then(Value::as_str);
        let value_type = match prop.get("x-idpctl-value").and_then(Value::as_str) {
            Some(v) => ValueType::parse_name(v)
                .ok_or_else(|| format!("{}: unknown x-idpctl-value `{v}`", path.join(".")))?,
            None => ValueType::guess(&name, &schema_type, format),
        };
        let labels = match prop.get("x-idpctl-labels") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => vec![words_of(&name)],
        };
        let pattern = match prop.get("x-idpctl-pattern").and_then(Value::as_str) {
            Some(p) => Some(
                Regex::new(p)
                    .map_err(|e| format!("{}: bad x-idpctl-pattern: {e}", path.join(".")))?,
            ),
            None => None,
        };
        let direction = match prop.get("x-idpctl-direction").and_then(Value::as_str) {
            Some("right") => Direction::Right,
            Some("below") => Direction::Below,
            _ => Direction::Any,
        };
        let count = |k: &str| {
            prop.get(k)
                .and_then(Value::as_u64)
                .map(|n| n.clamp(1, 20) as usize)
                .unwrap_or(1)
        };
        Ok(Self {
            schema_type,
            description: prop
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            threshold: threshold_of(prop).or(inherited),
            evaluation_method: prop
                .get("x-aws-idp-evaluation-method")
                .and_then(Value::as_str)
                .map(String::from),
            labels,
            value_type,
            pattern,
            direction,
            line: count("x-idpctl-line"),
            lines: count("x-idpctl-lines"),
            width: prop
                .get("x-idpctl-width")
                .and_then(Value::as_f64)
                .map(|w| w.clamp(0.01, 1.0) as f32),
            path,
        })
    }
}

/// `CurrentGrossPay` / `current_gross_pay` / `Date of Birth` → "current gross pay" etc.
pub fn words_of(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || c == ' ' {
            out.push(' ');
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            out.push(' ');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        out.extend(c.to_lowercase());
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_become_labels() {
        assert_eq!(super::words_of("CurrentGrossPay"), "current gross pay");
        assert_eq!(super::words_of("employee_last_name"), "employee last name");
        assert_eq!(super::words_of("Date of Birth"), "date of birth");
        assert_eq!(super::words_of("ID_NUMBER"), "id number");
    }
}
