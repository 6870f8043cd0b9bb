//! Due dates inside payment-term sentences: "Zahlbar innerhalb 14 Tagen netto bis zum
//! 04.04.2013", "à régler au plus tard le 3 janvier 2025", "payable by March 5, 2024", "te
//! betalen vóór 5 mei 2024". No label stands before such a date; what makes it the due date is
//! a word of paying in the sentence and a deadline word ("by", "bis", "avant", "vóór", "entro",
//! "do", "līdz" …) right before it.
//!
//! "Payable within 30 days" names no date: a due date computed from it would be a guess, and is
//! not made. Two deadlines in the terms (a discount date, then the net date) leave a choice the
//! sentence does not settle alone, so the last is taken under the review threshold.

use super::generic::{Pick, text_of};
use super::labels::LabelHit;
use super::values;
use super::view::PageView;
use crate::model::BoundingBox;
use crate::pipeline::lexicon;

/// Score of a date whose sentence has a paying word on its own line: a deadline date of the
/// payment terms, above the usual review thresholds but below a labelled value.
const SAME_LINE: f32 = 0.8;
/// The paying word only on the line above (a wrapped sentence, or another sentence): under the
/// review thresholds.
const LINE_ABOVE: f32 = 0.65;
/// More than one deadline in the terms: which one is meant is not certain.
const SEVERAL: f32 = 0.6;

/// A terms value with no word in it ("01" after the voucher code "COD. 01"): a code or a
/// number, not a condition of payment; under the review thresholds.
const NO_WORDS: f32 = 0.5;

/// Mend a payment-terms value read right of a label. A label that is one paying word with no
/// colon after it ("Zahlbar binnen 30 Tagen", "Règlement à réception") opens the terms
/// sentence: the sentence is the value, label word and all. A value without a word in it is
/// not terms. False when the label holds no terms at all: a payment method alone ("Forma
/// płatności: Przelew", "Modalità: Bonifico bancario") says how to pay, not when, and the
/// class's `PaymentTerms` are conditions (evalsets/README.md), so it is no value of the field.
pub fn mend_labelled(view: &PageView, hit: &LabelHit, label: &str, p: &mut Pick) -> bool {
    let words = view.words();
    if !p.text.chars().any(char::is_alphabetic) {
        p.score = p.score.min(NO_WORDS);
        p.reason
            .push_str(", but it holds no word (a code or a number, not terms)");
        return true;
    }
    // "… indtil fuld / betaling har fundet sted.": a label word printed in small letters with
    // no colon, opening a line, is a wrapped paragraph's word; labels open with a capital.
    let first = &words[hit.first_word].text;
    if first.starts_with(char::is_lowercase) && !words[hit.last_word].text.ends_with(':') {
        return false;
    }
    if about_late_payment(&p.text) || names_a_party(label, &p.text) {
        return false;
    }
    if names_only_a_method(&p.text) {
        // The terms, if the page states any, are a sentence elsewhere ("Uwagi: Termin
        // płatności: 14 dni", a note "Pagamento entro 30 giorni …").
        let Some(sentence) = unlabelled_sentence(std::slice::from_ref(view)) else {
            return false;
        };
        let method = std::mem::replace(p, sentence).text;
        p.reason.push_str(&format!(
            ", taken over \"{method}\" under the label, a payment method"
        ));
        return true;
    }
    let printed = &words[hit.last_word].text;
    let toks = lexicon::tokens(label);
    let line = &view.lines[hit.line].words;
    let next = line
        .iter()
        .position(|&w| w == hit.last_word)
        .and_then(|i| line.get(i + 1));
    // A sentence runs on in small letters ("Zahlbar binnen", "Règlement à"); a heading's label
    // ("Zahlungsbedingungen 14 Tage netto") is followed by its value.
    let runs_on = next.is_some_and(|&w| words[w].text.starts_with(char::is_lowercase));
    if p.text.contains(':') {
        // "CONDITIONS DE PAIEMENT : …" read from "Conditions": the printed label is longer.
        p.score *= 0.9;
        p.reason
            .push_str(", with a colon inside (a longer printed label)");
    }
    let opens = runs_on
        && hit.first_word == hit.last_word
        && toks.len() == 1
        && is_pay_word(&toks[0])
        && !printed.ends_with(':')
        && next.is_some()
        && p.words.first() == next;
    // "Conditions générales de vente", "Terms and conditions apply": a one-word label with no
    // colon, before words that name neither paying nor a count, is a heading's first word.
    let value_toks = lexicon::tokens(&p.text);
    let bare = toks.len() == 1 && !printed.ends_with(':') && !is_pay_word(&toks[0]);
    if bare
        && !value_toks.iter().any(|t| is_pay_word(t))
        && !p.text.chars().any(|c| c.is_ascii_digit())
    {
        p.score = p.score.min(NO_WORDS);
        p.reason
            .push_str(", but after a bare one-word label it names no paying and no term");
    }
    if opens {
        p.text = format!("{printed} {}", p.text);
        p.words.insert(0, hit.last_word);
        p.bbox = p.bbox.union(&words[hit.last_word].bbox);
        p.reason
            .push_str(", with the label's word, which opens the terms sentence");
    }
    with_following_sentences(view, p);
    true
}

