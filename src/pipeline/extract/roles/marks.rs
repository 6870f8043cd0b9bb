//! Lines that sit where a party's name does but name no party: a copy mark stamped over the
//! header ("ORIGINAL", "DUPLICADO", "COPIE") and a heading word or label alone on its line
//! ("PAYMENT", "TRADE NAME", "Rechnungsempfänger"). A party read from such a line is no
//! party, whatever block it heads. A name line may also carry its label in front
//! ("Razón social: Distribuidora El Faro S.R.L."), which is no part of the name; but a label
//! word with no colon that opens a company's name ("Klient Sp. z o.o.") is part of it.

use super::COMPANY;
use crate::pipeline::extract::generic::text_of;
use crate::pipeline::extract::view::PageView;
use crate::pipeline::lexicon;

/// Copy marks in the languages we read, folded as [`lexicon::tokens`] folds them.
#[rustfmt::skip]
const COPY_MARKS: &[&str] = &[
    "original", "originale", "copy", "copia", "copie", "kopie", "kopia", "duplicate",
    "duplicado", "duplicata", "duplikat", "duplicato", "triplicado", "triplicate", "cuadruplicado",
    "customer copy", "merchant copy", "copia cliente", "copie client", "kundenkopie",
    "zweitschrift", "abschrift",
];

/// Section headings a letterhead or a party block may print alone on a line, folded.
#[rustfmt::skip]
const HEADINGS: &[&str] = &[
    "payment", "payment details", "payment information", "trade name", "company name",
    "legal name", "billing", "details", "summary", "notes", "remarks", "zahlung",
    "zahlungsinformationen", "firmenname", "paiement", "raison sociale", "nom commercial",
    "pago", "datos de pago", "razon social", "nombre comercial", "betaling", "handelsnaam",
    "pagamento", "ragione sociale", "denominazione",
];

/// What a template prints where its user's logo goes, folded: the placeholder is left in
/// the rendered document ("logo" in a grey box) and names nobody.
#[rustfmt::skip]
const LOGO_PLACEHOLDERS: &[&str] = &[
    "logo", "your logo", "company logo", "logo here", "your logo here", "insert logo",
    "place logo here", "add logo", "add your logo", "votre logo", "ihr logo", "firmenlogo",
    "su logo", "tu logo", "il tuo logo", "uw logo", "seu logo", "twoje logo",
];

/// Whether `text` is only a logo's placeholder ("logo", "YOUR LOGO HERE").
pub(super) fn is_logo_placeholder(text: &str) -> bool {
    let words = lexicon::tokens(text);
    !words.is_empty() && LOGO_PLACEHOLDERS.contains(&words.join(" ").as_str())
}

/// Whether `text` is a copy mark (which may carry a code beside it: "ORIGINAL COD. 01").
pub(super) fn is_copy_mark(text: &str) -> bool {
    let words: Vec<String> = lexicon::tokens(text)
        .into_iter()
        .filter(|t| t.chars().any(char::is_alphabetic))
        .filter(|t| !matches!(t.as_str(), "cod" | "code" | "nr" | "no"))
        .collect();
    !words.is_empty() && COPY_MARKS.contains(&words.join(" ").as_str())
}

/// Whether `text` is a copy mark or a heading rather than a name.
pub(super) fn names_no_party(text: &str) -> bool {
    let toks = lexicon::tokens(text.trim().trim_end_matches(':'));
    if !toks.iter().any(|t| t.chars().any(char::is_alphabetic))
        || is_copy_mark(text)
        || is_logo_placeholder(text)
    {
        return true;
    }
    if HEADINGS.contains(&toks.join(" ").as_str()) {
        return true;
    }
    // A heading is a label phrase of the lexicon and nothing else.
    let whole = |lex: &lexicon::Lexicon| {
        lex.find(&toks)
            .iter()
            .any(|m| m.start == 0 && m.len == toks.len())
    };
    toks.len() <= 3 && (whole(lexicon::labels()) || whole(lexicon::documents()))
}

/// Words a name may hold before it reads as running text: a legal sentence of the footer ("je
/// zapsán v obchodním rejstříku vedeném Městským soudem v Praze, oddíl C…") is no name.
const NAME_WORDS: usize = 10;

/// Whether `text` cannot be a party's name: a copy mark or heading ([`names_no_party`]), a
/// piece of a sentence (it opens in lower case mid-sentence, or runs longer than a name), or
/// an identifier's line ("Nr. 91375", "No.: 54871521": more digits than letters, few letters).
pub(super) fn reads_as_no_name(text: &str) -> bool {
    names_no_party(text) || runs_as_text_or_number(text)
}

/// Whether `text` is a piece of running text or an identifier's line, not a name (see
/// [`reads_as_no_name`]).
pub(super) fn runs_as_text_or_number(text: &str) -> bool {
    let t = text.trim();
    let words = t.split_whitespace().count();
    let lower_start = t.chars().next().is_some_and(char::is_lowercase);
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
    words > NAME_WORDS
        || lower_start && words >= 6
        || digits >= 3 && digits > letters && letters <= 4
}

/// A name without the label phrase in front of it ("Razón social: Distribuidora El Faro" →
/// "Distribuidora El Faro"), with how many words the label took; `None` when the text before
/// its first colon is not wholly a name label of the lexicon (`name_label`) or nothing follows.
pub(super) fn without_name_label(text: &str) -> Option<(String, usize)> {
    let (label, rest) = text.split_once(':')?;
    let rest = rest.trim();
    if rest.is_empty() || !rest.chars().any(char::is_alphanumeric) {
        return None;
    }
    let folded = lexicon::tokens(label).concat();
    if folded.is_empty() || !lexicon::word_list("name_label").contains(&folded) {
        return None;
    }
    Some((
        rest.to_string(),
        text[..=label.len()].split_whitespace().count(),
    ))
}

