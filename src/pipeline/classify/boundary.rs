//! Where one document ends and the next begins inside a run of pages of one class: two invoices
//! scanned into one PDF are two sections, as the accelerator's `split_document.page_indices`
//! would have them, not one.
//!
//! A page of the same class as the page before it starts a new document when
//! - it prints "page 1 of N" (in any of the lexicon's languages) right after a page that
//!   printed its last page number ("page 3 of 3"), or
//! - it is titled as its class and, in its top part, a number label ("Invoice No", "Beleg-Nr.",
//!   "PO number"…) carries an identifier that neither the page before nor the first page of the
//!   current document prints anywhere: a fresh invoice number, not the same one repeated in a
//!   running header.
//!
//! A page that prints "page k of N" with k > 1 always continues; a header that prints "page 1
//! of 5" on every page (it happens) says nothing either way. Nothing else (a changed
//! letterhead, a new date) splits on its own: a false split halves a document's fields, a missed
//! one merges two, and the second costs less when the first page's fields win.

use std::sync::LazyLock;

use regex::Regex;

use super::page_view::PageView;
use super::score::Index;
use super::{PageClass, UNCLASSIFIED};
use crate::model::PageContent;
use crate::pipeline::config::ClassConfig;
use crate::pipeline::extract::values;
use crate::pipeline::layout;
use crate::pipeline::lexicon;

/// Share of the page (from the top) where a document prints its own number.
const TOP_PART: f32 = 0.4;

/// "Page 2 of 3", "Seite 1 von 2", "página 1 de 4", "pagina 1 di 2", "blad 1 van 2", "1/3".
static PAGE_OF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:page|seite|p[aá]gina|pag|blad|folha|feuille|bl)\.?\s*(\d{1,3})\s*(?:of|von|de|di|van|sur|/)\s*(\d{1,3})\b",
    )
    .expect("valid regex")
});

/// The page number a page prints of itself and the count it gives ("page 2 of 3" → (2, 3)).
pub fn printed_page_number(text: &str) -> Option<(u32, u32)> {
    let c = PAGE_OF.captures(text)?;
    let k: u32 = c[1].parse().ok()?;
    let n: u32 = c[2].parse().ok()?;
    (k >= 1 && k <= n).then_some((k, n))
}

/// Identifiers a page states under a number label in its top part ("Invoice No: F-2024-017").
pub fn labelled_identifiers(page: &PageContent) -> Vec<String> {
    let words = &page.words;
    let lines = layout::lines(words);
    let lex = lexicon::labels();
    let mut out: Vec<String> = Vec::new();
    let mut after_label = false;
    for line in lines.iter().filter(|l| l.bbox.top < TOP_PART) {
        let text: Vec<&str> = line.words.iter().map(|&i| words[i].text.as_str()).collect();
        let text = text.join(" ");
        let toks = lexicon::tokens(&text);
        let labelled = lex.find(&toks).iter().any(|m| {
            let k = m.concept.key.as_str();
            k.ends_with("_number") && k != "account_number" && k != "customer_number"
        });
        // A label above its value (a row of cells) gives the value to the next line.
        if labelled || after_label {
            for s in values::identifiers(&text) {
                if s.strength >= 1.0 {
                    let id = text[s.range].to_string();
                    if !out.contains(&id) {
                        out.push(id);
                    }
                }
            }
        }
        after_label = labelled;
    }
    out
}

pub(super) fn all_text(page: &PageContent) -> String {
    if page.words.is_empty() {
        return page.text.clone();
    }
    let mut s: String = page
        .words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    s.push('\n');
    s.push_str(&page.text);
    s
}

/// For each page, whether a new document starts on it (the first page always does; a page of
/// another class than the one before it does too).
pub fn starts(config: &ClassConfig, pages: &[PageContent], verdicts: &[PageClass]) -> Vec<bool> {
    let index = Index::shared(config);
    let mut out = Vec::with_capacity(verdicts.len());
    let mut first_of_doc = 0usize;
    for (i, v) in verdicts.iter().enumerate() {
        let start = match i.checked_sub(1).map(|p| &verdicts[p]) {
            None => true,
            Some(prev) if prev.class != v.class || v.class == UNCLASSIFIED => true,
            Some(_) => match (pages.get(i), pages.get(i - 1), pages.get(first_of_doc)) {
                (Some(page), Some(prev), Some(first)) => {
                    new_document(config, &index, &v.class, page, &[prev, first])
                }
                _ => false,
            },
        };
        if start {
            first_of_doc = i;
        }
        out.push(start);
    }
    out
}

fn new_document(
    config: &ClassConfig,
    index: &Index,
    class: &str,
    page: &PageContent,
    before: &[&PageContent],
) -> bool {
    let text = all_text(page);
    let prev_marker = before
        .first()
        .and_then(|p| printed_page_number(&all_text(p)));
    match (printed_page_number(&text), prev_marker) {
        (Some((1, _)), Some((k, n))) if k == n => return true,
        (Some((k, _)), _) if k > 1 => return false,
        _ => {}
    }
    let Some(ci) = config.classes.iter().position(|c| c.name == class) else {
        return false;
    };
    let titled = index.score(&PageView::of(page)).classes[ci].title > 0.0;
    if !titled {
        return false;
    }
    let seen: Vec<String> = before.iter().map(|p| all_text(p)).collect();
    labelled_identifiers(page)
        .iter()
        .any(|id| !seen.iter().any(|t| t.contains(id.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_in_several_languages() {
        assert_eq!(printed_page_number("Page 2 of 3"), Some((2, 3)));
        assert_eq!(printed_page_number("Seite 1 von 2"), Some((1, 2)));
        assert_eq!(printed_page_number("página 1 de 4"), Some((1, 4)));
        assert_eq!(printed_page_number("Pagina 3 di 3"), Some((3, 3)));
        assert_eq!(printed_page_number("blad 1 van 2"), Some((1, 2)));
        assert_eq!(printed_page_number("Page 1/2"), Some((1, 2)));
        assert_eq!(printed_page_number("Page 4 of 3"), None);
        assert_eq!(printed_page_number("Total 1 of 3 items"), None);
    }
}
