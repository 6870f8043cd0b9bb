//! Letter-spaced titles: "R E C H N U N G", "F A C T U R E", "I N V O I C E   N O" print one
//! letter per word, so the title word never reaches the lexicon. Runs of single letters are
//! joined back into words; a gap clearly wider than the run's letter gap (two spaces in text,
//! a wider space on the page) separates two words.

use crate::model::Word;

/// Fewest single letters that make a spaced word: "A B" is more often two initials or a
/// column of ticks than a word.
const MIN_LETTERS: usize = 3;
/// A gap this many times the run's usual letter gap ends a spaced word.
const WORD_GAP: f32 = 1.7;

fn is_letter(chunk: &str) -> bool {
    let mut chars = chunk.chars();
    chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none()
}

/// `text` with its letter-spaced runs joined ("R E C H N U N G  N r" → "RECHNUNG N r"); `None`
/// when it has none. Single spaces separate letters, two or more (or a tab) separate words.
/// Once one run is long enough to be a spaced word, shorter runs beside it are words too
/// ("F A C T U R E  D E").
pub fn join_text(text: &str) -> Option<String> {
    // Chunks between single spaces; an empty chunk marks a wider gap.
    let chunks: Vec<&str> = text.split(' ').collect();
    // Runs of single letters: (first chunk, length).
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, c) in chunks.iter().enumerate() {
        if !is_letter(c) {
            continue;
        }
        match runs.last_mut() {
            Some((s, l)) if *s + *l == i => *l += 1,
            _ => runs.push((i, 1)),
        }
    }
    if !runs.iter().any(|&(_, l)| l >= MIN_LETTERS) {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chunks.len() {
        if let Some(&(_, l)) = runs.iter().find(|&&(s, l)| s == i && l >= 2) {
            out.push(chunks[i..i + l].concat());
            i += l;
            continue;
        }
        if !chunks[i].is_empty() {
            out.push(chunks[i].to_string());
        }
        i += 1;
    }
    Some(out.join(" "))
}

/// A segment's words as text with letter-spaced runs joined, measuring the gaps on the page:
/// within a run of single letters, a gap [`WORD_GAP`] times the run's median letter gap is a
/// space between words. `None` when the segment has no such run.
pub fn join_words(words: &[&Word]) -> Option<String> {
    let letters = words.iter().filter(|w| is_letter(&w.text)).count();
    if letters < MIN_LETTERS {
        return None;
    }
    let gaps: Vec<f32> = words
        .windows(2)
        .filter(|p| is_letter(&p[0].text) && is_letter(&p[1].text))
        .map(|p| (p[1].bbox.left - p[0].bbox.right()).max(0.0))
        .collect();
    let mut sorted = gaps.clone();
    sorted.sort_by(f32::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
    let mut text = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            let prev = words[i - 1];
            let gap = w.bbox.left - prev.bbox.right();
            // Letters set tight (a median gap of ~0) are split only by a visible space.
            let wide = gap > WORD_GAP * median.max(0.15 * w.bbox.height);
            let both = is_letter(&prev.text) && is_letter(&w.text);
            text.push_str(if both && wide { "  " } else { " " });
        }
        text.push_str(&w.text);
    }
    join_text(&text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BoundingBox;

    #[test]
    fn spaced_words_in_several_languages_are_joined() {
        assert_eq!(join_text("R E C H N U N G").as_deref(), Some("RECHNUNG"));
        assert_eq!(
            join_text("F A C T U R E  N° 12").as_deref(),
            Some("FACTURE N° 12")
        );
        assert_eq!(
            join_text("I N V O I C E   N U M B E R").as_deref(),
            Some("INVOICE NUMBER")
        );
        assert_eq!(join_text("F A K T Ú R A").as_deref(), Some("FAKTÚRA"));
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        assert_eq!(join_text("Invoice No 12"), None);
        assert_eq!(join_text("J. R. Smith"), None);
        // Two initials are not a word.
        assert_eq!(join_text("A B Ltd"), None);
        assert_eq!(join_text("Box 3 a b"), None);
    }

    fn word(text: &str, left: f32, width: f32) -> Word {
        Word::new(
            text,
            BoundingBox::from_edges(left, 0.1, left + width, 0.12),
            1.0,
        )
    }

    #[test]
    fn gaps_on_the_page_separate_spaced_words() {
        // "F A C T U R E" then a wider gap, "D E".
        let mut words = Vec::new();
        let mut x = 0.1;
        for (i, c) in "FACTUREDE".chars().enumerate() {
            if i == 7 {
                x += 0.03;
            }
            words.push(word(&c.to_string(), x, 0.012));
            x += 0.012 + 0.008;
        }
        let refs: Vec<&Word> = words.iter().collect();
        assert_eq!(join_words(&refs).as_deref(), Some("FACTURE DE"));
        let plain = [word("Total", 0.1, 0.05), word("12,00", 0.2, 0.05)];
        let refs: Vec<&Word> = plain.iter().collect();
        assert_eq!(join_words(&refs), None);
    }
}
