//! Reading the user's class configs (files and folders) and assembling the effective
//! configuration: the built-in class library (unless replaced), then each file in order.
//!
//! A file may be a whole accelerator `config.yaml` (classes plus its OCR, classification,
//! extraction, assessment, summarization and evaluation sections), a `classes:` list, a bare
//! list of classes, or one class schema. Classes in the accelerator's older format (`name`,
//! `attributes`) are converted to its JSON Schema format the way the accelerator migrates them.
//! Classes merge by name, later files winning; sections merge key by key, later files winning.
//! Every part of the result remembers which file it came from, for `config show`.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::class::ClassDef;
use super::finding::{Finding, Severity};
use super::sections::{KEPT, Sections, TYPED};
use crate::settings::ClassesMode;

/// The class configs shipped in `configs/classes/`, compiled in so the binary works with no
/// files beside it.
pub const BUILTIN: &[(&str, &str)] = &[
    ("w2.yaml", include_str!("../../../configs/classes/w2.yaml")),
    (
        "1099b.yaml",
        include_str!("../../../configs/classes/1099b.yaml"),
    ),
    (
        "bank-statement.yaml",
        include_str!("../../../configs/classes/bank-statement.yaml"),
    ),
    (
        "payslip.yaml",
        include_str!("../../../configs/classes/payslip.yaml"),
    ),
    (
        "us-drivers-license.yaml",
        include_str!("../../../configs/classes/us-drivers-license.yaml"),
    ),
    (
        "discharge-summary.yaml",
        include_str!("../../../configs/classes/discharge-summary.yaml"),
    ),
    (
        "fund-distribution.yaml",
        include_str!("../../../configs/classes/fund-distribution.yaml"),
    ),
    (
        "invoice.yaml",
        include_str!("../../../configs/classes/invoice.yaml"),
    ),
    (
        "receipt.yaml",
        include_str!("../../../configs/classes/receipt.yaml"),
    ),
    (
        "purchase-order.yaml",
        include_str!("../../../configs/classes/purchase-order.yaml"),
    ),
    (
        "utility-bill.yaml",
        include_str!("../../../configs/classes/utility-bill.yaml"),
    ),
    (
        "contract.yaml",
        include_str!("../../../configs/classes/contract.yaml"),
    ),
    (
        "passport.yaml",
        include_str!("../../../configs/classes/passport.yaml"),
    ),
    (
        "1099-int.yaml",
        include_str!("../../../configs/classes/1099-int.yaml"),
    ),
    (
        "1099-div.yaml",
        include_str!("../../../configs/classes/1099-div.yaml"),
    ),
    (
        "1099-misc.yaml",
        include_str!("../../../configs/classes/1099-misc.yaml"),
    ),
    (
        "1099-nec.yaml",
        include_str!("../../../configs/classes/1099-nec.yaml"),
    ),
    (
        "bank-check.yaml",
        include_str!("../../../configs/classes/bank-check.yaml"),
    ),
    (
        "homeowners-insurance-application.yaml",
        include_str!("../../../configs/classes/homeowners-insurance-application.yaml"),
    ),
];

/// Why a config file could not be read at all (as opposed to findings inside one).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{origin}: not valid YAML: {message}")]
    Syntax { origin: String, message: String },
    #[error("{path}: {message}")]
    NotAConfig { path: String, message: String },
    #[error("{path} holds no .yaml, .yml or .json file")]
    EmptyFolder { path: String },
}

impl crate::diagnose::Diagnose for LoadError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            LoadError::Read { .. } => {
                "check the path given to --classes, IDPCTL_CLASSES or the profile's `classes:` (relative paths start at the working directory)".into()
            }
            LoadError::Syntax { .. } => {
                "fix the YAML at that line (indentation, quoting, a missing `:`)".into()
            }
            LoadError::NotAConfig { .. } => "a class config is an accelerator config.yaml, a `classes:` list, or one class schema with `x-aws-idp-document-type` (see configs/classes/w2.yaml)".into(),
            LoadError::EmptyFolder { .. } => {
                "put class configs (*.yaml) in the folder, or name the files themselves".into()
            }
        })
    }
}

/// One config file, read and normalised to the accelerator's shape (`classes:` + sections).
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// The path as the user wrote it (or `built-in: w2.yaml`).
    pub name: String,
    pub text: String,
    pub document: Value,
    /// Problems and notes, located in this file.
    pub findings: Vec<Finding>,
}

