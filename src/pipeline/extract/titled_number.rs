//! The number of a document printed only in its title: "Faktura FV2024-0510", "RECHNUNG
//! R2400945", "Invoice #1036", "FAKTURA VAT FV/2026/01/001". A run of words that opens with a
//! title of the field's own document type (`invoice_number` → an `invoice` title of
//! documents.yaml) and gives an identifier right after it, at most a number mark between
//! (`number_mark` in words.yaml: "Nr.", "#", "č."), numbers the document. No label backs it, so
//! the value stays under the review thresholds and any labelled number wins over it.

use super::candidates;
use super::generic::{Pick, text_of};
use super::labels::LabelHit;
use super::values;
use super::view::{PageView, title_runs};
use crate::model::BoundingBox;
use crate::pipeline::layout::Segment;
use crate::pipeline::lexicon;

/// Score of such a number: under the review thresholds, below every labelled number.
const TITLE_NUMBER: f32 = 0.6;
/// Score of a number alone under an unmarked title: less sure still.
const UNDER_TITLE_NUMBER: f32 = 0.55;
/// Fewest digits a title's number has: "Faktura 1/2" counts pages, "Invoice 12" is too
/// short to tell from one.
const MIN_DIGITS: usize = 3;
/// How far right of a marked title its number may stand, in page width.
const MAX_BESIDE: f32 = 0.3;
/// How far right of an unmarked title: the next cell, not another column.
const MAX_UNMARKED_BESIDE: f32 = 0.1;

/// The document type whose title numbers a field of `concept` ("invoice_number" → "invoice"),
/// when documents.yaml knows it.
fn titled_type(concept: &str) -> Option<&str> {
    let doc = concept.strip_suffix("_number")?;
    lexicon::documents().get(doc).map(|_| doc)
}

/// The first number a title of the field's document type gives, on the section's pages.
pub fn in_title_line(views: &[PageView], concept: &str) -> Option<Pick> {
    let doc = titled_type(concept)?;
    let marks = lexicon::word_list("number_mark");
    for (pi, view) in views.iter().enumerate() {
        let words = view.words();
        let segs = view.segments.iter().map(|s| s.words.as_slice());
        for run in title_runs(words, segs) {
            let Some(title) = run.title_len(doc) else {
                continue;
            };
            let (seg, text, toks) = (&view.segments[run.index], run.text, run.tokens);
            let found = values::identifiers(&text).into_iter().find(|id| {
                let before = lexicon::tokens(&text[..id.range.start]);
                before.len() >= title
                    && before[title..].iter().all(|t| marks.contains(t))
                    && before.len() <= title + 1
            });
            let (value, idx, reason, score) = match found {
                Some(id) => (
                    text[id.range.clone()].trim().to_string(),
                    super::view::words_in(words, &seg.words, &id.range),
                    "a number right after the document's title (no label)",
                    TITLE_NUMBER,
                ),
                None => match marked_cell(view, seg, &text, &toks[title..]) {
                    Some((value, idx, true)) => (
                        value,
                        idx,
                        "a number beside or under the document's title and a number mark (no label)",
                        TITLE_NUMBER,
                    ),
                    Some((value, idx, false)) => (
                        value,
                        idx,
                        "a number alone beside or under the document's title (no label, no number mark)",
                        UNDER_TITLE_NUMBER,
                    ),
                    None => continue,
                },
            };
            if value.chars().filter(char::is_ascii_digit).count() < MIN_DIGITS || is_year(&value) {
                continue;
            }
            let bbox =
                BoundingBox::enclosing(idx.iter().map(|&i| &words[i].bbox)).unwrap_or(seg.bbox);
            return Some(Pick {
                text: value,
                score,
                page: pi,
                words: idx,
                bbox,
                label: None,
                reason: reason.into(),
            });
        }
    }
    None
}

