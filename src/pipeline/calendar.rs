//! Dates in the formats documents use, read into (year, month, day) so `03/14/2017`,
//! `2017-03-14`, `March 14, 2017`, `14.03.2017` and `14 mars 2017` compare equal: `idpctl eval`
//! compares dates with it, and extraction tells two printed dates apart with it.
//!
//! `01/05/2024` is January 5 in the US and May 1 elsewhere: unless `dayfirst` says which, both
//! readings are candidates and two dates match when any readings agree (the accelerator's
//! `DATE` method tries both when `dayfirst` is omitted, too).

pub type Ymd = (i32, u32, u32);

use crate::pipeline::lexicon::months::number as month_of;

fn valid((y, m, d): Ymd) -> bool {
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d) && (1000..=9999).contains(&y)
}

fn year(s: &str) -> Option<i32> {
    let y: i32 = s.parse().ok()?;
    match s.len() {
        4 => Some(y),
        // Two-digit years: 70–99 are the 1900s, the rest the 2000s.
        2 => Some(if y >= 70 { 1900 + y } else { 2000 + y }),
        _ => None,
    }
}

/// Every reading of `text` as a calendar date. `dayfirst`: `Some(true)` for day/month/year,
/// `Some(false)` for month/day/year, `None` to accept both.
pub fn candidates(text: &str, dayfirst: Option<bool>) -> Vec<Ymd> {
    let t = text.trim().trim_end_matches('.');
    let parts: Vec<&str> = t
        .split([' ', ',', '/', '-', '.'])
        .filter(|p| !p.is_empty())
        // "le 14 mars", "14th", "the": ordinal suffixes go, filler words are skipped below.
        .collect();
    let mut out = Vec::new();
    // Drop ISO times: "2017-03-14T10:00:00Z" → "2017-03-14".
    let t_date = t.split('T').next().unwrap_or(t);
    if t_date != t && t_date.len() == 10 {
        return candidates(t_date, dayfirst);
    }
    let num = |p: &str| -> Option<u32> {
        let p = p.trim_end_matches(|c: char| c.is_alphabetic());
        if p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    // Words that only say "year" or "day" in year-first dates: "2024 m. kovo 15 d.",
    // "2024. gada 15. martā".
    let filler = |p: &str| matches!(p.to_lowercase().as_str(), "m" | "d" | "g" | "gada");
    let words: Vec<&str> = parts
        .iter()
        .copied()
        .filter(|p| !filler(p))
        .filter(|p| p.chars().any(|c| c.is_ascii_digit()) || month_of(p).is_some())
        .collect();
    let others = parts.iter().filter(|p| !filler(p)).count() - words.len();
    if others > 1 {
        return out;
    }
    match words.as_slice() {
        // Year first with the month's name: "2024. március 15." (hu), "2024 m. kovo 15 d."
        // (lt), "2024. gada 15. martā" (lv).
        [a, b, c] if a.len() == 4 && (month_of(b).is_some() || month_of(c).is_some()) => {
            let (m, d) = match month_of(b) {
                Some(m) => (Some(m), num(c)),
                None => (month_of(c), num(b)),
            };
            if let (Some(y), Some(m), Some(d)) = (year(a), m, d) {
                out.push((y, m, d));
            }
        }
        // Compact ISO: 20170314.
        [p] if p.len() == 8 && p.chars().all(|c| c.is_ascii_digit()) => {
            if let (Some(y), Ok(m), Ok(d)) = (year(&p[..4]), p[4..6].parse(), p[6..].parse()) {
                out.push((y, m, d));
            }
        }
        [a, b, c] => {
            let (ma, mb) = (month_of(a), month_of(b));
            if let Some(m) = mb {
                // 14 March 2017
                if let (Some(d), Some(y)) = (num(a), year(c)) {
                    out.push((y, m, d));
                }
            } else if let Some(m) = ma {
                // March 14, 2017
                if let (Some(d), Some(y)) = (num(b), year(c)) {
                    out.push((y, m, d));
                }
            } else if a.len() == 4 {
                // 2017-03-14 (ISO order is never day-first).
                if let (Some(y), Some(m), Some(d)) = (year(a), num(b), num(c)) {
                    out.push((y, m, d));
                }
            } else if let (Some(x), Some(z), Some(y)) = (num(a), num(b), year(c)) {
                // A dotted date is day-first in every locale that writes one.
                let dotted = t.contains('.') && !t.contains('/');
                if dayfirst != Some(true) && !dotted {
                    out.push((y, x, z));
                }
                if dayfirst != Some(false) || dotted {
                    out.push((y, z, x));
                }
            }
        }
        _ => {}
    }
    out.retain(|d| valid(*d));
    out.dedup();
    out
}

/// Same day: some reading of one is some reading of the other.
pub fn same(a: &[Ymd], b: &[Ymd]) -> bool {
    a.iter().any(|x| b.contains(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_formats_agree() {
        let want = vec![(2017, 3, 14)];
        assert_eq!(candidates("03/14/2017", None), want);
        assert_eq!(candidates("2017-03-14", None), want);
        assert_eq!(candidates("March 14, 2017", None), want);
        assert_eq!(candidates("14 March 2017", None), want);
        assert_eq!(candidates("14.03.2017", None), want);
        assert_eq!(candidates("14 mars 2017", None), want);
        assert_eq!(candidates("14. März 2017", None), want);
        assert_eq!(candidates("2017-03-14T08:00:00Z", None), want);
        assert_eq!(candidates("20170314", None), want);
        assert_eq!(candidates("07-Sep-20", None), vec![(2020, 9, 7)]);
    }

    #[test]
    fn year_first_dates_with_month_names() {
        let want = vec![(2024, 3, 15)];
        assert_eq!(candidates("2024. március 15.", None), want);
        assert_eq!(candidates("2024 m. kovo 15 d.", None), want);
        assert_eq!(candidates("2024. gada 15. martā", None), want);
        assert_eq!(candidates("15. maaliskuuta 2024", None), want);
        assert_eq!(candidates("15 martie 2024", None), want);
        assert_eq!(candidates("2024 kovo", None), vec![]);
    }

    #[test]
    fn ambiguous_slashes_read_both_ways_unless_told() {
        assert_eq!(
            candidates("01/05/2024", None),
            vec![(2024, 1, 5), (2024, 5, 1)]
        );
        assert_eq!(candidates("01/05/2024", Some(true)), vec![(2024, 5, 1)]);
        assert_eq!(candidates("01/05/2024", Some(false)), vec![(2024, 1, 5)]);
        assert!(same(
            &candidates("01/05/2024", None),
            &candidates("2024-01-05", None)
        ));
    }

    #[test]
    fn not_dates() {
        assert!(candidates("hello", None).is_empty());
        assert!(candidates("13/13/2020", None).is_empty());
        assert!(candidates("02/30/2021", None).is_empty());
        assert!(candidates("631-249-7744", None).is_empty());
        assert!(candidates("11747-5001", None).is_empty());
    }
}
