//! Runs an evaluation set of `evalsets/` through the real binary the way a user would
//! (`idpctl process DOCS --out DIR` on a fresh local stack with the set's class config, then
//! `idpctl eval DIR EXPECTED --output json`) and reduces the report to the figures we track:
//! page classification accuracy, and field recall, precision and accuracy over every field of
//! the truth, overall, per class and per language. Field counts are eval's own (overall, per
//! class, per document); the harness only sums documents by language and leaves out the
//! fields of page-level truth sections.
//!
//! Shared by `tests/eval_sets.rs` (floors) and `benches/accuracy.rs` (figures).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use idpctl::eval::counts::ratio;
use idpctl::eval::{Counts, Outcome};
use serde::Deserialize;
use serde_json::Value;

/// One evaluation set: where its documents, truth and class config are.
pub struct SetSpec {
    /// How the tables name it (`invoices-synthetic/dev`).
    pub name: &'static str,
    /// Folder under `evalsets/` holding `expected/` and `manifest.json`.
    pub dir: &'static str,
    /// The class config under `evalsets/`; `None` runs with the built-in class library.
    pub config: Option<&'static str>,
    /// Documents come from `sources.txt` (paths relative to the repository, outside it) rather
    /// than `documents/`; the set is skipped when they are absent.
    pub external: bool,
    /// Extra truth files to copy in: (source relative to the repository, name in the truth dir).
    pub extra_truth: &'static [(&'static str, &'static str)],
}

pub const SETS: &[SetSpec] = &[
    SetSpec {
        name: "invoices-real",
        dir: "invoices-real",
        config: Some("invoices-real/config.yaml"),
        external: false,
        extra_truth: &[],
    },
    SetSpec {
        name: "invoices-synthetic/dev",
        dir: "invoices-synthetic/dev",
        config: Some("invoices-synthetic/config.yaml"),
        external: false,
        extra_truth: &[],
    },
    SetSpec {
        name: "mixed-synthetic/dev",
        dir: "mixed-synthetic/dev",
        config: Some("mixed-synthetic/config.yaml"),
        external: false,
        extra_truth: &[],
    },
    // Real invoices and a receipt from five more packages (de, en, es, fr, nl), gathered with
    // invoices-real-holdout3 and split from it by package.
    SetSpec {
        name: "invoices-real-dev2",
        dir: "invoices-real-dev2",
        config: Some("invoices-real-dev2/config.yaml"),
        external: false,
        extra_truth: &[],
    },
    // Real invoices and receipts from six packages no other set uses (pl, cs, es, de, it, fr,
    // en), gathered for the languages and layouts the other sets have least of.
    SetSpec {
        name: "invoices-real-dev3",
        dir: "invoices-real-dev3",
        config: Some("invoices-real-dev3/config.yaml"),
        external: false,
        extra_truth: &[],
    },
    // Two invoices from npm packages no other set uses: an OCR'd template with a logo
    // placeholder and unlabelled sender block, and a Portuguese bill with no title.
    SetSpec {
        name: "invoices-real-dev4",
        dir: "invoices-real-dev4",
        config: Some("invoices-real-dev4/config.yaml"),
        external: false,
        extra_truth: &[],
    },
    // Swiss German letters with a sender line and a QR-bill, and an English invoice with
    // "Bill To"/"Bill From" blocks, each also as an image: three of these four documents were
    // the first real holdout's until session 28 saw them (evalsets/README.md).
    SetSpec {
        name: "invoices-real-dev5",
        dir: "invoices-real-dev5",
        config: Some("invoices-real-dev5/config.yaml"),
        external: false,
        extra_truth: &[],
    },
    // Generated invoices in cs, pl, sv, da and four older languages, in layouts G–K that are
    // unlike the first synthetic sets' (footer-only vendor, totals as a table, VAT by rate…).
    SetSpec {
        name: "invoices-synthetic-2",
        dir: "invoices-synthetic-2",
        config: Some("invoices-synthetic-2/config.yaml"),
        external: false,
        extra_truth: &[],
    },
    SetSpec {
        name: "lending-package",
        dir: "lending-package",
        config: None,
        external: true,
        extra_truth: &[(
            "../shared/samples/scanned/1099B.expected.json",
            "1099B.expected.json",
        )],
    },
];

