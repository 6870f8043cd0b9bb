//! `package: image` in a deploy, between the build and the main stack: converge the
//! `<stack>-images` stack (the ECR repository) through the same change-set flow, then push the
//! built image's layout to the repository with ECR's token, and name the image by digest for
//! the main stack's `ImageUri`.

use serde::Serialize;

use super::flow::{self, DeployOptions, DeployOutcome, FlowError, Interaction, Target};
use crate::aws::cfn::StackApi;
use crate::aws::registry::{self, PushReport, RegistryError};
use crate::aws::{AwsError, Session, ecr};
use crate::diagnose::Diagnose;
use crate::exit::ExitStatus;
use crate::stack::images::RenderedImages;

#[derive(Debug, thiserror::Error)]
pub enum ImageDeployError {
    #[error(transparent)]
    Flow(#[from] FlowError),
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error("stack {stack} has no Repository{}", if *.not_executed { " (its change set was not executed)" } else { "" })]
    NoRepository { stack: String, not_executed: bool },
}

impl Diagnose for ImageDeployError {
    fn hint(&self) -> Option<String> {
        match self {
            ImageDeployError::Flow(e) => e.hint(),
            ImageDeployError::Aws(e) => e.hint(),
            ImageDeployError::Registry(e) => e.hint(),
            ImageDeployError::NoRepository {
                not_executed: true, ..
            } => Some(
                "the functions need the image in its repository first: deploy once without --no-execute to create the repository".into(),
            ),
            ImageDeployError::NoRepository { .. } => Some(
                "the images stack was changed by hand; `idpctl destroy` it or deploy again to restore its template".into(),
            ),
        }
    }

    fn status(&self) -> ExitStatus {
        match self {
            ImageDeployError::Flow(e) => e.status(),
            ImageDeployError::Aws(e) => e.status(),
            ImageDeployError::Registry(e) => e.status(),
            ImageDeployError::NoRepository { .. } => ExitStatus::Findings,
        }
    }
}

/// The repository's logical id in templates/images.yaml.hbs.
const REPOSITORY: &str = "Repository";

/// What the image part of a deploy did, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct ImageDeploy {
    pub images_stack: DeployOutcome,
    pub repository_uri: String,
    /// `<repository uri>@sha256:…`: what the functions run.
    pub image_uri: String,
    pub push: PushReport,
}

/// What to deploy and push.
pub struct ImageRequest<'a> {
    pub rendered: &'a RenderedImages,
    pub tags: &'a std::collections::BTreeMap<String, String>,
    /// The built image's OCI layout folder.
    pub layout_dir: &'a std::path::Path,
    /// Replaces the endpoint ECR names (a private endpoint; a local registry in tests), with
    /// ECR's credentials either way.
    pub registry_url: Option<&'a str>,
}

/// Converges the images stack, pushes the layout and returns the image URI.
pub async fn deploy(
    session: &Session,
    cfn: &dyn StackApi,
    req: &ImageRequest<'_>,
    opts: &DeployOptions,
    io: &mut dyn Interaction,
) -> Result<ImageDeploy, ImageDeployError> {
    let ImageRequest {
        rendered,
        tags,
        layout_dir,
        registry_url,
    } = *req;
    // Read (and check) the layout before changing anything in AWS.
    let image = registry::read_layout(layout_dir)?;
    let target = Target {
        stack_name: rendered.stack_name.clone(),
        template: Some(rendered.template_yaml.clone()),
        parameters: Vec::new(),
        tags: tags.clone(),
    };
    let images_stack = flow::deploy(cfn, &target, opts, io).await?;
    // The repository as ECR names it, found through the stack's resource rather than its
    // outputs, which an emulator may not fill in after a change set.
    let missing = || ImageDeployError::NoRepository {
        stack: rendered.stack_name.clone(),
        not_executed: images_stack.result == flow::DeployResult::NotExecuted,
    };
    let resources = match cfn.stack_resources(&rendered.stack_name).await {
        Ok(r) => r,
        Err(_) if images_stack.result == flow::DeployResult::NotExecuted => {
            return Err(missing());
        }
        Err(e) => return Err(e.into()),
    };
    let name = resources
        .iter()
        .find(|r| {
            r.logical_resource_id == REPOSITORY
                && !r.resource_status.starts_with("DELETE")
                && !r.resource_status.ends_with("_FAILED")
        })
        .and_then(|r| r.physical_resource_id.clone())
        .ok_or_else(missing)?;
    let repository_uri = ecr::repository_uri(session, &name).await?;
    let Some((_, repository)) = registry::split_repository_uri(&repository_uri) else {
        return Err(ImageDeployError::NoRepository {
            stack: rendered.stack_name.clone(),
            not_executed: false,
        });
    };
    let login = ecr::login(session).await?;
    let registry = login.registry(registry_url)?;
    let tag = registry::tag_for(&image.manifest_digest);
    let push = registry.push(repository, &image, &tag).await?;
    io.note(&push.summary());
    Ok(ImageDeploy {
        image_uri: format!("{repository_uri}@{}", image.manifest_digest),
        images_stack,
        repository_uri,
        push,
    })
}
