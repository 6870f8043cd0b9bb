//! Lines and phrases from positioned words.
//!
//! Every source of words (text layer, OCR, text files) ends up here, so classification and
//! extraction see one layout: lines top to bottom, and within a line "segments" — runs of words
//! closer than about a character height, which is how a form separates a label from the next
//! column.

use crate::model::{BoundingBox, Word};

/// A line: indices of its words (left to right) and their enclosing box.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub words: Vec<usize>,
    pub bbox: BoundingBox,
}

/// A run of words on one line with no wide gap between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub line: usize,
    pub words: Vec<usize>,
    pub bbox: BoundingBox,
    pub text: String,
}

/// Group words into lines. A word joins the line it overlaps vertically by at least half of the
/// smaller height, so a slightly raised superscript or a skewed scan stays on its line.
pub fn lines(words: &[Word]) -> Vec<Line> {
    let mut order: Vec<usize> = (0..words.len()).collect();
    order.sort_by(|&a, &b| {
        words[a]
            .bbox
            .center_y()
            .total_cmp(&words[b].bbox.center_y())
            .then(words[a].bbox.left.total_cmp(&words[b].bbox.left))
    });
    let mut lines: Vec<Line> = Vec::new();
    for i in order {
        let w = &words[i].bbox;
        // Only recent lines can match: words are visited top-down.
        // Of the recent lines it fits, the one whose centre is nearest.
        let found = lines
            .iter_mut()
            .rev()
            .take(4)
            .filter(|l| {
                let min_h = w.height.min(l.bbox.height).max(1e-6);
                w.y_overlap(&l.bbox) >= 0.5 * min_h && !overlaps_any(words, &l.words, w)
            })
            .min_by(|a, b| {
                (a.bbox.center_y() - w.center_y())
                    .abs()
                    .total_cmp(&(b.bbox.center_y() - w.center_y()).abs())
            });
        match found {
            Some(l) => {
                l.words.push(i);
                l.bbox = l.bbox.union(w);
            }
            None => lines.push(Line {
                words: vec![i],
                bbox: *w,
            }),
        }
    }
    for l in &mut lines {
        l.words
            .sort_by(|&a, &b| words[a].bbox.left.total_cmp(&words[b].bbox.left));
    }
    lines.sort_by(|a, b| a.bbox.top.total_cmp(&b.bbox.top));
    lines
}

/// A word that sits on top of one already in the line belongs to another line (two text rows
/// whose boxes touch).
fn overlaps_any(words: &[Word], line: &[usize], w: &BoundingBox) -> bool {
    line.iter().any(|&j| {
        let o = &words[j].bbox;
        o.x_overlap(w) > 0.5 * o.width.min(w.width)
            && (o.center_y() - w.center_y()).abs() > 0.3 * o.height.min(w.height)
    })
}

/// Split each line into segments at gaps wider than `gap_factor` times the line's word height.
pub fn segments(words: &[Word], lines: &[Line], gap_factor: f32) -> Vec<Segment> {
    let mut out = Vec::new();
    for (li, line) in lines.iter().enumerate() {
        let h = median(line.words.iter().map(|&i| words[i].bbox.height)).max(1e-4);
        let mut cur: Vec<usize> = Vec::new();
        for &i in &line.words {
            if let Some(&prev) = cur.last()
                && words[i].bbox.left - words[prev].bbox.right() > gap_factor * h
            {
                out.push(make_segment(words, li, std::mem::take(&mut cur)));
            }
            cur.push(i);
        }
        if !cur.is_empty() {
            out.push(make_segment(words, li, cur));
        }
    }
    out
}

fn make_segment(words: &[Word], line: usize, idx: Vec<usize>) -> Segment {
    let bbox = BoundingBox::enclosing(idx.iter().map(|&i| &words[i].bbox)).unwrap_or_default();
    let text = idx
        .iter()
        .map(|&i| words[i].text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    Segment {
        line,
        words: idx,
        bbox,
        text,
    }
}

/// The segments of line `line`, from [`segments`]' output: it gives them line by line, so
/// they are one run found by binary search rather than a filter over the page.
pub fn on_line(segments: &[Segment], line: usize) -> &[Segment] {
    debug_assert!(segments.windows(2).all(|w| w[0].line <= w[1].line));
    let start = segments.partition_point(|s| s.line < line);
    let end = start + segments[start..].partition_point(|s| s.line == line);
    &segments[start..end]
}

/// Words re-ordered top to bottom, left to right.
pub fn reading_order(words: Vec<Word>) -> Vec<Word> {
    let ls = lines(&words);
    let mut slots: Vec<Option<Word>> = words.into_iter().map(Some).collect();
    ls.iter()
        .flat_map(|l| l.words.iter())
        .filter_map(|&i| slots[i].take())
        .collect()
}

/// Page text: one line per layout line, words separated by a space, wide gaps by a tab so
/// columns stay apart for readers of the plain text.
pub fn text_of(words: &[Word]) -> String {
    let ls = lines(words);
    let segs = segments(words, &ls, 1.5);
    let mut text = String::new();
    let mut last_line = None;
    for s in &segs {
        match last_line {
            Some(l) if l == s.line => text.push('\t'),
            Some(_) => text.push('\n'),
            None => {}
        }
        text.push_str(&s.text);
        last_line = Some(s.line);
    }
    text
}

fn median(values: impl Iterator<Item = f32>) -> f32 {
    let mut v: Vec<f32> = values.collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str, l: f32, t: f32, r: f32) -> Word {
        Word::new(text, BoundingBox::from_edges(l, t, r, t + 0.01), 1.0)
    }

    #[test]
    fn lines_and_segments() {
        let words = vec![
            w("Name:", 0.1, 0.1, 0.15),
            w("Doe", 0.5, 0.102, 0.55),
            w("John", 0.44, 0.101, 0.49),
            w("Second", 0.1, 0.2, 0.2),
        ];
        let ls = lines(&words);
        assert_eq!(ls.len(), 2);
        assert_eq!(ls[0].words, vec![0, 2, 1]);
        let segs = segments(&words, &ls, 1.0);
        let texts: Vec<_> = segs.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, vec!["Name:", "John Doe", "Second"]);
        assert_eq!(text_of(&words), "Name:\tJohn Doe\nSecond");
    }
}
