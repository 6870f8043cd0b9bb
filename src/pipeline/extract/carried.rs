//! Fields of a PDF that carries its invoice as XML (Factur-X, ZUGFeRD, XRechnung): the XML
//! states each value, the page shows how it is printed. A stated value found printed is the
//! field, in its printed form and place, and sure (two sources agree). A stated value the page
//! does not print is checked against what the labels found: the same value is surer, another
//! goes to review with the XML's value named, and a field the labels missed takes the XML's
//! value below the review threshold (nobody saw it on the page).

use super::generic::{self, Pick};
use super::roles::{self, Role};
use super::values;
use super::view::{PageView, words_in};
use crate::model::einvoice::{EInvoice, Item, Party};
use crate::model::{BoundingBox, FieldResult};
use crate::pipeline::calendar;
use crate::pipeline::config::FieldDef;
use crate::pipeline::einvoice::render::tidy_number;

/// Score of a stated value found printed: the XML and the page agree.
const PRINTED_SCORE: f32 = 0.96;
/// Confidence of line-item cells the XML states and the page prints: the cells' extent on
/// the page is not checked.
const COLUMN_PRINTED: f32 = 0.65;
/// Most confidence a stated value found printed gets when the labels found nothing.
const PRINTED_ALONE_MAX: f32 = 0.8;
/// Most confidence a label's value keeps when the XML states another.
const DISPUTED_MAX: f32 = 0.65;
/// Confidence of a value only the XML states.
const XML_ONLY_CONFIDENCE: f32 = 0.6;
/// Invoice lines whose rows are looked for on the page; later lines take the XML's values.
const MAX_ROWS_SEARCHED: usize = 300;
/// Longest run of words a stated text is looked for in.
const MAX_WINDOW: usize = 16;

/// How a stated value is compared with printed text.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// Names, terms: the same letters and digits give or take a few (OCR, spacing).
    Text,
    /// A reference: exactly the same letters and digits ("F20260023" is not "F20260024").
    Id,
    Date,
    Amount,
}

/// What the XML states for one field.
enum Statement {
    /// Values in order of preference (a total: the grand total, then the amount due).
    Value(Kind, Vec<String>),
    Address(Party),
    /// One value per invoice line, with the line's item name (where the row is printed).
    Column(Kind, Vec<(Option<String>, Option<String>)>),
}

/// The field's result with what the embedded invoice states taken into account.
pub fn settle(views: &[PageView], inv: &EInvoice, field: &FieldDef, r: FieldResult) -> FieldResult {
    let Some(statement) = statement(inv, field) else {
        return r;
    };
    let source = &inv.source;
    match statement {
        Statement::Value(kind, stated) => {
            let found = r.raw_text.clone().unwrap_or_default();
            // A subtotal may be the lines' sum or what tax is computed on; when the XML's two
            // differ (allowances, charges), it cannot say which one the page means.
            let one_value = stated.iter().all(|v| agrees(kind, v, &stated[0]));
            if !r.value.is_null() && stated.iter().any(|v| agrees(kind, v, &found)) {
                // The labels found one of the stated values: two readings agree.
                return if one_value { agreed(r) } else { r };
            }
            if let Some(p) = stated.iter().find_map(|v| printed(views, kind, v)) {
                let mut out = printed_result(views, field, kind, p, &r);
                if !one_value {
                    out.confidence = out.confidence.min(DISPUTED_MAX);
                }
                return out;
            }
            let Some(first) = stated.first() else {
                return r;
            };
            compare(r, field, source, first, false)
        }
        Statement::Address(party) => {
            let Some(addr) = party.address() else {
                return r;
            };
            match printed_address(views, &party) {
                Some((page, words, text)) => {
                    let view = &views[page];
                    let pick = Pick {
                        text,
                        score: PRINTED_SCORE,
                        page,
                        bbox: enclosing(view, &words),
                        words,
                        label: None,
                        reason: format!(
                            "the address the e-invoice XML ({source}) states, as far as the \
                             page prints it"
                        ),
                    };
                    printed_result(views, field, Kind::Text, pick, &r)
                }
                None => {
                    let same = r
                        .raw_text
                        .as_deref()
                        .is_some_and(|found| agrees(Kind::Text, &addr, found));
                    compare(r, field, source, &addr, same)
                }
            }
        }
        Statement::Column(kind, cells) => column(views, field, source, kind, &cells, r),
    }
}

