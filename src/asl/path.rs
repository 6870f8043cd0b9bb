//! Paths: the JSONPath expressions of ASL (`$.a.b`, `$$.Execution.Id`, `$.items[0:2]`) and
//! reference paths (`$.a.b[3]`), including the setter ResultPath needs.
//!
//! Reading uses two engines. A path that is a *reference path* (only names and indices) is
//! walked by hand: that is the common case, it is cheap, and it lets us say precisely that a
//! value is missing. Anything else (wildcards, slices, filters, unions, `..`) is handed to
//! `serde_json_path` (RFC 9535), and its matches are gathered into an array as the ASL spec
//! says ("the interpreter gathers the texts into an array").
//!
//! ASL's path syntax is Jayway's, which is laxer than RFC 9535 about dot-names: AWS's own
//! examples use `$.delivery-partner` and `$.ship-date`, which RFC 9535's shorthand rejects.
//! [`normalize_for_rfc9535`] rewrites such names into bracket notation before compiling.

use serde_json::{Map, Value};

use super::context::ContextObject;
use super::error::ExprError;

/// One step of a reference path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// `.name` or `['name']`.
    Field(String),
    /// `[n]`; negative counts from the end (reading only).
    Index(i64),
}

/// Whether a path reads the state's input (`$`) or the context object (`$$`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// `$...`: the payload (state input, effective input, result...).
    Input,
    /// `$$...`: the context object.
    Context,
    /// `$name...`: a workflow variable set by an `Assign` field.
    Variable,
}

#[derive(Debug, Clone)]
enum Engine {
    Reference(Vec<Segment>),
    Query(Box<serde_json_path::JsonPath>),
}

/// A compiled ASL Path (`$...` or `$$...`).
#[derive(Debug, Clone)]
pub struct Path {
    text: String,
    root: Root,
    /// The variable's name when `root` is [`Root::Variable`].
    variable: Option<String>,
    engine: Engine,
}

impl PartialEq for Path {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Path {
    /// Compiles a path. `$$` selects the context object, `$name` the variable `name`.
    pub fn parse(text: &str) -> Result<Self, ExprError> {
        let mut variable = None;
        let (root, rest) = if let Some(rest) = text.strip_prefix("$$") {
            (Root::Context, rest)
        } else if let Some(rest) = text.strip_prefix('$') {
            let name_len = variable_name_len(rest);
            if name_len > 0 {
                variable = Some(rest[..name_len].to_string());
                (Root::Variable, &rest[name_len..])
            } else {
                (Root::Input, rest)
            }
        } else {
            return Err(ExprError(format!("path {text:?} must begin with '$'")));
        };
        let engine = match parse_segments(rest) {
            Ok(segments) => Engine::Reference(segments),
            Err(_) => {
                let normalized = format!("${}", normalize_for_rfc9535(rest));
                // The RFC 9535 parser recurses once per bracket or parenthesis: bound it
                // before handing the text over, so a hostile filter cannot overflow the stack.
                if bracket_depth(&normalized) > MAX_QUERY_NESTING {
                    return Err(ExprError(format!(
                        "JSONPath {:?} nests brackets and parentheses more than {MAX_QUERY_NESTING} deep; hint: split the filter, or select in steps (InputPath, then ItemsPath or a Choice)",
                        crate::asl::template::truncate(text)
                    )));
                }
                let compiled = serde_json_path::JsonPath::parse(&normalized)
                    .map_err(|e| ExprError(format!("invalid JSONPath {text:?}: {e}")))?;
                Engine::Query(Box::new(compiled))
            }
        };
        Ok(Self {
            text: text.to_string(),
            root,
            variable,
            engine,
        })
    }

    /// The variable a `$name...` path reads.
    pub fn variable(&self) -> Option<&str> {
        self.variable.as_deref()
    }

    /// Reads the path where its root says: `input` for `$`, the context object for `$$`, the
    /// variable for `$name` (`None` when the variable is not set).
    pub fn select_in(&self, input: &Value, ctx: &ContextObject<'_>) -> Option<Value> {
        match self.root {
            Root::Input => self.select(input),
            Root::Context => self.select(ctx.value()),
            Root::Variable => ctx
                .variable(self.variable.as_deref().unwrap_or_default())
                .and_then(|v| self.select(v)),
        }
    }

