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
use super::items::{column, looks_like_items};
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
        .filter(|p| !(names && marks::names_no_party(&p.text)))
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
        Role::Vendor { address } => vendor(views, field, address),
        Role::Customer { address } => customer(views, field, address),
        Role::Column(c) => column(views, field, c),
        Role::Issuer { address } => {
            // No labels: the letterhead alone.
            let mut f = field.clone();
            f.labels.clear();
            f.label_strength.clear();
            vendor(views, &f, address)
        }
        Role::ShipTo => ship_to(views, field),
        Role::Addressee { address } => {
            // The field's own label over a block ("Vendor", "Lieferant") reads as the vendor's
            // block does; else the recipient's labels, a little weaker, or the window.
            let own = generic::labelled(views, field, ValueType::Name)
                .iter()
                .any(|p| p.score >= 0.6);
            if own {
                return vendor(views, field, address);
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
            customer(views, &f, address)
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

/// A European VAT number (country code, eight to twelve digits) whose label OCR set on another
/// line: no address line holds one.
static TAX_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b[A-Z]{2} ?\d{8,12}\b").unwrap());

/// A company's legal mentions: capital, register and tax numbers, bank details.
static LEGAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:au capital|capital social|share capital|stammkapital|grundkapital|capitale sociale|RCS|SIRE[NT]|KRS|REGON|HRB|HRA|amtsgericht|registergericht|handelsregister|company (?:no|number|registration)|registered (?:in|office)|IBAN|BIC|USt-?IdNr|TVA intra(?:communautaire)?|kvk|btw-?nr)\b").unwrap()
});

/// A vendor read beside its label from a footer's legal line ("FOURNISSEUR F SARL au capital
/// de 50 000 EUR - RCS …") is weaker evidence than the letterhead: its score drops under the
/// usual thresholds unless the letterhead (the top third of the first page) names it too.
fn footer_legal_is_weaker(views: &[PageView], p: &mut Pick) {
    let footer = p.bbox.top > 0.7;
    let Some(m) = LEGAL.find(&p.text).filter(|_| footer) else {
        return;
    };
    let name = p.text[..m.start()]
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    let agrees = name.chars().filter(|c| c.is_alphabetic()).count() >= 3
        && views.first().is_some_and(|v| {
            v.segments
                .iter()
                .filter(|s| s.bbox.top < 0.33)
                .map(|s| s.text.trim().to_lowercase())
                .filter(|t| t.chars().filter(|c| c.is_alphabetic()).count() >= 4)
                .any(|t| t.contains(&name) || name.contains(&t))
        });
    if !agrees {
        p.score *= 0.75;
        p.reason
            .push_str(", from a footer's legal line that the letterhead does not confirm");
    }
}

/// A label word read as the first word of a company's name: the line is a name, but which
/// party's only the word says.
const OPENS_NAME: f32 = 0.9;

/// Whether `text` is nothing but company forms ("GmbH", "S.A.", "B.V.").
fn bare_company_form(text: &str) -> bool {
    COMPANY.is_match(text)
        && !COMPANY
            .replace_all(text, " ")
            .chars()
            .any(char::is_alphabetic)
}

/// A label word followed by nothing but a company form ("Lieferant GmbH", "Supplier Ltd",
/// "Vendeur SARL" printed as a sender's name), or opening a company's name with no colon after
/// it ("Empresa Demo S.A.C."), is part of the name, not its label: the name is the whole line
/// the label stands on.
fn label_names_the_company(views: &[PageView], p: &mut Pick) {
    let view = &views[p.page];
    let Some((i, seg)) = view
        .segments
        .iter()
        .enumerate()
        .find(|(_, s)| p.words.iter().any(|w| s.words.contains(w)))
    else {
        return;
    };
    // The label is the one word before the value on its segment.
    let opens =
        p.words.first() == seg.words.get(1) && marks::label_opens_a_name(view, seg.words[0]);
    if !(opens || bare_company_form(&p.text)) {
        return;
    }
    let text = seg_text(seg);
    if bare_company_form(&text) {
        return;
    }
    p.text = text;
    p.words = view.segments[i].words.clone();
    p.bbox = seg.bbox;
    p.score *= OPENS_NAME;
    p.reason
        .push_str(", the label word and a company form: the company's own name");
}

