//! The function library, by family: strings, numbers, aggregation and booleans, arrays,
//! objects, higher-order functions, date/time, and the functions Step Functions adds
//! (`$partition`, `$range`, `$hash`, `$random(seed)`, `$uuid`, `$parse`).
//!
//! Functions that default to the context (`$string()`, `Account.$uppercase(name)`) get the
//! context value as their first argument when they are called with fewer arguments than
//! they need, or when the first argument is not the type they expect — the rule of the
//! `-` in JSONata signatures.

pub mod aggregate;
pub mod array;
pub mod datetime;
pub mod higher;
pub mod numeric;
pub mod object;
pub mod states;
pub mod string;

use std::rc::Rc;

use super::error::{Error, Result};
use super::eval::Evaluator;
use super::value::Val;

/// Arguments as evaluated: `None` is undefined.
pub type Args = Vec<Option<Val>>;

/// A library function: its name, fewest and most arguments, and the type of its first
/// argument when it may default to the context (`'s'` string, `'n'` number, `'x'` any).
struct Def {
    name: &'static str,
    min: usize,
    max: usize,
    context: Option<char>,
}

const fn def(name: &'static str, min: usize, max: usize, context: Option<char>) -> Def {
    Def {
        name,
        min,
        max,
        context,
    }
}

const LIBRARY: &[Def] = &[
    def("string", 1, 2, Some('x')),
    def("length", 1, 1, Some('s')),
    def("substring", 2, 3, Some('s')),
    def("substringBefore", 2, 2, Some('s')),
    def("substringAfter", 2, 2, Some('s')),
    def("uppercase", 1, 1, Some('s')),
    def("lowercase", 1, 1, Some('s')),
    def("trim", 1, 1, Some('s')),
    def("pad", 2, 3, Some('s')),
    def("contains", 2, 2, Some('s')),
    def("split", 2, 3, Some('s')),
    def("join", 1, 2, None),
    def("match", 2, 3, Some('s')),
    def("replace", 3, 4, Some('s')),
    def("base64encode", 1, 1, Some('s')),
    def("base64decode", 1, 1, Some('s')),
    def("formatNumber", 2, 3, Some('n')),
    def("formatBase", 1, 2, Some('n')),
    def("number", 1, 1, Some('x')),
    def("abs", 1, 1, Some('n')),
    def("floor", 1, 1, Some('n')),
    def("ceil", 1, 1, Some('n')),
    def("round", 1, 2, Some('n')),
    def("power", 2, 2, Some('n')),
    def("sqrt", 1, 1, Some('n')),
    def("random", 0, 1, None),
    def("sum", 1, 1, None),
    def("max", 1, 1, None),
    def("min", 1, 1, None),
    def("average", 1, 1, None),
    def("count", 1, 1, None),
    def("boolean", 1, 1, Some('x')),
    def("not", 1, 1, Some('x')),
    def("exists", 1, 1, None),
    def("append", 2, 2, None),
    def("sort", 1, 2, None),
    def("reverse", 1, 1, None),
    def("shuffle", 1, 1, None),
    def("distinct", 1, 1, None),
    def("zip", 1, usize::MAX, None),
    def("keys", 1, 1, Some('x')),
    def("lookup", 2, 2, Some('x')),
    def("spread", 1, 1, Some('x')),
    def("merge", 1, 1, None),
    def("each", 2, 2, None),
    def("sift", 2, 2, None),
    def("type", 1, 1, None),
    def("error", 0, 1, None),
    def("assert", 1, 2, None),
    def("map", 2, 2, None),
    def("filter", 2, 2, None),
    def("reduce", 2, 3, None),
    def("single", 1, 2, None),
    def("now", 0, 2, None),
    def("millis", 0, 0, None),
    def("fromMillis", 1, 3, None),
    def("toMillis", 1, 2, Some('s')),
    def("partition", 2, 2, None),
    def("range", 3, 3, None),
    def("hash", 2, 2, None),
    def("uuid", 0, 0, None),
    def("parse", 1, 1, None),
];

/// The library function called `name`, if there is one.
pub fn builtin(name: &str) -> Option<&'static str> {
    LIBRARY.iter().find(|d| d.name == name).map(|d| d.name)
}

