//! Per-rate tax summary tables: a header naming a rate column and two or more of net, tax and
//! gross ("MwSt-Satz | Netto | MwSt | Brutto", "Taux TVA | Base HT | Montant TVA | Total TTC"),
//! one row per rate ("19 % | 100,00 | 19,00 | 119,00"), and sometimes a row of sums.
//!
//! Read as label–value pairs, such a table gives the tax label the first row's gross, or the
//! total label one rate's gross. Read as a table, the tax is the tax column's sum: printed on
//! the sums row, or the only row's own; with several rates and no sums row it is their sum,
//! which the page does not print, so it stays under the review threshold. The table's gross
//! is only a candidate for the total: the amount to pay is printed on its own line, and may
//! differ (a prepayment, a rounding).

use std::sync::LazyLock;

use regex::Regex;

use super::generic::{Pick, text_of};
use super::values;
use super::view::PageView;
use crate::model::{BoundingBox, Word};
use crate::pipeline::lexicon;

/// The amount concepts a tax table has columns for.
const CONCEPTS: &[&str] = &["subtotal", "tax", "total"];
/// Indexes into [`CONCEPTS`].
const SUBTOTAL: usize = 0;
const TAX: usize = 1;

/// A printed percentage ("19 %", "20,00%", "5.5%").
static PERCENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d{1,2}(?:[.,]\d{1,2})?\s?%").unwrap());

/// One amount of the table.
#[derive(Debug, Clone)]
struct Cell {
    text: String,
    words: Vec<usize>,
    bbox: BoundingBox,
}

/// A tax summary table on one page.
#[derive(Debug, Clone)]
pub struct TaxTable {
    page: usize,
    /// Where one rate's amounts stand: from the header's top to the last rate row's bottom (the
    /// sums row is not in it), or in a grid of totals each rate's column.
    regions: Vec<BoundingBox>,
    /// Per concept (index into [`CONCEPTS`]): the rate rows' cells, and the sums row's cell.
    rows: [Vec<Cell>; 3],
    sums: [Option<Cell>; 3],
    /// Read from a grid of totals (one row of labels over one row of amounts).
    grid: bool,
}

fn concept_of(seg_text: &str) -> Option<usize> {
    let toks = lexicon::tokens(seg_text);
    if seg_text.contains('%')
        || toks
            .iter()
            .any(|t| lexicon::word_list("rate_word").contains(t))
    {
        return None;
    }
    lexicon::labels()
        .find(&toks)
        .into_iter()
        .find_map(|m| CONCEPTS.iter().position(|c| *c == m.concept.key))
}

fn is_rate_cell(seg_text: &str) -> bool {
    let toks = lexicon::tokens(seg_text);
    seg_text.contains('%')
        || toks
            .iter()
            .any(|t| lexicon::word_list("rate_word").contains(t))
}

/// The first tax summary table of the section's pages, found on the first call and kept on
/// the section's first view: every amount field asks for it. `views` is always a whole
/// section's, the same slice for every field.
pub fn of_section<'v>(views: &'v [PageView]) -> Option<&'v TaxTable> {
    views
        .first()?
        .section_tax_table
        .get_or_init(|| find(views))
        .as_ref()
}

/// The first tax summary table of the section's pages.
fn find(views: &[PageView]) -> Option<TaxTable> {
    views.iter().enumerate().find_map(|(pi, v)| {
        on_page(v).map(|mut t| {
            t.page = pi;
            t
        })
    })
}

