//! The customer: the block under a "bill to" label and its translations, else the recipient
//! window of the first page; and a delivery address, the block under its own label.

use super::address::ends_an_address;
use super::labelled_block::{Party, block_under_label, fold};
use super::{COMPANY, CONTACT, blocks, marks, pick, seg_text, sender_parts};
use crate::pipeline::calendar;
use crate::pipeline::config::{FieldDef, ValueType};
use crate::pipeline::extract::generic::{self, Pick};
use crate::pipeline::extract::view::PageView;
use crate::pipeline::lexicon;

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

pub(super) fn customer(views: &[PageView], field: &FieldDef, want_address: bool) -> Option<Pick> {
    // 1. Under (or right of) a "bill to" label.
    let block = block_under_label(views, field, Party::Customer);
    if let Some(p) = block.as_ref().and_then(|b| b.pick(views, want_address)) {
        return Some(p);
    }
    // A label's block that names the customer and gives no address: the window's address is
    // theirs only when the window names them too ("Rechnungsempfänger: Kanzlei Dr. Sommer" on
    // one line, a table below: no address on the page).
    if want_address && let Some(named) = block.and_then(|b| b.pick(views, false)) {
        let window = recipient_window(views, false)?;
        if fold(&window.text) != fold(&named.text) {
            return None;
        }
    }
    recipient_window(views, want_address)
}

/// The sender line of a window envelope's layout ("Name · Street 1 · 12345 Town") in the top
/// half of the page.
fn sender_line(view: &PageView) -> Option<usize> {
    view.segments
        .iter()
        .position(|s| s.bbox.top < 0.45 && sender_parts(&s.text).len() >= 3)
}

/// The recipient window's name when a sender line stands over it: the envelope's layout
/// says whose block it is.
pub(super) fn window_under_sender(views: &[PageView]) -> Option<Pick> {
    sender_line(views.first()?)?;
    recipient_window(views, false)
}

/// The customer's second place, the recipient window: a block of three to six lines in the
/// top half of the first page, with a line holding a number, that is not the letterhead;
/// right under the sender line when the page has one.
fn recipient_window(views: &[PageView], want_address: bool) -> Option<Pick> {
    let view = views.first()?;
    let all = blocks(view);
    let sender_seg = sender_line(view);
    let sender = sender_seg.map(|i| {
        let s = &view.segments[i];
        (s.bbox.bottom(), s.bbox.left)
    });
    let letterhead = all
        .iter()
        .find(|b| view.segments[b[0]].bbox.top < 0.3)
        .map(|b| seg_text(&view.segments[b[0]]));
    let mut candidates: Vec<(usize, &[usize], Vec<String>)> = Vec::new();
    let headings = lexicon::word_list("recipient_heading");
    for (i, b) in all.iter().enumerate() {
        // The sender line set close over the window joins its block: the block starts under it.
        let b: &[usize] = match b.split_first() {
            Some((&head, rest)) if Some(head) == sender_seg && !rest.is_empty() => rest,
            _ => b,
        };
        let b = window_part(view, b);
        let first = &view.segments[b[0]];
        // "An" over the recipient's name: a heading, not the name.
        let heading = headings.contains(&lexicon::tokens(&first.text).concat());
        let b: &[usize] = if heading && b.len() >= 4 { &b[1..] } else { b };
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

/// A block too long for a window: its lines down to where the window's type or leading ends
/// (the title in larger type, a salutation after a wider gap: "Rechnung" and "Sehr geehrter
/// Herr …" set close under the address join its block).
fn window_part<'a>(view: &PageView, b: &'a [usize]) -> &'a [usize] {
    // A block short enough to be a window is left whole: gaps read by OCR are uneven.
    if b.len() <= 6 {
        return b;
    }
    let seg = |i: usize| &view.segments[b[i]].bbox;
    let mut widest_gap: f32 = 0.0;
    for i in 1..b.len() {
        let (prev, this) = (seg(i - 1), seg(i));
        let gap = this.top - prev.bottom();
        let ratio = this.height / seg(0).height.max(f32::EPSILON);
        if i >= 3
            && (!(0.75..=1.33).contains(&ratio) || gap > 2.0 * widest_gap.max(0.2 * prev.height))
        {
            return &b[..i];
        }
        widest_gap = widest_gap.max(gap);
    }
    b
}

/// A line of a document's details rather than of an address: a label ("Zahlbar bis",
/// "Betalingsdato") or a date ("30.03.2025", "5. februar 2024"). A column of such values
/// stacked like a block is no recipient.
fn meta_line(text: &str) -> bool {
    generic::starts_with_label(text) || !calendar::candidates(text, None).is_empty()
}
