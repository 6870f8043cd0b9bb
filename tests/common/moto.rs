//! A moto server for one test: started on a free loopback port, waited for, killed on drop.
//!
//! When `moto_server` is not on PATH the test is skipped with a notice, unless
//! `IDPCTL_REQUIRE_LINTERS` is set (CI sets it), where that is a failure saying how to install
//! it. moto is started through `tests/fixtures/aws/moto_server.py`, which fills two moto gaps the
//! stack needs (see that file), with the Python interpreter `moto_server` itself uses.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub endpoint: String,
    port: u16,
    /// The Python that runs the server (with boto3 beside it), for scripts that talk to it.
    pub python: PathBuf,
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The Python that runs `moto_server`: the one its `#!` line names, else the `python3` beside it
/// (a virtualenv's bin/, or pyenv's shims/).
fn interpreter(script: &Path) -> Option<PathBuf> {
    let text = std::fs::read(script).ok()?;
    let first = text.split(|&b| b == b'\n').next()?;
    let named = std::str::from_utf8(first)
        .ok()
        .and_then(|l| l.strip_prefix("#!"))
        .and_then(|l| l.split_whitespace().next())
        .map(PathBuf::from)
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("python"))
        });
    named
        .or_else(|| Some(script.parent()?.join("python3")))
        .filter(|p| p.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn request(port: u16, method: &str, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
    )
    .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    Some(answer)
}

impl Moto {
    /// Starts a server, or returns `None` (after a notice) when moto is not installed and not
    /// required.
    pub fn start() -> Option<Moto> {
        Self::start_with(&[])
    }

    /// [`Moto::start`] with extra environment for the server (IAM enforcement, the rehearsal's
    /// Lambda forwarding).
    pub fn start_with(env: &[(&str, &str)]) -> Option<Moto> {
        let Some(server) = on_path("moto_server") else {
            let msg = "moto_server is not on PATH: install it with `pip install 'moto[server]'` \
                       (bash .ci/run installs it into ~/.cache/idpctl-ci/venv)";
            if std::env::var_os("IDPCTL_REQUIRE_LINTERS").is_some() {
                panic!("{msg}");
            }
            eprintln!("skipping: {msg}");
            return None;
        };
        let launcher = super::root().join("tests/fixtures/aws/moto_server.py");
        let port = free_port();
        let python = interpreter(&server);
        let mut cmd = match &python {
            Some(python) => {
                let mut c = Command::new(python);
                c.arg(launcher);
                c
            }
            None => Command::new(&server),
        };
        // moto logs every request; a file, unlike a pipe nobody reads, never fills up.
        let log = std::env::temp_dir().join(format!("idpctl-moto-{port}.log"));
        let child = cmd
            .envs(env.iter().copied())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("create the moto log"))
            .spawn()
            .expect("start moto_server");
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            python: python.unwrap_or_else(|| "python3".into()),
        };
        let started = Instant::now();
        let mut moto = moto;
        while request(port, "GET", "/moto-api/").is_none_or(|a| !a.starts_with("HTTP/1.")) {
            let exited = moto.child.try_wait().ok().flatten().is_some();
            if exited || started.elapsed() > Duration::from_secs(30) {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(15).collect();
                panic!(
                    "moto_server did not answer on port {port} ({}); its log ends:\n{}",
                    if exited { "it exited" } else { "30 s" },
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(moto)
    }

    /// Forgets every resource (moto's reset API).
    pub fn reset(&self) {
        request(self.port, "POST", "/moto-api/reset").expect("reset moto");
    }

    /// The environment the binary needs to talk to this server and nothing else: test
    /// credentials, no profile files, no instance metadata lookups.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        aws_env(&self.endpoint)
    }
}

pub fn aws_env(endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", endpoint.to_string()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_DEFAULT_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_CONFIG_FILE", "/nonexistent/idpctl-test/config".into()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/idpctl-test/credentials".into(),
        ),
    ]
}

/// An SDK configuration for the server at `endpoint`, with test credentials.
pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .load()
        .await
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
