//! Which engine each stage runs, from the settings (the local stack) or from a deployed
//! function's environment (which the template renders from the same settings), and building
//! it: the backend's client with the retry policy and per-model limits around it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use super::chat::ChatModel;
use super::stage::{Engines, LlmEngine, Stage};
use super::{LLM_ENGINES, MODEL_TIMEOUT, bedrock, openai, policy};
use crate::settings::Settings;

/// Why the profile's model engine cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    #[error("{chosen_by} is `{engine}` but {missing} is not set")]
    Missing {
        chosen_by: String,
        engine: String,
        missing: &'static str,
        fix: &'static str,
    },
}

impl crate::diagnose::Diagnose for SelectError {
    fn hint(&self) -> Option<String> {
        match self {
            SelectError::Missing { fix, .. } => Some((*fix).to_string()),
        }
    }
}

/// What a run needs to set up its model engine, from the settings (local runs) or from a
/// function's environment (deployed functions; see [`EngineSpec::from_function_env`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EngineSpec {
    /// `rules`, `bedrock` or `openai`.
    pub engine: String,
    /// The setting that chose the engine (`engines.llm`, `engines.extraction.llm`), for messages.
    pub chosen_by: String,
    pub bedrock_model: Option<String>,
    pub openai_base_url: Option<String>,
    pub openai_model: Option<String>,
    /// The profile named the stage's model (`engines.<stage>.model`): it wins over the
    /// configuration's `<stage>.model`.
    pub pinned: bool,
    pub limits: BTreeMap<String, policy::Limit>,
    pub retry: policy::Retry,
}

/// The variables the template gives a function that calls a model.
pub mod env_vars {
    pub const ENGINE: &str = "LLM_ENGINE";
    pub const BEDROCK_MODEL: &str = "BEDROCK_MODEL";
    pub const OPENAI_BASE_URL: &str = "OPENAI_BASE_URL";
    pub const OPENAI_MODEL: &str = "OPENAI_MODEL";
    pub const OPENAI_API_KEY_SECRET: &str = "OPENAI_API_KEY_SECRET";
    /// `engines.limits` as JSON.
    pub const LIMITS: &str = "MODEL_LIMITS";
    pub const RETRY_ATTEMPTS: &str = "MODEL_RETRY_ATTEMPTS";
    pub const RETRY_BASE_MS: &str = "MODEL_RETRY_BASE_MS";
    /// `true` when the profile pinned the function's stage model.
    pub const PINNED: &str = "MODEL_PINNED";
}

impl EngineSpec {
    /// The engine of a language stage: `engines.<stage>` over `engines.llm` and its model.
    /// OCR runs on a model only when `engines.ocr` names one (`bedrock`, `openai`); otherwise
    /// its spec is `rules` (no model: Tesseract, Textract or none read the pages).
    pub fn for_stage(settings: &Settings, stage: Stage) -> EngineSpec {
        let choice = settings.stage_engines.get(stage.name());
        let (engine, chosen_by) = match choice.and_then(|c| c.llm.clone()) {
            _ if stage == Stage::Ocr => (
                if crate::pipeline::ocr::is_vision(&settings.ocr_engine) {
                    settings.ocr_engine.clone()
                } else {
                    "rules".to_string()
                },
                "engines.ocr".to_string(),
            ),
            Some(engine) => (engine, format!("engines.{}.llm", stage.name())),
            None => (settings.llm_engine.clone(), "engines.llm".to_string()),
        };
        let pinned = choice
            .and_then(|c| c.model.clone())
            .filter(|m| !m.trim().is_empty());
        let mut spec = EngineSpec {
            engine,
            chosen_by,
            bedrock_model: settings.bedrock_model.clone(),
            openai_base_url: settings.openai_base_url.clone(),
            openai_model: settings.openai_model.clone(),
            pinned: false,
            limits: settings.model_limits.clone(),
            retry: policy::Retry {
                attempts: settings.model_retry_attempts,
                base: Duration::from_millis(u64::from(settings.model_retry_base_ms)),
                ..policy::Retry::default()
            },
        };
        if let Some(model) = pinned {
            match spec.engine.as_str() {
                "bedrock" => spec.bedrock_model = Some(model),
                "openai" => spec.openai_model = Some(model),
                _ => {}
            }
            spec.pinned = true;
        }
        spec
    }

