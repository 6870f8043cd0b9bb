//! `idpctl eval`: how close our results are to a ground truth, counted the way the GenAI IDP
//! Accelerator counts (see [`counts`] for the rules, [`compare`] for the methods, [`load`] for
//! the formats read).
//!
//! Documents are paired by name; inside a document, truth sections are paired with ours by the
//! pages they share, else by class, else by position. Every truth field is scored, whether or
//! not the class config names it; the config only chooses how ([`methods`]). Pages are scored
//! when the truth gives their classes.

pub mod compare;
pub mod counts;
pub mod hungarian;
pub mod load;
pub mod methods;
pub mod numbers;
pub mod report;
pub mod score;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};

pub use counts::{Counts, Outcome};
pub use load::Doc;
pub use score::FieldRow;

/// What stops an evaluation before it starts.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read {}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    #[error("{} is not valid: {reason}", path.display())]
    Parse { path: PathBuf, reason: String },
    #[error("{} does not exist", .0.display())]
    Missing(PathBuf),
    #[error("no document results (`<document>/result.json`) under {}", .0.display())]
    NoResults(PathBuf),
    #[error("no ground-truth JSON under {}", .0.display())]
    NoTruth(PathBuf),
}

impl EvalError {
    /// The fix, for the `hint:` line.
    pub fn hint(&self) -> String {
        match self {
            EvalError::Read { .. } | EvalError::Missing(_) => {
                "check the path: RESULTS is a `process --out` folder or a result.json, \
                 GROUND_TRUTH a folder of expected JSON files"
                    .into()
            }
            EvalError::Parse { .. } => {
                "fix the JSON; a ground truth is an object of expected fields, or the \
                 accelerator's baseline `<document>/sections/<n>/result.json`"
                    .into()
            }
            EvalError::NoResults(_) => {
                "write results with `idpctl process DOCUMENTS --out DIR`, then `idpctl eval DIR …`"
                    .into()
            }
            EvalError::NoTruth(_) => {
                "put one `<document>.json` (expected fields) per document in the folder".into()
            }
        }
    }
}

/// Pages of one document whose class differs from the truth's.
#[derive(Debug, Clone, Serialize)]
pub struct PageMiss {
    pub document: String,
    pub page: String,
    pub expected: String,
    pub actual: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PageScore {
    /// Pages whose class the truth gives.
    pub pages: u64,
    pub correct: u64,
    pub accuracy: f64,
    pub misses: Vec<PageMiss>,
}

/// Totals of one group of fields.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    pub documents: u64,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentScore {
    pub document: String,
    pub truth: PathBuf,
    /// `None`: no result for this truth, so every field is missed.
    pub result: Option<PathBuf>,
    pub classes: Vec<String>,
    #[serde(flatten)]
    pub counts: Counts,
    pub pages: PageScore,
    /// Our sections no truth section was paired with: `<section index>: <class>`.
    pub unpaired_sections: Vec<String>,
}

/// Everything `eval` found; the text table and `--output json` both come from it.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub overall: Counts,
    pub pages: PageScore,
    pub classes: Vec<Group>,
    pub fields: Vec<Group>,
    pub documents: Vec<DocumentScore>,
    /// Truth documents with no result (scored as all missed).
    pub missing_results: Vec<String>,
    /// Results with no truth (not scored).
    pub results_without_truth: Vec<String>,
    /// Methods the tool does not know (compared as EXACT), and other notes.
    pub notes: Vec<String>,
    pub rows: Vec<FieldRow>,
}

/// The class schemas of a configuration document (its `classes:` list), by class name.
pub fn class_schemas(config: &Value) -> BTreeMap<String, Value> {
    config
        .get("classes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let name = c
                .get("x-aws-idp-document-type")
                .or_else(|| c.get("$id"))
                .and_then(Value::as_str)?;
            Some((name.to_string(), c.clone()))
        })
        .collect()
}

