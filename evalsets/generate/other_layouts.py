"""Receipts, purchase orders and utility bills for the mixed set: the facts, one development and
one holdout layout each, and the ground truth as printed."""

import datetime

import formats
from documents import Money, street_line, town_line
from page import Page
from vocab import ITEMS, LABELS, PEOPLE, STREETS, terms_truth

RECEIPT = {
    "en": dict(title=["RECEIPT", "Sales Receipt", "Payment receipt"], no=["Receipt #", "Trans. No.", "Receipt No."], total=["TOTAL", "Total paid", "AMOUNT PAID"], tax=["incl. VAT", "Sales tax", "Tax"], sub=["Subtotal", "Net"], pay=["Visa ****4821", "Cash", "Mastercard ****0394", "Contactless debit"], thanks="Thank you for shopping with us!", date="Date"),
    "fr": dict(title=["TICKET DE CAISSE", "Reçu", "REÇU DE PAIEMENT"], no=["Ticket n°", "N° de transaction", "Reçu n°"], total=["TOTAL TTC", "Total payé", "À PAYER"], tax=["dont TVA", "TVA"], sub=["Total HT", "Sous-total"], pay=["CB ****4821", "Espèces", "Carte bancaire sans contact"], thanks="Merci de votre visite !", date="Date"),
    "de": dict(title=["KASSENBON", "Quittung", "Beleg"], no=["Bon-Nr.", "Beleg-Nr.", "Quittungsnummer"], total=["SUMME", "Gesamt", "Zu zahlen"], tax=["enth. MwSt.", "MwSt."], sub=["Netto", "Zwischensumme"], pay=["EC-Karte", "Bar", "Visa ****4821", "girocard kontaktlos"], thanks="Vielen Dank für Ihren Einkauf!", date="Datum"),
    "es": dict(title=["TICKET", "Recibo", "FACTURA SIMPLIFICADA"], no=["Ticket nº", "Nº operación", "Recibo nº"], total=["TOTAL", "Total pagado", "IMPORTE"], tax=["IVA incluido", "Cuota IVA"], sub=["Base imponible", "Subtotal"], pay=["Tarjeta ****4821", "Efectivo", "Visa contactless"], thanks="¡Gracias por su visita!", date="Fecha"),
    "nl": dict(title=["KASSABON", "Bon", "Betaalbewijs"], no=["Bonnr.", "Transactienr.", "Bon nummer"], total=["TOTAAL", "Te betalen", "Betaald"], tax=["waarvan btw", "Btw"], sub=["Subtotaal", "Excl. btw"], pay=["Pin", "Contant", "Maestro ****4821"], thanks="Bedankt voor uw bezoek!", date="Datum"),
    "it": dict(title=["SCONTRINO", "Ricevuta", "DOCUMENTO COMMERCIALE"], no=["Scontrino n.", "Documento n.", "Ricevuta n."], total=["TOTALE", "Totale pagato", "TOTALE COMPLESSIVO"], tax=["di cui IVA", "IVA"], sub=["Imponibile", "Subtotale"], pay=["Pagamento elettronico", "Contanti", "Bancomat"], thanks="Grazie e arrivederci!", date="Data"),
    "pt": dict(title=["TALÃO", "Recibo", "FATURA-RECIBO"], no=["Talão nº", "Recibo n.º", "Doc. n.º"], total=["TOTAL", "Total pago", "A PAGAR"], tax=["IVA incluído", "IVA"], sub=["Subtotal", "Base"], pay=["Multibanco", "Numerário", "Cartão ****4821"], thanks="Obrigado pela sua visita!", date="Data"),
}

