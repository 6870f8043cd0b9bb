//! Just enough of an ELF reader to tell whether a binary can run on Lambda's `provided.al2023`:
//! its machine (architecture) and the highest `GLIBC_x.y` symbol version it needs, read from the
//! `.gnu.version_r` (verneed) section. A hand-written reader, because the questions are two and
//! the format parts involved are small and stable; a general ELF crate would be most of the code
//! in the artifact that is not idpctl.

use std::fmt;

/// The CPU a binary is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Machine {
    X86_64,
    Aarch64,
    Other(u16),
}

impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Machine::X86_64 => f.write_str("x86_64"),
            Machine::Aarch64 => f.write_str("arm64"),
            Machine::Other(n) => write!(f, "ELF machine {n}"),
        }
    }
}

/// A `GLIBC_major.minor[.patch]` version, ordered numerically (2.9 < 2.17 < 2.34).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GlibcVersion(pub Vec<u32>);

impl GlibcVersion {
    /// Parses the part after `GLIBC_`; `GLIBC_PRIVATE` and other non-numeric names are not versions.
    pub fn parse(name: &str) -> Option<Self> {
        let rest = name.strip_prefix("GLIBC_")?;
        let parts: Option<Vec<u32>> = rest.split('.').map(|p| p.parse().ok()).collect();
        parts.filter(|p| !p.is_empty()).map(GlibcVersion)
    }

    pub fn new(major: u32, minor: u32) -> Self {
        GlibcVersion(vec![major, minor])
    }
}

impl fmt::Display for GlibcVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u32::to_string).collect();
        write!(f, "{}", parts.join("."))
    }
}

/// What the reader found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElfInfo {
    pub machine: Machine,
    /// Every `GLIBC_*` version the binary names in its version needs, highest last.
    pub glibc: Vec<GlibcVersion>,
    /// Whether the binary is dynamically linked (has a `.dynamic` section).
    pub dynamic: bool,
}

