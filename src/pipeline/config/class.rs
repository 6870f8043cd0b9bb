//! One document class: its name, evidence for classification, and the flattened fields.
//!
//! Nested objects (inline or through `$ref: "#/$defs/..."`) become dotted paths; arrays of
//! objects are kept as one field per column under the array's path with a `[]` marker, and are
//! filled by the table extractor. Class keywords come from `x-idpctl-keywords` — a list of
//! phrases, or `{phrase, weight}` maps — and, failing that, from the class name. The evidence
//! the embedded classifier reads (its name, description and properties expanded through the
//! multilingual lexicon, and the accelerator's page-content and name regexes) is computed here
//! once, by [`crate::pipeline::classify::evidence`].

use serde_json::Value;

use super::field::{FieldDef, words_of};
use super::threshold_of;
use crate::pipeline::classify::evidence::{ClassEvidence, SchemaText};

/// A phrase whose presence on a page is evidence for a class.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyword {
    pub phrase: String,
    pub weight: f32,
}

/// A few-shot example of a class (`x-aws-idp-examples`), for the model engines' prompts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Example {
    pub name: String,
    /// What the classification prompt says about the example.
    pub class_prompt: String,
    /// The expected attributes, as the extraction prompt shows them.
    pub attributes_prompt: String,
    /// Where the example page image is (`s3://…`, or a path relative to the config).
    pub image_path: Option<String>,
}

impl Example {
    fn from_value(v: &Value) -> Option<Self> {
        let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        v.is_object().then(|| Example {
            name: text("name"),
            class_prompt: text("classPrompt"),
            attributes_prompt: text("attributesPrompt"),
            image_path: v
                .get("imagePath")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    }
}

#[derive(Debug, Clone)]
pub struct ClassDef {
    /// `x-aws-idp-document-type`, or `$id`.
    pub name: String,
    pub description: String,
    pub threshold: Option<f32>,
    pub keywords: Vec<Keyword>,
    /// Scalar leaves, depth-first in schema order.
    pub fields: Vec<FieldDef>,
    /// Arrays of objects: the path of the array and its column fields.
    pub tables: Vec<(Vec<String>, Vec<FieldDef>)>,
    /// Few-shot examples for the model engines.
    pub examples: Vec<Example>,
    /// What the embedded classifier recognises the class by.
    pub evidence: ClassEvidence,
}

/// Deepest nesting followed; configs are shallow, a cycle of `$ref`s is not.
const MAX_DEPTH: usize = 8;
/// Most properties walked in one class. Depth alone does not bound the walk: eight levels of
/// ten properties that each `$ref` the next level name 10^8 fields from a few hundred bytes.
const MAX_PROPERTIES: usize = 5_000;

impl ClassDef {
    /// The class a schema describes; built once per process for each distinct schema
    /// ([`super::memo`]), then cloned.
    pub fn from_schema(schema: &Value) -> Result<Self, String> {
        super::memo::classes()
            .get_or_build(super::memo::key(schema), || Self::build(schema))
            .map(|c| (*c).clone())
    }

    fn build(schema: &Value) -> Result<Self, String> {
        let name = schema
            .get("x-aws-idp-document-type")
            .or_else(|| schema.get("$id"))
            .and_then(Value::as_str)
            .ok_or("it has neither `x-aws-idp-document-type` nor `$id`")?
            .to_string();
        let threshold = threshold_of(schema);
        let evidence = evidence_of(schema, &name).map_err(|e| format!("{name}: {e}"))?;
        let mut class = ClassDef {
            description: schema
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim()
                .to_string(),
            threshold,
            keywords: keywords(schema, &name),
            fields: Vec::new(),
            tables: Vec::new(),
            examples: schema
                .get("x-aws-idp-examples")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Example::from_value)
                .collect(),
            evidence,
            name,
        };
        let mut fields = Vec::new();
        walk(
            schema,
            schema,
            &mut Vec::new(),
            threshold,
            (0, &mut 0),
            &mut fields,
            &mut class.tables,
        )
        .map_err(|e| format!("{}: {e}", class.name))?;
        class.fields = fields;
        Ok(class)
    }

    /// All fields, scalar ones first, then table columns.
    pub fn field(&self, dotted: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.dotted() == dotted)
    }
}

fn keywords(schema: &Value, name: &str) -> Vec<Keyword> {
    let list = schema.get("x-idpctl-keywords").and_then(Value::as_array);
    let mut out: Vec<Keyword> = list
        .into_iter()
        .flatten()
        .filter_map(|k| match k {
            Value::String(s) => Some(Keyword {
                phrase: s.clone(),
                weight: 1.0,
            }),
            Value::Object(m) => Some(Keyword {
                phrase: m.get("phrase")?.as_str()?.to_string(),
                weight: m.get("weight").and_then(Value::as_f64).unwrap_or(1.0) as f32,
            }),
            _ => None,
        })
        .collect();
    if out.is_empty() {
        out.push(Keyword {
            phrase: words_of(name),
            weight: 1.0,
        });
    }
    out
}