PO = {
    "en": dict(title=["PURCHASE ORDER", "Purchase Order"], no=["PO Number", "P.O. No.", "Order No."], date=["Order Date", "Date"], deliv=["Delivery Date", "Required by", "Deliver by"], vendor=["Vendor", "Supplier", "To"], ship=["Ship To", "Deliver to", "Delivery address"], total=["Total", "Order Total", "TOTAL"]),
    "fr": dict(title=["BON DE COMMANDE", "Bon de commande"], no=["N° de commande", "Commande n°", "Réf. commande"], date=["Date de commande", "Date"], deliv=["Date de livraison", "Livraison souhaitée le"], vendor=["Fournisseur", "À l'attention de"], ship=["Adresse de livraison", "Livrer à"], total=["Total HT", "Montant total", "TOTAL"]),
    "de": dict(title=["BESTELLUNG", "Bestellung", "Auftrag"], no=["Bestellnummer", "Bestell-Nr.", "Auftragsnr."], date=["Bestelldatum", "Datum"], deliv=["Liefertermin", "Lieferdatum", "Liefern bis"], vendor=["Lieferant", "An"], ship=["Lieferadresse", "Lieferanschrift"], total=["Gesamtsumme", "Bestellwert", "Summe"]),
    "es": dict(title=["ORDEN DE COMPRA", "Pedido", "Orden de compra"], no=["Nº de pedido", "Pedido nº", "Orden nº"], date=["Fecha de pedido", "Fecha"], deliv=["Fecha de entrega", "Entregar antes de"], vendor=["Proveedor", "A la atención de"], ship=["Dirección de entrega", "Entregar en"], total=["Total", "Importe total", "TOTAL PEDIDO"]),
    "nl": dict(title=["INKOOPORDER", "Bestelling", "Inkooporder"], no=["Ordernummer", "Bestelnr.", "Inkoopordernr."], date=["Orderdatum", "Datum"], deliv=["Leverdatum", "Gewenste leverdatum"], vendor=["Leverancier", "Aan"], ship=["Afleveradres", "Leveren aan"], total=["Totaal", "Totaalbedrag", "TOTAAL"]),
    "it": dict(title=["ORDINE DI ACQUISTO", "Ordine", "Ordine fornitore"], no=["Ordine n.", "Numero ordine", "N. ordine"], date=["Data ordine", "Data"], deliv=["Data consegna", "Consegna entro"], vendor=["Fornitore", "Spett.le"], ship=["Luogo di consegna", "Indirizzo di consegna"], total=["Totale", "Totale ordine", "TOTALE"]),
    "pt": dict(title=["NOTA DE ENCOMENDA", "Ordem de compra", "Encomenda"], no=["Encomenda n.º", "N.º da encomenda", "Ordem n.º"], date=["Data da encomenda", "Data"], deliv=["Data de entrega", "Entregar até"], vendor=["Fornecedor", "Exmos. Srs."], ship=["Local de entrega", "Morada de entrega"], total=["Total", "Valor total", "TOTAL"]),
}

