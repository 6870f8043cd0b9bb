//! Fields of a page that carries its invoice as XML: printed values in their printed form,
//! values only the XML states below the review threshold, disagreements sent to review.

use crate::model::einvoice::{EInvoice, Item, Party};
use crate::pipeline::config::{ClassConfig, ClassDef};
use crate::pipeline::extract::{SectionExtraction, extract_section, fixtures};

fn invoice_class() -> ClassDef {
    let yaml = "classes:\n  - $id: invoice\n    type: object\n    properties:\n\
      \x20     InvoiceNumber: {type: string, description: Unique identifier for the invoice}\n\
      \x20     InvoiceDate: {type: string, description: Date when the invoice was issued}\n\
      \x20     VendorName: {type: string, description: Name of the business providing goods or services}\n\
      \x20     VendorAddress: {type: string, description: Physical location of the vendor}\n\
      \x20     CustomerName: {type: string, description: Name of the person or entity being billed}\n\
      \x20     Items: {type: string, description: Descriptions of products or services}\n\
      \x20     Quantities: {type: string, description: Number of each item}\n\
      \x20     TotalAmount: {type: string, description: Final amount to be paid}\n\
      \x20     PoNumber: {type: string, description: Purchase order reference number}\n\
      \x20     PaymentTerms: {type: string, description: Payment conditions (30 days, COD, etc.)}\n";
    ClassConfig::from_yaml(yaml).unwrap().classes.remove(0)
}

fn stated() -> EInvoice {
    EInvoice {
        source: "CII urn:cen.eu:en16931:2017".into(),
        type_code: Some("380".into()),
        number: Some("F20260023".into()),
        issue_date: Some("2026-01-31".into()),
        seller: Some(Party {
            name: Some("LE FOURNISSEUR".into()),
            lines: vec!["35 rue d'ici".into(), "Seller line 3".into()],
            postcode: Some("75018".into()),
            city: Some("PARIS".into()),
            country: Some("FR".into()),
        }),
        buyer: Some(Party {
            name: Some("Le Client SA".into()),
            ..Party::default()
        }),
        order_reference: Some("PO-9".into()),
        payment_terms: Some("30 jours net".into()),
        grand_total: Some("104.90".into()),
        items: ["Support", "Papier", "Appel"]
            .iter()
            .zip(["1.0000", "3.0000", "1.0000"])
            .map(|(n, q)| Item {
                name: Some(n.to_string()),
                quantity: Some(q.into()),
                ..Item::default()
            })
            .collect(),
        ..EInvoice::default()
    }
}

fn extract(lines: &[&[(&str, f32)]], inv: Option<EInvoice>) -> SectionExtraction {
    let mut page = fixtures::page(lines, &fixtures::TEXT_LAYER);
    page.einvoice = inv.map(Box::new);
    extract_section(&invoice_class(), &[&page])
}

const PAGE: &[&[(&str, f32)]] = &[
    &[("LE FOURNISSEUR", 0.05)],
    &[("35 rue d'ici", 0.05)],
    &[("75018 PARIS FR", 0.05)],
    &[],
    &[("FACTURE", 0.05), ("Facture n°: F20260023", 0.55)],
    &[("Date: 31/01/2026", 0.55)],
    &[("LE CLIENT SA", 0.55)],
    &[],
    &[("Désignation", 0.05), ("Qté", 0.5), ("Montant", 0.7)],
    &[("Support", 0.05), ("1,00", 0.5), ("60,00", 0.7)],
    &[("Papier", 0.05), ("3,00", 0.5), ("37,90", 0.7)],
    &[("Appel", 0.05), ("1,00", 0.5), ("7,00", 0.7)],
    &[],
    &[("Net à payer", 0.5), ("104,90 EUR", 0.7)],
    &[("Conditions: paiement à réception", 0.05)],
];

