//! Date/time functions: `$now $millis $fromMillis $toMillis`. Timestamps are ISO 8601 in UTC
//! with milliseconds (`2024-01-02T03:04:05.678Z`); pictures support the common components
//! `[Y0001] [M01] [D01] [H01] [m01] [s01] [f001] [Z]` (widths from the digits given).

use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Args, bad_arg, num_arg, str_arg};
use crate::asl::context::format_datetime;
use crate::asl::jsonata::error::{Error, Result};
use crate::asl::jsonata::eval::Evaluator;
use crate::asl::jsonata::value::Val;

fn millis_of(t: SystemTime) -> f64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_millis() as f64,
        Err(e) => -(e.duration().as_millis() as f64),
    }
}

fn datetime(ms: f64) -> Result<OffsetDateTime> {
    let invalid = |why: &dyn std::fmt::Display| {
        Error::eval(
            "D3110",
            format!("{ms} milliseconds is not a valid time: {why}"),
        )
    };
    // `as i128` saturates, so a huge or infinite number must not reach the multiplication.
    let nanos = (ms.is_finite())
        .then(|| (ms as i128).checked_mul(1_000_000))
        .flatten()
        .ok_or_else(|| invalid(&"it is outside the range of dates"))?;
    OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|e| invalid(&e))
}

fn format(ms: f64, picture: Option<&str>) -> Result<String> {
    let dt = datetime(ms)?;
    let Some(picture) = picture else {
        return Ok(format_datetime(&dt));
    };
    let mut out = String::new();
    let mut rest = picture;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find(']')
            .ok_or_else(|| Error::eval("D3135", "a picture component has no closing ]"))?;
        let comp = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        let (c, width) = comp.split_at(comp.chars().next().map_or(0, char::len_utf8));
        let width = width.chars().filter(char::is_ascii_digit).count();
        let value: i64 = match c {
            "Y" => i64::from(dt.year()),
            "M" => i64::from(u8::from(dt.month())),
            "D" => i64::from(dt.day()),
            "H" => i64::from(dt.hour()),
            "m" => i64::from(dt.minute()),
            "s" => i64::from(dt.second()),
            "f" => i64::from(dt.millisecond()),
            "Z" | "z" => {
                out.push_str(if c == "Z" { "+00:00" } else { "GMT+00:00" });
                continue;
            }
            other => {
                return Err(Error::eval(
                    "D3132",
                    format!("the picture component [{other}...] is not supported"),
                ));
            }
        };
        out.push_str(&format!("{value:0width$}"));
    }
    out.push_str(rest);
    Ok(out)
}

fn parse(s: &str) -> Option<f64> {
    let dt = OffsetDateTime::parse(s, &Rfc3339).ok().or_else(|| {
        // A date alone is midnight UTC.
        let mut parts = s.splitn(3, '-').map(|p| p.parse::<i32>().ok());
        let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
        let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
        let date = time::Date::from_calendar_date(y, month, u8::try_from(d).ok()?).ok()?;
        Some(date.midnight().assume_utc())
    })?;
    Some((dt.unix_timestamp_nanos() / 1_000_000) as f64)
}

/// Dispatch.
pub fn call(ev: &Evaluator<'_>, name: &str, args: &Args) -> Result<Option<Val>> {
    match name {
        "now" => {
            let picture = str_arg(args, 0, name)?;
            Ok(Some(Val::str(format(
                millis_of(ev.now),
                picture.as_deref(),
            )?)))
        }
        "millis" => Ok(Some(Val::Num(millis_of(ev.now)))),
        "fromMillis" => {
            let Some(ms) = num_arg(args, 0, name)? else {
                return Ok(None);
            };
            let picture = str_arg(args, 1, name)?;
            Ok(Some(Val::str(format(ms, picture.as_deref())?)))
        }
        "toMillis" => {
            let Some(s) = str_arg(args, 0, name)? else {
                return Ok(None);
            };
            if args[1].is_some() {
                return Err(bad_arg(
                    name,
                    2,
                    "absent (pictures are not supported by $toMillis here)",
                ));
            }
            parse(&s).map(|ms| Some(Val::Num(ms))).ok_or_else(|| {
                Error::eval(
                    "D3110",
                    format!("$toMillis: {s:?} is not an ISO 8601 timestamp"),
                )
            })
        }
        _ => Err(Error::eval("T1006", format!("${name} is not a function"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_round_trip_and_pictures() {
        let ms = parse("2017-11-07T15:07:54.972Z").unwrap();
        assert_eq!(ms, 1510067274972.0);
        assert_eq!(format(ms, None).unwrap(), "2017-11-07T15:07:54.972Z");
        assert_eq!(
            format(ms, Some("[Y0001]-[M01]-[D01] [H01]:[m01]")).unwrap(),
            "2017-11-07 15:07"
        );
        assert_eq!(parse("2017-11-07"), Some(1510012800000.0));
        assert!(parse("yesterday").is_none());
        assert!(format(ms, Some("[F]")).is_err());
    }

    #[test]
    fn out_of_range_millis_are_errors_not_overflows() {
        for ms in [1e308, -1e308, f64::INFINITY, f64::NAN, 1e20] {
            let err = format(ms, None).expect_err("no such date");
            assert!(err.to_string().contains("D3110"), "{err}");
        }
    }
}
