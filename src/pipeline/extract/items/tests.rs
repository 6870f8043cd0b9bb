//! Item tables on pages built here: headers in several languages, a header with no description
//! heading, text under a price column, and item lists with no header whose items have parts.

use crate::model::PageContent;
use crate::pipeline::config::{ClassConfig, ClassDef};
use crate::pipeline::extract::{SectionExtraction, extract_section, fixtures};

fn class() -> ClassDef {
    let yaml = "classes:\n  - $id: invoice\n    type: object\n    properties:\n      \
        Items: {type: string, description: Descriptions of products or services}\n      \
        Quantities: {type: string, description: Number of each item}\n      \
        UnitPrices: {type: string, description: Price per unit of each item}\n";
    ClassConfig::from_yaml(yaml).unwrap().classes.remove(0)
}

fn read(pages: &[PageContent]) -> SectionExtraction {
    let refs: Vec<&PageContent> = pages.iter().collect();
    extract_section(&class(), &refs)
}

fn text_page(lines: &[&[(&str, f32)]]) -> PageContent {
    fixtures::page(lines, &fixtures::TEXT_LAYER)
}

fn field(out: &SectionExtraction, k: &str) -> (String, f32) {
    let f = &out.fields[k];
    let v = f.value.as_str().unwrap_or("").to_string();
    (v, f.confidence)
}

#[test]
fn a_header_of_number_columns_only_reads_the_descriptions_at_its_left() {
    // French: no "Désignation" heading; the totals row ends the table.
    let out = read(&[text_page(&[
        &[("Facture n 562044387", 0.05)],
        &[],
        &[
            ("Montant HT", 0.5),
            ("Montant TVA", 0.65),
            ("Montant TTC", 0.8),
        ],
        &[],
        &[
            ("Abonnements, forfaits et options", 0.05),
            ("24.99", 0.52),
            ("5.00", 0.67),
            ("29.99", 0.82),
        ],
        &[
            ("Communications", 0.05),
            ("0.00", 0.52),
            ("0.00", 0.67),
            ("0.00", 0.82),
        ],
        &[
            ("Total facture", 0.05),
            ("24.99", 0.52),
            ("5.00", 0.67),
            ("29.99", 0.82),
        ],
    ])]);
    let (items, conf) = field(&out, "Items");
    assert_eq!(items, "Abonnements, forfaits et options; Communications");
    assert!(conf < 0.7, "{conf}");
    // No quantity or price column: nothing is made up.
    assert_eq!(field(&out, "Quantities").0, "");
    assert_eq!(field(&out, "UnitPrices").0, "");
}

#[test]
fn a_header_word_left_of_the_number_columns_keeps_them_a_grid_of_its_own() {
    // A per-rate tax summary: its first column has a heading the item reader does not know,
    // so its rows' rates are no descriptions.
    let out = read(&[text_page(&[
        &[
            ("Taux", 0.05),
            ("Montant HT", 0.5),
            ("Montant TVA", 0.65),
            ("Montant TTC", 0.8),
        ],
        &[
            ("Normal", 0.05),
            ("100,00", 0.52),
            ("20,00", 0.67),
            ("120,00", 0.82),
        ],
        &[
            ("Réduit", 0.05),
            ("10,00", 0.52),
            ("0,55", 0.67),
            ("10,55", 0.82),
        ],
    ])]);
    assert_eq!(field(&out, "Items").0, "");
}

#[test]
fn text_under_the_price_column_is_no_price() {
    // Dutch: the description runs under the price heading, the only row's price is elsewhere.
    let out = read(&[text_page(&[
        &[
            ("Prijs", 0.45),
            ("Aantal", 0.6),
            ("BTW", 0.72),
            ("Bedrag", 0.84),
        ],
        &[
            ("Abonnement glasvezel juli 2024", 0.05),
            ("1", 0.62),
            ("21%", 0.72),
            ("29,99", 0.85),
        ],
    ])]);
    assert_eq!(field(&out, "UnitPrices").0, "");
    assert_eq!(field(&out, "Quantities").0, "1");
}

