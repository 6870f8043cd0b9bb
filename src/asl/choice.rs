//! Choice rules: comparisons (`StringEquals`, `NumericGreaterThanPath`, `IsPresent`, ...)
//! and the boolean combinators `And`, `Or`, `Not`.
//!
//! Semantics follow the ASL spec (<https://states-language.net/spec.html#choice-state>) and
//! the AWS guide (<https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html>):
//! a comparison whose operands are not of the comparator's type is simply false, while a
//! `Variable` (or a `...Path` operand) that names nothing is a `States.Runtime` error, except
//! for `IsPresent`, whose whole point is to test that.

use serde_json::Value;

use super::context::{ContextObject, parse_timestamp};
use super::error::StatesError;
use super::path::Path;
use super::variables::Assign;

/// A top-level rule of a Choice state: a condition and the state to go to when it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceRule {
    /// When to take this branch.
    pub condition: Condition,
    /// Where to go.
    pub next: String,
    /// `Assign` of the rule, applied when it matches.
    pub assign: Option<Assign>,
}

/// A boolean expression over the state's effective input.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// All must hold.
    And(Vec<Condition>),
    /// Any must hold.
    Or(Vec<Condition>),
    /// Must not hold.
    Not(Box<Condition>),
    /// `Variable` compared with a literal or with another path.
    Compare {
        /// The value tested.
        variable: Path,
        /// The comparator.
        op: Op,
        /// The right-hand side.
        operand: Operand,
    },
}

/// Right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A literal from the definition.
    Literal(Value),
    /// A `...Path` comparator: the value at this path.
    Path(Path),
}

/// The comparators. The `...Path` variants are the same operators with a [`Operand::Path`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Op {
    StringEquals,
    StringLessThan,
    StringGreaterThan,
    StringLessThanEquals,
    StringGreaterThanEquals,
    StringMatches,
    NumericEquals,
    NumericLessThan,
    NumericGreaterThan,
    NumericLessThanEquals,
    NumericGreaterThanEquals,
    BooleanEquals,
    TimestampEquals,
    TimestampLessThan,
    TimestampGreaterThan,
    TimestampLessThanEquals,
    TimestampGreaterThanEquals,
    IsNull,
    IsPresent,
    IsNumeric,
    IsString,
    IsBoolean,
    IsTimestamp,
}

const OPS: &[(&str, Op)] = &[
    ("StringEquals", Op::StringEquals),
    ("StringLessThan", Op::StringLessThan),
    ("StringGreaterThan", Op::StringGreaterThan),
    ("StringLessThanEquals", Op::StringLessThanEquals),
    ("StringGreaterThanEquals", Op::StringGreaterThanEquals),
    ("StringMatches", Op::StringMatches),
    ("NumericEquals", Op::NumericEquals),
    ("NumericLessThan", Op::NumericLessThan),
    ("NumericGreaterThan", Op::NumericGreaterThan),
    ("NumericLessThanEquals", Op::NumericLessThanEquals),
    ("NumericGreaterThanEquals", Op::NumericGreaterThanEquals),
    ("BooleanEquals", Op::BooleanEquals),
    ("TimestampEquals", Op::TimestampEquals),
    ("TimestampLessThan", Op::TimestampLessThan),
    ("TimestampGreaterThan", Op::TimestampGreaterThan),
    ("TimestampLessThanEquals", Op::TimestampLessThanEquals),
    ("TimestampGreaterThanEquals", Op::TimestampGreaterThanEquals),
    ("IsNull", Op::IsNull),
    ("IsPresent", Op::IsPresent),
    ("IsNumeric", Op::IsNumeric),
    ("IsString", Op::IsString),
    ("IsBoolean", Op::IsBoolean),
    ("IsTimestamp", Op::IsTimestamp),
];

impl Op {
    fn family(self) -> Family {
        use Op::*;
        match self {
            StringEquals
            | StringLessThan
            | StringGreaterThan
            | StringLessThanEquals
            | StringGreaterThanEquals
            | StringMatches => Family::String,
            NumericEquals
            | NumericLessThan
            | NumericGreaterThan
            | NumericLessThanEquals
            | NumericGreaterThanEquals => Family::Numeric,
            BooleanEquals => Family::Boolean,
            TimestampEquals
            | TimestampLessThan
            | TimestampGreaterThan
            | TimestampLessThanEquals
            | TimestampGreaterThanEquals => Family::Timestamp,
            IsNull | IsPresent | IsNumeric | IsString | IsBoolean | IsTimestamp => Family::Test,
        }
    }
}

