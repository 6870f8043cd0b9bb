//! Pages with two party blocks and lines that sit where a party's name does but name none: a
//! footer's legal sentence that opens with the vendor's label word, the payee's block of a
//! payment slip, a customer number under the customer's block, a delivery heading beside the
//! customer's, a column of the document's dates and numbers. In several languages.

use super::tests::{page, parties_of, parties_with_confidence};
use crate::model::PageContent;
use crate::pipeline::config::ClassConfig;
use crate::pipeline::extract::extract_section;

/// Sender and buyer side by side under their headings, a footer sentence at the foot.
fn two_blocks(
    headings: (&str, &str),
    seller: [&str; 3],
    buyer: [&str; 3],
    foot: &str,
) -> PageContent {
    let mut lines: Vec<Vec<(&str, f32)>> = vec![
        vec![("Faktura 2024-0470", 0.05)],
        vec![],
        vec![(headings.0, 0.05), (headings.1, 0.55)],
    ];
    for i in 0..3 {
        lines.push(vec![(seller[i], 0.05), (buyer[i], 0.55)]);
    }
    lines.extend((0..24).map(|_| Vec::new()));
    lines.push(vec![("Celkem 1 215,00", 0.6)]);
    lines.push(vec![]);
    lines.push(vec![(foot, 0.05)]);
    let refs: Vec<&[(&str, f32)]> = lines.iter().map(Vec::as_slice).collect();
    page(&refs)
}

#[test]
fn a_footer_sentence_that_opens_with_the_vendor_label_is_no_vendor() {
    for (headings, seller, buyer, foot) in [
        (
            ("DODAVATEL", "ODBĚRATEL"),
            [
                "Kučera Účetnictví v.o.s.",
                "Nádražní 2424/34",
                "460 01 Liberec",
            ],
            [
                "Dvořák Doprava s.r.o.",
                "Vodičkova 2250/16",
                "110 00 Praha 1",
            ],
            "Dodavatel je zapsán v obchodním rejstříku vedeném Městským soudem v Praze, oddíl C, vložka 123456.",
        ),
        (
            ("LIEFERANT", "KUNDE"),
            ["Bauer Elektro GmbH", "Gartenweg 97", "20095 Hamburg"],
            ["Neumann Spedition GmbH", "Hauptstraße 87", "04109 Leipzig"],
            "Lieferant ist eingetragen im Handelsregister des Amtsgerichts Hamburg unter HRB 12345 und haftet nur für Vorsatz.",
        ),
    ] {
        let ((vn, va), (cn, _)) = parties_of(&two_blocks(headings, seller, buyer, foot));
        assert_eq!(vn, seller[0], "{foot}");
        assert_eq!(va, format!("{}, {}", seller[1], seller[2]), "{foot}");
        assert_eq!(cn, buyer[0], "{foot}");
    }
}

#[test]
fn the_payees_block_of_a_payment_slip_is_not_the_customer() {
    // The letterhead names the issuer; the customer's block sits under its label; the payment
    // slip at the foot heads the issuer's name with a "recipient" word of the lexicon.
    for (issuer, town, label, customer, payee) in [
        (
            "Pedersen Trykkeri ApS",
            "Algade 128, 4000 Roskilde",
            "Køber",
            "Andersen Rengøring I/S",
            "Modtager",
        ),
        (
            "Hoffmann Elektro GmbH",
            "Gartenweg 9, 20095 Hamburg",
            "Käufer",
            "Hartmann Spedition GmbH",
            "Empfänger",
        ),
    ] {
        let mut lines: Vec<Vec<(&str, f32)>> = vec![
            vec![(issuer, 0.05)],
            vec![(town, 0.05)],
            vec![],
            vec![],
            vec![(label, 0.05)],
            vec![],
            vec![(customer, 0.05)],
            vec![("Østergade 159", 0.05)],
            vec![("4000 Roskilde", 0.05)],
        ];
        lines.extend((0..20).map(|_| Vec::new()));
        lines.push(vec![("Total 5.441,01", 0.6)]);
        lines.push(vec![]);
        lines.push(vec![(payee, 0.05), ("IBAN", 0.4)]);
        lines.push(vec![]);
        lines.push(vec![(issuer, 0.05), ("DK65 9091 4077 6682 72", 0.4)]);
        let refs: Vec<&[(&str, f32)]> = lines.iter().map(Vec::as_slice).collect();
        let (_, (name, _)) = parties_of(&page(&refs));
        assert_eq!(name, customer, "{label}");
    }
}

