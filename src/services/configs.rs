//! The configuration a function runs with: the stack's active version, read once per cold start
//! and checked again at most every few seconds, so a class change needs no code deploy and a warm
//! function does not read the configuration for each document.
//!
//! A document is pinned to the version its classification used (`config_version` travels with
//! it through the state machine), so a version activated while it is in flight does not give its
//! sections a mix of old and new classes. Pinned versions other than the current one are read
//! once and kept.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::StoreError;
use super::config_store::ConfigStore;
use crate::pipeline::config::IdpConfig;

/// How often a warm function asks which version is active, unless `CONFIG_REFRESH_SECONDS`
/// says otherwise.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(5);

/// A configuration and the stored version it came from (`None`: the built-in library, used
/// while no version was ever activated).
#[derive(Debug)]
pub struct Loaded {
    pub version: Option<u64>,
    pub config: IdpConfig,
}

/// What handlers ask for their configuration.
#[async_trait]
pub trait ConfigSource: Send + Sync {
    /// The active version.
    async fn current(&self) -> Result<Arc<Loaded>, StoreError>;
    /// A given version (what a document was pinned to); `None` is the built-in library.
    async fn version(&self, version: Option<u64>) -> Result<Arc<Loaded>, StoreError>;
}

/// A fixed configuration: tests, and runs with no store.
pub struct Fixed(pub Arc<Loaded>);

impl Fixed {
    pub fn new(config: IdpConfig) -> Self {
        Fixed(Arc::new(Loaded {
            version: None,
            config,
        }))
    }
}

#[async_trait]
impl ConfigSource for Fixed {
    async fn current(&self) -> Result<Arc<Loaded>, StoreError> {
        Ok(self.0.clone())
    }
    async fn version(&self, _: Option<u64>) -> Result<Arc<Loaded>, StoreError> {
        Ok(self.0.clone())
    }
}

/// The active version of a store, cached.
pub struct Cached {
    store: Arc<dyn ConfigStore>,
    refresh: Duration,
    /// Parsed on first use: most stacks have an active version, and parsing the library
    /// (YAML, then a regex per field) took about half of a function's cold init.
    builtin: std::sync::OnceLock<Arc<Loaded>>,
    state: tokio::sync::Mutex<State>,
}

#[derive(Default)]
struct State {
    current: Option<Arc<Loaded>>,
    checked: Option<Instant>,
    /// Other versions documents in flight were pinned to.
    pinned: HashMap<u64, Arc<Loaded>>,
}

/// Versions kept besides the current one; more than a few in flight at once is unusual.
const PINNED_KEPT: usize = 4;

impl Cached {
    pub fn new(store: Arc<dyn ConfigStore>, refresh: Duration) -> Self {
        Cached {
            store,
            refresh,
            builtin: std::sync::OnceLock::new(),
            state: Default::default(),
        }
    }

    /// The built-in library, parsed the first time a caller needs it.
    fn builtin(&self) -> Arc<Loaded> {
        self.builtin
            .get_or_init(|| {
                Arc::new(Loaded {
                    version: None,
                    config: IdpConfig::builtin(),
                })
            })
            .clone()
    }

    async fn load(&self, version: u64) -> Result<Arc<Loaded>, StoreError> {
        let stored = self.store.get(version).await?.ok_or_else(|| {
            StoreError::Permanent(format!(
                "configuration version {version} is not in the configuration table"
            ))
        })?;
        let config = IdpConfig::from_document(stored.body).map_err(|e| {
            StoreError::Permanent(format!(
                "configuration version {version} cannot be used: {e}"
            ))
        })?;
        Ok(Arc::new(Loaded {
            version: Some(version),
            config,
        }))
    }
}

#[async_trait]
impl ConfigSource for Cached {
    async fn current(&self) -> Result<Arc<Loaded>, StoreError> {
        let mut state = self.state.lock().await;
        if let (Some(current), Some(checked)) = (&state.current, state.checked)
            && checked.elapsed() < self.refresh
        {
            return Ok(current.clone());
        }
        let active = self.store.active().await?.map(|a| a.version);
        let fresh = match (&state.current, active) {
            (Some(current), a) if current.version == a => current.clone(),
            (_, None) => self.builtin(),
            (_, Some(v)) => match state.pinned.remove(&v) {
                Some(kept) => kept,
                None => self.load(v).await?,
            },
        };
        if let Some(old) = state.current.replace(fresh.clone())
            && let Some(v) = old.version
            && Some(v) != fresh.version
        {
            state.pinned.insert(v, old);
        }
        state.checked = Some(Instant::now());
        trim(&mut state.pinned);
        Ok(fresh)
    }

