//! Fonts as the text layer needs them: character codes → Unicode text and advance widths.
//!
//! The rules are pdf-extract 0.12's, so both readers give the same words: a `/ToUnicode` CMap
//! first, then the font's encoding (WinAnsi, MacRoman, or a base encoding with `/Differences`;
//! TrueType defaults to WinAnsi, others to PDFDocEncoding), widths from `/FirstChar` + `/Widths`
//! (or `/W` and `/DW` for CID fonts), `/MissingWidth` otherwise. A font outside those rules (Type3,
//! a Type1 program's built-in encoding, a CFF charset, a standard-14 font without widths, an
//! embedded CMap, an unknown glyph name) is [`Unsupported`]: the page then goes to pdf-extract.
//! Unlike pdf-extract, each font is loaded once per document, not once per page.

use std::collections::HashMap;

use pdf_extract::{Dictionary, Document, Object};

use super::Unsupported;
use super::tables;

/// How a font turns string bytes into character codes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Codes {
    /// One byte per code (simple fonts).
    OneByte,
    /// Two bytes per code, code = CID (Identity-H/V).
    TwoByte,
}

#[derive(Debug)]
pub struct Font {
    codes: Codes,
    /// Code → text from the ToUnicode CMap (and `/Differences`, as pdf-extract merges them).
    unicode: Option<HashMap<u32, String>>,
    /// Code → UTF-16 unit, for simple fonts.
    encoding: Option<Box<[u16; 256]>>,
    widths: HashMap<u32, f64>,
    missing_width: f64,
}

impl Font {
    /// Splits `s` into (code, byte length) pairs.
    pub fn codes<'s>(&self, s: &'s [u8]) -> impl Iterator<Item = (u32, usize)> + 's {
        let two = self.codes == Codes::TwoByte;
        let step = if two { 2 } else { 1 };
        // A trailing odd byte of a two-byte string is no code (pdf-extract drops it too).
        s.chunks_exact(step).map(move |c| {
            if two {
                ((u32::from(c[0]) << 8) | u32::from(c[1]), 2)
            } else {
                (u32::from(c[0]), 1)
            }
        })
    }

    /// Advance width in glyph units (1/1000 of the font size).
    pub fn width(&self, code: u32) -> f64 {
        self.widths
            .get(&code)
            .copied()
            .unwrap_or(self.missing_width)
    }

    /// The text of one code, appended to `out`.
    pub fn decode_into(&self, code: u32, out: &mut String) {
        if let Some(s) = self.unicode.as_ref().and_then(|m| m.get(&code)) {
            out.push_str(s);
            return;
        }
        if self.codes == Codes::TwoByte {
            return;
        }
        let table: &[u16; 256] = self.encoding.as_deref().unwrap_or(&tables::PDF_DOC);
        let unit = table[(code & 0xff) as usize];
        // The tables hold no surrogates; anything else is one BMP character (0 included, as
        // pdf-extract gives "\0" for an unmapped code).
        if let Some(c) = char::from_u32(u32::from(unit)) {
            out.push(c);
        }
    }
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    let mut o = o;
    // References to references are legal; bound the chain.
    for _ in 0..8 {
        match o {
            Object::Reference(id) => match doc.get_object(*id) {
                Ok(t) => o = t,
                Err(_) => return &Object::Null,
            },
            _ => return o,
        }
    }
    &Object::Null
}

pub(super) fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key)
        .ok()
        .map(|o| deref(doc, o))
        .filter(|o| !matches!(o, Object::Null))
}

pub(super) fn num(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

fn name<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    match get(doc, dict, key)? {
        Object::Name(n) => Some(n),
        _ => None,
    }
}

fn named_encoding(name: &[u8]) -> Result<[u16; 256], Unsupported> {
    match name {
        b"WinAnsiEncoding" => Ok(tables::WIN_ANSI),
        b"MacRomanEncoding" => Ok(tables::MAC_ROMAN),
        _ => Err(Unsupported("an encoding other than WinAnsi or MacRoman")),
    }
}