impl ConfigFile {
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    pub fn classes(&self) -> &[Value] {
        self.document
            .get("classes")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// Files and folders → the files, folders expanded to their `*.yaml`, `*.yml`, `*.json` files in
/// name order (not recursive: a folder is one set of classes).
pub fn expand(paths: &[PathBuf], base: &Path) -> Result<Vec<(String, PathBuf)>, LoadError> {
    let mut out = Vec::new();
    for p in paths {
        let full = base.join(p);
        let shown = p.display().to_string();
        if full.is_dir() {
            let rd = std::fs::read_dir(&full).map_err(|source| LoadError::Read {
                path: shown.clone(),
                source,
            })?;
            let mut files: Vec<PathBuf> = rd
                .flatten()
                .map(|e| e.path())
                .filter(|f| {
                    f.is_file()
                        && f.extension()
                            .and_then(|e| e.to_str())
                            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
                })
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(LoadError::EmptyFolder { path: shown });
            }
            for f in files {
                let name = p
                    .join(f.file_name().unwrap_or_default())
                    .display()
                    .to_string();
                out.push((name, f));
            }
        } else {
            out.push((shown, full));
        }
    }
    Ok(out)
}

/// Reads and checks one file.
pub fn read(name: &str, path: &Path) -> Result<ConfigFile, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
        path: name.to_string(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|_| LoadError::NotAConfig {
        path: name.to_string(),
        message: "is not UTF-8 text".into(),
    })?;
    parse(name, &text)
}

/// Parses and checks config text; `name` labels its findings.
pub fn parse(name: &str, text: &str) -> Result<ConfigFile, LoadError> {
    let value = crate::yaml::parse(text).map_err(|e| match e {
        crate::yaml::YamlError::Syntax { message, line, .. } => LoadError::Syntax {
            origin: match line {
                Some(l) => format!("{name}:{l}"),
                None => name.to_string(),
            },
            message: message
                .find(" at line ")
                .map(|i| message[..i].to_string())
                .unwrap_or(message),
        },
        other => LoadError::Syntax {
            origin: name.to_string(),
            message: other.to_string(),
        },
    })?;
    let not = |message: &str| LoadError::NotAConfig {
        path: name.to_string(),
        message: message.to_string(),
    };
    let mut findings = Vec::new();
    let mut document = match value {
        Value::Null => return Err(not("is empty")),
        Value::Array(items) => json!({ "classes": items }),
        Value::Object(m) if looks_like_class(&m) => json!({ "classes": [Value::Object(m)] }),
        Value::Object(m) => {
            let known = m.contains_key("classes")
                || m.keys()
                    .any(|k| TYPED.contains(&k.as_str()) || KEPT.contains(&k.as_str()));
            if !known {
                return Err(not(
                    "has no `classes:` list and none of the accelerator's config sections",
                ));
            }
            Value::Object(m)
        }
        _ => return Err(not("is a single value, not a config")),
    };
    if let Some(classes) = document.get_mut("classes") {
        match classes {
            Value::Null => *classes = Value::Array(Vec::new()),
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    if let Some(converted) = from_legacy(item) {
                        findings.push(Finding::new(
                            Severity::Note,
                            format!("classes[{i}]"),
                            "is in the accelerator's older class format (name, attributes); read as its JSON Schema equivalent",
                        ));
                        *item = converted;
                    }
                }
            }
            _ => findings.push(
                Finding::new(
                    Severity::Error,
                    "classes",
                    "must be a list of class schemas",
                )
                .hint("write `classes:` followed by `- ` items, one per class"),
            ),
        }
    }
    findings.extend(check_classes(&document));
    let (_, section_findings) = Sections::from_document(&document);
    findings.extend(section_findings);
    if let Some(m) = document.as_object() {
        for k in m.keys() {
            if k != "classes" && !TYPED.contains(&k.as_str()) {
                let message = if KEPT.contains(&k.as_str()) {
                    "is kept with the configuration; idpctl does not use it"
                } else {
                    "is not a key idpctl knows; kept as written"
                };
                findings.push(Finding::new(Severity::Note, k.clone(), message));
            }
        }
    }
    let mut findings: Vec<Finding> = findings.into_iter().map(|f| f.locate(name, text)).collect();
    findings.sort_by_key(|f| f.line.unwrap_or(0));
    Ok(ConfigFile {
        name: name.to_string(),
        text: text.to_string(),
        document,
        findings,
    })
}