    async fn version(&self, version: Option<u64>) -> Result<Arc<Loaded>, StoreError> {
        let Some(v) = version else {
            return Ok(self.builtin());
        };
        let mut state = self.state.lock().await;
        if let Some(current) = &state.current
            && current.version == Some(v)
        {
            return Ok(current.clone());
        }
        if let Some(kept) = state.pinned.get(&v) {
            return Ok(kept.clone());
        }
        let loaded = self.load(v).await?;
        state.pinned.insert(v, loaded.clone());
        trim(&mut state.pinned);
        Ok(loaded)
    }
}

fn trim(pinned: &mut HashMap<u64, Arc<Loaded>>) {
    while pinned.len() > PINNED_KEPT {
        if let Some(oldest) = pinned.keys().min().copied() {
            pinned.remove(&oldest);
        }
    }
}

/// The refresh interval from `CONFIG_REFRESH_SECONDS`, else [`DEFAULT_REFRESH`].
pub fn refresh_from_env(get: &dyn Fn(&str) -> Option<String>) -> Duration {
    get("CONFIG_REFRESH_SECONDS")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_REFRESH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::config_store::{NewVersion, Origin, SqliteConfigStore};
    use serde_json::{Value, json};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts the store's reads, to show what a warm function costs.
    struct Counting {
        inner: SqliteConfigStore,
        active: AtomicUsize,
        get: AtomicUsize,
    }

    #[async_trait]
    impl ConfigStore for Counting {
        async fn push(
            &self,
            body: &Value,
            new: NewVersion,
        ) -> Result<crate::services::config_store::ConfigVersion, StoreError> {
            self.inner.push(body, new).await
        }
        async fn get(
            &self,
            version: u64,
        ) -> Result<Option<crate::services::config_store::StoredConfig>, StoreError> {
            self.get.fetch_add(1, Ordering::SeqCst);
            self.inner.get(version).await
        }
        async fn active(
            &self,
        ) -> Result<Option<crate::services::config_store::Active>, StoreError> {
            self.active.fetch_add(1, Ordering::SeqCst);
            self.inner.active().await
        }
        async fn activate(
            &self,
            version: u64,
            by: &str,
        ) -> Result<crate::services::config_store::Active, StoreError> {
            self.inner.activate(version, by).await
        }
        async fn list(
            &self,
        ) -> Result<Vec<crate::services::config_store::ConfigVersion>, StoreError> {
            self.inner.list().await
        }
    }

    fn one_class(name: &str) -> Value {
        json!({"classes": [{"x-aws-idp-document-type": name, "properties": {"total": {"type": "number"}}}]})
    }

    fn new_version() -> NewVersion {
        NewVersion {
            pushed_by: "test".into(),
            origin: Origin::Push,
            sources: vec![],
            description: None,
        }
    }

    #[tokio::test]
    async fn a_warm_function_reads_once_and_follows_activations() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Counting {
            inner: SqliteConfigStore::open(&dir.path().join("db.sqlite")).unwrap(),
            active: AtomicUsize::new(0),
            get: AtomicUsize::new(0),
        });
        // Nothing activated: the built-in library.
        let cached = Cached::new(store.clone(), Duration::from_millis(200));
        let first = cached.current().await.unwrap();
        assert_eq!(first.version, None);
        assert!(first.config.classes.class("W2").is_some());

        let v1 = store
            .push(&one_class("Invoice"), new_version())
            .await
            .unwrap();
        store.activate(v1.version, "test").await.unwrap();
        // Within the refresh interval nothing is read again.
        for _ in 0..50 {
            assert_eq!(cached.current().await.unwrap().version, None);
        }
        assert_eq!(store.active.load(Ordering::SeqCst), 1);
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = cached.current().await.unwrap();
        assert_eq!(now.version, Some(v1.version));
        assert!(now.config.classes.class("Invoice").is_some());
        assert!(now.config.classes.class("W2").is_none());
        assert_eq!(store.active.load(Ordering::SeqCst), 2);
        assert_eq!(store.get.load(Ordering::SeqCst), 1);

        // A document pinned to v1 keeps it after v2 is activated; v1 is not read again.
        let v2 = store
            .push(&one_class("Receipt"), new_version())
            .await
            .unwrap();
        store.activate(v2.version, "test").await.unwrap();
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(cached.current().await.unwrap().version, Some(v2.version));
        let pinned = cached.version(Some(v1.version)).await.unwrap();
        assert!(pinned.config.classes.class("Invoice").is_some());
        assert_eq!(store.get.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn an_unusable_version_is_a_permanent_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteConfigStore::open(&dir.path().join("db.sqlite")).unwrap());
        let v = store
            .push(&json!({"classes": "nope"}), new_version())
            .await
            .unwrap();
        store.activate(v.version, "t").await.unwrap();
        let cached = Cached::new(store, DEFAULT_REFRESH);
        let err = cached.current().await.unwrap_err();
        assert!(matches!(err, StoreError::Permanent(_)));
        assert!(err.to_string().contains("cannot be used"), "{err}");
        assert!(
            cached
                .version(Some(99))
                .await
                .unwrap_err()
                .to_string()
                .contains("not in the configuration table")
        );
    }
}
