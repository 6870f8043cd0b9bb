use super::*;
use crate::model::{BoundingBox, TextSource, Word};

/// A page from lines of text; each line's words get boxes, the first `title_lines` in a large
/// font. Tabs separate columns.
fn page(n: u32, title_lines: usize, lines: &[&str]) -> PageContent {
    let mut words = Vec::new();
    for (li, line) in lines.iter().enumerate() {
        let h = if li < title_lines { 0.03 } else { 0.012 };
        let top = 0.05 + 0.035 * li as f32;
        let mut left = 0.05;
        for (ci, cell) in line.split('\t').enumerate() {
            if ci > 0 {
                left += 0.1;
            }
            for w in cell.split_whitespace() {
                let width = 0.6 * h * w.chars().count() as f32;
                words.push(Word::new(
                    w,
                    BoundingBox::from_edges(left, top, left + width, top + h),
                    0.95,
                ));
                left += width + 0.4 * h;
            }
        }
    }
    PageContent {
        page_number: n,
        text_source: TextSource::Ocr,
        text: lines.join("\n"),
        words,
        needs_ocr: false,
        einvoice: None,
        image: None,
    }
}

/// The accelerator's `invoice` class (its description, no x-idpctl keys) with these
/// property lines (YAML, six spaces in).
fn invoice_with(properties: &str) -> ClassConfig {
    ClassConfig::from_yaml(&format!(
        r#"classes:
  - $id: invoice
    x-aws-idp-document-type: invoice
    description: A billing document listing items/services, quantities, prices, payment terms, and transaction totals
    properties:
{properties}"#
    ))
    .unwrap()
}

/// The accelerator's plain `invoice` class.
fn invoice_only() -> ClassConfig {
    invoice_with(
        "      InvoiceNumber: {type: string}
      InvoiceDate: {type: string}
      DueDate: {type: string}
      VendorName: {type: string}
      TotalAmount: {type: string}
      Subtotal: {type: string}
      Tax: {type: string}
      PaymentTerms: {type: string}
",
    )
}

fn one(config: &ClassConfig, p: PageContent) -> PageClass {
    classify_pages(config, &[p]).remove(0)
}

const BODY: &[&str] = &[
    "Client: Dupont SA\t12 rue des Lilas",
    "Description\tQuantité\tPrix unitaire\tMontant",
    "Conseil\t2\t500,00\t1 000,00",
    "Total HT\t1 000,00",
    "TVA 20 %\t200,00",
    "Total TTC\t1 200,00",
];

#[test]
fn invoices_in_six_languages_are_recognised_by_their_title() {
    let config = invoice_only();
    for title in [
        "FACTURE",
        "RECHNUNG",
        "FACTUUR",
        "FACTURA",
        "FATTURA",
        "FATURA",
        "Tax Invoice",
    ] {
        let mut lines = vec![title, "ACME Services"];
        lines.extend_from_slice(BODY);
        let v = one(&config, page(1, 1, &lines));
        assert_eq!(v.class, "invoice", "{title}: {v:?}");
        assert!(v.confidence > 0.8, "{title}: {v:?}");
        assert!(v.evidence[0].starts_with("title: "), "{v:?}");
    }
}

#[test]
fn a_body_mention_is_not_a_title() {
    let config = invoice_only();
    // A receipt that refers to an invoice: its title is a type the config does not have.
    let receipt = page(
        1,
        1,
        &[
            "PAYMENT RECEIPT",
            "Coffee House Ltd",
            "Received with thanks the payment for invoice 1234 of 3 May",
            "Amount paid\t45.00",
            "Card\tVISA ****1234",
        ],
    );
    let v = one(&config, receipt);
    assert_eq!(v.class, UNCLASSIFIED, "{v:?}");
    assert!(v.evidence[0].contains("receipt"), "{v:?}");
    // The same sentence without a receipt title: a mention only, not enough to be confident.
    let letter = page(
        1,
        0,
        &[
            "Coffee House Ltd",
            "12 Market Street",
            "",
            "We have received the payment for invoice 1234 of 3 May.",
            "Thank you for your business and see you soon.",
        ],
    );
    let v = one(&config, letter);
    assert!(v.class == UNCLASSIFIED || v.confidence < 0.5, "{v:?}");
}

