//! Reading what is scored: our results and the ground truth, both into [`Doc`]s.
//!
//! Results: a `process --out` folder (every `<document>/result.json` below it, at any depth, as
//! ZIP batches nest them) or one `result.json`.
//!
//! Ground truth, one per document, in any of these shapes:
//! - `<name>.json` or `<name>.expected.json` holding the expected attributes themselves
//!   (`{"Header": {...}, ...}`), or wrapped as the accelerator's section result
//!   (`{"document_class": {"type": "W2"}, "inference_result": {...}}`);
//! - the accelerator's baseline folder, `<document>/sections/<n>/result.json`, one per section,
//!   each with `document_class.type`, `split_document.page_indices` (0-based) and
//!   `inference_result`;
//! - our own `<document>/result.json` (a corrected result copied as the baseline).
//!
//! A truth is paired with a result by its document name (`invoice.pdf`), else by the name
//! without its extension (`1099B.expected.json` ↔ `1099B.pdf`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::EvalError;

/// One section: its class, pages (1-based ids as strings, like ours) and attributes.
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub class: Option<String>,
    pub page_ids: Vec<String>,
    pub attributes: Value,
    /// Our per-field details (`fields` of a result section), for confidences.
    pub fields: Map<String, Value>,
}

/// One document, from a result or a ground truth.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    /// Relative to the folder it was found in (`invoice.pdf`, `batch.zip/w2/a.pdf`).
    pub name: String,
    pub source: PathBuf,
    pub sections: Vec<Section>,
    /// Page id → class, where known.
    pub pages: BTreeMap<String, String>,
}

impl Doc {
    /// The name's last component without its extensions' noise: `a/1099B.pdf` → `1099B`,
    /// `1099B.expected` → `1099B`.
    pub fn stem(&self) -> String {
        stem_of(&self.name)
    }
}

pub fn stem_of(name: &str) -> String {
    let base = name.rsplit('/').next().unwrap_or(name);
    let base = base.strip_suffix(".json").unwrap_or(base);
    let base = base.strip_suffix(".expected").unwrap_or(base);
    match base.rsplit_once('.') {
        Some((s, ext)) if !s.is_empty() && ext.len() <= 5 && !ext.contains(' ') => s.to_string(),
        _ => base.to_string(),
    }
}

fn read_json(path: &Path) -> Result<Value, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|e| EvalError::Read {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    serde_json::from_str(&text).map_err(|e| EvalError::Parse {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// A document result already in memory (a serialized `Document`), named `name`.
pub fn result_doc(name: &str, v: &Value) -> Option<Doc> {
    from_result(name.to_string(), Path::new(name), v)
}

/// Our document result (`Document` as `finalize` writes it), or `None` for other JSON.
fn from_result(name: String, source: &Path, v: &Value) -> Option<Doc> {
    let sections = v.get("sections")?.as_array()?;
    let mut doc = Doc {
        name,
        source: source.to_path_buf(),
        ..Doc::default()
    };
    for s in sections {
        doc.sections.push(Section {
            class: s
                .get("classification")
                .and_then(Value::as_str)
                .map(String::from),
            page_ids: ids(s.get("page_ids")),
            attributes: s.get("attributes").cloned().unwrap_or(Value::Null),
            fields: s
                .get("fields")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
        });
    }
    for (id, p) in v
        .get("pages")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(c) = p.get("classification").and_then(Value::as_str) {
            doc.pages.insert(id.clone(), c.to_string());
        }
    }
    fill_pages_from_sections(&mut doc);
    Some(doc)
}

fn ids(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|x| match x {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect()
}

fn fill_pages_from_sections(doc: &mut Doc) {
    for s in &doc.sections {
        if let Some(c) = &s.class {
            for p in &s.page_ids {
                doc.pages.entry(p.clone()).or_insert_with(|| c.clone());
            }
        }
    }
}

/// One section in the accelerator's section-result shape, or the bare attributes.
fn accelerator_section(v: &Value) -> Section {
    let class = v
        .pointer("/document_class/type")
        .and_then(Value::as_str)
        .map(String::from);
    // `split_document.page_indices` are 0-based; our page ids are 1-based.
    let page_ids = v
        .pointer("/split_document/page_indices")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_u64)
                .map(|i| (i + 1).to_string())
                .collect()
        })
        .unwrap_or_else(|| ids(v.get("page_ids")));
    let attributes = v
        .get("inference_result")
        .or_else(|| v.get("attributes").filter(|_| class.is_some()))
        .cloned()
        .unwrap_or_else(|| {
            if class.is_some() {
                Value::Object(Map::new())
            } else {
                v.clone()
            }
        });
    Section {
        class,
        page_ids,
        attributes,
        fields: Map::new(),
    }
}

/// A ground-truth document from one JSON file.
fn truth_from_file(name: String, path: &Path) -> Result<Doc, EvalError> {
    let v = read_json(path)?;
    if !v.is_object() {
        return Err(EvalError::Parse {
            path: path.to_path_buf(),
            reason: "a ground truth is a JSON object of expected fields".into(),
        });
    }
    if let Some(doc) = from_result(name.clone(), path, &v) {
        return Ok(doc);
    }
    let mut doc = Doc {
        name,
        source: path.to_path_buf(),
        sections: vec![accelerator_section(&v)],
        ..Doc::default()
    };
    fill_pages_from_sections(&mut doc);
    Ok(doc)
}

