//! Mutations applied to valid inputs: bytes (truncated, flipped, overwritten with hostile
//! lengths and offsets at the places a format keeps them), JSON values (nodes replaced, removed,
//! buried deeper) and text (lines dropped, doubled, re-indented, hostile snippets inserted).

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Value};

/// One change to a byte buffer.
#[derive(Debug, Clone)]
pub enum ByteMutation {
    Truncate(Index),
    Flip(Index, u8),
    /// A 32-bit little-endian value at a random place.
    Put32Le(Index, u32),
    /// A 32-bit value (both byte orders) at one of the format's own length or offset fields.
    PutAtField(Index, u32, bool),
    Insert(Index, Vec<u8>),
    Remove(Index, u16),
    /// Copies a slice of the input onto another place of it (repeated structures).
    Splice(Index, Index, u16),
}

/// Lengths and offsets that break readers: zero, one, the edges of the integer types.
pub fn hostile_u32() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(0u32),
        Just(1),
        Just(0x7fff_ffff),
        Just(0x8000_0000),
        Just(u32::MAX),
        Just(u32::MAX - 1),
        Just(0xffff),
        Just(0x1_0000),
        any::<u32>(),
    ]
}

pub fn byte_mutation() -> impl Strategy<Value = ByteMutation> {
    prop_oneof![
        any::<Index>().prop_map(ByteMutation::Truncate),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| ByteMutation::Flip(i, b)),
        (any::<Index>(), hostile_u32()).prop_map(|(i, v)| ByteMutation::Put32Le(i, v)),
        (any::<Index>(), hostile_u32(), any::<bool>())
            .prop_map(|(i, v, be)| ByteMutation::PutAtField(i, v, be)),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..32))
            .prop_map(|(i, b)| ByteMutation::Insert(i, b)),
        (any::<Index>(), 1u16..512).prop_map(|(i, n)| ByteMutation::Remove(i, n)),
        (any::<Index>(), any::<Index>(), 1u16..256)
            .prop_map(|(a, b, n)| ByteMutation::Splice(a, b, n)),
    ]
}

/// Up to `max` mutations (none at all is a case too: the valid input must pass).
pub fn byte_mutations(max: usize) -> impl Strategy<Value = Vec<ByteMutation>> {
    prop::collection::vec(byte_mutation(), 0..=max)
}

/// Applies mutations in order; `fields` are the offsets of the format's length/offset fields.
pub fn apply_bytes(bytes: &mut Vec<u8>, mutations: &[ByteMutation], fields: &[usize]) {
    for m in mutations {
        if bytes.is_empty() {
            return;
        }
        let len = bytes.len();
        match m {
            ByteMutation::Truncate(i) => bytes.truncate(i.index(len)),
            ByteMutation::Flip(i, b) => bytes[i.index(len)] ^= b | 1,
            ByteMutation::Put32Le(i, v) => put(bytes, i.index(len), v.to_le_bytes()),
            ByteMutation::PutAtField(i, v, be) => {
                let at = if fields.is_empty() {
                    i.index(len)
                } else {
                    fields[i.index(fields.len())]
                };
                put(
                    bytes,
                    at,
                    if *be {
                        v.to_be_bytes()
                    } else {
                        v.to_le_bytes()
                    },
                );
            }
            ByteMutation::Insert(i, b) => {
                let at = i.index(len + 1);
                bytes.splice(at..at, b.iter().copied());
            }
            ByteMutation::Remove(i, n) => {
                let at = i.index(len);
                let end = (at + *n as usize).min(len);
                bytes.drain(at..end);
            }
            ByteMutation::Splice(from, to, n) => {
                let a = from.index(len);
                let piece: Vec<u8> = bytes[a..(a + *n as usize).min(len)].to_vec();
                let b = to.index(len + 1);
                bytes.splice(b..b, piece);
            }
        }
    }
}

fn put(bytes: &mut [u8], at: usize, value: [u8; 4]) {
    for (k, b) in value.into_iter().enumerate() {
        if let Some(slot) = bytes.get_mut(at + k) {
            *slot = b;
        }
    }
}

/// Every offset where `needle` occurs, shifted by `delta` (a field's place after a signature).
pub fn offsets_after(bytes: &[u8], needle: &[u8], deltas: &[usize]) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, w) in bytes.windows(needle.len()).enumerate() {
        if w == needle {
            out.extend(deltas.iter().map(|d| i + d));
        }
    }
    out
}

