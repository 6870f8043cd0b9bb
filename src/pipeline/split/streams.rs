//! A PDF's compressed streams, measured before any PDF reader inflates them. lopdf (under
//! pdf-extract) and hayro inflate a FlateDecode stream whole, with no limit: a 6.5 MB file
//! holding a stream of 1 GiB of zeros peaked at 2 GiB of memory. This scan finds every
//! `stream … endstream` in the raw bytes (object streams included, which lopdf inflates while
//! loading), inflates each zlib stream into a counter — never into memory — and refuses the
//! file when one expands past the limit. Streams that are not zlib stop at their first bytes.
//! Encrypted streams are not zlib until decrypted, so they pass unmeasured.

use std::io::Read;

use super::error::SplitError;

/// Refuses the PDF when one compressed stream inflates to more than `limit` bytes.
pub fn check_expansion(bytes: &[u8], limit: u64) -> Result<(), SplitError> {
    let mut from = 0;
    while let Some(at) = find(&bytes[from..], b"stream") {
        let start = from + at;
        from = start + b"stream".len();
        if start >= 3 && &bytes[start - 3..start] == b"end" {
            continue;
        }
        // The data starts after the keyword's end of line (CRLF or LF).
        let mut data = from;
        if bytes.get(data) == Some(&b'\r') {
            data += 1;
        }
        if bytes.get(data) == Some(&b'\n') {
            data += 1;
        }
        let end = find(&bytes[data..], b"endstream").map_or(bytes.len(), |e| data + e);
        let inflated = inflated_size(&bytes[data..end], limit);
        if inflated > limit {
            return Err(SplitError::CorruptPdf(format!(
                "a compressed stream at byte {start} expands beyond {} MiB (a decompression \
                 bomb?)",
                limit >> 20
            )));
        }
        from = end;
    }
    Ok(())
}

/// Bytes a zlib stream inflates to, counted up to `limit + 1`; 0 when it is not zlib.
fn inflated_size(data: &[u8], limit: u64) -> u64 {
    // A zlib header: deflate method, and a check value that makes the pair a multiple of 31.
    if data.len() < 2
        || data[0] & 0x0f != 8
        || !u16::from_be_bytes([data[0], data[1]]).is_multiple_of(31)
    {
        return 0;
    }
    let mut z = flate2::read::ZlibDecoder::new(data).take(limit + 1);
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    // A corrupt tail ends the count: what was inflated so far is still a lower bound.
    while let Ok(n) = z.read(&mut buf) {
        if n == 0 {
            break;
        }
        total += n as u64;
    }
    total
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(data).unwrap();
        z.finish().unwrap()
    }

    fn pdf_with(stream: &[u8]) -> Vec<u8> {
        let mut pdf = b"%PDF-1.4\n4 0 obj\n<< /Filter /FlateDecode >>\nstream\r\n".to_vec();
        pdf.extend_from_slice(stream);
        pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
        pdf
    }

    #[test]
    fn a_stream_over_the_limit_is_refused_by_its_place() {
        let pdf = pdf_with(&zlib(&vec![0u8; 3 << 20]));
        let err = check_expansion(&pdf, 2 << 20).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the PDF is corrupt or unreadable: a compressed stream at byte 44 expands beyond \
             2 MiB (a decompression bomb?)"
        );
        assert!(check_expansion(&pdf, 3 << 20).is_ok());
    }

    #[test]
    fn streams_that_are_not_zlib_and_broken_ones_pass() {
        assert!(check_expansion(&pdf_with(b"\xFF\xD8\xFF\xE0 jpeg data"), 10).is_ok());
        let mut cut = zlib(&vec![0u8; 50_000]);
        cut.truncate(cut.len() / 2);
        assert!(check_expansion(&pdf_with(&cut), 1_000_000).is_ok());
        assert!(check_expansion(b"%PDF-1.4 stream", 10).is_ok());
    }
}