fn on_page(view: &PageView) -> Option<TaxTable> {
    let words = view.words();
    for (li, line) in view.lines.iter().enumerate() {
        let segs: Vec<_> = view.segments_on(li).iter().collect();
        let rate_col = segs.iter().find(|s| is_rate_cell(&s.text)).map(|s| s.bbox);
        let mut cols: Vec<(usize, BoundingBox)> = Vec::new();
        for s in &segs {
            if let Some(c) = concept_of(&s.text)
                && !cols.iter().any(|(k, _)| *k == c)
            {
                cols.push((c, s.bbox));
            }
        }
        // A header names a rate column and two of net, tax, gross; its own amounts would make
        // it a row of totals instead.
        let text = text_of(words, &line.words);
        if rate_col.is_none()
            || cols.len() < 2
            || values::amounts(&text).iter().any(|a| a.strength >= 0.9)
        {
            continue;
        }
        let mut t = TaxTable {
            page: 0,
            regions: vec![line.bbox],
            rows: Default::default(),
            sums: Default::default(),
            grid: false,
        };
        let mut rate_rows = 0;
        for next in view.lines.iter().skip(li + 1).take(8) {
            let text = text_of(words, &next.words);
            let cells = cells_of(words, &next.words, &text, &cols);
            if cells.is_empty() {
                break;
            }
            if PERCENT.is_match(&text) {
                for (c, cell) in cells {
                    t.rows[c].push(cell);
                }
                t.regions[0] = t.regions[0].union(&next.bbox);
                rate_rows += 1;
            } else {
                if rate_rows > 0 && cells.len() >= 2 {
                    for (c, cell) in cells {
                        t.sums[c] = Some(cell);
                    }
                }
                break;
            }
        }
        if rate_rows > 0 {
            return Some(t);
        }
    }
    view.lines
        .iter()
        .enumerate()
        .find_map(|(li, _)| totals_grid(view, li))
}

/// What a cell of a grid of totals names: the concepts of its longest label matches (a term
/// inside a longer one does not count: "Celkem s DPH" is a total, not a tax), and whether it
/// prints a rate.
fn grid_cell(text: &str) -> (Vec<&'static str>, bool) {
    let toks = lexicon::tokens(text);
    let found = lexicon::labels().find(&toks);
    let inside = |a: &lexicon::Match, b: &lexicon::Match| {
        b.len > a.len && b.start <= a.start && a.start + a.len <= b.start + b.len
    };
    let mut concepts: Vec<&'static str> = found
        .iter()
        .filter(|m| !found.iter().any(|o| inside(m, o)))
        .filter_map(|m| CONCEPTS.iter().find(|c| **c == m.concept.key).copied())
        .collect();
    concepts.dedup();
    (concepts, PERCENT.is_match(text))
}

/// A grid of totals: a row of labels with no amounts over a row of amounts, each amount under
/// its label ("Gesamt netto | MwSt. 19 % | MwSt. 7 % | USt. gesamt | Endbetrag"), where two or
/// more labels name the tax at a rate. Each of those is one rate's amount; a tax label with no
/// rate ("USt. gesamt", "Razem VAT", "Moms i alt") is the document's tax, and a net label the
/// subtotal. The amount to pay is left to its own label.
fn totals_grid(view: &PageView, li: usize) -> Option<TaxTable> {
    let words = view.words();
    let header = &view.lines[li];
    let below = view.lines.get(li + 1)?;
    if !super::view::strong_amounts(words, &header.words).is_empty() {
        return None;
    }
    let segs: Vec<_> = view.segments_on(li).iter().collect();
    let kinds: Vec<_> = segs.iter().map(|s| grid_cell(&s.text)).collect();
    let is_rate_tax = |(c, rate): &(Vec<&str>, bool)| *rate && c.contains(&"tax");
    if kinds.iter().filter(|k| is_rate_tax(k)).count() < 2 {
        return None;
    }
    let mut t = TaxTable {
        page: 0,
        regions: Vec::new(),
        rows: Default::default(),
        sums: Default::default(),
        grid: true,
    };
    for a in super::view::strong_amounts(words, &below.words) {
        let Some(bbox) = BoundingBox::enclosing(a.words.iter().map(|&i| &words[i].bbox)) else {
            continue;
        };
        // The label it stands under: most overlap, else the nearest centre within a short reach.
        let Some(col) = (0..segs.len())
            .filter(|&i| {
                segs[i].bbox.x_overlap(&bbox) > 0.0
                    || (segs[i].bbox.center_x() - bbox.center_x()).abs() < 0.08
            })
            .min_by(|&i, &j| {
                let d = |k: usize| (segs[k].bbox.center_x() - bbox.center_x()).abs();
                d(i).total_cmp(&d(j))
            })
        else {
            continue;
        };
        let cell = Cell {
            text: a.text,
            words: a.words,
            bbox,
        };
        let (concepts, rate) = &kinds[col];
        if concepts.contains(&"tax") {
            if *rate {
                t.regions.push(segs[col].bbox.union(&bbox));
                t.rows[TAX].push(cell);
            } else {
                t.sums[TAX].get_or_insert(cell);
            }
        } else if concepts == &["subtotal"] && !rate {
            t.sums[SUBTOTAL].get_or_insert(cell);
        }
    }
    (t.rows[TAX].len() >= 2).then_some(t)
}

