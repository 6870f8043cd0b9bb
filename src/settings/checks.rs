//! Value checks shared by every settings layer: the forms AWS itself would reject, caught before
//! anything is rendered or sent.

use super::{Architecture, ConfigError};
use crate::pipeline::ocr::packs::Languages;

/// CloudWatch Logs accepts only these retention periods.
pub const LOG_RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// An empty string (hook disabled) or a Lambda function ARN, optionally with a version or alias.
/// The same rule is the template's `AllowedPattern`, so a profile can't pass what a deploy rejects.
pub fn is_hook_arn(value: &str) -> bool {
    value.is_empty() || is_lambda_arn(value)
}

pub fn is_lambda_arn(value: &str) -> bool {
    let parts: Vec<&str> = value.split(':').collect();
    if !(7..=8).contains(&parts.len()) {
        return false;
    }
    let partition_ok = matches!(
        parts[1],
        "aws" | "aws-cn" | "aws-us-gov" | "aws-iso" | "aws-iso-b"
    );
    let name = parts[6];
    let name_ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    // A version, an alias, or `$LATEST` — the same rule as the template's AllowedPattern.
    let qualifier_ok = parts.get(7).is_none_or(|q| {
        *q == "$LATEST"
            || (!q.is_empty()
                && q.len() <= 128
                && q.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    });
    parts[0] == "arn"
        && partition_ok
        && parts[2] == "lambda"
        && is_region(parts[3])
        && is_account_id(parts[4])
        && parts[5] == "function"
        && name_ok
        && qualifier_ok
}

pub fn is_account_id(value: &str) -> bool {
    value.len() == 12 && value.chars().all(|c| c.is_ascii_digit())
}

/// `us-east-1`, `ap-southeast-2`, `us-gov-west-1`: letters and dashes, then a number.
pub fn is_region(value: &str) -> bool {
    let Some((head, num)) = value.rsplit_once('-') else {
        return false;
    };
    !head.is_empty()
        && head
            .split('-')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && head.contains('-')
        && !num.is_empty()
        && num.chars().all(|c| c.is_ascii_digit())
}

/// CloudFormation stack names: a letter, then letters, digits and dashes, 128 at most. idpctl
/// also derives bucket-name prefixes from it, so upper case is refused early.
pub fn is_stack_name(value: &str) -> bool {
    let mut chars = value.chars();
    value.len() <= 100
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !value.ends_with('-')
}

pub fn is_email(value: &str) -> bool {
    let Some((user, domain)) = value.split_once('@') else {
        return false;
    };
    !user.is_empty() && domain.contains('.') && !domain.starts_with('.') && !value.contains(' ')
}

/// A registry's base URL: http(s), a host, and no path (the distribution API's `/v2/` goes
/// after it).
pub fn is_registry_url(value: &str) -> bool {
    let Some(rest) = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
    else {
        return false;
    };
    let rest = rest.trim_end_matches('/');
    !rest.is_empty() && !rest.contains('/') && !rest.contains(char::is_whitespace)
}

pub fn parse_architecture(value: &str) -> Option<Architecture> {
    match value {
        "arm64" => Some(Architecture::Arm64),
        "x86_64" => Some(Architecture::X86_64),
        _ => None,
    }
}

/// `engines.tesseract.languages` typed where it is read, so every later reader has the packs the
/// setting names; `origin` is where the value was written.
pub fn parse_languages(value: &str, origin: String) -> Result<Languages, ConfigError> {
    Languages::parse(value).map_err(|message| ConfigError::Invalid {
        origin,
        key: "engines.tesseract.languages".into(),
        message,
        fix: format!(
            "use `auto`, or packs joined by `+` with the first read first (e.g. eng+deu+fra) among: eng, {}",
            crate::pipeline::ocr::language::packs()
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_arns() {
        for ok in [
            "",
            "arn:aws:lambda:us-east-1:123456789012:function:my-post-processor",
            "arn:aws:lambda:us-east-1:123456789012:function:enterprise-integration:PROD",
            "arn:aws:lambda:eu-west-1:123456789012:function:f:$LATEST",
            "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f:7",
        ] {
            assert!(is_hook_arn(ok), "{ok}");
        }
        for bad in [
            "my-function",
            "arn:aws:s3:::bucket",
            "arn:aws:lambda:us-east-1:1234:function:f",
            "arn:aws:lambda:us-east-1:123456789012:layer:f",
            "arn:aws:lambda:us-east-1:123456789012:function:",
            "arn:aws:lambda:us-east-1:123456789012:function:f:a:b",
            "arn:aws:lambda:us-east-1:123456789012:function:f:$PROD",
            "arn:aws:lambda:useast1:123456789012:function:f",
            " arn:aws:lambda:us-east-1:123456789012:function:f",
        ] {
            assert!(!is_hook_arn(bad), "{bad}");
        }
    }

    #[test]
    fn regions_and_names() {
        assert!(
            is_region("us-east-1") && is_region("ap-southeast-2") && is_region("us-gov-west-1")
        );
        assert!(!is_region("us-east") && !is_region("US-EAST-1") && !is_region("east-1"));
        assert!(is_stack_name("idp-dev") && !is_stack_name("Idp") && !is_stack_name("idp-"));
        assert!(is_email("ops@example.com") && !is_email("ops") && !is_email("a@b"));
    }
}
