//! The post-processing hook on this machine, so users test their hook before deploying it: a
//! command (the event JSON on its stdin) or an `http://` URL (the event POSTed as JSON). A
//! delivery that fails lands in the local dead-letter folder with its reason, as a failed async
//! invoke lands in the stack's dead-letter queue.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{HookTarget, StoreError, clock};

pub enum LocalHook {
    Command(String),
    Url(String),
}

/// Wraps a hook so every failed delivery is written to `dlq_dir` before the error goes on.
pub struct WithDeadLetters {
    pub hook: LocalHook,
    pub dlq_dir: PathBuf,
}

impl LocalHook {
    fn deliver_blocking(&self, event: &Value) -> Result<Value, String> {
        match self {
            LocalHook::Command(cmd) => {
                let mut child = std::process::Command::new("sh")
                    .arg("-c")
                    .arg(cmd)
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .map_err(|e| format!("cannot start `{cmd}`: {e}"))?;
                if let Some(mut stdin) = child.stdin.take() {
                    // A hook that ignores its input closes the pipe early; that is its business.
                    let _ = stdin.write_all(event.to_string().as_bytes());
                }
                let out = child
                    .wait_with_output()
                    .map_err(|e| format!("`{cmd}`: {e}"))?;
                if out.status.success() {
                    Ok(answer_of(&String::from_utf8_lossy(&out.stdout)))
                } else {
                    let err = String::from_utf8_lossy(&out.stderr);
                    Err(format!(
                        "`{cmd}` exited with {}: {}",
                        out.status,
                        err.trim()
                    ))
                }
            }
            LocalHook::Url(url) => post(url, &event.to_string()),
        }
    }
}

/// What a hook printed or answered: JSON when it is JSON, else the text (`null` when empty).
fn answer_of(text: &str) -> Value {
    let text = text.trim();
    if text.is_empty() {
        return Value::Null;
    }
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

/// A plain HTTP/1.1 POST: local hooks listen on localhost, and TLS there would only add a
/// certificate to manage.
fn post(url: &str, body: &str) -> Result<Value, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url}: only http:// URLs are supported for a local hook"))?;
    let (host, path) = rest
        .split_once('/')
        .map(|(h, p)| (h, format!("/{p}")))
        .unwrap_or((rest, "/".into()));
    let addr = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:80")
    };
    let mut stream = TcpStream::connect(&addr).map_err(|e| format!("{url}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| format!("{url}: {e}"))?;
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .unwrap_or(0);
    if (200..300).contains(&status) {
        Ok(answer_of(
            answer.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or(""),
        ))
    } else {
        Err(format!(
            "{url} answered {}",
            answer.lines().next().unwrap_or("nothing")
        ))
    }
}

#[async_trait]
impl HookTarget for WithDeadLetters {
    fn describe(&self) -> String {
        match &self.hook {
            LocalHook::Command(c) => format!("command: {c}"),
            LocalHook::Url(u) => u.clone(),
        }
    }

    async fn deliver(&self, event: &Value) -> Result<Value, StoreError> {
        let hook_event = event.clone();
        let hook = match &self.hook {
            LocalHook::Command(c) => LocalHook::Command(c.clone()),
            LocalHook::Url(u) => LocalHook::Url(u.clone()),
        };
        let result = tokio::task::spawn_blocking(move || hook.deliver_blocking(&hook_event))
            .await
            .map_err(|e| StoreError::Permanent(e.to_string()))?;
        let reason = match result {
            Ok(answer) => return Ok(answer),
            Err(reason) => reason,
        };
        if event.get("source").and_then(Value::as_str) == Some(super::hook::TEST_SOURCE) {
            return Err(StoreError::Permanent(format!(
                "hook delivery failed: {reason}"
            )));
        }
        std::fs::create_dir_all(&self.dlq_dir)
            .map_err(|e| StoreError::io("cannot create the dead-letter folder", e))?;
        let file = self.dlq_dir.join(format!(
            "{}-{}.json",
            clock::now_millis(),
            std::process::id()
        ));
        let record = json!({"failed_at": clock::now_rfc3339(), "reason": reason, "hook": self.describe(), "event": event});
        std::fs::write(
            &file,
            serde_json::to_vec_pretty(&record).unwrap_or_default(),
        )
        .map_err(|e| StoreError::io("cannot write the dead letter", e))?;
        Err(StoreError::Permanent(format!(
            "hook delivery failed: {reason} (kept in {})",
            file.display()
        )))
    }
}
