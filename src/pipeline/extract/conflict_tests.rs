//! A value is confident only when its evidence agrees: terms whose label word is part of the
//! sentence, an identifier whose prefix repeats the label, a tax printed per rate, a subtotal
//! before or after a document's discount. Pages in several languages, built for these tests.

use super::*;
use crate::pipeline::config::ClassConfig;

fn invoice() -> ClassDef {
    let yaml = "classes:\n  - $id: invoice\n    type: object\n    properties:\n      \
        PoNumber: {type: string, description: Purchase order number}\n      \
        PaymentTerms: {type: string, description: 'Payment conditions (30 days, COD, etc.)'}\n      \
        Subtotal: {type: string, description: Sum before tax}\n      \
        Tax: {type: string, description: Tax amount charged}\n      \
        TotalAmount: {type: string, description: Final amount to be paid}\n";
    ClassConfig::from_yaml(yaml).unwrap().classes.remove(0)
}

fn extract(lines: &[&[(&str, f32)]]) -> SectionExtraction {
    let p = super::fixtures::page(lines, &super::fixtures::TEXT_LAYER);
    extract_section(&invoice(), &[&p])
}

fn value_and_confidence(out: &SectionExtraction, k: &str) -> (Value, f32) {
    let r = &out.fields[k];
    (r.value.clone(), r.confidence)
}

#[test]
fn a_terms_word_that_opens_the_sentence_stays_in_it() {
    for (line, terms) in [
        ("Zahlbar binnen 30 Tagen.", "Zahlbar binnen 30 Tagen."),
        (
            "Règlement à 30 jours fin de mois",
            "Règlement à 30 jours fin de mois",
        ),
    ] {
        let out = extract(&[&[("Rechnung / Facture 4711", 0.05)], &[], &[(line, 0.05)]]);
        assert_eq!(out.fields["PaymentTerms"].value, terms, "{line}");
    }
    // Behind a colon, or before a value that is no running sentence, the label is a label.
    for (line, terms) in [
        ("Zahlbar: sofort netto", "sofort netto"),
        ("Zahlungsbedingungen 14 Tage netto", "14 Tage netto"),
        (
            "CONDITIONS DE PAIEMENT : PAIEMENT 30 JOURS NET",
            "PAIEMENT 30 JOURS NET",
        ),
    ] {
        let out = extract(&[&[(line, 0.05)]]);
        assert_eq!(out.fields["PaymentTerms"].value, terms, "{line}");
    }
}

#[test]
fn a_code_without_words_is_not_terms_and_terms_labels_of_several_languages() {
    // "COD. 01" is a voucher's type code; "COD" is a word of the description, not its label.
    let out = extract(&[
        &[("FACTURA", 0.5)],
        &[("COD. 01", 0.45), ("CUIT: 20-00000000-1", 0.6)],
    ]);
    let (v, c) = value_and_confidence(&out, "PaymentTerms");
    assert!(v.is_null() || c < 0.7, "{v} {c}");
    for (line, terms) in [
        ("Voorwaarden: Net 30 days", "Net 30 days"),
        ("Conditions: Paiement à 30 jours.", "Paiement à 30 jours."),
        ("Condición de venta: Contado", "Contado"),
    ] {
        let out = extract(&[&[(line, 0.05)]]);
        assert_eq!(out.fields["PaymentTerms"].value, terms, "{line}");
    }
}

#[test]
fn an_unlabelled_terms_sentence_is_found_under_review() {
    for line in [
        "Payable within 14 days of the invoice date.",
        "Bitte überweisen Sie den Betrag innerhalb von 14 Tagen.",
        "30 Tage netto, 2% Skonto bei Zahlung in 10 Tagen.",
    ] {
        let out = extract(&[&[("Invoice 2024-17", 0.05)], &[], &[(line, 0.05)]]);
        let (v, c) = value_and_confidence(&out, "PaymentTerms");
        assert_eq!(v, line);
        assert!(c < 0.7, "{line}: {c}");
    }
    // A label the lexicon does not know, ended by its colon, is not part of the terms.
    for (line, terms) in [
        ("Pagamento: 60 giorni fine mese", "60 giorni fine mese"),
        ("Voldoening: binnen 30 dagen", "binnen 30 dagen"),
    ] {
        let out = extract(&[&[("Invoice 2024-17", 0.05)], &[], &[(line, 0.05)]]);
        let (v, c) = value_and_confidence(&out, "PaymentTerms");
        assert_eq!(v, terms, "{line}");
        assert!(c < 0.7, "{line}: {c}");
    }
    // A count of days with no paying word is no terms sentence.
    let out = extract(&[&[("Lieferzeit 14 Tage", 0.05)]]);
    assert!(out.fields["PaymentTerms"].value.is_null());
}

