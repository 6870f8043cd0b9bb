//! Object storage as the handlers see it: S3 in AWS, folders on this machine. Keys are S3 keys;
//! large objects move through files so memory stays flat however big a batch is.

use std::any::TypeId;
use std::io::{ErrorKind, Read};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;

use super::StoreError;
use super::parsed::{DEFAULT_BUDGET, Parse, Parsed, ParsedMemo, Stamp};
use super::staging::{self, Staging};

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
    /// The object as `parse` makes it into a value of type `type_id`: a plain [`get`] and a
    /// parse, unless the store can tell the object did not change since a value of that type
    /// was last parsed from it (local folders keep them: see [`super::parsed`]). Every layer
    /// sees it as a `GetObject`.
    ///
    /// [`get`]: ObjectStore::get
    async fn get_parsed(
        &self,
        bucket: &str,
        key: &str,
        type_id: TypeId,
        parse: &Parse<'_>,
    ) -> Result<Parsed, StoreError> {
        let _ = type_id;
        parse(&self.get(bucket, key).await?)
    }
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

/// Buckets as folders: `<root>/<bucket>/<key>`, written through `<root>/.staging` (see
/// [`super::staging`]).
///
/// Small objects are read and written with plain blocking file calls: the local runtime runs
/// each handler on an interpreter thread of its own (`Handle::block_on`), so a file call
/// handed to tokio's blocking pool only added two thread switches per object (hundreds per
/// document; under load, each one a wait for a core). Whole-file copies (uploads, downloads
/// of ZIP batches) still go through `tokio::fs`.
#[derive(Debug, Clone)]
pub struct LocalObjects {
    root: PathBuf,
    staging: Staging,
    memo: Arc<ParsedMemo>,
}

impl LocalObjects {
    /// The buckets under `root`; what killed writes left in its staging folder is cleared.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        LocalObjects {
            staging: Staging::open(&root),
            root,
            memo: Arc::new(ParsedMemo::new(DEFAULT_BUDGET)),
        }
    }

    /// The file behind a key. Keys come from uploads and ZIP entries, so anything that could
    /// leave the bucket folder (`..`, absolute paths) is refused rather than normalised. A
    /// bucket name cannot start with a dot (as in S3), which keeps `.staging` out of reach.
    pub fn path(&self, bucket: &str, key: &str) -> Result<PathBuf, StoreError> {
        let rel = Path::new(key);
        let safe = !key.is_empty()
            && rel.components().all(|c| matches!(c, Component::Normal(_)))
            && !bucket.is_empty()
            && !bucket.contains(['/', '\\'])
            && !bucket.starts_with('.');
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

/// `s3://bucket/key` → (bucket, key); `None` for anything else, an empty bucket or key included.
pub fn s3_location(uri: &str) -> Option<(&str, &str)> {
    uri.strip_prefix("s3://")?
        .split_once('/')
        .filter(|(b, k)| !b.is_empty() && !k.is_empty())
}

fn not_found(bucket: &str, key: &str) -> StoreError {
    StoreError::NotFound {
        bucket: bucket.into(),
        key: key.into(),
    }
}

/// The file's bytes and the version they are of (from the open file, so they agree even if
/// the object is replaced meanwhile).
fn read_stamped(path: &Path) -> std::io::Result<(Vec<u8>, Stamp)> {
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes)?;
    Ok((bytes, Stamp::of(&meta)))
}

/// A failed read of `bucket/key` from `path`: a missing file is S3's NotFound.
fn read_error(path: &Path, bucket: &str, key: &str, e: std::io::Error) -> StoreError {
    match e.kind() {
        ErrorKind::NotFound => not_found(bucket, key),
        _ => StoreError::io(format!("cannot read {}", path.display()), e),
    }
}

