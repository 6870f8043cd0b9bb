//! Bounded memory, measured honestly: each expanding input (a gigabyte-class deflate stream in
//! a ZIP entry that lies about its size, in a DOCX, in a PDF content stream; images declaring
//! huge sizes) is read in a fresh child process (this test binary, run again for one ignored
//! test), which reports its peak resident memory (`VmHWM` from `/proc/self/status`); the
//! parent checks the peak against a budget. What it covers: the peak of one whole call, every
//! allocation included, for these inputs. What it does not: inputs nobody wrote down here.

use std::io::Cursor;
use std::process::Command;

use idpctl::batch::{self, Limits};
use idpctl::pipeline::split::{SplitOptions, split};

use crate::bombs;

/// Inflated size of every bomb below: 1 GiB of zeros from about 6.5 MB of input.
const RUNS: usize = (1 << 30) / 258;

fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// Runs the ignored test `memory::child_<name>` in a child process; its peak, in MiB.
fn child_peak_mib(name: &str) -> u64 {
    let exe = std::env::current_exe().expect("the test binary");
    let out = Command::new(exe)
        .args([
            &format!("memory::child_{name}"),
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("IDPCTL_FUZZ_MEMORY_CHILD", "1")
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child {name} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kb: u64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("peak_kb="))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("child {name} printed no peak:\n{stdout}"));
    eprintln!("memory: {name} peaked at {} MiB", kb / 1024);
    kb / 1024
}

fn report(outcome: impl std::fmt::Debug) {
    println!("outcome={outcome:?}");
    println!("peak_kb={}", peak_kb());
}

fn child_only() -> bool {
    std::env::var_os("IDPCTL_FUZZ_MEMORY_CHILD").is_some()
}

/// The budget for one call: the building blocks (test binary, 6.5 MB input, its copies) plus
/// the largest buffer each reader is allowed (a ZIP entry streams through 64 KiB; a DOCX body
/// is capped at 64 MiB; images are refused from their headers; PDF streams are measured
/// through a counter before a reader inflates them).
const BUDGET_MIB: u64 = 200;

#[test]
fn expanding_inputs_stay_within_budget() {
    for name in [
        "zip_lying_header",
        "zip_honest_header",
        "docx_bomb",
        "png_huge",
        "tiff_huge",
        "pdf_bomb",
    ] {
        let mib = child_peak_mib(name);
        assert!(
            mib < BUDGET_MIB,
            "{name} peaked at {mib} MiB (budget {BUDGET_MIB})"
        );
    }
}

#[test]
#[ignore = "run by expanding_inputs_stay_within_budget in a child process"]
fn child_zip_lying_header() {
    if !child_only() {
        return;
    }
    // The headers promise 1 MiB; the stream holds 1 GiB.
    let zip = bombs::zip_with("a.pdf", 8, &bombs::deflate_zeros(RUNS), 1 << 20);
    let mut archive = batch::open(Cursor::new(zip)).unwrap();
    let limits = Limits::default();
    let plan = batch::plan(&mut archive, &limits).unwrap();
    let mut sink = crate::zip::Counting::default();
    let r = batch::extract(&mut archive, &plan.accepted[0], &limits, &mut sink);
    assert!(sink.0 <= 1 << 20, "wrote {} bytes", sink.0);
    report(r);
}

#[test]
#[ignore = "run by expanding_inputs_stay_within_budget in a child process"]
fn child_zip_honest_header() {
    if !child_only() {
        return;
    }
    // Honest headers (1 GiB from 6.5 MB): refused by ratio before anything is inflated.
    let zip = bombs::zip_with(
        "a.pdf",
        8,
        &bombs::deflate_zeros(RUNS),
        bombs::inflated_len(RUNS) as u32,
    );
    let mut archive = batch::open(Cursor::new(zip)).unwrap();
    let plan = batch::plan(&mut archive, &Limits::default()).unwrap();
    assert!(plan.accepted.is_empty(), "{plan:?}");
    report(plan.refused);
}

#[test]
#[ignore = "run by expanding_inputs_stay_within_budget in a child process"]
fn child_docx_bomb() {
    if !child_only() {
        return;
    }
    // word/document.xml claims 1 KiB and inflates to 1 GiB.
    let zip = bombs::zip_with("word/document.xml", 8, &bombs::deflate_zeros(RUNS), 1024);
    let r = split(&zip, "a.docx", &SplitOptions::default());
    assert!(r.is_err());
    report(r.map(|p| p.len()));
}

#[test]
#[ignore = "run by expanding_inputs_stay_within_budget in a child process"]
fn child_png_huge() {
    if !child_only() {
        return;
    }
    let mut png = Vec::new();
    image::GrayImage::new(8, 8)
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    // 65535 x 65535 declared (4.3 gigapixels).
    png[16..24].copy_from_slice(&[0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff]);
    let r = split(&png, "a.png", &SplitOptions::default());
    assert!(r.is_err());
    report(r.map(|p| p.len()));
}

#[test]
#[ignore = "run by expanding_inputs_stay_within_budget in a child process"]
fn child_tiff_huge() {
    if !child_only() {
        return;
    }
    let mut tiff = crate::split::tiff(&[(8, 8, false)], false);
    // Width and height entries (tags 256, 257, SHORT) rewritten to 65535 x 65535.
    let count = u16::from_le_bytes([tiff[8], tiff[9]]) as usize;
    let ifd = u32::from_le_bytes([tiff[4], tiff[5], tiff[6], tiff[7]]) as usize;
    for e in 0..count {
        let at = ifd + 2 + 12 * e;
        let tag = u16::from_le_bytes([tiff[at], tiff[at + 1]]);
        if tag == 256 || tag == 257 {
            tiff[at + 2..at + 4].copy_from_slice(&4u16.to_le_bytes()); // LONG
            tiff[at + 8..at + 12].copy_from_slice(&65_535u32.to_le_bytes());
        }
    }
    let r = split(&tiff, "a.tif", &SplitOptions::default());
    assert!(r.is_err());
    report(r.map(|p| p.len()));
}

#[test]
#[ignore = "run by expanding_inputs_stay_within_budget in a child process"]
fn child_pdf_bomb() {
    if !child_only() {
        return;
    }
    // Before streams were measured, this 6.5 MB PDF peaked at 2 GiB inside the PDF reader.
    // A pixel limit of 4 MP makes the stream limit 64 MiB, so the debug build's inflating
    // counter stops early; memory does not depend on the limit, only time does.
    let pdf = bombs::pdf_with_stream(&zlib(&bombs::deflate_zeros(RUNS)), true);
    let opts = SplitOptions {
        max_pixels: 4_000_000,
        ..SplitOptions::default()
    };
    let r = split(&pdf, "a.pdf", &opts);
    assert!(
        r.as_ref()
            .is_err_and(|e| e.to_string().contains("decompression bomb")),
        "{r:?}"
    );
    report(r.map(|p| p.len()));
}

/// A raw deflate stream in a zlib wrapper (header, stream, Adler-32 left wrong: nobody should
/// get that far without noticing the size).
fn zlib(raw: &[u8]) -> Vec<u8> {
    let mut z = vec![0x78, 0x01];
    z.extend_from_slice(raw);
    z.extend_from_slice(&[0, 0, 0, 0]);
    z
}
