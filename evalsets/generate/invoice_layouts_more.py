"""Invoice layouts G, H and I of `invoices-synthetic-2`: structures that A-F never use and real
invoices do. Each returns the page and the amounts as printed, for the ground truth.

G  Central-European tax document: seller and buyer side by side with their tax ids, meta in a
   grid of boxes (label above value) with a second date, an item table with unit, discount and
   VAT-rate columns, a VAT summary table (one row per rate, then the sums), the amount to pay.
H  Letter without letterhead: the vendor only in a three-column footer; customer block with its
   customer number and VAT id; meta as labels above values; item numbers, units, discounts and a
   credit line; totals as a two-row table (labels above amounts, ISO code after the total); a
   long general-terms paragraph in a small font.
I  With a payment slip: delivery address beside the billing address, meta in a shaded
   label/value box with a payment reference, amounts in a table headed with the currency code,
   per-rate VAT lines, cash rounding and the total with the code before it; a detachable slip
   at the foot repeats payee, due date and amount.
J  Swiss, in German, French and Italian: francs with apostrophes, the number in the title, VAT
   lines that print their base, and the QR-bill under a perforation.
K  Two pages: meta as a one-row table, items with wrapped descriptions carried forward from page
   1 to page 2 (with the sum so far on both), totals on page 2.
"""

from page import Page
from rich_invoice import rate_text

SLIP = {
    "en": ("Payment slip", "Payee", "Reference", "Amount"),
    "de": ("Zahlschein", "Empfänger", "Verwendungszweck", "Betrag"),
    "fr": ("Bulletin de paiement", "Bénéficiaire", "Référence", "Montant"),
    "cs": ("Platební údaje", "Příjemce", "Variabilní symbol", "Částka"),
    "pl": ("Dane do przelewu", "Odbiorca", "Tytuł przelewu", "Kwota"),
    "sv": ("Inbetalning", "Betalningsmottagare", "OCR-nummer", "Belopp"),
    "da": ("Indbetaling", "Modtager", "Betalingsreference", "Beløb"),
}
ART_NO = {"en": "Item no.", "de": "Art.-Nr.", "fr": "Réf.", "cs": "Kód", "pl": "Kod", "sv": "Art.nr", "da": "Varenr."}


def wrap(p, s, width, size):
    p.font(size)
    out, line = [], ""
    for word in s.split():
        trial = f"{line} {word}".strip()
        if line and p.width_of(trial) > width:
            out.append(line)
            line = word
        else:
            line = trial
    return out + [line]


def _disc(d):
    return f"{d} %" if d else ""


def _meta(inv, extra=()):
    f, lb = inv["fields"], inv["labels"]
    out = [(lb["number"], f["number"]), (lb["date"], f["date"])]
    out += [(k, v) for k, v in extra if v]
    if f["due"]:
        out.append((lb["due"], f["due"]))
    if f["po"]:
        out.append((lb["po"], f["po"]))
    return out


def _tax_shown(inv, printed_total_vat):
    """Truth convention: the printed total tax, the one amount of a single rate, else null."""
    m = inv["money"]
    if printed_total_vat or len(inv["vat"]) == 1:
        return m.plain(inv["tax"])
    return None


def _tax_label(inv):
    """A total-tax label ("Razem VAT") would read wrong before one rate of several."""
    lb = inv["labels"]
    return lb["tax"] if len(inv["vat"]) == 1 else lb["vat"]


def _party_lines(inv, who, with_ids):
    p = inv[who]
    lb = inv["labels"]
    lines = [p.name] + p.lines
    if with_ids:
        if who == "vendor":
            lines += [f"{lb['reg_id']}: {p.reg_id}", f"{lb['vat_id']}: {p.vat_id}"]
        elif p.vat_id:
            lines.append(f"{lb['vat_id']}: {p.vat_id}")
    return lines


