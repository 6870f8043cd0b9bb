//! The Lambda deployment zip: one entry, `bootstrap`, with a fixed timestamp (1980-01-01, the
//! zip epoch) and fixed permissions (0755), so the same binary always gives the same bytes and
//! the same sha256 — which is what lets an unchanged artifact skip the upload and the deploy.

use std::io::{Cursor, Read as _, Write as _};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// The one entry `provided.al2023` runs.
pub const ENTRY: &str = "bootstrap";

/// Zips `binary` as `bootstrap`. Deterministic: no clock, no file-system metadata.
pub fn zip_bootstrap(binary: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::with_capacity(binary.len() / 2)));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(DateTime::default())
        .unix_permissions(0o755)
        .large_file(binary.len() >= u32::MAX as usize);
    writer
        .start_file(ENTRY, options)
        .map_err(std::io::Error::other)?;
    writer.write_all(binary)?;
    let cursor = writer.finish().map_err(std::io::Error::other)?;
    Ok(cursor.into_inner())
}

/// The `bootstrap` entry of a zip someone else built, checked to be there; its bytes are
/// returned so the caller can run the same architecture and glibc checks on it.
pub fn read_bootstrap(zip: &[u8]) -> Result<Vec<u8>, String> {
    let mut archive =
        ZipArchive::new(Cursor::new(zip)).map_err(|e| format!("not a zip file ({e})"))?;
    let names: Vec<String> = archive
        .file_names_raw()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    let mut entry = archive
        .by_name(ENTRY)
        .map_err(|_| format!("has no `{ENTRY}` entry (entries: {})", names.join(", ")))?;
    // Lambda caps unzipped code at 250 MB; refuse to inflate more than that.
    const LIMIT: u64 = 250 * 1024 * 1024;
    if entry.size() > LIMIT {
        return Err(format!("`{ENTRY}` is larger than Lambda's 250 MB limit"));
    }
    let mut bytes = Vec::new();
    (&mut entry)
        .take(LIMIT)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read `{ENTRY}` ({e})"))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_input_same_bytes_and_the_entry_round_trips() {
        let a = zip_bootstrap(b"\x7fELF pretend binary").unwrap();
        let b = zip_bootstrap(b"\x7fELF pretend binary").unwrap();
        assert_eq!(a, b);
        assert_eq!(read_bootstrap(&a).unwrap(), b"\x7fELF pretend binary");
        let archive = ZipArchive::new(Cursor::new(&a)).unwrap();
        assert_eq!(archive.len(), 1);
    }

    #[test]
    fn entry_is_executable_with_the_zip_epoch_as_time() {
        let bytes = zip_bootstrap(b"x").unwrap();
        let mut archive = ZipArchive::new(Cursor::new(bytes)).unwrap();
        let entry = archive.by_index(0).unwrap();
        assert_eq!(entry.name().unwrap(), ENTRY);
        assert_eq!(entry.unix_mode().map(|m| m & 0o777), Some(0o755));
        assert_eq!(entry.last_modified(), Some(DateTime::default()));
    }

    #[test]
    fn a_zip_without_bootstrap_is_refused() {
        let err = read_bootstrap(b"not a zip").unwrap_err();
        assert!(err.starts_with("not a zip file"), "{err}");
    }
}
