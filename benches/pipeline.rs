//! Pipeline benchmarks against the reference command-line tools, on the shared samples.
//!
//! - Text layer: pages per second of `split` (lopdf load + our text reader + word boxes) vs
//!   `pdftotext` (poppler) on the same PDFs (20 W-2s + the three text samples, 43 pages).
//! - OCR: seconds per page of our Tesseract engine (stdin → TSV → words) vs the raw
//!   `tesseract` CLI on the same image files, and of our hayro render vs `pdftoppm`.
//!
//! - Whole local pipeline: `idpctl process` (release binary, a fresh state folder each run) on
//!   the three shared text PDFs and ten W-2s (13 files, 33 pages) against `pdftotext -layout`
//!   on the same files, wall and CPU time, median of `BENCH_ITERS` runs interleaved.
//!
//! - PDF load: lopdf's whole load against `split::pdf_load` (the objects of the pages only) on
//!   the same text PDFs, load and drop.
//!
//! `cargo bench --bench pipeline` (set `BENCH_ITERS`, default 3). Missing tools are reported
//! as skipped rather than failing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use idpctl::pipeline::ocr::tesseract::Tesseract;
use idpctl::pipeline::ocr::{OcrEngine, ocr_page};
use idpctl::pipeline::split::{SplitOptions, pdf_load, split};

fn samples() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/samples"))
}

fn iters() -> u32 {
    std::env::var("BENCH_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
        .max(1)
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("-v").output().is_ok()
}

/// Best of `n` runs (the least disturbed by the rest of the machine).
fn best_of(n: u32, mut f: impl FnMut()) -> Duration {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap()
}

fn text_pdfs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(samples().join("w2"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    for f in [
        "bank-statement-multipage.pdf",
        "Nuveen.pdf",
        "insurance_package_single.pdf",
    ] {
        v.push(samples().join("text").join(f));
    }
    v
}

fn bench_text_layer(n: u32) {
    let files = text_pdfs();
    let bytes: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read(p).unwrap()))
        .collect();
    let opts = SplitOptions {
        render_for_ocr: false,
        ..SplitOptions::default()
    };
    let pages: usize = bytes
        .iter()
        .map(|(n, b)| split(b, n, &opts).unwrap().len())
        .sum();
    let ours = best_of(n, || {
        for (name, b) in &bytes {
            split(b, name, &opts).unwrap();
        }
    });
    println!(
        "\n== Text layer: {} PDFs, {pages} pages (best of {n})",
        files.len()
    );
    row("idpctl split (words + boxes)", ours, pages);
    if have("pdftotext") {
        let theirs = best_of(n, || {
            for f in &files {
                let out = Command::new("pdftotext").arg(f).arg("-").output().unwrap();
                assert!(out.status.success());
            }
        });
        row("pdftotext (plain text)", theirs, pages);
        let layout = best_of(n, || {
            for f in &files {
                Command::new("pdftotext")
                    .arg("-layout")
                    .arg(f)
                    .arg("-")
                    .output()
                    .unwrap();
            }
        });
        row("pdftotext -layout", layout, pages);
        println!(
            "   ratio idpctl/pdftotext: {:.2}x the speed",
            theirs.as_secs_f64() / ours.as_secs_f64()
        );
    } else {
        println!("   pdftotext: skipped (apt-get install poppler-utils)");
    }
}

fn bench_pdf_load(n: u32) {
    let bytes: Vec<Vec<u8>> = text_pdfs()
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    let pages: usize = bytes
        .iter()
        .map(|b| pdf_load::load(b).unwrap().get_pages().len())
        .sum();
    let whole = best_of(n, || {
        for b in &bytes {
            drop(pdf_extract::Document::load_mem(b).unwrap());
        }
    });
    let partial = best_of(n, || {
        for b in &bytes {
            drop(pdf_load::load(b).unwrap());
        }
    });
    println!(
        "\n== PDF load and drop: {} PDFs, {pages} pages (best of {n})",
        bytes.len()
    );
    row("lopdf Document::load_mem (whole)", whole, pages);
    row("split::pdf_load (objects of pages)", partial, pages);
}

