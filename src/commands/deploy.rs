//! `idpctl deploy`: package and upload the artifact (unless the profile names one), render the
//! stack, and converge it through the change-set flow in `deploy::flow`.

use anyhow::Context as _;
use serde::Serialize;

use crate::aws::{self, artifacts};
use crate::cli::DeployArgs;
use crate::deploy::flow::{self, DeployOptions, DeployOutcome, DeployResult, Target};
use crate::deploy::terminal::Terminal;
use crate::deploy::types::ParameterValue;
use crate::exit::ExitStatus;
use crate::package;
use crate::settings::{PackageKind, Settings};
use crate::stack::{self, Assets};
use crate::ui::{self, OutputFormat, Ui};

/// Where the functions' code comes from, for the report.
#[derive(Debug, Serialize)]
pub struct ArtifactReport {
    pub bucket: String,
    pub key: String,
    /// Whether this run uploaded it (false: the same content was already there, or the
    /// profile names an artifact idpctl does not manage).
    pub uploaded: bool,
    pub sha256: Option<String>,
}

#[derive(Debug, Serialize)]
struct Report {
    account: String,
    region: String,
    /// The zip (absent with `package: image`).
    #[serde(skip_serializing_if = "Option::is_none")]
    artifact: Option<ArtifactReport>,
    /// The image, its repository's stack and the push (only with `package: image`).
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<crate::deploy::image::ImageDeploy>,
    #[serde(flatten)]
    outcome: DeployOutcome,
    /// The configuration version installed (absent when the change set was not executed).
    configuration: Option<super::config_versions::Installed>,
}

pub fn run(
    assets: &Assets,
    args: &DeployArgs,
    settings: &Settings,
    ui: &Ui,
) -> anyhow::Result<ExitStatus> {
    aws::runtime()?.block_on(deploy(assets, args, settings, ui))
}

async fn deploy(
    assets: &Assets,
    args: &DeployArgs,
    settings: &Settings,
    ui: &Ui,
) -> anyhow::Result<ExitStatus> {
    // A stack that cannot work, or a class config with errors, is refused before anything is
    // uploaded or changed.
    if let Some(f) = crate::validate::llm_for_target(settings)
        .into_iter()
        .find(|f| f.severity == crate::validate::Severity::Error)
    {
        return Err(crate::error::Hinted::usage(
            format!("{}: {}", f.location, f.message),
            "`idpctl validate` lists every finding",
        )
        .into());
    }
    refuse_invalid(&stack::render(assets, &args.stack, settings)?)?;
    let config = super::config::effective(settings, ui)?;
    // Package first: a binary that cannot run on Lambda is a local problem, found without AWS.
    let image_dir = tempfile::tempdir().context("cannot create a folder for the image")?;
    let built = match settings.package {
        PackageKind::Image => Some(build_image(args, settings, image_dir.path(), ui)?),
        PackageKind::Zip => None,
    };
    let own_artifact =
        built.is_none() && (args.artifact.is_some() || settings.artifact_key.is_none());
    let local = if own_artifact {
        Some(package::resolve(
            args.artifact.as_deref(),
            settings.architecture,
            &settings.profile,
        )?)
    } else {
        None
    };
    let session = aws::connect(settings).await?;
    let mut settings = settings.clone();
    let opts = DeployOptions {
        yes: args.yes,
        allow_replace: args.allow_replace,
        no_execute: args.no_execute,
        no_wait: args.no_wait,
        poll: None,
    };
    let cfn = session.cloudformation();
    let image = match &built {
        Some(layout) => {
            let rendered = stack::images::render(assets, &settings)?;
            let request = crate::deploy::image::ImageRequest {
                rendered: &rendered,
                tags: &settings.tags,
                layout_dir: layout,
                registry_url: settings.registry_url.as_deref(),
            };
            let deployed = crate::deploy::image::deploy(
                &session,
                &cfn,
                &request,
                &opts,
                &mut Terminal::new(ui),
            )
            .await?;
            settings.image_uri = Some(deployed.image_uri.clone());
            Some(deployed)
        }
        None => None,
    };
    let artifact = match local {
        Some(artifact) => {
            let bucket = settings
                .artifact_bucket
                .clone()
                .unwrap_or_else(|| artifacts::bucket_name(&session.account, &session.region));
            let s3 = session.s3();
            if artifacts::ensure_bucket(&s3, &bucket, &session.account, &session.region).await? {
                ui.info(format!(
                    "created artifacts bucket {bucket} (encrypted, private)"
                ));
            }
            let key = artifact.key();
            let uploaded = artifacts::upload(&s3, &bucket, &key, &artifact.zip).await?;
            ui.info(if uploaded {
                format!("uploaded s3://{bucket}/{key} ({} bytes)", artifact.size)
            } else {
                format!("s3://{bucket}/{key} is already there; not uploading it again")
            });
            settings.artifact_bucket = Some(bucket.clone());
            settings.artifact_key = Some(key.clone());
            Some(ArtifactReport {
                bucket,
                key,
                uploaded,
                sha256: Some(artifact.sha256),
            })
        }
        None if built.is_some() => None,
        None => Some(ArtifactReport {
            bucket: settings.artifact_bucket.clone().unwrap_or_default(),
            key: settings.artifact_key.clone().unwrap_or_default(),
            uploaded: false,
            sha256: None,
        }),
    };

    let rendered = stack::render(assets, &args.stack, &settings)?;
    let target = Target {
        stack_name: settings.stack_name.clone(),
        template: Some(rendered.template_yaml.clone()),
        parameters: parameters(&rendered.parameters),
        tags: settings.tags.clone(),
    };
    let outcome = flow::deploy(&cfn, &target, &opts, &mut Terminal::new(ui)).await?;
    // The configuration goes into the stack once its table exists and the stack is settled.
    let configuration = match outcome.result {
        DeployResult::NotExecuted => None,
        _ if args.no_wait => {
            ui.warn("--no-wait: the configuration is not installed; run `idpctl deploy` again (or `idpctl config push`) once the stack is ready");
            None
        }
        _ => {
            let stack = super::config_versions::open_aws(&session, &settings).await?;
            let installed = super::config_versions::install(&stack, &config, &settings.profile)
                .await
                .with_context(|| format!("cannot install the configuration in {}", stack.place))?;
            ui.info(super::config_versions::describe(&installed));
            Some(installed)
        }
    };
    print_outcome(
        ui,
        Report {
            account: session.account.clone(),
            region: session.region.clone(),
            artifact,
            image,
            outcome,
            configuration,
        },
    )?;
    Ok(ExitStatus::Success)
}

