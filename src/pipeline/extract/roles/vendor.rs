//! The issuer: the block under a "sold by" label, else the letterhead of the first page (the
//! line its legal mentions name, a sender line, a block headed by a company's name, the
//! topmost block), with the address under its name.

use super::address::{
    address_after, address_text, address_under_name, ends_an_address, postcode_and_town,
    street_or_town,
};
use super::customer::window_under_sender;
use super::footer::{self, FooterIssuer};
use super::labelled_block::{
    OPENS_NAME, Party, block_under_label, customers_block, one_line_party,
};
use super::{
    COMPANY, CONTACT, LEGAL, bare_company_form, blocks, legal, marks, pick, seg_text, sender_parts,
    strip_label,
};
use crate::model::BoundingBox;
use crate::pipeline::config::{FieldDef, ValueType};
use crate::pipeline::extract::generic::{self, Pick};
use crate::pipeline::extract::label_words;
use crate::pipeline::extract::view::{PageView, words_in};
use crate::pipeline::lexicon;

/// A vendor read beside its label from a footer's legal line ("FOURNISSEUR F SARL au capital
/// de 50 000 EUR - RCS …") is weaker evidence than the letterhead: its score drops under the
/// usual thresholds unless the letterhead (the top third of the first page) names it too.
fn footer_legal_is_weaker(views: &[PageView], p: &mut Pick) {
    let footer = p.bbox.top > 0.7;
    let Some(m) = LEGAL.find(&p.text).filter(|_| footer) else {
        return;
    };
    let name = p.text[..m.start()]
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    let agrees = name.chars().filter(|c| c.is_alphabetic()).count() >= 3
        && views.first().is_some_and(|v| {
            v.segments
                .iter()
                .filter(|s| s.bbox.top < 0.33)
                .map(|s| s.text.trim().to_lowercase())
                .filter(|t| t.chars().filter(|c| c.is_alphabetic()).count() >= 4)
                .any(|t| t.contains(&name) || name.contains(&t))
        });
    if !agrees {
        p.score *= 0.75;
        p.reason
            .push_str(", from a footer's legal line that the letterhead does not confirm");
    }
}

/// A label word followed by nothing but a company form ("Lieferant GmbH", "Supplier Ltd",
/// "Vendeur SARL" printed as a sender's name), or opening a company's name with no colon after
/// it ("Empresa Demo S.A.C."), is part of the name, not its label: the name is the whole line
/// the label stands on.
fn label_names_the_company(views: &[PageView], p: &mut Pick) {
    let view = &views[p.page];
    let Some((i, seg)) = view
        .segments
        .iter()
        .enumerate()
        .find(|(_, s)| p.words.iter().any(|w| s.words.contains(w)))
    else {
        return;
    };
    // The label is the one word before the value on its segment.
    let opens =
        p.words.first() == seg.words.get(1) && marks::label_opens_a_name(view, seg.words[0]);
    if !(opens || bare_company_form(&p.text)) {
        return;
    }
    let text = seg_text(seg);
    if bare_company_form(&text) {
        return;
    }
    p.text = text;
    p.words = view.segments[i].words.clone();
    p.bbox = seg.bbox;
    p.score *= OPENS_NAME;
    p.reason
        .push_str(", the label word and a company form: the company's own name");
}

/// Remove the document's title from a letterhead line ("Amazon Web Services Invoice").
fn without_title(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut keep = words.len();
    while keep > 0 {
        let toks = lexicon::tokens(words[keep - 1]);
        let is_title = !toks.is_empty()
            && lexicon::documents()
                .find(&toks)
                .iter()
                .any(|m| m.len == toks.len());
        if !is_title {
            break;
        }
        keep -= 1;
    }
    words[..keep].join(" ")
}

