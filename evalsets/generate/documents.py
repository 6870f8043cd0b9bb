"""The documents' contents: a random but reproducible business transaction per document, and the
printed strings (the ground truth) in the document's language."""

import datetime
import random

import formats
from vocab import COMPANY, CURRENCY, ITEMS, LABELS, PEOPLE, STREETS, VAT_RATE, terms_truth


class Party:
    def __init__(self, name, lines):
        self.name = name
        self.lines = lines  # address lines as printed, without the name

    @property
    def address(self):
        return ", ".join(self.lines)


def street_line(rng, lang):
    street = rng.choice(STREETS[lang][0])
    no = rng.randint(1, 180)
    if lang in ("en", "fr"):
        return f"{no} {street}"
    if lang in ("es", "pt"):
        return f"{street}, {no}" if lang == "es" else f"{street}, {no}"
    if lang == "it":
        return f"{street}, {no}"
    return f"{street} {no}"


def town_line(rng, lang):
    code, town = rng.choice(STREETS[lang][1])
    if lang == "en":
        return f"{town} {code}" if code[0].isdigit() else f"{town} {code}"
    return f"{code} {town}"


class Issuers:
    """Hands out business names without repeats, from a pool split between dev and holdout: the
    holdout never sees a dev issuer's name part."""

    def __init__(self, rng, split):
        self.rng = rng
        self.split = split
        self.used = set()

    def company(self, lang):
        firsts, suffixes = COMPANY[lang]
        half = len(firsts) * 2 // 3
        pool = firsts[:half] if self.split == "dev" else firsts[half:]
        for _ in range(200):
            name = f"{self.rng.choice(pool)} {self.rng.choice(suffixes)}"
            if name not in self.used:
                self.used.add(name)
                return Party(name, [street_line(self.rng, lang), town_line(self.rng, lang)])
        raise RuntimeError("issuer pool exhausted")

    def person_or_company(self, lang):
        if self.rng.random() < 0.35:
            first, last = PEOPLE[lang]
            name = f"{self.rng.choice(first)} {self.rng.choice(last)}"
            if name not in self.used:
                self.used.add(name)
                return Party(name, [street_line(self.rng, lang), town_line(self.rng, lang)])
        return self.company(lang)


class Money:
    """How this document prints amounts."""

    def __init__(self, rng, lang):
        self.cur = rng.choice(CURRENCY[lang])
        self.style = rng.choice(formats.NUMBER_STYLES[lang])
        if lang == "en":
            self.placement = "before"
        elif lang == "nl":
            self.placement = rng.choice(["before", "after"])
        else:
            self.placement = rng.choice(["after", "after", "before", "code"])

    def total(self, v):
        return formats.money(v, self.style, self.cur, self.placement)

    def plain(self, v):
        return formats.number(v, self.style)


def pick(rng, lang, key):
    return rng.choice(LABELS[lang][key])


def invoice(rng, lang, issuers):
    """The facts of one invoice and the labels chosen to print them."""
    vendor = issuers.company(lang)
    customer = issuers.person_or_company(lang)
    money = Money(rng, lang)
    day = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 500))
    due = day + datetime.timedelta(days=rng.choice([14, 30, 30, 45]))
    if lang == "en":
        date_style = "numeric" if money.cur == "$" and rng.random() < 0.6 else rng.choice(["long", "iso"])
    else:
        date_style = rng.choice(["numeric", "numeric", "long"])
    prefix = rng.choice(["INV-", "", "F", "RE-", "2024-", "FA", ""])
    number = f"{prefix}{rng.randint(1000, 99999)}"
    items = rng.sample(ITEMS[lang], rng.randint(2, 5))
    rate = rng.choice(VAT_RATE[lang])
    lines = []
    for desc in items:
        qty = rng.choice([1, 1, 2, 3, 5, 10, 12])
        unit = rng.choice([9.9, 12.5, 24.0, 49.95, 85.0, 120.0, 350.0, 1250.0, 18.75])
        lines.append((desc, qty, unit, qty * unit))
    subtotal = round(sum(l[3] for l in lines), 2)
    tax = round(subtotal * rate, 2)
    total = round(subtotal + tax, 2)
    has_due = rng.random() < 0.75
    has_po = rng.random() < 0.5
    has_terms = rng.random() < 0.6
    f = {
        "number": number,
        "date": formats.date(day, lang, date_style),
        "due": formats.date(due, lang, date_style) if has_due else None,
        "po": f"{rng.choice(['PO-', '4500', 'B', ''])}{rng.randint(10000, 999999)}" if has_po else None,
        "terms": rng.choice(LABELS[lang]["terms_values"]) if has_terms else None,
    }
    labels = {k: pick(rng, lang, k) for k in LABELS[lang] if not k.endswith("_values")}
    if rate and labels["tax"].count("%") and str(round(rate * 100)) not in labels["tax"]:
        labels["tax"] = f"{labels['tax'].split()[0]} {rate * 100:g}%"
    if rate == 0 and "%" in labels["tax"]:
        labels["tax"] = labels["tax"].split()[0]
    return {
        "lang": lang,
        "vendor": vendor,
        "customer": customer,
        "money": money,
        "fields": f,
        "labels": labels,
        "lines": lines,
        "subtotal": subtotal,
        "tax": tax,
        "total": total,
    }


def invoice_truth(inv, shown):
    """The expected values, as printed. `shown` has the strings the template printed for amounts
    (templates differ in where the currency sign goes)."""
    f = inv["fields"]
    return {
        "InvoiceNumber": f["number"],
        "InvoiceDate": f["date"],
        "DueDate": f["due"],
        "VendorName": inv["vendor"].name,
        "VendorAddress": inv["vendor"].address,
        "CustomerName": inv["customer"].name,
        "CustomerAddress": inv["customer"].address,
        "Items": "; ".join(l[0] for l in inv["lines"]),
        "Quantities": "; ".join(str(l[1]) for l in inv["lines"]),
        "UnitPrices": "; ".join(shown["units"]),
        "Subtotal": shown["subtotal"],
        "Tax": shown["tax"],
        "TotalAmount": shown["total"],
        "PoNumber": f["po"],
        "PaymentTerms": terms_truth(f["terms"]),
    }
