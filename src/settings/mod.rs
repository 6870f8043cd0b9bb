//! Settings, resolved once before any work starts: flags, then `IDPCTL_*` environment, then the
//! profile file, then defaults. Every command receives the one resolved [`Settings`] value; nothing reads the
//! environment or the profile again later.

mod checks;
mod env;
mod error;
mod layer;
mod load;
mod profile;

pub use profile::StageSection;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use checks::{LOG_RETENTION_DAYS, is_hook_arn, is_lambda_arn, is_registry_url};
pub use env::{ENV_KEYS, from_env};
pub use error::ConfigError;
pub use layer::Layer;
pub use load::{LoadedProfile, available_profiles, load_profile, parse_profile};
pub use profile::Profile;

/// Lambda architecture; the artifact must be built for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Architecture {
    #[default]
    #[serde(rename = "arm64")]
    Arm64,
    #[serde(rename = "x86_64")]
    X86_64,
}

impl Architecture {
    pub fn as_str(self) -> &'static str {
        match self {
            Architecture::Arm64 => "arm64",
            Architecture::X86_64 => "x86_64",
        }
    }
}

/// How the functions' code reaches Lambda: the `bootstrap` zip in S3, or a container image in
/// ECR (which can hold what the OCR engine needs besides the binary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PackageKind {
    #[default]
    Zip,
    Image,
}

impl PackageKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "zip" => Some(PackageKind::Zip),
            "image" => Some(PackageKind::Image),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PackageKind::Zip => "zip",
            PackageKind::Image => "image",
        }
    }
}

/// How many images the repository's lifecycle policy keeps when nobody says.
pub const IMAGE_KEEP: u32 = 10;

/// Documents of one upload above which the workflow takes the Distributed Map by default.
pub const DISTRIBUTED_THRESHOLD: u32 = 500;

/// Whether the user's class configs add to the built-in class library or replace it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ClassesMode {
    /// The built-in classes, then the user's; a user class with a built-in name replaces it.
    #[default]
    Add,
    /// Only the user's classes.
    Replace,
}

impl ClassesMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "add" => Some(ClassesMode::Add),
            "replace" => Some(ClassesMode::Replace),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ClassesMode::Add => "add",
            ClassesMode::Replace => "replace",
        }
    }
}

/// Where `deploy` and `status` act: AWS, or the embedded default on this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    #[default]
    Aws,
    Local,
}

