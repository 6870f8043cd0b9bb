//! Generic extraction (no hints) on synthetic pages: labels in several languages, totals by
//! role, letterhead and bill-to blocks, line-item columns, and confidence that follows evidence.

use super::*;
use crate::model::BoundingBox;
use crate::pipeline::config::ClassConfig;

/// A text-layer page (see [`super::fixtures::TEXT_LAYER`]).
fn page(lines: &[&[(&str, f32)]]) -> PageContent {
    super::fixtures::page(lines, &super::fixtures::TEXT_LAYER)
}

/// A class in the accelerator's format: its id, class-level keys (one YAML line or none) and
/// one `Name: {...}` line per property; the YAML around them is the same for every test.
fn class(id: &str, class_keys: &str, properties: &[&str]) -> ClassDef {
    let mut yaml = format!("classes:\n  - $id: {id}\n    type: object\n");
    if !class_keys.is_empty() {
        yaml.push_str(&format!("    {class_keys}\n"));
    }
    yaml.push_str("    properties:\n");
    for p in properties {
        yaml.push_str(&format!("      {p}\n"));
    }
    ClassConfig::from_yaml(&yaml).unwrap().classes.remove(0)
}

fn invoice_class() -> ClassDef {
    class(
        "invoice",
        "",
        &[
            "InvoiceNumber: {type: string, description: Unique identifier for the invoice}",
            "InvoiceDate: {type: string, description: Date when the invoice was issued}",
            "DueDate: {type: string, description: Payment deadline}",
            "VendorName: {type: string, description: Name of the business providing goods or services}",
            "VendorAddress: {type: string, description: Physical location of the vendor}",
            "CustomerName: {type: string, description: Name of the person or entity being billed}",
            "CustomerAddress: {type: string, description: Address where invoice is sent}",
            "Items: {type: string, description: Descriptions of products or services}",
            "Quantities: {type: string, description: Number of each item}",
            "Subtotal: {type: string, description: Sum before tax}",
            "Tax: {type: string, description: Tax amount charged}",
            "TotalAmount: {type: string, description: Final amount to be paid}",
            "AmountDue: {type: number, description: Final amount as a number}",
        ],
    )
}

/// Extract a class's fields from one text-layer page of (text, left) pieces.
fn extract(class: &ClassDef, lines: &[&[(&str, f32)]]) -> SectionExtraction {
    extract_section(class, &[&page(lines)])
}

fn attr<'a>(out: &'a SectionExtraction, k: &str) -> &'a Value {
    &out.attributes[k]
}

#[test]
fn german_labels_letterhead_bill_to_and_items() {
    let out = extract(
        &invoice_class(),
        &[
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
        ],
    );
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
    let out = extract(
        &invoice_class(),
        &[
            &[("Invoice Number: 42183017", 0.5)],
            &[("TOTAL AMOUNT DUE ON August 3 , 2014", 0.5), ("$4.11", 0.9)],
            &[("Total HT : 46,68 €", 0.5)],
        ],
    );
    assert_eq!(attr(&out, "TotalAmount"), "$4.11");
    // "Total HT" is the subtotal's label, not a total.
    assert_eq!(attr(&out, "Subtotal"), "46,68 €");
    assert_eq!(attr(&out, "InvoiceNumber"), "42183017");
}

#[test]
fn french_labels_with_the_value_in_the_labels_word() {
    let out = extract(
        &invoice_class(),
        &[
            &[("Facture n°562044387 du 02 Juillet 2015", 0.05)],
            &[("Total TTC :", 0.5), ("56,02 €", 0.8)],
            &[("TVA 20 % :", 0.5), ("9,34 €", 0.8)],
        ],
    );
    assert_eq!(attr(&out, "InvoiceNumber"), "562044387");
    assert_eq!(attr(&out, "TotalAmount"), "56,02 €");
    assert_eq!(attr(&out, "Tax"), "9,34 €");
}

