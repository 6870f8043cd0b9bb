//! One extractable field: a leaf of the class schema, with the hints the embedded engine uses to
//! find it. Hints are optional `x-idpctl-*` keys on the property:
//!
//! - `x-idpctl-labels`: the printed labels to look for (default: the property name in words);
//! - `x-idpctl-value`: `text`, `money`, `number`, `date`, `ssn`, `ein`, `zip`, `phone`, `state`,
//!   `checkbox` (default: guessed from `type`, `format` and the name);
//! - `x-idpctl-pattern`: a regex the value must match (group 1 is the value when present);
//! - `x-idpctl-direction`: `right`, `below` or `any` (default) — where the value sits;
//! - `x-idpctl-line`: the value is the n-th line below the label (default 1);
//! - `x-idpctl-lines`: join n consecutive lines (addresses);
//! - `x-idpctl-width`: the label's box is this wide (page fraction from the label's left edge),
//!   for boxes holding sub-labels ("first name ... Last name") that would otherwise end it.
//!
//! A property with none of these hints (an accelerator class as a user brings it) is *generic*:
//! its labels are the property name in words, the phrases its description quotes or lists in
//! parentheses, and every phrase in every language of the lexicon concept its name (else its
//! description) names; its value type comes from [`ValueType::generic`]. All of this is worked
//! out once, when the config is read, never per page.

use regex::Regex;
use serde_json::Value;

use super::threshold_of;
use super::value_type::ValueType;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Right,
    Below,
    Any,
}

#[derive(Debug, Clone)]
pub struct FieldDef {
    /// Property names from the class root to this leaf.
    pub path: Vec<String>,
    /// The JSON Schema `type` (`string`, `number`, `integer`, `boolean`).
    pub schema_type: String,
    pub description: String,
    pub threshold: Option<f32>,
    pub evaluation_method: Option<String>,
    pub labels: Vec<String>,
    pub value_type: ValueType,
    pub pattern: Option<Regex>,
    pub direction: Direction,
    pub line: usize,
    pub lines: usize,
    pub width: Option<f32>,
    /// No `x-idpctl-*` hint: labels, type and role come from the schema and the lexicon.
    pub generic: bool,
    /// The lexicon concept the field was linked to (`total`, `customer`, `invoice_number`).
    pub concept: Option<String>,
    /// How much a hit of `labels[i]` says, 0–1: the name's own words and specific phrases 1,
    /// short or generic words less ("tel", "date", "total" alone).
    pub label_strength: Vec<f32>,
}

impl FieldDef {
    pub fn dotted(&self) -> String {
        self.path.join(".")
    }

    /// Read a leaf property. `inherited` is the nearest threshold above it (object, class).
    pub fn from_property(
        path: Vec<String>,
        prop: &Value,
        inherited: Option<f32>,
    ) -> Result<Self, String> {
        let name = path.last().cloned().unwrap_or_default();
        let schema_type = prop
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("string")
            .to_string();
        let format = prop.get("format").and_then(Value::as_str);
        let description = prop
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let generic = !prop
            .as_object()
            .is_some_and(|o| o.keys().any(|k| k.starts_with("x-idpctl-")));
        let concept = if generic {
            concept_of(&name, &description)
        } else {
            None
        };
        let value_type = match prop.get("x-idpctl-value").and_then(Value::as_str) {
            Some(v) => ValueType::parse_name(v)
                .ok_or_else(|| format!("{}: unknown x-idpctl-value `{v}`", path.join(".")))?,
            None if generic => ValueType::generic(
                &name,
                &description,
                &schema_type,
                format,
                concept.as_deref(),
            ),
            None => ValueType::guess(&name, &schema_type, format),
        };
        let (labels, label_strength): (Vec<String>, Vec<f32>) = if generic {
            generic_labels(&name, &description, concept.as_deref())
                .into_iter()
                .unzip()
        } else {
            let labels = hinted_labels(prop, &name);
            let n = labels.len();
            (labels, vec![1.0; n])
        };
        Ok(Self {
            schema_type,
            description,
            threshold: threshold_of(prop).or(inherited),
            evaluation_method: prop
                .get("x-aws-idp-evaluation-method")
                .and_then(Value::as_str)
                .map(String::from),
            labels,
            value_type,
            pattern: pattern_of(prop, &path)?,
            direction: match prop.get("x-idpctl-direction").and_then(Value::as_str) {
                Some("right") => Direction::Right,
                Some("below") => Direction::Below,
                _ => Direction::Any,
            },
            line: count(prop, "x-idpctl-line"),
            lines: count(prop, "x-idpctl-lines"),
            width: prop
                .get("x-idpctl-width")
                .and_then(Value::as_f64)
                .map(|w| w.clamp(0.01, 1.0) as f32),
            generic,
            concept,
            label_strength,
            path,
        })
    }
}

