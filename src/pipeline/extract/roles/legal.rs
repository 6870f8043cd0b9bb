//! The issuer as its legal mentions name it, wherever they are printed: a line with the
//! company's capital or register ("Free SAS au capital de …", "Nordlicht GmbH · HRB 1234"), the
//! first line of the block such a line ends (a footer "NETPRESSE / Siège social : … / Sarl au
//! capital …"), or the holder of the bank account payment goes to ("Titulaire du compte :
//! NETPRESSE", "Kontoinhaber: …"). Only the issuer prints these about itself, so they tell which
//! letterhead line is its name, and name it when the letterhead is a logo.

use std::sync::LazyLock;

use regex::Regex;

use super::{COMPANY, blocks, seg_text};
use crate::pipeline::extract::view::PageView;

/// Share of the page (from the top) below which a footer's legal line is printed.
const FOOTER: f32 = 0.6;

/// A company's capital or register, the mentions a legal line opens with after the name.
static MENTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:au capital|capital social|share capital|stammkapital|grundkapital|capitale sociale|capital de|RCS|R\.C\.S|SIRE[NT]|HRB|HRA|amtsgericht|registergericht|handelsregister|registered (?:in|office)|company (?:no|number|registration)|KvK|CIF|NIF|REA|KRS)\b").unwrap()
});

/// The label of a bank account's holder, in the languages we read.
static HOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:titulaire du compte|account holder|account name|beneficiary|kontoinhaber|begünstigter|titular de la cuenta|titular|rekeninghouder|ten name van|intestatario|intestato a|beneficiario)\s*:\s*(.+)$").unwrap()
});

/// A block's line that opens with "registered office" or its translations: its address.
static SEAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:siège social|siège|registered office|head office|sitz(?: der gesellschaft)?|firmensitz|domicilio social|sede legale|sede sociale|sede|statutaire zetel)\s*:?\s*").unwrap()
});

/// The issuer a page's legal mentions name: the page, the name, and the segment it is read
/// from (`None` when read beside a bank label, where no block of its own follows).
#[derive(Debug, Clone, PartialEq)]
pub struct LegalName {
    pub page: usize,
    pub name: String,
    pub seg: usize,
    /// The block's "registered office" line, read as the issuer's address.
    pub seat: Option<(usize, String)>,
}

/// Whether `text` could be a company's name: letters, no colon, not a sentence.
fn name_like(text: &str) -> bool {
    let t = text.trim();
    t.chars().filter(|c| c.is_alphabetic()).count() >= 3
        && !t.contains(':')
        && t.split_whitespace().count() <= 6
        && !t.chars().any(|c| c.is_ascii_digit())
}

/// The name a legal line opens with: the words before its company form ("Free SAS au capital"
/// → "Free"), the form kept when nothing else names it ("ACME GmbH, HRB 1" → "ACME GmbH").
fn name_before_mention(text: &str) -> Option<String> {
    let m = MENTION.find(text)?;
    let head = &text[..m.start()];
    let form = COMPANY.find_iter(head).last()?;
    let name = head[..form.start()]
        .trim()
        .trim_end_matches([',', '-', '–', '·', '|'])
        .trim();
    name_like(name).then(|| name.to_string())
}

/// The issuer named by its legal mentions: pages in order, footer lines bottom-up; else the
/// holder of the bank account on any page.
pub fn legal_name(views: &[PageView]) -> Option<LegalName> {
    for (pi, view) in views.iter().enumerate() {
        let segs = &view.segments;
        let mut order: Vec<usize> = (0..segs.len()).collect();
        order.sort_by(|&a, &b| segs[b].bbox.top.total_cmp(&segs[a].bbox.top));
        // A legal line is a footer's; a customer's identifiers sit higher up.
        for &s in order.iter().filter(|&&s| segs[s].bbox.top > FOOTER) {
            let text = seg_text(&segs[s]);
            if let Some(name) = name_before_mention(&text) {
                return Some(LegalName {
                    page: pi,
                    name,
                    seg: s,
                    seat: None,
                });
            }
            if MENTION.is_match(&text) && COMPANY.find(&text).is_some_and(|m| m.start() == 0) {
                // "Sarl au capital de 10 000 €": the name is the first line of its block.
                let all = blocks(view);
                let Some(block) = all.iter().find(|b| b.contains(&s)) else {
                    continue;
                };
                let first = block[0];
                let name = seg_text(&segs[first]);
                if first != s && name_like(&name) {
                    let seat = block.iter().find_map(|&o| {
                        let t = seg_text(&segs[o]);
                        let m = SEAT.find(&t)?;
                        let rest = t[m.end()..].trim();
                        let address = super::sender_parts(rest)
                            .into_iter()
                            .take_while(|p| !super::CONTACT.is_match(p) && !p.contains(':'))
                            .collect::<Vec<_>>()
                            .join(" - ");
                        (!address.is_empty()).then_some((o, address))
                    });
                    return Some(LegalName {
                        page: pi,
                        name,
                        seg: first,
                        seat,
                    });
                }
            }
        }
    }
    // A bank account's holder.
    for (pi, view) in views.iter().enumerate() {
        for (s, seg) in view.segments.iter().enumerate() {
            let text = seg_text(seg);
            if let Some(c) = HOLDER.captures(&text) {
                let name = c[1].trim().to_string();
                if name_like(&name) {
                    return Some(LegalName {
                        page: pi,
                        name,
                        seg: s,
                        seat: None,
                    });
                }
            }
        }
    }
    None
}

/// Whether a letterhead line starts with the legal name, word for word, case folded: "Free
/// Service Abonné" is Free's letterhead.
pub fn opens_with(line: &str, name: &str) -> bool {
    let fold = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (l, n) = (fold(line), fold(name));
    !n.is_empty() && l.len() >= n.len() && l[..n.len()] == n[..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_before_a_legal_mention() {
        let cases = [
            (
                "Free SAS au capital de 3.441.812 Euros - RCS Paris",
                Some("Free"),
            ),
            (
                "Nordlicht Technik GmbH · HRB 12345 Amtsgericht Hamburg",
                Some("Nordlicht Technik"),
            ),
            (
                "Brightwater Tools Ltd, registered in England no 123",
                Some("Brightwater Tools"),
            ),
            (
                "Ferri Impianti S.r.l. - capitale sociale 10.000 €",
                Some("Ferri Impianti"),
            ),
            ("Sarl au capital de 10 000€ - RCS Paris B 530", None),
            ("Total HT 120,00", None),
        ];
        for (line, want) in cases {
            assert_eq!(name_before_mention(line).as_deref(), want, "{line}");
        }
    }

    #[test]
    fn a_letterhead_line_opens_with_the_name() {
        assert!(opens_with("Free Service Abonné", "Free"));
        assert!(opens_with("NORDLICHT TECHNIK GmbH", "Nordlicht Technik"));
        assert!(!opens_with("Freedom Mobile", "Free"));
        assert!(!opens_with("Service Free", "Free"));
    }
}