#[test]
fn a_date_is_not_an_invoice_number_and_nothing_is_better_than_a_guess() {
    let out = extract(
        &invoice_class(),
        &[&[("Invoice No:", 0.05), ("28/11/2022", 0.3)]],
    );
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
fn an_amount_in_the_labels_parentheses_is_its_base_not_its_value() {
    // The tax line names the base it was computed on; the item table's "VAT" column over a
    // row's net amount is no better a place. English and German.
    for (net, tax, total) in [
        ("Net Total:", "VAT (19% on 1200.00):", "Total Due:"),
        ("Nettobetrag:", "MwSt. (19 % von 1200,00):", "Gesamtbetrag:"),
    ] {
        let out = extract(
            &invoice_class(),
            &[
                &[
                    ("Description", 0.1),
                    ("Qty", 0.5),
                    ("VAT", 0.7),
                    ("Total", 0.85),
                ],
                &[
                    ("Consulting", 0.1),
                    ("10", 0.5),
                    ("19%", 0.7),
                    ("1200.00", 0.85),
                ],
                &[],
                &[(net, 0.5), ("1200.00", 0.85)],
                &[(tax, 0.5), ("228.00", 0.85)],
                &[(total, 0.5), ("1428.00", 0.85)],
            ],
        );
        assert_eq!(attr(&out, "Tax"), "228.00", "{tax}: {out:?}");
        let f = &out.fields["Tax"];
        assert!(f.confidence >= 0.8, "{tax}: {f:?}");
        // Read from its own line, not as one cell of a grid of amounts.
        assert!(
            f.confidence_reason.contains("right of the label")
                && !f.confidence_reason.contains("grid"),
            "{tax}: {f:?}"
        );
    }
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
    let out = extract(&invoice_class(), &lines);
    let vendor = &out.fields["VendorName"];
    assert!(vendor.confidence < 0.8, "{vendor:?}");
    // The same footer naming the letterhead's company confirms it.
    let last = lines.len() - 1;
    lines[last] = &[(
        "Fournisseur LE FOURNISSEUR SARL au capital de 50 000 EUR - RCS MAVILLE",
        0.05,
    )];
    let out = extract(&invoice_class(), &lines);
    let vendor = &out.fields["VendorName"];
    assert!(!vendor.confidence_reason.contains("footer"), "{vendor:?}");
}

#[test]
fn a_label_word_inside_an_email_or_web_address_labels_nothing() {
    // "company" is a vendor label; in "company@evilcorp.com" it is the mailbox's name.
    let mut lines: Vec<&[(&str, f32)]> = vec![
        &[("Evil Corp.", 0.05), ("Setembro, 23, 2016", 0.7)],
        &[],
        &[("Cobrança para:", 0.05)],
        &[("Elliot Raque <raque@gmail.com>", 0.05)],
        &[],
    ];
    lines.extend(std::iter::repeat_n(&[][..], 6));
    lines.extend([
        &[("Evil Corp.", 0.05)][..],
        &[("Av. Companhia, 182, Água Branca, Piauí", 0.05)],
        &[("(99) 9 9999-9999", 0.05)],
        &[("company@evilcorp.com", 0.05)],
        &[("www.client-area.com", 0.05)],
    ]);
    let out = extract(&invoice_class(), &lines);
    assert_eq!(attr(&out, "VendorName"), "Evil Corp.", "{out:?}");
    // The letterhead prints the name alone; the block it heads at the foot gives the address.
    assert_eq!(
        attr(&out, "VendorAddress"),
        "Av. Companhia, 182, Água Branca, Piauí",
        "{out:?}"
    );
    assert!(out.fields["VendorAddress"].confidence < 0.7, "{out:?}");
    assert_eq!(attr(&out, "InvoiceDate"), "Setembro, 23, 2016", "{out:?}");
    let customer = attr(&out, "CustomerName").as_str().unwrap_or("");
    assert!(customer.starts_with("Elliot Raque"), "{out:?}");
    assert!(out.fields["CustomerName"].confidence < 0.9, "{out:?}");
}

/// An invoice class with the accelerator's list fields and a receipt's payment method.
fn items_class() -> ClassDef {
    class(
        "invoice",
        "x-aws-idp-confidence-threshold: 0.7",
        &[
            "Items: {type: string, description: Descriptions of products or services}",
            "Quantities: {type: string, description: Number of each item}",
            "UnitPrices: {type: string, description: Price per unit of each item}",
            "Subtotal: {type: string, description: Sum before tax}",
            "Tax: {type: string, description: Tax amount charged}",
            "TotalAmount: {type: string, description: Final amount to be paid}",
            "PaymentMethod: {type: string, description: How the customer paid (cash, card, card type and last digits)}",
        ],
    )
}

#[test]
fn totals_named_by_their_vat_in_english_abbreviations() {
    // "exc." and "inc." for excluding and including: each line is its own total.
    let out = extract(
        &items_class(),
        &[
            &[
                ("Description", 0.05),
                ("VAT", 0.5),
                ("Total exc. VAT", 0.75),
            ],
            &[("Github licence", 0.05), ("10.00%", 0.5), ("79.00", 0.8)],
            &[],
            &[("Total exc. VAT", 0.5), ("3235.27", 0.8)],
            &[("Total VAT", 0.5), ("627.73", 0.8)],
            &[("Total inc. VAT", 0.5), ("3863.00", 0.8)],
        ],
    );
    assert_eq!(attr(&out, "Subtotal"), "3235.27", "{out:?}");
    assert_eq!(attr(&out, "Tax"), "627.73", "{out:?}");
    assert_eq!(attr(&out, "TotalAmount"), "3863.00", "{out:?}");
    // "Total VAT incl." is the total with its tax, not the tax.
    let out = extract(
        &items_class(),
        &[
            &[("Total VAT excl.", 0.5), ("100.00", 0.8)],
            &[("VAT 21%", 0.5), ("21.00", 0.8)],
            &[("Total VAT incl.", 0.5), ("121.00", 0.8)],
        ],
    );
    assert_eq!(attr(&out, "Subtotal"), "100.00", "{out:?}");
    assert_eq!(attr(&out, "Tax"), "21.00", "{out:?}");
    assert_eq!(attr(&out, "TotalAmount"), "121.00", "{out:?}");
}

#[test]
fn totals_that_add_up_are_confident_and_totals_that_do_not_go_to_review() {
    let lines = |total: &'static str| {
        page(&[
            &[("Sub-total", 0.4), ("$176.25", 0.8)],
            &[("Tax", 0.4), ("$14.54", 0.8)],
            &[("TOTAL", 0.4), (total, 0.8)],
        ])
    };
    let mut out = extract_section(&items_class(), &[&lines("$190.79")]);
    // Read weakly (a grid, a scan), the three amounts that add up are confident together.
    for k in ["Subtotal", "Tax", "TotalAmount"] {
        out.fields.get_mut(k).unwrap().confidence = 0.6;
    }
    super::arithmetic::cross_check(&items_class(), &mut out);
    for k in ["Subtotal", "Tax", "TotalAmount"] {
        let r = &out.fields[k];
        assert!(r.confidence >= 0.9, "{k}: {r:?}");
        assert!(r.confidence_reason.contains("subtotal + tax"), "{k}: {r:?}");
    }
    // One of the three misread: the subtotal and the tax are no longer confident.
    let out = extract_section(&items_class(), &[&lines("$250.00")]);
    for k in ["Subtotal", "Tax"] {
        let r = &out.fields[k];
        assert!(r.confidence < 0.7, "{k}: {r:?}");
        assert!(r.confidence_reason.contains("misread"), "{k}: {r:?}");
    }
    assert_eq!(attr(&out, "TotalAmount"), "$250.00");
}