/// Whether the label word `word` opens a company's name rather than labels it ("Klient Sp. z
/// o.o.", "Empresa Demo S.A.C."): it starts its segment, no colon sets it off, and the words
/// after it on the segment hold a company form. A label stands apart from its value, by a
/// colon or on a line of its own; a company may well be called after a label word.
pub(super) fn label_opens_a_name(view: &PageView, word: usize) -> bool {
    let words = view.words();
    let Some(seg) = view.segment_of(word) else {
        return false;
    };
    if seg.words.first() != Some(&word) || words[word].text.ends_with(':') {
        return false;
    }
    let rest = &seg.words[1..];
    rest.first()
        .is_some_and(|&w| !words[w].text.starts_with(':'))
        && COMPANY.is_match(&text_of(words, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_marks_and_headings_name_no_party() {
        for t in [
            "ORIGINAL",
            "DUPLICADO",
            "ORIGINAL COD. 01",
            "Copie client",
            "KOPIE",
            "PAYMENT",
            "TRADE NAME",
            "Rechnungsempfänger:",
        ] {
            assert!(names_no_party(t), "{t}");
        }
        for t in [
            "Distribuidora El Faro S.R.L.",
            "Original Foods Ltd",
            "María López",
            "Tulip Data B.V.",
            "Copy Center Müller GmbH",
        ] {
            assert!(!names_no_party(t), "{t}");
        }
        assert!(is_copy_mark("DUPLICADO") && !is_copy_mark("PAYMENT"));
    }

    #[test]
    fn a_logo_placeholder_names_no_party() {
        for t in ["logo", "YOUR LOGO HERE", "Votre logo", "Company Logo"] {
            assert!(is_logo_placeholder(t) && names_no_party(t), "{t}");
        }
        for t in ["Logo Print GmbH", "Logos & Co", "Dim Solution"] {
            assert!(!is_logo_placeholder(t), "{t}");
        }
    }

    #[test]
    fn sentences_and_identifier_lines_are_no_names() {
        for t in [
            "je zapsán v obchodním rejstříku vedeném Městským soudem v Praze, oddíl C",
            "est inscrite au registre du commerce de Lyon sous le numéro 123",
            "Ved betaling efter forfald beregnes der rente på 0,8 % pr. påbegyndt måned af beløbet",
            "Nr. 91375",
            "No.: 54871521",
            "N° 2024-118",
        ] {
            assert!(reads_as_no_name(t), "{t}");
        }
        for t in [
            "Kučera Účetnictví v.o.s.",
            "de Vries Techniek BV",
            "van den Berg",
            "3M Deutschland GmbH",
            "Studio 54 SARL",
            "Pedersen El-service ApS",
        ] {
            assert!(!reads_as_no_name(t), "{t}");
        }
        // A heading is no name, but not running text: the label's own block may still hold it.
        assert!(reads_as_no_name("TRADE NAME") && !runs_as_text_or_number("TRADE NAME"));
    }

    #[test]
    fn a_label_word_opens_a_name_only_without_a_colon_and_before_a_company_form() {
        use crate::pipeline::extract::fixtures;
        let opens = |pieces: &[(&str, f32)]| {
            let p = fixtures::page(&[pieces], &fixtures::TEXT_LAYER);
            let view = PageView::new(&p);
            label_opens_a_name(&view, 0)
        };
        for line in [
            "Klient Sp. z o.o.",
            "Empresa Demo S.A.C.",
            "Dodavatel Stavby s.r.o.",
            "Kunde Direkt GmbH",
            "Klient Sp. z 0.0.",
        ] {
            assert!(opens(&[(line, 0.05)]), "{line}");
        }
        for line in [
            "Kunde: Weber Bau GmbH",
            "Cliente : Distribuidora El Faro S.R.L.",
            "Klient",
            "Klient Jan Kowalski",
            "Empresa de servicios",
        ] {
            assert!(!opens(&[(line, 0.05)]), "{line}");
        }
        // The label on a segment of its own, the name in the next: a label.
        assert!(!opens(&[("Klient", 0.05), ("Serwis Sp. z o.o.", 0.4)]));
    }

    #[test]
    fn a_name_loses_the_label_in_front_of_it_in_any_language() {
        for (text, name, n) in [
            (
                "Razón Social: Distribuidora El Faro S.R.L.",
                "Distribuidora El Faro S.R.L.",
                2,
            ),
            (
                "Raison sociale : Atelier Lumière SARL",
                "Atelier Lumière SARL",
                3,
            ),
            ("Firma: Nordlicht Technik GmbH", "Nordlicht Technik GmbH", 1),
            (
                "Company name: Brightwater Tools Ltd",
                "Brightwater Tools Ltd",
                2,
            ),
            ("Nome: Ferri Impianti S.r.l.", "Ferri Impianti S.r.l.", 1),
        ] {
            assert_eq!(
                without_name_label(text),
                Some((name.to_string(), n)),
                "{text}"
            );
        }
        // Not a name label before the colon, or nothing after it: left as it is.
        for text in [
            "Acme Ltd: Software Division",
            "Distribuidora El Faro S.R.L.",
            "Razón social:",
            "Rechnungsempfänger: Max Mustermann",
        ] {
            assert_eq!(without_name_label(text), None, "{text}");
        }
    }
}
