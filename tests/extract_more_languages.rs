//! Generic extraction in languages beyond the seven the lexicon began with: Swedish, Finnish,
//! Hungarian, Lithuanian and Romanian invoices written here (plain-text pages, each with its own
//! layout and its country's conventions: `kr`/`Ft`/`lei` amounts, year-first dates with month
//! names, labels above or beside their values), processed with the accelerator's `invoice` class
//! as it ships. Each must be classified as an invoice, its labelled values (number, dates,
//! totals) found, and nothing wrong may be confident.

mod common;

use common::invoices::{confident_unexpected, invoice_section, misses, process};

const SV: &str = "\
Nordisk Verktyg AB
Industrigatan 7
211 20 Malmö
Org.nr 556677-8899                                   FAKTURA

Kund:                                                Fakturanummer: 2024-0457
Bergström Bygg AB                                    Fakturadatum: 2024-03-15
Storgatan 12                                         Förfallodatum: 2024-04-14
114 55 Stockholm                                     Er referens: PO-5521

Beskrivning                      Antal      Pris        Belopp
Borrmaskin                           2    1 250,00    2 500,00
Sågblad                             10       89,00      890,00

                                     Summa exkl. moms:        3 390,00 kr
                                     Moms 25 %:                 847,50 kr
                                     Att betala:              4 237,50 kr

Betalningsvillkor: 30 dagar netto
";

const FI: &str = "\
Suomen Sähkö Oy
Mannerheimintie 20
00100 Helsinki
Y-tunnus 1234567-8

LASKU

Laskun numero: 88120
Laskun päivämäärä: 15.3.2024
Eräpäivä: 29.3.2024
Viitenumero: 12344

Asiakas:
Virtanen Rakennus Oy
Hämeenkatu 5
33100 Tampere

Kuvaus                         Määrä    Yksikköhinta         Arvo
Sähköasennus                       8          65,00        520,00
Kaapeli                           50           2,40        120,00

Veroton yhteensä                                          640,00 €
ALV 24 %                                                  153,60 €
Maksettava yhteensä                                       793,60 €

Maksuehto: 14 päivää netto
";

const HU: &str = "\
Duna Nyomda Kft.
1052 Budapest, Váci utca 10.
Adószám: 12345678-2-41

                                SZÁMLA

Számla sorszáma: DN-2024/0311
Számla kelte: 2024. március 15.
Teljesítés dátuma: 2024. március 14.
Fizetési határidő: 2024. március 29.

Vevő:
Kovács és Társa Bt.
6720 Szeged, Kárász utca 3.

Megnevezés                   Mennyiség    Egységár       Nettó érték
Szórólap nyomtatás              1000         45,00         45 000,00
Névjegykártya                    500         30,00         15 000,00

Nettó összesen:                                            60 000,00 Ft
ÁFA 27%:                                                   16 200,00 Ft
Fizetendő összesen:                                        76 200,00 Ft

Fizetési mód: átutalás
";

const LT: &str = "\
UAB Baltijos prekyba
Gedimino pr. 1, LT-01103 Vilnius
Įmonės kodas 123456789
PVM mokėtojo kodas LT123456789

                     PVM SĄSKAITA FAKTŪRA
                     Sąskaitos Nr. BP-000123
                     Sąskaitos data: 2024 m. kovo 15 d.

Pirkėjas:
UAB Kauno statyba
Laisvės al. 10, LT-44001 Kaunas

Prekės pavadinimas        Kiekis     Kaina       Suma
Cementas                     20      5,50      110,00
Smėlis                       10      3,00       30,00

Suma be PVM:                                   140,00 EUR
PVM 21 %:                                       29,40 EUR
Iš viso su PVM:                                169,40 EUR

Apmokėti iki 2024 m. kovo 29 d.
";

const RO: &str = "\
SC Carpati Distributie SRL
Str. Unirii nr. 5, Bucuresti
CIF: RO12345678

                              FACTURĂ FISCALĂ

Factura nr: CD-4521                          Data emiterii: 15.03.2024
                                             Data scadenței: 14.04.2024
