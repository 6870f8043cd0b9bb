//! Rebuilding a PDF's cross-reference table when the file's own is unusable.
//!
//! Files in the wild often carry a wrong `startxref` or xref offsets that no longer point at
//! their objects (edited with a text editor, re-saved by a tool that moved bytes, concatenated
//! or truncated at the end). Viewers repair them silently; lopdf refuses ("invalid file
//! trailer") or drops the objects it cannot find. The repair here is the viewers' one: scan the
//! file for `N G obj` headers (skipping stream data), take `/Root` (and `/Info`, `/Encrypt`,
//! `/ID`) from the last trailer or cross-reference stream, or the catalog object itself, and
//! append a fresh xref table and trailer that lopdf then reads as usual.
//!
//! Memory stays bounded by the file: the copy is the file plus 20 bytes per object found, and
//! at most [`MAX_OBJECTS`] objects are indexed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::LazyLock;

use regex::bytes::Regex;

/// Objects indexed at most; a file with more headers than this is not repaired.
const MAX_OBJECTS: usize = 1 << 20;
/// The largest object number the PDF format allows (ISO 32000-1, annex C).
const MAX_OBJECT_NUMBER: u32 = 8_388_607;
/// How far after `trailer` (or before and after a `/Root` found elsewhere) its keys are read.
const TRAILER_WINDOW: usize = 4096;

/// An object header, a stream's start, or a trailer.
static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)(\d{1,10})\s+(\d{1,5})\s+obj\b|stream(?:\r\n|\n|\r)|trailer\s*<<").unwrap()
});
static ROOT: LazyLock<Regex> = LazyLock::new(|| ref_key("Root"));
static INFO: LazyLock<Regex> = LazyLock::new(|| ref_key("Info"));
static ENCRYPT: LazyLock<Regex> = LazyLock::new(|| ref_key("Encrypt"));
static ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)/ID\s*\[\s*<[0-9A-Fa-f\s]*>\s*<[0-9A-Fa-f\s]*>\s*\]").unwrap()
});
static CATALOG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?-u)/Type\s*/Catalog\b").unwrap());

fn ref_key(key: &str) -> Regex {
    Regex::new(&format!(r"(?-u)/{key}\s+(\d{{1,10}})\s+(\d{{1,5}})\s+R\b")).unwrap()
}

/// Where each object starts, by number (the last header of a number wins, as an incremental
/// update's copy replaces the original), and where the last trailer starts.
struct Scan {
    objects: BTreeMap<u32, (u16, usize)>,
    trailer: Option<usize>,
}

fn scan(body: &[u8]) -> Option<Scan> {
    let mut objects = BTreeMap::new();
    let mut trailer = None;
    let mut pos = 0;
    while let Some(c) = TOKEN.captures_at(body, pos) {
        let m = c.get(0).expect("the whole match");
        pos = m.end();
        // A header or keyword starts at a token boundary ("112 0 obj" is not "12 0 obj").
        let before = m.start().checked_sub(1).map(|i| body[i]);
        if before.is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        if let (Some(num), Some(generation)) = (c.get(1), c.get(2)) {
            let num = parse::<u32>(num.as_bytes()).filter(|&n| n <= MAX_OBJECT_NUMBER);
            let generation = parse::<u16>(generation.as_bytes());
            if let (Some(num), Some(generation)) = (num, generation) {
                objects.insert(num, (generation, m.start()));
                if objects.len() > MAX_OBJECTS {
                    return None;
                }
            }
        } else if m.as_bytes().starts_with(b"stream") {
            // Stream data can hold anything, headers included: skip to its end.
            match find(body, b"endstream", pos) {
                Some(end) => pos = end + b"endstream".len(),
                None => break,
            }
        } else {
            trailer = Some(m.start());
        }
    }
    Some(Scan { objects, trailer })
}

