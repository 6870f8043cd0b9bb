//! Cold init of a function: exec of the release binary → its first
//! `GET /2018-06-01/runtime/invocation/next`, the way Lambda starts `bootstrap`.
//!
//! Each handler gets the environment the rendered `dev` template gives its function (every
//! `Environment.Variables` entry, `Ref`s as names), the variables Lambda adds itself (the
//! Runtime API address, function name, memory, version, region and the role's session
//! credentials) and nothing else. A mock Runtime API on 127.0.0.1 timestamps the first poll's
//! request line, then the process is killed. Median and p95 over `BENCH_ITERS` runs (default
//! 50) per handler, runs interleaved across handlers so a busy moment hits all of them.
//!
//! `cargo bench --bench cold_init`. Without `--bench` (as `cargo test --benches` runs it) each
//! handler starts 3 times, which still checks that every function reaches its first poll.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use idpctl::settings::{self, Layer};
use idpctl::stack::context::function_ids;
use idpctl::stack::{self, Assets};
use serde_json::Value;

const HANDLERS: &[&str] = &[
    "intake",
    "split",
    "ocr",
    "extract",
    "finalize",
    "hook_dispatch",
];

/// The function's variables from the rendered template; a `Ref` becomes a name like the one
/// CloudFormation would put there, any other intrinsic an ARN-shaped placeholder.
fn template_env(template: &Value, handler: &str) -> Vec<(String, String)> {
    let id = function_ids(handler).logical_id;
    let vars = &template["Resources"][&id]["Properties"]["Environment"]["Variables"];
    let Some(vars) = vars.as_object() else {
        panic!("{id} has no Environment.Variables in the rendered template");
    };
    vars.iter()
        .map(|(k, v)| {
            let value = match v {
                Value::String(s) => s.clone(),
                Value::Object(m) if m.contains_key("Ref") => {
                    format!("idp-dev-{}", m["Ref"].as_str().unwrap_or("ref")).to_lowercase()
                }
                Value::Object(_) => {
                    format!("arn:aws:lambda:us-east-1:123456789012:function:idp-dev-{k}")
                }
                other => other.to_string(),
            };
            (k.clone(), value)
        })
        .collect()
}

/// One cold start: milliseconds from spawn to the first poll's request line.
fn cold_start(binary: &str, handler: &str, vars: &[(String, String)]) -> f64 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let mut cmd = Command::new(binary);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("AWS_LAMBDA_RUNTIME_API", &addr)
        .env("AWS_LAMBDA_FUNCTION_NAME", format!("idp-dev-{handler}"))
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023")
        .env("_HANDLER", handler)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "ASIAEXAMPLEEXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .env("AWS_SESSION_TOKEN", "session-token")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("the release binary starts");
    listener.set_nonblocking(true).unwrap();
    let stream = loop {
        match listener.accept() {
            Ok((s, _)) => break s,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if let Some(status) = child.try_wait().unwrap() {
                    let mut err = String::new();
                    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).ok();
                    panic!("{handler} exited ({status}) before polling:\n{err}");
                }
                assert!(
                    start.elapsed() < Duration::from_secs(10),
                    "{handler} did not poll within 10 s"
                );
                std::thread::yield_now();
            }
            Err(e) => panic!("accept: {e}"),
        }
    };
    stream.set_nonblocking(false).unwrap();
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line).unwrap();
    let elapsed = start.elapsed().as_secs_f64() * 1e3;
    assert!(
        line.starts_with("GET /2018-06-01/runtime/invocation/next"),
        "{handler}: first request was {line:?}"
    );
    child.kill().ok();
    child.wait().ok();
    elapsed
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let runs: usize = if quick {
        3
    } else {
        std::env::var("BENCH_ITERS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(50)
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let loaded = settings::load_profile("dev", root).expect("profile loads");
    let s = settings::resolve(&loaded, Layer::default(), Layer::default());
    let rendered = stack::render(&Assets::builtin(), stack::DEFAULT_STACK, &s).expect("renders");
    let binary = env!("CARGO_BIN_EXE_idpctl");
    let envs: Vec<Vec<(String, String)>> = HANDLERS
        .iter()
        .map(|h| template_env(&rendered.template, h))
        .collect();
    let mut times = vec![Vec::with_capacity(runs); HANDLERS.len()];
    for (i, h) in HANDLERS.iter().enumerate() {
        cold_start(binary, h, &envs[i]); // warm the page cache
    }
    for _ in 0..runs {
        for (i, h) in HANDLERS.iter().enumerate() {
            times[i].push(cold_start(binary, h, &envs[i]));
        }
    }
    println!(
        "\n== Cold init: exec → first Runtime API poll ({runs} runs each, `dev` template env)"
    );
    println!(
        "   {:<14} {:>9} {:>9} {:>9}",
        "handler", "median", "p95", "min"
    );
    let mut all = Vec::new();
    for (i, h) in HANDLERS.iter().enumerate() {
        let t = &mut times[i];
        t.sort_by(f64::total_cmp);
        all.extend_from_slice(t);
        println!(
            "   {h:<14} {:>6.1} ms {:>6.1} ms {:>6.1} ms",
            percentile(t, 0.5),
            percentile(t, 0.95),
            t[0]
        );
    }
    all.sort_by(f64::total_cmp);
    println!(
        "   {:<14} {:>6.1} ms {:>6.1} ms {:>6.1} ms   (goal: median ≤ 10 ms)",
        "all",
        percentile(&all, 0.5),
        percentile(&all, 0.95),
        all[0]
    );
}
