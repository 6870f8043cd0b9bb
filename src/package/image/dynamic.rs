//! What the dynamic loader needs to start an ELF file: its interpreter (`PT_INTERP`), the
//! libraries it names (`DT_NEEDED`), where it asks to look first (`DT_RUNPATH`/`DT_RPATH`), and,
//! for a libc, the newest `GLIBC_x.y` version it defines (`.gnu.version_d`). The machine and the
//! versions a binary *needs* come from [`crate::package::elf`]; this is the other half, used to
//! walk a program's library closure without running `ldd` (which can only trace binaries of the
//! host's own architecture).

use crate::package::elf::{
    ElfError, GlibcVersion, Section, bytes_at, c_bytes, sections, u16_at, u32_at, u64_at, usize_at,
};

/// The loader-facing facts of one ELF file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dynamic {
    pub interpreter: Option<String>,
    pub needed: Vec<String>,
    pub runpath: Vec<String>,
    /// `GLIBC_*` versions this file defines (only a libc defines them), highest last.
    pub defines: Vec<GlibcVersion>,
}

const PT_INTERP: u32 = 3;
const SHT_DYNAMIC: u32 = 6;
const SHT_GNU_VERDEF: u32 = 0x6fff_fffd;
const DT_NEEDED: u64 = 1;
const DT_RPATH: u64 = 15;
const DT_RUNPATH: u64 = 29;

fn c_str(b: &[u8], off: usize) -> Result<String, ElfError> {
    Ok(String::from_utf8_lossy(c_bytes(b, off)?).into_owned())
}

fn interpreter(b: &[u8]) -> Result<Option<String>, ElfError> {
    let phoff = usize_at(b, 0x20)?;
    let size = usize::from(u16_at(b, 0x36)?);
    let count = usize::from(u16_at(b, 0x38)?);
    for i in 0..count {
        let h = phoff.saturating_add(i.saturating_mul(size));
        if u32_at(b, h)? == PT_INTERP {
            let offset = usize_at(b, h.saturating_add(8))?;
            let len = usize_at(b, h.saturating_add(32))?;
            let raw = bytes_at(b, offset, len)?;
            let name = raw.split(|&c| c == 0).next().unwrap_or_default();
            return Ok(Some(String::from_utf8_lossy(name).into_owned()));
        }
    }
    Ok(None)
}

/// Reads the loader-facing facts of an ELF64 little-endian file (the caller has checked the
/// class with [`crate::package::elf::read`]).
pub fn read(b: &[u8]) -> Result<Dynamic, ElfError> {
    if b.get(..4) != Some(b"\x7fELF".as_slice()) {
        return Err(ElfError::NotElf);
    }
    if b.get(4) != Some(&2) || b.get(5) != Some(&1) {
        return Err(ElfError::Unsupported);
    }
    let mut out = Dynamic {
        interpreter: interpreter(b)?,
        ..Dynamic::default()
    };
    let sections = sections(b)?;
    let strtab = |s: &Section| {
        sections
            .get(s.link as usize)
            .map(|t| t.offset)
            .ok_or(ElfError::Malformed("string table index"))
    };
    for dynamic in sections.iter().filter(|s| s.kind == SHT_DYNAMIC) {
        let strings = strtab(dynamic)?;
        for entry in (0..dynamic.size / 16).map(|i| dynamic.offset.saturating_add(i * 16)) {
            let tag = u64_at(b, entry)?;
            let value = usize_at(b, entry.saturating_add(8))?;
            match tag {
                0 => break,
                DT_NEEDED => out.needed.push(c_str(b, strings.saturating_add(value))?),
                DT_RUNPATH | DT_RPATH => out.runpath.extend(
                    c_str(b, strings.saturating_add(value))?
                        .split(':')
                        .filter(|p| !p.is_empty())
                        .map(String::from),
                ),
                _ => {}
            }
        }
    }
    for verdef in sections.iter().filter(|s| s.kind == SHT_GNU_VERDEF) {
        let strings = strtab(verdef)?;
        let mut entry = verdef.offset;
        // sh_info is the number of Verdef entries; the first Verdaux of each names the version.
        for _ in 0..verdef.info {
            let aux = entry.saturating_add(u32_at(b, entry.saturating_add(12))? as usize);
            let name = c_str(b, strings.saturating_add(u32_at(b, aux)? as usize))?;
            if let Some(v) = GlibcVersion::parse(&name) {
                out.defines.push(v);
            }
            let next = u32_at(b, entry.saturating_add(16))? as usize;
            if next == 0 {
                break;
            }
            entry = entry.saturating_add(next);
        }
    }
    out.defines.sort();
    out.defines.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_elf64le() {
        assert_eq!(read(b"#!/bin/sh"), Err(ElfError::NotElf));
        assert_eq!(read(b"\x7fELF\x01\x01\x01\0"), Err(ElfError::Unsupported));
        let mut short = b"\x7fELF\x02\x01\x01\0".to_vec();
        short.resize(24, 0);
        assert!(matches!(read(&short), Err(ElfError::Malformed(_))));
    }

    #[test]
    fn offsets_past_the_end_are_errors_not_panics() {
        let mut b = vec![0u8; 64];
        b[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
        b[0x20..0x28].copy_from_slice(&u64::MAX.to_le_bytes()); // e_phoff
        b[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        b[0x38..0x3a].copy_from_slice(&1u16.to_le_bytes()); // one program header
        assert!(matches!(read(&b), Err(ElfError::Malformed(_))));
        let mut b2 = b.clone();
        b2[0x20..0x28].copy_from_slice(&0u64.to_le_bytes());
        b2[0x38..0x3a].copy_from_slice(&0u16.to_le_bytes());
        b2[0x28..0x30].copy_from_slice(&(u64::MAX - 3).to_le_bytes()); // e_shoff
        b2[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
        b2[0x3c..0x3e].copy_from_slice(&2u16.to_le_bytes());
        assert!(matches!(read(&b2), Err(ElfError::Malformed(_))));
    }

    /// The host's own binaries: a dynamic program names its loader and libc, and the libc
    /// defines the glibc versions programs need.
    #[test]
    fn reads_the_running_test_binary_and_its_libc() {
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let d = read(&me).unwrap();
        if d.interpreter.is_none() {
            return; // a static build: nothing to check
        }
        assert!(d.needed.iter().any(|n| n.starts_with("libc.so")), "{d:?}");
        let libc = [
            "/lib/x86_64-linux-gnu/libc.so.6",
            "/lib/aarch64-linux-gnu/libc.so.6",
        ]
        .iter()
        .find_map(|p| std::fs::read(p).ok());
        if let Some(libc) = libc {
            let defines = read(&libc).unwrap().defines;
            assert!(defines.contains(&GlibcVersion::new(2, 17)), "{defines:?}");
        }
    }
}
