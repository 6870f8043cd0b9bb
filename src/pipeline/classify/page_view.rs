//! A page as the classifier reads it: segments (runs of words on a line, the cells of a layout)
//! as matching tokens, each with how prominent it is — how much a document-type word printed
//! there reads as the page's own title. Top lines and large fonts are prominent; running text
//! further down is not.

use crate::model::{BoundingBox, PageContent, Word};
use crate::pipeline::layout;
use crate::pipeline::lexicon;

use super::evidence::norm_all;
use super::spaced;

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

/// Words a line may have to be part of a stacked title.
const STACK_WORDS: usize = 3;
/// Lines a stacked title may have.
const STACK_LINES: usize = 6;
/// How close (share of the page width) the edges or centres of stacked lines are.
const STACK_ALIGN: f32 = 0.012;

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
                // A letter-spaced title line is readable text once its letters are joined.
                let line_words: Vec<&Word> = l.words.iter().map(|&i| &words[i]).collect();
                let text = spaced::join_words(&line_words).unwrap_or_else(|| {
                    let text: Vec<&str> = line_words.iter().map(|w| w.text.as_str()).collect();
                    text.join(" ")
                });
                readable(&lexicon::tokens(&text))
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
        // Short segments kept for stacked titles: (bbox, index into view.segs).
        let mut short: Vec<(BoundingBox, usize)> = Vec::new();
        for s in segs {
            let seg_words: Vec<&Word> = s.words.iter().map(|&i| &words[i]).collect();
            let text = spaced::join_words(&seg_words);
            let toks = norm_all(&lexicon::tokens(text.as_deref().unwrap_or(&s.text)));
            if toks.is_empty() {
                continue;
            }
            if toks.len() <= STACK_WORDS {
                short.push((s.bbox, view.segs.len()));
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
        view.stack_titles(short);
        view
    }

    /// A title printed over several short lines ("Proceeds / From Broker / and Barter /
    /// Exchange / Transactions", "Form / 1099-B") is one heading: consecutive short segments,
    /// one right under the other and sharing a left edge, a right edge or a centre, are joined
    /// into an extra segment as prominent as the most prominent of them. The lines stay as
    /// they were; the joined one only adds the phrase they make together.
    fn stack_titles(&mut self, mut short: Vec<(BoundingBox, usize)>) {
        short.sort_by(|a, b| a.0.top.total_cmp(&b.0.top));
        let mut used = vec![false; short.len()];
        let mut stacked: Vec<Seg> = Vec::new();
        for i in 0..short.len() {
            if used[i] {
                continue;
            }
            let mut chain = vec![i];
            let mut last = short[i].0;
            for (j, (b, _)) in short.iter().enumerate().skip(i + 1) {
                if chain.len() >= STACK_LINES {
                    break;
                }
                let h = b.height.max(last.height);
                let gap = b.top - last.bottom();
                if gap > h {
                    // Sorted by top: nothing further down can follow `last` any more once
                    // the gap is this wide for every later segment.
                    if b.top - last.bottom() > 3.0 * h {
                        break;
                    }
                    continue;
                }
                let aligned = (b.left - last.left).abs() < STACK_ALIGN
                    || (b.right() - last.right()).abs() < STACK_ALIGN
                    || (b.center_x() - last.center_x()).abs() < STACK_ALIGN;
                let similar = b.height < 1.6 * last.height && last.height < 1.6 * b.height;
                if gap >= -0.25 * h && aligned && similar && !used[j] {
                    chain.push(j);
                    last = *b;
                }
            }
            if chain.len() < 2 {
                continue;
            }
            for &c in &chain {
                used[c] = true;
            }
            let members: Vec<&Seg> = chain.iter().map(|&c| &self.segs[short[c].1]).collect();
            stacked.push(Seg {
                toks: members
                    .iter()
                    .flat_map(|m| m.toks.iter().cloned())
                    .collect(),
                prominence: members.iter().map(|m| m.prominence).fold(0.0, f32::max),
                line_segs: 1,
            });
        }
        self.segs.extend(stacked);
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
                let joined = spaced::join_text(cell);
                let toks = norm_all(&lexicon::tokens(joined.as_deref().unwrap_or(cell)));
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
            einvoice: None,
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
    fn a_title_stacked_over_short_lines_is_joined() {
        // Right-aligned, as the 1099-B prints "Proceeds From Broker and Barter Exchange
        // Transactions" beside its box 1a; a left column of running text beside it.
        let title = [
            "Proceeds",
            "From Broker",
            "and Barter",
            "Exchange",
            "Transactions",
        ];
        let mut words = Vec::new();
        for (i, line) in title.iter().enumerate() {
            let top = 0.05 + 0.02 * i as f32;
            let parts: Vec<&str> = line.split(' ').collect();
            let width: f32 = parts.iter().map(|p| 0.012 * p.len() as f32).sum::<f32>()
                + 0.006 * (parts.len() - 1) as f32;
            let mut left = 0.95 - width;
            for p in parts {
                words.push(w(p, left, top, 0.012));
                left += 0.012 * p.len() as f32 + 0.006;
            }
            words.push(w("payer", 0.05, top, 0.012));
        }
        for i in 0..20 {
            words.push(w("box", 0.05, 0.2 + 0.03 * i as f32, 0.012));
        }
        let page = PageContent {
            page_number: 1,
            text_source: TextSource::Ocr,
            text: String::new(),
            words,
            needs_ocr: false,
            einvoice: None,
            image: None,
        };
        let v = PageView::of(&page);
        let joined = norm_all(&lexicon::tokens(
            "proceeds from broker and barter exchange transactions",
        ));
        let seg = v.segs.iter().find(|s| s.toks == joined);
        assert!(seg.is_some_and(|s| s.prominence > 0.5), "{v:?}");
        // The left column's words are not pulled into it, and the lines stay as they were.
        assert!(v.segs.iter().any(|s| s.toks == joined[..1]));
        // Running text further down, aligned, is not a title (it is joined, but not prominent).
        assert!(
            v.segs
                .iter()
                .filter(|s| s.toks.len() > 1 && s.toks.iter().all(|t| t == "box"))
                .all(|s| s.prominence == 0.0)
        );
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
