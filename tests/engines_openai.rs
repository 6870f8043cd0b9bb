//! The OpenAI-compatible model client against a fake server that answers canned HTTP responses:
//! what it sends (model, temperature, schema, image, bearer key) and what each kind of failure
//! becomes (the `EngineError` variant, its retryability and error type).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use idpctl::engines::openai::OpenAiChat;
use idpctl::engines::{ChatModel, ChatRequest, EngineError, Finish, Part};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the fake server does with each connection, in order (the last one repeats).
#[derive(Clone)]
enum Reply {
    Http(u16, String),
    /// Reads the request and never answers.
    Hang,
}

/// One request as the server saw it.
struct Seen {
    /// Header lines, lowercased.
    head: String,
    body: Value,
}

struct Fake {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    fn requests(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
    fn head(&self, i: usize) -> String {
        self.seen.lock().unwrap()[i].head.clone()
    }
    fn body(&self, i: usize) -> Value {
        self.seen.lock().unwrap()[i].body.clone()
    }
}

async fn fake(replies: Vec<Reply>) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        for n in 0.. {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let reply = replies[n.min(replies.len() - 1)].clone();
            let log = log.clone();
            tokio::spawn(serve(stream, reply, log));
        }
    });
    Fake { url, seen }
}

async fn serve(mut stream: TcpStream, reply: Reply, log: Arc<Mutex<Vec<Seen>>>) {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let split = loop {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "client closed before the request ended");
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..split]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    while data.len() < split + length {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "client closed before the body ended");
        data.extend_from_slice(&buf[..n]);
    }
    let body = serde_json::from_slice(&data[split..split + length]).unwrap_or(Value::Null);
    log.lock().unwrap().push(Seen { head, body });
    match reply {
        Reply::Http(status, body) => {
            let response = format!(
                "HTTP/1.1 {status} Canned\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(response.as_bytes()).await.unwrap();
            stream.shutdown().await.ok();
        }
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            drop(stream);
        }
    }
}

fn completion(content: &str, finish: &str) -> String {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "smollm2-served",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": finish,
        }],
        "usage": {"prompt_tokens": 321, "completion_tokens": 17, "total_tokens": 338},
    })
    .to_string()
}

fn error_body(message: &str, kind: &str, code: Value) -> String {
    json!({"error": {"message": message, "type": kind, "code": code}}).to_string()
}

fn request() -> ChatRequest {
    ChatRequest {
        system: Some("You extract fields.<<CACHEPOINT>> Answer in JSON.".into()),
        user: vec![Part::Text("Employer: ACME".into())],
        max_tokens: Some(256),
        ..ChatRequest::new("smollm2")
    }
}

async fn call(
    replies: Vec<Reply>,
    timeout: Duration,
) -> (Fake, Result<idpctl::engines::ChatResponse, EngineError>) {
    let server = fake(replies).await;
    let chat = OpenAiChat::new(&server.url, None, timeout);
    let result = chat.chat(&request()).await;
    (server, result)
}

async fn fails_with(status: u16, body: String) -> EngineError {
    let (server, result) = call(vec![Reply::Http(status, body)], Duration::from_secs(5)).await;
    assert_eq!(
        server.requests(),
        1,
        "only timeouts are retried in the client"
    );
    result.unwrap_err()
}

