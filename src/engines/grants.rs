//! What the deployed stack must allow for the profile's engines, and nothing more: Bedrock's
//! `bedrock:InvokeModel` on exactly the models each stage's function may call (as the profile's
//! configuration names them), Textract's actions for the OCR function, `GetSecretValue` on the
//! OpenAI-compatible engine's key. With the `rules` engine a function gets none of these.
//!
//! The models are read from the configuration the profile deploys. A version pushed later that
//! names another model is refused by Bedrock (AccessDenied, with a hint) until the stack is
//! deployed with it; `config push` says so before that happens.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::{EngineSpec, Stage};
use crate::pipeline::config::IdpConfig;
use crate::settings::Settings;

/// The model ids each stage on Bedrock may call: the class's own (`x-aws-idp-<stage>-model`),
/// the profile's pinned one (`engines.<stage>.model`) or else the configuration's
/// (`<stage>.model`), and the profile's default for a stage or class without one. Stages on
/// other engines are not in the map.
pub fn bedrock_models(
    settings: &Settings,
    config: &IdpConfig,
) -> BTreeMap<Stage, BTreeSet<String>> {
    let mut out: BTreeMap<Stage, BTreeSet<String>> = BTreeMap::new();
    let s = &config.sections;
    let classes: Vec<&Value> = config.document["classes"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    for stage in Stage::ALL {
        let spec = EngineSpec::for_stage(settings, stage);
        if spec.engine != "bedrock" {
            continue;
        }
        let (configured, per_class) = match stage {
            Stage::Ocr => (s.ocr.model_id.as_ref(), false),
            Stage::Classification => (s.classification.model.model.as_ref(), false),
            Stage::Extraction => (s.extraction.model.model.as_ref(), true),
            Stage::Assessment => (s.assessment.model.model.as_ref(), true),
            _ => (s.summarization.model.model.as_ref(), false),
        };
        let default = spec.bedrock_model.clone().filter(|m| !m.trim().is_empty());
        let configured = configured
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty() && !spec.pinned);
        let stage_model = configured.or(default);
        let set = out.entry(stage).or_default();
        if per_class {
            let key = stage.class_model_key();
            let mut any_without = classes.is_empty();
            for class in &classes {
                match class
                    .get(key.as_str())
                    .and_then(Value::as_str)
                    .map(str::trim)
                {
                    Some(m) if !m.is_empty() => {
                        set.insert(m.to_string());
                    }
                    _ => any_without = true,
                }
            }
            if any_without && let Some(m) = &stage_model {
                set.insert(m.clone());
            }
        } else if let Some(m) = stage_model {
            set.insert(m);
        }
    }
    out
}

/// The stages on Bedrock without any model to call: a deploy with these would fail every
/// document at that stage, so `validate` refuses it.
pub fn stages_without_model(settings: &Settings, config: &IdpConfig) -> Vec<Stage> {
    bedrock_models(settings, config)
        .into_iter()
        .filter(|(_, models)| models.is_empty())
        .map(|(stage, _)| stage)
        .collect()
}

/// Cross-region inference profiles are named by a geography prefix on the model id.
const PROFILE_PREFIXES: &[&str] = &[
    "us.", "eu.", "apac.", "jp.", "au.", "ca.", "us-gov.", "global.",
];

