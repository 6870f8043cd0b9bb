//! The date of a document printed in its title line, with no date label: "Facture n°562044387
//! du 02 Juillet 2015", "Rechnung Nr. 4711 vom 01.02.2024", "Invoice 123 dated 5 March 2024".
//! A line that opens with a document title word and gives a date after a word saying "of"
//! (`date_of` in words.yaml) dates the document.

use super::generic::Pick;
use super::values;
use super::view::{PageView, title_runs};
use crate::model::BoundingBox;
use crate::pipeline::lexicon;

/// Score of such a date: no label backs it, so it stays under the review thresholds.
const TITLE_DATE: f32 = 0.6;
/// Most tokens between the line's start and the date: a title, a number and "of".
const MAX_BEFORE: usize = 6;

/// The first date a title line gives after an "of" word, on the section's pages.
pub fn in_title_line(views: &[PageView]) -> Option<Pick> {
    let of = lexicon::word_list("date_of");
    for (pi, view) in views.iter().enumerate() {
        let words = view.words();
        let lines = view.lines.iter().map(|l| l.words.as_slice());
        for run in title_runs(words, lines) {
            let (line, text) = (&view.lines[run.index], run.text);
            for d in values::dates(&text) {
                let before = lexicon::tokens(&text[..d.start]);
                if before.len() > MAX_BEFORE || !before.last().is_some_and(|t| of.contains(t)) {
                    continue;
                }
                let idx = super::view::words_in(words, &line.words, &d);
                let bbox = BoundingBox::enclosing(idx.iter().map(|&i| &words[i].bbox))
                    .unwrap_or(line.bbox);
                return Some(Pick {
                    text: text[d].trim().to_string(),
                    score: TITLE_DATE,
                    page: pi,
                    words: idx,
                    bbox,
                    label: None,
                    reason: "a date after \"of\" in the document's title line (no label)".into(),
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::extract::fixtures::{TEXT_LAYER, page};

    fn date(line: &str) -> Option<String> {
        let p = page(&[&[("Free Service", 0.05)], &[(line, 0.05)]], &TEXT_LAYER);
        in_title_line(&[PageView::new(&p)]).map(|p| p.text)
    }

    #[test]
    fn a_title_line_dates_the_document_in_several_languages() {
        for (line, d) in [
            ("Facture n°562044387 du 02 Juillet 2015", "02 Juillet 2015"),
            ("Rechnung Nr. 4711 vom 01.02.2024", "01.02.2024"),
            ("Invoice 123 dated 5 March 2024", "5 March 2024"),
            ("Factura 0001-00000042 del 05/03/2024", "05/03/2024"),
        ] {
            assert_eq!(date(line).as_deref(), Some(d), "{line}");
        }
    }

    #[test]
    fn no_date_without_a_title_or_an_of_word() {
        for line in [
            "Date limite de paiement le 05 Juillet 2015",
            "Lieferung vom 01.02.2024",
            "Rechnung Nr. 4711 fällig 01.02.2024",
        ] {
            assert_eq!(date(line), None, "{line}");
        }
    }
}
