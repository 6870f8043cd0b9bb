//! Fields without hints (an accelerator class as a user brings it): every label variant the
//! config reader worked out, a value of the field's type right of the label on its line or on
//! the lines below, and a choice among all of them by label strength × type evidence × place.
//!
//! A hit whose words are the start of a longer label of another concept ("Total" of "Total HT",
//! "Date" of "Due Date") is that other label, not this one. Issuer, recipient and line-item
//! fields go to [`super::roles`], which reads blocks rather than label–value pairs.

use super::label_words;
use super::labels;
use super::result;
use super::roles;
use super::values::{self, Span};
use super::view::PageView;
use crate::model::{BoundingBox, FieldResult, Word};
use crate::pipeline::config::{FieldDef, ValueType};
use crate::pipeline::lexicon;

/// One possible value of a field.
#[derive(Debug, Clone)]
pub struct Pick {
    pub text: String,
    /// 0–1 before OCR confidence: label × type × place.
    pub score: f32,
    pub page: usize,
    pub words: Vec<usize>,
    pub bbox: BoundingBox,
    pub label: Option<String>,
    pub reason: String,
}

/// Find a generic field on the section's pages.
pub fn find(views: &[PageView], field: &FieldDef) -> FieldResult {
    let pick = match roles::role_of(field) {
        Some(role) => roles::find(views, field, role),
        None => best_labelled(views, field),
    };
    // A merchant whose letterhead OCR could not read ("(Z" for a logo): its till's greeting
    // may name it.
    let pick = match pick {
        Some(p)
            if field.concept.as_deref() == Some("merchant")
                && field.value_type == ValueType::Name
                && p.text.chars().filter(|c| c.is_alphabetic()).count() < 3 =>
        {
            super::greeting::shop_named(views).or(Some(p))
        }
        None if field.concept.as_deref() == Some("merchant")
            && field.value_type == ValueType::Name =>
        {
            super::greeting::shop_named(views)
        }
        p => p,
    };
    // A payment method read after a word of the description's examples ("cash" in "WALGREENS
    // CASH REWARDS") is no surer than a line that names a payment means.
    let pick = match pick {
        Some(p) if p.score > SELF_NAMED_SCORE => Some(p),
        p => self_named(views, field).or(p),
    }
    .or_else(|| {
        let concept = field.concept.as_deref()?;
        super::titled_number::in_title_line(views, concept)
    })
    .or_else(|| {
        (field.concept.as_deref() == Some("invoice_date"))
            .then(|| super::dated_title::in_title_line(views))
            .flatten()
    })
    .or_else(|| {
        (field.concept.as_deref() == Some("invoice_date"))
            .then(|| super::stamped_date::at_letter_head(views))
            .flatten()
    })
    .or_else(|| {
        (field.concept.as_deref() == Some("transaction_date"))
            .then(|| super::stamped_date::on_till(views))
            .flatten()
    })
    .or_else(|| {
        (field.concept.as_deref() == Some("payment_terms"))
            .then(|| super::terms::unlabelled_sentence(views))
            .flatten()
    });
    // A due date may stand in the payment terms with no label before it.
    let pick = if field.concept.as_deref() == Some("due_date") {
        [pick, super::terms::due_in_terms(views)]
            .into_iter()
            .flatten()
            .max_by(|a, b| a.score.total_cmp(&b.score))
    } else {
        pick
    };
    match pick {
        Some(p) => to_result(views, field, p),
        None => FieldResult::missing("no label of this field with a value of its type"),
    }
}

/// Concepts whose values name themselves, with the lexicon concept of those values: a receipt
/// prints "Mastercard ****0394", "EC-Karte" or "Efectivo" on a line of its own, with no label.
const SELF_NAMED: &[(&str, &str)] = &[("payment_method", "payment_means")];

/// Score of a value that names itself: no label backs it.
const SELF_NAMED_SCORE: f32 = 0.6;

