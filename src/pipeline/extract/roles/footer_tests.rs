//! The vendor read from a footer block beside the company's identifiers (the recipient window
//! at the top being the customer's), and a heading word over a seller's block that is never
//! the seller's name.

use super::tests::{page, parties_extracted};
use crate::model::PageContent;

/// The vendor's (name, address) and the name's confidence.
fn vendor_with_confidence(p: &PageContent) -> (String, String, f32) {
    let out = parties_extracted(p);
    let s = |k: &str| out.attributes[k].as_str().unwrap_or("").to_string();
    let c = out.fields.get("VendorName").map_or(0.0, |f| f.confidence);
    (s("VendorName"), s("VendorAddress"), c)
}

/// A page with the title, the recipient's block (`window`) at the top, a total, and a footer
/// from row 28 on (beyond 70% of the page): the `footer` lines at the left, `ids` beside them.
fn footer_page(title: &str, window: [&str; 3], footer: [&str; 3], ids: [&str; 2]) -> PageContent {
    let mut lines: Vec<Vec<(&str, f32)>> = vec![
        vec![(title, 0.05)],
        vec![],
        vec![(window[0], 0.05)],
        vec![(window[1], 0.05)],
        vec![(window[2], 0.05)],
        vec![],
        vec![("Total", 0.5), ("120,00", 0.7)],
    ];
    while lines.len() < 28 {
        lines.push(vec![]);
    }
    lines.push(vec![(footer[0], 0.05), (ids[0], 0.45)]);
    lines.push(vec![(footer[1], 0.05), (ids[1], 0.45)]);
    lines.push(vec![(footer[2], 0.05)]);
    let refs: Vec<&[(&str, f32)]> = lines.iter().map(Vec::as_slice).collect();
    page(&refs)
}

/// A Czech invoice's recipient window and its issuer's footer block.
const CZ_WINDOW: [&str; 3] = [
    "Veselý Elektro spol. s r.o.",
    "Komenského 761/27",
    "301 00 Plzeň",
];
const CZ_FOOTER: [&str; 3] = [
    "Procházka Kancelářské potřeby s.r.o.",
    "Školní 1864/45",
    "460 01 Liberec",
];

#[test]
fn a_footer_block_beside_the_identifiers_is_the_vendor() {
    let cases = [
        (
            "RECHNUNG",
            ["Neumann Spedition GmbH", "Hauptstraße 87", "04109 Leipzig"],
            ["Bauer Elektro GmbH", "Gartenweg 97", "20095 Hamburg"],
            ["USt-IdNr.: DE096980995", "IBAN DE65 8182 5918 0817 8445 43"],
        ),
        (
            "FAKTURA",
            CZ_WINDOW,
            CZ_FOOTER,
            ["DIČ: CZ72794132", "IBAN CZ96 2983 1794 0310 5508 8160"],
        ),
        (
            "INVOICE",
            ["Kestrel Logistics Ltd", "65 High Street", "London SW1A 2AA"],
            [
                "Whitfield Electrical Contractors Inc.",
                "59 High Street",
                "Edinburgh EH1 1YZ",
            ],
            [
                "VAT Reg. No.: GB387086572",
                "IBAN GB51 5652 7268 1955 6467 50",
            ],
        ),
    ];
    for (title, window, footer, ids) in cases {
        let (n, a, c) = vendor_with_confidence(&footer_page(title, window, footer, ids));
        assert_eq!(n, footer[0], "{title}");
        assert_eq!(a, format!("{}, {}", footer[1], footer[2]), "{title}");
        // The window names another company: the footer is likely, not sure.
        assert!(c < 0.7, "{title}: {c}");
    }
}

#[test]
fn a_footer_vendor_with_a_form_and_nothing_conflicting_is_confident() {
    // The customer's block under its label, no letterhead: nothing but the footer names a
    // company that could be the issuer.
    for (label, customer, footer, ids) in [
        (
            "Facturé à :",
            "Claire Simon",
            [
                "Dumont Imprimerie SARL",
                "19 rue Victor Hugo",
                "33000 Bordeaux",
            ],
            [
                "N° TVA intracom.: FR45704943843",
                "IBAN FR47 4032 7821 1323 9564 1456 068",
            ],
        ),
        (
            "Bill to:",
            "Louise Johansen",
            ["Pedersen El-service ApS", "Industrivej 18", "6700 Esbjerg"],
            ["CVR-nr.: DK16360501", "IBAN DK28 4682 4858 6568 16"],
        ),
    ] {
        let p = footer_page("Faktura", [label, customer, "Industrivej 20"], footer, ids);
        let (n, a, c) = vendor_with_confidence(&p);
        assert_eq!(n, footer[0], "{label}");
        assert_eq!(a, format!("{}, {}", footer[1], footer[2]), "{label}");
        assert!(c >= 0.7, "{label}: {c}");
    }
}

#[test]
fn a_footer_block_without_identifiers_names_no_vendor() {
    // The same footer lines with a note beside them instead of a tax id or an IBAN: a
    // branch's or a partner's address, not the issuer's legal footer.
    for (window, footer) in [
        (
            ["Neumann Spedition GmbH", "Hauptstraße 87", "04109 Leipzig"],
            ["Bauer Elektro GmbH", "Gartenweg 97", "20095 Hamburg"],
        ),
        (
            ["Kestrel Logistics Ltd", "65 High Street", "London SW1A 2AA"],
            [
                "Whitfield Electrical Inc.",
                "59 High Street",
                "Edinburgh EH1 1YZ",
            ],
        ),
    ] {
        let p = footer_page("INVOICE", window, footer, ["Thank you", "See you soon"]);
        let (n, _, _) = vendor_with_confidence(&p);
        assert_ne!(n, footer[0]);
    }
}

