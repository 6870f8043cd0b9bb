//! Engines must run where their function runs: the Lambda zip holds only `bootstrap`, so an
//! engine that is a program (Tesseract) cannot run in a zip-packaged function. Read off the
//! rendered template (the function's `OCR_ENGINE` and package type), so a hand-edited
//! template is checked the same way.

use serde_json::Value;

use super::Finding;

/// Engines that need a program beside the binary, and what to do instead.
const NEEDS_PROGRAM: &[(&str, &str)] = &[(
    "tesseract",
    "set `engines.ocr: none` in the profile (scanned pages then fail with that reason); \
     Tesseract runs in the local profile, and in Lambda only inside a container image",
)];

pub fn check(template: &Value) -> Vec<Finding> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (id, r) in resources {
        if r.get("Type").and_then(Value::as_str) != Some("AWS::Lambda::Function") {
            continue;
        }
        let props = &r["Properties"];
        let image = props.get("PackageType").and_then(Value::as_str) == Some("Image");
        let Some(engine) = props
            .pointer("/Environment/Variables/OCR_ENGINE")
            .and_then(Value::as_str)
        else {
            continue;
        };
        if image {
            continue;
        }
        if let Some((_, fix)) = NEEDS_PROGRAM.iter().find(|(e, _)| *e == engine) {
            out.push(Finding::error(
                "engine-package",
                format!("template.yaml: Resources.{id}.Properties.Environment.Variables.OCR_ENGINE"),
                format!(
                    "OCR engine `{engine}` cannot run in {id}: the function is packaged as a zip that holds only `bootstrap`, not the `{engine}` program; {fix}"
                ),
            ));
        }
    }
    out
}

/// What can keep the profile's model engine from working where the stack runs. Deployed
/// functions reach Bedrock with their role (granted the configuration's models), and an
/// OpenAI-compatible server over the network with the key in a Secrets Manager secret.
pub fn llm_for_target(settings: &crate::settings::Settings) -> Vec<Finding> {
    use crate::settings::Target;
    let location = |key: &str| format!("profile {}: {key}", settings.profile);
    let mut out = Vec::new();
    let used: std::collections::BTreeSet<String> = crate::engines::Stage::ALL
        .iter()
        .map(|s| crate::engines::EngineSpec::for_stage(settings, *s).engine)
        .collect();
    if used.contains("bedrock") {
        // A configuration that does not load is reported by the class-config checks.
        if let Ok(config) = crate::pipeline::config::sources::effective(settings) {
            let missing = crate::engines::grants::stages_without_model(settings, &config);
            if !missing.is_empty() {
                let names: Vec<&str> = missing.iter().map(|s| s.name()).collect();
                out.push(Finding::error(
                        "engine-model",
                        location("engines.bedrock.model"),
                        format!(
                            "no Bedrock model is named for {}: set engines.bedrock.model (the model of every stage the configuration names none for), `engines.<stage>.model`, or `model:` in those sections of the class configuration",
                            names.join(", ")
                        ),
                    ));
            }
        }
    }
    if used.contains("openai") && settings.target != Target::Local {
        let url = settings.openai_base_url.as_deref().unwrap_or_default();
        let host = url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', ':']).next())
            .unwrap_or_default();
        let loopback = host == "localhost"
            || host.starts_with("127.")
            || host == "0.0.0.0"
            || url.contains("[::1]");
        // A warning, not an error: against an emulator on this machine it is right.
        if loopback {
            out.push(Finding::new(
                    super::Severity::Warning,
                    "engine-target",
                    location("engines.openai.base_url"),
                    format!(
                        "`{url}` is this machine: functions deployed to AWS cannot reach it; use an address they reach (a gateway, or a server in their network)"
                    ),
                ));
        }
        match &settings.openai_api_key_secret {
                Some(secret) if !secret.starts_with("arn:") || !secret.contains(":secretsmanager:") => {
                    out.push(Finding::error(
                        "engine-target",
                        location("engines.openai.api_key_secret"),
                        format!(
                            "`{secret}` is not a Secrets Manager secret ARN; the functions' roles are granted secretsmanager:GetSecretValue on exactly this ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>)"
                        ),
                    ))
                }
                Some(_) => {}
                None => out.push(Finding::new(
                    super::Severity::Info,
                    "engine-target",
                    location("engines.openai.api_key_secret"),
                    "deployed functions call the OpenAI-compatible server without an API key (IDPCTL_OPENAI_API_KEY is read by local runs only); set engines.openai.api_key_secret to a Secrets Manager secret ARN if the server needs one",
                )),
            }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn aws(engine: &str) -> crate::settings::Settings {
        let mut s = crate::settings::Settings::for_tests("prod");
        s.target = crate::settings::Target::Aws;
        s.llm_engine = engine.into();
        s
    }

    #[test]
    fn bedrock_without_any_model_for_a_stage_is_an_error() {
        let s = aws("bedrock");
        let f = llm_for_target(&s);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, super::super::Severity::Error);
        assert!(f[0].message.contains("classification"), "{}", f[0].message);
        let mut s = s;
        s.bedrock_model = Some("amazon.nova-lite-v1:0".into());
        assert!(llm_for_target(&s).is_empty());
    }

    #[test]
    fn openai_in_aws_needs_a_reachable_server_and_a_secret_arn() {
        let mut s = aws("openai");
        s.openai_base_url = Some("http://127.0.0.1:8080/v1".into());
        s.openai_api_key_secret = Some("my-key".into());
        let f = llm_for_target(&s);
        let severities: Vec<_> = f.iter().map(|f| f.severity).collect();
        assert_eq!(
            severities,
            [
                super::super::Severity::Warning,
                super::super::Severity::Error
            ],
            "{f:?}"
        );
        assert!(f[1].message.contains("not a Secrets Manager secret ARN"));
        s.openai_base_url = Some("https://llm.internal.example.com/v1".into());
        s.openai_api_key_secret =
            Some("arn:aws:secretsmanager:us-east-1:123456789012:secret:key-AbCdEf".into());
        assert!(llm_for_target(&s).is_empty());
        s.openai_api_key_secret = None;
        assert_eq!(llm_for_target(&s)[0].severity, super::super::Severity::Info);
        s.target = crate::settings::Target::Local;
        assert!(
            llm_for_target(&s).is_empty(),
            "a local stack uses IDPCTL_OPENAI_API_KEY"
        );
    }

    fn function(engine: &str, package: Option<&str>) -> Value {
        let mut props = json!({"Environment": {"Variables": {"OCR_ENGINE": engine}}});
        if let Some(p) = package {
            props["PackageType"] = json!(p);
        }
        json!({"Resources": {"OcrFunction": {"Type": "AWS::Lambda::Function", "Properties": props}}})
    }

    #[test]
    fn tesseract_in_a_zip_is_refused_with_the_fix() {
        let f = check(&function("tesseract", None));
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("engines.ocr: none"),
            "{}",
            f[0].message
        );
        assert!(check(&function("none", None)).is_empty());
        assert!(check(&function("tesseract", Some("Image"))).is_empty());
    }
}
