//! The subtotal before a document's own discounts and charges. A totals block may print the
//! lines' total, then a discount or a charge, then the net ("Totaal regels 4.900,00 / Korting
//! −245,00 / Totaal excl. btw 4.655,00"; "Total des lignes 1 128,00 / Frais de port 25,00 /
//! Total HT 1 153,00"). Both nets are labelled like a subtotal and the net after the
//! adjustments is the one that adds up with the tax to the total, yet a subtotal is by its
//! name the sum before them, and documents and readers differ on which one they mean.
//!
//! When the printed amounts prove the structure (lines' total ± the adjustments = the net
//! found), the lines' total is taken, under the review threshold: the two candidates conflict
//! and no evidence on the page settles which one is meant.

use super::generic::{Pick, text_of};
use super::values;
use super::view::PageView;
use crate::model::BoundingBox;
use crate::pipeline::lexicon;

/// Score of the lines' total chosen over the net after adjustments: under review.
const UNSETTLED_SCORE: f32 = 0.65;
/// What the reason of such a value says; the sum check must not raise it.
pub const UNSETTLED: &str = "which of the two nets is the subtotal is not settled";
/// How many adjustment lines may stand between the lines' total and the net.
const MAX_ADJUSTMENTS: usize = 3;
/// Rounding to the cent of each printed amount.
const CENT: f64 = 0.011;

fn is_adjustment(text: &str) -> bool {
    let stems = lexicon::word_list("adjustment");
    lexicon::tokens(text)
        .iter()
        .any(|t| stems.iter().any(|s| t.starts_with(s.as_str())))
}

/// A row labelled as a total or subtotal of some kind ("Totaal regels", "Total des lignes",
/// "Zwischensumme").
fn names_a_total(text: &str) -> bool {
    lexicon::labels()
        .find(&lexicon::tokens(text))
        .iter()
        .any(|m| m.concept.key == "total" || m.concept.key == "subtotal")
}

/// An item of the table ("Portes de envio 3 € 1 250,00 € 3 750,00": a charge word, yet a
/// priced line of its own): two or more amounts and no rate. A discount or charge of the
/// document prints its amount, perhaps with a rate and the base it applies to.
fn is_item_row(text: &str) -> bool {
    let strong = values::amounts(text)
        .iter()
        .filter(|s| s.strength >= 0.9)
        .count();
    strong >= 2 && !text.contains('%')
}

/// The last strong amount of a line: its text, value and words.
fn last_amount(view: &PageView, line: usize) -> Option<(String, f64, Vec<usize>)> {
    let a = super::view::strong_amounts(view.words(), &view.lines[line].words).pop()?;
    Some((a.text, a.value?, a.words))
}

/// Whether a line holds nothing but an amount and perhaps a currency code ("4.900,00 EUR").
fn amount_only(view: &PageView, line: usize) -> bool {
    let text = text_of(view.words(), &view.lines[line].words);
    let Some(span) = values::amounts(&text)
        .into_iter()
        .find(|s| s.strength >= 0.9)
    else {
        return false;
    };
    let rest = format!("{} {}", &text[..span.range.start], &text[span.range.end..]);
    rest.split_whitespace().all(|w| {
        !w.chars().any(char::is_lowercase) && w.chars().filter(|c| c.is_alphabetic()).count() <= 3
    })
}

/// A printed row above the net: its label text, its amount, and the lines it spans. On a
/// skewed scan a row's amount may stand a little higher than its label, so the two fall on
/// lines of their own ("4.900,00 EUR" / "Totaal regels"): a line with no amount takes the
/// amount of the amount-only line right above it when their boxes overlap and the amount
/// stands right of the label.
struct Row {
    text: String,
    amount: (String, f64, Vec<usize>),
    lines: usize,
}

fn row_ending_at(view: &PageView, line: usize) -> Option<Row> {
    let text = text_of(view.words(), &view.lines[line].words);
    if let Some(amount) = last_amount(view, line) {
        return Some(Row {
            text,
            amount,
            lines: 1,
        });
    }
    let up = line.checked_sub(1)?;
    let (label, above) = (&view.lines[line].bbox, &view.lines[up].bbox);
    if above.bottom() <= label.top || above.left < label.right() || !amount_only(view, up) {
        return None;
    }
    Some(Row {
        text,
        amount: last_amount(view, up)?,
        lines: 2,
    })
}