/// A label's value the XML states too.
fn agreed(mut r: FieldResult) -> FieldResult {
    r.confidence = r.confidence.max(PRINTED_SCORE);
    r.confidence_reason
        .push_str("; the e-invoice XML states the same");
    r
}

/// A stated value found printed where the labels found another value or none: the printed
/// form, sure only as far as the XML and the page agree without the labels. Which of several
/// amounts a field means, or how far an address runs, the XML cannot say for the page.
fn printed_result(
    views: &[PageView],
    field: &FieldDef,
    kind: Kind,
    p: Pick,
    r: &FieldResult,
) -> FieldResult {
    let labelled = r
        .raw_text
        .as_deref()
        .filter(|t| !r.value.is_null() && !t.trim().is_empty());
    let ceiling = match labelled {
        Some(_) => DISPUTED_MAX,
        None => PRINTED_ALONE_MAX,
    };
    let mut out = sure(views, field, p);
    if let Some(other) = labelled
        && agrees(kind, &out.raw_text.clone().unwrap_or_default(), other)
    {
        return agreed(out);
    }
    out.confidence = out.confidence.min(ceiling);
    if let Some(other) = labelled {
        out.confidence_reason
            .push_str(&format!("; the labels read \"{other}\""));
    }
    out
}

/// What the XML states for `field`, by its concept (parties and line-item columns by role).
fn statement(inv: &EInvoice, field: &FieldDef) -> Option<Statement> {
    let one = |kind, v: &Option<String>| v.clone().map(|v| Statement::Value(kind, vec![v]));
    let party = |p: &Option<Party>, address: bool| {
        let p = p.as_ref()?;
        if address {
            Some(Statement::Address(p.clone()))
        } else {
            p.name
                .clone()
                .map(|n| Statement::Value(Kind::Text, vec![n]))
        }
    };
    match roles::role_of(field) {
        Some(Role::Vendor { address } | Role::Issuer { address }) => {
            return party(&inv.seller, address);
        }
        Some(Role::Customer { address } | Role::Addressee { address }) => {
            return party(&inv.buyer, address);
        }
        Some(Role::ShipTo) => return party(&inv.ship_to, true),
        Some(Role::Column(col)) => {
            let (kind, cell): (Kind, fn(&Item) -> Option<String>) = match col {
                "description" => (Kind::Text, |i| i.name.clone()),
                "quantity" => (Kind::Amount, |i| i.quantity.clone()),
                "unit_price" => (Kind::Amount, |i| i.unit_price.clone()),
                "amount" => (Kind::Amount, |i| i.line_total.clone()),
                _ => return None,
            };
            let cells: Vec<_> = inv
                .items
                .iter()
                .map(|i| (i.name.clone(), cell(i)))
                .collect();
            return (!cells.is_empty()).then_some(Statement::Column(kind, cells));
        }
        None => {}
    }
    match field.concept.as_deref()? {
        "invoice_number" => one(Kind::Id, &inv.number),
        "invoice_date" => one(Kind::Date, &inv.issue_date),
        "due_date" => one(Kind::Date, &inv.due_date),
        "po_number" => one(Kind::Id, &inv.order_reference),
        "payment_terms" => one(Kind::Text, &inv.payment_terms),
        "currency" => one(Kind::Id, &inv.currency),
        "tax" => one(Kind::Amount, &inv.tax_total),
        // What tax is computed on is what a page prints as its subtotal ("Total HT").
        "subtotal" => some_of(Kind::Amount, &[&inv.tax_basis, &inv.line_total]),
        "total" => some_of(Kind::Amount, &[&inv.grand_total, &inv.due_payable]),
        _ => None,
    }
}