/// How many terms sentences printed under the first one are read with it.
const MAX_FOLLOWING: usize = 2;

/// Whether a line is a terms sentence: a paying word and a count of days, not running text.
fn is_terms_sentence(toks: &[String]) -> bool {
    let days = lexicon::word_list("day_word");
    let counted = toks
        .windows(2)
        .any(|w| w[0].chars().all(|c| c.is_ascii_digit()) && days.contains(&w[1]));
    toks.len() <= MAX_SENTENCE_TOKENS && counted && toks.iter().any(|t| is_pay_word(t))
}

/// Terms printed as sentences on lines of their own ("Zahlbar nach Erhalt der Rechnung." /
/// "Bei Zahlung innerhalb von 7 Tagen werden 2 % Skonto gewährt."): a value that ends its
/// line takes the terms sentences right under it, aligned with it or its label, at the
/// spacing of running text.
fn with_following_sentences(view: &PageView, p: &mut Pick) {
    let words = view.words();
    let Some(mut li) = p.words.last().and_then(|&w| view.line_of(w)) else {
        return;
    };
    if view.lines[li].words.last() != p.words.last() {
        return;
    }
    // Under the value, or under its line's start (the label the value follows).
    let lefts = [p.bbox.left, view.lines[li].bbox.left];
    for _ in 0..MAX_FOLLOWING {
        let Some(next) = view.lines.get(li + 1) else {
            return;
        };
        let cur = &view.lines[li].bbox;
        let text = text_of(words, &next.words);
        let aligned = lefts
            .iter()
            .any(|l| (next.bbox.left - l).abs() <= cur.height);
        // Line spacing of running text: the gap under a line is about its height.
        let close = next.bbox.top - cur.bottom() <= 1.5 * cur.height;
        if !aligned || !close || !is_terms_sentence(&lexicon::tokens(&text)) {
            return;
        }
        p.text = format!("{} {}", p.text.trim_end(), text.trim());
        p.words.extend(&next.words);
        p.bbox = p.bbox.union(&next.bbox);
        li += 1;
    }
    p.reason
        .push_str(", with the terms sentences printed under it");
}

/// Score of a terms sentence found with no label: under the review thresholds.
const UNLABELLED: f32 = 0.6;
/// Longer lines are running text, not a terms sentence.
const MAX_SENTENCE_TOKENS: usize = 24;
/// Most words of an unknown label before a colon that opens an unlabelled terms line.
const MAX_LABEL_WORDS: usize = 4;

