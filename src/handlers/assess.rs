//! `assess`: flags the fields of one section whose confidence is under their class's threshold;
//! those alerts are what human review picks up later.

use serde_json::{Value, json};

use super::HandlerError;
use super::access::{Access, Action, Bucket};
use super::workspace::{Workspace, field};
use crate::model::Section;
use crate::pipeline::assess;
use crate::services::Services;

const NAME: &str = "assess";

/// What this handler's code calls in AWS (see [`super::access`]). Reads the section's extraction
/// and its document's configuration version, and writes its assessment.
pub const ACCESS: &[Access] = &[
    Access::s3(Action::GetObject, Bucket::Working),
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
    let mut section: Section = ws.get_json(&ws.section(&section_id, "extraction")).await?;
    let version: Option<u64> = event.get("config_version").and_then(Value::as_u64);
    let loaded = services.config.version(version).await?;
    let threshold = loaded
        .config
        .sections
        .assessment
        .default_confidence_threshold
        .map(|t| t as f32)
        .unwrap_or(DEFAULT_THRESHOLD);
    let alerts = match loaded.config.classes.class(&section.classification) {
        Some(class) => assess::assess_section(&mut section, class, threshold),
        None => 0,
    };
    ws.put_json(&ws.section(&section_id, "assessed"), &section)
        .await?;
    Ok(json!({"section_id": section_id, "alerts": alerts}))
}
