//! Fields a page states by where things are rather than by a label: the issuer (the letterhead,
//! the sender line above the recipient window, a "sold by" or "service provider" block, the
//! legal line in the footer), the customer (the block under "bill to" and its translations,
//! else the recipient window); line-item columns are read by [`super::items`].
//!
//! What a heuristic finds is reported below the usual thresholds unless a label backs it: a
//! letterhead guess can be the customer's block, so it goes to review.

use std::sync::LazyLock;

use regex::Regex;

use super::generic::{self, Pick};
use super::items::column;
use super::view::PageView;
use crate::model::BoundingBox;
use crate::pipeline::config::{FieldDef, ValueType};
use crate::pipeline::layout::Segment;
use crate::pipeline::lexicon;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Vendor {
        address: bool,
    },
    Customer {
        address: bool,
    },
    /// The cells of one line-item column: `description`, `quantity`, `unit_price`, `amount`.
    Column(&'static str),
    /// The issuer's letterhead only, whatever labels the field has: its description says so
    /// ("usually in the letterhead") and its concept would read another block (a purchase
    /// order's buyer is its issuer, though "buyer" is a customer word).
    Issuer {
        address: bool,
    },
    /// The block the document is addressed to, under the field's own labels or the recipient's
    /// ("Aan", "Spett.le", "Exmos. Srs."): its description says it is who the document is sent
    /// to (a purchase order's supplier).
    Addressee {
        address: bool,
    },
    /// A delivery address: the block under its label, every line of it (a ship-to block often
    /// has no name line, so its first line is the street).
    ShipTo,
}

/// What a description says about where a party is printed, when that overrides its concept.
fn role_from_description(field: &FieldDef) -> Option<Role> {
    if !matches!(field.value_type, ValueType::Name | ValueType::Address) {
        return None;
    }
    let address = field.value_type == ValueType::Address;
    let d = lexicon::tokens(&field.description).join(" ");
    let concept = field.concept.as_deref();
    let says = |phrases: &[&str]| {
        phrases
            .iter()
            .any(|p| format!(" {d} ").contains(&format!(" {p} ")))
    };
    if !matches!(concept, Some("vendor" | "merchant"))
        && says(&["letterhead", "the issuer", "issued the"])
    {
        return Some(Role::Issuer { address });
    }
    if !matches!(concept, Some("customer")) && says(&["sent to", "addressed to", "the addressee"]) {
        return Some(Role::Addressee { address });
    }
    None
}

/// Which role a generic field plays, from its linked concept and its type.
pub fn role_of(field: &FieldDef) -> Option<Role> {
    if let Some(role) = role_from_description(field) {
        return Some(role);
    }
    let address = field.value_type == ValueType::Address;
    match field.concept.as_deref()? {
        "vendor" | "merchant"
            if matches!(field.value_type, ValueType::Name | ValueType::Address) =>
        {
            Some(Role::Vendor { address })
        }
        "customer" if matches!(field.value_type, ValueType::Name | ValueType::Address) => {
            Some(Role::Customer { address })
        }
        "ship_to" if address => Some(Role::ShipTo),
        "description" => Some(Role::Column("description")),
        "quantity" => Some(Role::Column("quantity")),
        "unit_price" if plural(field) => Some(Role::Column("unit_price")),
        _ => None,
    }
}

/// "UnitPrices", "Quantities", an array: the field holds every row's value.
fn plural(field: &FieldDef) -> bool {
    let name = field.path.last().map(String::as_str).unwrap_or("");
    name.ends_with('s') || field.schema_type == "array"
}

pub fn find(views: &[PageView], field: &FieldDef, role: Role) -> Option<Pick> {
    let names = matches!(
        role,
        Role::Vendor { address: false }
            | Role::Customer { address: false }
            | Role::Issuer { address: false }
            | Role::Addressee { address: false }
    );
    find_role(views, field, role)
        .map(|p| {
            if names {
                without_name_label(views, p)
            } else {
                p
            }
        })
        .filter(|p| !(names && marks::reads_as_no_name(&p.text)))
        .map(|mut p| {
            if names {
                p.text = company_form_as_printed(&p.text);
            }
            p
        })
}

/// "Sp. z 0.0." → "Sp. z o.o.": OCR reads the o's of the Polish company form as zeros, and no
/// company form holds a digit.
fn company_form_as_printed(name: &str) -> String {
    static ZEROS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(Sp\.\s?z\s?)0\.(\s?)0\.").unwrap());
    ZEROS.replace_all(name, "${1}o.${2}o.").into_owned()
}

/// A name picked with its label in front ("Razón social: …") loses the label, text and words.
fn without_name_label(views: &[PageView], mut p: Pick) -> Pick {
    let Some((name, label_words)) = marks::without_name_label(&p.text) else {
        return p;
    };
    if let Some(view) = views.get(p.page)
        && label_words < p.words.len()
    {
        p.words.drain(..label_words);
        let boxes = p.words.iter().map(|&w| &view.words()[w].bbox);
        p.bbox = BoundingBox::enclosing(boxes).unwrap_or(p.bbox);
    }
    p.text = name;
    p
}

fn find_role(views: &[PageView], field: &FieldDef, role: Role) -> Option<Pick> {
    match role {
        Role::Vendor { address } => vendor::vendor(views, field, address),
        Role::Customer { address } => customer::customer(views, field, address),
        Role::Column(c) => column(views, field, c),
        Role::Issuer { address } => {
            // No labels: the letterhead alone.
            let mut f = field.clone();
            f.labels.clear();
            f.label_strength.clear();
            vendor::vendor(views, &f, address)
        }
        Role::ShipTo => customer::ship_to(views, field),
        Role::Addressee { address } => {
            // The field's own label over a block ("Vendor", "Lieferant") reads as the vendor's
            // block does; else the recipient's labels, a little weaker, or the window.
            let own = generic::labelled(views, field, ValueType::Name)
                .iter()
                .any(|p| p.score >= 0.6);
            if own {
                return vendor::vendor(views, field, address);
            }
            let mut f = field.clone();
            if let Some(c) = lexicon::labels().get("customer") {
                for t in &c.terms {
                    if !f.labels.contains(&t.phrase) {
                        f.labels.push(t.phrase.clone());
                        f.label_strength.push(0.9);
                    }
                }
            }
            customer::customer(views, &f, address)
        }
    }
}