/// With no terms label on the pages: the first line that is a terms sentence of its own, a
/// paying word and a count of days in it ("Payable within 14 days", "30 Tage netto, 2 %
/// Skonto bei Zahlung in 10 Tagen", "Paiement à 30 jours fin de mois").
pub fn unlabelled_sentence(views: &[PageView]) -> Option<Pick> {
    for (pi, view) in views.iter().enumerate() {
        let words = view.words();
        for line in &view.lines {
            let text = text_of(words, &line.words);
            // A line opening in small letters goes on from the one above: running text.
            let runs_on = text.trim_start().starts_with(char::is_lowercase);
            if runs_on
                || !is_terms_sentence(&lexicon::tokens(&text))
                || values::amounts(&text).iter().any(|a| a.strength >= 0.9)
                || about_late_payment(&text)
            {
                continue;
            }
            // "Pagamento: 60 giorni fine mese": a short run of words ending in a colon is a
            // label this lexicon does not know; the terms are what follows it.
            let after_label = line
                .words
                .iter()
                .take(MAX_LABEL_WORDS)
                .position(|&w| words[w].text.ends_with(':'))
                .map_or(0, |i| i + 1);
            let kept = &line.words[after_label..];
            if kept.is_empty() {
                continue;
            }
            // A request that states the terms in passing ("Bitte überweisen Sie den
            // Rechnungsbetrag innerhalb von 14 Tagen auf unser Konto."): the clause.
            let clause = (kept.len() > CLAUSE_WORDS)
                .then(|| days_clause(words, kept))
                .flatten();
            let kept = clause.unwrap_or(kept);
            let bbox = kept
                .iter()
                .skip(1)
                .fold(words[kept[0]].bbox, |b, &w| b.union(&words[w].bbox));
            let mut p = Pick {
                text: text_of(words, kept).trim().to_string(),
                score: UNLABELLED,
                page: pi,
                words: kept.to_vec(),
                bbox,
                label: None,
                reason: "a line of its own with a paying word and a count of days (no label)"
                    .into(),
            };
            if clause.is_some() {
                p.text = p.text.trim_end_matches(['.', ',', ';']).to_string();
                p.reason
                    .push_str(", the clause that counts the days in a longer sentence");
            } else {
                with_following_sentences(view, &mut p);
            }
            return Some(p);
        }
    }
    None
}

/// Words of a sentence above which the terms are read as the clause that counts the days.
const CLAUSE_WORDS: usize = 10;

/// The count of days in a line's words and the small words that open it ("innerhalb von",
/// "within", "dans les"), at most three of them, with a "net" after it (`term_tail`).
fn days_clause<'a>(words: &[crate::model::Word], line: &'a [usize]) -> Option<&'a [usize]> {
    let days = lexicon::word_list("day_word");
    let lead = lexicon::word_list("term_lead");
    let tail = lexicon::word_list("term_tail");
    let toks: Vec<String> = line
        .iter()
        .map(|&w| lexicon::tokens(&words[w].text).concat())
        .collect();
    let at = (1..toks.len()).find(|&i| {
        days.contains(&toks[i])
            && !toks[i - 1].is_empty()
            && toks[i - 1].chars().all(|c| c.is_ascii_digit())
    })?;
    let mut start = at - 1;
    while start > 0 && at - 1 - start < 3 && lead.contains(&toks[start - 1]) {
        start -= 1;
    }
    let end = match toks.get(at + 1) {
        Some(t) if tail.contains(t) => at + 2,
        _ => at + 1,
    };
    Some(&line[start..end])
}

/// Whether a terms value names only how to pay ("Przelew", "Modalità: Bonifico bancario", "by
/// bank transfer", "Hotově"): method words (the lexicon's `payment_means` and `pay_method`)
/// and their small words, after any label of its own, and no number (a count of days makes
/// "przelew 14 dni" terms).
fn names_only_a_method(text: &str) -> bool {
    let value = text.rsplit_once(':').map_or(text, |(_, v)| v);
    if value.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let means: Vec<&String> = lexicon::labels()
        .get("payment_means")
        .map(|c| c.terms.iter().flat_map(|t| &t.tokens).collect())
        .unwrap_or_default();
    let method = |t: &String| lexicon::word_list("pay_method").contains(t) || means.contains(&t);
    let filler = |t: &String| lexicon::word_list("pay_method_filler").contains(t);
    let toks = lexicon::tokens(value);
    toks.iter().any(method) && toks.iter().all(|t| method(t) || filler(t))
}

/// "Zahlbar durch" over the debtor's block, "Zahlbar an" over the creditor's: the paying
/// label and the one word of `pay_party` after it (in the value, or the label's last word)
/// label a party, not the terms.
fn names_a_party(label: &str, value: &str) -> bool {
    let party = lexicon::word_list("pay_party");
    let label = lexicon::tokens(label);
    let value = lexicon::tokens(value);
    let after = match value.split_first() {
        // The value may repeat the label ("Zahlbar durch" read as one run).
        Some((first, rest)) if label.first() == Some(first) => rest,
        _ => &value[..],
    };
    label.iter().any(|t| is_pay_word(t)) && after.len() == 1 && party.contains(&after[0])
}

fn is_pay_word(tok: &str) -> bool {
    lexicon::word_list("pay_stem")
        .iter()
        .any(|s| tok.starts_with(s.as_str()))
}