pub(super) fn vendor(views: &[PageView], field: &FieldDef, want_address: bool) -> Option<Pick> {
    // 1. A label says who sells: "Sold by: …", "Service Provider" over a block.
    let mut labelled: Vec<Pick> = generic::labelled(views, field, ValueType::Name)
        .into_iter()
        .filter(|p| {
            !p.text.starts_with('(')
                && p.text.chars().filter(|c| c.is_alphabetic()).count() >= 2
                // A footer's sentence that opens with the label word ("Dodavatel je zapsán
                // v obchodním rejstříku…") or an identifier's line ("Company No.: 5487"):
                // the label's block is elsewhere.
                && (one_line_party(&p.text).is_some() || !marks::runs_as_text_or_number(&p.text))
                // "Hotel Details" beside "Check In": another column's heading, no name.
                && !label_words::label_like(&p.text)
        })
        .collect();
    for p in &mut labelled {
        footer_legal_is_weaker(views, p);
        label_names_the_company(views, p);
    }
    labelled.sort_by(|a, b| b.score.total_cmp(&a.score));
    if let Some(mut best) = labelled.into_iter().next().filter(|p| p.score >= 0.6) {
        // "Von: Tech Solutions GmbH | Musterstraße 1, 12345 Berlin": name and address on the
        // label's line.
        if let Some(parts) = one_line_party(&best.text) {
            let chosen = match want_address {
                true => &parts[1..],
                false => &parts[..1],
            };
            // The pick's words and box are the chosen parts', not the whole line's.
            let view = &views[best.page];
            let joined = generic::text_of(view.words(), &best.words);
            let words: Vec<usize> = chosen
                .iter()
                .filter_map(|p| joined.find(p.as_str()).map(|at| at..at + p.len()))
                .flat_map(|r| words_in(view.words(), &best.words, &r))
                .collect();
            if let Some(bbox) = BoundingBox::enclosing(words.iter().map(|&w| &view.words()[w].bbox))
            {
                best.bbox = bbox;
                best.words = words;
            }
            best.text = chosen.join(", ");
            return Some(best);
        }
        if !want_address {
            return Some(best);
        }
        let view = &views[best.page];
        let seg = view
            .segments
            .iter()
            .position(|s| best.words.iter().any(|w| s.words.contains(w)))?;
        let block = blocks(view).into_iter().find(|b| b.contains(&seg))?;
        let lines = address_after(view, &block, seg);
        if lines.is_empty()
            && let Some(p) = address_under_name(views, &best.text, best.score * 0.85)
        {
            return Some(p);
        }
        if !lines.is_empty() {
            let (text, segs) = address_text(view, &lines, |l| strip_label(&l));
            return Some(pick(
                best.page,
                view,
                &segs,
                text,
                best.score * 0.9,
                "the block under the vendor's label",
            ));
        }
    }
    // A form's party block, read as the customer's is: the label over lines labelled in turn
    // ("SPRZEDAWCA" over "NIP: …", "Nazwa: Moja Firma Sp. z o.o.", "Adres: ul. …"). Which line
    // is the name is a guess, so no surer than the letterhead.
    let block = block_under_label(views, field, Party::Vendor);
    let named = block
        .as_ref()
        .and_then(|b| b.pick(views, false))
        .filter(|p| !marks::reads_as_no_name(&p.text));
    if let (Some(name), Some(block)) = (named, &block) {
        let mut p = if want_address {
            block.pick(views, true)
        } else {
            Some(name)
        };
        if let Some(p) = &mut p {
            p.score = p.score.min(BLOCK_UNDER_LABEL);
        }
        return p;
    }
    // 2. The letterhead of the first page (never the block under a customer's label).
    let view = views.first()?;
    let all = blocks(view);
    let top: Vec<&Vec<usize>> = all
        .iter()
        .filter(|b| {
            view.segments[b[0]].bbox.top < 0.3
                && !customers_block(view, b)
                && !marks::is_copy_mark(&view.segments[b[0]].text)
                && !marks::is_logo_placeholder(&seg_text(&view.segments[b[0]]))
        })
        .collect();
    // The name the legal mentions give, where a letterhead line opens with it.
    let legal = legal::legal_name(views);
    if let Some(l) = &legal {
        for b in &top {
            let Some(&s) = b
                .iter()
                .find(|&&s| legal::opens_with(&view.segments[s].text, &l.name))
            else {
                continue;
            };
            let why = "the letterhead, named by the footer's legal mentions";
            if want_address {
                return letterhead_address(view, &all, b, s, 0.68, why);
            }
            let line = seg_text(&view.segments[s]);
            let rest: String = line
                .split_whitespace()
                .skip(l.name.split_whitespace().count())
                .collect::<Vec<_>>()
                .join(" ");
            let name = if rest.is_empty() || bare_company_form(&rest) {
                line
            } else {
                l.name.clone()
            };
            return Some(pick(0, view, &[s], name, 0.68, why));
        }
    }
    // A sender line "Name AG - Street 1 - 12345 City" (above a window envelope's address).
    for b in &top {
        for &s in b.iter() {
            let t = view.segments[s].text.trim();
            let parts = sender_parts(t);
            // A sole trader's line opens with a person ("Dr. Alex Muster · Musterstrasse 1 ·
            // 8001 Zürich"): the line is read so when the rest is a street and a town.
            let company = COMPANY.is_match(&parts[0]);
            if parts.len() >= 3 && (company || sender_address(&parts)) {
                let text = if want_address {
                    // The identifiers after the town ("… · IČO 12345678") are no address.
                    parts[1..]
                        .iter()
                        .take_while(|p| !ends_an_address(p, true))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                } else {
                    parts[0].clone()
                };
                // A person's name may not be the name the business trades under: under review.
                let score = if company || want_address { 0.68 } else { 0.6 };
                return Some(pick(
                    0,
                    view,
                    &[s],
                    text,
                    score,
                    "the sender line of the letterhead",
                ));
            }
        }
    }
    // A footer block with the company's identifiers beside it, when no letterhead line names
    // the same company: the top block is then the recipient window, not a letterhead.
    if let Some(f) = footer::footer_issuer(views)
        && let Some(p) = from_footer(views, &top, f, want_address)
    {
        return Some(p);
    }
    // A block whose first line names a company, the topmost first; else the topmost block.
    // A block headed by a label the lexicon does not know ("Rechnungsersteller:",
    // "Leistungserbringer:") starts at the line under it.
    // A label's line is none ("Total inc. VAT" reads "Inc." as a company form).
    let named = top.iter().find(|b| {
        let first = &view.segments[b[head_lines(view, b)]].text;
        COMPANY.is_match(first) && !generic::starts_with_label(first)
    });
    if let Some(b) = named
        && head_lines(view, b) == 0
        && let Some((block, left, name)) = name_left_of_form(view, &all, b)
    {
        let why = "the letterhead, a company name";
        if want_address {
            return letterhead_address(view, &all, block, left, 0.68, why)
                .or_else(|| address_under_name(views, &name, 0.68 * ELSEWHERE));
        }
        return Some(pick(0, view, &[left, b[0]], name, 0.68, why));
    }
    // A logo for a letterhead: the name the legal mentions give, the address their block's
    // seat line or the lines under the name.
    if named.is_none()
        && let Some(l) = &legal
    {
        let why = "the issuer's legal mentions (no company named in the letterhead)";
        let lv = &views[l.page];
        if !want_address {
            return Some(pick(l.page, lv, &[l.seg], l.name.clone(), 0.55, why));
        }
        if let Some((s, address)) = &l.seat {
            return Some(pick(l.page, lv, &[*s], address.clone(), 0.5, why));
        }
        if let Some(p) = address_under_name(views, &l.name, 0.5) {
            return Some(p);
        }
    }
    let (block, score, why) = match named {
        Some(b) => (*b, 0.68, "the letterhead, a company name"),
        None => {
            // The recipient's window under a sender line is the customer's block, never the
            // letterhead. (Without a sender line, which top block is whose is a guess.)
            let window = window_under_sender(views).map(|p| p.words);
            let b = top.iter().find(|b| {
                let head = &view.segments[b[head_lines(view, b)]];
                if window
                    .as_ref()
                    .is_some_and(|w| w.iter().any(|i| head.words.contains(i)))
                {
                    return false;
                }
                let t = without_title(&seg_text(head));
                !t.is_empty()
                    && !t.contains(':')
                    && !generic::starts_with_label(&t)
                    && !web_or_mail(&t)
            })?;
            (
                *b,
                0.5,
                "the letterhead's first line (no company form found)",
            )
        }
    };
    let name_seg = block[head_lines(view, block)];
    if want_address {
        // A letterhead of the name alone: its address may head a block elsewhere ("Evil
        // Corp." over its street and phone at the foot of the page).
        let name = without_title(&seg_text(&view.segments[name_seg]));
        return letterhead_address(view, &all, block, name_seg, score, why).or_else(|| {
            (!name.is_empty())
                .then(|| address_under_name(views, &name, score * ELSEWHERE))
                .flatten()
        });
    }
    let text = without_title(&seg_text(&view.segments[name_seg]));
    (!text.is_empty()).then(|| pick(0, view, &[name_seg], text, score, why))
}

