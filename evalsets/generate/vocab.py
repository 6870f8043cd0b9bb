"""Words, names and formats per language for the synthetic evaluation documents.

Everything here is written for this generator (no third-party data). Labels are the variants a
reader meets on real documents of each country; issuers and customers are invented but built
from ordinary name parts so that they read like real businesses.
"""

LANGS = ["en", "fr", "de", "es", "nl", "it", "pt"]

# Printed where the terms go but naming only how to pay, not when (evalsets/README.md): the
# truth's PaymentTerms is null for them.
METHOD_ONLY_TERMS = {"Rimessa diretta", "Převodním příkazem", "Hotově", "Przelew", "gotówka", "Kontant"}


def terms_truth(printed):
    """The PaymentTerms truth of a printed terms value: null for a payment method alone."""
    return None if printed in METHOD_ONLY_TERMS else printed

# Field labels: several real-world variants per language.
LABELS = {
    "en": {
        "invoice_title": ["INVOICE", "Invoice", "Tax Invoice", "INVOICE"],
        "number": ["Invoice No.", "Invoice Number", "Invoice #", "Invoice no:"],
        "date": ["Invoice Date", "Date", "Date of issue", "Issue date"],
        "due": ["Due Date", "Payment due", "Due by", "Pay by"],
        "po": ["PO Number", "Your order no.", "P.O. #", "Purchase Order"],
        "terms": ["Payment Terms", "Terms", "Terms of payment"],
        "bill_to": ["Bill To", "Invoice to", "Billed to", "Customer"],
        "desc": ["Description", "Item", "Details", "Product / Service"],
        "qty": ["Qty", "Quantity", "Units", "Hrs/Qty"],
        "unit": ["Unit Price", "Rate", "Price", "Unit cost"],
        "amount": ["Amount", "Line Total", "Total", "Net"],
        "subtotal": ["Subtotal", "Sub-total", "Net total", "Total before tax"],
        "tax": ["Sales Tax", "VAT", "Tax", "GST"],
        "total": ["Total Due", "TOTAL", "Amount Due", "Grand Total", "Balance Due"],
        "terms_values": ["Net 30", "Net 14 days", "Due on receipt", "30 days from invoice date"],
    },
    "fr": {
        "invoice_title": ["FACTURE", "Facture", "Facture n°"],
        "number": ["N° de facture", "Facture n°", "Numéro de facture", "Réf. facture"],
        "date": ["Date de facture", "Date", "Date d'émission", "Émise le"],
        "due": ["Date d'échéance", "Échéance", "À régler avant le", "Date limite de paiement"],
        "po": ["Votre commande", "N° de commande", "Bon de commande", "Réf. commande client"],
        "terms": ["Conditions de paiement", "Conditions de règlement", "Règlement"],
        "bill_to": ["Facturé à", "Client", "Adresse de facturation", "Destinataire"],
        "desc": ["Désignation", "Description", "Libellé", "Article"],
        "qty": ["Qté", "Quantité", "Nombre", "Qté."],
        "unit": ["Prix unitaire HT", "P.U. HT", "Prix unit.", "PU HT"],
        "amount": ["Montant HT", "Total HT", "Montant", "Total"],
        "subtotal": ["Total HT", "Sous-total", "Montant HT", "Total hors taxes"],
        "tax": ["TVA 20 %", "TVA (20%)", "Montant TVA", "TVA"],
        "total": ["Total TTC", "Net à payer", "Montant TTC", "Total à payer"],
        "terms_values": ["30 jours fin de mois", "À réception de facture", "45 jours net", "Paiement à 30 jours"],
    },
    "de": {
        "invoice_title": ["RECHNUNG", "Rechnung"],
        "number": ["Rechnungsnummer", "Rechnung Nr.", "Rechnungs-Nr.", "Re.-Nr."],
        "date": ["Rechnungsdatum", "Datum", "Belegdatum", "Ausstellungsdatum"],
        "due": ["Fällig am", "Zahlbar bis", "Fälligkeitsdatum", "Zahlungsziel"],
        "po": ["Ihre Bestellung", "Bestellnummer", "Ihre Bestell-Nr.", "Auftragsnummer"],
        "terms": ["Zahlungsbedingungen", "Zahlungsbedingung", "Konditionen"],
        "bill_to": ["Rechnungsempfänger", "Kunde", "Rechnungsadresse", "An"],
        "desc": ["Bezeichnung", "Beschreibung", "Artikel", "Leistung"],
        "qty": ["Menge", "Anzahl", "Stk.", "Menge/Einh."],
        "unit": ["Einzelpreis", "E-Preis", "Preis/Einh.", "Stückpreis"],
        "amount": ["Gesamtpreis", "Betrag", "Gesamt", "Summe"],
        "subtotal": ["Nettobetrag", "Zwischensumme", "Summe netto", "Gesamt netto"],
        "tax": ["MwSt. 19 %", "zzgl. 19% USt.", "Umsatzsteuer 19 %", "MwSt."],
        "total": ["Gesamtbetrag", "Rechnungsbetrag", "Endbetrag", "Gesamtsumme brutto", "Zu zahlen"],
        "terms_values": ["14 Tage netto", "Zahlbar innerhalb von 30 Tagen ohne Abzug", "Sofort ohne Abzug", "10 Tage 2% Skonto, 30 Tage netto"],
    },
    "es": {
        "invoice_title": ["FACTURA", "Factura"],
        "number": ["Número de factura", "Factura n.º", "Nº Factura", "Factura núm."],
        "date": ["Fecha de factura", "Fecha", "Fecha de emisión", "Fecha expedición"],
        "due": ["Fecha de vencimiento", "Vencimiento", "Fecha de pago"],
        "po": ["Su pedido", "Nº de pedido", "Pedido cliente", "Orden de compra"],
        "terms": ["Forma de pago", "Condiciones de pago", "Términos de pago"],
        "bill_to": ["Facturar a", "Cliente", "Datos del cliente", "Destinatario"],
        "desc": ["Descripción", "Concepto", "Artículo", "Detalle"],
        "qty": ["Cant.", "Cantidad", "Unidades", "Uds."],
        "unit": ["Precio unitario", "Precio", "P. unit.", "Precio/ud."],
        "amount": ["Importe", "Total", "Subtotal línea", "Importe neto"],
        "subtotal": ["Base imponible", "Subtotal", "Total sin IVA", "Base"],
        "tax": ["IVA 21%", "IVA (21 %)", "Cuota IVA", "IVA"],
        "total": ["Total factura", "TOTAL", "Total a pagar", "Importe total"],
        "terms_values": ["Transferencia a 30 días", "Pago al contado", "30 días fecha factura", "Domiciliación bancaria a 60 días"],
    },
    "nl": {
        "invoice_title": ["FACTUUR", "Factuur"],
        "number": ["Factuurnummer", "Factuurnr.", "Factuur nr.", "Nummer"],
        "date": ["Factuurdatum", "Datum", "Datum factuur"],
        "due": ["Vervaldatum", "Te betalen vóór", "Uiterste betaaldatum"],
        "po": ["Uw ordernummer", "Inkoopordernummer", "Uw referentie", "Bestelnummer"],
        "terms": ["Betalingsvoorwaarden", "Betaaltermijn", "Betalingstermijn"],
        "bill_to": ["Factuuradres", "Klant", "Aan", "Gefactureerd aan"],
        "desc": ["Omschrijving", "Artikel", "Beschrijving", "Product"],
        "qty": ["Aantal", "Aant.", "Hoeveelheid", "Stuks"],
        "unit": ["Prijs per stuk", "Stukprijs", "Prijs", "Tarief"],
        "amount": ["Bedrag", "Totaal", "Regeltotaal", "Bedrag excl."],
        "subtotal": ["Subtotaal", "Totaal excl. btw", "Netto bedrag", "Totaal exclusief btw"],
        "tax": ["Btw 21%", "BTW 21 %", "Btw-bedrag", "BTW"],
        "total": ["Totaal incl. btw", "Te betalen", "Totaalbedrag", "Totaal"],
        "terms_values": ["Betaling binnen 14 dagen", "30 dagen netto", "Binnen 30 dagen na factuurdatum", "Direct bij ontvangst"],
    },
    "it": {
        "invoice_title": ["FATTURA", "Fattura"],
        "number": ["Fattura n.", "Numero fattura", "N. fattura", "Fattura nr."],
        "date": ["Data fattura", "Data", "Data emissione", "Data documento"],
        "due": ["Scadenza", "Data scadenza", "Da pagare entro"],
        "po": ["Vs. ordine", "Ordine n.", "Rif. ordine", "Numero ordine"],
        "terms": ["Condizioni di pagamento", "Modalità di pagamento", "Pagamento"],
        "bill_to": ["Spett.le", "Cliente", "Intestatario", "Destinatario"],
        "desc": ["Descrizione", "Articolo", "Prodotto/Servizio", "Descrizione articolo"],
        "qty": ["Q.tà", "Quantità", "Qtà", "Pezzi"],
        "unit": ["Prezzo unitario", "Prezzo unit.", "Prezzo", "P.U."],
        "amount": ["Importo", "Totale", "Imponibile", "Importo riga"],
        "subtotal": ["Imponibile", "Totale imponibile", "Subtotale", "Totale netto"],
        "tax": ["IVA 22%", "IVA (22 %)", "Imposta", "IVA"],
        "total": ["Totale fattura", "Totale documento", "TOTALE", "Netto a pagare"],
        "terms_values": ["Bonifico bancario 30 gg d.f.", "Rimessa diretta", "60 giorni fine mese", "Ricevuta bancaria 30 gg"],
    },
    "pt": {
        "invoice_title": ["FATURA", "Fatura"],
        "number": ["Fatura nº", "Número da fatura", "Fatura n.º", "N.º Fatura"],
        "date": ["Data da fatura", "Data", "Data de emissão", "Emitida em"],
        "due": ["Data de vencimento", "Vencimento", "Pagar até"],
        "po": ["Sua encomenda", "N.º encomenda", "Pedido de compra", "Ref. cliente"],
        "terms": ["Condições de pagamento", "Forma de pagamento", "Prazo de pagamento"],
        "bill_to": ["Cliente", "Faturar a", "Exmo.(s) Sr.(s)", "Destinatário"],
        "desc": ["Descrição", "Artigo", "Designação", "Produto"],
        "qty": ["Qtd.", "Quantidade", "Qtde", "Unid."],
        "unit": ["Preço unitário", "Preço unit.", "Preço", "P. Unit."],
        "amount": ["Valor", "Total", "Montante", "Valor líquido"],
        "subtotal": ["Total ilíquido", "Subtotal", "Base tributável", "Total sem IVA"],
        "tax": ["IVA 23%", "IVA (23 %)", "Total IVA", "IVA"],
        "total": ["Total a pagar", "TOTAL", "Total da fatura", "Valor total"],
        "terms_values": ["Pronto pagamento", "30 dias", "Transferência bancária a 30 dias", "60 dias após emissão"],
    },
}

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"],
    "it": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"],
    "pt": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"],
}

