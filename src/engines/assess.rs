//! Assessment with a model: one call per section with its extraction results and its pages'
//! text, answering for every extracted field `{confidence, confidence_reason}`, nested like the
//! results (a table's rows one by one), as the accelerator's assessment stage does. The
//! configuration's assessment prompts are used with their placeholders (`{DOCUMENT_CLASS}`,
//! `{ATTRIBUTE_NAMES_AND_DESCRIPTIONS}`, `{EXTRACTION_RESULTS}`, `{DOCUMENT_TEXT}`,
//! `{OCR_TEXT_CONFIDENCE}`; `{DOCUMENT_IMAGE}` is left empty: this engine sends text).
//!
//! The answer must assess exactly the extracted fields, each with a confidence from 0 to 1: a
//! field left out, one the extraction does not have, or a confidence out of range gets one
//! repair request, then fails the document with the reason and the model's text. Comparing
//! the confidences with the thresholds stays with `pipeline::assess`, as for the rules engine.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::chat::{ChatModel, ChatRequest, Part, strip_cachepoints};
use super::error::EngineError;
use super::extract::{Usage, attribute_lines, configured_or, configured_request, document_text};
use super::repair::{ask_checked, kind};
use crate::model::{PageContent, Section, TextSource};
use crate::pipeline::config::ClassDef;
use crate::pipeline::config::sections::AssessmentSection;

pub const DEFAULT_SYSTEM_PROMPT: &str = "You assess how far each field extracted from a \
business document can be trusted, against the document itself. For every field give a \
confidence from 0.0 (nothing in the document supports it) to 1.0 (printed clearly and \
unambiguously) and a short reason. Answer with one JSON object in the requested format.";

pub const DEFAULT_TASK_PROMPT: &str = "Assess the extraction results of this {DOCUMENT_CLASS} \
document.\n\nFields:\n{ATTRIBUTE_NAMES_AND_DESCRIPTIONS}\n\n\
Extraction results:\n<extraction-results>\n{EXTRACTION_RESULTS}\n</extraction-results>\n\n\
Document text:\n<document>\n{DOCUMENT_TEXT}\n</document>\n\n\
For every field of the extraction results give {\"confidence\": <0.0 to 1.0>, \
\"confidence_reason\": \"<why>\"}, nested like the results. Answer with the JSON object only.";

/// Words an OCR engine read below this confidence are listed for the model.
const LOW_WORD_CONFIDENCE: f32 = 0.8;
/// At most this many of them per page.
const LOW_WORDS_SHOWN: usize = 30;

/// The model's verdict on one field.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub confidence: f32,
    pub reason: String,
}

/// Field paths (`vendor.name`, `lines[2].amount`) → the model's assessment, and what it cost.
/// A section without fields needs no call.
pub async fn assess_with_model(
    chat: &dyn ChatModel,
    model: &str,
    class: &ClassDef,
    section: &Section,
    pages: &[PageContent],
    settings: &AssessmentSection,
) -> Result<(BTreeMap<String, Assessment>, Usage), EngineError> {
    let mut usage = Usage::default();
    if section.fields.is_empty() {
        return Ok((BTreeMap::new(), usage));
    }
    let expected: BTreeSet<String> = section.fields.keys().cloned().collect();
    let (system, user) = prompts(class, section, pages, settings);
    let request = ChatRequest {
        system: Some(system),
        user: vec![Part::Text(user)],
        schema: Some(("assessment".into(), answer_schema(&expected))),
        ..configured_request(model, &settings.model)
    };
    let (assessed, _) = ask_checked(chat, &request, &mut usage, |v| check(v, &expected)).await?;
    Ok((assessed, usage))
}

/// The model's confidences and reasons onto the section's fields.
pub fn apply(section: &mut Section, assessed: &BTreeMap<String, Assessment>) {
    for (path, a) in assessed {
        if let Some(field) = section.fields.get_mut(path) {
            field.confidence = a.confidence;
            field.confidence_reason = if a.reason.trim().is_empty() {
                "the model gave a confidence without a reason".into()
            } else {
                a.reason.trim().to_string()
            };
        }
    }
}

