//! Whether a deploy would change nothing: the rendered template, the parameters (which carry the
//! artifact's hash in its S3 key) and the stack tags all equal what is deployed. Then no change
//! set is created at all — faster than CloudFormation's own "no changes" answer, and it leaves no
//! FAILED change sets behind.

use std::collections::BTreeMap;

use super::types::StackInfo;

/// What the deploy would send.
#[derive(Debug, Clone, PartialEq)]
pub struct Desired<'a> {
    pub template: &'a str,
    pub parameters: &'a BTreeMap<String, String>,
    pub tags: &'a BTreeMap<String, String>,
}

/// True when the deployed stack already is `desired`. `deployed_template` is the body
/// `GetTemplate` returns for the original (unprocessed) stage.
pub fn is_unchanged(stack: &StackInfo, deployed_template: &str, desired: &Desired<'_>) -> bool {
    // Only a stack whose last operation succeeded is known to match its template; after a
    // rollback the template is the old one but resources may not be.
    let stable = matches!(
        stack.stack_status.as_str(),
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "UPDATE_ROLLBACK_COMPLETE"
    );
    // Parameters the template gives defaults for and we do not send still come back from
    // DescribeStacks; with an identical template those defaults are identical too.
    let parameters_match = desired
        .parameters
        .iter()
        .all(|(k, v)| stack.parameters.get(k) == Some(v));
    let tags_match = &stack.tags == desired.tags;
    stable && deployed_template == desired.template && parameters_match && tags_match
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(status: &str, params: &[(&str, &str)]) -> StackInfo {
        StackInfo {
            stack_status: status.into(),
            parameters: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..StackInfo::default()
        }
    }

    #[test]
    fn unchanged_only_when_template_parameters_and_tags_all_match() {
        let params: BTreeMap<String, String> =
            [("ArtifactKey".to_string(), "abc.zip".to_string())].into();
        let tags = BTreeMap::new();
        let desired = Desired {
            template: "T",
            parameters: &params,
            tags: &tags,
        };
        let deployed = stack(
            "UPDATE_COMPLETE",
            &[("ArtifactKey", "abc.zip"), ("Defaulted", "1")],
        );
        assert!(is_unchanged(&deployed, "T", &desired));
        assert!(!is_unchanged(&deployed, "T2", &desired));
        let other_artifact = stack("UPDATE_COMPLETE", &[("ArtifactKey", "def.zip")]);
        assert!(!is_unchanged(&other_artifact, "T", &desired));
        let rolled_back = stack("ROLLBACK_COMPLETE", &[("ArtifactKey", "abc.zip")]);
        assert!(!is_unchanged(&rolled_back, "T", &desired));
        let tagged: BTreeMap<String, String> = [("team".to_string(), "docs".to_string())].into();
        let with_tags = Desired {
            tags: &tagged,
            ..desired
        };
        assert!(!is_unchanged(&deployed, "T", &with_tags));
    }
}
