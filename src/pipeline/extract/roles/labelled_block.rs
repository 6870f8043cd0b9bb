//! The block under a party's label, read line by line: the name, then the address, as a
//! form or a letterhead prints them ("Bill to:" over a name and its street; "SPRZEDAWCA" over
//! "NIP: …", "Nazwa: …", "Adres: …"). The customer's first place and the vendor's, after its
//! labelled value; which blocks are the customer's.

use super::address::{
    address_label_value, ends_an_address, identifier_line, phone_only, street_or_town,
};
use super::{COMPANY, CONTACT, blocks, marks, seg_text};
use crate::pipeline::config::FieldDef;
use crate::pipeline::extract::generic::{self, Pick};
use crate::pipeline::extract::items::looks_like_items;
use crate::pipeline::extract::view::PageView;
use crate::pipeline::extract::{candidates, label_words, labels};
use crate::pipeline::lexicon;

/// A label word read as the first word of a company's name: the line is a name, but which
/// party's only the word says.
pub(super) const OPENS_NAME: f32 = 0.9;

/// The lines of a block under a label: (line or rank, text).
type BlockLines = Vec<(usize, String)>;

/// Whose block a label heads: which blocks are not theirs, and what the pick says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Party {
    /// A block that the issuer's name heads is the issuer's own, never the customer's (a
    /// payment slip's "Modtager", "Empfänger": the payee).
    Customer,
    Vendor,
}

/// The block found under one of a field's labels: the label's score, its page, and its lines
/// from the name on.
pub(super) struct LabelledBlock {
    score: f32,
    page: usize,
    lines: BlockLines,
    party: Party,
}