/// Every setting a command may need, resolved. Serialized as-is into the template context, so a
/// field's name here is its name in `templates/` (`{{settings.stack_name}}`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Settings {
    pub profile: String,
    /// Where the profile came from: a file path, or `built-in` for the shipped profiles.
    pub profile_source: String,
    pub target: Target,
    pub stack_name: String,
    pub region: String,
    pub account_id: Option<String>,
    pub architecture: Architecture,
    pub log_retention_days: u32,
    pub xray: bool,
    pub alarm_email: Option<String>,
    pub hook_function_arn: String,
    pub batching_window_seconds: u32,
    pub working_bucket_expiry_days: u32,
    pub max_document_concurrency: u32,
    pub max_page_concurrency: u32,
    pub page_retries: u32,
    /// Documents of one upload above which the workflow runs them as a Distributed Map (profile
    /// `batch.distributed_threshold`, `IDPCTL_DISTRIBUTED_THRESHOLD`; 1 to 1,000).
    pub distributed_threshold: u32,
    pub artifact_bucket: Option<String>,
    pub artifact_key: Option<String>,
    /// `zip` (default) or `image` (profile `package`).
    pub package: PackageKind,
    /// Images the ECR repository keeps (profile `image.keep`); older ones expire.
    pub image_keep: u32,
    /// The registry to push to instead of the endpoint ECR names (profile `image.registry_url`,
    /// `IDPCTL_REGISTRY_URL`): a private endpoint, or a local registry in tests.
    pub registry_url: Option<String>,
    /// The pushed image by digest (`<repository uri>@sha256:…`): set by `deploy` after the
    /// push, as `artifact_key` is after the upload; never read from a profile.
    pub image_uri: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub state_dir: PathBuf,
    pub local_hook_command: Option<String>,
    pub local_hook_url: Option<String>,
    /// Completion events larger than this are delivered to the hook by reference.
    pub hook_max_payload_bytes: u64,
    /// The OCR engine the `ocr` function runs (`tesseract`, `none`).
    pub ocr_engine: String,
    /// Tesseract's language packs (`engines.tesseract.languages`: `auto` or packs joined by
    /// `+`), typed where the setting was read.
    pub tesseract_languages: crate::pipeline::ocr::packs::Languages,
    /// The user's class configs (files or folders), in the order they apply.
    pub classes: Vec<PathBuf>,
    pub classes_mode: ClassesMode,
    /// The model engine of the language stages (`rules`, `bedrock`, `openai`).
    pub llm_engine: String,
    pub openai_base_url: Option<String>,
    pub openai_model: Option<String>,
    /// The Secrets Manager secret deployed functions read the OpenAI-compatible key from.
    pub openai_api_key_secret: Option<String>,
    /// The Bedrock model of every stage the configuration names none for.
    pub bedrock_model: Option<String>,
    /// Per-model limits on model calls, by model id (`default` for the rest).
    pub model_limits: BTreeMap<String, crate::engines::policy::Limit>,
    /// Language stages on another engine or model than `llm_engine` (by stage name).
    pub stage_engines: BTreeMap<String, StageSection>,
    /// Attempts in all for a throttled or unavailable model call, inside a function.
    pub model_retry_attempts: u32,
    /// The first back-off between those attempts.
    pub model_retry_base_ms: u32,
    /// The profile's prices for the cost estimate (`engines.prices`), over the built-in table.
    pub prices: crate::engines::prices::Prices,
}

/// Values nobody set: the stack's defaults.
pub fn defaults(profile: &str) -> Layer {
    Layer {
        stack_name: Some(format!("idp-{profile}")),
        region: Some("us-east-1".into()),
        architecture: Some(Architecture::Arm64),
        log_retention_days: Some(30),
        xray: Some(false),
        hook_function_arn: Some(String::new()),
        batching_window_seconds: Some(0),
        working_bucket_expiry_days: Some(7),
        max_document_concurrency: Some(10),
        max_page_concurrency: Some(20),
        page_retries: Some(2),
        distributed_threshold: Some(DISTRIBUTED_THRESHOLD),
        tags: Some(BTreeMap::new()),
        state_dir: Some(PathBuf::from(".idpctl").join(profile)),
        ..Layer::default()
    }
}