#[test]
fn item_columns_one_header_cell_twice_named_split_amounts_and_a_totals_row_beside_text() {
    let out = extract(
        &items_class(),
        &[
            &[
                ("Details", 0.05),
                ("Hrs/Qty", 0.45),
                ("Unit cost", 0.6),
                ("Amount", 0.8),
            ],
            &[
                ("On-site installation", 0.05),
                ("5", 0.47),
                ("$24.00", 0.6),
                ("$120.00", 0.8),
            ],
            // "1 250,00 €": its "1" alone sits nearer the quantity column than the price's.
            &[
                ("Ergonomic office chair", 0.05),
                ("3", 0.47),
                ("1 250,00 €", 0.55),
                ("3 750,00 €", 0.8),
            ],
            // The totals begin in the number columns while the left column holds other text.
            &[("Payment", 0.05), ("Subtotal", 0.45), ("3 870,00 €", 0.8)],
            &[("Bank transfer", 0.05), ("Tax", 0.45), ("0,00 €", 0.8)],
        ],
    );
    assert_eq!(
        attr(&out, "Items"),
        "On-site installation; Ergonomic office chair"
    );
    assert_eq!(attr(&out, "Quantities"), "5; 3");
    assert_eq!(attr(&out, "UnitPrices"), "$24.00; 1 250,00 €");
}