Cumpărător:
SC Mures Construct SRL
Str. Avram Iancu 2, Targu Mures

Denumire                 Cantitate   Preț unitar      Valoare
Ciment                          40         32,00     1.280,00
Var                             10         18,50       185,00

Total fără TVA:                                      1.465,00 lei
TVA 19%:                                               278,35 lei
Total de plată:                                      1.743,35 lei
";

/// What each page prints for the class's fields. The labelled ones must be found; the parties
/// (read by position) only must not be confidently wrong.
const LABELLED: [&[(&str, &str)]; 5] = [
    &[
        ("InvoiceNumber", "2024-0457"),
        ("InvoiceDate", "2024-03-15"),
        ("DueDate", "2024-04-14"),
        ("PoNumber", "PO-5521"),
        ("Subtotal", "3 390,00 kr"),
        ("Tax", "847,50 kr"),
        ("TotalAmount", "4 237,50 kr"),
        ("PaymentTerms", "30 dagar netto"),
    ],
    &[
        ("InvoiceNumber", "88120"),
        ("InvoiceDate", "15.3.2024"),
        ("DueDate", "29.3.2024"),
        ("Subtotal", "640,00 €"),
        ("Tax", "153,60 €"),
        ("TotalAmount", "793,60 €"),
        ("PaymentTerms", "14 päivää netto"),
    ],
    &[
        ("InvoiceNumber", "DN-2024/0311"),
        ("InvoiceDate", "2024. március 15."),
        ("DueDate", "2024. március 29."),
        ("Subtotal", "60 000,00 Ft"),
        ("Tax", "16 200,00 Ft"),
        ("TotalAmount", "76 200,00 Ft"),
    ],
    &[
        ("InvoiceNumber", "BP-000123"),
        ("InvoiceDate", "2024 m. kovo 15 d."),
        ("DueDate", "2024 m. kovo 29 d."),
        ("Subtotal", "140,00 EUR"),
        ("Tax", "29,40 EUR"),
        ("TotalAmount", "169,40 EUR"),
    ],
    &[
        ("InvoiceNumber", "CD-4521"),
        ("InvoiceDate", "15.03.2024"),
        ("DueDate", "14.04.2024"),
        ("Subtotal", "1.465,00 lei"),
        ("Tax", "278,35 lei"),
        ("TotalAmount", "1.743,35 lei"),
    ],
];

const PARTIES: [[(&str, &str); 2]; 5] = [
    [
        ("VendorName", "Nordisk Verktyg AB"),
        ("CustomerName", "Bergström Bygg AB"),
    ],
    [
        ("VendorName", "Suomen Sähkö Oy"),
        ("CustomerName", "Virtanen Rakennus Oy"),
    ],
    [
        ("VendorName", "Duna Nyomda Kft."),
        ("CustomerName", "Kovács és Társa Bt."),
    ],
    [
        ("VendorName", "UAB Baltijos prekyba"),
        ("CustomerName", "UAB Kauno statyba"),
    ],
    [
        ("VendorName", "SC Carpati Distributie SRL"),
        ("CustomerName", "SC Mures Construct SRL"),
    ],
];

#[test]
fn invoices_in_five_more_languages_with_the_accelerators_class() {
    let dir = tempfile::tempdir().unwrap();
    let results = process(
        dir.path(),
        &[
            ("sv.txt", SV),
            ("fi.txt", FI),
            ("hu.txt", HU),
            ("lt.txt", LT),
            ("ro.txt", RO),
        ],
    );
    let (mut missed, mut wrong) = (Vec::new(), Vec::new());
    for (((name, result), labelled), parties) in results.iter().zip(LABELLED).zip(PARTIES) {
        let s = invoice_section(result);
        missed.extend(misses(name, s, labelled));
        let truth: Vec<(&str, &str)> = labelled.iter().chain(&parties).copied().collect();
        wrong.extend(confident_unexpected(name, s, &truth));
    }
    assert!(
        wrong.is_empty(),
        "confident and wrong:\n{}",
        wrong.join("\n")
    );
    assert!(missed.is_empty(), "missed:\n{}", missed.join("\n"));
}
