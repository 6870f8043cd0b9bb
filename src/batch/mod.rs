//! Safe unpacking of ZIP batches. `plan` decides from the central directory alone which entries
//! become documents and why the others are refused (path traversal, absolute paths, symlinks,
//! encryption, size and ratio limits, duplicate names); `extract` then streams one accepted
//! entry under a hard byte cap, because a central directory can lie.

mod limits;

use std::collections::HashSet;
use std::io::{Read, Seek, Write};

pub use limits::Limits;

/// Documents one upload may carry inline in the workflow's state (≈150 bytes of ids each, well
/// under Step Functions' 256 KB); more always go through the manifest and the Distributed Map.
pub const INLINE_DOCUMENTS: usize = 1_000;
use zip::ZipArchive;

/// True when the bytes start like a ZIP archive (local file header, or an empty archive).
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub index: usize,
    /// The entry's path inside the archive, normalised (`/` separators, no `./`).
    pub name: String,
    pub declared_size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub index: usize,
    /// The name as written in the archive (it may be hostile: shown, never used as a path).
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    pub accepted: Vec<Accepted>,
    pub refused: Vec<Refused>,
    /// Folders and OS metadata (`__MACOSX/`, `.DS_Store`): not documents, not failures.
    pub ignored: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("not a readable ZIP archive: {0}")]
    Unreadable(String),
    #[error("the archive has {count} entries; at most {max} are accepted in one batch")]
    TooManyEntries { count: usize, max: usize },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EntryError {
    #[error("expands beyond {0} bytes")]
    TooLarge(u64),
    #[error("declares {declared} bytes but holds more")]
    SizeMismatch { declared: u64 },
    #[error("cannot be read: {0}")]
    Corrupt(String),
    #[error("cannot be written: {0}")]
    Write(String),
}

pub fn open<R: Read + Seek>(reader: R) -> Result<ZipArchive<R>, BatchError> {
    ZipArchive::new(reader).map_err(|e| BatchError::Unreadable(e.to_string()))
}

/// The entry's path when every part of it is a plain name: no root, drive or `..` — a
/// stricter rule than the zip crate's `enclosed_name`, which lets some absolute paths through.
pub fn safe_name(raw: &str) -> Option<String> {
    let unified = raw.replace('\\', "/");
    if unified.starts_with('/') || unified.as_bytes().get(1) == Some(&b':') {
        return None;
    }
    // `./a.pdf` is how some archivers write plain names; only `..` can climb out.
    let parts: Vec<&str> = unified
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() || parts.iter().any(|p| *p == ".." || p.contains('\0')) {
        return None;
    }
    Some(parts.join("/"))
}

fn metadata_only(name: &str) -> bool {
    name.starts_with("__MACOSX/")
        || name.rsplit('/').next().is_some_and(|base| {
            base == ".DS_Store" || base == "Thumbs.db" || base.starts_with("._")
        })
}

/// Decides every entry's fate from metadata, in archive order.
pub fn plan<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    limits: &Limits,
) -> Result<Plan, BatchError> {
    if archive.len() > limits.max_entries {
        return Err(BatchError::TooManyEntries {
            count: archive.len(),
            max: limits.max_entries,
        });
    }
    let mut plan = Plan::default();
    let mut seen = HashSet::new();
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        // Raw access reads metadata without trying to decrypt or decompress.
        let entry = match archive.by_index_raw(index) {
            Ok(e) => e,
            Err(e) => {
                plan.refused.push(Refused {
                    index,
                    name: format!("#{index}"),
                    reason: format!("unreadable entry: {e}"),
                });
                continue;
            }
        };
        let raw_name = entry
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| format!("#{index}"));
        let refuse = |reason: String| Refused {
            index,
            name: raw_name.clone(),
            reason,
        };
        if entry.is_dir() || metadata_only(&raw_name) {
            plan.ignored += 1;
            continue;
        }
        if entry.is_symlink() {
            plan.refused.push(refuse(
                "is a symbolic link; links are never followed".into(),
            ));
            continue;
        }
        let Some(safe) = safe_name(&raw_name) else {
            plan.refused.push(refuse(
                "has an absolute path or `..`; it would land outside the batch".into(),
            ));
            continue;
        };
        if entry.encrypted() {
            plan.refused
                .push(refuse("is encrypted; upload it without a password".into()));
            continue;
        }
        let size = entry.size();
        if size > limits.max_entry_bytes {
            plan.refused.push(refuse(format!(
                "expands to {size} bytes; the limit is {}",
                limits.max_entry_bytes
            )));
            continue;
        }
        let ratio = size / entry.compressed_size().max(1);
        if ratio > limits.max_ratio {
            plan.refused.push(refuse(format!(
                "compression ratio {ratio}:1 is over {}:1 (a zip bomb?)",
                limits.max_ratio
            )));
            continue;
        }
        if total + size > limits.max_total_bytes {
            plan.refused.push(refuse(format!(
                "the batch would expand beyond {} bytes",
                limits.max_total_bytes
            )));
            continue;
        }
        let name = safe;
        if !seen.insert(name.to_lowercase()) {
            plan.refused.push(refuse(format!(
                "duplicate of `{name}` earlier in this batch; skipped"
            )));
            continue;
        }
        total += size;
        plan.accepted.push(Accepted {
            index,
            name,
            declared_size: size,
        });
    }
    Ok(plan)
}

/// Streams one accepted entry into `out`, never past its declared size or the entry limit.
pub fn extract<R: Read + Seek, W: Write>(
    archive: &mut ZipArchive<R>,
    entry: &Accepted,
    limits: &Limits,
    out: &mut W,
) -> Result<u64, EntryError> {
    let file = archive
        .by_index(entry.index)
        .map_err(|e| EntryError::Corrupt(e.to_string()))?;
    let cap = entry.declared_size.min(limits.max_entry_bytes);
    // One byte past the cap tells a lying header from an honest one.
    let mut limited = file.take(cap + 1);
    let mut buf = [0u8; 64 * 1024];
    let mut written: u64 = 0;
    loop {
        let n = limited
            .read(&mut buf)
            .map_err(|e| EntryError::Corrupt(e.to_string()))?;
        if n == 0 {
            break;
        }
        written += n as u64;
        if written > cap {
            return Err(if cap < limits.max_entry_bytes {
                EntryError::SizeMismatch {
                    declared: entry.declared_size,
                }
            } else {
                EntryError::TooLarge(limits.max_entry_bytes)
            });
        }
        out.write_all(&buf[..n])
            .map_err(|e| EntryError::Write(e.to_string()))?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests;
