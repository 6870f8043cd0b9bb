//! Where a party's address ends: the lines after its name in its block, up to an identifier,
//! a label, a contact line or another company's name; and the block a name heads elsewhere.

use std::sync::LazyLock;

use regex::Regex;

use super::{COMPANY, CONTACT, LEGAL, TAX_ID, blocks, legal, pick, seg_text};
use crate::pipeline::extract::generic::{self, Pick};
use crate::pipeline::extract::view::PageView;
use crate::pipeline::lexicon;

/// Concepts whose label opens a line that is no address line, colon or not ("USt-IdNr.
/// DE 123", "VAT No GB 123", "IČO 12345678"): a party's identifiers, bank and contact details.
const IDENTIFIER_CONCEPTS: &[&str] = &[
    "vat_id",
    "iban",
    "account_number",
    "customer_number",
    "phone",
    "email",
];

/// Whether a line ends the address above it: it opens with a label of the lexicon (with its
/// colon, or one of a party's identifiers with a value after it), with a company's legal
/// mention (register, capital, bank), or, once the name is read, with a short head and a colon
/// that is no address label ("DIČ: CZ…", "Reg. No.: 123"; a block's first line may be "ATTN:
/// name"). An address line names streets and towns, not labels.
pub(super) fn ends_an_address(text: &str, after_name: bool) -> bool {
    generic::starts_with_label(text.trim()) || identifier_line(text, after_name) || phone_only(text)
}

/// A telephone number printed alone, with no label: "(99) 9 9999-9999", "+49 30 1234567".
/// Seven digits or more and nothing but digits, spaces and `+ ( ) - . /`: no postcode or
/// street reads so.
pub(super) fn phone_only(text: &str) -> bool {
    let t = text.trim();
    t.chars().filter(char::is_ascii_digit).count() >= 7
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '(' | ')' | '-' | '.' | '/'))
}

/// Whether a line holds a party's identifier, bank or contact details rather than its name or
/// address: [`ends_an_address`] without the labels of other things ("ATTN:", "Bill to:").
pub(super) fn identifier_line(text: &str, after_name: bool) -> bool {
    let t = text.trim();
    if LEGAL.find(t).is_some_and(|m| m.start() == 0) || TAX_ID.is_match(t) {
        return true;
    }
    let toks = lexicon::tokens(t);
    let lex = lexicon::labels();
    let identifier = lex.find(&toks).iter().any(|m| {
        m.start == 0 && IDENTIFIER_CONCEPTS.contains(&m.concept.key.as_str()) && m.len < toks.len()
    });
    if identifier {
        return true;
    }
    let Some((head, value)) = t.split_once(':') else {
        return false;
    };
    let head_toks = lexicon::tokens(head);
    let address_label = lex.find(&head_toks).iter().any(|m| {
        matches!(
            m.concept.key.as_str(),
            "address" | "ship_to" | "service_address"
        )
    });
    after_name
        && (1..=3).contains(&head_toks.len())
        && head.chars().any(char::is_alphabetic)
        && !head.chars().any(|c| c.is_ascii_digit())
        && !value.trim().is_empty()
        && !address_label
}

/// The value of a line that an address label opens ("Adres: ul. Testowa 456" → "ul. Testowa
/// 456", "Anschrift: Hafenstraße 12"): the whole text before the colon is the label.
pub(super) fn address_label_value(text: &str) -> Option<String> {
    let (head, value) = text.split_once(':')?;
    let value = value.trim();
    let toks = lexicon::tokens(head);
    let whole = lexicon::labels()
        .find(&toks)
        .iter()
        .any(|m| m.start == 0 && m.len == toks.len() && m.concept.key == "address");
    (whole && value.chars().any(char::is_alphanumeric)).then(|| value.to_string())
}

