//! The `openai` model engine in the local stack, through the real binary, against a scripted
//! OpenAI-compatible server: extraction comes from the model's answer (checked against the
//! page, metered in tokens), a throttled call is retried by the state machine and the document
//! completes, and a refused key fails the document with the reason and its fix.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use common::{command, root, run_cmd};
use serde_json::{Value, json};

/// A chat-completions server that answers from a script, one response per request, and keeps
/// the requests it got.
struct Fake {
    url: String,
    requests: Arc<Mutex<Vec<Value>>>,
}

fn serve(script: Vec<(u16, Value)>) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    std::thread::spawn(move || {
        let mut script = script.into_iter();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            seen.lock()
                .unwrap()
                .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
            let (status, answer) = script
                .next()
                .unwrap_or((500, json!({"error": {"message": "script ran out"}})));
            let text = answer.to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    Fake { url, requests }
}

fn completion(content: &Value) -> Value {
    json!({
        "id": "x", "object": "chat.completion", "model": "fake-model",
        "choices": [{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": content.to_string()}}],
        "usage": {"prompt_tokens": 321, "completion_tokens": 45, "total_tokens": 366}
    })
}

fn completion_text(text: &str) -> Value {
    let mut c = completion(&Value::Null);
    c["choices"][0]["message"]["content"] = Value::String(text.to_string());
    c
}

fn process(state: &Path, fake: &Fake, file: &str) -> (common::Run, Value) {
    let out = state.join("out");
    let mut cmd = command();
    cmd.env("IDPCTL_STATE_DIR", state)
        .env("IDPCTL_ENGINE_LLM", "openai")
        .env("IDPCTL_OPENAI_BASE_URL", &fake.url)
        .env("IDPCTL_OPENAI_MODEL", "fake-model")
        .env("IDPCTL_OPENAI_API_KEY", "sk-test")
        .args([
            "--classes",
            "tests/fixtures/classes/credit-union.yaml",
            "--classes-mode",
            "replace",
            "process",
            file,
            "--out",
            out.to_str().unwrap(),
        ]);
    let run = run_cmd(cmd);
    let name = Path::new(file).file_name().unwrap().to_str().unwrap();
    let result = std::fs::read(out.join(name).join("result.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    (run, result)
}

fn bank_statement() -> String {
    root()
        .join("samples/text/bank-statement-multipage.pdf")
        .display()
        .to_string()
}

#[test]
fn extraction_comes_from_the_model_checked_and_metered() {
    let state = tempfile::tempdir().unwrap();
    let fake = serve(vec![
        (
            200,
            completion(
                &json!({"member_name": "ALEJANDRO ROSALEZ", "statement_date": "2031-02-30"}),
            ),
        ),
        (
            200,
            completion_text("A credit union statement for Alejandro Rosalez."),
        ),
    ]);
    let (run, result) = process(state.path(), &fake, &bank_statement());
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let section = &result["sections"][0];
    assert_eq!(section["classification"], "Credit-Union-Statement");
    assert_eq!(section["attributes"]["member_name"], "ALEJANDRO ROSALEZ");
    let fields = &section["fields"];
    let confidence = |k: &str| fields[k]["confidence"].as_f64().unwrap();
    assert!((confidence("member_name") - 0.9).abs() < 1e-6, "{fields:#}");
    assert!(
        fields["member_name"]["confidence_reason"]
            .as_str()
            .unwrap()
            .contains("printed on page 1"),
        "{fields:#}"
    );
    // A value the pages do not show is kept for review, not trusted.
    assert!(
        (confidence("statement_date") - 0.5).abs() < 1e-6,
        "{fields:#}"
    );
    let metering = &result["metering"]["Extraction/openai/fake-model"];
    assert_eq!(metering["inputTokens"], 321.0, "{:#}", result["metering"]);
    assert_eq!(metering["outputTokens"], 45.0);
    assert_eq!(metering["requests"], 1.0);
    // The summary is the model's too, metered under its own stage.
    assert_eq!(
        result["summary"],
        "A credit union statement for Alejandro Rosalez."
    );
    assert_eq!(
        result["metering"]["Summarization/openai/fake-model"]["requests"],
        1.0
    );

    let requests = fake.requests.lock().unwrap();
    assert_eq!(requests.len(), 2, "extraction, then summarization");
    assert!(
        requests[1].get("response_format").is_none(),
        "a summary is plain text"
    );
    let req = &requests[0];
    assert_eq!(req["model"], "fake-model");
    assert_eq!(req["temperature"], 0.0);
    assert_eq!(
        req["response_format"]["json_schema"]["schema"]["properties"]["member_name"]["type"],
        "string"
    );
    let prompt = req["messages"].to_string();
    assert!(prompt.contains("Credit-Union-Statement"), "{prompt}");
    assert!(
        prompt.contains("ALEJANDRO ROSALEZ"),
        "the page text is sent"
    );
}

#[test]
fn a_throttled_call_is_retried_and_the_document_completes() {
    let state = tempfile::tempdir().unwrap();
    let fake = serve(vec![
        (
            429,
            json!({"error": {"message": "Rate limit reached", "type": "rate_limit_error"}}),
        ),
        (
            200,
            completion(&json!({"member_name": "ALEJANDRO ROSALEZ"})),
        ),
        (200, completion_text("A statement.")),
    ]);
    let (run, result) = process(state.path(), &fake, &bank_statement());
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(result["status"], "COMPLETED");
    assert_eq!(
        fake.requests.lock().unwrap().len(),
        3,
        "one retry, then the summary"
    );
}

#[test]
fn a_refused_key_fails_the_document_with_the_fix() {
    let state = tempfile::tempdir().unwrap();
    let fake = serve(vec![(
        401,
        json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}}),
    )]);
    let (run, result) = process(state.path(), &fake, &bank_statement());
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(result["status"], "FAILED", "{result:#}");
    let reason = result["failure_reason"].as_str().unwrap_or_default();
    assert!(reason.contains("Incorrect API key"), "{reason}");
    assert!(reason.contains("hint:"), "{reason}");
    assert_eq!(fake.requests.lock().unwrap().len(), 1, "not retried");
}

#[test]
fn openai_without_a_model_is_refused_before_anything_runs() {
    let state = tempfile::tempdir().unwrap();
    let mut cmd = command();
    cmd.env("IDPCTL_STATE_DIR", state.path())
        .env("IDPCTL_ENGINE_LLM", "openai")
        .env("IDPCTL_OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
        .args(["process", &bank_statement()]);
    let run = run_cmd(cmd);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("engines.openai.model is not set"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("IDPCTL_OPENAI_MODEL"), "{}", run.stderr);
}
