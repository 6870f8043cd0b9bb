//! Summarize: a short extractive summary — the document's most informative sentences, in their
//! original order. Informative = made of words that recur in the document (its topic) rather
//! than boilerplate or bare numbers. No model: every sentence is one the document contains.

use std::collections::HashMap;

use crate::model::PageContent;

/// Words that carry no topic.
const STOPWORDS: &[&str] = &[
    "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "is", "are", "was", "be", "by",
    "with", "as", "at", "this", "that", "it", "from", "not", "your", "you", "our", "we", "if",
    "any", "may", "will", "all", "has", "have", "but", "its", "their", "these", "those", "other",
];

/// Up to `max_sentences` sentences summarising the pages.
pub fn summarize(pages: &[PageContent], max_sentences: usize) -> String {
    let sentences: Vec<String> = pages
        .iter()
        .flat_map(|p| split_sentences(&p.text))
        .collect();
    let mut freq: HashMap<String, f32> = HashMap::new();
    for s in &sentences {
        for w in content_words(s) {
            *freq.entry(w).or_default() += 1.0;
        }
    }
    let mut scored: Vec<(usize, f32)> = sentences
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let words = content_words(s);
            let n = s.split_whitespace().count();
            if words.len() < 4 || n > 60 {
                return (i, 0.0);
            }
            // Mean topic weight of its words, damped so long sentences do not win on length.
            let sum: f32 = words
                .iter()
                .map(|w| freq.get(w).copied().unwrap_or(0.0))
                .sum();
            (i, sum / (words.len() as f32).powf(0.7))
        })
        .filter(|(_, s)| *s > 0.0)
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    // Forms repeat themselves (a W-2 prints every copy): each sentence text once.
    let mut seen = std::collections::HashSet::new();
    let mut chosen: Vec<usize> = scored
        .iter()
        .map(|(i, _)| *i)
        .filter(|i| seen.insert(sentences[*i].as_str()))
        .take(max_sentences)
        .collect();
    chosen.sort_unstable();
    chosen
        .into_iter()
        .map(|i| sentences[i].clone())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Sentences: split at . ! ? followed by a space, and at line ends (forms have no full stops).
fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.replace('\t', " ");
        let mut cur = String::new();
        let chars: Vec<char> = line.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            cur.push(c);
            let end =
                matches!(c, '.' | '!' | '?') && chars.get(i + 1).is_none_or(|n| n.is_whitespace());
            if end {
                push(&mut out, &cur);
                cur.clear();
            }
        }
        push(&mut out, &cur);
    }
    out
}

fn push(out: &mut Vec<String>, s: &str) {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if !s.is_empty() {
        out.push(s);
    }
}

/// Lowercase alphabetic words of 3+ letters that are not stopwords.
fn content_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TextSource;

    #[test]
    fn picks_topical_sentences_in_order() {
        let page = PageContent {
            page_number: 1,
            text_source: TextSource::Native,
            words: Vec::new(),
            text: "Page 1 of 2\nThe patient reports abdominal pain since two months. \
                   Pain is gnawing and burning and the patient denies fever. \
                   Call us at 555-0101.\nThe patient was discharged home with diet advice for the pain."
                .into(),
            needs_ocr: false,
            einvoice: None,
            image: None,
        };
        let s = summarize(&[page], 2);
        // Two sentences about the patient, in document order; no boilerplate, no phone line.
        assert_eq!(s.matches('.').count(), 2, "{s}");
        assert!(s.contains("patient") && s.ends_with("for the pain."), "{s}");
        assert!(!s.contains("555-0101") && !s.contains("Page 1"), "{s}");
        assert!(summarize(&[], 3).is_empty());
    }
}