/// The holdout halves: reported by the bench, never given floors (nobody tunes to them).
pub const HOLDOUT: &[SetSpec] = &[
    SetSpec {
        name: "invoices-synthetic/holdout",
        dir: "invoices-synthetic/holdout",
        config: Some("invoices-synthetic/config.yaml"),
        external: false,
        extra_truth: &[],
    },
    SetSpec {
        name: "mixed-synthetic/holdout",
        dir: "mixed-synthetic/holdout",
        config: Some("mixed-synthetic/config.yaml"),
        external: false,
        extra_truth: &[],
    },
    // Real invoices from other projects' packages, gathered after invoices-real was tuned on.
    SetSpec {
        name: "invoices-real-holdout",
        dir: "invoices-real-holdout",
        config: Some("invoices-real-holdout/config.yaml"),
        external: false,
        extra_truth: &[],
    },
    // A second real holdout (German, French and Latvian e-invoicing and receipt packages),
    // measured with main's binary before anyone changed code with it in view.
    SetSpec {
        name: "invoices-real-holdout2",
        dir: "invoices-real-holdout2",
        config: Some("invoices-real-holdout2/config.yaml"),
        external: false,
        extra_truth: &[],
    },
    // A third (English, Spanish, French and Dutch packages), gathered with invoices-real-dev2.
    SetSpec {
        name: "invoices-real-holdout3",
        dir: "invoices-real-holdout3",
        config: Some("invoices-real-holdout3/config.yaml"),
        external: false,
        extra_truth: &[],
    },
];

/// Field and page tallies of one group (a set, a class, a language).
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub pages: u64,
    pub pages_right: u64,
    /// `idpctl eval`'s own field counts, less `unscored` (see `from_counts`).
    pub fields: Counts,
}

impl Tally {
    /// Non-empty truth fields (every one of them, whether or not the class names it).
    pub fn expected(&self) -> u64 {
        self.fields.expected()
    }
    pub fn page_accuracy(&self) -> f64 {
        ratio(self.pages_right, self.pages)
    }
    /// Share of the truth's non-empty fields found with the right value in the attribute meant
    /// for them (what issue 14 holds the engine to).
    pub fn found(&self) -> f64 {
        self.fields.match_rate()
    }
    /// As `idpctl eval` counts it: TP / (TP + FN).
    pub fn recall(&self) -> f64 {
        self.fields.recall()
    }
    pub fn precision(&self) -> f64 {
        self.fields.precision()
    }
    pub fn accuracy(&self) -> f64 {
        self.fields.accuracy()
    }
    /// The field counts `idpctl eval --output json` gives a group (its `Counts`: overall, a
    /// class, a document). The harness takes them as they are and counts nothing itself, but
    /// leaves `unscored` out: no model runs here, and the floors were set on the scored
    /// fields.
    fn from_counts(c: &Value) -> Tally {
        let fields = serde_json::from_value::<Counts>(c.clone())
            .unwrap_or_else(|e| panic!("eval's counts do not read back ({e}): {c}"));
        Tally {
            fields: Counts {
                unscored: 0,
                ..fields
            },
            ..Tally::default()
        }
    }
    /// Takes back one field `eval` counted (one of the page-level truth's, see `reduce`).
    fn remove_outcome(&mut self, outcome: Outcome) {
        let f = &mut self.fields;
        let c = match outcome {
            Outcome::Tp => &mut f.tp,
            Outcome::Fd => &mut f.fd,
            Outcome::Fa => &mut f.fa,
            Outcome::Fn => &mut f.fn_,
            Outcome::Tn => &mut f.tn,
            Outcome::Unscored => return,
        };
        *c = c.saturating_sub(1);
    }
}

