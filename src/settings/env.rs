//! The `IDPCTL_*` environment layer. Values arrive as strings; each is parsed into its type
//! here, so a bad value names the variable that carried it.

use std::path::PathBuf;

use super::{ClassesMode, ConfigError, Layer, check_layer, checks};

/// Variable → setting key (the key as profiles spell it).
pub const ENV_KEYS: &[(&str, &str)] = &[
    ("IDPCTL_STACK_NAME", "stack_name"),
    ("IDPCTL_REGION", "region"),
    ("IDPCTL_ACCOUNT_ID", "account_id"),
    ("IDPCTL_ARCHITECTURE", "architecture"),
    ("IDPCTL_LOG_RETENTION_DAYS", "log_retention_days"),
    ("IDPCTL_XRAY", "xray"),
    ("IDPCTL_ALARM_EMAIL", "alarm_email"),
    ("IDPCTL_HOOK_FUNCTION_ARN", "hook.function_arn"),
    ("IDPCTL_HOOK_MAX_PAYLOAD_BYTES", "hook.max_payload_bytes"),
    ("IDPCTL_ENGINE_OCR", "engines.ocr"),
    ("IDPCTL_TESSERACT_LANGUAGES", "engines.tesseract.languages"),
    ("IDPCTL_ENGINE_LLM", "engines.llm"),
    ("IDPCTL_OPENAI_BASE_URL", "engines.openai.base_url"),
    ("IDPCTL_OPENAI_MODEL", "engines.openai.model"),
    (
        "IDPCTL_OPENAI_API_KEY_SECRET",
        "engines.openai.api_key_secret",
    ),
    ("IDPCTL_BEDROCK_MODEL", "engines.bedrock.model"),
    ("IDPCTL_MODEL_RETRY_ATTEMPTS", "engines.retry.attempts"),
    ("IDPCTL_MODEL_RETRY_BASE_MS", "engines.retry.base_ms"),
    ("IDPCTL_PRICES", "engines.prices"),
    ("IDPCTL_BATCHING_WINDOW_SECONDS", "batching_window_seconds"),
    (
        "IDPCTL_WORKING_BUCKET_EXPIRY_DAYS",
        "working_bucket_expiry_days",
    ),
    ("IDPCTL_MAX_DOCUMENT_CONCURRENCY", "concurrency.documents"),
    ("IDPCTL_MAX_PAGE_CONCURRENCY", "concurrency.pages"),
    ("IDPCTL_PAGE_RETRIES", "page_retries"),
    (
        "IDPCTL_DISTRIBUTED_THRESHOLD",
        "batch.distributed_threshold",
    ),
    ("IDPCTL_ARTIFACT_BUCKET", "artifact.bucket"),
    ("IDPCTL_ARTIFACT_KEY", "artifact.key"),
    ("IDPCTL_PACKAGE", "package"),
    ("IDPCTL_IMAGE_KEEP", "image.keep"),
    ("IDPCTL_REGISTRY_URL", "image.registry_url"),
    ("IDPCTL_STATE_DIR", "local.state_dir"),
    ("IDPCTL_LOCAL_HOOK_COMMAND", "local.hook_command"),
    ("IDPCTL_LOCAL_HOOK_URL", "local.hook_url"),
    ("IDPCTL_CLASSES", "classes"),
    ("IDPCTL_CLASSES_MODE", "classes_mode"),
];

/// Variables read by the command line itself rather than the settings layer.
const CLI_VARS: &[&str] = &["IDPCTL_PROFILE", "IDPCTL_OUTPUT", "IDPCTL_TEMPLATES_DIR"];

/// Secrets idpctl reads where it uses them, never into settings (which `--print-settings`
/// prints and templates render).
const SECRET_VARS: &[&str] = &["IDPCTL_OPENAI_API_KEY"];

