//! One wrapper for the stores handlers use — objects, the tracking table, executions and the
//! configuration — that runs a [`Layer`] around each of their methods. A behaviour added at the
//! service boundary (the drift guard of `runtime::guard`, fault injection, client retries) is
//! one `Layer` impl that sees an [`Op`] and the call, rather than a hand-written forwarding
//! implementation of every method of every trait.

use std::any::TypeId;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

use super::parsed::{Parse, Parsed};
use super::{
    ConfigSource, Executions, Loaded, ObjectStore, Started, StoreError, Tracking, TrackingRecord,
    TrackingUpdate,
};

/// One call to a store, as a layer sees it: the method, and what it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op<'a> {
    GetObject {
        bucket: &'a str,
        key: &'a str,
    },
    PutObject {
        bucket: &'a str,
        key: &'a str,
    },
    ObjectExists {
        bucket: &'a str,
        key: &'a str,
    },
    ListObjects {
        bucket: &'a str,
        prefix: &'a str,
    },
    /// An object streamed into a local file.
    Download {
        bucket: &'a str,
        key: &'a str,
    },
    /// A local file streamed into an object.
    Upload {
        bucket: &'a str,
        key: &'a str,
    },
    CreateRecord {
        id: &'a str,
    },
    UpdateRecord {
        id: &'a str,
    },
    GetRecord {
        id: &'a str,
    },
    RecordsByBatch {
        batch_id: &'a str,
    },
    RecordsByStatus {
        status: &'a str,
    },
    StartExecution {
        name: &'a str,
    },
    /// The active configuration or a given version of it.
    ReadConfig,
}

impl Op<'_> {
    /// Whether the call changes what is stored (so it may land even when its answer is lost).
    pub fn writes(self) -> bool {
        matches!(
            self,
            Op::PutObject { .. }
                | Op::Upload { .. }
                | Op::CreateRecord { .. }
                | Op::UpdateRecord { .. }
                | Op::StartExecution { .. }
        )
    }
}

/// A behaviour around every store call.
pub trait Layer: Send + Sync {
    /// Runs `call`, the inner store's method, with this layer's behaviour around it. A layer may
    /// call it once, again (a retry) or not at all (a refusal).
    fn around<T: Send>(
        &self,
        op: Op<'_>,
        call: impl Call<T>,
    ) -> impl Future<Output = Result<T, StoreError>> + Send;
}

/// The inner store's method as a layer gets it: a closure that starts the call, as many times as
/// the layer calls it.
pub trait Call<T>: FnMut() -> <Self as Call<T>>::Fut + Send {
    type Fut: Future<Output = Result<T, StoreError>> + Send;
}

impl<T, F, Fut> Call<T> for F
where
    F: FnMut() -> Fut + Send,
    Fut: Future<Output = Result<T, StoreError>> + Send,
{
    type Fut = Fut;
}

/// A store with a layer around each of its methods. It implements every store trait its inner
/// store does, so [`wrap`] gives back what it was given.
pub struct Wrapped<S: ?Sized, L> {
    inner: Arc<S>,
    layer: Arc<L>,
}

/// `inner` with `layer` around it; the result coerces to the trait object `inner` was
/// (`Arc<dyn ObjectStore>`, `Arc<dyn Tracking>`, …).
pub fn wrap<S: ?Sized, L>(inner: &Arc<S>, layer: &Arc<L>) -> Arc<Wrapped<S, L>> {
    Arc::new(Wrapped {
        inner: inner.clone(),
        layer: layer.clone(),
    })
}

#[async_trait]
impl<S: ObjectStore + ?Sized, L: Layer> ObjectStore for Wrapped<S, L> {
    async fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, StoreError> {
        let op = Op::GetObject { bucket, key };
        self.layer.around(op, || self.inner.get(bucket, key)).await
    }

    async fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StoreError> {
        // The layer may call more than once, so each call gets its own copy of the body.
        let call = || self.inner.put(bucket, key, body.clone(), content_type);
        self.layer.around(Op::PutObject { bucket, key }, call).await
    }

    async fn get_parsed(
        &self,
        bucket: &str,
        key: &str,
        type_id: TypeId,
        parse: &Parse<'_>,
    ) -> Result<Parsed, StoreError> {
        // A value the store kept is still a GetObject for the layers: the guard checks the
        // grant, faults and retries apply, as they would to the read it stands for.
        let op = Op::GetObject { bucket, key };
        let call = || self.inner.get_parsed(bucket, key, type_id, parse);
        self.layer.around(op, call).await
    }

    async fn exists(&self, bucket: &str, key: &str) -> Result<bool, StoreError> {
        let op = Op::ObjectExists { bucket, key };
        self.layer
            .around(op, || self.inner.exists(bucket, key))
            .await
    }

