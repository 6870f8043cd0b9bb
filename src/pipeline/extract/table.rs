//! Tables (arrays of objects in the schema): a header line where the column labels sit side by
//! side, then rows below whose cells line up under those labels. Rows end at the first line whose
//! cells do not look like the columns' types — how a W-2's state table or a statement's
//! transaction list ends.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::labels;
use super::view::PageView;
use crate::model::{FieldResult, FieldSource};
use crate::pipeline::config::value_type::parse_number;
use crate::pipeline::config::{FieldDef, ValueType};

/// Most rows read from one table, so a runaway match cannot produce thousands.
const MAX_ROWS: usize = 5000;

/// Rows of the table and per-cell details keyed `"<table>[i].<column>"`.
pub fn find_table(
    views: &[PageView],
    table: &str,
    cols: &[FieldDef],
) -> (Vec<Value>, BTreeMap<String, FieldResult>) {
    // A table may run over several pages, each repeating its header.
    let mut rows = Vec::new();
    let mut details = BTreeMap::new();
    for view in views {
        if let Some((r, d)) = on_page(view, table, cols, rows.len()) {
            rows.extend(r);
            details.extend(d);
        }
        if rows.len() >= MAX_ROWS {
            rows.truncate(MAX_ROWS);
            break;
        }
    }
    (rows, details)
}

fn on_page(
    view: &PageView,
    table: &str,
    cols: &[FieldDef],
    first_row: usize,
) -> Option<(Vec<Value>, BTreeMap<String, FieldResult>)> {
    let words = view.words();
    // For every line, which columns have their label on it (best hit per column).
    // col, left, right, score
    let mut per_line: BTreeMap<usize, Vec<(usize, f32, f32, f32)>> = BTreeMap::new();
    for (ci, col) in cols.iter().enumerate() {
        for label in &col.labels {
            for h in labels::find_label(words, &view.lines, label) {
                let e = per_line.entry(h.line).or_default();
                if !e
                    .iter()
                    .any(|(c, l, _, _)| *c == ci || (*l - h.bbox.left).abs() < 0.005)
                {
                    e.push((ci, h.bbox.left, h.bbox.right(), h.score));
                }
            }
        }
    }
    // Headers often take two or three lines ("Record" over "Date", "Fund Name" below the rest):
    // a header line collects the column labels found within two lines of it.
    let gather = |line: usize| {
        let mut got: Vec<(usize, f32, f32, f32)> = Vec::new();
        let mut last = line;
        for l in line.saturating_sub(2)..=line + 2 {
            for a in per_line.get(&l).into_iter().flatten() {
                if !got.iter().any(|g| g.0 == a.0) {
                    got.push(*a);
                    last = last.max(l);
                }
            }
        }
        (got, last)
    };
    let need = cols.len().div_ceil(2).max(2).min(cols.len());
    let (header, anchors) = per_line
        .keys()
        .map(|&l| (l, gather(l)))
        .filter(|(_, (a, _))| a.len() >= need)
        .max_by(|a, b| a.1.0.len().cmp(&b.1.0.len()).then(b.0.cmp(&a.0)))
        .map(|(_, (a, last))| (last, a))?;
    let mut anchors = anchors;
    anchors.sort_by(|a, b| a.1.total_cmp(&b.1));
    let header_score = anchors.iter().map(|a| a.3).sum::<f32>() / anchors.len() as f32;
    // Cells are centred, left- or right-aligned under their header depending on the form, so a
    // cell belongs to the header whose centre is nearest its own.
    let column_of = |b: &crate::model::BoundingBox| -> Option<usize> {
        anchors
            .iter()
            .min_by(|a, c| {
                let da = ((a.1 + a.2) / 2.0 - b.center_x()).abs();
                let dc = ((c.1 + c.2) / 2.0 - b.center_x()).abs();
                da.total_cmp(&dc)
            })
            .map(|a| a.0)
    };
    let mut rows = Vec::new();
    let mut details = BTreeMap::new();
    for li in header + 1..view.lines.len() {
        if rows.len() >= MAX_ROWS {
            break;
        }
        // Words go to the column whose header centre is nearest, except that a word set at
        // ordinary word spacing from the one before stays in its cell ("Nuveen Colorado
        // Municipal Bond Fund" is one name even where it runs under the next header).
        let mut cells: BTreeMap<usize, (String, Vec<usize>)> = BTreeMap::new();
        let mut prev: Option<(usize, usize)> = None; // word, column
        for &wi in &view.lines[li].words {
            let w = &words[wi];
            let sticky = prev.filter(|(p, _)| {
                w.bbox.left - words[*p].bbox.right()
                    < 0.6 * w.bbox.height.max(words[*p].bbox.height)
            });
            let Some(c) = sticky.map(|(_, c)| c).or_else(|| column_of(&w.bbox)) else {
                continue;
            };
            let e = cells.entry(c).or_default();
            if !e.0.is_empty() {
                e.0.push(' ');
            }
            e.0.push_str(&w.text);
            e.1.push(wi);
            prev = Some((wi, c));
        }
        let typed_ok = cells
            .iter()
            .filter(|(c, (t, _))| fits(&cols[**c], t))
            .count();
        if cells.len() < 2 || (typed_ok as f32) < 0.6 * cells.len() as f32 {
            if rows.is_empty() && li <= header + 1 {
                continue; // a second header line ("employee / plan / sick pay")
            }
            break;
        }
        let i = first_row + rows.len();
        let mut row = Map::new();
        for (c, col) in cols.iter().enumerate() {
            let name = col.path.join(".");
            let key = format!("{table}[{i}].{name}");
            match cells.get(&c) {
                Some((text, idx)) => {
                    let ok = fits(col, text);
                    let value = typed(col, text);
                    let conf = header_score * view.confidence_of(idx) * if ok { 0.95 } else { 0.5 };
                    row.insert(name, value.clone());
                    details.insert(
                        key,
                        FieldResult {
                            value,
                            raw_text: Some(text.clone()),
                            confidence: conf,
                            confidence_threshold: col.threshold,
                            confidence_reason: format!(
                                "row {} of the table under its column header{}",
                                i + 1,
                                if ok {
                                    ""
                                } else {
                                    "; does not parse as its type"
                                }
                            ),
                            source: crate::model::BoundingBox::enclosing(
                                idx.iter().map(|&w| &words[w].bbox),
                            )
                            .map(|bbox| FieldSource {
                                page_id: view.page.page_id(),
                                bbox,
                                label: col.labels.first().cloned(),
                                approximate: view.approximate(idx),
                            }),
                        },
                    );
                }
                None => {
                    row.insert(name, Value::Null);
                }
            }
        }
        rows.push(Value::Object(row));
    }
    if rows.is_empty() {
        return None;
    }
    Some((rows, details))
}

fn fits(col: &FieldDef, text: &str) -> bool {
    if let Some(p) = &col.pattern {
        return p.is_match(text);
    }
    match col.value_type {
        ValueType::Text => !text.trim().is_empty(),
        ValueType::Money | ValueType::Number => {
            parse_number(text).is_some() && text.chars().filter(|c| c.is_alphabetic()).count() <= 1
        }
        t => t.pattern().is_some_and(|p| p.is_match(text)),
    }
}

fn typed(col: &FieldDef, text: &str) -> Value {
    match col.schema_type.as_str() {
        "number" | "integer" => parse_number(text)
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        _ => Value::String(text.trim().to_string()),
    }
}
