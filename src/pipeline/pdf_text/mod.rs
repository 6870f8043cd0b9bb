//! Our own PDF text-layer reader: glyphs with positions from a page's content stream.
//!
//! pdf-extract (which the text layer used alone before) rebuilds every font on every page —
//! parsing each ToUnicode CMap again — and builds an object tree of the whole content stream
//! first; on the benchmark's text PDFs that was most of the text layer's time. This reader walks
//! the content stream once with [`lexer`], interprets only the text and graphics-state operators
//! (`BT ET Tf Tc Tw Tz TL Ts Td TD Tm T* Tj TJ ' " q Q cm Do`), and loads each font once per
//! document ([`font`]). Positions follow the PDF specification (Trm = Tsm × Tm × CTM), which
//! is also what pdf-extract computes, so both give the same glyphs; where the two differ
//! pdf-extract is wrong (it drops `'` and `"`, ignores a form XObject's matrix and the page's
//! CTM inside forms, reads a CID font's `/W` ranges as nothing, and inside a form XObject takes
//! the page's font of the same resource name, which stacks the glyphs of Nuveen.pdf's running
//! header on top of each other) and this reader follows the spec.
//!
//! What it cannot read the way pdf-extract does returns [`Unsupported`], and the caller reads
//! that page with pdf-extract instead; a page beyond the work limits returns [`PageError::Limit`]
//! and gets no words (it will be OCR'd) rather than an unbounded amount of work.

mod font;
mod lexer;
mod tables;

use std::collections::HashMap;
use std::rc::Rc;

use pdf_extract::{Dictionary, Document, Object, ObjectId};

use crate::pipeline::text_layer::{Glyph, RawPage};
use font::{Font, get, num};
use lexer::{Operand, for_each_op};