#[test]
fn a_subtotal_column_of_the_item_table_is_not_the_subtotal() {
    let out = extract(
        &items_class(),
        &[
            &[
                ("Item", 0.05),
                ("Qty", 0.4),
                ("Price", 0.55),
                ("Subtotal", 0.8),
            ],
            &[
                ("Consulting", 0.05),
                ("1", 0.4),
                ("53 EUR", 0.55),
                ("53 EUR", 0.8),
            ],
        ],
    );
    let r = &out.fields["Subtotal"];
    assert!(r.confidence < 0.7, "{r:?}");
}

#[test]
fn a_payment_method_must_name_a_means_or_stand_by_its_label() {
    // "cash" is an example in the description, not a label: "at Hotel" right of it is not a
    // payment method.
    let alone = page(&[&[("Cash at Hotel", 0.6)]]);
    let out = extract_section(&items_class(), &[&alone]);
    let r = &out.fields["PaymentMethod"];
    assert!(
        r.value.is_null() || r.value == "Cash at Hotel" || r.confidence < 0.7,
        "{r:?}"
    );
    let labelled = page(&[
        &[("Booking ID", 0.3), ("Payment Mode", 0.6)],
        &[("IBZY2087", 0.3), ("Cash at Hotel", 0.6)],
    ]);
    let out = extract_section(&items_class(), &[&labelled]);
    assert_eq!(attr(&out, "PaymentMethod"), "Cash at Hotel");
    assert!(out.fields["PaymentMethod"].confidence >= 0.7, "{out:?}");
}

#[test]
fn a_till_line_naming_the_means_and_the_amount_paid_is_the_payment_method() {
    // The amount paid at the line's end goes; a word of the description's examples inside
    // another line ("WALGREENS CASH REWARDS") does not beat the line that names the means.
    for (line, want) in [
        ("VISA ACCT 1850 29.53", "VISA ACCT 1850"),
        ("Mastercard ****0394 12,40 €", "Mastercard ****0394"),
        ("EC-Karte 12,40", "EC-Karte"),
    ] {
        let p = page(&[
            &[("TOTAL 29.53", 0.05)],
            &[(line, 0.05)],
            &[("WALGREENS CASH REWARDS", 0.05)],
        ]);
        let out = extract_section(&items_class(), &[&p]);
        assert_eq!(attr(&out, "PaymentMethod"), want, "{line}");
        assert!(out.fields["PaymentMethod"].confidence < 0.7);
    }
    // An item's line with two amounts names no payment.
    let p = page(&[&[("Visa gift card 1 25.00 25.00", 0.05)]]);
    let out = extract_section(&items_class(), &[&p]);
    assert!(out.attributes["PaymentMethod"].is_null(), "{out:?}");
}

#[test]
fn an_invoice_number_keeps_its_printed_series_code() {
    let out = extract(
        &invoice_class(),
        &[&[("Faktura nr: F 1234K20/1234/12", 0.05)]],
    );
    assert_eq!(attr(&out, "InvoiceNumber"), "F 1234K20/1234/12");
}

#[test]
fn a_party_that_reads_as_a_label_is_not_a_name() {
    assert!(generic::reads_as_label("Buyer contact name"));
    assert!(generic::reads_as_label("TRADE NAME"));
    assert!(generic::reads_as_label("Totaalbedrag"));
    assert!(!generic::reads_as_label("Schmidt Partner KG"));
    assert!(!generic::reads_as_label("Via Roma, 69, 80133 Napoli NA"));
}

#[test]
fn two_description_columns_and_a_wrapped_description() {
    // "Product | Title": the column that says more is the items'; its second line, running on
    // mid-phrase, belongs to the item, the note under it does not.
    let out = extract(
        &items_class(),
        &[
            &[
                ("Product", 0.05),
                ("Title", 0.25),
                ("Qty", 0.6),
                ("Price", 0.7),
                ("Total", 0.85),
            ],
            &[
                ("Memory cards", 0.05),
                ("SanDisk Ultra 16 GB MicroSDHC Class", 0.25),
                ("1", 0.6),
                ("278.61", 0.7),
                ("319.00", 0.85),
            ],
            &[("FSN:", 0.05), ("10 48 MB/s Memory Card", 0.25)],
            &[("Price is inclusive of a discount of Rs -40.00", 0.25)],
        ],
    );
    assert_eq!(
        attr(&out, "Items"),
        "SanDisk Ultra 16 GB MicroSDHC Class 10 48 MB/s Memory Card"
    );
    // A capitalised line under an item is a note of its own, not the item's continuation.
    let out = extract(
        &items_class(),
        &[
            &[
                ("Description", 0.05),
                ("Qty", 0.6),
                ("Price", 0.7),
                ("Amount", 0.85),
            ],
            &[
                ("Small Business Exchange 2010", 0.05),
                ("1", 0.6),
                ("3,89", 0.7),
                ("3,89", 0.85),
            ],
            &[("Grundgebühr pro Einheit", 0.05)],
        ],
    );
    assert_eq!(attr(&out, "Items"), "Small Business Exchange 2010");
}