/// Lines of an address: the segments after the name in its block, up to four, stopping at
/// contact lines, at labels, and at a company's name (another party's block, or the same
/// party's branch, begins there).
pub(super) fn address_after(view: &PageView, block: &[usize], name_seg: usize) -> Vec<usize> {
    let start = block
        .iter()
        .position(|&s| s == name_seg)
        .map_or(block.len(), |p| p + 1);
    let mut out = Vec::new();
    let mut skipped = 0;
    for &s in &block[start..] {
        let t = &view.segments[s].text;
        if out.len() >= 4 || !out.is_empty() && COMPANY.is_match(t) {
            break;
        }
        if CONTACT.is_match(t) || ends_an_address(t, true) {
            // "Algade 128, 4000 Roskilde | CVR-nr. DK63892781": the address, then the
            // party's identifiers on the same line.
            if address_head(t).is_some() {
                out.push(s);
            } else if out.is_empty() && skipped < MAX_IDS_BEFORE && !CONTACT.is_match(t) {
                // "Tech Solutions GmbH / USt-IdNr.: DE123 / Musterstraße 1": the identifiers
                // may come between the name and its street.
                skipped += 1;
                continue;
            }
            break;
        }
        // After skipped identifiers, a street or a town and no company ("Dane do przelewu" /
        // "IBAN …" / "Wójcik Serwis IT Sp. z 0.0.", its zeros read for o's).
        if skipped > 0 && out.is_empty() && (!street_or_town(t) || COMPANY.is_match(t)) {
            break;
        }
        out.push(s);
    }
    out
}

/// Identifier lines an address may follow under its name.
const MAX_IDS_BEFORE: usize = 2;

/// Whether a line reads as a street or a town: a number and a word ("Gartenweg 97", "20095
/// Hamburg"), not a reference or an account number ("FV/577/08/2024", "2024-0819").
pub(super) fn street_or_town(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        && text
            .split(|c: char| !c.is_alphabetic())
            .any(|w| w.chars().count() >= 3)
}

/// An address line's text: the parts of a line joined by `|`, `·` or `•` up to the first
/// identifier or contact part ("Masarykova 28, 301 00 Plzeň | DIČ CZ70920006" → "Masarykova
/// 28, 301 00 Plzeň"), else the whole line.
fn address_line(view: &PageView, seg: usize) -> String {
    let mut t = seg_text(&view.segments[seg]);
    if let Some(town) = town_beside_postcode(view, seg) {
        t = format!("{t} {}", seg_text(&view.segments[town]));
    }
    address_head(&t).unwrap_or(t)
}

/// An address read from the segments `lines`: each line as [`address_line`] reads it, passed
/// through `tidy`, joined with ", "; and the segments it came from, a town set apart from its
/// postcode included, for the pick's words and box.
pub(super) fn address_text(
    view: &PageView,
    lines: &[usize],
    tidy: impl Fn(String) -> String,
) -> (String, Vec<usize>) {
    let text = lines
        .iter()
        .map(|&s| tidy(address_line(view, s)))
        .collect::<Vec<_>>()
        .join(", ");
    let segs = lines
        .iter()
        .flat_map(|&s| std::iter::once(s).chain(town_beside_postcode(view, s)))
        .collect();
    (text, segs)
}

/// A postcode printed alone in its segment: digits ("75012", "1010"), or a country letter
/// and digits ("D-80331", "CH-8001").
static POSTCODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[A-Z]{1,2}-)?\d{4,6}$").unwrap());

/// "8001 Zürich", "D-10115 Berlin", "CH-8006 Zürich": a postcode then its town's words.
pub(super) fn postcode_and_town(text: &str) -> bool {
    let mut words = text.split_whitespace();
    words.next().is_some_and(|w| POSTCODE.is_match(w))
        && words
            .next()
            .is_some_and(|w| w.chars().next().is_some_and(char::is_alphabetic))
}

