use super::*;

#[test]
fn shipped_tables_load() {
    assert!(!documents().concepts.is_empty());
    assert!(!labels().concepts.is_empty());
    // Cues are read by the concept keys of the document table.
    for c in &cues().concepts {
        assert!(
            documents().get(&c.key).is_some(),
            "cue `{}` names no document",
            c.key
        );
    }
}

#[test]
fn word_lists_hold_single_folded_tokens() {
    for c in &words().concepts {
        for t in &c.terms {
            assert_eq!(
                t.tokens,
                std::slice::from_ref(&t.phrase),
                "{}: `{}` is not one folded token",
                c.key,
                t.phrase
            );
        }
    }
    for key in [
        "pay_stem",
        "deadline",
        "deadline_filler",
        "rate_word",
        "title_referring",
        "title_possessive",
        "title_label_after",
    ] {
        assert!(!word_list(key).is_empty(), "{key}");
    }
    assert!(word_list("rate_word").iter().any(|w| w == "steuersatz"));
    assert!(word_list("no such list").is_empty());
    assert!(is_word("title_possessive", "ihre") && is_word("title_label_after", "no"));
    assert!(!is_word("title_possessive", "unsere") && !is_word("no such list", "your"));
}

#[test]
fn tokens_fold_diacritics_and_split() {
    assert_eq!(tokens("N° de Facture"), ["n", "de", "facture"]);
    assert_eq!(tokens("Numéro"), tokens("Numero"));
    assert_eq!(tokens("Employee's ZIP"), ["employees", "zip"]);
    assert_eq!(tokens("Straße"), ["strasse"]);
    // Romanian, Baltic, Slovak and Turkish letters fold too: OCR and some printers drop them.
    assert_eq!(
        tokens("Plată până în Țară; Mokėjimo įmonės kodas; Piegādātājs ķīļņ; ľuďť; ığş"),
        [
            "plata",
            "pana",
            "in",
            "tara",
            "mokejimo",
            "imones",
            "kodas",
            "piegadatajs",
            "kiln",
            "ludt",
            "igs"
        ]
    );
}

#[test]
fn names_split_like_words() {
    assert_eq!(tokens(&split_name("InvoiceNumber")), ["invoice", "number"]);
    assert_eq!(tokens(&split_name("invoice_number")), ["invoice", "number"]);
    assert_eq!(
        tokens(&split_name("US-drivers-licenses")),
        ["us", "drivers", "licenses"]
    );
}

#[test]
fn a_concept_is_found_in_any_of_its_languages() {
    let lex = Lexicon::from_yaml(
        "t",
        "invoice:\n  en: [invoice, tax invoice]\n  de: [rechnung]\n  fr: [facture]\n",
    )
    .unwrap();
    let found = lex.find(&tokens("Ihre Rechnung vom 3. Mai"));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].term.lang, "de");
    assert_eq!(found[0].start, 1);
    let found = lex.find(&tokens("TAX INVOICE"));
    // Longest first at a position.
    assert_eq!(found[0].len, 2);
    assert_eq!(lex.concepts_in("InvoiceDate").len(), 1);
    assert!(lex.concepts_in("Receipt").is_empty());
}

#[test]
fn bad_tables_name_the_concept() {
    let err = Lexicon::from_yaml("t", "x:\n  en: ['--']\n").unwrap_err();
    assert!(err.to_string().contains("concept `x`"), "{err}");
    assert!(Lexicon::from_yaml("t", "x: [1").is_err());
}

/// What `find` answered before it had an index: every term at every position, longest first
/// at a position, table order among equals.
fn find_by_scan<'a>(lex: &'a Lexicon, words: &[String]) -> Vec<(usize, usize, &'a str, &'a str)> {
    let mut out = Vec::new();
    for c in &lex.concepts {
        for t in &c.terms {
            let n = t.tokens.len();
            for start in 0..(words.len() + 1).saturating_sub(n) {
                if n > 0 && words[start..start + n] == t.tokens[..] {
                    out.push((start, n, c.key.as_str(), t.phrase.as_str()));
                }
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    out
}

#[test]
fn the_index_finds_what_a_scan_finds_in_the_same_order() {
    let texts = [
        "Invoice Number: 42 Invoice Date 2024-01-02 Total amount due",
        "N° de facture Date de facture Montant total TTC",
        "Employee's social security number Wages, tips, other compensation",
        "Rechnungsnummer Rechnungsdatum Gesamtbetrag Bankverbindung IBAN",
        "",
        "number",
    ];
    for lex in [labels(), documents(), cues()] {
        for text in texts {
            let words = tokens(text);
            let got: Vec<_> = lex
                .find(&words)
                .iter()
                .map(|m| {
                    (
                        m.start,
                        m.len,
                        m.concept.key.as_str(),
                        m.term.phrase.as_str(),
                    )
                })
                .collect();
            assert_eq!(got, find_by_scan(lex, &words), "{text}");
        }
    }
    assert!(
        !labels().find(&tokens(texts[0])).is_empty(),
        "the sample finds labels at all"
    );
}
