//! The container image against the zip: size per layer (compressed and unpacked) and cold init
//! — exec → first Runtime API poll — of the image's entrypoint run in a `chroot` of the image
//! unpacked with `umoci`, against the zip's `bootstrap` unzipped into a task folder, both with
//! the same Lambda environment (the `ocr` function's variables, a mock Runtime API on
//! 127.0.0.1 that timestamps the first `GET …/invocation/next`). The binary is the bench build of
//! idpctl (release profile). Needs root, umoci and tesseract; says so and stops without them.
//! Run with `cargo bench --bench image` (`BENCH_ITERATIONS`, default 30).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use idpctl::package::archive;
use idpctl::package::image::{self, ImageRequest};
use idpctl::settings::Architecture;

fn host_arch() -> Architecture {
    match std::env::consts::ARCH {
        "aarch64" => Architecture::Arm64,
        _ => Architecture::X86_64,
    }
}

/// The environment Lambda and our template give the `ocr` function (credentials are stand-ins:
/// nothing before the first poll may need real ones).
fn lambda_env(api: &str) -> Vec<(String, String)> {
    [
        ("AWS_LAMBDA_RUNTIME_API", api),
        ("AWS_LAMBDA_FUNCTION_NAME", "idp-dev-ocr"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_SESSION_TOKEN", "token"),
        ("_HANDLER", "ocr"),
        ("IDP_STACK_NAME", "idp-dev"),
        ("IDP_HANDLER", "ocr"),
        ("INPUT_BUCKET", "idp-dev-input"),
        ("WORKING_BUCKET", "idp-dev-working"),
        ("OUTPUT_BUCKET", "idp-dev-output"),
        ("TRACKING_TABLE", "idp-dev-tracking"),
        ("CONFIGURATION_TABLE", "idp-dev-configuration"),
        ("OCR_ENGINE", "tesseract"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Starts `cmd` and returns the time from spawn to its first Runtime API request.
fn cold_init(mut cmd: Command) -> Duration {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    for (k, v) in lambda_env(&addr) {
        cmd.env(k, v);
    }
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("start the function");
    let (stream, _) = listener.accept().unwrap();
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).unwrap();
    let elapsed = started.elapsed();
    assert!(line.contains("/invocation/next"), "{line}");
    let _ = child.kill();
    let _ = child.wait();
    elapsed
}

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p95 = v[((v.len() * 95).div_ceil(100)).saturating_sub(1)];
    (ms(v[v.len() / 2]), ms(p95))
}

fn tool(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn main() {
    // `cargo test --all-targets` runs benches without `--bench` on the debug binary (about 800 MB,
    // over the zip's limit); tests/package_image.rs covers the image there, so only say so.
    if !std::env::args().any(|a| a == "--bench") {
        println!("image benchmark: run `cargo bench --bench image` for figures");
        return;
    }
    let iterations: usize = std::env::var("BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root_user || !tool("umoci") || !tool("tesseract") {
        println!("image benchmark: needs root, umoci and tesseract; not run");
        return;
    }
    let binary = Path::new(env!("CARGO_BIN_EXE_idpctl"));
    let dir = tempfile::tempdir().unwrap();

    let layout = dir.path().join("layout");
    let started = Instant::now();
    let built = image::build(&ImageRequest {
        binary,
        architecture: host_arch(),
        ocr_engine: "tesseract",
        ocr_languages: &Default::default(),
        out: &layout,
    })
    .expect("build the image");
    println!(
        "image build ({} {}): {:.1} s, manifest {}",
        built.architecture.as_str(),
        built
            .glibc
            .as_deref()
            .map_or("static".into(), |g| format!("glibc {g}")),
        started.elapsed().as_secs_f64(),
        built.manifest_digest
    );
    for l in &built.layers {
        println!(
            "  layer {:<9} {:>7.1} MB compressed, {:>7.1} MB unpacked",
            l.what,
            l.size as f64 / 1e6,
            l.uncompressed as f64 / 1e6
        );
    }
    let zip = archive::zip_bootstrap(&std::fs::read(binary).unwrap()).unwrap();
    println!(
        "  total     {:>7.1} MB to push; the zip is {:.1} MB",
        built.size as f64 / 1e6,
        zip.len() as f64 / 1e6
    );

    let rootfs = dir.path().join("rootfs");
    let unpacked = Command::new("umoci")
        .args(["raw", "unpack", "--image"])
        .arg(format!("{}:{}", layout.display(), built.tag))
        .arg(&rootfs)
        .status()
        .unwrap();
    assert!(unpacked.success(), "umoci raw unpack failed");

    // The zip as Lambda uses it: unzipped into a task folder, `bootstrap` run with no arguments.
    let task = dir.path().join("task");
    std::fs::create_dir_all(&task).unwrap();
    let bootstrap = task.join(archive::ENTRY);
    std::fs::write(&bootstrap, archive::read_bootstrap(&zip).unwrap()).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&bootstrap, std::fs::Permissions::from_mode(0o755)).unwrap();

    let zip_run = || {
        let mut c = Command::new(&bootstrap);
        c.current_dir(&task).env_clear();
        c
    };
    let chroot = String::from_utf8_lossy(
        &Command::new("sh")
            .args(["-c", "command -v chroot"])
            .output()
            .unwrap()
            .stdout,
    )
    .trim()
    .to_string();
    let image_run = || {
        // By its full path: the child's PATH is the image's, which has no sbin.
        let mut c = Command::new(&chroot);
        c.arg(&rootfs).env_clear();
        for e in &built.env {
            if let Some((k, v)) = e.split_once('=') {
                c.env(k, v);
            }
        }
        c.args(&built.entrypoint).arg("ocr");
        c
    };
    // Warm the page cache for both, as a warm Lambda host would have the image's blocks.
    for _ in 0..3 {
        cold_init(zip_run());
        cold_init(image_run());
    }
    let mut zip_times = vec![];
    let mut image_times = vec![];
    for _ in 0..iterations {
        zip_times.push(cold_init(zip_run()));
        image_times.push(cold_init(image_run()));
    }
    let (zm, zp) = stats(zip_times);
    let (im, ip) = stats(image_times);
    println!(
        "cold init (exec → first Runtime API poll), ocr handler, {iterations} runs each:\n  \
         zip bootstrap      median {zm:.1} ms, p95 {zp:.1} ms\n  \
         image (chroot)     median {im:.1} ms, p95 {ip:.1} ms"
    );
}
