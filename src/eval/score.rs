//! Scoring one section: walk the expected and actual attributes together, leaf by leaf, and
//! give every leaf an [`Outcome`] (see [`super::counts`] for the rules).
//!
//! - Objects: every key of the truth is scored, whether or not the class config names it; keys
//!   only we produced are false alarms when they hold a value and are left out when empty (the
//!   truth says nothing about them).
//! - Lists (line items, and lists of values): rows are paired Hungarian-style, maximizing the
//!   total share of matching leaves (the accelerator pairs rows the same way), then scored leaf
//!   by leaf; expected rows left without a partner count their values as missed, our extra rows
//!   count theirs as false alarms. Rows are named by their index in the truth (`items[2].qty`);
//!   our extra rows by ours (`items[+3].qty`).

use serde::Serialize;
use serde_json::{Map, Value};

use super::compare::{self, Method, Verdict};
use super::counts::{Counts, Outcome};
use super::hungarian;
use super::methods::{self, Source};

/// One scored leaf.
#[derive(Debug, Clone, Serialize)]
pub struct FieldRow {
    pub document: String,
    pub class: String,
    /// With list indices: `state_taxes_table[1].state_name`.
    pub field: String,
    /// Indices dropped, for per-field totals: `state_taxes_table[].state_name`.
    pub key: String,
    pub expected: Value,
    pub actual: Value,
    pub method: String,
    pub method_source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    pub outcome: Outcome,
    /// Our confidence in the value, when the result has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// What a section is scored with.
pub struct Context<'a> {
    pub document: &'a str,
    pub class: &'a str,
    /// The class's schema in the configuration, when it has one.
    pub schema: Option<&'a Value>,
    /// Our per-field details (`fields` of the result section), keyed by dotted path.
    pub fields: &'a Map<String, Value>,
}

pub fn is_empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        _ => false,
    }
}

/// Scores `actual` against `expected` (the truth's attributes of one section).
pub fn section(ctx: &Context, expected: &Value, actual: &Value) -> Vec<FieldRow> {
    let mut rows = Vec::new();
    let mut w = Walker {
        ctx,
        rows: &mut rows,
    };
    w.object_keys(&mut Vec::new(), "", Some(expected), Some(actual));
    rows
}

#[derive(Clone, Copy)]
enum Kind {
    List,
    Object,
    Scalar,
    Empty,
}

struct Walker<'a, 'b> {
    ctx: &'a Context<'a>,
    rows: &'b mut Vec<FieldRow>,
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn collapse(field: &str) -> String {
    let mut out = String::new();
    let mut skip = false;
    for c in field.chars() {
        match c {
            '[' => {
                skip = true;
                out.push('[');
            }
            ']' => {
                skip = false;
                out.push(']');
            }
            _ if skip => {}
            _ => out.push(c),
        }
    }
    out
}

impl Walker<'_, '_> {
    /// `expected`: `None` when the truth does not have this key at all.
    fn value(
        &mut self,
        names: &mut Vec<String>,
        field: &str,
        expected: Option<&Value>,
        actual: Option<&Value>,
    ) {
        if is_empty(expected) && is_empty(actual) {
            return self.leaf(names, field, expected, actual);
        }
        let kind = |v: Option<&Value>| match v {
            Some(Value::Array(_)) => Kind::List,
            Some(Value::Object(_)) => Kind::Object,
            v if is_empty(v) => Kind::Empty,
            _ => Kind::Scalar,
        };
        match (kind(expected), kind(actual)) {
            (Kind::List, Kind::List | Kind::Empty) | (Kind::Empty, Kind::List) => {
                self.list(names, field, expected, actual)
            }
            (Kind::Object, Kind::Object | Kind::Empty) | (Kind::Empty, Kind::Object) => {
                self.object_keys(names, field, expected, actual)
            }
            _ => self.leaf(names, field, expected, actual),
        }
    }

    fn object_keys(
        &mut self,
        names: &mut Vec<String>,
        prefix: &str,
        expected: Option<&Value>,
        actual: Option<&Value>,
    ) {
        let empty = Map::new();
        let e = expected.and_then(Value::as_object);
        let a = actual.and_then(Value::as_object).unwrap_or(&empty);
        // A truth that is explicitly empty here makes our values false alarms and our empties
        // true negatives; an absent one leaves our empties out.
        let explicit_empty = expected.is_some() && e.is_none_or(Map::is_empty);
        for (k, ev) in e.into_iter().flatten() {
            names.push(k.clone());
            self.value(names, &join(prefix, k), Some(ev), a.get(k));
            names.pop();
        }
        for (k, av) in a {
            if e.is_some_and(|e| e.contains_key(k)) {
                continue;
            }
            names.push(k.clone());
            let truth = explicit_empty.then_some(&Value::Null);
            self.value(names, &join(prefix, k), truth, Some(av));
            names.pop();
        }
    }