UTILITY = {
    "en": dict(kind=["Electricity", "Gas", "Water"], provider=["Power & Light", "Energy", "Water Services"], title=["Your electricity bill", "Energy Bill", "Water bill"], acct=["Account Number", "Account no."], bill_date=["Bill date", "Statement date"], period=["Billing period", "Service period"], usage=["Total usage", "Consumption"], due_amt=["Amount due", "Total amount due"], due=["Due date", "Please pay by"], addr=["Service address", "Supply address"]),
    "fr": dict(kind=["Électricité", "Gaz", "Eau"], provider=["Énergie", "Électricité de France Sud", "Eaux"], title=["Votre facture d'électricité", "Facture d'énergie", "Facture d'eau"], acct=["N° de compte client", "Référence client"], bill_date=["Date de facture", "Facture du"], period=["Période de consommation", "Période facturée"], usage=["Consommation", "Votre consommation"], due_amt=["Montant à payer", "Total TTC à payer"], due=["À payer avant le", "Date limite de paiement"], addr=["Adresse du point de livraison", "Lieu de consommation"]),
    "de": dict(kind=["Strom", "Gas", "Wasser"], provider=["Stadtwerke", "Energie", "Wasserversorgung"], title=["Ihre Stromrechnung", "Jahresabrechnung", "Energierechnung"], acct=["Kundennummer", "Vertragskonto"], bill_date=["Rechnungsdatum", "Datum"], period=["Abrechnungszeitraum", "Zeitraum"], usage=["Verbrauch", "Gesamtverbrauch"], due_amt=["Rechnungsbetrag", "Zu zahlender Betrag"], due=["Fällig am", "Zahlbar bis"], addr=["Lieferstelle", "Verbrauchsstelle"]),
    "es": dict(kind=["Electricidad", "Gas", "Agua"], provider=["Energía", "Eléctrica", "Aguas"], title=["Factura de luz", "Su factura de electricidad", "Factura de agua"], acct=["Nº de contrato", "Número de cliente"], bill_date=["Fecha de emisión", "Fecha factura"], period=["Periodo de facturación", "Periodo de consumo"], usage=["Consumo", "Consumo total"], due_amt=["Total a pagar", "Importe total"], due=["Fecha de cargo", "Fecha límite de pago"], addr=["Dirección de suministro", "Punto de suministro"]),
    "nl": dict(kind=["Stroom", "Gas", "Water"], provider=["Energie", "Netbeheer", "Waterbedrijf"], title=["Uw energierekening", "Jaarafrekening", "Waterrekening"], acct=["Klantnummer", "Contractnummer"], bill_date=["Factuurdatum", "Datum"], period=["Periode", "Afrekenperiode"], usage=["Verbruik", "Totaal verbruik"], due_amt=["Te betalen", "Totaalbedrag"], due=["Vervaldatum", "Uiterlijk betalen op"], addr=["Leveringsadres", "Aansluitadres"]),
    "it": dict(kind=["Energia elettrica", "Gas", "Acqua"], provider=["Energia", "Luce e Gas", "Acquedotto"], title=["Bolletta luce", "La tua bolletta", "Bolletta acqua"], acct=["Codice cliente", "N. contratto"], bill_date=["Data emissione", "Bolletta del"], period=["Periodo di fatturazione", "Periodo"], usage=["Consumo", "Consumi fatturati"], due_amt=["Totale da pagare", "Importo da pagare"], due=["Scadenza", "Da pagare entro il"], addr=["Indirizzo di fornitura", "Fornitura in"]),
    "pt": dict(kind=["Eletricidade", "Gás", "Água"], provider=["Energia", "Eletricidade", "Águas"], title=["Fatura de eletricidade", "A sua fatura", "Fatura da água"], acct=["N.º de cliente", "Conta contrato"], bill_date=["Data de emissão", "Data da fatura"], period=["Período de faturação", "Período"], usage=["Consumo", "Consumo total"], due_amt=["Total a pagar", "Valor a pagar"], due=["Data limite de pagamento", "Pagar até"], addr=["Local de consumo", "Morada de fornecimento"]),
}


def _date(rng, lang, day):
    style = "numeric" if lang != "en" else rng.choice(["numeric", "long"])
    return formats.date(day, lang, style)


