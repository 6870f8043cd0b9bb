//! The non-class sections of an accelerator config, typed: what each stage's model engine will
//! read (model id, prompts with their placeholders, sampling settings, thresholds).
//!
//! The accelerator writes numbers as strings as often as not (`temperature: '0.0'`), so numeric
//! settings take either. Keys these types do not name are kept in the stored document and
//! reported as notes, never refused: configs written for newer accelerator releases still load.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::finding::{Finding, Severity};

/// A number written as a number or as a string; `''` is unset.
fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    use serde::de::Error;
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("`{s}` is not a number"))),
        Some(other) => Err(D::Error::custom(format!("{other} is not a number"))),
    }
}

/// A whole number written as a number or as a string; `''` is unset.
fn lenient_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    use serde::de::Error;
    match lenient_f64(d)? {
        None => Ok(None),
        Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= f64::from(u32::MAX) => Ok(Some(f as u32)),
        Some(f) => Err(D::Error::custom(format!("{f} is not a whole number"))),
    }
}

/// `true`/`false`, also as the strings the accelerator's UI writes.
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    use serde::de::Error;
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" => Ok(Some(true)),
            "false" | "no" => Ok(Some(false)),
            "" => Ok(None),
            _ => Err(D::Error::custom(format!("`{s}` is not true or false"))),
        },
        Some(other) => Err(D::Error::custom(format!("{other} is not true or false"))),
    }
}

/// The model call of one stage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelSettings {
    /// Bedrock model id (or inference profile), e.g. `us.amazon.nova-pro-v1:0`.
    pub model: Option<String>,
    #[serde(deserialize_with = "lenient_f64")]
    pub temperature: Option<f64>,
    #[serde(deserialize_with = "lenient_f64")]
    pub top_p: Option<f64>,
    #[serde(deserialize_with = "lenient_f64")]
    pub top_k: Option<f64>,
    #[serde(deserialize_with = "lenient_u32")]
    pub max_tokens: Option<u32>,
    pub system_prompt: Option<String>,
    /// With `{PLACEHOLDER}`s the engine fills in, and `<<CACHEPOINT>>` markers.
    pub task_prompt: Option<String>,
}