/// Any JSON value, small: scalars chosen to hit the parsers' edge cases, nested a few levels.
pub fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        prop::sample::select(vec![
            "",
            " ",
            "%",
            "%zz",
            "%2",
            "+",
            "a%2Fb",
            "\"etag\"",
            "aws:sqs",
            "aws:s3",
            "aws:sns",
            "Object Created",
            "SUCCEEDED",
            "FAILED",
            "COMPLETED",
            "-1",
            "1e999",
            "null",
            "{}",
            "[]",
            "{\"detail-type\":\"Object Created\"}",
            "../../etc/passwd",
            "a/",
            "\u{0}",
            "États",
            "$",
            "$$",
            "$.a",
            "States.Format('{}', $.a)",
        ])
        .prop_map(|s| Value::String(s.to_string())),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z$.-]{0,12}", inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// One change to a JSON document, at a node chosen by its place in a pre-order walk.
#[derive(Debug, Clone)]
pub enum JsonMutation {
    Replace(Index, Value),
    Remove(Index),
    /// Wraps the node in `depth` arrays or objects: nesting deepened.
    Bury(Index, u8, bool),
    /// Repeats an array's items (more records, more branches).
    Repeat(Index, u8),
    /// A string that holds JSON (an SQS body) is mutated inside and written back.
    Inner(Index, Box<JsonMutation>),
}

pub fn json_mutation() -> impl Strategy<Value = JsonMutation> {
    let flat = prop_oneof![
        (any::<Index>(), json_value()).prop_map(|(i, v)| JsonMutation::Replace(i, v)),
        any::<Index>().prop_map(JsonMutation::Remove),
        (any::<Index>(), 1u8..40, any::<bool>()).prop_map(|(i, d, o)| JsonMutation::Bury(i, d, o)),
        (any::<Index>(), 2u8..20).prop_map(|(i, n)| JsonMutation::Repeat(i, n)),
    ];
    flat.prop_recursive(1, 2, 1, |inner| {
        (any::<Index>(), inner).prop_map(|(i, m)| JsonMutation::Inner(i, Box::new(m)))
    })
}

pub fn json_mutations(max: usize) -> impl Strategy<Value = Vec<JsonMutation>> {
    prop::collection::vec(json_mutation(), 0..=max)
}

fn count(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count).sum(),
        Value::Object(m) => m.values().map(count).sum(),
        _ => 0,
    }
}

/// The `n`-th node in pre-order (0 is the root).
fn nth(v: &mut Value, n: usize) -> Option<&mut Value> {
    if n == 0 {
        return Some(v);
    }
    let mut rest = n - 1;
    let children: Vec<&mut Value> = match v {
        Value::Array(a) => a.iter_mut().collect(),
        Value::Object(m) => m.values_mut().collect(),
        _ => return None,
    };
    for c in children {
        let size = count(c);
        if rest < size {
            return nth(c, rest);
        }
        rest -= size;
    }
    None
}

pub fn apply_json(doc: &mut Value, mutations: &[JsonMutation]) {
    for m in mutations {
        apply_one(doc, m);
    }
}

fn apply_one(doc: &mut Value, m: &JsonMutation) {
    let total = count(doc);
    match m {
        JsonMutation::Replace(i, v) => {
            if let Some(node) = nth(doc, i.index(total)) {
                *node = v.clone();
            }
        }
        JsonMutation::Remove(i) => {
            // Removing a node means removing it from its parent: pick a container and drop one
            // of its entries.
            if let Some(node) = nth(doc, i.index(total)) {
                match node {
                    Value::Array(a) if !a.is_empty() => {
                        let k = i.index(a.len());
                        a.remove(k);
                    }
                    Value::Object(m) if !m.is_empty() => {
                        let k = m.keys().nth(i.index(m.len())).cloned().unwrap_or_default();
                        m.remove(&k);
                    }
                    other => *other = Value::Null,
                }
            }
        }
        JsonMutation::Bury(i, depth, object) => {
            if let Some(node) = nth(doc, i.index(total)) {
                let mut v = node.take();
                for _ in 0..*depth {
                    v = if *object {
                        Value::Object(Map::from_iter([("x".to_string(), v)]))
                    } else {
                        Value::Array(vec![v])
                    };
                }
                *node = v;
            }
        }
        JsonMutation::Repeat(i, n) => {
            if let Some(Value::Array(a)) = nth(doc, i.index(total))
                && let Some(first) = a.first().cloned()
            {
                a.extend(std::iter::repeat_n(first, *n as usize));
            }
        }
        JsonMutation::Inner(i, inner) => {
            if let Some(Value::String(s)) = nth(doc, i.index(total))
                && let Ok(mut v) = serde_json::from_str::<Value>(s)
            {
                apply_one(&mut v, inner);
                *s = v.to_string();
            }
        }
    }
}