fn parse<T: std::str::FromStr>(digits: &[u8]) -> Option<T> {
    std::str::from_utf8(digits).ok()?.parse().ok()
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// `(number, generation)` of a `/Key N G R` in `text`, the last one.
fn reference(re: &Regex, text: &[u8]) -> Option<(u32, u16)> {
    let c = re.captures_iter(text).last()?;
    Some((parse(c.get(1)?.as_bytes())?, parse(c.get(2)?.as_bytes())?))
}

/// `bytes` from its `%PDF-` header on, with a cross-reference table and trailer rebuilt from
/// its objects appended; `None` when the file has no object headers or no catalog to root a
/// document in (then nothing can be read from it).
pub fn rebuild(bytes: &[u8]) -> Option<Vec<u8>> {
    let start = find(bytes, b"%PDF-", 0)?;
    let body = &bytes[start..];
    let scan = scan(body)?;
    if scan.objects.is_empty() {
        return None;
    }
    let known = |r: &(u32, u16)| scan.objects.get(&r.0).is_some_and(|&(g, _)| g == r.1);
    // The trailer's keys, else a cross-reference stream's (the last `/Root` of the file), else
    // the catalog object that comes last.
    let window =
        |at: usize| &body[at.saturating_sub(TRAILER_WINDOW)..(at + TRAILER_WINDOW).min(body.len())];
    let trailer_text = scan
        .trailer
        .map(|t| &body[t..(t + TRAILER_WINDOW).min(body.len())])
        .filter(|t| reference(&ROOT, t).is_some_and(|r| known(&r)))
        .or_else(|| {
            let last = ROOT
                .find_iter(body)
                .filter(|m| reference(&ROOT, m.as_bytes()).is_some_and(|r| known(&r)))
                .last()?;
            Some(window(last.start()))
        });
    let root = match trailer_text {
        Some(t) => reference(&ROOT, t)?,
        None => {
            let at = CATALOG.find_iter(body).last()?.start();
            let (&num, &(generation, _)) = scan
                .objects
                .iter()
                .filter(|(_, (_, off))| *off <= at)
                .max_by_key(|(_, (_, off))| *off)?;
            (num, generation)
        }
    };
    let mut trailer = format!(
        "<< /Size {} /Root {} {} R",
        scan.objects.keys().last().copied().unwrap_or(0) + 1,
        root.0,
        root.1
    );
    if let Some(t) = trailer_text {
        for (key, re) in [("Info", &*INFO), ("Encrypt", &*ENCRYPT)] {
            if let Some(r) = reference(re, t).filter(known) {
                let _ = write!(trailer, " /{key} {} {} R", r.0, r.1);
            }
        }
        if let Some(id) = ID.find_iter(t).last() {
            trailer.push(' ');
            trailer.push_str(&String::from_utf8_lossy(id.as_bytes()));
        }
    }
    trailer.push_str(" >>");

    let mut out = Vec::with_capacity(body.len() + 64 + 20 * scan.objects.len());
    out.extend_from_slice(body);
    out.push(b'\n');
    let xref_at = out.len();
    let mut xref = String::from("xref\n0 1\n0000000000 65535 f\r\n");
    // One subsection per run of consecutive numbers: the table grows with the objects found,
    // never with how large their numbers are.
    let entries: Vec<(u32, u16, usize)> = scan
        .objects
        .iter()
        .filter(|(n, _)| **n > 0)
        .map(|(&n, &(g, off))| (n, g, off))
        .collect();
    for run in entries.chunk_by(|a, b| b.0 == a.0 + 1) {
        let _ = writeln!(xref, "{} {}", run[0].0, run.len());
        for &(_, generation, offset) in run {
            let _ = write!(xref, "{offset:010} {generation:05} n\r\n");
        }
    }
    let _ = write!(xref, "trailer\n{trailer}\nstartxref\n{xref_at}\n%%EOF\n");
    out.extend_from_slice(xref.as_bytes());
    Some(out)
}

#[cfg(test)]
mod tests;
