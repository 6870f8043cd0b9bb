//! Typed values inside a line of text, for fields found without hints: amounts with their
//! currency either side in any locale's format, dates with numeric or month-name forms in the
//! languages of [`crate::pipeline::lexicon::months`] (also year first: "2024. március 15.",
//! "2024 m. kovo 15 d."; Czech and Slovak print a space after each dot: "26. 9. 2024"),
//! identifiers (a token with a digit that is neither a date nor an amount). Every regex is
//! compiled once.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::pipeline::config::ValueType;

/// A value found in a text, with how strongly its form says it is of the type (an amount with a
/// currency sign is surely an amount; a bare integer might be anything).
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub range: Range<usize>,
    pub strength: f32,
}

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    let mut months: Vec<&str> = crate::pipeline::lexicon::months::MONTHS
        .iter()
        .map(|(name, _)| *name)
        .collect();
    months.sort_by_key(|m| std::cmp::Reverse(m.chars().count()));
    months.dedup();
    let m = months.join("|");
    Regex::new(&format!(
        r"(?ix)
          \b\d{{4}}(?:-\d{{1,2}}-|/\d{{1,2}}/|\.\d{{1,2}}\.)\d{{1,2}}\b
        | \b\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})\b
        | \b\d{{1,2}}\.\x20?\d{{1,2}}\.\x20?\d{{4}}\b
        | \b\d{{1,2}}(?:st|nd|rd|th|er|e)?\.?\s*(?:de\s+|of\s+)?(?:{m})\b\.?,?(?:\s+de)?\s*\d{{4}}\b
        | \b(?:{m})\b\.?,?\s+\d{{1,2}}(?:st|nd|rd|th)?\s*,?\s*\d{{4}}\b
        | \b\d{{1,2}}[-\s](?:{m})\b\.?[-\s]\d{{2}}\b
        | \b\d{{4}}\.\s*(?:gada\s+)?\d{{1,2}}\.\s*(?:{m})\b
        | \b\d{{4}}(?:\.|\s*m\.)?\s*(?:{m})\b\.?\s+\d{{1,2}}\b(?:\s*d\b\.?|\.)?"
    ))
    .expect("date regex")
});

const CURRENCY: &str = r"R\$|[$€£¥₹]|\b(?:USD|EUR|GBP|CHF|PLN|INR|CAD|AUD|JPY|SEK|NOK|DKK|CZK|HUF|RON|BGN|TRY|BRL|MXN|ZAR|SGD|HKD|NZD|Rs|zł|zl|Kč|Ft|kr|lei)\b\.?";

static CURRENCY_ONLY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)^(?:{CURRENCY})$")).expect("currency regex"));

/// Whether a word is a currency code or sign and nothing else ("CHF", "€", "Kč").
pub fn is_currency(word: &str) -> bool {
    CURRENCY_ONLY.is_match(word.trim())
}

static MONEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?x)
        (?P<pre>(?:{CURRENCY})\s?)?
        (?P<num>[-−]?\s?
            (?: \d{{1,3}}(?:[\u{{a0}}\u{{202f}}\x20]\d{{3}})+[.,]\d{{2}}\b
              | \d{{1,3}}(?:[,.'’]\d{{3}})+(?:[.,]\d{{1,2}})?
              | \d+(?:[.,]\d{{1,2}})?
            ))
        (?P<post>\s?(?:{CURRENCY}))?"
    ))
    .expect("money regex")
});

static PERCENT_AFTER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s?%").unwrap());

