//! Pages whose title is not read (a logo, cropped, misread): the type named inside a label of the
//! class's own fields, backed by the rest of a bill's labels, still makes them the class, at a
//! body-only confidence; a page that only refers to the type by such a label does not.

use super::*;

/// An untitled page: the header block (six lines: prominent, where a title would be) then
/// `body`, none of it prominent.
fn untitled(body: &[&str]) -> PageContent {
    let mut lines = vec![
        "Northwind Trading",
        "4 Harbour Road",
        "Portsmouth PO1 2AB",
        "Customer: Contoso Ltd",
        "17 Mill Lane",
        "Bristol BS1 4DJ",
    ];
    lines.extend_from_slice(body);
    page(1, 0, &lines)
}

/// The bill's body: the typed number label, then what every bill prints (date, items, tax,
/// total), by language.
#[rustfmt::skip]
const UNTITLED: &[(&str, &[&str])] = &[
    ("en", &["Invoice No: 2024-117\tDate: 03/02/2024", "Description\tQty\tUnit price\tAmount",
             "Cabling\t2\t60.00\t120.00", "VAT 20%\t24.00", "Total\t144.00"]),
    ("de", &["Rechnungsnummer: 2024-117\tDatum: 03.02.2024", "Beschreibung\tMenge\tEinzelpreis\tBetrag",
             "Montage\t2\t60,00\t120,00", "MwSt 19 %\t22,80", "Gesamtbetrag\t142,80"]),
    ("fr", &["N° de facture : 2024-117\tDate : 03/02/2024", "Désignation\tQuantité\tPrix unitaire\tMontant",
             "Câblage\t2\t60,00\t120,00", "TVA 20 %\t24,00", "Total TTC\t144,00"]),
    ("nl", &["Factuurnummer: 2024-117\tDatum: 03-02-2024", "Omschrijving\tAantal\tPrijs per stuk\tBedrag",
             "Bekabeling\t2\t60,00\t120,00", "BTW 21%\t25,20", "Totaal\t145,20"]),
    ("it", &["Numero fattura: 2024-117\tData: 03/02/2024", "Descrizione\tQuantità\tPrezzo unitario\tImporto",
             "Cablaggio\t2\t60,00\t120,00", "IVA 22%\t26,40", "Totale\t146,40"]),
];

#[test]
fn an_untitled_bill_is_read_by_its_typed_number_label() {
    let config = invoice_and_receipt();
    let titled = one(&config, invoice_page(1, "2024-117", &[]));
    for (lang, lines) in UNTITLED {
        let v = one(&config, untitled(lines));
        assert_eq!(v.class, "invoice", "{lang}: {v:?}");
        // Read from its body: never as sure as a page that prints its title.
        assert!(
            v.confidence < titled.confidence,
            "{lang}: {v:?} vs {titled:?}"
        );
    }
}

#[test]
fn labels_name_the_type_when_the_type_word_is_inside_them() {
    let config = invoice_only();
    let index = score::Index::new(&config);
    for text in [
        "Invoice number 12",
        "Rechnungsnummer 12",
        "N° de facture 12",
        "Nr faktury 12",
        "Číslo faktury 12",
        "Factuurnummer 12",
    ] {
        let s = index.score(&PageView::from_text(text));
        assert!(s.classes[0].typed_label, "{text}: {s:?}");
    }
    // The type word in an address line or in running text is no label of the type.
    for text in [
        "Bill to: Dupont SA",
        "Facturé à : Dupont SA",
        "We have received the payment for your invoice",
        "Subtotal 12.00",
    ] {
        let s = index.score(&PageView::from_text(text));
        assert!(!s.classes[0].typed_label, "{text}: {s:?}");
    }
}

