//! Which method compares a field: the class schema's `x-aws-idp-evaluation-method` (with
//! `x-aws-idp-evaluation-threshold` and `x-aws-idp-evaluation-method-config.dayfirst`) when
//! the field is in the class config, else one inferred from the expected value:
//!
//! - a boolean → `EXACT`; a JSON number, or text that reads as an amount (`$1,234.00`,
//!   `1.234,56`, `(12.00)`) → `NUMERIC_EXACT`; text that reads as a date → `DATE`;
//! - other text → `EXACT`. The accelerator's Stickler 1.0 defaults text to `LEVENSHTEIN`
//!   at 0.7, which forgives wrong characters in identifiers; we stay strict and mark the
//!   method `inferred` so a report shows where no one chose it.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::compare::Method;
use crate::pipeline::calendar as dates;

/// Where a field's method came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Config,
    Inferred,
}

/// The evaluation settings of one property of a class schema, if it declares any.
pub fn from_schema(class: &Value, path: &[String]) -> Option<Method> {
    let prop = property(class, path)?;
    let name = prop
        .get("x-aws-idp-evaluation-method")
        .and_then(Value::as_str)
        .map(|s| s.trim().to_uppercase())
        .filter(|s| !s.is_empty())?;
    let threshold = prop
        .get("x-aws-idp-evaluation-threshold")
        .and_then(|t| match t {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        });
    let dayfirst = prop
        .pointer("/x-aws-idp-evaluation-method-config/dayfirst")
        .and_then(Value::as_bool);
    Some(Method {
        name,
        threshold,
        dayfirst,
    })
}

/// The property at `path` (names only; list indices are not part of it), following `$ref`s
/// into the class's `$defs` and arrays into their `items`.
fn property<'a>(class: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut cur = resolve(class, class);
    for seg in path {
        cur = resolve(class, cur);
        while cur.get("type").and_then(Value::as_str) == Some("array") {
            cur = resolve(class, cur.get("items")?);
        }
        cur = cur.get("properties")?.get(seg)?;
    }
    Some(resolve(class, cur))
}

fn resolve<'a>(root: &'a Value, v: &'a Value) -> &'a Value {
    let mut cur = v;
    // A few hops at most: a cycle of `$ref`s stops here instead of looping.
    for _ in 0..8 {
        let Some(r) = cur.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some(target) = r.strip_prefix('#').and_then(|p| root.pointer(p)) else {
            break;
        };
        cur = target;
    }
    cur
}

static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\(?[-−]?\s*[$€£¥₹]?\s*[-−]?\d{1,3}(?:(?:[,.' \u{a0}]\d{3})*(?:[.,]\d{1,2})|(?:[,.' \u{a0}]\d{3})+)\s*[$€£¥₹%]?\)?(?:\s*[A-Z]{3})?$|^\(?[-−]?\s*[$€£¥₹]\s*\d+(?:[.,]\d{1,2})?\)?$|^\(?[-−]?\d+[.,]\d{2}\)?$",
    )
    .expect("valid regex")
});

/// A method for a field the config does not describe, from its expected value.
pub fn infer(expected: &Value) -> Method {
    match expected {
        Value::Bool(_) => Method::named("EXACT"),
        Value::Number(_) => Method::named("NUMERIC_EXACT"),
        Value::String(s) if AMOUNT.is_match(s.trim()) => Method::named("NUMERIC_EXACT"),
        Value::String(s) if looks_like_date(s) => Method::named("DATE"),
        _ => Method::named("EXACT"),
    }
}

fn looks_like_date(s: &str) -> bool {
    let t = s.trim();
    t.len() >= 6 && t.len() <= 40 && !dates::candidates(t, None).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(String::from).collect()
    }

    #[test]
    fn reads_methods_through_refs_and_arrays() {
        let class = json!({
            "$defs": {"Addr": {"type": "object", "properties": {
                "city": {"type": "string", "x-aws-idp-evaluation-method": "FUZZY",
                         "x-aws-idp-evaluation-threshold": "0.8"}}}},
            "properties": {
                "address": {"$ref": "#/$defs/Addr"},
                "items": {"type": "array", "x-aws-idp-evaluation-method": "HUNGARIAN",
                          "items": {"type": "object", "properties": {
                              "amount": {"type": "string", "x-aws-idp-evaluation-method": "NUMERIC_EXACT"},
                              "day": {"type": "string", "x-aws-idp-evaluation-method": "DATE",
                                      "x-aws-idp-evaluation-method-config": {"dayfirst": true}}}}},
                "plain": {"type": "string"}
            }
        });
        let m = from_schema(&class, &path("address.city")).unwrap();
        assert_eq!((m.name.as_str(), m.threshold), ("FUZZY", Some(0.8)));
        assert_eq!(
            from_schema(&class, &path("items.amount")).unwrap().name,
            "NUMERIC_EXACT"
        );
        assert_eq!(
            from_schema(&class, &path("items.day")).unwrap().dayfirst,
            Some(true)
        );
        assert_eq!(
            from_schema(&class, &path("items")).unwrap().name,
            "HUNGARIAN"
        );
        assert_eq!(from_schema(&class, &path("plain")), None);
        assert_eq!(from_schema(&class, &path("nothing.here")), None);
    }

    #[test]
    fn inference_from_the_expected_value() {
        let name = |v: Value| infer(&v).name;
        assert_eq!(name(json!(true)), "EXACT");
        assert_eq!(name(json!(12.5)), "NUMERIC_EXACT");
        assert_eq!(name(json!("$472,525.00")), "NUMERIC_EXACT");
        assert_eq!(name(json!("($2,336.28)")), "NUMERIC_EXACT");
        assert_eq!(name(json!("1.234,56 €")), "NUMERIC_EXACT");
        assert_eq!(name(json!("0.00")), "NUMERIC_EXACT");
        assert_eq!(name(json!("03/14/2017")), "DATE");
        assert_eq!(name(json!("11747-5001")), "EXACT");
        assert_eq!(name(json!("631-249-7744")), "EXACT");
        assert_eq!(name(json!("13-3249958")), "EXACT");
        assert_eq!(name(json!("28")), "EXACT");
        assert_eq!(name(json!("JOHN DOE")), "EXACT");
    }
}