#[test]
fn a_label_naming_the_type_is_not_a_title_but_a_numbered_title_is() {
    let config = invoice_only();
    let title_of = |lines: &[&str]| {
        let v = one(&config, page(1, 0, lines));
        v.evidence
            .first()
            .filter(|e| e.starts_with("title: "))
            .cloned()
    };
    // "Invoice Date:" labels a date; the page does not call itself an invoice by it.
    assert_eq!(
        title_of(&[
            "Invoice Date: 3 May 2024",
            "Dear customer, here is our news."
        ]),
        None
    );
    // "Facture n° 2022089083" at the top is how a French invoice titles itself.
    assert_eq!(
        title_of(&["Facture n° 2022089083", "Date : 28/11/2022"]).as_deref(),
        Some("title: facture")
    );
}

#[test]
fn an_unknown_type_or_no_evidence_is_unclassified() {
    let config = invoice_only();
    let v = one(
        &config,
        page(
            1,
            1,
            &[
                "PASSPORT",
                "Surname\tDOE",
                "Given names\tJOHN",
                "Nationality\tUSA",
            ],
        ),
    );
    assert_eq!(
        (v.class.as_str(), v.confidence),
        (UNCLASSIFIED, 0.0),
        "{v:?}"
    );
    let v = one(&config, page(1, 0, &["lorem ipsum dolor sit amet"]));
    assert_eq!(v.class, UNCLASSIFIED, "{v:?}");
}

#[test]
fn a_config_that_claims_the_type_gets_the_page() {
    // The same passport page with a passport class configured.
    let config = ClassConfig::from_yaml(
        "classes:\n  - x-aws-idp-document-type: Passport\n    properties:\n      Surname: {type: string}\n",
    )
    .unwrap();
    let v = one(&config, page(1, 1, &["PASAPORTE", "Apellidos\tDOE"]));
    assert_eq!(v.class, "Passport", "{v:?}");
}

#[test]
fn words_shared_by_every_class_count_less() {
    let config = ClassConfig::from_yaml(
        r#"classes:
  - x-aws-idp-document-type: alpha
    properties: {CustomerName: {type: string}, GrossPay: {type: string}}
  - x-aws-idp-document-type: beta
    properties: {CustomerName: {type: string}, WireReference: {type: string}}
"#,
    )
    .unwrap();
    let index = score::Index::new(&config);
    let s = index.score(&PageView::from_text("Customer Name\nGross Pay"));
    let t = index.score(&PageView::from_text("Customer Name\nWire Reference"));
    // "customer name" is shared: alone it does not separate them; the unique phrase does.
    assert!(s.classes[0].body_raw > s.classes[1].body_raw, "{s:?}");
    assert!(t.classes[1].body_raw > t.classes[0].body_raw, "{t:?}");
    let u = index.score(&PageView::from_text("Customer Name"));
    assert_eq!(u.classes[0].body_raw, u.classes[1].body_raw);
    let unique = s.classes[0].body_raw - u.classes[0].body_raw;
    assert!(unique > u.classes[0].body_raw, "{s:?} {u:?}");
}

#[test]
fn continuation_pages_keep_the_class_and_a_new_title_starts_another() {
    let config = ClassConfig::builtin();
    let pages = vec![
        page(
            1,
            1,
            &[
                "Earnings Statement",
                "Pay date\t7/25/2008",
                "Gross Pay\t452.43",
                "Net Pay\t291.90",
                "Deductions\tFederal Income Tax",
            ],
        ),
        page(
            2,
            0,
            &["Deductions (continued)", "Net Pay\t291.90", "year to date"],
        ),
        page(3, 0, &["lorem ipsum", "dolor sit amet"]),
        page(
            4,
            1,
            &[
                "Patient Discharge Summary",
                "Patient Name\tJane Roe",
                "Admit Date\t1/2/2020",
                "Discharge Date\t1/5/2020",
            ],
        ),
    ];
    let per_page = classify_pages(&config, &pages);
    assert_eq!(per_page[0].class, "Payslip", "{per_page:?}");
    assert_eq!(per_page[1].class, "Payslip", "{per_page:?}");
    assert_eq!(per_page[1].evidence[0], "continues the previous page");
    assert!(per_page[1].confidence < per_page[0].confidence);
    // No evidence of its own for anything: not silently a payslip.
    assert_eq!(per_page[2].class, UNCLASSIFIED, "{per_page:?}");
    assert_eq!(per_page[3].class, "Discharge-Summary", "{per_page:?}");
    let sections = sections_of(&per_page);
    assert_eq!(sections.len(), 3);
    assert_eq!(sections[0].page_ids, vec!["1", "2"]);
    assert_eq!(sections[2].section_id, "3");
}

