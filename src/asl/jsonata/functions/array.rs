//! Array functions: `$append $sort $reverse $shuffle $distinct $zip`.

use std::cmp::Ordering;

use super::{Args, arr_arg, bad_arg, func_arg};
use crate::asl::jsonata::error::{Error, Result};
use crate::asl::jsonata::eval::{Evaluator, compare_values};
use crate::asl::jsonata::value::{Val, deep_equal, truthy};

/// Dispatch.
pub fn call(ev: &Evaluator<'_>, name: &str, args: &Args) -> Result<Option<Val>> {
    match name {
        "append" => Ok(match (arr_arg(args, 0), arr_arg(args, 1)) {
            (None, None) => None,
            (Some(a), None) => Some(args[0].clone().expect("defined")).map(|v| match v {
                Val::Arr(..) => Val::array(a),
                other => other,
            }),
            (None, Some(_)) => args[1].clone(),
            (Some(mut a), Some(b)) => {
                ev.check_items(a.len() + b.len())?;
                a.extend(b);
                Some(Val::array(a))
            }
        }),
        "sort" => {
            let Some(items) = arr_arg(args, 0) else {
                return Ok(None);
            };
            ev.tick(items.len())?;
            let sorted = match &args[1] {
                None => {
                    let all_nums = items.iter().all(|v| matches!(v, Val::Num(_)));
                    let all_strs = items.iter().all(|v| matches!(v, Val::Str(_)));
                    if !all_nums && !all_strs {
                        return Err(Error::eval(
                            "D3070",
                            "$sort without a function sorts only arrays of numbers or of strings",
                        ));
                    }
                    let mut items = items;
                    items.sort_by(|a, b| compare_values(a, b).unwrap_or(Ordering::Equal));
                    items
                }
                Some(_) => {
                    let f = func_arg(args, 1, name)?;
                    merge_sort(ev, items, &f)?
                }
            };
            Ok(Some(Val::array(sorted)))
        }
        "reverse" => Ok(arr_arg(args, 0).map(|mut a| {
            a.reverse();
            Val::array(a)
        })),
        "shuffle" => Ok(arr_arg(args, 0).map(|mut a| {
            fastrand::shuffle(&mut a);
            Val::array(a)
        })),
        "distinct" => {
            let Some(v) = &args[0] else { return Ok(None) };
            let Val::Arr(items, flags) = v else {
                return Ok(Some(v.clone()));
            };
            ev.tick(items.len() * items.len() / 64)?;
            let mut out: Vec<Val> = Vec::new();
            for i in items.iter() {
                if !out.iter().any(|o| deep_equal(o, i)) {
                    out.push(i.clone());
                }
            }
            // A sequence (a path's result) stays one, so a single distinct value is that
            // value, as in jsonata-js (`$distinct(orders.currency)` is "EUR", not ["EUR"]).
            Ok(Some(if flags.seq {
                Val::seq(out)
            } else {
                Val::array(out)
            }))
        }
        "zip" => {
            let arrays: Vec<Vec<Val>> = (0..args.len()).filter_map(|i| arr_arg(args, i)).collect();
            let n = arrays.iter().map(Vec::len).min().unwrap_or(0);
            ev.check_items(n)?;
            Ok(Some(Val::array(
                (0..n)
                    .map(|i| Val::array(arrays.iter().map(|a| a[i].clone()).collect()))
                    .collect(),
            )))
        }
        _ => Err(bad_arg(name, 1, "known")),
    }
}

/// A stable merge sort with a JSONata comparator: `f(a, b)` true means `a` goes after `b`.
fn merge_sort(ev: &Evaluator<'_>, items: Vec<Val>, f: &Val) -> Result<Vec<Val>> {
    if items.len() <= 1 {
        return Ok(items);
    }
    let mut right = items;
    let left: Vec<Val> = right.drain(..right.len() / 2).collect();
    let left = merge_sort(ev, left, f)?;
    let right = merge_sort(ev, right, f)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        let swap = ev.apply(f, vec![Some(left[i].clone()), Some(right[j].clone())])?;
        if swap.as_ref().is_some_and(truthy) {
            out.push(right[j].clone());
            j += 1;
        } else {
            out.push(left[i].clone());
            i += 1;
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    Ok(out)
}