#[test]
fn a_missing_subtotal_is_the_printed_amount_the_other_totals_imply_under_threshold() {
    let out = extract(
        &items_class(),
        &[
            &[("Charges", 0.05), ("$4.11", 0.8)],
            &[("Credits", 0.05), ("$0.00", 0.8)],
            &[("Tax", 0.05), ("$0.00", 0.8)],
            &[("Total for this invoice", 0.05), ("$4.11", 0.8)],
        ],
    );
    assert_eq!(attr(&out, "Subtotal"), "$4.11");
    let r = &out.fields["Subtotal"];
    assert!(r.confidence < 0.7, "{r:?}");
    assert!(r.confidence_reason.contains("imply"), "{r:?}");
}

#[test]
fn a_bill_to_block_skips_label_lines_and_an_unsure_address_goes_to_review() {
    let out = extract(
        &invoice_class(),
        &[
            &[("CLIENT :", 0.55)],
            &[("Buyer contact name", 0.55)],
            &[("LE CLIENT", 0.55)],
            &[("CLIENT NOM COMMERCIAL", 0.55)],
            &[("MON ADRESSE LIGNE 1", 0.55)],
            &[("06000 MA VILLE, FR", 0.55)],
        ],
    );
    assert_eq!(attr(&out, "CustomerName"), "LE CLIENT");
    let r = &out.fields["CustomerAddress"];
    assert!(r.confidence < 0.7, "{r:?}");
}

#[test]
fn an_address_stops_at_a_party_identifier_line() {
    let out = extract(
        &invoice_class(),
        &[
            &[("Nordwind Handels GmbH", 0.05)],
            &[("Kaiserweg 12", 0.05)],
            &[("20095 Hamburg", 0.05)],
            &[("USt-IdNr. DE 811 234 567", 0.05)],
            &[],
            &[("Bill to:", 0.05), ("Invoice No: NW-2211", 0.55)],
            &[("Harbour Tools Ltd", 0.05)],
            &[("7 Quay Street", 0.05)],
            &[("Leeds LS1 4AB", 0.05)],
            &[("VAT No GB 123 4567 89", 0.05)],
        ],
    );
    assert_eq!(attr(&out, "VendorAddress"), "Kaiserweg 12, 20095 Hamburg");
    assert_eq!(attr(&out, "CustomerName"), "Harbour Tools Ltd");
    assert_eq!(
        attr(&out, "CustomerAddress"),
        "7 Quay Street, Leeds LS1 4AB"
    );
}

#[test]
fn an_address_stops_at_a_label_and_its_colon_in_any_language() {
    let out = extract(
        &invoice_class(),
        &[
            &[("Faktura NW-2212", 0.55)],
            &[("Bill to:", 0.05)],
            &[("Jana Nováková", 0.05)],
            &[("Lipová 8", 0.05)],
            &[("602 00 Brno", 0.05)],
            &[("IČO 27082440", 0.05)],
            &[],
            &[("Ship to:", 0.05)],
            &[("Lipová 8", 0.05)],
            &[("602 00 Brno", 0.05)],
            &[("Reg. No.: 4471", 0.05)],
        ],
    );
    assert_eq!(attr(&out, "CustomerName"), "Jana Nováková");
    assert_eq!(attr(&out, "CustomerAddress"), "Lipová 8, 602 00 Brno");
}

fn terms_class() -> ClassDef {
    class(
        "bill",
        "",
        &[
            "PaymentTerms: {type: string, description: Payment conditions}",
            "Consumption: {type: string, description: Quantity used in the period with its unit}",
            "TotalAmount: {type: string, description: Final amount to be paid}",
        ],
    )
}

