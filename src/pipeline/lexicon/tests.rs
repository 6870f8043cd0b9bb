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
fn tokens_fold_diacritics_and_split() {
    assert_eq!(tokens("N° de Facture"), ["n", "de", "facture"]);
    assert_eq!(tokens("Numéro"), tokens("Numero"));
    assert_eq!(tokens("Employee's ZIP"), ["employees", "zip"]);
    assert_eq!(tokens("Straße"), ["strasse"]);
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
