"""Writes the synthetic evaluation sets: `invoices-synthetic/{dev,holdout}` and
`mixed-synthetic/{dev,holdout}` under evalsets/, each with `documents/`, `expected/` (the
accelerator's section-result format, values as printed) and `manifest.json` (language, layout,
scanned or not, per document).

Reproducible: a fixed seed, fixed fonts (DejaVu), fixed PDF dates. The holdout uses layouts and
issuer names the dev split never uses. A few pages are rasterised to PNG with noise and a small
rotation so that they need OCR.

    python3 -m venv /tmp/evgen && /tmp/evgen/bin/pip install fpdf2 pillow
    /tmp/evgen/bin/python evalsets/generate/generate.py     # needs pdftoppm (poppler-utils)
"""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import documents  # noqa: E402
import invoice_layouts  # noqa: E402
import other_layouts  # noqa: E402
from vocab import LANGS  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
FAMILIES = ["sans", "serif", "condensed", "serifcond", "mono"]


def scan(pdf_path, png_path, rng):
    """Rasterise at 150 dpi in grey, rotate a little, add speckle noise: a page from a scanner."""
    from PIL import Image, ImageFilter

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "150", "-gray", "-png", "-singlefile", pdf_path, f"{tmp}/p"], check=True)
        img = Image.open(f"{tmp}/p.png").convert("L")
    img = img.rotate(rng.uniform(-1.8, 1.8), expand=True, fillcolor=255, resample=Image.BICUBIC)
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    px = img.load()
    w, h = img.size
    for _ in range(w * h // 180):
        x, y = rng.randrange(w), rng.randrange(h)
        px[x, y] = rng.choice([0, 60, 200, 255])
    img.save(png_path, optimize=True)


def write(set_dir, name, page, cls, truth, manifest, meta, rng, scanned, pages=1):
    docs = os.path.join(set_dir, "documents")
    exp = os.path.join(set_dir, "expected")
    os.makedirs(docs, exist_ok=True)
    os.makedirs(exp, exist_ok=True)
    pdf = os.path.join(docs, name + ".pdf")
    page.save(pdf)
    file_name = name + ".pdf"
    if scanned:
        file_name = name + ".png"
        scan(pdf, os.path.join(docs, file_name), rng)
        os.remove(pdf)
    out = {
        "document_class": {"type": cls},
        "split_document": {"page_indices": list(range(pages))},
        "inference_result": truth,
    }
    with open(os.path.join(exp, file_name + ".json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=2)
        f.write("\n")
    manifest[file_name] = dict(meta, **{"class": cls, "scanned": scanned})


def invoices(split, rng, issuers, plan, set_dir, manifest, prefix="invoice"):
    layouts = invoice_layouts.DEV if split == "dev" else invoice_layouts.HOLDOUT
    for i, (lang, layout, scanned) in enumerate(plan):
        inv = documents.invoice(rng, lang, issuers)
        family = FAMILIES[i % len(FAMILIES)]
        page, shown = layouts[layout](inv, family)
        truth = documents.invoice_truth(inv, shown)
        name = f"{prefix}-{lang}-{layout.lower()}-{i + 1:02d}"
        meta = {"language": lang, "layout": layout, "font": family}
        write(set_dir, name, page, "invoice", truth, manifest, meta, rng, scanned)


def others(split, rng, issuers, plan, set_dir, manifest):
    makers = {"R": other_layouts.receipt, "P": other_layouts.purchase_order, "U": other_layouts.utility_bill}
    for i, (lang, layout, scanned) in enumerate(plan):
        family = FAMILIES[(i + 2) % len(FAMILIES)]
        page, cls, truth = makers[layout[0]](rng, lang, issuers, layout, family)
        name = f"{cls.replace('_', '-')}-{lang}-{layout.lower()}-{i + 1:02d}"
        meta = {"language": lang, "layout": layout, "font": family}
        write(set_dir, name, page, cls, truth, manifest, meta, rng, scanned)


def reset(path):
    for sub in ("documents", "expected"):
        shutil.rmtree(os.path.join(path, sub), ignore_errors=True)


def save_manifest(path, manifest):
    with open(os.path.join(path, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(dict(sorted(manifest.items())), f, ensure_ascii=False, indent=2)
        f.write("\n")


def main():
    dev_layouts = ["A", "B", "C", "D"]
    # invoices-synthetic: every language twice in dev (four layouts in turn), once in the holdout;
    # two dev pages and one holdout page scanned.
    for split in ("dev", "holdout"):
        rng = random.Random(f"invoices-{split}-2024")
        issuers = documents.Issuers(rng, split)
        if split == "dev":
            plan = [(lang, dev_layouts[(2 * k + j) % 4], (k, j) in ((1, 1), (4, 0))) for k, lang in enumerate(LANGS) for j in range(2)]
        else:
            plan = [(lang, "EF"[k % 2], k == 3) for k, lang in enumerate(LANGS)]
        path = os.path.join(ROOT, "invoices-synthetic", split)
        reset(path)
        manifest = {}
        invoices(split, rng, issuers, plan, path, manifest)
        save_manifest(path, manifest)

    # mixed-synthetic: receipts, purchase orders, utility bills, and a few invoices among them.
    for split in ("dev", "holdout"):
        rng = random.Random(f"mixed-{split}-2024")
        issuers = documents.Issuers(rng, split)
        path = os.path.join(ROOT, "mixed-synthetic", split)
        reset(path)
        manifest = {}
        if split == "dev":
            plan = [("en", "R1", False), ("fr", "R1", True), ("de", "R1", False), ("es", "R1", False),
                    ("it", "P1", False), ("nl", "P1", False), ("en", "P1", False), ("pt", "P1", False),
                    ("de", "U1", False), ("fr", "U1", False), ("en", "U1", False), ("es", "U1", False)]
            inv_plan = [("nl", "A", False), ("it", "C", False), ("pt", "D", False)]
        else:
            plan = [("nl", "R2", False), ("pt", "R2", True), ("de", "P2", False), ("fr", "P2", False),
                    ("it", "U2", False), ("nl", "U2", False)]
            inv_plan = [("es", "E", False), ("en", "F", False)]
        others(split, rng, issuers, plan, path, manifest)
        invoices(split, rng, issuers, inv_plan, path, manifest, prefix="mixed-invoice")
        save_manifest(path, manifest)


if __name__ == "__main__":
    main()
