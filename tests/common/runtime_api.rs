//! A mock of the Lambda Runtime API (`/2018-06-01/runtime/invocation/...`) on 127.0.0.1: it hands
//! out queued events, records responses and error reports, and closes once the queue is empty so
//! the runtime loop ends.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

#[derive(Debug, Clone)]
pub struct Reply {
    pub request_id: String,
    /// `response` or `error`.
    pub kind: String,
    pub body: serde_json::Value,
    pub error_type_header: Option<String>,
}

pub struct RuntimeApi {
    pub addr: String,
    pub replies: Arc<Mutex<Vec<Reply>>>,
    handle: Option<JoinHandle<()>>,
}

impl RuntimeApi {
    pub fn start(events: Vec<serde_json::Value>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().unwrap().to_string();
        let queue = Arc::new(Mutex::new(
            events.into_iter().enumerate().collect::<VecDeque<_>>(),
        ));
        let replies = Arc::new(Mutex::new(Vec::new()));
        let r = replies.clone();
        let handle = std::thread::spawn(move || {
            // One connection at a time is enough: the runtime client polls sequentially.
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                if !serve(stream, &queue, &r) {
                    break;
                }
            }
        });
        RuntimeApi {
            addr,
            replies,
            handle: Some(handle),
        }
    }

    pub fn join(mut self) -> Vec<Reply> {
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        self.replies.lock().unwrap().clone()
    }
}

type Queue = Arc<Mutex<VecDeque<(usize, serde_json::Value)>>>;

/// Serves requests on one keep-alive connection; false once the queue ran dry.
fn serve(stream: TcpStream, queue: &Queue, replies: &Arc<Mutex<Vec<Reply>>>) -> bool {
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .ok();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return true;
        }
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap_or(0);
            let line = line.trim_end().to_string();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let body = read_body(
            &mut reader,
            header("content-length"),
            header("transfer-encoding"),
        );
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("")
            .to_string();
        if path.ends_with("/invocation/next") {
            let next = queue.lock().unwrap().pop_front();
            let Some((i, event)) = next else {
                return false;
            };
            let payload = event.to_string();
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: req-{i}\r\nLambda-Runtime-Deadline-Ms: 9999999999999\r\nLambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:test\r\nLambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1\r\nContent-Length: {}\r\n\r\n{payload}",
                payload.len()
            );
            writer.write_all(response.as_bytes()).unwrap();
        } else {
            // .../invocation/<id>/response or .../invocation/<id>/error
            let mut parts = path.rsplit('/');
            let kind = parts.next().unwrap_or("").to_string();
            let request_id = parts.next().unwrap_or("").to_string();
            replies.lock().unwrap().push(Reply {
                request_id,
                kind,
                body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
                error_type_header: header("lambda-runtime-function-error-type"),
            });
            writer
                .write_all(b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"status\":\"OK\"}\n")
                .unwrap();
        }
    }
}

fn read_body(
    reader: &mut BufReader<TcpStream>,
    length: Option<String>,
    encoding: Option<String>,
) -> Vec<u8> {
    if let Some(n) = length.and_then(|l| l.parse::<usize>().ok()) {
        let mut body = vec![0; n];
        reader.read_exact(&mut body).unwrap();
        return body;
    }
    let mut body = Vec::new();
    if encoding.is_some_and(|e| e.contains("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).unwrap();
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk).unwrap();
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    }
    body
}
