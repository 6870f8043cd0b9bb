//! `idpctl package --image`: the Lambda container image as an OCI layout folder, for the
//! profile's architecture and OCR engine. The binary is the one the zip would hold (the running
//! idpctl, or `--artifact`: a binary, or a zip whose `bootstrap` is taken), checked against the
//! image's own C library rather than provided.al2023's, since the image brings its libc.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::cli::PackageArgs;
use crate::error::Hinted;
use crate::exit::ExitStatus;
use crate::package::archive;
use crate::package::image::{self, ImageRequest};
use crate::settings::Settings;
use crate::ui::{self, OutputFormat, Ui};

/// The binary to put in the image; a zip's `bootstrap` is written to `scratch` first.
fn binary(given: Option<&Path>, scratch: &Path) -> anyhow::Result<PathBuf> {
    let Some(path) = given else {
        return std::env::current_exe().context("cannot find the running idpctl");
    };
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(path.to_path_buf());
    }
    let bootstrap = archive::read_bootstrap(&bytes).map_err(|message| {
        Hinted::usage(
            format!("{} is not a Lambda artifact: {message}", path.display()),
            "give --artifact a binary, or a zip made by `idpctl package`",
        )
    })?;
    let out = scratch.join(archive::ENTRY);
    let mut f =
        std::fs::File::create(&out).with_context(|| format!("cannot write {}", out.display()))?;
    f.write_all(&bootstrap)?;
    Ok(out)
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

pub fn run(args: &PackageArgs, settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    let scratch = tempfile::tempdir().context("cannot create a scratch folder")?;
    let binary = binary(args.artifact.as_deref(), scratch.path())?;
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("target/lambda").join(format!("image-{}", settings.architecture.as_str()))
    });
    let built = image::build(&ImageRequest {
        binary: &binary,
        architecture: settings.architecture,
        ocr_engine: &settings.ocr_engine,
        ocr_languages: &settings.tesseract_languages,
        out: &out,
    })?;
    match ui.output {
        OutputFormat::Json => ui::print_json(&built)?,
        OutputFormat::Text => {
            println!("{}", out.display());
            for l in &built.layers {
                ui.info(format!(
                    "{:<9} {:>9} ({:>9} unpacked)  {}",
                    l.what,
                    mb(l.size),
                    mb(l.uncompressed),
                    l.digest
                ));
            }
            ui.info(format!(
                "{} image, {} to push, manifest {} (OCR engine `{}`{}, glibc {})",
                settings.architecture.as_str(),
                mb(built.size),
                built.manifest_digest,
                settings.ocr_engine,
                if built.ocr_languages.is_empty() {
                    String::new()
                } else {
                    format!(" reading {}", built.ocr_languages.join("+"))
                },
                built.glibc.as_deref().unwrap_or("none")
            ));
        }
    }
    Ok(ExitStatus::Success)
}