fn looks_like_class(m: &Map<String, Value>) -> bool {
    m.contains_key("x-aws-idp-document-type")
        || (m.contains_key("$id") && m.contains_key("properties"))
}

/// Class-level checks: the class must be readable by the extractor, names unique, thresholds
/// fractions, evaluation methods ones the accelerator knows.
fn check_classes(document: &Value) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(classes) = document.get("classes").and_then(Value::as_array) else {
        return out;
    };
    let mut seen: Vec<String> = Vec::new();
    for (i, c) in classes.iter().enumerate() {
        let at = format!("classes[{i}]");
        if !c.is_object() {
            out.push(
                Finding::new(Severity::Error, at, "is not a class schema (a mapping)")
                    .hint("each class is a mapping with x-aws-idp-document-type, description and properties"),
            );
            continue;
        }
        match ClassDef::from_schema(c) {
            Ok(class) => {
                if seen.contains(&class.name) {
                    out.push(
                        Finding::new(
                            Severity::Warning,
                            at.clone(),
                            format!("defines class `{}` a second time; the later one is used", class.name),
                        )
                        .hint("rename one of them, or delete the one you do not mean"),
                    );
                }
                seen.push(class.name.clone());
                // Classification-only classes are a pattern of their own (splitting packages).
                if class.fields.is_empty() && class.tables.is_empty() {
                    out.push(Finding::new(
                        Severity::Note,
                        at.clone(),
                        format!(
                            "class `{}` has no properties: its documents are classified, with no fields",
                            class.name
                        ),
                    ));
                }
            }
            Err(reason) => out.push(
                Finding::new(Severity::Error, at.clone(), format!("cannot be read: {reason}"))
                    .hint("give the class `x-aws-idp-document-type` and `properties`; `$ref`s must point into its own `$defs`"),
            ),
        }
        walk_properties(c, &at, &mut out);
    }
    out
}

const EVALUATION_METHODS: &[&str] = &[
    "EXACT",
    "NUMERIC_EXACT",
    "FUZZY",
    "SEMANTIC",
    "LLM",
    "HUNGARIAN",
    "LEVENSHTEIN",
    "DATE",
    "NONE",
];

fn walk_properties(node: &Value, at: &str, out: &mut Vec<Finding>) {
    let check = |v: &Value, at: &str, out: &mut Vec<Finding>| {
        if let Some(t) = v.get("x-aws-idp-confidence-threshold") {
            let ok = match t {
                Value::Number(n) => n.as_f64().is_some_and(|f| (0.0..=1.0).contains(&f)),
                Value::String(s) => s
                    .trim()
                    .parse::<f64>()
                    .is_ok_and(|f| (0.0..=1.0).contains(&f)),
                _ => false,
            };
            if !ok {
                out.push(
                    Finding::new(
                        Severity::Error,
                        format!("{at}.x-aws-idp-confidence-threshold"),
                        format!("is {t}, not a fraction from 0 to 1"),
                    )
                    .hint("write a confidence threshold such as 0.8"),
                );
            }
        }
        if let Some(m) = v.get("x-aws-idp-evaluation-method").and_then(Value::as_str)
            && !m.trim().is_empty()
            && !EVALUATION_METHODS.contains(&m)
        {
            out.push(
                Finding::new(
                    Severity::Warning,
                    format!("{at}.x-aws-idp-evaluation-method"),
                    format!("`{m}` is not an evaluation method of the accelerator"),
                )
                .hint(format!("use one of {}", EVALUATION_METHODS.join(", "))),
            );
        }
    };
    check(node, at, out);
    for key in ["properties", "$defs", "definitions"] {
        if let Some(props) = node.get(key).and_then(Value::as_object) {
            for (name, p) in props {
                let here = format!("{at}.{key}.{name}");
                walk_properties(p, &here, out);
            }
        }
    }
    if let Some(items) = node.get("items") {
        walk_properties(items, &format!("{at}.items"), out);
    }
}

/// The accelerator's pre-JSON-Schema class (`name`, `description`, `attributes` with
/// `attributeType` simple/group/list) as a JSON Schema class; `None` for anything else.
fn from_legacy(class: &Value) -> Option<Value> {
    let m = class.as_object()?;
    if looks_like_class(m) || !m.contains_key("attributes") {
        return None;
    }
    let name = m.get("name")?.as_str()?;
    let mut out = Map::new();
    out.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    out.insert("$id".into(), json!(name));
    out.insert("type".into(), json!("object"));
    out.insert("x-aws-idp-document-type".into(), json!(name));
    if let Some(d) = m.get("description") {
        out.insert("description".into(), d.clone());
    }
    if let Some(t) = m.get("confidence_threshold") {
        out.insert("x-aws-idp-confidence-threshold".into(), t.clone());
    }
    if let Some(e) = m.get("examples") {
        out.insert("x-aws-idp-examples".into(), e.clone());
    }
    out.insert(
        "properties".into(),
        legacy_attributes(m.get("attributes").unwrap_or(&Value::Null)),
    );
    Some(Value::Object(out))
}