#[test]
fn a_value_that_reads_as_a_label_is_never_confident() {
    // Under the terms' label stands another label (all its words are label words), not terms.
    let out = extract(
        &terms_class(),
        &[
            &[("Condizioni di pagamento", 0.05)],
            &[("Importo da pagare", 0.05)],
            &[],
            &[("Totale: 120,00 €", 0.05)],
        ],
    );
    let terms = &out.fields["PaymentTerms"];
    assert!(terms.value.is_null() || terms.confidence < 0.7, "{terms:?}");
    assert!(out.fields["TotalAmount"].confidence > 0.9);
    // A value ending in a colon is a label whatever the field's type.
    let out = extract(
        &terms_class(),
        &[&[("Payment terms", 0.05), ("Bank details:", 0.4)]],
    );
    let terms = &out.fields["PaymentTerms"];
    assert!(terms.value.is_null() || terms.confidence < 0.7, "{terms:?}");
}

#[test]
fn small_words_run_on_from_the_label_are_the_labels_own() {
    // "Consumi fatturati" is the printed label: the value is the next cell, and since the
    // printed label is longer than the one we know, it goes to review.
    let out = extract(
        &terms_class(),
        &[&[("Consumi fatturati", 0.05), ("350 kWh", 0.5)]],
    );
    let c = &out.fields["Consumption"];
    assert_eq!(c.value, "350 kWh");
    assert!(c.confidence < 0.7, "{c:?}");
    // With nothing after it, the label's rest is no value to be sure of.
    let out = extract(&terms_class(), &[&[("Consumi fatturati", 0.05)]]);
    let c = &out.fields["Consumption"];
    assert!(c.value.is_null() || c.confidence < 0.7, "{c:?}");
}

#[test]
fn a_tax_table_with_a_sums_row_and_a_due_date_in_the_terms() {
    let out = extract(
        &invoice_class(),
        &[
            &[("Rechnungsdatum: 15. März 2024", 0.05)],
            &[],
            &[
                ("MwSt-Satz", 0.05),
                ("Netto", 0.3),
                ("MwSt", 0.5),
                ("Brutto", 0.7),
            ],
            &[
                ("19 %", 0.05),
                ("100,00", 0.3),
                ("19,00", 0.5),
                ("119,00", 0.7),
            ],
            &[("7 %", 0.05), ("50,00", 0.3), ("3,50", 0.5), ("53,50", 0.7)],
            &[
                ("Summe", 0.05),
                ("150,00", 0.3),
                ("22,50", 0.5),
                ("172,50", 0.7),
            ],
            &[],
            &[("Gesamtbetrag:", 0.5), ("EUR 172,50", 0.7)],
            &[],
            &[("Zahlbar innerhalb 14 Tagen netto bis zum 29.03.2024.", 0.05)],
        ],
    );
    assert_eq!(attr(&out, "InvoiceDate"), "15. März 2024");
    assert_eq!(attr(&out, "DueDate"), "29.03.2024");
    assert_eq!(attr(&out, "Tax"), "22,50");
    assert_eq!(attr(&out, "Subtotal"), "150,00");
    assert_eq!(attr(&out, "TotalAmount"), "EUR 172,50");
    for k in ["DueDate", "Tax", "TotalAmount"] {
        assert!(out.fields[k].confidence >= 0.7, "{k}: {:?}", out.fields[k]);
    }
}

#[test]
fn a_tax_printed_per_rate_only_and_a_due_date_in_days_are_not_made_up() {
    let out = extract(
        &invoice_class(),
        &[
            &[("Date de facture : 3 janvier 2025", 0.05)],
            &[
                ("Taux TVA", 0.05),
                ("Base HT", 0.3),
                ("Montant TVA", 0.5),
                ("Total TTC", 0.7),
            ],
            &[
                ("20,00 %", 0.05),
                ("100,00", 0.3),
                ("20,00", 0.5),
                ("120,00", 0.7),
            ],
            &[
                ("5,50 %", 0.05),
                ("10,00", 0.3),
                ("0,55", 0.5),
                ("10,55", 0.7),
            ],
            &[],
            &[("Net à payer", 0.5), ("130,55 €", 0.7)],
            &[("Paiement à 30 jours.", 0.05)],
        ],
    );
    assert_eq!(attr(&out, "TotalAmount"), "130,55 €");
    // Printed per rate only: the document states no tax amount of its own, and none is made
    // up by summing the rates, nor is one rate's taken for it.
    assert!(attr(&out, "Tax").is_null(), "{:?}", out.fields["Tax"]);
    // "30 days" is no date: no due date is made up from it.
    let due = &out.fields["DueDate"];
    assert!(due.value.is_null() || due.confidence < 0.7, "{due:?}");
}

