//! The ASL data-flow fields every state shares (InputPath, Parameters, ResultPath, OutputPath,
//! reference paths) and the payload size they are checked against.

use std::io;

use serde_json::{Value, json};

use crate::asl::context::ContextObject;
use crate::asl::definition::PathSpec;
use crate::asl::error::{StatesError, names};
use crate::asl::path::{Path, ReferencePath};
use crate::asl::template::{PayloadTemplate, truncate};

/// Size of the compact JSON text of `v`, without building the text.
pub fn json_size(v: &Value) -> usize {
    struct Count(usize);
    impl io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    serde_json::to_writer(&mut c, v).expect("counting never fails");
    c.0
}

pub(super) fn select_path(p: &Path, doc: &Value, ctx: &ContextObject<'_>) -> Option<Value> {
    p.select_in(doc, ctx)
}

pub(super) fn no_results(p: &str, doc: &Value) -> StatesError {
    StatesError::runtime(format!(
        "Invalid path '{p}' : No results for path: {p} in {}",
        truncate(&doc.to_string())
    ))
}

/// InputPath: absent keeps the input, `null` gives `{}`, a path selects (or fails with
/// `States.Runtime`).
pub(super) fn input_path(
    spec: &PathSpec<Path>,
    raw: &Value,
    ctx: &ContextObject<'_>,
) -> Result<Value, StatesError> {
    match spec {
        PathSpec::Absent => Ok(raw.clone()),
        PathSpec::Null => Ok(json!({})),
        PathSpec::Path(p) => select_path(p, raw, ctx).ok_or_else(|| no_results(p.as_str(), raw)),
    }
}

/// OutputPath: same rules as InputPath.
pub(super) fn output_path(
    spec: &PathSpec<Path>,
    out: &Value,
    ctx: &ContextObject<'_>,
) -> Result<Value, StatesError> {
    input_path(spec, out, ctx)
}

/// ResultPath: absent replaces the input by the result, `null` keeps the input, a reference
/// path places the result inside (a copy of) the raw input.
pub(super) fn result_path(
    spec: &PathSpec<ReferencePath>,
    raw: &Value,
    result: Value,
) -> Result<Value, StatesError> {
    match spec {
        PathSpec::Absent => Ok(result),
        PathSpec::Null => Ok(raw.clone()),
        PathSpec::Path(p) => p.set(raw.clone(), result).map_err(|e| {
            StatesError::new(
                names::RESULT_PATH_MATCH_FAILURE,
                format!(
                    "Unable to apply ReferencePath {} to input '{}': {e}",
                    p.as_str(),
                    truncate(&raw.to_string())
                ),
            )
        }),
    }
}

pub(super) fn apply_template(
    t: Option<&PayloadTemplate>,
    input: Value,
    ctx: &ContextObject<'_>,
) -> Result<Value, StatesError> {
    match t {
        Some(t) => t.apply(&input, ctx),
        None => Ok(input),
    }
}

pub(super) fn reference<'v>(p: &ReferencePath, doc: &'v Value) -> Result<&'v Value, StatesError> {
    p.get(doc).ok_or_else(|| no_results(p.as_str(), doc))
}
