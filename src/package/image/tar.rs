//! A deterministic ustar writer for image layers: entries in the order given (the caller sorts
//! them), every timestamp 0, owner root (uid/gid 0, no names), and modes set by the caller, so a
//! layer's bytes depend on file contents and paths alone. Written by hand because the format is
//! a 512-byte header per entry and the `tar` crate would add a dependency for it.

use std::io::{self, Read, Write};

const BLOCK: usize = 512;

/// What one entry of a layer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Dir,
    File { size: u64 },
    Symlink { target: String },
}

fn octal(field: &mut [u8], value: u64) -> io::Result<()> {
    // `width - 1` digits and a NUL, as GNU and BSD tar write them.
    let digits = format!("{value:0width$o}", width = field.len() - 1);
    if digits.len() > field.len() - 1 {
        return Err(io::Error::other(format!(
            "{value} does not fit a tar header"
        )));
    }
    field[..digits.len()].copy_from_slice(digits.as_bytes());
    field[digits.len()] = 0;
    Ok(())
}

/// Splits a path into ustar's `prefix` (≤ 155 bytes) and `name` (≤ 100 bytes) at a slash.
fn split_name(path: &str) -> io::Result<(&str, &str)> {
    if path.len() <= 100 {
        return Ok(("", path));
    }
    let too_long = || io::Error::other(format!("path `{path}` is too long for a ustar header"));
    let cut = path
        .char_indices()
        .filter(|&(i, c)| c == '/' && i <= 155 && path.len() - i - 1 <= 100)
        .map(|(i, _)| i)
        .next()
        .ok_or_else(too_long)?;
    Ok((&path[..cut], &path[cut + 1..]))
}

/// The 512-byte header of one entry. `path` is relative (`usr/bin/tesseract`), without a
/// leading slash; directories get their trailing slash here.
pub fn header(path: &str, mode: u32, kind: &Kind) -> io::Result<[u8; BLOCK]> {
    let mut h = [0u8; BLOCK];
    let full = match kind {
        Kind::Dir => format!("{}/", path.trim_end_matches('/')),
        _ => path.to_string(),
    };
    let (prefix, name) = split_name(&full)?;
    h[..name.len()].copy_from_slice(name.as_bytes());
    octal(&mut h[100..108], u64::from(mode))?;
    octal(&mut h[108..116], 0)?;
    octal(&mut h[116..124], 0)?;
    let size = match kind {
        Kind::File { size } => *size,
        _ => 0,
    };
    octal(&mut h[124..136], size)?;
    octal(&mut h[136..148], 0)?;
    h[156] = match kind {
        Kind::File { .. } => b'0',
        Kind::Symlink { .. } => b'2',
        Kind::Dir => b'5',
    };
    if let Kind::Symlink { target } = kind {
        if target.len() > 100 {
            return Err(io::Error::other(format!(
                "symlink target `{target}` is too long for a ustar header"
            )));
        }
        h[157..157 + target.len()].copy_from_slice(target.as_bytes());
    }
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
    // The checksum is the byte sum with its own field read as spaces.
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    let digits = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(digits.as_bytes());
    Ok(h)
}

/// Writes a tar stream entry by entry.
pub struct Writer<W: Write> {
    out: W,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W) -> Self {
        Writer { out }
    }

    /// One entry; for a file, `body` yields exactly `size` bytes.
    pub fn append(
        &mut self,
        path: &str,
        mode: u32,
        kind: &Kind,
        body: Option<&mut dyn Read>,
    ) -> io::Result<()> {
        self.out.write_all(&header(path, mode, kind)?)?;
        if let (Kind::File { size }, Some(body)) = (kind, body) {
            let copied = io::copy(&mut body.take(*size), &mut self.out)?;
            if copied != *size {
                return Err(io::Error::other(format!(
                    "{path} changed while it was packed ({copied} of {size} bytes)"
                )));
            }
            let pad = (BLOCK - (*size as usize % BLOCK)) % BLOCK;
            self.out.write_all(&[0u8; BLOCK][..pad])?;
        }
        Ok(())
    }

    /// The two empty blocks that end an archive; gives the writer back.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&[0u8; BLOCK * 2])?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_fields_and_checksum() {
        let h = header("usr/bin/x", 0o755, &Kind::File { size: 5 }).unwrap();
        assert_eq!(&h[..10], b"usr/bin/x\0");
        assert_eq!(&h[100..108], b"0000755\0");
        assert_eq!(&h[124..136], b"00000000005\0");
        assert_eq!(h[156], b'0');
        let stored = std::str::from_utf8(&h[148..154]).unwrap();
        let mut blank = h;
        blank[148..156].copy_from_slice(b"        ");
        let sum: u32 = blank.iter().map(|&b| u32::from(b)).sum();
        assert_eq!(u32::from_str_radix(stored, 8).unwrap(), sum);
    }

    #[test]
    fn long_paths_use_the_prefix_and_too_long_ones_are_refused() {
        let long = format!("{}/{}", "d".repeat(120), "f".repeat(90));
        let h = header(&long, 0o644, &Kind::File { size: 0 }).unwrap();
        assert_eq!(&h[345..465], "d".repeat(120).as_bytes());
        assert_eq!(&h[..90], "f".repeat(90).as_bytes());
        assert!(header(&"x".repeat(300), 0o644, &Kind::Dir).is_err());
    }

    #[test]
    fn archive_is_padded_and_ends_with_two_zero_blocks() {
        let mut w = Writer::new(Vec::new());
        w.append("etc", 0o755, &Kind::Dir, None).unwrap();
        let mut body: &[u8] = b"hello";
        w.append("etc/x", 0o644, &Kind::File { size: 5 }, Some(&mut body))
            .unwrap();
        w.append(
            "lib64/ld",
            0o777,
            &Kind::Symlink {
                target: "/usr/lib/ld".into(),
            },
            None,
        )
        .unwrap();
        let bytes = w.finish().unwrap();
        assert_eq!(bytes.len(), 512 * 6);
        assert_eq!(&bytes[..4], b"etc/");
        assert_eq!(&bytes[1024..1029], b"hello");
        assert!(bytes[512 * 4..].iter().all(|&b| b == 0));
    }

    #[test]
    fn a_short_body_is_an_error() {
        let mut w = Writer::new(Vec::new());
        let mut body: &[u8] = b"abc";
        assert!(
            w.append("f", 0o644, &Kind::File { size: 10 }, Some(&mut body))
                .is_err()
        );
    }
}