#[test]
fn a_tax_point_or_delivery_date_in_the_meta_grid_is_not_the_invoice_date() {
    // Label above value, two boxes a row; the second date is the supply's, not the issue's.
    for (issue, issued, supply, supplied) in [
        (
            "Wystawiono dnia",
            "7 lipca 2025",
            "Data sprzedaży",
            "6 lipca 2025",
        ),
        ("Émise le", "09/11/2024", "Date de prestation", "07/11/2024"),
        ("Datum vystavení", "26. 9. 2024", "DUZP", "21. 9. 2024"),
    ] {
        let out = extract(
            &invoice_class(),
            &[
                &[("Nr faktury", 0.4), (issue, 0.7)],
                &[("813/2025", 0.4), (issued, 0.7)],
                &[(supply, 0.4)],
                &[(supplied, 0.4)],
            ],
        );
        assert_eq!(attr(&out, "InvoiceDate"), issued, "{issue}: {out:?}");
        assert!(out.fields["InvoiceDate"].confidence >= 0.7, "{issue}");
    }
}

#[test]
fn two_dates_under_labels_of_the_field_are_not_confident() {
    // "Datum" twice, over different dates: which is the invoice's the page does not say.
    for (a, b) in [("Datum", "Datum"), ("Date", "Date")] {
        let out = extract(
            &invoice_class(),
            &[
                &[(a, 0.1), ("12.03.2024", 0.3)],
                &[("Kunde 4711", 0.1)],
                &[(b, 0.6), ("15.03.2024", 0.8)],
            ],
        );
        assert!(!attr(&out, "InvoiceDate").is_null(), "{out:?}");
        assert!(out.fields["InvoiceDate"].confidence < 0.7, "{out:?}");
    }
}

#[test]
fn a_date_wrapped_in_its_narrow_cell_is_read_whole() {
    let c = invoice_class();
    for (label, day, year, want) in [
        ("Datum vystavení:", "01. 01.", "2021", "01. 01. 2021"),
        ("Rechnungsdatum:", "05. 03.", "2024", "05. 03. 2024"),
    ] {
        let out = extract(
            &c,
            &[
                &[("Faktura 2021-001", 0.05)],
                &[("Banka: Bank a.s.", 0.05), (label, 0.45), (day, 0.8)],
                &[("Účet: 1234567890/1234", 0.05), (year, 0.8)],
            ],
        );
        assert_eq!(attr(&out, "InvoiceDate"), want, "{label}");
    }
    // Words under the cell that do not complete a date stay out of it.
    let out = extract(
        &c,
        &[
            &[("Faktura 2021-001", 0.05)],
            &[("Datum vystavení:", 0.45), ("01. 01.", 0.8)],
            &[("Kunde 4711", 0.8)],
        ],
    );
    assert!(!attr(&out, "InvoiceDate").to_string().contains("4711"));
}

#[test]
fn a_receipts_date_of_issue_is_its_transaction_date() {
    let receipt = class(
        "receipt",
        "",
        &[
            "MerchantName: {type: string, description: Name of the store}",
            "TransactionDate: {type: string, description: Date of the purchase}",
            "TotalAmount: {type: string, description: Total paid}",
        ],
    );
    for (label, date) in [
        ("Fecha de Emisión:", "15/01/2024"),
        ("Belegdatum:", "12.03.2026"),
        ("Date of issue:", "03/12/2026"),
        ("Data de emissão:", "05/06/2025"),
    ] {
        let out = extract(
            &receipt,
            &[
                &[("BOLETA DE VENTA ELECTRÓNICA", 0.3)],
                &[],
                &[(label, 0.05), (date, 0.3), ("Moneda:", 0.55), ("PEN", 0.7)],
                &[("TOTAL:", 0.5), ("472.00", 0.8)],
            ],
        );
        assert_eq!(attr(&out, "TransactionDate"), date, "{label}");
    }
}

#[test]
fn a_short_description_under_a_centred_heading_is_still_the_description() {
    for (pos, name, qty, price, items) in [
        (
            "Lp.",
            "Nazwa",
            "Ilość",
            "Cena netto",
            ["Usługa programistyczna", "Serwis IT"],
        ),
        (
            "Pos.",
            "Bezeichnung",
            "Menge",
            "Einzelpreis",
            ["Beratungsleistung Projekt", "Wartung"],
        ),
    ] {
        let out = extract(
            &items_class(),
            &[
                &[(pos, 0.08), (name, 0.3), (qty, 0.55), (price, 0.7)],
                &[
                    ("1", 0.09),
                    (items[0], 0.15),
                    ("10.0", 0.57),
                    ("150.00", 0.72),
                ],
                &[
                    ("2", 0.09),
                    (items[1], 0.15),
                    ("5.0", 0.57),
                    ("200.00", 0.72),
                ],
                &[],
                &[("Total", 0.55), ("2500.00", 0.72)],
            ],
        );
        assert_eq!(attr(&out, "Items"), &items.join("; "), "{name}");
        assert_eq!(attr(&out, "Quantities"), "10.0; 5.0", "{name}");
    }
}

