//! Aggregation and boolean functions: `$sum $max $min $average $count $boolean $not $exists`.

use super::{Args, arr_arg, bad_arg};
use crate::asl::jsonata::error::Result;
use crate::asl::jsonata::eval::Evaluator;
use crate::asl::jsonata::value::{Val, truthy};

fn numbers(args: &Args, name: &str) -> Result<Option<Vec<f64>>> {
    let Some(items) = arr_arg(args, 0) else {
        return Ok(None);
    };
    items
        .iter()
        .map(|v| match v {
            Val::Num(n) => Ok(*n),
            _ => Err(bad_arg(name, 1, "an array of numbers")),
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// Dispatch.
pub fn call(ev: &Evaluator<'_>, name: &str, args: &Args) -> Result<Option<Val>> {
    match name {
        "sum" => Ok(match numbers(args, name)? {
            None => None,
            Some(ns) => {
                ev.tick(ns.len())?;
                Some(Val::num(ns.iter().sum())?)
            }
        }),
        "max" | "min" => Ok(match numbers(args, name)? {
            None => None,
            Some(ns) if ns.is_empty() => None,
            Some(ns) => Some(Val::Num(ns.into_iter().fold(
                if name == "max" {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                },
                |a, b| if name == "max" { a.max(b) } else { a.min(b) },
            ))),
        }),
        "average" => Ok(match numbers(args, name)? {
            None => None,
            Some(ns) if ns.is_empty() => None,
            Some(ns) => Some(Val::num(ns.iter().sum::<f64>() / ns.len() as f64)?),
        }),
        "count" => Ok(Some(Val::Num(
            arr_arg(args, 0).map_or(0, |a| a.len()) as f64
        ))),
        "boolean" => Ok(args[0].as_ref().map(|v| Val::Bool(truthy(v)))),
        "not" => Ok(args[0].as_ref().map(|v| Val::Bool(!truthy(v)))),
        "exists" => Ok(Some(Val::Bool(args[0].is_some()))),
        _ => Err(crate::asl::jsonata::error::Error::eval(
            "T1006",
            format!("${name} is not a function"),
        )),
    }
}