fn matches_type(v: &Option<Val>, t: char) -> bool {
    matches!(
        (v, t),
        (_, 'x') | (Some(Val::Str(_)), 's') | (Some(Val::Num(_)), 'n') | (None, _)
    )
}

/// Calls the library function `name`.
pub fn call(
    ev: &Evaluator<'_>,
    name: &str,
    mut args: Args,
    input: &Option<Val>,
) -> Result<Option<Val>> {
    let d = LIBRARY
        .iter()
        .find(|d| d.name == name)
        .ok_or_else(|| Error::eval("T1006", format!("${name} is not a function")))?;
    if let Some(t) = d.context
        && (args.len() < d.min || (args.len() < d.max && !matches_type(&args[0], t)))
    {
        args.insert(0, input.clone());
    }
    if args.len() > d.max {
        return Err(Error::eval(
            "T0410",
            format!(
                "${name} takes at most {} argument{}, got {}",
                d.max,
                if d.max == 1 { "" } else { "s" },
                args.len()
            ),
        ));
    }
    while args.len() < d.max.min(8) {
        args.push(None);
    }
    match name {
        "string" | "length" | "substring" | "substringBefore" | "substringAfter" | "uppercase"
        | "lowercase" | "trim" | "pad" | "contains" | "split" | "join" | "match" | "replace"
        | "base64encode" | "base64decode" => string::call(ev, name, &args),
        "formatNumber" | "formatBase" | "number" | "abs" | "floor" | "ceil" | "round" | "power"
        | "sqrt" | "random" => numeric::call(ev, name, &args),
        "sum" | "max" | "min" | "average" | "count" | "boolean" | "not" | "exists" => {
            aggregate::call(ev, name, &args)
        }
        "append" | "sort" | "reverse" | "shuffle" | "distinct" | "zip" => {
            array::call(ev, name, &args)
        }
        "keys" | "lookup" | "spread" | "merge" | "each" | "sift" | "type" | "error" | "assert" => {
            object::call(ev, name, &args)
        }
        "map" | "filter" | "reduce" | "single" => higher::call(ev, name, &args),
        "now" | "millis" | "fromMillis" | "toMillis" => datetime::call(ev, name, &args),
        _ => states::call(ev, name, &args),
    }
}

/// A type error naming the function and argument.
pub fn bad_arg(func: &str, n: usize, want: &str) -> Error {
    Error::eval(
        "T0410",
        format!("argument {n} of function ${func} must be {want}"),
    )
}

/// Argument `i` as a string (undefined stays `None`).
pub fn str_arg(args: &[Option<Val>], i: usize, func: &str) -> Result<Option<Rc<str>>> {
    match args.get(i).cloned().flatten() {
        None => Ok(None),
        Some(Val::Str(s)) => Ok(Some(s)),
        Some(_) => Err(bad_arg(func, i + 1, "a string")),
    }
}

/// Argument `i` as a number.
pub fn num_arg(args: &[Option<Val>], i: usize, func: &str) -> Result<Option<f64>> {
    match args.get(i).cloned().flatten() {
        None => Ok(None),
        Some(Val::Num(n)) => Ok(Some(n)),
        Some(_) => Err(bad_arg(func, i + 1, "a number")),
    }
}

/// Argument `i` as an array (a single value is an array of one).
pub fn arr_arg(args: &[Option<Val>], i: usize) -> Option<Vec<Val>> {
    match args.get(i).cloned().flatten() {
        None => None,
        Some(Val::Arr(a, _)) => Some(a.to_vec()),
        Some(v) => Some(vec![v]),
    }
}

/// Argument `i` as a function.
pub fn func_arg(args: &[Option<Val>], i: usize, func: &str) -> Result<Val> {
    match args.get(i).cloned().flatten() {
        Some(f) if f.is_function() => Ok(f),
        _ => Err(bad_arg(func, i + 1, "a function")),
    }
}

/// Calls `f` with as many of `args` as it takes (higher-order functions pass the value, the
/// index and the whole array).
pub fn call_with(ev: &Evaluator<'_>, f: &Val, args: Vec<Option<Val>>) -> Result<Option<Val>> {
    let arity = match f {
        Val::Func(func) => func.arity(),
        _ => 1,
    };
    let args: Vec<Option<Val>> = args.into_iter().take(arity.max(1)).collect();
    ev.apply(f, args)
}
