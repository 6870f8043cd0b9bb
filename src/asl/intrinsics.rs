//! Intrinsic functions (`States.Format(...)`, `States.ArrayPartition(...)`, ...).
//!
//! The call text is parsed once, when the definition is loaded, into a small tree: AWS rejects
//! malformed intrinsics at `CreateStateMachine`, so we report them as definition errors too.
//! Evaluation failures (wrong argument types, bad base64, ...) raise
//! `States.IntrinsicFailure` at run time.
//!
//! Grammar (ASL spec, "Intrinsic Functions", <https://states-language.net/spec.html#intrinsic-functions>):
//! a name made of `A-Za-z0-9._`, then `(`, then zero or more comma-separated arguments, then
//! `)`. An argument is a `'string'` (with `\'`, `\{`, `\}`, `\\` escapes; any other backslash
//! is an error), a number, `null`, `true`/`false`, a Path (`$...` or `$$...`), or a nested call.

use base64::Engine as _;
use serde_json::{Map, Number, Value};

use super::context::ContextObject;
use super::error::{ExprError, StatesError, names};
use super::path::{Path, Root, type_name};

/// The longest string States.Base64Encode/Decode and States.Hash accept.
const MAX_INTRINSIC_STRING: usize = 10_000;
/// The most items States.ArrayRange may produce.
const MAX_RANGE_ITEMS: i64 = 1_000;
/// AWS allows at most 10 nested intrinsics in one field.
const MAX_NESTING: usize = 10;

/// One argument of an intrinsic call.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A quoted string: `decoded` has the escapes resolved, `raw` keeps them, because
    /// States.Format must tell an escaped `\{` from a placeholder `{}`.
    Str {
        /// The value with escapes resolved.
        decoded: String,
        /// The text between the quotes, escapes included.
        raw: String,
    },
    /// A number literal.
    Number(Number),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A path into the payload input (`$`) or the context object (`$$`).
    Path(Path),
    /// A nested intrinsic.
    Call(Box<Call>),
}

/// A parsed intrinsic call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The function name, e.g. `States.Format`.
    pub name: String,
    /// The arguments, in order.
    pub args: Vec<Arg>,
}

/// A compiled intrinsic function expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Intrinsic {
    text: String,
    call: Call,
}

