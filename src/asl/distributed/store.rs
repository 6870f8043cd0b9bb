//! S3 as the Distributed Map sees it: read an object as a stream, list a prefix, put a file.
//! The interpreter is synchronous (states run on threads), so this trait is too; the local
//! runtime hands it [`FolderStore`] over the same `<root>/<bucket>/<key>` folders its handlers
//! use.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The folder beside the buckets where objects are written before they are renamed into
/// place (see [`crate::fsutil`]).
pub use crate::fsutil::STAGING;

/// A failed S3 call: an error name (`S3.NoSuchKey`, `S3.AccessDenied`, …) and a cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {cause}")]
pub struct StoreFault {
    pub error: String,
    pub cause: String,
}

impl StoreFault {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            cause: cause.into(),
        }
    }
}

/// One object of a listing, shaped as `listObjectsV2` items are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub key: String,
    pub size: u64,
    /// RFC 3339, when known.
    pub last_modified: Option<String>,
}

/// The S3 calls of ItemReader and ResultWriter.
pub trait ItemStore: Send + Sync {
    /// The object's bytes as a stream.
    fn get(&self, bucket: &str, key: &str) -> Result<Box<dyn Read + Send>, StoreFault>;
    /// The objects whose key starts with `prefix`, in key order.
    fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, StoreFault>;
    /// Stores the file at `from` as the object.
    fn put_file(&self, bucket: &str, key: &str, from: &Path) -> Result<(), StoreFault>;
}

/// Buckets as folders: `<root>/<bucket>/<key>`, the layout of the local stack's buckets.
#[derive(Debug, Clone)]
pub struct FolderStore {
    root: PathBuf,
}

impl FolderStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The file of a key; names that could leave the bucket folder are refused.
    pub fn path(&self, bucket: &str, key: &str) -> Result<PathBuf, StoreFault> {
        let safe = !key.is_empty()
            && Path::new(key)
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
            && !bucket.is_empty()
            && !bucket.contains(['/', '\\'])
            && !bucket.starts_with('.');
        if !safe {
            return Err(StoreFault::new(
                "S3.InvalidRequest",
                format!("refusing the unsafe object name {bucket}/{key}"),
            ));
        }
        Ok(self.root.join(bucket).join(key))
    }
}

fn io_fault(bucket: &str, key: &str, e: std::io::Error) -> StoreFault {
    match e.kind() {
        std::io::ErrorKind::NotFound => StoreFault::new(
            "S3.NoSuchKey",
            format!("The specified key does not exist: s3://{bucket}/{key}"),
        ),
        _ => StoreFault::new("S3.InternalError", format!("s3://{bucket}/{key}: {e}")),
    }
}

impl ItemStore for FolderStore {
    fn get(&self, bucket: &str, key: &str) -> Result<Box<dyn Read + Send>, StoreFault> {
        let path = self.path(bucket, key)?;
        let file = std::fs::File::open(&path).map_err(|e| io_fault(bucket, key, e))?;
        Ok(Box::new(std::io::BufReader::with_capacity(64 * 1024, file)))
    }

    fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, StoreFault> {
        let base = self.root.join(bucket);
        if !base.is_dir() {
            return Err(StoreFault::new(
                "S3.NoSuchBucket",
                format!("The specified bucket does not exist: {bucket}"),
            ));
        }
        let mut out = Vec::new();
        let mut stack = vec![base.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(meta) = entry.metadata() else { continue };
                if meta.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Ok(rel) = path.strip_prefix(&base) else {
                    continue;
                };
                let key = rel.to_string_lossy().replace('\\', "/");
                if key.starts_with(prefix) {
                    out.push(ObjectInfo {
                        key,
                        size: meta.len(),
                        last_modified: meta
                            .modified()
                            .ok()
                            .map(crate::asl::context::format_timestamp),
                    });
                }
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    fn put_file(&self, bucket: &str, key: &str, from: &Path) -> Result<(), StoreFault> {
        let to = self.path(bucket, key)?;
        // Copied whole into the staging folder beside the buckets, then renamed, so nobody
        // reads half an object and no bucket holds anything but objects; the object store's
        // next open clears what a killed run left there.
        crate::fsutil::staged_write(&self.root, &to, |tmp| std::fs::copy(from, tmp).map(drop))
            .map_err(|e| io_fault(bucket, key, e.source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_store_round_trip_list_and_refusals() {
        let dir = tempfile::tempdir().unwrap();
        let s = FolderStore::new(dir.path());
        let src = dir.path().join("src.txt");
        std::fs::write(&src, b"hello").unwrap();
        s.put_file("b", "p/one.txt", &src).unwrap();
        s.put_file("b", "p/two.txt", &src).unwrap();
        s.put_file("b", "q/three.txt", &src).unwrap();
        let mut body = String::new();
        s.get("b", "p/one.txt")
            .unwrap()
            .read_to_string(&mut body)
            .unwrap();
        assert_eq!(body, "hello");
        let listed = s.list("b", "p/").unwrap();
        assert_eq!(
            listed
                .iter()
                .map(|o| (o.key.as_str(), o.size))
                .collect::<Vec<_>>(),
            vec![("p/one.txt", 5), ("p/two.txt", 5)]
        );
        assert_eq!(s.get("b", "nope").err().unwrap().error, "S3.NoSuchKey");
        assert_eq!(s.list("nobucket", "").unwrap_err().error, "S3.NoSuchBucket");
        assert!(s.path("b", "../x").is_err());
        assert!(s.path(STAGING, "x").is_err());
    }

    #[test]
    fn any_key_is_listed_and_nothing_is_left_beside_the_objects() {
        let dir = tempfile::tempdir().unwrap();
        let s = FolderStore::new(dir.path());
        let src = dir.path().join("src.txt");
        std::fs::write(&src, b"x").unwrap();
        s.put_file("b", "r/report.tmp-2024.json", &src).unwrap();
        let keys: Vec<String> = s
            .list("b", "")
            .unwrap()
            .into_iter()
            .map(|o| o.key)
            .collect();
        assert_eq!(keys, ["r/report.tmp-2024.json"]);
        let staged = std::fs::read_dir(dir.path().join(STAGING)).unwrap().count();
        assert_eq!(staged, 0, "the staging file was renamed into place");
        // A write that fails leaves no staging file behind.
        assert!(s.put_file("b", "r/y", &dir.path().join("missing")).is_err());
        assert_eq!(
            std::fs::read_dir(dir.path().join(STAGING)).unwrap().count(),
            0
        );
    }
}