/// Merges the layers (lowest first) and checks the result. Each layer was already checked where
/// it was read, so an error there names its own file or variable; this only fills gaps.
pub fn resolve(profile: &LoadedProfile, env: Layer, flags: Layer) -> Settings {
    let l = defaults(&profile.name)
        .merge(profile.layer.clone())
        .merge(env)
        .merge(flags);
    // `defaults` sets every non-optional key, so these fall-backs never apply; they keep the
    // function total without a panic path.
    Settings {
        profile: profile.name.clone(),
        profile_source: profile.source.clone(),
        target: l.target.unwrap_or_default(),
        stack_name: l.stack_name.unwrap_or_default(),
        region: l.region.unwrap_or_default(),
        account_id: l.account_id,
        architecture: l.architecture.unwrap_or_default(),
        log_retention_days: l.log_retention_days.unwrap_or(30),
        xray: l.xray.unwrap_or(false),
        alarm_email: l.alarm_email,
        hook_function_arn: l.hook_function_arn.unwrap_or_default(),
        batching_window_seconds: l.batching_window_seconds.unwrap_or(0),
        working_bucket_expiry_days: l.working_bucket_expiry_days.unwrap_or(7),
        max_document_concurrency: l.max_document_concurrency.unwrap_or(10),
        max_page_concurrency: l.max_page_concurrency.unwrap_or(20),
        page_retries: l.page_retries.unwrap_or(2),
        distributed_threshold: l.distributed_threshold.unwrap_or(DISTRIBUTED_THRESHOLD),
        artifact_bucket: l.artifact_bucket,
        artifact_key: l.artifact_key,
        package: l.package.unwrap_or_default(),
        image_keep: l.image_keep.unwrap_or(IMAGE_KEEP),
        registry_url: l.registry_url,
        image_uri: None,
        tags: l.tags.unwrap_or_default(),
        state_dir: l.state_dir.unwrap_or_default(),
        local_hook_command: l.local_hook_command,
        local_hook_url: l.local_hook_url,
        hook_max_payload_bytes: l
            .hook_max_payload_bytes
            .unwrap_or(crate::services::HOOK_PAYLOAD_LIMIT as u64),
        // This machine has Tesseract (or says how to get it); the Lambda zip holds only
        // `bootstrap`, so a cloud stack has no OCR engine until the profile names one.
        ocr_engine: l.ocr_engine.unwrap_or_else(|| {
            match l.target.unwrap_or_default() {
                Target::Local => "tesseract",
                _ => "none",
            }
            .into()
        }),
        tesseract_languages: l.tesseract_languages.unwrap_or_default(),
        classes: l.classes.unwrap_or_default(),
        classes_mode: l.classes_mode.unwrap_or_default(),
        llm_engine: l.llm_engine.unwrap_or_else(|| "rules".into()),
        openai_base_url: l.openai_base_url,
        openai_model: l.openai_model,
        openai_api_key_secret: l.openai_api_key_secret,
        bedrock_model: l.bedrock_model,
        model_limits: l.model_limits.unwrap_or_default(),
        stage_engines: l.stage_engines.unwrap_or_default(),
        model_retry_attempts: l.model_retry_attempts.unwrap_or(3).max(1),
        model_retry_base_ms: l.model_retry_base_ms.unwrap_or(1000),
        prices: l.prices.unwrap_or_default(),
    }
}

impl Settings {
    /// The defaults of profile `profile`, for unit tests that set a few fields.
    #[cfg(test)]
    pub fn for_tests(profile: &str) -> Settings {
        let loaded = LoadedProfile {
            name: profile.into(),
            source: "test".into(),
            layer: Layer::default(),
        };
        resolve(&loaded, Layer::default(), Layer::default())
    }
}

