//! What a file is, by its first bytes. The extension is only a hint between text formats, which
//! have no magic: a PDF named `.png` is still a PDF.

/// A file type the splitter knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Tiff,
    Docx,
    /// Plain text, CSV or Markdown: lines of words.
    Text,
    Html,
}

/// A file type the splitter recognises but does not take, named for the error message.
pub type Unknown = String;

/// Look at the bytes (and the name, for text flavours) and say what the file is.
pub fn detect(bytes: &[u8], filename: &str) -> Result<FileKind, Unknown> {
    // Some PDF writers put junk before the header; readers accept it within the first 1 KiB.
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-").is_some() {
        return Ok(FileKind::Pdf);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(FileKind::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(FileKind::Jpeg);
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return Ok(FileKind::Tiff);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // A DOCX is a ZIP with word/document.xml; the name is stored uncompressed in the local
        // headers and the central directory, so a byte search finds it without unzipping.
        return if find(bytes, b"word/document.xml").is_some() {
            Ok(FileKind::Docx)
        } else {
            Err("a ZIP archive that is not a DOCX".into())
        };
    }
    for (magic, name) in [
        (&b"GIF8"[..], "GIF image"),
        (b"BM", "BMP image"),
        (b"\xD0\xCF\x11\xE0", "legacy Office (OLE) file"),
        (b"RIFF", "RIFF (WebP/AVI/WAV) file"),
        (b"\x1f\x8b", "gzip archive"),
        (b"7z\xBC\xAF", "7-Zip archive"),
        (b"Rar!", "RAR archive"),
        (b"\x7fELF", "ELF executable"),
    ] {
        if bytes.starts_with(magic) {
            return Err(name.into());
        }
    }
    if looks_like_text(bytes) {
        let lower = String::from_utf8_lossy(head).to_ascii_lowercase();
        let start = lower.trim_start_matches('\u{feff}').trim_start();
        let ext = extension(filename);
        if start.starts_with("<!doctype html")
            || start.starts_with("<html")
            || lower.contains("<body")
            || matches!(ext.as_str(), "html" | "htm") && start.starts_with('<')
        {
            return Ok(FileKind::Html);
        }
        return Ok(FileKind::Text);
    }
    Err("binary data of an unknown type".into())
}

fn extension(filename: &str) -> String {
    filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// UTF-8 (or nearly: a stray byte is tolerated) without control characters other than
/// whitespace. Looks at the first 8 KiB only: that is enough to tell, and bounded.
fn looks_like_text(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    let text = String::from_utf8_lossy(sample);
    let total = text.chars().count().max(1);
    let bad = text
        .chars()
        .filter(|c| {
            *c == '\u{fffd}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c'))
        })
        .count();
    // Allow a truncated multi-byte character at the end of the sample.
    bad * 100 <= total
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_wins_over_extension() {
        assert_eq!(detect(b"%PDF-1.7\n...", "scan.png"), Ok(FileKind::Pdf));
        assert_eq!(detect(b"\x89PNG\r\n\x1a\n....", "x.pdf"), Ok(FileKind::Png));
        assert_eq!(
            detect(&[0xFF, 0xD8, 0xFF, 0xE0], "x.txt"),
            Ok(FileKind::Jpeg)
        );
        assert_eq!(detect(b"II*\0\x08\0\0\0", "x"), Ok(FileKind::Tiff));
    }

    #[test]
    fn text_flavours() {
        assert_eq!(detect(b"a,b,c\n1,2,3\n", "x.csv"), Ok(FileKind::Text));
        assert_eq!(detect(b"# Title\n\ntext", "x.md"), Ok(FileKind::Text));
        assert_eq!(
            detect(b"<!DOCTYPE html><html><body>hi", "x.txt"),
            Ok(FileKind::Html)
        );
    }

    #[test]
    fn unknown_binaries_are_named() {
        assert_eq!(detect(b"GIF89a....", "x.pdf").unwrap_err(), "GIF image");
        assert!(detect(&[0u8, 1, 2, 3, 200, 201, 0, 0, 7, 8], "x.bin").is_err());
        assert_eq!(
            detect(b"PK\x03\x04 other.txt", "x.docx").unwrap_err(),
            "a ZIP archive that is not a DOCX"
        );
    }
}
