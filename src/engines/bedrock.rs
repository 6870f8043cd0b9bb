//! Amazon Bedrock through the Converse API: one request shape for every model family (Nova,
//! Claude, Llama, Mistral, …), page images as image blocks, and structured output through a
//! forced tool call whose input schema is the answer's schema (Converse has no JSON mode; a
//! tool's input is the one part of the answer the service checks is JSON).
//!
//! The client comes from the normal AWS configuration chain, so `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`
//! (or `AWS_ENDPOINT_URL`) points it at a local endpoint in tests. The SDK's own retries are
//! off: [`super::policy`] retries every backend the same way and counts what it did.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use aws_sdk_bedrockruntime::Client;
use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::converse::{ConverseError, ConverseOutput};
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{
    CachePointBlock, CachePointType, ContentBlock, ConversationRole, ConverseOutput as Output,
    ImageBlock, ImageFormat, ImageSource, InferenceConfiguration, Message, SpecificToolChoice,
    StopReason, SystemContentBlock, Tool, ToolChoice, ToolConfiguration, ToolInputSchema,
    ToolSpecification,
};
use aws_smithy_types::{Document, Number};
use serde_json::Value;

use super::chat::{CACHEPOINT, ChatModel, ChatRequest, ChatResponse, Finish, Part};
use super::error::EngineError;
use crate::causes::one_line;

const BACKEND: &str = "bedrock";
/// The name of the one tool a structured request offers (and forces).
const ANSWER_TOOL: &str = "answer";

pub struct BedrockChat {
    client: tokio::sync::OnceCell<Client>,
    /// Where the client comes from when it is first needed: `None` once it is built.
    region: Option<String>,
    timeout: Duration,
}

impl std::fmt::Debug for BedrockChat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BedrockChat")
            .field("region", &self.region)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl BedrockChat {
    /// A client from `config` (region, credentials, endpoint), each attempt bounded by
    /// `timeout`, without the SDK's retries.
    pub fn new(config: &aws_config::SdkConfig, timeout: Duration) -> Self {
        Self::recorded(config, timeout, None)
    }

    /// As [`new`](Self::new), with every request recorded in `calls` (the rehearsal counts
    /// each function's calls and denials this way).
    pub fn recorded(
        config: &aws_config::SdkConfig,
        timeout: Duration,
        calls: Option<crate::aws::calls::CallLog>,
    ) -> Self {
        let mut client = client_of(config, timeout);
        if let Some(log) = calls {
            let conf = client.config().to_builder().interceptor(log).build();
            client = Client::from_conf(conf);
        }
        BedrockChat {
            client: tokio::sync::OnceCell::new_with(Some(client)),
            region: None,
            timeout,
        }
    }

    /// A client from the default AWS chain, loaded at the first call (the local stack sets up
    /// its engines before it runs anything async); `region` applies unless the environment
    /// names one (`AWS_REGION`).
    pub fn from_environment(region: Option<String>, timeout: Duration) -> Self {
        BedrockChat {
            client: tokio::sync::OnceCell::new(),
            region,
            timeout,
        }
    }

    async fn client(&self) -> &Client {
        self.client
            .get_or_init(|| async {
                let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
                let from_env = ["AWS_REGION", "AWS_DEFAULT_REGION"]
                    .iter()
                    .any(|k| std::env::var(k).is_ok_and(|v| !v.is_empty()));
                if let (false, Some(region)) = (from_env, &self.region) {
                    loader = loader.region(aws_config::Region::new(region.clone()));
                }
                client_of(&loader.load().await, self.timeout)
            })
            .await
    }
}

fn client_of(config: &aws_config::SdkConfig, timeout: Duration) -> Client {
    let conf = aws_sdk_bedrockruntime::config::Builder::from(config)
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_attempt_timeout(timeout)
                .build(),
        )
        .build();
    Client::from_conf(conf)
}

#[async_trait]
impl ChatModel for BedrockChat {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, EngineError> {
        let built = Converse::of(req)?;
        let started = Instant::now();
        let mut call = self
            .client()
            .await
            .converse()
            .model_id(&req.model)
            .set_system(built.system)
            .messages(built.message)
            .inference_config(built.inference)
            .set_tool_config(built.tools);
        if let Some(fields) = built.additional {
            call = call.additional_model_request_fields(fields);
        }
        let output = call
            .send()
            .await
            .map_err(|e| sdk_error(e, &req.model, self.timeout))?;
        let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        answer(&output, req, millis)
    }
}

