//! `idpctl package` and the ELF reader on the real binary: the architecture check, the glibc
//! check against provided.al2023's 2.34, reproducible zips, and the release artifact deploy.sh
//! builds.

mod common;

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{idpctl, idpctl_env};
use idpctl::package::{self, GlibcVersion, Machine, elf};

fn this_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_idpctl"))
}

fn read_elf(path: &Path) -> elf::ElfInfo {
    elf::read(&std::fs::read(path).unwrap()).unwrap()
}

/// The newest `GLIBC_x.y` `objdump -T` lists, when binutils is installed.
fn objdump_max_glibc(path: &Path) -> Option<GlibcVersion> {
    let out = Command::new("objdump").arg("-T").arg(path).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter_map(GlibcVersion::parse)
        .max()
}

#[test]
fn the_elf_reader_reads_this_binary_like_objdump() {
    let info = read_elf(&this_binary());
    let want = if cfg!(target_arch = "x86_64") {
        Machine::X86_64
    } else {
        Machine::Aarch64
    };
    assert_eq!(info.machine, want);
    if cfg!(target_env = "gnu") {
        assert!(info.dynamic);
        assert!(
            !info.glibc.is_empty(),
            "a glibc-linked binary names glibc versions"
        );
        match objdump_max_glibc(&this_binary()) {
            Some(max) => assert_eq!(
                info.max_glibc(),
                Some(&max),
                "reader and objdump -T disagree"
            ),
            None => eprintln!("objdump not installed: compared with nothing"),
        }
    }
}

#[test]
fn an_arm64_profile_refuses_this_x86_64_build_with_the_fix() {
    if !cfg!(target_arch = "x86_64") {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let zip = out.path().join("a.zip");
    let run = idpctl(&[
        "--profile",
        "dev",
        "package",
        "--out",
        zip.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    common::assert_contains(
        &run.stderr,
        "is built for x86_64, but profile `dev` deploys arm64 functions",
    );
    common::assert_contains(&run.stderr, "hint: run `./deploy.sh dev`");
    common::assert_contains(&run.stderr, "aarch64-unknown-linux-gnu.2.34");
    assert!(!zip.exists());
}

#[test]
fn an_x86_64_profile_packages_this_build_only_if_its_glibc_is_old_enough() {
    if !cfg!(all(target_arch = "x86_64", target_env = "gnu")) {
        return;
    }
    let info = read_elf(&this_binary());
    let runnable = info.max_glibc().is_none_or(|v| *v <= package::max_glibc());
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.zip"), dir.path().join("b.zip"));
    let env = [("IDPCTL_ARCHITECTURE", "x86_64")];
    let first = idpctl_env(
        &[
            "--profile",
            "dev",
            "--output",
            "json",
            "package",
            "--out",
            a.to_str().unwrap(),
        ],
        &env,
    );
    if !runnable {
        assert_eq!(first.code, 2, "{}", first.stderr);
        assert!(
            first
                .stderr
                .contains("but Lambda's provided.al2023 runtime has 2.34"),
            "{}",
            first.stderr
        );
        common::assert_contains(&first.stderr, "hint: run `./deploy.sh dev`");
        return;
    }
    assert_eq!(first.code, 0, "{}", first.stderr);
    let second = idpctl_env(
        &["--profile", "dev", "package", "--out", b.to_str().unwrap()],
        &env,
    );
    assert_eq!(second.code, 0, "{}", second.stderr);
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(
        bytes,
        std::fs::read(&b).unwrap(),
        "two packagings of one binary differ"
    );
    let report: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    let sha = report["artifact"]["sha256"].as_str().unwrap();
    assert_eq!(report["key"], format!("idpctl/{sha}.zip"));
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    assert_eq!(archive.len(), 1);
    let entry = archive.by_index(0).unwrap();
    assert_eq!(entry.name().unwrap(), "bootstrap");
    assert_eq!(entry.unix_mode().map(|m| m & 0o777), Some(0o755));
}

#[test]
fn deploy_refuses_a_zip_without_bootstrap_before_any_aws_call() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("wrong.zip");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&zip).unwrap());
    writer
        .start_file("handler", zip::write::SimpleFileOptions::default())
        .unwrap();
    writer.finish().unwrap();
    let run = idpctl(&[
        "--profile",
        "dev",
        "deploy",
        "--yes",
        "--artifact",
        zip.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    common::assert_contains(&run.stderr, "has no `bootstrap` entry (entries: handler)");
    common::assert_contains(
        &run.stderr,
        "hint: give `deploy --artifact` a zip made by `idpctl package`",
    );
}

/// deploy.sh's output: `<target-dir>/<triple>/release/idpctl` from cargo-zigbuild. Building it
/// takes minutes, so this checks it when it is there (or `IDPCTL_RELEASE_ARTIFACT` names it),
/// and fails without it only when `IDPCTL_REQUIRE_RELEASE_ARTIFACT` is set.
#[test]
fn the_release_artifact_needs_no_glibc_above_2_34() {
    let target_dir = this_binary()
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap();
    let mut candidates: Vec<PathBuf> = std::env::var_os("IDPCTL_RELEASE_ARTIFACT")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    for triple in ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"] {
        candidates.push(target_dir.join(triple).join("release").join("idpctl"));
    }
    let found: Vec<&PathBuf> = candidates.iter().filter(|p| p.is_file()).collect();
    if found.is_empty() {
        let msg = "no release artifact: run `./deploy.sh <profile> --package-only` to build one";
        assert!(
            std::env::var_os("IDPCTL_REQUIRE_RELEASE_ARTIFACT").is_none(),
            "{msg}"
        );
        eprintln!("skipping: {msg}");
        return;
    }
    for path in found {
        let info = read_elf(path);
        let max = info.max_glibc();
        assert!(
            max.is_none_or(|v| *v <= package::max_glibc()),
            "{} needs glibc {}",
            path.display(),
            max.map(ToString::to_string).unwrap_or_default()
        );
        eprintln!(
            "{}: {} needing glibc {:?}",
            path.display(),
            info.machine,
            max.map(ToString::to_string)
        );
    }
}