#[test]
fn quantities_keep_their_units_in_german() {
    let out = read(&[text_page(&[
        &[
            ("Pos.", 0.05),
            ("Bezeichnung", 0.12),
            ("Menge", 0.5),
            ("Einzelpreis", 0.62),
            ("Gesamt", 0.8),
        ],
        &[
            ("1", 0.05),
            ("Heizungswartung", 0.12),
            ("2 h", 0.5),
            ("65,00", 0.63),
            ("130,00", 0.81),
        ],
        &[
            ("2", 0.05),
            ("Dichtungssatz", 0.12),
            ("3 Stk", 0.5),
            ("4,50", 0.63),
            ("13,50", 0.81),
        ],
        &[("Summe", 0.5), ("143,50", 0.81)],
    ])]);
    assert_eq!(field(&out, "Items").0, "Heizungswartung; Dichtungssatz");
    // The quantity without its unit.
    assert_eq!(field(&out, "Quantities").0, "2; 3");
    assert_eq!(field(&out, "UnitPrices").0, "65,00; 4,50");
    // A quantity and a price at word spacing, each under its own heading.
    let out = read(&[text_page(&[
        &[
            ("Bezeichnung", 0.05),
            ("Menge", 0.5),
            ("Einzelpreis", 0.55),
            ("Gesamt", 0.8),
        ],
        &[("Wartung", 0.05), ("1 860,00", 0.53), ("860,00", 0.8)],
        &[("Filter", 0.05), ("6 12,50", 0.53), ("75,00", 0.8)],
        &[
            ("Stunden", 0.05),
            ("2 Stunden", 0.5),
            ("65,00", 0.56),
            ("130,00", 0.8),
        ],
    ])]);
    assert_eq!(field(&out, "Quantities").0, "1; 6");
    assert_eq!(field(&out, "UnitPrices").0, "860,00; 12,50");
    // With a unit column of its own, the units stay out of the quantities (Czech).
    let out = read(&[text_page(&[
        &[
            ("Označení dodávky", 0.05),
            ("Množství", 0.4),
            ("MJ", 0.52),
            ("Cena za MJ", 0.6),
            ("Celkem", 0.8),
        ],
        &[
            ("Nafta motorová", 0.05),
            ("54,91", 0.4),
            ("l", 0.53),
            ("35,90", 0.61),
            ("1 971,27", 0.81),
        ],
        &[
            ("Kapalina do ostřikovačů", 0.05),
            ("2", 0.4),
            ("ks", 0.53),
            ("89,00", 0.61),
            ("178,00", 0.81),
        ],
    ])]);
    assert_eq!(field(&out, "Quantities").0, "54,91; 2");
    assert_eq!(field(&out, "UnitPrices").0, "35,90; 89,00");
}

#[test]
fn items_with_indented_parts_and_a_summary_above_them() {
    // A statement: a summary of one heading with its parts, its total, then the detail whose
    // services each have a charge and a tax line indented under them.
    let out = read(&[text_page(&[
        &[("Summary", 0.02)],
        &[("Cloud Service Charges", 0.05), ("$4.11", 0.85)],
        &[("Charges", 0.09), ("$4.11", 0.88)],
        &[("Credits", 0.09), ("$0.00", 0.88)],
        &[("Tax", 0.09), ("$0.00", 0.88)],
        &[("Total for this invoice", 0.02), ("$4.11", 0.85)],
        &[],
        &[("Detail", 0.02)],
        &[("Data Transfer", 0.05), ("$0.01", 0.85)],
        &[("Charges", 0.09), ("$0.01", 0.88)],
        &[("VAT", 0.09), ("$0.00", 0.88)],
        &[("Compute", 0.05), ("$4.10", 0.85)],
        &[("Charges", 0.09), ("$4.10", 0.88)],
        &[("VAT", 0.09), ("$0.00", 0.88)],
    ])]);
    let (items, conf) = field(&out, "Items");
    assert_eq!(items, "Data Transfer; Compute");
    assert!(conf < 0.7, "{conf}");
}