/// The amounts (two decimals or a currency) of a row, each in the header column it stands
/// under (most horizontal overlap, else the nearest column within a short reach).
fn cells_of(
    words: &[Word],
    line: &[usize],
    text: &str,
    cols: &[(usize, BoundingBox)],
) -> Vec<(usize, Cell)> {
    let mut out: Vec<(usize, Cell)> = Vec::new();
    for span in values::amounts(text) {
        if span.strength < 0.9 {
            continue;
        }
        let idx = super::view::words_in(words, line, &span.range);
        let Some(bbox) = BoundingBox::enclosing(idx.iter().map(|&i| &words[i].bbox)) else {
            continue;
        };
        let centre = |b: &BoundingBox| b.center_x();
        let col = cols
            .iter()
            .filter(|(_, b)| b.x_overlap(&bbox) > 0.0 || (centre(b) - centre(&bbox)).abs() < 0.08)
            .min_by(|a, b| {
                (centre(&a.1) - centre(&bbox))
                    .abs()
                    .total_cmp(&(centre(&b.1) - centre(&bbox)).abs())
            });
        if let Some((c, _)) = col
            && !out.iter().any(|(k, _)| k == c)
        {
            out.push((
                *c,
                Cell {
                    text: text[span.range.clone()].trim().to_string(),
                    words: idx,
                    bbox,
                },
            ));
        }
    }
    out
}

/// Score of a value the table prints for the concept (its sums row, or its only row).
const PRINTED: f32 = 0.85;
/// The table's gross as the total, or a sum the page does not print: under review.
const CANDIDATE: f32 = 0.6;

impl TaxTable {
    /// Whether a value read by a label lies in the header or the rate rows (a rate's amount,
    /// not the document's).
    pub fn holds(&self, p: &Pick) -> bool {
        let (cx, cy) = (p.bbox.center_x(), p.bbox.center_y());
        // A rate table's amounts stand in rows that may reach past the header; a grid's
        // columns are side by side, so a neighbour's amount is not in this one.
        let reach = if self.grid { 0.0 } else { 0.05 };
        p.page == self.page
            && self.regions.iter().any(|r| {
                cx >= r.left - reach && cx <= r.right() + reach && cy >= r.top && cy <= r.bottom()
            })
    }

    /// Whether the table gives a concept only as two or more rates' amounts, with no sums row.
    pub fn rates_only(&self, concept: &str) -> bool {
        CONCEPTS
            .iter()
            .position(|k| *k == concept)
            .is_some_and(|c| self.sums[c].is_none() && self.rows[c].len() >= 2)
    }

    /// The table's value of an amount concept ("subtotal", "tax", "total"). The tax of several
    /// rates that no sums row adds up is none: the document prints no tax amount of its own
    /// (and the truth of such invoices leaves the field empty rather than summing the rates).
    pub fn value(&self, concept: &str) -> Option<Pick> {
        let c = CONCEPTS.iter().position(|k| *k == concept)?;
        if concept == "tax" && self.rates_only(concept) {
            return None;
        }
        let ceiling = if concept == "total" {
            CANDIDATE
        } else {
            PRINTED
        };
        let printed = match (&self.sums[c], self.rows[c].as_slice()) {
            (Some(s), _) => Some((s, "the sums row of the per-rate tax table")),
            (None, [only]) => Some((only, "the only rate row of the tax table")),
            _ => None,
        };
        let (text, words, bbox, score, reason) = if let Some((cell, r)) = printed {
            let (text, words) = (cell.text.clone(), cell.words.clone());
            (text, words, cell.bbox, ceiling, r.to_string())
        } else {
            let cells = &self.rows[c];
            let sum: f64 = cells
                .iter()
                .map(|x| crate::numbers::parse(&x.text))
                .sum::<Option<f64>>()?;
            let comma = cells.first()?.text.rfind(',') > cells.first()?.text.rfind('.');
            let mut text = format!("{sum:.2}");
            if comma {
                text = text.replace('.', ",");
            }
            let words = cells.iter().flat_map(|x| x.words.clone()).collect();
            let bbox = BoundingBox::enclosing(cells.iter().map(|x| &x.bbox))?;
            let r = format!(
                "the sum of the {} rate rows of the tax table ({})",
                cells.len(),
                super::arithmetic::COMPUTED
            );
            (text, words, bbox, CANDIDATE, r)
        };
        Some(Pick {
            text,
            score,
            page: self.page,
            words,
            bbox,
            label: None,
            reason,
        })
    }
}