#[test]
fn accelerator_regexes_decide() {
    let config = ClassConfig::from_yaml(
        r#"classes:
  - x-aws-idp-document-type: Instructions
    x-aws-idp-document-page-content-regex: "(?is)FEDERAL TAX LAW\\s*Section 6039E"
  - x-aws-idp-document-type: Claim
    x-aws-idp-document-name-regex: "(?i)^claim_"
"#,
    )
    .unwrap();
    let p = page(1, 0, &["FEDERAL TAX LAW", "Section 6039E of the Code"]);
    assert_eq!(one(&config, p.clone()).class, "Instructions");
    let v = classify_document(&config, Some("claim_001.pdf"), std::slice::from_ref(&p));
    assert_eq!(v[0].class, "Claim");
    let v = classify_document(&config, Some("other.pdf"), std::slice::from_ref(&p));
    assert_eq!(v[0].class, "Instructions");
    // A document id with its upload folder: the file name is what the regex is about.
    let v = classify_document(&config, Some("inbox/batch-7/claim_002.pdf"), &[p]);
    assert_eq!(v[0].class, "Claim");
    let err = ClassConfig::from_yaml(
        "classes:\n  - x-aws-idp-document-type: X\n    x-aws-idp-document-page-content-regex: \"(\"\n",
    )
    .unwrap_err();
    assert!(err.to_string().contains("page-content-regex"), "{err}");
}

#[test]
fn evidence_comes_from_the_schema_and_the_lexicon() {
    let config = invoice_only();
    let ev = &config.classes[0].evidence;
    assert_eq!(ev.concepts, ["invoice"]);
    let has = |list: &[evidence::Phrase], p: &str| list.iter().any(|x| x.tokens.join(" ") == p);
    for t in ["invoice", "rechnung", "facture", "factuur", "fattura"] {
        assert!(has(&ev.titles, t), "{t}");
    }
    // Label words of its properties, in other languages too.
    assert!(has(&ev.body, "invoice number"));
    assert!(has(&ev.body, "rechnungsnummer"));
    // Cues of the type.
    assert!(has(&ev.body, "tva"));
}

#[cfg(test)]
mod sample_tests {
    use super::*;
    use crate::pipeline::split::tests::sample;
    use crate::pipeline::split::{self, SplitOptions};

    fn classes_of(file: &str) -> Vec<(String, Vec<String>)> {
        let opts = SplitOptions {
            render_for_ocr: false,
            ..SplitOptions::default()
        };
        let pages = split::split(&sample(file), file, &opts).unwrap();
        classify(&ClassConfig::builtin(), &pages)
            .into_iter()
            .map(|s| (s.classification, s.page_ids))
            .collect()
    }

    #[test]
    fn text_samples_classify_as_one_section_each() {
        let all = |n: usize| (1..=n).map(|i| i.to_string()).collect::<Vec<_>>();
        assert_eq!(
            classes_of("w2/W2_XL_input_clean_1005.pdf"),
            vec![("W2".into(), all(1))]
        );
        assert_eq!(
            classes_of("text/bank-statement-multipage.pdf"),
            vec![("Bank-Statement".into(), all(5))]
        );
        assert_eq!(
            classes_of("text/insurance_package_single.pdf"),
            vec![("Discharge-Summary".into(), all(1))]
        );
        assert_eq!(
            classes_of("text/Nuveen.pdf"),
            vec![("Fund-Distribution-Table".into(), all(17))]
        );
    }
}