def receipt(rng, lang, issuers, layout, family):
    v = RECEIPT[lang]
    merchant = issuers.company(lang)
    money = Money(rng, lang)
    money.placement = "after" if money.placement == "code" else money.placement
    day = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 500))
    items = [(d.split(",")[0].split("(")[0].strip(), rng.choice([2.5, 4.99, 7.2, 12.0, 19.9, 3.45])) for d in rng.sample(ITEMS[lang], rng.randint(2, 5))]
    total = round(sum(i[1] for i in items), 2)
    rate = 0.2 if lang in ("en", "fr") else 0.19 if lang == "de" else 0.21 if lang in ("es", "nl") else 0.22 if lang == "it" else 0.23
    tax = round(total * rate / (1 + rate), 2)
    no = f"{rng.randint(1, 9)}{rng.randint(100, 999)}-{rng.randint(10000, 99999)}"
    pay = rng.choice(v["pay"])
    p = Page(family if layout == "R1" else "serifcond", 80, 200)
    w = 80
    if layout == "R1":
        date_shown = _date(rng, lang, day)
        p.text(w / 2, 12, merchant.name, 9.5, True, "C")
        p.lines(w / 2, 17, merchant.lines, 7.5, align="C")
        title = rng.choice(v["title"])
        p.text(w / 2, 30, title, 9, True, "C")
        p.text(5, 37, f"{v['date']}: {date_shown}   {rng.randint(8, 20)}:{rng.randint(10, 59)}", 7.5)
        no_label = rng.choice(v["no"])
        p.text(5, 42, f"{no_label}: {no}", 7.5)
        y = 50
        for name, price in items:
            p.text(5, y, name[:30], 7.5)
            p.text(75, y, money.plain(price), 7.5, False, "R")
            y += 4.5
        p.rule(5, y - 2, 75, y - 2, 0.2)
        total_label = rng.choice(v["total"])
        total_shown = money.total(total)
        p.text(5, y + 3, total_label, 9, True)
        p.text(75, y + 3, total_shown, 9, True, "R")
        tax_label = rng.choice(v["tax"])
        tax_shown = money.plain(tax)
        p.text(5, y + 9, tax_label, 7.5)
        p.text(75, y + 9, tax_shown, 7.5, False, "R")
        p.text(5, y + 15, pay, 7.5)
        p.text(w / 2, y + 25, v["thanks"], 7, False, "C")
    else:
        date_shown = _date(rng, lang, day)
        title = rng.choice(v["title"])
        p.text(5, 10, title, 8, True)
        p.text(75, 10, date_shown, 8, False, "R")
        p.rule(5, 13, 75, 13, 0.4)
        p.text(w / 2, 20, merchant.name.upper(), 9, True, "C")
        p.text(w / 2, 25, ", ".join(merchant.lines), 6.5, False, "C")
        y = 34
        for name, price in items:
            p.text(5, y, f"1 x {name[:26]}", 7)
            p.text(75, y, money.total(price), 7, False, "R")
            y += 4.5
        p.rule(5, y - 2, 75, y - 2, 0.2)
        total_label = rng.choice(v["total"])
        total_shown = money.total(total)
        p.text(5, y + 4, total_label, 10, True)
        p.text(75, y + 4, total_shown, 10, True, "R")
        p.text(5, y + 11, pay, 7)
        tax_label = rng.choice(v["tax"])
        tax_shown = money.total(tax)
        p.text(5, y + 16, tax_label, 7)
        p.text(75, y + 16, tax_shown, 7, False, "R")
        no_label = rng.choice(v["no"])
        p.text(w / 2, y + 26, f"{no_label} {no}", 7, False, "C")
    truth = {
        "MerchantName": merchant.name,
        "MerchantAddress": merchant.address,
        "ReceiptNumber": no,
        "TransactionDate": date_shown,
        "Items": "; ".join((n[:30] if layout == "R1" else n[:26]) for n, _ in items),
        "Subtotal": None,
        "Tax": tax_shown,
        "TotalAmount": total_shown,
        "PaymentMethod": pay,
    }
    return p, "receipt", truth


