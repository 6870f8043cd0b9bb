//! String functions: `$string $length $substring $substringBefore $substringAfter $uppercase
//! $lowercase $trim $pad $contains $split $join $match $replace $base64encode $base64decode`.
//! Lengths and positions count characters (code points), as JSONata does.

use std::sync::Arc;

use base64::Engine as _;

use super::{Args, arr_arg, bad_arg, num_arg, str_arg};
use crate::asl::jsonata::error::{Error, Result};
use crate::asl::jsonata::eval::Evaluator;
use crate::asl::jsonata::value::{Obj, Val, format_number, stringify};

/// The longest string a function may build (10 MiB of characters).
const MAX_STRING: usize = 10 * 1024 * 1024;

/// `$string(v)`: strings as they are, numbers formatted like JavaScript, others as JSON.
pub fn to_string(v: &Val) -> Result<String> {
    Ok(match v {
        Val::Str(s) => s.to_string(),
        Val::Num(n) => format_number(*n),
        Val::Func(_) | Val::Regex(_) => String::new(),
        other => stringify(other, false),
    })
}

fn s(v: impl Into<String>) -> Option<Val> {
    Some(Val::str(v.into()))
}

fn check_len(n: usize) -> Result<()> {
    if n > MAX_STRING {
        return Err(Error::eval(
            "D3001",
            format!(
                "the result would be a string of {n} characters, more than the limit of {MAX_STRING}"
            ),
        ));
    }
    Ok(())
}