/// Reads both sides and scores them. `classes`: the class schemas (accelerator JSON Schema
/// objects) whose evaluation methods apply, by class name.
pub fn run(
    results: &Path,
    truth: &Path,
    classes: &BTreeMap<String, Value>,
) -> Result<Report, EvalError> {
    let ours = load::results(results)?;
    if ours.is_empty() {
        return Err(EvalError::NoResults(results.to_path_buf()));
    }
    let truths = load::truths(truth)?;
    if truths.is_empty() {
        return Err(EvalError::NoTruth(truth.to_path_buf()));
    }
    Ok(evaluate(&ours, &truths, classes))
}

/// Index of the result for a truth: same name, else same last component, else same stem.
fn find_result(truth: &Doc, ours: &[Doc], taken: &[bool]) -> Option<usize> {
    let base = |n: &str| n.rsplit('/').next().unwrap_or(n).to_string();
    let tries: [&dyn Fn(&Doc) -> bool; 3] = [
        &|d: &Doc| d.name == truth.name,
        &|d: &Doc| base(&d.name) == base(&truth.name),
        &|d: &Doc| d.stem() == truth.stem(),
    ];
    tries
        .iter()
        .find_map(|t| (0..ours.len()).find(|&i| !taken[i] && t(&ours[i])))
}

fn same_class(a: &str, b: &str) -> bool {
    compare::fold(a) == compare::fold(b)
}

/// For each truth section, the index of our section paired with it.
fn pair_sections(truth: &Doc, ours: &Doc) -> Vec<Option<usize>> {
    let mut used = vec![false; ours.sections.len()];
    let mut out = Vec::new();
    for (k, t) in truth.sections.iter().enumerate() {
        let class_ok = |s: &load::Section| match (&t.class, &s.class) {
            (Some(a), Some(b)) => same_class(a, b),
            _ => false,
        };
        let by_pages = (!t.page_ids.is_empty())
            .then(|| {
                (0..ours.sections.len())
                    .filter(|&i| !used[i])
                    .map(|i| {
                        let s = &ours.sections[i];
                        let overlap = s.page_ids.iter().filter(|p| t.page_ids.contains(p)).count();
                        (overlap, class_ok(s), std::cmp::Reverse(i))
                    })
                    .filter(|(o, _, _)| *o > 0)
                    .max()
                    .map(|(_, _, std::cmp::Reverse(i))| i)
            })
            .flatten();
        let pick = by_pages
            .or_else(|| (0..ours.sections.len()).find(|&i| !used[i] && class_ok(&ours.sections[i])))
            .or_else(|| (t.class.is_none() && k < used.len() && !used[k]).then_some(k));
        if let Some(i) = pick {
            used[i] = true;
        }
        out.push(pick);
    }
    out
}

fn class_schemas_note(notes: &mut Vec<String>, rows: &[FieldRow]) {
    const KNOWN: &[&str] = &[
        "EXACT",
        "NUMERIC_EXACT",
        "NUMERIC",
        "DATE",
        "FUZZY",
        "LEVENSHTEIN",
        "SEMANTIC",
        "LLM",
    ];
    let mut unknown: Vec<String> = rows
        .iter()
        .map(|r| r.method.split(' ').next().unwrap_or("").to_string())
        .filter(|m| !KNOWN.contains(&m.as_str()))
        .collect();
    unknown.sort();
    unknown.dedup();
    for m in unknown {
        notes.push(format!(
            "method `{m}` is not one idpctl applies: those fields were compared EXACT"
        ));
    }
    let unscored = rows
        .iter()
        .filter(|r| r.outcome == Outcome::Unscored)
        .count();
    if unscored > 0 {
        notes.push(format!(
            "{unscored} field(s) use SEMANTIC or LLM and differ from the truth: they need a model, \
             so they are unscored (in `expected`, not in TP/FP/FN/TN)"
        ));
    }
}