fn some_of(kind: Kind, vals: &[&Option<String>]) -> Option<Statement> {
    let v: Vec<String> = vals.iter().filter_map(|v| (*v).clone()).collect();
    (!v.is_empty()).then_some(Statement::Value(kind, v))
}

/// A value the page does not print: weighed against what the labels found.
fn compare(
    mut r: FieldResult,
    field: &FieldDef,
    source: &str,
    stated: &str,
    same: bool,
) -> FieldResult {
    let found = r.raw_text.clone().unwrap_or_default();
    if r.value.is_null() || found.trim().is_empty() {
        let (value, _) = super::result::typed(field, stated);
        return FieldResult {
            value,
            raw_text: Some(stated.to_string()),
            confidence: XML_ONLY_CONFIDENCE,
            confidence_threshold: None,
            confidence_reason: format!(
                "stated by the e-invoice XML ({source}), not found printed on the page"
            ),
            source: None,
        };
    }
    if same {
        return agreed(r);
    } else {
        r.confidence = r.confidence.min(DISPUTED_MAX);
        r.confidence_reason
            .push_str(&format!("; but the e-invoice XML states \"{stated}\""));
    }
    r
}

/// Whether printed text `found` is the stated value `v`.
fn agrees(kind: Kind, v: &str, found: &str) -> bool {
    match kind {
        Kind::Amount => crate::numbers::same(
            &crate::numbers::candidates(v),
            &crate::numbers::candidates(found),
        ),
        Kind::Date => calendar::same(
            &calendar::candidates(v, None),
            &calendar::candidates(found, None),
        ),
        Kind::Text => {
            let (a, b) = (fold(v), fold(found));
            !a.is_empty() && strsim::normalized_levenshtein(&a, &b) >= 0.8
        }
        Kind::Id => {
            let a = fold(v);
            !a.is_empty() && a == fold(found)
        }
    }
}

/// Lowercase letters and digits only: "F-2026 / 17" and "f202617" are one text.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where the page prints `v`: the first place for a text, the lowest for an amount (totals
/// close a page; an equal line amount stands above them).
fn printed(views: &[PageView], kind: Kind, v: &str) -> Option<Pick> {
    let mut best: Option<Pick> = None;
    for (pi, view) in views.iter().enumerate() {
        for line in &view.lines {
            let text = generic::text_of(view.words(), &line.words);
            // The words, and the printed text: a date's or an amount's own characters, a text's
            // words without the punctuation glued to its ends ("#:", "):").
            let hit: Option<(Vec<usize>, String)> = match kind {
                Kind::Text | Kind::Id => text_window(view, &line.words, v).map(|w| {
                    let t = generic::text_of(view.words(), &w);
                    let t = t
                        .trim_start_matches(|c: char| !c.is_alphanumeric())
                        .trim_end_matches([':', ';', ',', ')'])
                        .to_string();
                    (w, t)
                }),
                Kind::Date => values::dates(&text)
                    .into_iter()
                    .find(|r| agrees(Kind::Date, v, &text[r.clone()]))
                    .map(|r| (words_in(view.words(), &line.words, &r), text[r].to_string())),
                Kind::Amount => values::amounts(&text)
                    .into_iter()
                    .find(|s| agrees(Kind::Amount, v, &text[s.range.clone()]))
                    .map(|s| {
                        let w = words_in(view.words(), &line.words, &s.range);
                        (w, text[s.range].trim().to_string())
                    }),
            };
            let Some((words, printed)) = hit.filter(|(w, t)| !w.is_empty() && !t.is_empty()) else {
                continue;
            };
            let pick = Pick {
                text: printed,
                score: PRINTED_SCORE,
                page: pi,
                bbox: enclosing(view, &words),
                words,
                label: None,
                reason: "stated by the e-invoice XML and printed on the page".into(),
            };
            if kind != Kind::Amount {
                return Some(pick);
            }
            best = Some(pick);
        }
        if best.is_some() {
            return best;
        }
    }
    best
}