/// The rate printed before a value on its line ("USt 19 % (1.817,50 EUR): 345,33 EUR" gives
/// "19"), when there is one.
fn rate_before(view: &PageView, p: &Pick) -> Option<String> {
    let first = *p.words.first()?;
    let line = &view.lines[view.line_of(first)?];
    let pos = line.words.iter().position(|&w| w == first)?;
    let before = text_of(view.words(), &line.words[..pos]);
    let m = PERCENT.find(&before)?;
    Some(m.as_str().trim_end_matches(['%', ' ']).replace(',', "."))
}

/// Tax lines printed one per rate ("USt 7 %: 8,38", "USt 19 %: 345,33") with no table header:
/// when the tax candidates stand on lines of two or more different rates, each is one rate's
/// amount and none is the document's tax: they are dropped, and a document that prints no
/// tax total has no tax amount (the truth of such invoices leaves it empty rather than
/// summing the rates).
pub fn per_rate_lines(views: &[PageView], all: &mut Vec<Pick>) {
    let rates: Vec<Option<String>> = all
        .iter()
        .map(|p| views.get(p.page).and_then(|v| rate_before(v, p)))
        .collect();
    let mut distinct: Vec<&String> = rates.iter().flatten().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 2 {
        return;
    }
    let mut rate = rates.iter();
    all.retain(|_| rate.next().is_some_and(Option::is_none));
}

/// A tax line that prints its rate and the base it applies to before the tax ("MWST 8.1 % CHF
/// 46.60   3.77", "VAT (19% on 1200.00): 228.00 EUR") gives the base as the first amount after
/// the label. A later amount on the line that is the base × the rate, to the cent, is the tax.
pub fn base_before_tax(views: &[PageView], all: &mut [Pick]) {
    for p in all.iter_mut() {
        if let Some(tax) = views.get(p.page).and_then(|v| tax_after_base(v, p)) {
            *p = tax;
        }
    }
}

