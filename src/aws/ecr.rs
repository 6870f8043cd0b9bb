//! ECR's side of a push: the registry endpoint and the credentials for it, from
//! `GetAuthorizationToken`. The push itself speaks the OCI distribution API (`registry.rs`).

use super::registry::{Registry, RegistryError};
use super::{AwsError, Session};

/// Where to push and with what.
#[derive(Debug)]
pub struct Login {
    /// The endpoint ECR names (`https://<account>.dkr.ecr.<region>.amazonaws.com`).
    pub proxy_endpoint: String,
    /// `Basic <base64 "AWS:<password>">`: the token is already that pair, base64-encoded.
    authorization: String,
}

impl Login {
    /// The registry to push to: ECR's endpoint, or `override_url` (a private endpoint, or a
    /// local registry in tests), with ECR's credentials either way.
    pub fn registry(&self, override_url: Option<&str>) -> Result<Registry, RegistryError> {
        Registry::new(
            override_url.unwrap_or(&self.proxy_endpoint),
            Some(self.authorization.clone()),
        )
    }
}

/// A repository's URI (`<registry host>/<name>`), as ECR names it.
pub async fn repository_uri(session: &Session, name: &str) -> Result<String, AwsError> {
    let out = session
        .ecr()
        .describe_repositories()
        .repository_names(name)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("DescribeRepositories", e))?;
    out.repositories()
        .first()
        .and_then(|r| r.repository_uri())
        .map(str::to_string)
        .ok_or(AwsError::Other {
            operation: "DescribeRepositories",
            detail: format!("ECR has no repository {name}"),
        })
}

/// Asks ECR for a push token for this account's registry.
pub async fn login(session: &Session) -> Result<Login, AwsError> {
    let out = session
        .ecr()
        .get_authorization_token()
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("GetAuthorizationToken", e))?;
    let data = out.authorization_data().first().ok_or(AwsError::Other {
        operation: "GetAuthorizationToken",
        detail: "ECR returned no authorization data".into(),
    })?;
    let token = data.authorization_token().unwrap_or_default();
    let endpoint = data.proxy_endpoint().unwrap_or_default();
    if token.is_empty() || endpoint.is_empty() {
        return Err(AwsError::Other {
            operation: "GetAuthorizationToken",
            detail: "ECR returned no token or no endpoint".into(),
        });
    }
    Ok(Login {
        proxy_endpoint: endpoint.to_string(),
        authorization: format!("Basic {token}"),
    })
}