/// With no label found: the lowest short line of its own that starts with one of the field's
/// value words (the payment follows the total), the amount paid at its end left out ("VISA
/// ACCT 1850 29.53" → "VISA ACCT 1850"). Below the usual thresholds: no label backs it.
fn self_named(views: &[PageView], field: &FieldDef) -> Option<Pick> {
    let (_, values) = SELF_NAMED
        .iter()
        .find(|(c, _)| field.concept.as_deref() == Some(*c))?;
    let means = lexicon::labels().get(values)?;
    let mut best: Option<Pick> = None;
    for (pi, view) in views.iter().enumerate() {
        for line in &view.lines {
            let whole = text_of(view.words(), &line.words);
            // The amount paid at the line's end is the payment's, not its means.
            let strong: Vec<_> = values::amounts(&whole)
                .into_iter()
                .filter(|a| a.strength >= 0.9)
                .collect();
            let text = match strong.as_slice() {
                [] => whole.as_str(),
                [paid] if whole[paid.range.end..].trim().is_empty() => &whole[..paid.range.start],
                _ => continue,
            };
            let toks = lexicon::tokens(text);
            // A short line: "Carte bancaire sans contact", not an item.
            if toks.is_empty() || toks.len() > 6 {
                continue;
            }
            if means.terms.iter().any(|t| toks.starts_with(&t.tokens)) {
                let words = super::view::words_in(view.words(), &line.words, &(0..text.len()));
                best = Some(Pick {
                    text: text.trim().to_string(),
                    score: SELF_NAMED_SCORE,
                    page: pi,
                    bbox: BoundingBox::enclosing(words.iter().map(|&w| &view.words()[w].bbox))
                        .unwrap_or(line.bbox),
                    words,
                    label: None,
                    reason: "a line of its own naming a payment means (no label)".into(),
                });
            }
        }
        if best.is_some() {
            break;
        }
    }
    best
}

/// A value of a self-named kind (a payment method) must look like one: name one of the kind's
/// value words ("Cash at Hotel", "Visa ****0394"), or stand beside a label of the concept
/// ("Payment mode: Lastschrift"). A value word the description lists as an example ("cash,
/// card") is not a label: what follows it ("at Hotel") goes to review.
fn self_named_value_check(field: &FieldDef, p: &mut Pick) {
    let Some((concept, values)) = SELF_NAMED
        .iter()
        .find(|(c, _)| field.concept.as_deref() == Some(*c))
    else {
        return;
    };
    let lex = lexicon::labels();
    let names_a_value = lex.get(values).is_some_and(|means| {
        let toks = lexicon::tokens(&p.text);
        means.terms.iter().any(|t| {
            toks.windows(t.tokens.len())
                .any(|w| w == t.tokens.as_slice())
        })
    });
    let concept_label = p.label.as_deref().is_some_and(|l| {
        let toks = lexicon::tokens(l);
        lex.get(concept)
            .is_some_and(|c| c.terms.iter().any(|t| t.tokens == toks))
    });
    if !names_a_value && !concept_label {
        p.score = p.score.min(0.6);
        p.reason
            .push_str(", but it names no payment means and its label is not a payment label");
    }
}

/// The best label–value pair of the field over all pages.
pub fn best_labelled(views: &[PageView], field: &FieldDef) -> Option<Pick> {
    let mut all = labelled(views, field, field.value_type);
    for p in &mut all {
        self_named_value_check(field, p);
    }
    per_rate_table(views, field, &mut all);
    if field.concept.as_deref() == Some("tax") {
        super::tax_table::base_before_tax(views, &mut all);
        super::tax_table::per_rate_lines(views, &mut all);
    }
    if field.concept.as_deref() == Some("total") {
        // The amount to pay is the largest of the totals a page prints (TTC over HT, brutto
        // over netto, the grand total over a line's total), when their labels are as strong.
        let amount = |p: &Pick| crate::numbers::parse(&p.text).unwrap_or(f64::MIN);
        let max = all.iter().map(amount).fold(f64::MIN, f64::max);
        for p in &mut all {
            if amount(p) >= max {
                p.score = (p.score * 1.04).min(1.0);
            }
        }
    }
    if field.value_type == ValueType::Date {
        rival_dates(&mut all);
    }
    let best = all
        .into_iter()
        .max_by(|a, b| a.score.total_cmp(&b.score).then(b.page.cmp(&a.page)));
    match best {
        Some(net) if field.concept.as_deref() == Some("subtotal") => {
            Some(super::adjustments::before_adjustments(views, &net).unwrap_or(net))
        }
        other => other,
    }
}

/// How close a second date's score must come to the best one's for the two to be rivals.
const RIVAL_SHARE: f32 = 0.95;
/// Score of a date with a rival: under the review thresholds.
const RIVALLED: f32 = 0.65;