/// An invoice page: a large title, its number under a label, a line and a total.
fn invoice_page(n: u32, number: &str, extra: &[&str]) -> PageContent {
    let no = format!("Invoice No:\t{number}");
    let mut lines = vec![
        "INVOICE",
        "Bramley Electrical Ltd",
        no.as_str(),
        "Date:\t01/10/2025",
    ];
    lines.extend_from_slice(extra);
    lines.extend_from_slice(&[
        "Description\tQty\tAmount",
        "Cabling\t2\t120.00",
        "Total\t120.00",
    ]);
    page(n, 1, &lines)
}

#[test]
fn back_to_back_documents_of_one_class_are_two_sections() {
    let config = invoice_only();
    let pages = [
        invoice_page(1, "F-2024-0117", &[]),
        invoice_page(2, "F-2024-0342", &[]),
    ];
    let per_page = classify_pages(&config, &pages);
    assert!(
        per_page.iter().all(|p| p.class == "invoice"),
        "{per_page:?}"
    );
    // Grouped by class alone they would be one section; the fresh number starts a second.
    assert_eq!(sections_of(&per_page).len(), 1);
    let sections = sections_split(&config, &pages, &per_page);
    assert_eq!(sections.len(), 2, "{sections:?}");
    assert_eq!(sections[0].page_ids, ["1"]);
    assert_eq!(sections[1].page_ids, ["2"]);
    assert_eq!(sections[1].section_id, "2");
}

#[test]
fn a_continued_document_stays_one_section() {
    let config = invoice_only();
    // Page 2 repeats the title and the same number in its running header.
    let pages = [
        invoice_page(1, "F-2024-0117", &["Page 1 of 2"]),
        invoice_page(2, "F-2024-0117", &["Page 2 of 2"]),
    ];
    let per_page = classify_pages(&config, &pages);
    let sections = sections_split(&config, &pages, &per_page);
    assert_eq!(sections.len(), 1, "{sections:?}");
    assert_eq!(sections[0].page_ids, ["1", "2"]);
    // "Page 2 of 2" continues even with a number page 1 does not print (a new order number in
    // a running header); "Seite 1 von 2" after the last page restarts even with the same
    // number; a static "Page 1 of 5" on every page is no restart.
    let pages = [
        invoice_page(1, "F-2024-0117", &["Page 1 of 2"]),
        invoice_page(2, "F-2024-0999", &["Page 2 of 2"]),
        invoice_page(3, "F-2024-0117", &["Seite 1 von 2"]),
        invoice_page(4, "F-2024-0117", &["Seite 1 von 2"]),
    ];
    let per_page = classify_pages(&config, &pages);
    let sections = sections_split(&config, &pages, &per_page);
    let ids: Vec<Vec<String>> = sections.iter().map(|s| s.page_ids.clone()).collect();
    assert_eq!(ids, [vec!["1", "2"], vec!["3", "4"]], "{per_page:?}");
}

