//! The artifacts bucket: created on first use (encrypted, private, TLS only), keyed by content
//! hash so an unchanged artifact is never uploaded twice.

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, PublicAccessBlockConfiguration,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule,
};

use super::AwsError;

/// One bucket per account and region, shared by every stack idpctl deploys there.
pub fn bucket_name(account: &str, region: &str) -> String {
    format!("idpctl-artifacts-{account}-{region}")
}

/// Makes sure the bucket exists and is ours; returns true when it was created now.
pub async fn ensure_bucket(
    s3: &Client,
    bucket: &str,
    account: &str,
    region: &str,
) -> Result<bool, AwsError> {
    match s3
        .head_bucket()
        .bucket(bucket)
        .expected_bucket_owner(account)
        .send()
        .await
    {
        Ok(_) => return Ok(false),
        Err(e) => {
            let err = AwsError::from_sdk("HeadBucket", e);
            // HeadBucket has no body, so a missing bucket is only a 404 without a code.
            let missing = matches!(err.code(), Some("NotFound" | "NoSuchBucket" | "Unknown"));
            if !missing {
                return Err(err);
            }
        }
    }
    let mut create = s3.create_bucket().bucket(bucket);
    // us-east-1 is the one region that must not be named as a location constraint.
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    create
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("CreateBucket", e))?;
    s3.put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("PutPublicAccessBlock", e))?;
    let rule = ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(
            ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::Aes256)
                .build()
                .map_err(|e| AwsError::Other {
                    operation: "PutBucketEncryption",
                    detail: e.to_string(),
                })?,
        )
        .build();
    s3.put_bucket_encryption()
        .bucket(bucket)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(rule)
                .build()
                .map_err(|e| AwsError::Other {
                    operation: "PutBucketEncryption",
                    detail: e.to_string(),
                })?,
        )
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("PutBucketEncryption", e))?;
    // Over a plain-http endpoint (a local emulator) a TLS-only policy would deny idpctl itself.
    if plain_http_endpoint() {
        return Ok(true);
    }
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}
        }]
    });
    s3.put_bucket_policy()
        .bucket(bucket)
        .policy(policy.to_string())
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("PutBucketPolicy", e))?;
    Ok(true)
}

fn plain_http_endpoint() -> bool {
    ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .is_some_and(|url| url.starts_with("http://"))
}

/// Uploads unless an object with this key (the content hash) is already there; returns true
/// when it uploaded.
pub async fn upload(s3: &Client, bucket: &str, key: &str, bytes: &[u8]) -> Result<bool, AwsError> {
    match s3.head_object().bucket(bucket).key(key).send().await {
        Ok(_) => return Ok(false),
        Err(e) => {
            let err = AwsError::from_sdk("HeadObject", e);
            if !matches!(err.code(), Some("NotFound" | "NoSuchKey" | "Unknown")) {
                return Err(err);
            }
        }
    }
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .server_side_encryption(ServerSideEncryption::Aes256)
        .body(ByteStream::from(bytes.to_vec()))
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("PutObject", e))?;
    Ok(true)
}