    /// The environment the template renders for the function of `stage` (the inverse of
    /// [`from_function_env`](Self::from_function_env)); empty for `rules`.
    pub fn function_env(settings: &Settings, stage: Stage) -> BTreeMap<&'static str, String> {
        let mut vars = BTreeMap::new();
        let spec = Self::for_stage(settings, stage);
        if spec.engine == "rules" {
            return vars;
        }
        vars.insert(env_vars::ENGINE, spec.engine.clone());
        if spec.pinned {
            vars.insert(env_vars::PINNED, "true".into());
        }
        let mut put = |k, v: &Option<String>| {
            if let Some(v) = v {
                vars.insert(k, v.clone());
            }
        };
        put(env_vars::BEDROCK_MODEL, &spec.bedrock_model);
        put(env_vars::OPENAI_BASE_URL, &spec.openai_base_url);
        put(env_vars::OPENAI_MODEL, &spec.openai_model);
        put(
            env_vars::OPENAI_API_KEY_SECRET,
            &settings.openai_api_key_secret,
        );
        if !spec.limits.is_empty() {
            vars.insert(
                env_vars::LIMITS,
                serde_json::to_string(&spec.limits).unwrap_or_default(),
            );
        }
        vars.insert(env_vars::RETRY_ATTEMPTS, spec.retry.attempts.to_string());
        vars.insert(
            env_vars::RETRY_BASE_MS,
            spec.retry.base.as_millis().to_string(),
        );
        vars
    }

    /// What a deployed function's environment says (see [`env_vars`]).
    pub fn from_function_env(env: &dyn Fn(&str) -> Option<String>) -> Result<EngineSpec, String> {
        let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let engine = get(env_vars::ENGINE).unwrap_or_else(|| "rules".into());
        if !LLM_ENGINES.contains(&engine.as_str()) {
            return Err(format!(
                "{} `{engine}` is not a model engine of idpctl (one of: {})",
                env_vars::ENGINE,
                LLM_ENGINES.join(", ")
            ));
        }
        let limits = match get(env_vars::LIMITS) {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| format!("{} is not valid: {e}", env_vars::LIMITS))?,
            None => BTreeMap::new(),
        };
        let number = |k: &str| -> Result<Option<u32>, String> {
            get(k)
                .map(|v| {
                    v.trim()
                        .parse()
                        .map_err(|_| format!("{k} `{v}` is not a whole number"))
                })
                .transpose()
        };
        let default = policy::Retry::default();
        Ok(EngineSpec {
            engine,
            chosen_by: env_vars::ENGINE.into(),
            bedrock_model: get(env_vars::BEDROCK_MODEL),
            openai_base_url: get(env_vars::OPENAI_BASE_URL),
            openai_model: get(env_vars::OPENAI_MODEL),
            pinned: get(env_vars::PINNED).is_some_and(|v| v == "true"),
            limits,
            retry: policy::Retry {
                attempts: number(env_vars::RETRY_ATTEMPTS)?
                    .unwrap_or(default.attempts)
                    .max(1),
                base: number(env_vars::RETRY_BASE_MS)?
                    .map_or(default.base, |ms| Duration::from_millis(u64::from(ms))),
                ..default
            },
        })
    }

    /// The engine, or `None` for `rules`. `api_key` is the OpenAI-compatible server's key (from
    /// `IDPCTL_OPENAI_API_KEY` locally, from Secrets Manager in a deployed function);
    /// `aws` the SDK configuration Bedrock is reached with (`None`: the default chain, loaded
    /// at the first call, in `region` unless the environment names one), its requests recorded
    /// in `calls` when given.
    pub fn build(
        &self,
        api_key: Option<String>,
        aws: Option<&aws_config::SdkConfig>,
        region: Option<&str>,
        calls: Option<crate::aws::calls::CallLog>,
    ) -> Result<Option<LlmEngine>, SelectError> {
        if self.engine == "rules" {
            return Ok(None);
        }
        let model = self.model()?;
        let chat = self.client(api_key, aws, region, calls, &|chat| chat)?;
        Ok(Some(self.engine_with(chat, model)))
    }

    /// The stage's model on its engine (the profile's default, or the pinned one).
    fn model(&self) -> Result<String, SelectError> {
        let missing = |missing, fix| SelectError::Missing {
            chosen_by: self.chosen_by.clone(),
            engine: self.engine.clone(),
            missing,
            fix,
        };
        match self.engine.as_str() {
            "openai" => self.openai_model.clone().ok_or_else(|| {
                missing(
                    "engines.openai.model",
                    "set engines.openai.model in the profile or IDPCTL_OPENAI_MODEL to a model the server serves",
                )
            }),
            _ => self.bedrock_model.clone().ok_or_else(|| {
                missing(
                    "engines.bedrock.model",
                    "set engines.bedrock.model in the profile or IDPCTL_BEDROCK_MODEL (e.g. us.amazon.nova-lite-v1:0): the model of every stage the configuration names none for",
                )
            }),
        }
    }

    /// The backend's client, with the retry policy and the per-model limits around it; `wrap`
    /// goes between the two (see [`from_settings_with`]).
    fn client(
        &self,
        api_key: Option<String>,
        aws: Option<&aws_config::SdkConfig>,
        region: Option<&str>,
        calls: Option<crate::aws::calls::CallLog>,
        wrap: &dyn Fn(Arc<dyn ChatModel>) -> Arc<dyn ChatModel>,
    ) -> Result<Arc<dyn ChatModel>, SelectError> {
        let chat: Arc<dyn ChatModel> = match self.engine.as_str() {
            "openai" => {
                let base_url = self.openai_base_url.clone().ok_or_else(|| SelectError::Missing {
                    chosen_by: self.chosen_by.clone(),
                    engine: self.engine.clone(),
                    missing: "engines.openai.base_url",
                    fix: "set engines.openai.base_url in the profile or IDPCTL_OPENAI_BASE_URL (e.g. http://127.0.0.1:8080/v1)",
                })?;
                Arc::new(openai::OpenAiChat::new(&base_url, api_key, MODEL_TIMEOUT))
            }
            _ => Arc::new(match aws {
                Some(config) => bedrock::BedrockChat::recorded(config, MODEL_TIMEOUT, calls),
                None => bedrock::BedrockChat::from_environment(
                    region.map(str::to_string),
                    MODEL_TIMEOUT,
                ),
            }),
        };
        Ok(Arc::new(policy::Governed::new(
            wrap(chat),
            self.retry,
            self.limits.clone().into_iter().collect(),
        )))
    }

    fn engine_with(&self, chat: Arc<dyn ChatModel>, model: String) -> LlmEngine {
        LlmEngine {
            chat,
            model,
            config_models: self.engine == "bedrock",
            pinned: self.pinned,
        }
    }
}