/// Scores results against truths (both already read).
pub fn evaluate(ours: &[Doc], truths: &[Doc], classes: &BTreeMap<String, Value>) -> Report {
    let mut taken = vec![false; ours.len()];
    let mut rows: Vec<FieldRow> = Vec::new();
    let mut documents = Vec::new();
    let mut missing_results = Vec::new();
    let mut pages_total = PageScore::default();
    let empty_doc = Doc::default();
    let no_fields = Map::new();
    for truth in truths {
        let found = find_result(truth, ours, &taken);
        if let Some(i) = found {
            taken[i] = true;
        } else {
            missing_results.push(truth.name.clone());
        }
        let result = found.map(|i| &ours[i]).unwrap_or(&empty_doc);
        let pairs = pair_sections(truth, result);
        let mut doc_counts = Counts::default();
        let mut doc_classes = Vec::new();
        for (t, pick) in truth.sections.iter().zip(&pairs) {
            let our = pick.map(|i| &result.sections[i]);
            let class = t
                .class
                .clone()
                .or_else(|| our.and_then(|s| s.class.clone()))
                .unwrap_or_else(|| "(unclassified)".into());
            let schema = classes
                .iter()
                .find(|(name, _)| same_class(name, &class))
                .map(|(_, v)| v);
            let ctx = score::Context {
                document: &truth.name,
                class: &class,
                schema,
                fields: our.map(|s| &s.fields).unwrap_or(&no_fields),
            };
            let section_rows = score::section(
                &ctx,
                &t.attributes,
                our.map(|s| &s.attributes).unwrap_or(&Value::Null),
            );
            section_rows.iter().for_each(|r| doc_counts.add(r.outcome));
            rows.extend(section_rows);
            if !doc_classes.contains(&class) {
                doc_classes.push(class);
            }
        }
        let mut pages = PageScore::default();
        for (page, want) in &truth.pages {
            pages.pages += 1;
            let got = result.pages.get(page);
            if got.is_some_and(|g| same_class(g, want)) {
                pages.correct += 1;
            } else {
                pages.misses.push(PageMiss {
                    document: truth.name.clone(),
                    page: page.clone(),
                    expected: want.clone(),
                    actual: got.cloned(),
                });
            }
        }
        pages.accuracy = if pages.pages == 0 {
            0.0
        } else {
            pages.correct as f64 / pages.pages as f64
        };
        pages_total.pages += pages.pages;
        pages_total.correct += pages.correct;
        pages_total.misses.extend(pages.misses.iter().cloned());
        let unpaired_sections = result
            .sections
            .iter()
            .enumerate()
            .filter(|(i, _)| !pairs.contains(&Some(*i)))
            .map(|(i, s)| {
                format!(
                    "{}: {}",
                    i + 1,
                    s.class.as_deref().unwrap_or("(unclassified)")
                )
            })
            .collect();
        documents.push(DocumentScore {
            document: truth.name.clone(),
            truth: truth.source.clone(),
            result: found.map(|i| ours[i].source.clone()),
            classes: doc_classes,
            counts: doc_counts,
            pages,
            unpaired_sections,
        });
    }
    pages_total.accuracy = if pages_total.pages == 0 {
        0.0
    } else {
        pages_total.correct as f64 / pages_total.pages as f64
    };
    let mut overall = Counts::default();
    let mut by_class: BTreeMap<String, (Counts, std::collections::BTreeSet<String>)> =
        BTreeMap::new();
    let mut by_field: BTreeMap<(String, String), (Counts, std::collections::BTreeSet<String>)> =
        BTreeMap::new();
    for r in &rows {
        overall.add(r.outcome);
        let c = by_class.entry(r.class.clone()).or_default();
        c.0.add(r.outcome);
        c.1.insert(r.document.clone());
        let f = by_field
            .entry((r.class.clone(), r.key.clone()))
            .or_default();
        f.0.add(r.outcome);
        f.1.insert(r.document.clone());
    }
    // A section with no fields still counts its document for its class.
    for d in &documents {
        for c in &d.classes {
            by_class
                .entry(c.clone())
                .or_default()
                .1
                .insert(d.document.clone());
        }
    }
    let mut notes = Vec::new();
    class_schemas_note(&mut notes, &rows);
    Report {
        overall,
        pages: pages_total,
        classes: by_class
            .into_iter()
            .map(|(name, (counts, docs))| Group {
                name,
                class: None,
                documents: docs.len() as u64,
                counts,
            })
            .collect(),
        fields: by_field
            .into_iter()
            .map(|((class, name), (counts, docs))| Group {
                name,
                class: Some(class),
                documents: docs.len() as u64,
                counts,
            })
            .collect(),
        documents,
        missing_results,
        results_without_truth: ours
            .iter()
            .zip(&taken)
            .filter(|(_, t)| !**t)
            .map(|(d, _)| d.name.clone())
            .collect(),
        notes,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(name: &str, sections: Vec<(Option<&str>, Vec<&str>, Value)>) -> Doc {
        let mut d = Doc {
            name: name.into(),
            ..Doc::default()
        };
        for (class, pages, attributes) in sections {
            for p in &pages {
                if let Some(c) = class {
                    d.pages.insert(p.to_string(), c.to_string());
                }
            }
            d.sections.push(load::Section {
                class: class.map(String::from),
                page_ids: pages.into_iter().map(String::from).collect(),
                attributes,
                fields: Map::new(),
            });
        }
        d
    }

    #[test]
    fn missing_documents_count_every_field_missed_and_extras_are_listed() {
        let truths = vec![
            doc(
                "a",
                vec![(Some("W2"), vec!["1"], json!({"x": "1", "y": "2"}))],
            ),
            doc(
                "b",
                vec![(Some("W2"), vec!["1"], json!({"x": "1", "y": null}))],
            ),
        ];
        let ours = vec![
            doc(
                "a.pdf",
                vec![(Some("W2"), vec!["1"], json!({"x": "1", "y": "3"}))],
            ),
            doc("c.pdf", vec![(Some("W2"), vec!["1"], json!({}))]),
        ];
        let r = evaluate(&ours, &truths, &BTreeMap::new());
        assert_eq!(r.missing_results, vec!["b"]);
        assert_eq!(r.results_without_truth, vec!["c.pdf"]);
        // a: x TP, y FD; b: x FN, y TN.
        assert_eq!(
            r.overall,
            Counts {
                tp: 1,
                fd: 1,
                fn_: 1,
                tn: 1,
                ..Counts::default()
            }
        );
        assert_eq!(r.overall.expected(), 3);
        assert_eq!((r.pages.pages, r.pages.correct), (2, 1));
        assert_eq!(r.classes[0].documents, 2);
    }

    #[test]
    fn sections_pair_by_pages_and_pages_by_class() {
        let truth = doc(
            "pkg",
            vec![
                (Some("Payslip"), vec!["1", "2"], json!({"net": "10"})),
                (Some("W2"), vec!["3"], json!({"wages": "5"})),
            ],
        );
        let ours = doc(
            "pkg.pdf",
            vec![
                (Some("W2"), vec!["3"], json!({"wages": "5"})),
                (Some("Payslip"), vec!["1"], json!({"net": "10"})),
                (Some("Invoice"), vec!["2"], json!({})),
            ],
        );
        let r = evaluate(&[ours], &[truth], &BTreeMap::new());
        assert_eq!(r.overall.tp, 2);
        assert_eq!(r.documents[0].unpaired_sections, vec!["3: Invoice"]);
        assert_eq!((r.pages.pages, r.pages.correct), (3, 2));
        assert_eq!(r.pages.misses[0].page, "2");
        assert_eq!(r.pages.misses[0].actual.as_deref(), Some("Invoice"));
    }
}
