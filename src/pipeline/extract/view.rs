//! A page prepared for extraction: words, lines and segments computed once and shared by every
//! field of the section.

use std::sync::OnceLock;

use super::roles::FooterIssuer;
use super::tax_table::TaxTable;
use crate::model::{PageContent, Word};
use crate::pipeline::layout::{self, Line, Segment};
use crate::pipeline::lexicon;

pub struct PageView<'a> {
    pub page: &'a PageContent,
    pub lines: Vec<Line>,
    pub segments: Vec<Segment>,
    /// Word index → index of the first line holding it, so a pick's line is found without
    /// scanning every line's words.
    line_of_word: Vec<Option<usize>>,
    /// Word index → index of the first segment holding it.
    segment_of_word: Vec<Option<usize>>,
    /// On a section's first view: the per-rate tax table of the section's pages, found once
    /// for every amount field (see [`super::tax_table::of_section`]).
    pub(super) section_tax_table: OnceLock<Option<TaxTable>>,
    /// On a section's first view: the issuer a footer names, found once for the vendor's name
    /// and address (see `roles::footer`).
    pub(super) section_footer_issuer: OnceLock<Option<FooterIssuer>>,
}

impl<'a> PageView<'a> {
    pub fn new(page: &'a PageContent) -> Self {
        let lines = layout::lines(&page.words);
        // A gap of one character height separates a label from the next column.
        let segments = layout::segments(&page.words, &lines, 1.0);
        let line_of_word = first_holder(page.words.len(), lines.iter().map(|l| &l.words));
        let segment_of_word = first_holder(page.words.len(), segments.iter().map(|s| &s.words));
        Self {
            page,
            lines,
            segments,
            line_of_word,
            segment_of_word,
            section_tax_table: OnceLock::new(),
            section_footer_issuer: OnceLock::new(),
        }
    }

    /// The segments of one line, left to right.
    pub fn segments_on(&self, line: usize) -> &[Segment] {
        layout::on_line(&self.segments, line)
    }

    pub fn words(&self) -> &'a [Word] {
        &self.page.words
    }

    /// The index of the line that holds a word.
    pub fn line_of(&self, word: usize) -> Option<usize> {
        self.line_of_word.get(word).copied().flatten()
    }

    /// The segment that holds a word.
    pub fn segment_of(&self, word: usize) -> Option<&Segment> {
        let si = self.segment_of_word.get(word).copied().flatten()?;
        self.segments.get(si)
    }

    /// Mean OCR confidence of some words (1.0 for text-layer words).
    pub fn confidence_of(&self, idx: &[usize]) -> f32 {
        if idx.is_empty() {
            return 0.0;
        }
        idx.iter()
            .map(|&i| self.page.words[i].confidence)
            .sum::<f32>()
            / idx.len() as f32
    }

    pub fn approximate(&self, idx: &[usize]) -> bool {
        idx.iter().any(|&i| self.page.words[i].approximate)
    }
}

/// A line or segment that opens with a document type's title ("Rechnung Nr. 4711 vom …").
pub struct TitleRun {
    /// Index of the run among the groups it was found in.
    pub index: usize,
    pub text: String,
    pub tokens: Vec<String>,
    /// Each type titled at the run's start (a key of documents.yaml) with its longest title's
    /// length in tokens.
    pub titles: Vec<(&'static str, usize)>,
}

impl TitleRun {
    /// Tokens of the longest title of type `doc` at the run's start.
    pub fn title_len(&self, doc: &str) -> Option<usize> {
        self.titles.iter().find(|(k, _)| *k == doc).map(|&(_, n)| n)
    }
}

/// The runs among `groups` (a view's lines or segments) that open with a title of
/// documents.yaml, in order: the one pass the fields read from a title share.
pub fn title_runs<'g>(
    words: &'g [Word],
    groups: impl IntoIterator<Item = &'g [usize]> + 'g,
) -> impl Iterator<Item = TitleRun> + 'g {
    groups.into_iter().enumerate().filter_map(|(index, idx)| {
        let text = idx
            .iter()
            .map(|&i| words[i].text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let tokens = lexicon::tokens(&text);
        let mut titles: Vec<(&'static str, usize)> = Vec::new();
        for m in lexicon::documents()
            .find(&tokens)
            .into_iter()
            .filter(|m| m.start == 0)
        {
            match titles.iter_mut().find(|(k, _)| *k == m.concept.key) {
                Some(t) => t.1 = t.1.max(m.len),
                None => titles.push((m.concept.key.as_str(), m.len)),
            }
        }
        (!titles.is_empty()).then_some(TitleRun {
            index,
            text,
            tokens,
            titles,
        })
    })
}

/// For each of `n` words, the index of the first group (line or segment) that holds it.
fn first_holder<'g>(n: usize, groups: impl Iterator<Item = &'g Vec<usize>>) -> Vec<Option<usize>> {
    let mut of = vec![None; n];
    for (gi, g) in groups.enumerate() {
        for &w in g {
            if let Some(slot @ None) = of.get_mut(w) {
                *slot = Some(gi);
            }
        }
    }
    of
}

/// The words of a line that a byte range of its text covers, the text being the words joined
/// by single spaces (as [`super::generic::text_of`] joins them).
pub fn words_in(words: &[Word], line: &[usize], r: &std::ops::Range<usize>) -> Vec<usize> {
    let mut pos = 0;
    let mut out = Vec::new();
    for &wi in line {
        let end = pos + words[wi].text.len();
        if pos < r.end && end > r.start {
            out.push(wi);
        }
        pos = end + 1;
    }
    out
}

/// A strong amount (two decimals or a currency) printed among some words of a line.
#[derive(Debug, Clone)]
pub struct LineAmount {
    /// Its text, trimmed.
    pub text: String,
    /// Its value, when it parses.
    pub value: Option<f64>,
    /// The words it was read from.
    pub words: Vec<usize>,
}

/// The strong amounts of some words of a line (a whole line, or the part after a label), in
/// reading order: what tax and subtotal readers check sums on, where a weak number (a count, a
/// year) would only mislead.
pub fn strong_amounts(words: &[Word], idx: &[usize]) -> Vec<LineAmount> {
    let text = super::generic::text_of(words, idx);
    super::values::amounts(&text)
        .into_iter()
        .filter(|s| s.strength >= 0.9)
        .map(|s| {
            let t = text[s.range.clone()].trim().to_string();
            LineAmount {
                value: crate::numbers::parse(&t),
                words: words_in(words, idx, &s.range),
                text: t,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::extract::fixtures::{TEXT_LAYER, page};

    #[test]
    fn finds_the_line_and_segment_of_each_word() {
        let p = page(
            &[
                &[("Rechnung Nr 12", 0.05), ("Datum 01.02.2026", 0.6)],
                &[("Total TTC", 0.05), ("120,00", 0.8)],
            ],
            &TEXT_LAYER,
        );
        let view = PageView::new(&p);
        for (li, line) in view.lines.iter().enumerate() {
            for &w in &line.words {
                assert_eq!(view.line_of(w), Some(li));
                let seg = view.segment_of(w).expect("every word is in a segment");
                assert!(seg.words.contains(&w));
                assert_eq!(seg.line, li);
            }
        }
        let last = p.words.len() - 1;
        assert_eq!(
            view.segment_of(last).map(|s| s.text.as_str()),
            Some("120,00")
        );
        assert_eq!(view.line_of(p.words.len()), None);
        assert!(view.segment_of(p.words.len()).is_none());
    }
}