/// The engines of a local run's stages (OCR's when it is a vision model). One client per backend, shared by the stages
/// on it, so a model's limits hold across stages. The API key is read from the environment
/// (`IDPCTL_OPENAI_API_KEY`) here, where it is used, and never enters the settings.
pub fn from_settings(
    settings: &Settings,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Engines, SelectError> {
    from_settings_with(settings, env, &|chat| chat)
}

/// [`from_settings`], with `wrap` around each backend's client beneath its retry policy: the
/// local stack's fault injection (`services::faults`) throttles calls there, so the policy's
/// retries are exercised as a real 429 exercises them.
pub fn from_settings_with(
    settings: &Settings,
    env: &dyn Fn(&str) -> Option<String>,
    wrap: &dyn Fn(Arc<dyn ChatModel>) -> Arc<dyn ChatModel>,
) -> Result<Engines, SelectError> {
    let key = env("IDPCTL_OPENAI_API_KEY").filter(|k| !k.is_empty());
    let mut clients: BTreeMap<String, Arc<dyn ChatModel>> = BTreeMap::new();
    let mut by_stage = BTreeMap::new();
    for stage in Stage::ALL {
        let spec = EngineSpec::for_stage(settings, stage);
        if spec.engine == "rules" {
            continue;
        }
        let model = spec.model()?;
        let chat = match clients.get(&spec.engine) {
            Some(chat) => chat.clone(),
            None => {
                let chat = spec.client(key.clone(), None, Some(&settings.region), None, wrap)?;
                clients.insert(spec.engine.clone(), chat.clone());
                chat
            }
        };
        by_stage.insert(stage, Arc::new(spec.engine_with(chat, model)));
    }
    Ok(Engines::by_stage(by_stage))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_function_reads_back_the_environment_the_template_gives_it() {
        let mut s = Settings::for_tests("dev");
        s.llm_engine = "bedrock".into();
        s.bedrock_model = Some("us.amazon.nova-lite-v1:0".into());
        s.model_limits.insert(
            "default".into(),
            policy::Limit {
                concurrency: Some(4),
                ..policy::Limit::default()
            },
        );
        s.model_retry_base_ms = 250;
        s.stage_engines.insert(
            "extraction".into(),
            crate::settings::StageSection {
                llm: None,
                model: Some("us.amazon.nova-pro-v1:0".into()),
            },
        );
        for stage in Stage::LANGUAGE {
            let vars = EngineSpec::function_env(&s, stage);
            let mut read = EngineSpec::from_function_env(&|k| vars.get(k).cloned()).unwrap();
            let want = EngineSpec::for_stage(&s, stage);
            // Only messages say which setting chose the engine.
            read.chosen_by = want.chosen_by.clone();
            assert_eq!(read, want, "{}", stage.name());
        }
        let extraction = EngineSpec::for_stage(&s, Stage::Extraction);
        assert!(extraction.pinned);
        assert_eq!(
            extraction.bedrock_model.as_deref(),
            Some("us.amazon.nova-pro-v1:0")
        );
        s.llm_engine = "rules".into();
        assert!(EngineSpec::function_env(&s, Stage::Classification).is_empty());
        // A stage that names only a model follows engines.llm.
        assert!(EngineSpec::function_env(&s, Stage::Extraction).is_empty());
    }

    #[test]
    fn a_bad_engine_in_the_environment_is_named() {
        let err = EngineSpec::from_function_env(&|k| (k == env_vars::ENGINE).then(|| "gpt".into()))
            .unwrap_err();
        assert!(err.contains("LLM_ENGINE `gpt`"), "{err}");
    }
}
