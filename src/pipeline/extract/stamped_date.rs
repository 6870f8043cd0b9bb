//! The date a till prints with no label: "05/24/2022 1:10 PM", "14.03.2024 18:42:07". A
//! receipt's transaction is stamped with its date and time; with no date label on the page,
//! the first date printed beside a time of day is the transaction's, and a page that prints
//! one date only (however often) was stamped with it. No label backs either, so the value stays
//! under the review thresholds.

use std::sync::LazyLock;

use regex::Regex;

use super::generic::{Pick, text_of};
use super::values;
use super::view::{PageView, words_in};
use crate::model::BoundingBox;
use crate::pipeline::layout::Line;

/// Score of a date stamped with its time: a till's habit, not a label.
const WITH_TIME: f32 = 0.55;
/// Score of the one date a page prints: less sure still.
const ONLY_DATE: f32 = 0.5;

/// A time of day: "1:10 PM", "18:42", "18:42:07", "9.05 Uhr" is left out (a decimal reads so).
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:^|[^\d:.,/])([01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:\s?[ap]\.?m\.?)?(?:$|[^\d:])",
    )
    .unwrap()
});

/// The transaction's date on the section's pages: the first date with a time on its line,
/// else the page's one date.
pub fn on_till(views: &[PageView]) -> Option<Pick> {
    for (pi, view) in views.iter().enumerate() {
        let words = view.words();
        for line in &view.lines {
            let text = text_of(words, &line.words);
            for d in values::dates(&text) {
                let rest = format!("{} {}", &text[..d.start], &text[d.end..]);
                if TIME.is_match(&rest) {
                    return Some(date_pick(
                        view,
                        pi,
                        line,
                        &text,
                        d,
                        WITH_TIME,
                        "the date printed with a time of day (a till's stamp, no label)",
                    ));
                }
            }
        }
    }
    only_date(views, ONLY_DATE, "the only date the page prints (no label)")
}

/// A letter's date with no label: the one date the section prints ("Evil Corp." … "Setembro,
/// 23, 2016" at the head of a bill), when it stands in the top fifth of the first page, where a
/// letter is dated. Less sure than a till's stamp: the head of a page may date something else.
pub fn at_letter_head(views: &[PageView]) -> Option<Pick> {
    only_date(
        views,
        LETTER_HEAD,
        "the only date the document prints, at the head of its first page (no label)",
    )
    .filter(|p| p.page == 0 && p.bbox.top < 0.2)
}

/// Score of a letter's one date at its head.
const LETTER_HEAD: f32 = 0.45;

/// The one date the section prints, however often; none when it prints two.
fn only_date(views: &[PageView], score: f32, reason: &str) -> Option<Pick> {
    let mut only: Option<Pick> = None;
    for (pi, view) in views.iter().enumerate() {
        let words = view.words();
        for line in &view.lines {
            let text = text_of(words, &line.words);
            for d in values::dates(&text) {
                match &only {
                    Some(p) if p.text != text[d.clone()].trim() => return None,
                    Some(_) => {}
                    None => {
                        only = Some(date_pick(view, pi, line, &text, d, score, reason));
                    }
                }
            }
        }
    }
    only
}

/// The date at `d` of a line's text as a pick.
fn date_pick(
    view: &PageView,
    page: usize,
    line: &Line,
    text: &str,
    d: std::ops::Range<usize>,
    score: f32,
    reason: &str,
) -> Pick {
    let words = view.words();
    let idx = words_in(words, &line.words, &d);
    let bbox = BoundingBox::enclosing(idx.iter().map(|&i| &words[i].bbox)).unwrap_or(line.bbox);
    Pick {
        text: text[d].trim().to_string(),
        score,
        page,
        words: idx,
        bbox,
        label: None,
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::extract::fixtures::{TEXT_LAYER, page};

    fn date(lines: &[&str]) -> Option<(String, f32)> {
        let rows: Vec<Vec<(&str, f32)>> = lines.iter().map(|l| vec![(*l, 0.05)]).collect();
        let rows: Vec<&[(&str, f32)]> = rows.iter().map(Vec::as_slice).collect();
        let p = page(&rows, &TEXT_LAYER);
        on_till(&[PageView::new(&p)]).map(|p| (p.text, p.score))
    }

    #[test]
    fn a_date_stamped_with_its_time_is_the_transactions() {
        for (line, d) in [
            ("05/24/2022 1:10 PM", "05/24/2022"),
            ("14.03.2024 18:42:07 Kasse 2", "14.03.2024"),
            ("Le 12/01/2023 à 09:15", "12/01/2023"),
            ("18:42 14-03-2024 Bon 1234", "14-03-2024"),
        ] {
            let got = date(&["SUPERMARKT NORD", "Milch 1,29", line, "SUMME 1,29"]);
            assert_eq!(got, Some((d.to_string(), WITH_TIME)), "{line}");
        }
    }

    #[test]
    fn a_page_with_one_date_was_stamped_with_it_and_one_with_several_is_not() {
        let one = date(&[
            "SUPERMARKT NORD",
            "Datum 14.03.2024",
            "SUMME 1,29",
            "14.03.2024",
        ]);
        assert_eq!(one, Some(("14.03.2024".to_string(), ONLY_DATE)));
        let two = date(&["SUPERMARKT NORD", "14.03.2024", "Gültig bis 30.04.2024"]);
        assert_eq!(two, None);
        // An amount with decimals is no time.
        assert_eq!(date(&["12.03.2024 Total 12.50", "13.03.2024"]), None);
    }
}
