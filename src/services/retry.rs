//! Client retries for the local stack's stores, as the AWS SDK gives S3 and DynamoDB calls in
//! the deployed stack (its standard mode: 3 attempts, exponential back-off with full jitter).
//!
//! In AWS a throttled or 5xx request is tried again by the SDK before the handler sees an
//! error; only what is still failing reaches the state machine's Retry (`idpctl.Transient`).
//! Without this layer a local handler that writes a few hundred objects (unpacking a batch)
//! would fail its whole step on one transient error where the deployed one would not. Permanent
//! errors and missing objects pass through at once.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::{ObjectStore, Services, StoreError, Tracking, TrackingRecord, TrackingUpdate};

/// Attempts in all, as the SDK's standard retry mode makes them.
pub const ATTEMPTS: u32 = 3;
/// The first back-off's ceiling; it doubles per attempt. Shorter than the SDK's 1 s: a local
/// store that is busy is busy for milliseconds.
const BASE: Duration = Duration::from_millis(50);

/// `services` with client retries around the objects and the tracking table.
pub fn wrap(services: &Services) -> Services {
    Services {
        objects: Arc::new(RetryingObjects(services.objects.clone())),
        tracking: Arc::new(RetryingTracking(services.tracking.clone())),
        ..services.clone()
    }
}

/// Runs `call` until it succeeds, fails for good, or has been tried [`ATTEMPTS`] times.
async fn retried<T, F, Fut>(mut call: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let mut attempt = 1;
    loop {
        match call().await {
            Err(StoreError::Transient(_)) if attempt < ATTEMPTS => {
                let ceiling = BASE * 2u32.pow(attempt - 1);
                tokio::time::sleep(ceiling.mul_f64(fastrand::f64())).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

struct RetryingObjects(Arc<dyn ObjectStore>);

#[async_trait]
impl ObjectStore for RetryingObjects {
    async fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, StoreError> {
        retried(|| self.0.get(bucket, key)).await
    }

    async fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StoreError> {
        retried(|| self.0.put(bucket, key, body.clone(), content_type)).await
    }

    async fn exists(&self, bucket: &str, key: &str) -> Result<bool, StoreError> {
        retried(|| self.0.exists(bucket, key)).await
    }

    async fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
        retried(|| self.0.list(bucket, prefix)).await
    }

    async fn download(&self, bucket: &str, key: &str, to: &Path) -> Result<u64, StoreError> {
        retried(|| self.0.download(bucket, key, to)).await
    }

    async fn upload(
        &self,
        bucket: &str,
        key: &str,
        from: &Path,
        content_type: &str,
    ) -> Result<(), StoreError> {
        retried(|| self.0.upload(bucket, key, from, content_type)).await
    }
}

struct RetryingTracking(Arc<dyn Tracking>);

#[async_trait]
impl Tracking for RetryingTracking {
    async fn create(&self, record: &TrackingRecord) -> Result<bool, StoreError> {
        retried(|| self.0.create(record)).await
    }

    async fn update(&self, id: &str, update: &TrackingUpdate) -> Result<(), StoreError> {
        retried(|| self.0.update(id, update)).await
    }

    async fn get(&self, id: &str) -> Result<Option<TrackingRecord>, StoreError> {
        retried(|| self.0.get(id)).await
    }

    async fn by_batch(&self, batch_id: &str) -> Result<Vec<TrackingRecord>, StoreError> {
        retried(|| self.0.by_batch(batch_id)).await
    }

    async fn by_status(&self, status: &str) -> Result<Vec<TrackingRecord>, StoreError> {
        retried(|| self.0.by_status(status)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn transient_errors_are_tried_three_times_and_the_rest_once() {
        let calls = AtomicU32::new(0);
        let flaky = |fail_first: u32, error: fn() -> StoreError| {
            calls.store(0, Ordering::SeqCst);
            let calls = &calls;
            retried(move || async move {
                let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
                if n <= fail_first { Err(error()) } else { Ok(n) }
            })
        };
        let transient = || StoreError::Transient("busy".into());
        let permanent = || StoreError::Permanent("denied".into());
        assert_eq!(flaky(2, transient).await.unwrap(), 3);
        assert!(matches!(
            flaky(3, transient).await,
            Err(StoreError::Transient(_))
        ));
        assert_eq!(calls.load(Ordering::SeqCst), ATTEMPTS);
        assert!(matches!(
            flaky(1, permanent).await,
            Err(StoreError::Permanent(_))
        ));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