/// How page images are sized before a model sees them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImageSettings {
    #[serde(deserialize_with = "lenient_u32")]
    pub target_width: Option<u32>,
    #[serde(deserialize_with = "lenient_u32")]
    pub target_height: Option<u32>,
    #[serde(deserialize_with = "lenient_u32")]
    pub dpi: Option<u32>,
    #[serde(deserialize_with = "lenient_bool")]
    pub preprocessing: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct OcrSection {
    /// `textract`, `bedrock` or `none`.
    pub backend: Option<String>,
    pub model_id: Option<String>,
    pub system_prompt: Option<String>,
    pub task_prompt: Option<String>,
    /// Textract features: `[{name: LAYOUT}, {name: TABLES}, …]`.
    pub features: Vec<Value>,
    #[serde(deserialize_with = "lenient_u32")]
    pub max_workers: Option<u32>,
    pub image: ImageSettings,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ClassificationSection {
    /// `false` keeps the embedded (rules) classifier when the stack has a model engine.
    #[serde(deserialize_with = "lenient_bool")]
    pub enabled: Option<bool>,
    /// Read from the same mapping, separately, so a bad value's path is kept.
    #[serde(skip)]
    pub model: ModelSettings,
    /// `multimodalPageLevelClassification` or `textbasedHolisticClassification`.
    #[serde(rename = "classificationMethod")]
    pub method: Option<String>,
    /// A number of pages, or `ALL`.
    #[serde(rename = "maxPagesForClassification")]
    pub max_pages: Option<Value>,
    /// `disabled`, `page` or `llm_determined`.
    #[serde(rename = "sectionSplitting")]
    pub section_splitting: Option<String>,
    /// Pages of context either side of the page being classified.
    #[serde(rename = "contextPagesCount", deserialize_with = "lenient_u32")]
    pub context_pages: Option<u32>,
    pub image: ImageSettings,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ExtractionSection {
    /// Read from the same mapping, separately, so a bad value's path is kept.
    #[serde(skip)]
    pub model: ModelSettings,
    pub image: ImageSettings,
    pub agentic: Option<Value>,
    pub custom_prompt_lambda_arn: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct AssessmentSection {
    #[serde(deserialize_with = "lenient_bool")]
    pub enabled: Option<bool>,
    /// Read from the same mapping, separately, so a bad value's path is kept.
    #[serde(skip)]
    pub model: ModelSettings,
    /// For fields and classes that set no `x-aws-idp-confidence-threshold`.
    #[serde(deserialize_with = "lenient_f64")]
    pub default_confidence_threshold: Option<f64>,
    pub granular: Option<Value>,
    /// Low-confidence fields go to human review.
    #[serde(deserialize_with = "lenient_bool")]
    pub hitl_enabled: Option<bool>,
    #[serde(deserialize_with = "lenient_bool")]
    pub validation_enabled: Option<bool>,
    pub image: ImageSettings,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct SummarizationSection {
    #[serde(deserialize_with = "lenient_bool")]
    pub enabled: Option<bool>,
    /// Read from the same mapping, separately, so a bad value's path is kept.
    #[serde(skip)]
    pub model: ModelSettings,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct EvaluationSection {
    #[serde(deserialize_with = "lenient_bool")]
    pub enabled: Option<bool>,
    /// The model that judges `LLM`-method fields.
    pub llm_method: ModelSettings,
}

/// Every typed section. Read by the model engines; the embedded engine reads the thresholds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sections {
    pub ocr: OcrSection,
    pub classification: ClassificationSection,
    pub extraction: ExtractionSection,
    pub assessment: AssessmentSection,
    pub summarization: SummarizationSection,
    pub evaluation: EvaluationSection,
}

/// Top-level keys idpctl reads (besides `classes`).
pub const TYPED: &[&str] = &[
    "ocr",
    "classification",
    "extraction",
    "assessment",
    "summarization",
    "evaluation",
];

/// Top-level keys of accelerator configs that idpctl keeps but does not use (yet): noted at
/// `-v`, kept in the stored version.
pub const KEPT: &[&str] = &[
    "notes",
    "use_bda",
    "pricing",
    "discovery",
    "agents",
    "chat",
    "criteria_validation",
    "rule_validation",
    "rule_extraction",
    "human_review",
    "hitl",
    "post_processing",
    "custom",
    "metadata",
    "description",
    "processing_mode",
    "managed",
    "test_set",
];

/// Keys each typed section names, for the unknown-key notes.
fn known_keys(section: &str) -> &'static [&'static str] {
    const MODEL: &[&str] = &[
        "model",
        "temperature",
        "top_p",
        "top_k",
        "max_tokens",
        "system_prompt",
        "task_prompt",
    ];
    match section {
        "ocr" => &[
            "backend",
            "model_id",
            "system_prompt",
            "task_prompt",
            "features",
            "max_workers",
            "image",
        ],
        "classification" => &[
            "enabled",
            "model",
            "temperature",
            "top_p",
            "top_k",
            "max_tokens",
            "system_prompt",
            "task_prompt",
            "classificationMethod",
            "maxPagesForClassification",
            "sectionSplitting",
            "contextPagesCount",
            "image",
        ],
        "extraction" => &[
            "model",
            "temperature",
            "top_p",
            "top_k",
            "max_tokens",
            "system_prompt",
            "task_prompt",
            "image",
            "agentic",
            "custom_prompt_lambda_arn",
        ],
        "assessment" => &[
            "enabled",
            "model",
            "temperature",
            "top_p",
            "top_k",
            "max_tokens",
            "system_prompt",
            "task_prompt",
            "default_confidence_threshold",
            "granular",
            "hitl_enabled",
            "validation_enabled",
            "image",
        ],
        "summarization" => &[
            "enabled",
            "model",
            "temperature",
            "top_p",
            "top_k",
            "max_tokens",
            "system_prompt",
            "task_prompt",
        ],
        "evaluation" => &["enabled", "llm_method"],
        "image" => &["target_width", "target_height", "dpi", "preprocessing"],
        "llm_method" => MODEL,
        _ => &[],
    }
}

/// The `{PLACEHOLDER}`s each stage's engine fills into its task prompt.
pub fn placeholders(section: &str) -> &'static [&'static str] {
    match section {
        "classification" => &[
            "DOCUMENT_TEXT",
            "CLASS_NAMES_AND_DESCRIPTIONS",
            "DOCUMENT_IMAGE",
            "FEW_SHOT_EXAMPLES",
        ],
        "extraction" => &[
            "DOCUMENT_TEXT",
            "DOCUMENT_CLASS",
            "ATTRIBUTE_NAMES_AND_DESCRIPTIONS",
            "DOCUMENT_IMAGE",
            "FEW_SHOT_EXAMPLES",
        ],
        "assessment" => &[
            "DOCUMENT_TEXT",
            "DOCUMENT_CLASS",
            "ATTRIBUTE_NAMES_AND_DESCRIPTIONS",
            "EXTRACTION_RESULTS",
            "DOCUMENT_IMAGE",
            "OCR_TEXT_CONFIDENCE",
        ],
        "summarization" => &["DOCUMENT_TEXT", "EXTRACTION_RESULTS"],
        "evaluation" | "llm_method" => &[
            "DOCUMENT_CLASS",
            "ATTRIBUTE_NAME",
            "ATTRIBUTE_DESCRIPTION",
            "EXPECTED_VALUE",
            "ACTUAL_VALUE",
        ],
        _ => &[],
    }
}

/// `{NAME}`s in a prompt: an upper-case identifier in braces (JSON examples in prompts have
/// quotes or spaces after their braces, so they are not mistaken for one).
pub fn placeholders_in(prompt: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = prompt;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        let end = rest
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(rest.len());
        if end > 0 && rest[end..].starts_with('}') && rest.as_bytes()[0].is_ascii_uppercase() {
            out.push(&rest[..end]);
        }
    }
    out
}

impl Sections {
    /// Reads the typed sections of a config document. A value of the wrong type is an error
    /// naming its path; unknown keys are notes.
    pub fn from_document(doc: &Value) -> (Sections, Vec<Finding>) {
        let mut findings = Vec::new();
        let mut sections = Sections::default();
        macro_rules! read {
            ($name:literal, $field:ident $(, $model:ident)?) => {
                if let Some(v) = doc.get($name).filter(|v| !v.is_null()) {
                    if let Some(s) = typed(v, $name, &mut findings) {
                        sections.$field = s;
                    }
                    $(
                        if let Some(m) = typed(v, $name, &mut findings) {
                            sections.$field.$model = m;
                        }
                    )?
                    unknown_keys($name, v, $name, &mut findings);
                }
            };
        }
        read!("ocr", ocr);
        read!("classification", classification, model);
        read!("extraction", extraction, model);
        read!("assessment", assessment, model);
        read!("summarization", summarization, model);
        read!("evaluation", evaluation);
        for (section, prompt) in [
            ("classification", &sections.classification.model.task_prompt),
            ("extraction", &sections.extraction.model.task_prompt),
            ("assessment", &sections.assessment.model.task_prompt),
            ("summarization", &sections.summarization.model.task_prompt),
            ("evaluation", &sections.evaluation.llm_method.task_prompt),
        ] {
            let Some(prompt) = prompt else { continue };
            let known = placeholders(section);
            let key = if section == "evaluation" {
                "evaluation.llm_method.task_prompt".to_string()
            } else {
                format!("{section}.task_prompt")
            };
            for p in placeholders_in(prompt) {
                if !known.contains(&p) {
                    findings.push(
                        Finding::new(
                            Severity::Warning,
                            key.clone(),
                            format!("uses {{{p}}}, which the {section} stage does not fill in"),
                        )
                        .hint(format!(
                            "the {section} stage fills in: {}",
                            known
                                .iter()
                                .map(|k| format!("{{{k}}}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    );
                }
            }
        }
        if let Some(t) = sections.assessment.default_confidence_threshold
            && !(0.0..=1.0).contains(&t)
        {
            findings.push(
                Finding::new(
                    Severity::Error,
                    "assessment.default_confidence_threshold",
                    format!("is {t}, outside 0..1"),
                )
                .hint("a confidence threshold is a fraction, e.g. 0.8"),
            );
        }
        (sections, findings)
    }
}

/// One typed view of a section; a wrong value becomes an error finding at its path.
fn typed<T: serde::de::DeserializeOwned>(
    v: &Value,
    section: &str,
    findings: &mut Vec<Finding>,
) -> Option<T> {
    match serde_path_to_error::deserialize(v) {
        Ok(t) => Some(t),
        Err(e) => {
            let inner = e.path().to_string();
            let key = if inner == "." || inner.is_empty() {
                section.to_string()
            } else {
                format!("{section}.{inner}")
            };
            let message = e.into_inner().to_string();
            // Both views of a section see the same bad value; say it once.
            if !findings.iter().any(|f| f.key == key) {
                findings.push(
                    Finding::new(Severity::Error, key.clone(), message)
                        .hint(format!("fix `{key}`, or remove it to use the default")),
                );
            }
            None
        }
    }
}

fn unknown_keys(section: &str, v: &Value, path: &str, findings: &mut Vec<Finding>) {
    let Some(map) = v.as_object() else { return };
    let known = known_keys(section);
    for (k, child) in map {
        if !known.contains(&k.as_str()) {
            findings.push(Finding::new(
                Severity::Note,
                format!("{path}.{k}"),
                "is not a key idpctl reads; kept as written",
            ));
        } else if matches!(k.as_str(), "image" | "llm_method") {
            unknown_keys(k, child, &format!("{path}.{k}"), findings);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_as_strings_are_numbers() {
        let (s, f) = Sections::from_document(&json!({
            "classification": {"model": "m", "temperature": "0.0", "top_k": "5", "max_tokens": "4096",
                "image": {"target_width": "951", "target_height": ""}},
            "assessment": {"enabled": "true", "default_confidence_threshold": "0.9"}
        }));
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(s.classification.model.temperature, Some(0.0));
        assert_eq!(s.classification.model.max_tokens, Some(4096));
        assert_eq!(s.classification.image.target_width, Some(951));
        assert_eq!(s.classification.image.target_height, None);
        assert_eq!(s.assessment.enabled, Some(true));
        assert_eq!(s.assessment.default_confidence_threshold, Some(0.9));
    }

    #[test]
    fn wrong_types_are_errors_with_their_path() {
        let (_, f) = Sections::from_document(&json!({"extraction": {"temperature": "warm"}}));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!(f[0].key, "extraction.temperature");
        assert!(
            f[0].message.contains("`warm` is not a number"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn unknown_keys_are_notes() {
        let (_, f) = Sections::from_document(&json!({"ocr": {"backend": "textract", "shiny": 1,
            "image": {"dpi": 150, "sharpen": true}}}));
        let keys: Vec<_> = f.iter().map(|f| (f.severity, f.key.as_str())).collect();
        assert_eq!(
            keys,
            vec![
                (Severity::Note, "ocr.shiny"),
                (Severity::Note, "ocr.image.sharpen")
            ]
        );
    }

    #[test]
    fn placeholders_are_checked_per_stage() {
        assert_eq!(
            placeholders_in(
                "Text: {DOCUMENT_TEXT} {\"a\": 1} { X } {lower} <<CACHEPOINT>> {DOCUMENT_CLASS}"
            ),
            vec!["DOCUMENT_TEXT", "DOCUMENT_CLASS"]
        );
        let (_, f) = Sections::from_document(
            &json!({"summarization": {"task_prompt": "{DOCUMENT_TEXT} {CLASS_NAMES_AND_DESCRIPTIONS}"}}),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].message.contains("{CLASS_NAMES_AND_DESCRIPTIONS}"));
    }
}
