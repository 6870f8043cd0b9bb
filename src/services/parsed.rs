//! Parsed objects kept between the steps of a local run. The stages after `page_check` each
//! read the document's `pages.json` (a 17-page statement's is over 1 MB); parsing it again in
//! every step was most of the JSON cost of a text PDF (benches/pipeline.rs). The local store
//! keeps the value a step parsed, keyed by the file and the type it was parsed into, and hands
//! it to the next step that asks for the same object and type while the file is unchanged.
//!
//! Nothing is lost to a crash: every object is still written whole to its file, and a value
//! is only ever what parsing the file's current bytes gives (the memo is filled on reads, never
//! from what a step meant to write), so a resumed run sees exactly what an uninterrupted one
//! does. "Unchanged" is the file's identity: every local write goes through a new file renamed
//! into place, so a rewritten object has a new inode (checked with its size and mtime too).
//! The memo is bounded by the size of the files it holds; the least recently used go first.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::StoreError;

/// A value parsed from an object's bytes, shared by the steps that read it.
pub type Parsed = Arc<dyn Any + Send + Sync>;

/// What makes a [`Parsed`] value from an object's bytes.
pub type Parse<'a> = dyn Fn(&[u8]) -> Result<Parsed, StoreError> + Send + Sync + 'a;

/// Files' worth of parsed values a local store keeps: a few documents' pages at a time (two
/// to four executions run at once), small enough not to move a batch's peak memory much.
pub const DEFAULT_BUDGET: usize = 16 << 20;

/// Which version of a file a value was parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime_ns: i128,
}

impl Stamp {
    #[cfg(unix)]
    pub fn of(m: &std::fs::Metadata) -> Self {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            dev: m.dev(),
            ino: m.ino(),
            len: m.len(),
            mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        }
    }

    #[cfg(not(unix))]
    pub fn of(m: &std::fs::Metadata) -> Self {
        let mtime_ns = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128);
        Stamp {
            dev: 0,
            ino: 0,
            len: m.len(),
            mtime_ns,
        }
    }
}

struct Entry {
    type_id: TypeId,
    stamp: Stamp,
    value: Parsed,
    size: usize,
    used: u64,
}

#[derive(Default)]
struct Inner {
    files: HashMap<PathBuf, Vec<Entry>>,
    size: usize,
    tick: u64,
}

/// The values parsed from a store's files, least recently used out first.
pub struct ParsedMemo {
    budget: usize,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for ParsedMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = self.lock();
        f.debug_struct("ParsedMemo")
            .field("budget", &self.budget)
            .field("files", &inner.files.len())
            .field("size", &inner.size)
            .finish()
    }
}

impl ParsedMemo {
    /// A memo holding values parsed from at most `budget` bytes of files.
    pub fn new(budget: usize) -> Self {
        ParsedMemo {
            budget,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves at worst a stale size count.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value of type `type_id` parsed from `path` when it had `stamp`.
    pub fn get(&self, path: &Path, type_id: TypeId, stamp: Stamp) -> Option<Parsed> {
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        let entry = inner
            .files
            .get_mut(path)?
            .iter_mut()
            .find(|e| e.type_id == type_id && e.stamp == stamp)?;
        entry.used = tick;
        Some(entry.value.clone())
    }

    /// Keeps `value`, parsed from `size` bytes of `path` at `stamp`, in place of any value of
    /// another version of the file. A file larger than the whole budget is not kept.
    pub fn insert(&self, path: &Path, type_id: TypeId, stamp: Stamp, value: Parsed, size: usize) {
        if size > self.budget {
            return;
        }
        let mut inner = self.lock();
        inner.tick += 1;
        let used = inner.tick;
        let entries = inner.files.entry(path.to_path_buf()).or_default();
        let mut freed = 0;
        entries.retain(|e| {
            let keep = e.stamp == stamp && e.type_id != type_id;
            if !keep {
                freed += e.size;
            }
            keep
        });
        entries.push(Entry {
            type_id,
            stamp,
            value,
            size,
            used,
        });
        inner.size = inner.size - freed + size;
        while inner.size > self.budget {
            let Some((oldest, index)) = inner
                .files
                .iter()
                .flat_map(|(p, es)| es.iter().enumerate().map(move |(i, e)| (e.used, p, i)))
                .min_by_key(|(used, _, _)| *used)
                .map(|(_, p, i)| (p.clone(), i))
            else {
                break;
            };
            let entries = inner.files.get_mut(&oldest).expect("found above");
            let gone = entries.remove(index);
            if entries.is_empty() {
                inner.files.remove(&oldest);
            }
            inner.size -= gone.size;
        }
    }

    /// Forgets every value parsed from `path` (it is being written).
    pub fn forget(&self, path: &Path) {
        let mut inner = self.lock();
        if let Some(entries) = inner.files.remove(path) {
            inner.size -= entries.iter().map(|e| e.size).sum::<usize>();
        }
    }

    /// Bytes of files whose values are kept.
    pub fn size(&self) -> usize {
        self.lock().size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(ino: u64) -> Stamp {
        Stamp {
            dev: 1,
            ino,
            len: 10,
            mtime_ns: 5,
        }
    }

    fn value(n: u32) -> Parsed {
        Arc::new(n)
    }

    fn get_u32(memo: &ParsedMemo, path: &str, ino: u64) -> Option<u32> {
        memo.get(Path::new(path), TypeId::of::<u32>(), stamp(ino))
            .map(|v| *v.downcast::<u32>().unwrap())
    }

    #[test]
    fn a_value_is_only_given_for_the_same_file_version_and_type() {
        let memo = ParsedMemo::new(100);
        memo.insert(Path::new("a"), TypeId::of::<u32>(), stamp(1), value(7), 10);
        assert_eq!(get_u32(&memo, "a", 1), Some(7));
        // The file was replaced (a new inode): parse again.
        assert_eq!(get_u32(&memo, "a", 2), None);
        assert!(
            memo.get(Path::new("a"), TypeId::of::<String>(), stamp(1))
                .is_none()
        );
        assert_eq!(get_u32(&memo, "b", 1), None);
        // A newer version replaces the older one.
        memo.insert(Path::new("a"), TypeId::of::<u32>(), stamp(2), value(8), 10);
        assert_eq!(get_u32(&memo, "a", 1), None);
        assert_eq!(get_u32(&memo, "a", 2), Some(8));
        assert_eq!(memo.size(), 10);
        memo.forget(Path::new("a"));
        assert_eq!(get_u32(&memo, "a", 2), None);
        assert_eq!(memo.size(), 0);
    }

    #[test]
    fn the_least_recently_used_go_first_and_the_budget_holds() {
        let memo = ParsedMemo::new(30);
        for (i, name) in ["a", "b", "c"].iter().enumerate() {
            memo.insert(
                Path::new(name),
                TypeId::of::<u32>(),
                stamp(1),
                value(i as u32),
                10,
            );
        }
        assert_eq!(get_u32(&memo, "a", 1), Some(0)); // a is now more recent than b
        memo.insert(Path::new("d"), TypeId::of::<u32>(), stamp(1), value(3), 10);
        assert_eq!(memo.size(), 30);
        assert_eq!(get_u32(&memo, "b", 1), None);
        assert_eq!(get_u32(&memo, "a", 1), Some(0));
        assert_eq!(get_u32(&memo, "d", 1), Some(3));
        // Larger than the whole budget: not kept, nothing else evicted.
        memo.insert(Path::new("e"), TypeId::of::<u32>(), stamp(1), value(4), 31);
        assert_eq!(get_u32(&memo, "e", 1), None);
        assert_eq!(memo.size(), 30);
    }
}
