//! Numeric functions: `$number $abs $floor $ceil $round $power $sqrt $random $formatNumber
//! $formatBase`. `$round` rounds half to even, as JSONata does; `$random(seed)` is the
//! Step Functions extension (the same seed gives the same number).

use super::{Args, bad_arg, num_arg, str_arg};
use crate::asl::jsonata::error::{Error, Result};
use crate::asl::jsonata::eval::Evaluator;
use crate::asl::jsonata::value::Val;

fn n(x: f64) -> Result<Option<Val>> {
    Val::num(x).map(Some)
}

/// Dispatch.
pub fn call(_ev: &Evaluator<'_>, name: &str, args: &Args) -> Result<Option<Val>> {
    match name {
        "number" => match &args[0] {
            None => Ok(None),
            Some(Val::Num(x)) => n(*x),
            Some(Val::Bool(b)) => n(if *b { 1.0 } else { 0.0 }),
            Some(Val::Str(s)) => parse_number(s).map_or_else(
                || {
                    Err(Error::eval(
                        "D3030",
                        format!("unable to cast the string {s:?} to a number"),
                    ))
                },
                n,
            ),
            Some(other) => Err(Error::eval(
                "D3030",
                format!("unable to cast a {} to a number", other.type_name()),
            )),
        },
        "abs" => num_arg(args, 0, name)?.map_or(Ok(None), |x| n(x.abs())),
        "floor" => num_arg(args, 0, name)?.map_or(Ok(None), |x| n(x.floor())),
        "ceil" => num_arg(args, 0, name)?.map_or(Ok(None), |x| n(x.ceil())),
        "round" => {
            let Some(x) = num_arg(args, 0, name)? else {
                return Ok(None);
            };
            let p = num_arg(args, 1, name)?.unwrap_or(0.0).trunc() as i32;
            n(round_half_even(x, p))
        }
        "power" => {
            let Some(b) = num_arg(args, 0, name)? else {
                return Ok(None);
            };
            let e = num_arg(args, 1, name)?.ok_or_else(|| bad_arg(name, 2, "a number"))?;
            let r = b.powf(e);
            if !r.is_finite() {
                return Err(Error::eval(
                    "D3061",
                    format!("$power({b}, {e}) is not a finite number"),
                ));
            }
            n(r)
        }
        "sqrt" => {
            let Some(x) = num_arg(args, 0, name)? else {
                return Ok(None);
            };
            if x < 0.0 {
                return Err(Error::eval(
                    "D3060",
                    format!("$sqrt of a negative number ({x})"),
                ));
            }
            n(x.sqrt())
        }
        "random" => match &args[0] {
            None => n(fastrand::f64()),
            Some(seed) => n(seeded(seed)),
        },
        "formatNumber" => {
            let Some(x) = num_arg(args, 0, name)? else {
                return Ok(None);
            };
            let picture = str_arg(args, 1, name)?.ok_or_else(|| bad_arg(name, 2, "a string"))?;
            format_picture(x, &picture).map(|s| Some(Val::str(s)))
        }
        "formatBase" => {
            let Some(x) = num_arg(args, 0, name)? else {
                return Ok(None);
            };
            let radix = num_arg(args, 1, name)?.unwrap_or(10.0);
            if !(2.0..=36.0).contains(&radix) || radix.fract() != 0.0 {
                return Err(Error::eval(
                    "D3100",
                    format!(
                        "the radix of $formatBase must be an integer from 2 to 36, not {radix}"
                    ),
                ));
            }
            let v = round_half_even(x, 0);
            if v.abs() >= 9_007_199_254_740_992.0 {
                return Err(Error::eval("D3100", "$formatBase: number too large"));
            }
            Ok(Some(Val::str(to_radix(v as i64, radix as u32))))
        }
        _ => Err(Error::eval("T1006", format!("${name} is not a function"))),
    }
}

/// JSON number syntax (and `0x`/`0o`/`0b` prefixes, as JSONata 2 accepts).
fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    for (prefix, radix) in [("0x", 16), ("0X", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = t.strip_prefix(prefix) {
            return i64::from_str_radix(rest, radix).ok().map(|v| v as f64);
        }
    }
    serde_json::from_str::<serde_json::Number>(t)
        .ok()
        .and_then(|n| n.as_f64())
        .filter(|f| f.is_finite())
}

/// Rounds to `p` decimal places, ties to even (JSONata's `$round`).
pub fn round_half_even(x: f64, p: i32) -> f64 {
    let factor = 10f64.powi(p);
    let v = x * factor;
    if !v.is_finite() {
        return x;
    }
    let r = v.round();
    let r = if (v - v.trunc()).abs() == 0.5 && r % 2.0 != 0.0 {
        r - v.signum()
    } else {
        r
    };
    r / factor
}