# Business names: (first part, legal-form/trade suffix) pools per language.
COMPANY = {
    "en": (["Harbour", "Whitfield", "Northgate", "Ashcombe", "Redwood", "Bramley", "Kestrel", "Mercer", "Linden", "Caldwell", "Oakridge", "Pembroke"],
           ["Office Supplies Ltd", "Engineering Inc.", "Consulting LLC", "Print & Design Co.", "Logistics Ltd", "Software Ltd", "Catering Services", "Electrical Contractors Inc."]),
    "fr": (["Boulanger", "Lefèvre", "Garnier", "Moreau", "Rousseau", "Chevalier", "Fontaine", "Marchand", "Girard", "Lambert", "Dumont", "Mercier"],
           ["Imprimerie SARL", "Informatique SAS", "Bâtiment et Fils", "Conseil SARL", "Transports SA", "Traiteur SAS", "Électricité Générale", "Menuiserie SARL"]),
    "de": (["Brandt", "Keller", "Hoffmann", "Schäfer", "Wagner", "Neumann", "Krüger", "Lehmann", "Vogel", "Bauer", "Hartmann", "Zimmermann"],
           ["Haustechnik GmbH", "Druckerei KG", "IT-Service GmbH", "Metallbau GmbH & Co. KG", "Spedition GmbH", "Elektro GmbH", "Büroausstattung AG", "Gebäudereinigung GmbH"]),
    "es": (["García", "Martínez", "López", "Sánchez", "Romero", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Serrano"],
           ["Distribuciones S.L.", "Construcciones S.A.", "Asesores S.L.", "Informática S.L.U.", "Transportes S.A.", "Suministros Industriales S.L.", "Gráficas S.L.", "Reformas S.L."]),
    "nl": (["Van Dijk", "De Vries", "Bakker", "Visser", "Smit", "Meijer", "De Boer", "Mulder", "Bos", "Vos", "Peters", "Hendriks"],
           ["Installatietechniek B.V.", "Drukkerij B.V.", "ICT Diensten B.V.", "Transport B.V.", "Bouwbedrijf B.V.", "Kantoorartikelen V.O.F.", "Advies B.V.", "Schoonmaak B.V."]),
    "it": (["Rossi", "Bianchi", "Ferrari", "Esposito", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti"],
           ["Forniture S.r.l.", "Impianti S.p.A.", "Consulenze S.r.l.", "Tipografia S.n.c.", "Trasporti S.r.l.", "Informatica S.r.l.", "Costruzioni S.p.A.", "Arredamenti S.r.l."]),
    "pt": (["Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins", "Sousa", "Fernandes", "Gonçalves", "Gomes"],
           ["Comércio, Lda.", "Construções, S.A.", "Informática, Lda.", "Transportes, Lda.", "Consultoria, Lda.", "Materiais de Escritório, Lda.", "Gráfica, Lda.", "Engenharia, S.A."]),
}

PEOPLE = {
    "en": (["James", "Emily", "Oliver", "Sophie", "Daniel", "Grace", "Thomas", "Hannah"], ["Carter", "Hughes", "Bennett", "Foster", "Gray", "Ellis", "Palmer", "Russell"]),
    "fr": (["Camille", "Julien", "Claire", "Nicolas", "Élodie", "Mathieu", "Sophie", "Antoine"], ["Bernard", "Dubois", "Laurent", "Simon", "Michel", "Leroy", "Roux", "David"]),
    "de": (["Lukas", "Anna", "Jonas", "Lea", "Felix", "Marie", "Paul", "Sophie"], ["Müller", "Schmidt", "Fischer", "Weber", "Becker", "Schulz", "Koch", "Richter"]),
    "es": (["Lucía", "Javier", "Carmen", "Pablo", "Elena", "Diego", "Marta", "Sergio"], ["Fernández", "González", "Rodríguez", "Pérez", "Jiménez", "Ruiz", "Moreno", "Muñoz"]),
    "nl": (["Daan", "Emma", "Sem", "Julia", "Lucas", "Sanne", "Thijs", "Lotte"], ["Jansen", "de Jong", "van den Berg", "Dekker", "Janssen", "Willems", "van Leeuwen", "Kok"]),
    "it": (["Giulia", "Marco", "Francesca", "Luca", "Chiara", "Andrea", "Sara", "Matteo"], ["Russo", "Fontana", "Moretti", "Barbieri", "Lombardi", "Giordano", "Rinaldi", "Caruso"]),
    "pt": (["Beatriz", "João", "Inês", "Tiago", "Mariana", "Rui", "Catarina", "Miguel"], ["Almeida", "Ribeiro", "Carvalho", "Lopes", "Marques", "Teixeira", "Cardoso", "Correia"]),
}

# Streets and towns: (street pattern pieces, (postcode, town) pairs). Address line formats differ.
STREETS = {
    "en": (["High Street", "Station Road", "Church Lane", "Mill Road", "Victoria Avenue", "Park Road", "King Street", "Elm Drive"], [("SW1A 2AA", "London"), ("M1 4BT", "Manchester"), ("BS1 5TR", "Bristol"), ("LS1 3EX", "Leeds"), ("EH1 1YZ", "Edinburgh"), ("10001", "New York, NY"), ("60601", "Chicago, IL"), ("98101", "Seattle, WA")]),
    "fr": (["rue de la République", "avenue Jean Jaurès", "boulevard Voltaire", "rue Victor Hugo", "place du Marché", "rue des Lilas", "chemin des Vignes", "rue Pasteur"], [("75011", "Paris"), ("69003", "Lyon"), ("13001", "Marseille"), ("31000", "Toulouse"), ("44000", "Nantes"), ("33000", "Bordeaux"), ("59000", "Lille"), ("67000", "Strasbourg")]),
    "de": (["Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee", "Schillerstraße", "Industriestraße", "Am Markt", "Goethestraße"], [("10115", "Berlin"), ("80331", "München"), ("20095", "Hamburg"), ("50667", "Köln"), ("60311", "Frankfurt am Main"), ("70173", "Stuttgart"), ("04109", "Leipzig"), ("28195", "Bremen")]),
    "es": (["Calle Mayor", "Avenida de la Constitución", "Calle del Sol", "Paseo de Gracia", "Calle Real", "Avenida de América", "Calle San Vicente", "Plaza España"], [("28013", "Madrid"), ("08007", "Barcelona"), ("46002", "Valencia"), ("41004", "Sevilla"), ("48001", "Bilbao"), ("50001", "Zaragoza"), ("29005", "Málaga"), ("15003", "A Coruña")]),
    "nl": (["Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Industrieweg", "Havenstraat", "Schoolstraat", "Julianalaan"], [("1012 AB", "Amsterdam"), ("3011 AD", "Rotterdam"), ("3511 LX", "Utrecht"), ("2511 CV", "Den Haag"), ("5611 AZ", "Eindhoven"), ("9711 LM", "Groningen"), ("6811 AA", "Arnhem"), ("2000", "Antwerpen")]),
    "it": (["Via Roma", "Via Garibaldi", "Corso Italia", "Via Dante Alighieri", "Piazza della Libertà", "Via Verdi", "Viale Europa", "Via Mazzini"], [("20121", "Milano MI"), ("00184", "Roma RM"), ("10121", "Torino TO"), ("40121", "Bologna BO"), ("50123", "Firenze FI"), ("80133", "Napoli NA"), ("35121", "Padova PD"), ("16121", "Genova GE")]),
    "pt": (["Rua Augusta", "Avenida da Liberdade", "Rua de Santa Catarina", "Rua do Comércio", "Avenida da República", "Rua das Flores", "Largo do Carmo", "Rua Direita"], [("1100-048", "Lisboa"), ("4000-069", "Porto"), ("3000-150", "Coimbra"), ("4700-035", "Braga"), ("8000-110", "Faro"), ("3800-200", "Aveiro"), ("2400-137", "Leiria"), ("7000-506", "Évora")]),
}

CURRENCY = {"en": ["$", "£"], "fr": ["€"], "de": ["€"], "es": ["€"], "nl": ["€"], "it": ["€"], "pt": ["€"]}
VAT_RATE = {"en": [0.0, 0.2, 0.0825], "fr": [0.2], "de": [0.19], "es": [0.21], "nl": [0.21], "it": [0.22], "pt": [0.23]}

ITEMS = {
    "en": ["Consulting services (hours)", "A4 copy paper, 80 g, box of 5 reams", "Toner cartridge, black", "Website maintenance, monthly", "Delivery charge", "Ergonomic office chair", "On-site installation", "USB-C docking station", "Annual software licence", "Printed brochures, 500 pcs"],
    "fr": ["Prestation de conseil (heures)", "Ramette papier A4 80 g", "Cartouche de toner noir", "Maintenance site web mensuelle", "Frais de livraison", "Fauteuil de bureau ergonomique", "Installation sur site", "Station d'accueil USB-C", "Licence logicielle annuelle", "Impression de dépliants (500 ex.)"],
    "de": ["Beratungsleistung (Stunden)", "Kopierpapier A4, 80 g, 5 Pakete", "Tonerkartusche schwarz", "Wartung Webseite, monatlich", "Versandkosten", "Bürostuhl ergonomisch", "Montage vor Ort", "USB-C Dockingstation", "Softwarelizenz (jährlich)", "Flyer-Druck, 500 Stück"],
    "es": ["Servicios de consultoría (horas)", "Papel A4 80 g, caja de 5 paquetes", "Cartucho de tóner negro", "Mantenimiento web mensual", "Gastos de envío", "Silla de oficina ergonómica", "Instalación in situ", "Base de conexión USB-C", "Licencia de software anual", "Impresión de folletos (500 uds.)"],
    "nl": ["Advieswerkzaamheden (uren)", "Kopieerpapier A4 80 g, doos 5 pakken", "Tonercartridge zwart", "Websiteonderhoud per maand", "Verzendkosten", "Ergonomische bureaustoel", "Installatie op locatie", "USB-C dockingstation", "Softwarelicentie (jaar)", "Folders drukken, 500 stuks"],
    "it": ["Consulenza (ore)", "Carta A4 80 g, scatola da 5 risme", "Cartuccia toner nero", "Manutenzione sito web mensile", "Spese di spedizione", "Sedia da ufficio ergonomica", "Installazione in loco", "Docking station USB-C", "Licenza software annuale", "Stampa volantini (500 pz.)"],
    "pt": ["Serviços de consultoria (horas)", "Papel A4 80 g, caixa de 5 resmas", "Tinteiro de toner preto", "Manutenção do website (mensal)", "Portes de envio", "Cadeira de escritório ergonómica", "Instalação no local", "Estação de ancoragem USB-C", "Licença de software anual", "Impressão de folhetos (500 un.)"],
}
