//! Generic extraction (no hints) on synthetic pages: labels in several languages, totals by
//! role, letterhead and bill-to blocks, line-item columns, and confidence that follows evidence.

use super::*;
use crate::model::BoundingBox;
use crate::pipeline::config::ClassConfig;

/// A text-layer page (see [`super::fixtures::TEXT_LAYER`]).
fn page(lines: &[&[(&str, f32)]]) -> PageContent {
    super::fixtures::page(lines, &super::fixtures::TEXT_LAYER)
}

fn invoice_class() -> ClassDef {
    let yaml = r#"
classes:
  - $id: invoice
    type: object
    properties:
      InvoiceNumber: {type: string, description: Unique identifier for the invoice}
      InvoiceDate: {type: string, description: Date when the invoice was issued}
      VendorName: {type: string, description: Name of the business providing goods or services}
      VendorAddress: {type: string, description: Physical location of the vendor}
      CustomerName: {type: string, description: Name of the person or entity being billed}
      CustomerAddress: {type: string, description: Address where invoice is sent}
      Items: {type: string, description: Descriptions of products or services}
      Quantities: {type: string, description: Number of each item}
      Subtotal: {type: string, description: Sum before tax}
      Tax: {type: string, description: Tax amount charged}
      TotalAmount: {type: string, description: Final amount to be paid}
      AmountDue: {type: number, description: Final amount as a number}
"#;
    ClassConfig::from_yaml(yaml).unwrap().classes.remove(0)
}

fn attr<'a>(out: &'a SectionExtraction, k: &str) -> &'a Value {
    &out.attributes[k]
}

#[test]
fn german_labels_letterhead_bill_to_and_items() {
    let p = page(&[
        &[("Müller Haustechnik GmbH", 0.05)],
        &[("Hauptstraße 5", 0.05)],
        &[("80331 München", 0.05)],
        &[],
        &[
            ("Rechnungsempfänger:", 0.05),
            ("Rechnungsnummer: RE-55120", 0.55),
        ],
        &[
            ("Schmidt Partner KG", 0.05),
            ("Rechnungsdatum: 7. Mai 2024", 0.55),
        ],
        &[("Gartenweg 14", 0.05)],
        &[("10115 Berlin", 0.05)],
        &[],
        &[("Beschreibung", 0.05), ("Menge", 0.45), ("Betrag", 0.7)],
        &[("Wartung Heizung", 0.05), ("1", 0.46), ("EUR 240,00", 0.7)],
        &[("Ersatzteile", 0.05), ("4", 0.46), ("EUR 50,00", 0.7)],
        &[],
        &[("Nettobetrag:", 0.5), ("EUR 290,00", 0.7)],
        &[("MwSt. 19 %:", 0.5), ("EUR 55,10", 0.7)],
        &[("Gesamtbetrag:", 0.5), ("EUR 345,10", 0.7)],
    ]);
    let out = extract_section(&invoice_class(), &[&p]);
    assert_eq!(attr(&out, "InvoiceNumber"), "RE-55120");
    assert_eq!(attr(&out, "InvoiceDate"), "7. Mai 2024");
    assert_eq!(attr(&out, "VendorName"), "Müller Haustechnik GmbH");
    assert_eq!(attr(&out, "VendorAddress"), "Hauptstraße 5, 80331 München");
    assert_eq!(attr(&out, "CustomerName"), "Schmidt Partner KG");
    assert_eq!(attr(&out, "CustomerAddress"), "Gartenweg 14, 10115 Berlin");
    assert_eq!(attr(&out, "Items"), "Wartung Heizung; Ersatzteile");
    assert_eq!(attr(&out, "Quantities"), "1; 4");
    assert_eq!(attr(&out, "Subtotal"), "EUR 290,00");
    assert_eq!(attr(&out, "Tax"), "EUR 55,10");
    assert_eq!(attr(&out, "TotalAmount"), "EUR 345,10");
    // `type: number` gets the locale-aware parse, not 345.1 read as 34510 or 345.10 as 3.451.
    assert_eq!(attr(&out, "AmountDue"), 345.1);
    // Labelled and typed: confident. Read by position: under the usual thresholds.
    assert!(out.fields["InvoiceNumber"].confidence > 0.9);
    assert!(out.fields["TotalAmount"].confidence > 0.9);
    assert!(out.fields["VendorName"].confidence < 0.7);
    assert!(out.fields["Items"].confidence < 0.7);
}

#[test]
fn the_total_is_the_amount_not_the_date_or_the_rest_of_the_label() {
    let p = page(&[
        &[("Invoice Number: 42183017", 0.5)],
        &[("TOTAL AMOUNT DUE ON August 3 , 2014", 0.5), ("$4.11", 0.9)],
        &[("Total HT : 46,68 €", 0.5)],
    ]);
    let out = extract_section(&invoice_class(), &[&p]);
    assert_eq!(attr(&out, "TotalAmount"), "$4.11");
    // "Total HT" is the subtotal's label, not a total.
    assert_eq!(attr(&out, "Subtotal"), "46,68 €");
    assert_eq!(attr(&out, "InvoiceNumber"), "42183017");
}

