//! Accuracy on the evaluation sets of `evalsets/` (see evalsets/README.md), through the real
//! binary: `process` on a fresh local stack with the set's class config, `eval --output json`
//! against the set's ground truth, every truth field and every truth page counted.
//!
//! The floors are what the engine achieved when the sets were made (see the figures in the
//! README's Accuracy section): they may only go up. The holdout halves have no floors; the bench
//! (`cargo bench --bench accuracy`) reports them. Run with `-- --nocapture` for the tables.

#[path = "eval_sets/harness.rs"]
mod harness;

use harness::{SETS, SetResult, SetSpec};

/// A set's floors: page classification accuracy and the share of truth fields found right.
/// Measured on 2026-12-06 with the issue-14 work in the tree (pages, found): invoices-real
/// 12/14, 75/131; invoices-synthetic/dev 14/14, 173/197; mixed-synthetic/dev 15/15, 92/157;
/// lending-package 5/6, 31/47 (the 1099-B). Floors sit just under those, rounded down to 0.05.
/// Re-measured after the grid-row and footer checks: invoices-real 12/14, 79/131 (0.603; the
/// floor stays at 0.55, that figure less a margin for OCR differences, rounded down to 0.05).
/// Re-measured after item columns by cell, wrapped descriptions, the totals' arithmetic and the
/// printed series code of identifiers (invoices3): invoices-real 13/14, 96/131 (0.733); the
/// floor rises to 0.70, that figure less a few fields of margin. Re-measured after item tables
/// over several lines, with unheaded descriptions and indented parts (tables6): invoices-real
/// 13/14, 101/131 (0.771); the floor rises to 0.75. With the issuer read from legal mentions,
/// numbered continuation pages and the lexicon's further languages (session 19): 14/14,
/// 110/131 (0.840); the floor rises to 0.80. With the invoice a PDF carries as XML read
/// (session 26): 14/14, 121/131 (0.924); the floor rises to 0.85.
struct Floor {
    set: &'static str,
    pages: f64,
    found: f64,
}

const FLOORS: &[Floor] = &[
    Floor {
        set: "invoices-real",
        pages: 0.85,
        found: 0.85,
    },
    Floor {
        set: "invoices-synthetic/dev",
        pages: 0.95,
        found: 0.85,
    },
    // Receipts, utility bills and purchase orders (issue 14, classes2): 150/157 measured; the
    // floor keeps a few fields of margin rather than the usual 0.05 step under the figure.
    Floor {
        set: "mixed-synthetic/dev",
        pages: 0.95,
        found: 0.90,
    },
    // Measured 13/14 pages, 114/177 fields (0.644) with main's binary before any change made
    // with the set in view, then 122/177 (0.689) with this session's item tables; the floor
    // keeps a margin for OCR differences. With broken OCR titles read, copy marks kept out of
    // the parties and rows printed out of step with their header (layout7): 14/14, 141/177
    // (0.797); the floor rises to 0.75. With conflicting evidence kept under review and terms
    // labels ended by their colon (values7): 14/14, 156/177 (0.881); the floor rises to 0.85.
    Floor {
        set: "invoices-real-dev2",
        pages: 0.85,
        found: 0.85,
    },
    // Measured with main's binary (7734407) before any change made with the set in view:
    // 15/17 pages, 110/199 fields (0.553), 9 confident wrong values. With dates, payment
    // methods, names and a receipt word fixed (session 21): 17/17, 122/199 (0.613), 1; with
    // numbers in titles, wrapped dates, tax grids and party blocks (session 22): 138/199
    // (0.693), 1; with item headings in more languages (session 23): 152/199 (0.764), 1. The
    // floor keeps a margin for OCR differences on its five images.
    Floor {
        set: "invoices-real-dev3",
        pages: 0.85,
        found: 0.70,
    },
    // Measured with the session's starting binary (5f62f37) before any change made with the
    // set in view: 2/2 pages, 4/18 fields, 1 confident wrong value (a vendor read from the
    // mailbox "company@…"); with session 27's reading of its layouts
    // (logo placeholders, a reference under the title, VAT abbreviations, mailboxes): 15/18, 0. The floor
    // keeps two fields of margin (its invoice is an image read by OCR).
    Floor {
        set: "invoices-real-dev4",
        pages: 0.95,
        found: 0.70,
    },
    // Measured with the session's starting binary (b4c553d): 4/4 pages, 29/46 fields, 0
    // confident wrong; with session 28's sender lines, windows, contact lines and QR-bill
    // labels, the terms clause of a request: 40/46. The floor keeps six fields of margin (two of its documents are images).
    Floor {
        set: "invoices-real-dev5",
        pages: 0.95,
        found: 0.74,
    },
    // Measured the same way: 51/51 pages, 438/628 fields (0.697), 41 confident wrong values;
    // after session 21's fixes 467/628 (0.744), 33; with party blocks read apart from footer
    // sentences, headings, identifier lines and the payee's block (parties11): 503/628
    // (0.801), 11. Session 22 merged (payment methods alone are null in the truth, 617 fields):
    // 554/617 (0.898), 2. Session 23 (the vendor in the footer, item tables): 579/617
    // (0.938), 2.
    Floor {
        set: "invoices-synthetic-2",
        pages: 0.95,
        found: 0.90,
    },
    // All six lending pages right (6/6 measured since OCR flattens patterned backgrounds).
    Floor {
        set: "lending-package",
        pages: 1.0,
        found: 0.65,
    },
];

