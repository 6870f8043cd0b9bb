//! `assess`: flags the fields of one section whose confidence is under their class's threshold;
//! those alerts are what human review picks up later.
//!
//! With a model engine (and `assessment.enabled` not `false`), the model first gives each field
//! its confidence and reason (`engines::assess`), metered into the section as
//! `Assessment/<backend>/<model>`; the thresholds are compared the same way either way.

use serde_json::{Value, json};

use super::HandlerError;
use super::access::{Access, Action, Bucket};
use super::extract::class_schema;
use super::pages::PageSet;
use super::workspace::{Workspace, field};
use crate::engines::Stage;
use crate::model::{PageContent, Section, metering};
use crate::pipeline::assess;
use crate::services::Services;

const NAME: &str = "assess";

/// What this handler's code calls in AWS (see [`super::access`]). Reads the section's extraction,
/// its pages (the model engine reads them from `page_check`'s one object, which every document
/// that reached classification has) and its document's configuration version, and writes its
/// assessment.
pub const ACCESS: &[Access] = &[
    Access::s3(Action::GetObject, Bucket::Working),
    // Without it S3 answers a missing key with 403, and the section written by an earlier
    // build (Workspace::get_section) would read as denied rather than as missing.
    Access::s3(Action::ListBucket, Bucket::Working),
    Access::s3(Action::PutObject, Bucket::Working),
    Access::configuration(),
];

/// The accelerator's default threshold, for fields and classes that set none and configurations
/// without `assessment.default_confidence_threshold`.
pub const DEFAULT_THRESHOLD: f32 = 0.8;

pub async fn handle(event: Value, services: &Services) -> Result<Value, HandlerError> {
    let document_id: String = field(&event, "/document/document_id", NAME)?;
    let section_id: String = field(&event, "/section/section_id", NAME)?;
    let ws = Workspace::new(services, &document_id);
    let mut section: Section = ws.get_section(&section_id, "extraction").await?;
    let version: Option<u64> = event.get("config_version").and_then(Value::as_u64);
    let loaded = services.config.version(version).await?;
    let settings = &loaded.config.sections.assessment;
    let threshold = settings
        .default_confidence_threshold
        .map(|t| t as f32)
        .unwrap_or(DEFAULT_THRESHOLD);
    let alerts = match loaded.config.classes.class(&section.classification) {
        Some(class) => {
            if let Some(llm) = services.llm.for_stage(crate::engines::Stage::Assessment)
                && settings.enabled != Some(false)
                && !section.fields.is_empty()
            {
                let schema = class_schema(&loaded.config.document, &class.name);
                let model = llm
                    .model_for(
                        Stage::Assessment,
                        settings.model.model.as_deref(),
                        Some(&schema),
                    )
                    .to_string();
                let pages = section_pages(&ws, &section).await?;
                let (assessed, usage) = crate::engines::assess::assess_with_model(
                    llm.chat.as_ref(),
                    &model,
                    class,
                    &section,
                    &pages,
                    settings,
                )
                .await?;
                crate::engines::assess::apply(&mut section, &assessed);
                let cost = crate::engines::extract::meter_stage(
                    "Assessment",
                    &usage,
                    llm.chat.backend(),
                    &model,
                );
                for (context, units) in &cost {
                    for (unit, amount) in units {
                        metering::add(&mut section.metering, context, unit, *amount);
                    }
                }
            }
            assess::assess_section(&mut section, class, threshold)
        }
        None => 0,
    };
    ws.put_json(&ws.section(&section_id, "assessed"), &section)
        .await?;
    Ok(json!({"section_id": section_id, "alerts": alerts}))
}

/// The section's pages, from `page_check`'s object of every page read (a plain get: this
/// handler is not granted the listing a fall-back to page-by-page reads would need).
async fn section_pages(ws: &Workspace<'_>, section: &Section) -> Result<PageSet, HandlerError> {
    let all = ws.get_shared::<Vec<PageContent>>(&ws.pages()).await?;
    Ok(PageSet::select(all, &section.page_ids))
}