/// A letter quotes the invoice it follows up by its number; with nothing of a bill's amounts
/// on it, it is no invoice.
#[test]
fn a_letter_that_only_quotes_an_invoice_number_stays_unclassified() {
    let config = invoice_and_receipt();
    #[rustfmt::skip]
    let letters: [&[&str]; 3] = [
        &["Geachte heer, mevrouw,", "naar aanleiding van factuurnummer 2024-117 van 3 februari laten wij",
          "u weten dat ons kantoor volgende maand naar een nieuw adres verhuist en dat",
          "onze openingstijden vanaf maandag veranderen, zoals beschreven in de folder",
          "die bij deze brief is gevoegd. Wij danken u voor uw begrip en staan tot uw",
          "beschikking voor elke vraag over de verhuizing. Met vriendelijke groet"],
        &["Sehr geehrte Damen und Herren,", "zu Rechnungsnummer 2024-117 vom 03.02.2024 teilen wir",
          "Ihnen mit, dass unser Büro im nächsten Monat an eine neue Adresse umzieht und",
          "sich unsere Öffnungszeiten ab Montag ändern, wie im beiliegenden Faltblatt",
          "beschrieben. Wir danken Ihnen für Ihr Verständnis und stehen Ihnen für alle",
          "Fragen zum Umzug gerne zur Verfügung. Mit freundlichen Grüßen"],
        &["Madame, Monsieur,", "suite au n° de facture 2024-117 du 03/02/2024, nous vous informons",
          "que notre bureau déménage le mois prochain à une nouvelle adresse et que nos",
          "horaires d'ouverture changent à partir de lundi, comme indiqué dans le dépliant",
          "joint à cette lettre. Nous vous remercions de votre compréhension et restons",
          "à votre disposition pour toute question sur ce déménagement. Cordialement"],
    ];
    for lines in letters {
        let v = one(&config, untitled(lines));
        assert_eq!(v.class, UNCLASSIFIED, "{v:?}");
    }
}

/// A till receipt that prints an invoice number stays a receipt: its cash and change say more.
#[test]
fn a_receipt_with_an_invoice_number_stays_a_receipt() {
    let config = invoice_and_receipt();
    #[rustfmt::skip]
    let receipts: [&[&str]; 2] = [
        &["Invoice No: 88123", "Cappuccino\t3.20", "Total\t3.20", "Cash\t5.00", "Change\t1.80",
          "Card payment\tno", "Thank you for your visit"],
        &["Rechnungsnummer: 88123", "Brötchen\t3,20", "Summe\t3,20", "Bar\t5,00", "Rückgeld\t1,80",
          "Kasse 2\tKassierer 4", "Vielen Dank für Ihren Einkauf"],
    ];
    for lines in receipts {
        let v = one(&config, untitled(lines));
        assert_ne!(v.class, "invoice", "{v:?}");
    }
}

/// The rule itself, on scores: a body too close to call between an invoice and a receipt (they
/// share totals and tax lines) is the invoice when only its labels name its type, at a
/// confidence under review; without the typed label, or with both classes' labels typed, or
/// with too little backing it, it stays unclassified.
#[test]
fn a_typed_label_settles_a_close_body_only_when_no_other_class_has_one() {
    let config = invoice_and_receipt();
    let class = |body_raw: f32, typed_label: bool, backing: usize| score::ClassScore {
        body_raw,
        body: 1.0 - (-body_raw / 2.5f32).exp(),
        typed_label,
        backing,
        ..score::ClassScore::default()
    };
    let scores = |invoice, receipt| score::PageScores {
        classes: vec![invoice, receipt],
        words: 80,
        ..score::PageScores::default()
    };
    let (v, _) = decide(
        &config,
        &scores(class(6.9, true, 6), class(3.3, false, 4)),
        None,
    );
    assert_eq!(v.class, "invoice", "{v:?}");
    assert!(v.confidence < 0.7, "{v:?}");
    assert_eq!(v.evidence[0], "its labels name its type", "{v:?}");
    for (invoice, receipt) in [
        (class(6.9, false, 6), class(3.3, false, 4)),
        (class(6.9, true, 6), class(3.3, true, 4)),
        (class(6.9, true, 2), class(3.3, false, 4)),
        (class(3.5, true, 6), class(3.3, false, 4)),
    ] {
        let (v, _) = decide(&config, &scores(invoice, receipt), None);
        assert_eq!(v.class, UNCLASSIFIED, "{v:?}");
    }
}
