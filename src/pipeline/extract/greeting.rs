//! The shop a till's greeting names: "THANK YOU FOR SHOPPING AT WALGREENS", "Bienvenue chez
//! Carrefour", "Vielen Dank für Ihren Einkauf bei ALDI". A receipt's letterhead is often a
//! logo that OCR cannot read; its thanks or welcome line still names the shop. A line that
//! opens with a greeting word (`greeting` in words.yaml) names it after its last place word
//! (`greeting_place`: "at", "chez", "bei"). No label backs it, so it stays under review.

use super::generic::{Pick, text_of};
use super::view::PageView;
use crate::model::BoundingBox;
use crate::pipeline::lexicon;

/// Score of a shop's name read from a greeting.
const GREETING_NAME: f32 = 0.5;
/// Most words a shop's name runs to after the place word.
const MAX_NAME_WORDS: usize = 4;

/// The first shop's name a greeting line gives on the section's pages.
pub fn shop_named(views: &[PageView]) -> Option<Pick> {
    let greet = lexicon::word_list("greeting");
    let place = lexicon::word_list("greeting_place");
    let token = |text: &str| lexicon::tokens(text).into_iter().next().unwrap_or_default();
    for (pi, view) in views.iter().enumerate() {
        let words = view.words();
        for line in &view.lines {
            let ws = &line.words;
            if !ws
                .first()
                .is_some_and(|&w| greet.contains(&token(&words[w].text)))
            {
                continue;
            }
            let Some(at) = ws
                .iter()
                .rposition(|&w| place.contains(&token(&words[w].text)))
            else {
                continue;
            };
            let name_words = &ws[at + 1..];
            let text = text_of(words, name_words);
            let text = text.trim().trim_end_matches(['!', '.', ',', ':']).trim();
            let letters = text.chars().filter(|c| c.is_alphabetic()).count();
            // "Welcome to our store", "Thank you for shopping with us at 5 locations": no name.
            if name_words.is_empty()
                || name_words.len() > MAX_NAME_WORDS
                || letters < 3
                || text.chars().any(|c| c.is_ascii_digit())
                || !text.chars().next().is_some_and(char::is_uppercase)
            {
                continue;
            }
            return Some(Pick {
                text: text.to_string(),
                score: GREETING_NAME,
                page: pi,
                words: name_words.to_vec(),
                bbox: BoundingBox::enclosing(name_words.iter().map(|&w| &words[w].bbox))
                    .unwrap_or(line.bbox),
                label: None,
                reason: "the shop a greeting names (no letterhead read, no label)".into(),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::extract::fixtures::{TEXT_LAYER, page};

    fn shop(line: &str) -> Option<String> {
        let p = page(&[&[("TOTAL 29.53", 0.05)], &[(line, 0.05)]], &TEXT_LAYER);
        shop_named(&[PageView::new(&p)]).map(|p| p.text)
    }

    #[test]
    fn a_greeting_names_the_shop_in_several_languages() {
        for (line, name) in [
            ("THANK YOU FOR SHOPPING AT WALGREENS", "WALGREENS"),
            ("Bienvenue chez Carrefour Market !", "Carrefour Market"),
            ("Vielen Dank für Ihren Einkauf bei ALDI SÜD", "ALDI SÜD"),
            ("Gracias por su compra en Mercadona", "Mercadona"),
            ("Bedankt voor uw bezoek bij Albert Heijn", "Albert Heijn"),
        ] {
            assert_eq!(shop(line).as_deref(), Some(name), "{line}");
        }
    }

    #[test]
    fn no_shop_without_a_name_after_the_place_word() {
        for line in [
            "Welcome to our store",
            "Thank you for your visit",
            "Thank you! Open at 8:00",
            "Total at checkout 12.00",
        ] {
            assert_eq!(shop(line), None, "{line}");
        }
    }
}
