//! Where a document is in its life. Same spelling as the accelerator's `Status` so hooks and the
//! UI can compare strings.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    #[default]
    Queued,
    Running,
    Ocr,
    Classifying,
    Extracting,
    Assessing,
    Summarizing,
    Completed,
    Failed,
}