/// Whether `eval` compared any field for a group (an unscored one included).
fn compared_any(c: &Value) -> bool {
    serde_json::from_value::<Counts>(c.clone()).is_ok_and(|c| c.scored() > 0 || c.unscored > 0)
}

pub struct SetResult {
    pub name: String,
    pub overall: Tally,
    pub by_class: BTreeMap<String, Tally>,
    pub by_language: BTreeMap<String, Tally>,
    /// `document page: expected → got` for every misclassified page.
    pub page_misses: Vec<String>,
    /// `document: reason` for every document `process` failed on (it scores nothing).
    pub failed: Vec<String>,
    pub documents: usize,
    pub elapsed: Duration,
    pub report: Value,
}

pub fn evalsets() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/evalsets"))
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary under test; `IDPCTL_EVAL_BIN` points the harness at another build (an older
/// release binary, for before/after figures).
fn binary() -> PathBuf {
    std::env::var_os("IDPCTL_EVAL_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_idpctl")))
}

fn idpctl(state: &Path) -> Command {
    let mut cmd = Command::new(binary());
    cmd.current_dir(repo());
    for (k, _) in std::env::vars() {
        if k.starts_with("IDPCTL_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("NO_COLOR", "1").env("IDPCTL_STATE_DIR", state);
    cmd
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let dest = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_tree(&e.path(), &dest)?;
        } else {
            std::fs::copy(e.path(), dest)?;
        }
    }
    Ok(())
}

/// One truth section: its document, class, page count, and whether it gives fields at all (a
/// package's page-level truth has `inference_result: {}`).
struct TruthSection {
    document: String,
    class: String,
    pages: u64,
    page_only: bool,
}

/// The truth sections of `expected/` (flat files and baseline folders).
fn truth_sections(expected: &Path) -> Vec<TruthSection> {
    let mut out = Vec::new();
    let read = |p: &Path, document: String| -> Option<TruthSection> {
        let v: Value = serde_json::from_slice(&std::fs::read(p).ok()?).ok()?;
        let class = v.pointer("/document_class/type")?.as_str()?.to_string();
        let pages = v
            .pointer("/split_document/page_indices")
            .and_then(Value::as_array)
            .map_or(0, |a| a.len() as u64);
        let page_only = v
            .get("inference_result")
            .and_then(Value::as_object)
            .is_some_and(|m| m.is_empty());
        Some(TruthSection {
            document,
            class,
            pages,
            page_only,
        })
    };
    let Ok(entries) = std::fs::read_dir(expected) else {
        return out;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        if path.is_dir() {
            let Ok(sections) = std::fs::read_dir(path.join("sections")) else {
                continue;
            };
            for s in sections.flatten() {
                out.extend(read(&s.path().join("result.json"), name.clone()));
            }
        } else {
            let doc = name.strip_suffix(".json").unwrap_or(&name).to_string();
            out.extend(read(&path, doc));
        }
    }
    out
}