def purchase_order(rng, lang, issuers, layout, family):
    v, lb = PO[lang], LABELS[lang]
    buyer = issuers.company(lang)
    vendor = issuers.company(lang)
    ship = [street_line(rng, lang), town_line(rng, lang)]
    money = Money(rng, lang)
    day = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 500))
    deliv = day + datetime.timedelta(days=rng.choice([7, 10, 21]))
    no = f"{rng.choice(['PO-', '4500', 'BC-', ''])}{rng.randint(10000, 999999)}"
    lines = [(d, rng.choice([1, 2, 4, 10, 25]), rng.choice([3.2, 15.0, 42.5, 99.0, 240.0])) for d in rng.sample(ITEMS[lang], rng.randint(2, 4))]
    total = round(sum(q * u for _, q, u in lines), 2)
    labels = {k: rng.choice(v[k]) for k in ("title", "no", "date", "deliv", "vendor", "ship", "total")}
    terms = rng.choice(lb["terms_values"]) if rng.random() < 0.5 else None
    date_shown, deliv_shown = _date(rng, lang, day), None
    deliv_shown = formats.date(deliv, lang, "numeric" if lang != "en" else "long") if rng.random() < 0.7 else None
    p = Page(family)
    units = [money.total(u) for _, _, u in lines]
    if layout == "P1":
        p.text(15, 20, buyer.name, 14, True)
        p.lines(15, 26, buyer.lines, 9)
        p.text(195, 20, labels["title"], 16, True, "R")
        y = 30
        for label, value in ((labels["no"], no), (labels["date"], date_shown), (labels["deliv"], deliv_shown)):
            if value:
                p.text(140, y, f"{label}:", 8.5)
                p.text(195, y, value, 8.5, False, "R")
                y += 5
        p.text(15, 55, labels["vendor"], 8.5, True)
        p.lines(15, 61, [vendor.name] + vendor.lines, 9.5)
        p.text(110, 55, labels["ship"], 8.5, True)
        p.lines(110, 61, ship, 9.5)
        rows = [[d, str(q), u, money.total(q * pr)] for (d, q, pr), u in zip(lines, units)]
        y = p.table(15, 85, [95, 20, 32, 33], [lb["desc"][0], lb["qty"][0], lb["unit"][0], lb["amount"][0]], rows, "LRRR")
    else:
        p.text(105, 18, buyer.name, 14, True, "C")
        p.text(105, 24, " · ".join(buyer.lines), 8, False, "C")
        p.text(105, 38, labels["title"], 15, True, "C")
        y = 46
        meta = [(labels["no"], no), (labels["date"], date_shown)] + ([(labels["deliv"], deliv_shown)] if deliv_shown else [])
        for i, (label, value) in enumerate(meta):
            x = 15 + i * 60
            p.box(x, y, 60, 12, width=0.2)
            p.text(x + 1.5, y + 4.5, label, 7, True)
            p.text(x + 1.5, y + 9.5, value, 9)
        p.box(15, 64, 88, 26, width=0.2)
        p.text(17, 69, labels["vendor"], 7.5, True)
        p.lines(17, 74.5, [vendor.name] + vendor.lines, 9)
        p.box(107, 64, 88, 26, width=0.2)
        p.text(109, 69, labels["ship"], 7.5, True)
        p.lines(109, 74.5, ship, 9)
        rows = [[str(q), d, u, money.total(q * pr)] for (d, q, pr), u in zip(lines, units)]
        y = p.table(15, 98, [18, 102, 30, 30], [lb["qty"][1], lb["desc"][1], lb["unit"][1], lb["amount"][1]], rows, "CLRR", grid=True)
    total_shown = money.total(total)
    p.text(130, y + 9, labels["total"], 10, True)
    p.text(195, y + 9, total_shown, 10, True, "R")
    if terms:
        p.text(15, y + 20, f"{lb['terms'][0]}: {terms}", 8.5)
    truth = {
        "PoNumber": no,
        "OrderDate": date_shown,
        "DeliveryDate": deliv_shown,
        "BuyerName": buyer.name,
        "BuyerAddress": buyer.address,
        "VendorName": vendor.name,
        "VendorAddress": vendor.address,
        "ShipToAddress": ", ".join(ship),
        "Items": "; ".join(d for d, _, _ in lines),
        "Quantities": "; ".join(str(q) for _, q, _ in lines),
        "UnitPrices": "; ".join(units),
        "TotalAmount": total_shown,
        "PaymentTerms": terms_truth(terms),
    }
    return p, "purchase_order", truth


