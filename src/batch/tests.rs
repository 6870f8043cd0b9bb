//! Hostile and honest archives, built in memory so every case states exactly what it contains.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::*;

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, body) in entries {
        if name.ends_with('/') {
            w.add_directory(*name, opts).unwrap();
        } else {
            w.start_file(*name, opts).unwrap();
            w.write_all(body).unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

fn plan_of(bytes: &[u8], limits: &Limits) -> Plan {
    plan(&mut open(Cursor::new(bytes)).unwrap(), limits).unwrap()
}

fn reasons(p: &Plan) -> Vec<(String, String)> {
    p.refused
        .iter()
        .map(|r| (r.name.clone(), r.reason.clone()))
        .collect()
}

/// Sets a little-endian u32 field in every header of the given signature.
fn patch(bytes: &mut [u8], signature: &[u8; 4], offset: usize, f: impl Fn(u32) -> u32) {
    let mut i = 0;
    while i + offset + 4 <= bytes.len() {
        if &bytes[i..i + 4] == signature {
            let old = u32::from_le_bytes(bytes[i + offset..i + offset + 4].try_into().unwrap());
            bytes[i + offset..i + offset + 4].copy_from_slice(&f(old).to_le_bytes());
        }
        i += 1;
    }
}

#[test]
fn honest_batch_is_accepted_in_order() {
    let z = zip_of(&[
        ("docs/", b""),
        ("docs/a.pdf", b"%PDF-1.4 a"),
        ("b.txt", b"hello"),
        ("__MACOSX/._b.txt", b"x"),
    ]);
    let p = plan_of(&z, &Limits::default());
    assert_eq!(
        p.accepted
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        vec!["docs/a.pdf", "b.txt"]
    );
    assert_eq!(p.ignored, 2);
    assert!(p.refused.is_empty());
    let mut archive = open(Cursor::new(&z)).unwrap();
    let mut out = Vec::new();
    assert_eq!(
        extract(&mut archive, &p.accepted[1], &Limits::default(), &mut out).unwrap(),
        5
    );
    assert_eq!(out, b"hello");
}

#[test]
fn traversal_and_absolute_paths_are_refused() {
    let z = zip_of(&[
        ("../evil.pdf", b"x"),
        ("/etc/passwd", b"x"),
        ("ok/../../up.pdf", b"x"),
        ("fine.pdf", b"x"),
    ]);
    let p = plan_of(&z, &Limits::default());
    assert_eq!(p.accepted.len(), 1);
    let r = reasons(&p);
    assert_eq!(r.len(), 3, "{r:?}");
    assert!(
        r.iter().all(|(_, why)| why.contains("outside the batch")),
        "{r:?}"
    );
}

#[test]
fn symlinks_are_refused() {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    w.add_symlink("link.pdf", "/etc/passwd", SimpleFileOptions::default())
        .unwrap();
    let z = w.finish().unwrap().into_inner();
    let r = reasons(&plan_of(&z, &Limits::default()));
    assert_eq!(
        r,
        vec![(
            "link.pdf".to_string(),
            "is a symbolic link; links are never followed".to_string()
        )]
    );
}

#[test]
fn encrypted_entries_are_refused() {
    let mut z = zip_of(&[("secret.pdf", b"%PDF-1.4 secret")]);
    // General-purpose flag bit 0 (encrypted): local header offset 6, central directory offset 8.
    patch(&mut z, b"PK\x03\x04", 6, |v| v | 1);
    patch(&mut z, b"PK\x01\x02", 8, |v| v | 1);
    let r = reasons(&plan_of(&z, &Limits::default()));
    assert_eq!(r[0].1, "is encrypted; upload it without a password");
}

#[test]
fn zip_bomb_ratio_is_refused() {
    let zeros = vec![0u8; 8 * 1024 * 1024];
    let z = zip_of(&[("bomb.pdf", &zeros), ("real.pdf", b"%PDF-1.4 real")]);
    let p = plan_of(&z, &Limits::default());
    assert_eq!(
        p.accepted
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        vec!["real.pdf"]
    );
    assert!(
        p.refused[0].reason.starts_with("compression ratio"),
        "{:?}",
        p.refused
    );
}

#[test]
fn size_and_count_limits() {
    let z = zip_of(&[
        ("a.txt", &[b'a'; 100]),
        ("b.txt", &[b'b'; 100]),
        ("c.txt", &[b'c'; 10]),
    ]);
    let limits = Limits {
        max_entry_bytes: 99,
        max_total_bytes: 105,
        max_ratio: 1_000,
        ..Limits::default()
    };
    let r = reasons(&plan_of(&z, &limits));
    assert!(r[0].1.contains("limit is 99"), "{r:?}");
    let limits = Limits {
        max_total_bytes: 105,
        max_ratio: 1_000,
        ..Limits::default()
    };
    let p = plan_of(&z, &limits);
    assert_eq!(p.accepted.len(), 1);
    assert!(p.refused[0].reason.contains("beyond 105 bytes"));
    let err = plan(
        &mut open(Cursor::new(&z)).unwrap(),
        &Limits {
            max_entries: 2,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the archive has 3 entries; at most 2 are accepted in one batch"
    );
}

#[test]
fn duplicate_names_are_skipped() {
    let z = zip_of(&[
        ("W2.pdf", b"one"),
        ("w2.PDF", b"two"),
        ("sub/W2.pdf", b"three"),
    ]);
    let p = plan_of(&z, &Limits::default());
    assert_eq!(
        p.accepted
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        vec!["W2.pdf", "sub/W2.pdf"]
    );
    assert!(
        p.refused[0].reason.starts_with("duplicate of `w2.PDF`")
            || p.refused[0].reason.contains("duplicate")
    );
}

#[test]
fn a_lying_size_header_is_caught_while_reading() {
    let mut z = zip_of(&[("liar.txt", &[b'x'; 5000])]);
    // Declare 100 bytes (uncompressed size: local header offset 22, central directory offset 24).
    patch(&mut z, b"PK\x03\x04", 22, |_| 100);
    patch(&mut z, b"PK\x01\x02", 24, |_| 100);
    let limits = Limits::default();
    let mut archive = open(Cursor::new(&z)).unwrap();
    let p = plan(&mut archive, &limits).unwrap();
    let mut out = Vec::new();
    let err = extract(&mut archive, &p.accepted[0], &limits, &mut out).unwrap_err();
    // The zip crate notices first when it can; either way the entry is refused, never accepted.
    assert!(
        err == EntryError::SizeMismatch { declared: 100 }
            || err.to_string().contains("larger than its declared"),
        "{err:?}"
    );
    assert!(out.len() <= 100);
}

#[test]
fn safe_names() {
    assert_eq!(safe_name("a/b.pdf").as_deref(), Some("a/b.pdf"));
    assert_eq!(safe_name("a\\b.pdf").as_deref(), Some("a/b.pdf"));
    assert_eq!(safe_name("./a.pdf").as_deref(), Some("a.pdf"));
    for bad in [
        "/etc/passwd",
        "C:/x.pdf",
        "a/../b.pdf",
        "../b",
        "",
        ".",
        "\\server\\x",
    ] {
        assert_eq!(safe_name(bad), None, "{bad}");
    }
}

#[test]
fn garbage_is_not_a_zip() {
    assert!(!is_zip(b"%PDF-1.7"));
    assert!(is_zip(&zip_of(&[("a", b"b")])));
    assert!(matches!(
        open(Cursor::new(b"PK\x03\x04 but truncated".to_vec())),
        Err(BatchError::Unreadable(_))
    ));
}
