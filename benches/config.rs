//! Benchmark of configuration loading: what a function does on a cold start (the stored
//! document → typed [`IdpConfig`]) and what a command does with a user's files (read, check,
//! assemble over the built-in library), for the built-in library alone and for the largest
//! accelerator configs we have. Run with `cargo bench --bench config`.
//!
//! A process builds each class once (the lexicon's index too, on first use): "read+check+assemble"
//! after the warm-up and "again" show that; "cold start" marks the classes anew each run, so it
//! is what a function pays the first time it reads a configuration.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use idpctl::pipeline::config::IdpConfig;
use idpctl::pipeline::config::sources;
use idpctl::settings::ClassesMode;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/accelerator");
    let iterations: u32 = std::env::var("BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        // `cargo test --all-targets` runs benches without `--bench`, unoptimised: a smoke run.
        .unwrap_or(if std::env::args().any(|a| a == "--bench") {
            100
        } else {
            2
        });
    println!("config benchmark: {iterations} iterations each (after a warm-up)");
    let cases: Vec<(&str, Option<&str>)> = vec![
        ("built-in library", None),
        (
            "lending package (pattern-2, 87 KB)",
            Some("pattern-2/lending-package-sample-govcloud/config.yaml"),
        ),
        (
            "rule validation (pattern-2, 93 KB)",
            Some("pattern-2/rule-validation/config.yaml"),
        ),
        (
            "OCR benchmark (unified, 62 KB)",
            Some("unified/ocr-benchmark/config.yaml"),
        ),
    ];
    for (label, file) in cases {
        let text = file.map(|f| std::fs::read_to_string(root.join(f)).expect("fixture"));
        let assemble = || {
            let files: Vec<_> = text
                .iter()
                .map(|t| sources::parse("bench.yaml", t).expect("parses"))
                .collect();
            sources::assemble(ClassesMode::Add, &files)
        };
        let document = assemble().document;
        let classes = document["classes"].as_array().map_or(0, Vec::len);
        let stored = serde_json::to_string(&document).unwrap();
        // Classes are built once per process (keyed by their schema): a cold start is a
        // document whose classes this process has not built, so each run marks them anew.
        let mut run = 0u64;
        let mut cold_start = || {
            run += 1;
            let mut body: serde_json::Value = serde_json::from_str(&stored).unwrap();
            for c in body["classes"].as_array_mut().into_iter().flatten() {
                c["x-bench-run"] = run.into();
            }
            IdpConfig::from_document(body).expect("loads")
        };
        let again = || {
            let body: serde_json::Value = serde_json::from_str(&stored).unwrap();
            IdpConfig::from_document(body).expect("loads")
        };
        let a = time(iterations, || {
            black_box(assemble());
        });
        let c = time(iterations, || {
            black_box(cold_start());
        });
        let r = time(iterations, || {
            black_box(again());
        });
        println!(
            "{label}, {classes} classes: read+check+assemble median {:.2} ms (p95 {:.2}); function cold start (stored JSON {} KB → typed) median {:.2} ms (p95 {:.2}); the same classes again in one process median {:.2} ms",
            ms(a.0),
            ms(a.1),
            stored.len() / 1024,
            ms(c.0),
            ms(c.1),
            ms(r.0),
        );
    }
}

/// Median and p95 of `iterations` runs after a warm-up.
fn time(iterations: u32, mut run: impl FnMut()) -> (Duration, Duration) {
    for _ in 0..iterations.min(5) {
        run();
    }
    let mut times: Vec<Duration> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[times.len() / 2], times[times.len() * 95 / 100])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