/// Something this reader does not interpret the way pdf-extract does (the reason, for logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not read by the fast text reader: {0}")]
pub struct Unsupported(pub &'static str);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error(transparent)]
    Unsupported(#[from] Unsupported),
    /// The page asks for more work than any honest page needs (a form XObject drawn inside
    /// itself, millions of operators): it gets no text layer.
    #[error("the page's content exceeds the text reader's limits ({0})")]
    Limit(&'static str),
}

/// Operators interpreted per page, nested forms included.
const MAX_OPS: usize = 2_000_000;
/// Glyphs kept per page.
const MAX_GLYPHS: usize = 500_000;
/// Form XObjects inside form XObjects.
const MAX_FORM_DEPTH: usize = 8;

/// Fonts already loaded, by object id, for every page of one document.
#[derive(Default)]
pub(crate) struct FontCache {
    by_id: HashMap<ObjectId, Result<Rc<Font>, Unsupported>>,
    /// Reproduce pdf-extract 0.12's two mistakes, for the equivalence test only: `/W` ranges
    /// read as nothing (see [`font::load`]), and fonts looked up by resource name once per page,
    /// so a form XObject whose `/F1` is another font than the page's `/F1` gets the page's.
    pdf_extract_quirks: bool,
}

/// A 2D affine transform [a b c d e f] in PDF's row-vector convention.
type Matrix = [f64; 6];

const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a × b`: apply `a`, then `b`.
fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn translate(tx: f64, ty: f64, m: &Matrix) -> Matrix {
    mul(&[1.0, 0.0, 0.0, 1.0, tx, ty], m)
}

#[derive(Clone)]
struct State {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    /// Horizontal scaling as a factor (Tz / 100).
    scale: f64,
    leading: f64,
    rise: f64,
    tm: Matrix,
}

/// The glyphs of one page in page space (points, origin top-left), as pdf-extract's callback
/// reported them to the collector in `text_layer`.
pub(crate) fn page_glyphs(
    doc: &Document,
    page_id: ObjectId,
    cache: &mut FontCache,
) -> Result<RawPage, PageError> {
    let page = doc
        .get_object(page_id)
        .and_then(Object::as_dict)
        .map_err(|_| Unsupported("a page that is not a dictionary"))?;
    let media = inherited(doc, page, b"MediaBox")
        .and_then(|o| match o {
            Object::Array(a) if a.len() == 4 => {
                let v: Vec<f64> = a.iter().filter_map(|x| num(deref(doc, x))).collect();
                (v.len() == 4).then(|| [v[0], v[1], v[2], v[3]])
            }
            _ => None,
        })
        .ok_or(Unsupported("a page without a MediaBox"))?;
    let empty = Dictionary::new();
    let resources = match inherited(doc, page, b"Resources") {
        Some(Object::Dictionary(d)) => d,
        _ => &empty,
    };
    let content = doc
        .get_page_content(page_id)
        .map_err(|_| Unsupported("page content that does not read"))?;
    let mut raw = RawPage {
        width: (media[2] - media[0]).abs().max(1.0),
        height: (media[3] - media[1]).abs().max(1.0),
        glyphs: Vec::new(),
    };
    let mut run = Run {
        doc,
        cache,
        llx: media[0],
        lly: media[1],
        page: &mut raw,
        ops: 0,
        text: String::new(),
        by_name: HashMap::new(),
    };
    let state = State {
        ctm: IDENTITY,
        font: None,
        size: f64::NAN,
        char_spacing: 0.0,
        word_spacing: 0.0,
        scale: 1.0,
        leading: 0.0,
        rise: 0.0,
        tm: IDENTITY,
    };
    run.stream(&content, resources, state, 0)?;
    Ok(raw)
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(&Object::Null),
        _ => o,
    }
}

/// A page attribute, looked up the page tree (bounded, a cyclic tree ends the search).
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut dict = page;
    for _ in 0..32 {
        if let Some(o) = get(doc, dict, key) {
            return Some(o);
        }
        match get(doc, dict, b"Parent") {
            Some(Object::Dictionary(p)) => dict = p,
            _ => return None,
        }
    }
    None
}

struct Run<'d, 'p> {
    doc: &'d Document,
    cache: &'p mut FontCache,
    llx: f64,
    lly: f64,
    page: &'p mut RawPage,
    ops: usize,
    /// Scratch buffer for one glyph's text.
    text: String,
    /// Fonts by resource name, with `pdf_extract_quirks` only.
    by_name: HashMap<Vec<u8>, Rc<Font>>,
}

impl<'d> Run<'d, '_> {
    fn font(&mut self, resources: &'d Dictionary, name: &[u8]) -> Result<Rc<Font>, Unsupported> {
        if self.cache.pdf_extract_quirks {
            if let Some(f) = self.by_name.get(name) {
                return Ok(f.clone());
            }
            let f = self.font_of(resources, name)?;
            self.by_name.insert(name.to_vec(), f.clone());
            return Ok(f);
        }
        self.font_of(resources, name)
    }

    fn font_of(&mut self, resources: &'d Dictionary, name: &[u8]) -> Result<Rc<Font>, Unsupported> {
        let fonts = match get(self.doc, resources, b"Font") {
            Some(Object::Dictionary(d)) => d,
            _ => return Err(Unsupported("Tf without a /Font resource")),
        };
        match fonts.get(name) {
            Ok(Object::Reference(id)) => {
                let id = *id;
                if let Some(f) = self.cache.by_id.get(&id) {
                    return f.clone();
                }
                let loaded = match self.doc.get_object(id) {
                    Ok(Object::Dictionary(d)) => {
                        font::load(self.doc, d, self.cache.pdf_extract_quirks).map(Rc::new)
                    }
                    _ => Err(Unsupported("a font that is not a dictionary")),
                };
                self.cache.by_id.insert(id, loaded.clone());
                loaded
            }
            Ok(Object::Dictionary(d)) => {
                font::load(self.doc, d, self.cache.pdf_extract_quirks).map(Rc::new)
            }
            _ => Err(Unsupported("Tf naming a font the page does not have")),
        }
    }

    fn stream(
        &mut self,
        data: &[u8],
        resources: &'d Dictionary,
        mut st: State,
        depth: usize,
    ) -> Result<(), PageError> {
        let mut stack: Vec<State> = Vec::new();
        let mut tlm = IDENTITY;
        let mut result = Ok(());
        for_each_op(data, |op, args| {
            self.ops += 1;
            if self.ops > MAX_OPS {
                result = Err(PageError::Limit("operators"));
                return false;
            }
            let n = |i: usize| args.get(i).and_then(Operand::number);
            let r = match op {
                b"BT" | b"ET" => {
                    tlm = IDENTITY;
                    st.tm = tlm;
                    Ok(())
                }
                b"cm" => {
                    if let (Some(a), Some(b), Some(c), Some(d), Some(e), Some(f)) =
                        (n(0), n(1), n(2), n(3), n(4), n(5))
                    {
                        st.ctm = mul(&[a, b, c, d, e, f], &st.ctm);
                    }
                    Ok(())
                }
                b"q" => {
                    // Unbalanced q's in a hostile stream: the stack is bounded by MAX_OPS.
                    stack.push(st.clone());
                    Ok(())
                }
                b"Q" => {
                    if let Some(s) = stack.pop() {
                        st = s;
                    }
                    Ok(())
                }
                b"Tc" => {
                    st.char_spacing = n(0).unwrap_or(st.char_spacing);
                    Ok(())
                }
                b"Tw" => {
                    st.word_spacing = n(0).unwrap_or(st.word_spacing);
                    Ok(())
                }
                b"Tz" => {
                    st.scale = n(0).map_or(st.scale, |v| v / 100.0);
                    Ok(())
                }
                b"TL" => {
                    st.leading = n(0).unwrap_or(st.leading);
                    Ok(())
                }
                b"Ts" => {
                    st.rise = n(0).unwrap_or(st.rise);
                    Ok(())
                }
                b"Tf" => match (args.first(), n(1)) {
                    (Some(Operand::Name(name)), Some(size)) => {
                        self.font(resources, name).map(|f| {
                            st.font = Some(f);
                            st.size = size;
                        })
                    }
                    _ => Ok(()),
                }
                .map_err(PageError::from),
                b"Tm" => {
                    if let (Some(a), Some(b), Some(c), Some(d), Some(e), Some(f)) =
                        (n(0), n(1), n(2), n(3), n(4), n(5))
                    {
                        tlm = [a, b, c, d, e, f];
                        st.tm = tlm;
                    }
                    Ok(())
                }
                b"Td" | b"TD" => {
                    if let (Some(tx), Some(ty)) = (n(0), n(1)) {
                        if op == b"TD" {
                            st.leading = -ty;
                        }
                        tlm = translate(tx, ty, &tlm);
                        st.tm = tlm;
                    }
                    Ok(())
                }
                b"T*" => {
                    tlm = translate(0.0, -st.leading, &tlm);
                    st.tm = tlm;
                    Ok(())
                }
                b"Tj" => match args.first() {
                    Some(Operand::String(s)) => self.show(&mut st, s),
                    _ => Ok(()),
                },
                b"'" | b"\"" => {
                    let text = if op == b"\"" {
                        st.word_spacing = n(0).unwrap_or(st.word_spacing);
                        st.char_spacing = n(1).unwrap_or(st.char_spacing);
                        args.get(2)
                    } else {
                        args.first()
                    };
                    tlm = translate(0.0, -st.leading, &tlm);
                    st.tm = tlm;
                    match text {
                        Some(Operand::String(s)) => self.show(&mut st, s),
                        _ => Ok(()),
                    }
                }
                b"TJ" => match args.first() {
                    Some(Operand::Array(items)) => {
                        let mut r = Ok(());
                        for item in items {
                            match item {
                                Operand::String(s) => {
                                    r = self.show(&mut st, s);
                                    if r.is_err() {
                                        break;
                                    }
                                }
                                Operand::Number(adj) => {
                                    let tx = st.scale * (-adj / 1000.0 * st.size);
                                    st.tm = translate(tx, 0.0, &st.tm);
                                }
                                _ => {}
                            }
                        }
                        r
                    }
                    _ => Ok(()),
                },
                b"Do" => match args.first() {
                    Some(Operand::Name(name)) => self.form(resources, name, &st, depth),
                    _ => Ok(()),
                },
                _ => Ok(()),
            };
            if let Err(e) = r {
                result = Err(e);
                return false;
            }
            true
        });
        result
    }

    /// Draws a form XObject: its content under its own resources, in the current state with
    /// the form's matrix applied (image XObjects hold no text and are skipped).
    fn form(
        &mut self,
        resources: &'d Dictionary,
        name: &[u8],
        st: &State,
        depth: usize,
    ) -> Result<(), PageError> {
        let Some(Object::Dictionary(xobjects)) = get(self.doc, resources, b"XObject") else {
            return Ok(());
        };
        let Some(Object::Stream(xf)) = get(self.doc, xobjects, name) else {
            return Ok(());
        };
        if !matches!(get(self.doc, &xf.dict, b"Subtype"), Some(Object::Name(n)) if n == b"Form") {
            return Ok(());
        }
        if depth >= MAX_FORM_DEPTH {
            return Err(PageError::Limit("nested forms"));
        }
        let form_resources = match get(self.doc, &xf.dict, b"Resources") {
            Some(Object::Dictionary(d)) => d,
            _ => resources,
        };
        let mut inner = st.clone();
        if let Some(Object::Array(m)) = get(self.doc, &xf.dict, b"Matrix") {
            let v: Vec<f64> = m.iter().filter_map(|x| num(deref(self.doc, x))).collect();
            if let [a, b, c, d, e, f] = v[..] {
                inner.ctm = mul(&[a, b, c, d, e, f], &st.ctm);
            }
        }
        let data = xf
            .decompressed_content()
            .unwrap_or_else(|_| xf.content.clone());
        self.stream(&data, form_resources, inner, depth + 1)
    }

    /// Shows a string: one glyph per character code, advancing the text matrix.
    fn show(&mut self, st: &mut State, s: &[u8]) -> Result<(), PageError> {
        let Some(font) = st.font.clone() else {
            // Text before any Tf: nothing can be decoded or placed.
            return Ok(());
        };
        let tsm: Matrix = [st.scale, 0.0, 0.0, 1.0, 0.0, st.rise];
        for (code, len) in font.codes(s) {
            let trm = mul(&tsm, &mul(&st.tm, &st.ctm));
            let w0 = font.width(code) / 1000.0;
            let mut spacing = st.char_spacing;
            if code == 32 && len == 1 {
                spacing += st.word_spacing;
            }
            self.text.clear();
            font.decode_into(code, &mut self.text);
            // The rendered size: the square root of the area the transform gives a
            // size × size square (pdf-extract's own measure, kept for the same boxes).
            let vx = st.size * (trm[0] + trm[2]);
            let vy = st.size * (trm[1] + trm[3]);
            let size = (vx * vy).abs().sqrt();
            if self.page.glyphs.len() >= MAX_GLYPHS {
                return Err(PageError::Limit("glyphs"));
            }
            self.page.glyphs.push(Glyph {
                text: self.text.clone(),
                x: trm[4] - self.llx,
                y: self.page.height - (trm[5] - self.lly),
                advance: w0 * size,
                size,
            });
            let tx = st.scale * (w0 * st.size + spacing);
            st.tm = translate(tx, 0.0, &st.tm);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
