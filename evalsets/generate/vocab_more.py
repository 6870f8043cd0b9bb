"""Words and names for `invoices-synthetic-2`: four more languages (Czech, Polish, Swedish,
Danish) with every key of `vocab.LABELS`, and, for those and three of the old languages, the
words the richer layouts print (seller and buyer blocks, units, discounts, VAT ids, the VAT
summary, bank lines, a distracting second date, a general-terms paragraph).

Written for this generator from what invoices of each country print (no third-party data). The
old languages' entries stay in `vocab.py`, untouched, so the first sets regenerate unchanged.
"""

NEW_LANGS = ["cs", "pl", "sv", "da"]

LABELS = {
    "cs": {
        "invoice_title": ["FAKTURA", "Faktura – daňový doklad", "FAKTURA - DAŇOVÝ DOKLAD"],
        "number": ["Číslo faktury", "Faktura č.", "Číslo dokladu", "Evidenční číslo"],
        "date": ["Datum vystavení", "Vystaveno", "Datum vyhotovení"],
        "due": ["Datum splatnosti", "Splatnost", "Splatno dne"],
        "po": ["Objednávka č.", "Číslo objednávky", "Vaše objednávka"],
        "terms": ["Způsob úhrady", "Forma úhrady", "Platební podmínky"],
        "bill_to": ["Odběratel", "Příjemce", "Zákazník"],
        "desc": ["Označení dodávky", "Popis", "Položka", "Název"],
        "qty": ["Množství", "Počet", "Mn."],
        "unit": ["Cena za MJ", "Jedn. cena", "Cena/MJ", "Cena bez DPH"],
        "amount": ["Celkem bez DPH", "Základ", "Celkem", "Cena celkem"],
        "subtotal": ["Základ daně", "Celkem bez DPH", "Součet bez DPH"],
        "tax": ["DPH 21 %", "DPH celkem", "Výše DPH"],
        "total": ["Celkem k úhradě", "K úhradě", "Celková částka", "Částka k úhradě"],
        "terms_values": ["Převodním příkazem", "Bankovním převodem, 14 dní", "Hotově", "Převodem do 30 dnů"],
    },
    "pl": {
        "invoice_title": ["FAKTURA VAT", "Faktura", "FAKTURA"],
        "number": ["Numer faktury", "Faktura nr", "Nr faktury", "Faktura VAT nr"],
        "date": ["Data wystawienia", "Data wyst.", "Wystawiono dnia"],
        "due": ["Termin płatności", "Termin zapłaty", "Płatne do"],
        "po": ["Zamówienie nr", "Nr zamówienia", "Numer zamówienia"],
        "terms": ["Sposób płatności", "Forma płatności", "Warunki płatności"],
        "bill_to": ["Nabywca", "Odbiorca", "Klient"],
        "desc": ["Nazwa towaru lub usługi", "Nazwa", "Towar/usługa", "Opis"],
        "qty": ["Ilość", "Ilość", "Il."],
        "unit": ["Cena netto", "Cena jedn. netto", "Cena jedn.", "Cena jednostkowa"],
        "amount": ["Wartość netto", "Wartość", "Kwota netto"],
        "subtotal": ["Razem netto", "Wartość netto", "Suma netto"],
        "tax": ["Kwota VAT", "VAT 23%", "Razem VAT"],
        "total": ["Do zapłaty", "Razem do zapłaty", "Wartość brutto", "Kwota do zapłaty"],
        "terms_values": ["przelew 14 dni", "Przelew", "gotówka", "przelew 30 dni"],
    },
    "sv": {
        "invoice_title": ["FAKTURA", "Faktura"],
        "number": ["Fakturanummer", "Fakturanr", "Faktura nr", "Fakturanr."],
        "date": ["Fakturadatum", "Datum", "Fakturadag"],
        "due": ["Förfallodatum", "Förfallodag", "Betalas senast", "Sista betalningsdag"],
        "po": ["Er referens", "Ert ordernr", "Beställningsnr", "Inköpsorder"],
        "terms": ["Betalningsvillkor", "Villkor", "Betalvillkor"],
        "bill_to": ["Fakturaadress", "Kund", "Faktureras till", "Mottagare"],
        "desc": ["Benämning", "Beskrivning", "Artikel", "Specifikation"],
        "qty": ["Antal", "Ant.", "Kvantitet"],
        "unit": ["À-pris", "Á-pris", "Pris/enhet", "Styckpris"],
        "amount": ["Belopp", "Summa", "Totalt"],
        "subtotal": ["Summa exkl. moms", "Netto", "Belopp före moms", "Exkl. moms"],
        "tax": ["Moms 25 %", "Moms", "Momsbelopp"],
        "total": ["Att betala", "Summa att betala", "Totalt inkl. moms", "ATT BETALA"],
        "terms_values": ["30 dagar netto", "10 dagar", "Netto 20 dagar", "30 dagar"],
    },
    "da": {
        "invoice_title": ["FAKTURA", "Faktura"],
        "number": ["Fakturanr.", "Fakturanummer", "Faktura nr.", "Bilagsnr."],
        "date": ["Fakturadato", "Dato", "Udstedt"],
        "due": ["Forfaldsdato", "Betalingsdato", "Sidste rettidige betaling", "Forfalder"],
        "po": ["Rekvisitionsnr.", "Jeres ordrenr.", "Deres ref.", "Ordrenr."],
        "terms": ["Betalingsbetingelser", "Betaling", "Betalingsvilkår"],
        "bill_to": ["Faktureres til", "Kunde", "Modtager", "Køber"],
        "desc": ["Beskrivelse", "Varebeskrivelse", "Tekst", "Vare"],
        "qty": ["Antal", "Ant.", "Mængde"],
        "unit": ["Stk.pris", "Enhedspris", "Pris", "Á pris"],
        "amount": ["Beløb", "I alt", "Pris i alt"],
        "subtotal": ["Subtotal", "Nettobeløb", "Beløb ekskl. moms", "Momsgrundlag"],
        "tax": ["Moms 25%", "Moms", "Momsbeløb"],
        "total": ["Total inkl. moms", "I alt at betale", "Total DKK", "At betale"],
        "terms_values": ["Netto 8 dage", "Løbende måned + 30 dage", "Netto 14 dage", "Kontant"],
    },
}