/// Two different dates under labels of the field, scored alike ("Datum" over the issue date
/// and over the tax-point date of a grid whose other label we do not know): the page does not
/// settle which one is meant, so the best is not confident.
fn rival_dates(all: &mut [Pick]) {
    let Some(best) = all
        .iter()
        .enumerate()
        .max_by(|(_, a), (_, b)| a.score.total_cmp(&b.score))
        .map(|(i, _)| i)
    else {
        return;
    };
    let top = all[best].score;
    let days = |t: &str| crate::pipeline::calendar::candidates(t, None);
    let ours = days(&all[best].text);
    let rivals: Vec<usize> = (0..all.len())
        .filter(|&i| {
            let p = &all[i];
            p.score >= top * RIVAL_SHARE
                && p.score > RIVALLED
                && p.text != all[best].text
                && !days(&p.text).iter().any(|d| ours.contains(d))
        })
        .collect();
    let Some(&first) = rivals.first() else {
        return;
    };
    let note = format!(
        ", but \"{}\" under another of its labels scores alike",
        all[first].text
    );
    for i in rivals {
        // Still below the best: which one is shown does not change, only how sure it is.
        all[i].score = all[i].score.min(RIVALLED - 0.01);
    }
    let p = &mut all[best];
    p.score = p.score.min(RIVALLED);
    p.reason.push_str(&note);
}

/// A per-rate tax table on the pages: a label's amount inside it is one rate's (its header's
/// "MwSt" over the first row, "Brutto" over one rate's gross), and the table's own reading of
/// the subtotal, tax or total joins the candidates.
fn per_rate_table(views: &[PageView], field: &FieldDef, all: &mut Vec<Pick>) {
    let concept = field.concept.as_deref().unwrap_or("");
    if !AMOUNT_CONCEPTS.contains(&concept) {
        return;
    }
    let Some(table) = super::tax_table::of_section(views) else {
        return;
    };
    if concept == "tax" && table.rates_only(concept) {
        // One rate's tax is not the document's, and the document prints none of its own.
        all.retain(|p| !table.holds(p));
    }
    for p in all.iter_mut().filter(|p| table.holds(p)) {
        p.score *= 0.6;
        p.reason
            .push_str(", but inside a per-rate tax table (one rate's amount)");
    }
    all.extend(table.value(concept));
}

/// Every value of type `kind` beside or below a label of `field`, on every page.
pub fn labelled(views: &[PageView], field: &FieldDef, kind: ValueType) -> Vec<Pick> {
    let mut out = Vec::new();
    for (pi, view) in views.iter().enumerate() {
        for (label, strength) in field.labels.iter().zip(&field.label_strength) {
            for hit in labels::find_label(view.words(), &view.lines, label) {
                // A phrase of several words is a label wherever it stands ("… amount due on");
                // one word inside running text is not.
                let phrase = lexicon::tokens(label).len() >= 2;
                if hit.score < 0.85
                    || !(starts_its_phrase(view, &hit) || phrase && !in_identifier(view, &hit))
                    || longer_label_elsewhere(view, &hit, field)
                    || !short_party_label_apart(view, &hit, field, label)
                {
                    continue;
                }
                let label_score = hit.score * strength;
                if let Some(mut p) = value_near(view, &hit, label, kind) {
                    p.score *= label_score * 0.99f32.powi(pi as i32);
                    if field.concept.as_deref() == Some("payment_terms")
                        && !super::terms::mend_labelled(view, &hit, label, &mut p)
                    {
                        continue;
                    }
                    if let Some(other) = header_of_another_amount(view, &p, hit.line, field) {
                        // A cell of a grid whose column another amount heads ("EUR HT" over
                        // the total row's first amount): this label's value is elsewhere.
                        p.score *= 0.75;
                        p.reason
                            .push_str(&format!(", under the column \"{other}\" of another amount"));
                    }
                    if AMOUNT_CONCEPTS.contains(&field.concept.as_deref().unwrap_or(""))
                        && p.bbox.top >= hit.bbox.bottom() - 0.002
                        && heads_item_columns(view, hit.line)
                    {
                        // "Subtotal" heading a column of the line-item table: the amount
                        // under it is one item's, not the document's subtotal.
                        p.score = p.score.min(0.5);
                        p.reason
                            .push_str(", but under a column of the line-item table's header");
                    }
                    p.page = pi;
                    out.push(p);
                }
            }
        }
    }
    out
}

/// Concepts of a party, whose labels include short words that also open names and streets.
const PARTY_CONCEPTS: &[&str] = &["vendor", "customer", "merchant", "ship_to"];