/// Date spans, in order.
pub fn dates(text: &str) -> Vec<Range<usize>> {
    DATE.find_iter(text).map(|m| m.range()).collect()
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Amount spans in order, outside dates and percentages, each with its strength: 1 with a
/// currency, 0.9 with two decimals, 0.5 for a bare integer.
pub fn amounts(text: &str) -> Vec<Span> {
    // Dates are blanked first (same byte length, so offsets hold): a year must neither be an
    // amount nor swallow the currency sign of the amount after it.
    let mut masked = text.to_string();
    for d in dates(text) {
        masked.replace_range(d.clone(), &" ".repeat(d.len()));
    }
    let text = masked.as_str();
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(c) = MONEY.captures_at(text, pos) {
        let (Some(all), Some(num)) = (c.get(0), c.name("num")) else {
            break;
        };
        let mut r = all.range();
        // An amount has one currency: with a sign before it, the sign after it opens the next
        // amount ("$1,000.00 $200.00").
        if c.name("pre").is_some() && c.name("post").is_some() {
            r.end = num.end();
        }
        pos = r.end.max(pos + 1);
        if PERCENT_AFTER.is_match(&text[r.end..]) {
            continue;
        }
        // Part of a word or a code ("A4", "n°56", "2022089083-B"): not an amount. The number
        // may start with the space it swallowed; what stands before it is before that space
        // ("24.99 5.00": the second amount follows a space, not the first one's last digit).
        let lead = num.as_str().len() - num.as_str().trim_start().len();
        let before = text[..num.start() + lead].chars().next_back();
        let after = text[num.end()..].chars().next();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '/')
            && c.name("pre").is_none()
            || after.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '/')
                && c.name("post").is_none()
        {
            continue;
        }
        let digits = num.as_str();
        let currency = c.name("pre").is_some() || c.name("post").is_some();
        let decimals = digits
            .rfind(['.', ','])
            .is_some_and(|p| digits.len() - p - 1 == 2);
        let strength = if currency {
            1.0
        } else if decimals {
            0.9
        } else {
            0.5
        };
        let trimmed = trim_range(text, r);
        out.push(Span {
            range: trimmed,
            strength,
        });
    }
    out
}

fn trim_range(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let start = r.start + (s.len() - s.trim_start().len());
    let end = r.end - (s.len() - s.trim_end().len());
    start..end.max(start)
}

/// Identifier spans: a token of letters, digits and `_-/.` holding at least one digit, that is
/// not a date, not an amount with a currency or decimals, not a percentage.
pub fn identifiers(text: &str) -> Vec<Span> {
    static TOKEN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[\p{L}\p{N}][\p{L}\p{N}_/.\-]*[\p{L}\p{N}]|\p{N}").unwrap());
    let ds = dates(text);
    let money: Vec<Span> = amounts(text)
        .into_iter()
        .filter(|s| s.strength >= 0.9)
        .collect();
    let mut out = Vec::new();
    for m in TOKEN.find_iter(text) {
        let r = m.range();
        let t = m.as_str();
        if !t.chars().any(|c| c.is_ascii_digit())
            || ds.iter().any(|d| overlaps(d, &r))
            || money.iter().any(|s| overlaps(&s.range, &r))
            || PERCENT_AFTER.is_match(&text[r.end..])
        {
            continue;
        }
        let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
        // "1" or "12" alone is a count or a page number more often than a reference.
        let strength = if digits >= 3 || t.len() >= 5 {
            1.0
        } else {
            0.5
        };
        out.push(Span { range: r, strength });
    }
    group_digits(text, out)
        .into_iter()
        .map(|s| with_printed_prefix(text, s))
        .collect()
}