/// System and user prompt, from the configuration or the defaults.
pub fn prompts(
    class: &ClassDef,
    section: &Section,
    pages: &[PageContent],
    settings: &AssessmentSection,
) -> (String, String) {
    let (system, task) = configured_or(&settings.model, DEFAULT_SYSTEM_PROMPT, DEFAULT_TASK_PROMPT);
    let results = serde_json::to_string_pretty(&section.attributes).unwrap_or_default();
    let user = task
        .replace("{DOCUMENT_CLASS}", &class.name)
        .replace(
            "{ATTRIBUTE_NAMES_AND_DESCRIPTIONS}",
            &attribute_lines(class),
        )
        .replace("{EXTRACTION_RESULTS}", &results)
        .replace("{DOCUMENT_IMAGE}", "")
        .replace("{OCR_TEXT_CONFIDENCE}", &ocr_text_confidence(pages))
        .replace("{DOCUMENT_TEXT}", &document_text(pages));
    (strip_cachepoints(&system), strip_cachepoints(&user))
}

/// `{OCR_TEXT_CONFIDENCE}`: each page's text with how it was read, and for OCR pages the words
/// read with low confidence.
pub fn ocr_text_confidence(pages: &[PageContent]) -> String {
    pages
        .iter()
        .map(|p| {
            let how = match p.text_source {
                TextSource::Ocr => match p.mean_confidence() {
                    Some(c) => format!("OCR, mean word confidence {c:.2}"),
                    None => "OCR".to_string(),
                },
                TextSource::TextLayer => "the PDF's own text layer, exact".to_string(),
                TextSource::Native => "a text file, exact".to_string(),
                TextSource::None => "not read".to_string(),
            };
            let mut out = format!("--- page {} ({how}) ---\n{}", p.page_number, p.text.trim());
            if p.text_source == TextSource::Ocr {
                let low: Vec<String> = p
                    .words
                    .iter()
                    .filter(|w| w.confidence < LOW_WORD_CONFIDENCE)
                    .take(LOW_WORDS_SHOWN)
                    .map(|w| format!("{} ({:.2})", w.text, w.confidence))
                    .collect();
                if !low.is_empty() {
                    out.push_str(&format!(
                        "\nwords read with low confidence: {}",
                        low.join(", ")
                    ));
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One step of a field path.
#[derive(Debug, PartialEq)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// `lines[2].amount` → `lines`, `2`, `amount`.
fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        out.push(Step::Key(key));
        while let Some((index, after)) = rest.split_once(']') {
            if let Ok(i) = index.parse() {
                out.push(Step::Index(i));
            }
            rest = after.strip_prefix('[').unwrap_or(after);
        }
    }
    out
}

/// The fields' shape as JSON: objects and arrays as in the results, `true` at each field.
fn skeleton(expected: &BTreeSet<String>) -> Value {
    let mut root = Value::Object(Map::new());
    for path in expected {
        let mut at = &mut root;
        for step in steps(path) {
            at = match step {
                Step::Key(k) => {
                    if !at.is_object() {
                        *at = Value::Object(Map::new());
                    }
                    at.as_object_mut()
                        .expect("made an object above")
                        .entry(k)
                        .or_insert(Value::Null)
                }
                Step::Index(i) => {
                    if !at.is_array() {
                        *at = Value::Array(Vec::new());
                    }
                    let rows = at.as_array_mut().expect("made an array above");
                    if rows.len() <= i {
                        rows.resize(i + 1, Value::Null);
                    }
                    &mut rows[i]
                }
            };
        }
        *at = Value::Bool(true);
    }
    root
}

/// Two shapes as one: a table's rows all have the same columns.
fn merge(into: &mut Value, other: &Value) {
    match (into, other) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (Value::Array(a), Value::Array(b)) => a.extend(b.iter().cloned()),
        (slot @ Value::Null, v) => *slot = v.clone(),
        _ => {}
    }
}

fn schema_of(shape: &Value) -> Value {
    match shape {
        Value::Object(m) => json!({
            "type": "object",
            "properties": m.iter().map(|(k, v)| (k.clone(), schema_of(v))).collect::<Map<_, _>>(),
            "required": m.keys().collect::<Vec<_>>(),
            "additionalProperties": false
        }),
        Value::Array(rows) => {
            let mut row = Value::Null;
            for r in rows {
                merge(&mut row, r);
            }
            json!({"type": "array", "items": schema_of(&row)})
        }
        _ => json!({
            "type": "object",
            "properties": {
                // Servers that enforce bounds on numbers (vLLM, OpenAI) keep it in range;
                // llama.cpp does not, and the check below catches what gets through.
                "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                "confidence_reason": {"type": "string"}
            },
            "required": ["confidence", "confidence_reason"],
            "additionalProperties": false
        }),
    }
}

/// The answer format for these fields: the results' shape with `{confidence,
/// confidence_reason}` in place of each value.
pub fn answer_schema(expected: &BTreeSet<String>) -> Value {
    schema_of(&skeleton(expected))
}

/// Field paths of the answer and what is at each.
fn leaves<'a>(
    v: &'a Value,
    path: String,
    expected: &BTreeSet<String>,
    out: &mut Vec<(String, &'a Value)>,
) {
    if expected.contains(&path) {
        out.push((path, v));
        return;
    }
    match v {
        Value::Object(m) if !m.contains_key("confidence") => {
            for (k, child) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                leaves(child, p, expected, out);
            }
        }
        Value::Array(rows) => {
            for (i, child) in rows.iter().enumerate() {
                leaves(child, format!("{path}[{i}]"), expected, out);
            }
        }
        _ => out.push((path, v)),
    }
}

/// One field's assessment: `{confidence, confidence_reason}`, or a bare confidence.
fn assessment(v: &Value) -> Result<Assessment, String> {
    let number = |c: &Value| match c {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    let (confidence, reason) = match v {
        Value::Object(m) => (
            m.get("confidence").and_then(number),
            m.get("confidence_reason")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        ),
        other => (number(other), String::new()),
    };
    match confidence {
        Some(c) if (0.0..=1.0).contains(&c) => Ok(Assessment {
            confidence: c as f32,
            reason,
        }),
        _ => Err(match v {
            Value::Object(m) => match m.get("confidence") {
                Some(c) => format!("`{c}`, not a number from 0 to 1"),
                None => "no \"confidence\"".to_string(),
            },
            other => format!("{}, not {{confidence, confidence_reason}}", kind(other)),
        }),
    }
}

/// The answer: exactly the expected fields, each with a usable confidence.
fn check(v: &Value, expected: &BTreeSet<String>) -> Result<BTreeMap<String, Assessment>, String> {
    if !v.is_object() {
        return Err(format!(
            "the answer is JSON but not an object ({})",
            kind(v)
        ));
    }
    let mut found = Vec::new();
    leaves(v, String::new(), expected, &mut found);
    let mut problems = Vec::new();
    let mut out = BTreeMap::new();
    let mut unknown = Vec::new();
    let mut seen = BTreeSet::new();
    for (path, value) in found {
        if !expected.contains(&path) {
            unknown.push(path);
            continue;
        }
        seen.insert(path.clone());
        match assessment(value) {
            Ok(a) => {
                out.insert(path, a);
            }
            Err(e) => problems.push(format!("the assessment of `{path}` has {e}")),
        }
    }
    let list = |v: &[String]| {
        let shown: Vec<&str> = v.iter().take(10).map(String::as_str).collect();
        let more = v.len().saturating_sub(shown.len());
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
    if !unknown.is_empty() {
        problems.push(format!(
            "it assesses fields the extraction results do not have: {}",
            list(&unknown)
        ));
    }
    let missing: Vec<String> = expected
        .iter()
        .filter(|p| !seen.contains(*p))
        .cloned()
        .collect();
    if !missing.is_empty() {
        problems.push(format!(
            "it leaves out fields: {}; every field of the extraction results needs one",
            list(&missing)
        ));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::chat::Finish;
    use crate::engines::testing::Scripted;
    use crate::model::{BoundingBox, FieldResult, Word};
    use crate::pipeline::config::ClassConfig;

    /// The model, answering with the token counts the tests expect.
    fn scripted(answers: &[&str]) -> Scripted {
        Scripted::new(answers).tokens(200, 30)
    }

    fn invoice() -> ClassDef {
        let config = ClassConfig::from_yaml(
            r#"classes:
  - x-aws-idp-document-type: Invoice
    x-aws-idp-confidence-threshold: 0.8
    properties:
      number: {type: string, description: The invoice number, x-aws-idp-confidence-threshold: 0.95}
      vendor: {type: object, properties: {name: {type: string}}}
      lines: {type: array, items: {type: object, properties: {item: {type: string}, amount: {type: number}}}}
"#,
        )
        .unwrap();
        config.classes[0].clone()
    }

    fn field(value: Value) -> FieldResult {
        FieldResult {
            value,
            raw_text: None,
            confidence: 0.9,
            confidence_threshold: None,
            confidence_reason: "extracted".into(),
            source: None,
        }
    }

    fn section() -> Section {
        let mut s = Section {
            section_id: "1".into(),
            classification: "Invoice".into(),
            page_ids: vec!["1".into()],
            ..Section::default()
        };
        s.attributes = json!({"number": "INV-7", "vendor": {"name": "Acme"},
            "lines": [{"item": "Bolts", "amount": 3.5}]})
        .as_object()
        .unwrap()
        .clone();
        for (k, v) in [
            ("number", json!("INV-7")),
            ("vendor.name", json!("Acme")),
            ("lines[0].item", json!("Bolts")),
            ("lines[0].amount", json!(3.5)),
        ] {
            s.fields.insert(k.into(), field(v));
        }
        s
    }

    fn page() -> PageContent {
        PageContent {
            page_number: 1,
            text_source: TextSource::Ocr,
            words: vec![
                Word::new("INV-7", BoundingBox::default(), 0.99),
                Word::new("Acrne", BoundingBox::default(), 0.41),
            ],
            text: "Invoice INV-7\nAcrne\nBolts 3.50".into(),
            needs_ocr: true,
            einvoice: None,
            image: None,
        }
    }

    const GOOD: &str = r#"{
        "number": {"confidence": 0.9, "confidence_reason": "printed after Invoice"},
        "vendor": {"name": {"confidence": 0.4, "confidence_reason": "OCR read Acrne"}},
        "lines": [{"item": {"confidence": 0.95, "confidence_reason": "clear"},
                   "amount": {"confidence": "0.85", "confidence_reason": "clear"}}]
    }"#;

    #[tokio::test]
    async fn confidences_come_from_the_model_and_thresholds_flag_fields() {
        let class = invoice();
        let mut s = section();
        let chat = scripted(&[GOOD]);
        let (assessed, usage) =
            assess_with_model(&chat, "m", &class, &s, &[page()], &Default::default())
                .await
                .unwrap();
        assert_eq!(usage.calls, 1);
        assert_eq!(usage.input_tokens, 200);
        apply(&mut s, &assessed);
        assert_eq!(s.fields["vendor.name"].confidence, 0.4);
        assert_eq!(s.fields["vendor.name"].confidence_reason, "OCR read Acrne");
        assert_eq!(s.fields["lines[0].amount"].confidence, 0.85);
        // The rules stage's threshold comparison flags them: number's own 0.95, the class's 0.8.
        let alerts = crate::pipeline::assess::assess_section(&mut s, &class, 0.5);
        let flagged: Vec<_> = s
            .confidence_threshold_alerts
            .iter()
            .map(|a| (a.attribute_name.as_str(), a.confidence_threshold))
            .collect();
        assert_eq!(alerts, 2);
        assert_eq!(flagged, vec![("number", 0.95), ("vendor.name", 0.8)]);

        let asked = chat.asked.lock().unwrap();
        let (name, schema) = asked[0].schema.as_ref().unwrap();
        assert_eq!(name, "assessment");
        assert_eq!(
            schema["properties"]["vendor"]["properties"]["name"]["required"],
            json!(["confidence", "confidence_reason"])
        );
        assert_eq!(
            schema["properties"]["lines"]["items"]["required"],
            json!(["amount", "item"])
        );
        let Part::Text(user) = &asked[0].user[0] else {
            panic!()
        };
        assert!(
            user.contains("Assess the extraction results of this Invoice"),
            "{user}"
        );
        assert!(user.contains("\"name\": \"Acme\""), "{user}");
        assert!(user.contains("--- page 1 ---\nInvoice INV-7"), "{user}");
    }

    #[tokio::test]
    async fn unknown_or_missing_fields_are_repaired_once_then_fail() {
        let class = invoice();
        let s = section();
        let wrong = r#"{"number": {"confidence": 0.9, "confidence_reason": "x"},
                        "total": {"confidence": 0.9, "confidence_reason": "x"}}"#;
        let chat = scripted(&[wrong, GOOD]);
        let (assessed, usage) =
            assess_with_model(&chat, "m", &class, &s, &[page()], &Default::default())
                .await
                .unwrap();
        assert_eq!(usage.calls, 2);
        assert_eq!(assessed.len(), 4);
        {
            let asked = chat.asked.lock().unwrap();
            let Part::Text(repair) = &asked[1].user[0] else {
                panic!()
            };
            assert!(
                repair.contains("it assesses fields the extraction results do not have: total"),
                "{repair}"
            );
            assert!(
                repair
                    .contains("it leaves out fields: lines[0].amount, lines[0].item, vendor.name"),
                "{repair}"
            );
        }

        let chat = scripted(&[wrong, wrong]);
        let err = assess_with_model(&chat, "m", &class, &s, &[page()], &Default::default())
            .await
            .unwrap_err();
        assert_eq!(err.error_type(), "idpctl.ModelInvalidAnswer");
        let message = err.to_string();
        assert!(
            message.contains("the model answered: {\"number\""),
            "{message}"
        );
        assert!(message.contains("do not have: total"), "{message}");
    }

    #[test]
    fn confidences_out_of_range_are_problems() {
        let expected: BTreeSet<String> = ["a".to_string()].into();
        let e = check(
            &json!({"a": {"confidence": 85, "confidence_reason": "x"}}),
            &expected,
        )
        .unwrap_err();
        assert_eq!(
            e,
            "the assessment of `a` has `85`, not a number from 0 to 1"
        );
        // A bare number is a confidence without a reason.
        let ok = check(&json!({"a": 0.5}), &expected).unwrap();
        assert_eq!(ok["a"].confidence, 0.5);
    }

    #[tokio::test]
    async fn a_truncated_answer_is_an_error() {
        let chat = scripted(&[r#"{"number": {"confid"#]);
        chat.answers.lock().unwrap()[0].1 = Finish::Length;
        let err = assess_with_model(
            &chat,
            "m",
            &invoice(),
            &section(),
            &[page()],
            &Default::default(),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, EngineError::Truncated { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn a_section_without_fields_costs_nothing() {
        let chat = scripted(&[]);
        let (assessed, usage) = assess_with_model(
            &chat,
            "m",
            &invoice(),
            &Section::default(),
            &[],
            &Default::default(),
        )
        .await
        .unwrap();
        assert!(assessed.is_empty());
        assert_eq!(usage.calls, 0);
    }

    #[test]
    fn configured_prompts_get_ocr_confidence() {
        let mut settings = AssessmentSection::default();
        settings.model.task_prompt = Some(
            "<<CACHEPOINT>>{DOCUMENT_CLASS}|{OCR_TEXT_CONFIDENCE}|{EXTRACTION_RESULTS}|{DOCUMENT_IMAGE}".into(),
        );
        let (_, user) = prompts(&invoice(), &section(), &[page()], &settings);
        assert!(
            user.starts_with(
                "Invoice|--- page 1 (OCR, mean word confidence 0.70) ---\nInvoice INV-7"
            ),
            "{user}"
        );
        assert!(
            user.contains("words read with low confidence: Acrne (0.41)"),
            "{user}"
        );
        assert!(user.ends_with('|'), "{user}");
    }

    #[test]
    fn paths_become_steps() {
        assert_eq!(
            steps("a.b[12].c"),
            vec![
                Step::Key("a"),
                Step::Key("b"),
                Step::Index(12),
                Step::Key("c")
            ]
        );
    }
}