/// A mailbox or a web address alone ("billing@example.com", "example.com"): the letterhead's
/// contact line, no name.
fn web_or_mail(text: &str) -> bool {
    let t = text.trim();
    if t.split_whitespace().count() != 1 {
        return false;
    }
    CONTACT.is_match(t)
        || t.rsplit_once('.').is_some_and(|(host, tld)| {
            // As typed, lower case: "Amazon.com" set as a logo is a name.
            !host.is_empty()
                && !host.chars().any(|c| c.is_uppercase())
                && (2..=6).contains(&tld.len())
                && tld.chars().all(|c| c.is_ascii_lowercase())
        })
}

/// A sender line's parts after the first read as an address: a street (a number among
/// letters) and a postcode with its town, under a first part with no digit.
fn sender_address(parts: &[String]) -> bool {
    !parts[0].chars().any(|c| c.is_ascii_digit())
        && parts[1..].iter().any(|p| street_or_town(p))
        && parts[1..].iter().any(|p| postcode_and_town(p))
}

/// An address found under the letterhead's name elsewhere on the page is a little less sure
/// than one under the letterhead itself.
const ELSEWHERE: f32 = 0.85;

/// Lines heading a block rather than naming its party: 1 when its first line is a short
/// label of its own ending in a colon ("Versicherer:", "Leistungserbringer:"), or a heading
/// word of the lexicon alone on its line ("SPRZEDAJĄCY", "Dodavatel"), and more lines follow,
/// else 0.
fn head_lines(view: &PageView, block: &[usize]) -> usize {
    let Some(&first) = block.first() else {
        return 0;
    };
    let first = view.segments[first].text.trim();
    let heading = first.ends_with(':')
        && (1..=3).contains(&first.split_whitespace().count())
        && !first.chars().any(|c| c.is_ascii_digit())
        && !COMPANY.is_match(first);
    // A party's heading word, not the document's title ("INVOICE" over its number) nor a
    // line of digits.
    let heading = heading
        || first.chars().any(char::is_alphabetic)
            && marks::names_no_party(first)
            && !without_title(first).is_empty();
    usize::from(heading && block.len() > 1)
}