impl Intrinsic {
    /// Parses and checks an intrinsic call (known function, argument count).
    pub fn parse(text: &str) -> Result<Self, ExprError> {
        let mut p = Parser {
            chars: text.chars().collect(),
            pos: 0,
            depth: 0,
        };
        p.skip_ws();
        let call = p.call()?;
        p.skip_ws();
        if p.pos != p.chars.len() {
            return Err(ExprError(format!(
                "unexpected text after the call at offset {} in {text:?}",
                p.pos
            )));
        }
        Ok(Self {
            text: text.to_string(),
            call,
        })
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parsed call.
    pub fn call(&self) -> &Call {
        &self.call
    }

    /// True when some argument reads the context object.
    pub fn uses_context(&self) -> bool {
        fn walk(c: &Call) -> bool {
            c.args.iter().any(|a| match a {
                Arg::Path(p) => p.root() == Root::Context,
                Arg::Call(c) => walk(c),
                _ => false,
            })
        }
        walk(&self.call)
    }

    /// Evaluates the call; `input` is what `$` refers to.
    pub fn eval(&self, input: &Value, ctx: &ContextObject<'_>) -> Result<Value, StatesError> {
        eval_call(&self.call, input, ctx).map_err(|m| {
            StatesError::new(
                names::INTRINSIC_FAILURE,
                format!("Invalid arguments in {}: {m}", self.text),
            )
        })
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn skip_ws(&mut self) {
        while self.pos < self.chars.len() && self.chars[self.pos].is_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn err<T>(&self, msg: &str) -> Result<T, ExprError> {
        let text: String = self.chars.iter().collect();
        Err(ExprError(format!(
            "{msg} at offset {} in {:?}",
            self.pos,
            crate::asl::template::truncate(&text)
        )))
    }

    fn call(&mut self) -> Result<Call, ExprError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return self.err(
                "more than 10 nested intrinsic functions (AWS's limit; hint: compute the inner calls in an earlier state)",
            );
        }
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                self.pos += 1;
            } else {
                break;
            }
        }
        let name: String = self.chars[start..self.pos].iter().collect();
        if name.is_empty() {
            return self.err("expected an intrinsic function name");
        }
        self.skip_ws();
        if self.peek() != Some('(') {
            return self.err(&format!("expected '(' after {name}"));
        }
        self.pos += 1;
        let mut args = Vec::new();
        self.skip_ws();
        if self.peek() == Some(')') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                args.push(self.arg()?);
                self.skip_ws();
                match self.peek() {
                    Some(',') => self.pos += 1,
                    Some(')') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return self.err("expected ',' or ')'"),
                }
            }
        }
        check_signature(&name, &args).map_err(|m| ExprError(format!("{name}: {m}")))?;
        self.depth -= 1;
        Ok(Call { name, args })
    }

    fn arg(&mut self) -> Result<Arg, ExprError> {
        match self.peek() {
            Some('\'') => self.string(),
            Some('$') => self.path(),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            Some(c) if c.is_ascii_alphabetic() => {
                let save = self.pos;
                let mut word = String::new();
                while let Some(c) = self.peek() {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                        word.push(c);
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                let literal = match word.as_str() {
                    "null" => Some(Arg::Null),
                    "true" => Some(Arg::Bool(true)),
                    "false" => Some(Arg::Bool(false)),
                    _ => None,
                };
                self.skip_ws();
                match literal {
                    Some(a) if self.peek() != Some('(') => Ok(a),
                    _ => {
                        self.pos = save;
                        Ok(Arg::Call(Box::new(self.call()?)))
                    }
                }
            }
            _ => self.err("expected an argument"),
        }
    }

    fn string(&mut self) -> Result<Arg, ExprError> {
        self.pos += 1; // opening quote
        let mut decoded = String::new();
        let mut raw = String::new();
        loop {
            match self.peek() {
                None => return self.err("unterminated string"),
                Some('\'') => {
                    self.pos += 1;
                    return Ok(Arg::Str { decoded, raw });
                }
                Some('\\') => {
                    let Some(next) = self.chars.get(self.pos + 1).copied() else {
                        return self.err("open escape backslash");
                    };
                    if !matches!(next, '\'' | '{' | '}' | '\\') {
                        return self.err(&format!("invalid escape \\{next}"));
                    }
                    raw.push('\\');
                    raw.push(next);
                    decoded.push(next);
                    self.pos += 2;
                }
                Some(c) => {
                    raw.push(c);
                    decoded.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn path(&mut self) -> Result<Arg, ExprError> {
        // A path runs until a ',' or ')' that is not nested inside brackets, parentheses or
        // quotes, so filters like $.a[?(@.b == 'x, y')] stay whole.
        let start = self.pos;
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek() {
            if let Some(q) = quote {
                if c == '\\' {
                    self.pos += 1;
                } else if c == q {
                    quote = None;
                }
                self.pos += 1;
                continue;
            }
            match c {
                '\'' | '"' => quote = Some(c),
                '[' | '(' => depth += 1,
                ']' => depth = depth.saturating_sub(1),
                ')' if depth == 0 => break,
                ')' => depth -= 1,
                ',' if depth == 0 => break,
                _ => {}
            }
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        Ok(Arg::Path(Path::parse(text.trim())?))
    }

    fn number(&mut self) -> Result<Arg, ExprError> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E') {
                self.pos += 1;
            } else {
                break;
            }
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        match serde_json::from_str::<Number>(&text) {
            Ok(n) => Ok(Arg::Number(n)),
            Err(_) => self.err(&format!("invalid number {text:?}")),
        }
    }
}

/// Argument counts, checked when the definition is loaded.
fn check_signature(name: &str, args: &[Arg]) -> Result<(), String> {
    let n = args.len();
    let ok = match name {
        "States.Format" => n >= 1,
        "States.Array" => true,
        "States.UUID" => n == 0,
        "States.StringToJson"
        | "States.JsonToString"
        | "States.ArrayLength"
        | "States.ArrayUnique"
        | "States.Base64Encode"
        | "States.Base64Decode" => n == 1,
        "States.ArrayPartition"
        | "States.ArrayContains"
        | "States.ArrayGetItem"
        | "States.Hash"
        | "States.MathAdd"
        | "States.StringSplit" => n == 2,
        "States.ArrayRange" | "States.JsonMerge" => n == 3,
        "States.MathRandom" => n == 2 || n == 3,
        _ => return Err("unknown intrinsic function".into()),
    };
    if !ok {
        return Err(format!("wrong number of arguments ({n})"));
    }
    if name == "States.Format" && !matches!(args[0], Arg::Str { .. } | Arg::Path(_) | Arg::Call(_))
    {
        return Err("the first argument must be a string".into());
    }
    if name == "States.JsonToString" && !matches!(args[0], Arg::Path(_)) {
        return Err("the argument must be a Path".into());
    }
    Ok(())
}

fn eval_arg(arg: &Arg, input: &Value, ctx: &ContextObject<'_>) -> Result<Value, String> {
    Ok(match arg {
        Arg::Str { decoded, .. } => Value::String(decoded.clone()),
        Arg::Number(n) => Value::Number(n.clone()),
        Arg::Bool(b) => Value::Bool(*b),
        Arg::Null => Value::Null,
        Arg::Path(p) => p.select_in(input, ctx).ok_or_else(|| {
            format!(
                "the JSONPath {} could not be found in the input",
                p.as_str()
            )
        })?,
        Arg::Call(c) => eval_call(c, input, ctx)?,
    })
}

fn eval_call(call: &Call, input: &Value, ctx: &ContextObject<'_>) -> Result<Value, String> {
    // States.Format needs the raw literal of its template, so it evaluates its own arguments.
    if call.name == "States.Format" {
        let template = match &call.args[0] {
            Arg::Str { raw, .. } => raw.clone(),
            other => match eval_arg(other, input, ctx)? {
                Value::String(s) => s,
                v => {
                    return Err(format!(
                        "the template must be a string, not a {}",
                        type_name(&v)
                    ));
                }
            },
        };
        let values = call.args[1..]
            .iter()
            .map(|a| eval_arg(a, input, ctx))
            .collect::<Result<Vec<_>, _>>()?;
        return format(&template, &values).map(Value::String);
    }
    let args = call
        .args
        .iter()
        .map(|a| eval_arg(a, input, ctx))
        .collect::<Result<Vec<_>, _>>()?;
    match call.name.as_str() {
        "States.Array" => Ok(Value::Array(args)),
        "States.UUID" => Ok(Value::String(uuid::Uuid::new_v4().to_string())),
        "States.StringToJson" => {
            let s = string_arg(&args[0], "the argument")?;
            // AWS answers null for an empty or blank string instead of failing.
            if s.trim().is_empty() {
                return Ok(Value::Null);
            }
            serde_json::from_str(s).map_err(|e| format!("the string is not JSON: {e}"))
        }
        "States.JsonToString" => Ok(Value::String(args[0].to_string())),
        "States.ArrayPartition" => {
            let items = array_arg(&args[0], "the first argument")?;
            let size = int_arg(&args[1], "the chunk size")?;
            if size <= 0 {
                return Err("the chunk size must be a positive integer".into());
            }
            Ok(Value::Array(
                items
                    .chunks(size as usize)
                    .map(|c| Value::Array(c.to_vec()))
                    .collect(),
            ))
        }
        "States.ArrayContains" => {
            let items = array_arg(&args[0], "the first argument")?;
            Ok(Value::Bool(items.contains(&args[1])))
        }
        "States.ArrayRange" => {
            let start = int_arg(&args[0], "the start")?;
            let end = int_arg(&args[1], "the end")?;
            let step = int_arg(&args[2], "the step")?;
            if step == 0 {
                return Err("the step must not be zero".into());
            }
            // In i128: `end - start` of two i64s overflows i64 (found by tests/fuzz). The items
            // lie between start and end, so each fits an i64 again.
            let (span, step) = (end as i128 - start as i128, step as i128);
            let count = if span.signum() * step.signum() < 0 {
                0
            } else {
                span / step + 1
            };
            if count > MAX_RANGE_ITEMS as i128 {
                return Err(format!("the range has {count} items, more than 1000"));
            }
            Ok(Value::Array(
                (0..count)
                    .map(|i| Value::from((start as i128 + i * step) as i64))
                    .collect(),
            ))
        }
        "States.ArrayGetItem" => {
            let items = array_arg(&args[0], "the first argument")?;
            let idx = int_arg(&args[1], "the index")?;
            usize::try_from(idx)
                .ok()
                .and_then(|i| items.get(i))
                .cloned()
                .ok_or_else(|| format!("index {idx} is outside an array of {}", items.len()))
        }
        "States.ArrayLength" => Ok(Value::from(array_arg(&args[0], "the argument")?.len())),
        "States.ArrayUnique" => {
            let items = array_arg(&args[0], "the argument")?;
            let mut out: Vec<Value> = Vec::with_capacity(items.len());
            for v in items {
                if !out.contains(v) {
                    out.push(v.clone());
                }
            }
            Ok(Value::Array(out))
        }
        "States.Base64Encode" => {
            let s = string_arg(&args[0], "the argument")?;
            check_len(s)?;
            Ok(Value::String(
                base64::engine::general_purpose::STANDARD.encode(s.as_bytes()),
            ))
        }
        "States.Base64Decode" => {
            let s = string_arg(&args[0], "the argument")?;
            check_len(s)?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(s.as_bytes())
                .map_err(|e| format!("invalid base64: {e}"))?;
            String::from_utf8(bytes)
                .map(Value::String)
                .map_err(|_| "the decoded data is not UTF-8 text".to_string())
        }
        "States.Hash" => {
            let data = match &args[0] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            check_len(&data)?;
            let alg = string_arg(&args[1], "the algorithm")?;
            hash(alg, data.as_bytes()).map(Value::String)
        }
        "States.JsonMerge" => {
            let (Value::Object(a), Value::Object(b)) = (&args[0], &args[1]) else {
                return Err("the first two arguments must be objects".into());
            };
            let Value::Bool(deep) = args[2] else {
                return Err("the third argument must be a boolean".into());
            };
            let mut merged = a.clone();
            merge(&mut merged, b, deep);
            Ok(Value::Object(merged))
        }
        "States.MathRandom" => {
            let start = int_arg(&args[0], "the start")?;
            let end = int_arg(&args[1], "the end")?;
            if end <= start {
                return Err("the end must be greater than the start".into());
            }
            let n = match args.get(2) {
                Some(seed) => {
                    let seed = int_arg(seed, "the seed")?;
                    fastrand::Rng::with_seed(seed as u64).i64(start..end)
                }
                None => fastrand::i64(start..end),
            };
            Ok(Value::from(n))
        }
        "States.MathAdd" => {
            let a = rounded_int_arg(&args[0], "the first argument")?;
            let b = rounded_int_arg(&args[1], "the second argument")?;
            a.checked_add(b)
                .map(Value::from)
                .ok_or_else(|| "the sum overflows".to_string())
        }
        "States.StringSplit" => {
            let s = string_arg(&args[0], "the first argument")?;
            let delims = string_arg(&args[1], "the delimiter")?;
            // Each character of the delimiter separates, and empty pieces are dropped, like
            // Java's StringTokenizer (the service is a Java one).
            Ok(Value::Array(
                s.split(|c| delims.contains(c))
                    .filter(|p| !p.is_empty())
                    .map(|p| Value::String(p.to_string()))
                    .collect(),
            ))
        }
        other => Err(format!("unknown intrinsic function {other}")),
    }
}

fn format(template: &str, values: &[Value]) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    let mut next = 0;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) => out.push(e),
                None => return Err("open escape backslash in the template".into()),
            },
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                let v = values
                    .get(next)
                    .ok_or("more {} placeholders than arguments")?;
                next += 1;
                java_string(v, &mut out);
            }
            c => out.push(c),
        }
    }
    if next != values.len() {
        return Err(format!(
            "{} arguments for {next} {{}} placeholders",
            values.len()
        ));
    }
    Ok(out)
}

