//! The services in AWS: S3 for objects, DynamoDB for the tracking table, Step Functions for
//! executions and an asynchronous Lambda invoke for the hook. Configured from the environment
//! the stack's template gives every function.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use serde_json::Value;

use super::tracking::merge_details;
use super::{
    Executions, HookTarget, ObjectStore, StackNames, Started, StoreError, Tracking, TrackingRecord,
    TrackingUpdate,
};

/// Throttling, timeouts and server errors are worth a retry (the state machine retries
/// `idpctl.Transient`); anything else is not.
fn sdk_error<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    op: &str,
    e: SdkError<E, R>,
) -> StoreError {
    let transient_codes = [
        "ThrottlingException",
        "Throttling",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "SlowDown",
        "TooManyRequestsException",
        "InternalServerError",
        "InternalError",
        "ServiceUnavailable",
    ];
    let message = format!("{op}: {}", aws_sdk_s3::error::DisplayErrorContext(&e));
    match &e {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            StoreError::Transient(message)
        }
        SdkError::ServiceError(se)
            if se
                .err()
                .code()
                .is_some_and(|c| transient_codes.contains(&c)) =>
        {
            StoreError::Transient(message)
        }
        _ => StoreError::Permanent(message),
    }
}

pub struct S3Objects {
    client: aws_sdk_s3::Client,
}

impl S3Objects {
    /// `GetObject`, with a missing key reported as `NotFound` for every caller.
    async fn get_object(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<aws_sdk_s3::operation::get_object::GetObjectOutput, StoreError> {
        self.client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| {
                if e.as_service_error().is_some_and(|s| s.is_no_such_key()) {
                    StoreError::NotFound {
                        bucket: bucket.into(),
                        key: key.into(),
                    }
                } else {
                    sdk_error("GetObject", e)
                }
            })
    }

    async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: aws_sdk_s3::primitives::ByteStream,
        content_type: &str,
    ) -> Result<(), StoreError> {
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type(content_type)
            .body(body)
            .send()
            .await
            .map_err(|e| sdk_error("PutObject", e))?;
        Ok(())
    }
}

#[async_trait]
impl ObjectStore for S3Objects {
    async fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, StoreError> {
        let out = self.get_object(bucket, key).await?;
        let body = out
            .body
            .collect()
            .await
            .map_err(|e| StoreError::Transient(format!("GetObject body: {e}")))?;
        Ok(body.into_bytes().to_vec())
    }

    async fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StoreError> {
        self.put_object(bucket, key, body.into(), content_type)
            .await
    }

    async fn exists(&self, bucket: &str, key: &str) -> Result<bool, StoreError> {
        match self
            .client
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(false),
            Err(e) => Err(sdk_error("HeadObject", e)),
        }
    }

    async fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
        let mut keys = Vec::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("ListObjectsV2", e))?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_string)),
            );
        }
        keys.sort();
        Ok(keys)
    }

    async fn download(&self, bucket: &str, key: &str, to: &Path) -> Result<u64, StoreError> {
        let out = self.get_object(bucket, key).await?;
        let mut reader = out.body.into_async_read();
        let mut file = tokio::fs::File::create(to)
            .await
            .map_err(|e| StoreError::io(format!("cannot create {}", to.display()), e))?;
        tokio::io::copy(&mut reader, &mut file)
            .await
            .map_err(|e| StoreError::Transient(format!("GetObject body: {e}")))
    }

    async fn upload(
        &self,
        bucket: &str,
        key: &str,
        from: &Path,
        content_type: &str,
    ) -> Result<(), StoreError> {
        let body = aws_sdk_s3::primitives::ByteStream::from_path(from)
            .await
            .map_err(|e| StoreError::Permanent(format!("cannot read {}: {e}", from.display())))?;
        self.put_object(bucket, key, body, content_type).await
    }
}

pub struct DynamoTracking {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

fn to_item(r: &TrackingRecord) -> std::collections::HashMap<String, AttributeValue> {
    let mut item = std::collections::HashMap::new();
    for (k, v) in [
        ("id", Some(&r.id)),
        ("kind", Some(&r.kind)),
        ("batch_id", r.batch_id.as_ref()),
        ("status", Some(&r.status)),
        ("created_at", Some(&r.created_at)),
        ("updated_at", Some(&r.updated_at)),
        ("source", r.source.as_ref()),
        ("execution", r.execution.as_ref()),
        ("reason", r.reason.as_ref()),
    ] {
        if let Some(v) = v {
            item.insert(k.to_string(), s(v));
        }
    }
    item.insert("details".into(), s(&r.details.to_string()));
    item
}

fn from_item(item: &std::collections::HashMap<String, AttributeValue>) -> TrackingRecord {
    let get = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned();
    TrackingRecord {
        id: get("id").unwrap_or_default(),
        kind: get("kind").unwrap_or_default(),
        batch_id: get("batch_id"),
        status: get("status").unwrap_or_default(),
        created_at: get("created_at").unwrap_or_default(),
        updated_at: get("updated_at").unwrap_or_default(),
        source: get("source"),
        execution: get("execution"),
        reason: get("reason"),
        details: get("details")
            .and_then(|d| serde_json::from_str(&d).ok())
            .unwrap_or(Value::Null),
    }
}

impl DynamoTracking {
    async fn query(
        &self,
        index: &str,
        key: &str,
        value: &str,
    ) -> Result<Vec<TrackingRecord>, StoreError> {
        let mut out = Vec::new();
        let mut pages = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            // `status` is a DynamoDB reserved word: every expression names attributes by alias.
            .key_condition_expression("#k = :v")
            .expression_attribute_names("#k", key)
            .expression_attribute_values(":v", s(value))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("Query", e))?;
            out.extend(page.items().iter().map(from_item));
        }
        Ok(out)
    }
}

