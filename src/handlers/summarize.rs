//! `summarize`: a short extractive summary of the document (its most informative sentences);
//! an LLM summarizer can replace it behind the same handler.

use serde_json::{Value, json};

use super::HandlerError;
use super::access::{Access, Action, Bucket};
use super::classify::{page_ids, read_pages};
use super::workspace::{Workspace, field};
use crate::pipeline::summarize;
use crate::services::Services;

const NAME: &str = "summarize";

/// What this handler's code calls in AWS (see [`super::access`]). Reads the pages that were read
/// and writes the summary to the working bucket.
pub const ACCESS: &[Access] = &[
    Access::s3(Action::GetObject, Bucket::Working),
    Access::s3(Action::ListBucket, Bucket::Working),
    Access::s3(Action::PutObject, Bucket::Working),
];

pub async fn handle(event: Value, services: &Services) -> Result<Value, HandlerError> {
    let document_id: String = field(&event, "/document/document_id", NAME)?;
    let ids = page_ids(&event, NAME)?;
    let ws = Workspace::new(services, &document_id);
    let pages = read_pages(&ws, &ids).await?;
    let summary = summarize::summarize(&pages, 3);
    ws.put_json(&ws.summary(), &json!({"summary": summary}))
        .await?;
    Ok(json!({"chars": summary.chars().count()}))
}