/// The language of each document (`manifest.json`), by file name.
fn languages(dir: &Path) -> BTreeMap<String, String> {
    let v: Value = std::fs::read(dir.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    v.as_object()
        .into_iter()
        .flatten()
        .map(|(k, m)| {
            let lang = m["language"].as_str().unwrap_or("?").to_string();
            (k.clone(), lang)
        })
        .collect()
}

/// Processes and scores one set. `Err` is a reason to skip it (its documents are not here).
pub fn run(spec: &SetSpec) -> Result<SetResult, String> {
    let root = evalsets();
    let dir = root.join(spec.dir);
    let docs: Vec<PathBuf> = if spec.external {
        let list = std::fs::read_to_string(dir.join("sources.txt")).unwrap_or_default();
        let paths: Vec<PathBuf> = list
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| repo().join(l))
            .collect();
        if let Some(missing) = paths.iter().find(|p| !p.is_file()) {
            return Err(format!(
                "{}: {} is not here (the shared samples are not shipped)",
                spec.name,
                missing.display()
            ));
        }
        paths
    } else {
        vec![dir.join("documents")]
    };
    let state = tempfile::tempdir().expect("temp dir");
    let out = state.path().join("results");
    let truth = state.path().join("truth");
    copy_tree(&dir.join("expected"), &truth).expect("copy the truth");
    for (from, name) in spec.extra_truth {
        let from = repo().join(from);
        if !from.is_file() {
            return Err(format!("{}: {} is not here", spec.name, from.display()));
        }
        std::fs::copy(&from, truth.join(name)).expect("copy extra truth");
    }
    let config_args: Vec<String> = match spec.config {
        Some(c) => vec![
            "--classes".into(),
            root.join(c).to_string_lossy().into_owned(),
            "--classes-mode".into(),
            "replace".into(),
        ],
        None => Vec::new(),
    };
    let start = Instant::now();
    let run = idpctl(state.path())
        .args(&config_args)
        .args(["--output", "json", "process", "--out"])
        .arg(&out)
        .args(&docs)
        .output()
        .expect("run idpctl process");
    let elapsed = start.elapsed();
    // A document the engine cannot read fails on its own and scores nothing; the run goes on
    // so a holdout still reports its other documents. Anything else that stops `process` is a
    // harness failure.
    let failed = failed_documents(&run.stdout);
    assert!(
        run.status.success() || !failed.is_empty(),
        "{}: process failed\n{}\n{}",
        spec.name,
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let eval = idpctl(state.path())
        .args(&config_args[..config_args.len().min(2)])
        .args(["--output", "json", "eval"])
        .arg(&out)
        .arg(&truth)
        .output()
        .expect("run idpctl eval");
    let report: Value = serde_json::from_slice(&eval.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: eval did not print JSON ({e})\n{}",
            spec.name,
            String::from_utf8_lossy(&eval.stderr)
        )
    });
    let mut r = reduce(spec.name, &dir, &truth, report, elapsed);
    r.failed = failed;
    Ok(r)
}

/// `document: reason` for each document `process --output json` reports as failed.
fn failed_documents(stdout: &[u8]) -> Vec<String> {
    let summary: Value = serde_json::from_slice(stdout).unwrap_or(Value::Null);
    summary["documents"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["status"] == "FAILED")
        .map(|d| {
            let (doc, reason) = (
                d["document"].as_str().unwrap_or("?"),
                d["reason"].as_str().unwrap_or("no reason given"),
            );
            // The reason usually names the document already.
            if reason.starts_with(doc) {
                reason.to_string()
            } else {
                format!("{doc}: {reason}")
            }
        })
        .collect()
}