impl ElfInfo {
    /// The newest glibc the binary needs, or `None` for a binary that needs none (static, musl).
    pub fn max_glibc(&self) -> Option<&GlibcVersion> {
        self.glibc.last()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ElfError {
    #[error("not an ELF executable")]
    NotElf,
    #[error("a 32-bit or big-endian ELF file; Lambda runs 64-bit little-endian binaries only")]
    Unsupported,
    #[error("truncated or malformed ELF file ({0})")]
    Malformed(&'static str),
}

const SHT_DYNAMIC: u32 = 6;
const SHT_GNU_VERNEED: u32 = 0x6fff_fffe;

// The byte readers below are shared with `image::dynamic`: every offset comes from the file, so
// all arithmetic saturates and every read is bounds-checked (a bad file is an error, not a panic).

pub(crate) fn bytes_at(b: &[u8], off: usize, n: usize) -> Result<&[u8], ElfError> {
    off.checked_add(n)
        .and_then(|end| b.get(off..end))
        .ok_or(ElfError::Malformed("offset past the end"))
}

pub(crate) fn u16_at(b: &[u8], off: usize) -> Result<u16, ElfError> {
    let s = bytes_at(b, off, 2)?;
    Ok(u16::from_le_bytes([s[0], s[1]]))
}

pub(crate) fn u32_at(b: &[u8], off: usize) -> Result<u32, ElfError> {
    let s = bytes_at(b, off, 4)?;
    Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

pub(crate) fn u64_at(b: &[u8], off: usize) -> Result<u64, ElfError> {
    let mut a = [0u8; 8];
    a.copy_from_slice(bytes_at(b, off, 8)?);
    Ok(u64::from_le_bytes(a))
}

pub(crate) fn usize_at(b: &[u8], off: usize) -> Result<usize, ElfError> {
    usize::try_from(u64_at(b, off)?).map_err(|_| ElfError::Malformed("offset too large"))
}

/// The NUL-terminated bytes at `off`, without the NUL.
pub(crate) fn c_bytes(b: &[u8], off: usize) -> Result<&[u8], ElfError> {
    let tail = b
        .get(off..)
        .ok_or(ElfError::Malformed("string past the end"))?;
    let end = tail
        .iter()
        .position(|&c| c == 0)
        .ok_or(ElfError::Malformed("unterminated string"))?;
    Ok(&tail[..end])
}

fn c_str(b: &[u8], off: usize) -> Result<&str, ElfError> {
    std::str::from_utf8(c_bytes(b, off)?).map_err(|_| ElfError::Malformed("string is not UTF-8"))
}

pub(crate) struct Section {
    pub kind: u32,
    pub offset: usize,
    pub size: usize,
    pub link: u32,
    pub info: u32,
}

pub(crate) fn sections(b: &[u8]) -> Result<Vec<Section>, ElfError> {
    let shoff = usize_at(b, 0x28)?;
    let size = usize::from(u16_at(b, 0x3a)?);
    let count = usize::from(u16_at(b, 0x3c)?);
    if count > 0 && size < 64 {
        return Err(ElfError::Malformed("section header size"));
    }
    (0..count)
        .map(|i| {
            let h = shoff
                .checked_add(i.saturating_mul(size))
                .ok_or(ElfError::Malformed("section header offset"))?;
            Ok(Section {
                kind: u32_at(b, h.saturating_add(4))?,
                offset: usize_at(b, h.saturating_add(24))?,
                size: usize_at(b, h.saturating_add(32))?,
                link: u32_at(b, h.saturating_add(40))?,
                info: u32_at(b, h.saturating_add(44))?,
            })
        })
        .collect()
}

/// Reads the machine and glibc version needs of an ELF64 little-endian binary.
pub fn read(bytes: &[u8]) -> Result<ElfInfo, ElfError> {
    if bytes.get(..4) != Some(b"\x7fELF".as_slice()) {
        return Err(ElfError::NotElf);
    }
    // EI_CLASS 2 = 64-bit, EI_DATA 1 = little-endian: both Lambda architectures.
    if bytes.get(4) != Some(&2) || bytes.get(5) != Some(&1) {
        return Err(ElfError::Unsupported);
    }
    let machine = match u16_at(bytes, 0x12)? {
        62 => Machine::X86_64,
        183 => Machine::Aarch64,
        n => Machine::Other(n),
    };
    let sections = sections(bytes)?;
    let dynamic = sections.iter().any(|s| s.kind == SHT_DYNAMIC);
    let mut glibc = Vec::new();
    for need in sections.iter().filter(|s| s.kind == SHT_GNU_VERNEED) {
        let strtab = sections
            .get(need.link as usize)
            .ok_or(ElfError::Malformed("verneed string table index"))?;
        let mut entry = need.offset;
        // sh_info is the number of Verneed entries; each lists `vn_cnt` Vernaux names.
        for _ in 0..need.info {
            let count = u16_at(bytes, entry.saturating_add(2))?;
            let mut aux = entry.saturating_add(u32_at(bytes, entry.saturating_add(8))? as usize);
            for _ in 0..count {
                let name_off = u32_at(bytes, aux.saturating_add(8))? as usize;
                if name_off >= strtab.size {
                    return Err(ElfError::Malformed("version name offset"));
                }
                if let Some(v) =
                    GlibcVersion::parse(c_str(bytes, strtab.offset.saturating_add(name_off))?)
                {
                    glibc.push(v);
                }
                let next = u32_at(bytes, aux.saturating_add(12))? as usize;
                if next == 0 {
                    break;
                }
                aux = aux.saturating_add(next);
            }
            let next = u32_at(bytes, entry.saturating_add(12))? as usize;
            if next == 0 {
                break;
            }
            entry = entry.saturating_add(next);
        }
    }
    glibc.sort();
    glibc.dedup();
    Ok(ElfInfo {
        machine,
        glibc,
        dynamic,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_numerically() {
        let v = |s| GlibcVersion::parse(s).unwrap();
        assert!(v("GLIBC_2.9") < v("GLIBC_2.17"));
        assert!(v("GLIBC_2.34") < v("GLIBC_2.35"));
        assert!(v("GLIBC_2.2.5") < v("GLIBC_2.3"));
        assert_eq!(GlibcVersion::parse("GLIBC_PRIVATE"), None);
        assert_eq!(v("GLIBC_2.34").to_string(), "2.34");
    }

    #[test]
    fn rejects_what_is_not_elf64le() {
        assert_eq!(read(b"#!/bin/sh\n"), Err(ElfError::NotElf));
        assert_eq!(read(b"\x7fELF\x01\x01\x01\0"), Err(ElfError::Unsupported));
        let mut truncated = b"\x7fELF\x02\x01\x01\0".to_vec();
        truncated.resize(20, 0);
        assert!(matches!(read(&truncated), Err(ElfError::Malformed(_))));
    }
}