fn hinted_labels(prop: &Value, name: &str) -> Vec<String> {
    {
        match prop.get("x-idpctl-labels") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => vec![words_of(name)],
        }
    }
}

fn pattern_of(prop: &Value, path: &[String]) -> Result<Option<Regex>, String> {
    match prop.get("x-idpctl-pattern").and_then(Value::as_str) {
        Some(p) => Regex::new(p)
            .map(Some)
            .map_err(|e| format!("{}: bad x-idpctl-pattern: {e}", path.join("."))),
        None => Ok(None),
    }
}

fn count(prop: &Value, k: &str) -> usize {
    prop.get(k)
        .and_then(Value::as_u64)
        .map(|n| n.clamp(1, 20) as usize)
        .unwrap_or(1)
}

/// Words that say what kind of value a name holds rather than what it is about
/// ("Vendor*Name*", "Customer*Address*"): a name is linked to a concept when the concept covers
/// every other word.
const KIND_WORDS: &[&str] = &[
    "name",
    "names",
    "address",
    "addresses",
    "number",
    "no",
    "nr",
    "id",
    "date",
    "amount",
    "value",
    "details",
    "info",
    "information",
];

/// The lexicon concept a property is about: one whose phrase covers every word of its name (kind
/// words aside), else one whose phrase of two or more words occurs in its description.
pub fn concept_of(name: &str, description: &str) -> Option<String> {
    let lex = crate::pipeline::lexicon::labels();
    let words = crate::pipeline::lexicon::tokens(&crate::pipeline::lexicon::split_name(name));
    if words.is_empty() {
        return None;
    }
    let matches = lex.find(&words);
    // Whole name first, then the name without its kind word(s).
    let core: Vec<&String> = words
        .iter()
        .filter(|w| !KIND_WORDS.contains(&w.as_str()))
        .collect();
    let full = matches
        .iter()
        .find(|m| m.start == 0 && m.len == words.len());
    if let Some(m) = full {
        return Some(m.concept.key.clone());
    }
    if !core.is_empty() {
        let core: Vec<String> = core.into_iter().cloned().collect();
        if let Some(m) = lex
            .find(&core)
            .into_iter()
            .find(|m| m.start == 0 && m.len == core.len())
        {
            return Some(m.concept.key.clone());
        }
    }
    let desc = crate::pipeline::lexicon::tokens(description);
    lex.find(&desc)
        .into_iter()
        .filter(|m| m.len >= 2)
        .max_by_key(|m| m.len)
        .map(|m| m.concept.key.clone())
}

/// Label variants of a generic field with their strength, strongest first, each once.
pub fn generic_labels(name: &str, description: &str, concept: Option<&str>) -> Vec<(String, f32)> {
    let mut out: Vec<(String, f32)> = Vec::new();
    // The token keys of `out`, kept rather than re-tokenising every label on each push.
    let mut keys: Vec<String> = Vec::new();
    let mut push = |label: String, strength: f32| {
        let toks = crate::pipeline::lexicon::tokens(&label);
        if toks.is_empty() || toks.len() > 6 {
            return;
        }
        let key = toks.join(" ");
        if !keys.contains(&key) {
            keys.push(key);
            out.push((label, strength));
        }
    };
    push(words_of(name), 1.0);
    for phrase in described_labels(description) {
        push(phrase, 0.95);
    }
    if let Some(c) = concept.and_then(|c| crate::pipeline::lexicon::labels().get(c)) {
        for t in &c.terms {
            // One short word ("tel", "ht", "due") is weaker evidence than a phrase.
            // A long single word is a compound that names one thing ("rechnungsnummer").
            let strength = match (t.tokens.len(), t.tokens[0].chars().count()) {
                (1, n) if n <= 3 => 0.8,
                (1, n) if n < 8 => 0.9,
                _ => 1.0,
            };
            push(t.phrase.clone(), strength);
        }
    }
    out
}

