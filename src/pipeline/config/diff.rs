//! What differs between two configuration documents, as a person reads a change: classes added,
//! removed or changed (down to the property that changed), and settings changed with their old
//! and new values. Classes are matched by name, so reordering them is not a change.

use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Added,
    Removed,
    Changed,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub kind: Kind,
    /// `classes.W2.properties.wages.description`, `classification.model`.
    pub part: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
}

fn class_name(c: &Value) -> Option<&str> {
    c.get("x-aws-idp-document-type")
        .or_else(|| c.get("$id"))
        .and_then(Value::as_str)
}

fn classes_by_name(doc: &Value) -> Map<String, Value> {
    doc.get("classes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| Some((class_name(c)?.to_string(), c.clone())))
        .collect()
}

/// The changes that turn `a` into `b`.
pub fn diff(a: &Value, b: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    let (ca, cb) = (classes_by_name(a), classes_by_name(b));
    for (name, class) in &ca {
        match cb.get(name) {
            None => out.push(Change {
                kind: Kind::Removed,
                part: format!("classes.{name}"),
                before: None,
                after: None,
            }),
            Some(other) => walk(&format!("classes.{name}"), class, other, &mut out),
        }
    }
    for name in cb.keys().filter(|n| !ca.contains_key(*n)) {
        out.push(Change {
            kind: Kind::Added,
            part: format!("classes.{name}"),
            before: None,
            after: None,
        });
    }
    let strip = |v: &Value| {
        let mut m = v.as_object().cloned().unwrap_or_default();
        m.remove("classes");
        Value::Object(m)
    };
    walk("", &strip(a), &strip(b), &mut out);
    out
}

fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<Change>) {
    if a == b {
        return;
    }
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (a, b) {
        (Value::Object(ma), Value::Object(mb)) => {
            for (k, va) in ma {
                match mb.get(k) {
                    Some(vb) => walk(&join(k), va, vb, out),
                    None => out.push(Change {
                        kind: Kind::Removed,
                        part: join(k),
                        before: Some(va.clone()),
                        after: None,
                    }),
                }
            }
            for (k, vb) in mb.iter().filter(|(k, _)| !ma.contains_key(*k)) {
                out.push(Change {
                    kind: Kind::Added,
                    part: join(k),
                    before: None,
                    after: Some(vb.clone()),
                });
            }
        }
        _ => out.push(Change {
            kind: Kind::Changed,
            part: path.to_string(),
            before: Some(a.clone()),
            after: Some(b.clone()),
        }),
    }
}

/// A value on one line, cut to `max` characters.
pub fn short(v: &Value, max: usize) -> String {
    let s = match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    let s = s.replace('\n', " ");
    if s.chars().count() > max {
        format!("{}…", s.chars().take(max).collect::<String>())
    } else {
        s
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.kind, &self.before, &self.after) {
            (Kind::Added, _, Some(v)) => write!(f, "+ {}: {}", self.part, short(v, 60)),
            (Kind::Added, _, None) => write!(f, "+ {}", self.part),
            (Kind::Removed, Some(v), _) => write!(f, "- {}: {}", self.part, short(v, 60)),
            (Kind::Removed, None, _) => write!(f, "- {}", self.part),
            (Kind::Changed, Some(a), Some(b)) => {
                write!(f, "~ {}: {} → {}", self.part, short(a, 40), short(b, 40))
            }
            (Kind::Changed, _, _) => write!(f, "~ {}", self.part),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn classes_match_by_name_and_settings_by_key() {
        let a = json!({"classes": [
            {"x-aws-idp-document-type": "W2", "properties": {"wages": {"type": "number"}}},
            {"x-aws-idp-document-type": "Old"}
        ], "classification": {"model": "m1", "temperature": 0}});
        let b = json!({"classes": [
            {"x-aws-idp-document-type": "New"},
            {"x-aws-idp-document-type": "W2", "properties": {"wages": {"type": "string"}}}
        ], "classification": {"model": "m2", "temperature": 0}, "summarization": {"enabled": true}});
        let lines: Vec<String> = diff(&a, &b).iter().map(|c| c.to_string()).collect();
        assert_eq!(
            lines,
            vec![
                "~ classes.W2.properties.wages.type: \"number\" → \"string\"",
                "- classes.Old",
                "+ classes.New",
                "~ classification.model: \"m1\" → \"m2\"",
                "+ summarization: {\"enabled\":true}",
            ]
        );
        assert!(diff(&a, &a).is_empty());
    }
}
