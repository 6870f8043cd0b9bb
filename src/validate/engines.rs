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

/// A model engine the deployed functions cannot run yet: only `rules` is wired into the
/// template (the `openai` key would have to come from Secrets Manager, which is not built).
pub fn llm_for_target(settings: &crate::settings::Settings) -> Option<Finding> {
    (settings.target != crate::settings::Target::Local && settings.llm_engine != "rules").then(|| {
        Finding::error(
            "engine-target",
            format!("profile {}: engines.llm", settings.profile),
            format!(
                "model engine `{}` runs on the local stack only in this release: deployed functions would need its API key from Secrets Manager, which idpctl does not wire yet; deploy with `engines.llm: rules`",
                settings.llm_engine
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
