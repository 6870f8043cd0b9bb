//! The totals of a document check each other: subtotal + tax = total. When the three amounts
//! found by their labels add up, each is better evidenced than its label alone made it (and its
//! confidence rises to say so); when they do not, at least one of them was read from the wrong
//! place, and the subtotal and the tax (the weaker reads: a total is the amount its label and
//! the largest-amount rule agree on) go under the review threshold.
//!
//! A tax larger than the subtotal is no agreement (a grid read with its columns swapped adds up
//! just the same), and nothing is changed when one of the three is missing or does not parse.

use crate::model::{BoundingBox, FieldResult};
use crate::pipeline::config::ClassDef;

use super::view::PageView;
use super::{SectionExtraction, result, values};

/// Confidence for amounts whose sum checks: above the usual review thresholds, below a label
/// match and a clean parse's ceiling.
const AGREED: f32 = 0.9;
/// What the reason of a value computed from the page rather than read from it says (the sum of
/// a tax table's rates): the sum checking does not make it printed, so it is not raised.
pub const COMPUTED: &str = "printed nowhere";
/// The relative tolerance of the sum: each printed amount rounded to the cent, and taxes
/// summed per line, make a few cents on a large total; a rate's tax left out (8,38 of
/// 2.290,91) is more than that.
const TOLERANCE: f64 = 0.0005;
/// The absolute tolerance: three amounts each rounded to the cent.
const CENTS: f64 = 0.02;

/// The dotted key of the first field of `class` linked to `concept`.
fn key_of(class: &ClassDef, concept: &str) -> Option<String> {
    class
        .fields
        .iter()
        .find(|f| f.concept.as_deref() == Some(concept) && f.path.len() == 1)
        .map(|f| f.dotted())
}

/// The keys of the class's subtotal, tax and total, when it has all three.
fn sum_keys(class: &ClassDef) -> Option<(String, String, String)> {
    Some((
        key_of(class, "subtotal")?,
        key_of(class, "tax")?,
        key_of(class, "total")?,
    ))
}

