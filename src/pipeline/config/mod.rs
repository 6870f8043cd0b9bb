//! Configuration in the GenAI IDP Accelerator's own format, read as-is: a YAML document with
//! `classes:`, each a JSON Schema object (`$id`, `x-aws-idp-document-type`, `description`,
//! `properties`, `$defs`/`$ref`, `x-aws-idp-confidence-threshold`,
//! `x-aws-idp-evaluation-method`), and the stage sections (OCR, classification, extraction,
//! assessment, summarization, evaluation) typed in [`sections`]. [`sources`] reads users' files
//! and assembles the effective configuration; [`IdpConfig`] is what a run uses.
//!
//! What the embedded engine needs beyond that is read from extra `x-idpctl-*` keys in the same
//! schemas (see [`field`] and [`class`]), so one file serves both this engine and the
//! accelerator's LLM one.

pub mod class;
pub mod diff;
pub mod field;
pub mod finding;
pub mod lines;
mod memo;
pub mod sections;
pub mod sources;
pub mod value_type;

use thiserror::Error;

pub use class::{ClassDef, Keyword};
pub use field::{Direction, FieldDef};
pub use finding::{Finding, Severity};
pub use sections::Sections;
pub use value_type::ValueType;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("the class config is not valid YAML: {0}")]
    Yaml(String),
    #[error("the class config has no `classes:` list")]
    NoClasses,
    #[error("class #{index} in the config: {reason}")]
    BadClass { index: usize, reason: String },
    #[error("{0}")]
    BadSection(String),
}

/// All classes of a config.
#[derive(Debug, Clone, Default)]
pub struct ClassConfig {
    pub classes: Vec<ClassDef>,
}

impl ClassConfig {
    /// Parse one config file.
    pub fn from_yaml(text: &str) -> Result<Self, ConfigError> {
        let doc: serde_json::Value =
            yaml_serde::from_str(text).map_err(|e| ConfigError::Yaml(e.to_string()))?;
        Self::from_document(&doc)
    }

    /// The classes of a config document (accelerator-shaped, with `classes:`).
    pub fn from_document(doc: &serde_json::Value) -> Result<Self, ConfigError> {
        let list = doc
            .get("classes")
            .and_then(|c| c.as_array())
            .ok_or(ConfigError::NoClasses)?;
        let classes = list
            .iter()
            .enumerate()
            .map(|(index, c)| {
                ClassDef::from_schema(c).map_err(|reason| ConfigError::BadClass { index, reason })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { classes })
    }

    /// The shipped classes (W-2, 1099-B, bank statement, payslip, US driver's licence,
    /// discharge summary, fund distribution table).
    pub fn builtin() -> Self {
        let mut all = Self::default();
        for (_, text) in sources::BUILTIN {
            all.merge(Self::from_yaml(text).expect("shipped configs are tested"));
        }
        all
    }

    /// Add classes; a class with a name already present replaces the old one.
    pub fn merge(&mut self, other: ClassConfig) {
        for c in other.classes {
            self.classes.retain(|o| o.name != c.name);
            self.classes.push(c);
        }
    }

    pub fn class(&self, name: &str) -> Option<&ClassDef> {
        self.classes.iter().find(|c| c.name == name)
    }
}

/// The configuration a run uses: classes, typed stage sections, and the whole document as
/// stored (sections idpctl does not read are kept in it).
#[derive(Debug, Clone)]
pub struct IdpConfig {
    pub classes: ClassConfig,
    pub sections: Sections,
    pub document: serde_json::Value,
}

impl IdpConfig {
    /// Reads an assembled or stored document; the first error makes it unusable.
    pub fn from_document(document: serde_json::Value) -> Result<Self, ConfigError> {
        let classes = ClassConfig::from_document(&document)?;
        let (sections, findings) = Sections::from_document(&document);
        if let Some(e) = findings.iter().find(|f| f.severity == Severity::Error) {
            return Err(ConfigError::BadSection(e.to_string()));
        }
        Ok(IdpConfig {
            classes,
            sections,
            document,
        })
    }

    /// The built-in class library with no stage settings: what runs when nothing is configured.
    pub fn builtin() -> Self {
        let assembled = sources::assemble(crate::settings::ClassesMode::Add, &[]);
        Self::from_document(assembled.document).expect("shipped configs are tested")
    }
}

/// A threshold may be written as a number or a string ("0.8") in accelerator configs.
pub(crate) fn threshold_of(v: &serde_json::Value) -> Option<f32> {
    let t = v.get("x-aws-idp-confidence-threshold")?;
    let f = match t {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (0.0..=1.0).contains(&f).then_some(f as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_config_is_the_library() {
        let c = IdpConfig::builtin();
        assert_eq!(c.classes.classes.len(), 19);
        assert_eq!(c.sections, Sections::default());
    }

    #[test]
    fn builtin_configs_load() {
        let c = ClassConfig::builtin();
        assert_eq!(c.classes.len(), 19);
        for class in &c.classes {
            assert!(!class.fields.is_empty(), "{} has no fields", class.name);
            assert!(!class.keywords.is_empty(), "{} has no keywords", class.name);
        }
    }

    #[test]
    fn bad_configs_say_why() {
        assert!(matches!(
            ClassConfig::from_yaml("a: [1"),
            Err(ConfigError::Yaml(_))
        ));
        assert!(matches!(
            ClassConfig::from_yaml("x: 1"),
            Err(ConfigError::NoClasses)
        ));
        let err = ClassConfig::from_yaml("classes:\n  - type: object\n").unwrap_err();
        assert!(err.to_string().contains("class #0"), "{err}");
    }

    /// A class written for the accelerator, with no x-idpctl keys at all, still loads and
    /// gets labels from its property names.
    #[test]
    fn plain_accelerator_class_loads() {
        let yaml = r##"
classes:
  - $schema: https://json-schema.org/draft/2020-12/schema
    $id: Bank-checks
    type: object
    x-aws-idp-document-type: Bank-checks
    x-aws-idp-confidence-threshold: "0.9"
    description: A written financial instrument.
    $defs:
      Payee:
        type: object
        properties:
          payee_name:
            type: string
            x-aws-idp-confidence-threshold: 0.7
    properties:
      check_number:
        type: string
        x-aws-idp-evaluation-method: NUMERIC_EXACT
      dollar_amount:
        type: number
      payee:
        $ref: "#/$defs/Payee"
"##;
        let c = ClassConfig::from_yaml(yaml).unwrap();
        let class = &c.classes[0];
        assert_eq!(class.name, "Bank-checks");
        assert_eq!(class.threshold, Some(0.9));
        let paths: Vec<_> = class.fields.iter().map(|f| f.path.join(".")).collect();
        assert_eq!(
            paths,
            vec!["check_number", "dollar_amount", "payee.payee_name"]
        );
        assert_eq!(class.fields[0].labels, vec!["check number"]);
        assert_eq!(class.fields[1].value_type, ValueType::Money);
        assert_eq!(class.fields[2].threshold, Some(0.7));
        assert_eq!(class.fields[0].threshold, Some(0.9));
    }
}
