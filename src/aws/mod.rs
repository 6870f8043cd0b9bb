//! The AWS side: one SDK configuration per run (region from the settings, endpoint from
//! `AWS_ENDPOINT_URL` when set, credentials checked before the first call) and thin wrappers
//! that speak idpctl's types, behind traits where the flows need to replace them in tests.

pub mod artifacts;
pub mod calls;
pub mod cfn;
pub mod ecr;
pub mod error;
pub mod inspect;
pub mod registry;

use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::ProvideCredentials as _;

pub use error::AwsError;

/// A runtime for one command: idpctl's AWS calls are sequential, one thread is plenty.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Whether requests go to an endpoint other than AWS's own (an emulator such as moto).
pub fn custom_endpoint() -> bool {
    ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"]
        .iter()
        .any(|k| std::env::var_os(k).is_some_and(|v| !v.is_empty()))
}

/// A configured, authenticated connection: the SDK config and the account it acts in.
#[derive(Debug, Clone)]
pub struct Session {
    pub config: SdkConfig,
    pub account: String,
    pub region: String,
    /// Who the credentials are (`arn:aws:iam::…:user/…`), as records of who did what name them.
    pub caller_arn: String,
}

impl Session {
    /// Loads the configuration for `region`, checks that credentials exist and asks STS whose
    /// they are — the one call that proves the endpoint answers.
    pub async fn connect(region: &str) -> Result<Session, AwsError> {
        let timeouts = aws_config::timeout::TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .build();
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .timeout_config(timeouts)
            .load()
            .await;
        let Some(provider) = config.credentials_provider() else {
            return Err(AwsError::NoCredentials {
                detail: "no credential provider is configured".into(),
            });
        };
        if let Err(e) = provider.provide_credentials().await {
            return Err(AwsError::NoCredentials {
                detail: e.to_string(),
            });
        }
        let identity = aws_sdk_sts::Client::new(&config)
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("GetCallerIdentity", e))?;
        Ok(Session {
            account: identity.account().unwrap_or_default().to_string(),
            caller_arn: identity.arn().unwrap_or_default().to_string(),
            region: region.to_string(),
            config,
        })
    }

    pub fn cloudformation(&self) -> aws_sdk_cloudformation::Client {
        aws_sdk_cloudformation::Client::new(&self.config)
    }

    /// Path-style addressing with a custom endpoint: emulators serve one host, not a
    /// subdomain per bucket.
    pub fn s3(&self) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.config)
            .force_path_style(custom_endpoint())
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    pub fn lambda(&self) -> aws_sdk_lambda::Client {
        aws_sdk_lambda::Client::new(&self.config)
    }

    pub fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.config)
    }

    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.config)
    }

    pub fn cloudwatch(&self) -> aws_sdk_cloudwatch::Client {
        aws_sdk_cloudwatch::Client::new(&self.config)
    }

    pub fn sfn(&self) -> aws_sdk_sfn::Client {
        aws_sdk_sfn::Client::new(&self.config)
    }

    pub fn ecr(&self) -> aws_sdk_ecr::Client {
        aws_sdk_ecr::Client::new(&self.config)
    }
}

/// Refuses to act in an account other than the one the profile pins.
pub fn check_account(
    pinned: Option<&str>,
    actual: &str,
    profile: &str,
) -> Result<(), crate::diagnose::Hinted> {
    match pinned {
        Some(want) if want != actual => Err(crate::diagnose::Hinted::usage(
            format!(
                "profile `{profile}` pins account {want}, but the credentials in use act in account {actual}"
            ),
            format!(
                "switch to credentials for account {want} (e.g. AWS_PROFILE), or change `account_id` in the profile"
            ),
        )),
        _ => Ok(()),
    }
}

/// Connects for a command: the session, with the profile's account pin enforced.
pub async fn connect(settings: &crate::settings::Settings) -> anyhow::Result<Session> {
    use anyhow::Context as _;
    let session = Session::connect(&settings.region)
        .await
        .with_context(|| format!("cannot connect to AWS in {}", settings.region))?;
    check_account(
        settings.account_id.as_deref(),
        &session.account,
        &settings.profile,
    )?;
    Ok(session)
}
