//! The Lambda container image as an OCI image layout, built without Docker: three layers —
//! `base` (CA certificates, and the dynamic loader and C library the binary links), `tesseract`
//! (the program, its library closure and language data; only for the `tesseract` OCR engine)
//! and `idpctl` (the binary) — in that order, so a code change changes only the last one. The
//! entrypoint is `idpctl handler`; each function names its handler as the image command
//! (`ImageConfig.Command: [ocr]`), or Lambda's `_HANDLER` does. Reproducible: no clock, owner or
//! host mode reaches a byte, so the same inputs give the same manifest digest.

pub mod cache;
pub mod closure;
pub mod contents;
pub mod dynamic;
pub mod layout;
pub mod tar;
pub mod tesseract;

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};

use crate::diagnose::Diagnose;
use crate::exit::ExitStatus;
use crate::package::FileError;
use crate::package::elf::{ElfError, GlibcVersion, Machine};
use crate::settings::Architecture;
use contents::Plan;

/// Where the binary sits in the image.
pub const BINARY: &str = "/usr/local/bin/idpctl";
/// The image's entrypoint: the handler's name follows as the command.
pub const ENTRYPOINT: &[&str] = &[BINARY, "handler"];
/// The CA bundle's path in the image (Debian's, which rustls' native root loader reads).
pub const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";
/// The gzip level of every layer (fixed: it is part of what makes the digest).
pub const GZIP_LEVEL: u32 = 9;
/// `created` in the config and history: fixed, so a rebuild is byte-identical.
pub const CREATED: &str = "1970-01-01T00:00:00Z";

/// The config label that records the image's glibc.
pub const GLIBC_LABEL: &str = "dev.idpctl.glibc";
/// The config label that lists the Tesseract language packs in the image (`eng+osd+deu…`).
pub const OCR_LANGUAGES_LABEL: &str = "dev.idpctl.ocr-languages";

/// What to build.
#[derive(Debug, Clone)]
pub struct ImageRequest<'a> {
    /// The idpctl binary (the same one the zip holds).
    pub binary: &'a Path,
    pub architecture: Architecture,
    /// The profile's OCR engine; `tesseract` adds the Tesseract layer.
    pub ocr_engine: &'a str,
    /// The profile's `engines.tesseract.languages`: which language packs go in with Tesseract.
    pub ocr_languages: &'a crate::pipeline::ocr::packs::Languages,
    /// The layout folder (created; an earlier layout there is replaced).
    pub out: &'a Path,
}

/// A built (or read back) image.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BuiltImage {
    pub layout: PathBuf,
    /// `sha256:…` of the manifest: what a function's image URI pins.
    pub manifest_digest: String,
    pub config_digest: String,
    /// Base first, the binary last.
    pub layers: Vec<LayerInfo>,
    pub architecture: Architecture,
    /// Bytes a push uploads when nothing is in the registry: layers, config and manifest.
    pub size: u64,
    /// The tag of the manifest in `index.json`.
    pub tag: String,
    pub entrypoint: Vec<String>,
    pub env: Vec<String>,
    /// The `GLIBC_x.y` of the image's C library, if it holds one.
    pub glibc: Option<String>,
    /// The Tesseract language packs it holds (none without Tesseract).
    pub ocr_languages: Vec<String>,
}

/// One layer as the manifest lists it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LayerInfo {
    /// `sha256:…` of the gzip blob.
    pub digest: String,
    /// `sha256:…` of the uncompressed tar (the config's `rootfs.diff_ids`).
    pub diff_id: String,
    /// Compressed bytes.
    pub size: u64,
    /// Uncompressed tar bytes.
    pub uncompressed: u64,
    pub media_type: String,
    /// `base`, `tesseract` or `idpctl`.
    pub what: String,
}

/// The image command that makes a function run `handler` (`ImageConfig.Command`).
pub fn command(handler: &str) -> Vec<String> {
    vec![handler.to_string()]
}

