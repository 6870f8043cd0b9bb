//! Line-item columns: the cells under a header row of description / quantity / price labels,
//! joined with "; ", and the items of a till receipt that has no header (a description and
//! one amount per line above the total).

use super::generic::{self, Pick};
use super::values;
use super::view::PageView;
use crate::model::BoundingBox;
use crate::pipeline::config::FieldDef;
use crate::pipeline::layout::Segment;
use crate::pipeline::lexicon;

/// A table's header or row, not an address line: two column names, or an amount.
pub(super) fn looks_like_items(text: &str) -> bool {
    let toks = lexicon::tokens(text);
    let mut kinds: Vec<&str> = lexicon::labels()
        .find(&toks)
        .into_iter()
        .map(|m| m.concept.key.as_str())
        .filter(|k| matches!(*k, "description" | "quantity" | "unit_price" | "amount"))
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds.len() >= 2 || values::amounts(text).iter().any(|s| s.strength >= 0.9)
}

/// Line-item column concepts that make a header row.
const HEADER_CONCEPTS: &[&str] = &[
    "description",
    "quantity",
    "unit_price",
    "amount",
    "total",
    "subtotal",
    "tax",
    "position",
];

pub(super) fn column(views: &[PageView], field: &FieldDef, want: &'static str) -> Option<Pick> {
    let lex = lexicon::labels();
    let mut cells: Vec<String> = Vec::new();
    let mut first: Option<(usize, Vec<usize>)> = None;
    for (pi, view) in views.iter().enumerate() {
        let words = view.words();
        let mut li = 0;
        while li < view.lines.len() {
            // Header columns of this line: (concept, left, right).
            let line = &view.lines[li];
            let mut toks: Vec<(String, usize)> = Vec::new();
            for &wi in &line.words {
                for t in lexicon::tokens(&words[wi].text) {
                    toks.push((t, wi));
                }
            }
            let plain: Vec<String> = toks.iter().map(|t| t.0.clone()).collect();
            let mut cols: Vec<(&str, f32, f32)> = Vec::new();
            let mut covered = 0;
            for m in lex.find(&plain) {
                if m.start < covered || !HEADER_CONCEPTS.contains(&m.concept.key.as_str()) {
                    continue;
                }
                covered = m.start + m.len;
                let ws: Vec<usize> = toks[m.start..m.start + m.len].iter().map(|t| t.1).collect();
                let l = ws
                    .iter()
                    .map(|&w| words[w].bbox.left)
                    .fold(f32::MAX, f32::min);
                let r = ws
                    .iter()
                    .map(|&w| words[w].bbox.right())
                    .fold(f32::MIN, f32::max);
                cols.push((m.concept.key.as_str(), l, r));
            }
            let distinct = {
                let mut k: Vec<&str> = cols.iter().map(|c| c.0).collect();
                k.sort_unstable();
                k.dedup();
                k.len()
            };
            // A header names at least three kinds of column, ours among them, and most of its
            // words are column names.
            if distinct < 3 || !cols.iter().any(|c| c.0 == want) || covered * 2 < plain.len() {
                li += 1;
                continue;
            }
            cols.sort_by(|a, b| a.1.total_cmp(&b.1));
            // One header cell naming its column twice ("Hrs/Qty") is one column.
            cols.dedup_by(|b, a| {
                let same = a.0 == b.0 && b.1 <= a.2 + 0.01;
                if same {
                    a.2 = a.2.max(b.2);
                }
                same
            });
            // A header may name two columns of our kind ("Product | Title"): the rows decide.
            let candidates: Vec<usize> = (0..cols.len()).filter(|&i| cols[i].0 == want).collect();
            // Per row: each candidate column's words, and whether the row only continues the
            // row above (a wrapped description).
            let mut rows: Vec<(Vec<Vec<usize>>, bool)> = Vec::new();
            let numeric: Vec<usize> = cols
                .iter()
                .enumerate()
                .filter(|(_, c)| c.0 != "description" && c.0 != "position")
                .map(|(i, _)| i)
                .collect();
            let column_of = |b: &BoundingBox| -> usize {
                let best_overlap = cols
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (i, (b.right().min(c.2) - b.left.max(c.1)).max(0.0)))
                    .max_by(|a, b| a.1.total_cmp(&b.1));
                match best_overlap {
                    Some((i, o)) if o > 0.0 => i,
                    _ => cols
                        .iter()
                        .enumerate()
                        .min_by(|a, c| {
                            let da = ((a.1.1 + a.1.2) / 2.0 - b.center_x()).abs();
                            let dc = ((c.1.1 + c.1.2) / 2.0 - b.center_x()).abs();
                            da.total_cmp(&dc)
                        })
                        .map_or(0, |(i, _)| i),
                }
            };
            let mut last_bottom = line.bbox.bottom();
            let mut r = li + 1;
            while r < view.lines.len() {
                let row = &view.lines[r];
                if row.bbox.top - last_bottom > 0.12 {
                    break;
                }
                let row_text = generic::text_of(words, &row.words);
                let rt = lexicon::tokens(&row_text);
                // The totals under the table end it ("Total HT", "Subtotale", "Total sin IVA").
                if lex.find(&rt).iter().any(|m| {
                    matches!(m.concept.key.as_str(), "total" | "subtotal")
                        && m.len == rt.len().min(m.len)
                        && (m.start == 0 || m.len >= 2)
                }) {
                    break;
                }
                // Words at word spacing make one cell ("Memory Card" running under the next
                // header, "1 250,00 €" whose "1" alone would sit nearer another column); a
                // cell goes to the column it overlaps most.
                let mut cells_of_row: Vec<Vec<usize>> = Vec::new();
                for &wi in &row.words {
                    let w = &words[wi];
                    match cells_of_row.last_mut() {
                        Some(cell)
                            if {
                                let p = &words[*cell.last().expect("cells are never empty")];
                                w.bbox.left - p.bbox.right()
                                    < 0.6 * w.bbox.height.max(p.bbox.height)
                            } =>
                        {
                            cell.push(wi)
                        }
                        _ => cells_of_row.push(vec![wi]),
                    }
                }
                let mut by_col: Vec<Vec<usize>> = vec![Vec::new(); cols.len()];
                let mut totals_label = false;
                for cell in cells_of_row {
                    let bbox = BoundingBox::enclosing(cell.iter().map(|&w| &words[w].bbox))
                        .unwrap_or_default();
                    let c = column_of(&bbox);
                    // A totals label in a number column ("Pagamento | Subtotale 1.373,90 €"):
                    // the totals block has begun, whatever stands at its left.
                    let ct = lexicon::tokens(&generic::text_of(words, &cell));
                    if numeric.contains(&c)
                        && lex.find(&ct).iter().any(|m| {
                            m.start == 0 && matches!(m.concept.key.as_str(), "total" | "subtotal")
                        })
                    {
                        totals_label = true;
                    }
                    by_col[c].extend(cell);
                }
                // (A second header line, "Ohne MwSt.", has no amount: not a totals row.)
                if totals_label && values::amounts(&row_text).iter().any(|a| a.strength >= 0.9) {
                    break;
                }
                // A row has a cell in a number column that is a number and nothing else (a
                // footer's "Kto-Nr. 48567" under the price column is not).
                let has_number = numeric.iter().any(|&c| {
                    let t = generic::text_of(words, &by_col[c]);
                    values::amounts(&t)
                        .first()
                        .is_some_and(|s| s.range.len() * 10 >= t.trim().len() * 8)
                });
                let ours_of_row: Vec<Vec<usize>> =
                    candidates.iter().map(|&c| by_col[c].clone()).collect();
                if has_number {
                    rows.push((ours_of_row, false));
                } else if want == "description"
                    && rows.last().is_some_and(|(_, cont)| !cont)
                    && row.bbox.top - last_bottom < 1.5 * row.bbox.height
                    && has_text_in(words, &by_col, &candidates)
                {
                    rows.push((ours_of_row, true));
                }
                last_bottom = row.bbox.bottom();
                r += 1;
            }
            li = r;
            // Of two columns of our kind, the one that says more.
            let chars = |k: usize| -> usize {
                rows.iter()
                    .map(|(c, _)| generic::text_of(words, &c[k]).len())
                    .sum()
            };
            let Some(k) = (0..candidates.len()).max_by_key(|&k| (chars(k), usize::MAX - k)) else {
                continue;
            };
            let mut previous_kept = false;
            for (row_cols, continues) in &rows {
                let cell = &row_cols[k];
                if *continues {
                    // A wrapped line goes on mid-phrase: the line above ends without a stop
                    // and this one opens with a small letter or a digit ("… Class" / "10 48
                    // MB/s Memory Card"); a capitalised line is a note of its own.
                    let t = generic::text_of(words, cell);
                    if let Some(last) = cells.last_mut().filter(|_| previous_kept)
                        && wraps(last, &t)
                    {
                        last.push(' ');
                        last.push_str(t.trim());
                    }
                    continue;
                }
                previous_kept = !cell.is_empty();
                if cell.is_empty() {
                    continue;
                }
                cells.push(generic::text_of(words, cell));
                if first.is_none() {
                    first = Some((pi, cell.clone()));
                }
            }
        }
    }
    let Some((pi, idx)) = first else {
        return (want == "description")
            .then(|| unheaded_items(views))
            .flatten();
    };
    let view = &views[pi];
    let bbox =
        BoundingBox::enclosing(idx.iter().map(|&w| &view.words()[w].bbox)).unwrap_or_default();
    let _ = field;
    Some(Pick {
        text: cells.join("; "),
        score: 0.62,
        page: pi,
        words: idx,
        bbox,
        label: None,
        reason: format!(
            "{} row(s) of the line-item table, under its header",
            cells.len()
        ),
    })
}