# Month names as a date prints them: Czech and Polish use the genitive ("5. března 2024").
MONTHS = {
    "cs": ["ledna", "února", "března", "dubna", "května", "června", "července", "srpna", "září", "října", "listopadu", "prosince"],
    "pl": ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"],
    "sv": ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"],
    "da": ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"],
}

COMPANY = {
    "cs": (["Dvořák", "Novák", "Svoboda", "Procházka", "Kučera", "Veselý", "Horák", "Němec", "Pokorný", "Marek", "Pospíšil", "Hájek"],
           ["Stavby s.r.o.", "Software a.s.", "Tiskárna s.r.o.", "Doprava s.r.o.", "Elektro spol. s r.o.", "Kancelářské potřeby s.r.o.", "Instalace s.r.o.", "Účetnictví v.o.s."]),
    "pl": (["Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Mazur"],
           ["Usługi Budowlane Sp. z o.o.", "Serwis IT Sp. z o.o.", "Drukarnia s.c.", "Transport S.A.", "Hurtownia Papiernicza Sp. z o.o.", "Instalacje Sp.j.", "Biuro Rachunkowe", "Elektro Sp. z o.o."]),
    "sv": (["Lindqvist", "Bergström", "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson"],
           ["Bygg AB", "Konsult AB", "Tryckeri AB", "Elektriska AB", "Transport AB", "Data & IT AB", "Kontorsvaror AB", "Städservice HB"]),
    "da": (["Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen", "Jørgensen", "Madsen", "Kristensen"],
           ["VVS ApS", "Tømrer A/S", "Trykkeri ApS", "El-service ApS", "Transport A/S", "IT-Consult ApS", "Kontorartikler A/S", "Rengøring I/S"]),
}

