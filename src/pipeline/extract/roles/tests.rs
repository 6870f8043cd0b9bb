//! The vendor from a labelled sender block, in several languages: the block's name line and
//! the address under it, and a label word that is the first word of the company's name.

use crate::model::PageContent;
use crate::pipeline::config::ClassConfig;
use crate::pipeline::extract::{extract_section, fixtures};

fn page(lines: &[&[(&str, f32)]]) -> PageContent {
    fixtures::page(lines, &fixtures::TEXT_LAYER)
}

fn vendor_of(p: &PageContent) -> (String, String) {
    let yaml = r#"
classes:
  - $id: invoice
    type: object
    properties:
      VendorName: {type: string, description: Name of the business providing goods or services}
      VendorAddress: {type: string, description: Physical location of the vendor}
      TotalAmount: {type: string, description: Final amount to be paid}
"#;
    let class = ClassConfig::from_yaml(yaml).unwrap().classes.remove(0);
    let out = extract_section(&class, &[p]);
    let s = |k: &str| out.attributes[k].as_str().unwrap_or("").to_string();
    (s("VendorName"), s("VendorAddress"))
}

#[test]
fn a_labelled_sender_block_gives_its_name_and_address() {
    let cases = [
        (
            "Verkäufer:",
            "Nordlicht Technik GmbH",
            "Hafenstraße 12",
            "20457 Hamburg",
        ),
        (
            "Seller:",
            "Brightwater Tools Ltd",
            "14 Mill Lane",
            "Leeds LS1 4AB",
        ),
        (
            "Vendeur :",
            "Atelier Lumière SARL",
            "12 rue des Lilas",
            "69003 Lyon",
        ),
        (
            "Leverancier",
            "Van Dijk Installaties B.V.",
            "Kanaalweg 33",
            "3526 KM Utrecht",
        ),
        (
            "Fornitore:",
            "Ferri Impianti S.r.l.",
            "Via Roma 21",
            "20121 Milano",
        ),
    ];
    for (label, name, street, town) in cases {
        let p = page(&[
            &[("Invoice", 0.05)],
            &[],
            &[(label, 0.05), ("Invoice No: A-1001", 0.55)],
            &[(name, 0.05)],
            &[(street, 0.05)],
            &[(town, 0.05)],
            &[],
            &[],
            &[("Total", 0.5), ("120,00", 0.7)],
        ]);
        let (n, a) = vendor_of(&p);
        assert_eq!(n, name, "{label}");
        assert_eq!(a, format!("{street}, {town}"), "{label}");
    }
}

/// A German invoice whose top block is `top` (one line each), its title and number below.
fn german_invoice(top: &[&str]) -> PageContent {
    let mut lines: Vec<Vec<(&str, f32)>> = top.iter().map(|t| vec![(*t, 0.05)]).collect();
    for rest in [
        &[][..],
        &[("Rechnung", 0.05)],
        &[("Rechnungsnummer: 471102", 0.05)],
        &[],
        &[("Gesamtbetrag", 0.5), ("120,00", 0.7)],
    ] {
        lines.push(rest.to_vec());
    }
    let refs: Vec<&[(&str, f32)]> = lines.iter().map(Vec::as_slice).collect();
    page(&refs)
}

#[test]
fn a_label_word_before_a_company_form_is_the_name() {
    let p = german_invoice(&["Lieferant GmbH", "Lieferantenstraße 20", "80333 München"]);
    let (n, a) = vendor_of(&p);
    assert_eq!(n, "Lieferant GmbH");
    assert_eq!(a, "Lieferantenstraße 20, 80333 München");
}

#[test]
fn a_sender_block_under_a_heading_the_lexicon_does_not_know() {
    for heading in ["Rechnungsersteller:", "Leistungserbringer:", "Emisor:"] {
        let p = german_invoice(&[heading, "Sonnenhof Dienste AG", "Am Markt 1", "50667 Köln"]);
        let (n, a) = vendor_of(&p);
        assert_eq!(n, "Sonnenhof Dienste AG", "{heading}");
        assert_eq!(a, "Am Markt 1, 50667 Köln", "{heading}");
    }
}