/// Whether a party's label of one short word ("Von", "An", "To") stands apart from what
/// follows, as a label does: with its colon, or at the end of its segment (a column gap after
/// it). "An der Alster 5" is a street and "Von Thünen GmbH" a name, not a label and a value.
pub(super) fn short_party_label_apart(
    view: &PageView,
    hit: &labels::LabelHit,
    field: &FieldDef,
    label: &str,
) -> bool {
    let toks = lexicon::tokens(label);
    let short = matches!(toks.as_slice(), [t] if t.chars().count() <= 3);
    if !short || !PARTY_CONCEPTS.contains(&field.concept.as_deref().unwrap_or("")) {
        return true;
    }
    view.words()[hit.last_word].text.ends_with(':')
        || view
            .segment_of(hit.last_word)
            .is_some_and(|s| s.words.last() == Some(&hit.last_word))
}

/// Whether a line is the header of a line-item table: it names two or more of the item
/// columns (description, quantity, unit price).
fn heads_item_columns(view: &PageView, line: usize) -> bool {
    let toks = lexicon::tokens(&text_of(view.words(), &view.lines[line].words));
    let mut kinds: Vec<&str> = lexicon::labels()
        .find(&toks)
        .into_iter()
        .map(|m| m.concept.key.as_str())
        .filter(|k| matches!(*k, "description" | "quantity" | "unit_price"))
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds.len() >= 2
}

/// The amounts a grid of totals holds side by side.
const AMOUNT_CONCEPTS: &[&str] = &["total", "subtotal", "tax"];

/// The text of the nearest segment above the value, in its column, when that segment is a
/// label of another of the grid's amounts (the value under "EUR HT" is not the total).
fn header_of_another_amount(
    view: &PageView,
    p: &Pick,
    label_line: usize,
    field: &FieldDef,
) -> Option<String> {
    let ours = field.concept.as_deref()?;
    if !AMOUNT_CONCEPTS.contains(&ours) {
        return None;
    }
    let above = view
        .segments
        .iter()
        .filter(|s| {
            s.line != label_line
                && s.bbox.bottom() <= p.bbox.top + 0.002
                && s.bbox.x_overlap(&p.bbox) > 0.0
        })
        .max_by(|a, b| a.bbox.top.total_cmp(&b.bbox.top))?;
    let toks = lexicon::tokens(&above.text);
    let theirs = lexicon::labels()
        .find(&toks)
        .into_iter()
        .map(|m| m.concept.key.as_str())
        .find(|c| AMOUNT_CONCEPTS.contains(c))?;
    (theirs != ours).then(|| above.text.clone())
}

/// A printed label starts its segment ("Tax: 0.2%", "Facture n° 12"); the same words inside
/// running text ("… the terms and conditions apply") or inside an identifier ("po_number_123")
/// are not a label.
pub fn starts_its_phrase(view: &PageView, hit: &labels::LabelHit) -> bool {
    let words = view.words();
    if in_identifier(view, hit) {
        return false;
    }
    let Some(seg) = view.segment_of(hit.first_word) else {
        return true;
    };
    match seg.words.iter().position(|&w| w == hit.first_word) {
        Some(0) | None => true,
        // After a box code or a bullet ("1a", "b", "•"), still the start of the phrase.
        Some(1) => {
            let prev = &words[seg.words[0]].text;
            let n = prev.chars().count();
            let code = n == 1
                || n <= 3 && prev.chars().any(|c| c.is_ascii_digit())
                || !prev.chars().any(char::is_alphanumeric);
            code || prev.ends_with(':') || between_values(view, seg, 1, hit)
        }
        Some(i) => between_values(view, seg, i, hit),
    }
}

/// A label inside a run of label–value pairs: after a value and before its own ("Nr.
/// INV-2024-001 ausgestellt 06.12.2026 fällig 20.12.2026", "issued on 06/12/2026 due on …").
fn between_values(
    view: &PageView,
    seg: &crate::pipeline::layout::Segment,
    at: usize,
    hit: &labels::LabelHit,
) -> bool {
    let words = view.words();
    let digit = |w: usize| words[w].text.chars().any(|c| c.is_ascii_digit());
    let after = seg
        .words
        .iter()
        .position(|&w| w == hit.last_word)
        .and_then(|p| seg.words.get(p + 1));
    at > 0 && digit(seg.words[at - 1]) && after.is_some_and(|&w| digit(w))
}

/// Label words joined into an identifier ("po_number_123"), an e-mail address
/// ("company@evilcorp.com") or a web address ("www.client-portal.com").
fn in_identifier(view: &PageView, hit: &labels::LabelHit) -> bool {
    [hit.first_word, hit.last_word].iter().any(|&w| {
        let t = &view.words()[w].text;
        t.contains(['_', '@'])
            || t.contains("://")
            || t.get(..4)
                .is_some_and(|head| head.eq_ignore_ascii_case("www."))
    })
}