    /// The path as written in the definition.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Which document the path reads.
    pub fn root(&self) -> Root {
        self.root
    }

    /// True for a reference path: it names at most one node and never yields an array of
    /// matches.
    pub fn is_reference(&self) -> bool {
        matches!(self.engine, Engine::Reference(_))
    }

    /// The segments when this is a reference path.
    pub fn segments(&self) -> Option<&[Segment]> {
        match &self.engine {
            Engine::Reference(s) => Some(s),
            Engine::Query(_) => None,
        }
    }

    /// Applies the path to `doc` (already the right root). `None` when a reference path names
    /// nothing; a query path always yields an array (possibly empty).
    pub fn select(&self, doc: &Value) -> Option<Value> {
        match &self.engine {
            Engine::Reference(segments) => get(doc, segments).cloned(),
            Engine::Query(q) => Some(Value::Array(
                q.query(doc).all().into_iter().cloned().collect(),
            )),
        }
    }

    /// Like [`Path::select`] but borrows when possible (reference paths).
    pub fn select_ref<'a>(&self, doc: &'a Value) -> Option<std::borrow::Cow<'a, Value>> {
        match &self.engine {
            Engine::Reference(segments) => get(doc, segments).map(std::borrow::Cow::Borrowed),
            Engine::Query(_) => self.select(doc).map(std::borrow::Cow::Owned),
        }
    }
}

/// A reference path, the only kind ResultPath and ItemsPath accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferencePath {
    text: String,
    segments: Vec<Segment>,
}

impl ReferencePath {
    /// Compiles a reference path; `$$` is refused (ResultPath may not write the context).
    pub fn parse(text: &str) -> Result<Self, ExprError> {
        if text.starts_with("$$") {
            return Err(ExprError(format!(
                "reference path {text:?} may not address the context object ($$)"
            )));
        }
        let rest = text
            .strip_prefix('$')
            .ok_or_else(|| ExprError(format!("reference path {text:?} must begin with '$'")))?;
        if variable_name_len(rest) > 0 {
            return Err(ExprError(format!(
                "reference path {text:?} reads a variable; this field accepts only paths into the input ($...)"
            )));
        }
        let segments = parse_segments(rest).map_err(|e| {
            ExprError(format!(
                "{text:?} is not a reference path (only .name, ['name'] and [index] are allowed): {e}"
            ))
        })?;
        Ok(Self {
            text: text.to_string(),
            segments,
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Reads the single node the path names.
    pub fn get<'a>(&self, doc: &'a Value) -> Option<&'a Value> {
        get(doc, &self.segments)
    }

    /// ResultPath semantics: returns `doc` with `value` placed at this path, creating
    /// intermediate objects as needed. Fails (the caller raises
    /// `States.ResultPathMatchFailure`) when the path crosses a non-object, or indexes an
    /// array element that does not exist.
    pub fn set(&self, mut doc: Value, value: Value) -> Result<Value, ExprError> {
        if self.segments.is_empty() {
            return Ok(value);
        }
        let mut cur = &mut doc;
        let last = self.segments.len() - 1;
        for (i, seg) in self.segments.iter().enumerate() {
            let is_last = i == last;
            match seg {
                Segment::Field(name) => {
                    let Value::Object(map) = cur else {
                        return Err(ExprError(format!(
                            "cannot set field {name:?} of a {} (ResultPath {})",
                            type_name(cur),
                            self.text
                        )));
                    };
                    if is_last {
                        map.insert(name.clone(), value);
                        return Ok(doc);
                    }
                    cur = map
                        .entry(name.clone())
                        .or_insert_with(|| Value::Object(Map::new()));
                }
                Segment::Index(idx) => {
                    let Value::Array(items) = cur else {
                        return Err(ExprError(format!(
                            "cannot index a {} with [{idx}] (ResultPath {})",
                            type_name(cur),
                            self.text
                        )));
                    };
                    let len = items.len();
                    let Some(slot) = usize::try_from(*idx).ok().filter(|i| *i < len) else {
                        return Err(ExprError(format!(
                            "index [{idx}] is outside an array of {len} (ResultPath {})",
                            self.text
                        )));
                    };
                    if is_last {
                        items[slot] = value;
                        return Ok(doc);
                    }
                    cur = &mut items[slot];
                }
            }
        }
        unreachable!("the loop returns on the last segment")
    }
}

/// JSON type name as AWS error messages spell it.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn get<'a>(doc: &'a Value, segments: &[Segment]) -> Option<&'a Value> {
    let mut cur = doc;
    for seg in segments {
        cur = match (seg, cur) {
            (Segment::Field(name), Value::Object(map)) => map.get(name)?,
            (Segment::Index(i), Value::Array(items)) => {
                let len = items.len() as i64;
                let idx = if *i < 0 { len + i } else { *i };
                if idx < 0 || idx >= len {
                    return None;
                }
                &items[idx as usize]
            }
            _ => return None,
        };
    }
    Some(cur)
}