#[tokio::test]
async fn structured_answer_with_an_image_and_a_key() {
    let server = fake(vec![Reply::Http(
        200,
        completion(r#"{"employer": "ACME"}"#, "stop"),
    )])
    .await;
    let chat = OpenAiChat::new(
        &format!("{}/", server.url),
        Some("sk-test".into()),
        Duration::from_secs(5),
    );
    assert_eq!(chat.backend(), "openai");
    let schema = json!({
        "type": "object",
        "properties": {"employer": {"type": "string"}},
        "required": ["employer"],
        "additionalProperties": false,
    });
    let req = ChatRequest {
        user: vec![
            Part::Text("Read the page.<<CACHEPOINT>>".into()),
            Part::Image {
                media_type: "image/png".into(),
                bytes: b"\x89PNG-ish".to_vec(),
            },
        ],
        schema: Some(("W-2 form".into(), schema.clone())),
        ..request()
    };
    let answer = chat.chat(&req).await.unwrap();
    assert_eq!(answer.text, r#"{"employer": "ACME"}"#);
    assert_eq!(answer.json().unwrap(), json!({"employer": "ACME"}));
    assert_eq!(answer.model, "smollm2-served");
    assert_eq!((answer.input_tokens, answer.output_tokens), (321, 17));
    assert_eq!(answer.finish, Finish::Stop);

    let head = server.head(0);
    assert!(
        head.starts_with("post /v1/chat/completions http/1.1"),
        "{head}"
    );
    assert!(head.contains("authorization: bearer sk-test\r\n"), "{head}");
    assert!(
        head.contains("content-type: application/json\r\n"),
        "{head}"
    );
    let body = server.body(0);
    assert_eq!(body["model"], "smollm2");
    assert_eq!(body["temperature"].as_f64(), Some(0.0));
    assert_eq!(body["max_tokens"], 256);
    assert!(body.get("top_p").is_none() && body.get("top_k").is_none());
    assert_eq!(
        body["messages"][0],
        json!({"role": "system", "content": "You extract fields. Answer in JSON."})
    );
    assert_eq!(body["messages"][1]["role"], "user");
    assert_eq!(
        body["messages"][1]["content"],
        json!([
            {"type": "text", "text": "Read the page."},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORy1pc2g="}},
        ])
    );
    assert_eq!(
        body["response_format"],
        json!({
            "type": "json_schema",
            "json_schema": {"name": "W-2_form", "schema": schema, "strict": true},
        })
    );
}

#[tokio::test]
async fn no_key_no_authorization_header_and_text_goes_as_a_string() {
    let (server, result) = call(
        vec![Reply::Http(200, completion("fine", "stop"))],
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(result.unwrap().text, "fine");
    assert!(
        !server.head(0).contains("authorization"),
        "{}",
        server.head(0)
    );
    let body = server.body(0);
    assert_eq!(body["messages"][1]["content"], "Employer: ACME");
    assert!(body.get("response_format").is_none());
}

#[tokio::test]
async fn rate_limit_is_throttled_and_retryable() {
    let err = fails_with(
        429,
        error_body(
            "Rate limit reached for requests",
            "requests",
            json!("rate_limit_exceeded"),
        ),
    )
    .await;
    assert!(matches!(err, EngineError::Throttled { .. }), "{err:?}");
    assert!(err.retryable());
    assert_eq!(err.error_type(), "idpctl.ModelThrottled");
    assert!(err.to_string().contains("Rate limit reached"), "{err}");
}

#[tokio::test]
async fn exhausted_quota_is_not_retried() {
    let err = fails_with(
        429,
        error_body(
            "You exceeded your current quota",
            "insufficient_quota",
            json!("insufficient_quota"),
        ),
    )
    .await;
    assert!(matches!(err, EngineError::AccessDenied { .. }), "{err:?}");
    assert!(!err.retryable());
}

#[tokio::test]
async fn unauthorized_is_access_denied_with_a_hint() {
    let err = fails_with(
        401,
        error_body(
            "Incorrect API key provided",
            "invalid_request_error",
            json!("invalid_api_key"),
        ),
    )
    .await;
    assert!(matches!(err, EngineError::AccessDenied { .. }), "{err:?}");
    assert!(!err.retryable());
    assert_eq!(err.error_type(), "idpctl.ModelAccessDenied");
    assert_eq!(
        err.to_string(),
        "openai denied access to `smollm2`: HTTP 401: Incorrect API key provided"
    );
    assert!(err.hint().unwrap().contains("API key"));
}

#[tokio::test]
async fn unknown_model_is_model_not_found() {
    // Ollama's words; vLLM's come flat, without the `error` wrapper.
    for body in [
        error_body(r#"model "smollm2" not found, try pulling it first"#, "api_error", Value::Null),
        json!({"object": "error", "message": "The model `smollm2` does not exist.", "type": "NotFoundError", "code": 404}).to_string(),
    ] {
        let err = fails_with(404, body).await;
        assert!(matches!(err, EngineError::ModelNotFound { .. }), "{err:?}");
        assert!(!err.retryable());
        assert_eq!(err.error_type(), "idpctl.ModelNotFound");
        assert!(err.hint().unwrap().contains("model id"));
    }
}

#[tokio::test]
async fn a_404_that_is_not_about_the_model_points_at_base_url() {
    let err = fails_with(404, "404 page not found".into()).await;
    match &err {
        EngineError::Misconfigured { reason, .. } => {
            assert!(
                reason.contains("no chat-completions endpoint at http://"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(err.hint().unwrap().contains("/v1"));
}

#[tokio::test]
async fn context_length_errors_are_input_too_large() {
    let llama = json!({"error": {
        "code": 400,
        "message": "the request exceeds the available context size, try increasing it",
        "type": "exceed_context_size_error",
        "n_prompt_tokens": 9000,
        "n_ctx": 8192,
    }})
    .to_string();
    let openai = error_body(
        "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
        "invalid_request_error",
        json!("context_length_exceeded"),
    );
    for body in [llama, openai] {
        let err = fails_with(400, body).await;
        assert!(matches!(err, EngineError::InputTooLarge { .. }), "{err:?}");
        assert!(!err.retryable());
        assert_eq!(err.error_type(), "idpctl.ModelInputTooLarge");
    }
}

#[tokio::test]
async fn other_client_errors_are_bad_requests_with_the_servers_message() {
    let err = fails_with(
        400,
        error_body(
            "Unrecognized request argument supplied: top_k",
            "invalid_request_error",
            Value::Null,
        ),
    )
    .await;
    assert!(matches!(err, EngineError::BadRequest(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("Unrecognized request argument supplied: top_k"),
        "{err}"
    );
    assert!(!err.retryable());
}

#[tokio::test]
async fn server_errors_are_unavailable_and_retryable() {
    let err = fails_with(
        503,
        error_body("Loading model", "unavailable_error", json!(503)),
    )
    .await;
    assert!(matches!(err, EngineError::Unavailable { .. }), "{err:?}");
    assert!(err.retryable());
    assert_eq!(err.error_type(), "idpctl.ModelUnavailable");
}

#[tokio::test]
async fn finish_length_is_truncated_with_the_partial_text() {
    let (_, result) = call(
        vec![Reply::Http(
            200,
            completion(r#"{"employer": "AC"#, "length"),
        )],
        Duration::from_secs(5),
    )
    .await;
    match result.unwrap_err() {
        EngineError::Truncated { text, max_tokens } => {
            assert_eq!(text, r#"{"employer": "AC"#);
            assert_eq!(max_tokens, Some(256));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_page_instead_of_a_completion_is_misconfigured() {
    let (_, result) = call(
        vec![Reply::Http(
            200,
            "<!doctype html><title>Open WebUI</title>".into(),
        )],
        Duration::from_secs(5),
    )
    .await;
    let err = result.unwrap_err();
    assert_eq!(err.error_type(), "idpctl.ModelMisconfigured", "{err:?}");
}

#[tokio::test]
async fn a_hang_times_out_after_one_retry() {
    let timeout = Duration::from_millis(300);
    let started = Instant::now();
    let (server, result) = call(vec![Reply::Hang], timeout).await;
    let err = result.unwrap_err();
    assert!(
        matches!(err, EngineError::Timeout { attempts: 2, .. }),
        "{err:?}"
    );
    assert!(err.retryable());
    assert_eq!(err.error_type(), "idpctl.ModelTimeout");
    assert_eq!(server.requests(), 2);
    assert!(started.elapsed() >= timeout * 2, "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_hang_then_an_answer_succeeds_on_the_retry() {
    let (server, result) = call(
        vec![Reply::Hang, Reply::Http(200, completion("late", "stop"))],
        Duration::from_millis(300),
    )
    .await;
    assert_eq!(result.unwrap().text, "late");
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn connection_refused_is_unavailable() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let chat = OpenAiChat::new(&format!("http://{addr}/v1"), None, Duration::from_secs(5));
    let err = chat.chat(&request()).await.unwrap_err();
    assert!(matches!(err, EngineError::Unavailable { .. }), "{err:?}");
    assert!(err.retryable());
    assert!(
        err.to_string().contains("cannot connect to http://"),
        "{err}"
    );
}

#[tokio::test]
async fn unusable_base_urls_fail_every_call_with_a_hint() {
    for url in ["ftp://example.com/v1", "not a url"] {
        let chat = OpenAiChat::new(url, None, Duration::from_secs(1));
        let err = chat.check().unwrap_err();
        assert_eq!(
            err.error_type(),
            "idpctl.ModelMisconfigured",
            "{url}: {err:?}"
        );
        assert!(chat.chat(&request()).await.is_err());
    }
}

#[test]
fn a_named_key_variable_that_is_unset_is_an_error() {
    let err = OpenAiChat::from_env(
        "http://127.0.0.1:9/v1",
        Some("IDPCTL_TEST_SURELY_UNSET_KEY"),
        Duration::from_secs(1),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("IDPCTL_TEST_SURELY_UNSET_KEY"),
        "{err}"
    );
    assert!(OpenAiChat::from_env("http://127.0.0.1:9/v1", None, Duration::from_secs(1)).is_ok());
}
