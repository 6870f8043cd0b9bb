//! What handlers talk to — object storage, the tracking table, workflow executions, the hook
//! and the configuration versions — as traits, with one implementation for AWS and one for this
//! machine. Handlers take a [`Services`] and never know which they have.

pub mod aws;
pub mod clock;
pub mod config_store;
pub mod configs;
pub mod dynamo_tracking;
mod error;
pub mod executions;
pub mod faults;
pub mod hook;
pub mod layer;
pub mod local;
pub mod local_hook;
pub mod objects;
pub mod parsed;
pub mod retry;
pub mod sqlite;
pub mod staging;
pub mod tracking;

use std::sync::Arc;

pub use config_store::{
    Active, CONFIG_OBJECT_PREFIX, ConfigStore, ConfigVersion, DynamoConfigStore, NewVersion,
    Origin, SqliteConfigStore, StoredConfig,
};
pub use configs::{ConfigSource, Loaded};
pub use error::StoreError;
pub use executions::{Executions, Started};
pub use hook::HookTarget;
pub use objects::{LocalObjects, ObjectStore};
pub use tracking::{SqliteTracking, Tracking, TrackingRecord, TrackingUpdate};

/// Names of the stack's buckets and limits, as the template passes them to every function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackNames {
    pub input_bucket: String,
    pub output_bucket: String,
    pub working_bucket: String,
    pub page_retries: u32,
    /// Largest completion event delivered inline to the hook; larger ones go by reference.
    pub hook_payload_limit: usize,
}

/// Lambda's limit for a synchronous invoke's request, less room for the event's envelope.
pub const HOOK_PAYLOAD_LIMIT: usize = 6 * 1024 * 1024 - 16 * 1024;

impl StackNames {
    /// Reads the function environment the template sets; a missing variable is named.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let need = |k: &str| {
            get(k)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("environment variable {k} is not set"))
        };
        Ok(StackNames {
            input_bucket: need("INPUT_BUCKET")?,
            output_bucket: need("OUTPUT_BUCKET")?,
            working_bucket: need("WORKING_BUCKET")?,
            page_retries: get("PAGE_RETRIES")
                .and_then(|v| v.parse().ok())
                .unwrap_or(2),
            hook_payload_limit: get("HOOK_MAX_PAYLOAD_BYTES")
                .and_then(|v| v.parse().ok())
                .unwrap_or(HOOK_PAYLOAD_LIMIT)
                .min(HOOK_PAYLOAD_LIMIT),
        })
    }
}

/// Everything a handler may use.
#[derive(Clone)]
pub struct Services {
    pub names: StackNames,
    pub objects: Arc<dyn ObjectStore>,
    pub tracking: Arc<dyn Tracking>,
    pub executions: Arc<dyn Executions>,
    /// `None` when no hook is configured.
    pub hook: Option<Arc<dyn HookTarget>>,
    /// Reads pages without a text layer.
    pub ocr: Arc<dyn crate::pipeline::ocr::OcrEngine>,
    /// The configuration (classes, stage settings): the stack's active version.
    pub config: Arc<dyn ConfigSource>,
    /// The model behind the language stages; `None` runs the embedded rules.
    pub llm: crate::engines::Engines,
}