/// The length in bytes of the variable name at the start of `rest` (0 when `rest` does not
/// start with one): a letter or `_`, then letters, digits and `_`.
fn variable_name_len(rest: &str) -> usize {
    let mut chars = rest.char_indices();
    match chars.next() {
        Some((_, c)) if c.is_alphabetic() || c == '_' => {}
        _ => return 0,
    }
    chars
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(rest.len(), |(i, _)| i)
}

/// True when `name` can be a variable (the whole text is one variable name).
pub fn is_variable_name(name: &str) -> bool {
    !name.is_empty() && variable_name_len(name) == name.len()
}

/// Parses the part of a reference path after `$`. Supports `.name` (with Jayway's `\`
/// escapes), `['name']`, `["name"]` and `[n]`.
fn parse_segments(rest: &str) -> Result<Vec<Segment>, String> {
    let chars: Vec<char> = rest.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        match chars[i] {
            '.' => {
                i += 1;
                let mut name = String::new();
                while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        name.push(chars[i + 1]);
                        i += 2;
                        continue;
                    }
                    name.push(chars[i]);
                    i += 1;
                }
                if name.is_empty() || name == "*" {
                    return Err(format!("wildcard or empty name at offset {i}"));
                }
                if name.contains(['(', ')', '?', '@', ',', '\'', '"', ':', '*', ' ']) {
                    return Err(format!("operator in name {name:?}"));
                }
                out.push(Segment::Field(name));
            }
            '[' => {
                i += 1;
                match chars.get(i) {
                    Some(&q @ ('\'' | '"')) => {
                        i += 1;
                        let mut name = String::new();
                        loop {
                            match chars.get(i) {
                                None => return Err("unterminated quoted name".into()),
                                Some('\\') => {
                                    let Some(&c) = chars.get(i + 1) else {
                                        return Err("dangling escape".into());
                                    };
                                    name.push(c);
                                    i += 2;
                                }
                                Some(&c) if c == q => {
                                    i += 1;
                                    break;
                                }
                                Some(&c) => {
                                    name.push(c);
                                    i += 1;
                                }
                            }
                        }
                        if chars.get(i) != Some(&']') {
                            return Err("expected ']' after quoted name".into());
                        }
                        i += 1;
                        out.push(Segment::Field(name));
                    }
                    _ => {
                        let start = i;
                        while i < chars.len() && chars[i] != ']' {
                            i += 1;
                        }
                        if i >= chars.len() {
                            return Err("unterminated '['".into());
                        }
                        let inner: String = chars[start..i].iter().collect();
                        let idx: i64 = inner
                            .trim()
                            .parse()
                            .map_err(|_| format!("[{inner}] is not an index"))?;
                        i += 1;
                        out.push(Segment::Index(idx));
                    }
                }
            }
            c => return Err(format!("unexpected {c:?}")),
        }
    }
    Ok(out)
}

fn is_shorthand_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' || !c.is_ascii() => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii())
}

/// The deepest `[`/`(` nesting a query path may have (filters rarely need more than 3).
pub const MAX_QUERY_NESTING: usize = 32;