/// "Invoice #:   F74679", "Invoice #" over "68527": a title word with a number mark and
/// nothing else is the number's label; the number is the next cell on its line or the cell
/// under it, when that cell is one identifier and nothing more. A title alone in its cell
/// ("FACTURA ELECTRÓNICA" over "F001-00000001", the box of a Peruvian e-invoice; "RECHNUNG"
/// a column gap before "INV-2024-001") numbers the cell beside or under it only when that
/// number is composed. Whether a mark was printed comes back with the value.
fn marked_cell(
    view: &PageView,
    seg: &Segment,
    text: &str,
    after_title: &[String],
) -> Option<(String, Vec<usize>, bool)> {
    let marks = lexicon::word_list("number_mark");
    // "#" and "°" are no tokens: the mark is the text's own.
    let marked = text.contains(['#', '°', 'º']) || !after_title.is_empty();
    if after_title.len() > 1 || !after_title.iter().all(|t| marks.contains(t)) {
        return None;
    }
    let words = view.words();
    let beside = view
        .segments_on(seg.line)
        .iter()
        .filter(|s| s.bbox.left >= seg.bbox.right())
        // Unmarked, the number stands close by ("RECHNUNG   INV-2024-001"); a cell across
        // the page is another column's.
        .filter(|s| {
            s.bbox.left - seg.bbox.right()
                <= if marked {
                    MAX_BESIDE
                } else {
                    MAX_UNMARKED_BESIDE
                }
        })
        .min_by(|a, b| a.bbox.left.total_cmp(&b.bbox.left))
        .map(|s| (s.words.clone(), text_of(words, &s.words)));
    let hit = LabelHit {
        line: seg.line,
        first_word: *seg.words.first()?,
        last_word: *seg.words.last()?,
        bbox: seg.bbox,
        score: 1.0,
    };
    let under = candidates::below(words, &view.lines, &view.segments, &hit, None)
        .into_iter()
        .next()
        .filter(|c| c.rank == 1)
        .map(|c| (c.words, c.text));
    // "Ref." | ":IN1710-00000", two cells of the line under the title: the rest of that line
    // from the cell on, for a reference mark to number.
    // "Ref." | ":IN1710-00000", two cells of the line under the title: the cell under it and
    // the reference mark just left of it, for the mark to number.
    let under_line = under.as_ref().and_then(|(idx, _)| {
        let first = *idx.first()?;
        let cell = view.segments.iter().find(|s| s.words.contains(&first))?;
        let mark = view
            .segments_on(cell.line)
            .iter()
            .filter(|s| s.bbox.right() <= cell.bbox.left)
            .max_by(|a, b| a.bbox.left.total_cmp(&b.bbox.left))
            .filter(|s| cell.bbox.left - s.bbox.right() <= MAX_UNMARKED_BESIDE)?;
        let both: Vec<usize> = mark.words.iter().chain(&cell.words).copied().collect();
        Some((both.clone(), text_of(words, &both)))
    });
    [beside, under, under_line]
        .into_iter()
        .flatten()
        .find_map(|(idx, cell)| {
            let cell = cell.trim();
            let ids = values::identifiers(cell);
            // Unmarked, only a composed number ("F001-00000001", "INV-2024-001"): a bare one
            // under a heading may be a street's or an account's.
            let composed = cell.chars().any(char::is_alphabetic)
                || cell.chars().any(|c| matches!(c, '-' | '/'));
            if ids.len() == 1 && ids[0].range == (0..cell.len()) && (marked || composed) {
                return Some((cell.to_string(), idx, marked));
            }
            referenced(words, &idx, cell, &ids)
        })
}

/// "Ref. : IN1710-00000" in the cell beside or under a bare title: a reference mark (and at
/// most a number mark) before one identifier that ends the cell. "Your ref" or "Customer ref"
/// print someone else's reference, so any other word before the number rules the cell out.
fn referenced(
    words: &[crate::model::Word],
    idx: &[usize],
    cell: &str,
    ids: &[values::Span],
) -> Option<(String, Vec<usize>, bool)> {
    let [id] = ids else { return None };
    if id.range.end != cell.len() {
        return None;
    }
    let before = lexicon::tokens(&cell[..id.range.start]);
    let refs = lexicon::word_list("reference_mark");
    let marks = lexicon::word_list("number_mark");
    let marked = before.first().is_some_and(|t| refs.contains(t))
        && before[1..].iter().all(|t| marks.contains(t));
    marked.then(|| {
        let value = cell[id.range.clone()].trim().to_string();
        (value, super::view::words_in(words, idx, &id.range), true)
    })
}

