"""A thin drawing layer over fpdf2: text at absolute positions, blocks, tables and rules, in
millimetres, with the fonts installed on this machine (DejaVu, Unicode)."""

from fpdf import FPDF

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONTS = {
    "sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    "mono": ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
    "condensed": ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
    "serifcond": ("DejaVuSerifCondensed.ttf", "DejaVuSerifCondensed-Bold.ttf"),
}


class Page:
    def __init__(self, family: str, width=210.0, height=297.0):
        self.pdf = FPDF(unit="mm", format=(width, height))
        self.pdf.set_auto_page_break(False)
        self.pdf.set_creation_date(__import__("datetime").datetime(2024, 1, 1))
        for name, (regular, bold) in FONTS.items():
            self.pdf.add_font(name, "", f"{FONT_DIR}/{regular}")
            self.pdf.add_font(name, "B", f"{FONT_DIR}/{bold}")
        self.family = family
        self.width = width
        self.height = height
        self.pdf.add_page()

    def font(self, size, bold=False, family=None):
        self.pdf.set_font(family or self.family, "B" if bold else "", size)

    def width_of(self, s):
        return self.pdf.get_string_width(s)

    def text(self, x, y, s, size=9, bold=False, align="L", family=None):
        """`y` is the baseline; `align` R puts the text's right edge at x, C centres it on x."""
        self.font(size, bold, family)
        w = self.width_of(s)
        if align == "R":
            x -= w
        elif align == "C":
            x -= w / 2
        self.pdf.text(x, y, s)
        return w

    def lines(self, x, y, rows, size=9, bold_first=False, align="L", leading=None, family=None):
        leading = leading or size * 0.45
        for i, s in enumerate(rows):
            self.text(x, y + i * leading, s, size, bold_first and i == 0, align, family)
        return y + len(rows) * leading

    def rule(self, x1, y1, x2, y2, width=0.3):
        self.pdf.set_line_width(width)
        self.pdf.line(x1, y1, x2, y2)

    def box(self, x, y, w, h, fill=None, width=0.3):
        self.pdf.set_line_width(width)
        if fill is not None:
            self.pdf.set_fill_color(*fill)
            self.pdf.rect(x, y, w, h, style="DF")
        else:
            self.pdf.rect(x, y, w, h)

    def table(self, x, y, widths, header, rows, aligns, size=8.5, grid=False, header_fill=None, row_h=6.0):
        """Draws a table; returns the y below it."""
        total = sum(widths)
        if header_fill is not None and header:
            self.box(x, y, total, row_h, fill=header_fill, width=0.1)
        cells = ([header] if header else []) + rows
        first = 0 if header else -1
        for r, row in enumerate(cells):
            cx = x
            for c, (w, s) in enumerate(zip(widths, row)):
                a = aligns[c]
                tx = cx + 1.5 if a == "L" else cx + w - 1.5 if a == "R" else cx + w / 2
                self.text(tx, y + row_h * 0.68, s, size, r == first, a)
                if grid:
                    self.box(cx, y, w, row_h, width=0.2)
                cx += w
            if not grid and r == first:
                self.rule(x, y + row_h, x + total, y + row_h, 0.4)
            y += row_h
        if not grid:
            self.rule(x, y, x + total, y, 0.2)
        return y

    def save(self, path):
        self.pdf.output(path)
