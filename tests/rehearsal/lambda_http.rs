//! The Lambda service's "run the function" half, for the rehearsal: moto answers `Invoke` by
//! forwarding it here (the launcher's `IDPCTL_REHEARSAL_LAMBDA_URL` contract: POST
//! `/invoke/<function name>`, `X-Invocation-Type`, the payload as body; `X-Function-Error` in the
//! answer when the function raised). Each connection gets its own thread, because a function
//! may itself invoke another (hook_dispatch → the hook) through moto while it runs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

/// What a function invoked by name answers: the body, and whether it raised.
pub type Answer = (String, bool);

pub type Dispatch = Arc<dyn Fn(&str, &str, Vec<u8>) -> Answer + Send + Sync>;

/// Serves until the process ends; returns the base URL.
pub fn serve(dispatch: Dispatch) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the Lambda stand-in");
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dispatch = dispatch.clone();
            std::thread::spawn(move || {
                let _ = handle(stream, &dispatch);
            });
        }
    });
    url
}

fn handle(stream: TcpStream, dispatch: &Dispatch) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let mut length = 0usize;
    let mut invocation_type = "RequestResponse".to_string();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = v.trim().parse().unwrap_or(0),
                "x-invocation-type" => invocation_type = v.trim().to_string(),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let name = path.strip_prefix("/invoke/").unwrap_or(&path);
    let name = name.split('?').next().unwrap_or(name).to_string();
    let (answer, raised) = dispatch(&name, &invocation_type, body);
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n{answer}",
        answer.len(),
        if raised {
            "X-Function-Error: Unhandled\r\n"
        } else {
            ""
        }
    )?;
    stream.flush()
}