/// The run of `line`'s words whose letters and digits are exactly `v`'s.
fn text_window(view: &PageView, line: &[usize], v: &str) -> Option<Vec<usize>> {
    let want = fold(v);
    if want.is_empty() {
        return None;
    }
    let words = view.words();
    for start in 0..line.len() {
        if fold(&words[line[start]].text).is_empty() {
            continue;
        }
        let mut got = String::new();
        for (n, &wi) in line[start..].iter().enumerate().take(MAX_WINDOW) {
            got.push_str(&fold(&words[wi].text));
            if got == want {
                return Some(line[start..=start + n].to_vec());
            }
            if !want.starts_with(&got) {
                break;
            }
        }
    }
    None
}

/// The address as the page prints it: the street lines it prints, then "postcode city" (which
/// it must print), then the country code when a word of the page is that code; with their
/// words, all on one page. A street line the page leaves out ("Seller line 3") is left out.
fn printed_address(views: &[PageView], party: &Party) -> Option<(usize, Vec<usize>, String)> {
    let town = party.town()?;
    let find = |view: &PageView, part: &str| {
        view.lines
            .iter()
            .find_map(|l| text_window(view, &l.words, part))
    };
    views.iter().enumerate().find_map(|(pi, view)| {
        let mut words = find(view, &town)?;
        let mut parts: Vec<&str> = Vec::new();
        for line in &party.lines {
            if let Some(w) = find(view, line) {
                words.extend(w);
                parts.push(line);
            }
        }
        if parts.is_empty() && !party.lines.is_empty() {
            return None;
        }
        parts.push(&town);
        if let Some(c) = &party.country
            && view
                .words()
                .iter()
                .any(|w| w.text.trim_matches(|ch: char| !ch.is_alphanumeric()) == c)
        {
            parts.push(c);
        }
        Some((pi, words, parts.join(", ")))
    })
}

/// The result for a stated value found printed: sure whatever it reads like ("LE CLIENT"
/// looks like a heading, but the XML names the buyer so), less only the OCR's doubt.
fn sure(views: &[PageView], field: &FieldDef, p: Pick) -> FieldResult {
    let view = &views[p.page];
    let ocr = if p.words.is_empty() {
        1.0
    } else {
        view.confidence_of(&p.words)
    };
    super::result::field_result(
        view,
        field,
        super::result::Found {
            text: p.text,
            words: p.words,
            bbox: p.bbox,
            label: p.label,
            confidence: p.score * ocr,
            reason: p.reason,
            ocr,
        },
    )
}

/// A line-item column: the table reader's rows when it found one per invoice line, else the
/// XML's lines, each in its printed form where the page prints the row: a description to the
/// end of its cell ("PRESTATION SUPPORT - Description"), a number as the row prints it ("1,00").
fn column(
    views: &[PageView],
    field: &FieldDef,
    source: &str,
    kind: Kind,
    cells: &[(Option<String>, Option<String>)],
    r: FieldResult,
) -> FieldResult {
    if field.schema_type != "string" {
        return r;
    }
    let found: Vec<&str> = r.raw_text.as_deref().map_or(Vec::new(), |t| {
        t.split("; ").filter(|c| !c.trim().is_empty()).collect()
    });
    let rows = found.len();
    // The table reader's rows stand when there are as many as the XML's lines and most cells
    // read what the XML states (a description may run longer than the item's name).
    if rows == cells.len() {
        let agreeing = found
            .iter()
            .zip(cells)
            .filter(|(f, (_, c))| {
                c.as_deref().is_some_and(|c| match kind {
                    Kind::Text => fold(f).starts_with(&fold(c)) || agrees(kind, c, f),
                    _ => agrees(kind, c, f),
                })
            })
            .count();
        if 2 * agreeing >= rows {
            return r;
        }
    }
    let mut texts = Vec::new();
    let mut all_printed = true;
    let mut last_row: Option<(usize, usize)> = None;
    for (name, cell) in cells {
        let Some(v) = cell else {
            all_printed = false;
            continue;
        };
        // Past a few hundred lines each search scans most of a long document: the XML's values.
        let row = name
            .as_deref()
            .filter(|_| texts.len() < MAX_ROWS_SEARCHED)
            .and_then(|n| printed_row(views, n, last_row));
        if let Some((pi, li, _)) = &row {
            last_row = Some((*pi, *li));
        }
        let on_row = row.and_then(|(pi, li, w)| match kind {
            Kind::Text => Some(cell_text(&views[pi], &w)),
            _ => amount_on_row(&views[pi], li, &w, v),
        });
        match on_row {
            Some(t) => texts.push(t),
            None => {
                all_printed = false;
                texts.push(match kind {
                    Kind::Amount => tidy_number(v),
                    _ => v.clone(),
                });
            }
        }
    }
    if texts.is_empty() {
        return r;
    }
    let text = texts.join("; ");
    let (value, _) = super::result::typed(field, &text);
    FieldResult {
        value,
        raw_text: Some(text),
        confidence: if all_printed {
            COLUMN_PRINTED
        } else {
            XML_ONLY_CONFIDENCE
        },
        confidence_threshold: None,
        confidence_reason: format!(
            "the {} lines of the e-invoice XML ({source}); the table on the page read {rows} \
             row(s) that do not match them",
            cells.len()
        ),
        source: None,
    }
}