/// Variables of this repository's CI and test suite: not settings, and not typos either.
const TOOLING_VARS: &[&str] = &[
    // The Lambda runtime's backend switch (src/runtime/lambda.rs), not a setting.
    "IDPCTL_BACKEND",
    "IDPCTL_BLESS",
    "IDPCTL_CI_CACHE",
    "IDPCTL_EVAL_BIN",
    // Test-only fault injection, read by the local stack (src/services/faults.rs).
    "IDPCTL_FAULTS",
    "IDPCTL_FUZZ_CASES",
    "IDPCTL_FUZZ_DEADLINE_SECS",
    "IDPCTL_LLAMA_MODEL",
    "IDPCTL_LLAMA_SERVER",
    "IDPCTL_RELEASE_ARTIFACT",
    "IDPCTL_REQUIRE_LINTERS",
    "IDPCTL_REQUIRE_MODEL",
    "IDPCTL_REQUIRE_RELEASE_ARTIFACT",
];

fn var_for(key: &str) -> String {
    ENV_KEYS
        .iter()
        .find(|(_, k)| *k == key)
        .map(|(v, _)| v.to_string())
        .unwrap_or_else(|| key.to_string())
}

/// Builds the environment layer. Returns the `IDPCTL_*` variables it did not recognise too, so
/// the caller can warn about a typo instead of silently ignoring it.
pub fn from_env(
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<(Layer, Vec<String>), ConfigError> {
    let mut layer = Layer::default();
    let mut unknown = Vec::new();
    for (name, value) in vars {
        if !name.starts_with("IDPCTL_")
            || CLI_VARS.contains(&name.as_str())
            || SECRET_VARS.contains(&name.as_str())
            || TOOLING_VARS.contains(&name.as_str())
        {
            continue;
        }
        let Some((_, key)) = ENV_KEYS.iter().find(|(v, _)| *v == name) else {
            unknown.push(name);
            continue;
        };
        let bad = |expected: &str| ConfigError::Invalid {
            origin: format!("environment variable {name}"),
            key: key.to_string(),
            message: format!("`{value}` is not {expected}"),
            fix: format!("set {name} to {expected}, or unset it"),
        };
        let number = || {
            value
                .trim()
                .parse::<u32>()
                .map_err(|_| bad("a whole number"))
        };
        match *key {
            "stack_name" => layer.stack_name = Some(value.clone()),
            "region" => layer.region = Some(value.clone()),
            "account_id" => layer.account_id = Some(value.clone()),
            "architecture" => {
                layer.architecture =
                    Some(checks::parse_architecture(&value).ok_or_else(|| bad("arm64 or x86_64"))?)
            }
            "log_retention_days" => layer.log_retention_days = Some(number()?),
            "xray" => {
                layer.xray = Some(match value.as_str() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    _ => return Err(bad("true or false")),
                })
            }
            "alarm_email" => layer.alarm_email = Some(value.clone()),
            "hook.function_arn" => layer.hook_function_arn = Some(value.clone()),
            "hook.max_payload_bytes" => layer.hook_max_payload_bytes = Some(u64::from(number()?)),
            "engines.ocr" => layer.ocr_engine = Some(value.clone()),
            "engines.tesseract.languages" => {
                let origin = format!("environment variable {name}");
                layer.tesseract_languages = Some(checks::parse_languages(&value, origin)?)
            }
            "engines.llm" => layer.llm_engine = Some(value.clone()),
            "engines.openai.base_url" => layer.openai_base_url = Some(value.clone()),
            "engines.openai.model" => layer.openai_model = Some(value.clone()),
            "engines.openai.api_key_secret" => layer.openai_api_key_secret = Some(value.clone()),
            "engines.bedrock.model" => layer.bedrock_model = Some(value.clone()),
            "engines.retry.attempts" => layer.model_retry_attempts = Some(number()?),
            "engines.retry.base_ms" => layer.model_retry_base_ms = Some(number()?),
            // JSON, the profile's `engines.prices` map: added to it key by key.
            "engines.prices" => {
                let prices = serde_json::from_str(&value).map_err(|e| ConfigError::Invalid {
                    origin: format!("environment variable {name}"),
                    key: key.to_string(),
                    message: format!("is not a JSON map of prices: {e}"),
                    fix: format!(
                        "set {name} to JSON such as {{\"openai:my-model\": {{\"input_per_million\": 0, \"output_per_million\": 0}}}}, or unset it"
                    ),
                })?;
                layer.prices = Some(prices);
            }
            "batching_window_seconds" => layer.batching_window_seconds = Some(number()?),
            "working_bucket_expiry_days" => layer.working_bucket_expiry_days = Some(number()?),
            "concurrency.documents" => layer.max_document_concurrency = Some(number()?),
            "concurrency.pages" => layer.max_page_concurrency = Some(number()?),
            "page_retries" => layer.page_retries = Some(number()?),
            "batch.distributed_threshold" => layer.distributed_threshold = Some(number()?),
            "artifact.bucket" => layer.artifact_bucket = Some(value.clone()),
            "artifact.key" => layer.artifact_key = Some(value.clone()),
            "package" => {
                layer.package =
                    Some(super::PackageKind::parse(&value).ok_or_else(|| bad("zip or image"))?)
            }
            "image.keep" => layer.image_keep = Some(number()?),
            "image.registry_url" => layer.registry_url = Some(value.clone()),
            "local.state_dir" => layer.state_dir = Some(PathBuf::from(&value)),
            "local.hook_command" => layer.local_hook_command = Some(value.clone()),
            "local.hook_url" => layer.local_hook_url = Some(value.clone()),
            // A path list, like PATH: `a.yaml:configs/` on Unix.
            "classes" => {
                layer.classes = Some(
                    std::env::split_paths(&value)
                        .filter(|p| !p.as_os_str().is_empty())
                        .collect(),
                )
            }
            "classes_mode" => {
                layer.classes_mode =
                    Some(ClassesMode::parse(&value).ok_or_else(|| bad("add or replace"))?)
            }
            _ => unknown.push(name.clone()),
        }
    }
    check_layer(&layer, &|key| {
        format!("environment variable {}", var_for(key))
    })?;
    unknown.sort();
    Ok((layer, unknown))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn reads_typed_values() {
        let (layer, unknown) = from_env(vars(&[
            ("IDPCTL_PAGE_RETRIES", "3"),
            ("IDPCTL_ARCHITECTURE", "x86_64"),
            ("IDPCTL_PROFILE", "dev"),
            ("IDPCTL_STAK_NAME", "typo"),
            ("IDPCTL_REQUIRE_LINTERS", "1"),
            ("HOME", "/root"),
        ]))
        .unwrap();
        assert_eq!(layer.page_retries, Some(3));
        assert_eq!(layer.architecture, Some(super::super::Architecture::X86_64));
        assert_eq!(unknown, vec!["IDPCTL_STAK_NAME".to_string()]);
    }

    /// The key is read where it is used; it is neither a setting nor an unknown variable.
    #[test]
    fn the_api_key_never_enters_the_settings() {
        let (layer, unknown) = from_env(vars(&[
            ("IDPCTL_OPENAI_API_KEY", "sk-secret"),
            ("IDPCTL_ENGINE_LLM", "openai"),
        ]))
        .unwrap();
        assert!(unknown.is_empty(), "{unknown:?}");
        assert_eq!(layer.llm_engine.as_deref(), Some("openai"));
        assert!(!format!("{layer:?}").contains("sk-secret"));
    }

    #[test]
    fn tesseract_languages_from_the_environment() {
        let (layer, unknown) =
            from_env(vars(&[("IDPCTL_TESSERACT_LANGUAGES", "eng+fra")])).unwrap();
        assert!(unknown.is_empty());
        assert_eq!(
            layer.tesseract_languages.map(|l| l.to_string()).as_deref(),
            Some("eng+fra")
        );
        let err = from_env(vars(&[("IDPCTL_TESSERACT_LANGUAGES", "english")])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("environment variable IDPCTL_TESSERACT_LANGUAGES:"),
            "{err}"
        );
    }

    #[test]
    fn bad_value_names_the_variable() {
        let err = from_env(vars(&[("IDPCTL_PAGE_RETRIES", "two")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable IDPCTL_PAGE_RETRIES: `page_retries` `two` is not a whole number"
        );
        let err = from_env(vars(&[("IDPCTL_HOOK_FUNCTION_ARN", "nope")])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("environment variable IDPCTL_HOOK_FUNCTION_ARN:")
        );
    }
}
