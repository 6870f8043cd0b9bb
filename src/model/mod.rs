//! The document model: what a document looks like as it moves through the pipeline and what the
//! completion event / post-processing hook receives.
//!
//! The JSON shape follows the GenAI IDP Accelerator's document (`id`, `status`, `num_pages`,
//! `pages{}`, `sections[]` with `section_id`, `classification`, `page_ids`, `attributes`,
//! `extraction_result_uri`, `confidence_threshold_alerts`, `metering`), so a hook written for the
//! accelerator reads ours unchanged. Fields the accelerator does not have (word boxes, per-field
//! source, timings) are additions, never renames.

pub mod document;
pub mod einvoice;
pub mod extraction;
pub mod geometry;
pub mod metering;
pub mod page;
pub mod section;
pub mod status;
pub mod word;

pub use document::Document;
pub use extraction::{ExtractionResult, FieldResult, FieldSource};
pub use geometry::BoundingBox;
pub use metering::{Metering, Timings};
pub use page::{Page, PageContent, TextSource};
pub use section::{ConfidenceAlert, Section};
pub use status::Status;
pub use word::Word;