/// A series letter code printed before the number and separated from it by one space ("F
/// 1234K20/1234/12", "INV 2024-001") is part of the identifier: taking the number alone reads
/// another value. Only when the code opens the value (nothing but label punctuation before it)
/// and is not itself a label word or a currency ("Nr 123", "EUR 12").
fn with_printed_prefix(text: &str, span: Span) -> Span {
    let before = &text[..span.range.start];
    let Some(head) = before.strip_suffix(' ') else {
        return span;
    };
    let code_start = head
        .rfind(|c: char| !c.is_ascii_uppercase())
        .map_or(0, |i| {
            i + head[i..].chars().next().map_or(1, char::len_utf8)
        });
    let code = &head[code_start..];
    let opens = head[..code_start]
        .trim_end()
        .chars()
        .next_back()
        .is_none_or(|c| matches!(c, ':' | '#' | '°' | 'º' | '|'));
    let known = !crate::pipeline::lexicon::labels()
        .find(&crate::pipeline::lexicon::tokens(code))
        .is_empty()
        || CURRENCY_CODE.is_match(code);
    if !(1..=4).contains(&code.len()) || !opens || known {
        return span;
    }
    Span {
        range: code_start..span.range.end,
        strength: span.strength,
    }
}

static CURRENCY_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^(?:{CURRENCY})$")).unwrap());

/// Digit groups printed with single spaces between them ("229 866 3169", an account number
/// printed for reading aloud) are one identifier: three or more groups of 2–4 digits.
fn group_digits(text: &str, spans: Vec<Span>) -> Vec<Span> {
    let group = |s: &Span| {
        let t = &text[s.range.clone()];
        (2..=4).contains(&t.len()) && t.chars().all(|c| c.is_ascii_digit())
    };
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    let mut i = 0;
    while i < spans.len() {
        let mut j = i;
        while j + 1 < spans.len()
            && group(&spans[j])
            && group(&spans[j + 1])
            && &text[spans[j].range.end..spans[j + 1].range.start] == " "
        {
            j += 1;
        }
        if j >= i + 2 {
            out.push(Span {
                range: spans[i].range.start..spans[j].range.end,
                strength: 1.0,
            });
            i = j + 1;
        } else {
            out.push(spans[i].clone());
            i += 1;
        }
    }
    out
}