/// The hit is the first words of a longer phrase of another concept on its line ("Total" in
/// "Total HT", "Date" in "Due Date", "Tax" in "Tax ID"): it is that label, not ours.
pub(super) fn longer_label_elsewhere(
    view: &PageView,
    hit: &labels::LabelHit,
    field: &FieldDef,
) -> bool {
    let words = view.words();
    let line = &view.lines[hit.line];
    let mut toks: Vec<String> = Vec::new();
    let mut first_tok = None;
    let mut last_tok = 0;
    for &wi in &line.words {
        if wi == hit.first_word && first_tok.is_none() {
            first_tok = Some(toks.len());
        }
        toks.extend(lexicon::tokens(&words[wi].text));
        if wi == hit.last_word {
            last_tok = toks.len();
        }
    }
    let Some(first) = first_tok else {
        return false;
    };
    let ours = last_tok.saturating_sub(first);
    lexicon::labels().find(&toks).iter().any(|m| {
        Some(m.concept.key.as_str()) != field.concept.as_deref()
            && m.start <= first
            && m.start + m.len > first
            && (m.len > ours || m.len == ours && hit.score < 0.999)
            && m.start + m.len >= last_tok
    })
}

/// What a label's own last word holds after the label's last token ("n°562044387" after "n").
fn tail_of_word(word: &str, label: &str) -> Option<String> {
    let last = lexicon::tokens(label).pop()?;
    let mut cur = String::new();
    for (i, c) in word.char_indices() {
        if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
        } else {
            if !cur.is_empty() && lexicon::tokens(&cur).first() == Some(&last) {
                let rest = word[i..].to_string();
                return rest.chars().any(char::is_alphanumeric).then_some(rest);
            }
            cur.clear();
        }
    }
    None
}

