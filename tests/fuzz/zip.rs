//! ZIP batches: `batch::open`, `plan` and `extract` on archives built valid and then mutated
//! (headers' sizes and offsets overwritten, truncated, spliced), on raw bytes behind a ZIP
//! signature, and the whole `unpack` handler on the same archives over local services.

use std::io::{Cursor, Write};

use idpctl::batch::{self, Limits};
use proptest::prelude::*;
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use crate::harness::{self, explained, run};
use crate::mutate::{self, ByteMutation};

/// Names that exercise every refusal rule, and any text at all.
fn entry_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,8}/[a-z]{1,8}\\.(pdf|png|txt)",
        prop::sample::select(vec![
            "../escape.pdf",
            "/abs.pdf",
            "C:\\win.pdf",
            "a\\..\\..\\b.pdf",
            "./plain.pdf",
            "dir/",
            "__MACOSX/._a.pdf",
            ".DS_Store",
            "A.PDF",
            "a.pdf",
            "",
            "nul\u{0}byte.pdf",
        ])
        .prop_map(str::to_string),
        ".{0,30}",
    ]
}

fn entry_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..600),
        // Compressible bodies give high ratios.
        (any::<u8>(), 0usize..200_000).prop_map(|(b, n)| vec![b; n]),
    ]
}

pub type Entry = (String, Vec<u8>, bool);

pub fn entries() -> impl Strategy<Value = Vec<Entry>> {
    prop::collection::vec((entry_name(), entry_body(), any::<bool>()), 0..8)
}

/// A valid archive of `entries` (ones the writer refuses, such as duplicates, are left out).
pub fn build_zip(entries: &[Entry]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, body, deflate) in entries {
        let method = if *deflate {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        };
        let opts = SimpleFileOptions::default().compression_method(method);
        if w.start_file(name.as_str(), opts).is_ok() {
            let _ = w.write_all(body);
        }
    }
    w.finish().map(|c| c.into_inner()).unwrap_or_default()
}

/// Where ZIP keeps sizes, offsets and counts: local headers (sizes at +18/+22, name length at
/// +26), central directory entries (sizes at +20/+24, local-header offset at +42) and the end
/// record (entry counts at +8/+10, directory size and offset at +12/+16).
pub fn zip_fields(bytes: &[u8]) -> Vec<usize> {
    let mut f = mutate::offsets_after(bytes, b"PK\x03\x04", &[14, 18, 22, 26]);
    f.extend(mutate::offsets_after(
        bytes,
        b"PK\x01\x02",
        &[16, 20, 24, 28, 42],
    ));
    f.extend(mutate::offsets_after(
        bytes,
        b"PK\x05\x06",
        &[8, 10, 12, 16],
    ));
    f
}

/// Small limits, so that mutated headers meet every one of them.
pub fn small_limits() -> Limits {
    Limits {
        max_entries: 64,
        max_entry_bytes: 1 << 20,
        max_total_bytes: 4 << 20,
        max_ratio: 200,
    }
}

/// A writer that counts and drops.
#[derive(Default)]
pub struct Counting(pub u64);

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Plans and extracts every accepted entry; checks what was written against what the plan
/// promised. The outer error is a broken promise; the inner one is the archive's refusal.
pub fn unpack(bytes: Vec<u8>, limits: Limits) -> Result<Result<usize, String>, String> {
    let mut archive = match batch::open(Cursor::new(bytes)) {
        Ok(a) => a,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let plan = match batch::plan(&mut archive, &limits) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e.to_string())),
    };
    if plan.accepted.len() + plan.refused.len() + plan.ignored != archive.len() {
        return Err(format!(
            "the plan accounts for {} of {} entries",
            plan.accepted.len() + plan.refused.len() + plan.ignored,
            archive.len()
        ));
    }
    let mut total = 0;
    for entry in &plan.accepted {
        if entry.name.starts_with('/') || entry.name.split('/').any(|p| p == "..") {
            return Err(format!("accepted an escaping name {:?}", entry.name));
        }
        let mut sink = Counting::default();
        let result = batch::extract(&mut archive, entry, &limits, &mut sink);
        let cap = entry.declared_size.min(limits.max_entry_bytes);
        if sink.0 > cap {
            return Err(format!(
                "wrote {} bytes of `{}`, past its cap of {cap}",
                sink.0, entry.name
            ));
        }
        match result {
            Ok(n) if n != sink.0 => return Err(format!("reported {n} bytes, wrote {}", sink.0)),
            Ok(n) => total += n,
            Err(e) if e.to_string().trim().is_empty() => {
                return Err("an entry error without a message".into());
            }
            Err(_) => {}
        }
    }
    if total > limits.max_total_bytes {
        return Err(format!(
            "extracted {total} bytes in all, over the batch limit"
        ));
    }
    Ok(Ok(plan.accepted.len()))
}

