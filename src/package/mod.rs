//! The Lambda artifact: the idpctl binary zipped as `bootstrap`, checked to run on
//! `provided.al2023` first (right architecture, no glibc newer than 2.34), and named by its
//! content's sha256 so an unchanged binary is neither uploaded nor deployed twice.

pub mod archive;
pub mod elf;
mod file_error;
pub mod image;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::diagnose::Diagnose;
use crate::exit::ExitStatus;
use crate::settings::Architecture;
pub use elf::{ElfInfo, GlibcVersion, Machine};
pub use file_error::FileError;

/// The newest glibc `provided.al2023` has.
pub fn max_glibc() -> GlibcVersion {
    GlibcVersion::new(2, 34)
}

/// The Rust target that builds a binary Lambda can run for this architecture, pinned to glibc
/// 2.34 the way cargo-zigbuild spells it.
pub fn zigbuild_target(arch: Architecture) -> &'static str {
    match arch {
        Architecture::Arm64 => "aarch64-unknown-linux-gnu.2.34",
        Architecture::X86_64 => "x86_64-unknown-linux-gnu.2.34",
    }
}

/// A zip ready to upload.
#[derive(Debug, Clone, Serialize)]
pub struct Artifact {
    #[serde(skip)]
    pub zip: Vec<u8>,
    /// Hex sha256 of the zip: its S3 key.
    pub sha256: String,
    /// Base64 sha256 of the zip: what Lambda reports as `CodeSha256`.
    pub code_sha256: String,
    pub size: usize,
    pub architecture: Architecture,
    /// The newest glibc the binary needs, if any.
    pub glibc: Option<String>,
    pub source: PathBuf,
}

impl Artifact {
    /// The S3 key: the content's hash, so identical content maps to one object.
    pub fn key(&self) -> String {
        format!("idpctl/{}.zip", self.sha256)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{path} is not a Linux binary Lambda can run: {source}")]
    NotElf {
        path: PathBuf,
        #[source]
        source: elf::ElfError,
    },
    #[error("{path} is built for {found}, but profile `{profile}` deploys {} functions", want.as_str())]
    WrongArchitecture {
        path: PathBuf,
        found: Machine,
        want: Architecture,
        profile: String,
    },
    #[error(
        "{path} needs glibc {needs}, but Lambda's provided.al2023 runtime has {}",
        max_glibc()
    )]
    GlibcTooNew {
        path: PathBuf,
        needs: GlibcVersion,
        want: Architecture,
        profile: String,
    },
    #[error("{path} is not a Lambda artifact: {message}")]
    BadZip { path: PathBuf, message: String },
}

impl Diagnose for PackageError {
    fn hint(&self) -> Option<String> {
        let build = |arch: Architecture, profile: &str| {
            format!(
                "run `./deploy.sh {profile}`, which builds with cargo-zigbuild for {} (glibc 2.34); \
                 or build it yourself (`cargo zigbuild --release --target {}`) and pass --artifact <BINARY>",
                arch.as_str(),
                zigbuild_target(arch)
            )
        };
        match self {
            PackageError::File(e) => e.hint(),
            PackageError::NotElf { .. } => {
                Some("pass --artifact <BINARY> with an idpctl built for Linux (see deploy.sh)".into())
            }
            PackageError::WrongArchitecture { want, profile, .. }
            | PackageError::GlibcTooNew { want, profile, .. } => Some(build(*want, profile)),
            PackageError::BadZip { .. } => Some(
                "give `deploy --artifact` a zip made by `idpctl package` (one executable entry named `bootstrap`)"
                    .into(),
            ),
        }
    }

    fn status(&self) -> ExitStatus {
        match self {
            PackageError::File(e) => e.status(),
            _ => ExitStatus::Usage,
        }
    }
}