/// The OCI name of an architecture.
pub fn oci_architecture(arch: Architecture) -> &'static str {
    match arch {
        Architecture::X86_64 => "amd64",
        Architecture::Arm64 => "arm64",
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{path} is not a Linux binary an image can run: {source}")]
    NotElf {
        path: PathBuf,
        #[source]
        source: ElfError,
    },
    #[error("{path} is built for {found}, but the image is for {} functions", want.as_str())]
    WrongArchitecture {
        path: PathBuf,
        found: Machine,
        want: Architecture,
    },
    #[error(
        "{path} needs glibc {needs}, but the image's C library (this machine's) is glibc {has}"
    )]
    GlibcTooNew {
        path: PathBuf,
        needs: GlibcVersion,
        has: GlibcVersion,
        want: Architecture,
    },
    #[error(
        "{name}, needed by {needed_by}, is not on this machine for {}",
        architecture.as_str()
    )]
    MissingLibrary {
        name: String,
        needed_by: PathBuf,
        architecture: Architecture,
    },
    #[error("the `tesseract` OCR engine goes into the image from this machine, but {reason}")]
    NoTesseract { reason: String },
    #[error(
        "engines.tesseract.languages asks for `{pack}`, but this machine has no {pack}.traineddata to put in the image (looked in {searched})"
    )]
    MissingPack { pack: String, searched: String },
    #[error(
        "this machine's Tesseract ({path}) is built for {found}, but the image is for {} functions",
        want.as_str()
    )]
    TesseractArchitecture {
        path: PathBuf,
        found: Machine,
        want: Architecture,
    },
    #[error("no CA certificate bundle on this machine (looked for {})", searched.join(", "))]
    NoCaBundle { searched: Vec<String> },
    #[error("`{0}` is not an OCR engine")]
    UnknownEngine(String),
    #[error("{path} is not an OCI image layout: {message}")]
    NotALayout { path: PathBuf, message: String },
    #[error("{path} exists and is not an OCI image layout; refusing to write into it")]
    OutNotEmpty { path: PathBuf },
}

impl Diagnose for ImageError {
    fn hint(&self) -> Option<String> {
        let other_arch = |want: &Architecture| match want {
            Architecture::Arm64 => "x86_64",
            Architecture::X86_64 => "arm64",
        };
        Some(match self {
            ImageError::File(e) => return e.hint(),
            ImageError::NotElf { .. } => {
                "pass --artifact <BINARY> with an idpctl built for Linux (see deploy.sh)".into()
            }
            ImageError::WrongArchitecture { want, found, .. } => format!(
                "build idpctl for {} (`cargo zigbuild --release --target {}`) and pass --artifact, \
                 or set `architecture: {found}` in the profile",
                want.as_str(),
                crate::package::zigbuild_target(*want)
            ),
            ImageError::GlibcTooNew { has, want, .. } => format!(
                "build idpctl against glibc {has} or older (`cargo zigbuild --release --target {}` \
                 gives 2.34), or build the image on a machine whose glibc is at least what it needs",
                crate::package::zigbuild_target(*want)
            ),
            ImageError::MissingLibrary { architecture, .. } => format!(
                "the image's libraries are copied from this machine: build the image on an {} \
                 machine, set `architecture: {}` in the profile, or install the {} libraries \
                 (Debian: `dpkg --add-architecture {}` and `apt-get install libc6:{}`)",
                architecture.as_str(),
                other_arch(architecture),
                architecture.as_str(),
                debian_arch(*architecture),
                debian_arch(*architecture)
            ),
            ImageError::NoTesseract { .. } => format!(
                "{}; or choose an OCR engine that needs no program in the image (`engines.ocr: textract`)",
                crate::pipeline::ocr::tesseract::INSTALL_HINT
            ),
            ImageError::MissingPack { pack, .. } => format!(
                "install it (Debian: `apt-get install tesseract-ocr-{pack}`), or leave `{pack}` out of engines.tesseract.languages (`auto` takes the packs installed here)"
            ),
            ImageError::TesseractArchitecture { want, found, .. } => format!(
                "set `architecture: {found}` in the profile, build the image on an {} machine with \
                 Tesseract installed, or use `engines.ocr: textract`",
                want.as_str()
            ),
            ImageError::NoCaBundle { .. } => {
                "install the CA certificates (`apt-get install ca-certificates`)".into()
            }
            ImageError::UnknownEngine(_) => format!(
                "engines.ocr is one of {}",
                crate::pipeline::ocr::ENGINES.join(", ")
            ),
            ImageError::NotALayout { .. } => {
                "pass the folder `idpctl package --image --out DIR` wrote".into()
            }
            ImageError::OutNotEmpty { .. } => {
                "pass --out with a new folder, or one an earlier `package --image` wrote".into()
            }
        })
    }

    fn status(&self) -> ExitStatus {
        match self {
            ImageError::File(e) => e.status(),
            _ => ExitStatus::Usage,
        }
    }
}

fn debian_arch(arch: Architecture) -> &'static str {
    match arch {
        Architecture::X86_64 => "amd64",
        Architecture::Arm64 => "arm64",
    }
}

