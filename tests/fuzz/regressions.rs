//! Every crash the fuzz properties found, kept as a named test over its input (in
//! `tests/fixtures/fuzz/`, or inline when it is one line), so it stays fixed.

use std::time::UNIX_EPOCH;

use idpctl::asl::context::{ContextObject, ExecutionInfo};
use idpctl::asl::intrinsics::Intrinsic;
use idpctl::pipeline::config::ClassConfig;
use idpctl::pipeline::config::sources;
use idpctl::pipeline::split::{SplitOptions, split};
use serde_json::json;

use crate::harness::contained;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/fuzz/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).expect(&path)
}

/// split::generated_pdfs_split_and_mutated_ones_fail_cleanly: a scanned page rendered with
/// `render_dpi` under 150 panicked in `f32::clamp` (floor 150 above the ceiling).
#[test]
fn scan_page_renders_below_150_dpi() {
    let pdf = fixture("scan-page-render-dpi-below-150.pdf");
    let opts = SplitOptions {
        render_dpi: 36,
        ..SplitOptions::default()
    };
    let pages = contained(move || split(&pdf, "scan.pdf", &opts))
        .unwrap()
        .unwrap();
    assert_eq!(pages.len(), 1);
    let image = pages[0]
        .image
        .as_ref()
        .expect("the scan is rendered for OCR");
    assert_eq!(image.dpi, Some(36));
}

/// yaml::ref_fan_out_is_bounded: a class whose `$ref`s fan out (10 properties a level, 8
/// levels) names 10^8 fields; loading it never finished. Now it is refused at once, by name.
#[test]
fn class_whose_refs_fan_out_is_refused() {
    let text = String::from_utf8(fixture("class-ref-fan-out.yaml")).unwrap();
    let t = text.clone();
    let err = contained(move || ClassConfig::from_yaml(&t).map(|c| c.classes.len()))
        .unwrap()
        .unwrap_err()
        .to_string();
    assert!(err.contains("Fan") && err.contains("fan out"), "{err}");
    // The checks `validate` runs report it as an error finding of that file.
    let file = contained(move || sources::parse("fan.yaml", &text))
        .unwrap()
        .unwrap();
    let errors: Vec<String> = file.errors().map(|f| f.to_string()).collect();
    assert!(errors.iter().any(|e| e.contains("fan out")), "{errors:?}");
}

/// asl::intrinsics_parse_and_evaluate: `States.ArrayRange` from i64::MIN computed `end - start`
/// in i64 and panicked on the overflow (a debug build; a release build wrapped around).
#[test]
fn array_range_over_the_whole_i64_range() {
    let eval = |text: &'static str| {
        contained(move || {
            let f = Intrinsic::parse(text).map_err(|e| e.to_string())?;
            let exec = ExecutionInfo::local("sm", "run", json!({}), UNIX_EPOCH);
            let ctx = ContextObject::new(&exec, "S", "2026-01-01T00:00:00.000Z", 0);
            f.eval(&json!({}), &ctx).map_err(|e| e.to_string())
        })
        .unwrap()
    };
    let err = eval("States.ArrayRange(-9223372036854775808, 0, 1)").unwrap_err();
    assert!(err.contains("more than 1000"), "{err}");
    assert_eq!(
        eval("States.ArrayRange(9223372036854775807, 9223372036854775806, -1)").unwrap(),
        json!([i64::MAX, i64::MAX - 1])
    );
    assert_eq!(
        eval("States.ArrayRange(-9223372036854775808, 9223372036854775807, -1)").unwrap(),
        json!([])
    );
}

/// asl::definitions_parse_or_explain (CI, 96 cases): a mutated definition nested in
/// Parallel states overflowed a 2 MiB case thread in a debug build. Definitions now have a
/// nesting limit of their own (128 levels, serde_json's for the text) and the JSONata,
/// JSONPath and intrinsic parsers theirs; the deepest definition and a 100,000-deep one load
/// or fail with a message on a 2 MiB thread (tests/asl_depth.rs has every kind).
#[test]
fn nested_definitions_on_a_2_mib_stack() {
    let on_2_mib = |text: String| {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                idpctl::asl::StateMachine::from_json(&text)
                    .err()
                    .map(|e| e.to_string())
            })
            .unwrap()
            .join()
            .unwrap()
    };
    let nest = |n: usize| {
        (0..n).fold(
            r#"{"StartAt":"L","States":{"L":{"Type":"Pass","End":true}}}"#.to_string(),
            |inner, k| {
                format!(
                    r#"{{"StartAt":"P{k}","States":{{"P{k}":{{"Type":"Parallel","End":true,"Branches":[{inner}]}}}}}}"#
                )
            },
        )
    };
    assert_eq!(on_2_mib(nest(25)), None);
    let err = on_2_mib(nest(100_000)).expect("refused");
    assert!(
        err.contains("nested more than 128 levels deep") && err.contains("hint:"),
        "{err}"
    );
}

/// jsonata::generated_expressions_evaluate_or_explain (CI, 96 cases): `$fromMillis(1e308)`
/// saturated to i128::MAX milliseconds and overflowed turning them into nanoseconds. A number
/// of milliseconds outside the dates a timestamp can hold is now error D3110.
#[test]
fn from_millis_beyond_any_date() {
    use idpctl::asl::jsonata::{Expression, Limits};
    for text in [
        "$fromMillis(1e308)",
        "$fromMillis(-1e308)",
        "$fromMillis(1e20, '[Y0001]')",
    ] {
        let err = contained(move || {
            let e = Expression::parse(text).map_err(|e| e.to_string())?;
            e.evaluate(None, &|_| None, UNIX_EPOCH, Limits::default())
                .map_err(|e| e.to_string())
        })
        .unwrap()
        .unwrap_err();
        assert!(err.contains("D3110"), "{text}: {err}");
    }
}