    async fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
        let op = Op::ListObjects { bucket, prefix };
        self.layer
            .around(op, || self.inner.list(bucket, prefix))
            .await
    }

    async fn download(&self, bucket: &str, key: &str, to: &Path) -> Result<u64, StoreError> {
        let op = Op::Download { bucket, key };
        self.layer
            .around(op, || self.inner.download(bucket, key, to))
            .await
    }

    async fn upload(
        &self,
        bucket: &str,
        key: &str,
        from: &Path,
        content_type: &str,
    ) -> Result<(), StoreError> {
        let call = || self.inner.upload(bucket, key, from, content_type);
        self.layer.around(Op::Upload { bucket, key }, call).await
    }
}

#[async_trait]
impl<S: Tracking + ?Sized, L: Layer> Tracking for Wrapped<S, L> {
    async fn create(&self, record: &TrackingRecord) -> Result<bool, StoreError> {
        let op = Op::CreateRecord { id: &record.id };
        self.layer.around(op, || self.inner.create(record)).await
    }

    async fn update(&self, id: &str, update: &TrackingUpdate) -> Result<(), StoreError> {
        let op = Op::UpdateRecord { id };
        self.layer
            .around(op, || self.inner.update(id, update))
            .await
    }

    async fn get(&self, id: &str) -> Result<Option<TrackingRecord>, StoreError> {
        let op = Op::GetRecord { id };
        self.layer.around(op, || self.inner.get(id)).await
    }

    async fn by_batch(&self, batch_id: &str) -> Result<Vec<TrackingRecord>, StoreError> {
        let op = Op::RecordsByBatch { batch_id };
        self.layer
            .around(op, || self.inner.by_batch(batch_id))
            .await
    }

    async fn by_status(&self, status: &str) -> Result<Vec<TrackingRecord>, StoreError> {
        let op = Op::RecordsByStatus { status };
        self.layer.around(op, || self.inner.by_status(status)).await
    }
}

#[async_trait]
impl<S: Executions + ?Sized, L: Layer> Executions for Wrapped<S, L> {
    async fn start(&self, name: &str, input: &Value) -> Result<Started, StoreError> {
        let op = Op::StartExecution { name };
        self.layer
            .around(op, || self.inner.start(name, input))
            .await
    }
}

#[async_trait]
impl<S: ConfigSource + ?Sized, L: Layer> ConfigSource for Wrapped<S, L> {
    async fn current(&self) -> Result<Arc<Loaded>, StoreError> {
        self.layer
            .around(Op::ReadConfig, || self.inner.current())
            .await
    }

    async fn version(&self, version: Option<u64>) -> Result<Arc<Loaded>, StoreError> {
        let call = || self.inner.version(version);
        self.layer.around(Op::ReadConfig, call).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::services::local::{LocalLayout, local_names, services};

    /// A layer in a few lines: it writes down each call and refuses listings.
    #[derive(Default)]
    struct Log(Mutex<Vec<String>>);

    impl Layer for Log {
        async fn around<T: Send>(
            &self,
            op: Op<'_>,
            mut call: impl Call<T>,
        ) -> Result<T, StoreError> {
            self.0.lock().unwrap().push(format!("{op:?}"));
            if let Op::ListObjects { .. } = op {
                return Err(StoreError::Permanent("no listing".into()));
            }
            call().await
        }
    }

    #[tokio::test]
    async fn every_call_goes_through_the_layer_with_what_it_names() {
        let dir = tempfile::tempdir().unwrap();
        let base = services(&LocalLayout::new(dir.path()), local_names("t", 2)).unwrap();
        let log = Arc::new(Log::default());
        let objects: Arc<dyn ObjectStore> = wrap(&base.objects, &log);
        let tracking: Arc<dyn Tracking> = wrap(&base.tracking, &log);

        objects
            .put("t-working", "a/b", b"x".to_vec(), "text/plain")
            .await
            .unwrap();
        assert_eq!(objects.get("t-working", "a/b").await.unwrap(), b"x");
        // A parsed read is a GetObject too, whether or not the store kept the value.
        let parse = |b: &[u8]| -> Result<Parsed, StoreError> { Ok(Arc::new(b.to_vec())) };
        for _ in 0..2 {
            let v = objects
                .get_parsed("t-working", "a/b", TypeId::of::<Vec<u8>>(), &parse)
                .await
                .unwrap();
            assert_eq!(*v.downcast::<Vec<u8>>().unwrap(), b"x");
        }
        assert!(base.objects.exists("t-working", "a/b").await.unwrap());
        let refused = objects.list("t-working", "a/").await.unwrap_err();
        assert_eq!(refused.to_string(), "no listing");
        assert!(tracking.get("d1").await.unwrap().is_none());
        assert_eq!(
            *log.0.lock().unwrap(),
            [
                r#"PutObject { bucket: "t-working", key: "a/b" }"#,
                r#"GetObject { bucket: "t-working", key: "a/b" }"#,
                r#"GetObject { bucket: "t-working", key: "a/b" }"#,
                r#"GetObject { bucket: "t-working", key: "a/b" }"#,
                r#"ListObjects { bucket: "t-working", prefix: "a/" }"#,
                r#"GetRecord { id: "d1" }"#,
            ]
        );
        assert!(Op::UpdateRecord { id: "x" }.writes());
        assert!(
            !Op::ObjectExists {
                bucket: "b",
                key: "k"
            }
            .writes()
        );
    }
}
