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

/// The due date the payment terms of the section's pages give, if any.
pub fn due_in_terms(views: &[PageView]) -> Option<Pick> {
    let mut found: Vec<Pick> = Vec::new();
    for (pi, view) in views.iter().enumerate() {
        let words = view.words();
        for (li, line) in view.lines.iter().enumerate() {
            let text = text_of(words, &line.words);
            for d in values::dates(&text) {
                let before = lexicon::tokens(&text[..d.start]);
                if !deadline_before(&before) {
                    continue;
                }
                let score = if before.iter().any(|t| is_pay_word(t)) {
                    SAME_LINE
                } else if li > 0
                    && lexicon::tokens(&text_of(words, &view.lines[li - 1].words))
                        .iter()
                        .any(|t| is_pay_word(t))
                {
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
}
