//! A real OpenAI-compatible model server for one test: llama.cpp's `llama-server` with
//! SmolLM2-135M-Instruct, started on a free loopback port, waited for, killed on drop.
//!
//! The binary and the model come from `IDPCTL_LLAMA_SERVER` and `IDPCTL_LLAMA_MODEL` (set by
//! `.ci/run`), else from the cache `.ci/llama-server.sh` fills. When they are absent the test is
//! skipped with a notice, unless `IDPCTL_REQUIRE_MODEL` is set (CI sets it), where that is a
//! failure saying how to get them. The model is tiny: it proves the wire contract (JSON-schema
//! constrained output, usage counts), not extraction quality.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The model name the server answers to (`--alias`).
pub const MODEL: &str = "SmolLM2-135M-Instruct";

pub struct LlamaServer {
    /// `http://127.0.0.1:PORT/v1`, the OpenAI base URL.
    pub base_url: String,
    pub model: String,
    pub port: u16,
    /// The server's stdout and stderr.
    pub log: PathBuf,
    child: Child,
}

/// The paths `.ci/llama-server.sh` leaves the binary and model at.
fn cached(var: &str, rel: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        return p.into();
    }
    let cache = std::env::var_os("IDPCTL_CI_CACHE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/idpctl-ci")
        });
    cache.join("llama").join(rel)
}

fn required() -> bool {
    std::env::var("IDPCTL_REQUIRE_MODEL").is_ok_and(|v| !v.is_empty() && v != "0")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// One HTTP/1.1 exchange (`Connection: close`): the status and the body (de-chunked).
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    body: &str,
    timeout: Duration,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(timeout))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no header end"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let mut rest = &raw[split + 4..];
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status"))?;
    let chunked = head
        .lines()
        .any(|l| l.starts_with("transfer-encoding:") && l.contains("chunked"));
    if !chunked {
        return Ok((status, String::from_utf8_lossy(rest).into_owned()));
    }
    let mut body = Vec::new();
    loop {
        let eol = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| bad("truncated chunk"))?;
        let line = String::from_utf8_lossy(&rest[..eol]);
        let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| bad("bad chunk size"))?;
        rest = &rest[eol + 2..];
        if size == 0 {
            break;
        }
        if rest.len() < size {
            return Err(bad("truncated chunk"));
        }
        body.extend_from_slice(&rest[..size]);
        rest = rest[size..].strip_prefix(b"\r\n").unwrap_or(&rest[size..]);
    }
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

impl LlamaServer {
    /// Starts a server, or returns `None` (after a notice) when the binary or the model is
    /// missing and not required.
    pub fn start() -> Option<LlamaServer> {
        let server = cached("IDPCTL_LLAMA_SERVER", "bin/llama-server");
        let model = cached(
            "IDPCTL_LLAMA_MODEL",
            "models/SmolLM2-135M-Instruct.Q4_1.gguf",
        );
        let missing: Vec<String> = [&server, &model]
            .into_iter()
            .filter(|p| !p.is_file())
            .map(|p| p.display().to_string())
            .collect();
        if !missing.is_empty() {
            let msg = format!(
                "no local model server ({} missing): run `bash .ci/llama-server.sh` (about 16 min \
                 the first time, then cached; bash .ci/run does it), or point \
                 IDPCTL_LLAMA_SERVER and IDPCTL_LLAMA_MODEL at a llama-server and a GGUF model",
                missing.join(", ")
            );
            if required() {
                panic!("{msg}");
            }
            eprintln!("skipping: {msg}");
            return None;
        }
        let port = free_port();
        // The server logs a lot; a file, unlike a pipe nobody reads, never fills up.
        let log = std::env::temp_dir().join(format!("idpctl-llama-{port}.log"));
        let file = std::fs::File::create(&log).expect("create the llama-server log");
        let child = Command::new(&server)
            .arg("-m")
            .arg(&model)
            .args(["--alias", MODEL, "--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .args(["-c", "2048", "-np", "2", "--threads", "2"])
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("clone the log handle"))
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", server.display()));
        let mut llama = LlamaServer {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            model: MODEL.to_string(),
            port,
            log,
            child,
        };
        // /health answers 503 while the model loads, 200 once requests are served.
        let started = Instant::now();
        let limit = Duration::from_secs(60);
        loop {
            let health = http(port, "GET", "/health", "", Duration::from_secs(5));
            if matches!(health, Ok((200, _))) {
                break;
            }
            let exited = llama.child.try_wait().ok().flatten().is_some();
            if exited || started.elapsed() > limit {
                panic!(
                    "llama-server did not get healthy on port {port} ({}); its log ends:\n{}",
                    if exited { "it exited" } else { "60 s" },
                    llama.log_tail(20)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!(
            "llama-server ready on port {port} in {} ms",
            started.elapsed().as_millis()
        );
        Some(llama)
    }

    /// POSTs `body` to `path` under the base URL (`/chat/completions`), returning status and
    /// parsed answer.
    pub fn post(&self, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let (status, text) = http(
            self.port,
            "POST",
            &format!("/v1{path}"),
            &body.to_string(),
            Duration::from_secs(120),
        )
        .unwrap_or_else(|e| panic!("POST /v1{path}: {e}; server log:\n{}", self.log_tail(20)));
        let json = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("POST /v1{path} answered {status} non-JSON ({e}): {text}"));
        (status, json)
    }

    /// The last `n` lines of the server's log.
    pub fn log_tail(&self, n: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(n).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