/// A row with no number in the number columns that holds text in one of the description
/// columns: perhaps the second line of the item above.
fn has_text_in(words: &[crate::model::Word], by_col: &[Vec<usize>], ours: &[usize]) -> bool {
    ours.iter()
        .any(|&c| !generic::text_of(words, &by_col[c]).trim().is_empty())
}

/// Whether `next` continues the wrapped description `above`: no label or amount of its own.
fn wraps(above: &str, next: &str) -> bool {
    if next.contains(':') || values::amounts(next).iter().any(|a| a.strength >= 0.9) {
        return false;
    }
    let ends_open = above
        .trim_end()
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric());
    let opens_small = next
        .trim_start()
        .chars()
        .next()
        .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit());
    ends_open && opens_small
}

/// Line items with no header row (a till receipt): the lines above the first total that are a
/// description and one amount at the right, two or more of them; below the usual thresholds,
/// since no header says these are the items.
fn unheaded_items(views: &[PageView]) -> Option<Pick> {
    let lex = lexicon::labels();
    for (pi, view) in views.iter().enumerate() {
        let words = view.words();
        let mut cells: Vec<String> = Vec::new();
        let mut idx: Vec<usize> = Vec::new();
        for (li, line) in view.lines.iter().enumerate() {
            let toks = lexicon::tokens(&generic::text_of(words, &line.words));
            let found = lex.find(&toks);
            let totals = found
                .iter()
                .any(|m| matches!(m.concept.key.as_str(), "total" | "subtotal" | "tax"));
            if totals && !cells.is_empty() {
                break;
            }
            // A line that opens with a label phrase ("Payment terms …") is not an item.
            if found.iter().any(|m| m.start == 0 && m.len >= 2) {
                continue;
            }
            let mut segs: Vec<&Segment> = view.segments.iter().filter(|s| s.line == li).collect();
            segs.sort_by(|a, b| a.bbox.left.total_cmp(&b.bbox.left));
            let Some((last, desc)) = segs.split_last() else {
                continue;
            };
            let t = last.text.trim();
            let amount_only = values::amounts(t)
                .first()
                .is_some_and(|s| s.strength >= 0.9 && s.range.len() * 10 >= t.len() * 8);
            let text = desc
                .iter()
                .map(|s| s.text.trim())
                .collect::<Vec<_>>()
                .join(" ");
            // One amount, at the right: a line with a quantity and a price is a table's row,
            // which a header would have found.
            let more_amounts = desc
                .iter()
                .any(|s| values::amounts(&s.text).iter().any(|a| a.strength >= 0.9));
            if desc.is_empty()
                || !amount_only
                || more_amounts
                || !text.chars().any(char::is_alphabetic)
                || text.contains(':')
                || generic::starts_with_label(&text)
                || totals
            {
                continue;
            }
            cells.push(text);
            idx.extend(desc.iter().flat_map(|s| s.words.iter().copied()));
        }
        if cells.len() >= 2 {
            let bbox =
                BoundingBox::enclosing(idx.iter().map(|&w| &words[w].bbox)).unwrap_or_default();
            return Some(Pick {
                text: cells.join("; "),
                score: 0.55,
                page: pi,
                words: idx,
                bbox,
                label: None,
                reason: format!(
                    "{} line(s) of a description and an amount above the total (no header)",
                    cells.len()
                ),
            });
        }
    }
    None
}
