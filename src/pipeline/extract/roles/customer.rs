//! The customer: the block under a "bill to" label and its translations, else the recipient
//! window of the first page; and a delivery address, the block under its own label.

use super::address::ends_an_address;
use super::vendor::OPENS_NAME;
use super::{COMPANY, CONTACT, blocks, marks, pick, seg_text, sender_parts};
use crate::pipeline::calendar;
use crate::pipeline::config::{FieldDef, ValueType};
use crate::pipeline::extract::generic::{self, Pick};
use crate::pipeline::extract::items::looks_like_items;
use crate::pipeline::extract::view::PageView;
use crate::pipeline::extract::{candidates, labels};

/// The block under a delivery address label: its name line counts as an address line when it
/// holds a number ("69 Park Road"); with no label on the page, the usual label–value reading.
pub(super) fn ship_to(views: &[PageView], field: &FieldDef) -> Option<Pick> {
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

/// The lines of a block under a label: (line or rank, text).
type BlockLines = Vec<(usize, String)>;

pub(super) fn customer(views: &[PageView], field: &FieldDef, want_address: bool) -> Option<Pick> {
    // 1. Under (or right of) a "bill to" label.
    let mut found: Vec<(f32, usize, BlockLines)> = Vec::new();
    for (pi, view) in views.iter().enumerate() {
        let words = view.words();
        for (label, strength) in field.labels.iter().zip(&field.label_strength) {
            for hit in labels::find_label(words, &view.lines, label) {
                if hit.score < 0.85
                    || !generic::starts_its_phrase(view, &hit)
                    || generic::longer_label_elsewhere(view, &hit, field)
                {
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
                    .segments_on(hit.line)
                    .iter()
                    .filter(|s| s.bbox.left > hit.bbox.right() + 0.01)
                    .map(|s| s.bbox.left - hit.bbox.left - 0.01)
                    .fold(None, |a: Option<f32>, w| Some(a.map_or(w, |a| a.min(w))));
                let mut last_bottom = hit.bbox.bottom();
                for c in candidates::below(words, &view.lines, &view.segments, &hit, width)
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
                    found.push((score, pi, lines));
                }
            }
        }
    }
    // The strongest label first, the first found of equals; a block that the issuer's name
    // heads is the issuer's own (a payment slip's "Modtager", "Empfänger": the payee).
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    let issuer = issuer_name(views);
    let best = found.into_iter().find_map(|(score, pi, mut lines)| {
        head_of_block(&mut lines);
        let ours = issuer.as_deref() == Some(fold(&lines[0].1).as_str());
        (!ours).then_some((score, pi, lines))
    });
    if let Some((score, pi, lines)) = best {
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
            // The street read as the name: the name line above it was not read, so the
            // address lost its street too.
            let street_first = street_for_name(&lines[0].1);
            first_bare || no_postcode || noise || street_first
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
                score: if unsure_address || !want_address && street_for_name(&lines[0].1) {
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
            || marks::reads_as_no_name(&texts[0])
            || texts.iter().any(|t| meta_line(t))
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
            // The block's last lines may be the party's identifiers ("Kunde Nr. 91375").
            let to = texts[from..]
                .iter()
                .position(|t| ends_an_address(t, true))
                .map_or(texts.len(), |p| from + p);
            let text = texts[from..to].join(", ");
            return Some(pick(
                0,
                view,
                &b[from..to],
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

/// The block's lines from its name on: a form's label line at the top of the block ("Buyer
/// contact name") is not the name, nor is a copy mark or an identifier's line; an attention
/// label in front of the name goes.
fn head_of_block(lines: &mut BlockLines) {
    while lines.len() > 1
        && (generic::reads_as_label(&lines[0].1) || marks::reads_as_no_name(&lines[0].1))
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
}

/// The issuer's name as the letterhead prints it, folded: the first line of the topmost block
/// of the first page, unless a customer's label heads that block.
fn issuer_name(views: &[PageView]) -> Option<String> {
    let view = views.first()?;
    let all = blocks(view);
    let b = all
        .iter()
        .filter(|b| view.segments[b[0]].bbox.top < 0.3)
        .find(|b| !super::vendor::customers_block(view, b))?;
    let name = fold(&seg_text(&view.segments[b[0]]));
    (!name.is_empty()).then_some(name)
}

/// Letters and digits, lower case: a name as two blocks print it alike.
fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A line of a document's details rather than of an address: a label ("Zahlbar bis",
/// "Betalingsdato") or a date ("30.03.2025", "5. februar 2024"). A column of such values
/// stacked like a block is no recipient.
fn meta_line(text: &str) -> bool {
    generic::starts_with_label(text) || !calendar::candidates(text, None).is_empty()
}

/// A name line that holds a number and no company form ("ul. Polna 58/40"): the street, read
/// as the name when the name line above it was not read, is a guess at best.
fn street_for_name(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit()) && !COMPANY.is_match(text)
}