fn legacy_attributes(attrs: &Value) -> Value {
    let mut props = Map::new();
    for a in attrs.as_array().into_iter().flatten() {
        let Some(name) = a.get("name").and_then(Value::as_str) else {
            continue;
        };
        let mut p = Map::new();
        match a.get("attributeType").and_then(Value::as_str) {
            Some("group") => {
                p.insert("type".into(), json!("object"));
                p.insert(
                    "properties".into(),
                    legacy_attributes(a.get("groupAttributes").unwrap_or(&Value::Null)),
                );
            }
            Some("list") => {
                let template = a.get("listItemTemplate");
                let mut items = Map::new();
                items.insert("type".into(), json!("object"));
                if let Some(d) = template.and_then(|t| t.get("itemDescription")) {
                    items.insert("description".into(), d.clone());
                }
                items.insert(
                    "properties".into(),
                    legacy_attributes(
                        template
                            .and_then(|t| t.get("itemAttributes"))
                            .unwrap_or(&Value::Null),
                    ),
                );
                p.insert("type".into(), json!("array"));
                p.insert("items".into(), Value::Object(items));
            }
            _ => {
                p.insert("type".into(), json!("string"));
            }
        }
        if let Some(d) = a.get("description") {
            p.insert("description".into(), d.clone());
        }
        if let Some(e) = a.get("evaluation_method") {
            p.insert("x-aws-idp-evaluation-method".into(), e.clone());
        }
        if let Some(t) = a.get("confidence_threshold") {
            p.insert("x-aws-idp-confidence-threshold".into(), t.clone());
        }
        props.insert(name.to_string(), Value::Object(p));
    }
    Value::Object(props)
}

/// Which file a part of the effective configuration came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Origin {
    /// `classes.W2`, `classification.model`, …
    pub part: String,
    pub source: String,
}

/// The effective configuration document, with where each part came from.
#[derive(Debug, Clone)]
pub struct Assembled {
    /// Accelerator-shaped: `classes:` plus the merged sections.
    pub document: Value,
    pub origins: Vec<Origin>,
    /// Every file's findings, plus notes on classes replaced by later files.
    pub findings: Vec<Finding>,
    /// The files it was built from, as the user named them.
    pub sources: Vec<String>,
}

impl Assembled {
    pub fn errors(&self) -> Vec<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect()
    }
}

/// The built-in class files, parsed.
pub fn builtin_files() -> Vec<ConfigFile> {
    BUILTIN
        .iter()
        .map(|(name, text)| {
            parse(&format!("built-in: configs/classes/{name}"), text)
                .expect("shipped configs are tested")
        })
        .collect()
}

/// The profile's effective configuration, quietly (commands report findings themselves): the
/// first error, with where it is, when it does not load.
pub fn effective(settings: &crate::settings::Settings) -> Result<super::IdpConfig, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current folder: {e}"))?;
    let files: Vec<ConfigFile> = expand(&settings.classes, &cwd)
        .and_then(|named| named.iter().map(|(name, path)| read(name, path)).collect())
        .map_err(|e: LoadError| e.to_string())?;
    let assembled = assemble(settings.classes_mode, &files);
    if let Some(e) = assembled.errors().first() {
        return Err(e.to_string());
    }
    super::IdpConfig::from_document(assembled.document).map_err(|e| e.to_string())
}

