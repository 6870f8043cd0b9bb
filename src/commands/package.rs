//! `idpctl package`: the Lambda zip for the profile's architecture, written to a file. By
//! default the running idpctl packages itself, after checking it can run on provided.al2023.
//! With `--image`, the container image instead (see [`image`]).

mod image;

use std::path::PathBuf;

use anyhow::Context as _;

use crate::cli::PackageArgs;
use crate::exit::ExitStatus;
use crate::package;
use crate::settings::Settings;
use crate::ui::{self, OutputFormat, Ui};

pub fn run(args: &PackageArgs, settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    if args.image {
        return image::run(args, settings, ui);
    }
    let artifact = package::resolve(
        args.artifact.as_deref(),
        settings.architecture,
        &settings.profile,
    )?;
    let out = args.out.clone().unwrap_or_else(|| {
        // Under target/ (ignored by git), not out/, which other commands use as a scratch folder.
        PathBuf::from("target/lambda")
            .join(format!("idpctl-{}.zip", settings.architecture.as_str()))
    });
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(&out, &artifact.zip)
        .map_err(package::FileError::write(&out))
        .map_err(package::PackageError::from)?;
    match ui.output {
        OutputFormat::Json => ui::print_json(&serde_json::json!({
            "path": out,
            "key": artifact.key(),
            "artifact": artifact,
        }))?,
        OutputFormat::Text => {
            println!("{}", out.display());
            ui.info(format!(
                "{} bytes, sha256 {}, {} needing glibc {}",
                artifact.size,
                artifact.sha256,
                artifact.architecture.as_str(),
                artifact.glibc.as_deref().unwrap_or("none")
            ));
        }
    }
    Ok(ExitStatus::Success)
}
