//! Values of the JSONata evaluator: JSON plus functions and regexes, with the flags that give
//! JSONata its sequence semantics (a path result of one item is that item; an array built
//! with `[...]` is never flattened; `a[]` keeps a singleton array).

use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::{Number, Value};

use super::ast::Node;
use super::error::{Error, Result};

/// An ordered JSON object.
pub type Obj = IndexMap<String, Val>;

/// How an array came to be; decides flattening and singleton collapse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// A result sequence (collapses to its only item).
    pub seq: bool,
    /// Built by an array constructor (not flattened by a path step).
    pub cons: bool,
    /// Marked by `[]`: kept as an array even with one item.
    pub keep: bool,
    /// Nesting depth (1 + the deepest item), so deep nesting is caught without a walk.
    pub depth: u32,
}

/// The deepest nesting of arrays and objects a value may reach: dropping, comparing and
/// converting values recurse, and must not overflow the stack of a Map iteration's thread.
pub const MAX_VALUE_DEPTH: u32 = 1000;

/// A JSONata value. `undefined` is `Option::None` at the use sites.
#[derive(Debug, Clone)]
pub enum Val {
    /// `null`.
    Null,
    /// `true`/`false`.
    Bool(bool),
    /// A number (always finite).
    Num(f64),
    /// A string.
    Str(Rc<str>),
    /// An array or sequence.
    Arr(Rc<Vec<Val>>, Flags),
    /// An object.
    Obj(Rc<Obj>),
    /// A function value.
    Func(Rc<Func>),
    /// A regex literal (`/.../flags`).
    Regex(Arc<regex::Regex>),
}

/// A function value.
#[derive(Debug)]
pub enum Func {
    /// `function($a, $b) { body }` with the scope it closes over.
    Lambda {
        /// Parameter names, without `$`.
        params: Vec<String>,
        /// The body.
        body: Arc<Node>,
        /// The scope where the lambda was defined.
        env: Rc<super::eval::Scope>,
        /// The context value (`$`) at definition.
        input: Option<Val>,
    },
    /// A function of the library, by name.
    Builtin(&'static str),
    /// `$f(?, 2)`: a function with some arguments fixed.
    Partial {
        /// The function.
        func: Val,
        /// Fixed arguments; `None` are the placeholders, filled in order.
        args: Vec<Option<Val>>,
    },
    /// `| location | update, delete |`, with the scope it was written in.
    Transform {
        /// Selects the objects to change.
        pattern: Arc<Node>,
        /// Evaluated on each selected object: the fields to set.
        update: Arc<Node>,
        /// Evaluated on each selected object: the keys to remove.
        delete: Option<Arc<Node>>,
        /// The scope where the transform was written.
        env: Rc<super::eval::Scope>,
    },
    /// `$f ~> $g`: applies `first`, then `then`.
    Chain {
        /// Applied first.
        first: Val,
        /// Applied to the first's result.
        then: Val,
    },
}

impl Func {
    /// How many arguments a higher-order function should pass to this function.
    pub fn arity(&self) -> usize {
        match self {
            Func::Lambda { params, .. } => params.len(),
            Func::Builtin(_) => 1,
            Func::Partial { args, .. } => args.iter().filter(|a| a.is_none()).count(),
            Func::Chain { .. } | Func::Transform { .. } => 1,
        }
    }
}

impl Val {
    /// A string value.
    pub fn str(s: impl Into<Rc<str>>) -> Self {
        Val::Str(s.into())
    }

    /// A number; NaN and infinities are a D1001 error, as in JSONata.
    pub fn num(n: f64) -> Result<Self> {
        if n.is_finite() {
            Ok(Val::Num(n))
        } else {
            Err(Error::eval(
                "D1001",
                "number out of range (the result is not a finite number)",
            ))
        }
    }

    /// A plain array (not a sequence).
    pub fn array(items: Vec<Val>) -> Self {
        let depth = 1 + items.iter().map(Val::depth).max().unwrap_or(0);
        Val::Arr(
            Rc::new(items),
            Flags {
                depth,
                ..Flags::default()
            },
        )
    }

    /// A result sequence.
    pub fn seq(items: Vec<Val>) -> Self {
        let depth = 1 + items.iter().map(Val::depth).max().unwrap_or(0);
        Val::Arr(
            Rc::new(items),
            Flags {
                seq: true,
                depth,
                ..Flags::default()
            },
        )
    }

    /// How deeply arrays and objects nest in this value (0 for scalars). Arrays know theirs;
    /// objects are walked down to their arrays, stopping past [`MAX_VALUE_DEPTH`].
    pub fn depth(&self) -> u32 {
        fn obj(o: &Obj, budget: u32) -> u32 {
            if budget == 0 {
                return u32::MAX / 2;
            }
            1 + o
                .values()
                .map(|v| match v {
                    Val::Obj(inner) => obj(inner, budget - 1),
                    other => other.depth(),
                })
                .max()
                .unwrap_or(0)
        }
        match self {
            Val::Arr(_, f) => f.depth,
            Val::Obj(o) => obj(o, MAX_VALUE_DEPTH + 1),
            _ => 0,
        }
    }

    /// An error when the value nests deeper than [`MAX_VALUE_DEPTH`].
    pub fn check_depth(&self) -> Result<()> {
        if self.depth() > MAX_VALUE_DEPTH {
            return Err(Error::Limit {
                what: "value nesting depth",
                limit: MAX_VALUE_DEPTH as usize,
            });
        }
        Ok(())
    }

    /// An object.
    pub fn object(o: Obj) -> Self {
        Val::Obj(Rc::new(o))
    }