/// Loads a font dictionary. `pdf_extract_w_ranges` reads a CID font's `/W` ranges the way
/// pdf-extract 0.12 does — as nothing, leaving those CIDs at `/DW` — which only the equivalence
/// test asks for.
pub fn load(
    doc: &Document,
    font: &Dictionary,
    pdf_extract_w_ranges: bool,
) -> Result<Font, Unsupported> {
    match name(doc, font, b"Subtype") {
        Some(b"Type0") => load_cid(doc, font, pdf_extract_w_ranges),
        Some(b"Type3") => Err(Unsupported("a Type3 font")),
        _ => load_simple(doc, font),
    }
}

/// The ToUnicode CMap as code → text, as pdf-extract builds it.
fn to_unicode(
    doc: &Document,
    font: &Dictionary,
) -> Result<Option<HashMap<u32, String>>, Unsupported> {
    let stream = match get(doc, font, b"ToUnicode") {
        None => return Ok(None),
        Some(Object::Name(n)) if n == b"Identity-H" => return Ok(None),
        Some(Object::Stream(s)) => s,
        Some(_) => return Err(Unsupported("a ToUnicode that is not a stream")),
    };
    let data = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    let cmap = adobe_cmap_parser::get_unicode_map(&data)
        .map_err(|_| Unsupported("a ToUnicode CMap that does not parse"))?;
    let mut map = HashMap::with_capacity(cmap.len());
    for (code, bytes) in cmap {
        if bytes.len() % 2 != 0 {
            return Err(Unsupported("a ToUnicode value of odd length"));
        }
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|p| u16::from_be_bytes([p[0], p[1]]))
            .collect();
        // A lone surrogate means "not encoded": pdf-extract skips it.
        if let [u] = units[..]
            && (0xd800..=0xdfff).contains(&u)
        {
            continue;
        }
        let text = String::from_utf16(&units)
            .map_err(|_| Unsupported("a ToUnicode value that is not UTF-16"))?;
        map.insert(code, text);
    }
    Ok(Some(map))
}

fn load_simple(doc: &Document, font: &Dictionary) -> Result<Font, Unsupported> {
    let subtype = name(doc, font, b"Subtype").unwrap_or_default();
    let base_font = name(doc, font, b"BaseFont").unwrap_or_default();
    let encoding = get(doc, font, b"Encoding");
    if let Some(Object::Dictionary(desc)) = get(doc, font, b"FontDescriptor") {
        if subtype == b"Type1" && encoding.is_none() && get(doc, desc, b"FontFile").is_some() {
            return Err(Unsupported("a Type1 font's built-in encoding"));
        }
        if let Some(Object::Stream(s)) = get(doc, desc, b"FontFile3")
            && name(doc, &s.dict, b"Subtype") == Some(b"Type1C")
        {
            return Err(Unsupported("a CFF font's charset"));
        }
    }
    let mut unicode = to_unicode(doc, font)?;
    let table = match encoding {
        Some(Object::Name(n)) => Some(named_encoding(n)?),
        Some(Object::Dictionary(enc)) => {
            let mut table = match name(doc, enc, b"BaseEncoding") {
                Some(n) => named_encoding(n)?,
                None => tables::PDF_DOC,
            };
            if let Some(Object::Array(diffs)) = get(doc, enc, b"Differences") {
                let mut code: i64 = 0;
                for o in diffs {
                    match deref(doc, o) {
                        Object::Integer(i) => code = *i,
                        Object::Name(n) => {
                            if !(0..256).contains(&code) {
                                return Err(Unsupported("a /Differences code out of range"));
                            }
                            let Some(u) = tables::glyph_unicode(n) else {
                                return Err(Unsupported(
                                    "a glyph name outside the common encodings",
                                ));
                            };
                            table[code as usize] = u;
                            if let Some(map) = unicode.as_mut() {
                                map.entry(code as u32)
                                    .or_insert_with(|| String::from_utf16_lossy(&[u]));
                            }
                            code += 1;
                        }
                        _ => return Err(Unsupported("a /Differences entry of the wrong type")),
                    }
                }
            }
            Some(table)
        }
        None if subtype == b"TrueType" => Some(tables::WIN_ANSI),
        None => None,
        Some(_) => return Err(Unsupported("an /Encoding of the wrong type")),
    };
    if unicode.is_some() && table.is_none() {
        // pdf-extract falls back from a missing CMap entry to the encoding, and has none here.
        return Err(Unsupported("a ToUnicode CMap without an encoding"));
    }
    let first = get(doc, font, b"FirstChar").and_then(num);
    let last = get(doc, font, b"LastChar").and_then(num);
    let widths = match get(doc, font, b"Widths") {
        Some(Object::Array(w)) => Some(w),
        _ => None,
    };
    let (Some(first), Some(last), Some(widths)) = (first, last, widths) else {
        let _ = base_font;
        return Err(Unsupported("a font without /Widths (standard-14 metrics)"));
    };
    if first + widths.len() as f64 - 1.0 != last {
        return Err(Unsupported("/Widths that do not span FirstChar..LastChar"));
    }
    let mut map = HashMap::with_capacity(widths.len());
    for (i, w) in widths.iter().enumerate() {
        let w = num(deref(doc, w)).ok_or(Unsupported("a width that is not a number"))?;
        map.insert((first as i64 + i as i64) as u32, w);
    }
    Ok(Font {
        codes: Codes::OneByte,
        unicode,
        encoding: table.map(Box::new),
        widths: map,
        missing_width: get(doc, font, b"MissingWidth").and_then(num).unwrap_or(0.0),
    })
}

