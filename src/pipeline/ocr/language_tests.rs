//! The detector on short texts written for these tests (as an English OCR reading would give
//! them: some accents kept, some lost), one per language, and on English pages that must stay
//! English.

use super::*;

fn language_of(text: &str) -> Option<&'static str> {
    evidence(text.split_whitespace()).language()
}

#[test]
fn each_language_is_told_from_its_words() {
    let samples = [
        (
            "deu",
            "Rechnung Nr. 2024-118 Datum 12.03.2024 Bitte überweisen Sie den Betrag innerhalb von \
             14 Tagen auf das unten genannte Konto. Vielen Dank für Ihren Auftrag. Gesamtbetrag \
             1.250,00 EUR zahlbar ohne Abzug",
        ),
        (
            "fra",
            "FACTURE Numero de facture F-2291 Date d'emission 03/02/2025 Montant a regler avant \
             le 28/02/2025 par virement sur le compte ci-dessous. Merci pour votre confiance. \
             Total TTC 640,00 EUR",
        ),
        (
            "spa",
            "FACTURA Numero de factura 2024/0077 Fecha de emision 15/05/2024 El importe total \
             debe abonarse en los proximos 30 dias por transferencia. Gracias por su confianza. \
             Base imponible 812,40 IVA 21%",
        ),
        (
            "ita",
            "FATTURA Numero fattura 118/2024 Data 07/06/2024 Il pagamento della presente fattura \
             deve essere effettuato entro 30 giorni con bonifico. Grazie per la collaborazione. \
             Imponibile 900,00 IVA 22% Totale documento",
        ),
        (
            "nld",
            "FACTUUR Factuurnummer 2024-311 Factuurdatum 02-04-2024 Wij verzoeken u het bedrag \
             binnen 14 dagen over te maken op het onderstaande rekeningnummer. Bedankt voor uw \
             bestelling. Totaal te betalen 1.020,50",
        ),
        (
            "por",
            "FATURA Numero da fatura 55/2024 Data de emissao 21/08/2024 O pagamento deve ser \
             efetuado em 30 dias para a conta indicada. Obrigado pela sua preferencia. Valor \
             total com IVA 430,00 EUR",
        ),
        (
            "ces",
            "FAKTURA daňový doklad číslo 2024017 Datum vystavení 04.09.2024 Datum splatnosti \
             18.09.2024 Dodavatel je plátce DPH. Prosím uhraďte částku na účet uvedený níže. \
             Celkem k úhradě 12 400,00 Kč",
        ),
        (
            "pol",
            "FAKTURA VAT nr 12/2024 Data wystawienia 05.10.2024 Sprzedawca Nabywca Prosimy o \
             wpłatę należności przelewem na rachunek podany poniżej w terminie 14 dni. Razem do \
             zapłaty 2 310,00 zł",
        ),
    ];
    for (pack, text) in samples {
        let e = evidence(text.split_whitespace());
        assert_eq!(e.language(), Some(pack), "{pack}: {e:?}");
    }
}

#[test]
fn english_pages_are_not_read_again() {
    let invoice = "INVOICE Invoice number 10492 Invoice date March 3, 2024 Bill to: Acme Corp, \
                   12 Rue de la Paix, Paris Description Qty Unit price Amount Consulting 10 \
                   150.00 1,500.00 Subtotal 1,500.00 Tax 0.00 Total due 1,500.00 Please pay \
                   within 30 days of the invoice date. Thank you for your business.";
    assert_eq!(
        language_of(invoice),
        None,
        "{:?}",
        evidence(invoice.split_whitespace())
    );
    let form = "Form 1099-B Proceeds From Broker and Barter Exchange Transactions Copy B For \
                Recipient This is important tax information and is being furnished to the IRS.";
    assert_eq!(language_of(form), None);
}

#[test]
fn a_few_foreign_words_are_not_enough() {
    // Under MIN_EVIDENCE: a title and a name are not a page in that language.
    assert_eq!(language_of("Rechnung 2024-01 Müller"), None);
    assert_eq!(language_of(""), None);
    assert_eq!(language_of("||| — == 12.00 4.50"), None);
}

#[test]
fn letters_only_some_languages_print_count() {
    let e = evidence(["Straße", "Größe", "Zahlungsempfänger", "Übersicht"]);
    assert!(e.of("deu") >= 4, "{e:?}");
    assert_eq!(e.language(), Some("deu"));
    let e = evidence(["Łódź", "Gdańsk", "złoty"]);
    assert!(e.of("pol") >= 3, "{e:?}");
}

#[test]
fn close_calls_are_left_alone() {
    // Words Spanish and Portuguese share, and nothing that tells them apart.
    let e = evidence("de que para por de que para por".split_whitespace());
    assert_eq!(e.language(), None, "{e:?}");
}

#[test]
fn known_packs() {
    assert!(is_known("eng") && is_known("deu") && is_known("pol"));
    assert!(!is_known("chi_sim") && !is_known(""));
    assert_eq!(packs().count(), 8);
}