    fn list(
        &mut self,
        names: &mut Vec<String>,
        field: &str,
        expected: Option<&Value>,
        actual: Option<&Value>,
    ) {
        let none = Vec::new();
        let e = expected.and_then(Value::as_array).unwrap_or(&none);
        let a = actual.and_then(Value::as_array).unwrap_or(&none);
        if e.is_empty() && a.is_empty() {
            return self.leaf(names, field, expected, actual);
        }
        // Similarity of each pair: the share of its scored leaves that match.
        let sim: Vec<Vec<f64>> = e
            .iter()
            .map(|ev| {
                a.iter()
                    .map(|av| {
                        let mut tmp = Vec::new();
                        let mut w = Walker {
                            ctx: self.ctx,
                            rows: &mut tmp,
                        };
                        w.value(&mut names.clone(), field, Some(ev), Some(av));
                        let mut c = Counts::default();
                        tmp.iter().for_each(|r| c.add(r.outcome));
                        let den = c.scored() - c.tn;
                        if den == 0 {
                            1.0
                        } else {
                            c.tp as f64 / den as f64
                        }
                    })
                    .collect()
            })
            .collect();
        let pairs = hungarian::pair(&sim);
        let mut used = vec![false; a.len()];
        for (i, ev) in e.iter().enumerate() {
            let f = format!("{field}[{i}]");
            match pairs[i] {
                Some(j) => {
                    used[j] = true;
                    self.value(names, &f, Some(ev), Some(&a[j]));
                }
                None => self.value(names, &f, Some(ev), None),
            }
        }
        // The truth has this list (maybe empty): our extra rows are false alarms.
        let truth = expected.map(|_| &Value::Null);
        for (j, av) in a.iter().enumerate() {
            if !used[j] {
                self.value(names, &format!("{field}[+{j}]"), truth, Some(av));
            }
        }
    }

