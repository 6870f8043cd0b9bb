//! One layer of settings (defaults, profile, environment or flags), flat and all-optional, so the
//! precedence rule is a single `merge` instead of a special case per key.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::profile::Profile;
use super::{Architecture, ClassesMode, ConfigError, Target, checks};
use crate::pipeline::ocr::packs::Languages;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Layer {
    pub target: Option<Target>,
    pub stack_name: Option<String>,
    pub region: Option<String>,
    pub account_id: Option<String>,
    pub architecture: Option<Architecture>,
    pub log_retention_days: Option<u32>,
    pub xray: Option<bool>,
    pub alarm_email: Option<String>,
    pub hook_function_arn: Option<String>,
    pub batching_window_seconds: Option<u32>,
    pub working_bucket_expiry_days: Option<u32>,
    pub max_document_concurrency: Option<u32>,
    pub max_page_concurrency: Option<u32>,
    pub page_retries: Option<u32>,
    pub distributed_threshold: Option<u32>,
    pub artifact_bucket: Option<String>,
    pub artifact_key: Option<String>,
    pub package: Option<super::PackageKind>,
    pub image_keep: Option<u32>,
    pub registry_url: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
    pub state_dir: Option<PathBuf>,
    pub local_hook_command: Option<String>,
    pub local_hook_url: Option<String>,
    pub hook_max_payload_bytes: Option<u64>,
    pub ocr_engine: Option<String>,
    pub tesseract_languages: Option<Languages>,
    pub classes: Option<Vec<PathBuf>>,
    pub classes_mode: Option<ClassesMode>,
    pub llm_engine: Option<String>,
    pub openai_base_url: Option<String>,
    pub openai_model: Option<String>,
    pub openai_api_key_secret: Option<String>,
    pub bedrock_model: Option<String>,
    pub model_limits: Option<BTreeMap<String, crate::engines::policy::Limit>>,
    /// Per language stage (`classification`, …): its engine and model.
    pub stage_engines: Option<BTreeMap<String, super::profile::StageSection>>,
    pub model_retry_attempts: Option<u32>,
    pub model_retry_base_ms: Option<u32>,
    /// Prices for the cost estimate; merged key by key, a higher layer's price of a key
    /// replacing a lower one's.
    pub prices: Option<crate::engines::prices::Prices>,
}

macro_rules! merge_fields {
    ($low:ident, $high:ident, $($field:ident),* $(,)?) => {
        Layer { $($field: $high.$field.or($low.$field)),* }
    };
}

impl Layer {
    /// `self` overridden by every value `higher` sets.
    pub fn merge(self, higher: Layer) -> Layer {
        let prices = match (&self.prices, &higher.prices) {
            (Some(low), Some(high)) => {
                let mut merged = low.clone();
                merged.extend(high.iter().map(|(k, v)| (k.clone(), *v)));
                Some(merged)
            }
            (low, high) => high.clone().or_else(|| low.clone()),
        };
        let mut merged = merge_fields!(
            self,
            higher,
            target,
            stack_name,
            region,
            account_id,
            architecture,
            log_retention_days,
            xray,
            alarm_email,
            hook_function_arn,
            batching_window_seconds,
            working_bucket_expiry_days,
            max_document_concurrency,
            max_page_concurrency,
            page_retries,
            distributed_threshold,
            artifact_bucket,
            artifact_key,
            package,
            image_keep,
            registry_url,
            tags,
            state_dir,
            local_hook_command,
            local_hook_url,
            hook_max_payload_bytes,
            ocr_engine,
            tesseract_languages,
            classes,
            classes_mode,
            llm_engine,
            openai_base_url,
            openai_model,
            openai_api_key_secret,
            bedrock_model,
            model_limits,
            stage_engines,
            model_retry_attempts,
            model_retry_base_ms,
            prices,
        );
        merged.prices = prices;
        merged
    }
}

impl Layer {
    /// A profile's values; `origin` says where a key is written, for a value that does not
    /// parse into its setting's type.
    pub fn from_profile(p: Profile, origin: &dyn Fn(&str) -> String) -> Result<Self, ConfigError> {
        let hook = p.hook.unwrap_or_default();
        let conc = p.concurrency.unwrap_or_default();
        let artifact = p.artifact.unwrap_or_default();
        let local = p.local.unwrap_or_default();
        let engines = p.engines.unwrap_or_default();
        Ok(Layer {
            target: p.target,
            stack_name: p.stack_name,
            region: p.region,
            account_id: p.account_id,
            architecture: p.architecture,
            log_retention_days: p.log_retention_days,
            xray: p.xray,
            alarm_email: p.alarm_email,
            hook_function_arn: hook.function_arn,
            batching_window_seconds: p.batching_window_seconds,
            working_bucket_expiry_days: p.working_bucket_expiry_days,
            max_document_concurrency: conc.documents,
            max_page_concurrency: conc.pages,
            page_retries: p.page_retries,
            distributed_threshold: p.batch.and_then(|b| b.distributed_threshold),
            artifact_bucket: artifact.bucket,
            artifact_key: artifact.key,
            package: p.package,
            image_keep: p.image.as_ref().and_then(|i| i.keep),
            registry_url: p.image.as_ref().and_then(|i| i.registry_url.clone()),
            tags: p.tags,
            state_dir: local.state_dir,
            local_hook_command: local.hook_command,
            local_hook_url: local.hook_url,
            hook_max_payload_bytes: hook.max_payload_bytes,
            ocr_engine: engines.ocr,
            tesseract_languages: match engines.tesseract.and_then(|t| t.languages) {
                Some(v) => Some(checks::parse_languages(
                    &v,
                    origin("engines.tesseract.languages"),
                )?),
                None => None,
            },
            llm_engine: engines.llm,
            openai_base_url: engines.openai.as_ref().and_then(|o| o.base_url.clone()),
            openai_model: engines.openai.as_ref().and_then(|o| o.model.clone()),
            openai_api_key_secret: engines
                .openai
                .as_ref()
                .and_then(|o| o.api_key_secret.clone()),
            bedrock_model: engines.bedrock.as_ref().and_then(|b| b.model.clone()),
            model_limits: engines.limits,
            stage_engines: {
                let stages: BTreeMap<String, super::profile::StageSection> = [
                    ("classification", engines.classification),
                    ("extraction", engines.extraction),
                    ("assessment", engines.assessment),
                    ("summarization", engines.summarization),
                ]
                .into_iter()
                .filter_map(|(k, v)| Some((k.to_string(), v?)))
                .collect();
                (!stages.is_empty()).then_some(stages)
            },
            model_retry_attempts: engines.retry.as_ref().and_then(|r| r.attempts),
            model_retry_base_ms: engines.retry.as_ref().and_then(|r| r.base_ms),
            prices: engines.prices,
            classes: p.classes.map(|c| c.into_paths()),
            classes_mode: p.classes_mode,
        })
    }
}