/// Builds the effective configuration from the user's files, over the built-in library when
/// `mode` is `add`.
pub fn assemble(mode: ClassesMode, files: &[ConfigFile]) -> Assembled {
    let base = match mode {
        ClassesMode::Add => builtin_files(),
        ClassesMode::Replace => Vec::new(),
    };
    let mut classes: Vec<(String, Value, String)> = Vec::new();
    let mut sections = Map::new();
    let mut origins: Vec<Origin> = Vec::new();
    let mut findings = Vec::new();
    for file in base.iter().chain(files) {
        findings.extend(file.findings.iter().cloned());
        for (i, c) in file.classes().iter().enumerate() {
            let Some(name) = c
                .get("x-aws-idp-document-type")
                .or_else(|| c.get("$id"))
                .and_then(Value::as_str)
            else {
                continue;
            };
            if let Some(pos) = classes.iter().position(|(n, _, _)| n == name) {
                let (_, _, from) = classes.remove(pos);
                if from != file.name {
                    findings.push(
                        Finding::new(
                            Severity::Note,
                            format!("classes[{i}]"),
                            format!("class `{name}` replaces the one from {from}"),
                        )
                        .locate(&file.name, &file.text),
                    );
                }
            }
            classes.push((name.to_string(), c.clone(), file.name.clone()));
        }
        if let Some(m) = file.document.as_object() {
            for (k, v) in m {
                if k == "classes" {
                    continue;
                }
                deep_merge(&mut sections, k, v, k, &file.name, &mut origins);
            }
        }
    }
    for (name, _, source) in &classes {
        origins.push(Origin {
            part: format!("classes.{name}"),
            source: source.clone(),
        });
    }
    let mut document = Map::new();
    document.insert(
        "classes".into(),
        Value::Array(classes.into_iter().map(|(_, c, _)| c).collect()),
    );
    document.extend(sections);
    origins.sort_by(|a, b| a.part.cmp(&b.part));
    Assembled {
        document: Value::Object(document),
        origins,
        findings,
        sources: files.iter().map(|f| f.name.clone()).collect(),
    }
}

/// Mappings merge key by key; anything else is replaced. Origins are kept at the second level
/// (`classification.model`), which is what a person asks about.
fn deep_merge(
    into: &mut Map<String, Value>,
    key: &str,
    value: &Value,
    path: &str,
    source: &str,
    origins: &mut Vec<Origin>,
) {
    let depth = path.matches('.').count();
    match (into.get_mut(key), value) {
        (Some(Value::Object(existing)), Value::Object(incoming)) => {
            for (k, v) in incoming {
                deep_merge(existing, k, v, &format!("{path}.{k}"), source, origins);
            }
            if depth == 0 && incoming.is_empty() {
                set_origin(origins, path, source);
            }
        }
        _ => {
            into.insert(key.to_string(), value.clone());
            if depth <= 1 {
                origins.retain(|o| o.part != path && !o.part.starts_with(&format!("{path}.")));
                if let Value::Object(m) = value
                    && depth == 0
                    && !m.is_empty()
                {
                    for k in m.keys() {
                        set_origin(origins, &format!("{path}.{k}"), source);
                    }
                } else {
                    set_origin(origins, path, source);
                }
            }
        }
    }
}