#[test]
fn a_delivery_heading_beside_the_customers_is_not_its_name() {
    for (label, ship, name, street, town) in [
        (
            "Příjemce",
            "Místo dodání",
            "Lucie Nováková",
            "Školní 1343/53",
            "602 00 Brno",
        ),
        (
            "Kund",
            "Leveransadress",
            "Karin Lindberg",
            "Ringvägen 156",
            "111 22 Stockholm",
        ),
        (
            "Nabywca",
            "Adres dostawy",
            "Michał Krawczyk",
            "ul. Polna 58/40",
            "80-001 Gdańsk",
        ),
    ] {
        let p = page(&[
            &[("Faktura 24100523", 0.6)],
            &[],
            &[(label, 0.05), (ship, 0.3)],
            &[],
            &[(name, 0.05), (name, 0.3)],
            &[(street, 0.05), ("Husova 1615/54", 0.3)],
            &[(town, 0.05), (town, 0.3)],
            &[],
            &[("Celkem 1 215,00", 0.6)],
        ]);
        let (_, (n, a)) = parties_of(&p);
        assert_eq!(n, name, "{label}");
        assert_eq!(a, format!("{street}, {town}"), "{label}");
    }
}

#[test]
fn a_customer_number_line_and_a_column_of_dates_are_no_party() {
    // An unheaded block at the top left (name, street, town, customer number) beside a column
    // of the document's numbers and dates.
    for (title, name, street, town, number, meta) in [
        (
            "RECHNUNG",
            "Neumann Spedition GmbH",
            "Hauptstraße 87",
            "04109 Leipzig",
            "Kunde Nr. 91375",
            ["70496", "Zahlbar bis", "30.03.2025"],
        ),
        (
            "INVOICE",
            "Kestrel Logistics Ltd",
            "65 High Street",
            "London SW1A 2AA",
            "Customer No. 1036770",
            ["INV-00659", "Due Date", "01/19/2025"],
        ),
    ] {
        let p = page(&[
            &[(title, 0.05)],
            &[],
            &[(name, 0.05), (meta[0], 0.6)],
            &[(street, 0.05), (meta[1], 0.6)],
            &[(town, 0.05), (meta[2], 0.6)],
            &[(number, 0.05)],
            &[],
            &[],
            &[("Total 120,00", 0.6)],
        ]);
        let (_, (n, a)) = parties_of(&p);
        assert!(
            !n.contains(number.rsplit(' ').next().unwrap()),
            "{title}: {n}"
        );
        assert!(!a.contains(meta[1]) && !a.contains(meta[2]), "{title}: {a}");
    }
}

#[test]
fn a_one_line_letterhead_address_ends_before_its_identifiers() {
    for (name, line, address) in [
        (
            "Veselý Tiskárna s.r.o.",
            "Masarykova 2646/28, 301 00 Plzeň | DIČ CZ70920006",
            "Masarykova 2646/28, 301 00 Plzeň",
        ),
        (
            "Pedersen Trykkeri ApS",
            "Algade 128, 4000 Roskilde | CVR-nr. DK63892781",
            "Algade 128, 4000 Roskilde",
        ),
    ] {
        let p = page(&[
            &[(name, 0.05), ("Faktura", 0.7)],
            &[(line, 0.05)],
            &[],
            &[],
            &[("Příjemce", 0.05)],
            &[("Lucie Nováková", 0.05)],
            &[("Školní 1343/53", 0.05)],
            &[("602 00 Brno", 0.05)],
            &[],
            &[("Celkem 1 215,00", 0.6)],
        ]);
        let ((n, a), _) = parties_of(&p);
        assert_eq!(n, name);
        assert_eq!(a, address, "{line}");
    }
}