#[test]
fn a_numbered_page_with_no_evidence_of_its_own_joins_its_document() {
    let config = invoice_only();
    // A detail page that names nothing an invoice prints, in several languages.
    for (first, later, detail) in [
        ("Page 1 of 2", "Page 2 of 2", "Details of your usage"),
        ("Page 1 / 2", "Page 2 / 2", "Détail de votre consommation"),
        (
            "Seite 1 von 2",
            "Seite 2 von 2",
            "Einzelverbindungsnachweis Ihres Anschlusses",
        ),
        ("Pagina 1 di 2", "Pagina 2 di 2", "Dettaglio dei consumi"),
    ] {
        let pages = [
            invoice_page(1, "F-2024-0117", &[first]),
            page(2, 1, &[detail, later, "Lorem ipsum dolor", "sit amet"]),
        ];
        let per_page = classify_pages(&config, &pages);
        assert_eq!(per_page[1].class, "invoice", "{later}: {per_page:?}");
        let sections = sections_split(&config, &pages, &per_page);
        assert_eq!(sections.len(), 1, "{sections:?}");
        // Without the page number the same page stays unclassified: the number is the evidence.
        let pages = [
            invoice_page(1, "F-2024-0117", &[]),
            page(2, 1, &[detail, "Lorem ipsum dolor", "sit amet"]),
        ];
        assert_eq!(
            classify_pages(&config, &pages)[1].class,
            UNCLASSIFIED,
            "{detail}"
        );
    }
    // A first page read too weakly (a logo for a title) takes the class of its numbered
    // continuation.
    let pages = [
        page(1, 0, &["Lorem ipsum dolor", "sit amet consectetur"]),
        invoice_page(2, "F-2024-0117", &["Page 2 of 2"]),
    ];
    let per_page = classify_pages(&config, &pages);
    assert_eq!(per_page[0].class, "invoice", "{per_page:?}");
    // Not when the next page restarts at page 1.
    let pages = [
        page(1, 0, &["Lorem ipsum dolor", "sit amet consectetur"]),
        invoice_page(2, "F-2024-0117", &["Page 1 of 2"]),
    ];
    assert_eq!(classify_pages(&config, &pages)[0].class, UNCLASSIFIED);
}

/// The accelerator's invoice class beside a receipt class, as the mixed evaluation sets run.
fn invoice_and_receipt() -> ClassConfig {
    let mut config = invoice_only();
    config.merge(
        ClassConfig::from_yaml(
            r#"classes:
  - x-aws-idp-document-type: receipt
    description: A proof of payment for goods or services bought in a shop
    properties:
      MerchantName: {type: string}
      TransactionDate: {type: string}
      TotalAmount: {type: string}
      PaymentMethod: {type: string}
"#,
        )
        .unwrap(),
    );
    config
}

/// A Czech invoice that never prints "Faktura": its supplier, customer, due date and VAT
/// labels say what it is.
#[test]
fn a_czech_invoice_without_its_title_is_read_by_its_labels() {
    let v = one(
        &invoice_and_receipt(),
        page(
            1,
            0,
            &[
                "Variabilní symbol: 2024017",
                "Dodavatel\tOdběratel",
                "Novák s.r.o.\tDvořák a.s.",
                "DIČ: CZ12345678\tDIČ: CZ87654321",
                "Datum vystavení: 3.2.2024\tDatum splatnosti: 17.2.2024",
                "Popis\tMnožství\tCena za jednotku\tDPH",
                "Konzultace\t2\t1 500,00 Kč\t21 %",
                "Celkem s DPH\t3 630,00 Kč",
            ],
        ),
    );
    assert_eq!(v.class, "invoice", "{v:?}");
}

/// A till slip headed "Bon" (Dutch for a receipt), a dozen words: a receipt, not unclassified
/// and not an invoice for its "TOTAAL" and "btw".
#[test]
fn a_short_dutch_receipt_is_a_receipt() {
    let v = one(
        &invoice_and_receipt(),
        page(
            1,
            0,
            &[
                "Bon\t08-05-2025",
                "HENDRIKS INSTALLATIETECHNIEK B.V.",
                "1 x Tonercartridge zwart\t2,50 €",
                "TOTAAL\t5,00 €",
                "Pin",
                "waarvan btw\t0,87 €",
                "Transactienr. 7328-39862",
            ],
        ),
    );
    assert_eq!(v.class, "receipt", "{v:?}");
}

/// The same label words count for more on a short page than on a long one (where they are a
/// few among many), and no evidence is still none.
#[test]
fn body_evidence_is_scaled_to_the_page_length() {
    let config = invoice_only();
    let index = score::Index::new(&config);
    let short = "Due date 1.2.2024\nPayment terms 30 days\nSubtotal 100.00";
    let filler = " lorem ipsum dolor sit amet consectetur adipiscing".repeat(12);
    let long = format!("{short}\n{filler}");
    let s = index.score(&PageView::from_text(short));
    let l = index.score(&PageView::from_text(&long));
    assert_eq!(s.classes[0].body_raw, l.classes[0].body_raw);
    assert!(s.classes[0].body > l.classes[0].body, "{s:?} {l:?}");
    let none = index.score(&PageView::from_text("lorem ipsum"));
    assert_eq!(none.classes[0].body, 0.0);
}

