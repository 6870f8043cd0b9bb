//! The accelerator's evaluation methods (`x-aws-idp-evaluation-method`) as comparators of one
//! expected and one actual scalar. Each gives a score in 0..=1 and a verdict:
//!
//! - `EXACT`: equal after folding case and dropping whitespace and punctuation
//!   (`"NY 10003"` = `"ny10003"`); booleans equal booleans or their words (`true`/`yes`/`x`).
//! - `NUMERIC_EXACT`: the same number within half a cent, read in any locale ([`numbers`]).
//! - `DATE`: the same calendar day in any format ([`dates`]); `dayfirst` from the field's
//!   `x-aws-idp-evaluation-method-config`.
//! - `FUZZY`: normalized Levenshtein similarity of the lower-cased words in sorted order (so
//!   word order does not matter) ≥ the threshold (default 0.7).
//! - `LEVENSHTEIN`: normalized Levenshtein similarity of the lower-cased, space-collapsed
//!   strings ≥ the threshold (default 0.7).
//! - `SEMANTIC`, `LLM`: need a model. Identical values (after `EXACT` folding) match without
//!   one, as the accelerator short-circuits them too; anything else is [`Verdict::Unscored`].

use serde_json::Value;

use super::numbers;
use crate::pipeline::calendar as dates;

/// How a field is compared.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Method {
    /// Upper-case accelerator name: EXACT, NUMERIC_EXACT, DATE, FUZZY, LEVENSHTEIN, SEMANTIC, LLM.
    pub name: String,
    /// FUZZY/LEVENSHTEIN/SEMANTIC similarity threshold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// DATE: day before month (`x-aws-idp-evaluation-method-config.dayfirst`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dayfirst: Option<bool>,
}

/// The accelerator's default similarity threshold for FUZZY, LEVENSHTEIN and SEMANTIC.
pub const DEFAULT_THRESHOLD: f64 = 0.7;

impl Method {
    pub fn named(name: &str) -> Method {
        Method {
            name: name.to_string(),
            threshold: None,
            dayfirst: None,
        }
    }

    /// `FUZZY (threshold: 0.80)` etc., as the accelerator's reports write it.
    pub fn label(&self) -> String {
        match (self.name.as_str(), self.threshold) {
            ("FUZZY" | "LEVENSHTEIN" | "SEMANTIC", t) => {
                format!("{} ({:.2})", self.name, t.unwrap_or(DEFAULT_THRESHOLD))
            }
            _ => self.name.clone(),
        }
    }
}

/// What a comparator concluded about two non-empty values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    Match(f64),
    Mismatch(f64),
    /// The method needs a model and none is configured.
    Unscored,
}

/// Compares two values that are both present (neither null nor empty).
pub fn compare(method: &Method, expected: &Value, actual: &Value) -> Verdict {
    let verdict = |score: f64, ok: bool| {
        if ok {
            Verdict::Match(score)
        } else {
            Verdict::Mismatch(score)
        }
    };
    match method.name.as_str() {
        "NUMERIC_EXACT" | "NUMERIC" => {
            let (e, a) = (number_readings(expected), number_readings(actual));
            if e.is_empty() || a.is_empty() {
                // Not numbers on one side: fall back to the exact comparison of the text.
                let ok = exact(expected, actual);
                return verdict(if ok { 1.0 } else { 0.0 }, ok);
            }
            let ok = numbers::same(&e, &a);
            verdict(if ok { 1.0 } else { 0.0 }, ok)
        }
        "DATE" => {
            let (e, a) = (
                dates::candidates(&text(expected), method.dayfirst),
                dates::candidates(&text(actual), method.dayfirst),
            );
            let ok = if e.is_empty() || a.is_empty() {
                exact(expected, actual)
            } else {
                dates::same(&e, &a)
            };
            verdict(if ok { 1.0 } else { 0.0 }, ok)
        }
        "FUZZY" => {
            let s = fuzzy(&text(expected), &text(actual));
            verdict(s, s >= method.threshold.unwrap_or(DEFAULT_THRESHOLD))
        }
        "LEVENSHTEIN" => {
            let s = levenshtein(&text(expected), &text(actual));
            verdict(s, s >= method.threshold.unwrap_or(DEFAULT_THRESHOLD))
        }
        "SEMANTIC" | "LLM" => {
            if exact(expected, actual) {
                Verdict::Match(1.0)
            } else {
                Verdict::Unscored
            }
        }
        // EXACT, and anything unknown (reported as such by the caller).
        _ => {
            let ok = exact(expected, actual);
            verdict(if ok { 1.0 } else { 0.0 }, ok)
        }
    }
}

/// A scalar as text: strings as they are, numbers and booleans as JSON writes them.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn number_readings(v: &Value) -> Vec<f64> {
    match v {
        Value::Number(n) => n.as_f64().into_iter().collect(),
        Value::String(s) => numbers::candidates(s),
        _ => Vec::new(),
    }
}

fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_lowercase().as_str() {
            "true" | "yes" | "y" | "x" | "checked" | "on" | "selected" => Some(true),
            "false" | "no" | "n" | "unchecked" | "off" | "not selected" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Case, whitespace and punctuation folded away.
pub fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn exact(expected: &Value, actual: &Value) -> bool {
    if matches!(expected, Value::Bool(_)) || matches!(actual, Value::Bool(_)) {
        return as_bool(expected).is_some() && as_bool(expected) == as_bool(actual);
    }
    if let (Value::Number(e), Value::Number(a)) = (expected, actual) {
        return e.as_f64() == a.as_f64();
    }
    fold(&text(expected)) == fold(&text(actual))
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Normalized Levenshtein similarity of the words, sorted, so "DOE JOHN" = "John Doe".
pub fn fuzzy(a: &str, b: &str) -> f64 {
    let (mut wa, mut wb) = (words(a), words(b));
    wa.sort();
    wb.sort();
    strsim::normalized_levenshtein(&wa.join(" "), &wb.join(" "))
}

/// Normalized Levenshtein similarity of the lower-cased strings, whitespace collapsed.
pub fn levenshtein(a: &str, b: &str) -> f64 {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    strsim::normalized_levenshtein(&norm(a), &norm(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(name: &str, threshold: Option<f64>) -> Method {
        Method {
            threshold,
            ..Method::named(name)
        }
    }

    #[test]
    fn exact_folds_case_space_and_punctuation() {
        let e = m("EXACT", None);
        assert_eq!(
            compare(&e, &json!("NY 10003-2005"), &json!("ny 100032005")),
            Verdict::Match(1.0)
        );
        assert_eq!(
            compare(&e, &json!("D8923484923448"), &json!("D8923484923449")),
            Verdict::Mismatch(0.0)
        );
        assert_eq!(compare(&e, &json!(true), &json!("X")), Verdict::Match(1.0));
        assert_eq!(
            compare(&e, &json!(true), &json!(false)),
            Verdict::Mismatch(0.0)
        );
        assert_eq!(
            compare(&e, &json!(true), &json!("maybe")),
            Verdict::Mismatch(0.0)
        );
    }

    #[test]
    fn numeric_reads_any_locale() {
        let n = m("NUMERIC_EXACT", None);
        assert_eq!(
            compare(&n, &json!("$472,525.00"), &json!(472525.0)),
            Verdict::Match(1.0)
        );
        assert_eq!(
            compare(&n, &json!("1.234,56 €"), &json!("$1,234.56")),
            Verdict::Match(1.0)
        );
        assert_eq!(
            compare(&n, &json!("($2,336.28)"), &json!(-2336.28)),
            Verdict::Match(1.0)
        );
        assert_eq!(
            compare(&n, &json!("$0.00"), &json!("0.01")),
            Verdict::Mismatch(0.0)
        );
    }

    #[test]
    fn date_ignores_format() {
        let d = m("DATE", None);
        assert_eq!(
            compare(&d, &json!("03/14/2017"), &json!("2017-03-14")),
            Verdict::Match(1.0)
        );
        assert_eq!(
            compare(&d, &json!("03/14/2017"), &json!("2017-03-15")),
            Verdict::Mismatch(0.0)
        );
    }

    #[test]
    fn fuzzy_threshold_is_inclusive_and_ignores_word_order() {
        // "jon doe" vs "john doe": one insertion over 8 characters → 0.875.
        let s = fuzzy("Jon Doe", "John Doe");
        assert!((s - 0.875).abs() < 1e-9, "{s}");
        assert_eq!(
            compare(
                &m("FUZZY", Some(0.875)),
                &json!("Jon Doe"),
                &json!("John Doe")
            ),
            Verdict::Match(s)
        );
        assert_eq!(
            compare(
                &m("FUZZY", Some(0.88)),
                &json!("Jon Doe"),
                &json!("John Doe")
            ),
            Verdict::Mismatch(s)
        );
        assert_eq!(fuzzy("DOE, JOHN", "John Doe"), 1.0);
        // The default threshold is 0.7.
        assert!(matches!(
            compare(
                &m("FUZZY", None),
                &json!("abcdefghij"),
                &json!("abcdefgxyz")
            ),
            Verdict::Match(_)
        ));
        assert!(matches!(
            compare(
                &m("FUZZY", None),
                &json!("abcdefghij"),
                &json!("abcdewxyzq")
            ),
            Verdict::Mismatch(_)
        ));
    }

    #[test]
    fn levenshtein_keeps_word_order() {
        assert!(levenshtein("john doe", "doe john") < 0.5);
        assert_eq!(levenshtein("John  Doe", "john doe"), 1.0);
    }

    #[test]
    fn model_methods_match_identical_values_only() {
        let l = m("LLM", None);
        assert_eq!(
            compare(&l, &json!("Acme, Inc."), &json!("ACME INC")),
            Verdict::Match(1.0)
        );
        assert_eq!(
            compare(&l, &json!("Acme"), &json!("Acme Corporation")),
            Verdict::Unscored
        );
    }

    #[test]
    fn labels_show_thresholds_where_they_matter() {
        assert_eq!(m("FUZZY", Some(0.8)).label(), "FUZZY (0.80)");
        assert_eq!(m("LEVENSHTEIN", None).label(), "LEVENSHTEIN (0.70)");
        assert_eq!(m("EXACT", Some(0.8)).label(), "EXACT");
    }
}