#[async_trait]
impl Tracking for DynamoTracking {
    async fn create(&self, r: &TrackingRecord) -> Result<bool, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(r)))
            .condition_expression("attribute_not_exists(id)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(sdk_error("PutItem", e)),
        }
    }

    async fn update(&self, id: &str, u: &TrackingUpdate) -> Result<(), StoreError> {
        let Some(mut record) = self.get(id).await? else {
            return Err(StoreError::Permanent(format!(
                "tracking record {id} does not exist"
            )));
        };
        if let Some(v) = &u.status {
            record.status = v.clone();
        }
        if let Some(v) = &u.reason {
            record.reason = Some(v.clone());
        }
        if let Some(v) = &u.execution {
            record.execution = Some(v.clone());
        }
        if let Some(patch) = &u.details {
            record.details = merge_details(record.details, patch);
        }
        record.updated_at = u.updated_at.clone();
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&record)))
            .condition_expression("attribute_exists(id)")
            .send()
            .await
            .map_err(|e| sdk_error("PutItem", e))?;
        Ok(())
    }

    async fn get(&self, id: &str) -> Result<Option<TrackingRecord>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("id", s(id))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_error("GetItem", e))?;
        Ok(out.item().map(from_item))
    }

    async fn by_batch(&self, batch_id: &str) -> Result<Vec<TrackingRecord>, StoreError> {
        self.query("by_batch", "batch_id", batch_id).await
    }

    async fn by_status(&self, status: &str) -> Result<Vec<TrackingRecord>, StoreError> {
        self.query("by_status", "status", status).await
    }
}

pub struct SfnExecutions {
    client: aws_sdk_sfn::Client,
    state_machine_arn: String,
}

#[async_trait]
impl Executions for SfnExecutions {
    async fn start(&self, name: &str, input: &Value) -> Result<Started, StoreError> {
        let result = self
            .client
            .start_execution()
            .state_machine_arn(&self.state_machine_arn)
            .name(name)
            .input(input.to_string())
            .send()
            .await;
        match result {
            // Step Functions answers a repeated start of a running execution with success and the
            // same ARN, so `new` here only means "not refused"; intake's conditional write in the
            // tracking table is what tells a first event from a repeat.
            Ok(out) => Ok(Started {
                execution: out.execution_arn().to_string(),
                new: true,
            }),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_execution_already_exists()) =>
            {
                Ok(Started {
                    execution: format!(
                        "{}:{name}",
                        self.state_machine_arn
                            .replacen(":stateMachine:", ":execution:", 1)
                    ),
                    new: false,
                })
            }
            Err(e) => Err(sdk_error("StartExecution", e)),
        }
    }
}

/// For functions that never start executions: the template gives them no state machine.
struct NoExecutions;

#[async_trait]
impl Executions for NoExecutions {
    async fn start(&self, _name: &str, _input: &Value) -> Result<Started, StoreError> {
        Err(StoreError::Permanent(
            "this function has no STATE_MACHINE_ARN; only intake starts executions".into(),
        ))
    }
}

pub struct LambdaHook {
    client: aws_sdk_lambda::Client,
    arn: String,
}

#[async_trait]
impl HookTarget for LambdaHook {
    fn describe(&self) -> String {
        self.arn.clone()
    }

    async fn deliver(&self, event: &Value) -> Result<(), StoreError> {
        self.client
            .invoke()
            .function_name(&self.arn)
            .invocation_type(aws_sdk_lambda::types::InvocationType::Event)
            .payload(aws_sdk_lambda::primitives::Blob::new(event.to_string()))
            .send()
            .await
            .map_err(|e| sdk_error("Invoke", e))?;
        Ok(())
    }
}

/// The AWS services for a function, from the variables its template sets.
pub async fn services(env: &dyn Fn(&str) -> Option<String>) -> Result<super::Services, String> {
    let names = StackNames::from_env(env)?;
    let table = env("TRACKING_TABLE")
        .filter(|t| !t.is_empty())
        .ok_or("environment variable TRACKING_TABLE is not set")?;
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let s3 = aws_sdk_s3::config::Builder::from(&config)
        .force_path_style(crate::aws::custom_endpoint())
        .build();
    let executions: Arc<dyn Executions> = match env("STATE_MACHINE_ARN").filter(|a| !a.is_empty()) {
        Some(arn) => Arc::new(SfnExecutions {
            client: aws_sdk_sfn::Client::new(&config),
            state_machine_arn: arn,
        }),
        None => Arc::new(NoExecutions),
    };
    let hook: Option<Arc<dyn HookTarget>> =
        env("HOOK_FUNCTION_ARN")
            .filter(|a| !a.is_empty())
            .map(|arn| {
                Arc::new(LambdaHook {
                    client: aws_sdk_lambda::Client::new(&config),
                    arn,
                }) as Arc<dyn HookTarget>
            });
    Ok(super::Services {
        names,
        objects: Arc::new(S3Objects {
            client: aws_sdk_s3::Client::from_conf(s3),
        }),
        tracking: Arc::new(DynamoTracking {
            client: aws_sdk_dynamodb::Client::new(&config),
            table,
        }),
        executions,
        hook,
        ocr: Arc::new(crate::pipeline::ocr::tesseract::Tesseract::default()),
        classes: Arc::new(crate::pipeline::config::ClassConfig::builtin()),
    })
}