/// One index per set of classes: a config read again from the same schemas finds it, a config
/// with a class less gets its own.
#[test]
fn the_index_is_built_once_per_set_of_classes() {
    let a = Index::shared(&invoice_and_receipt());
    let b = Index::shared(&invoice_and_receipt());
    assert!(std::sync::Arc::ptr_eq(&a, &b));
    let c = Index::shared(&invoice_only());
    assert!(!std::sync::Arc::ptr_eq(&a, &c));
    let mut fewer = invoice_and_receipt();
    fewer.classes.retain(|c| c.name != "receipt");
    assert!(std::sync::Arc::ptr_eq(&Index::shared(&fewer), &c));
}

/// What building the index costs against finding it built, on the built-in library (`cargo
/// test --release --lib index_build_cost -- --ignored --nocapture`); issue 16's figure.
#[test]
#[ignore]
fn index_build_cost() {
    let config = ClassConfig::builtin();
    let runs = 200;
    let t = std::time::Instant::now();
    for _ in 0..runs {
        std::hint::black_box(score::Index::new(&config));
    }
    let built = t.elapsed() / runs;
    Index::shared(&config);
    let t = std::time::Instant::now();
    for _ in 0..runs {
        std::hint::black_box(Index::shared(&config));
    }
    let found = t.elapsed() / runs;
    println!(
        "{} classes: built {built:?}, found {found:?} per document (twice per document before)",
        config.classes.len()
    );
}

/// A page titled `title` in a large font over a vendor line and [`BODY`].
fn titled(title: &str) -> PageContent {
    let mut lines = vec![title, "ACME Services"];
    lines.extend_from_slice(BODY);
    page(1, 1, &lines)
}

#[test]
fn letter_spaced_titles_are_read_as_their_word() {
    let config = invoice_only();
    let spaced = [
        "R E C H N U N G",
        "F A C T U R E",
        "I N V O I C E",
        "F A C T U U R",
    ];
    let verdicts: Vec<PageClass> = spaced.iter().map(|t| one(&config, titled(t))).collect();
    assert!(
        verdicts.iter().all(|v| v.class == "invoice"
            && v.evidence[0].starts_with("title: ")
            && v.confidence > 0.8),
        "{verdicts:?}"
    );
    // The same in a text without positions, two spaces between words.
    let view = PageView::from_text("R E C H N U N G  N R  1 2\nKunde");
    assert_eq!(view.segs[0].toks[0], "rechnung", "{view:?}");
}

#[test]
fn a_compound_title_ending_in_a_type_word_is_that_type() {
    let config = invoice_and_receipt();
    let compounds = "Beitragsrechnung Schlussrechnung Abschlagsrechnung Sammelrechnung \
                     Verkoopfactuur Eindfactuur";
    for title in compounds.split_whitespace() {
        let v = one(&config, titled(title));
        assert!(
            v.class == "invoice" && v.evidence[0].starts_with("title: "),
            "{title}: {v:?}"
        );
    }
    // A compound is a little weaker than the word itself.
    let conf = |title: &str| one(&config, titled(title)).confidence;
    assert!(conf("Sammelrechnung") <= conf("Rechnung"));
    // A compound naming a type no class claims counts against every class.
    let v = one(
        &config,
        page(
            1,
            1,
            &["Sammelgutschrift", "ACME Services", "Betrag\t12,00"],
        ),
    );
    assert_eq!(v.class, UNCLASSIFIED, "{v:?}");
}

#[test]
fn short_type_words_and_settlements_are_no_compounds() {
    let config = invoice_and_receipt();
    let index = score::Index::new(&config);
    let title = |t: &str| {
        let scores = index.score(&PageView::from_text(&format!("{t}\nKunde\nBetrag 12,00")));
        scores.classes.iter().map(|c| c.title).fold(0.0, f32::max)
    };
    // A calculation, a settlement, an offsetting: "-rechnung" without being an invoice.
    for word in ["Zinsberechnung", "Jahresabrechnung", "Kontoverrechnung"] {
        assert_eq!(title(word), 0.0, "{word}");
    }
    // "bon" (a Dutch receipt) is too short to be read at the end of a word.
    assert_eq!(title("Carbon"), 0.0);
    assert!(title("Teilrechnung") > 0.0);
}