/// The town a template sets a little apart from its postcode ("75012" then "Paris" a wide
/// gap later, two cells of one line): the next segment on the line when it starts within
/// three word heights and is a short run of words with no digit, no label and no contact.
fn town_beside_postcode(view: &PageView, seg: usize) -> Option<usize> {
    let s = &view.segments[seg];
    if !POSTCODE.is_match(s.text.trim()) {
        return None;
    }
    let (at, next) = view
        .segments
        .iter()
        .enumerate()
        .filter(|(_, n)| n.line == s.line && n.bbox.left >= s.bbox.right())
        .min_by(|a, b| a.1.bbox.left.total_cmp(&b.1.bbox.left))?;
    let text = seg_text(next);
    let close = next.bbox.left - s.bbox.right() < 3.0 * s.bbox.height;
    let town = text.chars().next().is_some_and(char::is_uppercase)
        && !text.chars().any(|c| c.is_ascii_digit())
        && text.split_whitespace().count() <= 4
        && !CONTACT.is_match(&text)
        && !ends_an_address(&text, true);
    (close && town).then_some(at)
}

/// The parts of a line joined by `|`, `·` or `•` before its first identifier or contact part,
/// when there are such parts, the head holds a number, and no part before is a label.
fn address_head(text: &str) -> Option<String> {
    let parts: Vec<&str> = text
        .split(['|', '·', '•'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let stop = |p: &str| CONTACT.is_match(p) || ends_an_address(p, true);
    let keep = parts.iter().position(|p| stop(p))?;
    let head = parts[..keep].join(", ");
    (keep > 0 && head.chars().any(|c| c.is_ascii_digit())).then_some(head)
}

/// The address under a block headed by `name` anywhere in the document ("Amazon Web Services,
/// Inc." over its street and town at the foot of a page, the name a "sold by" line gave).
pub(super) fn address_under_name(views: &[PageView], name: &str, score: f32) -> Option<Pick> {
    for (pi, view) in views.iter().enumerate() {
        for block in blocks(view) {
            // The name heads its block: under another line it is a branch's or a
            // delivery address's first line, not the issuer's own block. A heading label or a
            // note in parentheses over it heads nothing ("Service Provider:" over "(Not to be
            // used for payment remittance)" over "Amazon Web Services, Inc.").
            let Some(&s) = block
                .iter()
                .find(|&&s| !heading_or_note(&view.segments[s].text))
            else {
                continue;
            };
            let t = seg_text(&view.segments[s]);
            if !legal::opens_with(&t, name)
                || t.split_whitespace().count() > name.split_whitespace().count() + 2
            {
                continue;
            }
            let lines = address_after(view, &block, s);
            if lines.is_empty()
                || !lines
                    .iter()
                    .any(|&l| view.segments[l].text.chars().any(|c| c.is_ascii_digit()))
            {
                continue;
            }
            let (text, segs) = address_text(view, &lines, |l| l);
            return Some(pick(
                pi,
                view,
                &segs,
                text,
                score,
                "the block headed by the vendor's name",
            ));
        }
    }
    None
}

/// A block's heading rather than its party: a short label ending in a colon, or a note in
/// parentheses.
fn heading_or_note(text: &str) -> bool {
    let t = text.trim();
    t.starts_with('(') && t.ends_with(')')
        || t.ends_with(':')
            && (1..=3).contains(&t.split_whitespace().count())
            && !t.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_line_stops_before_the_identifiers_on_it() {
        for (line, head) in [
            (
                "Masarykova 2646/28, 301 00 Plzeň | DIČ CZ70920006",
                Some("Masarykova 2646/28, 301 00 Plzeň"),
            ),
            (
                "Algade 128, 4000 Roskilde | CVR-nr. DK63892781",
                Some("Algade 128, 4000 Roskilde"),
            ),
            (
                "Gartenweg 97 · 20095 Hamburg · USt-IdNr. DE096980995",
                Some("Gartenweg 97, 20095 Hamburg"),
            ),
            ("ul. Piotrkowska 55/32, 80-001 Gdańsk", None),
            ("DIČ CZ70920006 | IČO 70920006", None),
        ] {
            assert_eq!(address_head(line).as_deref(), head, "{line}");
        }
    }

    #[test]
    fn a_swiss_vat_number_ends_an_address() {
        assert!(ends_an_address("MWST-Nr. CHE-379.728.899 MWST", true));
        assert!(ends_an_address("N. IVA CHE-446.707.912", true));
        assert!(!ends_an_address("Poststrasse 88", true));
        assert!(!ends_an_address("3011 Bern", true));
    }
}
