//! The files a dynamically linked program needs to start, found the way the loader finds them:
//! its interpreter, then every `DT_NEEDED` library, recursively, searched in the object's
//! `DT_RUNPATH` and then the system directories of the wanted architecture. Libraries of another
//! architecture are skipped as the loader skips them, so a multiarch host (libc6:arm64 installed
//! beside amd64) can fill an arm64 image.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use super::ImageError;
use super::dynamic::{self, Dynamic};
use crate::package::FileError;
use crate::package::elf::{self, ElfInfo, Machine};
use crate::settings::Architecture;

/// One file of the closure: where it is on this machine and where it goes in the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    pub host: PathBuf,
    /// Absolute path in the image: the host directory it was found in (symlinks resolved, so
    /// `/lib` and `/usr/lib` on a merged-/usr system give one copy) and the name asked for.
    pub image: String,
}

/// A program's closure: the libraries (including the loader) and the loader's own path, which
/// the kernel opens by the name written in the program (`/lib64/ld-linux-x86-64.so.2`).
#[derive(Debug, Clone, Default)]
pub struct Closure {
    pub libraries: BTreeMap<String, Library>,
    /// `PT_INTERP` of the program and the image path of the file it names.
    pub interpreter: Option<(String, String)>,
}

/// The machine a profile's architecture runs.
pub fn machine(arch: Architecture) -> Machine {
    match arch {
        Architecture::X86_64 => Machine::X86_64,
        Architecture::Arm64 => Machine::Aarch64,
    }
}

/// The multiarch triplet Debian-style systems name library folders after.
pub fn triplet(arch: Architecture) -> &'static str {
    match arch {
        Architecture::X86_64 => "x86_64-linux-gnu",
        Architecture::Arm64 => "aarch64-linux-gnu",
    }
}

/// Where the loader looks when nothing else says where (Debian's multiarch folders first, then
/// the Fedora/Amazon Linux ones).
pub fn system_dirs(arch: Architecture) -> Vec<PathBuf> {
    let t = triplet(arch);
    [
        format!("/lib/{t}"),
        format!("/usr/lib/{t}"),
        "/lib64".into(),
        "/usr/lib64".into(),
        "/lib".into(),
        "/usr/lib".into(),
    ]
    .into_iter()
    .map(PathBuf::from)
    .collect()
}

/// Reads an ELF file's machine, glibc needs and loader facts.
pub fn inspect(path: &Path) -> Result<(ElfInfo, Dynamic), ImageError> {
    let bytes = std::fs::read(path).map_err(FileError::read(path))?;
    let bad = |source| ImageError::NotElf {
        path: path.to_path_buf(),
        source,
    };
    let info = elf::read(&bytes).map_err(bad)?;
    let dynamic = dynamic::read(&bytes).map_err(bad)?;
    Ok((info, dynamic))
}

fn machine_of(path: &Path) -> Option<Machine> {
    use std::io::Read as _;
    let mut head = [0u8; 20];
    std::fs::File::open(path).ok()?.read_exact(&mut head).ok()?;
    if &head[..4] != b"\x7fELF" || head[4] != 2 {
        return None;
    }
    Some(match u16::from_le_bytes([head[18], head[19]]) {
        62 => Machine::X86_64,
        183 => Machine::Aarch64,
        n => Machine::Other(n),
    })
}

fn image_path(host: &Path, name: &str) -> String {
    let dir = host
        .parent()
        .and_then(|d| std::fs::canonicalize(d).ok())
        .unwrap_or_else(|| host.parent().unwrap_or(Path::new("/")).to_path_buf());
    dir.join(name).to_string_lossy().into_owned()
}

