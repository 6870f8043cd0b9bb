//! Line-item columns: the cells under a header row of description / quantity / price labels
//! (any language the lexicon knows), joined with "; ", and the items of a list that has no
//! header (a description and one amount per line above the total).
//!
//! Headers come in several shapes: on one line; set over several lines ("Cena" over "brutto",
//! read as stacked cells); or naming only the number columns, the descriptions standing
//! unheaded at their left. A row's cells go to the column they overlap; a line with no number
//! continues the description above it; a description has letters and a quantity or a price is
//! a number. A list with no header may give each item parts indented under it ("Charges",
//! "VAT" under a service): those are not items. What this reads is never confident: which
//! table holds the items, and where it ends, is a layout guess.

use std::sync::LazyLock;

use regex::Regex;

use super::generic::{self, Pick};
use super::values;
use super::view::PageView;
use crate::model::{BoundingBox, Word};
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
    "unit",
    "discount",
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
            let (cols, covered, n) = line_columns(words, &line.words);
            let mostly_names = covered * 2 >= n;
            // A header set over several lines ("Cena" over "brutto", "Unit" over "price") is
            // read as columns of stacked cells; its rows start under its last line.
            let (mut cols, last) = match stacked_header(view, li, &cols) {
                Some(stacked) if mostly_names && kinds(&cols) >= 2 => stacked,
                _ => (cols, li),
            };
            let distinct = kinds(&cols);
            // No description heading, and nothing printed left of the number columns ("Montant
            // HT | Montant TVA | Montant TTC" over "Abonnements … 24.99 5.00 29.99"): the rows'
            // text at the left is the description.
            if want == "description"
                && distinct >= 3
                && mostly_names
                && let Some(at) = unheaded_description(words, &line.words, &cols)
            {
                cols.push(("description", 0.0, at));
            }
            // A header names at least three kinds of column, ours among them, and most of its
            // words are column names.
            if distinct < 3 || !cols.iter().any(|c| c.0 == want) || !mostly_names {
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
                // A discount's "10 %" is no quantity or price.
                .filter(|(_, c)| !matches!(c.0, "description" | "position" | "unit" | "discount"))
                .map(|(i, _)| i)
                .collect();
            // Under no heading, a cell goes to the nearest column; a cell of words nearest the
            // row numbers' column ("Konsultacje IT" between "Lp." and a centred "Nazwa") to the
            // description's: row numbers hold no words.
            let description = cols.iter().position(|c| c.0 == "description");
            let column_of = |b: &BoundingBox, wordy: bool| -> usize {
                let best_overlap = cols
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (i, (b.right().min(c.2) - b.left.max(c.1)).max(0.0)))
                    .max_by(|a, b| a.1.total_cmp(&b.1));
                match best_overlap {
                    Some((i, o)) if o > 0.0 => i,
                    _ => {
                        let nearest = cols
                            .iter()
                            .enumerate()
                            .min_by(|a, c| {
                                let da = ((a.1.1 + a.1.2) / 2.0 - b.center_x()).abs();
                                let dc = ((c.1.1 + c.1.2) / 2.0 - b.center_x()).abs();
                                da.total_cmp(&dc)
                            })
                            .map_or(0, |(i, _)| i);
                        match description {
                            Some(d) if wordy && cols[nearest].0 == "position" => d,
                            _ => nearest,
                        }
                    }
                }
            };
            let mut last_bottom = view.lines[last].bbox.bottom();
            // A line of text with no number, kept in case the next row's numbers stand under
            // a description cell of no words: the item's name printed above its figures.
            let mut above: Option<Vec<Vec<usize>>> = None;
            let mut r = last + 1;
            while r < view.lines.len() {
                let row = &view.lines[r];
                if row.bbox.top - last_bottom > 0.12 {
                    break;
                }
                let row_text = generic::text_of(words, &row.words);
                // A discount or allowance line ("Korting: Project discount  -180,00") adjusts
                // the items above it; it is none of them.
                if is_allowance(&row_text) {
                    last_bottom = row.bbox.bottom();
                    above = None;
                    r += 1;
                    continue;
                }
                let has_amount = values::amounts(&row_text).iter().any(|a| a.strength >= 0.9);
                // Another table's header under the rows ("Sazba | Základ | DPH | Včetně DPH",
                // the tax summary) ends this one.
                if !rows.is_empty() && !has_amount && kinds(&line_columns(words, &row.words).0) >= 2
                {
                    break;
                }
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
                let cells_of_row = split_numbers(words, cells_of_row, &cols);
                let cell_cols: Vec<usize> = cells_of_row
                    .iter()
                    .map(|cell| {
                        let letters = cell
                            .iter()
                            .flat_map(|&w| words[w].text.chars())
                            .filter(|c| c.is_alphabetic())
                            .count();
                        column_of(
                            &BoundingBox::enclosing(cell.iter().map(|&w| &words[w].bbox))
                                .unwrap_or_default(),
                            letters >= 3,
                        )
                    })
                    .collect();
                let cell_cols = by_rank(words, &cells_of_row, cell_cols, &numeric);
                let mut by_col: Vec<Vec<usize>> = vec![Vec::new(); cols.len()];
                let mut totals_label = false;
                for (cell, c) in cells_of_row.into_iter().zip(cell_cols) {
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
                if totals_label && has_amount {
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
                let mut ours_of_row: Vec<Vec<usize>> =
                    candidates.iter().map(|&c| by_col[c].clone()).collect();
                if has_number {
                    let wordless = ours_of_row
                        .iter()
                        .all(|c| !generic::text_of(words, c).chars().any(char::is_alphabetic));
                    if let Some(name) = above.take().filter(|_| wordless) {
                        // The line above was this row's name, not the last row's second line.
                        if rows.last().is_some_and(|(_, cont)| *cont) {
                            rows.pop();
                        }
                        ours_of_row = name;
                    }
                    rows.push((ours_of_row, false));
                } else if want == "description" && has_text_in(words, &by_col, &candidates) {
                    let tight = row.bbox.top - last_bottom < 1.5 * row.bbox.height;
                    above = tight.then(|| ours_of_row.clone());
                    if tight && rows.last().is_some_and(|(_, cont)| !cont) {
                        rows.push((ours_of_row, true));
                    }
                } else {
                    above = None;
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
                // A description has letters, a quantity or a price is a number: a line of text
                // under the price column is a note or the next description, not a price.
                let text = generic::text_of(words, cell);
                let fits = if want == "description" {
                    text.chars().any(char::is_alphabetic)
                } else {
                    reads_as_number(&text)
                };
                previous_kept = !cell.is_empty() && fits;
                if !previous_kept {
                    continue;
                }
                cells.push(if want == "description" {
                    text
                } else {
                    the_number(&text)
                });
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

/// A cell of a header line: its left and right edge, and its line.
type HeaderCell = (f32, f32, usize);

/// A header column: its concept, left and right edge.
type Col = (&'static str, f32, f32);

/// The header columns a line names, how many of its tokens the names run to (the end of the
/// last), and its number of tokens.
fn line_columns(words: &[Word], line: &[usize]) -> (Vec<Col>, usize, usize) {
    let mut toks: Vec<(String, usize)> = Vec::new();
    for &wi in line {
        for t in lexicon::tokens(&words[wi].text) {
            toks.push((t, wi));
        }
    }
    let plain: Vec<String> = toks.iter().map(|t| t.0.clone()).collect();
    let mut cols: Vec<Col> = Vec::new();
    let mut covered = 0;
    for m in lexicon::labels().find(&plain) {
        if m.start < covered || !HEADER_CONCEPTS.contains(&m.concept.key.as_str()) {
            continue;
        }
        covered = m.start + m.len;
        let ws: Vec<usize> = toks[m.start..m.start + m.len].iter().map(|t| t.1).collect();
        let b = BoundingBox::enclosing(ws.iter().map(|&w| &words[w].bbox)).unwrap_or_default();
        cols.push((m.concept.key.as_str(), b.left, b.right()));
    }
    (cols, covered, plain.len())
}

/// How many kinds of column a header names.
fn kinds(cols: &[Col]) -> usize {
    let mut k: Vec<&str> = cols.iter().map(|c| c.0).collect();
    k.sort_unstable();
    k.dedup();
    k.len()
}

fn overlaps(a: (f32, f32), b: (f32, f32)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// The columns of a header that runs over the lines around line `li` ("Cena" over "brutto"
/// over nothing in the line that names the other columns), and its last line; `None` when the
/// header is the one line. A line joins when it sits tight against the header, prints no digit,
/// and each of its cells stands over or under at most one of the line's columns: a cell of a
/// line that names columns itself, or one under a number column ("rabacie" under "brutto po").
/// A first item's wrapped description under the description heading does not join.
fn stacked_header(view: &PageView, li: usize, main: &[Col]) -> Option<(Vec<Col>, usize)> {
    let words = view.words();
    let cells = |k: usize| -> Vec<HeaderCell> {
        view.segments_on(k)
            .iter()
            .map(|s| (s.bbox.left, s.bbox.right(), k))
            .collect()
    };
    let joins = |k: usize, beside: usize| -> bool {
        let (line, near) = (&view.lines[k], &view.lines[beside]);
        let gap = (line.bbox.top - near.bbox.bottom()).max(near.bbox.top - line.bbox.bottom());
        if gap > 1.2 * line.bbox.height.max(near.bbox.height)
            || generic::text_of(words, &line.words)
                .chars()
                .any(|c| c.is_ascii_digit())
        {
            return false;
        }
        let named = !line_columns(words, &line.words).0.is_empty();
        cells(k).iter().all(|&(l, r, _)| {
            let over: Vec<&Col> = main
                .iter()
                .filter(|c| overlaps((l, r), (c.1, c.2)))
                .collect();
            over.len() <= 1
                && (named
                    || over
                        .first()
                        .is_some_and(|c| !matches!(c.0, "description" | "position" | "unit")))
        })
    };
    let mut first = li;
    while first > 0 && li - first < 3 && joins(first - 1, first) {
        first -= 1;
    }
    let mut last = li;
    while last + 1 < view.lines.len() && last - li < 3 && joins(last + 1, last) {
        last += 1;
    }
    if first == last {
        return None;
    }
    // Cells that overlap in x across the lines make one stack, read top to bottom.
    let mut stacks: Vec<(f32, f32, Vec<HeaderCell>)> = Vec::new();
    for k in first..=last {
        for c in cells(k) {
            let (mut l, mut r, mut members) = (c.0, c.1, vec![c]);
            stacks.retain(|s| {
                let hit = overlaps((s.0, s.1), (l, r));
                if hit {
                    (l, r) = (l.min(s.0), r.max(s.1));
                    members.extend(s.2.iter().copied());
                }
                !hit
            });
            stacks.push((l, r, members));
        }
    }
    let mut cols: Vec<Col> = Vec::new();
    for (l, r, mut members) in stacks {
        if members.iter().all(|m| m.2 == li) {
            // The header line's own cells: its own reading (a cell may name two columns).
            cols.extend(main.iter().filter(|c| overlaps((l, r), (c.1, c.2))));
            continue;
        }
        members.sort_by(|a, b| a.2.cmp(&b.2).then(a.0.total_cmp(&b.0)));
        let stack_words: Vec<usize> = members
            .iter()
            .flat_map(|&(ml, mr, k)| {
                view.lines[k].words.iter().copied().filter(move |&w| {
                    overlaps((ml, mr), (words[w].bbox.left, words[w].bbox.right()))
                })
            })
            .collect();
        let toks = lexicon::tokens(&generic::text_of(words, &stack_words));
        if let Some(m) = lexicon::labels()
            .find(&toks)
            .into_iter()
            .find(|m| HEADER_CONCEPTS.contains(&m.concept.key.as_str()))
        {
            cols.push((m.concept.key.as_str(), l, r));
        }
    }
    Some((cols, last))
}

/// Where a description column no header names would end: the header's columns are all number
/// columns, they start right of the page's left third, and no word of the header line stands
/// left of them (else that word is the unread heading of the first column).
fn unheaded_description(words: &[Word], line: &[usize], cols: &[Col]) -> Option<f32> {
    if cols
        .iter()
        .any(|c| matches!(c.0, "description" | "position" | "unit"))
    {
        return None;
    }
    let first = cols.iter().map(|c| c.1).fold(f32::MAX, f32::min);
    let height = line
        .iter()
        .map(|&w| words[w].bbox.height)
        .fold(0.0f32, f32::max);
    let before = line.iter().any(|&w| words[w].bbox.left < first - 0.001);
    (first > 0.33 && !before).then_some(first - 2.0 * height)
}

/// Cells of numbers at word spacing whose numbers stand under different columns ("1 860,00":
/// a quantity and a price set too close for a column gap) are split, each number to the column
/// it overlaps; a word under none stays with the number before it ("1 250,00 €").
fn split_numbers(words: &[Word], cells: Vec<Vec<usize>>, cols: &[Col]) -> Vec<Vec<usize>> {
    let under = |w: usize| {
        let b = &words[w].bbox;
        cols.iter()
            .position(|c| overlaps((b.left, b.right()), (c.1, c.2)))
    };
    let mut out = Vec::new();
    for cell in cells {
        let numeric = cell.iter().all(|&w| {
            words[w].text.chars().any(|c| c.is_ascii_digit())
                || values::amounts(&words[w].text).is_empty() && words[w].text.chars().count() <= 3
        });
        let mut seen: Vec<usize> = cell.iter().filter_map(|&w| under(w)).collect();
        seen.dedup();
        if !numeric || seen.len() < 2 {
            out.push(cell);
            continue;
        }
        let mut current: Vec<usize> = Vec::new();
        let mut at: Option<usize> = None;
        for w in cell {
            let u = under(w);
            if u.is_some() && at.is_some() && u != at && !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            at = u.or(at);
            current.push(w);
        }
        out.push(current);
    }
    out
}

/// A row printed out of step with its header (every number a column to the left of its
/// heading, so two numbers meet under one): when the row holds exactly one number per number
/// column, in order, the k-th number is the k-th column's, whatever it overlaps.
fn by_rank(
    words: &[Word],
    cells: &[Vec<usize>],
    mut cell_cols: Vec<usize>,
    numeric: &[usize],
) -> Vec<usize> {
    let numbers: Vec<usize> = (0..cells.len())
        .filter(|&i| {
            let t = generic::text_of(words, &cells[i]);
            reads_as_number(&t) && !t.trim_end().ends_with('%')
        })
        .filter(|&i| numeric.contains(&cell_cols[i]))
        .collect();
    let crowded = numbers.iter().any(|&i| {
        numbers
            .iter()
            .filter(|&&j| cell_cols[j] == cell_cols[i])
            .count()
            > 1
    });
    if !crowded || numbers.len() != numeric.len() {
        return cell_cols;
    }
    // `numeric` is in the header's left-to-right order, and so are a row's cells.
    for (&i, &c) in numbers.iter().zip(numeric) {
        cell_cols[i] = c;
    }
    cell_cols
}

/// The number of a quantity or price cell, without the unit or the next column's number that
/// word spacing joined to it ("10,00 unidades" → "10,00", "$1.000,00 0,00" → "$1.000,00").
fn the_number(text: &str) -> String {
    let spans = values::amounts(text);
    let strong: Vec<_> = spans.iter().filter(|s| s.strength >= 0.9).collect();
    if let Some(s) = strong.first() {
        return text[s.range.clone()].trim().to_string();
    }
    NUMBER
        .find(text)
        .map_or_else(|| text.trim().to_string(), |m| m.as_str().to_string())
}

/// A plain number: a quantity ("54,910", "6,5", "12").
static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"-?\d[\d.,']*\d|-?\d").unwrap());

/// Whether a cell reads as a quantity or a price: a number, perhaps with a unit or a currency
/// ("54,910 l", "3 Stk", "EUR 3,50"), not words with a number among them.
fn reads_as_number(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    digits > 0 && (letters <= 4 || with_unit_word(text))
}

/// A number and one word after it: its unit ("10,00 unidades", "3 Stück", "2 heures").
fn with_unit_word(text: &str) -> bool {
    let mut parts = text.split_whitespace();
    let (Some(n), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    NUMBER.find(n).is_some_and(|m| m.as_str() == n)
        && unit.trim_end_matches('.').chars().all(char::is_alphabetic)
        && unit.chars().count() <= 12
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

/// A discount or allowance line of an item table: its words before a colon (or all its words)
/// are a discount label ("Korting: Project discount", "Rabatt 10 %", "Savings").
fn is_allowance(text: &str) -> bool {
    let head = text.split(':').next().unwrap_or(text);
    let toks: Vec<String> = lexicon::tokens(head)
        .into_iter()
        .filter(|t| t.chars().any(char::is_alphabetic))
        .collect();
    !toks.is_empty()
        && lexicon::labels()
            .find(&toks)
            .iter()
            .any(|m| m.start == 0 && m.len == toks.len() && m.concept.key == "discount")
}

/// Text of headings and currency codes only ("Währung Betrag", "CHF"): a payment slip's boxes,
/// no item's name. One label word alone ("Shipping") may still name an item.
fn only_labels(text: &str) -> bool {
    let toks = lexicon::tokens(text);
    let mut covered = vec![false; toks.len()];
    let mut concepts: Vec<&str> = Vec::new();
    for m in lexicon::labels().find(&toks) {
        covered[m.start..m.start + m.len].fill(true);
        concepts.push(m.concept.key.as_str());
    }
    concepts.sort_unstable();
    concepts.dedup();
    let plain = |t: &String| values::is_currency(t) || !t.chars().any(char::is_alphabetic);
    if toks.is_empty() {
        return false;
    }
    toks.iter().all(plain)
        || concepts.len() >= 2 && toks.iter().zip(&covered).all(|(t, &c)| c || plain(t))
}

/// A line that reads as an item with no header: a description and one amount at the right,
/// no label phrase opening it; its text and the description's words.
fn item_line(view: &PageView, li: usize, found: &[lexicon::Match]) -> Option<(String, Vec<usize>)> {
    // A line that opens with a label phrase ("Payment terms …") is not an item.
    if found.iter().any(|m| m.start == 0 && m.len >= 2) {
        return None;
    }
    let mut segs: Vec<&Segment> = view.segments_on(li).iter().collect();
    segs.sort_by(|a, b| a.bbox.left.total_cmp(&b.bbox.left));
    let (last, desc) = segs.split_last()?;
    let t = last.text.trim();
    let amount_only = values::amounts(t)
        .first()
        .is_some_and(|s| s.strength >= 0.9 && s.range.len() * 10 >= t.len() * 8);
    let text = desc
        .iter()
        .map(|s| s.text.trim())
        .collect::<Vec<_>>()
        .join(" ");
    // One amount, at the right: a line with a quantity and a price is a table's row, which a
    // header would have found.
    let more_amounts = desc
        .iter()
        .any(|s| values::amounts(&s.text).iter().any(|a| a.strength >= 0.9));
    if desc.is_empty()
        || !amount_only
        || more_amounts
        || !text.chars().any(char::is_alphabetic)
        || text.contains(':')
        || generic::starts_with_label(&text)
        || only_labels(&text)
    {
        return None;
    }
    Some((
        text,
        desc.iter().flat_map(|s| s.words.iter().copied()).collect(),
    ))
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
        // The left edge of the items, once one is read, and whether the last item has lines
        // indented under it ("Charges", "VAT" under a service's name): its parts, not items.
        let mut level: Option<f32> = None;
        let mut parts = false;
        for (li, line) in view.lines.iter().enumerate() {
            let toks = lexicon::tokens(&generic::text_of(words, &line.words));
            let found = lex.find(&toks);
            let totals = found
                .iter()
                .any(|m| matches!(m.concept.key.as_str(), "total" | "subtotal" | "tax"));
            let row = item_line(view, li, &found);
            let indented = level.is_some_and(|l| line.bbox.left > l + 0.8 * line.bbox.height);
            if indented && (row.is_some() && !totals || totals && parts) {
                parts |= !totals;
                continue;
            }
            if totals && !cells.is_empty() {
                // One item with its parts, then a total: a summary; the detail may follow.
                if cells.len() == 1 && parts {
                    cells.clear();
                    idx.clear();
                    (level, parts) = (None, false);
                    continue;
                }
                break;
            }
            let Some((text, desc)) = row.filter(|_| !totals) else {
                continue;
            };
            cells.push(text);
            idx.extend(desc);
            level.get_or_insert(line.bbox.left);
            parts = false;
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

#[cfg(test)]
mod tests;