proptest! {
    #![proptest_config(harness::config(1))]

    #[test]
    fn valid_archives_unpack_and_mutated_ones_are_refused_cleanly(
        entries in entries(),
        mutations in mutate::byte_mutations(4),
    ) {
        let mut bytes = build_zip(&entries);
        let fields = zip_fields(&bytes);
        let valid = mutations.is_empty();
        mutate::apply_bytes(&mut bytes, &mutations, &fields);
        let outcome = run(move || unpack(bytes, small_limits()))?;
        let outcome = outcome.map_err(TestCaseError::fail)?;
        if valid {
            prop_assert!(outcome.is_ok(), "a valid archive was refused: {outcome:?}");
        }
    }

    #[test]
    fn raw_bytes_behind_a_zip_signature(
        tail in prop::collection::vec(any::<u8>(), 0..2048),
        head in prop::sample::select(vec![&b"PK\x03\x04"[..], b"PK\x05\x06", b"PK\x01\x02", b""]),
    ) {
        let mut bytes = head.to_vec();
        bytes.extend(tail);
        let _refused = run(move || unpack(bytes, Limits::default()))?.map_err(TestCaseError::fail)?;
    }

    /// Every field of a one-entry archive overwritten with hostile values, many at once.
    #[test]
    fn hostile_header_fields(
        body in entry_body(),
        deflate in any::<bool>(),
        values in prop::collection::vec((any::<prop::sample::Index>(), mutate::hostile_u32()), 1..6),
    ) {
        let mut bytes = build_zip(&[("a/b.pdf".into(), body, deflate)]);
        let fields = zip_fields(&bytes);
        let m: Vec<ByteMutation> = values
            .into_iter()
            .map(|(i, v)| ByteMutation::PutAtField(i, v, false))
            .collect();
        mutate::apply_bytes(&mut bytes, &m, &fields);
        let _refused = run(move || unpack(bytes, small_limits()))?.map_err(TestCaseError::fail)?;
    }
}

// The `unpack` handler itself, over local services: a refused or corrupt archive must end in
// an error that names it, never a panic.
proptest! {
    #![proptest_config(harness::config(4))]

    #[test]
    fn the_unpack_handler_on_mutated_archives(
        entries in entries(),
        mutations in mutate::byte_mutations(3),
    ) {
        let mut bytes = build_zip(&entries);
        let fields = zip_fields(&bytes);
        mutate::apply_bytes(&mut bytes, &mutations, &fields);
        let outcome = run(move || crate::events::with_local_services(|s| async move {
            s.objects
                .put("t-input", "in/batch.zip", bytes, "application/zip")
                .await
                .map_err(|e| e.to_string())?;
            let event = serde_json::json!({
                "upload": {"upload_id": "u-1", "bucket": "t-input", "key": "in/batch.zip"}
            });
            Ok(idpctl::handlers::unpack::handle(event, &s).await.map_err(|e| e.to_string()))
        }))?;
        match outcome.map_err(TestCaseError::fail)? {
            Ok(out) => prop_assert!(out["documents"].is_array(), "{out}"),
            Err(e) => {
                explained(&e)?;
                prop_assert!(e.contains("in/batch.zip") || e.contains('`'), "{e}");
            }
        }
    }
}
