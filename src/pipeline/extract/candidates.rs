//! Where a value can be, given its label: the rest of the label's line ("Pay Date: 07/25/2008",
//! "Patient Name:      John Doe") and the lines under it within the label's column (form boxes:
//! "b Employer identification number" over "37-2766773").

use crate::model::{BoundingBox, Word};
use crate::pipeline::layout::{self, Line, Segment};

use super::labels::LabelHit;

/// Text in a place, with the words it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub words: Vec<usize>,
    pub text: String,
    pub bbox: BoundingBox,
    /// 0 for the label's own line, n for the n-th non-empty line below it.
    pub rank: usize,
}

/// How far below a label we look, in lines that have something in the label's column.
const MAX_BELOW: usize = 6;
/// ... and in page height, so a label at the bottom of a box never reaches the next section.
const MAX_BELOW_DISTANCE: f32 = 0.12;
/// How far past its label's end a box with nothing to its right reaches, in page width.
const MAX_OPEN_WIDTH: f32 = 0.1;
/// How far right of a label a value may start, in page width.
const MAX_RIGHT_DISTANCE: f32 = 0.45;

/// The text right of the label on its line: the rest of its segment, then that plus the next
/// segment ("Your new balance as of 06/17/2020" + "= $5,657.47"), nearest first.
pub fn right_of(words: &[Word], segs: &[Segment], hit: &LabelHit) -> Vec<Candidate> {
    let Some(seg) = segs.iter().find(|s| s.words.contains(&hit.last_word)) else {
        return Vec::new();
    };
    let Some(pos) = seg.words.iter().position(|&w| w == hit.last_word) else {
        return Vec::new();
    };
    let rest: Vec<usize> = seg.words[pos + 1..].to_vec();
    let mut out = Vec::new();
    if !rest.is_empty() {
        out.push(make(words, rest.clone(), 0));
    }
    let next = layout::on_line(segs, seg.line)
        .iter()
        .filter(|s| s.bbox.left >= seg.bbox.right())
        .min_by(|a, b| a.bbox.left.total_cmp(&b.bbox.left));
    if let Some(next) = next.filter(|n| n.bbox.left - hit.bbox.right() <= MAX_RIGHT_DISTANCE) {
        let mut both = rest;
        both.extend(next.words.iter().copied());
        out.push(make(words, both, 0));
    }
    out
}

/// The words that carry a narrow cell's last words on to the next line: "01. 01." over "2021"
/// in a date column too narrow for the year. They stand on the line right under `cell`'s, no
/// further down than a line's pitch, each overlapping the cell's horizontal extent; nothing
/// else of that line is taken.
pub fn wrapped_under(words: &[Word], lines: &[Line], line: usize, cell: &[usize]) -> Vec<usize> {
    let Some(cell_box) = BoundingBox::enclosing(cell.iter().map(|&w| &words[w].bbox)) else {
        return Vec::new();
    };
    let Some(next) = lines.get(line + 1) else {
        return Vec::new();
    };
    let gap = next.bbox.top - cell_box.bottom();
    if gap < 0.0 || gap > cell_box.height * 1.2 {
        return Vec::new();
    }
    next.words
        .iter()
        .copied()
        .filter(|&w| {
            let b = &words[w].bbox;
            b.left < cell_box.right() && b.right() > cell_box.left
        })
        .collect()
}

/// Lines below the label whose words overlap the label's column, nearest first. Each is the
/// concatenation of that line's segments inside the column.
/// `width` fixes the box width (from the label's left edge) instead of ending the box at the
/// next thing printed on the label's line.
pub fn below(
    words: &[Word],
    lines: &[Line],
    segs: &[Segment],
    hit: &LabelHit,
    width: Option<f32>,
) -> Vec<Candidate> {
    // A form box runs from its label to the next thing printed on the label's line (the next
    // box's label); values sit anywhere inside it, not only under the label's words.
    let tol = 0.01;
    let next_left = layout::on_line(segs, hit.line)
        .iter()
        .filter(|s| s.bbox.left > hit.bbox.right() + tol)
        .map(|s| s.bbox.left)
        .fold(f32::INFINITY, f32::min);
    let right = if let Some(w) = width {
        hit.bbox.left + w
    } else if next_left.is_finite() {
        next_left - tol
    } else {
        hit.bbox.right() + MAX_OPEN_WIDTH
    };
    let col = BoundingBox::from_edges(hit.bbox.left - tol, 0.0, right.max(hit.bbox.right()), 1.0);
    let mut out = Vec::new();
    for (li, line) in lines.iter().enumerate().skip(hit.line + 1) {
        if line.bbox.top - hit.bbox.bottom() > MAX_BELOW_DISTANCE || out.len() >= MAX_BELOW {
            break;
        }
        let mut on_line: Vec<&Segment> = layout::on_line(segs, li).iter().collect();
        on_line.sort_by(|a, b| a.bbox.left.total_cmp(&b.bbox.left));
        let mut idx: Vec<usize> = Vec::new();
        let mut reach: Option<f32> = None; // right edge of the cell so far
        for s in on_line {
            let inside = s.bbox.x_overlap(&col) > 0.0;
            // A value that starts in the box may run past the next label's column
            // ("West Erinfort WY 45881-3334" under "first name ... Last name"): keep segments
            // that follow closely (within five character heights).
            // A box of configured width is authoritative: nothing past it.
            let follows =
                width.is_none() && reach.is_some_and(|r| s.bbox.left - r < 5.0 * s.bbox.height);
            if inside || follows {
                idx.extend(s.words.iter().copied());
                reach = Some(s.bbox.right());
            } else if reach.is_some() {
                break;
            }
        }
        if idx.is_empty() {
            continue;
        }
        idx.sort_by(|&a, &b| words[a].bbox.left.total_cmp(&words[b].bbox.left));
        let rank = out.len() + 1;
        out.push(make(words, idx, rank));
    }
    out
}

fn make(words: &[Word], idx: Vec<usize>, rank: usize) -> Candidate {
    let text = idx
        .iter()
        .map(|&i| words[i].text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let bbox = BoundingBox::enclosing(idx.iter().map(|&i| &words[i].bbox)).unwrap_or_default();
    Candidate {
        words: idx,
        text,
        bbox,
        rank,
    }
}

/// The words of a candidate that hold the byte range `range` of its text, and their box.
pub fn sub_box(
    words: &[Word],
    cand: &Candidate,
    range: std::ops::Range<usize>,
) -> (Vec<usize>, BoundingBox) {
    let mut pos = 0;
    let mut picked = Vec::new();
    for &i in &cand.words {
        let len = words[i].text.len();
        let (s, e) = (pos, pos + len);
        if s < range.end && e > range.start {
            picked.push(i);
        }
        pos = e + 1;
    }
    if picked.is_empty() {
        return (cand.words.clone(), cand.bbox);
    }
    let bbox = BoundingBox::enclosing(picked.iter().map(|&i| &words[i].bbox)).unwrap_or(cand.bbox);
    (picked, bbox)
}
