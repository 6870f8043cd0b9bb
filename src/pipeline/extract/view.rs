//! A page prepared for extraction: words, lines and segments computed once and shared by every
//! field of the section.

use std::sync::OnceLock;

use super::tax_table::TaxTable;
use crate::model::{PageContent, Word};
use crate::pipeline::layout::{self, Line, Segment};

pub struct PageView<'a> {
    pub page: &'a PageContent,
    pub lines: Vec<Line>,
    pub segments: Vec<Segment>,
    /// On a section's first view: the per-rate tax table of the section's pages, found once
    /// for every amount field (see [`super::tax_table::of_section`]).
    pub(super) section_tax_table: OnceLock<Option<TaxTable>>,
}

impl<'a> PageView<'a> {
    pub fn new(page: &'a PageContent) -> Self {
        let lines = layout::lines(&page.words);
        // A gap of one character height separates a label from the next column.
        let segments = layout::segments(&page.words, &lines, 1.0);
        Self {
            page,
            lines,
            segments,
            section_tax_table: OnceLock::new(),
        }
    }

    pub fn words(&self) -> &'a [Word] {
        &self.page.words
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