/// The parts of one Converse request, built without a client so they can be checked.
#[derive(Debug)]
struct Converse {
    system: Option<Vec<SystemContentBlock>>,
    message: Message,
    inference: InferenceConfiguration,
    tools: Option<ToolConfiguration>,
    additional: Option<Document>,
}

impl Converse {
    fn of(req: &ChatRequest) -> Result<Converse, EngineError> {
        let cache = supports_prompt_cache(&req.model);
        let system = req.system.as_ref().map(|s| {
            split_cachepoints(s, cache)
                .into_iter()
                .map(|piece| match piece {
                    Piece::Text(t) => SystemContentBlock::Text(t),
                    Piece::CachePoint => SystemContentBlock::CachePoint(cache_point()),
                })
                .collect()
        });
        let mut content = Vec::new();
        for part in &req.user {
            match part {
                Part::Text(text) => {
                    content.extend(split_cachepoints(text, cache).into_iter().map(|piece| {
                        match piece {
                            Piece::Text(t) => ContentBlock::Text(t),
                            Piece::CachePoint => ContentBlock::CachePoint(cache_point()),
                        }
                    }))
                }
                Part::Image { media_type, bytes } => {
                    let format = match media_type.as_str() {
                        "image/png" => ImageFormat::Png,
                        "image/jpeg" | "image/jpg" => ImageFormat::Jpeg,
                        "image/gif" => ImageFormat::Gif,
                        "image/webp" => ImageFormat::Webp,
                        other => {
                            return Err(EngineError::BadRequest(format!(
                                "Bedrock takes PNG, JPEG, GIF or WebP page images, not {other}"
                            )));
                        }
                    };
                    let image = ImageBlock::builder()
                        .format(format)
                        .source(ImageSource::Bytes(Blob::new(bytes.clone())))
                        .build()
                        .map_err(build_error)?;
                    content.push(ContentBlock::Image(image));
                }
            }
        }
        let message = Message::builder()
            .role(ConversationRole::User)
            .set_content(Some(content))
            .build()
            .map_err(build_error)?;
        let mut inference = InferenceConfiguration::builder().temperature(req.temperature as f32);
        if let Some(top_p) = req.top_p {
            inference = inference.top_p(top_p as f32);
        }
        if let Some(max) = req.max_tokens {
            inference = inference.max_tokens(i32::try_from(max).unwrap_or(i32::MAX));
        }
        let tools = match &req.schema {
            None => None,
            Some((name, schema)) => Some(answer_tool(name, schema)?),
        };
        Ok(Converse {
            system,
            message,
            inference: inference.build(),
            tools,
            additional: req.top_k.and_then(|k| top_k_field(&req.model, k)),
        })
    }
}

/// The one tool of a structured request, forced, so the answer is its input.
fn answer_tool(name: &str, schema: &Value) -> Result<ToolConfiguration, EngineError> {
    let spec = ToolSpecification::builder()
        .name(ANSWER_TOOL)
        .description(format!(
            "Record the answer ({name}). Call this tool with the answer as its input."
        ))
        .input_schema(ToolInputSchema::Json(document(schema)))
        .build()
        .map_err(build_error)?;
    ToolConfiguration::builder()
        .tools(Tool::ToolSpec(spec))
        .tool_choice(ToolChoice::Tool(
            SpecificToolChoice::builder()
                .name(ANSWER_TOOL)
                .build()
                .map_err(build_error)?,
        ))
        .build()
        .map_err(build_error)
}

fn build_error(e: aws_smithy_types::error::operation::BuildError) -> EngineError {
    EngineError::BadRequest(format!("cannot build the Bedrock request: {e}"))
}

fn cache_point() -> CachePointBlock {
    // `type` is the block's only member and is always set here, so this cannot fail.
    CachePointBlock::builder()
        .r#type(CachePointType::Default)
        .build()
        .expect("a cache point with its type set")
}

enum Piece {
    Text(String),
    CachePoint,
}

/// Text split at the accelerator's `<<CACHEPOINT>>` markers: cache points between the pieces on
/// models with prompt caching, the pieces joined without the markers elsewhere (where Bedrock
/// would refuse the block). Empty pieces are dropped: Converse refuses empty text blocks.
fn split_cachepoints(text: &str, cache: bool) -> Vec<Piece> {
    if !cache {
        let joined = text.replace(CACHEPOINT, "");
        return if joined.trim().is_empty() {
            Vec::new()
        } else {
            vec![Piece::Text(joined)]
        };
    }
    let mut out = Vec::new();
    let pieces: Vec<&str> = text.split(CACHEPOINT).collect();
    for (i, piece) in pieces.iter().enumerate() {
        if !piece.trim().is_empty() {
            out.push(Piece::Text((*piece).to_string()));
        }
        // A cache point only after some content, never two in a row.
        if i + 1 < pieces.len() && matches!(out.last(), Some(Piece::Text(_))) {
            out.push(Piece::CachePoint);
        }
    }
    out
}

