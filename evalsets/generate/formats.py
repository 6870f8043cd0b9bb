"""Locale formats for amounts and dates, as they are printed (the ground truth is the printed text)."""

from vocab import MONTHS


def group(int_part: int, sep: str) -> str:
    s = str(int_part)
    out = []
    while len(s) > 3:
        out.insert(0, s[-3:])
        s = s[:-3]
    out.insert(0, s)
    return sep.join(out)


# Number styles: (thousands separator, decimal separator).
NUMBER_STYLES = {
    "en": [(",", ".")],
    "fr": [(" ", ","), (".", ",")],
    "de": [(".", ",")],
    "es": [(".", ",")],
    "nl": [(".", ",")],
    "it": [(".", ",")],
    "pt": [(" ", ","), (".", ",")],
}


def number(value: float, style) -> str:
    thousands, decimal = style
    cents = round(value * 100)
    whole, frac = divmod(abs(cents), 100)
    s = f"{group(whole, thousands)}{decimal}{frac:02d}"
    return "-" + s if cents < 0 else s


def money(value: float, style, cur: str, placement: str) -> str:
    """placement: 'before' (€ 1.234,56 / $1,234.56), 'after' (1.234,56 €), 'none', 'code' (1.234,56 EUR)."""
    n = number(value, style)
    if placement == "none":
        return n
    if placement == "code":
        return f"{n} {'EUR' if cur == '€' else 'GBP' if cur == '£' else 'USD'}"
    if placement == "before":
        return f"{cur}{n}" if cur in "$£" else f"{cur} {n}"
    return f"{n} {cur}"


def date(d, lang: str, style: str) -> str:
    """style: 'numeric' (the country's usual numeric form), 'long' (day and month name), 'iso'."""
    if style == "iso":
        return d.strftime("%Y-%m-%d")
    m = MONTHS[lang][d.month - 1]
    if style == "long":
        return {
            "en": f"{m} {d.day}, {d.year}",
            "fr": f"{d.day} {m} {d.year}",
            "de": f"{d.day}. {m} {d.year}",
            "es": f"{d.day} de {m} de {d.year}",
            "nl": f"{d.day} {m} {d.year}",
            "it": f"{d.day} {m} {d.year}",
            "pt": f"{d.day} de {m} de {d.year}",
        }[lang]
    return {
        "en": d.strftime("%m/%d/%Y"),
        "fr": d.strftime("%d/%m/%Y"),
        "de": d.strftime("%d.%m.%Y"),
        "es": d.strftime("%d/%m/%Y"),
        "nl": d.strftime("%d-%m-%Y"),
        "it": d.strftime("%d/%m/%Y"),
        "pt": d.strftime("%d/%m/%Y"),
    }[lang]
