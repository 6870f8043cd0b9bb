//! Numbers as documents write them, in any locale: `$1,234.56`, `1.234,56 €`, `1 234,56`,
//! `CHF 1'234.50`, `(2,336.28)` for a negative, `12.5%`. The one number reader of the crate:
//! extraction types values with it and evaluation compares them with it, so both read
//! `1.234,56` the same way.
//!
//! A lone separator followed by exactly three digits (`1.234`, `1,234`) is ambiguous between a
//! thousands separator and a decimal point, so [`candidates`] returns both readings (thousands
//! first) and the comparator accepts a match on either: `1.234` equals `1234` and `1.234` equals
//! `1.234`. [`parse`] takes the first reading, as a document's amount is far more often `1,234`
//! than a three-decimal fraction.

/// The value of `text` read as a number (the thousands reading when ambiguous), or `None`.
pub fn parse(text: &str) -> Option<f64> {
    candidates(text).first().copied()
}

/// Every plausible value of `text` (one or two), or none when it is not a number.
pub fn candidates(text: &str) -> Vec<f64> {
    let t = text.trim();
    if t.is_empty() {
        return Vec::new();
    }
    let negative = (t.starts_with('(') && t.ends_with(')'))
        || t.starts_with('-')
        || t.starts_with('\u{2212}')
        || t.ends_with('-')
        || t.contains("-$")
        || t.contains("- ");
    // Keep digits and the two separators; currency signs, codes, spaces (also no-break and
    // thin ones), apostrophes and percent signs are dropped.
    let mut body = String::new();
    for c in t.chars() {
        match c {
            '0'..='9' | '.' | ',' => body.push(c),
            ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'' | '’' | '$' | '€' | '£' | '¥' | '₹'
            | '%' | '(' | ')' | '+' | '-' | '\u{2212}' => {}
            c if c.is_alphabetic() => {}
            _ => return Vec::new(),
        }
    }
    // Letters are allowed only as a currency code or word around the number ("USD 12", "12 EUR"),
    // not inside it ("12a4" is an identifier).
    if !body.chars().any(|c| c.is_ascii_digit()) || letters_inside_digits(t) {
        return Vec::new();
    }
    let body = body.trim_matches(|c| c == '.' || c == ',');
    let sign = if negative { -1.0 } else { 1.0 };
    let dots = body.matches('.').count();
    let commas = body.matches(',').count();
    let parse = |s: String| s.parse::<f64>().ok().map(|v| v * sign);
    let strip = |s: &str, c: char| s.chars().filter(|x| *x != c).collect::<String>();
    let mut out = Vec::new();
    match (dots, commas) {
        (0, 0) => out.extend(parse(body.to_string())),
        (_, 0) | (0, _) => {
            let sep = if dots > 0 { '.' } else { ',' };
            let count = dots + commas;
            let after = body.rsplit(sep).next().unwrap_or("").len();
            if count > 1 {
                // Repeated: thousands separators, and groups must be of three.
                if body.split(sep).skip(1).all(|g| g.len() == 3) {
                    out.extend(parse(strip(body, sep)));
                }
            } else if after == 3 {
                out.extend(parse(strip(body, sep)));
                out.extend(parse(body.replace(sep, ".")));
            } else {
                out.extend(parse(body.replace(sep, ".")));
            }
        }
        _ => {
            // Both: the last one is the decimal separator.
            let last_dot = body.rfind('.').unwrap_or(0);
            let last_comma = body.rfind(',').unwrap_or(0);
            let (thousands, decimal) = if last_dot > last_comma {
                (',', '.')
            } else {
                ('.', ',')
            };
            if body.matches(decimal).count() == 1 {
                out.extend(parse(strip(body, thousands).replace(decimal, ".")));
            }
        }
    }
    out.dedup();
    out
}

fn letters_inside_digits(t: &str) -> bool {
    let chars: Vec<char> = t.chars().collect();
    let first = chars.iter().position(|c| c.is_ascii_digit());
    let last = chars.iter().rposition(|c| c.is_ascii_digit());
    match (first, last) {
        (Some(a), Some(b)) => chars[a..=b].iter().any(|c| c.is_alphabetic()),
        _ => false,
    }
}

/// Same amount: any reading of one equals any reading of the other within half a cent.
pub fn same(a: &[f64], b: &[f64]) -> bool {
    a.iter().any(|x| {
        b.iter()
            .any(|y| (x - y).abs() < 0.005 + 1e-9 * x.abs().max(y.abs()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn us_and_european_amounts() {
        assert_eq!(candidates("$472,525.00"), vec![472525.0]);
        assert_eq!(candidates("1.234,56 €"), vec![1234.56]);
        assert_eq!(candidates("1 234,56"), vec![1234.56]);
        assert_eq!(candidates("CHF 1'234.50"), vec![1234.5]);
        assert_eq!(candidates("1.234.567"), vec![1234567.0]);
        assert_eq!(candidates("12,5%"), vec![12.5]);
    }

    #[test]
    fn negatives() {
        assert_eq!(candidates("($2,336.28)"), vec![-2336.28]);
        assert_eq!(candidates("-45.10"), vec![-45.1]);
        assert_eq!(candidates("45.10-"), vec![-45.1]);
    }

    #[test]
    fn a_lone_separator_before_three_digits_reads_both_ways() {
        assert_eq!(candidates("1.234"), vec![1234.0, 1.234]);
        assert_eq!(candidates("1,234"), vec![1234.0, 1.234]);
        assert!(same(&candidates("1.234"), &candidates("1234")));
        assert!(same(&candidates("1,234"), &candidates("1.234")));
    }

    #[test]
    fn not_numbers() {
        assert!(candidates("abc").is_empty());
        assert!(candidates("").is_empty());
        assert!(candidates("12a4").is_empty());
        assert!(candidates("1.2.3").is_empty());
        assert!(candidates("03/14/2017").is_empty());
    }

    #[test]
    fn parse_takes_the_first_reading() {
        assert_eq!(parse("1.234,56"), Some(1234.56));
        assert_eq!(parse("1,234"), Some(1234.0));
        assert_eq!(parse("- 567.18"), Some(-567.18));
        assert_eq!(parse("1 50.00"), Some(150.0));
        assert_eq!(parse("07/25/2008"), None);
    }

    #[test]
    fn same_within_half_a_cent() {
        assert!(same(&[100.0], &[100.004]));
        assert!(!same(&[100.0], &[100.01]));
    }
}
