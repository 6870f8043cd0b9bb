//! Any OpenAI-compatible chat-completions server (Ollama, vLLM, llama.cpp's llama-server,
//! LiteLLM, OpenAI itself): `POST {base_url}/chat/completions`, its answer, and its failures as
//! [`EngineError`].
//!
//! The HTTP client is the hyper/rustls stack the AWS SDK already builds, so this backend adds no
//! crates. A timeout is tried once more here; everything else is left to the state machine's
//! Retry, which backs off across all of a batch's documents rather than one call's.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use base64::Engine as _;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode, Uri, header};
use hyper_rustls::{ConfigBuilderExt, HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use serde_json::{Value, json};

use super::chat::{ChatModel, ChatRequest, ChatResponse, Finish, Part, strip_cachepoints};
use super::error::EngineError;
use crate::causes::one_line;

const BACKEND: &str = "openai";
/// A chat answer is kilobytes; anything near this is not one.
const MAX_ANSWER_BYTES: usize = 16 << 20;
/// A timed-out call is sent this many times in all.
const ATTEMPTS: u32 = 2;

pub struct OpenAiChat {
    base_url: String,
    api_key: Option<String>,
    timeout: Duration,
    /// The endpoint and its client, or why `base_url` cannot work (every call reports it).
    connection: Result<Connection, (String, String)>,
}

struct Connection {
    endpoint: Uri,
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl fmt::Debug for OpenAiChat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiChat")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl OpenAiChat {
    /// A client for the server whose API root is `base_url` (e.g. `http://localhost:11434/v1`);
    /// `timeout` bounds each attempt, from connecting to the last byte of the answer. A
    /// `base_url` that cannot work makes every call fail with `Misconfigured` (see
    /// [`check`](Self::check) to find out before the first call).
    pub fn new(base_url: &str, api_key: Option<String>, timeout: Duration) -> Self {
        let base_url = base_url.trim_end_matches('/').to_string();
        OpenAiChat {
            connection: Connection::open(&base_url),
            base_url,
            api_key,
            timeout,
        }
    }

    /// As [`new`](Self::new), with the API key read from the environment variable `key_var`
    /// (none for servers without keys, such as Ollama or llama-server). A named variable that
    /// is unset or empty is an error, not an anonymous call.
    pub fn from_env(
        base_url: &str,
        key_var: Option<&str>,
        timeout: Duration,
    ) -> Result<Self, EngineError> {
        let api_key = match key_var {
            None => None,
            Some(var) => match std::env::var(var) {
                Ok(key) if !key.trim().is_empty() => Some(key.trim().to_string()),
                _ => {
                    return Err(misconfigured(
                        format!("the API key variable {var} is not set"),
                        format!(
                            "set {var} in the functions' environment, or name no key variable \
                             for a server without keys"
                        ),
                    ));
                }
            },
        };
        Ok(Self::new(base_url, api_key, timeout))
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Whether `base_url` can work at all (a URL, http or https, CA certificates for https);
    /// says nothing about the server being up.
    pub fn check(&self) -> Result<(), EngineError> {
        self.connection().map(|_| ())
    }

    fn connection(&self) -> Result<&Connection, EngineError> {
        self.connection
            .as_ref()
            .map_err(|(reason, hint)| misconfigured(reason.clone(), hint.clone()))
    }

    /// One attempt: the status and the whole answer, or a transport failure.
    async fn send(
        &self,
        connection: &Connection,
        model: &str,
        body: Bytes,
    ) -> Result<(StatusCode, Bytes), EngineError> {
        let endpoint = &connection.endpoint;
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(endpoint.clone())
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .header(
                header::USER_AGENT,
                concat!("idpctl/", env!("CARGO_PKG_VERSION")),
            );
        if let Some(key) = &self.api_key {
            request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
        }
        let request = request.body(Full::new(body)).map_err(|e| {
            misconfigured(
                format!("cannot build a request to {} ({e})", endpoint),
                "check base_url and the API key for stray characters",
            )
        })?;
        let unavailable = |detail: String| EngineError::Unavailable {
            backend: BACKEND,
            model: model.to_string(),
            detail,
        };
        let response = connection.client.request(request).await.map_err(|e| {
            if e.is_connect() {
                unavailable(format!("cannot connect to {}: {}", endpoint, one_line(&e)))
            } else {
                unavailable(format!("{}: {}", endpoint, one_line(&e)))
            }
        })?;
        let status = response.status();
        let bytes = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    EngineError::InvalidAnswer {
                        reason: format!("the server's answer exceeds {MAX_ANSWER_BYTES} bytes"),
                        text: String::new(),
                    }
                } else {
                    unavailable(format!(
                        "the answer from {} broke off: {}",
                        endpoint,
                        one_line(e.as_ref())
                    ))
                }
            })?
            .to_bytes();
        Ok((status, bytes))
    }
}

