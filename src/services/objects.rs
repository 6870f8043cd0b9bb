//! Object storage as the handlers see it: S3 in AWS, folders on this machine. Keys are S3 keys;
//! large objects move through files so memory stays flat however big a batch is.

use std::path::{Component, Path, PathBuf};

use async_trait::async_trait;

use super::StoreError;

#[async_trait]
pub trait ObjectStore: Send + Sync {
    async fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, StoreError>;
    async fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StoreError>;
    async fn exists(&self, bucket: &str, key: &str) -> Result<bool, StoreError>;
    /// Keys under a prefix, sorted.
    async fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<String>, StoreError>;
    /// Streams an object into a local file (for ZIP batches that must not sit in memory).
    async fn download(&self, bucket: &str, key: &str, to: &Path) -> Result<u64, StoreError>;
    /// Streams a local file into an object.
    async fn upload(
        &self,
        bucket: &str,
        key: &str,
        from: &Path,
        content_type: &str,
    ) -> Result<(), StoreError>;
}

/// Buckets as folders: `<root>/<bucket>/<key>`.
#[derive(Debug, Clone)]
pub struct LocalObjects {
    root: PathBuf,
}

impl LocalObjects {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalObjects { root: root.into() }
    }

    /// The file behind a key. Keys come from uploads and ZIP entries, so anything that could
    /// leave the bucket folder (`..`, absolute paths) is refused rather than normalised.
    pub fn path(&self, bucket: &str, key: &str) -> Result<PathBuf, StoreError> {
        let rel = Path::new(key);
        let safe = !key.is_empty()
            && rel.components().all(|c| matches!(c, Component::Normal(_)))
            && !bucket.is_empty()
            && !bucket.contains(['/', '\\'])
            && bucket != ".."
            && bucket != ".";
        if !safe {
            return Err(StoreError::Permanent(format!(
                "refusing unsafe object name {bucket}/{key}"
            )));
        }
        Ok(self.root.join(bucket).join(rel))
    }
}

async fn ensure_parent(path: &Path) -> Result<(), StoreError> {
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| StoreError::io(format!("cannot create {}", dir.display()), e))?;
    }
    Ok(())
}

/// Writes through a temporary sibling and renames, so a reader (or a run killed mid-write)
/// never sees half an object.
async fn write_atomically(path: &Path, body: &[u8]) -> Result<(), StoreError> {
    ensure_parent(path).await?;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    tokio::fs::write(&tmp, body)
        .await
        .map_err(|e| StoreError::io(format!("cannot write {}", tmp.display()), e))?;
    tokio::fs::rename(&tmp, path)
        .await
        .map_err(|e| StoreError::io(format!("cannot move {} into place", path.display()), e))
}

#[async_trait]
impl ObjectStore for LocalObjects {
    async fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.path(bucket, key)?;
        tokio::fs::read(&path).await.map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StoreError::NotFound {
                bucket: bucket.into(),
                key: key.into(),
            },
            _ => StoreError::io(format!("cannot read {}", path.display()), e),
        })
    }

    async fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        _content_type: &str,
    ) -> Result<(), StoreError> {
        write_atomically(&self.path(bucket, key)?, &body).await
    }

    async fn exists(&self, bucket: &str, key: &str) -> Result<bool, StoreError> {
        Ok(tokio::fs::metadata(self.path(bucket, key)?)
            .await
            .is_ok_and(|m| m.is_file()))
    }

    async fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
        let base = self.root.join(bucket);
        let mut keys = Vec::new();
        let mut stack = vec![base.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(mut entries) = tokio::fs::read_dir(&dir).await else {
                continue;
            };
            while let Ok(Some(entry)) = entries.next_entry().await {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(rel) = path.strip_prefix(&base) {
                    let key = rel.to_string_lossy().replace('\\', "/");
                    if key.starts_with(prefix) && !key.contains(".tmp-") {
                        keys.push(key);
                    }
                }
            }
        }
        keys.sort();
        Ok(keys)
    }

    async fn download(&self, bucket: &str, key: &str, to: &Path) -> Result<u64, StoreError> {
        let from = self.path(bucket, key)?;
        if !from.is_file() {
            return Err(StoreError::NotFound {
                bucket: bucket.into(),
                key: key.into(),
            });
        }
        ensure_parent(to).await?;
        tokio::fs::copy(&from, to)
            .await
            .map_err(|e| StoreError::io(format!("cannot copy {}", from.display()), e))
    }

    async fn upload(
        &self,
        bucket: &str,
        key: &str,
        from: &Path,
        _content_type: &str,
    ) -> Result<(), StoreError> {
        let to = self.path(bucket, key)?;
        ensure_parent(&to).await?;
        let tmp = to.with_extension(format!("tmp-{}", std::process::id()));
        tokio::fs::copy(from, &tmp)
            .await
            .map_err(|e| StoreError::io(format!("cannot copy {}", from.display()), e))?;
        tokio::fs::rename(&tmp, &to)
            .await
            .map_err(|e| StoreError::io(format!("cannot move {} into place", to.display()), e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn round_trip_and_listing() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalObjects::new(dir.path());
        store
            .put("b", "docs/a/1.json", b"one".to_vec(), "application/json")
            .await
            .unwrap();
        store
            .put("b", "docs/b.json", b"two".to_vec(), "application/json")
            .await
            .unwrap();
        assert_eq!(store.get("b", "docs/a/1.json").await.unwrap(), b"one");
        assert!(store.exists("b", "docs/b.json").await.unwrap());
        assert!(!store.exists("b", "nope").await.unwrap());
        assert_eq!(
            store.list("b", "docs/").await.unwrap(),
            vec!["docs/a/1.json", "docs/b.json"]
        );
        assert!(matches!(
            store.get("b", "nope").await,
            Err(StoreError::NotFound { .. })
        ));
    }

    #[tokio::test]
    async fn refuses_keys_that_leave_the_bucket() {
        let store = LocalObjects::new("/tmp/x");
        for key in ["../etc/passwd", "/abs", "a/../../b", ""] {
            assert!(store.path("b", key).is_err(), "{key}");
        }
        assert!(store.path("..", "k").is_err());
    }
}