#[test]
fn an_insurance_premium_notice_is_an_invoice() {
    let config = invoice_and_receipt();
    for title in "Beitragsrechnung|Avis d'échéance|Premium notice|Premienota".split('|') {
        let v = one(
            &config,
            page(
                1,
                1,
                &[
                    title,
                    "Sonnenhof Versicherung AG",
                    "Versicherungsschein-Nr. 77-123456",
                    "zu zahlender Beitrag\t491,01 €",
                ],
            ),
        );
        assert_eq!(v.class, "invoice", "{title}: {v:?}");
    }
}

#[test]
fn a_title_ocr_broke_into_pieces_is_read_as_its_word() {
    let config = invoice_and_receipt();
    for title in [
        "F actu u r\tTulip Data B.V.",
        "R echn ung",
        "F act ure\tAtelier SAS",
    ] {
        let v = one(&config, titled(title));
        assert!(
            v.class == "invoice" && v.evidence[0].starts_with("title: ") && v.confidence > 0.5,
            "{title}: {v:?}"
        );
        // Broken, it is a little less sure than whole.
        assert!(v.confidence <= one(&config, titled("Factuur")).confidence);
    }
    // Short words that happen to spell no type word are not joined.
    let index = score::Index::new(&config);
    let scores = index.score(&PageView::from_text("Ab in den Zug\nKunde\nBetrag 12,00"));
    assert!(scores.classes.iter().all(|c| c.title == 0.0), "{scores:?}");
}

#[test]
fn a_page_asking_for_payment_is_an_invoice_one_showing_it_paid_a_receipt() {
    let config = invoice_and_receipt();
    // No title on either: the body decides. A German invoice that prints "Kasse" and
    // "bezahlt" still asks for payment (zahlbar, IBAN, Kundennummer).
    let de = page(
        1,
        0,
        &[
            "Müller Haustechnik GmbH\tHauptstr. 5, 80331 München",
            "Herrn Max Beispiel\tKundennummer 4711",
            "Leistungsdatum 03.03.2026",
            "Bezeichnung\tMenge\tEinzelpreis\tGesamt",
            "Wartung Kasse 3\t1\t120,00\t120,00",
            "Gesamtbetrag\t142,80",
            "Bereits bezahlt\t0,00",
            "Zahlbar innerhalb 14 Tagen ohne Abzug",
            "Bankverbindung: Sparkasse München IBAN DE12 7015 0000 0000 1234 56",
        ],
    );
    let es = page(
        1,
        0,
        &[
            "Distribuidora Sur S.A.\tCUIT 30-12345678-9",
            "Cliente: Juan Pérez",
            "Fecha de vencimiento 15/07/2026",
            "Descripción\tCantidad\tPrecio unitario\tImporte",
            "Servicio mensual\t1\t5.000,00\t5.000,00",
            "Total a pagar\t5.000,00",
            "Transferencia bancaria: CBU 0110012345678901234567",
        ],
    );
    let index = score::Index::new(&config);
    for (lang, p) in [("de", de), ("es", es)] {
        let scores = index.score(&PageView::of(&p));
        let v = one(&config, p);
        assert_eq!(v.class, "invoice", "{lang}: {v:?} {scores:?}");
    }
    let fr = page(
        1,
        0,
        &[
            "CARREFOUR MARKET",
            "12 avenue Jean Jaurès 75019 Paris",
            "BAGUETTE\t1,20",
            "LAIT DEMI ECREME\t0,99",
            "TOTAL\t2,19",
            "ESPECES\t5,00",
            "RENDU\t2,81",
            "Caissier 04 Caisse 2",
            "Merci de votre visite",
        ],
    );
    let v = one(&config, fr);
    assert_eq!(v.class, "receipt", "{v:?}");
}