impl Connection {
    fn open(base_url: &str) -> Result<Connection, (String, String)> {
        const ROOT: &str = "write base_url as the API root, e.g. http://localhost:11434/v1";
        let endpoint: Uri = format!("{base_url}/chat/completions")
            .parse()
            .map_err(|e| {
                (
                    format!("base_url `{base_url}` is not a URL ({e})"),
                    ROOT.into(),
                )
            })?;
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| {
            (
                format!("TLS set-up failed ({e})"),
                "report this as a bug".into(),
            )
        })?;
        let tls = match endpoint.scheme_str() {
            Some("https") => tls.with_native_roots().map_err(|e| {
                (
                    format!("no CA certificates to check {base_url} with ({e})"),
                    "install the system's CA certificates (ca-certificates)".into(),
                )
            })?,
            // Plain http (a local server): TLS is never used, so no roots are loaded.
            Some("http") => tls.with_root_certificates(rustls::RootCertStore::empty()),
            _ => {
                return Err((
                    format!("base_url `{base_url}` is neither http:// nor https://"),
                    ROOT.into(),
                ));
            }
        };
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls.with_no_client_auth())
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new())
            // Lambda freezes between invocations; do not keep connections the server dropped.
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_timer(TokioTimer::new())
            .build(connector);
        Ok(Connection { endpoint, client })
    }
}

#[async_trait]
impl ChatModel for OpenAiChat {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, EngineError> {
        let connection = self.connection()?;
        let body = Bytes::from(request_body(req).to_string());
        let started = Instant::now();
        let mut attempts = 0;
        let (status, answer) = loop {
            attempts += 1;
            match tokio::time::timeout(
                self.timeout,
                self.send(connection, &req.model, body.clone()),
            )
            .await
            {
                Ok(result) => break result?,
                Err(_) if attempts < ATTEMPTS => continue,
                Err(_) => {
                    return Err(EngineError::Timeout {
                        backend: BACKEND,
                        model: req.model.clone(),
                        after: self.timeout,
                        attempts,
                    });
                }
            }
        };
        let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        if !status.is_success() {
            return Err(classify(status, &answer, &req.model, &connection.endpoint));
        }
        parse_answer(&answer, req, millis, &connection.endpoint)
    }
}

/// The chat-completions request for `req`: system and user messages (images as `data:` URLs),
/// sampling parameters that are set, and `response_format` when a schema is given.
pub fn request_body(req: &ChatRequest) -> Value {
    let mut messages = Vec::new();
    if let Some(system) = &req.system {
        messages.push(json!({"role": "system", "content": strip_cachepoints(system)}));
    }
    // A lone text part goes as a plain string, which every server takes; the parts form is for
    // images, which only vision models take anyway.
    let content = match req.user.as_slice() {
        [Part::Text(text)] => json!(strip_cachepoints(text)),
        parts => parts
            .iter()
            .map(|part| match part {
                Part::Text(text) => json!({"type": "text", "text": strip_cachepoints(text)}),
                Part::Image { media_type, bytes } => {
                    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
                    json!({
                        "type": "image_url",
                        "image_url": {"url": format!("data:{media_type};base64,{data}")},
                    })
                }
            })
            .collect(),
    };
    messages.push(json!({"role": "user", "content": content}));
    let mut body = json!({
        "model": req.model,
        "messages": messages,
        "temperature": req.temperature,
        "stream": false,
    });
    if let Some(top_p) = req.top_p {
        body["top_p"] = json!(top_p);
    }
    if let Some(top_k) = req.top_k {
        body["top_k"] = json!(top_k);
    }
    if let Some(max_tokens) = req.max_tokens {
        body["max_tokens"] = json!(max_tokens);
    }
    if let Some((name, schema)) = &req.schema {
        body["response_format"] = json!({
            "type": "json_schema",
            "json_schema": {"name": schema_name(name), "schema": schema, "strict": true},
        });
    }
    body
}

