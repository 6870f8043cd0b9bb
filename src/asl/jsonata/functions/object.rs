//! Object functions: `$keys $lookup $spread $merge $each $sift $type $error $assert`.

use super::{Args, arr_arg, bad_arg, call_with, func_arg, str_arg};
use crate::asl::jsonata::error::{Error, Result};
use crate::asl::jsonata::eval::Evaluator;
use crate::asl::jsonata::value::{Obj, Val, truthy};

/// Dispatch.
pub fn call(ev: &Evaluator<'_>, name: &str, args: &Args) -> Result<Option<Val>> {
    match name {
        "keys" => Ok(match &args[0] {
            None => None,
            Some(Val::Obj(o)) => Some(Val::seq(o.keys().map(|k| Val::str(k.as_str())).collect())),
            Some(Val::Arr(items, _)) => {
                let mut keys: Vec<String> = Vec::new();
                for i in items.iter() {
                    if let Val::Obj(o) = i {
                        for k in o.keys() {
                            if !keys.contains(k) {
                                keys.push(k.clone());
                            }
                        }
                    }
                }
                Some(Val::seq(keys.into_iter().map(Val::str).collect()))
            }
            Some(_) => None,
        }),
        "lookup" => {
            let key = str_arg(args, 1, name)?.ok_or_else(|| bad_arg(name, 2, "a string"))?;
            Ok(match &args[0] {
                Some(Val::Obj(o)) => o.get(&*key).cloned(),
                Some(Val::Arr(items, _)) => {
                    let mut out = Vec::new();
                    for i in items.iter() {
                        if let Val::Obj(o) = i
                            && let Some(v) = o.get(&*key)
                        {
                            match v {
                                Val::Arr(a, _) => out.extend(a.iter().cloned()),
                                other => out.push(other.clone()),
                            }
                        }
                    }
                    Some(Val::seq(out))
                }
                _ => None,
            })
        }
        "spread" => Ok(match &args[0] {
            None => None,
            Some(Val::Obj(o)) => Some(Val::seq(
                o.iter()
                    .map(|(k, v)| {
                        let mut one = Obj::new();
                        one.insert(k.clone(), v.clone());
                        Val::object(one)
                    })
                    .collect(),
            )),
            Some(Val::Arr(items, _)) => {
                let mut out = Vec::new();
                for i in items.iter() {
                    match call(ev, name, &vec![Some(i.clone())])? {
                        Some(Val::Arr(a, _)) => out.extend(a.iter().cloned()),
                        Some(v) => out.push(v),
                        None => {}
                    }
                }
                Some(Val::seq(out))
            }
            Some(other) => Some(other.clone()),
        }),
        "merge" => {
            let Some(items) = arr_arg(args, 0) else {
                return Ok(None);
            };
            let mut out = Obj::new();
            for i in items {
                match i {
                    Val::Obj(o) => {
                        for (k, v) in o.iter() {
                            out.insert(k.clone(), v.clone());
                        }
                    }
                    _ => return Err(bad_arg(name, 1, "an array of objects")),
                }
            }
            Ok(Some(Val::object(out)))
        }
        "each" | "sift" => {
            let Some(obj) = &args[0] else { return Ok(None) };
            let Val::Obj(o) = obj else {
                return Err(bad_arg(name, 1, "an object"));
            };
            let f = func_arg(args, 1, name)?;
            let mut list = Vec::new();
            let mut kept = Obj::new();
            for (k, v) in o.iter() {
                let r = call_with(
                    ev,
                    &f,
                    vec![
                        Some(v.clone()),
                        Some(Val::str(k.as_str())),
                        Some(obj.clone()),
                    ],
                )?;
                if name == "each" {
                    if let Some(r) = r {
                        list.push(r);
                    }
                } else if r.as_ref().is_some_and(truthy) {
                    kept.insert(k.clone(), v.clone());
                }
            }
            Ok(if name == "each" {
                Some(Val::seq(list))
            } else if kept.is_empty() {
                None
            } else {
                Some(Val::object(kept))
            })
        }
        "type" => Ok(args[0].as_ref().map(|v| Val::str(v.type_name()))),
        "error" => Err(Error::eval(
            "D3137",
            str_arg(args, 0, name)?.map_or_else(
                || "$error() function evaluated".to_string(),
                |s| s.to_string(),
            ),
        )),
        "assert" => {
            let cond = match &args[0] {
                Some(Val::Bool(b)) => *b,
                _ => return Err(bad_arg(name, 1, "a boolean")),
            };
            if !cond {
                return Err(Error::eval(
                    "D3141",
                    str_arg(args, 1, name)?.map_or_else(
                        || "$assert() statement failed".to_string(),
                        |s| s.to_string(),
                    ),
                ));
            }
            Ok(None)
        }
        _ => Err(bad_arg(name, 1, "known")),
    }
}