/// Whether the tokens before a date end with a deadline word, fillers aside.
fn deadline_before(toks: &[String]) -> bool {
    let mut rest = toks;
    // At most three fillers ("au plus tard le" is "tard" + "le"; "bis spätestens zum").
    for _ in 0..=3 {
        match rest.split_last() {
            Some((last, _)) if lexicon::word_list("deadline").contains(last) => return true,
            Some((last, head)) if lexicon::word_list("deadline_filler").contains(last) => {
                rest = head
            }
            _ => return false,
        }
    }
    false
}

/// Where the last sentence of `text` starts: after a full stop, question or exclamation mark
/// followed by a space and a capital letter ("… sted. Indsigelser"); abbreviations ("pr.
/// påbegyndt", "z. B.") and dotted dates ("2. 11. 2024") do not end a sentence. 0 when none
/// ends in it.
fn sentence_start(text: &str) -> usize {
    sentence_starts(text).last().copied().unwrap_or(0)
}

/// The first sentence of `text` (all of it when no sentence ends inside).
fn first_sentence(text: &str) -> &str {
    &text[..sentence_starts(text).first().copied().unwrap_or(text.len())]
}

/// Where each sentence after the first starts in `text`, in order (see [`sentence_start`]).
fn sentence_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut it = text.char_indices().peekable();
    while let Some((at, c)) = it.next() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let word = text[..at]
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric())
            .count();
        if word < 2 {
            continue;
        }
        let Some(&(_, ' ')) = it.peek() else {
            continue;
        };
        it.next();
        if let Some(&(i, next)) = it.peek()
            && next.is_uppercase()
        {
            starts.push(i);
        }
    }
    starts
}

/// Whether the first sentence of `text` is about paying late or complaining ("Ved betaling
/// efter forfald tilskrives renter …", "Bei Zahlungsverzug …", "Reklamationen bitte …"): the
/// general terms' legal notes, which name days and paying but are no terms of payment
/// (`late_payment` in words.yaml).
fn about_late_payment(text: &str) -> bool {
    let late = lexicon::word_list("late_payment");
    lexicon::tokens(first_sentence(text))
        .iter()
        .any(|t| late.contains(t))
}