PEOPLE = {
    "cs": (["Jan", "Petra", "Tomáš", "Lucie", "Martin", "Jana", "Jiří", "Kateřina"], ["Nováková", "Černý", "Králová", "Beneš", "Fialová", "Sedláček", "Doležal", "Zemanová"]),
    "pl": (["Anna", "Piotr", "Katarzyna", "Tomasz", "Magdalena", "Paweł", "Agnieszka", "Michał"], ["Kowalczyk", "Jankowski", "Wojciechowska", "Kwiatkowski", "Krawczyk", "Piotrowska", "Grabowski", "Pawłowska"]),
    "sv": (["Erik", "Anna", "Lars", "Karin", "Johan", "Maria", "Anders", "Eva"], ["Lindberg", "Holm", "Sandberg", "Forsberg", "Åberg", "Lundgren", "Ström", "Nyström"]),
    "da": (["Mette", "Lars", "Sofie", "Mads", "Anne", "Søren", "Louise", "Henrik"], ["Møller", "Poulsen", "Thomsen", "Johansen", "Mikkelsen", "Olsen", "Knudsen", "Frederiksen"]),
}

# (street names, (postcode, town) pairs). Czech streets take "popisné/orientační" numbers.
STREETS = {
    "cs": (["Vodičkova", "Husova", "Palackého", "Masarykova", "Nádražní", "Komenského", "Jiráskova", "Školní"],
           [("110 00", "Praha 1"), ("602 00", "Brno"), ("702 00", "Ostrava"), ("301 00", "Plzeň"), ("779 00", "Olomouc"), ("370 01", "České Budějovice"), ("460 01", "Liberec"), ("500 02", "Hradec Králové")]),
    "pl": (["ul. Marszałkowska", "ul. Długa", "ul. Piotrkowska", "al. Jerozolimskie", "ul. Polna", "ul. Kościuszki", "ul. Mickiewicza", "ul. Ogrodowa"],
           [("00-950", "Warszawa"), ("30-001", "Kraków"), ("90-001", "Łódź"), ("50-001", "Wrocław"), ("80-001", "Gdańsk"), ("60-001", "Poznań"), ("40-001", "Katowice"), ("20-001", "Lublin")]),
    "sv": (["Storgatan", "Drottninggatan", "Kungsgatan", "Sveavägen", "Järnvägsgatan", "Skolgatan", "Industrivägen", "Ringvägen"],
           [("111 22", "Stockholm"), ("411 03", "Göteborg"), ("211 20", "Malmö"), ("753 20", "Uppsala"), ("582 24", "Linköping"), ("702 10", "Örebro"), ("903 26", "Umeå"), ("721 30", "Västerås")]),
    "da": (["Vestergade", "Østergade", "Nørregade", "Algade", "Strandvejen", "Skovvej", "Industrivej", "Søndergade"],
           [("1000", "København K"), ("8000", "Aarhus C"), ("5000", "Odense C"), ("9000", "Aalborg"), ("6700", "Esbjerg"), ("7100", "Vejle"), ("4000", "Roskilde"), ("2800", "Kongens Lyngby")]),
}

# Same order as vocab.ITEMS, so that UNIT_KEYS fits both.
ITEMS = {
    "cs": ["Konzultační služby", "Papír A4 80 g, krabice 5 balíků", "Toner černý", "Správa webu (měsíčně)", "Doprava", "Kancelářská židle ergonomická", "Montáž na místě", "Dokovací stanice USB-C", "Roční softwarová licence", "Tisk letáků, 500 ks"],
    "pl": ["Usługi doradcze", "Papier A4 80 g, karton 5 ryz", "Toner czarny", "Obsługa strony WWW (miesięcznie)", "Koszty transportu", "Krzesło biurowe ergonomiczne", "Montaż u klienta", "Stacja dokująca USB-C", "Licencja na oprogramowanie (roczna)", "Druk ulotek, 500 szt."],
    "sv": ["Konsulttjänster", "Kopieringspapper A4 80 g, 5 paket", "Toner svart", "Webbunderhåll per månad", "Frakt", "Ergonomisk kontorsstol", "Installation på plats", "Dockningsstation USB-C", "Programvarulicens, årlig", "Tryck av broschyrer, 500 st"],
    "da": ["Konsulentbistand", "Kopipapir A4 80 g, 5 pakker", "Toner sort", "Vedligeholdelse af hjemmeside pr. md.", "Fragt", "Ergonomisk kontorstol", "Montering på stedet", "Dockingstation USB-C", "Softwarelicens, årlig", "Tryk af brochurer, 500 stk."],
}
UNIT_KEYS = ["h", "pack", "pc", "month", "flat", "pc", "h", "pc", "pc", "flat"]