fn tax_after_base(view: &PageView, base: &Pick) -> Option<Pick> {
    let rate: f64 = rate_before(view, base)?.parse().ok()?;
    let amount = crate::numbers::parse(&base.text)?;
    let last = *base.words.last()?;
    let line = &view.lines[view.line_of(last)?];
    let after = line.words.iter().position(|&w| w == last)? + 1;
    let words = view.words();
    let expected = amount * rate / 100.0;
    super::view::strong_amounts(words, &line.words[after..])
        .into_iter()
        .find_map(|a| {
            let tax = a.value?;
            // Rounded to the cent, or per line and summed: a few cents on large amounts.
            let tolerance = (expected.abs() * 0.001).max(0.011);
            if (tax - expected).abs() > tolerance || tax.abs() >= amount.abs() {
                return None;
            }
            let bbox = BoundingBox::enclosing(a.words.iter().map(|&i| &words[i].bbox))?;
            Some(Pick {
                text: a.text,
                score: base.score,
                page: base.page,
                words: a.words,
                bbox,
                label: base.label.clone(),
                reason: format!(
                    "{}; the amount after it on the line, {} × {rate} %",
                    base.reason, base.text
                ),
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::extract::fixtures::{TEXT_LAYER, page};

    /// A page of four columns (rate or label, net, tax, gross); an empty cell is left out.
    fn grid(rows: &[[&str; 4]]) -> Option<TaxTable> {
        const X: [f32; 4] = [0.05, 0.3, 0.5, 0.7];
        let cells: Vec<Vec<(&str, f32)>> = rows
            .iter()
            .map(|r| {
                r.iter()
                    .zip(X)
                    .filter(|(t, _)| !t.is_empty())
                    .map(|(t, x)| (*t, x))
                    .collect()
            })
            .collect();
        let lines: Vec<&[(&str, f32)]> = cells.iter().map(Vec::as_slice).collect();
        let p = page(&lines, &TEXT_LAYER);
        find(&[PageView::new(&p)])
    }

    /// The tax read on a page of one line, given the pick of the amount right after the label
    /// (its text, and the words it was read from).
    fn tax_on(cells: &[(&str, f32)], base: &str, from: &[&str]) -> Option<String> {
        let p = page(&[cells], &TEXT_LAYER);
        let view = PageView::new(&p);
        let words: Vec<usize> = (0..view.words().len())
            .filter(|&i| from.contains(&view.words()[i].text.as_str()))
            .collect();
        let pick = Pick {
            text: base.to_string(),
            score: 0.9,
            page: 0,
            bbox: view.lines[0].bbox,
            words,
            label: Some("tax".into()),
            reason: String::new(),
        };
        tax_after_base(&view, &pick).map(|p| p.text)
    }

    #[test]
    fn a_rate_and_its_base_before_the_tax_give_the_tax() {
        let de = [("MWST 8.1 % CHF 46.60", 0.4), ("3.77", 0.8)];
        assert_eq!(
            tax_on(&de, "CHF 46.60", &["CHF", "46.60"]).as_deref(),
            Some("3.77")
        );
        let en = [("VAT (19% on 1200.00):", 0.4), ("228.00 EUR", 0.8)];
        assert_eq!(
            tax_on(&en, "1200.00", &["1200.00):"]).as_deref(),
            Some("228.00 EUR")
        );
        let fr = [("TVA 20 % sur 1 260,00", 0.4), ("252,00 €", 0.8)];
        assert_eq!(
            tax_on(&fr, "1 260,00", &["1", "260,00"]).as_deref(),
            Some("252,00 €")
        );
        // A later amount that is not the base × the rate (the gross) leaves the pick alone, as
        // does a line with no rate before the pick.
        let gross = [("MwSt 19 %", 0.2), ("100,00", 0.5), ("119,00", 0.8)];
        assert_eq!(tax_on(&gross, "100,00", &["100,00"]), None);
        let no_rate = [("Tax", 0.2), ("46.60", 0.5), ("3.77", 0.8)];
        assert_eq!(tax_on(&no_rate, "46.60", &["46.60"]), None);
    }

    #[test]
    fn the_sums_row_the_only_row_or_no_tax_of_several_rates() {
        // (table, concept, value, score): German with a sums row, English of one rate, French
        // of two rates and no sums row (the sum is printed nowhere).
        let de: &[[&str; 4]] = &[
            ["MwSt-Satz", "Netto", "MwSt", "Brutto"],
            ["19 %", "100,00", "19,00", "119,00"],
            ["7 %", "50,00", "3,50", "53,50"],
            ["Summe", "150,00", "22,50", "172,50"],
        ];
        let en: &[[&str; 4]] = &[
            ["VAT rate", "Net", "VAT", "Gross"],
            ["20%", "$1,000.00", "$200.00", "$1,200.00"],
        ];
        let fr: &[[&str; 4]] = &[
            ["Taux TVA", "Base HT", "Montant TVA", "Total TTC"],
            ["20,00 %", "100,00", "20,00", "120,00"],
            ["5,50 %", "10,00", "0,55", "10,55"],
            ["", "", "", ""],
            ["", "Net à payer", "", "130,55 €"],
        ];
        for (rows, concept, text, score) in [
            (de, "tax", "22,50", PRINTED),
            (de, "subtotal", "150,00", PRINTED),
            (de, "total", "172,50", CANDIDATE),
            (en, "tax", "$200.00", PRINTED),
            (en, "subtotal", "$1,000.00", PRINTED),
        ] {
            let p = grid(rows).unwrap().value(concept).unwrap();
            assert_eq!(
                (p.text.as_str(), p.score),
                (text, score),
                "{concept} of {rows:?}"
            );
            assert!(!p.reason.contains(super::super::arithmetic::COMPUTED));
        }
        // Two rates and no sums row: the tax of the document is printed nowhere, so none;
        // the subtotal, their sum, is offered under review.
        let fr = grid(fr).unwrap();
        assert!(fr.value("tax").is_none());
        let net = fr.value("subtotal").unwrap();
        assert_eq!((net.text.as_str(), net.score), ("110,00", CANDIDATE));
        assert!(net.reason.contains(super::super::arithmetic::COMPUTED));
    }

    #[test]
    fn an_item_table_or_a_totals_block_is_no_tax_table() {
        // No rate column; a totals block whose lines print their own amounts.
        let items = [
            ["Description", "", "Net", "Total"],
            ["Widget", "", "10,00", "11,90"],
        ];
        assert!(grid(&items).is_none());
        let totals = [
            ["", "", "Netto", "100,00"],
            ["", "", "MwSt 19 %", "19,00"],
            ["", "", "Brutto", "119,00"],
        ];
        assert!(grid(&totals).is_none());
    }

    #[test]
    fn the_section_table_is_found_once_and_kept() {
        let rows = [
            ["MwSt-Satz", "Netto", "MwSt", "Brutto"],
            ["19 %", "100,00", "19,00", "119,00"],
        ];
        let cells: Vec<Vec<(&str, f32)>> = rows
            .iter()
            .map(|r| r.iter().copied().zip([0.05, 0.3, 0.5, 0.7]).collect())
            .collect();
        let lines: Vec<&[(&str, f32)]> = cells.iter().map(Vec::as_slice).collect();
        let p = page(&lines, &TEXT_LAYER);
        let views = [PageView::new(&p)];
        let first = of_section(&views).expect("a tax table");
        // The second field's call gets the kept table, not a new reading.
        assert!(std::ptr::eq(first, of_section(&views).unwrap()));
        assert_eq!(first.value("tax").unwrap().text, "19,00");
        assert!(of_section(&[]).is_none());
    }

    /// A page of a grid of totals: a row of labels over a row of amounts, side by side.
    fn totals_row(labels: &[&str], amounts: &[&str]) -> Option<TaxTable> {
        let x = |i: usize| 0.05 + 0.18 * i as f32;
        let head: Vec<(&str, f32)> = labels.iter().enumerate().map(|(i, t)| (*t, x(i))).collect();
        let row: Vec<(&str, f32)> = amounts
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.is_empty())
            .map(|(i, t)| (*t, x(i)))
            .collect();
        let p = page(&[&head, &row], &TEXT_LAYER);
        find(&[PageView::new(&p)])
    }

    #[test]
    fn a_grid_of_totals_gives_its_tax_total_not_one_rates_tax() {
        let de = totals_row(
            &[
                "Gesamt netto",
                "MwSt. 19 %",
                "MwSt. 7 %",
                "USt. gesamt",
                "Endbetrag",
            ],
            &["6.409,95", "1.196,99", "7,70", "1.204,69", "7.614,64 EUR"],
        )
        .expect("a grid of totals");
        let tax = de.value("tax").unwrap();
        assert_eq!((tax.text.as_str(), tax.score), ("1.204,69", PRINTED));
        assert_eq!(de.value("subtotal").unwrap().text, "6.409,95");
        // The amount to pay is not the grid's to give.
        assert!(de.value("total").is_none());
        let pl = totals_row(
            &[
                "Suma netto",
                "Kwota VAT 23 %",
                "Kwota VAT 8 %",
                "Razem VAT",
                "Wartość brutto",
            ],
            &["7 370,30", "1 469,24", "78,58", "1 547,82", "8 918,12 PLN"],
        )
        .unwrap();
        assert_eq!(pl.value("tax").unwrap().text, "1 547,82");
        // A label read over one rate's amount is inside the grid; the total tax's is not.
        let pick = |cell: &Cell| Pick {
            text: cell.text.clone(),
            score: 0.9,
            page: 0,
            words: cell.words.clone(),
            bbox: cell.bbox,
            label: None,
            reason: String::new(),
        };
        assert!(pl.holds(&pick(&pl.rows[TAX][1])));
        assert!(!pl.holds(&pick(pl.sums[TAX].as_ref().unwrap())));
        // Two rates and no total: no tax of the document's own.
        let sv = totals_row(
            &[
                "Summa exkl. moms",
                "Momsbelopp 25 %",
                "Momsbelopp 12 %",
                "Summa att betala",
            ],
            &["3 042,50", "586,10", "83,77", "3 712,37 SEK"],
        )
        .unwrap();
        assert!(sv.rates_only("tax"));
        assert!(sv.value("tax").is_none());
        assert_eq!(sv.value("subtotal").unwrap().text, "3 042,50");
    }

    #[test]
    fn a_grid_of_one_rate_or_of_labels_only_is_no_tax_table() {
        // One rate: its amount is the document's tax, read by its label.
        let one = totals_row(
            &["Total HT", "TVA 20 %", "Total TTC"],
            &["100,00", "20,00", "120,00"],
        );
        assert!(one.is_none());
        // Rate labels with no amounts under them.
        let none = totals_row(
            &["Netto", "MwSt 19 %", "MwSt 7 %", "Brutto"],
            &["", "", "", ""],
        );
        assert!(none.is_none());
    }
}