/// Dispatch.
pub fn call(ev: &Evaluator<'_>, name: &str, args: &Args) -> Result<Option<Val>> {
    match name {
        "string" => {
            let Some(v) = &args[0] else { return Ok(None) };
            let pretty = matches!(args[1], Some(Val::Bool(true)));
            Ok(match v {
                Val::Arr(..) | Val::Obj(_) if pretty => s(stringify(v, true)),
                other => s(to_string(other)?),
            })
        }
        "length" => Ok(str_arg(args, 0, name)?.map(|x| Val::Num(x.chars().count() as f64))),
        "substring" => {
            let Some(x) = str_arg(args, 0, name)? else {
                return Ok(None);
            };
            let start = num_arg(args, 1, name)?.ok_or_else(|| bad_arg(name, 2, "a number"))?;
            let chars: Vec<char> = x.chars().collect();
            let len = chars.len() as f64;
            let mut from = start.trunc();
            if from < 0.0 {
                from = (len + from).max(0.0);
            }
            let to = match num_arg(args, 2, name)? {
                None => len,
                Some(l) if l <= 0.0 => return Ok(s("")),
                Some(l) => (from + l.trunc()).min(len),
            };
            let from = from.min(len) as usize;
            let to = (to as usize).max(from);
            Ok(s(chars[from..to].iter().collect::<String>()))
        }
        "substringBefore" | "substringAfter" => {
            let Some(x) = str_arg(args, 0, name)? else {
                return Ok(None);
            };
            let chars = str_arg(args, 1, name)?.ok_or_else(|| bad_arg(name, 2, "a string"))?;
            Ok(match x.find(&*chars) {
                None => s(x.to_string()),
                Some(i) if name == "substringBefore" => s(&x[..i]),
                Some(i) => s(&x[i + chars.len()..]),
            })
        }
        "uppercase" => Ok(str_arg(args, 0, name)?.map(|x| Val::str(x.to_uppercase()))),
        "lowercase" => Ok(str_arg(args, 0, name)?.map(|x| Val::str(x.to_lowercase()))),
        "trim" => Ok(str_arg(args, 0, name)?
            .map(|x| Val::str(x.split_whitespace().collect::<Vec<_>>().join(" ")))),
        "pad" => {
            let Some(x) = str_arg(args, 0, name)? else {
                return Ok(None);
            };
            let width = num_arg(args, 1, name)?.ok_or_else(|| bad_arg(name, 2, "a number"))?;
            let fill = str_arg(args, 2, name)?
                .filter(|f| !f.is_empty())
                .map_or_else(|| " ".to_string(), |f| f.to_string());
            let len = x.chars().count();
            let target = width.abs().trunc();
            if target > MAX_STRING as f64 {
                check_len(target as usize)?;
            }
            let target = target as usize;
            if target <= len {
                return Ok(s(x.to_string()));
            }
            ev.tick(target / 64)?;
            let padding: String = fill.chars().cycle().take(target - len).collect();
            Ok(s(if width < 0.0 {
                padding + &x
            } else {
                x.to_string() + &padding
            }))
        }
        "contains" => {
            let Some(x) = str_arg(args, 0, name)? else {
                return Ok(None);
            };
            Ok(Some(Val::Bool(match &args[1] {
                Some(Val::Str(p)) => x.contains(&**p),
                Some(Val::Regex(re)) => re.is_match(&x),
                _ => return Err(bad_arg(name, 2, "a string or a regex")),
            })))
        }
        "split" => {
            let Some(x) = str_arg(args, 0, name)? else {
                return Ok(None);
            };
            let limit = limit_arg(args, 2, name)?;
            let parts: Vec<String> = match &args[1] {
                Some(Val::Str(sep)) if sep.is_empty() => x.chars().map(String::from).collect(),
                Some(Val::Str(sep)) => x.split(&**sep).map(str::to_string).collect(),
                Some(Val::Regex(re)) => re.split(&x).map(str::to_string).collect(),
                _ => return Err(bad_arg(name, 2, "a string or a regex")),
            };
            ev.tick(parts.len())?;
            Ok(Some(Val::array(
                parts
                    .into_iter()
                    .take(limit.unwrap_or(usize::MAX))
                    .map(Val::str)
                    .collect(),
            )))
        }
        "join" => {
            let Some(items) = arr_arg(args, 0) else {
                return Ok(None);
            };
            let sep = str_arg(args, 1, name)?.map_or_else(String::new, |s| s.to_string());
            let mut parts = Vec::with_capacity(items.len());
            for i in items {
                match i {
                    Val::Str(x) => parts.push(x.to_string()),
                    _ => return Err(bad_arg(name, 1, "an array of strings")),
                }
            }
            let out = parts.join(&sep);
            check_len(out.len())?;
            Ok(s(out))
        }
        "match" => {
            let Some(x) = str_arg(args, 0, name)? else {
                return Ok(None);
            };
            let Some(Val::Regex(re)) = &args[1] else {
                return Err(bad_arg(name, 2, "a regex"));
            };
            let limit = limit_arg(args, 2, name)?.unwrap_or(usize::MAX);
            let mut out = Vec::new();
            for caps in re.captures_iter(&x).take(limit) {
                ev.tick(1)?;
                out.push(match_object(&x, &caps));
            }
            Ok(Some(Val::seq(out)))
        }
        "replace" => replace(ev, args),
        "base64encode" => Ok(str_arg(args, 0, name)?
            .map(|x| Val::str(base64::engine::general_purpose::STANDARD.encode(x.as_bytes())))),
        "base64decode" => {
            let Some(x) = str_arg(args, 0, name)? else {
                return Ok(None);
            };
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(x.as_bytes())
                .map_err(|e| Error::eval("D3137", format!("$base64decode: {e}")))?;
            Ok(s(String::from_utf8_lossy(&bytes).into_owned()))
        }
        _ => Err(Error::eval("T1006", format!("${name} is not a function"))),
    }
}

fn limit_arg(args: &Args, i: usize, name: &str) -> Result<Option<usize>> {
    match num_arg(args, i, name)? {
        None => Ok(None),
        Some(n) if n < 0.0 => Err(Error::eval(
            "D3020",
            format!("the limit of ${name} must not be negative"),
        )),
        Some(n) => Ok(Some(n as usize)),
    }
}

fn match_object(text: &str, caps: &regex::Captures<'_>) -> Val {
    let m = caps.get(0).expect("group 0 always matches");
    let mut o = Obj::new();
    o.insert("match".into(), Val::str(m.as_str()));
    o.insert(
        "index".into(),
        Val::Num(text[..m.start()].chars().count() as f64),
    );
    o.insert(
        "groups".into(),
        Val::array(
            caps.iter()
                .skip(1)
                .map(|g| Val::str(g.map_or("", |g| g.as_str())))
                .collect(),
        ),
    );
    Val::object(o)
}