#[test]
fn a_receipt_with_flat_lines_ends_at_its_total() {
    // Italian till receipt: no header, no parts; what follows the total is payment, not items.
    let out = read(&[fixtures::page(
        &[
            &[("Caffè espresso", 0.05), ("1,20", 0.7)],
            &[("Cornetto", 0.05), ("1,50", 0.7)],
            &[("Totale", 0.05), ("2,70", 0.7)],
            &[("Contanti", 0.05), ("5,00", 0.7)],
            &[("Resto", 0.05), ("2,30", 0.7)],
        ],
        &fixtures::SCAN,
    )]);
    assert_eq!(field(&out, "Items").0, "Caffè espresso; Cornetto");
}

#[test]
fn a_header_over_several_lines_in_polish_and_english() {
    // "Cena" over "brutto", "Wartość" over "netto": the unit price heading is on no one line
    // with the others, and the line under the header names columns too (not a totals row).
    let out = read(&[text_page(&[
        &[("Cena", 0.44), ("Wartość", 0.6), ("VAT", 0.75)],
        &[
            ("Lp", 0.01),
            ("Nazwa towaru", 0.04),
            ("Ilość", 0.33),
            ("Kwota VAT", 0.84),
        ],
        &[("brutto", 0.44), ("netto", 0.6), ("[%]", 0.75)],
        &[],
        &[
            ("1", 0.01),
            ("Olej napędowy", 0.04),
            ("54,910", 0.33),
            ("5,79", 0.45),
            ("257,59", 0.6),
            ("23", 0.75),
            ("59,24", 0.85),
        ],
        &[
            ("2", 0.01),
            ("Płyn do spryskiwaczy", 0.04),
            ("2", 0.33),
            ("12,99", 0.45),
            ("21,12", 0.6),
            ("23", 0.75),
            ("4,86", 0.85),
        ],
        &[("Razem:", 0.45), ("278,71", 0.6), ("64,10", 0.85)],
    ])]);
    assert_eq!(
        field(&out, "Items").0,
        "Olej napędowy; Płyn do spryskiwaczy"
    );
    assert_eq!(field(&out, "Quantities").0, "54,910; 2");
    assert_eq!(field(&out, "UnitPrices").0, "5,79; 12,99");
    // English, "Unit" over "price": the first item's wrapped line under "Description" stays
    // the item's, not the header's.
    let out = read(&[text_page(&[
        &[("Unit", 0.6)],
        &[
            ("Description", 0.05),
            ("Qty", 0.45),
            ("price", 0.6),
            ("Amount", 0.8),
        ],
        &[
            ("Consulting, on-site", 0.05),
            ("2", 0.46),
            ("500.00", 0.6),
            ("1,000.00", 0.8),
        ],
        &[
            ("Travel expenses", 0.05),
            ("1", 0.46),
            ("120.00", 0.6),
            ("120.00", 0.8),
        ],
        &[("Total", 0.6), ("1,120.00", 0.8)],
    ])]);
    assert_eq!(
        field(&out, "Items").0,
        "Consulting, on-site; Travel expenses"
    );
    assert_eq!(field(&out, "UnitPrices").0, "500.00; 120.00");
}

#[test]
fn a_row_printed_a_column_left_of_its_header_is_read_by_rank() {
    // German: every number one column left of its heading, so the price sits under "Menge".
    let out = read(&[text_page(&[
        &[
            ("Beschreibung", 0.05),
            ("Menge", 0.5),
            ("Einzelpreis", 0.6),
            ("Gesamt", 0.78),
        ],
        &[
            ("Bürostuhl ErgoPlus", 0.05),
            ("4", 0.46),
            ("289,00", 0.51),
            ("1.156,00", 0.61),
        ],
        &[
            ("Schreibtisch", 0.05),
            ("2", 0.46),
            ("549,00", 0.51),
            ("1.098,00", 0.61),
        ],
    ])]);
    assert_eq!(field(&out, "Quantities").0, "4; 2");
    assert_eq!(field(&out, "UnitPrices").0, "289,00; 549,00");
}