/// Refuses a binary that the image could not start: another machine, or a glibc newer than the
/// one the image holds (`has`; `None` when the binary is static and the image holds no libc).
pub fn check_binary(
    path: &Path,
    info: &crate::package::ElfInfo,
    want: Architecture,
    has: Option<&GlibcVersion>,
) -> Result<(), ImageError> {
    if info.machine != closure::machine(want) {
        return Err(ImageError::WrongArchitecture {
            path: path.to_path_buf(),
            found: info.machine,
            want,
        });
    }
    if let (Some(needs), Some(has)) = (info.max_glibc(), has)
        && needs > has
    {
        return Err(ImageError::GlibcTooNew {
            path: path.to_path_buf(),
            needs: needs.clone(),
            has: has.clone(),
            want,
        });
    }
    Ok(())
}

fn ca_bundle() -> Result<PathBuf, ImageError> {
    let candidates = [
        std::env::var("SSL_CERT_FILE").unwrap_or_default(),
        CA_BUNDLE.to_string(),
        "/etc/pki/tls/certs/ca-bundle.crt".into(),
        "/etc/ssl/cert.pem".into(),
    ];
    candidates
        .iter()
        .filter(|c| !c.is_empty())
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .ok_or_else(|| ImageError::NoCaBundle {
            searched: candidates[1..].to_vec(),
        })
}

/// Adds a program's library closure (and its loader under the name the program asks for) to
/// `plan`, leaving out what `skip` already holds.
fn add_closure(plan: &mut Plan, c: &closure::Closure, skip: Option<&Plan>) {
    let held = |p: &str| skip.is_some_and(|s| s.contains(p));
    for lib in c.libraries.values().filter(|l| !held(&l.image)) {
        plan.program(&lib.image, &lib.host);
    }
    if let Some((interp, image)) = &c.interpreter
        && interp != image
        && !held(interp)
    {
        plan.symlink(interp, image);
    }
}

/// The newest glibc the closure's C library defines.
fn libc_version(c: &closure::Closure) -> Result<Option<GlibcVersion>, ImageError> {
    let Some(libc) = c
        .libraries
        .values()
        .find(|l| l.image.rsplit('/').next() == Some("libc.so.6"))
    else {
        return Ok(None);
    };
    let (_, facts) = closure::inspect(&libc.host)?;
    Ok(facts.defines.last().cloned())
}

/// Builds the image layout for `req`.
pub fn build(req: &ImageRequest) -> Result<BuiltImage, ImageError> {
    let engine = req.ocr_engine;
    if !crate::pipeline::ocr::ENGINES.contains(&engine) {
        return Err(ImageError::UnknownEngine(engine.into()));
    }
    let arch = req.architecture;
    let (info, facts) = closure::inspect(req.binary)?;
    check_binary(req.binary, &info, arch, None)?;
    let dirs = closure::system_dirs(arch);

    let mut base = Plan::new("base");
    base.file(CA_BUNDLE, &ca_bundle()?)?;
    base.dir("/tmp", 0o1777);
    let mut glibc = None;
    if facts.interpreter.is_some() || !facts.needed.is_empty() {
        let c = closure::resolve(req.binary, arch, &dirs)?;
        glibc = libc_version(&c)?;
        check_binary(req.binary, &info, arch, glibc.as_ref())?;
        add_closure(&mut base, &c, None);
    }
    let mut env = vec![
        "PATH=/usr/local/bin:/usr/bin:/bin".to_string(),
        format!("SSL_CERT_FILE={CA_BUNDLE}"),
    ];
    let mut plans = vec![];
    let mut ocr_languages = vec![];
    if engine == "tesseract" {
        let t = tesseract::plan(arch, &dirs, &base, req.ocr_languages)?;
        if glibc.is_none() {
            glibc = t.glibc.clone();
        }
        env.extend(t.env);
        ocr_languages = t.languages;
        plans.push(t.plan);
    }
    let mut binary = Plan::new("idpctl");
    binary.program(BINARY, req.binary);
    plans.insert(0, base);
    plans.push(binary);

    prepare_out(req.out)?;
    let layers = plans
        .into_iter()
        .map(|p| layout::write_layer(req.out, &p.with_parents(), GZIP_LEVEL))
        .collect::<Result<Vec<_>, _>>()?;
    let entrypoint: Vec<String> = ENTRYPOINT.iter().map(|s| s.to_string()).collect();
    let mut labels = serde_json::Map::new();
    if let Some(g) = &glibc {
        labels.insert(GLIBC_LABEL.into(), Value::String(g.to_string()));
    }
    if !ocr_languages.is_empty() {
        labels.insert(
            OCR_LANGUAGES_LABEL.into(),
            Value::String(ocr_languages.join("+")),
        );
    }
    let config = json!({
        "created": CREATED,
        "architecture": oci_architecture(arch),
        "os": "linux",
        "config": {
            "Env": env,
            "Entrypoint": entrypoint,
            "WorkingDir": "/",
            "Labels": labels,
        },
        "rootfs": {
            "type": "layers",
            "diff_ids": layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>(),
        },
        "history": layers.iter().map(|l| json!({
            "created": CREATED,
            "created_by": format!("idpctl package --image ({})", l.what),
        })).collect::<Vec<_>>(),
    });
    let (config_digest, config_size) = layout::write_json(req.out, &config)?;
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": layout::MANIFEST,
        "config": {"mediaType": layout::CONFIG, "digest": config_digest, "size": config_size},
        "layers": layers.iter().map(|l| json!({
            "mediaType": l.media_type,
            "digest": l.digest,
            "size": l.size,
            "annotations": {
                layout::WHAT: l.what,
                layout::UNCOMPRESSED: l.uncompressed.to_string(),
            },
        })).collect::<Vec<_>>(),
    });
    let (manifest_digest, manifest_size) = layout::write_json(req.out, &manifest)?;
    let platform = json!({"architecture": oci_architecture(arch), "os": "linux"});
    layout::write_index(req.out, &manifest_digest, manifest_size, &platform)?;
    let mut keep: Vec<&str> = layers.iter().map(|l| l.digest.as_str()).collect();
    keep.extend([config_digest.as_str(), manifest_digest.as_str()]);
    layout::remove_unreferenced(req.out, &keep)?;
    let size = layers.iter().map(|l| l.size).sum::<u64>() + config_size + manifest_size;
    Ok(BuiltImage {
        layout: req.out.to_path_buf(),
        manifest_digest,
        config_digest,
        layers,
        architecture: arch,
        size,
        tag: layout::TAG.into(),
        entrypoint,
        env,
        glibc: glibc.map(|g| g.to_string()),
        ocr_languages,
    })
}

