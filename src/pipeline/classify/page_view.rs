//! A page as the classifier reads it: segments (runs of words on a line, the cells of a layout)
//! as matching tokens, each with how prominent it is — how much a document-type word printed
//! there reads as the page's own title. Top lines and large fonts are prominent; running text
//! further down is not.

use crate::model::PageContent;
use crate::pipeline::layout;
use crate::pipeline::lexicon;

use super::evidence::norm_all;

/// One run of words.
#[derive(Debug, Clone, PartialEq)]
pub struct Seg {
    pub toks: Vec<String>,
    /// 0 for running text; up to [`MAX_PROMINENCE`] for a large title at the top.
    pub prominence: f32,
    /// Segments on the same line (a heading stands alone; a table header has many).
    pub line_segs: usize,
}

/// A page's segments in reading order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageView {
    pub segs: Vec<Seg>,
    /// Tokens of two or more letters: how much readable text the page has.
    pub words: usize,
}

pub const MAX_PROMINENCE: f32 = 1.15;

/// How a line ranks as a title from its place among the page's text lines and its height.
fn prominence(rank: usize, rel_top: f32, size: Option<f32>) -> f32 {
    let mut p: f32 = if rank < 3 || rel_top <= 0.12 {
        1.0
    } else if rank < 6 || rel_top <= 0.25 {
        0.7
    } else {
        0.0
    };
    if let Some(size) = size {
        // A large font anywhere is a heading (a W-2 prints its title at the bottom).
        if size >= 1.5 {
            p = p.max(if rel_top <= 0.5 { 0.9 } else { 0.7 });
        }
        if size >= 1.25 && p > 0.0 {
            p *= MAX_PROMINENCE;
        }
    }
    p.min(MAX_PROMINENCE)
}

fn readable(toks: &[String]) -> usize {
    toks.iter()
        .filter(|t| t.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .count()
}

impl PageView {
    pub fn of(page: &PageContent) -> Self {
        let measured = !page.words.is_empty()
            && page.words.iter().filter(|w| w.bbox.height > 0.0).count() * 2 > page.words.len();
        if measured {
            Self::from_words(page)
        } else {
            Self::from_text(&page.text)
        }
    }

    fn from_words(page: &PageContent) -> Self {
        let words = &page.words;
        let lines = layout::lines(words);
        let segs = layout::segments(words, &lines, 1.5);
        let line_toks: Vec<usize> = lines
            .iter()
            .map(|l| {
                let text: Vec<&str> = l.words.iter().map(|&i| words[i].text.as_str()).collect();
                readable(&lexicon::tokens(&text.join(" ")))
            })
            .collect();
        let valid: Vec<usize> = (0..lines.len()).filter(|&i| line_toks[i] > 0).collect();
        let (top0, bottom) = valid.iter().fold((f32::MAX, f32::MIN), |(t, b), &i| {
            (t.min(lines[i].bbox.top), b.max(lines[i].bbox.bottom()))
        });
        let span = (bottom - top0).max(1e-3);
        let mut heights: Vec<f32> = valid.iter().map(|&i| lines[i].bbox.height).collect();
        heights.sort_by(f32::total_cmp);
        let median = heights
            .get(heights.len() / 2)
            .copied()
            .unwrap_or(1.0)
            .max(1e-4);
        let mut line_prom = vec![0.0; lines.len()];
        for (rank, &i) in valid.iter().enumerate() {
            let rel = (lines[i].bbox.top - top0) / span;
            line_prom[i] = prominence(rank, rel, Some(lines[i].bbox.height / median));
        }
        let mut per_line = vec![0usize; lines.len()];
        for s in &segs {
            per_line[s.line] += 1;
        }
        let mut view = PageView::default();
        for s in segs {
            let toks = norm_all(&lexicon::tokens(&s.text));
            if toks.is_empty() {
                continue;
            }
            // A segment's own height: a large title can share a line with small print.
            let h = s
                .words
                .iter()
                .map(|&i| words[i].bbox.height)
                .fold(0.0f32, f32::max);
            let base = line_prom[s.line];
            let rel = (lines[s.line].bbox.top - top0) / span;
            let seg_prom = prominence(usize::MAX, rel, Some(h / median));
            view.words += readable(&toks);
            view.segs.push(Seg {
                toks,
                prominence: base.max(seg_prom),
                line_segs: per_line[s.line],
            });
        }
        view
    }

    /// Text without positions (a text file, words without boxes): lines in order, tabs between
    /// columns; prominence from the line's rank only.
    pub fn from_text(text: &str) -> Self {
        let mut view = PageView::default();
        let mut rank = 0;
        for line in text.lines() {
            let mut any = false;
            let cells = line.split('\t').filter(|c| !c.trim().is_empty()).count();
            for cell in line.split('\t') {
                let toks = norm_all(&lexicon::tokens(cell));
                if toks.is_empty() {
                    continue;
                }
                let r = readable(&toks);
                any |= r > 0;
                view.words += r;
                view.segs.push(Seg {
                    toks,
                    prominence: prominence(rank, 1.0, None),
                    line_segs: cells,
                });
            }
            if any {
                rank += 1;
            }
        }
        view
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BoundingBox, TextSource, Word};

    fn w(text: &str, left: f32, top: f32, height: f32) -> Word {
        let width = 0.012 * text.len() as f32 * height / 0.012;
        Word::new(
            text,
            BoundingBox::from_edges(left, top, left + width, top + height),
            1.0,
        )
    }

    #[test]
    fn top_lines_and_large_fonts_are_prominent() {
        let mut words = vec![w("INVOICE", 0.1, 0.05, 0.03)];
        for i in 0..20 {
            words.push(w("line", 0.1, 0.1 + 0.03 * i as f32, 0.012));
            words.push(w("text", 0.2, 0.1 + 0.03 * i as f32, 0.012));
        }
        words.push(w("STATEMENT", 0.1, 0.8, 0.03));
        let page = PageContent {
            page_number: 1,
            text_source: TextSource::Native,
            text: String::new(),
            words,
            needs_ocr: false,
            image: None,
        };
        let v = PageView::of(&page);
        let prom = |t: &str| {
            v.segs
                .iter()
                .find(|s| s.toks[0] == t)
                .map(|s| s.prominence)
                .unwrap()
        };
        assert!(prom("invoice") > 1.0, "{v:?}");
        // Large but low on the page: a heading, less than the top title.
        assert!(prom("statement") > 0.5 && prom("statement") < prom("invoice"));
        // Running text in the middle of the page.
        assert_eq!(v.segs[20].prominence, 0.0);
        assert_eq!(v.words, 42);
    }

    #[test]
    fn text_without_boxes_ranks_lines() {
        let v = PageView::from_text(
            "Facture\tN° 12\n\nClient\nAlpha\nBeta\nGamma\nDelta\nEpsilon\nZeta",
        );
        assert_eq!(v.segs[0].toks, ["facture"]);
        assert_eq!(v.segs[0].prominence, 1.0);
        assert_eq!(v.segs.last().unwrap().prominence, 0.0);
    }
}