def utility_bill(rng, lang, issuers, layout, family):
    v = UTILITY[lang]
    k = rng.randrange(3)
    town = rng.choice(STREETS[lang][1])[1].split(",")[0]
    words = town.split()
    if len(words) > 1 and words[-1].isupper() and len(words[-1]) == 2:
        town = " ".join(words[:-1])  # Italian province codes belong to addresses, not names
    provider = f"{town} {v['provider'][k]}" if lang != "de" else f"{v['provider'][k]} {town}"
    provider = provider.replace("  ", " ")
    first, last = PEOPLE[lang]
    customer = f"{rng.choice(first)} {rng.choice(last)}"
    service = [street_line(rng, lang), town_line(rng, lang)]
    money = Money(rng, lang)
    money.placement = "after" if money.placement == "code" else money.placement
    day = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 500))
    start = day - datetime.timedelta(days=rng.choice([30, 61, 91]))
    end = day - datetime.timedelta(days=3)
    due = day + datetime.timedelta(days=rng.choice([14, 21]))
    unit = ["kWh", "kWh", "m³"][k]
    usage = rng.randint(120, 4200) if k < 2 else rng.randint(8, 60)
    amount = round(usage * rng.choice([0.19, 0.27, 0.32]) + 12.5, 2) if k < 2 else round(usage * 2.4 + 9.0, 2)
    acct = f"{rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    d = lambda x: formats.date(x, lang, "numeric")
    period = f"{d(start)} - {d(end)}"
    usage_shown = f"{formats.group(usage, '.' if lang in ('de', 'es', 'nl', 'it', 'pt') else ',' if lang == 'en' else ' ')} {unit}"
    labels = {key: rng.choice(v[key]) for key in ("title", "acct", "bill_date", "period", "usage", "due_amt", "due", "addr")}
    p = Page(family)
    amount_shown = money.total(amount)
    if layout == "U1":
        p.text(15, 20, provider, 15, True)
        p.text(15, 26, v["kind"][k], 9)
        p.text(195, 20, labels["title"], 12, True, "R")
        p.lines(15, 45, [customer] + service, 10)
        y = 45
        for label, value in ((labels["acct"], acct), (labels["bill_date"], d(day)), (labels["period"], period)):
            p.text(115, y, label, 8)
            p.text(195, y, value, 8.5, False, "R")
            y += 5.5
        p.box(15, 75, 180, 20, fill=(235, 240, 248))
        p.text(20, 83, labels["due_amt"], 11, True)
        p.text(190, 83, amount_shown, 14, True, "R")
        p.text(20, 90, f"{labels['due']}: {d(due)}", 9)
        p.text(15, 108, labels["usage"], 9, True)
        p.text(80, 108, usage_shown, 9)
        p.text(15, 116, labels["addr"], 9, True)
        p.text(80, 116, ", ".join(service), 9)
        truth_addr = ", ".join(service)
    else:
        p.box(15, 12, 180, 16, fill=(40, 70, 50))
        p.pdf.set_text_color(255, 255, 255)
        p.text(20, 22.5, provider.upper(), 13, True)
        p.pdf.set_text_color(0, 0, 0)
        p.text(15, 40, labels["title"], 13, True)
        rows = [
            [labels["acct"], acct],
            [labels["bill_date"], d(day)],
            [labels["period"], period],
            [labels["usage"], usage_shown],
            [labels["due"], d(due)],
        ]
        y = p.table(15, 48, [60, 60], None, rows, "LR", grid=True)
        p.text(140, 52, customer, 10, True)
        p.lines(140, 57, service, 9)
        p.text(15, y + 12, labels["addr"] + ":", 9)
        p.text(15, y + 17, ", ".join(service), 9)
        p.text(120, y + 12, labels["due_amt"], 11, True)
        p.text(195, y + 19, amount_shown, 15, True, "R")
        truth_addr = ", ".join(service)
    truth = {
        "ProviderName": provider,
        "AccountNumber": acct,
        "BillDate": d(day),
        "BillingPeriod": period,
        "CustomerName": customer,
        "ServiceAddress": truth_addr,
        "Consumption": usage_shown,
        "AmountDue": amount_shown,
        "DueDate": d(due),
    }
    return p, "utility_bill", truth