/// The deepest nesting of `[`/`(` in a path, outside quoted names and strings.
fn bracket_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[' | '(') => {
                depth += 1;
                max = max.max(depth);
            }
            (None, ']' | ')') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Rewrites Jayway-style dot names that RFC 9535 does not accept (`.delivery-partner`,
/// `.2x`) into bracket notation (`['delivery-partner']`). Only names outside brackets are
/// touched: inside a filter, a `.` may be a decimal point.
pub fn normalize_for_rfc9535(rest: &str) -> String {
    let chars: Vec<char> = rest.chars().collect();
    let mut out = String::with_capacity(rest.len() + 8);
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(q) = quote {
            if c == '\\' && i + 1 < chars.len() {
                let e = chars[i + 1];
                // Jayway lets `\"` stand in a single-quoted name (and `\'` in a double-quoted
                // one); RFC 9535 only allows escaping the enclosing quote, so drop the backslash.
                if !((e == '"' || e == '\'') && e != q) {
                    out.push(c);
                }
                out.push(e);
                i += 2;
                continue;
            }
            out.push(c);
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                out.push(c);
                i += 1;
            }
            '[' | '(' => {
                depth += 1;
                out.push(c);
                i += 1;
            }
            ']' | ')' => {
                depth = depth.saturating_sub(1);
                out.push(c);
                i += 1;
            }
            '.' if depth == 0 => {
                // `..` (descendants) keeps both dots; the name after it is handled the same way.
                let mut dots = 1;
                while i + dots < chars.len() && chars[i + dots] == '.' {
                    dots += 1;
                }
                let start = i + dots;
                let mut end = start;
                while end < chars.len() && chars[end] != '.' && chars[end] != '[' {
                    end += 1;
                }
                let name: String = chars[start..end].iter().collect();
                if name.is_empty() || name == "*" || is_shorthand_name(&name) {
                    out.extend(&chars[i..end]);
                } else {
                    let escaped = name.replace('\\', "\\\\").replace('\'', "\\'");
                    if dots > 1 {
                        out.push_str("..");
                    }
                    out.push_str(&format!("['{escaped}']"));
                }
                i = end;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Reference path examples from the ASL specification, "Reference Paths":
    // https://states-language.net/spec.html#ref-paths
    #[test]
    fn spec_reference_path_examples() {
        let input = json!({"foo": 123, "bar": ["a", "b", "c"], "car": {"cdr": true}});
        let cases = [
            ("$.foo", json!(123)),
            ("$.bar", json!(["a", "b", "c"])),
            ("$.car.cdr", json!(true)),
        ];
        for (path, want) in cases {
            let p = Path::parse(path).unwrap();
            assert!(p.is_reference(), "{path}");
            assert_eq!(p.select(&input), Some(want), "{path}");
        }
    }

    // Bracket notation with escaped quotes, as AWS accepts it: `\"` inside a quoted name is a
    // quote, in either quoting style, for reading, for ResultPath and in filters.
    #[test]
    fn bracket_names_with_escaped_quotes() {
        let doc = json!({"Test\"\"Name\"": 1, "it's": 2});
        for path in [
            "$['Test\\\"\\\"Name\\\"']",
            "$[\"Test\\\"\\\"Name\\\"\"]",
            "$['Test\"\"Name\"']",
        ] {
            assert_eq!(
                Path::parse(path).unwrap().select(&doc),
                Some(json!(1)),
                "{path}"
            );
            let rp = ReferencePath::parse(path).unwrap();
            assert_eq!(rp.get(&doc), Some(&json!(1)), "{path}");
            assert_eq!(
                rp.set(json!({}), json!(5)).unwrap(),
                json!({"Test\"\"Name\"": 5}),
                "{path}"
            );
        }
        assert_eq!(
            Path::parse("$['it\\'s']").unwrap().select(&doc),
            Some(json!(2))
        );
        // The same names in query paths (handed to the RFC 9535 engine).
        let doc = json!({"Test\"\"Name\"": [1, 2], "it's": [3]});
        for (path, want) in [
            ("$['Test\\\"\\\"Name\\\"'][*]", json!([1, 2])),
            ("$[\"Test\\\"\\\"Name\\\"\"][*]", json!([1, 2])),
            ("$[\"it\\'s\"][*]", json!([3])),
            ("$['it\\'s'][*]", json!([3])),
        ] {
            assert_eq!(
                Path::parse(path).unwrap().select(&doc),
                Some(want),
                "{path}"
            );
        }
    }

    #[test]
    fn reference_path_syntax_variants() {
        let doc = json!({"store": {"book": [{"title": "T"}]}, "a-b": {"c": 1}, "x.y": 2});
        let cases = [
            ("$['store']['book'][0]['title']", json!("T")),
            ("$.store.book[0].title", json!("T")),
            ("$.store.book[-1].title", json!("T")),
            ("$.a-b.c", json!(1)),
            ("$.x\\.y", json!(2)),
            ("$[\"x.y\"]", json!(2)),
            ("$", doc.clone()),
        ];
        for (path, want) in cases {
            assert_eq!(
                Path::parse(path).unwrap().select(&doc),
                Some(want),
                "{path}"
            );
        }
        assert_eq!(Path::parse("$.nope").unwrap().select(&doc), None);
        assert_eq!(Path::parse("$.store.book[3]").unwrap().select(&doc), None);
    }

    // "A path can yield a selection of values": $.a[0:2] on {"a":[1,2,3,4]} gives [1,2].
    // https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html
    #[test]
    fn query_paths_gather_matches_into_an_array() {
        let doc = json!({"a": [1, 2, 3, 4]});
        let cases = [
            ("$.a[0:2]", json!([1, 2])),
            ("$.a[0,1]", json!([1, 2])),
            ("$.a[*]", json!([1, 2, 3, 4])),
            ("$.a[?(@ > 2)]", json!([3, 4])),
            ("$..a", json!([[1, 2, 3, 4]])),
        ];
        for (path, want) in cases {
            let p = Path::parse(path).unwrap();
            assert!(!p.is_reference(), "{path}");
            assert_eq!(p.select(&doc), Some(want), "{path}");
        }
    }

    #[test]
    fn query_paths_accept_jayway_names() {
        let doc = json!({"detail": {"shipped": [{"dest-code": 1}, {"dest-code": 2}]}});
        let p = Path::parse("$.detail.shipped[*].dest-code").unwrap();
        assert_eq!(p.select(&doc), Some(json!([1, 2])));
    }

    #[test]
    fn context_root() {
        let p = Path::parse("$$.Execution.Id").unwrap();
        assert_eq!(p.root(), Root::Context);
        assert_eq!(
            p.select(&json!({"Execution": {"Id": "x"}})),
            Some(json!("x"))
        );
        assert!(Path::parse("Execution").is_err());
    }

    // ResultPath examples from the ASL specification, "Using InputPath, Parameters,
    // ResultSelector, ResultPath and OutputPath": https://states-language.net/spec.html#filters
    #[test]
    fn spec_result_path_examples() {
        let raw = json!({"master": {"detail": [1, 2, 3]}});
        let cases = [
            ("$.master.detail", json!({"master": {"detail": 6}})),
            (
                "$.master.result.sum",
                json!({"master": {"detail": [1, 2, 3], "result": {"sum": 6}}}),
            ),
            ("$", json!(6)),
        ];
        for (path, want) in cases {
            let rp = ReferencePath::parse(path).unwrap();
            assert_eq!(rp.set(raw.clone(), json!(6)).unwrap(), want, "{path}");
        }
        let rp = ReferencePath::parse("$.b.greeting").unwrap();
        assert_eq!(
            rp.set(json!({"a": 1}), json!("Hi!")).unwrap(),
            json!({"a": 1, "b": {"greeting": "Hi!"}})
        );
        // "Suppose a state's input is the string "foo", and its ResultPath field has the
        // value "$.x". Then ResultPath cannot apply" (States.ResultPathMatchFailure).
        assert!(
            ReferencePath::parse("$.x")
                .unwrap()
                .set(json!("foo"), json!(1))
                .is_err()
        );
    }

    #[test]
    fn result_path_into_arrays_and_refusals() {
        let rp = ReferencePath::parse("$.a[1].b").unwrap();
        assert_eq!(
            rp.set(json!({"a": [0, {}]}), json!(2)).unwrap(),
            json!({"a": [0, {"b": 2}]})
        );
        assert!(rp.set(json!({"a": [0]}), json!(2)).is_err());
        assert!(ReferencePath::parse("$$.x").is_err());
        assert!(ReferencePath::parse("$.a[*]").is_err());
        assert!(ReferencePath::parse("a").is_err());
    }

    #[test]
    fn normalization() {
        let cases = [
            (".a.b", ".a.b"),
            (".delivery-partner", "['delivery-partner']"),
            ("..dest-code", "..['dest-code']"),
            (".a[?(@.price < 10.5)]", ".a[?(@.price < 10.5)]"),
            (".it's", "['it\\'s']"),
            (".*", ".*"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_for_rfc9535(input), want, "{input}");
        }
    }
}