/// OpenAI takes only `[A-Za-z0-9_-]{1,64}` as a schema name; class names have spaces.
fn schema_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if clean.is_empty() {
        "answer".into()
    } else {
        clean
    }
}

/// The error object servers send back, in any of the shapes seen: OpenAI's and llama.cpp's
/// `{"error": {"message", "type", "code"}}`, vLLM's flat `{"message", "type", "code"}`,
/// `{"error": "text"}`, FastAPI's `{"detail": …}`, or not JSON at all.
struct ServerError {
    message: String,
    kind: String,
    code: String,
    /// The body was a recognisable error object (not an HTML page or a bare proxy message).
    structured: bool,
}

impl ServerError {
    fn parse(body: &[u8]) -> ServerError {
        let text_of = |v: Option<&Value>| match v {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        if let Ok(value) = serde_json::from_slice::<Value>(body) {
            let object = match value.get("error") {
                Some(Value::String(message)) => {
                    return ServerError {
                        message: message.clone(),
                        kind: String::new(),
                        code: String::new(),
                        structured: true,
                    };
                }
                Some(error @ Value::Object(_)) => error,
                _ => &value,
            };
            let message = match object.get("message").or_else(|| object.get("detail")) {
                Some(Value::String(s)) => s.clone(),
                Some(other @ (Value::Array(_) | Value::Object(_))) => other.to_string(),
                _ => String::new(),
            };
            if !message.is_empty() {
                return ServerError {
                    message,
                    kind: text_of(object.get("type")),
                    code: text_of(object.get("code")),
                    structured: true,
                };
            }
        }
        ServerError {
            message: snippet(&String::from_utf8_lossy(body)),
            kind: String::new(),
            code: String::new(),
            structured: false,
        }
    }

    fn words(&self) -> String {
        format!("{} {} {}", self.message, self.kind, self.code).to_lowercase()
    }

    /// The input (or input plus max_tokens) does not fit the model's context.
    fn is_context_length(&self) -> bool {
        const SIGNS: &[&str] = &[
            "context_length_exceeded",
            "exceed_context_size",
            "exceeds the available context",
            "context length",
            "context_length",
            "context window",
            "maximum context",
            "prompt is too long",
            "input is too long",
            "too many input tokens",
            "reduce the length of the messages",
        ];
        let words = self.words();
        SIGNS.iter().any(|sign| words.contains(sign))
    }

    fn is_rate_limit(&self) -> bool {
        let words = self.words();
        ["rate_limit", "ratelimit", "rate limit", "too many requests"]
            .iter()
            .any(|sign| words.contains(sign))
    }

    fn is_missing_model(&self) -> bool {
        let words = self.words();
        words.contains("model_not_found")
            || words.contains("invalid model")
            || words.contains("unknown model")
            || words.contains("no such model")
            || (words.contains("model")
                && ["not found", "does not exist"]
                    .iter()
                    .any(|sign| words.contains(sign)))
    }
}

/// A failed status (or a 200 that carries an error) as the variant the caller can act on.
fn classify(status: StatusCode, body: &[u8], model: &str, endpoint: &Uri) -> EngineError {
    let error = ServerError::parse(body);
    let message = if error.message.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("no message")
            .to_string()
    } else {
        error.message.clone()
    };
    let detail = format!("HTTP {}: {message}", status.as_u16());
    let (backend, model) = (BACKEND, model.to_string());
    if error.is_context_length() || status == StatusCode::PAYLOAD_TOO_LARGE {
        return EngineError::InputTooLarge {
            backend,
            model,
            detail,
        };
    }
    // OpenAI answers an exhausted account with 429 too; waiting does not refill it.
    if error.code == "insufficient_quota" {
        return EngineError::AccessDenied {
            backend,
            model,
            detail,
        };
    }
    if status == StatusCode::TOO_MANY_REQUESTS || error.is_rate_limit() {
        return EngineError::Throttled {
            backend,
            model,
            detail,
        };
    }
    match status.as_u16() {
        401 | 403 => EngineError::AccessDenied {
            backend,
            model,
            detail,
        },
        404 if error.structured && error.is_missing_model() => EngineError::ModelNotFound {
            backend,
            model,
            detail,
        },
        // A 404 that is not about the model: the path is wrong (base_url without /v1, a web UI).
        404 => misconfigured(
            format!("no chat-completions endpoint at {endpoint} ({detail})"),
            "base_url is the API root that /chat/completions is appended to, e.g. \
             http://localhost:11434/v1 (Ollama) or http://localhost:8080/v1 (llama-server)",
        ),
        400..=499 if error.is_missing_model() => EngineError::ModelNotFound {
            backend,
            model,
            detail,
        },
        408 | 500..=599 => EngineError::Unavailable {
            backend,
            model,
            detail,
        },
        // A success status that carries an error object: the server (or a proxy) failed.
        200..=299 => EngineError::Unavailable {
            backend,
            model,
            detail,
        },
        _ => EngineError::BadRequest(format!(
            "{backend} rejected the request for `{model}` ({detail})"
        )),
    }
}

