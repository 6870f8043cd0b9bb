//! The drift guard of local runs: a handler run by the local runtime gets services that check
//! every call against the handler's `ACCESS` declaration (the one its deployed role is rendered
//! from) before making it. A call the declaration lacks fails like AWS would refuse it, with the
//! handler, action and resource named, so any local or end-to-end test that reaches the call
//! shows the declaration is missing it, long before a deploy does.
//!
//! Buckets are recognised by the names in [`Services::names`]. The hook and the OCR engine pass
//! through unchecked: invoking the hook is granted by the hook part of the template, and OCR is
//! not an AWS call. Reading the configuration is checked even when the answer is cached: the
//! code path reads the table whenever the cache is cold or stale.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

use crate::handlers::Handler;
use crate::handlers::access::{self, Action, Bucket, Index, Resource};
use crate::services::{
    ConfigSource, Executions, Loaded, ObjectStore, Services, StackNames, Started, StoreError,
    Tracking, TrackingRecord, TrackingUpdate,
};

/// `services` as `handler` may use them: every object, tracking and execution call is checked
/// against its declaration first.
pub fn guarded(handler: Handler, services: &Services) -> Services {
    let guard = Arc::new(Guard {
        handler,
        names: services.names.clone(),
    });
    Services {
        objects: Arc::new(GuardedObjects {
            guard: guard.clone(),
            inner: services.objects.clone(),
        }),
        tracking: Arc::new(GuardedTracking {
            guard: guard.clone(),
            inner: services.tracking.clone(),
        }),
        executions: Arc::new(GuardedExecutions {
            guard: guard.clone(),
            inner: services.executions.clone(),
        }),
        config: Arc::new(GuardedConfig {
            guard,
            inner: services.config.clone(),
        }),
        ..services.clone()
    }
}

struct Guard {
    handler: Handler,
    names: StackNames,
}

impl Guard {
    fn check(&self, action: Action, resource: Resource) -> Result<(), StoreError> {
        if access::allows(self.handler.access(), action, resource) {
            return Ok(());
        }
        let h = self.handler.name();
        Err(StoreError::Permanent(format!(
            "{h} calls {action} on {resource} but does not declare it in ACCESS (src/handlers/{h}.rs)"
        )))
    }

    /// Which of the stack's buckets a name is; any other bucket is refused, as no role of the
    /// stack reaches it.
    fn bucket(&self, action: Action, name: &str) -> Result<Bucket, StoreError> {
        let n = &self.names;
        Bucket::ALL
            .into_iter()
            .find(|b| {
                name == match b {
                    Bucket::Input => &n.input_bucket,
                    Bucket::Working => &n.working_bucket,
                    Bucket::Output => &n.output_bucket,
                }
            })
            .ok_or_else(|| {
                StoreError::Permanent(format!(
                    "{} calls {action} on bucket `{name}`, which is not a bucket of this stack",
                    self.handler.name()
                ))
            })
    }

    fn objects(&self, action: Action, bucket: &str) -> Result<(), StoreError> {
        let b = self.bucket(action, bucket)?;
        let resource = match action {
            Action::ListBucket => Resource::Bucket(b),
            _ => Resource::Objects(b),
        };
        self.check(action, resource)
    }
}

struct GuardedConfig {
    guard: Arc<Guard>,
    inner: Arc<dyn ConfigSource>,
}

#[async_trait]
impl ConfigSource for GuardedConfig {
    async fn current(&self) -> Result<Arc<Loaded>, StoreError> {
        self.guard
            .check(Action::GetItem, Resource::ConfigurationTable)?;
        self.inner.current().await
    }

    async fn version(&self, version: Option<u64>) -> Result<Arc<Loaded>, StoreError> {
        self.guard
            .check(Action::GetItem, Resource::ConfigurationTable)?;
        self.inner.version(version).await
    }
}

struct GuardedObjects {
    guard: Arc<Guard>,
    inner: Arc<dyn ObjectStore>,
}

#[async_trait]
impl ObjectStore for GuardedObjects {
    async fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, StoreError> {
        self.guard.objects(Action::GetObject, bucket)?;
        self.inner.get(bucket, key).await
    }

    async fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StoreError> {
        self.guard.objects(Action::PutObject, bucket)?;
        self.inner.put(bucket, key, body, content_type).await
    }

    /// HeadObject needs GetObject; telling a missing key (404) from a refusal (403) also needs
    /// ListBucket, and `exists` is only ever asked about keys that may be missing.
    async fn exists(&self, bucket: &str, key: &str) -> Result<bool, StoreError> {
        self.guard.objects(Action::GetObject, bucket)?;
        self.guard.objects(Action::ListBucket, bucket)?;
        self.inner.exists(bucket, key).await
    }