/// The block under (or right of) one of the field's labels, the strongest label first: read
/// once, for its name and its address.
pub(super) fn block_under_label(
    views: &[PageView],
    field: &FieldDef,
    party: Party,
) -> Option<LabelledBlock> {
    let mut found: Vec<(f32, usize, BlockLines)> = Vec::new();
    for (pi, view) in views.iter().enumerate() {
        let words = view.words();
        for (label, strength) in field.labels.iter().zip(&field.label_strength) {
            for hit in labels::find_label(words, &view.lines, label) {
                if hit.score < 0.85
                    || !generic::starts_its_phrase(view, &hit)
                    || generic::longer_label_elsewhere(view, &hit, field)
                    || !generic::short_party_label_apart(view, &hit, field, label)
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
                // "VON  Tech Solutions GmbH | Musterstraße 1, 12345 Berlin": the whole party
                // on the label's line, its parts set apart by bars or dots.
                let one_line = one_line_party(rest_text);
                let whole = one_line.is_some();
                // "Dodavatel je zapsán v obchodním rejstříku…", "Company No.: 54871521": the
                // label word opens a sentence or an identifier's label, not a block.
                if one_line.is_none() && marks::runs_as_text_or_number(rest_text) {
                    continue;
                }
                if let Some(parts) = one_line {
                    lines.extend(parts.into_iter().map(|p| (hit.line, p)));
                } else if rest_text.chars().any(char::is_alphanumeric)
                    && !rest_text.ends_with(':')
                    && !generic::starts_with_label(rest_text)
                    && !label_words::label_like(rest_text)
                    && !CONTACT.is_match(rest_text)
                {
                    // ("Bill to Address:" is the rest of a longer label, not a value; "Hotel
                    // Details" beside "Check In" heads a row of columns.)
                    lines.push((hit.line, rest_text.to_string()));
                }
                // The block ends where the next block of the label's line starts ("Billing
                // Address" beside "Shipping Address"); a name read right of the label
                // ("Nabywca:     GŁÓWNY URZĄD …") is in the block, and so is its column.
                let edge = match lines.is_empty() {
                    true => hit.bbox.right(),
                    false => rest
                        .iter()
                        .map(|&w| words[w].bbox.right())
                        .fold(hit.bbox.right(), f32::max),
                };
                let width = view
                    .segments_on(hit.line)
                    .iter()
                    .filter(|s| s.bbox.left > edge + 0.01)
                    .map(|s| s.bbox.left - hit.bbox.left - 0.01)
                    .fold(None, |a: Option<f32>, w| Some(a.map_or(w, |a| a.min(w))))
                    // Nothing further right: the block is as wide as the label and its name
                    // (a box measured from the label alone would end at the name's segment);
                    // a line that starts inside it is read whole.
                    .or_else(|| (!lines.is_empty()).then_some(edge - hit.bbox.left + 0.01));
                let mut last_bottom = hit.bbox.bottom();
                let (mut ids_before_name, mut ids_after_name) = (0, 0);
                let mut contacts = Contacts::None;
                let below = match whole {
                    true => Vec::new(),
                    false => candidates::below(words, &view.lines, &view.segments, &hit, width),
                };
                for c in below.into_iter().take(6) {
                    // A blank line ends the block.
                    let gap = c.bbox.top - last_bottom;
                    // Another company's name under the address ("… Płock" over "Polski
                    // Koncern Naftowy ORLEN S.A. / Stacja Paliw Nr 4445"): another place.
                    if gap > 1.6 * c.bbox.height.max(0.005)
                        || looks_like_items(&c.text)
                        || lines.len() >= 2 && COMPANY.is_match(&c.text)
                    {
                        break;
                    }
                    // "Elliot Raque <raque@gmail.com>": a name with its mailbox.
                    if lines.is_empty()
                        && let Some(name) = name_with_mailbox(&c.text)
                    {
                        last_bottom = c.bbox.bottom();
                        lines.push((c.rank, name));
                        continue;
                    }
                    // A form's block labels its lines: "Nazwa: Moja Firma Sp. z o.o.",
                    // "Adres: ul. Przykładowa 123", the party's identifiers first ("NIP: …").
                    let text = match (lines.is_empty(), form_line(&c.text, !lines.is_empty())) {
                        (true, Some(FormLine::Name(name))) => name,
                        (false, Some(FormLine::Address(line))) => line,
                        (true, Some(FormLine::Identifier)) if ids_before_name < 2 => {
                            ids_before_name += 1;
                            last_bottom = c.bbox.bottom();
                            continue;
                        }
                        // "Acme S.r.l. / P.IVA: … / C.F.: … / Via Roma, 123": identifiers
                        // between the name and its street.
                        (false, Some(FormLine::Identifier))
                            if lines.len() == 1 && ids_after_name < 2 =>
                        {
                            ids_after_name += 1;
                            last_bottom = c.bbox.bottom();
                            continue;
                        }
                        _ if ids_after_name > 0 && lines.len() == 1 && !street_or_town(&c.text) => {
                            break;
                        }
                        // "John Doe / Acme Corp / john@… / +1 … / 522 Main Street, New
                        // York / USA": the contact lines between a name and its street are
                        // passed over; the address is the street and what follows it.
                        _ if !lines.is_empty()
                            && contacts != Contacts::Street
                            && (CONTACT.is_match(&c.text) || phone_only(&c.text))
                            && !lines[1..].iter().any(|(_, t)| street_or_town(t)) =>
                        {
                            contacts = Contacts::Passed;
                            last_bottom = c.bbox.bottom();
                            continue;
                        }
                        _ if contacts == Contacts::Passed => {
                            if !street_or_town(&c.text) || ends_an_address(&c.text, true) {
                                break;
                            }
                            // The lines between the name and its contacts (a company under a
                            // person) are neither.
                            lines.truncate(1);
                            contacts = Contacts::Street;
                            c.text.clone()
                        }
                        _ if CONTACT.is_match(&c.text)
                            || ends_an_address(&c.text, !lines.is_empty()) =>
                        {
                            break;
                        }
                        _ => c.text.clone(),
                    };
                    last_bottom = c.bbox.bottom();
                    lines.push((c.rank, text));
                }
                if !lines.is_empty() {
                    found.push((score, pi, lines));
                }
            }
        }
    }
    // The strongest label first, the first found of equals.
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    let issuer = match party {
        Party::Customer => issuer_name(views),
        Party::Vendor => None,
    };
    found.into_iter().find_map(|(score, page, mut lines)| {
        head_of_block(&mut lines);
        let ours = issuer.as_deref() == Some(fold(&lines[0].1).as_str());
        (!ours).then_some(LabelledBlock {
            score,
            page,
            lines,
            party,
        })
    })
}

/// Where a block's reading stands with contact lines between a party's name and its street:
/// none seen, passed over, or the street found after them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Contacts {
    None,
    Passed,
    Street,
}