/// The ARNs `bedrock:InvokeModel` must allow for one model id, as `Fn::Sub` strings:
/// - a foundation model in the stack's region;
/// - an inference profile in the stack's account, and the foundation model it routes to in
///   every region of its geography (Bedrock checks both; the regions are not known in advance,
///   so the region is `*` — the model stays named);
/// - an ARN as it is written.
pub fn model_arns(model: &str) -> Vec<Value> {
    if model.starts_with("arn:") {
        return vec![json!(model)];
    }
    if let Some(prefix) = PROFILE_PREFIXES.iter().find(|p| model.starts_with(*p)) {
        let base = &model[prefix.len()..];
        let mut arns = vec![
            json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:bedrock:${{AWS::Region}}:${{AWS::AccountId}}:inference-profile/{model}")}),
            json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:bedrock:*::foundation-model/{base}")}),
        ];
        // A global profile routes to foundation models named without a region.
        if *prefix == "global." {
            arns.push(json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:bedrock:::foundation-model/{base}")}));
        }
        return arns;
    }
    vec![
        json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:bedrock:${{AWS::Region}}::foundation-model/{model}")}),
    ]
}

/// The statements one function's role gets for the engines its handler's stage calls.
pub fn statements(
    stage: Option<Stage>,
    settings: &Settings,
    models: &BTreeMap<Stage, BTreeSet<String>>,
) -> Vec<Value> {
    let Some(stage) = stage else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if stage == Stage::Ocr && settings.ocr_engine == "textract" {
        out.push(json!({
            "Effect": "Allow",
            "Action": textract_actions(settings),
            // Textract's actions have no resource types: `*` is the only resource IAM takes.
            "Resource": "*",
        }));
        return out;
    }
    match EngineSpec::for_stage(settings, stage).engine.as_str() {
        "bedrock" => {
            if let Some(ids) = models.get(&stage) {
                let resources: Vec<Value> = ids.iter().flat_map(|m| model_arns(m)).collect();
                out.push(json!({
                    "Effect": "Allow",
                    "Action": ["bedrock:InvokeModel"],
                    "Resource": dedup(resources),
                }));
            }
        }
        "openai" => {
            if let Some(secret) = &settings.openai_api_key_secret {
                out.push(json!({
                    "Effect": "Allow",
                    "Action": ["secretsmanager:GetSecretValue"],
                    "Resource": secret,
                }));
            }
        }
        _ => {}
    }
    out
}

/// The Textract actions the OCR engine calls with the configuration's features.
fn textract_actions(_settings: &Settings) -> Vec<&'static str> {
    vec!["textract:AnalyzeDocument", "textract:DetectDocumentText"]
}

