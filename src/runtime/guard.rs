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

use std::sync::Arc;

use crate::handlers::Handler;
use crate::handlers::access::{self, Action, Bucket, Index, Resource};
use crate::services::layer::{self, Call, Layer, Op};
use crate::services::{Services, StackNames, StoreError};

/// `services` as `handler` may use them: every object, tracking, execution and configuration
/// call is checked against its declaration first.
pub fn guarded(handler: Handler, services: &Services) -> Services {
    let guard = Arc::new(Guard {
        handler,
        names: services.names.clone(),
    });
    Services {
        objects: layer::wrap(&services.objects, &guard),
        tracking: layer::wrap(&services.tracking, &guard),
        executions: layer::wrap(&services.executions, &guard),
        config: layer::wrap(&services.config, &guard),
        ..services.clone()
    }
}

struct Guard {
    handler: Handler,
    names: StackNames,
}

impl Layer for Guard {
    async fn around<T: Send>(&self, op: Op<'_>, mut call: impl Call<T>) -> Result<T, StoreError> {
        self.permit(op)?;
        call().await
    }
}

impl Guard {
    /// What the call needs, checked against the declaration.
    fn permit(&self, op: Op<'_>) -> Result<(), StoreError> {
        match op {
            Op::GetObject { bucket, .. } | Op::Download { bucket, .. } => {
                self.objects(Action::GetObject, bucket)
            }
            Op::PutObject { bucket, .. } | Op::Upload { bucket, .. } => {
                self.objects(Action::PutObject, bucket)
            }
            // HeadObject needs GetObject; telling a missing key (404) from a refusal (403) also
            // needs ListBucket, and `exists` is only ever asked about keys that may be missing.
            Op::ObjectExists { bucket, .. } => {
                self.objects(Action::GetObject, bucket)?;
                self.objects(Action::ListBucket, bucket)
            }
            Op::ListObjects { bucket, .. } => self.objects(Action::ListBucket, bucket),
            Op::CreateRecord { .. } => self.check(Action::PutItem, Resource::TrackingTable),
            Op::UpdateRecord { .. } => self.check(Action::UpdateItem, Resource::TrackingTable),
            Op::GetRecord { .. } => self.check(Action::GetItem, Resource::TrackingTable),
            Op::RecordsByBatch { .. } => {
                self.check(Action::Query, Resource::TrackingIndex(Index::ByBatch))
            }
            Op::RecordsByStatus { .. } => {
                self.check(Action::Query, Resource::TrackingIndex(Index::ByStatus))
            }
            Op::StartExecution { .. } => self.check(Action::StartExecution, Resource::StateMachine),
            Op::ReadConfig => self.check(Action::GetItem, Resource::ConfigurationTable),
        }
    }

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
        // split reads and writes the working bucket but never asks whether a key exists.
        let err = guarded(Handler::Split, &s)
            .objects
            .exists("t-working", "documents/d/x.json")
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("split calls s3:ListBucket on WorkingBucket but"),
            "{err}"
        );
    }
}