#[test]
fn a_stated_value_the_page_prints_is_taken_in_its_printed_form_and_sure() {
    let out = extract(PAGE, Some(stated()));
    let f = &out.fields;
    assert_eq!(out.attributes["InvoiceNumber"], "F20260023");
    assert_eq!(out.attributes["InvoiceDate"], "31/01/2026");
    assert_eq!(out.attributes["TotalAmount"], "104,90 EUR");
    // A name that reads like a heading is still the seller's: the XML names it.
    assert_eq!(out.attributes["VendorName"], "LE FOURNISSEUR");
    assert_eq!(out.attributes["CustomerName"], "LE CLIENT SA");
    for k in [
        "InvoiceNumber",
        "InvoiceDate",
        "TotalAmount",
        "VendorName",
        "CustomerName",
    ] {
        assert!(f[k].source.is_some(), "{k} has its place on the page");
    }
    // The labels read the same: two readings agree.
    for k in ["InvoiceNumber", "InvoiceDate", "TotalAmount"] {
        assert!(f[k].confidence >= 0.9, "{k}: {:?}", f[k]);
    }
    // The labels read the seller's block as the customer: the XML's buyer, printed, wins, but
    // a disagreement goes to review with what the labels read.
    let c = &f["CustomerName"];
    assert!(c.confidence <= 0.65, "{c:?}");
    assert!(c.confidence_reason.contains("LE FOURNISSEUR"), "{c:?}");
    // The street line the page leaves out is left out; the country code it prints is kept.
    assert_eq!(
        out.attributes["VendorAddress"],
        "35 rue d'ici, 75018 PARIS, FR"
    );
}

#[test]
fn a_value_only_the_xml_states_goes_to_review_and_a_disagreement_names_the_xml() {
    let out = extract(PAGE, Some(stated()));
    let po = &out.fields["PoNumber"];
    assert_eq!(po.value, "PO-9");
    assert!(po.confidence < 0.7 && po.source.is_none(), "{po:?}");
    let terms = &out.fields["PaymentTerms"];
    assert!(terms.confidence <= 0.65, "{terms:?}");
    assert!(
        terms.confidence_reason.contains("30 jours net"),
        "{terms:?}"
    );
}

#[test]
fn line_items_come_from_the_xml_when_the_table_misses_rows() {
    let mut lines: Vec<&[(&str, f32)]> = PAGE.to_vec();
    // The third row printed without its quantity column: the table reader sees two rows.
    lines[11] = &[("Appel téléphonique facturé au forfait selon contrat", 0.05)];
    let out = extract(&lines, Some(stated()));
    // Each description to the end of its cell; each quantity as its row prints it, the XML's
    // where the row prints none.
    assert_eq!(
        out.attributes["Items"],
        "Support; Papier; Appel téléphonique facturé au forfait selon contrat"
    );
    assert_eq!(out.attributes["Quantities"], "1,00; 3,00; 1.00");
    assert!(out.fields["Quantities"].confidence < 0.7);
}

#[test]
fn without_an_embedded_invoice_the_labels_alone_decide() {
    let out = extract(PAGE, None);
    assert!(out.fields["PoNumber"].value.is_null());
    assert_eq!(out.attributes["InvoiceNumber"], "F20260023");
    assert!(
        out.fields
            .values()
            .all(|f| !f.confidence_reason.contains("invoice XML"))
    );
}

#[test]
fn a_table_with_as_many_rows_stands_only_when_its_cells_read_as_the_xml() {
    // As many rows as the XML's lines, most cells as stated: the table's reading stands.
    let out = extract(PAGE, Some(stated()));
    assert_eq!(out.attributes["Quantities"], "1,00; 3,00; 1,00");
    assert!(!out.fields["Quantities"].confidence_reason.contains("XML"));
    // Three rows whose quantity cells read other numbers (a column the reader took for
    // another): the XML's lines, in the row's printed form where the row prints them.
    let mut inv = stated();
    for (item, q) in inv.items.iter_mut().zip(["7.0000", "8.0000", "1.0000"]) {
        item.quantity = Some(q.into());
    }
    let out = extract(PAGE, Some(inv));
    assert_eq!(out.attributes["Quantities"], "7.00; 8.00; 1,00");
    assert!(out.fields["Quantities"].confidence < 0.7);
}

#[test]
fn a_reference_agrees_only_letter_for_letter() {
    let mut lines: Vec<&[(&str, f32)]> = PAGE.to_vec();
    // The labels read a number one digit off what the XML states; the stated one is printed
    // lower down. Nearly the same is not the same for a reference.
    lines[4] = &[("FACTURE", 0.05), ("Facture n°: F20260024", 0.55)];
    lines.push(&[("Référence de paiement F20260023", 0.05)]);
    let out = extract(&lines, Some(stated()));
    let n = &out.fields["InvoiceNumber"];
    assert_eq!(n.value, "F20260023");
    assert!(n.confidence <= 0.65, "{n:?}");
    assert!(n.confidence_reason.contains("F20260024"), "{n:?}");
}
