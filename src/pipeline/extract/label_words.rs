//! Whether a value found beside or under a label is itself a label: the words a page prints to
//! name its values are not values of any type. A value that ends with a colon ("Importo:"), or
//! whose every word is a word of the lexicon's labels ("Importo da pagare", "Total amount due"),
//! or that is the lowercase rest of the label it was read after ("Consumi fatturati" read as
//! "Consumi" + "fatturati") is reported, but never confidently: it goes to review.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::pipeline::lexicon;

/// Concepts of the label table whose phrases are values a page prints, not labels (a payment
/// means: "cash", "Visa").
const VALUE_CONCEPTS: &[&str] = &["payment_means"];

/// Every token of every label phrase of the lexicon, in every language.
static LABEL_TOKENS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    lexicon::labels()
        .concepts
        .iter()
        .filter(|c| !VALUE_CONCEPTS.contains(&c.key.as_str()))
        .flat_map(|c| c.terms.iter().flat_map(|t| t.tokens.iter().cloned()))
        .collect()
});

/// The confidence a value that reads as a label keeps at most: under every usual threshold.
pub const LABEL_LIKE_CEILING: f32 = 0.5;

/// Whether `text` reads as a label: it ends with a colon, or it has no digit and every one of
/// its words is a label word of the lexicon, one of them a real word (four letters or more, so
/// that "a" or "de" alone decide nothing).
pub fn label_like(text: &str) -> bool {
    let t = text.trim();
    if t.ends_with(':') && t.chars().any(char::is_alphabetic) {
        return true;
    }
    let toks = lexicon::tokens(t);
    if toks.is_empty() || toks.iter().any(|w| w.chars().any(|c| c.is_ascii_digit())) {
        return false;
    }
    toks.iter().all(|w| LABEL_TOKENS.contains(w)) && toks.iter().any(|w| w.chars().count() >= 4)
}

/// Whether a value read on its label's line is the rest of a longer printed label: it follows
/// the label at word spacing with no colon or other mark between, holds no digit, and opens
/// with a small letter (a label's second word, "fatturati" after "Consumi"; a name or a value
/// would open with a capital, a digit or a sign).
pub fn label_tail(between: &str, value: &str) -> bool {
    let between_is_space = between.chars().all(char::is_whitespace);
    let opens_small = value
        .trim_start()
        .chars()
        .next()
        .is_some_and(char::is_lowercase);
    between_is_space && opens_small && !value.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_phrases_in_any_language_read_as_labels() {
        assert!(label_like("Total amount due"));
        assert!(label_like("Importo da pagare"));
        assert!(label_like("Montant TTC"));
        assert!(label_like("Rechnungsdatum"));
        assert!(label_like("Anything at all:"));
    }

    #[test]
    fn names_addresses_and_values_do_not() {
        assert!(!label_like("Schmidt Partner KG"));
        assert!(!label_like("Hauptstraße 5, 80331 München"));
        assert!(!label_like("Net 30 days"));
        assert!(!label_like("1.234,56 €"));
        assert!(!label_like("a de"), "short words alone decide nothing");
        assert!(!label_like(""));
        // A payment means is a value, though the lexicon lists it.
        assert!(!label_like("Cash"));
    }

    #[test]
    fn a_lowercase_word_right_after_the_label_is_the_labels_rest() {
        assert!(label_tail(" ", "fatturati"));
        assert!(!label_tail(" : ", "fatturati"), "a colon ends the label");
        assert!(!label_tail(" ", "Acme Ltd"));
        assert!(!label_tail(" ", "net 30 days"));
    }
}
