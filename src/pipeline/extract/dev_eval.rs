//! A development check, not a test of record: run extraction with a forced class over an
//! evaluation set (`documents/`, `expected/<doc>.json`, `config.yaml`) and print every field with
//! its truth, so extraction can be measured apart from classification. Ignored by default:
//! `EXTRACT_DEV_SET=evalsets/invoices-real cargo test --lib extract::dev_eval -- --ignored --nocapture`
//! (`EXTRACT_DEV_CLASS` picks the class, default `invoice`; `EXTRACT_DEV_QUIET=1` prints only
//! the totals). Scoring is deliberately simple (tokens equal, numbers equal, or 0.8 similar);
//! `idpctl eval` is the scorer of record.

use std::path::Path;

use serde_json::Value;

use super::extract_section;
use crate::pipeline::config::ClassConfig;
use crate::pipeline::lexicon::tokens;
use crate::pipeline::split::{self, SplitOptions};

fn same(truth: &str, got: &str) -> bool {
    let (a, b) = (tokens(truth).join(" "), tokens(got).join(" "));
    if a == b {
        return true;
    }
    let (na, nb) = (
        crate::numbers::candidates(truth),
        crate::numbers::candidates(got),
    );
    if !na.is_empty() && crate::numbers::same(&na, &nb) {
        return true;
    }
    // Dates and references must be exact; names and addresses may differ a little.
    !a.chars().any(|c| c.is_ascii_digit()) && strsim::normalized_levenshtein(&a, &b) >= 0.8
        || a.chars().any(|c| c.is_ascii_digit())
            && a.split(' ')
                .filter(|t| t.chars().any(|c| c.is_ascii_digit()))
                .eq(b
                    .split(' ')
                    .filter(|t| t.chars().any(|c| c.is_ascii_digit())))
            && strsim::normalized_levenshtein(&a, &b) >= 0.8
}

#[test]
#[ignore = "development measurement over an evaluation set; see the module doc"]
fn dev_eval() {
    let Ok(set) = std::env::var("EXTRACT_DEV_SET") else {
        eprintln!("EXTRACT_DEV_SET not set");
        return;
    };
    let quiet = std::env::var("EXTRACT_DEV_QUIET").is_ok();
    let class_name = std::env::var("EXTRACT_DEV_CLASS").unwrap_or_else(|_| "invoice".into());
    let set = Path::new(&set);
    // A set's config sits in the set or, for its dev/holdout halves, one folder up.
    let config_path = [set.join("config.yaml"), set.join("../config.yaml")]
        .into_iter()
        .find(|p| p.exists())
        .unwrap();
    let config = ClassConfig::from_yaml(&std::fs::read_to_string(config_path).unwrap()).unwrap();
    let class = config
        .classes
        .iter()
        .find(|c| c.name == class_name)
        .unwrap();
    let opts = SplitOptions::default();
    let ocr = crate::pipeline::ocr::engine_named("tesseract").unwrap();
    let (mut truths, mut found, mut confident, mut confident_wrong, mut extra) = (0, 0, 0, 0, 0);
    let mut entries: Vec<_> = std::fs::read_dir(set.join("documents"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for doc in entries {
        let name = doc.file_name().unwrap().to_string_lossy().to_string();
        let Ok(truth) = std::fs::read_to_string(set.join("expected").join(format!("{name}.json")))
        else {
            continue;
        };
        let truth: Value = serde_json::from_str(&truth).unwrap();
        if truth["document_class"]["type"].as_str() != Some(class_name.as_str()) {
            continue;
        }
        let pages = match split::split(&std::fs::read(&doc).unwrap(), &name, &opts) {
            Ok(mut p) => {
                for page in &mut p {
                    if let Err(e) = crate::pipeline::ocr::ocr_page(page, ocr.as_ref()) {
                        eprintln!("{name}: {e}");
                    }
                }
                p
            }
            Err(e) => {
                eprintln!("{name}: {e}");
                continue;
            }
        };
        let refs: Vec<_> = pages.iter().collect();
        let out = extract_section(class, &refs);
        if !quiet {
            println!("== {name}");
        }
        for f in &class.fields {
            let key = f.dotted();
            let want = truth["inference_result"].pointer(&format!("/{}", f.path.join("/")));
            let want = want.and_then(|v| match v {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                v => Some(v.to_string()),
            });
            let r = &out.fields[&key];
            let got = match &r.value {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                v => Some(v.to_string()),
            };
            let threshold = f.threshold.or(class.threshold).unwrap_or(0.8);
            let ok = match (&want, &got) {
                (Some(w), Some(g)) => same(w, g),
                (None, None) => true,
                _ => false,
            };
            if want.is_some() {
                truths += 1;
                found += usize::from(ok);
            } else if got.is_some() {
                extra += 1;
            }
            if got.is_some() && r.confidence >= threshold {
                confident += 1;
                confident_wrong += usize::from(!ok);
            }
            if !quiet {
                println!(
                    "  {} {key:16} want {:?} got {:?} @{:.2} ({})",
                    match (ok, r.confidence >= threshold && got.is_some()) {
                        (true, _) => "ok ",
                        (false, true) => "BAD!",
                        (false, false) => "BAD",
                    },
                    want,
                    got,
                    r.confidence,
                    r.confidence_reason
                );
            }
        }
    }
    println!(
        "found {found}/{truths}; confident {confident}, of them wrong {confident_wrong}; values where the truth is null {extra}"
    );
}

/// The layout extraction reads, for one document: every page's segments (line, box, text) and
/// the blocks the party rules group them into.
/// `EXTRACT_DUMP=path/to/doc.pdf cargo test --lib extract::dev_eval::dump -- --ignored --nocapture`
#[test]
#[ignore = "development aid; see the doc comment"]
fn dump() {
    let Ok(path) = std::env::var("EXTRACT_DUMP") else {
        eprintln!("EXTRACT_DUMP not set");
        return;
    };
    let name = Path::new(&path).file_name().unwrap().to_string_lossy();
    let mut pages = split::split(
        &std::fs::read(&path).unwrap(),
        &name,
        &SplitOptions::default(),
    )
    .unwrap();
    let ocr = crate::pipeline::ocr::engine_named("tesseract").unwrap();
    for page in &mut pages {
        crate::pipeline::ocr::ocr_page(page, ocr.as_ref()).unwrap();
        let view = super::view::PageView::new(page);
        println!("== page {}", page.page_number);
        for (i, s) in view.segments.iter().enumerate() {
            let b = &s.bbox;
            println!(
                "{i:3} L{:<3} {:.3},{:.3} {:.3}x{:.3} {}",
                s.line, b.left, b.top, b.width, b.height, s.text
            );
        }
        for b in super::roles::blocks(&view) {
            println!("block {b:?}");
        }
    }
}
