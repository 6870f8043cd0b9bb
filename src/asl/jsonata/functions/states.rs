//! The functions Step Functions adds to JSONata
//! (<https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html>):
//! `$partition(array, size)`, `$range(start, end, step)` (inclusive, at most 1000 items, like
//! `States.ArrayRange`), `$hash(data, algorithm)` (MD5, SHA-1, SHA-256, SHA-384, SHA-512;
//! hex), `$uuid()` (version 4) and `$parse(json)`. `$random(seed)` lives with the numeric
//! functions.

use super::{Args, arr_arg, bad_arg, num_arg, str_arg};
use crate::asl::jsonata::error::{Error, Result};
use crate::asl::jsonata::eval::Evaluator;
use crate::asl::jsonata::value::Val;

/// The most items `$range` returns (the limit of `States.ArrayRange`).
pub const MAX_RANGE_ITEMS: usize = 1000;

/// Dispatch.
pub fn call(ev: &Evaluator<'_>, name: &str, args: &Args) -> Result<Option<Val>> {
    match name {
        "partition" => {
            let Some(items) = arr_arg(args, 0) else {
                return Ok(None);
            };
            let size = num_arg(args, 1, name)?.ok_or_else(|| bad_arg(name, 2, "a number"))?;
            if size < 1.0 || size.fract() != 0.0 {
                return Err(bad_arg(name, 2, "a positive integer"));
            }
            ev.tick(items.len())?;
            Ok(Some(Val::array(
                items
                    .chunks(size.min(usize::MAX as f64) as usize)
                    .map(|c| Val::array(c.to_vec()))
                    .collect(),
            )))
        }
        "range" => {
            let int = |i: usize| -> Result<f64> {
                match num_arg(args, i, name)? {
                    Some(n) if n.fract() == 0.0 => Ok(n),
                    _ => Err(bad_arg(name, i + 1, "an integer")),
                }
            };
            let (start, end, step) = (int(0)?, int(1)?, int(2)?);
            if step == 0.0 {
                return Err(bad_arg(name, 3, "a non-zero integer"));
            }
            let count = ((end - start) / step).floor() + 1.0;
            if count > MAX_RANGE_ITEMS as f64 {
                return Err(Error::eval(
                    "D2014",
                    format!(
                        "$range({start}, {end}, {step}) would have {count} items, more than {MAX_RANGE_ITEMS}"
                    ),
                ));
            }
            let count = count.max(0.0) as usize;
            Ok(Some(Val::array(
                (0..count)
                    .map(|i| Val::Num(start + step * i as f64))
                    .collect(),
            )))
        }
        "hash" => {
            let Some(data) = str_arg(args, 0, name)? else {
                return Ok(None);
            };
            let alg = str_arg(args, 1, name)?.ok_or_else(|| bad_arg(name, 2, "a string"))?;
            hash(&alg, data.as_bytes()).map(|h| Some(Val::str(h)))
        }
        "uuid" => Ok(Some(Val::str(uuid::Uuid::new_v4().to_string()))),
        "parse" => {
            let Some(text) = str_arg(args, 0, name)? else {
                return Ok(None);
            };
            let v: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| Error::eval("D3140", format!("$parse: not valid JSON: {e}")))?;
            Ok(Some(Val::from_json(&v)))
        }
        _ => Err(Error::eval("T1006", format!("${name} is not a function"))),
    }
}

/// The digest of `data` as lowercase hex (`States.Hash`'s algorithms and implementation).
fn hash(alg: &str, data: &[u8]) -> Result<String> {
    crate::asl::intrinsics::hash(alg, data).map_err(|e| Error::eval("D3137", format!("$hash: {e}")))
}