/// Segments of a page grouped into blocks: one under the other, close, overlapping in x.
fn blocks(view: &PageView) -> Vec<Vec<usize>> {
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

/// Remove the document's title from a letterhead line ("Amazon Web Services Invoice").
fn without_title(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut keep = words.len();
    while keep > 0 {
        let toks = lexicon::tokens(words[keep - 1]);
        let is_title = !toks.is_empty()
            && lexicon::documents()
                .find(&toks)
                .iter()
                .any(|m| m.len == toks.len());
        if !is_title {
            break;
        }
        keep -= 1;
    }
    words[..keep].join(" ")
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
fn ends_an_address(text: &str, after_name: bool) -> bool {
    let t = text.trim();
    if generic::starts_with_label(t)
        || LEGAL.find(t).is_some_and(|m| m.start() == 0)
        || TAX_ID.is_match(t)
    {
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

/// Lines of an address: the segments after the name in its block, up to four, stopping at
/// contact lines, at labels, and at a company's name (another party's block, or the same
/// party's branch, begins there).
fn address_after(view: &PageView, block: &[usize], name_seg: usize) -> Vec<usize> {
    let start = block
        .iter()
        .position(|&s| s == name_seg)
        .map_or(block.len(), |p| p + 1);
    let mut out = Vec::new();
    for &s in &block[start..] {
        let t = &view.segments[s].text;
        if CONTACT.is_match(t)
            || ends_an_address(t, true)
            || out.len() >= 4
            || !out.is_empty() && COMPANY.is_match(t)
        {
            break;
        }
        out.push(s);
    }
    out
}

fn vendor(views: &[PageView], field: &FieldDef, want_address: bool) -> Option<Pick> {
    // 1. A label says who sells: "Sold by: …", "Service Provider" over a block.
    let mut labelled: Vec<Pick> = generic::labelled(views, field, ValueType::Name)
        .into_iter()
        .filter(|p| {
            !p.text.starts_with('(') && p.text.chars().filter(|c| c.is_alphabetic()).count() >= 2
        })
        .collect();
    for p in &mut labelled {
        footer_legal_is_weaker(views, p);
        label_names_the_company(views, p);
    }
    labelled.sort_by(|a, b| b.score.total_cmp(&a.score));
    if let Some(best) = labelled.into_iter().next().filter(|p| p.score >= 0.6) {
        if !want_address {
            return Some(best);
        }
        let view = &views[best.page];
        let seg = view
            .segments
            .iter()
            .position(|s| best.words.iter().any(|w| s.words.contains(w)))?;
        let block = blocks(view).into_iter().find(|b| b.contains(&seg))?;
        let lines = address_after(view, &block, seg);
        if lines.is_empty()
            && let Some(p) = address_under_name(views, &best.text, best.score * 0.85)
        {
            return Some(p);
        }
        if !lines.is_empty() {
            let text = lines
                .iter()
                .map(|&s| strip_label(&view.segments[s].text))
                .collect::<Vec<_>>()
                .join(", ");
            return Some(pick(
                best.page,
                view,
                &lines,
                text,
                best.score * 0.9,
                "the block under the vendor's label",
            ));
        }
    }
    // 2. The letterhead of the first page (never the block under a customer's label).
    let view = views.first()?;
    let all = blocks(view);
    let top: Vec<&Vec<usize>> = all
        .iter()
        .filter(|b| {
            view.segments[b[0]].bbox.top < 0.3
                && !customers_block(view, b)
                && !marks::is_copy_mark(&view.segments[b[0]].text)
        })
        .collect();
    // The name the legal mentions give, where a letterhead line opens with it.
    let legal = legal::legal_name(views);
    if let Some(l) = &legal {
        for b in &top {
            let Some(&s) = b
                .iter()
                .find(|&&s| legal::opens_with(&view.segments[s].text, &l.name))
            else {
                continue;
            };
            let why = "the letterhead, named by the footer's legal mentions";
            if want_address {
                return letterhead_address(view, b, s, 0.68, why);
            }
            let line = seg_text(&view.segments[s]);
            let rest: String = line
                .split_whitespace()
                .skip(l.name.split_whitespace().count())
                .collect::<Vec<_>>()
                .join(" ");
            let name = if rest.is_empty() || bare_company_form(&rest) {
                line
            } else {
                l.name.clone()
            };
            return Some(pick(0, view, &[s], name, 0.68, why));
        }
    }
    // A sender line "Name AG - Street 1 - 12345 City" (above a window envelope's address).
    for b in &top {
        for &s in b.iter() {
            let t = view.segments[s].text.trim();
            let parts = sender_parts(t);
            if parts.len() >= 3 && COMPANY.is_match(&parts[0]) {
                let text = if want_address {
                    parts[1..].join(", ")
                } else {
                    parts[0].clone()
                };
                return Some(pick(
                    0,
                    view,
                    &[s],
                    text,
                    0.68,
                    "the sender line of the letterhead",
                ));
            }
        }
    }
    // A block whose first line names a company, the topmost first; else the topmost block.
    // A block headed by a label the lexicon does not know ("Rechnungsersteller:",
    // "Leistungserbringer:") starts at the line under it.
    let named = top.iter().find(|b| {
        let first = b[head_lines(view, b)];
        COMPANY.is_match(&view.segments[first].text)
    });
    if let Some(b) = named
        && head_lines(view, b) == 0
        && let Some((block, left, name)) = name_left_of_form(view, &all, b)
    {
        let why = "the letterhead, a company name";
        if want_address {
            return letterhead_address(view, block, left, 0.68, why);
        }
        return Some(pick(0, view, &[left, b[0]], name, 0.68, why));
    }
    // A logo for a letterhead: the name the legal mentions give, the address their block's
    // seat line or the lines under the name.
    if named.is_none()
        && let Some(l) = &legal
    {
        let why = "the issuer's legal mentions (no company named in the letterhead)";
        let lv = &views[l.page];
        if !want_address {
            return Some(pick(l.page, lv, &[l.seg], l.name.clone(), 0.55, why));
        }
        if let Some((s, address)) = &l.seat {
            return Some(pick(l.page, lv, &[*s], address.clone(), 0.5, why));
        }
        if let Some(p) = address_under_name(views, &l.name, 0.5) {
            return Some(p);
        }
    }
    let (block, score, why) = match named {
        Some(b) => (*b, 0.68, "the letterhead, a company name"),
        None => {
            let b = top.iter().find(|b| {
                let t = without_title(&seg_text(&view.segments[b[head_lines(view, b)]]));
                !t.is_empty() && !t.contains(':') && !generic::starts_with_label(&t)
            })?;
            (
                *b,
                0.5,
                "the letterhead's first line (no company form found)",
            )
        }
    };
    let name_seg = block[head_lines(view, block)];
    if want_address {
        return letterhead_address(view, block, name_seg, score, why);
    }
    let text = without_title(&seg_text(&view.segments[name_seg]));
    (!text.is_empty()).then(|| pick(0, view, &[name_seg], text, score, why))
}

/// Whether a block is the customer's: its first line is a customer's label ("Bill to
/// Address:", "Rechnungsempfänger") or opens with one ("ATTN: …").
fn customers_block(view: &PageView, block: &[usize]) -> bool {
    block.first().is_some_and(|&s| {
        let text = &view.segments[s].text;
        let toks = lexicon::tokens(text);
        let head = lexicon::tokens(text.split(':').next().unwrap_or(""));
        lexicon::labels().find(&toks).iter().any(|m| {
            m.start == 0
                && m.concept.key == "customer"
                && (m.len == toks.len() || text.contains(':') && head.len() <= m.len)
        })
    })
}

/// The address under a block headed by `name` anywhere in the document ("Amazon Web Services,
/// Inc." over its street and town at the foot of a page, the name a "sold by" line gave).
fn address_under_name(views: &[PageView], name: &str, score: f32) -> Option<Pick> {
    for (pi, view) in views.iter().enumerate() {
        for block in blocks(view) {
            // The name heads its block: under another line it is a branch's or a
            // delivery address's first line, not the issuer's own block.
            let s = block[0];
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
            let text = lines
                .iter()
                .map(|&l| seg_text(&view.segments[l]))
                .collect::<Vec<_>>()
                .join(", ");
            return Some(pick(
                pi,
                view,
                &lines,
                text,
                score,
                "the block headed by the vendor's name",
            ));
        }
    }
    None
}

/// Lines heading a block rather than naming its party: 1 when its first line is a short
/// label of its own ending in a colon ("Versicherer:", "Leistungserbringer:") and more lines
/// follow, else 0.
fn head_lines(view: &PageView, block: &[usize]) -> usize {
    let Some(&first) = block.first() else {
        return 0;
    };
    let first = view.segments[first].text.trim();
    let heading = first.ends_with(':')
        && (1..=3).contains(&first.split_whitespace().count())
        && !first.chars().any(|c| c.is_ascii_digit())
        && !COMPANY.is_match(first);
    usize::from(heading && block.len() > 1)
}

/// The address under a letterhead's name line: the lines after `name_seg` in its block, a
/// little weaker than the name itself (where the address ends is a guess).
fn letterhead_address(
    view: &PageView,
    block: &[usize],
    name_seg: usize,
    score: f32,
    why: &str,
) -> Option<Pick> {
    let lines = address_after(view, block, name_seg);
    if lines.is_empty() {
        return None;
    }
    let text = lines
        .iter()
        .map(|&s| seg_text(&view.segments[s]))
        .collect::<Vec<_>>()
        .join(", ");
    Some(pick(0, view, &lines, text, score * 0.95, why))
}

/// The block under a delivery address label: its name line counts as an address line when it
/// holds a number ("69 Park Road"); with no label on the page, the usual label–value reading.
fn ship_to(views: &[PageView], field: &FieldDef) -> Option<Pick> {
    if generic::labelled(views, field, ValueType::Address).is_empty() {
        return generic::best_labelled(views, field);
    }
    let first = customer(views, field, false)?;
    let rest = customer(views, field, true);
    if !first.text.chars().any(|c| c.is_ascii_digit()) {
        return rest;
    }
    let text = match &rest {
        Some(r) if !r.text.is_empty() => format!("{}, {}", first.text, r.text),
        _ => first.text.clone(),
    };
    Some(Pick {
        text,
        reason: "the block under the delivery address's label".into(),
        ..first
    })
}

/// A company form printed as a segment of its own ("Schäfer Elektro" | "GmbH", split by a wide
/// gap or an OCR reading) ends the name just left of it on its line: that segment's block (for
/// the address under it), the segment, and the whole name.
fn name_left_of_form<'a>(
    view: &PageView,
    all: &'a [Vec<usize>],
    b: &[usize],
) -> Option<(&'a Vec<usize>, usize, String)> {
    let s = &view.segments[b[0]];
    let form = seg_text(s);
    if COMPANY
        .replace_all(&form, "")
        .chars()
        .any(char::is_alphanumeric)
    {
        return None;
    }
    // Walk left while the next segment is close: a narrow page (a till roll) can split a name
    // into several segments, its gaps measured in page widths.
    let mut parts: Vec<usize> = Vec::new();
    let mut edge = s.bbox.left;
    while let Some((i, _)) = view
        .segments
        .iter()
        .enumerate()
        .filter(|(i, o)| {
            o.line == s.line
                && !parts.contains(i)
                && o.bbox.right() <= edge + 0.005
                && edge - o.bbox.right() < 4.0 * s.bbox.height
        })
        .max_by(|a, b| a.1.bbox.right().total_cmp(&b.1.bbox.right()))
    {
        parts.push(i);
        edge = view.segments[i].bbox.left;
    }
    let left = *parts.last()?;
    let block = all.iter().find(|blk| blk.contains(&left))?;
    let mut name: Vec<String> = parts
        .iter()
        .rev()
        .map(|&i| seg_text(&view.segments[i]))
        .collect();
    name.push(form);
    Some((block, left, name.join(" ")))
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

/// The lines of a block under a label: (line or rank, text).
type BlockLines = Vec<(usize, String)>;

fn customer(views: &[PageView], field: &FieldDef, want_address: bool) -> Option<Pick> {
    // 1. Under (or right of) a "bill to" label.
    let mut best: Option<(f32, usize, BlockLines)> = None;
    for (pi, view) in views.iter().enumerate() {
        let words = view.words();
        for (label, strength) in field.labels.iter().zip(&field.label_strength) {
            for hit in super::labels::find_label(words, &view.lines, label) {
                if hit.score < 0.85 || !generic::starts_its_phrase(view, &hit) {
                    continue;
                }
                // "Klient Sp. z o.o.": the label word opens the name, which is the whole
                // segment; a weaker sign of the block than a label of its own.
                let opens = hit.first_word == hit.last_word
                    && marks::label_opens_a_name(view, hit.first_word);
                let score = hit.score
                    * strength
                    * 0.99f32.powi(pi as i32)
                    * if opens { OPENS_NAME } else { 1.0 };
                if best.as_ref().is_some_and(|(s, _, _)| *s >= score) {
                    continue;
                }
                let mut lines: Vec<(usize, String)> = Vec::new();
                let line = &view.lines[hit.line];
                let pos = line
                    .words
                    .iter()
                    .position(|&w| w == hit.last_word)
                    .unwrap_or(0);
                let rest = generic::within_reach(view, &hit, &line.words[pos + 1..]);
                let rest_text = match view.segment_of(hit.first_word) {
                    Some(seg) if opens => seg_text(seg),
                    _ => generic::text_of(words, &rest),
                };
                let rest_text = rest_text.trim_start_matches([':', '-', ' ']).trim();
                // "Bill to Address:" — the rest of a longer label, not a value.
                if rest_text.chars().any(char::is_alphanumeric)
                    && !rest_text.ends_with(':')
                    && !generic::starts_with_label(rest_text)
                    && !CONTACT.is_match(rest_text)
                {
                    lines.push((hit.line, rest_text.to_string()));
                }
                // The block ends where the next block of the label's line starts ("Billing
                // Address" beside "Shipping Address").
                let width = view
                    .segments
                    .iter()
                    .filter(|s| s.line == hit.line && s.bbox.left > hit.bbox.right() + 0.01)
                    .map(|s| s.bbox.left - hit.bbox.left - 0.01)
                    .fold(None, |a: Option<f32>, w| Some(a.map_or(w, |a| a.min(w))));
                let mut last_bottom = hit.bbox.bottom();
                for c in super::candidates::below(words, &view.lines, &view.segments, &hit, width)
                    .into_iter()
                    .take(6)
                {
                    // A blank line ends the block.
                    let gap = c.bbox.top - last_bottom;
                    if CONTACT.is_match(&c.text)
                        || ends_an_address(&c.text, !lines.is_empty())
                        || gap > 1.6 * c.bbox.height.max(0.005)
                        || looks_like_items(&c.text)
                    {
                        break;
                    }
                    last_bottom = c.bbox.bottom();
                    lines.push((c.rank, c.text.clone()));
                }
                if !lines.is_empty() {
                    best = Some((score, pi, lines));
                }
            }
        }
    }
    if let Some((score, pi, mut lines)) = best {
        // A form's label line at the top of the block ("Buyer contact name") is not the name,
        // nor is a copy mark.
        while lines.len() > 1
            && (generic::reads_as_label(&lines[0].1) || marks::names_no_party(&lines[0].1))
        {
            lines.remove(0);
        }
        if let Some(first) = lines.first_mut() {
            let t = first.1.trim().to_string();
            for p in [
                "ATTN:",
                "Attn:",
                "ATTN",
                "Attn.",
                "Attention:",
                "À l'attention de",
            ] {
                if let Some(r) = t.strip_prefix(p) {
                    first.1 = r.trim().to_string();
                    break;
                }
            }
            // Any short capitalised label with its colon before the name ("ATIN:" as an OCR
            // reads "ATTN:"): the name is what follows it.
            if let Some((head, rest)) = first.1.split_once(':')
                && (2..=6).contains(&head.trim().chars().count())
                && head.trim().chars().all(|c| c.is_uppercase())
                && rest.chars().any(char::is_alphabetic)
            {
                first.1 = rest.trim().to_string();
            }
        }
        // An address whose first line holds no number while a later one does may begin with
        // a second name line ("CLIENT NOM COMMERCIAL"); one with no number of three digits or
        // more may have lost its postcode line. Where it starts or ends is then unsure.
        let unsure_address = want_address && {
            let rest = &lines[1.min(lines.len())..];
            let digit = |t: &str| t.chars().any(|c| c.is_ascii_digit());
            let first_bare = rest.first().is_some_and(|(_, t)| !digit(t))
                && rest.iter().skip(1).any(|(_, t)| digit(t));
            let no_postcode = !rest.iter().any(|(_, t)| {
                t.split(|c: char| !c.is_ascii_digit())
                    .any(|run| run.len() >= 3)
            });
            // A line of a letter or two and no number is OCR's noise, not an address line.
            let noise = rest
                .iter()
                .any(|(_, t)| !digit(t) && t.chars().filter(|c| c.is_alphanumeric()).count() <= 2);
            first_bare || no_postcode || noise
        };
        let view = &views[pi];
        let text = if want_address {
            lines[1..]
                .iter()
                .map(|(_, t)| t.trim_end_matches(',').trim().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            lines[0].1.trim_end_matches(',').trim().to_string()
        };
        if !text.is_empty() {
            // A block is read, not matched: which of its lines is the name and where the
            // address ends are guesses, so they stay just under the usual thresholds.
            let score = score * if want_address { 0.8 } else { 0.85 };
            return Some(Pick {
                text,
                score: if unsure_address {
                    score.min(0.6)
                } else {
                    score
                },
                page: pi,
                words: Vec::new(),
                bbox: view.lines[lines[0].0.min(view.lines.len() - 1)].bbox,
                label: None,
                reason: "the block under the customer's label".into(),
            });
        }
    }
    // 2. The recipient window: a block of three to six lines in the top half of the first page,
    // with a line holding a number, that is not the letterhead; right under the sender line
    // when the page has one.
    let view = views.first()?;
    let all = blocks(view);
    let sender = view
        .segments
        .iter()
        .find(|s| s.bbox.top < 0.45 && sender_parts(&s.text).len() >= 3)
        .map(|s| (s.bbox.bottom(), s.bbox.left));
    let letterhead = all
        .iter()
        .find(|b| view.segments[b[0]].bbox.top < 0.3)
        .map(|b| seg_text(&view.segments[b[0]]));
    let mut candidates: Vec<(usize, &Vec<usize>, Vec<String>)> = Vec::new();
    for (i, b) in all.iter().enumerate() {
        let first = &view.segments[b[0]];
        if first.bbox.top > 0.45 || b.len() < 3 || b.len() > 6 {
            continue;
        }
        if let Some((bottom, left)) = sender
            && (first.bbox.top < bottom
                || first.bbox.top - bottom > 0.08
                || (first.bbox.left - left).abs() > 0.1)
        {
            continue;
        }
        let texts: Vec<String> = b.iter().map(|&s| seg_text(&view.segments[s])).collect();
        if texts.iter().any(|t| t.contains(':') || CONTACT.is_match(t))
            || !texts
                .iter()
                .skip(1)
                .any(|t| t.chars().any(|c| c.is_ascii_digit()))
            || (i == 0 && COMPANY.is_match(&texts[0]))
            || marks::is_copy_mark(&texts[0])
        {
            continue;
        }
        candidates.push((i, b, texts));
    }
    // The letterhead's own block comes first on the page; with another block to choose, that
    // one is the recipient's.
    let chosen = match candidates.len() {
        0 => return None,
        1 => 0,
        _ if letterhead.as_deref() == Some(candidates[0].2[0].as_str()) => 1,
        _ => 0,
    };
    let (_, b, texts) = &candidates[chosen];
    {
        if want_address {
            let from = texts
                .iter()
                .skip(1)
                .position(|t| t.chars().any(|c| c.is_ascii_digit()))?
                + 1;
            let text = texts[from..].join(", ");
            return Some(pick(
                0,
                view,
                &b[from..],
                text,
                0.5,
                "the recipient window's block (no customer label)",
            ));
        }
        Some(pick(
            0,
            view,
            &b[..1],
            texts[0].clone(),
            0.5,
            "the recipient window's block (no customer label)",
        ))
    }
}

mod legal;
mod marks;

#[cfg(test)]
mod tests;
