//! The services in AWS: S3 for objects, DynamoDB for the tracking table, Step Functions for
//! executions and an asynchronous Lambda invoke for the hook. Configured from the environment
//! the stack's template gives every function.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use serde_json::Value;

pub use super::dynamo_tracking::DynamoTracking;
use super::{Executions, HookTarget, ObjectStore, StackNames, Started, StoreError};

/// Throttling, timeouts and server errors are worth a retry (the state machine retries
/// `idpctl.Transient`); anything else is not.
pub(crate) fn sdk_error<
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
>(
    op: &str,
    e: SdkError<E, R>,
) -> StoreError {
    let transient_codes = [
        "ThrottlingException",
        "Throttling",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "SlowDown",
        "TooManyRequestsException",
        "InternalServerError",
        "InternalError",
        "ServiceUnavailable",
    ];
    let message = format!("{op}: {}", aws_sdk_s3::error::DisplayErrorContext(&e));
    match &e {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            StoreError::Transient(message)
        }
        SdkError::ServiceError(se)
            if se
                .err()
                .code()
                .is_some_and(|c| transient_codes.contains(&c)) =>
        {
            StoreError::Transient(message)
        }
        _ => StoreError::Permanent(message),
    }
}

pub struct S3Objects {
    client: aws_sdk_s3::Client,
}

impl S3Objects {
    pub fn new(client: aws_sdk_s3::Client) -> Self {
        S3Objects { client }
    }

    /// `GetObject`, with a missing key reported as `NotFound` for every caller.
    async fn get_object(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<aws_sdk_s3::operation::get_object::GetObjectOutput, StoreError> {
        self.client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| {
                if e.as_service_error().is_some_and(|s| s.is_no_such_key()) {
                    StoreError::NotFound {
                        bucket: bucket.into(),
                        key: key.into(),
                    }
                } else {
                    sdk_error("GetObject", e)
                }
            })
    }

    async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: aws_sdk_s3::primitives::ByteStream,
        content_type: &str,
    ) -> Result<(), StoreError> {
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type(content_type)
            .body(body)
            .send()
            .await
            .map_err(|e| sdk_error("PutObject", e))?;
        Ok(())
    }
}

#[async_trait]
impl ObjectStore for S3Objects {
    async fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, StoreError> {
        let out = self.get_object(bucket, key).await?;
        let body = out
            .body
            .collect()
            .await
            .map_err(|e| StoreError::Transient(format!("GetObject body: {e}")))?;
        Ok(body.into_bytes().to_vec())
    }

    async fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StoreError> {
        self.put_object(bucket, key, body.into(), content_type)
            .await
    }

    async fn exists(&self, bucket: &str, key: &str) -> Result<bool, StoreError> {
        match self
            .client
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(false),
            Err(e) => Err(sdk_error("HeadObject", e)),
        }
    }

    async fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
        let mut keys = Vec::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("ListObjectsV2", e))?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_string)),
            );
        }
        keys.sort();
        Ok(keys)
    }

    async fn download(&self, bucket: &str, key: &str, to: &Path) -> Result<u64, StoreError> {
        let out = self.get_object(bucket, key).await?;
        let mut reader = out.body.into_async_read();
        let mut file = tokio::fs::File::create(to)
            .await
            .map_err(|e| StoreError::io(format!("cannot create {}", to.display()), e))?;
        tokio::io::copy(&mut reader, &mut file)
            .await
            .map_err(|e| StoreError::Transient(format!("GetObject body: {e}")))
    }

    async fn upload(
        &self,
        bucket: &str,
        key: &str,
        from: &Path,
        content_type: &str,
    ) -> Result<(), StoreError> {
        let body = aws_sdk_s3::primitives::ByteStream::from_path(from)
            .await
            .map_err(|e| StoreError::Permanent(format!("cannot read {}: {e}", from.display())))?;
        self.put_object(bucket, key, body, content_type).await
    }
}