/// The value of type `kind` for one label hit: right of it on its line (the nearest for text,
/// the last for an amount, as totals sit at the right edge), else on the first lines below it.
fn value_near(
    view: &PageView,
    hit: &labels::LabelHit,
    label: &str,
    kind: ValueType,
) -> Option<Pick> {
    let words = view.words();
    let line = &view.lines[hit.line];
    let pos = line.words.iter().position(|&w| w == hit.last_word)?;
    let rest: Vec<usize> = line.words[pos + 1..].to_vec();
    let tail = tail_of_word(&words[hit.last_word].text, label);
    // "PO-BE-55120": a label word that opens a word and is joined by a hyphen to the rest of
    // it is the identifier's own prefix, not a label before it; the value is the whole word.
    let own_prefix = tail
        .as_deref()
        .is_some_and(|t| t.starts_with('-') && t.chars().any(|c| c.is_ascii_digit()))
        && lexicon::tokens(&words[hit.last_word].text).first() == lexicon::tokens(label).last()
        && !matches!(kind, ValueType::Money | ValueType::Number | ValueType::Date);
    let tail = if own_prefix {
        Some(words[hit.last_word].text.clone())
    } else {
        tail
    };
    // Free text stops at the end of the label's segment plus the next one: a line often holds
    // two label–value pairs side by side.
    let mut runs_on = false;
    let rest: Vec<usize> = if matches!(kind, ValueType::Text | ValueType::Name) {
        let mut near = within_reach(view, hit, &rest);
        // "Consumi fatturati   350 kWh": small words run on from our label in its segment are
        // the printed label's own; the value is the next segment, under a longer label.
        if tail.is_none()
            && words[hit.last_word].text.ends_with(char::is_alphanumeric)
            && near.iter().all(|&w| same_segment(view, hit.last_word, w))
            && label_words::label_tail("", &text_of(words, &near))
            && let Some(next) = next_segment(view, hit)
        {
            near = next;
            runs_on = true;
        }
        // The next thing on the line being another label ("Billing Address   Shipping
        // Address") means this label's value is below it.
        if starts_with_label(&text_of(words, &near)) {
            Vec::new()
        } else {
            near
        }
    } else {
        rest
    };
    let mut text = tail.clone().unwrap_or_default();
    let mut offsets: Vec<(usize, usize)> = Vec::new(); // (byte start, word)
    if tail.is_some() {
        offsets.push((0, hit.last_word));
    }
    for &wi in &rest {
        if !text.is_empty() {
            text.push(' ');
        }
        offsets.push((text.len(), wi));
        text.push_str(&words[wi].text);
    }
    if kind == ValueType::Date && choose(kind, &text).is_none() {
        wrapped_date(view, hit.line, &rest, &mut text, &mut offsets);
    }
    let same_line = if own_prefix {
        let word = words[hit.last_word]
            .text
            .trim_end_matches([',', ';', '.'])
            .len();
        Some(Span {
            range: 0..word,
            strength: 1.0,
        })
    } else {
        choose(kind, &text)
    };
    let same_line = same_line.map(|s| (s, 1.0, text.clone(), offsets.clone()));
    let found = same_line.or_else(|| {
        // Below: the first two lines under the label's column.
        let below = super::candidates::below(words, &view.lines, &view.segments, hit, None);
        below.into_iter().take(2).find_map(|c| {
            let place = if c.rank == 1 { 0.93 } else { 0.85 };
            let mut offs = Vec::new();
            let mut pos = 0;
            for &wi in &c.words {
                offs.push((pos, wi));
                pos += words[wi].text.len() + 1;
            }
            // Below a label, the line must not be another label of the page.
            if starts_with_label(&c.text) {
                return None;
            }
            let span = in_labels_column(words, hit, kind, &c.text, &offs)
                .or_else(|| choose(kind, &c.text))?;
            Some((span, place, c.text.clone(), offs))
        })
    })?;
    let (span, place, text, offs) = found;
    let value = text[span.range.clone()].trim().to_string();
    // Words and a colon between the label and the value ("Date de facture *associée* :"): the
    // printed label is longer than ours, and it may name another thing.
    let between = &text[..span.range.start];
    // A qualifier in parentheses is not such a word: "VAT (19% on 1200.00): 228.00 EUR".
    let longer_label = between.contains(':')
        && between
            .split(':')
            .next()
            .is_some_and(|w| outside_parentheses(w).chars().any(char::is_alphabetic));
    let place = if longer_label || runs_on && place >= 1.0 {
        place * 0.75
    } else {
        place
    };
    // A row of a column grid ("Total facture  24.99  5.00  29.99"): which column is this
    // label's is not known from the row alone, so the value stays under the usual thresholds.
    let grid = matches!(kind, ValueType::Money | ValueType::Number)
        && amounts_in_a_row(&text, &span.range) >= 2;
    let place = if grid { place * 0.8 } else { place };
    let idx: Vec<usize> = offs
        .iter()
        .filter(|(start, wi)| {
            let end = start + words[*wi].text.len();
            *start < span.range.end && end > span.range.start
        })
        .map(|(_, wi)| *wi)
        .collect();
    let bbox = BoundingBox::enclosing(idx.iter().map(|&i| &words[i].bbox)).unwrap_or(hit.bbox);
    // "Consumi fatturati" read as the label "Consumi" and the value "fatturati": a small word
    // run on from the label in its own segment is the printed label's second word.
    let rest_of_label = place >= 1.0
        && tail.is_none()
        && words[hit.last_word].text.ends_with(char::is_alphanumeric)
        && idx
            .first()
            .is_some_and(|&w| same_segment(view, hit.last_word, w))
        && label_words::label_tail(between, &value);
    // "Bank details:": free text that a colon ends is the next label, not a value.
    let colon_after = matches!(kind, ValueType::Text | ValueType::Name | ValueType::Address)
        && text[span.range.end..].trim_start().starts_with(':');
    let mut score = span.strength * place * type_evidence(kind);
    if rest_of_label || colon_after {
        score = score.min(label_words::LABEL_LIKE_CEILING);
    }
    Some(Pick {
        text: value,
        score,
        page: 0,
        words: idx,
        bbox,
        label: Some(label.to_string()),
        reason: format!(
            "label \"{label}\" matched {:.0}%, value {} the label{}{}",
            hit.score * 100.0,
            if place >= 1.0 { "right of" } else { "below" },
            if grid {
                ", one of several amounts in a row (a column grid)"
            } else {
                ""
            },
            if rest_of_label {
                ", but it runs on from the label in small letters (the label's own word)"
            } else if colon_after {
                ", but a colon ends it (a label)"
            } else {
                ""
            }
        ),
    })
}

/// The text without its parenthesised parts: "(19% on 1200.00)" → "".
fn outside_parentheses(text: &str) -> String {
    let mut depth = 0usize;
    text.chars()
        .filter(|&c| {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth = depth.saturating_sub(1);
                    return false;
                }
                _ => {}
            }
            depth == 0
        })
        .collect()
}