/// Company forms in the languages we read: a line with one names a business. OCR may read
/// the o's of "Sp. z o.o." as zeros.
static COMPANY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:GmbH|AG|KG|UG|e\.\s?K|SARL|SAS|SASU|EURL|S\.?A\.?S?|SNC|B\.?V\.?|N\.?V\.?|Ltd\.?|Limited|Inc\.?|LLC|LLP|PLC|Corp\.?|Corporation|Co\.|S\.?p\.?A\.?|S\.?r\.?l\.?|S\.?L\.?U?|Lda\.?|Ltda\.?|Pvt\.?|Oy|AB|A/S|ApS|Sp\.\s?z\s?[o0]\.?\s?[o0]\.?|Sp\.\s?[jk]\.|spółka|s\.\s?r\.\s?o\.?|a\.\s?s\.|v\.\s?o\.\s?s\.|k\.\s?s\.|S\.A\.C\.?|S\.A\.A\.?|E\.?I\.?R\.?L\.?)(?:\W|$)",
    )
    .unwrap()
});
static CONTACT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)@|www\.|https?://|\b(?:tel|phone|fax|téléphone|telefon|telefoon|telefono|telefone|email|e-mail)\b").unwrap()
});

/// A European VAT number (country code, eight to twelve digits) or a Swiss one ("CHE-123.456.789")
/// whose label OCR set on another line: no address line holds one.
static TAX_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[A-Z]{2} ?\d{8,12}\b|\bCHE[- ]?\d{3}[. ]?\d{3}[. ]?\d{3}\b").unwrap()
});

/// A company's legal mentions: capital, register and tax numbers, bank details.
static LEGAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:au capital|capital social|share capital|stammkapital|grundkapital|capitale sociale|RCS|SIRE[NT]|KRS|REGON|HRB|HRA|amtsgericht|registergericht|handelsregister|company (?:no|number|registration)|registered (?:in|office)|IBAN|BIC|USt-?IdNr|TVA intra(?:communautaire)?|kvk|btw-?nr)\b").unwrap()
});

/// Whether `text` is nothing but company forms ("GmbH", "S.A.", "B.V.").
fn bare_company_form(text: &str) -> bool {
    COMPANY.is_match(text)
        && !COMPANY
            .replace_all(text, " ")
            .chars()
            .any(char::is_alphabetic)
}

/// Segments of a page grouped into blocks: one under the other, close, overlapping in x.
pub(super) fn blocks(view: &PageView) -> Vec<Vec<usize>> {
    let segs = &view.segments;
    let mut order: Vec<usize> = (0..segs.len()).collect();
    order.sort_by(|&a, &b| segs[a].bbox.top.total_cmp(&segs[b].bbox.top));
    let mut out: Vec<Vec<usize>> = Vec::new();
    for i in order {
        let s = &segs[i];
        let join = out.iter_mut().rev().take(12).find(|b| {
            let last = &segs[*b.last().expect("blocks are never empty")];
            let gap = s.bbox.top - last.bbox.bottom();
            gap >= -0.002
                && gap < 1.2 * s.bbox.height.max(last.bbox.height)
                && ((s.bbox.left - last.bbox.left).abs() < 0.02
                    || s.bbox.x_overlap(&last.bbox) > 0.0)
        });
        match join {
            Some(b) => b.push(i),
            None => out.push(vec![i]),
        }
    }
    out
}

fn seg_text(s: &Segment) -> String {
    s.text
        .trim()
        .trim_end_matches([',', ':', ';'])
        .trim()
        .to_string()
}

fn pick(
    view_idx: usize,
    view: &PageView,
    segs: &[usize],
    text: String,
    score: f32,
    reason: &str,
) -> Pick {
    let words: Vec<usize> = segs
        .iter()
        .flat_map(|&s| view.segments[s].words.iter().copied())
        .collect();
    let bbox =
        BoundingBox::enclosing(segs.iter().map(|&s| &view.segments[s].bbox)).unwrap_or_default();
    Pick {
        text,
        score,
        page: view_idx,
        words,
        bbox,
        label: None,
        reason: reason.to_string(),
    }
}

/// A sender line's parts: "Name AG - Street 1 - 12345 City", with `-`, `–`, `·`, `•` or `|`
/// between them.
fn sender_parts(line: &str) -> Vec<String> {
    let mut t = line.split_whitespace().collect::<Vec<_>>().join(" ");
    for sep in [" – ", " — ", " · ", " • ", " | "] {
        t = t.replace(sep, " - ");
    }
    t.split(" - ")
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// "Warehouse Address: NO. 42/1 …" → "NO. 42/1 …".
fn strip_label(text: &str) -> String {
    match text.split_once(':') {
        Some((l, r)) if lexicon::tokens(l).len() <= 3 && !r.trim().is_empty() => {
            r.trim().to_string()
        }
        _ => text.trim().to_string(),
    }
    .trim_end_matches([',', ';'])
    .to_string()
}

mod address;
mod customer;
mod footer;
pub(super) use footer::FooterIssuer;
mod labelled_block;
mod legal;
mod marks;
mod vendor;

#[cfg(test)]
mod footer_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod two_blocks_tests;
