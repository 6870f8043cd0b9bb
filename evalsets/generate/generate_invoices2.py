"""Writes `evalsets/invoices-synthetic-2/` (a development set, issue 14): invoices in four
languages the first sets lack (cs pl sv da) and three of theirs (en de fr), in layouts G, H, I
(`invoice_layouts_more.py`), Swiss invoices in German, French and Italian (layout J) and two-page ones (layout K), with DejaVu and, where the text is Latin-1, the PDF core fonts
Helvetica and Times. Same truth format and class config as `invoices-synthetic`.

Its own seed and command, so the first sets regenerate unchanged:

    python3 -m venv /tmp/evgen && /tmp/evgen/bin/pip install fpdf2 pillow
    /tmp/evgen/bin/python evalsets/generate/generate_invoices2.py   # needs pdftoppm
"""

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import rich_invoice  # noqa: E402
from generate import FAMILIES, ROOT, reset, save_manifest, write  # noqa: E402
from invoice_layouts_more import LAYOUTS  # noqa: E402

# The PDF core fonts encode Latin-1 only: usable where every printed character is in it.
CORE = ["helvetica", "times"]
LATIN1_LANGS = ("en", "sv", "da")


def plan():
    """(language, layout, scanned): every new language twice in every new layout, the old ones
    once each; one page per new language scanned."""
    out = []
    for k, lang in enumerate(["cs", "pl", "sv", "da"]):
        for j, layout in enumerate("GHIGHI"):
            out.append((lang, layout, j == (k + 1) % 6 and True))
    for lang in ("en", "de", "fr"):
        for layout in "GHI":
            out.append((lang, layout, False))
    # Swiss invoices (layout J) come last, so the documents before them stay as they were.
    for k, lang in enumerate(["de", "fr", "it", "de", "fr", "it"]):
        out.append((lang, "J", k == 5))
    # Two-page invoices (layout K), last for the same reason.
    for lang in ("cs", "pl", "sv", "da", "de", "en"):
        out.append((lang, "K", False))
    return out


def write_config(path):
    """The first set's class config, under a header that names this set."""
    with open(os.path.join(ROOT, "invoices-synthetic", "config.yaml"), encoding="utf-8") as f:
        body = f.read().split("classes:", 1)[1]
    with open(os.path.join(path, "config.yaml"), "w", encoding="utf-8") as f:
        f.write("# The class config `invoices-synthetic-2` is run with: the one of `invoices-synthetic`\n"
                "# (the accelerator's rvl-cdip `invoice` class as it ships, MIT-0, plus evaluation\n"
                "# methods, and the built-in `receipt` class).\nclasses:" + body)


def main():
    rng = random.Random("invoices-synthetic-2-2026")
    names = rich_invoice.Names(rng)
    path = os.path.join(ROOT, "invoices-synthetic-2")
    reset(path)
    manifest = {}
    for i, (lang, layout, scanned) in enumerate(plan()):
        pages = 2 if layout == "K" else 1
        inv = rich_invoice.invoice(rng, lang, names, multi_rate=i % 3 != 0, swiss=layout == "J", n_items=8 + i % 2 if pages == 2 else None,
                                    discounts=pages == 1)
        fonts = FAMILIES + CORE if lang in LATIN1_LANGS else FAMILIES
        family = fonts[i % len(fonts)]
        page, shown = LAYOUTS[layout](inv, family)
        name = f"invoice-{lang}-{layout.lower()}-{i + 1:02d}"
        meta = {"language": lang, "country": "CH" if layout == "J" else None, "layout": layout, "font": family, "vat_rates": len(inv["vat"]), "pages": pages}
        write(path, name, page, "invoice", rich_invoice.truth(inv, shown), manifest, meta, rng, scanned, pages)
    write_config(path)
    save_manifest(path, manifest)


if __name__ == "__main__":
    main()
