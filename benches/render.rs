//! Benchmark of `render` for the full stack, per shipped profile: settings resolution plus
//! rendering all parts, the state machine and the parameters (what `idpctl render` does minus
//! process start and file writes). Run with `cargo bench --bench render`.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use idpctl::settings::{self, Layer};
use idpctl::stack::{self, Assets};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let iterations: u32 = std::env::var("BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    println!("render benchmark: {iterations} iterations per profile (after 10 warm-up)");
    for profile in ["local", "dev", "prod"] {
        let run = || {
            let loaded = settings::load_profile(profile, root).expect("profile loads");
            let s = settings::resolve(&loaded, Layer::default(), Layer::default());
            stack::render(&Assets::builtin(), stack::DEFAULT_STACK, &s).expect("stack renders")
        };
        for _ in 0..10 {
            black_box(run());
        }
        let mut times: Vec<Duration> = (0..iterations)
            .map(|_| {
                let start = Instant::now();
                black_box(run());
                start.elapsed()
            })
            .collect();
        times.sort();
        let mean = times.iter().sum::<Duration>() / iterations;
        let bytes = run().template_yaml.len();
        println!(
            "{profile:>6}: median {:>7.2} ms, p95 {:>7.2} ms, min {:>7.2} ms, mean {:>7.2} ms ({bytes} bytes of template)",
            ms(times[times.len() / 2]),
            ms(times[times.len() * 95 / 100]),
            ms(times[0]),
            ms(mean),
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
