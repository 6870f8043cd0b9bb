//! `package: image` checks: where the image is pushed, and the images stack's template (its
//! repository), which `validate` also hands to cfn-lint and checkov as `images.yaml`.

use serde_json::Value;

use super::{Finding, Severity};
use crate::settings::{PackageKind, Settings, Target};
use crate::stack::images::RenderedImages;

/// Whether a registry URL's host is this machine: the only place a plain-http push is safe.
fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split('/').next().unwrap_or_default();
    let host = host
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(h, _)| h);
    matches!(host, "localhost" | "127.0.0.1" | "[::1]") || host.starts_with("127.")
}

pub fn check(settings: &Settings, images: Option<&RenderedImages>) -> Vec<Finding> {
    let location = |key: &str| format!("profile {}: {key}", settings.profile);
    let mut out = Vec::new();
    if settings.package != PackageKind::Image {
        if settings.registry_url.is_some() {
            out.push(Finding::new(
                Severity::Warning,
                "image-registry",
                location("image.registry_url"),
                "is set, but `package` is `zip`: nothing is pushed to a registry; set `package: image` or remove it",
            ));
        }
        return out;
    }
    if settings.target == Target::Local {
        out.push(Finding::new(
            Severity::Info,
            "image-local",
            location("package"),
            "`image` has no effect on the local stack, which runs its functions on this machine",
        ));
    }
    if let Some(url) = &settings.registry_url {
        if url.starts_with("http://") && !is_loopback(url) {
            out.push(Finding::error(
                "image-registry",
                location("image.registry_url"),
                format!(
                    "`{url}` is plain http to another machine: ECR's push token would cross the network unencrypted; use https:// (plain http only for a registry on this machine)"
                ),
            ));
        } else {
            out.push(Finding::new(
                Severity::Info,
                "image-registry",
                location("image.registry_url"),
                format!("images are pushed to {url} instead of the endpoint ECR names"),
            ));
        }
    }
    if let Some(images) = images {
        out.extend(repository(images));
    }
    out
}

/// The repository must keep what `deploy` relies on: immutable tags, scan on push, a lifecycle
/// policy and a pull grant for Lambda (a hand-edited template is checked the same way).
fn repository(images: &RenderedImages) -> Vec<Finding> {
    let mut out = Vec::new();
    let repos: Vec<(&String, &Value)> = images
        .template
        .get("Resources")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some("AWS::ECR::Repository"))
        .collect();
    if repos.len() != 1 {
        out.push(Finding::error(
            "image-repository",
            "images.yaml: Resources",
            format!(
                "the images stack must define exactly one AWS::ECR::Repository, it defines {}",
                repos.len()
            ),
        ));
        return out;
    }
    let (id, r) = repos[0];
    let p = &r["Properties"];
    let at = |key: &str| format!("images.yaml: Resources.{id}.Properties.{key}");
    if p["ImageTagMutability"] != "IMMUTABLE" {
        out.push(Finding::error(
            "image-repository",
            at("ImageTagMutability"),
            "tags must be IMMUTABLE: a moved tag would change what a function runs",
        ));
    }
    if p.pointer("/ImageScanningConfiguration/ScanOnPush") != Some(&Value::Bool(true)) {
        out.push(Finding::new(
            Severity::Warning,
            "image-repository",
            at("ImageScanningConfiguration"),
            "images are not scanned on push",
        ));
    }
    if p.pointer("/LifecyclePolicy/LifecyclePolicyText").is_none() {
        out.push(Finding::new(
            Severity::Warning,
            "image-repository",
            at("LifecyclePolicy"),
            "no lifecycle policy: every pushed image is kept (and paid for) forever",
        ));
    }
    let lambda_pulls = p
        .pointer("/RepositoryPolicyText/Statement")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|s| {
            s["Effect"] == "Allow"
                && s.pointer("/Principal/Service") == Some(&Value::from("lambda.amazonaws.com"))
                && s["Action"].to_string().contains("ecr:BatchGetImage")
        });
    if !lambda_pulls {
        out.push(Finding::error(
            "image-repository",
            at("RepositoryPolicyText"),
            "Lambda (lambda.amazonaws.com) may not pull from the repository: functions would fail to create",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::Assets;

    fn image_settings() -> Settings {
        let mut s = Settings::for_tests("dev");
        s.package = PackageKind::Image;
        s
    }

    #[test]
    fn the_rendered_repository_is_clean_and_a_weakened_one_is_not() {
        let settings = image_settings();
        let mut images = crate::stack::images::render(&Assets::builtin(), &settings).unwrap();
        assert_eq!(check(&settings, Some(&images)), vec![]);
        let p = &mut images.template["Resources"]["Repository"]["Properties"];
        p["ImageTagMutability"] = "MUTABLE".into();
        p.as_object_mut().unwrap().remove("RepositoryPolicyText");
        let rules: Vec<String> = check(&settings, Some(&images))
            .iter()
            .map(|f| format!("{} {}", f.severity.as_str(), f.location))
            .collect();
        assert_eq!(
            rules,
            vec![
                "error images.yaml: Resources.Repository.Properties.ImageTagMutability",
                "error images.yaml: Resources.Repository.Properties.RepositoryPolicyText",
            ]
        );
    }

    #[test]
    fn plain_http_is_for_this_machine_only() {
        let mut settings = image_settings();
        settings.registry_url = Some("http://127.0.0.1:5000".into());
        let f = check(&settings, None);
        assert_eq!(f[0].severity, Severity::Info, "{f:?}");
        settings.registry_url = Some("http://registry.example.com:5000".into());
        let f = check(&settings, None);
        assert_eq!(f[0].severity, Severity::Error, "{f:?}");
        assert!(f[0].message.contains("unencrypted"));
        settings.registry_url = Some("https://registry.example.com".into());
        assert_eq!(check(&settings, None)[0].severity, Severity::Info);
        settings.package = PackageKind::Zip;
        assert_eq!(check(&settings, None)[0].severity, Severity::Warning);
    }
}
