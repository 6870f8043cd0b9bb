//! Higher-order functions: `$map $filter $reduce $single`. The function gets the value, then
//! the index and the whole array if it declares the parameters for them.

use super::{Args, arr_arg, call_with, func_arg};
use crate::asl::jsonata::error::{Error, Result};
use crate::asl::jsonata::eval::Evaluator;
use crate::asl::jsonata::value::{Func, Val, truthy};

/// Dispatch.
pub fn call(ev: &Evaluator<'_>, name: &str, args: &Args) -> Result<Option<Val>> {
    let Some(items) = arr_arg(args, 0) else {
        return Ok(None);
    };
    if name == "single" && args[1].is_none() {
        return match items.len() {
            1 => Ok(items.into_iter().next()),
            0 => Err(Error::eval("D3139", "$single: no value matched")),
            _ => Err(Error::eval("D3138", "$single: more than one value matched")),
        };
    }
    let f = func_arg(args, 1, name)?;
    let whole = Val::array(items.clone());
    let call3 = |v: &Val, i: usize| {
        call_with(
            ev,
            &f,
            vec![
                Some(v.clone()),
                Some(Val::Num(i as f64)),
                Some(whole.clone()),
            ],
        )
    };
    match name {
        "map" => {
            let mut out = Vec::with_capacity(items.len());
            for (i, v) in items.iter().enumerate() {
                if let Some(r) = call3(v, i)? {
                    out.push(r);
                }
            }
            Ok(Some(Val::seq(out)))
        }
        "filter" => {
            let mut out = Vec::new();
            for (i, v) in items.iter().enumerate() {
                if call3(v, i)?.as_ref().is_some_and(truthy) {
                    out.push(v.clone());
                }
            }
            Ok(Some(Val::seq(out)))
        }
        "single" => {
            let mut found = None;
            for (i, v) in items.iter().enumerate() {
                if call3(v, i)?.as_ref().is_some_and(truthy) {
                    if found.is_some() {
                        return Err(Error::eval("D3138", "$single: more than one value matched"));
                    }
                    found = Some(v.clone());
                }
            }
            found
                .map(Some)
                .ok_or_else(|| Error::eval("D3139", "$single: no value matched"))
        }
        "reduce" => {
            if let Val::Func(func) = &f
                && matches!(func.as_ref(), Func::Lambda { params, .. } if params.len() < 2)
            {
                return Err(Error::eval(
                    "D3050",
                    "the function of $reduce must take at least two arguments",
                ));
            }
            let mut iter = items.iter().enumerate();
            let mut acc = match args.get(2).cloned().flatten() {
                Some(init) => Some(init),
                None => iter.next().map(|(_, v)| v.clone()),
            };
            for (i, v) in iter {
                let arity = match &f {
                    Val::Func(func) => func.arity(),
                    _ => 2,
                };
                let all = vec![
                    acc,
                    Some(v.clone()),
                    Some(Val::Num(i as f64)),
                    Some(whole.clone()),
                ];
                acc = ev.apply(&f, all.into_iter().take(arity.max(2)).collect())?;
                // An accumulator wrapped once per item would nest without bound.
                if let Some(a) = &acc {
                    a.check_depth()?;
                }
            }
            Ok(acc)
        }
        _ => Err(Error::eval("T1006", format!("${name} is not a function"))),
    }
}