# Everything the richer layouts print besides the base labels, for every language of the set.
RICH = {
    "en": {
        "seller": ["Seller", "From", "Supplier"], "buyer": ["Buyer", "Bill to", "Customer"],
        "units": {"pc": "pcs", "h": "hrs", "pack": "box", "month": "mo", "flat": "each"},
        "unit_col": ["Unit", "UoM"], "discount": ["Disc.", "Discount"], "pos": ["#", "Line"],
        "rate": ["VAT rate", "Rate"], "net": ["Net", "Net amount"], "vat": ["VAT", "Tax"], "gross": ["Gross", "Total"],
        "vat_total": ["Total VAT", "VAT total"], "sum_row": ["Total", "Totals"],
        "vat_summary": ["VAT summary", "VAT analysis"], "customer_no": ["Customer No.", "Account No."],
        "vat_id": "VAT Reg. No.", "reg_id": "Company No.", "bank": "Bank", "vat_prefix": "GB",
        "tax_date": ["Tax point", "Date of supply"], "rounding": "Rounding", "vat_rates": [0.2, 0.05],
        "credit": "Credit: returned goods", "delivery": "Deliver to",
        "terms_text": "Goods remain our property until paid in full. Interest of 8 % above base rate is charged on late payments under the Late Payment of Commercial Debts Act; queries must be raised within 7 days of {date}. Please quote the invoice number with your payment.",
        "currencies": [("£", "GBP"), ("$", "USD")],
    },
    "de": {
        "seller": ["Lieferant", "Verkäufer", "Rechnungssteller"], "buyer": ["Kunde", "Rechnungsempfänger", "Käufer"],
        "units": {"pc": "Stk", "h": "Std.", "pack": "Pak.", "month": "Mon.", "flat": "psch."},
        "unit_col": ["Einheit", "ME"], "discount": ["Rabatt", "Rab. %"], "pos": ["Pos.", "Nr."],
        "rate": ["USt-Satz", "MwSt.-Satz"], "net": ["Netto", "Nettobetrag"], "vat": ["USt.", "MwSt."], "gross": ["Brutto", "Bruttobetrag"],
        "vat_total": ["USt. gesamt", "MwSt. gesamt"], "sum_row": ["Summe", "Gesamt"],
        "vat_summary": ["Steueraufstellung", "USt.-Übersicht"], "customer_no": ["Kunden-Nr.", "Kunde Nr."],
        "vat_id": "USt-IdNr.", "reg_id": "Steuer-Nr.", "bank": "Bank", "vat_prefix": "DE",
        "tax_date": ["Lieferdatum", "Leistungsdatum"], "rounding": "Rundung", "vat_rates": [0.19, 0.07],
        "credit": "Gutschrift Retoure", "delivery": "Lieferanschrift",
        "terms_text": "Die Ware bleibt bis zur vollständigen Bezahlung unser Eigentum. Bei Zahlungsverzug berechnen wir Verzugszinsen von 9 Prozentpunkten über dem Basiszinssatz. Reklamationen bitte innerhalb von 8 Tagen nach dem {date} schriftlich. Bitte geben Sie bei Zahlung die Rechnungsnummer an.",
        "currencies": [("€", "EUR")],
    },
    "fr": {
        "seller": ["Vendeur", "Émetteur", "Fournisseur"], "buyer": ["Acheteur", "Client", "Facturé à"],
        "units": {"pc": "u", "h": "h", "pack": "bte", "month": "mois", "flat": "forfait"},
        "unit_col": ["Unité", "U."], "discount": ["Remise", "Rem. %"], "pos": ["N°", "Réf."],
        "rate": ["Taux TVA", "Taux"], "net": ["Base HT", "Montant HT"], "vat": ["TVA", "Montant TVA"], "gross": ["TTC", "Montant TTC"],
        "vat_total": ["Total TVA", "TVA totale"], "sum_row": ["Total", "Totaux"],
        "vat_summary": ["Récapitulatif TVA", "Détail de la TVA"], "customer_no": ["N° client", "Code client"],
        "vat_id": "N° TVA intracom.", "reg_id": "SIRET", "bank": "Banque", "vat_prefix": "FR",
        "tax_date": ["Date de livraison", "Date de prestation"], "rounding": "Arrondi", "vat_rates": [0.2, 0.055],
        "credit": "Avoir sur retour marchandise", "delivery": "Adresse de livraison",
        "terms_text": "Pas d'escompte pour paiement anticipé. En cas de retard de paiement, une pénalité égale à 3 fois le taux d'intérêt légal sera exigible, ainsi qu'une indemnité forfaitaire de 40 € pour frais de recouvrement. Toute réclamation doit nous parvenir avant le {date}.",
        "currencies": [("€", "EUR")],
    },
    "cs": {
        "seller": ["Dodavatel", "Prodávající"], "buyer": ["Odběratel", "Kupující"],
        "units": {"pc": "ks", "h": "hod", "pack": "bal", "month": "měs", "flat": "kpl"},
        "unit_col": ["MJ", "Jedn."], "discount": ["Sleva", "Sleva %"], "pos": ["Č.", "Pol."],
        "rate": ["Sazba DPH", "Sazba"], "net": ["Základ", "Základ daně"], "vat": ["DPH", "Výše DPH"], "gross": ["Celkem", "Celkem s DPH"],
        "vat_total": ["DPH celkem", "Celkem DPH"], "sum_row": ["Celkem", "Součet"],
        "vat_summary": ["Rekapitulace DPH", "Rozpis DPH"], "customer_no": ["Číslo zákazníka", "Zák. číslo"],
        "vat_id": "DIČ", "reg_id": "IČO", "bank": "Bankovní spojení", "vat_prefix": "CZ",
        "tax_date": ["Datum uskutečnění zdanitelného plnění", "DUZP"], "rounding": "Zaokrouhlení", "vat_rates": [0.21, 0.12],
        "credit": "Dobropis – vrácené zboží", "delivery": "Místo dodání",
        "terms_text": "Dodavatel je zapsán v obchodním rejstříku vedeném Městským soudem v Praze, oddíl C, vložka 123456. Při prodlení s úhradou je odběratel povinen zaplatit úrok z prodlení ve výši 0,05 % z dlužné částky za každý den prodlení. Reklamace přijímáme do {date}.",
        "currencies": [("Kč", "CZK")],
        "vs": "Variabilní symbol",
    },
    "pl": {
        "seller": ["Sprzedawca", "Sprzedający"], "buyer": ["Nabywca", "Kupujący"],
        "units": {"pc": "szt.", "h": "godz.", "pack": "op.", "month": "mies.", "flat": "kpl."},
        "unit_col": ["J.m.", "Jedn."], "discount": ["Rabat", "Rabat %"], "pos": ["Lp.", "Lp"],
        "rate": ["Stawka VAT", "Stawka"], "net": ["Wartość netto", "Netto"], "vat": ["Kwota VAT", "VAT"], "gross": ["Wartość brutto", "Brutto"],
        "vat_total": ["Razem VAT", "Suma VAT"], "sum_row": ["Razem", "Suma"],
        "vat_summary": ["Podsumowanie VAT", "Zestawienie sprzedaży wg stawek VAT"], "customer_no": ["Nr klienta", "Kod klienta"],
        "vat_id": "NIP", "reg_id": "REGON", "bank": "Nr konta", "vat_prefix": "PL",
        "tax_date": ["Data sprzedaży", "Data dostawy"], "rounding": "Zaokrąglenie", "vat_rates": [0.23, 0.08],
        "credit": "Korekta – zwrot towaru", "delivery": "Adres dostawy",
        "terms_text": "Towar pozostaje własnością sprzedawcy do chwili zapłaty całej należności. Za opóźnienie w płatności naliczane będą odsetki ustawowe za opóźnienie w transakcjach handlowych. Reklamacje przyjmujemy do dnia {date}. Mechanizm podzielonej płatności nie dotyczy.",
        "currencies": [("zł", "PLN")],
    },
    "sv": {
        "seller": ["Säljare", "Leverantör"], "buyer": ["Köpare", "Kund"],
        "units": {"pc": "st", "h": "tim", "pack": "förp", "month": "mån", "flat": "st"},
        "unit_col": ["Enhet", "Enh."], "discount": ["Rabatt", "Rab %"], "pos": ["Rad", "Nr"],
        "rate": ["Momssats", "Moms %"], "net": ["Netto", "Underlag"], "vat": ["Moms", "Momsbelopp"], "gross": ["Brutto", "Totalt"],
        "vat_total": ["Summa moms", "Moms totalt"], "sum_row": ["Summa", "Totalt"],
        "vat_summary": ["Momsspecifikation", "Moms per sats"], "customer_no": ["Kundnr", "Kundnummer"],
        "vat_id": "Momsreg.nr", "reg_id": "Org.nr", "bank": "Bankgiro", "vat_prefix": "SE",
        "tax_date": ["Leveransdatum", "Orderdatum"], "rounding": "Öresavrundning", "vat_rates": [0.25, 0.12],
        "credit": "Kreditering returvara", "delivery": "Leveransadress",
        "terms_text": "Vid betalning efter förfallodagen debiteras dröjsmålsränta enligt räntelagen samt en påminnelseavgift på 60 kr. Anmärkningar mot fakturan ska göras senast {date}. Innehar F-skattsedel. Ange alltid OCR-numret vid betalning.",
        "currencies": [("kr", "SEK")],
        "ocr": "OCR-nummer",
    },
    "da": {
        "seller": ["Sælger", "Leverandør"], "buyer": ["Køber", "Kunde"],
        "units": {"pc": "stk.", "h": "timer", "pack": "pk.", "month": "md.", "flat": "stk."},
        "unit_col": ["Enhed", "Enh."], "discount": ["Rabat", "Rabat %"], "pos": ["Nr.", "Linje"],
        "rate": ["Momssats", "Moms %"], "net": ["Netto", "Momsgrundlag"], "vat": ["Moms", "Momsbeløb"], "gross": ["Brutto", "I alt"],
        "vat_total": ["Moms i alt", "Moms total"], "sum_row": ["I alt", "Total"],
        "vat_summary": ["Momsspecifikation", "Moms fordelt på satser"], "customer_no": ["Kundenr.", "Kundenummer"],
        "vat_id": "CVR-nr.", "reg_id": "SE-nr.", "bank": "Reg.nr./Kontonr.", "vat_prefix": "DK",
        "tax_date": ["Leveringsdato", "Ordredato"], "rounding": "Afrunding", "vat_rates": [0.25],
        "credit": "Kreditering, returvare", "delivery": "Leveringsadresse",
        "terms_text": "Ved betaling efter forfald tilskrives renter på 0,8 % pr. påbegyndt måned samt et gebyr på 100 kr. pr. rykker. Varen forbliver sælgers ejendom, indtil fuld betaling har fundet sted. Indsigelser skal ske senest {date}.",
        "currencies": [("kr.", "DKK")],
    },
}

