//! Words with boxes from a PDF's text layer.
//!
//! Each page is read by our own reader (`pipeline::pdf_text`), which loads each font once per
//! document; a page it does not read the way pdf-extract would (a Type3 font, an embedded CMap,
//! …) is read by pdf-extract instead, so the words stay the same. pdf-extract interprets the content stream (fonts, encodings, text matrices) and reports every
//! glyph through its `OutputDev` callback with its transform and advance width; we collect those
//! glyphs and join them into words ourselves, which gives real positions instead of the plain
//! text pdf-extract would print. Glyph heights are not in the PDF: a box spans 0.8 of the font
//! size above the baseline and 0.2 below, which is close for Latin text.

use pdf_extract::{Document as PdfDoc, MediaBox, OutputDev, OutputError, Transform};

use crate::model::{BoundingBox, Word};
use crate::pipeline::pdf_text;

/// One glyph in page space (points, origin top-left, y at the baseline).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Glyph {
    pub text: String,
    pub x: f64,
    pub y: f64,
    pub advance: f64,
    pub size: f64,
}

/// Glyphs of one page plus its size.
#[derive(Debug, Default)]
pub(crate) struct RawPage {
    pub width: f64,
    pub height: f64,
    pub glyphs: Vec<Glyph>,
}

#[derive(Default)]
struct Collector {
    pages: Vec<RawPage>,
    llx: f64,
    lly: f64,
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.llx = media_box.llx;
        self.lly = media_box.lly;
        self.pages.push(RawPage {
            width: (media_box.urx - media_box.llx).abs().max(1.0),
            height: (media_box.ury - media_box.lly).abs().max(1.0),
            glyphs: Vec::new(),
        });
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        let Some(page) = self.pages.last_mut() else {
            return Ok(());
        };
        // The rendered font size is the square root of the area the transform maps a
        // font_size x font_size square to (what pdf-extract's own text output does).
        let vx = font_size * (trm.m11 + trm.m21);
        let vy = font_size * (trm.m12 + trm.m22);
        let size = (vx * vy).abs().sqrt();
        page.glyphs.push(Glyph {
            text: char.to_string(),
            x: trm.m31 - self.llx,
            y: page.height - (trm.m32 - self.lly),
            advance: width * size,
            size,
        });
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Words of each page of a loaded (and, if it was encrypted, decrypted) PDF, in page order.
/// Errors are pdf-extract's reasons as text; panics inside it are caught by the caller.
pub fn page_words(doc: &PdfDoc) -> Result<Vec<Vec<Word>>, String> {
    let mut fonts = pdf_text::FontCache::default();
    let pages = doc.get_pages();
    let mut out = Vec::with_capacity(pages.len());
    for (&page_num, &page_id) in &pages {
        let words = match pdf_text::page_glyphs(doc, page_id, &mut fonts) {
            Ok(page) => glyphs_to_words(&page),
            // Beyond the reader's work limits: no text layer (the page will be OCR'd).
            Err(pdf_text::PageError::Limit(_)) => Vec::new(),
            Err(pdf_text::PageError::Unsupported(_)) => {
                extract_page(doc, page_num).map_or_else(Vec::new, |p| glyphs_to_words(&p))
            }
        };
        out.push(words);
    }
    Ok(out)
}

/// One page through pdf-extract: its glyphs, or `None` when it cannot interpret the page.
pub(crate) fn extract_page(doc: &PdfDoc, page_num: u32) -> Option<RawPage> {
    let mut collector = Collector::default();
    // A page whose content stream pdf-extract cannot interpret gets no words (and so will be
    // OCR'd) rather than failing the whole document.
    pdf_extract::output_doc_page(doc, &mut collector, page_num).ok()?;
    collector.pages.pop()
}

/// The gap between glyphs, in font sizes, above which a new word starts.
const WORD_GAP: f64 = 0.1;

/// Join glyphs into words: a new word starts at whitespace, at a jump to another line, or at a
/// horizontal gap wider than a tenth of the font size, as `pdftotext` breaks words (kerning is
/// far smaller than that; a tight table header sets "Einheit" and "Leistung" that close).
pub(crate) fn glyphs_to_words(page: &RawPage) -> Vec<Word> {
    let mut words = Vec::new();
    let mut cur: Option<(String, f64, f64, f64, f64)> = None; // text, left, top, right, bottom
    let mut last: Option<&Glyph> = None;
    let flush = |cur: &mut Option<(String, f64, f64, f64, f64)>, words: &mut Vec<Word>| {
        if let Some((text, l, t, r, b)) = cur.take() {
            let text = text.trim().to_string();
            if !text.is_empty() {
                words.push(Word::new(
                    text,
                    BoundingBox::from_edges(
                        (l / page.width) as f32,
                        (t / page.height) as f32,
                        (r / page.width) as f32,
                        (b / page.height) as f32,
                    ),
                    1.0,
                ));
            }
        }
    };
    for g in &page.glyphs {
        let is_space = g.text.chars().all(char::is_whitespace);
        if let Some(prev) = last {
            let line_jump = (g.y - prev.y).abs() > prev.size.max(g.size) * 0.5;
            let prev_end = prev.x + prev.advance;
            let gap = g.x - prev_end;
            let tol = prev.size.max(g.size);
            if line_jump || gap > tol * WORD_GAP || gap < -tol * 1.0 {
                flush(&mut cur, &mut words);
            }
        }
        last = Some(g);
        if is_space {
            flush(&mut cur, &mut words);
            continue;
        }
        let (l, t, r, b) = (
            g.x,
            g.y - g.size * 0.8,
            g.x + g.advance.max(g.size * 0.3),
            g.y + g.size * 0.2,
        );
        match cur.as_mut() {
            Some((text, cl, ct, cr, cb)) => {
                text.push_str(&g.text);
                *cl = cl.min(l);
                *ct = ct.min(t);
                *cr = cr.max(r);
                *cb = cb.max(b);
            }
            None => cur = Some((g.text.clone(), l, t, r, b)),
        }
    }
    flush(&mut cur, &mut words);
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line of glyphs at 10 pt: each word's letters 5 pt apart (no gap), the words `gaps`
    /// points apart.
    fn line(words: &[&str], gaps: &[f64]) -> RawPage {
        let mut glyphs = Vec::new();
        let mut x = 50.0;
        for (i, w) in words.iter().enumerate() {
            for c in w.chars() {
                glyphs.push(Glyph {
                    text: c.to_string(),
                    x,
                    y: 100.0,
                    advance: 5.0,
                    size: 10.0,
                });
                x += 5.0;
            }
            x += gaps.get(i).copied().unwrap_or(0.0);
        }
        RawPage {
            width: 600.0,
            height: 800.0,
            glyphs,
        }
    }

    fn texts(page: &RawPage) -> Vec<String> {
        glyphs_to_words(page).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn words_break_at_a_tenth_of_the_font_size_as_pdftotext_does() {
        // A tight table header: "Einheit" and "Leistung" 1.5 pt apart at 10 pt, no space glyph.
        assert_eq!(
            texts(&line(&["Einheit", "Leistung"], &[1.5])),
            ["Einheit", "Leistung"]
        );
        // Kerning inside a word (0.5 pt) joins; so does a pair pulled together (negative).
        assert_eq!(texts(&line(&["Mwst", "Satz"], &[0.5])), ["MwstSatz"]);
        assert_eq!(texts(&line(&["Be", "trag"], &[-0.8])), ["Betrag"]);
    }
}