/// "Rechnung 2024": a year after a title is no number of the document.
fn is_year(value: &str) -> bool {
    value.len() == 4 && (value.starts_with("19") || value.starts_with("20"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::extract::fixtures::{TEXT_LAYER, page};

    fn number(line: &[(&str, f32)]) -> Option<String> {
        let p = page(&[&[("Free Service", 0.05)], line], &TEXT_LAYER);
        in_title_line(&[PageView::new(&p)], "invoice_number").map(|p| p.text)
    }

    #[test]
    fn a_title_numbers_the_document_in_several_languages() {
        for (line, n) in [
            ("Faktura FV2024-0510", "FV2024-0510"),
            ("RECHNUNG R2400945", "R2400945"),
            ("Invoice #1036", "1036"),
            ("FAKTURA VAT FV/2026/01/001", "FV/2026/01/001"),
            ("Fattura 706/2024", "706/2024"),
            ("Faktura č. 202400879", "202400879"),
            ("Facture n° F2401808 du 02 Juillet 2015", "F2401808"),
        ] {
            assert_eq!(number(&[(line, 0.3)]).as_deref(), Some(n), "{line}");
        }
    }

    #[test]
    fn no_number_from_other_words_dates_amounts_or_other_titles() {
        for line in [
            "Invoice date 12.03.2024",
            "Rechnung vom 01.02.2024",
            "Invoice total 1.234,00",
            "Faktura 1/2",
            "Rechnung 2024",
            "Please quote invoice 10045 with your payment",
            "Receipt 104577",
            "Lieferschein LS-20410",
        ] {
            assert_eq!(number(&[(line, 0.3)]), None, "{line}");
        }
        // The title must open its run of words: not a reference after another label.
        assert_eq!(
            number(&[("Verwendungszweck: Invoice INV-2024-001", 0.05)]),
            None
        );
        // Only fields that number a document type of the lexicon read titles.
        let p = page(&[&[("Invoice 100450", 0.05)]], &TEXT_LAYER);
        assert!(in_title_line(&[PageView::new(&p)], "po_number").is_none());
        assert!(in_title_line(&[PageView::new(&p)], "invoice_date").is_none());
    }

    #[test]
    fn a_title_with_a_number_mark_labels_the_cell_beside_or_under_it() {
        let beside = [("Invoice #:", 0.5), ("F74679", 0.7)];
        assert_eq!(number(&beside).as_deref(), Some("F74679"));
        let beside = [("Rechnung Nr.:", 0.5), ("R2400945", 0.7)];
        assert_eq!(number(&beside).as_deref(), Some("R2400945"));
        for (head, n) in [("Invoice #", "68527"), ("Faktura nr", "2024-0819")] {
            let p = page(
                &[&[("Invoice", 0.05), (head, 0.6)], &[(n, 0.6)]],
                &TEXT_LAYER,
            );
            let got = in_title_line(&[PageView::new(&p)], "invoice_number").map(|p| p.text);
            assert_eq!(got.as_deref(), Some(n), "{head}");
        }
        // A bare heading labels nothing: "INVOICE" over a street number, a title over a date.
        let p = page(&[&[("INVOICE", 0.6)], &[("10045", 0.6)]], &TEXT_LAYER);
        assert!(in_title_line(&[PageView::new(&p)], "invoice_number").is_none());
        let p = page(
            &[&[("Invoice #", 0.6)], &[("12.03.2024", 0.6)]],
            &TEXT_LAYER,
        );
        assert!(in_title_line(&[PageView::new(&p)], "invoice_number").is_none());
        let p = page(
            &[&[("Invoice #", 0.6)], &[("Total 1.234,00", 0.6)]],
            &TEXT_LAYER,
        );
        assert!(in_title_line(&[PageView::new(&p)], "invoice_number").is_none());
    }

    #[test]
    fn a_title_alone_numbers_a_composed_number_under_it() {
        for (title, n) in [
            ("FACTURA ELECTRÓNICA", "F001-00000001"),
            ("RECHNUNG", "RE-2026/0815"),
            ("FAKTURA", "FV/12/2026"),
        ] {
            let p = page(
                &[
                    &[("Empresa Demo S.A.C.", 0.05), (title, 0.6)],
                    &[],
                    &[(n, 0.6)],
                ],
                &TEXT_LAYER,
            );
            let pick = in_title_line(&[PageView::new(&p)], "invoice_number");
            let pick = pick.unwrap_or_else(|| panic!("{title}"));
            assert_eq!(pick.text, n);
            assert!(pick.score < TITLE_NUMBER, "{pick:?}");
        }
        // Not a date, an amount, a bare number or a cell beside the title.
        for under in ["2024-03-12", "1.234,00", "10045"] {
            let p = page(&[&[("INVOICE", 0.6)], &[(under, 0.6)]], &TEXT_LAYER);
            let got = in_title_line(&[PageView::new(&p)], "invoice_number");
            assert!(got.is_none(), "{under}: {got:?}");
        }
        let p = page(&[&[("INVOICE", 0.3), ("A-100", 0.6)]], &TEXT_LAYER);
        assert!(in_title_line(&[PageView::new(&p)], "invoice_number").is_none());
        // The next cell, close by, when composed.
        let p = page(&[&[("RECHNUNG", 0.3), ("inv-2024-001", 0.42)]], &TEXT_LAYER);
        let pick = in_title_line(&[PageView::new(&p)], "invoice_number").unwrap();
        assert_eq!(pick.text, "inv-2024-001");
        assert!(pick.score < TITLE_NUMBER);
    }

    #[test]
    fn a_reference_mark_under_a_bare_title_numbers_the_document() {
        for (under, n) in [
            ("Ref. : IN1710-00000", "IN1710-00000"),
            ("Réf. F-2024-18", "F-2024-18"),
            ("Reference No. 100452", "100452"),
        ] {
            let p = page(&[&[("Invoice", 0.7)], &[(under, 0.7)]], &TEXT_LAYER);
            let pick = in_title_line(&[PageView::new(&p)], "invoice_number");
            let pick = pick.unwrap_or_else(|| panic!("{under}"));
            assert_eq!(pick.text, n, "{under}");
            assert_eq!(pick.score, TITLE_NUMBER);
        }
        // The mark and the number in two cells of the line under the title.
        let p = page(
            &[
                &[("Invoice", 0.8)],
                &[("Ref.", 0.75), (":IN1710-00000", 0.8)],
            ],
            &TEXT_LAYER,
        );
        let pick = in_title_line(&[PageView::new(&p)], "invoice_number");
        assert_eq!(pick.map(|p| p.text).as_deref(), Some("IN1710-00000"));
        // Someone else's reference, or more after the number: not the document's.
        for under in [
            "Your ref: PO-4411",
            "Customer Ref. 100452",
            "Ref. 100452 of 12.03.2024",
        ] {
            let p = page(&[&[("Invoice", 0.7)], &[(under, 0.7)]], &TEXT_LAYER);
            let got = in_title_line(&[PageView::new(&p)], "invoice_number");
            assert!(got.is_none(), "{under}: {got:?}");
        }
    }

    #[test]
    fn the_number_stays_under_review() {
        let p = page(&[&[("Rechnung R2400945", 0.3)]], &TEXT_LAYER);
        let pick = in_title_line(&[PageView::new(&p)], "invoice_number").unwrap();
        assert!(pick.score < 0.7 && pick.label.is_none());
    }
}