# (thousands separator, decimal separator) choices per language.
NUMBER_STYLES = {
    "en": [(",", ".")], "de": [(".", ",")], "it": [(".", ",")], "fr": [(" ", ","), (".", ",")],
    "cs": [(" ", ","), (".", ",")], "pl": [(" ", ","), (".", ",")], "sv": [(" ", ",")], "da": [(".", ",")],
}

RICH["it"] = {
    "seller": ["Fornitore", "Venditore"], "buyer": ["Cliente", "Destinatario"],
    "units": {"pc": "pz.", "h": "ore", "pack": "conf.", "month": "mese", "flat": "forf."},
    "unit_col": ["U.M.", "Unità"], "discount": ["Sconto", "Sc. %"], "pos": ["Pos.", "N."],
    "rate": ["Aliquota IVA", "Aliquota"], "net": ["Imponibile", "Netto"], "vat": ["IVA", "Imposta"], "gross": ["Totale", "Lordo"],
    "vat_total": ["Totale IVA", "IVA totale"], "sum_row": ["Totale", "Totali"],
    "vat_summary": ["Riepilogo IVA", "Castelletto IVA"], "customer_no": ["Cod. cliente", "N. cliente"],
    "vat_id": "P.IVA", "reg_id": "C.F.", "bank": "Banca", "vat_prefix": "IT",
    "tax_date": ["Data consegna", "Data DDT"], "rounding": "Arrotondamento", "vat_rates": [0.22, 0.1],
    "credit": "Storno reso merce", "delivery": "Luogo di consegna",
    "terms_text": "La merce viaggia a rischio e pericolo del committente. In caso di ritardato pagamento saranno applicati gli interessi di mora ai sensi del D.Lgs. 231/2002. Eventuali contestazioni devono pervenire entro il {date}.",
    "currencies": [("€", "EUR")],
}