/// The name of a "Name <mailbox@host>" line, the mailbox in angle brackets after it.
fn name_with_mailbox(text: &str) -> Option<String> {
    let (name, rest) = text.split_once('<')?;
    let name = name.trim().trim_end_matches(',').trim();
    let mailbox = rest.trim_end().strip_suffix('>')?;
    let ok = mailbox.contains('@')
        && !mailbox.contains(char::is_whitespace)
        && name.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && !CONTACT.is_match(name);
    ok.then(|| name.to_string())
}

impl LabelledBlock {
    /// The block's name line, or its address lines. A block is read, not matched: which line
    /// is the name and where the address ends are guesses, so the score stays just under the
    /// usual thresholds.
    pub(super) fn pick(&self, views: &[PageView], want_address: bool) -> Option<Pick> {
        let (score, pi, lines, party) = (self.score, self.page, &self.lines, self.party);
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
                reason: match party {
                    Party::Customer => "the block under the customer's label",
                    Party::Vendor => "the block under the vendor's label",
                }
                .into(),
            });
        }
        None
    }
}

/// A party printed whole on its label's line, its parts set apart by bars or dots: the name,
/// then the parts that name a street or town ("Max Mustermann | max@mustermann.de | Kaufstraße
/// 2, 80331 München" → name, street and town); contact and identifier parts go. None unless
/// the first part reads as a name and another as an address.
pub(super) fn one_line_party(text: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = text
        .split(['|', '·', '•'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let (name, rest) = parts.split_first()?;
    let plain = |p: &str| !CONTACT.is_match(p) && !ends_an_address(p, true);
    if !plain(name)
        || marks::runs_as_text_or_number(name)
        || name.chars().any(|c| c.is_ascii_digit())
        || !name.chars().any(char::is_alphabetic)
    {
        return None;
    }
    let address: Vec<String> = rest
        .iter()
        .filter(|p| plain(p) && street_or_town(p))
        .map(|p| p.to_string())
        .collect();
    (!address.is_empty()).then(|| std::iter::once(name.to_string()).chain(address).collect())
}

/// A line of a form's party block, by its label.
enum FormLine {
    /// "Nazwa: Moja Firma Sp. z o.o." → the name.
    Name(String),
    /// "Adres: ul. Przykładowa 123, 00-001 Warszawa" → the address line.
    Address(String),
    /// "NIP: 1234567890", "USt-IdNr.: DE…": the party's identifier.
    Identifier,
}

/// What a labelled line of a party's block holds, when its label says: a name label of the
/// lexicon, an address label, or an identifier (no contact line; once the name is read, any
/// short label with its colon, "C.F.: ACMCRP80A01H501X").
fn form_line(text: &str, after_name: bool) -> Option<FormLine> {
    if let Some((name, _)) = marks::without_name_label(text) {
        return Some(FormLine::Name(name));
    }
    if let Some(line) = address_label_value(text) {
        return Some(FormLine::Address(line));
    }
    (identifier_line(text, after_name) && !CONTACT.is_match(text) && text.contains(':'))
        .then_some(FormLine::Identifier)
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
        .find(|b| !customers_block(view, b))?;
    let name = fold(&seg_text(&view.segments[b[0]]));
    (!name.is_empty()).then_some(name)
}

/// Letters and digits, lower case: a name as two blocks print it alike.
pub(super) fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A name line that holds a number and no company form ("ul. Polna 58/40"): the street, read
/// as the name when the name line above it was not read, is a guess at best.
fn street_for_name(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit()) && !COMPANY.is_match(text)
}

/// Whether a block is the customer's: its first line is a customer's label ("Bill to
/// Address:", "Rechnungsempfänger") or opens with one ("ATTN: …").
pub(super) fn customers_block(view: &PageView, block: &[usize]) -> bool {
    block.first().is_some_and(|&s| {
        let text = &view.segments[s].text;
        let toks = lexicon::tokens(text);
        let head = lexicon::tokens(text.split(':').next().unwrap_or(""));
        lexicon::labels().find(&toks).iter().any(|m| {
            m.start == 0
                && m.concept.key == "customer"
                && (m.len == toks.len() || text.contains(':') && head.len() <= m.len)
        })
    })
}
