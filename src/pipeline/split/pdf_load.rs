//! Loads a PDF with only the objects the text layer reads.
//!
//! lopdf's `Document::load_mem` parses every object of every object stream: a W-2 saved by
//! Word holds ~2,500 tagged-PDF structure elements there that nothing here reads, and parsing
//! and dropping them was ~15% of `idpctl process` on text PDFs. This loader lets lopdf parse
//! the xref and the objects stored directly in the file (fonts, content and image streams are
//! always there: a stream cannot sit in an object stream) but keeps object streams packed, then
//! unpacks only the objects reachable from the trailer's `/Root` (through `/Pages` only) and
//! `/Info`: the page tree, resources, fonts, forms, content streams. Page keys that lead back
//! into the structure tree or to annotations (`/Annots`, `/StructParents`, …) are not followed.
//!
//! The result is a `Document` the text reader, pdf-extract and `get_page_images` use exactly
//! as before. Encrypted files are loaded by lopdf whole (its encrypted path ignores filters),
//! so they are unchanged too.

use std::collections::{HashMap, HashSet};

use pdf_extract::xref::XrefEntry;
use pdf_extract::{Dictionary, Document, LoadOptions, Object, ObjectId, ObjectStream, Stream};

use super::pdf_repair;

/// The `/Type` an object stream is renamed to while loading, so lopdf keeps it packed.
const PACKED: &[u8] = b"IdpctlPackedObjStm";

/// Page and page-tree keys whose objects the text layer never reads.
const NOT_FOLLOWED: &[&[u8]] = &[
    b"Annots",
    b"StructParents",
    b"Metadata",
    b"PieceInfo",
    b"Thumb",
    b"B",
    b"AA",
    b"Parent",
];

/// Loads `bytes` with the objects of its pages; lopdf's errors as lopdf gives them.
pub fn load(bytes: &[u8]) -> Result<Document, pdf_extract::Error> {
    load_or_repair(bytes).map(|(doc, _)| doc)
}

/// Loads `bytes`, rebuilding the cross-reference table ([`pdf_repair`]) when lopdf refuses the
/// file's own or it leads to no pages or to fewer objects than it lists; with the repaired
/// bytes when they were used (the renderer reads those too). A file that cannot be repaired
/// gives lopdf's first answer.
pub fn load_or_repair(bytes: &[u8]) -> Result<(Document, Option<Vec<u8>>), pdf_extract::Error> {
    let first = load_indexed(bytes);
    if let Ok((doc, true)) = &first
        && (doc.is_encrypted() || !doc.get_pages().is_empty())
    {
        return first.map(|(doc, _)| (doc, None));
    }
    let first = first.map(|(doc, _)| doc);
    let pages_before = first.as_ref().map_or(0, |d| d.get_pages().len());
    // The repaired file goes through the same packed, reachable-only path: a repaired
    // 1,000-page file must not parse every object of every object stream up front.
    if let Some(fixed) = pdf_repair::rebuild(bytes)
        && let Ok((doc, _)) = load_indexed(&fixed)
        && !doc.get_pages().is_empty()
        && doc.get_pages().len() >= pages_before
    {
        return Ok((doc, Some(fixed)));
    }
    first.map(|doc| (doc, None))
}

/// Whether every object a loaded file's cross-reference table lists was found where it says.
/// An encrypted file is taken as read (its objects are decrypted later, and a repair would
/// not change that).
fn all_listed_found(doc: &Document) -> bool {
    doc.is_encrypted()
        || doc
            .reference_table
            .entries
            .iter()
            .all(|(&num, entry)| match entry {
                XrefEntry::Normal { generation, .. } => {
                    doc.objects.contains_key(&(num, *generation))
                }
                _ => true,
            })
}

/// The file read through its own cross-reference table, and whether that table held.
fn load_indexed(bytes: &[u8]) -> Result<(Document, bool), pdf_extract::Error> {
    let mut doc = Document::load_mem_with_options(
        bytes,
        LoadOptions {
            filter: Some(keep_packed),
            ..LoadOptions::default()
        },
    )?;
    // Before the packed object streams are dropped: they are listed objects too.
    let held = all_listed_found(&doc);
    unpack_reachable(&mut doc);
    Ok((doc, held))
}

/// lopdf's filter: an object stream keeps its objects packed (lopdf unpacks only streams
/// whose `/Type` is `/ObjStm`); every other object is kept as parsed. lopdf keeps the object
/// it passed in (edited in place) and only looks at whether the answer is `Some`.
fn keep_packed(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(s) = object
        && s.dict.has_type(b"ObjStm")
    {
        s.dict.set("Type", Object::Name(PACKED.to_vec()));
    }
    Some((id, Object::Null))
}

/// Unpacks the compressed objects reachable from the pages, then drops the packed streams.
fn unpack_reachable(doc: &mut Document) {
    let mut containers = Containers::default();
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut todo: Vec<ObjectId> = Vec::new();
    for key in [b"Root".as_slice(), b"Info"] {
        if let Ok(Object::Reference(id)) = doc.trailer.get(key) {
            todo.push(*id);
        }
    }
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        if !doc.objects.contains_key(&id) {
            match containers.unpack(doc, id) {
                Some(object) => {
                    doc.objects.insert(id, object);
                }
                None => continue,
            }
        }
        let Some(object) = doc.objects.get(&id) else {
            continue;
        };
        references(object, is_catalog(doc, id), &mut todo);
    }
    doc.objects.retain(|_, o| match o {
        Object::Stream(s) => !s.dict.has_type(PACKED),
        _ => true,
    });
}

fn is_catalog(doc: &Document, id: ObjectId) -> bool {
    matches!(doc.trailer.get(b"Root"), Ok(Object::Reference(root)) if *root == id)
}