/// Phrases a description quotes ('invoice no', "Payment deadline") or lists in parentheses
/// ("(invoice number, invoice no., invoice #)"); values in a list (with digits) are examples,
/// not labels, and are left out.
fn described_labels(description: &str) -> Vec<String> {
    use std::sync::LazyLock;
    static QUOTED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"['"“‘«]([^'"”’»]{2,40})['"”’»]"#).unwrap());
    static LISTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\(([^)]{2,200})\)").unwrap());
    let mut out = Vec::new();
    for c in QUOTED.captures_iter(description) {
        out.push(c[1].trim().to_string());
    }
    for c in LISTED.captures_iter(description) {
        for item in c[1].split([',', ';']) {
            let item = item.trim().trim_end_matches('.');
            let low = item.to_lowercase();
            if item.is_empty()
                || item.chars().any(|c| c.is_ascii_digit())
                || low.starts_with("etc")
                || low.starts_with("e.g")
                || item.split_whitespace().count() > 4
            {
                continue;
            }
            out.push(item.to_string());
        }
    }
    out
}

/// `CurrentGrossPay` / `current_gross_pay` / `Date of Birth` → "current gross pay" etc.
pub fn words_of(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || c == ' ' {
            out.push(' ');
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            out.push(' ');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        out.extend(c.to_lowercase());
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_become_labels() {
        assert_eq!(super::words_of("CurrentGrossPay"), "current gross pay");
        assert_eq!(super::words_of("employee_last_name"), "employee last name");
        assert_eq!(super::words_of("Date of Birth"), "date of birth");
        assert_eq!(super::words_of("ID_NUMBER"), "id number");
    }

    #[test]
    fn names_link_to_lexicon_concepts() {
        let c = |n: &str, d: &str| super::concept_of(n, d);
        assert_eq!(c("InvoiceNumber", "").as_deref(), Some("invoice_number"));
        assert_eq!(c("TotalAmount", "").as_deref(), Some("total"));
        assert_eq!(c("VendorName", "").as_deref(), Some("vendor"));
        assert_eq!(c("CustomerAddress", "").as_deref(), Some("customer"));
        assert_eq!(c("PoNumber", "").as_deref(), Some("po_number"));
        assert_eq!(
            c("DueDate", "Payment deadline").as_deref(),
            Some("due_date")
        );
        assert_eq!(
            c("Deadline", "Payment deadline").as_deref(),
            Some("due_date")
        );
        // One word of the name alone ("date" of "ReviewDate") does not link it.
        assert_eq!(c("ReviewDate", ""), None);
    }

    #[test]
    fn generic_labels_come_in_every_language() {
        let labels = super::generic_labels(
            "InvoiceNumber",
            "Unique identifier ('invoice no') (invoice number, invoice #, e.g. 123)",
            Some("invoice_number"),
        );
        let has = |l: &str| labels.iter().any(|(x, _)| x == l);
        assert!(has("invoice number") && has("invoice no"));
        assert!(has("Rechnungsnummer".to_lowercase().as_str()) || has("rechnungsnummer"));
        assert!(has("n° de facture") && has("factuurnummer") && has("numero fattura"));
        assert!(!labels.iter().any(|(x, _)| x.contains("123")));
        // Each phrase once, the name's own words first.
        assert_eq!(labels[0], ("invoice number".to_string(), 1.0));
    }
}
