//! The stages that may call a model, and the model one call uses: a class's own
//! (`x-aws-idp-<stage>-model`), the profile's pinned model for the stage, the configuration's
//! `<stage>.model`, the profile's default — in that order.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::chat::ChatModel;

/// A stage that may call a model; names the accelerator's per-class key
/// `x-aws-idp-<stage>-model`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    Ocr,
    Classification,
    Extraction,
    Assessment,
    Summarization,
}

impl Stage {
    /// The stages of the language engine (`engines.llm`); OCR has its own (`engines.ocr`).
    pub const LANGUAGE: [Stage; 4] = [
        Stage::Classification,
        Stage::Extraction,
        Stage::Assessment,
        Stage::Summarization,
    ];

    /// Every stage that may call a model: OCR does with a vision model (`engines.ocr: bedrock`).
    pub const ALL: [Stage; 5] = [
        Stage::Ocr,
        Stage::Classification,
        Stage::Extraction,
        Stage::Assessment,
        Stage::Summarization,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Stage::Ocr => "ocr",
            Stage::Classification => "classification",
            Stage::Extraction => "extraction",
            Stage::Assessment => "assessment",
            Stage::Summarization => "summarization",
        }
    }

    /// The class schema key that picks this stage's model for one class.
    pub fn class_model_key(self) -> String {
        format!("x-aws-idp-{}-model", self.name())
    }
}

/// The model behind a language stage, as a run uses it.
pub struct LlmEngine {
    pub chat: Arc<dyn ChatModel>,
    /// The stage's model from the profile (`engines.<stage>.model`, else
    /// `engines.<backend>.model`): used for every stage the configuration names no model for,
    /// and for every stage on a backend that cannot take its ids.
    pub model: String,
    /// Whether the configuration's model ids (Bedrock ids such as `us.amazon.nova-pro-v1:0`)
    /// are ones this backend serves: true for Bedrock, false for an OpenAI-compatible server.
    pub config_models: bool,
    /// The profile named this stage's model (`engines.<stage>.model`): it wins over the
    /// configuration's `<stage>.model` (a class's own key still wins over it).
    pub pinned: bool,
}

impl LlmEngine {
    /// The model one call uses: the class's own (`x-aws-idp-<stage>-model` in its schema), else
    /// the profile's pinned one, else the stage's (`<stage>.model` in the configuration), else
    /// the profile's default. The configuration's ids are used only on a backend that serves
    /// them (see `config_models`).
    pub fn model_for<'a>(
        &'a self,
        stage: Stage,
        configured: Option<&'a str>,
        class_schema: Option<&'a serde_json::Value>,
    ) -> &'a str {
        if !self.config_models {
            return &self.model;
        }
        let key = stage.class_model_key();
        let class = class_schema
            .and_then(|c| c.get(key.as_str()))
            .and_then(serde_json::Value::as_str);
        let configured = if self.pinned { None } else { configured };
        class
            .or(configured)
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .unwrap_or(&self.model)
    }
}

/// The engine of each language stage of a run: `None` for a stage on `rules`.
#[derive(Default, Clone)]
pub struct Engines {
    by_stage: BTreeMap<Stage, Arc<LlmEngine>>,
    /// A deployed function serves one stage, and its environment names that stage's engine.
    every_stage: Option<Arc<LlmEngine>>,
}

impl Engines {
    /// No model anywhere: every stage on the embedded engine.
    pub fn rules() -> Engines {
        Engines::default()
    }

    /// One engine for whatever stage asks (a deployed function's).
    pub fn single(engine: Option<Arc<LlmEngine>>) -> Engines {
        Engines {
            by_stage: BTreeMap::new(),
            every_stage: engine,
        }
    }

    pub fn by_stage(by_stage: BTreeMap<Stage, Arc<LlmEngine>>) -> Engines {
        Engines {
            by_stage,
            every_stage: None,
        }
    }

    /// The engine `stage` calls, or `None` when it runs on the embedded engine.
    pub fn for_stage(&self, stage: Stage) -> Option<&Arc<LlmEngine>> {
        self.by_stage.get(&stage).or(self.every_stage.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::{MODEL_TIMEOUT, openai};

    fn engine(config_models: bool, pinned: bool) -> LlmEngine {
        LlmEngine {
            chat: Arc::new(openai::OpenAiChat::new(
                "http://127.0.0.1:1/v1",
                None,
                MODEL_TIMEOUT,
            )),
            model: "profile".into(),
            config_models,
            pinned,
        }
    }

    #[test]
    fn the_class_then_the_section_then_the_profile_model() {
        let e = engine(true, false);
        let class = serde_json::json!({"x-aws-idp-extraction-model": "class-model"});
        assert_eq!(
            e.model_for(Stage::Extraction, Some("stage"), Some(&class)),
            "class-model"
        );
        assert_eq!(
            e.model_for(Stage::Assessment, Some("stage"), Some(&class)),
            "stage"
        );
        assert_eq!(e.model_for(Stage::Assessment, Some(" "), None), "profile");
    }

    #[test]
    fn a_pinned_stage_model_wins_over_the_section_but_not_the_class() {
        let e = engine(true, true);
        let class = serde_json::json!({"x-aws-idp-extraction-model": "class-model"});
        assert_eq!(
            e.model_for(Stage::Extraction, Some("stage"), Some(&class)),
            "class-model"
        );
        assert_eq!(
            e.model_for(Stage::Extraction, Some("stage"), None),
            "profile"
        );
    }

    #[test]
    fn an_openai_server_always_gets_the_profiles_model() {
        let e = engine(false, false);
        let class = serde_json::json!({"x-aws-idp-extraction-model": "class-model"});
        assert_eq!(
            e.model_for(Stage::Extraction, Some("stage"), Some(&class)),
            "profile"
        );
    }

    #[test]
    fn a_stage_without_an_engine_is_on_rules() {
        let one = Arc::new(engine(true, false));
        let engines = Engines::by_stage(BTreeMap::from([(Stage::Extraction, one.clone())]));
        assert!(engines.for_stage(Stage::Extraction).is_some());
        assert!(engines.for_stage(Stage::Classification).is_none());
        assert!(
            Engines::single(Some(one))
                .for_stage(Stage::Summarization)
                .is_some()
        );
        assert!(Engines::rules().for_stage(Stage::Extraction).is_none());
    }
}