def layout_g(inv, family):
    p = Page(family)
    lb, f, m = inv["labels"], inv["fields"], inv["money"]
    p.text(15, 20, lb["invoice_title"], 15, True)
    extra = [(lb["tax_date"], f["tax_date"])]
    if inv["lang"] == "cs":
        extra.append((lb["vs"], f["reference"]))
    if f["terms"]:
        extra.append((lb["terms"], f["terms"]))
    meta = _meta(inv, extra)
    for i, (label, value) in enumerate(meta):
        x, y = 110 + (i % 2) * 42.5, 12 + (i // 2) * 11
        p.box(x, y, 42.5, 11, width=0.2)
        p.font(6, True)
        p.text(x + 1.5, y + 3.8, label, 6 if p.width_of(label) < 40 else 4.8, True)
        p.text(x + 1.5, y + 8.6, value, 8.5)
    top = max(50, 12 + ((len(meta) + 1) // 2) * 11 + 6)
    for x, who, key in ((15, "vendor", "seller"), (110, "customer", "buyer")):
        p.text(x, top, lb[key].upper(), 7, True)
        p.rule(x, top + 1.2, x + 85, top + 1.2, 0.2)
        lines = _party_lines(inv, who, True)
        if who == "vendor":
            lines.append(f"{lb['bank']}: {inv['vendor'].iban}")
        elif inv["customer"].number:
            lines.append(f"{lb['customer_no']}: {inv['customer'].number}")
        p.lines(x, top + 6, lines, 8.5, bold_first=True, leading=4.2)
    units = [m.plain(line["price"]) for line in inv["lines"]]
    rows = [[str(i + 1), line["desc"], m.quantity(line["qty"]), line["unit"], u, _disc(line["disc"]), m.plain(line["net"]), rate_text(line["rate"])]
            for i, (line, u) in enumerate(zip(inv["lines"], units))]
    header = [lb["pos"], lb["desc"], lb["qty"], lb["unit_col"], lb["unit"], lb["discount"], lb["amount"], lb["rate"]]
    y = p.table(15, top + 40, [9, 63, 16, 11, 23, 14, 26, 18], header, rows, "RLRLRRRR", size=7, grid=True, header_fill=(230, 230, 230), row_h=5.5)
    p.text(105, y + 8, lb["vat_summary"], 8, True)
    srows = [[rate_text(rate), m.plain(net), m.plain(inv["vat"][rate]), m.plain(net + inv["vat"][rate])] for rate, net in sorted(inv["by_rate"].items(), reverse=True)]
    srows.append([lb["sum_row"], m.plain(inv["subtotal"]), m.plain(inv["tax"]), m.plain(inv["total"])])
    y = p.table(105, y + 10, [20, 24, 22, 24], [lb["rate"], lb["net"], lb["vat"], lb["gross"]], srows, "LRRR", size=7.5, grid=True, row_h=5.5)
    if inv["rounding"]:
        p.text(105, y + 5, lb["rounding"], 8)
        p.text(195, y + 5, m.plain(inv["rounding"]), 8, False, "R")
        y += 5
    p.box(105, y + 3, 90, 9, fill=(235, 235, 235), width=0.3)
    p.text(107, y + 9, lb["total"], 10, True)
    p.text(193, y + 9, m.total(inv["to_pay"]), 10, True, "R")
    p.lines(15, 262, wrap(p, lb["terms_text"].format(date=f["claims_by"]), 180, 6.5), 6.5, leading=3)
    shown = {"units": units, "subtotal": m.plain(inv["subtotal"]), "tax": m.plain(inv["tax"]), "total": m.total(inv["to_pay"])}
    return p, shown


def layout_h(inv, family):
    p = Page(family)
    lb, f, m, v, c = inv["labels"], inv["fields"], inv["money"], inv["vendor"], inv["customer"]
    p.text(15, 24, lb["invoice_title"], 20, True)
    cust = _party_lines(inv, "customer", False)
    if c.number:
        cust.append(f"{lb['customer_no']} {c.number}")
    if c.vat_id:
        cust.append(f"{lb['vat_id']} {c.vat_id}")
    p.lines(15, 45, cust, 9.5, leading=4.6)
    for i, (label, value) in enumerate(_meta(inv)):
        x, y = 118 + (i % 2) * 40, 40 + (i // 2) * 10
        p.text(x, y, label, 6.5)
        p.text(x, y + 4.2, value, 9, True)
    units = [m.plain(line["price"]) for line in inv["lines"]]
    rows = [[str(10 * (i + 1)), f"{1000 + 37 * i}", line["desc"], m.quantity(line["qty"]), line["unit"], u, _disc(line["disc"]), m.plain(line["net"])]
            for i, (line, u) in enumerate(zip(inv["lines"], units))]
    header = [lb["pos"], ART_NO[inv["lang"]], lb["desc"], lb["qty"], lb["unit_col"], lb["unit"], lb["discount"], lb["amount"]]
    p.rule(0, 84, 210, 84, 0.6)
    y = p.table(10, 86, [10, 16, 68, 14, 14, 24, 14, 30], header, rows, "RLLRLRRR", size=7.5, row_h=5.8)
    labels = [lb["subtotal"]] + [f"{_tax_label(inv)} {rate_text(rate)}" for rate in sorted(inv["vat"], reverse=True)]
    amounts = [m.plain(inv["subtotal"])] + [m.plain(inv["vat"][rate]) for rate in sorted(inv["vat"], reverse=True)]
    printed_total_vat = len(inv["vat"]) > 1 and inv["total"] * 100 % 2 < 1
    if printed_total_vat:
        labels.append(lb["vat_total"])
        amounts.append(m.plain(inv["tax"]))
    if inv["rounding"]:
        labels.append(lb["rounding"])
        amounts.append(m.plain(inv["rounding"]))
    labels.append(lb["total"])
    total = f"{m.plain(inv['to_pay'])} {m.code}"
    amounts.append(total)
    w = 190 / len(labels)
    y += 8
    p.rule(10, y, 200, y, 0.3)
    for i, (label, amount) in enumerate(zip(labels, amounts)):
        bold = i == len(labels) - 1
        p.text(10 + (i + 1) * w - 1.5, y + 4.5, label, 7, bold, "R")
        p.text(10 + (i + 1) * w - 1.5, y + 10.5, amount, 9.5, bold, "R")
    p.rule(10, y + 13, 200, y + 13, 0.3)
    y += 22
    if f["terms"]:
        p.text(10, y, f"{lb['terms']}: {f['terms']}", 8.5)
        y += 7
    p.lines(10, y, wrap(p, lb["terms_text"].format(date=f["claims_by"]), 190, 6), 6, leading=2.8)
    p.rule(0, 268, 210, 268, 0.3)
    cols = [[v.name] + v.lines, [f"{lb['reg_id']}: {v.reg_id}", f"{lb['vat_id']}: {v.vat_id}"], [lb["bank"], f"IBAN {v.iban}"]]
    for i, col in enumerate(cols):
        p.lines(10 + i * 66, 273, col, 6.5, bold_first=i == 0, leading=3)
    shown = {"units": units, "subtotal": m.plain(inv["subtotal"]), "tax": _tax_shown(inv, printed_total_vat), "total": total}
    return p, shown


def layout_i(inv, family):
    p = Page(family)
    lb, f, m, v, c = inv["labels"], inv["fields"], inv["money"], inv["vendor"], inv["customer"]
    lang = inv["lang"]
    p.text(15, 20, v.name, 17, True)
    p.text(15, 26, ", ".join(v.lines) + f"  |  {lb['vat_id']} {v.vat_id}", 7.5)
    p.text(195, 20, lb["invoice_title"], 13, True, "R")
    p.text(15, 42, lb["bill_to"], 7.5, True)
    p.lines(15, 47, _party_lines(inv, "customer", False), 9.5, leading=4.5)
    p.text(65, 42, lb["delivery"], 7.5, True)
    p.lines(65, 47, [c.name, inv["delivery_street"], c.lines[-1]], 9.5, leading=4.5)
    extra = [(lb["customer_no"], c.number), (SLIP[lang][2], f["reference"]) if lang in ("cs", "sv") else ("", None)]
    meta = _meta(inv, extra)
    if f["terms"]:
        meta.append((lb["terms"], f["terms"]))
    p.box(120, 35, 75, 5.2 * len(meta) + 3, fill=(240, 240, 240), width=0.1)
    for i, (label, value) in enumerate(meta):
        p.text(122, 40 + i * 5.2, label, 8)
        p.text(193, 40 + i * 5.2, value, 8, True, "R")
    units = [m.plain(line["price"]) for line in inv["lines"]]
    rows = [[line["desc"], m.quantity(line["qty"]), line["unit"], u, _disc(line["disc"]), m.plain(line["net"])] for line, u in zip(inv["lines"], units)]
    header = [lb["desc"], lb["qty"], lb["unit_col"], f"{lb['unit']} {m.code}", lb["discount"], f"{lb['amount']} {m.code}"]
    widths, aligns = [76, 14, 14, 30, 14, 32], "LRLRRR"
    if not any(line["disc"] for line in inv["lines"]):  # the column only when a line has one
        rows, header = [r[:4] + r[5:] for r in rows], header[:4] + header[5:]
        widths, aligns = [86, 16, 16, 30, 32], "LRLRR"
    top = max(80, 35 + 5.2 * len(meta) + 12)
    y = p.table(15, top, widths, header, rows, aligns, size=8, header_fill=(215, 215, 215), row_h=6.2)
    y += 7
    printed_total_vat = len(inv["vat"]) > 1 and inv["total"] * 100 % 2 >= 1
    stack = [(lb["subtotal"], m.plain(inv["subtotal"]))]
    stack += [(f"{_tax_label(inv)} {rate_text(rate)}", m.plain(inv["vat"][rate])) for rate in sorted(inv["vat"], reverse=True)]
    if printed_total_vat:
        stack.append((lb["vat_total"], m.plain(inv["tax"])))
    if inv["rounding"]:
        stack.append((lb["rounding"], m.plain(inv["rounding"])))
    for label, amount in stack:
        p.text(120, y, label, 8.5)
        p.text(195, y, amount, 8.5, False, "R")
        y += 5
    total = f"{m.code} {m.plain(inv['to_pay'])}"
    p.box(118, y - 1, 78, 8, width=0.5)
    p.text(120, y + 4.5, lb["total"], 10, True)
    p.text(194, y + 4.5, total, 10, True, "R")
    # A dashed page-wide cut line, then the slip.
    for x in range(0, 210, 4):
        p.rule(x, 232, x + 2, 232, 0.2)
    title, payee, ref, amount = SLIP[lang]
    p.text(15, 240, title, 9, True)
    cells = [(payee, v.name), ("IBAN", v.iban), (ref, f["reference"] if lang in ("cs", "sv") else f["number"]),
             (lb["due"], f["due"] or ""), (amount, total)]
    for i, (label, value) in enumerate(cells):
        x, y = 15 + (i % 3) * 60, 245 + (i // 3) * 14
        p.box(x, y, 58, 12, width=0.2)
        p.text(x + 1.5, y + 4, label, 6.5)
        p.text(x + 1.5, y + 9.5, value, 8.5 if len(value) < 30 else 7, True)
    shown = {"units": units, "subtotal": m.plain(inv["subtotal"]), "tax": _tax_shown(inv, printed_total_vat), "total": total}
    return p, shown


LAYOUTS = {"G": layout_g, "H": layout_h, "I": layout_i}


def _ruled_totals(p, stack, total, x, y, size, step):
    """(label, amount) lines from `x` to the right margin, a rule, then the total in bold two
    points larger; returns the y of the total's baseline."""
    for label, amount in stack:
        p.text(x, y, label, size)
        p.text(195, y, amount, size, False, "R")
        y += step
    p.rule(x, y - 0.6 * step, 195, y - 0.6 * step, 0.35)
    y += 0.35 * step
    p.text(x, y, total[0], size + 2, True)
    p.text(195, y, total[1], size + 2, True, "R")
    return y


def _qr_square(p, x, y, size, seed):
    """A QR-code-like square: the three finder marks and a deterministic module pattern."""
    cell = size / 25
    for fx, fy in ((0, 0), (18, 0), (0, 18)):
        p.box(x + fx * cell, y + fy * cell, 7 * cell, 7 * cell, fill=(0, 0, 0), width=0.1)
        p.box(x + (fx + 1) * cell, y + (fy + 1) * cell, 5 * cell, 5 * cell, fill=(255, 255, 255), width=0.1)
        p.box(x + (fx + 2) * cell, y + (fy + 2) * cell, 3 * cell, 3 * cell, fill=(0, 0, 0), width=0.1)
    state = seed
    for i in range(25):
        for j in range(25):
            if (i < 8 and (j < 8 or j > 16)) or (i > 16 and j < 8):
                continue
            state = (state * 1103515245 + 12345) % 2**31
            if state >> 16 & 1:
                p.box(x + j * cell, y + i * cell, cell, cell, fill=(0, 0, 0), width=0)


def layout_j(inv, family):
    """Swiss: window at the right, number in the title, `label: value` meta at the left, VAT
    lines that print their base, and the QR-bill (receipt and payment part) under a page-wide
    perforation, repeating account, payee, payer, reference and amount (spaced, as the QR-bill
    prints it)."""
    from vocab_more import SWISS

    p = Page(family)
    lb, f, m, v, c = inv["labels"], inv["fields"], inv["money"], inv["vendor"], inv["customer"]
    qr = SWISS[inv["lang"]]["qr"]
    p.text(20, 20, v.name, 14, True)
    p.lines(20, 26, v.lines + [f"{lb['vat_id']} {v.vat_id}"], 8, leading=3.8)
    p.lines(118, 48, [c.name] + c.lines, 10, leading=4.8)
    p.text(20, 78, f"{lb['invoice_title']} {f['number']}", 14, True)
    meta = [(lb["date"], f["date"])]
    meta += [(lb["customer_no"], c.number)] if c.number else []
    meta += [(lb["due"], f["due"])] if f["due"] else []
    meta += [(lb["po"], f["po"])] if f["po"] else []
    for i, (label, value) in enumerate(meta):
        p.text(20, 86 + i * 4.6, f"{label}:", 8.5)
        p.text(62, 86 + i * 4.6, value, 8.5)
    units = [m.plain(line["price"]) for line in inv["lines"]]
    rows = [[m.quantity(line["qty"]), line["unit"], line["desc"], u, m.plain(line["net"])] for line, u in zip(inv["lines"], units)]
    top = 92 + 4.6 * len(meta)
    y = p.table(20, top, [14, 12, 94, 25, 30], [lb["qty"], lb["unit_col"], lb["desc"], lb["unit"], lb["amount"]], rows, "RLLRR", size=8, row_h=5.4)
    dec = m.style[1]
    stack = [(lb["subtotal"], m.plain(inv["subtotal"]))]
    for rate in sorted(inv["vat"], reverse=True):
        stack.append((f"{lb['tax']} {rate_text(rate, dec)} {m.code} {m.plain(inv['by_rate'][rate])}", m.plain(inv["vat"][rate])))
    total = m.total(inv["to_pay"])
    y = _ruled_totals(p, stack, (lb["total"], total), 105, y + 6, 8.5, 4.8)
    if f["terms"]:
        p.text(20, y + 8, f"{lb['terms']}: {f['terms']}", 8.5)
    # The QR-bill: 105 mm high at the foot, receipt 62 mm wide at the left.
    p.rule(0, 192, 210, 192, 0.2)
    p.rule(62, 192, 62, 297, 0.2)
    spaced = f"{inv['to_pay']:,.2f}".replace(",", " ")
    head, rest = f["reference"][:2], f["reference"][2:]
    ref = " ".join([head] + [rest[i:i + 5] for i in range(0, len(rest), 5)])
    payee = [v.iban, v.name] + v.lines
    payer = [c.name] + c.lines
    p.text(5, 199, qr[0], 11, True)
    y = p.lines(5, 205, [qr[2]], 6, True)
    y = p.lines(5, y + 1, payee, 8, leading=3.5)
    y = p.lines(5, y + 2, [qr[3]], 6, True)
    y = p.lines(5, y + 1, [ref], 8, leading=3.5)
    y = p.lines(5, y + 2, [qr[5]], 6, True)
    p.lines(5, y + 1, payer, 8, leading=3.5)
    p.text(5, 270, qr[6], 6, True)
    p.text(20, 270, qr[7], 6, True)
    p.text(5, 274, "CHF", 8)
    p.text(20, 274, spaced, 8)
    p.text(57, 285, qr[8], 6, True, "R")
    p.text(67, 199, qr[1], 11, True)
    _qr_square(p, 67, 209, 46, sum(map(ord, f["number"])))
    p.text(67, 265, qr[6], 7, True)
    p.text(85, 265, qr[7], 7, True)
    p.text(67, 270, "CHF", 10)
    p.text(85, 270, spaced, 10)
    y = p.lines(118, 199, [qr[2]], 7, True)
    y = p.lines(118, y + 1, payee, 9, leading=4)
    y = p.lines(118, y + 2, [qr[3]], 7, True)
    y = p.lines(118, y + 1, [ref], 9, leading=4)
    y = p.lines(118, y + 2, [qr[4]], 7, True)
    y = p.lines(118, y + 1, [f"{lb['invoice_title']} {f['number']}"], 9, leading=4)
    y = p.lines(118, y + 2, [qr[5]], 7, True)
    p.lines(118, y + 1, payer, 9, leading=4)
    shown = {"units": units, "subtotal": m.plain(inv["subtotal"]), "tax": _tax_shown(inv, False), "total": total}
    return p, shown


LAYOUTS["J"] = layout_j


CARRY = {
    "en": ("Carried forward", "Brought forward", "Page"), "de": ("Übertrag", "Übertrag", "Seite"),
    "fr": ("À reporter", "Report", "Page"), "it": ("Riporto", "Riporto", "Pagina"),
    "cs": ("Převod", "Převod", "Strana"), "pl": ("Do przeniesienia", "Z przeniesienia", "Strona"),
    "sv": ("Att överföra", "Överfört", "Sida"), "da": ("Transport", "Transport", "Side"),
}


def _item_rows(p, inv, rows, y, widths, size=8):
    """Rows whose descriptions wrap in their narrow column; returns the y below them."""
    for row in rows:
        wrapped = wrap(p, row[1], widths[1] - 3, size)
        x = 15
        for c, (w, cell) in enumerate(zip(widths, row)):
            if c == 1:
                p.lines(x + 1.5, y + 4, wrapped, size, leading=3.6)
            else:
                right = c in (0, 2, 4, 5)
                p.text(x + w - 1.5 if right else x + 1.5, y + 4, cell, size, False, "R" if right else "L")
            x += w
        y += 3.6 * len(wrapped) + 2.6
        p.rule(15, y, 15 + sum(widths), y, 0.1)
    return y


def layout_k(inv, family):
    """Two pages: letterhead at the right, meta as a one-row table (labels over values), items
    with wrapped descriptions running onto page 2 with a carried-forward sum at the foot of page
    1 and brought forward at the head of page 2, which repeats vendor, number and page; totals,
    terms and bank on page 2."""
    p = Page(family)
    lb, f, m, v, c = inv["labels"], inv["fields"], inv["money"], inv["vendor"], inv["customer"]
    carry, brought, page_word = CARRY[inv["lang"]]
    p.text(195, 18, v.name, 13, True, "R")
    p.lines(195, 23.5, v.lines + [f"{lb['vat_id']} {v.vat_id}"], 8, align="R", leading=3.8)
    p.text(15, 46, lb["bill_to"], 8, True)
    p.lines(15, 51, [c.name] + c.lines, 10, leading=4.6)
    p.text(15, 80, lb["invoice_title"], 16, True)
    meta = _meta(inv)
    if f["terms"]:
        meta.append((lb["terms"], f["terms"]))
    w = 180 / len(meta)
    p.rule(15, 84, 195, 84, 0.4)
    for i, (label, value) in enumerate(meta):
        p.text(15 + i * w + 1, 88.5, label, 7, True)
        p.text(15 + i * w + 1, 94, value, 8.5 if len(value) < 24 else 7)
    p.rule(15, 96.5, 195, 96.5, 0.4)
    widths = [10, 48, 18, 16, 38, 50]
    header = [lb["pos"], lb["desc"], lb["qty"], lb["unit_col"], lb["unit"], lb["amount"]]
    units = [m.plain(line["price"]) for line in inv["lines"]]
    rows = [[str(i + 1), line["desc"], m.quantity(line["qty"]), line["unit"], u, m.plain(line["net"])] for i, (line, u) in enumerate(zip(inv["lines"], units))]
    split = (len(rows) + 1) // 2

    def head(y):
        p.box(15, y, sum(widths), 6, fill=(225, 225, 225), width=0.1)
        x = 15
        for c_, (w_, s) in enumerate(zip(widths, header)):
            right = c_ in (0, 2, 4, 5)
            p.text(x + w_ - 1.5 if right else x + 1.5, y + 4.2, s, 7.5, True, "R" if right else "L")
            x += w_
        return y + 6

    y = _item_rows(p, inv, rows[:split], head(104), widths)
    carried = m.plain(round(sum(line["net"] for line in inv["lines"][:split]), 2))
    p.text(150, y + 6, carry, 8.5, True, "R")
    p.text(195, y + 6, carried, 8.5, True, "R")
    p.text(105, 285, f"{page_word} 1/2", 7.5, False, "C")
    p.pdf.add_page()
    p.text(15, 15, f"{v.name}  -  {lb['invoice_title']} {f['number']}", 8)
    p.text(195, 15, f"{page_word} 2/2", 8, False, "R")
    p.rule(15, 17, 195, 17, 0.2)
    p.text(150, 26, brought, 8.5, True, "R")
    p.text(195, 26, carried, 8.5, True, "R")
    y = _item_rows(p, inv, rows[split:], head(30), widths)
    m_tax = _tax_label(inv)
    stack = [(lb["subtotal"], m.total(inv["subtotal"]))]
    stack += [(f"{m_tax} {rate_text(rate)}", m.total(inv["vat"][rate])) for rate in sorted(inv["vat"], reverse=True)]
    printed_total_vat = len(inv["vat"]) > 1
    if printed_total_vat:
        stack.append((lb["vat_total"], m.total(inv["tax"])))
    if inv["rounding"]:
        stack.append((lb["rounding"], m.total(inv["rounding"])))
    total = m.total(inv["to_pay"])
    y = _ruled_totals(p, stack, (lb["total"], total), 120, y + 8, 9, 5.2)
    p.lines(15, y + 14, wrap(p, lb["terms_text"].format(date=f["claims_by"]), 180, 7.5), 7.5, leading=3.4)
    p.text(15, 280, f"{lb['bank']}: IBAN {v.iban}  |  {lb['reg_id']} {v.reg_id}", 7.5)
    p.text(105, 285, f"{page_word} 2/2", 7.5, False, "C")
    tax = m.total(inv["tax"]) if printed_total_vat or len(inv["vat"]) == 1 else None
    shown = {"units": units, "subtotal": m.total(inv["subtotal"]), "tax": tax, "total": total}
    return p, shown


LAYOUTS["K"] = layout_k
