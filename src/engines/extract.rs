//! Extraction with a model: one section's text (and the class's schema) in, the class's fields
//! out, as the accelerator's extraction stage does it — the configured prompts with their
//! placeholders, the schema as the structured-output format, temperature 0 unless configured.
//!
//! The model's answer is never taken on trust: it must parse as JSON, every field is coerced to
//! its schema type, and each value is looked for on the pages (a value that appears there gets
//! its page and a high confidence; one that does not is kept with a low confidence that says
//! so, for review). An answer that is not JSON gets one repair request; a second bad answer
//! fails the section with the model's text.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::chat::{ChatModel, ChatRequest, Part};
use super::error::EngineError;
pub use super::repair::Usage;
use super::repair::{ask_checked, kind};
use crate::model::{FieldResult, PageContent};
use crate::pipeline::config::class::ClassDef;
use crate::pipeline::config::sections::ExtractionSection;
use crate::pipeline::config::{FieldDef, value_type::parse_number};
use crate::pipeline::extract::{SectionExtraction, insert};

/// Used when the configuration has no extraction system prompt.
pub const DEFAULT_SYSTEM_PROMPT: &str = "You extract structured data from business documents. \
Answer with one JSON object that follows the given schema exactly. Use null for a field the \
document does not contain; never invent values. Copy values as they are printed.";

/// Used when the configuration has no extraction task prompt; the placeholders are the
/// accelerator's.
pub const DEFAULT_TASK_PROMPT: &str = "Extract the fields of this {DOCUMENT_CLASS} document.\n\n\
Fields:\n{ATTRIBUTE_NAMES_AND_DESCRIPTIONS}\n\n{FEW_SHOT_EXAMPLES}\
Document text:\n<document>\n{DOCUMENT_TEXT}\n</document>\n\n\
Answer with the JSON object only.";