/// The address under a letterhead's name line: the lines after `name_seg` in its block, a
/// little weaker than the name itself (where the address ends is a guess); `all` is the page's
/// blocks, for a name set apart from its address.
fn letterhead_address(
    view: &PageView,
    all: &[Vec<usize>],
    block: &[usize],
    name_seg: usize,
    score: f32,
    why: &str,
) -> Option<Pick> {
    let mut lines = address_after(view, block, name_seg);
    if lines.is_empty() && block.last() == Some(&name_seg) {
        lines = address_set_apart(view, all, name_seg);
    }
    if lines.is_empty() {
        return None;
    }
    let (text, segs) = address_text(view, &lines, |l| l);
    Some(pick(0, view, &segs, text, score * 0.95, why))
}

/// The address lines of the block right under a letterhead's name that more leading than a
/// line's sets apart from it ("TechSolutions GmbH" in larger type over "Friedrichstraße 123"):
/// the block starts within two and a half of the name's heights below it, at its left edge,
/// is no customer's block and no label's, and holds a street or town.
fn address_set_apart(view: &PageView, all: &[Vec<usize>], name_seg: usize) -> Vec<usize> {
    let name = &view.segments[name_seg].bbox;
    let Some(next) = all.iter().find(|b| {
        let first = &view.segments[b[0]];
        let gap = first.bbox.top - name.bottom();
        gap > 0.0
            && gap < 2.5 * name.height
            && (first.bbox.left - name.left).abs() < 0.02
            && !customers_block(view, b)
            && !generic::starts_with_label(&first.text)
    }) else {
        return Vec::new();
    };
    let joined: Vec<usize> = std::iter::once(name_seg)
        .chain(next.iter().copied())
        .collect();
    let lines = address_after(view, &joined, name_seg);
    if lines
        .iter()
        .any(|&l| street_or_town(&view.segments[l].text))
    {
        lines
    } else {
        Vec::new()
    }
}