#[test]
fn a_tax_summary_tables_header_ends_the_item_table() {
    for (head, summary) in [
        (
            ["Položka", "Počet MJ", "Cena za MJ", "DPH"],
            ["Sazba", "Základ", "DPH", "Včetně DPH"],
        ),
        (
            ["Artikel", "Menge", "Einzelpreis", "MwSt."],
            ["Steuersatz", "Netto", "MwSt.", "Brutto"],
        ),
    ] {
        let out = extract(
            &items_class(),
            &[
                &[
                    (head[0], 0.05),
                    (head[1], 0.4),
                    (head[2], 0.55),
                    (head[3], 0.75),
                ],
                &[
                    ("software development", 0.05),
                    ("20", 0.42),
                    ("1 500,00", 0.56),
                    ("6 300,00", 0.76),
                ],
                &[
                    (summary[0], 0.3),
                    (summary[1], 0.45),
                    (summary[2], 0.6),
                    (summary[3], 0.75),
                ],
                &[
                    ("21 %", 0.3),
                    ("30 000,00", 0.45),
                    ("6 300,00", 0.6),
                    ("36 300,00", 0.76),
                ],
            ],
        );
        assert_eq!(attr(&out, "UnitPrices"), "1 500,00", "{}", summary[0]);
        assert_eq!(attr(&out, "Quantities"), "20", "{}", summary[0]);
    }
}

#[test]
fn dates_labelled_inline_in_a_heading_line() {
    let out = extract(
        &invoice_class(),
        &[
            &[(
                "Zahlungsaufforderung Nr. INV-2024-001 ausgestellt 06.12.2026 fällig 20.12.2026",
                0.05,
            )],
            &[("Gesamtbetrag", 0.5), ("1.785,00 €", 0.8)],
        ],
    );
    assert_eq!(attr(&out, "InvoiceDate"), "06.12.2026");
    assert_eq!(attr(&out, "DueDate"), "20.12.2026");
    let out = extract(
        &invoice_class(),
        &[
            &[("Invoice INV-7 issued on 06/12/2026 due on 20/12/2026", 0.05)],
            &[("Total", 0.5), ("$1,785.00", 0.8)],
        ],
    );
    assert_eq!(attr(&out, "InvoiceDate"), "06/12/2026");
    assert_eq!(attr(&out, "DueDate"), "20/12/2026");
}

#[test]
fn tax_lines_of_several_rates_give_no_tax_unless_their_total_is_printed() {
    for (lines, total_line) in [
        (
            ["USt 7 %: 8,38", "USt 19 %: 345,33"],
            ("USt gesamt:", "353,71"),
        ),
        (
            ["VAT 5%: 8.38", "VAT 20%: 345.33"],
            ("Total VAT:", "353.71"),
        ),
    ] {
        let body = |with_total: bool| {
            let mut rows: Vec<Vec<(&str, f32)>> = vec![
                vec![("Nettobetrag / Net amount", 0.4), ("1.847,50", 0.8)],
                vec![(lines[0], 0.4)],
                vec![(lines[1], 0.4)],
            ];
            if with_total {
                rows.push(vec![(total_line.0, 0.4), (total_line.1, 0.8)]);
            }
            rows.push(vec![("Gesamtbetrag / Total", 0.4), ("2.201,21", 0.8)]);
            rows
        };
        let out = extract(&invoice_class(), &as_lines(&body(false)));
        assert!(
            attr(&out, "Tax").is_null(),
            "{lines:?}: {:?}",
            out.fields["Tax"]
        );
        let out = extract(&invoice_class(), &as_lines(&body(true)));
        assert_eq!(attr(&out, "Tax"), total_line.1, "{lines:?}");
    }
}

fn as_lines<'a>(rows: &'a [Vec<(&'a str, f32)>]) -> Vec<&'a [(&'a str, f32)]> {
    rows.iter().map(Vec::as_slice).collect()
}
