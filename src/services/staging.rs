//! Where the local object store writes an object before it exists: one `.staging` folder beside
//! the buckets. An object is written whole to a staging file and renamed into its bucket, so a
//! reader (or a run killed mid-write) never sees half of it. Staging outside every bucket keeps
//! the buckets free of anything but objects: a key may contain any text (earlier, a `.tmp-`
//! sibling in the bucket folder meant such keys had to be hidden from listings), and a write
//! killed before its rename leaves its litter here, where the next open clears it. Bucket
//! names cannot start with a dot (S3's rule, and `LocalObjects::path` refuses them), and the
//! folder is on the same filesystem as the buckets, so the rename stays atomic.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::StoreError;
use crate::fsutil::{self, StagedError};

/// The staging folder's name inside the buckets folder (shared with the Distributed Map's
/// result writer, which puts files into the same buckets through the same [`fsutil`]).
pub use crate::fsutil::STAGING;

#[derive(Debug, Clone)]
pub struct Staging {
    root: PathBuf,
}

impl From<StagedError> for StoreError {
    fn from(e: StagedError) -> Self {
        StoreError::io(e.context, e.source)
    }
}

impl Staging {
    /// The staging folder of the buckets under `root`, cleared of files whose writers are gone.
    /// Nothing is created yet: the first write does that.
    pub fn open(root: &Path) -> Self {
        let staging = Staging {
            root: root.to_path_buf(),
        };
        staging.clear_stale();
        staging
    }

    /// Removes what killed writes left. Files of processes still running are kept: several
    /// processes may share a state folder, and their writes are in flight.
    fn clear_stale(&self) {
        let Ok(entries) = std::fs::read_dir(self.root.join(STAGING)) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if writer_gone(&name.to_string_lossy(), &entry) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// A staging file name, its folder created: for writers that fill it themselves (whole-file
    /// copies through `tokio::fs`) and then [`place`] it.
    pub fn prepare(&self) -> Result<PathBuf, StoreError> {
        fsutil::staging_dir(&self.root)?;
        Ok(fsutil::staging_file(&self.root))
    }

    /// Writes `body` to `path` through a staging file.
    pub fn write(&self, path: &Path, body: &[u8]) -> Result<(), StoreError> {
        Ok(fsutil::staged_write(&self.root, path, |tmp| {
            std::fs::File::create(tmp)?.write_all(body)
        })?)
    }
}

/// Renames a staging file to `path` (see [`fsutil::place`]).
pub fn place(tmp: &Path, path: &Path) -> Result<(), StoreError> {
    Ok(fsutil::place(tmp, path)?)
}

/// Whether the writer of staging file `name` is gone, so the file is litter from a killed
/// write. A name not of this module's making is litter too: nobody else writes here.
fn writer_gone(name: &str, entry: &std::fs::DirEntry) -> bool {
    let Some(pid) = name
        .split_once('-')
        .and_then(|(pid, _)| pid.parse::<u32>().ok())
    else {
        return true;
    };
    if pid == std::process::id() {
        return false;
    }
    !process_running(pid, entry)
}

#[cfg(target_os = "linux")]
fn process_running(pid: u32, _entry: &std::fs::DirEntry) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

/// Without `/proc`, a writer is taken to be gone once its file is a day old: no single object
/// write takes that long.
#[cfg(not(target_os = "linux"))]
fn process_running(_pid: u32, entry: &std::fs::DirEntry) -> bool {
    entry
        .metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_none_or(|age| age < std::time::Duration::from_secs(86_400))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The id of a process that has exited.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[test]
    fn open_clears_what_killed_writers_left_and_keeps_live_ones() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join(STAGING);
        std::fs::create_dir_all(&dir).unwrap();
        let dead = dir.join(format!("{}-0", dead_pid()));
        let live = dir.join(format!("{}-7", std::process::id()));
        let odd = dir.join("not-ours");
        for f in [&dead, &live, &odd] {
            std::fs::write(f, "half an object").unwrap();
        }
        Staging::open(root.path());
        assert!(!dead.exists(), "a killed writer's file is litter");
        assert!(!odd.exists(), "nobody else writes here");
        assert!(live.exists(), "a running writer's file is in flight");
    }

    #[test]
    fn a_write_lands_whole_and_leaves_nothing_staged() {
        let root = tempfile::tempdir().unwrap();
        let staging = Staging::open(root.path());
        let path = root.path().join("b/new/folder/k.json");
        staging.write(&path, b"{}").unwrap();
        staging.write(&path, b"[1]").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"[1]");
        assert_eq!(
            std::fs::read_dir(root.path().join(STAGING))
                .unwrap()
                .count(),
            0
        );
    }

    #[test]
    fn a_failed_rename_removes_its_staging_file() {
        let root = tempfile::tempdir().unwrap();
        let staging = Staging::open(root.path());
        // A folder where the object should go: the rename cannot replace it.
        let path = root.path().join("b/k");
        std::fs::create_dir_all(path.join("inner")).unwrap();
        assert!(staging.write(&path, b"x").is_err());
        assert_eq!(
            std::fs::read_dir(root.path().join(STAGING))
                .unwrap()
                .count(),
            0
        );
    }
}