/// Where the page prints an item's name: page, line and the name's words, after the previous
/// item's row (rows keep the XML's order; "APPEL" of a heading above the table is not a row).
fn printed_row(
    views: &[PageView],
    name: &str,
    after: Option<(usize, usize)>,
) -> Option<(usize, usize, Vec<usize>)> {
    views.iter().enumerate().find_map(|(pi, view)| {
        view.lines.iter().enumerate().find_map(|(li, l)| {
            if after.is_some_and(|a| (pi, li) <= a) {
                return None;
            }
            text_window(view, &l.words, name).map(|w| (pi, li, w))
        })
    })
}

/// The name's cell: its words to the end of their segment, unless the segment runs on into
/// amounts (a tight table whose columns the gap rule did not part).
fn cell_text(view: &PageView, w: &[usize]) -> String {
    let own = generic::text_of(view.words(), w);
    let Some(seg) = w.first().and_then(|&first| view.segment_of(first)) else {
        return own;
    };
    if !w.iter().all(|x| seg.words.contains(x)) {
        return own;
    }
    let start = seg.words.iter().position(|x| *x == w[0]).unwrap_or(0);
    let cell = generic::text_of(view.words(), &seg.words[start..]);
    let runs_into_amounts = values::amounts(&cell[own.len().min(cell.len())..])
        .iter()
        .any(|a| a.strength >= 0.9);
    if runs_into_amounts { own } else { cell }
}

/// The stated number as the item's row prints it: right of the name on its line, else on the
/// line below (a row whose description wraps).
fn amount_on_row(view: &PageView, line: usize, name: &[usize], v: &str) -> Option<String> {
    let last = *name.last()?;
    [line, line + 1].into_iter().find_map(|li| {
        let l = view.lines.get(li)?;
        let words: Vec<usize> = if li == line {
            let at = l.words.iter().position(|&x| x == last)?;
            l.words[at + 1..].to_vec()
        } else {
            l.words.clone()
        };
        let text = generic::text_of(view.words(), &words);
        // An amount's form first: "1,00" is the quantity, a bare "1" may be a line number;
        // a bare number only right of the name ("BC: 1" on the line below is a reference).
        let bare = if li == line {
            values::find(crate::pipeline::config::ValueType::Number, &text)
        } else {
            Vec::new()
        };
        values::amounts(&text)
            .into_iter()
            .chain(bare)
            .find(|s| agrees(Kind::Amount, v, &text[s.range.clone()]))
            .map(|s| text[s.range].trim().to_string())
    })
}

fn enclosing(view: &PageView, words: &[usize]) -> BoundingBox {
    BoundingBox::enclosing(words.iter().map(|&w| &view.words()[w].bbox)).unwrap_or_default()
}

#[cfg(test)]
mod tests;
