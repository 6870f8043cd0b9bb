//! Inputs that expand: a raw deflate stream of zeros written by hand (13 bits per 258 bytes,
//! so a gigabyte costs 6.5 MB and no time to compress), and ZIP/DOCX/PDF/TIFF containers that
//! hold it, with honest or lying size headers.

/// A raw deflate stream (one fixed-Huffman block) that inflates to `1 + 258 * runs` zeros.
pub fn deflate_zeros(runs: usize) -> Vec<u8> {
    let mut w = Bits::default();
    w.bits(1, 1); // BFINAL
    w.bits(1, 2); // BTYPE = 01, fixed Huffman
    w.code(0x30, 8); // literal 0
    for _ in 0..runs {
        w.code(0xC5, 8); // length symbol 285: 258 bytes, no extra bits
        w.code(0, 5); // distance code 0: distance 1
    }
    w.code(0, 7); // end of block (256)
    w.finish()
}

pub fn inflated_len(runs: usize) -> u64 {
    1 + 258 * runs as u64
}

#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    /// `len` bits of `value`, least significant first (header fields).
    fn bits(&mut self, value: u64, len: u32) {
        self.acc |= value << self.n;
        self.n += len;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code, most significant bit first.
    fn code(&mut self, code: u64, len: u32) {
        let mut rev = 0;
        for i in 0..len {
            rev |= ((code >> i) & 1) << (len - 1 - i);
        }
        self.bits(rev, len);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A one-entry ZIP written by hand, so its headers can say anything: `declared` is the
/// uncompressed size both headers claim (the CRC is left at 0: a reader that gets to the end
/// has read everything, which is what must not happen).
pub fn zip_with(name: &str, method: u16, data: &[u8], declared: u32) -> Vec<u8> {
    let mut z = Vec::new();
    let le16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let le32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    // What the local header and the central directory both say of the entry: flags, method,
    // time, date, CRC, sizes, the name's length and the extra field's.
    let entry = |z: &mut Vec<u8>| {
        le16(z, 0);
        le16(z, method);
        le16(z, 0);
        le16(z, 0);
        le32(z, 0);
        le32(z, data.len() as u32);
        le32(z, declared);
        le16(z, name.len() as u16);
        le16(z, 0);
    };
    // Local file header: the version needed, then the entry.
    z.extend_from_slice(b"PK\x03\x04");
    le16(&mut z, 20);
    entry(&mut z);
    z.extend_from_slice(name.as_bytes());
    z.extend_from_slice(data);
    let cd = z.len() as u32;
    // Central directory: the versions made by and needed, the entry, then the comment's length,
    // the disk, the attributes and the local header's offset.
    z.extend_from_slice(b"PK\x01\x02");
    le16(&mut z, 20);
    le16(&mut z, 20);
    entry(&mut z);
    le16(&mut z, 0);
    le16(&mut z, 0);
    le16(&mut z, 0);
    le32(&mut z, 0);
    le32(&mut z, 0);
    z.extend_from_slice(name.as_bytes());
    let cd_len = z.len() as u32 - cd;
    // End of central directory.
    z.extend_from_slice(b"PK\x05\x06");
    le16(&mut z, 0);
    le16(&mut z, 0);
    le16(&mut z, 1);
    le16(&mut z, 1);
    le32(&mut z, cd_len);
    le32(&mut z, cd);
    le16(&mut z, 0);
    z
}

/// A one-page PDF whose content stream is `stream` (FlateDecode when `flate`), with a correct
/// cross-reference table.
pub fn pdf_with_stream(stream: &[u8], flate: bool) -> Vec<u8> {
    let filter = if flate { "/Filter /FlateDecode " } else { "" };
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
           /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_vec(),
    ];
    let mut content = format!("<< {filter}/Length {} >>\nstream\n", stream.len()).into_bytes();
    content.extend_from_slice(stream);
    content.extend_from_slice(b"\nendstream");
    objects.push(content);
    objects.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec());
    assemble_pdf(&objects)
}

/// Objects 1..=n (object 1 the catalog) → a PDF file with a correct xref table.
pub fn assemble_pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn the_hand_written_deflate_stream_inflates_to_zeros() {
        let raw = deflate_zeros(1000);
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len() as u64, inflated_len(1000));
        assert!(out.iter().all(|b| *b == 0));
        assert!(raw.len() < 2000, "{} bytes", raw.len());
    }
}
