//! What each layer holds, as a sorted map of image paths to entries, before anything is
//! written. Parent folders are added here so every layer unpacks on its own, and modes are
//! normalised (0755 for folders and anything executable, 0644 for the rest) so the host's
//! umask does not leak into the digest.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use super::ImageError;
use crate::package::FileError;

/// Where an entry's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Dir,
    File(PathBuf),
    Symlink(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub mode: u32,
    pub source: Source,
}

/// One layer's files, keyed by their path in the image without the leading slash.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub what: String,
    pub entries: BTreeMap<String, Entry>,
}

fn relative(image_path: &str) -> String {
    image_path.trim_start_matches('/').to_string()
}

impl Plan {
    pub fn new(what: &str) -> Self {
        Plan {
            what: what.into(),
            entries: BTreeMap::new(),
        }
    }

    /// A host file at `image_path`, its mode normalised.
    pub fn file(&mut self, image_path: &str, host: &Path) -> Result<(), ImageError> {
        let meta = std::fs::metadata(host).map_err(FileError::read(host))?;
        let mode = if meta.permissions().mode() & 0o111 != 0 {
            0o755
        } else {
            0o644
        };
        self.entries.insert(
            relative(image_path),
            Entry {
                mode,
                source: Source::File(host.to_path_buf()),
            },
        );
        Ok(())
    }

    /// A host file as an executable at `image_path`, whatever its mode here.
    pub fn program(&mut self, image_path: &str, host: &Path) {
        self.entries.insert(
            relative(image_path),
            Entry {
                mode: 0o755,
                source: Source::File(host.to_path_buf()),
            },
        );
    }

    pub fn symlink(&mut self, image_path: &str, target: &str) {
        self.entries.insert(
            relative(image_path),
            Entry {
                mode: 0o777,
                source: Source::Symlink(target.into()),
            },
        );
    }

    pub fn dir(&mut self, image_path: &str, mode: u32) {
        self.entries.insert(
            relative(image_path),
            Entry {
                mode,
                source: Source::Dir,
            },
        );
    }

    pub fn contains(&self, image_path: &str) -> bool {
        self.entries.contains_key(&relative(image_path))
    }

    /// Adds every missing parent folder (0755), so tools that refuse orphan entries unpack it.
    pub fn with_parents(mut self) -> Self {
        let parents: Vec<String> = self
            .entries
            .keys()
            .flat_map(|p| {
                let mut acc = Vec::new();
                let mut cur = Path::new(p).parent();
                while let Some(d) = cur.filter(|d| !d.as_os_str().is_empty()) {
                    acc.push(d.to_string_lossy().into_owned());
                    cur = d.parent();
                }
                acc
            })
            .collect();
        for p in parents {
            self.entries.entry(p).or_insert(Entry {
                mode: 0o755,
                source: Source::Dir,
            });
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_first_in_path_order_and_modes_are_normalised() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::write(&data, b"x").unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut plan = Plan::new("t");
        plan.file("/usr/share/x/data", &data).unwrap();
        plan.program("/usr/local/bin/idpctl", &data);
        plan.symlink("/lib64/ld.so", "/usr/lib/ld.so");
        let plan = plan.with_parents();
        let keys: Vec<&str> = plan.entries.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "lib64",
                "lib64/ld.so",
                "usr",
                "usr/local",
                "usr/local/bin",
                "usr/local/bin/idpctl",
                "usr/share",
                "usr/share/x",
                "usr/share/x/data"
            ]
        );
        assert_eq!(plan.entries["usr/share/x/data"].mode, 0o644);
        assert_eq!(plan.entries["usr/local/bin/idpctl"].mode, 0o755);
        assert_eq!(plan.entries["usr"].source, Source::Dir);
    }
}
