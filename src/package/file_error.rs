//! A file that packaging could not read or write, with its path: one type for the zip
//! ([`super::PackageError`]) and the image ([`super::image::ImageError`]), which hold it as a
//! transparent variant, so both say it and hint at it the same way.

use std::io;
use std::path::PathBuf;

use crate::diagnose::Diagnose;
use crate::exit::ExitStatus;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl FileError {
    /// For `map_err`: a failed read of `path`.
    pub fn read(path: impl Into<PathBuf>) -> impl Fn(io::Error) -> FileError {
        let path = path.into();
        move |source| FileError::Read {
            path: path.clone(),
            source,
        }
    }

    /// For `map_err`: a failed write to `path`.
    pub fn write(path: impl Into<PathBuf>) -> impl Fn(io::Error) -> FileError {
        let path = path.into();
        move |source| FileError::Write {
            path: path.clone(),
            source,
        }
    }
}

impl Diagnose for FileError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            FileError::Read { .. } => "check the path and that you may read it".into(),
            FileError::Write { .. } => "check that the folder exists and is writable".into(),
        })
    }

    /// A path given is the caller's to fix; a write that fails is this machine's trouble.
    fn status(&self) -> ExitStatus {
        match self {
            FileError::Read { .. } => ExitStatus::Usage,
            FileError::Write { .. } => ExitStatus::Findings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_is_named_and_the_cause_kept() {
        let e = FileError::write("/ro/x.zip")(io::Error::from(io::ErrorKind::PermissionDenied));
        assert_eq!(e.to_string(), "cannot write /ro/x.zip");
        assert_eq!(
            std::error::Error::source(&e).map(ToString::to_string),
            Some("permission denied".into())
        );
        assert_eq!(e.status(), ExitStatus::Findings);
        let e = FileError::read("a")(io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(e.status(), ExitStatus::Usage);
        assert!(e.hint().unwrap().contains("may read it"));
    }
}
