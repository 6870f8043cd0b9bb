//! The `tesseract` layer: this machine's Tesseract program at `/usr/bin/tesseract`, every
//! library it loads that the base layer does not already hold, and the language data our OCR
//! uses — `eng` (what [`crate::pipeline::ocr::tesseract::Tesseract`] reads with), `osd`
//! (orientation and script detection), the packs a page may be read again in
//! (`engines.tesseract.languages`: `auto` takes every pack the language detector knows that this
//! machine has) and the `tsv` output config it asks for — and nothing else from tessdata (no
//! training configs, no fonts, no documentation).

use std::path::{Path, PathBuf};

use super::contents::Plan;
use super::{ImageError, closure};
use crate::package::elf::GlibcVersion;
use crate::pipeline::ocr::language;
use crate::pipeline::ocr::packs::Languages;
use crate::settings::Architecture;

/// Where the program and its data go in the image (Debian's paths, so the program's own
/// defaults would find them even without the environment).
pub const PROGRAM: &str = "/usr/bin/tesseract";
pub const TESSDATA: &str = "/usr/share/tesseract-ocr/5/tessdata";
/// Language files that always go in.
pub const LANGUAGES: &[&str] = &["eng", "osd"];
/// Output configs our OCR runs with (`tesseract stdin stdout … tsv`).
pub const CONFIGS: &[&str] = &["tsv"];

/// The layer and what the image config must say for it to work.
pub struct Layer {
    pub plan: Plan,
    /// The language packs that went in, `eng` and `osd` first.
    pub languages: Vec<String>,
    pub env: Vec<String>,
    pub glibc: Option<GlibcVersion>,
}

/// The program our OCR runs: `TESSERACT_PATH`, else `tesseract` on PATH.
fn find_program() -> Result<PathBuf, ImageError> {
    if let Ok(p) = std::env::var("TESSERACT_PATH") {
        let p = PathBuf::from(p);
        return p
            .is_file()
            .then_some(p.clone())
            .ok_or_else(|| ImageError::NoTesseract {
                reason: format!("TESSERACT_PATH={} is not a file", p.display()),
            });
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join("tesseract"))
        .find(|p| p.is_file())
        .ok_or_else(|| ImageError::NoTesseract {
            reason: "`tesseract` is not installed here (not on PATH, TESSERACT_PATH unset)".into(),
        })
}

/// Folders that may hold this machine's language data, most specific first.
fn tessdata_dirs(program: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![];
    if let Ok(p) = std::env::var("TESSDATA_PREFIX") {
        dirs.push(PathBuf::from(&p));
        dirs.push(PathBuf::from(p).join("tessdata"));
    }
    // A Tesseract installed under a prefix keeps its data under that prefix's share/.
    if let Some(prefix) = program.parent().and_then(Path::parent) {
        dirs.push(prefix.join("share/tesseract-ocr/5/tessdata"));
        dirs.push(prefix.join("share/tessdata"));
    }
    for d in [
        "/usr/share/tesseract-ocr/5/tessdata",
        "/usr/share/tesseract-ocr/4.00/tessdata",
        "/usr/share/tessdata",
        "/usr/local/share/tessdata",
    ] {
        dirs.push(PathBuf::from(d));
    }
    dirs
}

/// The packs that go in from `data`: [`LANGUAGES`] and the setting's first pack, which must be
/// there; the setting's other packs, which must be there when named (a deployed function would
/// otherwise read those pages in English without a word); with `auto`, every pack the detector
/// knows that `data` holds, since the function cannot tell a missing pack from an unwanted one.
fn packs_for(languages: &Languages, data: &Path) -> Result<Vec<String>, ImageError> {
    let has = |p: &str| data.join(format!("{p}.traineddata")).is_file();
    let mut packs: Vec<String> = LANGUAGES.iter().map(|p| p.to_string()).collect();
    let mut add = |p: &str| {
        if !packs.iter().any(|q| q == p) {
            packs.push(p.to_string());
        }
    };
    add(&languages.first);
    match &languages.others {
        Some(named) => named.iter().for_each(|p| add(p)),
        None => language::packs().filter(|p| has(p)).for_each(add),
    }
    if let Some(base) = LANGUAGES.iter().find(|p| !has(p)) {
        return Err(ImageError::NoTesseract {
            reason: format!(
                "{} is missing (Debian: `apt-get install tesseract-ocr-{base}`)",
                data.join(format!("{base}.traineddata")).display()
            ),
        });
    }
    if let Some(pack) = packs.iter().find(|p| !has(p)) {
        return Err(ImageError::MissingPack {
            pack: pack.clone(),
            searched: data.display().to_string(),
        });
    }
    Ok(packs)
}

/// The Tesseract layer for `arch`, leaving out what `base` holds.
pub fn plan(
    arch: Architecture,
    dirs: &[PathBuf],
    base: &Plan,
    languages: &Languages,
) -> Result<Layer, ImageError> {
    let program = find_program()?;
    let program = std::fs::canonicalize(&program).unwrap_or(program);
    let (info, _) = closure::inspect(&program)?;
    if info.machine != closure::machine(arch) {
        return Err(ImageError::TesseractArchitecture {
            path: program,
            found: info.machine,
            want: arch,
        });
    }
    let libs = closure::resolve(&program, arch, dirs)?;
    let glibc = {
        let libc = libs
            .libraries
            .values()
            .find(|l| l.image.rsplit('/').next() == Some("libc.so.6"));
        match libc {
            Some(l) => closure::inspect(&l.host)?.1.defines.last().cloned(),
            None => None,
        }
    };
    let mut plan = Plan::new("tesseract");
    plan.program(PROGRAM, &program);
    super::add_closure(&mut plan, &libs, Some(base));

    let searched = tessdata_dirs(&program);
    let data = searched
        .iter()
        .find(|d| d.join("eng.traineddata").is_file())
        .ok_or_else(|| ImageError::NoTesseract {
            reason: format!(
                "no eng.traineddata in {}",
                searched
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
    let packs = packs_for(languages, data)?;
    for lang in &packs {
        let file = data.join(format!("{lang}.traineddata"));
        plan.file(&format!("{TESSDATA}/{lang}.traineddata"), &file)?;
    }
    for config in CONFIGS {
        let file = data.join("configs").join(config);
        if !file.is_file() {
            return Err(ImageError::NoTesseract {
                reason: format!("its output config {} is missing", file.display()),
            });
        }
        plan.file(&format!("{TESSDATA}/configs/{config}"), &file)?;
    }
    Ok(Layer {
        plan,
        languages: packs,
        env: vec![
            format!("TESSDATA_PREFIX={TESSDATA}"),
            format!("TESSERACT_PATH={PROGRAM}"),
            // Lambda gives a function one or two vCPUs; see the OCR module for why 1.
            "OMP_THREAD_LIMIT=1".into(),
        ],
        glibc,
    })
}