/// A number in `[0, 1)` determined by `seed` (SplitMix64 over the seed's JSON text).
fn seeded(seed: &Val) -> f64 {
    let text = seed.to_json().to_string();
    let mut z: u64 = 0x9E37_79B9_7F4A_7C15;
    for b in text.bytes() {
        z = z
            .wrapping_add(u64::from(b))
            .wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z ^= z >> 31;
    }
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn to_radix(v: i64, radix: u32) -> String {
    let neg = v < 0;
    let mut u = v.unsigned_abs();
    if u == 0 {
        return "0".into();
    }
    let mut digits = Vec::new();
    while u > 0 {
        digits.push(std::char::from_digit((u % u64::from(radix)) as u32, radix).unwrap_or('?'));
        u /= u64::from(radix);
    }
    if neg {
        digits.push('-');
    }
    digits.iter().rev().collect()
}

/// The common subset of XPath `format-number` pictures: `#,##0.00`, `000`, `0.0#`, a
/// `%` (per cent), and literal prefix and suffix text.
fn format_picture(x: f64, picture: &str) -> Result<String> {
    let is_pic = |c: char| matches!(c, '#' | '0'..='9' | ',' | '.');
    let (picture, negative) = match picture.split_once(';') {
        Some((_, neg)) if x < 0.0 => (neg, true),
        Some((pos, _)) => (pos, false),
        None => (picture, false),
    };
    let start = picture
        .find(is_pic)
        .ok_or_else(|| Error::eval("D3085", format!("the picture {picture:?} has no digits")))?;
    let end = picture.rfind(is_pic).map_or(start, |e| e + 1);
    let (prefix, body, suffix) = (&picture[..start], &picture[start..end], &picture[end..]);
    let percent = prefix.contains('%') || suffix.contains('%');
    let per_mille = prefix.contains('‰') || suffix.contains('‰');
    let (int_pic, frac_pic) = body.split_once('.').unwrap_or((body, ""));
    let min_int = int_pic.chars().filter(char::is_ascii_digit).count();
    let min_frac = frac_pic.chars().filter(char::is_ascii_digit).count();
    let max_frac = frac_pic
        .chars()
        .filter(|c| *c == '#' || c.is_ascii_digit())
        .count();
    let group = int_pic
        .rfind(',')
        .map(|i| int_pic[i + 1..].chars().count())
        .filter(|g| *g > 0);
    let mut v = x.abs();
    if percent {
        v *= 100.0;
    } else if per_mille {
        v *= 1000.0;
    }
    let rounded = round_half_even(v, max_frac as i32);
    let text = format!("{rounded:.max_frac$}");
    let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
    let mut frac = frac_part.to_string();
    while frac.len() > min_frac && frac.ends_with('0') {
        frac.pop();
    }
    let mut int_digits = int_part.trim_start_matches('0').to_string();
    while int_digits.len() < min_int {
        int_digits.insert(0, '0');
    }
    if let Some(g) = group {
        let chars: Vec<char> = int_digits.chars().collect();
        let mut grouped = String::new();
        for (i, c) in chars.iter().enumerate() {
            if i > 0 && (chars.len() - i).is_multiple_of(g) {
                grouped.push(',');
            }
            grouped.push(*c);
        }
        int_digits = grouped;
    }
    let mut out = String::new();
    if x < 0.0 && !negative && rounded != 0.0 {
        out.push('-');
    }
    out.push_str(prefix);
    out.push_str(&int_digits);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(&frac);
    }
    out.push_str(suffix);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures() {
        assert_eq!(format_picture(12345.6, "#,###.00").unwrap(), "12,345.60");
        assert_eq!(format_picture(1234.5678, "00.000").unwrap(), "1234.568");
        assert_eq!(format_picture(0.14, "01%").unwrap(), "14%");
        assert_eq!(format_picture(-6.0, "000").unwrap(), "-006");
        assert_eq!(format_picture(34.555, "#0.00;(#0.00)").unwrap(), "34.56");
        assert_eq!(format_picture(-34.555, "#0.00;(#0.00)").unwrap(), "(34.56)");
        assert!(format_picture(1.0, "abc").is_err());
    }

    #[test]
    fn rounding_is_half_even() {
        assert_eq!(round_half_even(2.5, 0), 2.0);
        assert_eq!(round_half_even(3.5, 0), 4.0);
        assert_eq!(round_half_even(-2.5, 0), -2.0);
        assert_eq!(round_half_even(123.456, 2), 123.46);
        assert_eq!(round_half_even(12345.0, -2), 12300.0);
    }

    #[test]
    fn radix_and_seeds() {
        assert_eq!(to_radix(100, 2), "1100100");
        assert_eq!(to_radix(-255, 16), "-ff");
        let a = seeded(&Val::Num(7.0));
        assert_eq!(a, seeded(&Val::Num(7.0)));
        assert_ne!(a, seeded(&Val::Num(8.0)));
        assert!((0.0..1.0).contains(&a));
    }
}
