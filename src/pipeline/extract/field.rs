//! Find one field's value: its label, then a value of the right type right of it or below it.
//!
//! Confidence is built from what we actually know — how well the label matched, whether the
//! value parsed as its type, how far it was from the label, and the OCR's own confidence in the
//! words — so a guessed value reads low and a clean text-layer hit reads high.

use regex::Regex;
use serde_json::Value;

use super::candidates::{self, Candidate};
use super::labels::{self, LabelHit};
use super::result;
use super::view::PageView;
use crate::model::{FieldResult, FieldSource};
use crate::pipeline::config::{Direction, FieldDef, ValueType};

/// A value found on a page, before typing.
struct Found {
    text: String,
    words: Vec<usize>,
    bbox: crate::model::BoundingBox,
    /// Placement factor: 1 right beside the label, lower the further below.
    placement: f32,
}

/// Find `field` on the pages of a section (first page with a good hit wins).
pub fn find_field(views: &[PageView], field: &FieldDef) -> FieldResult {
    if field.generic {
        return super::generic::find(views, field);
    }
    let mut best: Option<(f32, FieldResult)> = None;
    for view in views {
        let mut hits: Vec<(LabelHit, &str)> = Vec::new();
        for label in &field.labels {
            for h in labels::find_label(view.words(), &view.lines, label) {
                hits.push((h, label.as_str()));
            }
        }
        hits.sort_by(|a, b| {
            b.0.score
                .total_cmp(&a.0.score)
                .then(a.0.bbox.top.total_cmp(&b.0.bbox.top))
        });
        for (hit, label) in hits {
            let Some(found) = locate(view, field, &hit) else {
                continue;
            };
            let result = to_result(view, field, &hit, label, found);
            if best
                .as_ref()
                .is_none_or(|(c, _)| result.confidence > *c + 0.05)
            {
                best = Some((result.confidence, result));
            }
            break; // the best hit on this page that yields a value
        }
        // A section is one document: the first page with a fair hit holds the field (a later
        // page repeating the label is more likely a copy or another document).
        if best.as_ref().is_some_and(|(c, _)| *c >= 0.5) {
            break;
        }
    }
    match best {
        Some((_, r)) => r,
        None => fallback(views, field)
            .unwrap_or_else(|| FieldResult::missing("label not found on the section's pages")),
    }
}

/// The value for one label hit, following the field's direction hint.
fn locate(view: &PageView, field: &FieldDef, hit: &LabelHit) -> Option<Found> {
    let words = view.words();
    let right = || {
        let cands = candidates::right_of(words, &view.segments, hit);
        pick(view, field, &cands, 1, 1)
    };
    let below = || {
        let cands = candidates::below(words, &view.lines, &view.segments, hit, field.width);
        pick(view, field, &cands, field.line, field.lines)
    };
    match field.direction {
        Direction::Right => right(),
        Direction::Below => below(),
        Direction::Any => right().or_else(below),
    }
}

/// Choose a value among candidates: with a pattern, the first candidate (from the `line`-th on)
/// that matches; without, the `line`-th candidate joined with the `lines - 1` after it.
fn pick(
    view: &PageView,
    field: &FieldDef,
    cands: &[Candidate],
    line: usize,
    lines: usize,
) -> Option<Found> {
    let words = view.words();
    let skip = line.saturating_sub(1);
    let pattern: Option<&Regex> = field.pattern.as_ref().or(field.value_type.pattern());
    let placement = |rank: usize| match rank {
        0 => 1.0,
        1 => 0.97,
        2 => 0.92,
        _ => 0.85,
    };
    if let Some(re) = pattern {
        if field.value_type == ValueType::Checkbox && field.pattern.is_none() {
            return None; // marks are handled by the checkbox search
        }
        for c in cands.iter().skip(skip) {
            let Some(caps) = re.captures(&c.text) else {
                continue;
            };
            let m = caps.get(1).or(caps.get(0))?;
            let (idx, bbox) = candidates::sub_box(words, c, m.range());
            return Some(Found {
                text: m.as_str().trim().to_string(),
                words: idx,
                bbox,
                placement: placement(c.rank),
            });
        }
        return None;
    }
    let chosen: Vec<&Candidate> = cands.iter().skip(skip).take(lines).collect();
    let first = chosen.first()?;
    let text = chosen
        .iter()
        .map(|c| c.text.trim_start_matches([':', '-', ' ', '#']).trim())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    if text.is_empty() {
        return None;
    }
    let idx: Vec<usize> = chosen
        .iter()
        .flat_map(|c| c.words.iter().copied())
        .collect();
    let bbox = chosen
        .iter()
        .skip(1)
        .fold(first.bbox, |a, c| a.union(&c.bbox));
    Some(Found {
        text,
        words: idx,
        bbox,
        placement: placement(first.rank),
    })
}