#[test]
fn quantities_with_a_unit_word_in_spanish_and_french() {
    let out = read(&[text_page(&[
        &[
            ("Producto / Servicio", 0.05),
            ("Cantidad", 0.45),
            ("Precio Unit.", 0.6),
            ("Subtotal", 0.8),
        ],
        &[
            ("Yerba mate 1kg", 0.05),
            ("10,00 unidades", 0.45),
            ("2.500,00", 0.61),
            ("25.000,00", 0.8),
        ],
        &[
            ("Azúcar 1kg", 0.05),
            ("2,00 unidades", 0.45),
            ("900,00", 0.61),
            ("1.800,00", 0.8),
        ],
    ])]);
    assert_eq!(field(&out, "Quantities").0, "10,00; 2,00");
    let out = read(&[text_page(&[
        &[
            ("Désignation", 0.05),
            ("Quantité", 0.45),
            ("Prix unitaire", 0.6),
            ("Montant", 0.8),
        ],
        &[
            ("Conseil", 0.05),
            ("2 heures", 0.45),
            ("500,00", 0.61),
            ("1 000,00", 0.8),
        ],
    ])]);
    assert_eq!(field(&out, "Quantities").0, "2");
}

#[test]
fn position_article_unit_and_discount_columns_stay_out_of_the_items() {
    // Danish: a line number and an article number before the description, a unit and a
    // discount column between the quantity and the line's total.
    let out = read(&[text_page(&[
        &[
            ("Linje", 0.02),
            ("Varenr.", 0.08),
            ("Varebeskrivelse", 0.16),
            ("Mængde", 0.45),
            ("Enh.", 0.53),
            ("Á pris", 0.62),
            ("Rabat %", 0.72),
            ("I alt", 0.86),
        ],
        &[
            ("10", 0.02),
            ("1000", 0.08),
            ("Toner sort", 0.16),
            ("1", 0.46),
            ("stk.", 0.53),
            ("12,50", 0.62),
            ("12,50", 0.86),
        ],
        &[
            ("20", 0.02),
            ("1037", 0.08),
            ("Tryk af brochurer, 500 stk.", 0.16),
            ("2", 0.46),
            ("stk.", 0.53),
            ("12,50", 0.62),
            ("10 %", 0.72),
            ("22,50", 0.86),
        ],
    ])]);
    assert_eq!(
        field(&out, "Items").0,
        "Toner sort; Tryk af brochurer, 500 stk."
    );
    assert_eq!(field(&out, "Quantities").0, "1; 2");
    assert_eq!(field(&out, "UnitPrices").0, "12,50; 12,50");
    // Polish: "Lp | Kod", a price heading of three words ("Cena jedn. netto") and a discount.
    let out = read(&[text_page(&[
        &[
            ("Lp", 0.02),
            ("Kod", 0.07),
            ("Nazwa towaru lub usługi", 0.15),
            ("Ilość", 0.48),
            ("J.m.", 0.55),
            ("Cena jedn. netto", 0.62),
            ("Rabat %", 0.75),
            ("Kwota netto", 0.86),
        ],
        &[
            ("10", 0.02),
            ("1000", 0.07),
            ("Papier A4 80 g, karton 5 ryz", 0.15),
            ("5", 0.49),
            ("op.", 0.55),
            ("85,00", 0.64),
            ("5%", 0.76),
            ("403,75", 0.87),
        ],
        &[
            ("20", 0.02),
            ("1037", 0.07),
            ("Stacja dokująca USB-C", 0.15),
            ("1", 0.49),
            ("szt.", 0.55),
            ("640,00", 0.64),
            ("640,00", 0.87),
        ],
    ])]);
    assert_eq!(
        field(&out, "Items").0,
        "Papier A4 80 g, karton 5 ryz; Stacja dokująca USB-C"
    );
    assert_eq!(field(&out, "Quantities").0, "5; 1");
    assert_eq!(field(&out, "UnitPrices").0, "85,00; 640,00");
}