/// Creates the layout folder, or checks an existing one is a layout to replace.
fn prepare_out(out: &Path) -> Result<(), ImageError> {
    let write = FileError::write(out);
    if out.exists() {
        let empty = std::fs::read_dir(out).map_err(&write)?.next().is_none();
        if !empty && !out.join("oci-layout").is_file() {
            return Err(ImageError::OutNotEmpty {
                path: out.to_path_buf(),
            });
        }
    }
    std::fs::create_dir_all(layout::blobs_dir(out)).map_err(&write)?;
    Ok(())
}

/// Reads a layout back: `index.json` → manifest → config.
pub fn read_layout(dir: &Path) -> Result<BuiltImage, ImageError> {
    let bad = |message: String| ImageError::NotALayout {
        path: dir.to_path_buf(),
        message,
    };
    let (manifest_digest, manifest_size) = layout::read_index(dir)?;
    let manifest = layout::read_blob(dir, &manifest_digest)?;
    let config_digest = manifest["config"]["digest"]
        .as_str()
        .ok_or_else(|| bad("the manifest names no config".into()))?
        .to_string();
    let config_size = manifest["config"]["size"].as_u64().unwrap_or(0);
    let config = layout::read_blob(dir, &config_digest)?;
    let diff_ids = config["rootfs"]["diff_ids"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let described = manifest["layers"]
        .as_array()
        .ok_or_else(|| bad("the manifest has no layers".into()))?;
    if described.len() != diff_ids.len() {
        return Err(bad(format!(
            "{} layers but {} diff_ids",
            described.len(),
            diff_ids.len()
        )));
    }
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let layers: Vec<LayerInfo> = described
        .iter()
        .zip(&diff_ids)
        .map(|(l, diff)| LayerInfo {
            digest: text(&l["digest"]),
            diff_id: text(diff),
            size: l["size"].as_u64().unwrap_or(0),
            uncompressed: l["annotations"][layout::UNCOMPRESSED]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
            media_type: text(&l["mediaType"]),
            what: text(&l["annotations"][layout::WHAT]),
        })
        .collect();
    let architecture = match config["architecture"].as_str() {
        Some("amd64") => Architecture::X86_64,
        Some("arm64") => Architecture::Arm64,
        other => return Err(bad(format!("architecture {other:?} is not a Lambda one"))),
    };
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().map(text).collect())
            .unwrap_or_default()
    };
    let size = layers.iter().map(|l| l.size).sum::<u64>() + config_size + manifest_size;
    Ok(BuiltImage {
        layout: dir.to_path_buf(),
        manifest_digest,
        config_digest,
        layers,
        architecture,
        size,
        tag: layout::TAG.into(),
        entrypoint: strings(&config["config"]["Entrypoint"]),
        env: strings(&config["config"]["Env"]),
        glibc: config["config"]["Labels"][GLIBC_LABEL]
            .as_str()
            .map(String::from),
        ocr_languages: config["config"]["Labels"][OCR_LANGUAGES_LABEL]
            .as_str()
            .map(|s| s.split('+').map(String::from).collect())
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests;