/// Whether byte `at` of `text` stands inside an open parenthesis.
fn in_parentheses(text: &str, at: usize) -> bool {
    let before = text.get(..at).unwrap_or(text);
    before.matches('(').count() > before.matches(')').count()
}

/// "Datum vystavení:  01. 01." over "2021": a date cell too narrow for the whole date wraps
/// its year onto the next line. When the label's line holds no date, the words under the
/// line's last segment are read on after it, and kept only if they complete a date.
fn wrapped_date(
    view: &PageView,
    line: usize,
    rest: &[usize],
    text: &mut String,
    offsets: &mut Vec<(usize, usize)>,
) {
    let words = view.words();
    let Some(&last) = rest.last() else {
        return;
    };
    let cell: Vec<usize> = view
        .segment_of(last)
        .map_or_else(|| vec![last], |s| s.words.clone());
    let under = super::candidates::wrapped_under(words, &view.lines, line, &cell);
    if under.is_empty() {
        return;
    }
    let mut joined = text.clone();
    let mut offs = offsets.clone();
    for &wi in &under {
        joined.push(' ');
        offs.push((joined.len(), wi));
        joined.push_str(&words[wi].text);
    }
    let completes = values::dates(&joined)
        .iter()
        .any(|d| d.start < text.len() && d.end > text.len());
    if completes {
        *text = joined;
        *offsets = offs;
    }
}

/// The segment right after the label's own on its line, within reach of the label.
fn next_segment(view: &PageView, hit: &labels::LabelHit) -> Option<Vec<usize>> {
    let seg = view.segment_of(hit.last_word)?;
    view.segments_on(seg.line)
        .iter()
        .filter(|s| s.bbox.left >= seg.bbox.right())
        .filter(|s| s.bbox.left - hit.bbox.right() <= 0.45)
        .min_by(|a, b| a.bbox.left.total_cmp(&b.bbox.left))
        .map(|s| s.words.clone())
}

/// Whether two words stand in one segment of the page (no column gap between them).
fn same_segment(view: &PageView, a: usize, b: usize) -> bool {
    view.segment_of(a).is_some_and(|s| s.words.contains(&b))
}

/// How many amounts (two decimals or a currency) stand in one row with the value at `at`,
/// nothing between them but currency signs or codes: the cells of one grid row. Words between
/// two amounts ("400.00  Discount 10.00") mean a second label–value pair, not a grid.
fn amounts_in_a_row(text: &str, at: &std::ops::Range<usize>) -> usize {
    // An amount in parentheses qualifies a label ("VAT (19% on 1200.00): 228.00"): no cell.
    let spans: Vec<Span> = values::amounts(text)
        .into_iter()
        .filter(|s| s.strength >= 0.9)
        .filter(|s| s.range == *at || !in_parentheses(text, s.range.start))
        .collect();
    let Some(i) = spans
        .iter()
        .position(|s| s.range.start < at.end && at.start < s.range.end)
    else {
        return 1;
    };
    let cell_gap = |a: &Span, b: &Span| {
        !text[a.range.end..b.range.start]
            .split_whitespace()
            .any(|w| {
                w.chars().filter(|c| c.is_alphabetic()).count() > 3
                    || w.chars().any(char::is_lowercase)
            })
    };
    let mut first = i;
    while first > 0 && cell_gap(&spans[first - 1], &spans[first]) {
        first -= 1;
    }
    let mut last = i;
    while last + 1 < spans.len() && cell_gap(&spans[last], &spans[last + 1]) {
        last += 1;
    }
    last - first + 1
}

/// How much a parse of this type proves: an amount or a date that parsed is the right kind of
/// thing; free text right of a label is only in the right place.
fn type_evidence(kind: ValueType) -> f32 {
    match kind {
        ValueType::Text | ValueType::Name | ValueType::Address => 0.88,
        _ => 1.0,
    }
}

/// Under a label, in a row of several amounts (a grid): the amount in the label's own column.
fn in_labels_column(
    words: &[Word],
    hit: &labels::LabelHit,
    kind: ValueType,
    text: &str,
    offs: &[(usize, usize)],
) -> Option<Span> {
    if !matches!(kind, ValueType::Money | ValueType::Number) {
        return None;
    }
    let spans: Vec<Span> = values::find(kind, text)
        .into_iter()
        .filter(|s| s.strength >= 0.9)
        .collect();
    if spans.len() < 2 {
        return None;
    }
    spans.into_iter().find(|s| {
        offs.iter().any(|&(start, wi)| {
            start < s.range.end
                && start + words[wi].text.len() > s.range.start
                && words[wi].bbox.x_overlap(&hit.bbox) > 0.0
        })
    })
}