    /// The items of an array value.
    pub fn as_array(&self) -> Option<&[Val]> {
        match self {
            Val::Arr(a, _) => Some(a),
            _ => None,
        }
    }

    /// True for arrays and sequences.
    pub fn is_array(&self) -> bool {
        matches!(self, Val::Arr(..))
    }

    /// The flags of an array (default for other values).
    pub fn flags(&self) -> Flags {
        match self {
            Val::Arr(_, f) => *f,
            _ => Flags::default(),
        }
    }

    /// The JSONata type name, as `$type` returns it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "boolean",
            Val::Num(_) => "number",
            Val::Str(_) => "string",
            Val::Arr(..) => "array",
            Val::Obj(_) => "object",
            Val::Func(_) | Val::Regex(_) => "function",
        }
    }

    /// Converts JSON into a value.
    pub fn from_json(v: &Value) -> Self {
        match v {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Num(n.as_f64().unwrap_or(0.0)),
            Value::String(s) => Val::str(s.as_str()),
            Value::Array(a) => Val::array(a.iter().map(Val::from_json).collect()),
            Value::Object(o) => Val::object(
                o.iter()
                    .map(|(k, v)| (k.clone(), Val::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Converts into JSON: functions are dropped from arrays and objects (and are `""` at
    /// the top), as `JSON.stringify` does.
    pub fn to_json(&self) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(*b),
            Val::Num(n) => num_to_json(*n),
            Val::Str(s) => Value::String(s.to_string()),
            Val::Arr(a, _) => Value::Array(
                a.iter()
                    .filter(|v| !v.is_function())
                    .map(Val::to_json)
                    .collect(),
            ),
            Val::Obj(o) => Value::Object(
                o.iter()
                    .filter(|(_, v)| !v.is_function())
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
            Val::Func(_) | Val::Regex(_) => Value::String(String::new()),
        }
    }

    /// True for functions and regexes.
    pub fn is_function(&self) -> bool {
        matches!(self, Val::Func(_) | Val::Regex(_))
    }
}

/// A number as JSON: integral values within ±2^53 become integers.
pub fn num_to_json(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        Value::Number(Number::from(n as i64))
    } else {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// Deep equality as JSONata's `=` defines it.
pub fn deep_equal(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Null, Val::Null) => true,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Num(x), Val::Num(y)) => x == y,
        (Val::Str(x), Val::Str(y)) => x == y,
        (Val::Arr(x, _), Val::Arr(y, _)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| deep_equal(a, b))
        }
        (Val::Obj(x), Val::Obj(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        (Val::Func(x), Val::Func(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

/// JSONata's boolean cast (`$boolean`): `None` for functions-only arrays stays `false`.
pub fn truthy(v: &Val) -> bool {
    match v {
        Val::Null => false,
        Val::Bool(b) => *b,
        Val::Num(n) => *n != 0.0,
        Val::Str(s) => !s.is_empty(),
        Val::Arr(a, _) => a.iter().any(truthy),
        Val::Obj(o) => !o.is_empty(),
        Val::Func(_) | Val::Regex(_) => false,
    }
}

/// Formats a number as JavaScript does after rounding to 15 significant digits (what
/// `$string` produces).
pub fn format_number(n: f64) -> String {
    if n == 0.0 {
        return "0".into();
    }
    // 15 significant digits, then the shortest representation of that.
    let rounded: f64 = format!("{n:.14e}").parse().unwrap_or(n);
    let abs = rounded.abs();
    if rounded.fract() == 0.0 && abs < 1e21 {
        return format!("{rounded:.0}");
    }
    if !(1e-6..1e21).contains(&abs) {
        // JavaScript switches to exponent notation: 1e-7, 1.5e+21.
        let s = format!("{rounded:e}");
        return match s.split_once('e') {
            Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
            _ => s,
        };
    }
    format!("{rounded}")
}

/// The JSON text of a value, as `$string` gives it for arrays and objects (numbers rounded to
/// 15 significant digits, functions as `""`).
pub fn stringify(v: &Val, pretty: bool) -> String {
    fn clean(v: &Val) -> Value {
        match v {
            Val::Num(n) => {
                let s = format_number(*n);
                s.parse::<Number>()
                    .ok()
                    .map(Value::Number)
                    .unwrap_or_else(|| num_to_json(*n))
            }
            Val::Arr(a, _) => Value::Array(a.iter().map(clean).collect()),
            Val::Obj(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), clean(v))).collect()),
            other => other.to_json(),
        }
    }
    let j = clean(v);
    if pretty {
        serde_json::to_string_pretty(&j).unwrap_or_default()
    } else {
        j.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_format_like_javascript() {
        assert_eq!(format_number(1.0), "1");
        assert_eq!(format_number(-2.5), "-2.5");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(1e21), "1e+21");
        assert_eq!(format_number(1e-7), "1e-7");
        assert_eq!(format_number(123456789012.0), "123456789012");
    }

    #[test]
    fn json_round_trip_keeps_order_and_integers() {
        let j = json!({"b": 1, "a": [1.5, null, true, "x"]});
        assert_eq!(Val::from_json(&j).to_json(), j);
        assert_eq!(
            serde_json::to_string(&Val::from_json(&j).to_json()).unwrap(),
            r#"{"b":1,"a":[1.5,null,true,"x"]}"#
        );
    }

    #[test]
    fn truthiness_follows_the_boolean_cast() {
        for (v, want) in [
            (json!(0), false),
            (json!(""), false),
            (json!([]), false),
            (json!([0, ""]), false),
            (json!([0, 1]), true),
            (json!({}), false),
            (json!({"a": 1}), true),
            (json!(null), false),
            (json!("0"), true),
        ] {
            assert_eq!(truthy(&Val::from_json(&v)), want, "{v}");
        }
    }
}
