"""Invoice layouts. A-D are the development layouts, E-F appear only in the holdout.

Each returns the amounts as printed ({"units": [...], "subtotal", "tax", "total"}) so the ground
truth is exactly what is on the page."""

from page import Page


def _amounts(inv, with_symbol_in_table):
    m = inv["money"]
    cell = m.total if with_symbol_in_table else m.plain
    units = [cell(l[2]) for l in inv["lines"]]
    amounts = [cell(l[3]) for l in inv["lines"]]
    return units, amounts


def _meta(inv):
    """(label, value) pairs of the header fields this invoice has."""
    f, lb = inv["fields"], inv["labels"]
    out = [(lb["number"], f["number"]), (lb["date"], f["date"])]
    if f["due"]:
        out.append((lb["due"], f["due"]))
    if f["po"]:
        out.append((lb["po"], f["po"]))
    return out


def _totals(inv, p, x_label, x_value, y, size=9.5, bold_total=True, colon=""):
    m, lb = inv["money"], inv["labels"]
    shown = {
        "subtotal": m.total(inv["subtotal"]),
        "tax": m.total(inv["tax"]),
        "total": m.total(inv["total"]),
    }
    for key, label in (("subtotal", lb["subtotal"]), ("tax", lb["tax"]), ("total", lb["total"])):
        bold = bold_total and key == "total"
        p.text(x_label, y, label + colon, size, bold)
        p.text(x_value, y, shown[key], size, bold, "R")
        y += 6
    return y, shown


def layout_a(inv, family):
    """Letterhead top-left, title and `label: value` meta at the right, bill-to block at the
    left, table Description | Qty | Unit | Amount, totals right."""
    p = Page(family)
    lb, v, c = inv["labels"], inv["vendor"], inv["customer"]
    p.text(15, 22, v.name, 15, True)
    p.lines(15, 29, v.lines, 9)
    p.text(195, 22, lb["invoice_title"], 20, True, "R")
    y = 34
    for label, value in _meta(inv):
        p.text(140, y, f"{label}:", 9)
        p.text(195, y, value, 9, False, "R")
        y += 5
    p.text(15, 62, lb["bill_to"], 9, True)
    p.lines(15, 68, [c.name] + c.lines, 9.5)
    units, amounts = _amounts(inv, inv["money"].placement != "code")
    rows = [[l[0], str(l[1]), u, a] for l, u, a in zip(inv["lines"], units, amounts)]
    y = p.table(15, 95, [95, 20, 32, 33], [lb["desc"], lb["qty"], lb["unit"], lb["amount"]], rows, "LRRR")
    y, shown = _totals(inv, p, 120, 195, y + 8, colon="")
    if inv["fields"]["terms"]:
        p.text(15, y + 10, f"{lb['terms']}: {inv['fields']['terms']}", 9)
    shown["units"] = units
    return p, shown


def layout_b(inv, family):
    """Letterhead centred, meta as a bordered row of cells (label above value), customer block at
    the right (window envelope), table Qty | Description | Unit | Amount with a grid."""
    p = Page(family)
    lb, v, c = inv["labels"], inv["vendor"], inv["customer"]
    p.text(105, 20, v.name, 16, True, "C")
    p.text(105, 26, " · ".join(v.lines), 8.5, False, "C")
    p.rule(15, 30, 195, 30, 0.5)
    p.text(115, 45, lb["bill_to"], 8, True)
    p.lines(115, 51, [c.name] + c.lines, 10)
    p.text(15, 50, lb["invoice_title"], 18, True)
    meta = _meta(inv)
    if inv["fields"]["terms"]:
        meta.append((lb["terms"], inv["fields"]["terms"]))
    w = 180 / len(meta)
    for i, (label, value) in enumerate(meta):
        p.box(15 + i * w, 72, w, 12, width=0.2)
        p.text(16.5 + i * w, 76.5, label, 7, True)
        p.text(16.5 + i * w, 81.5, value, 8.5 if len(value) < 28 else 7)
    units, amounts = _amounts(inv, True)
    rows = [[str(l[1]), l[0], u, a] for l, u, a in zip(inv["lines"], units, amounts)]
    y = p.table(15, 92, [18, 102, 30, 30], [lb["qty"], lb["desc"], lb["unit"], lb["amount"]], rows, "CLRR", grid=True)
    y, shown = _totals(inv, p, 125, 195, y + 8, colon=":")
    shown["units"] = units
    return p, shown


def layout_c(inv, family):
    """German-letter style: letterhead top-right, a small sender line over the customer window
    at the left, meta labels left / values right in a block at the right, table
    Pos | Description | Qty | Unit | Amount with a shaded header."""
    p = Page(family)
    lb, v, c = inv["labels"], inv["vendor"], inv["customer"]
    p.text(195, 18, v.name, 14, True, "R")
    p.lines(195, 24, v.lines, 8.5, align="R")
    p.text(20, 48, f"{v.name} · {' · '.join(v.lines)}", 6.5)
    p.rule(20, 49.5, 105, 49.5, 0.2)
    p.lines(20, 56, [c.name] + c.lines, 10)
    y = 52
    for label, value in _meta(inv):
        p.text(125, y, label, 8.5)
        p.text(195, y, value, 8.5, False, "R")
        y += 5
    p.text(20, 90, f"{lb['invoice_title']} {inv['fields']['number']}", 13, True)
    units, amounts = _amounts(inv, False)
    rows = [[str(i + 1), l[0], str(l[1]), u, a] for i, (l, u, a) in enumerate(zip(inv["lines"], units, amounts))]
    y = p.table(20, 98, [12, 88, 18, 29, 28], ["#", lb["desc"], lb["qty"], lb["unit"], lb["amount"]], rows, "LLRRR", header_fill=(225, 225, 225))
    y, shown = _totals(inv, p, 120, 195, y + 8)
    if inv["fields"]["terms"]:
        p.text(20, y + 8, f"{lb['terms']}: {inv['fields']['terms']}", 8.5)
    shown["units"] = units
    return p, shown