/// Snippets that trouble YAML readers: anchors and aliases, tags, deep flow nesting, tabs,
/// NULs, complex keys, huge numbers, document markers.
pub const HOSTILE_YAML: &[&str] = &[
    "a: &x [1, 2]\nb: [*x, *x, *x]",
    "? [complex, key]\n: value",
    "k: !Ref",
    "k: !GetAtt nodot",
    "k: !!binary aGVsbG8=",
    "k: !Bogus x",
    "k: 99999999999999999999999999",
    "k: -.inf",
    "k: .nan",
    "\t- tab",
    "k: \u{0}",
    "---\n---",
    "...",
    "- - - - - - -",
    "{a: [b, {c: [d, {e: f}]}]}",
    "k: *undefined",
    "k: 'unterminated",
    "k: |\n  block\n   more",
    "<<: {a: 1}",
    "k: [",
    "classes: null",
    "classes: 7",
    "classes: [1, 'x', null]",
];

/// One change to a text document, by lines.
#[derive(Debug, Clone)]
pub enum TextMutation {
    DropLine(Index),
    DoubleLine(Index),
    Indent(Index, u8),
    Dedent(Index),
    Insert(Index, String),
    Truncate(Index),
    /// Deep flow nesting (`[[[[…]]]]` or `{a: {a: …}}`) at a line.
    Nest(Index, u16, bool),
}

pub fn text_mutation() -> impl Strategy<Value = TextMutation> {
    prop_oneof![
        any::<Index>().prop_map(TextMutation::DropLine),
        any::<Index>().prop_map(TextMutation::DoubleLine),
        (any::<Index>(), 1u8..9).prop_map(|(i, n)| TextMutation::Indent(i, n)),
        any::<Index>().prop_map(TextMutation::Dedent),
        (
            any::<Index>(),
            prop_oneof![
                prop::sample::select(HOSTILE_YAML).prop_map(str::to_string),
                ".{0,60}"
            ]
        )
            .prop_map(|(i, s)| TextMutation::Insert(i, s)),
        any::<Index>().prop_map(TextMutation::Truncate),
        (any::<Index>(), 1u16..3000, any::<bool>())
            .prop_map(|(i, d, o)| TextMutation::Nest(i, d, o)),
    ]
}

pub fn text_mutations(max: usize) -> impl Strategy<Value = Vec<TextMutation>> {
    prop::collection::vec(text_mutation(), 0..=max)
}

pub fn apply_text(text: &str, mutations: &[TextMutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for m in mutations {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let n = lines.len();
        match m {
            TextMutation::DropLine(i) => {
                lines.remove(i.index(n));
            }
            TextMutation::DoubleLine(i) => {
                let k = i.index(n);
                lines.insert(k, lines[k].clone());
            }
            TextMutation::Indent(i, by) => {
                let k = i.index(n);
                lines[k] = format!("{}{}", " ".repeat(*by as usize), lines[k]);
            }
            TextMutation::Dedent(i) => {
                let k = i.index(n);
                lines[k] = lines[k].trim_start().to_string();
            }
            TextMutation::Insert(i, s) => {
                lines.insert(i.index(n + 1), s.clone());
            }
            TextMutation::Truncate(i) => {
                let k = i.index(n);
                let keep = lines[k].chars().count() / 2;
                lines[k] = lines[k].chars().take(keep).collect();
                lines.truncate(k + 1);
            }
            TextMutation::Nest(i, depth, object) => {
                let d = *depth as usize;
                let nest = if *object {
                    format!("k: {}1{}", "{a: ".repeat(d), "}".repeat(d))
                } else {
                    format!("k: {}1{}", "[".repeat(d), "]".repeat(d))
                };
                lines.insert(i.index(n + 1), nest);
            }
        }
    }
    lines.join("\n")
}