/// Pushes the references inside `object` (the catalog: `/Pages` only).
fn references(object: &Object, catalog: bool, todo: &mut Vec<ObjectId>) {
    let mut stack: Vec<&Object> = Vec::new();
    match object {
        Object::Dictionary(d) if catalog => {
            if let Ok(pages) = d.get(b"Pages") {
                stack.push(pages);
            }
        }
        other => stack.push(other),
    }
    while let Some(o) = stack.pop() {
        match o {
            Object::Reference(id) => todo.push(*id),
            Object::Array(items) => stack.extend(items.iter()),
            Object::Dictionary(d) => push_followed(d, &mut stack),
            Object::Stream(s) => push_followed(&s.dict, &mut stack),
            _ => {}
        }
    }
}

fn push_followed<'a>(d: &'a Dictionary, stack: &mut Vec<&'a Object>) {
    for (key, value) in d.iter() {
        if !NOT_FOLLOWED.contains(&key.as_slice()) {
            stack.push(value);
        }
    }
}

/// Object streams decompressed once each, with their `(object number, offset)` index.
#[derive(Default)]
struct Containers {
    by_id: HashMap<u32, Option<Unpacked>>,
    /// Object number → its object stream, read from the streams' own headers: a rebuilt
    /// cross-reference table ([`pdf_repair`]) lists no compressed objects.
    unlisted: Option<HashMap<u32, u32>>,
}

struct Unpacked {
    /// The decompressed stream, offsets relative to `first`.
    content: Vec<u8>,
    first: usize,
    index: Vec<(u32, usize)>,
}

impl Containers {
    /// The object `id` from its object stream, when the xref puts it in one.
    fn unpack(&mut self, doc: &Document, id: ObjectId) -> Option<Object> {
        // Objects in object streams have generation 0 (PDF 32000-1, 7.5.7).
        if id.1 != 0 {
            return None;
        }
        let (container, index) = match doc.reference_table.get(id.0) {
            Some(XrefEntry::Compressed { container, index }) => (*container, *index as usize),
            Some(XrefEntry::Normal { .. }) => return None,
            _ => (self.unlisted_container(doc, id.0)?, usize::MAX),
        };
        let unpacked = self
            .by_id
            .entry(container)
            .or_insert_with(|| Unpacked::read(doc, container))
            .as_ref()?;
        // The xref's index is the object's place in the stream; trust it only when it names
        // the same object, else search (as lopdf does, by number).
        let at = match unpacked.index.get(index) {
            Some(&(num, _)) if num == id.0 => index,
            _ => unpacked.index.iter().position(|&(num, _)| num == id.0)?,
        };
        let start = unpacked.first.checked_add(unpacked.index[at].1)?;
        let end = unpacked
            .index
            .iter()
            .map(|&(_, off)| unpacked.first.saturating_add(off))
            .filter(|&o| o > start)
            .min()
            .unwrap_or(unpacked.content.len())
            .min(unpacked.content.len());
        let bytes = unpacked.content.get(start..end)?;
        parse_one(id, bytes)
    }
}

impl Containers {
    /// The object stream holding object `num` by the streams' headers, each stream
    /// decompressed once (its objects are parsed only when reached).
    fn unlisted_container(&mut self, doc: &Document, num: u32) -> Option<u32> {
        if self.unlisted.is_none() {
            let mut map = HashMap::new();
            // A table that lists compressed objects lists them all: a missing one is dangling.
            let lists_packed = doc
                .reference_table
                .entries
                .values()
                .any(|e| matches!(e, XrefEntry::Compressed { .. }));
            let packed: Vec<u32> = doc
                .objects
                .iter()
                .filter(|(id, o)| {
                    id.1 == 0 && matches!(o, Object::Stream(s) if s.dict.has_type(PACKED))
                })
                .map(|(id, _)| id.0)
                .filter(|_| !lists_packed)
                .collect();
            for container in packed {
                let unpacked = self
                    .by_id
                    .entry(container)
                    .or_insert_with(|| Unpacked::read(doc, container));
                for &(n, _) in unpacked.iter().flat_map(|u| u.index.iter()) {
                    map.entry(n).or_insert(container);
                }
            }
            self.unlisted = Some(map);
        }
        self.unlisted.as_ref()?.get(&num).copied()
    }
}

impl Unpacked {
    fn read(doc: &Document, container: u32) -> Option<Unpacked> {
        let Some(Object::Stream(stream)) = doc.objects.get(&(container, 0)) else {
            return None;
        };
        let content = stream.decompressed_content().ok()?;
        let first = usize::try_from(stream.dict.get(b"First").ok()?.as_i64().ok()?).ok()?;
        let header = std::str::from_utf8(content.get(..first)?).ok()?;
        let numbers: Vec<usize> = header
            .split_whitespace()
            .map_while(|n| n.parse().ok())
            .collect();
        let index = numbers
            .chunks_exact(2)
            .filter_map(|p| Some((u32::try_from(p[0]).ok()?, p[1])))
            .collect();
        Some(Unpacked {
            content,
            first,
            index,
        })
    }
}

/// One object's bytes parsed with lopdf's own parser: an object stream holding only it.
fn parse_one(id: ObjectId, bytes: &[u8]) -> Option<Object> {
    let header = format!("{} 0 ", id.0);
    let mut content = Vec::with_capacity(header.len() + bytes.len());
    content.extend_from_slice(header.as_bytes());
    content.extend_from_slice(bytes);
    let mut dict = Dictionary::new();
    dict.set("N", Object::Integer(1));
    dict.set("First", Object::Integer(header.len() as i64));
    let mut stream = Stream::new(dict, content);
    ObjectStream::new(&mut stream)
        .ok()?
        .objects
        .remove(&(id.0, 0))
}

#[cfg(test)]
mod tests;