pub struct SfnExecutions {
    client: aws_sdk_sfn::Client,
    state_machine_arn: String,
}

#[async_trait]
impl Executions for SfnExecutions {
    async fn start(&self, name: &str, input: &Value) -> Result<Started, StoreError> {
        let result = self
            .client
            .start_execution()
            .state_machine_arn(&self.state_machine_arn)
            .name(name)
            .input(input.to_string())
            .send()
            .await;
        match result {
            // Step Functions answers a repeated start of a running execution with success and the
            // same ARN, so `new` here only means "not refused"; intake's conditional write in the
            // tracking table is what tells a first event from a repeat.
            Ok(out) => Ok(Started {
                execution: out.execution_arn().to_string(),
                new: true,
            }),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_execution_already_exists()) =>
            {
                Ok(Started {
                    execution: format!(
                        "{}:{name}",
                        self.state_machine_arn
                            .replacen(":stateMachine:", ":execution:", 1)
                    ),
                    new: false,
                })
            }
            Err(e) => Err(sdk_error("StartExecution", e)),
        }
    }
}

/// For functions that never start executions: the template gives them no state machine.
struct NoExecutions;

#[async_trait]
impl Executions for NoExecutions {
    async fn start(&self, _name: &str, _input: &Value) -> Result<Started, StoreError> {
        Err(StoreError::Permanent(
            "this function has no STATE_MACHINE_ARN; only intake starts executions".into(),
        ))
    }
}

pub struct LambdaHook {
    client: aws_sdk_lambda::Client,
    arn: String,
}

/// Attempts per delivery before the dispatcher gives up and lets Lambda's own retries and the
/// dead-letter queue take over; the waits between them double from [`HOOK_FIRST_WAIT`].
const HOOK_ATTEMPTS: u32 = 3;
const HOOK_FIRST_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

/// Errors that another attempt cannot fix: a missing function, a refused grant, a payload over
/// the limit.
fn hook_error_is_final(code: Option<&str>) -> bool {
    matches!(
        code,
        Some(
            "ResourceNotFoundException"
                | "AccessDeniedException"
                | "RequestTooLargeException"
                | "InvalidRequestContentException"
                | "InvalidParameterValueException"
        )
    )
}

#[async_trait]
impl HookTarget for LambdaHook {
    fn describe(&self) -> String {
        self.arn.clone()
    }