    async fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.guard.objects(Action::ListBucket, bucket)?;
        self.inner.list(bucket, prefix).await
    }

    async fn download(&self, bucket: &str, key: &str, to: &Path) -> Result<u64, StoreError> {
        self.guard.objects(Action::GetObject, bucket)?;
        self.inner.download(bucket, key, to).await
    }

    async fn upload(
        &self,
        bucket: &str,
        key: &str,
        from: &Path,
        content_type: &str,
    ) -> Result<(), StoreError> {
        self.guard.objects(Action::PutObject, bucket)?;
        self.inner.upload(bucket, key, from, content_type).await
    }
}

struct GuardedTracking {
    guard: Arc<Guard>,
    inner: Arc<dyn Tracking>,
}

#[async_trait]
impl Tracking for GuardedTracking {
    async fn create(&self, record: &TrackingRecord) -> Result<bool, StoreError> {
        self.guard.check(Action::PutItem, Resource::TrackingTable)?;
        self.inner.create(record).await
    }

    async fn update(&self, id: &str, update: &TrackingUpdate) -> Result<(), StoreError> {
        self.guard
            .check(Action::UpdateItem, Resource::TrackingTable)?;
        self.inner.update(id, update).await
    }

    async fn get(&self, id: &str) -> Result<Option<TrackingRecord>, StoreError> {
        self.guard.check(Action::GetItem, Resource::TrackingTable)?;
        self.inner.get(id).await
    }

    async fn by_batch(&self, batch_id: &str) -> Result<Vec<TrackingRecord>, StoreError> {
        self.guard
            .check(Action::Query, Resource::TrackingIndex(Index::ByBatch))?;
        self.inner.by_batch(batch_id).await
    }

    async fn by_status(&self, status: &str) -> Result<Vec<TrackingRecord>, StoreError> {
        self.guard
            .check(Action::Query, Resource::TrackingIndex(Index::ByStatus))?;
        self.inner.by_status(status).await
    }
}

struct GuardedExecutions {
    guard: Arc<Guard>,
    inner: Arc<dyn Executions>,
}

#[async_trait]
impl Executions for GuardedExecutions {
    async fn start(&self, name: &str, input: &Value) -> Result<Started, StoreError> {
        self.guard
            .check(Action::StartExecution, Resource::StateMachine)?;
        self.inner.start(name, input).await
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::services::local::{LocalLayout, local_names, services};

    fn local() -> (tempfile::TempDir, Services) {
        let dir = tempfile::tempdir().unwrap();
        let s = services(&LocalLayout::new(dir.path()), local_names("t", 2)).unwrap();
        (dir, s)
    }

    #[tokio::test]
    async fn an_undeclared_call_is_refused_by_name_and_never_made() {
        let (_dir, s) = local();
        // ocr reads and writes the working bucket only.
        let ocr = guarded(Handler::Ocr, &s);
        let err = ocr
            .objects
            .put(
                "t-output",
                "a/result.json",
                b"{}".to_vec(),
                "application/json",
            )
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "ocr calls s3:PutObject on OutputBucket but does not declare it in ACCESS (src/handlers/ocr.rs)"
        );
        assert!(!s.objects.exists("t-output", "a/result.json").await.unwrap());

        let err = ocr.tracking.get("d1").await.unwrap_err();
        assert!(
            err.to_string()
                .starts_with("ocr calls dynamodb:GetItem on TrackingTable but"),
            "{err}"
        );
        let err = ocr.tracking.by_status("FAILED").await.unwrap_err();
        assert!(
            err.to_string()
                .contains("dynamodb:Query on TrackingTable index by_status"),
            "{err}"
        );
        let err = ocr.executions.start("x", &json!({})).await.unwrap_err();
        assert!(
            err.to_string()
                .contains("states:StartExecution on StateMachine"),
            "{err}"
        );
        let err = ocr.objects.get("elsewhere", "k").await.unwrap_err();
        assert!(
            err.to_string()
                .contains("`elsewhere`, which is not a bucket"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn declared_calls_go_through() {
        let (_dir, s) = local();
        let ocr = guarded(Handler::Ocr, &s);
        ocr.objects
            .put(
                "t-working",
                "documents/d/x.json",
                b"1".to_vec(),
                "application/json",
            )
            .await
            .unwrap();
        assert!(
            ocr.objects
                .exists("t-working", "documents/d/x.json")
                .await
                .unwrap()
        );
        assert_eq!(
            ocr.objects
                .get("t-working", "documents/d/x.json")
                .await
                .unwrap(),
            b"1"
        );
        let intake = guarded(Handler::Intake, &s);
        assert!(
            intake
                .executions
                .start("u-1", &json!({}))
                .await
                .unwrap()
                .new
        );
    }

    #[tokio::test]
    async fn existence_checks_need_listing_too() {
        let (_dir, s) = local();
        // assess reads and writes the working bucket but never asks whether a key exists.
        let err = guarded(Handler::Assess, &s)
            .objects
            .exists("t-working", "documents/d/x.json")
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("assess calls s3:ListBucket on WorkingBucket but"),
            "{err}"
        );
    }
}
