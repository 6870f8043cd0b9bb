//! The profile file as users write it (`profiles/<name>.yaml`): every key optional, unknown keys
//! rejected, nested where grouping helps people read it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{Architecture, ClassesMode, Target};

#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub target: Option<Target>,
    pub stack_name: Option<String>,
    pub region: Option<String>,
    pub account_id: Option<String>,
    pub architecture: Option<Architecture>,
    pub log_retention_days: Option<u32>,
    pub xray: Option<bool>,
    pub alarm_email: Option<String>,
    pub hook: Option<HookSection>,
    pub batching_window_seconds: Option<u32>,
    pub working_bucket_expiry_days: Option<u32>,
    pub concurrency: Option<ConcurrencySection>,
    pub page_retries: Option<u32>,
    /// ZIP batches: above `distributed_threshold` documents they run as a Distributed Map.
    pub batch: Option<BatchSection>,
    pub artifact: Option<ArtifactSection>,
    /// `zip` (default) or `image`: how the functions' code is deployed.
    pub package: Option<super::PackageKind>,
    /// The container image's repository (with `package: image`).
    pub image: Option<ImageSection>,
    pub tags: Option<BTreeMap<String, String>>,
    pub local: Option<LocalSection>,
    pub engines: Option<EnginesSection>,
    /// Class configs (files or folders) for the stack, in order.
    pub classes: Option<ClassPaths>,
    /// Whether `classes` adds to the built-in library or replaces it.
    pub classes_mode: Option<ClassesMode>,
}

/// `classes:` takes one path or a list of them.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ClassPaths {
    One(PathBuf),
    Many(Vec<PathBuf>),
}

impl ClassPaths {
    pub fn into_paths(self) -> Vec<PathBuf> {
        match self {
            ClassPaths::One(p) => vec![p],
            ClassPaths::Many(v) => v,
        }
    }
}

/// Which engine each stage that needs one uses.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EnginesSection {
    /// `tesseract` or `none`.
    pub ocr: Option<String>,
    /// The Tesseract engine's language packs.
    pub tesseract: Option<TesseractSection>,
    /// The model engine of the language stages: `rules` (the embedded engine), `bedrock`,
    /// `openai`.
    pub llm: Option<String>,
    pub openai: Option<OpenAiSection>,
    pub bedrock: Option<BedrockSection>,
    /// Per-model limits, by model id (`default` for the rest).
    pub limits: Option<std::collections::BTreeMap<String, crate::engines::policy::Limit>>,
    pub retry: Option<RetrySection>,
    /// A language stage on another engine or model than `llm` and its default.
    pub classification: Option<StageSection>,
    pub extraction: Option<StageSection>,
    pub assessment: Option<StageSection>,
    pub summarization: Option<StageSection>,
    /// Prices for the cost estimate, by model or OCR meter (see `engines::prices`).
    pub prices: Option<crate::engines::prices::Prices>,
}

/// One language stage's engine: `engines.extraction: {llm: bedrock, model: us.amazon.nova-pro-v1:0}`.
#[derive(Debug, Default, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StageSection {
    /// `rules`, `bedrock` or `openai`; `engines.llm` when not given.
    pub llm: Option<String>,
    /// The stage's model on that engine: over the configuration's `<stage>.model` (a class's
    /// own `x-aws-idp-<stage>-model` still wins).
    pub model: Option<String>,
}

/// `engines.tesseract`: which language packs read a scanned page.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TesseractSection {
    /// `auto` (English, then a page's own language among the installed packs) or packs joined
    /// by `+` (`eng+deu+fra`; `eng` alone reads every page in English only).
    pub languages: Option<String>,
}

/// Amazon Bedrock (Converse API) in the stack's region.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BedrockSection {
    /// The model (or inference profile) of every stage the configuration names none for.
    pub model: Option<String>,
}

/// How model calls are retried inside a function, before the state machine's own Retry.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RetrySection {
    /// Attempts in all for a throttled or unavailable call.
    pub attempts: Option<u32>,
    /// The first back-off in milliseconds; it doubles with each attempt, with jitter.
    pub base_ms: Option<u32>,
}

/// An OpenAI-compatible chat-completions server (Ollama, vLLM, llama.cpp's llama-server,
/// LiteLLM). The API key is never written here: it comes from `IDPCTL_OPENAI_API_KEY`.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OpenAiSection {
    /// `http://127.0.0.1:8080/v1`
    pub base_url: Option<String>,
    pub model: Option<String>,
    /// The Secrets Manager secret (ARN) deployed functions read the API key from.
    pub api_key_secret: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HookSection {
    pub function_arn: Option<String>,
    /// Completion events larger than this go to the hook by reference.
    pub max_payload_bytes: Option<u64>,
}

#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConcurrencySection {
    pub documents: Option<u32>,
    pub pages: Option<u32>,
}

#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BatchSection {
    /// Documents of one upload above which the workflow takes the Distributed Map.
    pub distributed_threshold: Option<u32>,
}

#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ArtifactSection {
    pub bucket: Option<String>,
    pub key: Option<String>,
}

/// `image:` — the ECR repository of `package: image`.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ImageSection {
    /// Images the repository keeps; older ones expire (lifecycle policy).
    pub keep: Option<u32>,
    /// Push here instead of the endpoint ECR's GetAuthorizationToken names.
    pub registry_url: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LocalSection {
    pub state_dir: Option<PathBuf>,
    pub hook_command: Option<String>,
    pub hook_url: Option<String>,
}