#[derive(PartialEq)]
enum Family {
    String,
    Numeric,
    Boolean,
    Timestamp,
    Test,
}

/// Parses one top-level rule (which must have `Next`).
pub fn parse_rule(v: &Value) -> Result<ChoiceRule, String> {
    // A top-level rule may assign variables when it matches; nested rules may not.
    let mut v = v.clone();
    let assign = match v.as_object_mut().and_then(|m| m.remove("Assign")) {
        Some(a) => Some(Assign::compile(&a)?),
        None => None,
    };
    let (condition, next) = parse_condition(&v, true)?;
    Ok(ChoiceRule {
        condition,
        next: next.ok_or("a top-level Choice rule needs \"Next\"")?,
        assign,
    })
}

fn parse_condition(v: &Value, top: bool) -> Result<(Condition, Option<String>), String> {
    let Value::Object(map) = v else {
        return Err(format!("a Choice rule must be an object, not {v}"));
    };
    let mut next = None;
    let mut variable = None;
    let mut found: Vec<Condition> = Vec::new();
    let mut comparator: Option<(Op, bool, &Value)> = None;
    for (k, val) in map {
        match k.as_str() {
            "Next" if top => {
                next = Some(val.as_str().ok_or("\"Next\" must be a string")?.to_string())
            }
            "Next" => return Err("a nested Choice rule may not have \"Next\"".into()),
            "Comment" => {}
            "Variable" => {
                let s = val.as_str().ok_or("\"Variable\" must be a string")?;
                variable = Some(Path::parse(s).map_err(|e| e.0)?);
            }
            "And" | "Or" => {
                let items = val
                    .as_array()
                    .filter(|a| !a.is_empty())
                    .ok_or(format!("\"{k}\" must be a non-empty array of rules"))?;
                let conds = items
                    .iter()
                    .map(|i| parse_condition(i, false).map(|(c, _)| c))
                    .collect::<Result<Vec<_>, _>>()?;
                found.push(if k == "And" {
                    Condition::And(conds)
                } else {
                    Condition::Or(conds)
                });
            }
            "Not" => {
                let (c, _) = parse_condition(val, false)?;
                found.push(Condition::Not(Box::new(c)));
            }
            other => {
                let (name, is_path) = match other.strip_suffix("Path") {
                    Some(base) if base.starts_with("Is") || base.is_empty() => (other, false),
                    Some(base) => (base, true),
                    None => (other, false),
                };
                let op = OPS
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, op)| *op)
                    .ok_or(format!("unknown field {other:?} in a Choice rule"))?;
                if is_path && op.family() == Family::Test {
                    return Err(format!("unknown field {other:?} in a Choice rule"));
                }
                if comparator.is_some() {
                    return Err("a Choice rule may have only one comparison operator".into());
                }
                comparator = Some((op, is_path, val));
            }
        }
    }
    let condition = match (comparator, found.len()) {
        (Some((op, is_path, val)), 0) => {
            let variable = variable.ok_or("a comparison needs \"Variable\"")?;
            let operand = if is_path {
                let s = val
                    .as_str()
                    .ok_or("a ...Path comparator takes a path string")?;
                Operand::Path(Path::parse(s).map_err(|e| e.0)?)
            } else {
                check_literal(op, val)?;
                Operand::Literal(val.clone())
            };
            Condition::Compare {
                variable,
                op,
                operand,
            }
        }
        (None, 1) => {
            if variable.is_some() {
                return Err("\"Variable\" makes no sense with And/Or/Not".into());
            }
            found.pop().expect("one combinator")
        }
        (None, 0) => return Err("a Choice rule needs a comparison or And/Or/Not".into()),
        _ => return Err("a Choice rule may have only one comparison or combinator".into()),
    };
    Ok((condition, next))
}