#[test]
fn a_block_that_opens_with_its_street_is_unsure_of_name_and_address() {
    // The name line under the label was not read: the street stands first.
    for (label, street, town) in [
        ("Nabywca", "ul. Polna 58/40", "80-001 Gdańsk"),
        ("Rechnungsempfänger", "Hauptstraße 87", "04109 Leipzig"),
    ] {
        let p = page(&[
            &[("Faktura 24100523", 0.6)],
            &[],
            &[(label, 0.05)],
            &[(street, 0.05)],
            &[(town, 0.05)],
            &[],
            &[("Celkem 1 215,00", 0.6)],
        ]);
        let ((_, (name, address)), (cn, ca)) = parties_with_confidence(&p);
        assert!(cn < 0.7 && ca < 0.7, "{label}: {name} {cn}, {address} {ca}");
    }
}

#[test]
fn a_party_on_its_labels_line_is_split_at_its_bars() {
    for (from, to, seller, street, buyer, home) in [
        (
            "VON",
            "AN",
            "Tech Solutions GmbH",
            "Musterstraße 1, 12345 Berlin, Germany",
            "Max Mustermann",
            "Kaufstraße 2, 80331 München, Germany",
        ),
        (
            "FROM",
            "TO",
            "Brightwater Tools Ltd",
            "14 Mill Lane, Leeds LS1 4AB",
            "Jane Doe",
            "22 Elm Street, Bristol BS1 5TT",
        ),
    ] {
        let p = page(&[
            &[("Invoice No. INV-2024-001", 0.05)],
            &[(from, 0.05), (&format!("{seller} | {street}"), 0.15)],
            &[],
            &[
                (to, 0.05),
                (&format!("{buyer} | jane@example.com | {home}"), 0.15),
            ],
            &[],
            &[("Total 1.785,00 €", 0.6)],
        ]);
        let ((vn, va), (cn, ca)) = parties_of(&p);
        assert_eq!((vn.as_str(), va.as_str()), (seller, street));
        assert_eq!((cn.as_str(), ca.as_str()), (buyer, home));
        // The name's box is the name's, left of the address's.
        let out = super::tests::parties_extracted(&p);
        let bbox = |k: &str| out.fields[k].source.as_ref().map(|s| s.bbox).unwrap();
        let (name, address) = (bbox("VendorName"), bbox("VendorAddress"));
        assert!(name.right() <= address.left + 1e-3, "{name:?} {address:?}");
    }
}

#[test]
fn a_bar_in_a_name_line_without_an_address_part_is_left_alone() {
    // The second part names no street or town: no party split.
    let p = page(&[
        &[("Invoice No. INV-2024-001", 0.05)],
        &[
            ("Seller:", 0.05),
            ("Nordlicht Technik GmbH | Hamburg Office", 0.2),
        ],
        &[("Hafenstraße 12", 0.2)],
        &[("20457 Hamburg", 0.2)],
        &[],
        &[("Total 1.785,00 €", 0.6)],
    ]);
    let ((vn, _), _) = parties_of(&p);
    assert_eq!(vn, "Nordlicht Technik GmbH | Hamburg Office");
}

#[test]
fn a_label_heading_a_row_of_columns_reads_the_block_under_it_alone() {
    // "Hotel Details" beside "Check In", "Check Out": the block under the label is the
    // merchant's, the columns right of it are not.
    let yaml = r#"
classes:
  - $id: receipt
    type: object
    properties:
      MerchantName: {type: string, description: Name of the store or business}
      MerchantAddress: {type: string, description: Address of the store or business}
"#;
    let class = ClassConfig::from_yaml(yaml).unwrap().classes.remove(0);
    let p = page(&[
        &[("PAYMENT RECEIPT", 0.3)],
        &[],
        &[
            ("Hotel Details", 0.05),
            ("Check In", 0.55),
            ("Check Out", 0.75),
        ],
        &[
            ("Seaside Inn Resort", 0.05),
            ("31/12/2017", 0.55),
            ("01/01/2018", 0.75),
        ],
        &[("25 Beach Road, Chennai", 0.05)],
        &[],
        &[("Grand Total Rs 1939", 0.6)],
    ]);
    let out = extract_section(&class, &[&p]);
    let s = |k: &str| out.attributes[k].as_str().unwrap_or("").to_string();
    assert_eq!(s("MerchantName"), "Seaside Inn Resort");
    assert_eq!(s("MerchantAddress"), "25 Beach Road, Chennai");
}