#[test]
fn abbreviated_headings_in_spanish_portuguese_and_polish() {
    // Spanish (Peru): an article code, a unit, "Cant.", "P. Unit." and the IGV column.
    let out = read(&[text_page(&[
        &[
            ("#", 0.05),
            ("Código", 0.1),
            ("Descripción", 0.22),
            ("Und.", 0.45),
            ("Cant.", 0.55),
            ("P. Unit.", 0.63),
            ("IGV", 0.75),
            ("Importe", 0.85),
        ],
        &[
            ("1", 0.05),
            ("PROD001", 0.1),
            ("Producto de prueba", 0.22),
            ("NIU", 0.45),
            ("2.00", 0.55),
            ("118.00", 0.63),
            ("36.00", 0.75),
            ("200.00", 0.85),
        ],
        &[
            ("2", 0.05),
            ("SERV001", 0.1),
            ("Servicio de consultoría", 0.22),
            ("ZZ", 0.45),
            ("1.00", 0.55),
            ("236.00", 0.63),
            ("36.00", 0.75),
            ("200.00", 0.85),
        ],
        &[("TOTAL:", 0.7), ("PEN 472.00", 0.85)],
    ])]);
    let (items, conf) = field(&out, "Items");
    assert_eq!(items, "Producto de prueba; Servicio de consultoría");
    assert!(conf < 0.7, "{conf}");
    assert_eq!(field(&out, "Quantities").0, "2.00; 1.00");
    assert_eq!(field(&out, "UnitPrices").0, "118.00; 236.00");
    // Portuguese: "Artigo", "P. Unit.".
    let out = read(&[text_page(&[
        &[
            ("Artigo", 0.05),
            ("Quantidade", 0.45),
            ("P. Unit.", 0.6),
            ("Valor líquido", 0.78),
        ],
        &[
            ("Licença de software anual", 0.05),
            ("1", 0.5),
            ("9,90 €", 0.62),
            ("9,90 €", 0.8),
        ],
        &[
            ("Tinteiro de toner preto", 0.05),
            ("5", 0.5),
            ("350,00 €", 0.61),
            ("1 750,00 €", 0.78),
        ],
    ])]);
    assert_eq!(field(&out, "UnitPrices").0, "9,90 €; 350,00 €");
    // Polish: "Towar/usługa", "Ilość", "Jedn.", "Cena jedn.".
    let out = read(&[text_page(&[
        &[
            ("Lp.", 0.03),
            ("Towar/usługa", 0.08),
            ("Ilość", 0.45),
            ("Jedn.", 0.5),
            ("Cena jedn.", 0.58),
            ("Kwota netto", 0.75),
        ],
        &[
            ("1", 0.03),
            ("Toner czarny", 0.08),
            ("2", 0.46),
            ("szt.", 0.5),
            ("49,95", 0.6),
            ("99,90", 0.77),
        ],
        &[
            ("2", 0.03),
            ("Usługi doradcze", 0.08),
            ("3", 0.46),
            ("godz.", 0.5),
            ("9,90", 0.61),
            ("29,70", 0.77),
        ],
    ])]);
    assert_eq!(field(&out, "Items").0, "Toner czarny; Usługi doradcze");
    assert_eq!(field(&out, "Quantities").0, "2; 3");
}

#[test]
fn a_discount_line_under_the_items_is_no_item() {
    // Dutch: "Korting:" with its own text and a negative amount.
    let out = read(&[text_page(&[
        &[
            ("Omschrijving", 0.05),
            ("Aantal", 0.45),
            ("Prijs", 0.6),
            ("Bedrag", 0.8),
        ],
        &[
            ("Implementatie", 0.05),
            ("8", 0.46),
            ("110,00", 0.6),
            ("880,00", 0.8),
        ],
        &[
            ("Korting: Project discount", 0.05),
            ("180,00 EUR", 0.45),
            ("-180,00", 0.8),
        ],
    ])]);
    assert_eq!(field(&out, "Items").0, "Implementatie");
    assert_eq!(field(&out, "Quantities").0, "8");
    // German: a "Rabatt" row; an item whose name only opens with the word stays an item.
    let out = read(&[text_page(&[
        &[
            ("Bezeichnung", 0.05),
            ("Menge", 0.45),
            ("Einzelpreis", 0.6),
            ("Betrag", 0.8),
        ],
        &[
            ("Rabatt Gutscheinheft", 0.05),
            ("1", 0.46),
            ("14,00", 0.6),
            ("14,00", 0.8),
        ],
        &[("Rabatt 10 %", 0.05), ("-1,40", 0.8)],
    ])]);
    assert_eq!(field(&out, "Items").0, "Rabatt Gutscheinheft");
    assert_eq!(field(&out, "Quantities").0, "1");
}