/// A company form printed as a segment of its own ("Schäfer Elektro" | "GmbH", split by a wide
/// gap or an OCR reading) ends the name just left of it on its line: that segment's block (for
/// the address under it), the segment, and the whole name.
fn name_left_of_form<'a>(
    view: &PageView,
    all: &'a [Vec<usize>],
    b: &[usize],
) -> Option<(&'a Vec<usize>, usize, String)> {
    let s = &view.segments[b[0]];
    let form = seg_text(s);
    if COMPANY
        .replace_all(&form, "")
        .chars()
        .any(char::is_alphanumeric)
    {
        return None;
    }
    // Walk left while the next segment is close: a narrow page (a till roll) can split a name
    // into several segments, its gaps measured in page widths.
    let mut parts: Vec<usize> = Vec::new();
    let mut edge = s.bbox.left;
    while let Some((i, _)) = view
        .segments
        .iter()
        .enumerate()
        .filter(|(i, o)| {
            o.line == s.line
                && !parts.contains(i)
                && o.bbox.right() <= edge + 0.005
                && edge - o.bbox.right() < 4.0 * s.bbox.height
        })
        .max_by(|a, b| a.1.bbox.right().total_cmp(&b.1.bbox.right()))
    {
        parts.push(i);
        edge = view.segments[i].bbox.left;
    }
    let left = *parts.last()?;
    let block = all.iter().find(|blk| blk.contains(&left))?;
    let mut name: Vec<String> = parts
        .iter()
        .rev()
        .map(|&i| seg_text(&view.segments[i]))
        .collect();
    name.push(form);
    Some((block, left, name.join(" ")))
}

/// The most a vendor read from the block under its label by the customer's reader scores.
const BLOCK_UNDER_LABEL: f32 = 0.68;

/// Scores of a vendor read from a footer block: with a company form and nothing conflicting,
/// with a company form while a block at the top names another party, without a form.
const FOOTER_SURE: f32 = 0.72;
const FOOTER_CONFLICT: f32 = 0.62;
const FOOTER_NO_FORM: f32 = 0.55;

/// The vendor a footer block names, unless a letterhead line names the same company (the
/// letterhead then reads it, with its own layout); under 0.7 when a block at the top names
/// another party (a company, or a name over an address: the window's recipient) or the name
/// has no company form.
fn from_footer(
    views: &[PageView],
    top: &[&Vec<usize>],
    f: &FooterIssuer,
    want_address: bool,
) -> Option<Pick> {
    let first = views.first()?;
    let names: Vec<usize> = top.iter().map(|b| b[head_lines(first, b)]).collect();
    let heads: Vec<String> = names
        .iter()
        .map(|&n| seg_text(&first.segments[n]))
        .collect();
    let agrees = |t: &str| legal::opens_with(t, &f.name) || legal::opens_with(&f.name, t);
    if heads.iter().any(|t| agrees(t)) {
        return None;
    }
    // Another party's block at the top (a company, or a name over its street and town).
    let conflict = heads.iter().any(|t| COMPANY.is_match(t))
        || top
            .iter()
            .zip(&names)
            .zip(&heads)
            .any(|((b, &name), head)| {
                !head.contains(':')
                    && address_after(first, b, name)
                        .iter()
                        .any(|&l| first.segments[l].text.chars().any(|c| c.is_ascii_digit()))
            });
    let score = match (f.form, conflict) {
        (true, false) => FOOTER_SURE,
        (true, true) => FOOTER_CONFLICT,
        (false, _) => FOOTER_NO_FORM,
    };
    let view = &views[f.page];
    let why = "the footer's block beside the company's identifiers";
    if !want_address {
        return Some(pick(
            f.page,
            view,
            &f.block[..1],
            f.name.clone(),
            score,
            why,
        ));
    }
    let lines = address_after(view, &f.block, f.block[0]);
    let (text, segs) = address_text(view, &lines, |l| l);
    Some(pick(f.page, view, &segs, text, score * 0.95, why))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mailbox_or_a_typed_web_address_is_no_name() {
        for t in [
            "billing@example.com",
            "example.com",
            "www.acme.de",
            "shop.example.co",
        ] {
            assert!(web_or_mail(t), "{t}");
        }
        for t in [
            "Amazon.com",
            "billwright",
            "Big Corp.",
            "ACME Ltd",
            "Dr. Alex Muster",
        ] {
            assert!(!web_or_mail(t), "{t}");
        }
    }

    #[test]
    fn a_sender_line_of_a_person_reads_as_an_address_only_with_a_street_and_town() {
        let parts = |t: &str| sender_parts(t);
        assert!(sender_address(&parts(
            "Dr. Alex Muster · Musterstrasse 1 · 8001 Zürich · Schweiz"
        )));
        assert!(sender_address(&parts(
            "Max Mustermann - Hauptstr. 5 - D-10115 Berlin"
        )));
        // No town after a postcode, or a number in the first part: no sender line.
        assert!(!sender_address(&parts(
            "Tel 030 1234 · Fax 030 1235 · info@x.de"
        )));
        assert!(!sender_address(&parts(
            "Musterstrasse 1 · 8001 Zürich · Schweiz"
        )));
    }
}