/// The class's schema as a structured-output format: JSON Schema without the accelerator's and
/// idpctl's own keys, which servers reject or ignore.
pub fn answer_schema(class_schema: &Value) -> Value {
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(k, _)| !k.starts_with("x-") && *k != "$schema" && *k != "$id")
                    .map(|(k, v)| (k.clone(), strip(v)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    let mut s = strip(class_schema);
    if let Some(m) = s.as_object_mut() {
        m.entry("type").or_insert_with(|| json!("object"));
    }
    s
}

/// One line per field: `- path (type): description`.
pub fn attribute_lines(class: &ClassDef) -> String {
    let mut out = Vec::new();
    let mut line = |f: &FieldDef, prefix: &str| {
        let desc = if f.description.is_empty() {
            String::new()
        } else {
            format!(": {}", f.description)
        };
        out.push(format!(
            "- {prefix}{} ({}){desc}",
            f.dotted(),
            f.schema_type
        ));
    };
    for f in &class.fields {
        line(f, "");
    }
    for (path, cols) in &class.tables {
        for c in cols {
            line(c, &format!("{}[].", path.join(".")));
        }
    }
    out.join("\n")
}

fn few_shot(class: &ClassDef) -> String {
    let examples: Vec<String> = class
        .examples
        .iter()
        .filter(|e| !e.attributes_prompt.trim().is_empty())
        .map(|e| e.attributes_prompt.trim().to_string())
        .collect();
    if examples.is_empty() {
        String::new()
    } else {
        format!("Examples:\n{}\n\n", examples.join("\n\n"))
    }
}

/// The section's text, page by page.
pub fn document_text(pages: &[PageContent]) -> String {
    pages
        .iter()
        .map(|p| format!("--- page {} ---\n{}", p.page_number, p.text.trim()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// System and user prompt for a section, from the configuration or the defaults.
pub fn prompts(
    class: &ClassDef,
    settings: &ExtractionSection,
    pages: &[PageContent],
) -> (String, String) {
    let (system, task) = configured_or(&settings.model, DEFAULT_SYSTEM_PROMPT, DEFAULT_TASK_PROMPT);
    let user = task
        .replace("{DOCUMENT_CLASS}", &class.name)
        .replace(
            "{ATTRIBUTE_NAMES_AND_DESCRIPTIONS}",
            &attribute_lines(class),
        )
        .replace("{FEW_SHOT_EXAMPLES}", &few_shot(class))
        // Page images are for vision models, which this engine does not drive yet.
        .replace("{DOCUMENT_IMAGE}", "")
        .replace("{DOCUMENT_TEXT}", &document_text(pages));
    (
        super::chat::strip_cachepoints(&system),
        super::chat::strip_cachepoints(&user),
    )
}

/// The stage's configured system and task prompts, or its defaults.
pub fn configured_or(
    model: &crate::pipeline::config::sections::ModelSettings,
    system: &str,
    task: &str,
) -> (String, String) {
    (
        model
            .system_prompt
            .clone()
            .unwrap_or_else(|| system.to_string()),
        model
            .task_prompt
            .clone()
            .unwrap_or_else(|| task.to_string()),
    )
}

/// A request to `model` with the stage's configured sampling (temperature 0 unless configured)
/// and answer length; the stage adds its prompts and answer format.
pub fn configured_request(
    model: &str,
    settings: &crate::pipeline::config::sections::ModelSettings,
) -> ChatRequest {
    ChatRequest {
        temperature: settings.temperature.unwrap_or(0.0),
        top_p: settings.top_p,
        top_k: settings.top_k,
        max_tokens: settings.max_tokens,
        ..ChatRequest::new(model)
    }
}

/// Asks the model for the section's fields; one repair request when the answer is not a JSON
/// object ([`ask_checked`]).
pub async fn extract_with_model(
    chat: &dyn ChatModel,
    model: &str,
    class: &ClassDef,
    class_schema: &Value,
    pages: &[PageContent],
    settings: &ExtractionSection,
) -> Result<(SectionExtraction, Usage), EngineError> {
    let (system, user) = prompts(class, settings, pages);
    let request = ChatRequest {
        system: Some(system),
        user: vec![Part::Text(user)],
        schema: Some((schema_name(&class.name), answer_schema(class_schema))),
        ..configured_request(model, &settings.model)
    };
    let mut usage = Usage::default();
    let (object, _) = ask_checked(chat, &request, &mut usage, object).await?;
    Ok((coerce(class, &object, pages), usage))
}

/// Names for structured output are `[a-zA-Z0-9_-]`.
fn schema_name(class: &str) -> String {
    let s: String = class
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "fields".into() } else { s }
}

/// The answer as a JSON object.
fn object(answer: &Value) -> Result<Map<String, Value>, String> {
    match answer {
        Value::Object(m) => Ok(m.clone()),
        other => Err(format!(
            "the answer is JSON but not an object ({})",
            kind(other)
        )),
    }
}

/// The model's values, typed by the schema and checked against the pages.
pub fn coerce(
    class: &ClassDef,
    answer: &Map<String, Value>,
    pages: &[PageContent],
) -> SectionExtraction {
    let root = Value::Object(answer.clone());
    let mut out = SectionExtraction::default();
    for f in &class.fields {
        let raw = f
            .path
            .iter()
            .try_fold(&root, |v, k| v.get(k))
            .cloned()
            .unwrap_or(Value::Null);
        let r = field_result(f, &raw, pages);
        insert(&mut out.attributes, &f.path, r.value.clone());
        out.fields.insert(f.dotted(), r);
    }
    for (path, cols) in &class.tables {
        let rows = path
            .iter()
            .try_fold(&root, |v, k| v.get(k))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut typed_rows = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let mut typed = Map::new();
            for c in cols {
                let raw = c
                    .path
                    .iter()
                    .try_fold(row, |v, k| v.get(k))
                    .cloned()
                    .unwrap_or(Value::Null);
                let r = field_result(c, &raw, pages);
                insert(&mut typed, &c.path, r.value.clone());
                out.fields
                    .insert(format!("{}[{i}].{}", path.join("."), c.dotted()), r);
            }
            typed_rows.push(Value::Object(typed));
        }
        insert(&mut out.attributes, path, Value::Array(typed_rows));
    }
    out
}

fn field_result(f: &FieldDef, raw: &Value, pages: &[PageContent]) -> FieldResult {
    if raw.is_null() || raw.as_str().is_some_and(|s| s.trim().is_empty()) {
        return FieldResult::missing("the model found no value");
    }
    let text = match raw {
        Value::String(s) => s.trim().to_string(),
        other => other.to_string(),
    };
    let value = match f.schema_type.as_str() {
        "number" | "integer" => match raw.as_f64().or_else(|| parse_number(&text)) {
            Some(n) if f.schema_type == "integer" => Value::from(n.round() as i64),
            Some(n) => serde_json::Number::from_f64(n)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            None => {
                let mut r = FieldResult::missing(format!(
                    "the model answered `{text}`, which is not a number"
                ));
                r.raw_text = Some(text);
                return r;
            }
        },
        "boolean" => match raw {
            Value::Bool(b) => Value::Bool(*b),
            _ => match text.to_ascii_lowercase().as_str() {
                "true" | "yes" | "x" | "checked" | "1" => Value::Bool(true),
                "false" | "no" | "unchecked" | "0" => Value::Bool(false),
                _ => {
                    let mut r = FieldResult::missing(format!(
                        "the model answered `{text}`, which is not true or false"
                    ));
                    r.raw_text = Some(text);
                    return r;
                }
            },
        },
        _ => Value::String(text.clone()),
    };
    let (confidence, reason) = match found_on(&text, &value, pages) {
        Some(page) => (0.9, format!("the model's value is printed on page {page}")),
        None => (
            0.5,
            "the model's value does not appear on the pages as written".to_string(),
        ),
    };
    FieldResult {
        value,
        raw_text: Some(text),
        confidence,
        confidence_threshold: None,
        confidence_reason: reason,
        source: None,
    }
}

/// The page a value is printed on: its words in order (ignoring case, spacing and
/// punctuation), or for numbers the same digits.
fn found_on(text: &str, value: &Value, pages: &[PageContent]) -> Option<u32> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let needle = norm(text);
    if needle.is_empty() {
        return None;
    }
    let digits = |s: &str| -> String { s.chars().filter(char::is_ascii_digit).collect() };
    let number_digits = value.as_f64().map(|_| digits(text));
    pages
        .iter()
        .find(|p| {
            let hay = norm(&p.text);
            hay.contains(&needle)
                || number_digits
                    .as_ref()
                    .is_some_and(|d| !d.is_empty() && digits(&p.text).contains(d.as_str()))
        })
        .map(|p| p.page_number)
}

/// Metering keys in the accelerator's shape: `Extraction/<backend>/<model>`.
pub fn meter(usage: &Usage, backend: &str, model: &str) -> BTreeMap<String, BTreeMap<String, f64>> {
    meter_stage("Extraction", usage, backend, model)
}

/// `<Stage>/<backend>/<model>`: input, output and total tokens, and requests.
pub fn meter_stage(
    stage: &str,
    usage: &Usage,
    backend: &str,
    model: &str,
) -> BTreeMap<String, BTreeMap<String, f64>> {
    let mut m = BTreeMap::new();
    let key = format!("{stage}/{backend}/{model}");
    crate::model::metering::add(&mut m, &key, "inputTokens", usage.input_tokens as f64);
    crate::model::metering::add(&mut m, &key, "outputTokens", usage.output_tokens as f64);
    crate::model::metering::add(
        &mut m,
        &key,
        "totalTokens",
        (usage.input_tokens + usage.output_tokens) as f64,
    );
    crate::model::metering::add(&mut m, &key, "requests", f64::from(usage.calls));
    if usage.retries > 0 {
        crate::model::metering::add(&mut m, &key, "retries", f64::from(usage.retries));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::chat::Finish;
    use crate::engines::testing::Scripted;
    use crate::model::TextSource;

    fn invoice() -> (ClassDef, Value) {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "Invoice",
            "x-aws-idp-document-type": "Invoice",
            "type": "object",
            "properties": {
                "invoice_number": {"type": "string", "description": "The invoice's number", "x-aws-idp-evaluation-method": "EXACT"},
                "total": {"type": "number"},
                "paid": {"type": "boolean"},
                "vendor": {"type": "object", "properties": {"name": {"type": "string"}}},
                "lines": {"type": "array", "items": {"type": "object", "properties": {
                    "item": {"type": "string"}, "amount": {"type": "number"}}}}
            }
        });
        (ClassDef::from_schema(&schema).unwrap(), schema)
    }

    fn page(text: &str) -> PageContent {
        PageContent {
            page_number: 1,
            text_source: TextSource::TextLayer,
            words: Vec::new(),
            text: text.to_string(),
            needs_ocr: false,
            einvoice: None,
            image: None,
        }
    }

    #[tokio::test]
    async fn values_are_typed_and_checked_against_the_page() {
        let (class, schema) = invoice();
        let pages = [page(
            "ACME Tools\nInvoice No. INV-0042\nWidgets 1,234.50\nTotal due $1,234.50",
        )];
        let chat = Scripted::new(&[
            r#"{"invoice_number": "INV-0042", "total": "1,234.50", "paid": "no",
                "vendor": {"name": "Acme Corp"}, "lines": [{"item": "Widgets", "amount": 1234.5}]}"#,
        ]);
        let (out, usage) =
            extract_with_model(&chat, "m", &class, &schema, &pages, &Default::default())
                .await
                .unwrap();
        assert_eq!(
            usage,
            Usage {
                calls: 1,
                input_tokens: 100,
                output_tokens: 20,
                retries: 0,
            }
        );
        assert_eq!(out.attributes["invoice_number"], "INV-0042");
        assert_eq!(out.attributes["total"], 1234.5);
        assert_eq!(out.attributes["paid"], false);
        assert_eq!(out.attributes["lines"][0]["amount"], 1234.5);
        let f = |k: &str| out.fields[k].clone();
        assert_eq!(f("invoice_number").confidence, 0.9);
        assert_eq!(f("total").confidence, 0.9, "{:?}", f("total"));
        // Not printed as the model wrote it: kept, flagged by a low confidence.
        assert_eq!(f("vendor.name").confidence, 0.5);
        assert!(
            f("vendor.name")
                .confidence_reason
                .contains("does not appear")
        );
        assert_eq!(f("lines[0].item").confidence, 0.9);

        let asked = chat.asked.lock().unwrap();
        let req = &asked[0];
        assert_eq!(req.temperature, 0.0);
        let (name, format) = req.schema.as_ref().unwrap();
        assert_eq!(name, "Invoice");
        assert!(format.get("$schema").is_none());
        assert!(
            format["properties"]["invoice_number"]
                .get("x-aws-idp-evaluation-method")
                .is_none()
        );
        let Part::Text(user) = &req.user[0] else {
            panic!()
        };
        assert!(
            user.contains("- invoice_number (string): The invoice's number"),
            "{user}"
        );
        assert!(user.contains("- lines[].amount (number)"), "{user}");
        assert!(user.contains("Invoice No. INV-0042"));
    }

    #[tokio::test]
    async fn a_bad_answer_gets_one_repair_then_fails_with_the_text() {
        let (class, schema) = invoice();
        let pages = [page("Invoice INV-1")];
        let repaired = Scripted::new(&["Sure! Here it is:", r#"{"invoice_number": "INV-1"}"#]);
        let (out, usage) =
            extract_with_model(&repaired, "m", &class, &schema, &pages, &Default::default())
                .await
                .unwrap();
        assert_eq!(usage.calls, 2);
        assert_eq!(out.attributes["invoice_number"], "INV-1");
        assert_eq!(out.fields["total"].value, Value::Null);
        {
            let asked = repaired.asked.lock().unwrap();
            let Part::Text(user) = &asked[1].user[0] else {
                panic!()
            };
            assert!(user.contains("could not be used") && user.contains("Sure! Here it is:"));
        }

        let hopeless = Scripted::new(&["no", "[1, 2]"]);
        let err = extract_with_model(&hopeless, "m", &class, &schema, &pages, &Default::default())
            .await
            .unwrap_err();
        match err {
            EngineError::InvalidAnswer { reason, text } => {
                assert!(reason.contains("not an object"), "{reason}");
                assert_eq!(text, "[1, 2]");
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_truncated_answer_is_an_error_not_a_result() {
        let (class, schema) = invoice();
        let chat = Scripted::new(&[r#"{"invoice_number": "IN"#]);
        chat.answers.lock().unwrap()[0].1 = Finish::Length;
        let err = extract_with_model(
            &chat,
            "m",
            &class,
            &schema,
            &[page("x")],
            &Default::default(),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, EngineError::Truncated { .. }), "{err:?}");
    }

    #[test]
    fn configured_prompts_fill_the_accelerator_placeholders() {
        let (class, _) = invoice();
        let mut settings = ExtractionSection::default();
        settings.model.system_prompt = Some("sys <<CACHEPOINT>>".into());
        settings.model.task_prompt =
            Some("Class {DOCUMENT_CLASS}\n{ATTRIBUTE_NAMES_AND_DESCRIPTIONS}\n<<CACHEPOINT>>\n{DOCUMENT_TEXT}".into());
        let (system, user) = prompts(&class, &settings, &[page("hello")]);
        assert!(!system.contains("CACHEPOINT"));
        assert!(user.starts_with("Class Invoice\n- invoice_number"));
        assert!(user.contains("--- page 1 ---\nhello"));
        assert!(!user.contains('{') || !user.contains("{DOCUMENT"));
    }

    #[test]
    fn metering_is_in_the_accelerators_shape() {
        let m = meter(
            &Usage {
                calls: 2,
                input_tokens: 10,
                output_tokens: 5,
                retries: 1,
            },
            "openai",
            "smol",
        );
        assert_eq!(m["Extraction/openai/smol"]["totalTokens"], 15.0);
        assert_eq!(m["Extraction/openai/smol"]["requests"], 2.0);
        assert_eq!(m["Extraction/openai/smol"]["retries"], 1.0);
    }
}