/// A 200 answer: the first choice's text, why it stopped, the token counts.
fn parse_answer(
    body: &[u8],
    req: &ChatRequest,
    millis: u64,
    endpoint: &Uri,
) -> Result<ChatResponse, EngineError> {
    let not_chat = |why: String| {
        misconfigured(
            format!("{endpoint} answered, but not with a chat completion ({why})"),
            "base_url must be an OpenAI-compatible API root, e.g. http://localhost:11434/v1 \
             (Ollama) or http://localhost:8080/v1 (llama-server), not a web UI",
        )
    };
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        not_chat(format!(
            "not JSON: {e}: {}",
            snippet(&String::from_utf8_lossy(body))
        ))
    })?;
    let Some(choice) = value.get("choices").and_then(|c| c.get(0)) else {
        if value.get("error").is_some() {
            return Err(classify(StatusCode::OK, body, &req.model, endpoint));
        }
        return Err(not_chat(format!(
            "no choices: {}",
            snippet(&value.to_string())
        )));
    };
    let message = &choice["message"];
    let text = match &message["content"] {
        Value::String(text) => text.clone(),
        // Some servers answer in content parts even for text.
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect(),
        _ => String::new(),
    };
    let finish = match choice.get("finish_reason").and_then(Value::as_str) {
        Some(reason) => Finish::from_reason(reason),
        None => Finish::Other("none".into()),
    };
    if let Some(refusal) = message.get("refusal").and_then(Value::as_str) {
        return Err(EngineError::InvalidAnswer {
            reason: format!("the model refused: {refusal}"),
            text,
        });
    }
    match &finish {
        Finish::Length => {
            return Err(EngineError::Truncated {
                text,
                max_tokens: req.max_tokens,
            });
        }
        Finish::Other(reason) if reason == "content_filter" => {
            return Err(EngineError::InvalidAnswer {
                reason: "the service's content filter withheld the answer".into(),
                text,
            });
        }
        _ => {}
    }
    if text.is_empty() && message.get("tool_calls").is_some() {
        return Err(EngineError::InvalidAnswer {
            reason: "the model called a tool instead of answering".into(),
            text,
        });
    }
    let usage = &value["usage"];
    Ok(ChatResponse {
        text,
        model: value
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or(&req.model)
            .to_string(),
        input_tokens: usage["prompt_tokens"].as_u64().unwrap_or(0),
        output_tokens: usage["completion_tokens"].as_u64().unwrap_or(0),
        finish,
        millis,
        retries: 0,
    })
}

fn misconfigured(reason: impl Into<String>, hint: impl Into<String>) -> EngineError {
    EngineError::Misconfigured {
        backend: BACKEND,
        reason: reason.into(),
        hint: hint.into(),
    }
}

/// The start of a body for an error message, on one line.
fn snippet(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        return "(empty body)".into();
    }
    match flat.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}