#[test]
fn french_labels_with_the_value_in_the_labels_word() {
    let p = page(&[
        &[("Facture n°562044387 du 02 Juillet 2015", 0.05)],
        &[("Total TTC :", 0.5), ("56,02 €", 0.8)],
        &[("TVA 20 % :", 0.5), ("9,34 €", 0.8)],
    ]);
    let out = extract_section(&invoice_class(), &[&p]);
    assert_eq!(attr(&out, "InvoiceNumber"), "562044387");
    assert_eq!(attr(&out, "TotalAmount"), "56,02 €");
    assert_eq!(attr(&out, "Tax"), "9,34 €");
}

#[test]
fn a_date_is_not_an_invoice_number_and_nothing_is_better_than_a_guess() {
    let p = page(&[&[("Invoice No:", 0.05), ("28/11/2022", 0.3)]]);
    let out = extract_section(&invoice_class(), &[&p]);
    assert!(attr(&out, "InvoiceNumber").is_null(), "{out:?}");
    assert_eq!(out.fields["InvoiceNumber"].confidence, 0.0);
}

#[test]
fn a_value_that_does_not_parse_as_its_type_is_never_confident() {
    let class = invoice_class();
    let field = class.field("AmountDue").unwrap();
    let p = page(&[&[("Total", 0.05)]]);
    let views = [view::PageView::new(&p)];
    let pick = generic::Pick {
        text: "n/a".into(),
        score: 1.0,
        page: 0,
        words: vec![0],
        bbox: BoundingBox::default(),
        label: Some("total".into()),
        reason: "label \"total\" matched 100%".into(),
    };
    let r = generic::to_result(&views, field, pick);
    assert!(r.value.is_null());
    assert!(r.confidence <= 0.4, "{}", r.confidence);
    assert!(r.confidence_reason.contains("does not parse"));
}

#[test]
fn a_total_read_from_a_row_of_a_column_grid_stays_under_threshold() {
    // "Total facture" heads a row of three amounts (HT, TVA, TTC) with no header over them: which
    // cell is the total is not known, so whichever is read is not confident.
    let grid = page(&[&[
        ("Total facture", 0.05),
        ("24.99", 0.4),
        ("5.00", 0.6),
        ("29.99", 0.8),
    ]]);
    let out = extract_section(&invoice_class(), &[&grid]);
    let total = &out.fields["TotalAmount"];
    assert!(!total.value.is_null(), "{out:?}");
    assert!(total.confidence < 0.8, "{total:?}");
    assert!(total.confidence_reason.contains("column grid"), "{total:?}");
    // The one amount of the row stands under the net amount's column: not the total either.
    let headed = page(&[
        &[("Montant HT", 0.4)],
        &[("Total facture", 0.05), ("24.99", 0.4)],
    ]);
    let out = extract_section(&invoice_class(), &[&headed]);
    let total = &out.fields["TotalAmount"];
    assert!(total.confidence < 0.8, "{total:?}");
    assert!(
        total.confidence_reason.contains("another amount"),
        "{total:?}"
    );
    // A label with one amount of its own, and a second label–value pair further right, is no
    // grid: the total keeps its confidence.
    let pairs = page(&[&[
        ("Total amount", 0.05),
        ("$29.99", 0.4),
        ("Discount", 0.6),
        ("$5.00", 0.8),
    ]]);
    let out = extract_section(&invoice_class(), &[&pairs]);
    assert!(out.fields["TotalAmount"].confidence > 0.9, "{out:?}");
}

#[test]
fn a_vendor_from_a_footer_legal_line_needs_the_letterhead_to_agree() {
    let mut lines: Vec<&[(&str, f32)]> = vec![
        &[("LE FOURNISSEUR", 0.05)],
        &[("35 rue d'ici", 0.05)],
        &[("75018 PARIS", 0.05)],
    ];
    lines.extend(std::iter::repeat_n(&[][..], 34));
    lines.push(&[(
        "Fournisseur F SARL au capital de 50 000 EUR - RCS MAVILLE 123 456 782",
        0.05,
    )]);
    let out = extract_section(&invoice_class(), &[&page(&lines)]);
    let vendor = &out.fields["VendorName"];
    assert!(vendor.confidence < 0.8, "{vendor:?}");
    // The same footer naming the letterhead's company confirms it.
    let last = lines.len() - 1;
    lines[last] = &[(
        "Fournisseur LE FOURNISSEUR SARL au capital de 50 000 EUR - RCS MAVILLE",
        0.05,
    )];
    let out = extract_section(&invoice_class(), &[&page(&lines)]);
    let vendor = &out.fields["VendorName"];
    assert!(!vendor.confidence_reason.contains("footer"), "{vendor:?}");
}