/// The due date the payment terms of the section's pages give, if any.
pub fn due_in_terms(views: &[PageView]) -> Option<Pick> {
    let mut found: Vec<Pick> = Vec::new();
    for (pi, view) in views.iter().enumerate() {
        let words = view.words();
        for (li, line) in view.lines.iter().enumerate() {
            let text = text_of(words, &line.words);
            for d in values::dates(&text) {
                // Only the date's own sentence counts: "… úrok z prodlení. Reklamace
                // přijímáme do 24.10.2024" pays in one sentence and sets a deadline for
                // complaints in the next.
                let opens = sentence_start(&text[..d.start]);
                let before = lexicon::tokens(&text[opens..d.start]);
                if !deadline_before(&before) {
                    continue;
                }
                // A line above that ends its sentence pays in that sentence, not in ours.
                let above = |li: usize| {
                    let t = text_of(words, &view.lines[li].words);
                    let t = t.trim_end();
                    // Whether a capital after its last character would open a new sentence.
                    let closed = sentence_start(&format!("{t} X")) == t.len() + 1;
                    if closed {
                        Vec::new()
                    } else {
                        lexicon::tokens(&t[sentence_start(t)..])
                    }
                };
                let score = if before.iter().any(|t| is_pay_word(t)) {
                    SAME_LINE
                } else if li > 0 && opens == 0 && above(li - 1).iter().any(|t| is_pay_word(t)) {
                    LINE_ABOVE
                } else {
                    continue;
                };
                let idx = super::view::words_in(words, &line.words, &d);
                let bbox = BoundingBox::enclosing(idx.iter().map(|&i| &words[i].bbox))
                    .unwrap_or(line.bbox);
                found.push(Pick {
                    text: text[d.clone()].trim().to_string(),
                    score,
                    page: pi,
                    words: idx,
                    bbox,
                    label: None,
                    reason: format!(
                        "a date after a deadline word in the payment terms{}",
                        if score < SAME_LINE {
                            " (the paying word is on the line above)"
                        } else {
                            ""
                        }
                    ),
                });
            }
        }
    }
    let distinct = {
        let mut t: Vec<&str> = found.iter().map(|p| p.text.as_str()).collect();
        t.sort_unstable();
        t.dedup();
        t.len()
    };
    let mut last = found.pop()?;
    if distinct > 1 {
        last.score = last.score.min(SEVERAL);
        last.reason
            .push_str(", the last of several deadlines the terms give");
    }
    Some(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::extract::fixtures::{TEXT_LAYER, page};

    fn due(lines: &[&[(&str, f32)]]) -> Option<(String, f32)> {
        let p = page(lines, &TEXT_LAYER);
        let v = PageView::new(&p);
        due_in_terms(&[v]).map(|p| (p.text, p.score))
    }

    #[test]
    fn a_deadline_date_in_the_terms_in_several_languages() {
        for (line, date) in [
            (
                "Zahlbar innerhalb 14 Tagen netto bis zum 04.04.2013",
                "04.04.2013",
            ),
            (
                "Bitte zahlen Sie bis spätestens 15. März 2024.",
                "15. März 2024",
            ),
            ("À régler au plus tard le 3 janvier 2025", "3 janvier 2025"),
            ("Paiement à effectuer avant le 15/03/2024", "15/03/2024"),
            ("This invoice is payable by March 5, 2024", "March 5, 2024"),
            ("Gelieve te betalen vóór 5 mei 2024", "5 mei 2024"),
            ("Pagamento entro il 12 maggio 2024", "12 maggio 2024"),
            (
                "Termin płatności do 12 października 2023",
                "12 października 2023",
            ),
            ("Apmaksāt līdz 2024. gada 15. martā", "2024. gada 15. martā"),
            ("Betalas senast 2024-04-14", "2024-04-14"),
            ("Maksettava viimeistään 29.3.2024", "29.3.2024"),
            ("Plata până la 14.04.2024", "14.04.2024"),
            ("Sumokėti iki 2024 m. kovo 29 d.", "2024 m. kovo 29 d."),
        ] {
            let got = due(&[&[("Invoice 2024-001", 0.05)], &[(line, 0.05)]]);
            assert_eq!(got, Some((date.to_string(), SAME_LINE)), "{line}");
        }
    }

    #[test]
    fn no_date_without_both_a_paying_word_and_a_deadline_word() {
        // A period, not a deadline; days, not a date; a date of issue after "payment".
        for line in [
            "Leistungszeitraum 01.03.2024 bis 31.03.2024",
            "Payable within 30 days",
            "Payment received 15/03/2024, thank you",
            "Delivered by 05.03.2024",
        ] {
            assert_eq!(due(&[&[(line, 0.05)]]), None, "{line}");
        }
    }

    #[test]
    fn a_wrapped_sentence_or_two_deadlines_stay_under_review() {
        let got = due(&[
            &[("Zahlungsbedingungen: 14 Tage netto", 0.05)],
            &[("bis zum 04.04.2013", 0.05)],
        ]);
        assert_eq!(got, Some(("04.04.2013".into(), LINE_ABOVE)));
        let got = due(&[&[(
            "Zahlbar bis 10.03.2024 mit 2% Skonto oder bis 24.03.2024 netto",
            0.05,
        )]]);
        assert_eq!(got, Some(("24.03.2024".into(), SEVERAL)));
    }

    /// The payment terms read from a page.
    fn terms_of(lines: &[&[(&str, f32)]]) -> String {
        terms_and_confidence(lines).0
    }

    /// The payment terms read from a page, with their confidence.
    fn terms_and_confidence(lines: &[&[(&str, f32)]]) -> (String, f64) {
        use crate::pipeline::config::ClassConfig;
        let yaml = r#"
classes:
  - $id: invoice
    type: object
    properties:
      PaymentTerms: {type: string, description: 'Payment conditions (30 days, COD, etc.)'}
      TotalAmount: {type: string, description: Final amount to be paid}
"#;
        let class = ClassConfig::from_yaml(yaml).unwrap().classes.remove(0);
        let p = page(lines, &TEXT_LAYER);
        let out = crate::pipeline::extract::extract_section(&class, &[&p]);
        let f = &out.fields["PaymentTerms"];
        (
            f.value.as_str().unwrap_or("").to_string(),
            f64::from(f.confidence),
        )
    }

    #[test]
    fn a_payment_method_alone_is_no_terms() {
        for (label, method) in [
            ("Forma płatności:", "Przelew"),
            ("Forma płatności:", "gotówka"),
            ("Forma de pago:", "Transferencia bancaria"),
            ("Payment terms:", "by bank transfer"),
            ("Conditions de paiement :", "Virement"),
            ("Modalità di pagamento:", "Bonifico bancario"),
            ("Betalingsbetingelser:", "Kontant"),
        ] {
            let (got, c) = terms_and_confidence(&[
                &[("Invoice 2024-001", 0.05), ("Total 120,00", 0.6)],
                &[(label, 0.05), (method, 0.3)],
            ]);
            assert_eq!((got.as_str(), c), ("", 0.0), "{label} {method}");
        }
        assert!(names_only_a_method("Modalità: Bonifico bancario"));
        assert!(names_only_a_method("Převodním příkazem"));
        assert!(names_only_a_method("Rimessa diretta"));
        for terms in [
            "przelew 14 dni",
            "Net 30",
            "Sofort ohne Abzug",
            "Due on receipt",
        ] {
            assert!(!names_only_a_method(terms), "{terms}");
        }
    }

    #[test]
    fn a_request_that_states_the_terms_in_passing_gives_its_clause() {
        for (sentence, clause) in [
            (
                "Bitte überweisen Sie den Rechnungsbetrag innerhalb von 14 Tagen auf unser unten genanntes Konto.",
                "innerhalb von 14 Tagen",
            ),
            (
                "Please transfer the amount due within 30 days net to the account given below.",
                "within 30 days net",
            ),
        ] {
            let got = terms_of(&[
                &[("Rechnung RE-26001", 0.05), ("Gesamt 120,00", 0.6)],
                &[],
                &[(sentence, 0.05)],
            ]);
            assert_eq!(got, clause);
        }
        // A sentence of terms alone stays whole.
        let got = terms_of(&[
            &[("Rechnung 2024-001", 0.05), ("Gesamt 120,00", 0.6)],
            &[],
            &[("Zahlbar innerhalb von 30 Tagen ohne Abzug.", 0.05)],
        ]);
        assert_eq!(got, "Zahlbar innerhalb von 30 Tagen ohne Abzug.");
    }

    #[test]
    fn a_qr_bills_payer_and_payee_labels_are_no_terms() {
        // A Swiss QR-bill's "Zahlbar durch" over the debtor and "Zahlbar an" over the creditor;
        // the terms are the sentence above them.
        let got = terms_and_confidence(&[
            &[
                ("Rechnung RE-26002", 0.05),
                ("Rechnungsbetrag 1'795.00", 0.6),
            ],
            &[],
            &[("Zahlbar durch", 0.05), ("Konto / Zahlbar an", 0.6)],
            &[("Example Institute", 0.05), ("Dr. Alex Muster", 0.6)],
        ]);
        assert_eq!(got, (String::new(), 0.0));
        assert!(names_a_party("zahlbar", "Zahlbar durch"));
        assert!(names_a_party("zahlbar", "an"));
        assert!(!names_a_party("zahlbar", "Zahlbar sofort"));
        assert!(!names_a_party("zahlbar", "innerhalb von 14 Tagen"));
    }

    #[test]
    fn legal_notes_and_paragraph_words_are_no_terms() {
        for lines in [
            // Danish: the label's value is the method; the note under it is about late payment.
            &[
                &[("Faktura 2024-001", 0.05), ("I alt 120,00", 0.6)][..],
                &[("Betalingsbetingelser:", 0.05), ("Kontant", 0.3)],
                &[(
                    "Ved betaling efter forfald tilskrives renter på 0,8 % pr. påbegyndt måned.",
                    0.05,
                )],
            ][..],
            // German: a wrapped line of the claims note names days and paying.
            &[
                &[("Rechnung 2024-001", 0.05), ("Gesamt 120,00", 0.6)][..],
                &[("Bei Zahlungsverzug berechnen wir Verzugszinsen über", 0.05)],
                &[(
                    "dem Basiszinssatz. Reklamationen bitte innerhalb von 8 Tagen.",
                    0.05,
                )],
            ],
            &[
                &[("Rechnung 2024-001", 0.05), ("Gesamt 120,00", 0.6)][..],
                &[(
                    "Reklamationen bitte innerhalb von 8 Tagen nach Zahlung.",
                    0.05,
                )],
            ],
            // A label word in small letters opening a wrapped paragraph line.
            &[
                &[("Faktura 2024-001", 0.05), ("I alt 120,00", 0.6)][..],
                &[("Varen forbliver sælgers ejendom, indtil fuld", 0.05)],
                &[("betaling har fundet sted inden 8 dage.", 0.05)],
            ],
        ] {
            assert_eq!(
                terms_and_confidence(lines),
                (String::new(), 0.0),
                "{lines:?}"
            );
        }
        // Terms before a late-payment sentence stay terms.
        let got = terms_of(&[
            &[("Invoice 2024-001", 0.05), ("Total 120,00", 0.6)],
            &[
                ("Payment terms:", 0.05),
                ("Net 14 days. Late payments bear interest.", 0.3),
            ],
        ]);
        assert!(got.starts_with("Net 14 days."), "{got}");
    }

    #[test]
    fn a_method_gives_way_to_the_terms_sentence_elsewhere_on_the_page() {
        for (label, method, sentence, terms) in [
            (
                "Forma płatności:",
                "Przelew",
                "Uwagi: Termin płatności: 14 dni",
                "Termin płatności: 14 dni",
            ),
            (
                "Modalità di pagamento:",
                "Bonifico bancario",
                "Pagamento entro 30 giorni dalla data di emissione.",
                "Pagamento entro 30 giorni dalla data di emissione.",
            ),
        ] {
            let (got, c) = terms_and_confidence(&[
                &[("Faktura 2024-001", 0.05), ("Razem 120,00", 0.6)],
                &[(label, 0.05), (method, 0.3)],
                &[],
                &[(sentence, 0.05)],
            ]);
            assert_eq!(got, terms, "{label}");
            assert!(c < 0.7, "{label}: {c}");
        }
        // A method with a count of days is terms, and confident.
        let (got, c) = terms_and_confidence(&[
            &[("Faktura 2024-001", 0.05), ("Razem 120,00", 0.6)],
            &[("Forma płatności:", 0.05), ("przelew 14 dni", 0.3)],
        ]);
        assert_eq!(got, "przelew 14 dni");
        assert!(c >= 0.7, "{c}");
    }

    #[test]
    fn terms_sentences_under_the_first_are_read_with_it() {
        for (first, second) in [
            (
                "Zahlbar nach Erhalt der Rechnung.",
                "Bei Zahlung innerhalb von 7 Tagen werden 2 % Skonto gewährt.",
            ),
            (
                "Payment terms: due on receipt.",
                "A 2 % discount applies to payment within 10 days.",
            ),
            (
                "Conditions de paiement : à réception.",
                "Escompte de 2 % pour paiement sous 8 jours.",
            ),
        ] {
            let got = terms_of(&[
                &[("Invoice 2024-001", 0.05), ("Total 120,00", 0.6)],
                &[(first, 0.05)],
                &[(second, 0.05)],
                &[("Thank you for your business.", 0.05)],
            ]);
            assert!(got.ends_with(second), "{first}: {got}");
            assert!(!got.contains("Thank"), "{first}: {got}");
        }
        // A sentence about something else under the terms is not read with them.
        let got = terms_of(&[
            &[("Payment terms: 30 days net.", 0.05)],
            &[("Delivery within 5 days of the order.", 0.05)],
        ]);
        assert_eq!(got, "30 days net.");
    }

    #[test]
    fn a_deadline_in_another_sentence_than_the_paying_word_is_not_the_due_date() {
        // Complaints, not payment, have the deadline: on the same line and on the next.
        for lines in [
            &[&[(
                "Zaplatit úrok z prodlení 0,05 % denně. Reklamace přijímáme do 24.10.2024.",
                0.05,
            )][..]][..],
            &[
                &[(
                    "Ved betaling efter forfald tilskrives renter. Indsigelser skal",
                    0.05,
                )][..],
                &[("ske senest 12-07-2024.", 0.05)][..],
            ],
            &[
                &[("Vid betalning efter förfallodagen debiteras ränta.", 0.05)][..],
                &[("Anmärkningar ska göras senast 2024-02-22.", 0.05)][..],
            ],
        ] {
            assert_eq!(due(lines), None, "{lines:?}");
        }
        // An abbreviation inside the paying sentence does not end it.
        let got = due(&[&[("Zahlbar z. B. bis zum 04.04.2013", 0.05)]]);
        assert_eq!(got, Some(("04.04.2013".into(), SAME_LINE)));
    }
}