/// Finds `name` for an object in `origin` with `runpath`, as the loader would.
fn find(
    name: &str,
    origin: &Path,
    runpath: &[String],
    dirs: &[PathBuf],
    want: Machine,
) -> Option<PathBuf> {
    if name.contains('/') {
        let p = PathBuf::from(name);
        return (machine_of(&p) == Some(want)).then_some(p);
    }
    let origin = origin.to_string_lossy();
    runpath
        .iter()
        .map(|r| PathBuf::from(r.replace("$ORIGIN", &origin).replace("${ORIGIN}", &origin)))
        .chain(dirs.iter().cloned())
        .map(|d| d.join(name))
        .find(|p| p.is_file() && machine_of(p) == Some(want))
}

/// The closure of `program` for `arch`, searching `dirs` (normally [`system_dirs`]). A library
/// that cannot be found is an error naming it and the program that needs it.
pub fn resolve(
    program: &Path,
    arch: Architecture,
    dirs: &[PathBuf],
) -> Result<Closure, ImageError> {
    let want = machine(arch);
    let (_, root) = inspect(program)?;
    let mut closure = Closure::default();
    if let Some(interp) = &root.interpreter {
        let host = std::fs::canonicalize(interp)
            .ok()
            .filter(|p| machine_of(p) == Some(want))
            .ok_or_else(|| ImageError::MissingLibrary {
                name: interp.clone(),
                needed_by: program.to_path_buf(),
                architecture: arch,
            })?;
        let name = Path::new(interp)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let image = image_path(&host, &name);
        closure.interpreter = Some((interp.clone(), image.clone()));
        closure
            .libraries
            .insert(image.clone(), Library { host, image });
    }
    let origin = |p: &Path| p.parent().unwrap_or(Path::new("/")).to_path_buf();
    let mut queue: VecDeque<(PathBuf, Dynamic)> = VecDeque::from([(program.to_path_buf(), root)]);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    while let Some((who, facts)) = queue.pop_front() {
        for name in &facts.needed {
            if !seen.insert(name.clone()) {
                continue;
            }
            let found = find(name, &origin(&who), &facts.runpath, dirs, want).ok_or_else(|| {
                ImageError::MissingLibrary {
                    name: name.clone(),
                    needed_by: who.clone(),
                    architecture: arch,
                }
            })?;
            let host = std::fs::canonicalize(&found).unwrap_or(found.clone());
            let base = Path::new(name)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| name.clone());
            let image = image_path(&found, &base);
            let (_, next) = inspect(&host)?;
            closure.libraries.insert(
                image.clone(),
                Library {
                    host: host.clone(),
                    image,
                },
            );
            queue.push_back((found, next));
        }
    }
    Ok(closure)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_arch() -> Option<Architecture> {
        match std::env::consts::ARCH {
            "x86_64" => Some(Architecture::X86_64),
            "aarch64" => Some(Architecture::Arm64),
            _ => None,
        }
    }

    #[test]
    fn the_closure_of_a_host_program_holds_its_loader_and_libc() {
        let Some(arch) = host_arch() else { return };
        let sh = Path::new("/bin/sh");
        let Ok(closure) = resolve(sh, arch, &system_dirs(arch)) else {
            return; // a static or unusual /bin/sh: nothing to learn here
        };
        let Some((interp, image)) = &closure.interpreter else {
            return;
        };
        assert!(interp.contains("ld-linux"), "{interp}");
        assert!(closure.libraries.contains_key(image));
        assert!(
            closure.libraries.keys().any(|k| k.ends_with("/libc.so.6")),
            "{:?}",
            closure.libraries.keys()
        );
    }

    #[test]
    fn a_library_of_another_architecture_is_missing() {
        let Some(arch) = host_arch() else { return };
        let other = match arch {
            Architecture::X86_64 => Architecture::Arm64,
            Architecture::Arm64 => Architecture::X86_64,
        };
        let err = resolve(Path::new("/bin/sh"), other, &system_dirs(other));
        // Unless this host has the other architecture's libc installed (multiarch).
        if let Err(e) = err {
            assert!(matches!(e, ImageError::MissingLibrary { .. }), "{e}");
        }
    }
}