fn dedup(values: Vec<Value>) -> Vec<Value> {
    let mut seen = BTreeSet::new();
    values
        .into_iter()
        .filter(|v| seen.insert(v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(engine: &str, default: Option<&str>) -> Settings {
        let mut s = crate::settings::Settings::for_tests("dev");
        s.llm_engine = engine.into();
        s.bedrock_model = default.map(str::to_string);
        s
    }

    fn config(yaml: &str) -> IdpConfig {
        let doc: Value = crate::yaml::parse(yaml).unwrap();
        IdpConfig::from_document(doc).unwrap()
    }

    const CONFIG: &str = "
classification:
  model: us.amazon.nova-pro-v1:0
extraction:
  model: us.anthropic.claude-3-7-sonnet-20250219-v1:0
classes:
  - $id: Invoice
    x-aws-idp-document-type: Invoice
    x-aws-idp-extraction-model: amazon.nova-lite-v1:0
    type: object
    properties:
      total: {type: number}
  - $id: Receipt
    x-aws-idp-document-type: Receipt
    type: object
    properties:
      total: {type: number}
";

    #[test]
    fn each_stage_gets_the_models_its_configuration_names() {
        let m = bedrock_models(
            &settings("bedrock", Some("amazon.nova-micro-v1:0")),
            &config(CONFIG),
        );
        let ids = |s: Stage| m[&s].iter().cloned().collect::<Vec<_>>();
        assert_eq!(ids(Stage::Classification), ["us.amazon.nova-pro-v1:0"]);
        // Invoice names its own model; Receipt falls back to the stage's.
        assert_eq!(
            ids(Stage::Extraction),
            [
                "amazon.nova-lite-v1:0",
                "us.anthropic.claude-3-7-sonnet-20250219-v1:0"
            ]
        );
        assert_eq!(ids(Stage::Assessment), ["amazon.nova-micro-v1:0"]);
        assert_eq!(ids(Stage::Summarization), ["amazon.nova-micro-v1:0"]);
    }

    #[test]
    fn a_stage_on_its_own_engine_and_model() {
        let mut s = settings("bedrock", Some("amazon.nova-micro-v1:0"));
        s.stage_engines.insert(
            "classification".into(),
            crate::settings::StageSection {
                llm: Some("rules".into()),
                model: None,
            },
        );
        s.stage_engines.insert(
            "extraction".into(),
            crate::settings::StageSection {
                llm: None,
                model: Some("amazon.nova-premier-v1:0".into()),
            },
        );
        let m = bedrock_models(&s, &config(CONFIG));
        assert!(
            !m.contains_key(&Stage::Classification),
            "classification runs on rules"
        );
        assert!(statements(Some(Stage::Classification), &s, &m).is_empty());
        // The pinned model replaces the section's; Invoice keeps its own.
        let ids: Vec<_> = m[&Stage::Extraction].iter().cloned().collect();
        assert_eq!(ids, ["amazon.nova-lite-v1:0", "amazon.nova-premier-v1:0"]);
    }

    #[test]
    fn no_grants_for_the_rules_engine() {
        let s = settings("rules", Some("amazon.nova-micro-v1:0"));
        let m = bedrock_models(&s, &config(CONFIG));
        assert!(m.is_empty());
        assert!(statements(Some(Stage::Extraction), &s, &m).is_empty());
    }

    #[test]
    fn a_stage_without_any_model_is_named() {
        let s = settings("bedrock", None);
        assert_eq!(
            stages_without_model(&s, &config(CONFIG)),
            [Stage::Assessment, Stage::Summarization]
        );
    }

    #[test]
    fn arns_for_models_profiles_and_arns() {
        assert_eq!(
            model_arns("amazon.nova-lite-v1:0"),
            [
                json!({"Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/amazon.nova-lite-v1:0"})
            ]
        );
        assert_eq!(
            model_arns("us.amazon.nova-pro-v1:0"),
            [
                json!({"Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:inference-profile/us.amazon.nova-pro-v1:0"}),
                json!({"Fn::Sub": "arn:${AWS::Partition}:bedrock:*::foundation-model/amazon.nova-pro-v1:0"}),
            ]
        );
        assert_eq!(
            model_arns("global.anthropic.claude-sonnet-4-20250514-v1:0").len(),
            3
        );
        let arn = "arn:aws:bedrock:us-west-2:123456789012:application-inference-profile/abc";
        assert_eq!(model_arns(arn), [json!(arn)]);
    }

    #[test]
    fn statements_name_the_action_and_only_these_models() {
        let s = settings("bedrock", Some("amazon.nova-micro-v1:0"));
        let m = bedrock_models(&s, &config(CONFIG));
        let st = statements(Some(Stage::Classification), &s, &m);
        assert_eq!(st.len(), 1);
        assert_eq!(st[0]["Action"], json!(["bedrock:InvokeModel"]));
        assert_eq!(st[0]["Resource"].as_array().unwrap().len(), 2);
        assert!(statements(None, &s, &m).is_empty());
    }

    #[test]
    fn the_openai_key_secret_and_textract() {
        let mut s = settings("openai", None);
        s.openai_api_key_secret =
            Some("arn:aws:secretsmanager:us-east-1:123456789012:secret:key-AbCdEf".into());
        let st = statements(Some(Stage::Extraction), &s, &BTreeMap::new());
        assert_eq!(st[0]["Action"], json!(["secretsmanager:GetSecretValue"]));
        assert_eq!(
            st[0]["Resource"],
            json!(s.openai_api_key_secret.clone().unwrap())
        );
        s.ocr_engine = "textract".into();
        let st = statements(Some(Stage::Ocr), &s, &BTreeMap::new());
        assert_eq!(st[0]["Resource"], json!("*"));
        assert!(
            st[0]["Action"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a.as_str().unwrap().starts_with("textract:"))
        );
    }
}
