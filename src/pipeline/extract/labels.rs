//! Finding a printed label among a page's words, tolerant of OCR slips and punctuation:
//! "b Employer identification number" matches the label "employer identification number",
//! "Desenption of property" matches "description of property".

use crate::model::{BoundingBox, Word};
use crate::pipeline::layout::Line;

/// Where a label was found.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelHit {
    pub line: usize,
    /// Word indices (into the page's words) the label covers.
    pub first_word: usize,
    pub last_word: usize,
    pub bbox: BoundingBox,
    /// 0–1: share of label tokens matched, discounted for fuzzy matches.
    pub score: f32,
}

pub use crate::pipeline::lexicon::tokens;

/// Similarity of two tokens: 1 when equal; for longer tokens a normalised edit similarity so
/// OCR's one-letter slips still count; short tokens must be exact ("1a" is not "1b").
fn token_sim(a: &str, b: &str) -> f32 {
    if a == b {
        return 1.0;
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    let shorter = la.min(lb);
    if shorter < 4 {
        return 0.0;
    }
    // Long words survive more slips ("Desenption" for "description" is 3 edits in 11).
    let floor = if shorter >= 8 { 0.7 } else { 0.75 };
    // The edit distance is at least the difference in length: when that alone puts the
    // similarity under the floor, the distance need not be computed (the answer is the same).
    let longer = la.max(lb);
    let bound = 1.0 - (longer - shorter) as f64 / longer as f64;
    if bound < f64::from(floor) - 1e-6 {
        return 0.0;
    }
    let s = strsim::normalized_levenshtein(a, b) as f32;
    if s >= floor { s } else { 0.0 }
}

/// The word before `word` on its line, if any.
fn line_prev_word(words: &[Word], line: &Line, word: usize) -> Option<usize> {
    let _ = words;
    let pos = line.words.iter().position(|&w| w == word)?;
    pos.checked_sub(1).map(|p| line.words[p])
}

/// All places on the page where `label` appears, best first. A hit needs at least 80% of the
/// label's tokens, in order and consecutive on one line.
pub fn find_label(words: &[Word], lines: &[Line], label: &str) -> Vec<LabelHit> {
    let want = tokens(label);
    if want.is_empty() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for (li, line) in lines.iter().enumerate() {
        // Flatten the line into (token, word index).
        let toks: Vec<(String, usize)> = line
            .words
            .iter()
            .flat_map(|&wi| tokens(&words[wi].text).into_iter().map(move |t| (t, wi)))
            .collect();
        if toks.len() < want.len().saturating_sub(1).max(1) {
            continue;
        }
        for start in 0..toks.len() {
            // A hit starts on the label's first token (checked again below, as before).
            if token_sim(&want[0], &toks[start].0) == 0.0 {
                continue;
            }
            let mut score = 0.0;
            let mut matched = 0;
            let mut end = start;
            let mut j = start;
            for w in &want {
                if j >= toks.len() {
                    break;
                }
                let s = token_sim(w, &toks[j].0);
                if s > 0.0 {
                    score += s;
                    matched += 1;
                    end = j;
                    j += 1;
                } else if j + 1 < toks.len() && token_sim(w, &toks[j + 1].0) > 0.0 && matched > 0 {
                    // One stray token inside the label (a box number, an OCR speck).
                    score += token_sim(w, &toks[j + 1].0) * 0.9;
                    matched += 1;
                    end = j + 1;
                    j += 2;
                } else if matched == 0 {
                    break;
                } else {
                    j += 1; // a missing label word: skip it, keep the position
                }
            }
            let mut s = score / want.len() as f32;
            // Printed labels start their phrase (after at most a box code like "1a" or "b"):
            // "city" inside "street address, city, state" is a weaker hit than a "City" that
            // starts its own box.
            if let Some(prev) = line_prev_word(words, line, toks[start].1) {
                let (p, w) = (&words[prev], &words[toks[start].1]);
                let close = w.bbox.left - p.bbox.right() < w.bbox.height;
                if close && p.text.chars().count() > 3 {
                    s *= 0.9;
                }
            }
            if matched > 0 && s >= 0.8 && token_sim(&want[0], &toks[start].0) > 0.0 {
                let (fw, lw) = (toks[start].1, toks[end].1);
                let bbox = line
                    .words
                    .iter()
                    .filter(|&&wi| {
                        let p = line.words.iter().position(|&x| x == wi).unwrap_or(0);
                        let pf = line.words.iter().position(|&x| x == fw).unwrap_or(0);
                        let pl = line.words.iter().position(|&x| x == lw).unwrap_or(0);
                        p >= pf && p <= pl
                    })
                    .map(|&wi| &words[wi].bbox)
                    .fold(None::<BoundingBox>, |a, b| {
                        Some(a.map_or(*b, |a| a.union(b)))
                    })
                    .unwrap_or_default();
                hits.push(LabelHit {
                    line: li,
                    first_word: fw,
                    last_word: lw,
                    bbox,
                    score: s.min(1.0),
                });
            }
        }
    }
    // Best score first; among equals, the one nearest the top of the page.
    hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.bbox.top.total_cmp(&b.bbox.top))
    });
    hits.dedup_by(|a, b| a.line == b.line && a.first_word == b.first_word);
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::layout;

    fn line_of(texts: &[&str]) -> Vec<Word> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let l = i as f32 * 0.1;
                Word::new(*t, BoundingBox::from_edges(l, 0.1, l + 0.08, 0.12), 1.0)
            })
            .collect()
    }

    #[test]
    fn finds_labels_with_prefixes_and_typos() {
        let words = line_of(&["b", "Employer", "identification", "number"]);
        let lines = layout::lines(&words);
        let hits = find_label(&words, &lines, "employer identification number");
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].first_word, hits[0].last_word), (1, 3));
        assert!(hits[0].score > 0.99);

        let words = line_of(&["1a", "Desenption", "of", "property"]);
        let lines = layout::lines(&words);
        let hits = find_label(&words, &lines, "description of property");
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(hits[0].score < 1.0);
    }

    #[test]
    fn apostrophes_do_not_matter() {
        assert_eq!(tokens("Employee's SSN:"), vec!["employees", "ssn"]);
        let words = line_of(&["RECIPIENT'S", "name"]);
        let lines = layout::lines(&words);
        assert_eq!(find_label(&words, &lines, "recipients name").len(), 1);
    }

    #[test]
    fn short_tokens_must_match_exactly() {
        let words = line_of(&["1b", "Date"]);
        let lines = layout::lines(&words);
        assert!(find_label(&words, &lines, "1a date").is_empty());
    }
}