#[test]
fn a_letterhead_that_names_the_footer_company_reads_as_before() {
    // The top block is the issuer's own letterhead: the footer agrees, the letterhead reads it.
    let (n, a, _) = vendor_with_confidence(&footer_page(
        "RECHNUNG",
        ["Bauer Elektro GmbH", "Gartenweg 97", "20095 Hamburg"],
        ["Bauer Elektro GmbH", "Postfach 12 34", "20001 Hamburg"],
        ["USt-IdNr.: DE096980995", "IBAN DE65 8182 5918 0817 8445 43"],
    ));
    assert_eq!(n, "Bauer Elektro GmbH");
    assert_eq!(a, "Gartenweg 97, 20095 Hamburg");
}

#[test]
fn a_heading_word_over_the_sellers_block_is_not_its_name() {
    for (heading, buyer, name, street, town) in [
        (
            "SPRZEDAJĄCY",
            "KUPUJĄCY",
            "Zieliński Instalacje Sp.j.",
            "ul. Kościuszki 114",
            "30-001 Kraków",
        ),
        (
            "DODAVATEL",
            "ODBĚRATEL",
            "Novák Stavby s.r.o.",
            "Masarykova 28",
            "301 00 Plzeň",
        ),
        (
            "LEVERANDØR",
            "KUNDE",
            "Pedersen El-service ApS",
            "Industrivej 18",
            "6700 Esbjerg",
        ),
    ] {
        let p = page(&[
            &[("Faktura", 0.05)],
            &[],
            &[(heading, 0.05), (buyer, 0.55)],
            &[(name, 0.05), ("Kowalski Usługi Sp. z o.o.", 0.55)],
            &[(street, 0.05), ("ul. Długa 5", 0.55)],
            &[(town, 0.05), ("00-950 Warszawa", 0.55)],
            &[],
            &[("Razem", 0.5), ("120,00", 0.7)],
        ]);
        let (n, a, _) = vendor_with_confidence(&p);
        assert_eq!(n, name, "{heading}");
        assert_eq!(a, format!("{street}, {town}"), "{heading}");
    }
}

#[test]
fn a_payment_slips_label_over_its_reference_is_no_footer_vendor() {
    // A payment slip at the foot: a label over a reference number beside the IBAN. No street
    // or town under it, so no issuer's block; the letterhead stays the vendor.
    for (name, label, reference) in [
        (
            "Veselý Tiskárna s.r.o.",
            "Variabilní symbol",
            "219271468421",
        ),
        ("Lindqvist Tryckeri AB", "OCR-nummer", "1578642380"),
        (
            "Wójcik Instalacje Sp.j.",
            "Tytuł przelewu",
            "FV/577/08/2024",
        ),
    ] {
        let p = footer_page(
            "Faktura",
            [name, "Masarykova 28", "301 00 Plzeň"],
            [label, reference, "Thank you"],
            ["IBAN CZ96 2983 1794 0310 5508 8160", "BIC GIBACZPX"],
        );
        let (n, a, _) = vendor_with_confidence(&p);
        assert_eq!(n, name, "{label}");
        assert_eq!(a, "Masarykova 28, 301 00 Plzeň", "{label}");
    }
}

#[test]
fn a_document_title_over_its_number_is_no_heading() {
    // "INVOICE" over "# 1001" is the title's block: it is skipped, not read from its second
    // line; the sender's own block names the vendor.
    for (title, name) in [
        ("INVOICE", "Sammy Maystone"),
        ("RECHNUNG", "Max Mustermann"),
    ] {
        let p = page(&[
            &[(name, 0.05)],
            &[("sm@example.com", 0.05), (title, 0.7)],
            &[("# 1001", 0.7)],
            &[],
            &[],
            &[("Total", 0.5), ("120,00", 0.7)],
        ]);
        let (n, _, _) = vendor_with_confidence(&p);
        assert_eq!(n, name, "{title}");
    }
}

#[test]
fn a_vendor_label_in_a_sentence_or_an_identifier_heads_no_block() {
    // The label word opens the footer's register sentence, or an identifier's label beside the
    // footer block: the footer block still names the vendor.
    for (title, window, footer, ids) in [
        (
            "FAKTURA - DAŇOVÝ DOKLAD",
            CZ_WINDOW,
            CZ_FOOTER,
            [
                "Dodavatel je zapsán v obchodním rejstříku vedeném Městským soudem",
                "DIČ: CZ72794132",
            ],
        ),
        (
            "INVOICE",
            ["Kestrel Logistics Ltd", "65 High Street", "London SW1A 2AA"],
            [
                "Whitfield Electrical Contractors Inc.",
                "59 High Street",
                "Edinburgh EH1 1YZ",
            ],
            ["Company No.: 54871521", "VAT Reg. No.: GB387086572"],
        ),
    ] {
        let (name, address, _) = vendor_with_confidence(&footer_page(title, window, footer, ids));
        assert_eq!(name, footer[0], "{title}");
        assert_eq!(address, format!("{}, {}", footer[1], footer[2]), "{title}");
    }
}