/// With `net` the subtotal found: the lines' total printed above it with only discount or
/// charge lines between, when its amount and theirs make the net.
pub fn before_adjustments(views: &[PageView], net: &Pick) -> Option<Pick> {
    let view = views.get(net.page)?;
    let first = *net.words.first()?;
    let li = view.line_of(first)?;
    let target = crate::numbers::parse(&net.text)?;
    let mut adjust: Vec<f64> = Vec::new();
    let mut end = li;
    // The lines' total and at most MAX_ADJUSTMENTS rows between it and the net.
    for _ in 0..=MAX_ADJUSTMENTS {
        let row = row_ending_at(view, end.checked_sub(1)?)?;
        end -= row.lines;
        let (amount_text, amount, ws) = row.amount;
        if is_adjustment(&row.text) && !is_item_row(&row.text) {
            adjust.push(amount.abs());
            continue;
        }
        // An item's row over a discount line of the table ("Nike Air Max 1 53 EUR" over
        // "Discount 1 -10 EUR") is no lines' total: that row names a total.
        if adjust.is_empty() || !names_a_total(&row.text) {
            return None;
        }
        let total: f64 = adjust.iter().sum();
        let fits = (amount - total - target).abs() <= CENT * (adjust.len() + 1) as f64
            || (amount + total - target).abs() <= CENT * (adjust.len() + 1) as f64;
        if !fits || amount == target {
            return None;
        }
        let bbox = BoundingBox::enclosing(ws.iter().map(|&i| &view.words()[i].bbox))?;
        return Some(Pick {
            text: amount_text,
            score: UNSETTLED_SCORE.min(net.score),
            page: net.page,
            words: ws,
            bbox,
            label: None,
            reason: format!(
                "the lines' total above the discounts or charges that make the net {} found \
                 under a subtotal label; {UNSETTLED}",
                net.text
            ),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::extract::fixtures::{TEXT_LAYER, page};

    /// The pick of the net on the last line of a page of (label, amount) lines.
    fn lines_total(rows: &[(&str, &str)]) -> Option<(String, f32)> {
        lines_total_skewed(rows, 0.0)
    }

    /// The same, the first row's amount raised by `raise` of its height (a skewed scan).
    fn lines_total_skewed(rows: &[(&str, &str)], raise: f32) -> Option<(String, f32)> {
        let cells: Vec<Vec<(&str, f32)>> = rows
            .iter()
            .map(|(l, a)| vec![(*l, 0.3), (*a, 0.7)])
            .collect();
        let lines: Vec<&[(&str, f32)]> = cells.iter().map(Vec::as_slice).collect();
        let mut p = page(&lines, &TEXT_LAYER);
        let first_top = p.words[0].bbox.top;
        for w in p.words.iter_mut() {
            if w.bbox.top == first_top && w.bbox.left >= 0.69 {
                w.bbox.top -= raise * w.bbox.height;
            }
        }
        let view = PageView::new(&p);
        let last = view.lines.last().unwrap();
        let words: Vec<usize> = last
            .words
            .iter()
            .copied()
            .filter(|&w| view.words()[w].bbox.left >= 0.69)
            .collect();
        let net = Pick {
            text: rows.last().unwrap().1.to_string(),
            score: 0.99,
            page: 0,
            words,
            bbox: last.bbox,
            label: Some("net".into()),
            reason: String::new(),
        };
        before_adjustments(&[view], &net).map(|p| (p.text, p.score))
    }

    #[test]
    fn the_lines_total_before_a_discount_or_a_charge_under_review() {
        let nl = [
            ("Totaal regels", "4.900,00 EUR"),
            ("Korting: Loyalty discount", "-245,00 EUR"),
            ("Totaal excl. btw", "4.655,00 EUR"),
        ];
        let fr = [
            ("Total des lignes", "1 128,00 EUR"),
            ("Frais de port", "25,00 EUR"),
            ("Total HT", "1 153,00 EUR"),
        ];
        // Level, or the lines' total amount raised 60% of its height (a skewed scan): it
        // overlaps its label too little to share its line, yet stands right of it and above.
        for raise in [0.0, 0.6] {
            assert_eq!(
                lines_total_skewed(&nl, raise),
                Some(("4.900,00 EUR".into(), UNSETTLED_SCORE))
            );
            assert_eq!(
                lines_total_skewed(&fr, raise),
                Some(("1 128,00 EUR".into(), UNSETTLED_SCORE))
            );
        }
        let de = [
            ("Warenwert", "200,00"),
            ("Rabatt 10 %", "20,00"),
            ("Versand", "5,00"),
            ("Nettobetrag", "185,00"),
        ];
        // Two adjustments of opposite sign are not read: the sum must be one way.
        assert_eq!(lines_total(&de), None);
        // An item's row over a discount row of the table names no total: the net stands.
        let items = [
            ("Nike Air Max 1", "53 EUR"),
            ("Discount 1", "-10 EUR"),
            ("Total without VAT", "43 EUR"),
        ];
        assert_eq!(lines_total(&items), None);
    }

    #[test]
    fn no_lines_total_without_an_adjustment_that_makes_the_net() {
        // An item row above a discount row of the item table: the amounts do not make the net.
        let items = [
            ("Schreibtisch elektrisch", "1.098,00"),
            ("Treuerabatt 5%", "-112,70"),
            ("Nettobetrag", "2.141,30"),
        ];
        assert_eq!(lines_total(&items), None);
        // Two item rows, the second named like a charge ("Portes de envio", shipping) but
        // priced as an item: no adjustment, the net is the subtotal.
        let pt = [
            ("Serviços de consultoria", "3  € 1 250,00  € 3 750,00"),
            ("Portes de envio", "3  € 1 250,00  € 3 750,00"),
            ("Base tributável", "€ 7 500,00"),
        ];
        assert_eq!(lines_total(&pt), None);
        // No adjustment line between two nets.
        let plain = [("Subtotal", "100.00"), ("Net total", "100.00")];
        assert_eq!(lines_total(&plain), None);
        let en = [
            ("Subtotal", "100.00"),
            ("Discount 10%", "10.00"),
            ("Net total", "90.00"),
        ];
        assert_eq!(lines_total(&en), Some(("100.00".into(), UNSETTLED_SCORE)));
    }

    #[test]
    fn a_raised_line_of_words_is_no_amount_of_the_row_under_it() {
        let en = [
            ("Thank you", "for your order"),
            ("Discount 10%", "10.00"),
            ("Net total", "90.00"),
        ];
        assert_eq!(lines_total_skewed(&en, 0.6), None);
    }
}
