//! Client retries for the local stack's stores, as the AWS SDK gives S3 and DynamoDB calls in
//! the deployed stack (its standard mode: 3 attempts, exponential back-off with full jitter).
//!
//! In AWS a throttled or 5xx request is tried again by the SDK before the handler sees an
//! error; only what is still failing reaches the state machine's Retry (`idpctl.Transient`).
//! Without this layer a local handler that writes a few hundred objects (unpacking a batch)
//! would fail its whole step on one transient error where the deployed one would not. Permanent
//! errors and missing objects pass through at once.

use std::sync::Arc;
use std::time::Duration;

use super::layer::{self, Call, Layer, Op};
use super::{Services, StoreError};

/// Attempts in all, as the SDK's standard retry mode makes them.
pub const ATTEMPTS: u32 = 3;
/// The first back-off's ceiling; it doubles per attempt. Shorter than the SDK's 1 s: a local
/// store that is busy is busy for milliseconds.
const BASE: Duration = Duration::from_millis(50);

/// `services` with client retries around the objects and the tracking table.
pub fn wrap(services: &Services) -> Services {
    let retry = Arc::new(ClientRetry);
    Services {
        objects: layer::wrap(&services.objects, &retry),
        tracking: layer::wrap(&services.tracking, &retry),
        ..services.clone()
    }
}

/// The SDK's retries, as a layer: every call is [`retried`].
struct ClientRetry;

impl Layer for ClientRetry {
    async fn around<T: Send>(&self, _: Op<'_>, call: impl Call<T>) -> Result<T, StoreError> {
        retried(call).await
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
