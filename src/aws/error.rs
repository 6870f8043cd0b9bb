//! AWS failures as people need them: no credentials and a wrong endpoint are the caller's to fix
//! (with the fix in the hint); a service's refusal keeps its code and message.

use std::fmt::Debug;

use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::diagnose::Diagnose;
use crate::exit::ExitStatus;

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error("no AWS credentials found ({detail})")]
    NoCredentials { detail: String },
    #[error("cannot reach {endpoint} ({detail})")]
    Unreachable { endpoint: String, detail: String },
    #[error("{operation}: {code}: {message}")]
    Service {
        operation: &'static str,
        code: String,
        message: String,
    },
    #[error("{operation}: {detail}")]
    Other {
        operation: &'static str,
        detail: String,
    },
}

/// The endpoint requests go to, for messages.
pub fn endpoint_description() -> String {
    match std::env::var("AWS_ENDPOINT_URL") {
        Ok(url) if !url.is_empty() => format!("the AWS endpoint {url} (AWS_ENDPOINT_URL)"),
        _ => "AWS".into(),
    }
}

impl AwsError {
    /// Converts any SDK error, keeping the service's error code.
    pub fn from_sdk<E, R>(operation: &'static str, err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: Debug,
    {
        let detail = DisplayErrorContext(&err).to_string();
        match &err {
            SdkError::ServiceError(service) => {
                let e = service.err();
                AwsError::Service {
                    operation,
                    code: e.code().unwrap_or("Unknown").to_string(),
                    message: e.message().unwrap_or("no message").to_string(),
                }
            }
            SdkError::DispatchFailure(d) if d.is_io() || d.is_timeout() => AwsError::Unreachable {
                endpoint: endpoint_description(),
                detail: d
                    .as_connector_error()
                    .map_or_else(|| short(&detail), |c| innermost(c)),
            },
            SdkError::TimeoutError(_) => AwsError::Unreachable {
                endpoint: endpoint_description(),
                detail: "timed out".into(),
            },
            _ if detail.contains("credentials") || detail.contains("auth scheme") => {
                AwsError::NoCredentials {
                    detail: short(&detail),
                }
            }
            _ => AwsError::Other {
                operation,
                detail: short(&detail),
            },
        }
    }

    /// The service's error code, if the service answered.
    pub fn code(&self) -> Option<&str> {
        match self {
            AwsError::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    pub fn message(&self) -> String {
        match self {
            AwsError::Service { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
}

/// The root of an error chain: for a refused connection, "Connection refused (os error 111)".
fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// The SDK's context chains repeat themselves; the last two links say what happened.
fn short(detail: &str) -> String {
    let parts: Vec<&str> = detail.split(": ").collect();
    let tail = &parts[parts.len().saturating_sub(2)..];
    tail.join(": ")
}

impl Diagnose for AwsError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            AwsError::NoCredentials { .. } => "set AWS_PROFILE (see `aws configure`), or AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY; for an emulator such as moto any values do (e.g. testing)"
                .into(),
            AwsError::Unreachable { .. } if std::env::var_os("AWS_ENDPOINT_URL").is_some() => {
                "is the emulator running? start it (e.g. `moto_server -p 5000`) or unset AWS_ENDPOINT_URL to use AWS"
                    .into()
            }
            AwsError::Unreachable { .. } => "check the network connection and the region (--region)".into(),
            AwsError::Service { code, .. } => match code.as_str() {
                "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
                    "the credentials in use lack this permission: use a role that may deploy the stack".into()
                }
                "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => {
                    "the session expired: sign in again (e.g. `aws sso login`)".into()
                }
                "InvalidClientTokenId" | "UnrecognizedClientException" | "SignatureDoesNotMatch" => {
                    "the credentials are not valid for this account and region: check AWS_PROFILE or the keys".into()
                }
                "Throttling" | "ThrottlingException" => "AWS is throttling requests: try again in a minute".into(),
                _ => return None,
            },
            AwsError::Other { .. } => return None,
        })
    }

    fn status(&self) -> ExitStatus {
        match self {
            AwsError::NoCredentials { .. } => ExitStatus::Usage,
            AwsError::Service { code, .. }
                if matches!(
                    code.as_str(),
                    "InvalidClientTokenId"
                        | "UnrecognizedClientException"
                        | "SignatureDoesNotMatch"
                ) =>
            {
                ExitStatus::Usage
            }
            _ => ExitStatus::Findings,
        }
    }
}