/// `<dir>/sections/<n>/result.json` files of a baseline folder, by section number.
fn baseline_sections(dir: &Path) -> Vec<(u64, PathBuf)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir.join("sections")) else {
        return out;
    };
    for e in entries.flatten() {
        let file = e.path().join("result.json");
        if let (Some(n), true) = (
            e.file_name().to_str().and_then(|s| s.parse::<u64>().ok()),
            file.is_file(),
        ) {
            out.push((n, file));
        }
    }
    out.sort();
    out
}

fn relative(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, EvalError> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| EvalError::Read {
            path: dir.to_path_buf(),
            reason: e.to_string(),
        })?
        .flatten()
        .map(|e| e.path())
        .collect();
    v.sort();
    Ok(v)
}

/// Every document result under `path` (a folder) or in it (one `result.json`).
pub fn results(path: &Path) -> Result<Vec<Doc>, EvalError> {
    if path.is_file() {
        let v = read_json(path)?;
        let name = path
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "result".into());
        let name = v
            .get("input_key")
            .and_then(Value::as_str)
            .and_then(|k| k.rsplit('/').next())
            .map(String::from)
            .unwrap_or(name);
        return from_result(name, path, &v)
            .map(|d| vec![d])
            .ok_or_else(|| EvalError::Parse {
                path: path.to_path_buf(),
                reason: "not a document result (no `sections` list)".into(),
            });
    }
    if !path.is_dir() {
        return Err(EvalError::Missing(path.to_path_buf()));
    }
    let mut out = Vec::new();
    collect_results(path, path, &mut out)?;
    Ok(out)
}

fn collect_results(root: &Path, dir: &Path, out: &mut Vec<Doc>) -> Result<(), EvalError> {
    let file = dir.join("result.json");
    if dir != root && file.is_file() {
        let v = read_json(&file)?;
        if let Some(doc) = from_result(relative(root, dir), &file, &v) {
            out.push(doc);
        }
    }
    for p in sorted_entries(dir)? {
        // `sections/<n>/result.json` belong to the document above them.
        if p.is_dir() && p.file_name().is_none_or(|n| n != "sections") {
            collect_results(root, &p, out)?;
        }
    }
    Ok(())
}

/// Every ground-truth document under `path` (a folder), or the one in it (a file).
pub fn truths(path: &Path) -> Result<Vec<Doc>, EvalError> {
    if path.is_file() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = name.strip_suffix(".json").unwrap_or(&name).to_string();
        return Ok(vec![truth_from_file(name, path)?]);
    }
    if !path.is_dir() {
        return Err(EvalError::Missing(path.to_path_buf()));
    }
    let mut out = Vec::new();
    collect_truths(path, path, &mut out)?;
    Ok(out)
}

fn collect_truths(root: &Path, dir: &Path, out: &mut Vec<Doc>) -> Result<(), EvalError> {
    for p in sorted_entries(dir)? {
        if p.is_dir() {
            let sections = baseline_sections(&p);
            let own = p.join("result.json");
            if !sections.is_empty() {
                let mut doc = Doc {
                    name: relative(root, &p),
                    source: p.clone(),
                    ..Doc::default()
                };
                for (_, file) in sections {
                    doc.sections.push(accelerator_section(&read_json(&file)?));
                }
                fill_pages_from_sections(&mut doc);
                out.push(doc);
            } else if own.is_file() {
                out.push(truth_from_file(relative(root, &p), &own)?);
            } else {
                collect_truths(root, &p, out)?;
            }
        } else if p.extension().is_some_and(|e| e == "json")
            && p.file_name().is_some_and(|n| n != "summary.json")
        {
            let rel = relative(root, &p);
            let name = rel.strip_suffix(".json").unwrap_or(&rel).to_string();
            let name = name.strip_suffix(".expected").unwrap_or(&name).to_string();
            out.push(truth_from_file(name, &p)?);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems() {
        assert_eq!(stem_of("1099B.expected"), "1099B");
        assert_eq!(stem_of("1099B.pdf"), "1099B");
        assert_eq!(stem_of("batch.zip/w2/a.pdf"), "a");
        assert_eq!(stem_of("invoice"), "invoice");
        assert_eq!(stem_of("scan.tiff.expected.json"), "scan");
    }

    #[test]
    fn accelerator_section_shape() {
        let v = serde_json::json!({
            "document_class": {"type": "Payslip"},
            "split_document": {"page_indices": [0, 1]},
            "inference_result": {"Net": "10.00"}
        });
        let s = accelerator_section(&v);
        assert_eq!(s.class.as_deref(), Some("Payslip"));
        assert_eq!(s.page_ids, vec!["1", "2"]);
        assert_eq!(s.attributes["Net"], "10.00");
        let bare = accelerator_section(&serde_json::json!({"a": 1}));
        assert_eq!(
            (bare.class, bare.attributes),
            (None, serde_json::json!({"a": 1}))
        );
    }
}
