//! `idpctl render`: the stack as files (or the template on stdout).

use std::path::Path;

use anyhow::Context as _;
use serde::Serialize;

use crate::cli::RenderArgs;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use crate::stack::{self, Rendered};
use crate::ui::{self, OutputFormat, Ui};

#[derive(Serialize)]
struct Written {
    profile: String,
    files: Vec<WrittenFile>,
}

#[derive(Serialize)]
pub(crate) struct WrittenFile {
    path: String,
    bytes: usize,
}

/// Renders `name` with the profile's settings; the error names the stack and the profile.
/// `render` and `validate` both start here.
pub(crate) fn render_stack(
    assets: &stack::Assets,
    name: &str,
    settings: &Settings,
) -> anyhow::Result<Rendered> {
    stack::render(assets, name, settings).with_context(|| {
        format!(
            "cannot render stack `{name}` with profile `{}`",
            settings.profile
        )
    })
}

pub fn run(
    assets: &stack::Assets,
    args: &RenderArgs,
    settings: &Settings,
    ui: &Ui,
) -> anyhow::Result<ExitStatus> {
    let rendered = render_stack(assets, &args.stack, settings)?;
    // The configuration `deploy` installs: checked here too, so a bad class config shows up at
    // render time, and written beside the template for review.
    let config = super::config::effective(settings, ui)?;
    match &args.out {
        Some(dir) => {
            let mut files = write_files(&rendered, dir)?;
            let path = dir.join("configuration.json");
            let text = serde_json::to_string_pretty(&config.document)? + "\n";
            std::fs::write(&path, &text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            files.push(WrittenFile {
                path: path.display().to_string(),
                bytes: text.len(),
            });
            // An image profile deploys a second stack first (the ECR repository): reviewable too.
            if settings.package == crate::settings::PackageKind::Image {
                let images = stack::images::render(assets, settings)?;
                let path = dir.join("images.yaml");
                std::fs::write(&path, &images.template_yaml)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                files.push(WrittenFile {
                    path: path.display().to_string(),
                    bytes: images.template_yaml.len(),
                });
            }
            let written = Written {
                profile: settings.profile.clone(),
                files,
            };
            match ui.output {
                OutputFormat::Json => ui::print_json(&written)?,
                OutputFormat::Text => {
                    for f in &written.files {
                        println!("{}", f.path);
                    }
                    ui.info(format!(
                        "rendered profile `{}` into {}",
                        settings.profile,
                        dir.display()
                    ));
                }
            }
        }
        None => match ui.output {
            OutputFormat::Json => ui::print_json(&serde_json::json!({
                "template": rendered.template,
                "definition": rendered.definition,
                "parameters": rendered.parameters,
            }))?,
            OutputFormat::Text => print!("{}", rendered.template_yaml),
        },
    }
    Ok(ExitStatus::Success)
}

/// Writes the three files; shared with `validate --out`.
pub(crate) fn write_files(r: &Rendered, dir: &Path) -> anyhow::Result<Vec<WrittenFile>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut out = Vec::new();
    for (name, text) in [
        ("template.yaml", &r.template_yaml),
        ("statemachine.asl.json", &r.definition_json),
        ("parameters.json", &r.parameters_json),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        out.push(WrittenFile {
            path: path.display().to_string(),
            bytes: text.len(),
        });
    }
    Ok(out)
}