/// The span of the line's text to take for a type.
fn choose(kind: ValueType, text: &str) -> Option<Span> {
    let spans = values::find(kind, text);
    match kind {
        // Totals, taxes and prices are printed at the right edge: "Total (2 items) ... 56,02".
        ValueType::Money | ValueType::Number => {
            let best = spans.iter().map(|s| s.strength).fold(0.0f32, f32::max);
            spans.into_iter().rev().find(|s| s.strength >= best)
        }
        _ => spans.into_iter().next(),
    }
}

/// The words of `rest` up to the end of the segment after the label's (a second label–value
/// pair further right on the line is not part of this value).
pub fn within_reach(view: &PageView, hit: &labels::LabelHit, rest: &[usize]) -> Vec<usize> {
    let Some(seg) = view.segment_of(hit.last_word) else {
        return rest.to_vec();
    };
    let own: Vec<usize> = rest
        .iter()
        .copied()
        .filter(|w| seg.words.contains(w))
        .collect();
    if !own.is_empty() {
        return own;
    }
    view.segments_on(seg.line)
        .iter()
        .filter(|s| s.bbox.left >= seg.bbox.right())
        .min_by(|a, b| a.bbox.left.total_cmp(&b.bbox.left))
        .map(|s| s.words.clone())
        .unwrap_or_default()
}

/// Whether a line's text begins with a label of the lexicon followed by a colon or nothing
/// ("Invoice Date:", "Total") — it is then a label, not a value.
pub fn starts_with_label(text: &str) -> bool {
    let toks = lexicon::tokens(text);
    let Some(m) = lexicon::labels()
        .find(&toks)
        .into_iter()
        .find(|m| m.start == 0)
    else {
        return false;
    };
    m.len == toks.len() || {
        // "Due Date: Jan 31" – a colon right after the label words.
        let n: String = text.chars().take_while(|c| *c != ':').collect();
        text.contains(':') && lexicon::tokens(&n).len() <= m.len
    }
}

/// A pick as a field result: typed by the schema, confidence with the OCR's.
pub fn to_result(views: &[PageView], field: &FieldDef, mut p: Pick) -> FieldResult {
    let view = &views[p.page];
    let ocr = if p.words.is_empty() {
        1.0
    } else {
        view.confidence_of(&p.words)
    };
    let (_, parsed) = result::typed(field, &p.text);
    let party = matches!(field.value_type, ValueType::Name | ValueType::Address);
    let cells = matches!(roles::role_of(field), Some(roles::Role::Column(_)));
    if party && reads_as_label(&p.text) || !cells && label_words::label_like(&p.text) {
        // "Trade name", "Totaalbedrag", "Importo da pagare": a page's label where a value was
        // expected, whatever the field's type.
        p.score = p.score.min(label_words::LABEL_LIKE_CEILING);
        p.reason.push_str(", but the value reads as a label");
    }
    // A value that does not parse as its schema type is never confident.
    let confidence = if parsed {
        (p.score * ocr * 0.99).clamp(0.0, 1.0)
    } else {
        (p.score * ocr * 0.5).min(0.4)
    };
    let mut reason = p.reason;
    if !parsed {
        reason.push_str(", but it does not parse as its type");
    }
    result::field_result(
        view,
        field,
        result::Found {
            text: p.text,
            words: p.words,
            bbox: p.bbox,
            label: p.label,
            confidence,
            reason,
            ocr,
        },
    )
}

/// "Name" in our languages: a party value ending in it is a form's label ("Trade name").
const NAME_WORDS: &[&str] = &["name", "nom", "naam", "nombre", "nome", "namen", "nazwa"];

/// Whether a party's value is a label rather than a name or an address: the whole text is a
/// label phrase of the lexicon ("Totaalbedrag", "Montant TTC"), or it ends with the word
/// "name" in one of our languages ("Buyer contact name").
pub fn reads_as_label(text: &str) -> bool {
    let toks = lexicon::tokens(text);
    if toks.is_empty() {
        return false;
    }
    let whole = lexicon::labels()
        .find(&toks)
        .iter()
        .any(|m| m.start == 0 && m.len == toks.len());
    whole
        || toks.len() <= 4
            && toks
                .last()
                .is_some_and(|t| NAME_WORDS.contains(&t.as_str()))
}

/// The text of some words joined by spaces.
pub fn text_of(words: &[Word], idx: &[usize]) -> String {
    idx.iter()
        .map(|&i| words[i].text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}