fn check(spec: &SetSpec) -> Option<SetResult> {
    match harness::run(spec) {
        Ok(r) => {
            println!("{}", harness::table(&r));
            Some(r)
        }
        Err(why) => {
            println!("skipped {why}");
            None
        }
    }
}

#[test]
fn every_set_keeps_its_floors() {
    let mut failures = Vec::new();
    for spec in SETS {
        let Some(r) = check(spec) else { continue };
        let floor = FLOORS
            .iter()
            .find(|f| f.set == spec.name)
            .unwrap_or_else(|| panic!("no floor for {}", spec.name));
        // Every set has truth pages and fields: an empty tally means the harness read nothing.
        assert!(r.overall.pages > 0, "{}: no truth pages read", r.name);
        assert!(r.overall.expected() > 0, "{}: no truth fields read", r.name);
        // The harness lets a holdout report past a document the engine cannot read; a set
        // with a floor must read them all.
        if !r.failed.is_empty() {
            failures.push(format!("{}: failed {}", r.name, r.failed.join("; ")));
        }
        if r.overall.page_accuracy() + 1e-9 < floor.pages {
            failures.push(format!(
                "{}: pages classified right {:.3} < floor {:.3}",
                r.name,
                r.overall.page_accuracy(),
                floor.pages
            ));
        }
        if r.overall.found() + 1e-9 < floor.found {
            failures.push(format!(
                "{}: truth fields found {:.3} < floor {:.3}",
                r.name,
                r.overall.found(),
                floor.found
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The harness itself: a set whose truth names a class the config lacks counts that page wrong
/// and every one of its fields missed, so the figures cannot be inflated by what is left out.
#[test]
fn an_unmatched_class_scores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("set");
    std::fs::create_dir_all(set.join("documents")).unwrap();
    std::fs::create_dir_all(set.join("expected")).unwrap();
    std::fs::write(
        set.join("documents/note.txt"),
        "Meeting notes\nNothing here is a form.\n",
    )
    .unwrap();
    std::fs::write(
        set.join("expected/note.txt.json"),
        r#"{"document_class": {"type": "invoice"}, "split_document": {"page_indices": [0]},
            "inference_result": {"InvoiceNumber": "A-1", "TotalAmount": "$5.00", "PoNumber": null}}"#,
    )
    .unwrap();
    std::fs::write(
        set.join("manifest.json"),
        r#"{"note.txt": {"language": "en"}}"#,
    )
    .unwrap();
    std::fs::write(
        set.join("config.yaml"),
        std::fs::read_to_string(harness::evalsets().join("invoices-real/config.yaml")).unwrap(),
    )
    .unwrap();
    // SetSpec wants static paths relative to evalsets/: give it absolute ones (join keeps them).
    let leak = |p: std::path::PathBuf| -> &'static str {
        Box::leak(p.to_string_lossy().into_owned().into_boxed_str())
    };
    let spec = SetSpec {
        name: "scratch",
        dir: leak(set.clone()),
        config: Some(leak(set.join("config.yaml"))),
        external: false,
        extra_truth: &[],
    };
    let r = harness::run(&spec).expect("runs");
    assert_eq!(r.overall.pages, 1);
    assert_eq!(r.overall.expected(), 2, "{:#}", r.report["overall"]);
    assert_eq!(r.overall.fields.tp, 0);
    assert_eq!(r.by_language["en"].expected(), 2);
    if r.overall.pages_right == 0 {
        assert_eq!(r.page_misses.len(), 1);
    }
}

/// The real holdouts (reported by the bench, no floor) stay whole: every document has its
/// truth and its manifest entry with a language and the truth's class, and every truth has its
/// document.
#[test]
fn the_real_holdouts_are_whole() {
    for (set, at_least) in [
        ("invoices-real-holdout", 5),
        ("invoices-real-holdout2", 10),
        ("invoices-real-holdout3", 7),
    ] {
        let dir = harness::evalsets().join(set);
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap())
                .unwrap();
        let names = |sub: &str, strip: &str| -> Vec<String> {
            let mut v: Vec<String> = std::fs::read_dir(dir.join(sub))
                .unwrap()
                .map(|e| {
                    let n = e.unwrap().file_name().to_string_lossy().into_owned();
                    n.strip_suffix(strip).unwrap_or(&n).to_string()
                })
                .collect();
            v.sort();
            v
        };
        let docs = names("documents", "");
        assert!(docs.len() >= at_least, "{set}: {docs:?}");
        assert_eq!(docs, names("expected", ".json"), "{set}");
        for d in &docs {
            let lang = manifest[d.as_str()]["language"].as_str();
            assert!(
                lang.is_some_and(|l| !l.is_empty()),
                "{set}/{d}: no language"
            );
            // The per-class tables come from the truth, the per-language ones from the manifest:
            // the two must name the same class.
            let truth: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(dir.join("expected").join(format!("{d}.json"))).unwrap(),
            )
            .unwrap();
            assert_eq!(
                manifest[d.as_str()]["class"],
                truth["document_class"]["type"],
                "{set}/{d}"
            );
        }
        assert!(harness::HOLDOUT.iter().any(|s| s.dir == set), "{set}");
    }
}