fn check_literal(op: Op, v: &Value) -> Result<(), String> {
    let ok = match op.family() {
        Family::String => v.is_string(),
        Family::Numeric => v.is_number(),
        Family::Boolean | Family::Test => v.is_boolean(),
        Family::Timestamp => v.as_str().and_then(parse_timestamp).is_some(),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{op:?} cannot compare with {v}"))
    }
}

impl Condition {
    /// Evaluates the condition against the Choice state's effective input.
    pub fn eval(&self, input: &Value, ctx: &ContextObject<'_>) -> Result<bool, StatesError> {
        match self {
            Condition::And(cs) => {
                for c in cs {
                    if !c.eval(input, ctx)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Condition::Or(cs) => {
                for c in cs {
                    if c.eval(input, ctx)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Condition::Not(c) => Ok(!c.eval(input, ctx)?),
            Condition::Compare {
                variable,
                op,
                operand,
            } => {
                let value = read(variable, input, ctx);
                if *op == Op::IsPresent {
                    let want = operand_literal(operand).as_bool().unwrap_or(true);
                    return Ok(value.is_some() == want);
                }
                let Some(value) = value else {
                    return Err(invalid_path(variable));
                };
                let rhs = match operand {
                    Operand::Literal(v) => v.clone(),
                    Operand::Path(p) => read(p, input, ctx).ok_or_else(|| invalid_path(p))?,
                };
                Ok(compare(*op, &value, &rhs))
            }
        }
    }
}

fn operand_literal(o: &Operand) -> &Value {
    match o {
        Operand::Literal(v) => v,
        Operand::Path(_) => &Value::Null,
    }
}

fn read(p: &Path, input: &Value, ctx: &ContextObject<'_>) -> Option<Value> {
    p.select_in(input, ctx)
}

fn invalid_path(p: &Path) -> StatesError {
    StatesError::runtime(format!(
        "Invalid path '{}': The choice state's condition path references an invalid value.",
        p.as_str()
    ))
}

fn compare(op: Op, a: &Value, b: &Value) -> bool {
    use std::cmp::Ordering::*;
    let ord = |want: &[std::cmp::Ordering], o: Option<std::cmp::Ordering>| {
        o.is_some_and(|o| want.contains(&o))
    };
    let cmp_of = |op: Op| -> &'static [std::cmp::Ordering] {
        use Op::*;
        match op {
            StringEquals | NumericEquals | TimestampEquals => &[Equal],
            StringLessThan | NumericLessThan | TimestampLessThan => &[Less],
            StringGreaterThan | NumericGreaterThan | TimestampGreaterThan => &[Greater],
            StringLessThanEquals | NumericLessThanEquals | TimestampLessThanEquals => {
                &[Less, Equal]
            }
            _ => &[Greater, Equal],
        }
    };
    match op.family() {
        Family::String if op == Op::StringMatches => match (a.as_str(), b.as_str()) {
            (Some(s), Some(pattern)) => string_matches(s, pattern),
            _ => false,
        },
        Family::String => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => ord(cmp_of(op), Some(x.cmp(y))),
            _ => false,
        },
        Family::Numeric => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) if a.is_number() && b.is_number() => {
                ord(cmp_of(op), x.partial_cmp(&y))
            }
            _ => false,
        },
        Family::Boolean => match (a.as_bool(), b.as_bool()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
        Family::Timestamp => {
            match (
                a.as_str().and_then(parse_timestamp),
                b.as_str().and_then(parse_timestamp),
            ) {
                (Some(x), Some(y)) => ord(cmp_of(op), Some(x.cmp(&y))),
                _ => false,
            }
        }
        Family::Test => {
            let want = b.as_bool().unwrap_or(true);
            let is = match op {
                Op::IsNull => a.is_null(),
                Op::IsNumeric => a.is_number(),
                Op::IsString => a.is_string(),
                Op::IsBoolean => a.is_boolean(),
                Op::IsTimestamp => a.as_str().and_then(parse_timestamp).is_some(),
                _ => true,
            };
            is == want
        }
    }
}

/// `StringMatches`: `*` matches any run of characters; `\*` is a literal star and `\\` a
/// literal backslash.
pub fn string_matches(s: &str, pattern: &str) -> bool {
    #[derive(PartialEq)]
    enum Tok {
        Star,
        Char(char),
    }
    let mut toks = Vec::new();
    let mut it = pattern.chars();
    while let Some(c) = it.next() {
        match c {
            '\\' => toks.push(Tok::Char(it.next().unwrap_or('\\'))),
            '*' => toks.push(Tok::Star),
            c => toks.push(Tok::Char(c)),
        }
    }
    let text: Vec<char> = s.chars().collect();
    // Classic greedy wildcard match with one backtrack point.
    let (mut ti, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < text.len() {
        match toks.get(pi) {
            Some(Tok::Char(c)) if *c == text[ti] => {
                ti += 1;
                pi += 1;
            }
            Some(Tok::Star) => {
                star = Some((pi, ti));
                pi += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    toks[pi..].iter().all(|t| *t == Tok::Star)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asl::context::ExecutionInfo;
    use serde_json::json;
    use std::time::UNIX_EPOCH;

    fn holds(rule: Value, input: Value) -> Result<bool, StatesError> {
        let exec = ExecutionInfo::local("sm", "x", json!({}), UNIX_EPOCH);
        let ctx = ContextObject::new(&exec, "S", "t", 0);
        let mut rule = rule;
        rule["Next"] = json!("N");
        parse_rule(&rule).unwrap().condition.eval(&input, &ctx)
    }

    // Rules from the Choice state examples of the ASL spec
    // (https://states-language.net/spec.html#choice-state) and the AWS guide
    // (https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html).
    #[test]
    fn table() {
        let cases: Vec<(Value, Value, bool)> = vec![
            // Spec: "Not": {"Variable": "$.type", "StringEquals": "Private"}
            (
                json!({"Not": {"Variable": "$.type", "StringEquals": "Private"}}),
                json!({"type": "Public"}),
                true,
            ),
            (
                json!({"Not": {"Variable": "$.type", "StringEquals": "Private"}}),
                json!({"type": "Private"}),
                false,
            ),
            // Spec: And of NumericGreaterThanEquals 20 and NumericLessThan 30 on $.value
            (
                json!({"And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20},
                            {"Variable": "$.value", "NumericLessThan": 30}]}),
                json!({"value": 25}),
                true,
            ),
            (
                json!({"And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20},
                            {"Variable": "$.value", "NumericLessThan": 30}]}),
                json!({"value": 30}),
                false,
            ),
            // Spec: "Variable": "$.rating", "NumericGreaterThanPath": "$.auditThreshold"
            (
                json!({"Variable": "$.rating", "NumericGreaterThanPath": "$.auditThreshold"}),
                json!({"rating": 53, "auditThreshold": 60}),
                false,
            ),
            (
                json!({"Variable": "$.rating", "NumericGreaterThanPath": "$.auditThreshold"}),
                json!({"rating": 61, "auditThreshold": 60}),
                true,
            ),
            // AWS guide: "StringMatches": "log-*.txt"
            (
                json!({"Variable": "$.foo", "StringMatches": "log-*.txt"}),
                json!({"foo": "log-2024-01.txt"}),
                true,
            ),
            (
                json!({"Variable": "$.foo", "StringMatches": "log-*.txt"}),
                json!({"foo": "log-2024.csv"}),
                false,
            ),
            // Spec: type mismatch is false, not an error ("NumericEquals": 1 vs "1").
            (
                json!({"Variable": "$.x", "NumericEquals": 1}),
                json!({"x": "1"}),
                false,
            ),
            (
                json!({"Variable": "$.x", "StringEquals": "1"}),
                json!({"x": 1}),
                false,
            ),
            (
                json!({"Variable": "$.x", "NumericEquals": 1}),
                json!({"x": 1.0}),
                true,
            ),
            (
                json!({"Variable": "$.x", "StringLessThan": "b"}),
                json!({"x": "a"}),
                true,
            ),
            (
                json!({"Variable": "$.x", "StringGreaterThanEquals": "b"}),
                json!({"x": "b"}),
                true,
            ),
            (
                json!({"Variable": "$.x", "StringEqualsPath": "$.y"}),
                json!({"x": "s", "y": "s"}),
                true,
            ),
            (
                json!({"Variable": "$.x", "BooleanEquals": true}),
                json!({"x": true}),
                true,
            ),
            (
                json!({"Variable": "$.x", "BooleanEqualsPath": "$.y"}),
                json!({"x": true, "y": false}),
                false,
            ),
            (
                json!({"Variable": "$.t", "TimestampLessThan": "2016-03-14T01:59:00Z"}),
                json!({"t": "2016-03-14T01:58:59Z"}),
                true,
            ),
            (
                json!({"Variable": "$.t", "TimestampEquals": "2016-03-14T01:59:00Z"}),
                json!({"t": "2016-03-14T02:59:00+01:00"}),
                true,
            ),
            (
                json!({"Variable": "$.t", "TimestampGreaterThanPath": "$.u"}),
                json!({"t": "2020-01-01T00:00:00Z", "u": "2019-01-01T00:00:00Z"}),
                true,
            ),
            (
                json!({"Variable": "$.t", "TimestampEquals": "2016-03-14T01:59:00Z"}),
                json!({"t": "not a time"}),
                false,
            ),
            (
                json!({"Variable": "$.x", "IsNull": true}),
                json!({"x": null}),
                true,
            ),
            (
                json!({"Variable": "$.x", "IsNull": false}),
                json!({"x": 0}),
                true,
            ),
            (
                json!({"Variable": "$.x", "IsPresent": true}),
                json!({}),
                false,
            ),
            (
                json!({"Variable": "$.x", "IsPresent": false}),
                json!({}),
                true,
            ),
            (
                json!({"Variable": "$.x", "IsNumeric": true}),
                json!({"x": 3}),
                true,
            ),
            (
                json!({"Variable": "$.x", "IsString": true}),
                json!({"x": 3}),
                false,
            ),
            (
                json!({"Variable": "$.x", "IsBoolean": true}),
                json!({"x": false}),
                true,
            ),
            (
                json!({"Variable": "$.x", "IsTimestamp": true}),
                json!({"x": "2016-03-14T01:59:00Z"}),
                true,
            ),
            (
                json!({"Or": [{"Variable": "$.a", "IsPresent": true}, {"Variable": "$.b", "IsPresent": true}]}),
                json!({"b": 1}),
                true,
            ),
            (
                json!({"Variable": "$$.State.Name", "StringEquals": "S"}),
                json!({}),
                true,
            ),
        ];
        for (rule, input, want) in cases {
            assert_eq!(
                holds(rule.clone(), input.clone()).unwrap(),
                want,
                "{rule} on {input}"
            );
        }
    }

    #[test]
    fn missing_variable_is_a_runtime_error() {
        let e = holds(
            json!({"Variable": "$.nope", "StringEquals": "x"}),
            json!({}),
        )
        .unwrap_err();
        assert_eq!(e.error, "States.Runtime");
        let e = holds(
            json!({"Variable": "$.a", "NumericEqualsPath": "$.nope"}),
            json!({"a": 1}),
        )
        .unwrap_err();
        assert_eq!(e.error, "States.Runtime");
    }

    #[test]
    fn parse_errors() {
        for bad in [
            json!({"Variable": "$.x", "Next": "N"}),
            json!({"Variable": "$.x", "StringEquals": 1, "Next": "N"}),
            json!({"Variable": "$.x", "StringEquals": "a", "NumericEquals": 1, "Next": "N"}),
            json!({"Variable": "$.x", "Bogus": 1, "Next": "N"}),
            json!({"Variable": "$.x", "IsNullPath": "$.y", "Next": "N"}),
            json!({"Variable": "$.x", "TimestampEquals": "yesterday", "Next": "N"}),
            json!({"And": [], "Next": "N"}),
            json!({"And": [{"Variable": "$.x", "IsNull": true, "Next": "M"}], "Next": "N"}),
            json!({"Variable": "$.x", "StringEquals": "a"}),
        ] {
            assert!(parse_rule(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wildcards() {
        let cases = [
            ("log-*.txt", "log-.txt", true),
            ("*", "", true),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbY", false),
            ("a\\*b", "a*b", true),
            ("a\\*b", "aXb", false),
            ("a\\\\b", "a\\b", true),
            ("*.csv", "x.csv.bak", false),
        ];
        for (pattern, s, want) in cases {
            assert_eq!(string_matches(s, pattern), want, "{pattern} ~ {s}");
        }
    }
}