/// Refuses a binary that `provided.al2023` on `want` could not start.
pub fn check_runnable(
    path: &Path,
    info: &ElfInfo,
    want: Architecture,
    profile: &str,
) -> Result<(), PackageError> {
    let matches = matches!(
        (info.machine, want),
        (Machine::X86_64, Architecture::X86_64) | (Machine::Aarch64, Architecture::Arm64)
    );
    if !matches {
        return Err(PackageError::WrongArchitecture {
            path: path.to_path_buf(),
            found: info.machine,
            want,
            profile: profile.to_string(),
        });
    }
    if let Some(needs) = info.max_glibc().filter(|v| **v > max_glibc()) {
        return Err(PackageError::GlibcTooNew {
            path: path.to_path_buf(),
            needs: needs.clone(),
            want,
            profile: profile.to_string(),
        });
    }
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>, PackageError> {
    Ok(std::fs::read(path).map_err(FileError::read(path))?)
}

fn finish(zip: Vec<u8>, info: &ElfInfo, want: Architecture, source: &Path) -> Artifact {
    let digest = Sha256::digest(&zip);
    Artifact {
        sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
        code_sha256: base64::engine::general_purpose::STANDARD.encode(digest),
        size: zip.len(),
        architecture: want,
        glibc: info.max_glibc().map(ToString::to_string),
        source: source.to_path_buf(),
        zip,
    }
}

/// Checks and zips a binary (by default the running idpctl itself).
pub fn from_binary(
    path: &Path,
    want: Architecture,
    profile: &str,
) -> Result<Artifact, PackageError> {
    let bytes = read(path)?;
    let info = elf::read(&bytes).map_err(|source| PackageError::NotElf {
        path: path.to_path_buf(),
        source,
    })?;
    check_runnable(path, &info, want, profile)?;
    let zip = archive::zip_bootstrap(&bytes).map_err(FileError::write(path))?;
    Ok(finish(zip, &info, want, path))
}

/// Takes a zip built elsewhere (deploy.sh, a CI job) as it is, after the same checks on its
/// `bootstrap`: the bytes uploaded are exactly the file given.
pub fn from_zip(path: &Path, want: Architecture, profile: &str) -> Result<Artifact, PackageError> {
    let zip = read(path)?;
    let bad = |message: String| PackageError::BadZip {
        path: path.to_path_buf(),
        message,
    };
    let binary = archive::read_bootstrap(&zip).map_err(bad)?;
    let info = elf::read(&binary)
        .map_err(|e| bad(format!("its `bootstrap` is not a Linux binary ({e})")))?;
    check_runnable(path, &info, want, profile)?;
    Ok(finish(zip, &info, want, path))
}

/// The artifact for a command: `--artifact` if given (a zip, or a binary to zip), else the
/// running binary.
pub fn resolve(
    given: Option<&Path>,
    want: Architecture,
    profile: &str,
) -> Result<Artifact, PackageError> {
    match given {
        Some(path) if read_magic(path)? == *b"PK\x03\x04" => from_zip(path, want, profile),
        Some(path) => from_binary(path, want, profile),
        None => {
            let me = std::env::current_exe().map_err(FileError::read("the running idpctl"))?;
            from_binary(&me, want, profile)
        }
    }
}

fn read_magic(path: &Path) -> Result<[u8; 4], PackageError> {
    use std::io::Read as _;
    let mut magic = [0u8; 4];
    let mut file = std::fs::File::open(path).map_err(FileError::read(path))?;
    // A file shorter than four bytes is neither a zip nor an ELF; let the ELF reader say so.
    let _ = file.read(&mut magic);
    Ok(magic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(machine: Machine, glibc: &[&str]) -> ElfInfo {
        ElfInfo {
            machine,
            glibc: glibc
                .iter()
                .filter_map(|g| GlibcVersion::parse(g))
                .collect(),
            dynamic: true,
        }
    }

    #[test]
    fn runnable_means_right_machine_and_glibc_at_most_2_34() {
        let p = Path::new("bin");
        let ok = info(Machine::X86_64, &["GLIBC_2.2.5", "GLIBC_2.34"]);
        assert!(check_runnable(p, &ok, Architecture::X86_64, "dev").is_ok());
        let static_arm = info(Machine::Aarch64, &[]);
        assert!(check_runnable(p, &static_arm, Architecture::Arm64, "dev").is_ok());

        let err = check_runnable(p, &ok, Architecture::Arm64, "dev").unwrap_err();
        assert!(matches!(err, PackageError::WrongArchitecture { .. }));
        assert!(
            err.hint()
                .unwrap()
                .contains("aarch64-unknown-linux-gnu.2.34")
        );

        let new = info(Machine::X86_64, &["GLIBC_2.34", "GLIBC_2.35"]);
        let err = check_runnable(p, &new, Architecture::X86_64, "dev").unwrap_err();
        assert_eq!(
            err.to_string(),
            "bin needs glibc 2.35, but Lambda's provided.al2023 runtime has 2.34"
        );
        assert!(err.hint().unwrap().contains("./deploy.sh dev"));
    }
}
