//! The digests of images already built, so `status` on a `package: image` profile learns the
//! digest `deploy` would push without building the image again (about 10 s). An entry is keyed
//! by what makes the image: the sha256 of the binary, the OCR engine (whether Tesseract goes in)
//! and its language setting (which packs go in), the architecture and the version of the idpctl that builds it (the layout's format); a
//! changed binary misses. Kept in `$XDG_CACHE_HOME/idpctl/image-digests.json` (or
//! `~/.cache/idpctl/`), newest first, at most [`KEEP`] entries.
//!
//! What this machine puts into the image besides the binary (the C library, Tesseract, the CA
//! bundle) is not in the key: after upgrading those, delete the file to have `status` rebuild.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::settings::Architecture;

/// Entries kept; older ones are dropped as new binaries come.
pub const KEEP: usize = 32;
/// The file's name in the cache folder.
pub const FILE: &str = "image-digests.json";

/// What an image is built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    /// Hex sha256 of the binary.
    pub binary_sha256: String,
    pub ocr_engine: String,
    /// `engines.tesseract.languages` for a Tesseract image, empty otherwise (older entries lack
    /// it and miss).
    #[serde(default)]
    pub ocr_languages: String,
    pub architecture: Architecture,
    /// The idpctl version that built the image.
    pub builder: String,
}

impl Key {
    /// Hashes `binary` (streamed: a debug idpctl is hundreds of MB).
    pub fn of(
        binary: &Path,
        ocr_engine: &str,
        ocr_languages: &crate::pipeline::ocr::packs::Languages,
        architecture: Architecture,
    ) -> io::Result<Key> {
        use std::io::Read as _;
        let mut file = std::fs::File::open(binary)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(Key {
            binary_sha256: hex::encode(hasher.finalize()),
            ocr_engine: ocr_engine.to_string(),
            ocr_languages: if ocr_engine == "tesseract" {
                ocr_languages.to_string()
            } else {
                String::new()
            },
            architecture,
            builder: env!("CARGO_PKG_VERSION").to_string(),
        })
    }
}

/// The digests of one built image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digests {
    /// `sha256:…` of the manifest.
    pub manifest: String,
    /// `sha256:…` of the config.
    pub config: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    #[serde(flatten)]
    key: Key,
    #[serde(flatten)]
    digests: Digests,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    images: Vec<Entry>,
}

/// The cache file.
#[derive(Debug, Clone)]
pub struct DigestCache {
    path: PathBuf,
}

impl DigestCache {
    pub fn at(path: impl Into<PathBuf>) -> DigestCache {
        DigestCache { path: path.into() }
    }

    /// The user's cache folder, from `get` (the environment); `None` without XDG_CACHE_HOME
    /// or HOME.
    pub fn user(get: impl Fn(&str) -> Option<String>) -> Option<DigestCache> {
        let set = |k: &str| get(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let dir = set("XDG_CACHE_HOME").or_else(|| set("HOME").map(|h| h.join(".cache")))?;
        Some(DigestCache::at(dir.join("idpctl").join(FILE)))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The digests built from `key`, if recorded. A missing or unreadable file is a miss: the
    /// cache only ever saves a build.
    pub fn get(&self, key: &Key) -> Option<Digests> {
        self.read()
            .images
            .into_iter()
            .find(|e| &e.key == key)
            .map(|e| e.digests)
    }

    /// Records what `key` built, first; replaced atomically, so a reader never sees half a file.
    pub fn put(&self, key: &Key, digests: &Digests) -> io::Result<()> {
        let mut file = self.read();
        file.images.retain(|e| &e.key != key);
        file.images.insert(
            0,
            Entry {
                key: key.clone(),
                digests: digests.clone(),
            },
        );
        file.images.truncate(KEEP);
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let tmp = tempfile::NamedTempFile::new_in(dir)?;
        std::fs::write(tmp.path(), serde_json::to_vec_pretty(&file)?)?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }

    fn read(&self) -> File {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digests(n: u8) -> Digests {
        Digests {
            manifest: format!("sha256:{n:064}"),
            config: format!("sha256:{:064}", n + 1),
        }
    }

    fn langs(s: &str) -> crate::pipeline::ocr::packs::Languages {
        crate::pipeline::ocr::packs::Languages::parse(s).unwrap()
    }

    #[test]
    fn a_recorded_build_is_found_and_a_changed_binary_misses() {
        let dir = tempfile::tempdir().unwrap();
        let binary = dir.path().join("idpctl");
        std::fs::write(&binary, b"one").unwrap();
        let cache = DigestCache::at(dir.path().join("cache").join(FILE));
        let key = Key::of(&binary, "none", &langs("auto"), Architecture::X86_64).unwrap();
        assert_eq!(cache.get(&key), None);
        cache.put(&key, &digests(1)).unwrap();
        assert_eq!(cache.get(&key), Some(digests(1)));

        let other_engine = Key {
            ocr_engine: "tesseract".into(),
            ..key.clone()
        };
        assert_eq!(cache.get(&other_engine), None);
        let tesseract =
            Key::of(&binary, "tesseract", &langs("auto"), Architecture::X86_64).unwrap();
        let german = Key::of(
            &binary,
            "tesseract",
            &langs("eng+deu"),
            Architecture::X86_64,
        )
        .unwrap();
        assert_ne!(tesseract, german, "the packs in the image differ");
        assert_eq!(
            Key::of(&binary, "none", &langs("eng+deu"), Architecture::X86_64).unwrap(),
            key,
            "without Tesseract the language setting makes no difference"
        );
        let other_arch = Key {
            architecture: Architecture::Arm64,
            ..key.clone()
        };
        assert_eq!(cache.get(&other_arch), None);
        std::fs::write(&binary, b"two").unwrap();
        let changed = Key::of(&binary, "none", &langs("auto"), Architecture::X86_64).unwrap();
        assert_ne!(changed, key);
        assert_eq!(cache.get(&changed), None);
    }

    #[test]
    fn the_newest_entries_are_kept_and_a_broken_file_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DigestCache::at(dir.path().join(FILE));
        let key = |n: usize| Key {
            binary_sha256: format!("{n:064x}"),
            ocr_engine: "none".into(),
            ocr_languages: String::new(),
            architecture: Architecture::Arm64,
            builder: "0".into(),
        };
        for n in 0..KEEP + 3 {
            cache.put(&key(n), &digests(n as u8)).unwrap();
        }
        assert_eq!(cache.get(&key(0)), None, "the oldest went");
        assert_eq!(cache.get(&key(KEEP + 2)), Some(digests(KEEP as u8 + 2)));
        assert_eq!(cache.get(&key(3)), Some(digests(3)));

        std::fs::write(cache.path(), b"{not json").unwrap();
        assert_eq!(cache.get(&key(3)), None);
        cache.put(&key(3), &digests(3)).unwrap();
        assert_eq!(cache.get(&key(3)), Some(digests(3)));
    }

    #[test]
    fn the_folder_follows_xdg_then_home() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let path = |c: Option<DigestCache>| c.map(|c| c.path().to_path_buf());
        assert_eq!(
            path(DigestCache::user(env(&[
                ("XDG_CACHE_HOME", "/x"),
                ("HOME", "/h")
            ]))),
            Some(PathBuf::from("/x/idpctl/image-digests.json"))
        );
        assert_eq!(
            path(DigestCache::user(env(&[("HOME", "/h")]))),
            Some(PathBuf::from("/h/.cache/idpctl/image-digests.json"))
        );
        assert_eq!(path(DigestCache::user(env(&[]))), None);
    }
}
