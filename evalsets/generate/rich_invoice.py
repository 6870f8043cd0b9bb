"""The facts of one `invoices-synthetic-2` invoice and its ground truth: what real invoices carry
and the first sets leave out: several VAT rates, units and decimal quantities, line discounts, a
credit line, cash rounding, tax ids and bank details, a customer number, a second date (tax point
or delivery) and, in Czech and Swedish, a payment reference that is not the invoice number."""

import datetime

import documents
import formats
import vocab
import vocab_more
from documents import Party

LABELS = {**vocab.LABELS, **vocab_more.LABELS}
COMPANY = {**vocab.COMPANY, **vocab_more.COMPANY}
PEOPLE = {**vocab.PEOPLE, **vocab_more.PEOPLE}
STREETS = {**vocab.STREETS, **vocab_more.STREETS}
ITEMS = {**vocab.ITEMS, **vocab_more.ITEMS}
RICH = vocab_more.RICH
for _lang, _ch in vocab_more.SWISS.items():
    COMPANY[_lang + "-CH"], STREETS[_lang + "-CH"], PEOPLE[_lang + "-CH"] = _ch["company"], _ch["streets"], PEOPLE[_lang]


def street_line(rng, lang, street):
    no = rng.randint(1, 180)
    if lang == "en":
        return f"{no} {street}"
    if lang == "fr":
        return f"{no}, {street}" if rng.random() < 0.3 else f"{no} {street}"
    if lang == "cs":
        return f"{street} {rng.randint(100, 2999)}/{no % 60 + 1}"
    if lang == "pl" and rng.random() < 0.5:
        return f"{street} {no}/{rng.randint(1, 40)}"
    return f"{street} {no}"


def party(rng, lang, name):
    streets, towns = STREETS[lang]
    code, town = rng.choice(towns)
    town_line = f"{town} {code}" if lang == "en" else f"{code} {town}"
    return Party(name, [street_line(rng, lang, rng.choice(streets)), town_line])


class Names:
    """Business and person names without repeats within the set."""

    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def _fresh(self, make):
        for _ in range(200):
            name = make()
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("name pool exhausted")

    def company(self, lang, avoid=""):
        """`avoid`: the other party's name, whose first part this one must not share (a fuzzy
        match would score the wrong party right)."""
        firsts, suffixes = COMPANY[lang]
        firsts = [f for f in firsts if not avoid.startswith(f)]
        return self._fresh(lambda: f"{self.rng.choice(firsts)} {self.rng.choice(suffixes)}")

    def person(self, lang):
        first, last = PEOPLE[lang]
        return self._fresh(lambda: f"{self.rng.choice(first)} {self.rng.choice(last)}")


def digits(rng, n):
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def tax_ids(rng, lang):
    """(registration id, VAT id) as printed after their labels."""
    r = RICH[lang]
    if lang == "cs":
        ico = digits(rng, 8)
        return ico, f"CZ{ico}"
    if lang == "pl":
        nip = digits(rng, 10)
        shown = f"{nip[:3]}-{nip[3:6]}-{nip[6:8]}-{nip[8:]}" if rng.random() < 0.5 else nip
        return digits(rng, 9), shown
    if lang == "sv":
        org = f"55{digits(rng, 4)}-{digits(rng, 4)}"
        return org, f"SE{org.replace('-', '')}01"
    if lang == "da":
        cvr = digits(rng, 8)
        return cvr, f"DK{cvr}"
    if lang == "de":
        return f"{digits(rng, 2)}/{digits(rng, 3)}/{digits(rng, 5)}", f"DE{digits(rng, 9)}"
    if lang == "fr":
        siren = digits(rng, 9)
        return f"{siren} {digits(rng, 5)}", f"FR{digits(rng, 2)}{siren}"
    return digits(rng, 8), f"{r['vat_prefix']}{digits(rng, 9)}"


def iban(rng, lang):
    country, length = {"ch": ("CH", 21), "cs": ("CZ", 24), "pl": ("PL", 28), "sv": ("SE", 24), "da": ("DK", 18), "de": ("DE", 22), "fr": ("FR", 27), "en": ("GB", 22)}[lang]
    raw = country + digits(rng, length - 2)
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


