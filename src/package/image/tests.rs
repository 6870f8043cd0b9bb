//! Building layouts from small made-up binaries: what goes where, reproducibility, the refusals.

use super::*;
use crate::package::elf::ElfInfo;

/// A minimal static ELF64 executable header for `machine` (62 x86_64, 183 aarch64), plus
/// `tail` so two fakes can differ.
fn fake_elf(machine: u16, tail: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 64];
    b[..4].copy_from_slice(b"\x7fELF");
    b[4] = 2;
    b[5] = 1;
    b[6] = 1;
    b[16] = 2;
    b[18..20].copy_from_slice(&machine.to_le_bytes());
    b.extend_from_slice(tail);
    b
}

fn host_arch() -> Option<(Architecture, u16)> {
    match std::env::consts::ARCH {
        "x86_64" => Some((Architecture::X86_64, 62)),
        "aarch64" => Some((Architecture::Arm64, 183)),
        _ => None,
    }
}

fn build_fake(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    arch: Architecture,
    engine: &str,
) -> Result<BuiltImage, ImageError> {
    let bin = dir.join(format!("{name}.bin"));
    std::fs::write(&bin, bytes).unwrap();
    let out = dir.join(name);
    build(&ImageRequest {
        binary: &bin,
        architecture: arch,
        ocr_engine: engine,
        ocr_languages: &Default::default(),
        out: &out,
    })
}

#[test]
fn check_binary_refuses_another_machine_and_a_newer_glibc() {
    let p = Path::new("idpctl");
    let info = |machine, glibc: &[&str]| ElfInfo {
        machine,
        glibc: glibc
            .iter()
            .filter_map(|g| GlibcVersion::parse(g))
            .collect(),
        dynamic: true,
    };
    let has = GlibcVersion::new(2, 36);
    let ok = info(Machine::X86_64, &["GLIBC_2.35"]);
    assert!(check_binary(p, &ok, Architecture::X86_64, Some(&has)).is_ok());
    let err = check_binary(p, &ok, Architecture::Arm64, Some(&has)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "idpctl is built for x86_64, but the image is for arm64 functions"
    );
    assert!(
        err.hint()
            .unwrap()
            .contains("aarch64-unknown-linux-gnu.2.34")
    );
    assert!(err.hint().unwrap().contains("`architecture: x86_64`"));

    let new = info(Machine::X86_64, &["GLIBC_2.38"]);
    let err = check_binary(p, &new, Architecture::X86_64, Some(&has)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "idpctl needs glibc 2.38, but the image's C library (this machine's) is glibc 2.36"
    );
    assert!(
        err.hint()
            .unwrap()
            .contains("x86_64-unknown-linux-gnu.2.34")
    );
    // A static binary needs no C library at all.
    assert!(check_binary(p, &info(Machine::X86_64, &[]), Architecture::X86_64, None).is_ok());
}

#[test]
fn without_tesseract_there_are_two_layers_and_the_same_inputs_give_the_same_digest() {
    let Some((arch, machine)) = host_arch() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let a = build_fake(
        dir.path(),
        "a",
        &fake_elf(machine, b"one"),
        arch,
        "textract",
    )
    .unwrap();
    let b = build_fake(
        dir.path(),
        "b",
        &fake_elf(machine, b"one"),
        arch,
        "textract",
    )
    .unwrap();
    let whats: Vec<&str> = a.layers.iter().map(|l| l.what.as_str()).collect();
    assert_eq!(whats, ["base", "idpctl"]);
    assert_eq!(a.manifest_digest, b.manifest_digest);
    assert_eq!(a.glibc, None, "a static binary brings no C library");
    assert_eq!(a.entrypoint, ["/usr/local/bin/idpctl", "handler"]);

    let c = build_fake(
        dir.path(),
        "c",
        &fake_elf(machine, b"two"),
        arch,
        "textract",
    )
    .unwrap();
    assert_ne!(a.manifest_digest, c.manifest_digest);
    assert_eq!(a.layers[0], c.layers[0], "the base layer does not move");
    assert_ne!(a.layers[1].digest, c.layers[1].digest);

    // Read back, the layout says the same.
    let back = read_layout(&a.layout).unwrap();
    assert_eq!(back, a);
}

#[test]
fn rebuilding_into_the_same_folder_leaves_only_the_new_blobs() {
    let Some((arch, machine)) = host_arch() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    build_fake(dir.path(), "x", &fake_elf(machine, b"one"), arch, "none").unwrap();
    let second = build_fake(dir.path(), "x", &fake_elf(machine, b"two"), arch, "none").unwrap();
    let blobs = std::fs::read_dir(layout::blobs_dir(&second.layout))
        .unwrap()
        .count();
    assert_eq!(blobs, 4, "two layers, config, manifest");
    assert_eq!(read_layout(&second.layout).unwrap(), second);
}

#[test]
fn refuses_to_write_into_a_folder_that_is_not_a_layout() {
    let Some((arch, machine)) = host_arch() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("x")).unwrap();
    std::fs::write(dir.path().join("x/notes.txt"), b"mine").unwrap();
    let err = build_fake(dir.path(), "x", &fake_elf(machine, b""), arch, "none").unwrap_err();
    assert!(matches!(err, ImageError::OutNotEmpty { .. }), "{err}");
}

#[test]
fn unknown_engines_and_foreign_tesseract_are_refused() {
    let Some((arch, machine)) = host_arch() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let err = build_fake(dir.path(), "x", &fake_elf(machine, b""), arch, "ocrmagic").unwrap_err();
    assert_eq!(err.to_string(), "`ocrmagic` is not an OCR engine");

    // A static binary of the other architecture passes its own check; the Tesseract files of
    // this machine do not.
    let (other, other_machine) = match arch {
        Architecture::X86_64 => (Architecture::Arm64, 183),
        Architecture::Arm64 => (Architecture::X86_64, 62),
    };
    if std::process::Command::new("tesseract")
        .arg("--version")
        .output()
        .is_err()
    {
        return;
    }
    let err = build_fake(
        dir.path(),
        "y",
        &fake_elf(other_machine, b""),
        other,
        "tesseract",
    )
    .unwrap_err();
    assert!(
        matches!(err, ImageError::TesseractArchitecture { .. }),
        "{err}"
    );
    assert!(
        err.hint()
            .unwrap()
            .contains(&format!("`architecture: {}`", arch.as_str()))
    );
}
