//! Where templates and stack definitions come from: the copies compiled into the binary (see
//! `build.rs`), or a folder given with `--templates-dir` so users can change the stack without
//! rebuilding idpctl.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The embedded file at a repository-relative path such as `profiles/dev.yaml`.
pub fn embedded(path: &str) -> Option<&'static str> {
    FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| *text)
}

/// Names of the embedded files directly under a folder prefix such as `profiles/`.
pub fn embedded_names(prefix: &str) -> impl Iterator<Item = &'static str> + '_ {
    FILES
        .iter()
        .filter_map(move |(p, _)| p.strip_prefix(prefix))
        .filter(|rest| !rest.contains('/'))
}

/// The source of `templates/` and `stacks/` for one render.
#[derive(Debug, Clone, Default)]
pub struct Assets {
    dir: Option<PathBuf>,
}

impl Assets {
    pub fn builtin() -> Self {
        Assets { dir: None }
    }

    /// Reads `DIR/templates/…` and `DIR/stacks/…`, and nothing built in, so a render never
    /// mixes two versions of the stack.
    pub fn from_dir(dir: impl Into<PathBuf>) -> Self {
        Assets {
            dir: Some(dir.into()),
        }
    }

    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    pub fn get(&self, path: &str) -> Option<Cow<'static, str>> {
        match &self.dir {
            Some(dir) => std::fs::read_to_string(dir.join(path)).ok().map(Cow::Owned),
            None => embedded(path).map(Cow::Borrowed),
        }
    }

    pub fn names_under(&self, prefix: &str) -> Vec<String> {
        match &self.dir {
            Some(dir) => {
                let mut names: Vec<String> = std::fs::read_dir(dir.join(prefix))
                    .into_iter()
                    .flatten()
                    .flatten()
                    .filter(|e| e.path().is_file())
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect();
                names.sort();
                names
            }
            None => embedded_names(prefix).map(str::to_string).collect(),
        }
    }

    /// How to name this source in messages.
    pub fn describe(&self, path: &str) -> String {
        match &self.dir {
            Some(dir) => dir.join(path).display().to_string(),
            None => path.to_string(),
        }
    }
}
