//! Synthetic pages for the extraction tests: lines of (text, left) pieces laid out as words,
//! with the spacing and the text source of either an OCR'd scan or a text layer. One builder,
//! so the unit tests of [`super::field`] and [`super::generic`] read pages built the same way.

use crate::model::{BoundingBox, PageContent, TextSource, Word};

/// How a fixture page sets its words: line pitch, glyph width, word gap, word height, and
/// where the words come from (with their confidence).
pub struct Layout {
    pub line_pitch: f32,
    pub char_width: f32,
    pub word_gap: f32,
    pub word_height: f32,
    pub confidence: f32,
    pub source: TextSource,
}

/// A scanned page: larger type, OCR words at 96%.
pub const SCAN: Layout = Layout {
    line_pitch: 0.03,
    char_width: 0.012,
    word_gap: 0.008,
    word_height: 0.015,
    confidence: 0.96,
    source: TextSource::Ocr,
};

/// A text-layer page: smaller type, words at 99%.
pub const TEXT_LAYER: Layout = Layout {
    line_pitch: 0.025,
    char_width: 0.008,
    word_gap: 0.005,
    word_height: 0.012,
    confidence: 0.99,
    source: TextSource::TextLayer,
};

/// A page from lines of (text, left) pieces; each piece's words set at the layout's spacing.
pub fn page(lines: &[&[(&str, f32)]], layout: &Layout) -> PageContent {
    let mut words = Vec::new();
    for (row, line) in lines.iter().enumerate() {
        let top = 0.05 + row as f32 * layout.line_pitch;
        for (text, left) in line.iter() {
            let mut x = *left;
            for w in text.split(' ') {
                let width = layout.char_width * w.chars().count() as f32;
                words.push(Word::new(
                    w,
                    BoundingBox::from_edges(x, top, x + width, top + layout.word_height),
                    layout.confidence,
                ));
                x += width + layout.word_gap;
            }
        }
    }
    let ocr = layout.source == TextSource::Ocr;
    PageContent {
        page_number: 1,
        text_source: layout.source,
        text: crate::pipeline::layout::text_of(&words),
        words,
        needs_ocr: ocr,
        einvoice: None,
        image: None,
    }
}
