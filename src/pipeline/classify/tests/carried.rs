//! A PDF that carries its invoice as XML is that type, whatever its pages read like.

use super::*;
use crate::model::einvoice::EInvoice;

fn carrying(type_code: &str) -> Option<Box<EInvoice>> {
    Some(Box::new(EInvoice {
        source: "CII urn:ferd:CrossIndustryDocument:invoice:1p0:extended".into(),
        type_code: Some(type_code.into()),
        ..EInvoice::default()
    }))
}

/// A till slip's words: what made a ZUGFeRD goods invoice read as a receipt.
const TILL: &[&str] = &[
    "Bäckerei Sonnenschein",
    "Brötchen\t3,20",
    "Summe\t3,20",
    "Bar\t5,00",
    "Rückgeld\t1,80",
    "Kasse 2\tKassierer 4",
    "Vielen Dank für Ihren Einkauf",
];

#[test]
fn the_carried_type_code_decides_every_page() {
    let config = invoice_and_receipt();
    let mut first = page(1, 0, TILL);
    let second = page(2, 0, &["Allgemeine Geschäftsbedingungen", "1. Geltung"]);
    assert_ne!(
        classify_pages(&config, &[first.clone()])[0].class,
        "invoice"
    );
    first.einvoice = carrying("380");
    let v = classify_pages(&config, &[first, second]);
    assert!(v.iter().all(|p| p.class == "invoice"), "{v:?}");
    assert!(v[0].confidence > 0.9);
    assert!(v[0].evidence[0].contains("type code 380"), "{v:?}");
}

#[test]
fn a_carried_credit_note_needs_a_class_of_its_type_or_an_invoice_class() {
    let mut p = page(1, 0, TILL);
    p.einvoice = carrying("381");
    // No credit note class: the invoice class, whose fields a credit note has.
    let v = classify_pages(&invoice_and_receipt(), std::slice::from_ref(&p));
    assert_eq!(v[0].class, "invoice");
    // A configuration with no invoice type at all is not overruled.
    let receipts_only = ClassConfig::from_yaml(
        "classes:\n  - $id: receipt\n    type: object\n    properties:\n      Total: {type: string}\n",
    )
    .unwrap();
    let v = classify_pages(&receipts_only, &[p]);
    assert!(!v[0].evidence.iter().any(|e| e.contains("XML")), "{v:?}");
}

#[test]
fn a_page_regex_of_the_configuration_still_wins() {
    let mut config = invoice_and_receipt();
    let receipt = config
        .classes
        .iter_mut()
        .find(|c| c.name == "receipt")
        .unwrap();
    receipt.evidence.page_regex = Some(regex::Regex::new("Kassierer").unwrap());
    let mut p = page(1, 0, TILL);
    p.einvoice = carrying("380");
    let v = classify_pages(
        &config,
        &[p, page(2, 0, &["Allgemeine Geschäftsbedingungen"])],
    );
    assert_eq!(v[0].class, "receipt", "{v:?}");
    assert_eq!(v[1].class, "invoice", "{v:?}");
}
