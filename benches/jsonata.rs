//! Benchmark of the JSONata evaluator's worst case: how long an expression that would run for
//! hours (endless recursion, huge ranges, values nested without end) takes to be refused under
//! the default limits. This is the time a state with a runaway `{% %}` field holds its
//! execution before failing with `States.QueryEvaluationError`. Also an ordinary field for
//! scale. Run with `cargo bench --bench jsonata`.

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use idpctl::asl::jsonata::{Expression, Limits};
use serde_json::json;

fn main() {
    let iterations: u32 = std::env::var("BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        // `cargo test --all-targets` runs benches without `--bench`, unoptimised: a smoke run.
        .unwrap_or(if std::env::args().any(|a| a == "--bench") {
            5
        } else {
            1
        });
    let input = json!({"orders": (0..50).map(|i| json!({"id": i, "price": i * 3, "qty": 2})).collect::<Vec<_>>()});
    let cases = [
        (
            "ordinary field (sum over 50 orders)",
            "$sum(orders.(price * qty))",
            false,
        ),
        (
            "endless recursion",
            "($f := function(){ $f() }; $f())",
            true,
        ),
        ("range of ranges", "[1..1000000].[1..1000000]", true),
        ("range over the item limit", "$count([1..100000000])", true),
        (
            "deep recursion, 100,000 calls",
            "($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))",
            true,
        ),
        (
            "value nested 100,000 deep",
            "$reduce([1..100000], function($a, $v){ [[$a]] }, [])",
            true,
        ),
    ];
    println!("jsonata benchmark: median of {iterations} runs each, default limits");
    for (label, text, refused) in cases {
        let expr = Expression::parse(text).expect("parses");
        let mut times: Vec<Duration> = (0..iterations)
            .map(|_| {
                let start = Instant::now();
                let out = expr.evaluate(
                    Some(&input),
                    &|_| None,
                    SystemTime::now(),
                    Limits::default(),
                );
                let took = start.elapsed();
                assert_eq!(out.is_err(), refused, "{label}: {out:?}");
                black_box(out).ok();
                took
            })
            .collect();
        times.sort();
        println!(
            "{label:<40} {:>10.3} ms",
            times[times.len() / 2].as_secs_f64() * 1e3
        );
    }
}