fn load_cid(
    doc: &Document,
    font: &Dictionary,
    pdf_extract_w_ranges: bool,
) -> Result<Font, Unsupported> {
    match get(doc, font, b"Encoding") {
        Some(Object::Name(n)) if n == b"Identity-H" || n == b"Identity-V" => {}
        _ => return Err(Unsupported("a CID font with a CMap other than Identity")),
    }
    let Some(Object::Array(desc)) = get(doc, font, b"DescendantFonts") else {
        return Err(Unsupported("a Type0 font without descendants"));
    };
    let Some(Object::Dictionary(cid)) = desc.first().map(|o| deref(doc, o)) else {
        return Err(Unsupported("a Type0 font without a CID font"));
    };
    if !matches!(
        get(doc, cid, b"FontDescriptor"),
        Some(Object::Dictionary(_))
    ) {
        return Err(Unsupported("a CID font without a descriptor"));
    }
    let unicode = to_unicode(doc, font)?;
    let default = get(doc, cid, b"DW").and_then(num).unwrap_or(1000.0);
    let mut widths = HashMap::new();
    if let Some(Object::Array(w)) = get(doc, cid, b"W") {
        // `c [w1 w2 …]` gives consecutive CIDs from c; `first last w` a range of one width.
        let mut i = 0;
        while i < w.len() {
            let start = num(deref(doc, &w[i])).ok_or(Unsupported("a /W entry"))? as i64;
            match w.get(i + 1).map(|o| deref(doc, o)) {
                Some(Object::Array(ws)) => {
                    for (j, x) in ws.iter().enumerate() {
                        let x = num(deref(doc, x)).ok_or(Unsupported("a /W width"))?;
                        widths.insert((start + j as i64) as u32, x);
                    }
                    i += 2;
                }
                Some(o) => {
                    let end = num(o).ok_or(Unsupported("a /W range"))? as i64;
                    let x = w
                        .get(i + 2)
                        .map(|o| deref(doc, o))
                        .and_then(num)
                        .ok_or(Unsupported("a /W range width"))?;
                    if end - start > 0x10000 {
                        return Err(Unsupported("a /W range wider than the code space"));
                    }
                    if !pdf_extract_w_ranges {
                        for c in start..=end {
                            widths.insert(c as u32, x);
                        }
                    }
                    i += 3;
                }
                None => break,
            }
        }
    }
    Ok(Font {
        codes: Codes::TwoByte,
        unicode,
        encoding: None,
        widths,
        missing_width: default,
    })
}