#[test]
fn an_identifier_keeps_a_prefix_that_repeats_the_label() {
    for (label, po) in [
        ("Referentie koper", "PO-BE-55120"),
        ("Customer reference", "PO-4471-A"),
    ] {
        let out = extract(&[&[(label, 0.05), (po, 0.4)]]);
        assert_eq!(
            out.fields["PoNumber"].value, po,
            "{label} {:?}",
            out.fields["PoNumber"]
        );
    }
    let out = extract(&[&[("PO: 4471", 0.05)]]);
    assert_eq!(out.fields["PoNumber"].value, "4471");
}

#[test]
fn one_rate_of_several_is_not_the_tax_and_a_printed_sum_is() {
    // German: a per-rate line each and the total tax line; the total line is the tax.
    let out = extract(&[
        &[("Gesamtbetrag (Netto):", 0.4), ("33,98 EUR", 0.7)],
        &[("Umsatzsteuer 7 %:", 0.4), ("0,98 EUR", 0.7)],
        &[("Umsatzsteuer 19 %:", 0.4), ("3,80 EUR", 0.7)],
        &[("Umsatzsteuer gesamt:", 0.4), ("4,78 EUR", 0.7)],
        &[("Gesamtbetrag (Brutto):", 0.4), ("38,76 EUR", 0.7)],
    ]);
    let (v, c) = value_and_confidence(&out, "Tax");
    assert_eq!(v, "4,78 EUR");
    assert!(c >= 0.7, "{c}");
    // French: only per-rate lines: no single line is the tax.
    let out = extract(&[
        &[("Total HT", 0.4), ("1 153,00 EUR", 0.7)],
        &[("TVA 5,5 % (210,00 EUR)", 0.4), ("11,55 EUR", 0.7)],
        &[("TVA 20 % (943,00 EUR)", 0.4), ("188,60 EUR", 0.7)],
        &[("Total TTC", 0.4), ("1 353,15 EUR", 0.7)],
    ]);
    let (v, c) = value_and_confidence(&out, "Tax");
    assert!(v.is_null() || c < 0.7, "{v} {c}");
    // One rate only: its line is the tax.
    let out = extract(&[
        &[("Nettobetrag:", 0.4), ("100,00 EUR", 0.7)],
        &[("USt 19 %:", 0.4), ("19,00 EUR", 0.7)],
        &[("Rechnungsbetrag:", 0.4), ("119,00 EUR", 0.7)],
    ]);
    assert_eq!(value_and_confidence(&out, "Tax"), ("19,00 EUR".into(), 0.9));
}

#[test]
fn a_subtotal_before_a_discount_conflicts_with_the_net_and_goes_to_review() {
    let out = extract(&[
        &[("Totaal regels", 0.4), ("4.900,00 EUR", 0.7)],
        &[("Korting: Loyalty discount", 0.4), ("-245,00 EUR", 0.7)],
        &[("Totaal excl. btw", 0.4), ("4.655,00 EUR", 0.7)],
        &[("Btw 0 % (4.655,00 EUR)", 0.4), ("0,00 EUR", 0.7)],
        &[("Totaal incl. btw", 0.4), ("4.655,00 EUR", 0.7)],
    ]);
    let (v, c) = value_and_confidence(&out, "Subtotal");
    assert_eq!(v, "4.900,00 EUR");
    assert!(c < 0.7, "{c}");
    // No discount between: the net is the subtotal, and the sum makes it sure.
    let out = extract(&[
        &[("Subtotal", 0.4), ("$100.00", 0.7)],
        &[("Tax", 0.4), ("$8.00", 0.7)],
        &[("Total", 0.4), ("$108.00", 0.7)],
    ]);
    let (v, c) = value_and_confidence(&out, "Subtotal");
    assert_eq!(v, "$100.00");
    assert!(c >= 0.9, "{c}");
}

#[test]
fn a_heading_that_starts_with_a_terms_word_is_not_terms() {
    for line in [
        "Conditions générales de vente",
        "Terms and conditions apply",
    ] {
        let out = extract(&[&[(line, 0.05)]]);
        let (v, c) = value_and_confidence(&out, "PaymentTerms");
        assert!(v.is_null() || c < 0.7, "{line}: {v} {c}");
    }
}