fn to_result(
    view: &PageView,
    field: &FieldDef,
    hit: &LabelHit,
    label: &str,
    found: Found,
) -> FieldResult {
    let (_, typed_ok) = result::typed(field, &found.text);
    let ocr = view.confidence_of(&found.words);
    let type_factor = if !typed_ok {
        0.5
    } else if field.pattern.is_some() || field.value_type != ValueType::Text {
        1.0
    } else {
        0.93 // free text: right place, but nothing checks it is the right thing
    };
    let confidence = (hit.score * found.placement * type_factor * ocr * 0.99).clamp(0.0, 1.0);
    let mut reason = format!(
        "label \"{label}\" matched {:.0}%, value {} the label",
        hit.score * 100.0,
        if found.placement >= 1.0 {
            "right of"
        } else {
            "below"
        }
    );
    if !typed_ok {
        reason.push_str(", but it does not parse as its type");
    }
    result::field_result(
        view,
        field,
        result::Found {
            text: found.text,
            words: found.words,
            bbox: found.bbox,
            label: Some(label.to_string()),
            confidence,
            reason,
            ocr,
        },
    )
}

/// No label anywhere: a strongly-typed value (SSN, EIN, phone) that occurs exactly once in the
/// section is probably it — reported with a low confidence that says it was guessed.
fn fallback(views: &[PageView], field: &FieldDef) -> Option<FieldResult> {
    if field.value_type == ValueType::Checkbox {
        return checkbox(views, field);
    }
    if !matches!(
        field.value_type,
        ValueType::Ssn | ValueType::Ein | ValueType::Phone
    ) {
        return None;
    }
    let re = field.pattern.as_ref().or(field.value_type.pattern())?;
    let mut found = Vec::new();
    for v in views {
        for (ci, c) in v.segments.iter().enumerate() {
            for m in re.find_iter(&c.text) {
                found.push((v, ci, m.as_str().to_string()));
            }
        }
    }
    found.dedup_by(|a, b| a.2 == b.2);
    if found.len() != 1 {
        return None;
    }
    let (v, ci, text) = found.pop()?;
    let seg = &v.segments[ci];
    let (value, _) = result::typed(field, &text);
    Some(FieldResult {
        value,
        raw_text: Some(text),
        confidence: 0.35 * v.confidence_of(&seg.words),
        confidence_threshold: None,
        confidence_reason: "guessed: label not found, the only value of this type in the section"
            .into(),
        source: Some(FieldSource {
            page_id: v.page.page_id(),
            bbox: seg.bbox,
            label: None,
            approximate: v.approximate(&seg.words),
        }),
    })
}

/// A checkbox: a mark (X, ✓) just left or right of the label on its line means true.
fn checkbox(views: &[PageView], field: &FieldDef) -> Option<FieldResult> {
    let mark = ValueType::Checkbox.pattern()?;
    for v in views {
        for label in &field.labels {
            if let Some(hit) = labels::find_label(v.words(), &v.lines, label).first() {
                let near = v.lines[hit.line].words.iter().copied().find(|&i| {
                    let b = &v.words()[i].bbox;
                    mark.is_match(v.words()[i].text.trim())
                        && ((b.left - hit.bbox.right()).abs() < 0.06
                            || (hit.bbox.left - b.right()).abs() < 0.06)
                });
                let checked = near.is_some();
                return Some(FieldResult {
                    value: Value::Bool(checked),
                    raw_text: near.map(|i| v.words()[i].text.clone()),
                    confidence: hit.score * if checked { 0.7 } else { 0.5 },
                    confidence_threshold: None,
                    confidence_reason: format!(
                        "label \"{label}\" found; {}",
                        if checked {
                            "a mark beside it"
                        } else {
                            "no mark beside it"
                        }
                    ),
                    source: Some(FieldSource {
                        page_id: v.page.page_id(),
                        bbox: near.map(|i| v.words()[i].bbox).unwrap_or(hit.bbox),
                        label: Some(label.clone()),
                        approximate: false,
                    }),
                });
            }
        }
    }
    None
}