# Invoices from Switzerland (layout J), in German, French and Italian: francs with an apostrophe
# as thousands separator, Swiss VAT rates and ids, the QR-bill's words.
SWISS = {
    "de": {
        "company": (["Brunner", "Frei", "Meier", "Gerber", "Baumann", "Widmer"], ["Haustechnik AG", "Treuhand GmbH", "Druck AG", "Informatik GmbH"]),
        "streets": (["Bahnhofstrasse", "Seestrasse", "Dorfstrasse", "Poststrasse"], [("8001", "Zürich"), ("3011", "Bern"), ("4051", "Basel"), ("6003", "Luzern")]),
        "vat": "MWST", "vat_id": "MWST-Nr.",
        "qr": ("Empfangsschein", "Zahlteil", "Konto / Zahlbar an", "Referenz", "Zusätzliche Informationen", "Zahlbar durch", "Währung", "Betrag", "Annahmestelle"),
    },
    "fr": {
        "company": (["Favre", "Rochat", "Bonvin", "Pittet", "Jaquet", "Perrin"], ["Fiduciaire SA", "Imprimerie Sàrl", "Informatique SA", "Sanitaire Sàrl"]),
        "streets": (["rue du Rhône", "avenue de la Gare", "rue Centrale", "chemin des Vignes"], [("1204", "Genève"), ("1003", "Lausanne"), ("2000", "Neuchâtel"), ("1950", "Sion")]),
        "vat": "TVA", "vat_id": "N° TVA",
        "qr": ("Récépissé", "Section paiement", "Compte / Payable à", "Référence", "Informations supplémentaires", "Payable par", "Monnaie", "Montant", "Point de dépôt"),
    },
    "it": {
        "company": (["Bernasconi", "Cattaneo", "Pedrazzini", "Guidotti", "Lepori", "Fumagalli"], ["Fiduciaria SA", "Tipografia Sagl", "Informatica SA", "Impianti Sagl"]),
        "streets": (["Via Nassa", "Corso Pestalozzi", "Via San Gottardo", "Viale Stazione"], [("6900", "Lugano"), ("6500", "Bellinzona"), ("6600", "Locarno"), ("6850", "Mendrisio")]),
        "vat": "IVA", "vat_id": "N. IVA",
        "qr": ("Ricevuta", "Sezione pagamento", "Conto / Pagabile a", "Riferimento", "Informazioni supplementari", "Pagabile da", "Valuta", "Importo", "Punto di accettazione"),
    },
}
SWISS_RATES = [0.081, 0.026]