/// Calling a regex as a function: the first match at or after `from`, with a `next`
/// that is not provided (use `$match` for every match).
pub fn regex_match_object(
    re: &Arc<regex::Regex>,
    s: Option<Val>,
    from: usize,
) -> Result<Option<Val>> {
    match s {
        None => Ok(None),
        Some(Val::Str(text)) => Ok(re
            .captures_at(&text, from.min(text.len()))
            .map(|c| match_object(&text, &c))),
        Some(_) => Err(Error::eval(
            "T0410",
            "a regex can only be applied to a string",
        )),
    }
}

fn replace(ev: &Evaluator<'_>, args: &Args) -> Result<Option<Val>> {
    let name = "replace";
    let Some(x) = str_arg(args, 0, name)? else {
        return Ok(None);
    };
    let limit = limit_arg(args, 3, name)?.unwrap_or(usize::MAX);
    let replacement = args[2].clone();
    let matches: Vec<(usize, usize, Vec<Option<String>>)> = match &args[1] {
        Some(Val::Str(p)) if p.is_empty() => {
            return Err(Error::eval(
                "D3010",
                "the pattern of $replace must not be an empty string",
            ));
        }
        Some(Val::Str(p)) => x
            .match_indices(&**p)
            .take(limit)
            .map(|(i, m)| (i, i + m.len(), vec![Some(m.to_string())]))
            .collect(),
        Some(Val::Regex(re)) => re
            .captures_iter(&x)
            .take(limit)
            .map(|c| {
                let m = c.get(0).expect("group 0");
                (
                    m.start(),
                    m.end(),
                    c.iter()
                        .map(|g| g.map(|g| g.as_str().to_string()))
                        .collect(),
                )
            })
            .collect(),
        _ => return Err(bad_arg(name, 2, "a string or a regex")),
    };
    let mut out = String::new();
    let mut at = 0;
    for (start, end, groups) in matches {
        ev.tick(1)?;
        out.push_str(&x[at..start]);
        match &replacement {
            Some(Val::Str(r)) => out.push_str(&substitute(r, &groups)),
            Some(f) if f.is_function() => {
                let m = match_object(
                    &x,
                    &regex::Regex::new(&regex::escape(&x[start..end]))
                        .map_err(|e| Error::eval("D3012", e.to_string()))?
                        .captures(&x[start..])
                        .ok_or_else(|| Error::eval("D3012", "match lost"))?,
                );
                // The match object of the function form carries the groups of the pattern.
                let m = match m {
                    Val::Obj(o) => {
                        let mut o = (*o).clone();
                        o.insert("index".into(), Val::Num(x[..start].chars().count() as f64));
                        o.insert(
                            "groups".into(),
                            Val::array(
                                groups
                                    .iter()
                                    .skip(1)
                                    .map(|g| Val::str(g.clone().unwrap_or_default()))
                                    .collect(),
                            ),
                        );
                        Val::object(o)
                    }
                    other => other,
                };
                match ev.apply(f, vec![Some(m)])? {
                    Some(Val::Str(r)) => out.push_str(&r),
                    _ => {
                        return Err(Error::eval(
                            "D3012",
                            "the replacement function of $replace must return a string",
                        ));
                    }
                }
            }
            _ => return Err(bad_arg(name, 3, "a string or a function")),
        }
        check_len(out.len())?;
        at = end;
    }
    out.push_str(&x[at..]);
    Ok(s(out))
}

/// `$0`…`$9` in a replacement string; `$$` is a dollar sign.
fn substitute(r: &str, groups: &[Option<String>]) -> String {
    let chars: Vec<char> = r.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '$' {
            if chars.get(i + 1) == Some(&'$') {
                out.push('$');
                i += 2;
                continue;
            }
            if let Some(d) = chars.get(i + 1).and_then(|c| c.to_digit(10)) {
                if let Some(g) = groups.get(d as usize) {
                    out.push_str(g.as_deref().unwrap_or(""));
                }
                i += 2;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}