    fn leaf(
        &mut self,
        names: &[String],
        field: &str,
        expected: Option<&Value>,
        actual: Option<&Value>,
    ) {
        let (e_empty, a_empty) = (is_empty(expected), is_empty(actual));
        if expected.is_none() && a_empty {
            return;
        }
        // A structured value of ours against a scalar truth (or the reverse) is compared as
        // its JSON text, which is a mismatch unless they are the same.
        let (method, source) = match self.ctx.schema.and_then(|s| methods::from_schema(s, names)) {
            Some(m) if m.name != "HUNGARIAN" => (m, Source::Config),
            _ => {
                let basis = if e_empty { actual } else { expected };
                (
                    methods::infer(basis.unwrap_or(&Value::Null)),
                    Source::Inferred,
                )
            }
        };
        let (outcome, score) = match (e_empty, a_empty) {
            (true, true) => (Outcome::Tn, None),
            (true, false) => (Outcome::Fa, None),
            (false, true) => (Outcome::Fn, None),
            (false, false) => match compare::compare(
                &method,
                expected.unwrap_or(&Value::Null),
                actual.unwrap_or(&Value::Null),
            ) {
                Verdict::Match(s) => (Outcome::Tp, Some(s)),
                Verdict::Mismatch(s) => (Outcome::Fd, Some(s)),
                Verdict::Unscored => (Outcome::Unscored, None),
            },
        };
        let confidence = if field.contains('[') {
            None
        } else {
            self.ctx
                .fields
                .get(field)
                .and_then(|f| f.get("confidence"))
                .and_then(Value::as_f64)
        };
        self.rows.push(FieldRow {
            document: self.ctx.document.to_string(),
            class: self.ctx.class.to_string(),
            field: field.to_string(),
            key: collapse(field),
            expected: expected.cloned().unwrap_or(Value::Null),
            actual: actual.cloned().unwrap_or(Value::Null),
            method: method_label(&method),
            method_source: source,
            score,
            outcome,
            confidence,
        });
    }
}

fn method_label(m: &Method) -> String {
    m.label()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn score(expected: Value, actual: Value, schema: Option<&Value>) -> Vec<FieldRow> {
        let fields = Map::new();
        let ctx = Context {
            document: "d",
            class: "C",
            schema,
            fields: &fields,
        };
        section(&ctx, &expected, &actual)
    }

    fn outcomes(rows: &[FieldRow]) -> Vec<(String, Outcome)> {
        rows.iter().map(|r| (r.field.clone(), r.outcome)).collect()
    }

    #[test]
    fn every_truth_field_is_scored() {
        let rows = score(
            json!({"a": "x", "b": "y", "c": null, "d": null, "g": {"h": "1", "i": "2"}}),
            json!({"a": "X", "b": "z", "c": "extra", "g": {"h": "1"}, "only_ours": "v", "only_ours_empty": null}),
            None,
        );
        assert_eq!(
            outcomes(&rows),
            vec![
                ("a".into(), Outcome::Tp),
                ("b".into(), Outcome::Fd),
                ("c".into(), Outcome::Fa),
                ("d".into(), Outcome::Tn),
                ("g.h".into(), Outcome::Tp),
                ("g.i".into(), Outcome::Fn),
                ("only_ours".into(), Outcome::Fa),
            ]
        );
        let mut c = Counts::default();
        rows.iter().for_each(|r| c.add(r.outcome));
        // Hand count: TP 2, FD 1, FA 2, FN 1, TN 1; 4 expected non-empty.
        assert_eq!(
            c,
            Counts {
                tp: 2,
                fd: 1,
                fa: 2,
                fn_: 1,
                tn: 1,
                unscored: 0
            }
        );
        assert_eq!(c.expected(), 4);
    }

    #[test]
    fn line_items_are_paired_whatever_their_order() {
        let rows = score(
            json!({"items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}, {"sku": "C", "qty": 3}]}),
            json!({"items": [{"sku": "B", "qty": 2}, {"sku": "A", "qty": 5}, {"sku": "Z", "qty": 9}, {"sku": "D", "qty": 4}]}),
            None,
        );
        let got = outcomes(&rows);
        assert!(
            got.contains(&("items[0].sku".into(), Outcome::Tp)),
            "{got:?}"
        );
        assert!(got.contains(&("items[0].qty".into(), Outcome::Fd)));
        assert!(got.contains(&("items[1].sku".into(), Outcome::Tp)));
        assert!(got.contains(&("items[1].qty".into(), Outcome::Tp)));
        // C/3 paired with one of the two left (both score 0) → two wrong values; the other is
        // an extra row: two false alarms.
        assert!(got.contains(&("items[2].sku".into(), Outcome::Fd)));
        assert_eq!(got.iter().filter(|(_, o)| *o == Outcome::Fa).count(), 2);
        assert_eq!(rows[0].key, "items[].sku");
    }

    #[test]
    fn missing_rows_are_missed() {
        let rows = score(
            json!({"items": [{"a": "1"}, {"a": "2"}]}),
            json!({"items": [{"a": "2"}]}),
            None,
        );
        assert_eq!(
            outcomes(&rows),
            vec![
                ("items[0].a".into(), Outcome::Fn),
                ("items[1].a".into(), Outcome::Tp)
            ]
        );
    }

    #[test]
    fn config_methods_apply_and_unconfigured_are_inferred() {
        let schema = json!({"properties": {"name": {"type": "string", "x-aws-idp-evaluation-method": "FUZZY", "x-aws-idp-evaluation-threshold": 0.8}}});
        let rows = score(
            json!({"name": "Jon Doe", "amount": "$1,234.50"}),
            json!({"name": "John Doe", "amount": "1.234,50"}),
            Some(&schema),
        );
        assert_eq!(rows[0].outcome, Outcome::Tp);
        assert_eq!(rows[0].method, "FUZZY (0.80)");
        assert_eq!(rows[0].method_source, Source::Config);
        assert_eq!(rows[1].outcome, Outcome::Tp);
        assert_eq!(rows[1].method, "NUMERIC_EXACT");
        assert_eq!(rows[1].method_source, Source::Inferred);
    }

    #[test]
    fn empty_truth_list_makes_our_rows_false_alarms() {
        let rows = score(json!({"items": []}), json!({"items": [{"a": "1"}]}), None);
        assert_eq!(outcomes(&rows), vec![("items[+0].a".into(), Outcome::Fa)]);
        let rows = score(json!({"items": []}), json!({"items": []}), None);
        assert_eq!(outcomes(&rows), vec![("items".into(), Outcome::Tn)]);
    }
}