/// Checks one layer's values; `origin` says where a key came from, for the message.
pub fn check_layer(layer: &Layer, origin: &dyn Fn(&str) -> String) -> Result<(), ConfigError> {
    let invalid = |key: &str, message: String, fix: String| ConfigError::Invalid {
        origin: origin(key),
        key: key.to_string(),
        message,
        fix,
    };
    if let Some(v) = &layer.stack_name
        && !checks::is_stack_name(v)
    {
        return Err(invalid(
            "stack_name",
            format!("`{v}` is not a valid stack name"),
            "use lower-case letters, digits and dashes, starting with a letter (e.g. idp-dev)"
                .into(),
        ));
    }
    if let Some(v) = &layer.region
        && !checks::is_region(v)
    {
        return Err(invalid(
            "region",
            format!("`{v}` is not an AWS region"),
            "use a region code such as us-east-1 or eu-west-1".into(),
        ));
    }
    if let Some(v) = &layer.account_id
        && !checks::is_account_id(v)
    {
        return Err(invalid(
            "account_id",
            format!("`{v}` is not a 12-digit AWS account id"),
            "quote it so YAML keeps leading zeros: account_id: \"012345678901\"".into(),
        ));
    }
    if let Some(v) = layer.log_retention_days
        && !LOG_RETENTION_DAYS.contains(&v)
    {
        let near = LOG_RETENTION_DAYS
            .iter()
            .min_by_key(|d| d.abs_diff(v))
            .copied()
            .unwrap_or(30);
        return Err(invalid(
            "log_retention_days",
            format!("{v} is not a retention CloudWatch Logs allows"),
            format!(
                "use {near}, the nearest allowed value (allowed: 1, 3, 5, 7, 14, 30, 60, 90, … 3653)"
            ),
        ));
    }
    if let Some(v) = &layer.alarm_email
        && !checks::is_email(v)
    {
        return Err(invalid(
            "alarm_email",
            format!("`{v}` is not an email address"),
            "use an address such as ops@example.com, or remove the key for no email alerts".into(),
        ));
    }
    if let Some(v) = &layer.hook_function_arn
        && !is_hook_arn(v)
    {
        return Err(invalid(
            "hook.function_arn",
            format!("`{v}` is not a Lambda function ARN"),
            "use arn:aws:lambda:<region>:<account-id>:function:<name>[:<alias>], or \"\" to disable the hook".into(),
        ));
    }
    if let Some(v) = &layer.ocr_engine
        && !crate::pipeline::ocr::ENGINES.contains(&v.as_str())
    {
        return Err(invalid(
            "engines.ocr",
            format!("`{v}` is not an OCR engine"),
            format!("use one of: {}", crate::pipeline::ocr::ENGINES.join(", ")),
        ));
    }
    if let Some(v) = &layer.llm_engine
        && !crate::engines::LLM_ENGINES.contains(&v.as_str())
    {
        return Err(invalid(
            "engines.llm",
            format!("`{v}` is not a model engine of idpctl"),
            format!("use one of: {}", crate::engines::LLM_ENGINES.join(", ")),
        ));
    }
    if let Some(v) = &layer.registry_url
        && !checks::is_registry_url(v)
    {
        return Err(invalid(
            "image.registry_url",
            format!("`{v}` is not an http(s) URL of a registry"),
            "use the registry's base URL without a path, e.g. http://127.0.0.1:5000 or https://123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
        ));
    }
    if let Some(v) = layer.image_keep
        && !(1..=1000).contains(&v)
    {
        return Err(invalid(
            "image.keep",
            format!("{v} is outside 1..1000"),
            "keep at least the image the functions run (1), at most 1000 (ECR's lifecycle count limit is far above; more only costs storage)".into(),
        ));
    }
    if let Some(v) = &layer.openai_base_url
        && !(v.starts_with("http://") || v.starts_with("https://"))
    {
        return Err(invalid(
            "engines.openai.base_url",
            format!("`{v}` is not an http(s) URL"),
            "use the server's OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1".into(),
        ));
    }
    for (stage, choice) in layer.stage_engines.iter().flatten() {
        if let Some(v) = &choice.llm
            && !crate::engines::LLM_ENGINES.contains(&v.as_str())
        {
            let key = format!("engines.{stage}.llm");
            return Err(invalid(
                &key,
                format!("`{v}` is not a model engine of idpctl"),
                format!("use one of: {}", crate::engines::LLM_ENGINES.join(", ")),
            ));
        }
    }
    if let Some(prices) = &layer.prices
        && let Err((key, message)) = crate::engines::prices::check(prices)
    {
        return Err(ConfigError::Invalid {
            origin: origin("engines.prices"),
            key,
            message,
            fix: "prices are USD: engines.prices.\"<model>\": {input_per_million: 0.8, output_per_million: 3.2}, engines.prices.\"OCR/<engine>/<api>\": {per_page: 0.0015}".into(),
        });
    }
    if let Some(v) = layer.hook_max_payload_bytes
        && !(1024..=crate::services::HOOK_PAYLOAD_LIMIT as u64).contains(&v)
    {
        return Err(invalid(
            "hook.max_payload_bytes",
            format!(
                "{v} is outside 1024..{}",
                crate::services::HOOK_PAYLOAD_LIMIT
            ),
            format!(
                "Lambda takes at most {} bytes in a synchronous invoke; use a value from 1024 up to that",
                crate::services::HOOK_PAYLOAD_LIMIT
            ),
        ));
    }
    if layer.classes_mode == Some(ClassesMode::Replace)
        && layer.classes.as_ref().is_some_and(|c| c.is_empty())
    {
        return Err(invalid(
            "classes_mode",
            "is `replace` but `classes` names no file".into(),
            "name your class configs in `classes:` (or --classes), or use classes_mode: add".into(),
        ));
    }
    if let Some(v) = layer.batching_window_seconds
        && v > 300
    {
        return Err(invalid(
            "batching_window_seconds",
            format!("{v} is longer than the 300 s SQS batching window allows"),
            "use a value from 0 (no batching) to 300".into(),
        ));
    }
    for (key, value) in [
        ("concurrency.documents", layer.max_document_concurrency),
        ("concurrency.pages", layer.max_page_concurrency),
        (
            "working_bucket_expiry_days",
            layer.working_bucket_expiry_days,
        ),
    ] {
        if value == Some(0) {
            return Err(invalid(
                key,
                "must be at least 1".into(),
                format!("set `{key}` to 1 or more"),
            ));
        }
    }
    if let Some(v) = layer.distributed_threshold
        && !(1..=crate::batch::INLINE_DOCUMENTS as u32).contains(&v)
    {
        return Err(invalid(
            "batch.distributed_threshold",
            format!("{v} is outside 1 to {}", crate::batch::INLINE_DOCUMENTS),
            format!(
                "an inline Map carries at most {} documents in the 256 KB state; use 1 to {}",
                crate::batch::INLINE_DOCUMENTS,
                crate::batch::INLINE_DOCUMENTS
            ),
        ));
    }
    if let Some(v) = layer.page_retries
        && v > 10
    {
        return Err(invalid(
            "page_retries",
            format!("{v} is more than 10"),
            "failing pages rarely succeed after a few tries: use 0 to 10".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(layer: Layer) -> LoadedProfile {
        LoadedProfile {
            name: "dev".into(),
            source: "test".into(),
            layer,
        }
    }

    #[test]
    fn precedence_is_flags_then_env_then_profile_then_defaults() {
        let profile = Layer {
            stack_name: Some("from-profile".into()),
            region: Some("eu-west-1".into()),
            page_retries: Some(5),
            ..Layer::default()
        };
        let env = Layer {
            stack_name: Some("from-env".into()),
            region: Some("eu-central-1".into()),
            ..Layer::default()
        };
        let flags = Layer {
            stack_name: Some("from-flag".into()),
            ..Layer::default()
        };
        let s = resolve(&loaded(profile), env, flags);
        assert_eq!(s.stack_name, "from-flag");
        assert_eq!(s.region, "eu-central-1");
        assert_eq!(s.page_retries, 5);
        assert_eq!(s.max_page_concurrency, 20);
        assert_eq!(s.architecture, Architecture::Arm64);
    }

    #[test]
    fn default_stack_name_follows_the_profile() {
        let s = resolve(
            &loaded(Layer::default()),
            Layer::default(),
            Layer::default(),
        );
        assert_eq!(s.stack_name, "idp-dev");
        assert_eq!(s.state_dir, PathBuf::from(".idpctl/dev"));
    }

    #[test]
    fn checks_name_the_origin() {
        let layer = Layer {
            hook_function_arn: Some("arn:aws:s3:::x".into()),
            ..Layer::default()
        };
        let err = check_layer(&layer, &|k| format!("here[{k}]")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "here[hook.function_arn]: `hook.function_arn` `arn:aws:s3:::x` is not a Lambda function ARN"
        );
    }
}