/// Models whose Converse requests take cache points (Bedrock's prompt caching): Claude 3.5
/// Haiku, 3.7 Sonnet and 4 onwards, and Amazon Nova. Others refuse the block.
fn supports_prompt_cache(model: &str) -> bool {
    const FAMILIES: &[&str] = &[
        "anthropic.claude-3-5-haiku",
        "anthropic.claude-3-7-sonnet",
        "anthropic.claude-sonnet-4",
        "anthropic.claude-opus-4",
        "anthropic.claude-haiku-4",
        "amazon.nova-",
    ];
    FAMILIES.iter().any(|f| model.contains(f))
}

/// `top_k` is not part of Converse's common settings; each family takes it in its own field.
fn top_k_field(model: &str, k: f64) -> Option<Document> {
    let k = Document::Number(Number::PosInt(k.max(0.0) as u64));
    if model.contains("anthropic.") {
        Some(Document::Object(HashMap::from([("top_k".into(), k)])))
    } else if model.contains("amazon.nova") {
        Some(Document::Object(HashMap::from([(
            "inferenceConfig".into(),
            Document::Object(HashMap::from([("topK".into(), k)])),
        )])))
    } else {
        None
    }
}

/// The service's answer as a [`ChatResponse`]: the forced tool's input (as JSON text) when the
/// request had a schema, the text blocks otherwise.
fn answer(
    output: &ConverseOutput,
    req: &ChatRequest,
    millis: u64,
) -> Result<ChatResponse, EngineError> {
    let blocks = match output.output() {
        Some(Output::Message(m)) => m.content(),
        _ => &[],
    };
    let tool_input = blocks.iter().find_map(|b| match b {
        ContentBlock::ToolUse(t) => Some(json_of(t.input())),
        _ => None,
    });
    let text: String = blocks
        .iter()
        .filter_map(|b| match b {
            ContentBlock::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("");
    let (input_tokens, output_tokens) = output.usage().map_or((0, 0), |u| {
        (
            u64::try_from(u.input_tokens()).unwrap_or(0)
                + u64::try_from(u.cache_read_input_tokens().unwrap_or(0)).unwrap_or(0),
            u64::try_from(u.output_tokens()).unwrap_or(0),
        )
    });
    let finish = match output.stop_reason() {
        StopReason::EndTurn | StopReason::StopSequence | StopReason::ToolUse => Finish::Stop,
        StopReason::MaxTokens => Finish::Length,
        StopReason::ModelContextWindowExceeded => {
            return Err(EngineError::InputTooLarge {
                backend: BACKEND,
                model: req.model.clone(),
                detail: "the model stopped: its context window is exceeded".into(),
            });
        }
        other => Finish::Other(other.as_str().to_string()),
    };
    let body = match (&req.schema, tool_input) {
        (Some(_), Some(input)) => input.to_string(),
        // Some models answer in text even when a tool is forced; `json()` still reads it.
        _ => text,
    };
    if finish == Finish::Length {
        return Err(EngineError::Truncated {
            text: body,
            max_tokens: req.max_tokens,
        });
    }
    if let Finish::Other(reason) = &finish {
        return Err(EngineError::InvalidAnswer {
            reason: format!("the model stopped with `{reason}`"),
            text: body,
        });
    }
    Ok(ChatResponse {
        text: body,
        model: req.model.clone(),
        input_tokens,
        output_tokens,
        finish,
        millis,
        retries: 0,
    })
}

/// A failed call as an [`EngineError`], by the service's error code.
fn sdk_error(
    e: SdkError<ConverseError, aws_smithy_runtime_api::client::orchestrator::HttpResponse>,
    model: &str,
    timeout: Duration,
) -> EngineError {
    match &e {
        SdkError::TimeoutError(_) => EngineError::Timeout {
            backend: BACKEND,
            model: model.to_string(),
            after: timeout,
            attempts: 1,
        },
        SdkError::DispatchFailure(_) => EngineError::Unavailable {
            backend: BACKEND,
            model: model.to_string(),
            detail: format!("the request was not sent: {}", one_line(&e)),
        },
        SdkError::ResponseError(_) => EngineError::Unavailable {
            backend: BACKEND,
            model: model.to_string(),
            detail: format!("the answer could not be read: {}", one_line(&e)),
        },
        SdkError::ServiceError(s) => {
            let err = s.err();
            from_code(
                err.code().unwrap_or("Unknown"),
                err.message().unwrap_or_default(),
                s.raw().status().as_u16(),
                model,
            )
        }
        _ => EngineError::BadRequest(format!(
            "Bedrock request for `{model}` failed: {}",
            one_line(&e)
        )),
    }
}

/// The error codes of Converse (the service model's error shapes) and what each means here.
pub fn from_code(code: &str, message: &str, status: u16, model: &str) -> EngineError {
    let model = model.to_string();
    let detail = if message.is_empty() {
        code.to_string()
    } else {
        format!("{code}: {message}")
    };
    let lower = message.to_lowercase();
    match code {
        "ThrottlingException" | "TooManyRequestsException" | "ServiceQuotaExceededException" => {
            EngineError::Throttled {
                backend: BACKEND,
                model,
                detail,
            }
        }
        "ServiceUnavailableException"
        | "InternalServerException"
        | "ModelNotReadyException"
        | "ModelTimeoutException" => EngineError::Unavailable {
            backend: BACKEND,
            model,
            detail,
        },
        "AccessDeniedException" | "UnrecognizedClientException" | "AccessDenied" => {
            EngineError::AccessDenied {
                backend: BACKEND,
                model,
                detail,
            }
        }
        "ResourceNotFoundException" => EngineError::ModelNotFound {
            backend: BACKEND,
            model,
            detail,
        },
        "ValidationException"
            if lower.contains("too long")
                || lower.contains("too many tokens")
                || lower.contains("context window")
                || lower.contains("context length")
                || lower.contains("exceeds the maximum") =>
        {
            EngineError::InputTooLarge {
                backend: BACKEND,
                model,
                detail,
            }
        }
        "ValidationException"
            if lower.contains("model identifier is invalid")
                || lower.contains("on-demand throughput")
                || lower.contains("provided model identifier") =>
        {
            EngineError::ModelNotFound {
                backend: BACKEND,
                model,
                detail,
            }
        }
        _ if status == 429 => EngineError::Throttled {
            backend: BACKEND,
            model,
            detail,
        },
        _ if status >= 500 => EngineError::Unavailable {
            backend: BACKEND,
            model,
            detail,
        },
        _ => EngineError::BadRequest(format!(
            "Bedrock refused the request for `{model}`: {detail}"
        )),
    }
}

/// JSON as the SDK's `Document` (tool schemas, additional fields).
pub fn document(value: &Value) -> Document {
    match value {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => Document::Number(if let Some(u) = n.as_u64() {
            Number::PosInt(u)
        } else if let Some(i) = n.as_i64() {
            Number::NegInt(i)
        } else {
            Number::Float(n.as_f64().unwrap_or(0.0))
        }),
        Value::String(s) => Document::String(s.clone()),
        Value::Array(a) => Document::Array(a.iter().map(document).collect()),
        Value::Object(o) => {
            Document::Object(o.iter().map(|(k, v)| (k.clone(), document(v))).collect())
        }
    }
}

/// A `Document` (a tool's input) as JSON.
pub fn json_of(doc: &Document) -> Value {
    match doc {
        Document::Null => Value::Null,
        Document::Bool(b) => Value::Bool(*b),
        Document::Number(Number::PosInt(u)) => Value::from(*u),
        Document::Number(Number::NegInt(i)) => Value::from(*i),
        Document::Number(Number::Float(f)) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        Document::String(s) => Value::String(s.clone()),
        Document::Array(a) => Value::Array(a.iter().map(json_of).collect()),
        Document::Object(o) => {
            // Sorted, so the same answer always reads the same.
            let sorted: std::collections::BTreeMap<_, _> = o.iter().collect();
            Value::Object(
                sorted
                    .into_iter()
                    .map(|(k, v)| (k.clone(), json_of(v)))
                    .collect(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(model: &str) -> ChatRequest {
        ChatRequest {
            system: Some("You read invoices.<<CACHEPOINT>>".into()),
            user: vec![
                Part::Text("Classes: invoice\n<<CACHEPOINT>>\nDocument: INVOICE 42".into()),
                Part::Image {
                    media_type: "image/png".into(),
                    bytes: vec![1, 2, 3],
                },
            ],
            max_tokens: Some(512),
            top_k: Some(5.0),
            schema: Some((
                "invoice".into(),
                json!({"type": "object", "properties": {"total": {"type": "number"}}}),
            )),
            ..ChatRequest::new(model)
        }
    }

    #[test]
    fn cache_points_where_the_model_takes_them_and_nowhere_else() {
        let nova = Converse::of(&request("us.amazon.nova-pro-v1:0")).unwrap();
        let content = nova.message.content();
        assert!(matches!(content[0], ContentBlock::Text(ref t) if t == "Classes: invoice\n"));
        assert!(matches!(content[1], ContentBlock::CachePoint(_)));
        assert!(matches!(content[2], ContentBlock::Text(ref t) if t == "\nDocument: INVOICE 42"));
        assert!(matches!(content[3], ContentBlock::Image(_)));
        let system = nova.system.unwrap();
        assert_eq!(system.len(), 2, "{system:?}");
        assert!(matches!(system[1], SystemContentBlock::CachePoint(_)));

        let llama = Converse::of(&request("meta.llama3-70b-instruct-v1:0")).unwrap();
        let content = llama.message.content();
        assert_eq!(content.len(), 2);
        assert!(
            matches!(content[0], ContentBlock::Text(ref t) if t == "Classes: invoice\n\nDocument: INVOICE 42")
        );
        assert!(llama.additional.is_none(), "llama takes no top_k field");
    }

    #[test]
    fn a_schema_becomes_one_forced_tool() {
        let c = Converse::of(&request("anthropic.claude-3-haiku-20240307-v1:0")).unwrap();
        let tools = c.tools.unwrap();
        let Tool::ToolSpec(spec) = &tools.tools()[0] else {
            panic!("not a tool spec")
        };
        assert_eq!(spec.name(), ANSWER_TOOL);
        let Some(ToolInputSchema::Json(schema)) = spec.input_schema() else {
            panic!("no schema")
        };
        assert_eq!(
            json_of(schema),
            json!({"type": "object", "properties": {"total": {"type": "number"}}})
        );
        assert!(
            matches!(tools.tool_choice(), Some(ToolChoice::Tool(t)) if t.name() == ANSWER_TOOL)
        );
        assert_eq!(c.inference.max_tokens(), Some(512));
        assert_eq!(c.inference.temperature(), Some(0.0));
        assert_eq!(json_of(&c.additional.unwrap()), json!({"top_k": 5}));
    }

    #[test]
    fn nova_takes_top_k_in_its_own_field() {
        let c = Converse::of(&request("amazon.nova-lite-v1:0")).unwrap();
        assert_eq!(
            json_of(&c.additional.unwrap()),
            json!({"inferenceConfig": {"topK": 5}})
        );
    }

    #[test]
    fn other_image_types_are_refused_before_the_call() {
        let mut req = request("amazon.nova-lite-v1:0");
        req.user = vec![Part::Image {
            media_type: "image/tiff".into(),
            bytes: vec![0],
        }];
        assert!(
            matches!(Converse::of(&req), Err(EngineError::BadRequest(m)) if m.contains("image/tiff"))
        );
    }

    #[test]
    fn documents_round_trip() {
        let v = json!({"a": [1, -2, 2.5, "x", true, null], "b": {"c": "d"}});
        assert_eq!(json_of(&document(&v)), v);
    }

    #[test]
    fn error_codes_map_to_what_the_state_machine_does() {
        let m = "amazon.nova-pro-v1:0";
        assert_eq!(
            from_code("ThrottlingException", "Too many requests", 429, m).error_type(),
            "idpctl.ModelThrottled"
        );
        assert_eq!(
            from_code("ServiceUnavailableException", "", 503, m).error_type(),
            "idpctl.ModelUnavailable"
        );
        assert_eq!(
            from_code("ModelNotReadyException", "", 429, m).error_type(),
            "idpctl.ModelUnavailable"
        );
        let denied = from_code(
            "AccessDeniedException",
            "You don't have access to the model with the specified model ID.",
            403,
            m,
        );
        assert_eq!(denied.error_type(), "idpctl.ModelAccessDenied");
        assert!(denied.hint().unwrap().contains("bedrock:InvokeModel"));
        assert_eq!(
            from_code("ResourceNotFoundException", "Model not found", 404, m).error_type(),
            "idpctl.ModelNotFound"
        );
        assert_eq!(
            from_code(
                "ValidationException",
                "Input is too long for requested model.",
                400,
                m
            )
            .error_type(),
            "idpctl.ModelInputTooLarge"
        );
        assert_eq!(
            from_code(
                "ValidationException",
                "The provided model identifier is invalid.",
                400,
                m
            )
            .error_type(),
            "idpctl.ModelNotFound"
        );
        let bad = from_code("ValidationException", "temperature must be <= 1", 400, m);
        assert_eq!(bad.error_type(), "idpctl.ModelBadRequest");
        assert!(bad.to_string().contains("temperature must be <= 1"));
        assert_eq!(
            from_code("Whatever", "", 502, m).error_type(),
            "idpctl.ModelUnavailable"
        );
    }
}