fn amount(r: &FieldResult) -> Option<f64> {
    match &r.value {
        serde_json::Value::String(s) => crate::numbers::parse(s),
        serde_json::Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// Whether `subtotal + tax` is `total`, within rounding, with the tax no larger than the
/// subtotal.
pub fn adds_up(subtotal: f64, tax: f64, total: f64) -> bool {
    let tolerance = (TOLERANCE * total.abs()).max(CENTS);
    tax >= 0.0 && tax <= subtotal && (subtotal + tax - total).abs() <= tolerance
}

/// A missing subtotal (or tax) that the other two imply: the amount printed on the section's
/// pages that equals total − tax (total − subtotal), nearest above the tax's (total's) line and
/// not one of theirs. No label says what it is, so it stays under the usual thresholds.
pub fn fill_missing(class: &ClassDef, views: &[PageView], out: &mut SectionExtraction) {
    let Some((ks, kt, kg)) = sum_keys(class) else {
        return;
    };
    let get = |k: &str| out.fields.get(k).and_then(amount);
    let (s, t, g) = (get(&ks), get(&kt), get(&kg));
    let (missing, below, target) = match (s, t, g) {
        (None, Some(t), Some(g)) if g - t >= t => (ks, kt.clone(), g - t),
        (Some(s), None, Some(g)) if g - s <= s && g >= s => (kt, kg.clone(), g - s),
        _ => return,
    };
    let Some(field) = class.fields.iter().find(|f| f.dotted() == missing) else {
        return;
    };
    if out.fields[&missing].source.is_some() {
        return; // found, but not as an amount: not ours to replace
    }
    let taken: Vec<(String, BoundingBox)> = out
        .fields
        .values()
        .filter_map(|r| r.source.as_ref())
        .map(|s| (s.page_id.clone(), s.bbox))
        .collect();
    let Some(anchor) = out.fields[&below].source.clone() else {
        return;
    };
    let tolerance = (TOLERANCE * target.abs()).max(CENTS);
    let mut best: Option<(f32, usize, usize, String)> = None;
    for (pi, view) in views.iter().enumerate() {
        if view.page.page_id() != anchor.page_id {
            continue;
        }
        for (si, seg) in view.segments.iter().enumerate() {
            let distance = anchor.bbox.top - seg.bbox.top;
            if distance <= 0.0
                || taken
                    .iter()
                    .any(|(p, b)| *p == anchor.page_id && overlaps(b, &seg.bbox))
            {
                continue;
            }
            for span in values::amounts(&seg.text) {
                let text = seg.text[span.range.clone()].trim();
                let hit = span.strength >= 0.9
                    && crate::numbers::parse(text).is_some_and(|n| (n - target).abs() <= tolerance);
                if hit && best.as_ref().is_none_or(|b| distance < b.0) {
                    best = Some((distance, pi, si, text.to_string()));
                }
            }
        }
    }
    let Some((_, pi, si, text)) = best else {
        return;
    };
    let view = &views[pi];
    let seg = &view.segments[si];
    let ocr = view.confidence_of(&seg.words);
    let r = result::field_result(
        view,
        field,
        result::Found {
            text,
            words: seg.words.clone(),
            bbox: seg.bbox,
            label: None,
            confidence: 0.6 * ocr,
            reason: "no label found; the amount printed nearest above that the other totals \
                     imply (total − tax or total − subtotal)"
                .into(),
            ocr,
        },
    );
    super::insert(&mut out.attributes, &field.path, r.value.clone());
    out.fields.insert(missing, r);
}

fn overlaps(a: &BoundingBox, b: &BoundingBox) -> bool {
    a.x_overlap(b) > 0.0 && a.top < b.bottom() && b.top < a.bottom()
}

/// Adjust the confidences of the section's subtotal, tax and total by their sum.
pub fn cross_check(class: &ClassDef, out: &mut SectionExtraction) {
    let Some((ks, kt, kg)) = sum_keys(class) else {
        return;
    };
    let get = |k: &str| out.fields.get(k).and_then(amount);
    let (Some(s), Some(t), Some(g)) = (get(&ks), get(&kt), get(&kg)) else {
        return;
    };
    if adds_up(s, t, g) {
        for k in [&ks, &kt, &kg] {
            if let Some(r) = out.fields.get_mut(k.as_str())
                && r.confidence < AGREED
                && !r.confidence_reason.contains(COMPUTED)
                && !r.confidence_reason.contains(super::adjustments::UNSETTLED)
            {
                r.confidence = AGREED;
                r.confidence_reason
                    .push_str("; subtotal + tax = total on this document");
            }
        }
        return;
    }
    for k in [&ks, &kt] {
        let threshold = class
            .fields
            .iter()
            .find(|f| &f.dotted() == k)
            .and_then(|f| f.threshold)
            .or(class.threshold)
            .unwrap_or(0.8);
        if let Some(r) = out.fields.get_mut(k.as_str()) {
            let capped = (threshold - 0.05).max(0.0);
            if r.confidence > capped {
                r.confidence = capped;
                r.confidence_reason
                    .push_str("; but subtotal + tax is not the total found: one was misread");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_agree_within_rounding_and_a_tax_above_its_base_does_not() {
        assert!(adds_up(176.25, 14.54, 190.79));
        assert!(adds_up(4.11, 0.0, 4.11));
        assert!(adds_up(5528.65, 1271.59, 6800.24));
        // The cells of a grid swapped: the sum holds, the tax cannot exceed its base.
        assert!(!adds_up(5.0, 24.99, 29.99));
        assert!(!adds_up(100.0, 20.0, 125.0));
        // One rate's tax of two (8,38 left out) is not the tax, however large the total.
        assert!(!adds_up(1937.20, 345.33, 2290.91));
        assert!(adds_up(1937.20, 353.71, 2290.91));
        assert!(adds_up(0.0, 0.0, 0.01));
    }
}