/// Appends `v` as the Java service prints it with `toString()`: strings without quotes, objects
/// as `{k=v, k2=v2}` and arrays as `[a, b]`, nested the same way (an object argument of
/// States.Format gives `{Arg1=1, Arg2=[]}`).
fn java_string(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                java_string(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                java_string(item, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn merge(into: &mut Map<String, Value>, from: &Map<String, Value>, deep: bool) {
    for (k, v) in from {
        match (into.get_mut(k), v) {
            (Some(Value::Object(a)), Value::Object(b)) if deep => merge(a, b, true),
            _ => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

/// The digest of `data` as lowercase hex; `States.Hash` and JSONata's `$hash` share it.
pub(crate) fn hash(alg: &str, data: &[u8]) -> Result<String, String> {
    use sha2::Digest as _;
    let bytes: Vec<u8> = match alg {
        "MD5" => md5::Md5::digest(data).to_vec(),
        "SHA-1" => sha1::Sha1::digest(data).to_vec(),
        "SHA-256" => sha2::Sha256::digest(data).to_vec(),
        "SHA-384" => sha2::Sha384::digest(data).to_vec(),
        "SHA-512" => sha2::Sha512::digest(data).to_vec(),
        other => {
            return Err(format!(
                "unknown hash algorithm {other:?} (MD5, SHA-1, SHA-256, SHA-384, SHA-512)"
            ));
        }
    };
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn check_len(s: &str) -> Result<(), String> {
    if s.chars().count() > MAX_INTRINSIC_STRING {
        return Err("the string is longer than 10,000 characters".into());
    }
    Ok(())
}

fn string_arg<'a>(v: &'a Value, what: &str) -> Result<&'a str, String> {
    v.as_str()
        .ok_or_else(|| format!("{what} must be a string, not a {}", type_name(v)))
}

fn array_arg<'a>(v: &'a Value, what: &str) -> Result<&'a Vec<Value>, String> {
    v.as_array()
        .ok_or_else(|| format!("{what} must be an array, not a {}", type_name(v)))
}

/// A number rounded to the nearest integer, halves up (Java's `Math.round`: 2.5 → 3,
/// -2.5 → -2), as States.MathAdd does with non-integer arguments.
fn rounded_int_arg(v: &Value, what: &str) -> Result<i64, String> {
    if let Some(i) = v.as_i64() {
        return Ok(i);
    }
    match v.as_f64() {
        Some(f) if f.is_finite() && f.abs() < 9.0e15 => Ok((f + 0.5).floor() as i64),
        _ => Err(format!("{what} must be a number, not {v}")),
    }
}

fn int_arg(v: &Value, what: &str) -> Result<i64, String> {
    if let Some(i) = v.as_i64() {
        return Ok(i);
    }
    match v.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        _ => Err(format!("{what} must be an integer, not {v}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asl::context::ExecutionInfo;
    use serde_json::json;
    use std::time::UNIX_EPOCH;

    fn eval(expr: &str, input: Value) -> Result<Value, StatesError> {
        let exec = ExecutionInfo::local("sm", "x", json!({}), UNIX_EPOCH);
        let ctx = ContextObject::new(&exec, "S", "t", 0);
        Intrinsic::parse(expr).unwrap().eval(&input, &ctx)
    }

    // Every expected value below is the example output of Appendix B of the ASL specification,
    // https://states-language.net/spec.html#appendix-b (the same examples appear in
    // https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).
    #[test]
    fn spec_appendix_b_examples() {
        let cases: Vec<(&str, Value, Value)> = vec![
            (
                "States.Format('Your name is {}, we are in the year {}', $.name, 2020)",
                json!({"name": "Foo", "zebra": "stripe"}),
                json!("Your name is Foo, we are in the year 2020"),
            ),
            (
                "States.StringToJson($.someString)",
                json!({"someString": "{\"number\": 20}", "zebra": "stripe"}),
                json!({"number": 20}),
            ),
            (
                "States.JsonToString($.someJson)",
                json!({"someJson": {"name": "Foo", "year": 2020}, "zebra": "stripe"}),
                json!("{\"name\":\"Foo\",\"year\":2020}"),
            ),
            (
                "States.Array('Foo', 2020, $.someJson, null)",
                json!({"someJson": {"random": "abcdefg"}, "zebra": "stripe"}),
                json!(["Foo", 2020, {"random": "abcdefg"}, null]),
            ),
            (
                "States.ArrayPartition($.inputArray,4)",
                json!({"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]}),
                json!([[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
            ),
            (
                "States.ArrayContains($.inputArray, $.lookingFor)",
                json!({"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "lookingFor": 5}),
                json!(true),
            ),
            (
                "States.ArrayRange(1, 9, 2)",
                json!({}),
                json!([1, 3, 5, 7, 9]),
            ),
            (
                "States.ArrayGetItem($.inputArray, $.index)",
                json!({"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "index": 5}),
                json!(6),
            ),
            (
                "States.ArrayLength($.inputArray)",
                json!({"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]}),
                json!(9),
            ),
            (
                "States.ArrayUnique($.inputArray)",
                json!({"inputArray": [1, 2, 3, 3, 3, 3, 3, 3, 4]}),
                json!([1, 2, 3, 4]),
            ),
            (
                "States.Base64Encode($.input)",
                json!({"input": "Data to encode"}),
                json!("RGF0YSB0byBlbmNvZGU="),
            ),
            // The spec's decode example prints "Decoded data", which is not what its input
            // decodes to; the round trip of the encode example is what holds.
            (
                "States.Base64Decode($.base64)",
                json!({"base64": "RGF0YSB0byBlbmNvZGU="}),
                json!("Data to encode"),
            ),
            // The spec prints 39 hex digits ("aaff4a450a104cd177d28d18d7485e8cae074b7"): a '4'
            // is missing after "d7". The real SHA-1 of "input data" is the 40 digits below.
            (
                "States.Hash($.Data, $.Algorithm)",
                json!({"Data": "input data", "Algorithm": "SHA-1"}),
                json!("aaff4a450a104cd177d28d18d74485e8cae074b7"),
            ),
            (
                "States.JsonMerge($.json1, $.json2, false)",
                json!({"json1": {"a": {"a1": 1, "a2": 2}, "b": 2},
                       "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}}),
                json!({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3}),
            ),
            (
                "States.MathAdd($.value1, $.step)",
                json!({"value1": 111, "step": -1}),
                json!(110),
            ),
            (
                "States.StringSplit($.inputString, $.splitter)",
                json!({"inputString": "1,2,3,4,5", "splitter": ","}),
                json!(["1", "2", "3", "4", "5"]),
            ),
        ];
        for (expr, input, want) in cases {
            assert_eq!(eval(expr, input).unwrap(), want, "{expr}");
        }
    }

    // https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html:
    // "States.Format('Hello, my name is {}.', $.name)" and "States.Format($.template, $.name)"
    // both give "Hello, my name is Arnav."
    #[test]
    fn format_with_literal_or_path_template() {
        let input = json!({"name": "Arnav", "template": "Hello, my name is {}."});
        for expr in [
            "States.Format('Hello, my name is {}.', $.name)",
            "States.Format($.template, $.name)",
        ] {
            assert_eq!(
                eval(expr, input.clone()).unwrap(),
                json!("Hello, my name is Arnav.")
            );
        }
    }

    #[test]
    fn escapes_and_nesting() {
        // The spec's playlist example: \\' in JSON is \' in the intrinsic, i.e. a quote.
        let v = eval(
            "States.Format('Welcome to {} {}\\'s playlist.', $.firstName, $.lastName)",
            json!({"firstName": "John", "lastName": "Doe"}),
        )
        .unwrap();
        assert_eq!(v, json!("Welcome to John Doe's playlist."));
        assert_eq!(
            eval("States.Format('\\{\\} {}', 1)", json!({})).unwrap(),
            json!("{} 1")
        );
        // The nine-deep example of the AWS guide (intrinsic-functions.html).
        let v = eval(
            "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 2))",
            json!({"ImageRecipe": {"Arn": "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe/1.0.12"}}),
        )
        .unwrap();
        assert_eq!(v, json!("1.0.12"));
        assert_eq!(
            eval(
                "States.Array(States.MathAdd(1, 2), $.a[?(@ > 1)], true)",
                json!({"a": [1, 2, 3]})
            )
            .unwrap(),
            json!([3, [2, 3], true])
        );
    }

    #[test]
    fn parse_errors() {
        for bad in [
            "States.Nope(1)",
            "States.Format(",
            "States.Format('a', 1",
            "States.Format('bad \\x escape')",
            "States.ArrayRange(1, 2)",
            "States.UUID(1)",
            "States.JsonToString('x')",
            "States.Array(1) trailing",
            "notAFunction",
        ] {
            assert!(Intrinsic::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn runtime_failures_are_intrinsic_failures() {
        for (expr, input) in [
            ("States.Format('{} {}', 1)", json!({})),
            ("States.ArrayPartition($.a, 0)", json!({"a": [1]})),
            ("States.ArrayGetItem($.a, 3)", json!({"a": [1]})),
            ("States.ArrayRange(1, 5000, 1)", json!({})),
            ("States.StringToJson($.s)", json!({"s": "{nope"})),
            ("States.Base64Decode($.s)", json!({"s": "!!!"})),
            ("States.Hash($.s, 'CRC32')", json!({"s": "x"})),
            ("States.MathAdd($.s, 1)", json!({"s": "x"})),
            ("States.ArrayLength($.missing)", json!({})),
        ] {
            let e = eval(expr, input).unwrap_err();
            assert_eq!(e.error, names::INTRINSIC_FAILURE, "{expr}");
        }
    }

    // The service is written in Java: MathAdd rounds non-integers like Math.round, Format
    // prints objects and arrays with toString, and StringToJson of a blank string is null.
    #[test]
    fn java_flavoured_results() {
        let cases = [
            (
                "States.MathAdd($.a, $.b)",
                json!({"a": 1.5, "b": 2.4}),
                json!(4),
            ),
            (
                "States.MathAdd($.a, $.b)",
                json!({"a": -2.5, "b": 0.5}),
                json!(-1),
            ),
            ("States.MathAdd($.a, 1)", json!({"a": 2.0}), json!(3)),
            (
                "States.Format('{}', $.o)",
                json!({"o": {"Arg1": 1, "Arg2": []}}),
                json!("{Arg1=1, Arg2=[]}"),
            ),
            (
                "States.Format('x {} y', $.o)",
                json!({"o": [{"a": "s", "b": null, "c": [true, 1.5]}, {}]}),
                json!("x [{a=s, b=null, c=[true, 1.5]}, {}] y"),
            ),
            ("States.StringToJson($.s)", json!({"s": ""}), json!(null)),
            ("States.StringToJson($.s)", json!({"s": " "}), json!(null)),
            ("States.StringToJson($.s)", json!({"s": " 1 "}), json!(1)),
        ];
        for (expr, input, want) in cases {
            assert_eq!(
                eval(expr, input.clone()).unwrap(),
                want,
                "{expr} on {input}"
            );
        }
    }

    #[test]
    fn random_uuid_and_ranges() {
        let a = eval("States.MathRandom(1, 999, 7)", json!({})).unwrap();
        let b = eval("States.MathRandom(1, 999, 7)", json!({})).unwrap();
        assert_eq!(a, b, "same seed, same number");
        let n = eval(
            "States.MathRandom($.start, $.end)",
            json!({"start": 1, "end": 999}),
        )
        .unwrap()
        .as_i64()
        .unwrap();
        assert!((1..999).contains(&n));
        let u = eval("States.UUID()", json!({})).unwrap();
        let u = uuid::Uuid::parse_str(u.as_str().unwrap()).unwrap();
        assert_eq!(u.get_version_num(), 4);
        assert_eq!(
            eval("States.ArrayRange(5, 1, -2)", json!({})).unwrap(),
            json!([5, 3, 1])
        );
        assert_eq!(
            eval("States.ArrayRange(1, 5, -1)", json!({})).unwrap(),
            json!([])
        );
        assert_eq!(
            eval(
                "States.JsonMerge($.a, $.b, true)",
                json!({"a": {"x": {"p": 1}}, "b": {"x": {"q": 2}}})
            )
            .unwrap(),
            json!({"x": {"p": 1, "q": 2}})
        );
        assert_eq!(
            eval("States.Hash('input data', 'MD5')", json!({}))
                .unwrap()
                .as_str()
                .unwrap()
                .len(),
            32
        );
    }

    #[test]
    fn context_paths_in_arguments() {
        let exec = ExecutionInfo::local("sm", "run-7", json!({}), UNIX_EPOCH);
        let ctx = ContextObject::new(&exec, "S", "t", 0);
        let i = Intrinsic::parse("States.Format('Today is {}', $$.Execution.Name)").unwrap();
        assert!(i.uses_context());
        assert_eq!(i.eval(&json!({}), &ctx).unwrap(), json!("Today is run-7"));
    }
}