/// Spans of `kind` in `text`, in order of appearance; for free text (name, text, address) the
/// whole text trimmed of label punctuation.
pub fn find(kind: ValueType, text: &str) -> Vec<Span> {
    match kind {
        ValueType::Money | ValueType::Number => amounts(text),
        ValueType::Date => dates(text)
            .into_iter()
            .map(|range| Span {
                range,
                strength: 1.0,
            })
            .collect(),
        ValueType::Identifier => identifiers(text),
        ValueType::Text | ValueType::Name | ValueType::Address => {
            let t = text.trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, ':' | '#' | '-' | '–' | '.' | '=' | '°' | '|')
            });
            let t = t.trim_end_matches(|c: char| c.is_whitespace() || c == ',' || c == ':');
            if !t.chars().any(char::is_alphanumeric) {
                return Vec::new();
            }
            // Free text that is only an amount or a date is not a name.
            if kind == ValueType::Name
                && (!dates(t).is_empty() && dates(t)[0].len() + 2 >= t.len()
                    || !t.chars().any(char::is_alphabetic))
            {
                return Vec::new();
            }
            let start = text.len()
                - text
                    .trim_start_matches(|c: char| {
                        c.is_whitespace()
                            || matches!(c, ':' | '#' | '-' | '–' | '.' | '=' | '°' | '|')
                    })
                    .len();
            vec![Span {
                range: start..start + t.len(),
                strength: 1.0,
            }]
        }
        other => other
            .pattern()
            .map(|re| {
                re.find_iter(text)
                    .map(|m| Span {
                        range: m.range(),
                        strength: 1.0,
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount_texts(t: &str) -> Vec<&str> {
        amounts(t).into_iter().map(|s| &t[s.range]).collect()
    }

    #[test]
    fn amounts_with_currency_either_side_in_any_locale() {
        assert_eq!(amount_texts("Total TTC : 56,02 €"), ["56,02 €"]);
        assert_eq!(amount_texts("Grand Total $1,234.56"), ["$1,234.56"]);
        assert_eq!(amount_texts("Gesamtbetrag EUR 1.234,56"), ["EUR 1.234,56"]);
        assert_eq!(amount_texts("Totaal € 1 234,56"), ["€ 1 234,56"]);
        // A grid row: every cell, not only the first.
        assert_eq!(amount_texts("24.99 5.00 29.99"), ["24.99", "5.00", "29.99"]);
        assert_eq!(amount_texts("Total CHF 1'234.50"), ["CHF 1'234.50"]);
        assert_eq!(amount_texts("$1,000.00 $200.00"), ["$1,000.00", "$200.00"]);
        // Currencies written as local signs.
        assert_eq!(amount_texts("Fizetendő: 76 200,00 Ft"), ["76 200,00 Ft"]);
        assert_eq!(amount_texts("Att betala 4 237,50 kr"), ["4 237,50 kr"]);
        assert_eq!(amount_texts("Celkem 1 210,00 Kč"), ["1 210,00 Kč"]);
        assert_eq!(
            amount_texts("Total de plată 1.743,35 lei"),
            ["1.743,35 lei"]
        );
        assert_eq!(amount_texts("Total R$ 1.234,56"), ["R$ 1.234,56"]);
    }

    #[test]
    fn a_date_on_the_total_line_is_not_the_total() {
        let t = "TOTAL AMOUNT DUE ON August 3 , 2014 $4.11";
        assert_eq!(amount_texts(t), ["$4.11"]);
        let t = "Montant dû le 05/07/2015 29.99";
        assert_eq!(amount_texts(t), ["29.99"]);
        assert_eq!(amount_texts("TVA 20% : 9,34 €"), ["9,34 €"]);
    }

    #[test]
    fn dates_in_many_languages() {
        for t in [
            "August 3 , 2014",
            "7. Mai 2014",
            "02 Juillet 2015",
            "15 de marzo de 2021",
            "3 maart 2020",
            "12 settembre 2019",
            "5 de março de 2022",
            "20-10-2015",
            "2022-11-28",
            "Jan 31, 2022",
            "5-Mar-24",
            "March 5th, 2024",
            "15. März 2024",
            "3 janvier 2025",
            "1 de marzo de 2024",
            "12 maggio 2024",
            "5 mei 2024",
            "5. března 2024",
            "12 października 2023",
            "2024. gada 15. martā",
            "2024.03.15",
            "2024/03/15",
            "2024. március 15.",
            "2024 m. kovo 15 d.",
            "15. maaliskuuta 2024",
            "15 martie 2024",
            "15. augusti 2024",
            "26. 9. 2024",
            "01. 01. 2021",
            "7 lipca 2025",
            "5. februar 2024",
            "23 januari 2024",
            "Setembro, 23, 2016",
        ] {
            let d = dates(t);
            assert_eq!(d.len(), 1, "{t}");
            assert_eq!(&t[d[0].clone()], t, "{t}");
        }
    }

    #[test]
    fn identifiers_are_not_dates_or_amounts() {
        let ids = |t: &'static str| -> Vec<&'static str> {
            identifiers(t).into_iter().map(|s| &t[s.range]).collect()
        };
        assert_eq!(ids("# BLR_WFLD20151000982590"), ["BLR_WFLD20151000982590"]);
        assert_eq!(ids("28/11/2022 F-2022-0042"), ["F-2022-0042"]);
        assert_eq!(ids("$4.11 42183017"), ["42183017"]);
        assert!(ids("August 3 , 2014").is_empty());
        assert_eq!(ids("Vertragskonto 229 866 3169"), ["229 866 3169"]);
        assert_eq!(ids("Pos 12 34"), ["12", "34"]);
        // A series code opening the value stays with its number; a label word does not.
        assert_eq!(ids("F 1234K20/1234/12"), ["F 1234K20/1234/12"]);
        assert_eq!(ids(": INV 2024-001 Data"), ["INV 2024-001"]);
        assert_eq!(ids("TVA 4711"), ["4711"]);
        assert_eq!(ids("Ref 4711 F 12"), ["4711", "12"]);
    }
}