    /// A synchronous invoke: the delivery counts only when the user's function returns without a
    /// `FunctionError`. (An asynchronous invoke would count as soon as Lambda queued the event,
    /// and a failure inside the hook would never reach the dead-letter queue.)
    async fn deliver(&self, event: &Value) -> Result<Value, StoreError> {
        let payload = event.to_string();
        let mut wait = HOOK_FIRST_WAIT;
        let mut last = String::new();
        for attempt in 1..=HOOK_ATTEMPTS {
            let result = self
                .client
                .invoke()
                .function_name(&self.arn)
                .invocation_type(aws_sdk_lambda::types::InvocationType::RequestResponse)
                .payload(aws_sdk_lambda::primitives::Blob::new(payload.as_bytes()))
                .send()
                .await;
            match result {
                Ok(out) => {
                    let answer = out
                        .payload()
                        .map(|b| String::from_utf8_lossy(b.as_ref()).into_owned())
                        .unwrap_or_default();
                    match out.function_error() {
                        None => {
                            return Ok(
                                serde_json::from_str(&answer).unwrap_or(Value::String(answer))
                            );
                        }
                        Some(kind) => {
                            let message = serde_json::from_str::<Value>(&answer)
                                .ok()
                                .and_then(|v| {
                                    v.get("errorMessage")
                                        .and_then(Value::as_str)
                                        .map(str::to_string)
                                })
                                .unwrap_or(answer);
                            last = format!("the hook raised an error ({kind}): {message}");
                        }
                    }
                }
                Err(e) => {
                    let code = e
                        .as_service_error()
                        .and_then(|s| s.code())
                        .map(str::to_string);
                    let err = sdk_error("Invoke", e);
                    if hook_error_is_final(code.as_deref()) {
                        return Err(StoreError::Permanent(format!("hook {}: {err}", self.arn)));
                    }
                    last = err.to_string();
                }
            }
            if attempt < HOOK_ATTEMPTS {
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
        }
        Err(StoreError::Transient(format!(
            "hook {} failed {HOOK_ATTEMPTS} times; last: {last}",
            self.arn
        )))
    }
}

/// The SDK configuration a function's own environment describes: the region, endpoint and
/// credentials Lambda puts in the environment (`AWS_REGION`, `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`; `AWS_ENDPOINT_URL` for an emulator), read
/// through `env` so a rehearsal can give each function its role's credentials in one process.
/// Without keys in `env`, the SDK's default chain applies.
pub async fn sdk_config(env: &dyn Fn(&str) -> Option<String>) -> aws_config::SdkConfig {
    let get = |k: &str| env(k).filter(|v| !v.is_empty());
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(region) = get("AWS_REGION").or_else(|| get("AWS_DEFAULT_REGION")) {
        loader = loader.region(aws_config::Region::new(region));
    }
    if let Some(endpoint) = get("AWS_ENDPOINT_URL") {
        loader = loader.endpoint_url(endpoint);
    }
    if let (Some(key), Some(secret)) = (get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY")) {
        loader = loader.credentials_provider(aws_sdk_s3::config::Credentials::new(
            key,
            secret,
            get("AWS_SESSION_TOKEN"),
            None,
            "function-environment",
        ));
    }
    loader.load().await
}

/// The variables [`services`] needs, checked without building anything: a function whose
/// template lacks one stops at init with the variable named, before it polls for an event,
/// while the clients themselves are built on the first invocation.
pub fn check_env(env: &dyn Fn(&str) -> Option<String>) -> Result<(), String> {
    StackNames::from_env(env)?;
    env("TRACKING_TABLE")
        .filter(|t| !t.is_empty())
        .ok_or("environment variable TRACKING_TABLE is not set")?;
    if let Some(engine) = env("OCR_ENGINE").filter(|e| !e.is_empty())
        && !crate::pipeline::ocr::ENGINES.contains(&engine.as_str())
    {
        return Err(format!(
            "OCR_ENGINE `{engine}` is not an OCR engine of idpctl (one of: {})",
            crate::pipeline::ocr::ENGINES.join(", ")
        ));
    }
    tesseract_languages(env)?;
    crate::engines::EngineSpec::from_function_env(env).map(|_| ())
}

/// `TESSERACT_LANGUAGES` as the template wrote it from `engines.tesseract.languages`; `auto`
/// (every pack in the image) when unset.
fn tesseract_languages(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<crate::pipeline::ocr::packs::Languages, String> {
    let value = env("TESSERACT_LANGUAGES").unwrap_or_default();
    crate::pipeline::ocr::packs::Languages::parse(&value)
        .map_err(|e| format!("environment variable TESSERACT_LANGUAGES: {e}"))
}

/// The AWS services for a function, from the variables its template sets.
pub async fn services(env: &dyn Fn(&str) -> Option<String>) -> Result<super::Services, String> {
    services_with(env, None).await
}

/// [`services`], with every request recorded in `calls` when given.
pub async fn services_with(
    env: &dyn Fn(&str) -> Option<String>,
    calls: Option<crate::aws::calls::CallLog>,
) -> Result<super::Services, String> {
    let names = StackNames::from_env(env)?;
    let table = env("TRACKING_TABLE")
        .filter(|t| !t.is_empty())
        .ok_or("environment variable TRACKING_TABLE is not set")?;
    // The zip package holds only `bootstrap`, so no engine runs unless the stack names one.
    let engine = env("OCR_ENGINE")
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| "none".into());
    let config = sdk_config(env).await;
    let llm = model_engine(env, &config, &calls).await?;
    let ocr: Arc<dyn crate::pipeline::ocr::OcrEngine> = match engine.as_str() {
        // A vision model: the OCR function's environment names it as any model stage's does.
        vision if crate::pipeline::ocr::is_vision(vision) => {
            let model = llm.for_stage(crate::engines::Stage::Ocr).ok_or_else(|| {
                format!(
                    "OCR_ENGINE is `{vision}` but LLM_ENGINE does not name that model engine; deploy the stack again (idpctl renders both)"
                )
            })?;
            Arc::new(crate::pipeline::ocr::vision::VisionOcr::from_engine(
                model.clone(),
            ))
        }
        // A service engine calls AWS with the function's own configuration (and call log).
        "textract" => {
            let mut b = aws_sdk_textract::config::Builder::from(&config);
            if let Some(log) = &calls {
                b = b.interceptor(log.clone());
            }
            Arc::new(crate::pipeline::ocr::textract::Textract::from_conf(b))
        }
        "tesseract" => Arc::new(crate::pipeline::ocr::tesseract::Tesseract::with_languages(
            tesseract_languages(env)?,
        )),
        _ => crate::pipeline::ocr::engine_named(&engine).ok_or_else(|| {
            format!(
                "OCR_ENGINE `{engine}` is not an OCR engine of idpctl (one of: {})",
                crate::pipeline::ocr::ENGINES.join(", ")
            )
        })?,
    };
    // Emulators serve one host, not a subdomain per bucket.
    let path_style = env("AWS_ENDPOINT_URL").is_some_and(|v| !v.is_empty());
    macro_rules! client {
        ($sdk:ident) => {{
            let mut b = $sdk::config::Builder::from(&config);
            if let Some(log) = &calls {
                b = b.interceptor(log.clone());
            }
            $sdk::Client::from_conf(b.build())
        }};
    }
    let s3 = {
        let mut b = aws_sdk_s3::config::Builder::from(&config).force_path_style(path_style);
        if let Some(log) = &calls {
            b = b.interceptor(log.clone());
        }
        aws_sdk_s3::Client::from_conf(b.build())
    };
    let executions: Arc<dyn Executions> = match env("STATE_MACHINE_ARN").filter(|a| !a.is_empty()) {
        Some(arn) => Arc::new(SfnExecutions {
            client: client!(aws_sdk_sfn),
            state_machine_arn: arn,
        }),
        None => Arc::new(NoExecutions),
    };
    let hook: Option<Arc<dyn HookTarget>> = match env("HOOK_FUNCTION_ARN").filter(|a| !a.is_empty())
    {
        Some(arn) => Some(Arc::new(LambdaHook {
            client: client!(aws_sdk_lambda),
            arn,
        })),
        None => None,
    };
    let objects: Arc<dyn super::ObjectStore> = Arc::new(S3Objects { client: s3 });
    // Functions without the table (none today) run with the built-in library.
    let config: Arc<dyn super::ConfigSource> =
        match env("CONFIGURATION_TABLE").filter(|t| !t.is_empty()) {
            Some(table) => Arc::new(super::configs::Cached::new(
                Arc::new(super::config_store::DynamoConfigStore::new(
                    client!(aws_sdk_dynamodb),
                    table,
                    objects.clone(),
                    names.working_bucket.clone(),
                )),
                super::configs::refresh_from_env(env),
            )),
            None => Arc::new(super::configs::Fixed::new(
                crate::pipeline::config::IdpConfig::builtin(),
            )),
        };
    Ok(super::Services {
        names,
        objects,
        tracking: Arc::new(DynamoTracking::new(client!(aws_sdk_dynamodb), table)),
        executions,
        hook,
        ocr,
        config,
        llm,
    })
}

/// The model engine the function's environment names (`LLM_ENGINE`; none for `rules`), with
/// an OpenAI-compatible server's key read from its Secrets Manager secret once, at cold start.
async fn model_engine(
    env: &dyn Fn(&str) -> Option<String>,
    config: &aws_config::SdkConfig,
    calls: &Option<crate::aws::calls::CallLog>,
) -> Result<crate::engines::Engines, String> {
    use crate::engines::{EngineSpec, env_vars};
    let spec = EngineSpec::from_function_env(env)?;
    let secret = env(env_vars::OPENAI_API_KEY_SECRET).filter(|s| !s.is_empty());
    let api_key = match (&spec.engine[..], secret) {
        ("openai", Some(secret)) => {
            let mut b = aws_sdk_secretsmanager::config::Builder::from(config);
            if let Some(log) = calls {
                b = b.interceptor(log.clone());
            }
            let client = aws_sdk_secretsmanager::Client::from_conf(b.build());
            Some(read_api_key(&client, &secret).await?)
        }
        _ => None,
    };
    let engine = spec
        .build(api_key, Some(config), None, calls.clone())
        .map_err(|e| e.to_string())?;
    // A function serves one stage: its environment names that stage's engine.
    Ok(crate::engines::Engines::single(engine.map(Arc::new)))
}

/// The API key in a secret: the whole string, or the `api_key` (`apiKey`, `OPENAI_API_KEY`)
/// member of a JSON object, as the console's key/value form stores it.
async fn read_api_key(
    client: &aws_sdk_secretsmanager::Client,
    secret: &str,
) -> Result<String, String> {
    use aws_sdk_secretsmanager::error::ProvideErrorMetadata;
    let out = client
        .get_secret_value()
        .secret_id(secret)
        .send()
        .await
        .map_err(|e| {
            let code = e.code().unwrap_or("error").to_string();
            let message = e
                .message()
                .map(str::to_string)
                .unwrap_or_else(|| aws_sdk_secretsmanager::error::DisplayErrorContext(&e).to_string());
            format!(
                "cannot read the model API key from secret {secret}: {code}: {message}; hint: the function's role needs secretsmanager:GetSecretValue on it (idpctl grants it for engines.openai.api_key_secret), and the secret must exist in this region"
            )
        })?;
    let text = out.secret_string().unwrap_or_default().trim().to_string();
    api_key_of(&text).ok_or_else(|| {
        format!(
            "secret {secret} holds no API key; hint: store the key as the secret's plain text, or as {{\"api_key\": \"…\"}}"
        )
    })
}

fn api_key_of(text: &str) -> Option<String> {
    let key = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(m)) => ["api_key", "apiKey", "OPENAI_API_KEY", "key"]
            .iter()
            .find_map(|k| m.get(*k).and_then(serde_json::Value::as_str))
            .map(str::to_string)?,
        _ => text.to_string(),
    };
    let key = key.trim().to_string();
    (!key.is_empty()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::{api_key_of, tesseract_languages};

    #[test]
    fn the_ocr_function_reads_its_language_setting() {
        let with = |v: Option<&str>| {
            let v = v.map(String::from);
            tesseract_languages(&move |k: &str| {
                (k == "TESSERACT_LANGUAGES").then(|| v.clone()).flatten()
            })
        };
        assert_eq!(with(None).unwrap(), Default::default());
        assert_eq!(
            with(Some("eng+deu")).unwrap().others,
            Some(vec!["deu".to_string()])
        );
        let err = with(Some("klingon")).unwrap_err();
        assert!(
            err.starts_with("environment variable TESSERACT_LANGUAGES: `klingon`"),
            "{err}"
        );
    }

    #[test]
    fn a_secret_holds_the_key_as_text_or_in_a_json_member() {
        assert_eq!(api_key_of("sk-plain\n").as_deref(), Some("sk-plain"));
        assert_eq!(
            api_key_of(r#"{"api_key": "sk-json"}"#).as_deref(),
            Some("sk-json")
        );
        assert_eq!(
            api_key_of(r#"{"OPENAI_API_KEY": "sk-env"}"#).as_deref(),
            Some("sk-env")
        );
        assert_eq!(api_key_of(r#"{"username": "x"}"#), None);
        assert_eq!(api_key_of("  "), None);
    }
}