#[test]
fn a_name_printed_above_its_figures_is_the_row_description() {
    // English: the name over the row whose description cell holds only its line number.
    let out = read(&[text_page(&[
        &[
            ("Description", 0.1),
            ("Qty", 0.45),
            ("Unit Price", 0.58),
            ("Total", 0.82),
        ],
        &[("Cloud Architecture Consulting", 0.1)],
        &[
            ("1", 0.03),
            ("10.00 HUR", 0.45),
            ("120.00 EUR", 0.58),
            ("1200.00 EUR", 0.82),
        ],
        &[("Design of secure cloud migration", 0.1)],
    ])]);
    assert_eq!(field(&out, "Items").0, "Cloud Architecture Consulting");
    assert_eq!(field(&out, "Quantities").0, "10.00");
    // German, two items: the second's name is not the first one's second line.
    let out = read(&[text_page(&[
        &[
            ("Bezeichnung", 0.1),
            ("Menge", 0.45),
            ("Einzelpreis", 0.58),
            ("Betrag", 0.82),
        ],
        &[("Wartung Heizung", 0.1)],
        &[("1", 0.03), ("2", 0.46), ("65,00", 0.58), ("130,00", 0.82)],
        &[("Dichtungssatz", 0.1)],
        &[("2", 0.03), ("3", 0.46), ("4,50", 0.58), ("13,50", 0.82)],
    ])]);
    assert_eq!(field(&out, "Items").0, "Wartung Heizung; Dichtungssatz");
    // A row with its own name keeps it: the line above stays the last item's note.
    let out = read(&[text_page(&[
        &[
            ("Bezeichnung", 0.1),
            ("Menge", 0.45),
            ("Einzelpreis", 0.58),
            ("Betrag", 0.82),
        ],
        &[
            ("Wartung", 0.1),
            ("2", 0.46),
            ("65,00", 0.58),
            ("130,00", 0.82),
        ],
        &[("inklusive Anfahrt", 0.1)],
        &[
            ("Filter", 0.1),
            ("3", 0.46),
            ("4,50", 0.58),
            ("13,50", 0.82),
        ],
    ])]);
    assert_eq!(field(&out, "Items").0, "Wartung inklusive Anfahrt; Filter");
}

#[test]
fn payment_slip_boxes_are_no_items() {
    // A Swiss QR-bill under a list with no header: "Währung Betrag" and the currency code with
    // the amount are the slip's boxes (German, then Italian).
    for (heads, code) in [("Währung Betrag", "CHF"), ("Valuta Importo", "CHF")] {
        let out = read(&[fixtures::page(
            &[
                &[("Beratung", 0.05), ("24.75", 0.7)],
                &[("Bürostuhl", 0.05), ("149.85", 0.7)],
                &[("Total", 0.05), ("174.60", 0.7)],
                &[],
                &[(heads, 0.05)],
                &[(code, 0.05), ("174.60", 0.3)],
            ],
            &fixtures::SCAN,
        )]);
        assert_eq!(field(&out, "Items").0, "Beratung; Bürostuhl", "{heads}");
        // The slip alone is no list of items.
        let out = read(&[fixtures::page(
            &[
                &[(heads, 0.05), ("CHF 174.60", 0.4)],
                &[(code, 0.05), ("174.60", 0.4)],
            ],
            &fixtures::SCAN,
        )]);
        assert_eq!(field(&out, "Items").0, "", "{heads}");
    }
    // A name with a heading word among others ("hours") stays an item.
    let out = read(&[fixtures::page(
        &[
            &[("Notebook", 0.05), ("4,50", 0.7)],
            &[("Consulting hours", 0.05), ("5,00", 0.7)],
            &[("Total", 0.05), ("9,50", 0.7)],
        ],
        &fixtures::SCAN,
    )]);
    assert_eq!(field(&out, "Items").0, "Notebook; Consulting hours");
}