fn row(name: &str, d: Duration, pages: usize) {
    println!(
        "   {name:<36} {:>8.1} ms  {:>8.1} pages/s  {:>7.1} ms/page",
        d.as_secs_f64() * 1e3,
        pages as f64 / d.as_secs_f64(),
        d.as_secs_f64() * 1e3 / pages as f64
    );
}

fn bench_ocr(n: u32) {
    let engine = Tesseract::default();
    let Ok(version) = engine.version() else {
        println!("\n== OCR: skipped (apt-get install tesseract-ocr)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut pages = Vec::new();
    // Our renders of the scanned PDFs (the pages the pipeline OCRs) plus the PNG photo.
    let mut render_ms = Vec::new();
    for (file, take) in [
        ("1099B.pdf", 1),
        ("lending_package.pdf", 2),
        ("rvl_cdip_package.pdf", 2),
    ] {
        let bytes = std::fs::read(samples().join("scanned").join(file)).unwrap();
        let t = Instant::now();
        let split_pages = split(&bytes, file, &SplitOptions::default()).unwrap();
        let per = t.elapsed().as_secs_f64() * 1e3 / split_pages.len() as f64;
        render_ms.push((file, per, split_pages.len()));
        pages.extend(
            split_pages
                .into_iter()
                .take(take)
                .map(|p| (file.to_string(), p)),
        );
    }
    let png = std::fs::read(samples().join("scanned/old_cal_license.png")).unwrap();
    pages.push((
        "old_cal_license.png".into(),
        split(&png, "x.png", &SplitOptions::default())
            .unwrap()
            .remove(0),
    ));

    println!("\n== Render for OCR (hayro, in split) vs pdftoppm -r 300 -gray");
    for (file, ms, count) in &render_ms {
        let path = samples().join("scanned").join(file);
        let theirs = if have("pdftoppm") {
            let t = Instant::now();
            Command::new("pdftoppm")
                .args(["-r", "300", "-gray", "-png"])
                .arg(&path)
                .arg(tmp.path().join("ppm"))
                .output()
                .unwrap();
            format!(
                "{:>7.0} ms/page",
                t.elapsed().as_secs_f64() * 1e3 / *count as f64
            )
        } else {
            "skipped".into()
        };
        println!("   {file:<24} idpctl {ms:>7.0} ms/page   pdftoppm {theirs}");
    }

    println!("\n== OCR per page, {version}, OMP_THREAD_LIMIT=1 (best of {n})");
    println!(
        "   {:<28} {:>11} {:>11} {:>8}",
        "page", "idpctl", "tesseract", "words"
    );
    let (mut ours_total, mut cli_total) = (0.0, 0.0);
    for (i, (file, page)) in pages.iter().enumerate() {
        let image = page.image.as_ref().unwrap();
        let img_path = tmp.path().join(format!("p{i}.png"));
        std::fs::write(&img_path, &image.bytes).unwrap();
        let mut words = 0;
        let ours = best_of(n, || {
            let mut p = page.clone();
            ocr_page(&mut p, &engine).unwrap();
            words = p.words.len();
        });
        let cli = best_of(n, || cli_ocr(&img_path, image.dpi));
        ours_total += ours.as_secs_f64();
        cli_total += cli.as_secs_f64();
        println!(
            "   {:<28} {:>8.0} ms {:>8.0} ms {words:>8}",
            format!("{file} p{}", page.page_number),
            ours.as_secs_f64() * 1e3,
            cli.as_secs_f64() * 1e3
        );
    }
    let k = pages.len() as f64;
    println!(
        "   {:<28} {:>8.0} ms {:>8.0} ms   (mean per page; engine: {})",
        "MEAN",
        ours_total * 1e3 / k,
        cli_total * 1e3 / k,
        engine.name()
    );
}

fn cli_ocr(path: &Path, dpi: Option<u32>) {
    let mut cmd = Command::new("tesseract");
    cmd.arg(path).arg("stdout").args(["--psm", "3"]);
    if let Some(d) = dpi {
        cmd.args(["--dpi", &d.to_string()]);
    }
    let out = cmd
        .arg("tsv")
        .env("OMP_THREAD_LIMIT", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
}

fn main() {
    // `cargo test --benches` runs this with --bench absent: keep that quick.
    let n = if std::env::args().any(|a| a == "--bench") {
        iters()
    } else {
        1
    };
    bench_text_layer(n);
    bench_pdf_load(n);
    bench_whole_pipeline(if n > 1 { n.max(7) } else { 1 });
    bench_ocr(n);
}

/// The 33 pages of the throughput goal: the shared text PDFs (17 + 5 + 1 pages) and the first
/// ten W-2s (one page each).
fn pipeline_pdfs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = [
        "Nuveen.pdf",
        "bank-statement-multipage.pdf",
        "insurance_package_single.pdf",
    ]
    .iter()
    .map(|f| samples().join("text").join(f))
    .collect();
    v.extend((1000..1010).map(|i| samples().join(format!("w2/W2_XL_input_clean_{i}.pdf"))));
    v
}

/// Wall and CPU (user + system, the child's own) time of one command run to completion.
fn timed(cmd: &mut Command) -> (Duration, Duration) {
    let start = Instant::now();
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (code, cpu) = wait_cpu(&mut child);
    let wall = start.elapsed();
    assert_eq!(code, 0, "{cmd:?} failed");
    (wall, cpu)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn wait_cpu(child: &mut std::process::Child) -> (i32, Duration) {
    let mut status = 0;
    // SAFETY: rusage is plain data filled by the kernel; the pid is our own unwaited child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4 failed");
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (
        libc::WEXITSTATUS(status),
        tv(usage.ru_utime) + tv(usage.ru_stime),
    )
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn wait_cpu(child: &mut std::process::Child) -> (i32, Duration) {
    (child.wait().unwrap().code().unwrap_or(-1), Duration::ZERO)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn bench_whole_pipeline(n: u32) {
    let files = pipeline_pdfs();
    let pages = 33;
    let bin = env!("CARGO_BIN_EXE_idpctl");
    let (mut ours, mut ours_cpu, mut theirs, mut theirs_cpu) = (vec![], vec![], vec![], vec![]);
    let pdftotext = have("pdftotext");
    for _ in 0..n {
        let tmp = tempfile::tempdir().unwrap();
        let (wall, cpu) = timed(
            Command::new(bin)
                .current_dir(tmp.path())
                .env("IDPCTL_STATE_DIR", tmp.path().join("state"))
                .args(["-q", "process", "--out"])
                .arg(tmp.path().join("out"))
                .args(&files),
        );
        let results = std::fs::read_dir(tmp.path().join("out")).unwrap().count();
        assert!(
            results >= files.len(),
            "{results} results for {} files",
            files.len()
        );
        ours.push(wall);
        ours_cpu.push(cpu);
        if pdftotext {
            let (mut wall, mut cpu) = (Duration::ZERO, Duration::ZERO);
            for f in &files {
                let (w, c) = timed(Command::new("pdftotext").arg("-layout").arg(f).arg("-"));
                wall += w;
                cpu += c;
            }
            theirs.push(wall);
            theirs_cpu.push(cpu);
        }
    }
    println!(
        "\n== Whole local pipeline: {} PDFs, {pages} pages, fresh state (median of {n})",
        files.len()
    );
    let (w, c) = (median(ours), median(ours_cpu));
    println!(
        "   {:<36} {:>8.1} ms wall {:>8.1} ms CPU  {:>7.1} ms/page",
        "idpctl process",
        w.as_secs_f64() * 1e3,
        c.as_secs_f64() * 1e3,
        w.as_secs_f64() * 1e3 / pages as f64
    );
    if pdftotext {
        let (tw, tc) = (median(theirs), median(theirs_cpu));
        println!(
            "   {:<36} {:>8.1} ms wall {:>8.1} ms CPU  {:>7.1} ms/page",
            "pdftotext -layout (one per file)",
            tw.as_secs_f64() * 1e3,
            tc.as_secs_f64() * 1e3,
            tw.as_secs_f64() * 1e3 / pages as f64
        );
        println!(
            "   ratio idpctl/pdftotext: {:.2}x the time (goal: at most 2x)",
            w.as_secs_f64() / tw.as_secs_f64()
        );
    } else {
        println!("   pdftotext: skipped (apt-get install poppler-utils)");
    }
}
