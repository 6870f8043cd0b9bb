//! Whole-run benchmarks of `idpctl process` on the embedded default, through the real binary:
//! documents/minute and pages/second on the shared samples, and peak RSS of a ZIP batch of
//! 1,000 documents (made from the 20 W-2 samples) against a 10-document one. Peak RSS is the
//! child's own `ru_maxrss` (wait4), so each run is measured alone.
//!
//! `cargo bench --bench batch` runs the full set against the release binary. Without `--bench`
//! (as `cargo test --all-targets` runs it) it only checks that a 10-document batch completes.
//! `BATCH_SIZES=10,300,1000` changes the ZIP sizes.
//!
//! Batches of any size: a ZIP of 10,000 small text documents (`DISTRIBUTED_SIZE` changes it)
//! goes through the Distributed Map (above `batch.distributed_threshold`, 500 by default), with
//! a 500-document one (the inline Map) beside it for the peak RSS. The quick run checks that a
//! 30-document batch completes through the Distributed Map (threshold lowered to 10).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn samples() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/samples"))
}

fn files_in(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(samples().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf" || e == "png"))
        .collect();
    v.sort();
    v
}

/// A ZIP of `n` documents cycling through the W-2 samples, stored (not deflated) like most
/// scanner exports.
fn w2_zip(n: usize, to: &Path) {
    let w2s: Vec<Vec<u8>> = files_in("w2")
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..n {
        zip.start_file(format!("doc_{i:04}.pdf"), opts).unwrap();
        zip.write_all(&w2s[i % w2s.len()]).unwrap();
    }
    zip.finish().unwrap();
}

struct Measured {
    elapsed: Duration,
    peak_rss_kb: i64,
    documents: u64,
    completed: u64,
    pages: u64,
}

/// A ZIP of `n` small text documents (deflated, as a mail export would be).
fn text_zip(n: usize, to: &Path) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    for i in 0..n {
        zip.start_file(format!("notes/note-{i:05}.txt"), opts)
            .unwrap();
        writeln!(
            zip,
            "Note {i}\nThe quarterly review moved to Monday 10:00; bring the figures for region {}.",
            i % 17
        )
        .unwrap();
    }
    zip.finish().unwrap();
}

/// Runs `idpctl process` on a fresh state directory and reads its JSON summary.
fn process(bin: &Path, inputs: &[PathBuf]) -> Measured {
    process_env(bin, inputs, &[])
}

fn process_env(bin: &Path, inputs: &[PathBuf], env: &[(&str, &str)]) -> Measured {
    let state = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(bin);
    cmd.envs(env.iter().copied());
    cmd.env("IDPCTL_STATE_DIR", state.path())
        .args(["--output", "json", "process"])
        .args(inputs)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("idpctl starts");
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap());
    let (code, peak_rss_kb) = wait_with_rusage(&mut child);
    let elapsed = started.elapsed();
    let out = reader.join().unwrap();
    assert!(code == 0 || code == 1, "process exited {code}: {out}");
    let summary: serde_json::Value = serde_json::from_str(&out).expect("JSON summary");
    let docs = summary["documents"].as_array().unwrap();
    Measured {
        elapsed,
        peak_rss_kb,
        documents: docs.len() as u64,
        completed: summary["completed"].as_u64().unwrap(),
        pages: docs.iter().filter_map(|d| d["pages"].as_u64()).sum(),
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn wait_with_rusage(child: &mut std::process::Child) -> (i32, i64) {
    let mut status = 0;
    // SAFETY: rusage is plain data filled by the kernel; the pid is our own unwaited child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4 failed");
    (libc::WEXITSTATUS(status), usage.ru_maxrss)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn wait_with_rusage(child: &mut std::process::Child) -> (i32, i64) {
    (child.wait().unwrap().code().unwrap_or(-1), -1)
}

fn report(label: &str, m: &Measured) {
    let secs = m.elapsed.as_secs_f64();
    println!(
        "{label:<34} {:>5} docs ({:>5} completed) {:>5} pages  {:>7.2} s  {:>7.0} docs/min  {:>6.1} pages/s  peak RSS {:>4} MB",
        m.documents,
        m.completed,
        m.pages,
        secs,
        m.documents as f64 / secs * 60.0,
        m.pages as f64 / secs,
        m.peak_rss_kb / 1024
    );
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_idpctl"));
    let dir = tempfile::tempdir().unwrap();
    if !full {
        let zip = dir.path().join("w2_10.zip");
        w2_zip(10, &zip);
        let m = process(&bin, &[zip]);
        assert_eq!(m.completed, 10, "a 10-document batch completes");
        let zip = dir.path().join("text_30.zip");
        text_zip(30, &zip);
        let m = process_env(&bin, &[zip], &[("IDPCTL_DISTRIBUTED_THRESHOLD", "10")]);
        assert_eq!(
            (m.documents, m.completed),
            (30, 30),
            "a 30-document batch completes through the Distributed Map"
        );
        println!(
            "batch smoke run: 10 documents completed (run `cargo bench --bench batch` for figures)"
        );
        return;
    }
    println!("idpctl process on the embedded default ({})", bin.display());
    let text: Vec<PathBuf> = files_in("w2").into_iter().chain(files_in("text")).collect();
    report("text PDFs (W-2s + text samples)", &process(&bin, &text));
    report(
        "scanned samples (OCR)",
        &process(&bin, &files_in("scanned")),
    );
    let sizes: Vec<usize> = std::env::var("BATCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10, 1000]);
    for n in sizes {
        let zip = dir.path().join(format!("w2_{n}.zip"));
        w2_zip(n, &zip);
        report(&format!("W-2 ZIP batch of {n}"), &process(&bin, &[zip]));
    }
    let big: usize = std::env::var("DISTRIBUTED_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    for n in [500, big] {
        let zip = dir.path().join(format!("text_{n}.zip"));
        text_zip(n, &zip);
        let m = process(&bin, &[zip]);
        assert_eq!(
            m.completed, n as u64,
            "every document of the batch completes"
        );
        let how = if n > 500 {
            "Distributed Map"
        } else {
            "inline Map"
        };
        report(&format!("text ZIP batch of {n} ({how})"), &m);
    }
}