fn set_origin(origins: &mut Vec<Origin>, part: &str, source: &str) {
    origins.retain(|o| o.part != part);
    origins.push(Origin {
        part: part.to_string(),
        source: source.to_string(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> ConfigFile {
        parse(name, text).unwrap()
    }

    #[test]
    fn one_class_schema_is_a_config() {
        let f = file(
            "a.yaml",
            "x-aws-idp-document-type: Invoice\ntype: object\nproperties:\n  total:\n    type: number\n",
        );
        assert_eq!(f.classes().len(), 1);
        assert!(f.errors().next().is_none(), "{:?}", f.findings);
    }

    #[test]
    fn add_keeps_the_builtin_library_and_replace_drops_it() {
        let f = file(
            "mine.yaml",
            "classes:\n  - x-aws-idp-document-type: Invoice\n    properties:\n      total:\n        type: number\n",
        );
        let added = assemble(ClassesMode::Add, std::slice::from_ref(&f));
        let n = added.document["classes"].as_array().unwrap().len();
        assert_eq!(n, BUILTIN.len() + 1);
        let replaced = assemble(ClassesMode::Replace, &[f]);
        assert_eq!(replaced.document["classes"].as_array().unwrap().len(), 1);
        assert!(replaced.origins.contains(&Origin {
            part: "classes.Invoice".into(),
            source: "mine.yaml".into()
        }));
    }

    #[test]
    fn later_files_win_and_say_what_they_replaced() {
        let a = file(
            "a.yaml",
            "classification:\n  model: m1\n  temperature: 0\nclasses:\n  - x-aws-idp-document-type: W2\n    properties:\n      x:\n        type: string\n",
        );
        let b = file("b.yaml", "classification:\n  model: m2\n");
        let out = assemble(ClassesMode::Add, &[a, b]);
        assert_eq!(out.document["classification"]["model"], "m2");
        assert_eq!(out.document["classification"]["temperature"], 0);
        let origin = |p: &str| {
            out.origins
                .iter()
                .find(|o| o.part == p)
                .map(|o| o.source.clone())
        };
        assert_eq!(origin("classification.model").as_deref(), Some("b.yaml"));
        assert_eq!(
            origin("classification.temperature").as_deref(),
            Some("a.yaml")
        );
        assert_eq!(origin("classes.W2").as_deref(), Some("a.yaml"));
        let note = out
            .findings
            .iter()
            .find(|f| f.message.contains("replaces the one from built-in"))
            .expect("a note on the replaced built-in class");
        assert_eq!(note.origin(), "a.yaml:5");
    }

    #[test]
    fn bad_classes_are_errors_with_lines() {
        let f = file(
            "bad.yaml",
            "classes:\n  - x-aws-idp-document-type: A\n    properties:\n      p:\n        $ref: \"#/$defs/Nope\"\n  - description: no name\n    properties: {}\n",
        );
        let errors: Vec<String> = f.errors().map(|e| e.to_string()).collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].starts_with("bad.yaml:2: error: `classes[0]` cannot be read"),
            "{}",
            errors[0]
        );
        assert!(
            errors[1].starts_with("bad.yaml:6: error: `classes[1]`"),
            "{}",
            errors[1]
        );
    }

    #[test]
    fn thresholds_out_of_range_are_errors() {
        let f = file(
            "t.yaml",
            "classes:\n  - x-aws-idp-document-type: A\n    properties:\n      p:\n        type: string\n        x-aws-idp-confidence-threshold: 80\n",
        );
        let e: Vec<_> = f.errors().collect();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].line, Some(6));
    }

    #[test]
    fn legacy_classes_are_converted() {
        let f = file(
            "old.yaml",
            "classes:\n  - name: Letter\n    description: A letter\n    attributes:\n      - name: sender\n        description: who wrote it\n        evaluation_method: EXACT\n      - name: address\n        attributeType: group\n        groupAttributes:\n          - name: city\n      - name: lines\n        attributeType: list\n        listItemTemplate:\n          itemAttributes:\n            - name: amount\n",
        );
        assert!(f.errors().next().is_none(), "{:?}", f.findings);
        let class = ClassDef::from_schema(&f.classes()[0]).unwrap();
        assert_eq!(class.name, "Letter");
        let paths: Vec<_> = class.fields.iter().map(|f| f.dotted()).collect();
        assert_eq!(paths, vec!["sender", "address.city"]);
        assert_eq!(class.tables.len(), 1);
    }

    #[test]
    fn unreadable_files_are_load_errors() {
        assert!(matches!(
            parse("x.yaml", "a: [1"),
            Err(LoadError::Syntax { .. })
        ));
        assert!(matches!(
            parse("x.yaml", ""),
            Err(LoadError::NotAConfig { .. })
        ));
        assert!(matches!(
            parse("x.yaml", "region: us-east-1\n"),
            Err(LoadError::NotAConfig { .. })
        ));
        let e = parse("x.yaml", "a: 1\nb: [2\n").unwrap_err();
        assert!(e.to_string().starts_with("x.yaml:"), "{e}");
    }

    /// Few-shot examples reach the typed class, in both the current and the older format.
    #[test]
    fn few_shot_examples_are_read() {
        for rel in [
            "unified/rvl-cdip-with-few-shot-examples/config.yaml",
            "pattern-2/rvl-cdip-package-sample-with-few-shot-examples/config.yaml",
        ] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/accelerator")
                .join(rel);
            let f = read(rel, &path).unwrap();
            let with: Vec<ClassDef> = f
                .classes()
                .iter()
                .filter_map(|c| ClassDef::from_schema(c).ok())
                .filter(|c| !c.examples.is_empty())
                .collect();
            assert!(!with.is_empty(), "{rel}: no class kept its examples");
            let e = &with[0].examples[0];
            assert!(
                !e.class_prompt.is_empty() || !e.attributes_prompt.is_empty(),
                "{rel}: {e:?}"
            );
        }
    }

    #[test]
    fn builtin_files_are_clean() {
        for f in builtin_files() {
            let bad: Vec<_> = f
                .findings
                .iter()
                .filter(|f| f.severity != Severity::Note)
                .collect();
            assert!(bad.is_empty(), "{}: {bad:?}", f.name);
        }
    }
}