def layout_d(inv, family):
    """Logo box and letterhead top-left, meta stacked with each label above its value at the
    left, customer block right with its label above, table Description | Unit | Qty | Amount,
    totals in a box."""
    p = Page(family)
    lb, v, c = inv["labels"], inv["vendor"], inv["customer"]
    p.box(15, 12, 14, 14, fill=(60, 90, 140))
    p.text(33, 19, v.name, 13, True)
    p.text(33, 24.5, ", ".join(v.lines), 8)
    p.text(195, 20, lb["invoice_title"], 22, True, "R")
    y = 40
    for label, value in _meta(inv):
        p.text(15, y, label.upper(), 7, True)
        p.text(15, y + 4.5, value, 10)
        y += 11
    p.text(120, 40, lb["bill_to"].upper(), 7, True)
    p.lines(120, 45, [c.name] + c.lines, 10)
    units, amounts = _amounts(inv, True)
    rows = [[l[0], u, str(l[1]), a] for l, u, a in zip(inv["lines"], units, amounts)]
    top = max(y, 70) + 6
    y = p.table(15, top, [92, 32, 18, 38], [lb["desc"], lb["unit"], lb["qty"], lb["amount"]], rows, "LRCR")
    p.box(115, y + 4, 80, 21, width=0.3)
    y2, shown = _totals(inv, p, 118, 192, y + 10)
    if inv["fields"]["terms"]:
        p.text(15, y + 10, lb["terms"], 8, True)
        p.text(15, y + 15, inv["fields"]["terms"], 9)
    shown["units"] = units
    return p, shown


def layout_e(inv, family):
    """Holdout. Two framed blocks side by side (vendor, customer), meta as a bordered key/value
    table under the title, table Code | Description | Qty | Unit | Amount with a grid, totals
    with the currency code column."""
    p = Page(family)
    lb, v, c = inv["labels"], inv["vendor"], inv["customer"]
    p.text(15, 18, lb["invoice_title"], 18, True)
    y = 25
    for label, value in _meta(inv):
        p.box(15, y, 40, 6.5, width=0.2)
        p.box(55, y, 45, 6.5, width=0.2)
        p.text(16.5, y + 4.6, label, 8, True)
        p.text(56.5, y + 4.6, value, 8.5)
        y += 6.5
    p.box(110, 12, 85, 28, width=0.3)
    p.lines(113, 18, [v.name] + v.lines, 9, bold_first=True)
    p.box(110, 44, 85, 26, width=0.3)
    p.text(113, 49, lb["bill_to"], 7.5, True)
    p.lines(113, 55, [c.name] + c.lines, 9)
    units, amounts = _amounts(inv, False)
    codes = [f"{chr(65 + i)}{100 + 7 * i}" for i in range(len(inv["lines"]))]
    rows = [[k, l[0], str(l[1]), u, a] for k, l, u, a in zip(codes, inv["lines"], units, amounts)]
    y = p.table(15, max(y, 72) + 6, [18, 86, 16, 30, 30], ["Ref.", lb["desc"], lb["qty"], lb["unit"], lb["amount"]], rows, "LLRRR", grid=True)
    y, shown = _totals(inv, p, 110, 195, y + 8)
    if inv["fields"]["terms"]:
        p.text(15, y + 6, lb["terms"] + ":", 8.5, True)
        p.text(15 + p.width_of(lb["terms"] + ":  "), y + 6, inv["fields"]["terms"], 8.5)
    shown["units"] = units
    return p, shown


def layout_f(inv, family):
    """Holdout. Centred letterhead with a rule, one meta line under the title, customer labelled
    at the left, table without borders, the vendor's details again in the footer."""
    p = Page(family)
    lb, v, c = inv["labels"], inv["vendor"], inv["customer"]
    p.text(105, 18, v.name.upper(), 15, True, "C")
    p.rule(40, 21, 170, 21, 0.8)
    p.text(105, 26, " | ".join(v.lines), 8.5, False, "C")
    p.text(105, 40, lb["invoice_title"], 16, True, "C")
    meta = _meta(inv)
    line = "     ".join(f"{k}: {val}" for k, val in meta)
    p.text(105, 47, line, 8 if len(line) < 110 else 6.5, False, "C")
    p.text(15, 60, lb["bill_to"] + ":", 9, True)
    p.lines(15 + p.width_of(lb["bill_to"] + ":   ") + 2, 60, [c.name] + c.lines, 9.5)
    units, amounts = _amounts(inv, True)
    rows = [[l[0], str(l[1]), u, a] for l, u, a in zip(inv["lines"], units, amounts)]
    y = p.table(15, 82, [100, 15, 32, 33], [lb["desc"], lb["qty"], lb["unit"], lb["amount"]], rows, "LCRR")
    y, shown = _totals(inv, p, 115, 195, y + 10, size=10.5)
    if inv["fields"]["terms"]:
        p.text(15, y + 8, f"{lb['terms']} — {inv['fields']['terms']}", 9)
    p.rule(15, 275, 195, 275, 0.2)
    p.text(105, 280, f"{v.name} · {' · '.join(v.lines)}", 7, False, "C")
    shown["units"] = units
    return p, shown


DEV = {"A": layout_a, "B": layout_b, "C": layout_c, "D": layout_d}
HOLDOUT = {"E": layout_e, "F": layout_f}