class Money:
    """How this invoice prints amounts: number style, and sign or ISO code before or after."""

    def __init__(self, rng, lang):
        self.style = rng.choice(vocab_more.NUMBER_STYLES[lang])
        self.sym, self.code = rng.choice(RICH[lang]["currencies"])
        if lang == "en":
            self.placement = rng.choice(["sym_before", "sym_before", "code_after"])
        elif lang == "da":
            self.placement = rng.choice(["sym_after", "code_before", "code_after"])
        else:
            self.placement = rng.choice(["sym_after", "sym_after", "code_after", "code_before"])

    def plain(self, v):
        return formats.number(v, self.style)

    def total(self, v):
        n = self.plain(v)
        if self.placement == "sym_before":
            return f"{self.sym}{n}"
        if self.placement == "code_before":
            return f"{self.code} {n}"
        if self.placement == "code_after":
            return f"{n} {self.code}"
        return f"{n} {self.sym}"

    def quantity(self, q):
        if q == int(q):
            return str(int(q))
        return f"{q:g}".replace(".", self.style[1])


def date(d, lang, style):
    """The old languages as `formats.date` prints them; the new ones as their countries do."""
    if style == "swiss":
        return d.strftime("%d.%m.%Y")
    if lang in vocab.MONTHS:
        return formats.date(d, lang, style)
    m = vocab_more.MONTHS[lang][d.month - 1]
    if style == "iso" or (lang == "sv" and style == "numeric"):
        return d.strftime("%Y-%m-%d")
    if style == "long":
        return {"cs": f"{d.day}. {m} {d.year}", "pl": f"{d.day} {m} {d.year}", "sv": f"{d.day} {m} {d.year}", "da": f"{d.day}. {m} {d.year}"}[lang]
    if style == "spaced":  # Czech handwriting and many Czech programs: "5. 3. 2024"
        return f"{d.day}. {d.month}. {d.year}"
    return d.strftime("%d.%m.%Y") if lang != "da" or d.day % 2 else d.strftime("%d-%m-%Y")


def invoice_number(rng, lang, day):
    n = rng.randint(1, 999)
    if lang == "it":  # apart: the table below draws for every language, and must draw as before
        return rng.choice([f"{n}/{day.year}", f"FT{day.strftime('%y')}-{n:04d}"])
    return {
        "cs": rng.choice([f"{day.year}{n:05d}", f"FV{day.year}-{n:04d}", f"{day.strftime('%y')}10{n:04d}"]),
        "pl": rng.choice([f"FV/{n}/{day.month:02d}/{day.year}", f"{n}/{day.year}", f"FS {n}/{day.strftime('%m/%Y')}"]),
        "sv": rng.choice([f"{rng.randint(1000, 99999)}", f"F{day.year}{n:04d}"]),
        "da": rng.choice([f"{rng.randint(1000, 99999)}", f"{day.year}-{n:04d}"]),
        "de": rng.choice([f"RE-{day.year}-{n:04d}", f"{rng.randint(10000, 99999)}", f"R{day.strftime('%y')}{n:05d}"]),
        "fr": rng.choice([f"FA-{day.year}-{n:04d}", f"F{day.strftime('%y%m')}{n:03d}"]),
        "en": rng.choice([f"INV-{n:05d}", f"{rng.randint(1000, 99999)}", f"SI-{day.year}-{n:03d}"]),
    }[lang]


def swiss_ids(rng, lang):
    uid = f"CHE-{digits(rng, 3)}.{digits(rng, 3)}.{digits(rng, 3)}"
    return uid, f"{uid} {vocab_more.SWISS[lang]['vat']}"