/// Builds the image layout (`package: image`) into `dir` from `--artifact` (a binary) or the
/// running idpctl; returns the layout's folder.
fn build_image(
    args: &DeployArgs,
    settings: &Settings,
    dir: &std::path::Path,
    ui: &Ui,
) -> anyhow::Result<std::path::PathBuf> {
    let binary = match &args.artifact {
        Some(path) => path.clone(),
        None => std::env::current_exe().context("cannot find the running idpctl")?,
    };
    let out = dir.join("image");
    let built = package::image::build(&package::image::ImageRequest {
        binary: &binary,
        architecture: settings.architecture,
        ocr_engine: &settings.ocr_engine,
        ocr_languages: &settings.tesseract_languages,
        out: &out,
    })?;
    ui.info(format!(
        "built image {} ({} layers, {} bytes) from {}",
        built.manifest_digest,
        built.layers.len(),
        built.size,
        binary.display()
    ));
    Ok(built.layout)
}

/// The errors `idpctl validate` would report for this stack, as one usage error.
fn refuse_invalid(rendered: &stack::Rendered) -> Result<(), crate::error::Hinted> {
    let errors: Vec<String> = crate::validate::builtin(rendered)
        .into_iter()
        .chain(crate::validate::engines(rendered))
        .filter(|f| f.severity == crate::validate::Severity::Error)
        .map(|f| format!("{}: {}", f.location, f.message))
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(crate::error::Hinted::usage(
        format!(
            "the stack is not deployable ({} error{}):\n  {}",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            errors.join("\n  ")
        ),
        "fix the profile or templates as each error says; `idpctl validate` lists every finding",
    ))
}

/// `parameters.json` (`[{ParameterKey, ParameterValue}]`) as change-set parameters.
pub fn parameters(value: &serde_json::Value) -> Vec<(String, ParameterValue)> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                p.get("ParameterKey")?.as_str()?.to_string(),
                ParameterValue::Set(p.get("ParameterValue")?.as_str()?.to_string()),
            ))
        })
        .collect()
}

fn print_outcome(ui: &Ui, report: Report) -> anyhow::Result<()> {
    let o = &report.outcome;
    if ui.output == OutputFormat::Json {
        return ui::print_json(&report);
    }
    print_result(ui, o);
    Ok(())
}

/// The text ending shared by `deploy` and `hook`: what happened on stderr, outputs on stdout.
pub fn print_result(ui: &Ui, o: &DeployOutcome) {
    match o.result {
        DeployResult::Unchanged => ui.info(format!(
            "no changes: stack {} already runs this template, these parameters and this artifact (no change set created)",
            o.stack_name
        )),
        DeployResult::NoChanges => ui.info(format!("no changes to stack {}", o.stack_name)),
        DeployResult::NotExecuted => return,
        DeployResult::Executed => ui.info(format!(
            "stack {}: {}",
            o.stack_name,
            o.status.as_deref().unwrap_or("done")
        )),
    }
    let width = o
        .outputs
        .iter()
        .map(|x| x.output_key.len())
        .max()
        .unwrap_or(0);
    for output in &o.outputs {
        println!("{:<width$}  {}", output.output_key, output.output_value);
    }
}