fn reduce(name: &str, dir: &Path, truth: &Path, report: Value, elapsed: Duration) -> SetResult {
    let langs = languages(dir);
    let lang_of = |doc: &str| -> String {
        let base = doc.rsplit('/').next().unwrap_or(doc);
        langs
            .get(base)
            .cloned()
            .or_else(|| {
                // 1099B.expected ↔ 1099B.pdf: match on the stem.
                let stem = base.split('.').next().unwrap_or(base);
                langs
                    .iter()
                    .find(|(k, _)| k.split('.').next() == Some(stem))
                    .map(|(_, v)| v.clone())
            })
            .unwrap_or_else(|| "?".into())
    };
    let sections = truth_sections(truth);
    // Page-level truth says nothing about fields: what we extract there is not a false alarm.
    let page_only: Vec<(&str, &str)> = sections
        .iter()
        .filter(|s| s.page_only)
        .map(|s| (s.document.as_str(), s.class.as_str()))
        .collect();
    // Fields: eval's own figures, overall, per class and per document (summed by language)...
    let mut overall = Tally::from_counts(&report["overall"]);
    let mut by_class: BTreeMap<String, Tally> = BTreeMap::new();
    for g in report["classes"].as_array().into_iter().flatten() {
        if compared_any(g) {
            let name = g["name"].as_str().unwrap_or("?").to_string();
            by_class.insert(name, Tally::from_counts(g));
        }
    }
    let mut by_language: BTreeMap<String, Tally> = BTreeMap::new();
    for d in report["documents"].as_array().into_iter().flatten() {
        if compared_any(d) {
            let doc = d["document"].as_str().unwrap_or("");
            by_language
                .entry(lang_of(doc))
                .or_default()
                .fields
                .merge(&Tally::from_counts(d).fields);
        }
    }
    // ...less the fields of page-level truth sections, the only rows the harness reads.
    for row in report["rows"].as_array().into_iter().flatten() {
        let doc = row["document"].as_str().unwrap_or("");
        let class = row["class"].as_str().unwrap_or("?");
        if !page_only.contains(&(doc, class)) {
            continue;
        }
        let Ok(outcome) = Outcome::deserialize(&row["outcome"]) else {
            continue;
        };
        overall.remove_outcome(outcome);
        for t in [by_class.get_mut(class), by_language.get_mut(&lang_of(doc))]
            .into_iter()
            .flatten()
        {
            t.remove_outcome(outcome);
        }
    }
    // Pages: every page the truth classes, right unless `eval` lists it as a miss.
    let mut misses: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut page_misses = Vec::new();
    for m in report["pages"]["misses"].as_array().into_iter().flatten() {
        let doc = m["document"].as_str().unwrap_or("").to_string();
        let want = m["expected"].as_str().unwrap_or("").to_string();
        page_misses.push(format!(
            "{doc} page {}: {want} → {}",
            m["page"].as_str().unwrap_or("?"),
            m["actual"].as_str().unwrap_or("(none)")
        ));
        *misses.entry((doc, want)).or_default() += 1;
    }
    let mut documents = std::collections::BTreeSet::new();
    for TruthSection {
        document: doc,
        class,
        pages,
        ..
    } in sections
    {
        documents.insert(doc.clone());
        let wrong = misses
            .get(&(doc.clone(), class.clone()))
            .copied()
            .unwrap_or(0);
        let right = pages.saturating_sub(wrong);
        for t in [
            &mut overall,
            by_class.entry(class.clone()).or_default(),
            by_language.entry(lang_of(&doc)).or_default(),
        ] {
            t.pages += pages;
            t.pages_right += right;
        }
    }
    SetResult {
        name: name.to_string(),
        overall,
        by_class,
        by_language,
        page_misses,
        failed: Vec::new(),
        documents: documents.len(),
        elapsed,
        report,
    }
}

fn line(out: &mut String, label: &str, t: &Tally) {
    let pages = if t.pages == 0 {
        "     -".to_string()
    } else {
        format!("{:>5.1}%", 100.0 * t.page_accuracy())
    };
    let _ = writeln!(
        out,
        "  {label:<36} {:>3}/{:<3} {pages}  {:>4}/{:<4} {:>6.1}% {:>6.1}% {:>6.1}% {:>6.1}%",
        t.pages_right,
        t.pages,
        t.fields.tp,
        t.expected(),
        100.0 * t.found(),
        100.0 * t.recall(),
        100.0 * t.precision(),
        100.0 * t.accuracy()
    );
}

/// The set's tables: overall, per class, per language, then the misclassified pages.
pub fn table(r: &SetResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{} ({} documents, {:.1} s)\n  {:<36} {:>7} {:>6}  {:>9} {:>7} {:>7} {:>7} {:>7}",
        r.name,
        r.documents,
        r.elapsed.as_secs_f64(),
        "",
        "pages",
        "class",
        "fields",
        "found",
        "recall",
        "prec.",
        "acc."
    );
    line(&mut out, "ALL", &r.overall);
    for (c, t) in &r.by_class {
        line(&mut out, &format!("class {c}"), t);
    }
    for (l, t) in &r.by_language {
        line(&mut out, &format!("language {l}"), t);
    }
    for m in &r.page_misses {
        let _ = writeln!(out, "  misclassified: {m}");
    }
    for f in &r.failed {
        let _ = writeln!(out, "  failed: {f}");
    }
    out
}