def invoice(rng, lang, names, multi_rate, swiss=False, n_items=None, discounts=True):
    """Facts and chosen labels; amounts are computed from the lines so the page adds up.
    `swiss`: an invoice from Switzerland (francs, Swiss names, ids and rates)."""
    r = dict(RICH[lang])
    if swiss:
        ch = vocab_more.SWISS[lang]
        r.update(vat_id=ch["vat_id"], reg_id="UID", currencies=[("CHF", "CHF")], vat_rates=vocab_more.SWISS_RATES)
    where = lang + "-CH" if swiss else lang
    vendor = party(rng, where, names.company(where))
    vendor.reg_id, vendor.vat_id = swiss_ids(rng, lang) if swiss else tax_ids(rng, lang)
    vendor.iban = iban(rng, "ch" if swiss else lang)
    is_person = rng.random() < 0.3
    customer = party(rng, where, names.person(where) if is_person else names.company(where, vendor.name))
    customer.vat_id = None if is_person or rng.random() < 0.3 else (swiss_ids(rng, lang) if swiss else tax_ids(rng, lang))[1]
    customer.number = f"{rng.choice(['', 'K', '10'])}{rng.randint(1000, 99999)}" if rng.random() < 0.7 else None
    money = Money(rng, lang)
    if swiss:
        money.style, money.sym, money.code = ("'", "."), "CHF", "CHF"
        money.placement = rng.choice(["code_before", "code_before", "code_after"])
    day = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 600))
    due = day + datetime.timedelta(days=rng.choice([8, 14, 14, 30]))
    styles = {"cs": ["numeric", "numeric", "spaced", "long"], "pl": ["numeric", "iso", "long"], "sv": ["numeric", "numeric", "long"], "da": ["numeric", "long"]}
    date_style = "swiss" if swiss and rng.random() < 0.7 else rng.choice(styles.get(lang, ["numeric", "numeric", "long"]))
    rates = r["vat_rates"] if multi_rate and len(r["vat_rates"]) > 1 else r["vat_rates"][:1]
    picks = rng.sample(range(len(ITEMS[lang])), n_items or rng.randint(3, 6))
    lines = []
    for k, idx in enumerate(picks):
        unit_key = vocab_more.UNIT_KEYS[idx]
        qty = rng.choice([1, 2, 2.5, 4, 7.5, 8]) if unit_key == "h" else rng.choice([1, 1, 2, 3, 5, 10, 12])
        price = rng.choice([9.9, 12.5, 24.0, 49.95, 85.0, 120.0, 350.0, 1250.0, 18.75, 640.0])
        disc = rng.choice([0, 0, 0, 5, 10]) if rng.random() < 0.5 and discounts else 0
        rate = rates[k % len(rates)]
        net = round(qty * price * (1 - disc / 100), 2)
        lines.append({"desc": ITEMS[lang][idx], "unit": r["units"][unit_key], "qty": qty, "price": price, "disc": disc, "rate": rate, "net": net})
    if rng.random() < 0.35:
        back = lines[0]
        lines.append({"desc": r["credit"], "unit": back["unit"], "qty": -1, "price": back["price"], "disc": 0, "rate": back["rate"], "net": -back["price"]})
    by_rate = {}
    for line in lines:
        by_rate.setdefault(line["rate"], 0.0)
        by_rate[line["rate"]] = round(by_rate[line["rate"]] + line["net"], 2)
    vat = {rate: round(net * rate, 2) for rate, net in by_rate.items()}
    subtotal = round(sum(by_rate.values()), 2)
    tax = round(sum(vat.values()), 2)
    total = round(subtotal + tax, 2)
    rounding = 0.0
    if lang in ("cs", "sv", "da") and rng.random() < 0.5 and total != round(total):
        rounding = round(round(total) - total, 2)
    fields = {
        "number": invoice_number(rng, lang, day),
        "date": date(day, lang, date_style),
        "tax_date": date(day - datetime.timedelta(days=rng.randint(1, 6)), lang, date_style),
        "due": date(due, lang, date_style) if rng.random() < 0.85 else None,
        "po": f"{rng.choice(['PO-', '4500', 'OBJ', ''])}{rng.randint(1000, 999999)}" if rng.random() < 0.5 else None,
        "terms": rng.choice(LABELS[lang]["terms_values"]) if rng.random() < 0.7 else None,
        "reference": digits(rng, rng.choice([8, 10, 12])),
        "claims_by": date(due + datetime.timedelta(days=7), lang, date_style),
    }
    labels = {k: rng.choice(v) for k, v in LABELS[lang].items() if not k.endswith("_values")}
    for k, v in r.items():
        labels[k] = rng.choice(v) if isinstance(v, list) and isinstance(v[0], str) else v
    if swiss:
        labels["tax"] = labels["vat"] = vocab_more.SWISS[lang]["vat"]
    # The layouts print each rate next to the tax label themselves.
    labels["tax"] = " ".join(w for w in labels["tax"].split() if w != "%" and not any(c.isdigit() for c in w))
    return {
        "lang": lang, "vendor": vendor, "customer": customer, "money": money, "fields": fields,
        "labels": labels, "lines": lines, "by_rate": by_rate, "vat": vat, "subtotal": subtotal,
        "tax": tax, "total": total, "rounding": rounding, "to_pay": round(total + rounding, 2),
        "delivery_street": street_line(rng, lang, rng.choice(STREETS[lang][0])),
    }


def rate_text(rate, decimal=","):
    return f"{rate * 100:g}".replace(".", decimal) + " %"


def truth(inv, shown):
    """The expected values as printed (`documents.invoice_truth`, with quantities as printed
    here); `shown` has what the layout printed for the amounts."""
    lines = [(line["desc"], inv["money"].quantity(line["qty"])) for line in inv["lines"]]
    return documents.invoice_truth(dict(inv, lines=lines), shown)
