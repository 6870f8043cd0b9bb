//! Writing a file so that nobody ever sees half of it: it is filled under a staging folder beside
//! the destination tree and renamed into place. Both stores over the local buckets use it (the
//! handlers' object store in `services`, the Distributed Map's `FolderStore` in `asl`), so their
//! staging files share one naming scheme that the object store's open can clear after a crash.
//!
//! A staging file is named `<pid>-<counter>`: the process id keeps processes sharing a state
//! folder apart (and tells a later open whether the writer is gone), the counter the threads of
//! one process (two Map iterations may write the same key when a step is retried).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The staging folder's name under the root of the tree it writes into. Bucket names cannot
/// start with a dot, so it is never taken for a bucket.
pub const STAGING: &str = ".staging";

/// A failed staged write: what was being done, to which path, and the system's error.
#[derive(Debug, thiserror::Error)]
#[error("{context}: {source}")]
pub struct StagedError {
    pub context: String,
    #[source]
    pub source: std::io::Error,
}

impl StagedError {
    fn new(context: String, source: std::io::Error) -> Self {
        Self { context, source }
    }
}

/// A fresh staging file name under `root`'s staging folder (nothing is created).
pub fn staging_file(root: &Path) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    root.join(STAGING)
        .join(format!("{}-{n}", std::process::id()))
}

/// The staging folder of `root`, created.
pub fn staging_dir(root: &Path) -> Result<PathBuf, StagedError> {
    let dir = root.join(STAGING);
    std::fs::create_dir_all(&dir)
        .map_err(|e| StagedError::new(format!("cannot create {}", dir.display()), e))?;
    Ok(dir)
}

/// Writes the file `to` (somewhere under `root`) whole: `fill` creates a staging file at the path
/// it is given, which is then renamed to `to`. The staging folder is created when the first try
/// finds it missing (once per root), `to`'s folder when the rename does. On failure nothing is
/// left in the staging folder.
pub fn staged_write(
    root: &Path,
    to: &Path,
    fill: impl Fn(&Path) -> std::io::Result<()>,
) -> Result<(), StagedError> {
    let tmp = staging_file(root);
    let made = match fill(&tmp) {
        Err(e) if e.kind() == ErrorKind::NotFound && !root.join(STAGING).is_dir() => {
            staging_dir(root)?;
            fill(&tmp)
        }
        other => other,
    };
    if let Err(e) = made {
        let _ = std::fs::remove_file(&tmp);
        return Err(StagedError::new(
            format!("cannot write {}", tmp.display()),
            e,
        ));
    }
    place(&tmp, to)
}

/// Renames a staging file to `to`. The destination's folder is created only when the rename
/// finds it missing: most files go into folders that exist, and a `create_dir_all` per write was
/// a `mkdir` call each. A failed move removes the staging file.
pub fn place(tmp: &Path, to: &Path) -> Result<(), StagedError> {
    let cannot_move = |e| StagedError::new(format!("cannot move {} into place", to.display()), e);
    let moved = match std::fs::rename(tmp, to) {
        Err(e) if e.kind() == ErrorKind::NotFound => match to.parent() {
            Some(dir) => std::fs::create_dir_all(dir)
                .map_err(|e| StagedError::new(format!("cannot create {}", dir.display()), e))
                .and_then(|()| std::fs::rename(tmp, to).map_err(cannot_move)),
            None => Err(cannot_move(e)),
        },
        other => other.map_err(cannot_move),
    };
    if moved.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    moved
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staged(root: &Path) -> usize {
        std::fs::read_dir(root.join(STAGING)).map_or(0, |d| d.count())
    }

    #[test]
    fn a_write_lands_whole_in_new_folders_and_leaves_nothing_staged() {
        let root = tempfile::tempdir().unwrap();
        let to = root.path().join("b/new/folder/k.json");
        staged_write(root.path(), &to, |tmp| std::fs::write(tmp, b"{}")).unwrap();
        staged_write(root.path(), &to, |tmp| std::fs::write(tmp, b"[1]")).unwrap();
        assert_eq!(std::fs::read(&to).unwrap(), b"[1]");
        assert_eq!(staged(root.path()), 0);
    }

    #[test]
    fn failed_fills_and_failed_renames_leave_nothing_staged_and_name_the_path() {
        let root = tempfile::tempdir().unwrap();
        let to = root.path().join("b/k");
        // A fill that fails after creating its file (a copy from a file that vanished midway).
        let err = staged_write(root.path(), &to, |tmp| {
            std::fs::write(tmp, b"half")?;
            Err(std::io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(err.to_string().starts_with("cannot write "), "{err}");
        assert_eq!(staged(root.path()), 0);
        assert!(!to.exists());
        // A folder where the file should go: the rename cannot replace it.
        std::fs::create_dir_all(to.join("inner")).unwrap();
        let err = staged_write(root.path(), &to, |tmp| std::fs::write(tmp, b"x")).unwrap_err();
        assert!(err.to_string().contains("into place"), "{err}");
        assert_eq!(staged(root.path()), 0);
    }

    #[test]
    fn staging_names_differ_and_start_with_the_pid() {
        let root = Path::new("/r");
        let (a, b) = (staging_file(root), staging_file(root));
        assert_ne!(a, b);
        let name = a.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            name.starts_with(&format!("{}-", std::process::id())),
            "{name}"
        );
        assert_eq!(a.parent().unwrap(), root.join(STAGING));
    }
}