#[async_trait]
impl ObjectStore for LocalObjects {
    async fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.path(bucket, key)?;
        std::fs::read(&path).map_err(|e| read_error(&path, bucket, key, e))
    }

    async fn get_parsed(
        &self,
        bucket: &str,
        key: &str,
        type_id: TypeId,
        parse: &Parse<'_>,
    ) -> Result<Parsed, StoreError> {
        let path = self.path(bucket, key)?;
        let io = |e: std::io::Error| read_error(&path, bucket, key, e);
        let stamp = Stamp::of(&std::fs::metadata(&path).map_err(io)?);
        if let Some(value) = self.memo.get(&path, type_id, stamp) {
            return Ok(value);
        }
        let (bytes, stamp) = read_stamped(&path).map_err(io)?;
        let value = parse(&bytes)?;
        self.memo
            .insert(&path, type_id, stamp, value.clone(), bytes.len());
        Ok(value)
    }

    async fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        _content_type: &str,
    ) -> Result<(), StoreError> {
        let path = self.path(bucket, key)?;
        // The old version's value can never be given again (the new file has a new inode):
        // free it now rather than when it ages out.
        self.memo.forget(&path);
        self.staging.write(&path, &body)
    }

    async fn exists(&self, bucket: &str, key: &str) -> Result<bool, StoreError> {
        Ok(std::fs::metadata(self.path(bucket, key)?).is_ok_and(|m| m.is_file()))
    }

    async fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
        let base = self.root.join(bucket);
        let mut keys = Vec::new();
        let mut stack = vec![base.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    stack.push(path);
                } else if let Ok(rel) = path.strip_prefix(&base) {
                    let key = rel.to_string_lossy().replace('\\', "/");
                    if key.starts_with(prefix) {
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
        self.memo.forget(&to);
        let tmp = self.staging.prepare()?;
        if let Err(e) = tokio::fs::copy(from, &tmp).await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(StoreError::io(format!("cannot copy {}", from.display()), e));
        }
        staging::place(&tmp, &to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_locations() {
        assert_eq!(
            s3_location("s3://in/inbox/a.zip"),
            Some(("in", "inbox/a.zip"))
        );
        assert_eq!(s3_location("s3://in/"), None);
        assert_eq!(s3_location("s3:///k"), None);
        assert_eq!(s3_location("/tmp/a.zip"), None);
    }

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
    async fn a_parsed_object_is_parsed_again_only_when_its_file_changed() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let dir = tempfile::tempdir().unwrap();
        let store = LocalObjects::new(dir.path());
        let parses = AtomicUsize::new(0);
        let parse = |bytes: &[u8]| -> Result<Parsed, StoreError> {
            parses.fetch_add(1, Ordering::SeqCst);
            Ok(Arc::new(String::from_utf8_lossy(bytes).to_string()))
        };
        let text = async || -> Result<String, StoreError> {
            let v = store
                .get_parsed("b", "p.json", TypeId::of::<String>(), &parse)
                .await?;
            Ok(v.downcast::<String>().unwrap().to_string())
        };
        assert!(matches!(text().await, Err(StoreError::NotFound { .. })));
        store.put("b", "p.json", b"1".to_vec(), "").await.unwrap();
        assert_eq!(text().await.unwrap(), "1");
        assert_eq!(text().await.unwrap(), "1");
        assert_eq!(parses.load(Ordering::SeqCst), 1);
        store.put("b", "p.json", b"2".to_vec(), "").await.unwrap();
        assert_eq!(text().await.unwrap(), "2");
        // Replaced behind the store's back (another process sharing the folder).
        let file = dir.path().join("b/p.json");
        std::fs::write(dir.path().join("b/p.new"), "3").unwrap();
        std::fs::rename(dir.path().join("b/p.new"), &file).unwrap();
        assert_eq!(text().await.unwrap(), "3");
        assert_eq!(parses.load(Ordering::SeqCst), 3);
        // The plain read is what it always was.
        assert_eq!(store.get("b", "p.json").await.unwrap(), b"3");
    }

    #[tokio::test]
    async fn any_key_is_listed_and_a_killed_write_leaves_nothing_in_the_bucket() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalObjects::new(dir.path());
        for key in ["a/x.tmp-1-2", "a/y.tmp-9"] {
            store.put("b", key, b"k".to_vec(), "").await.unwrap();
        }
        // A write killed between its staging file and the rename: a writer that has exited.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let litter = dir.path().join(format!(".staging/{dead}-0"));
        std::fs::write(&litter, b"half").unwrap();
        assert_eq!(
            store.list("b", "a/").await.unwrap(),
            vec!["a/x.tmp-1-2", "a/y.tmp-9"]
        );
        assert_eq!(
            std::fs::read_dir(dir.path().join("b/a")).unwrap().count(),
            2
        );
        LocalObjects::new(dir.path());
        assert!(!litter.exists(), "the next open clears it");
        let src = dir.path().join("src.bin");
        std::fs::write(&src, b"zip").unwrap();
        store.upload("b", "up/z.zip", &src, "").await.unwrap();
        assert_eq!(store.get("b", "up/z.zip").await.unwrap(), b"zip");
        assert_eq!(
            std::fs::read_dir(dir.path().join(".staging"))
                .unwrap()
                .count(),
            0
        );
    }

    #[tokio::test]
    async fn refuses_keys_that_leave_the_bucket() {
        let store = LocalObjects::new("/tmp/x");
        for key in ["../etc/passwd", "/abs", "a/../../b", ""] {
            assert!(store.path("b", key).is_err(), "{key}");
        }
        for bucket in ["..", ".", ".staging", ""] {
            assert!(store.path(bucket, "k").is_err(), "{bucket}");
        }
    }
}
