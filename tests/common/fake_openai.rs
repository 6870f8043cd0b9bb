//! An OpenAI-compatible chat-completions server for tests that need a model answering any
//! request the way the pipeline asks: the `response_format` schema is filled from the prompt
//! (an enum with the option the prompt names most, a member with the text after
//! `<member name>:`, numbers within their bounds), plain requests get a sentence. It checks the
//! API key when given one and keeps every request it got.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

/// Each request: its `Authorization` header, and its body.
pub type Requests = Arc<Mutex<Vec<(Option<String>, Value)>>>;

pub struct FakeOpenAi {
    /// The API root, `http://127.0.0.1:PORT/v1`.
    pub url: String,
    pub requests: Requests,
}

/// Starts the server; with `key`, a request without `Authorization: Bearer <key>` gets 401.
pub fn start(key: Option<&str>) -> FakeOpenAi {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    let key = key.map(str::to_string);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (seen, key) = (seen.clone(), key.clone());
            std::thread::spawn(move || answer(stream, &seen, key.as_deref()));
        }
    });
    FakeOpenAi { url, requests }
}

fn answer(
    mut stream: std::net::TcpStream,
    seen: &Mutex<Vec<(Option<String>, Value)>>,
    key: Option<&str>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let (mut length, mut auth) = (0usize, None);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("authorization:") {
            auth = line.split_once(':').map(|(_, v)| v.trim().to_string());
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    seen.lock().unwrap().push((auth.clone(), request.clone()));
    let (status, reply) = match key {
        Some(k) if auth.as_deref() != Some(&format!("Bearer {k}")) => (
            401,
            json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}}),
        ),
        _ => (200, completion(&request)),
    };
    let text = reply.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
}

fn completion(request: &Value) -> Value {
    let prompt: String = request["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| match &m["content"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let content = match request.pointer("/response_format/json_schema/schema") {
        Some(schema) => fill(schema, "", &prompt).to_string(),
        None => format!("A document of {} words.", prompt.split_whitespace().count()),
    };
    json!({
        "id": "fake", "object": "chat.completion", "model": request["model"],
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": prompt.len() / 4, "completion_tokens": content.len() / 4,
                  "total_tokens": (prompt.len() + content.len()) / 4}
    })
}

fn squeeze(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase()
}

/// A value for `schema` (the member `name`) drawn from `prompt`.
pub fn fill(schema: &Value, name: &str, prompt: &str) -> Value {
    let kinds: Vec<&str> = match &schema["type"] {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if let Some(options) = schema["enum"].as_array() {
        let text = squeeze(prompt);
        return options
            .iter()
            .filter(|o| !o.is_null())
            .max_by_key(|o| text.matches(&squeeze(&o.to_string())).count())
            .cloned()
            .unwrap_or(Value::Null);
    }
    if let Some(props) = schema["properties"].as_object() {
        return props
            .iter()
            .map(|(k, v)| (k.clone(), fill(v, k, prompt)))
            .collect::<serde_json::Map<_, _>>()
            .into();
    }
    if kinds.contains(&"array") {
        return json!([]);
    }
    if kinds.contains(&"boolean") {
        return json!(false);
    }
    let label = name.replace('_', " ").to_lowercase();
    let found = (!label.is_empty())
        .then(|| {
            prompt.lines().find_map(|line| {
                let lower = line.to_lowercase();
                let at = lower.find(&format!("{label}:"))?;
                Some(line[at + label.len() + 1..].trim().to_string())
            })
        })
        .flatten();
    let numeric = kinds.contains(&"number") || kinds.contains(&"integer");
    match found {
        Some(v) if numeric => {
            let digits: String = v
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
                .collect();
            digits.parse::<f64>().map_or(Value::Null, |n| json!(n))
        }
        Some(v) => json!(v),
        None if kinds.contains(&"null") => Value::Null,
        None if numeric => {
            let low = schema["minimum"].as_f64().unwrap_or(0.0);
            let high = schema["maximum"].as_f64().unwrap_or(1.0);
            json!((low + high) / 2.0)
        }
        None if kinds.contains(&"string") => json!(""),
        None => Value::Null,
    }
}