/// The classifier's evidence from the schema's own words.
fn evidence_of(schema: &Value, name: &str) -> Result<ClassEvidence, String> {
    let text = |k: &str| schema.get(k).and_then(Value::as_str);
    let mut properties = Vec::new();
    property_texts(schema, 0, &mut properties);
    let keywords = schema
        .get("x-idpctl-keywords")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|k| match k {
            Value::String(s) => Some((s.as_str(), 1.0)),
            Value::Object(m) => Some((
                m.get("phrase")?.as_str()?,
                m.get("weight").and_then(Value::as_f64).unwrap_or(1.0) as f32,
            )),
            _ => None,
        })
        .collect();
    ClassEvidence::from_schema(&SchemaText {
        name,
        description: text("description").unwrap_or(""),
        properties,
        keywords,
        page_regex: text("x-aws-idp-document-page-content-regex"),
        name_regex: text("x-aws-idp-document-name-regex"),
    })
}

/// (name, description) of every property anywhere in the schema (`properties`, `items`,
/// `$defs`), bounded like the field walk.
fn property_texts<'a>(node: &'a Value, depth: usize, out: &mut Vec<(&'a str, &'a str)>) {
    if depth > MAX_DEPTH || out.len() > MAX_PROPERTIES {
        return;
    }
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            let desc = v.get("description").and_then(Value::as_str).unwrap_or("");
            out.push((k.as_str(), desc));
            property_texts(v, depth + 1, out);
        }
    }
    if let Some(items) = node.get("items") {
        property_texts(items, depth + 1, out);
    }
    for defs in ["$defs", "definitions"] {
        if let Some(d) = node.get(defs).and_then(Value::as_object) {
            for v in d.values() {
                property_texts(v, depth + 1, out);
            }
        }
    }
}

/// Resolve a local `$ref` (`#/$defs/Name`, `#/definitions/Name`) against the class root.
fn deref<'a>(root: &'a Value, v: &'a Value) -> Result<&'a Value, String> {
    match v.get("$ref").and_then(Value::as_str) {
        None => Ok(v),
        Some(r) => {
            let ptr = r
                .strip_prefix('#')
                .ok_or(format!("only local $ref is supported: {r}"))?;
            let target = root
                .pointer(ptr)
                .ok_or(format!("$ref {r} points at nothing"))?;
            Ok(target)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn walk(
    root: &Value,
    node: &Value,
    path: &mut Vec<String>,
    threshold: Option<f32>,
    (depth, walked): (usize, &mut usize),
    fields: &mut Vec<FieldDef>,
    tables: &mut Vec<(Vec<String>, Vec<FieldDef>)>,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "nesting deeper than {MAX_DEPTH} at {}",
            path.join(".")
        ));
    }
    let Some(props) = node.get("properties").and_then(Value::as_object) else {
        return Ok(());
    };
    for (name, raw) in props {
        *walked += 1;
        if *walked > MAX_PROPERTIES {
            return Err(format!(
                "more than {MAX_PROPERTIES} properties (do `$ref`s fan out?) at {}",
                path.join(".")
            ));
        }
        // The property's own keys win over its $ref target's (the accelerator reads the
        // threshold from the raw property too).
        let target = deref(root, raw)?;
        let own_threshold = threshold_of(raw).or(threshold_of(target)).or(threshold);
        path.push(name.clone());
        let ty = target.get("type").and_then(Value::as_str).unwrap_or(
            if target.get("properties").is_some() {
                "object"
            } else {
                "string"
            },
        );
        match ty {
            "object" => walk(
                root,
                target,
                path,
                own_threshold,
                (depth + 1, &mut *walked),
                fields,
                tables,
            )?,
            "array" => {
                let items = target.get("items").map(|i| deref(root, i)).transpose()?;
                if let Some(items) = items.filter(|i| i.get("properties").is_some()) {
                    let mut cols = Vec::new();
                    let mut inner = Vec::new();
                    walk(
                        root,
                        items,
                        &mut inner,
                        own_threshold,
                        (depth + 1, &mut *walked),
                        &mut cols,
                        tables,
                    )?;
                    tables.push((path.clone(), cols));
                }
                // Arrays of strings (endorsements, restrictions) are left to richer engines.
            }
            _ => {
                let merged = merge(raw, target);
                fields.push(FieldDef::from_property(
                    path.clone(),
                    &merged,
                    own_threshold,
                )?);
            }
        }
        path.pop();
    }
    Ok(())
}

/// The property's keys over its `$ref` target's.
fn merge(raw: &Value, target: &Value) -> Value {
    if std::ptr::eq(raw, target) {
        return raw.clone();
    }
    let mut out = target.clone();
    if let (Some(o), Some(r)) = (out.as_object_mut(), raw.as_object()) {
        for (k, v) in r {
            if k != "$ref" {
                o.insert(k.clone(), v.clone());
            }
        }
    }
    out
}