#[test]
fn a_title_with_one_letter_misread_is_read_as_its_word_in_a_headline_only() {
    let config = invoice_and_receipt();
    // German, English, Spanish, Dutch: one letter misread.
    for title in ["Rechnunq", "lnvoice", "Factora", "Factvur"] {
        let v = one(&config, titled(title));
        assert!(
            v.class == "invoice" && v.evidence[0].starts_with("title: "),
            "{title}: {v:?}"
        );
        // Misread, it is less sure than whole.
        assert!(
            v.confidence < one(&config, titled("Rechnung")).confidence,
            "{v:?}"
        );
    }
    let index = score::Index::new(&config);
    // A misread supports a class of the configuration only: a name a letter away from a type
    // no class claims ("Lattre", "lettre") does not count against the page.
    for text in [
        "Jean de Lattre\n12 rue de la Paix\nTotal 12,00",
        "Gutschrlft\nACME Services\nBetrag 12,00",
    ] {
        let s = index.score(&PageView::from_text(text));
        assert_eq!(s.against, 0.0, "{text}: {s:?}");
    }
    let title = |text: &str| {
        let scores = index.score(&PageView::from_text(text));
        scores.classes.iter().map(|c| c.title).fold(0.0, f32::max)
    };
    // Two edits away is no type word, nor a word a letter longer or shorter than one
    // ("Contact" is not a misread "Contract").
    assert_eq!(title("Rechnen\nKunde\nBetrag 12,00"), 0.0);
    let contact = index.score(&PageView::from_text("Contact\nKunde\nBetrag 12,00"));
    assert_eq!(contact.against, 0.0, "{contact:?}");
    // Running text far down the page is not a headline: no misread title there.
    let mut lines = vec!["ACME Services"; 12];
    lines.push("Die Rechnunq folgt");
    assert_eq!(title(&lines.join("\n")), 0.0);
}

#[test]
fn a_numbered_reference_to_another_type_does_not_unmake_a_titled_page() {
    let config = invoice_and_receipt();
    for (title, reference) in [
        ("RECHNUNG", "Lieferschein Nr. 4711"),
        ("FACTURE", "Bon de livraison n° 88"),
        ("INVOICE", "Delivery note no. 5521"),
    ] {
        let mut lines = vec![title, "ACME Services", reference];
        lines.extend_from_slice(BODY);
        let v = one(&config, page(1, 1, &lines));
        assert_eq!(v.class, "invoice", "{reference}: {v:?}");
    }
    // Untitled, a numbered type no class claims is still that type's title.
    let v = one(
        &config,
        page(
            1,
            0,
            &["Lieferschein Nr. 4711", "ACME Services", "Menge\t12"],
        ),
    );
    assert_eq!(v.class, UNCLASSIFIED, "{v:?}");
}

#[test]
fn a_tables_column_headings_alone_are_no_invoice() {
    let config = invoice_with(
        "      InvoiceNumber: {type: string}
      VendorName: {type: string}
      Items: {type: string, description: Descriptions of products or services}
      Quantities: {type: string, description: Number of each item}
      UnitPrices: {type: string, description: Price per unit of each item}
      TotalAmount: {type: string}
",
    );
    // A price list and a parts catalogue: a table under its column headings, no bill.
    for lines in [
        &[
            "Lista 2026",
            "Código\tArtículo\tCant.\tPrecio",
            "A-100\tTornillo M6\t100\t0,12",
            "A-200\tTuerca M6\t100\t0,08",
            "B-300\tArandela\t500\t0,02",
        ][..],
        &[
            "Katalog 2026",
            "Kód\tNázev\tMn.\tCena",
            "A-100\tŠroub M6\t100\t0,12",
            "A-200\tMatice M6\t100\t0,08",
            "B-300\tPodložka\t500\t0,02",
        ][..],
    ] {
        let v = one(&config, page(1, 1, lines));
        assert_eq!(v.class, UNCLASSIFIED, "{}: {v:?}", lines[0]);
    }
}

mod carried;
mod typed_label;
