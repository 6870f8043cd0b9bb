//! A word on a page: its text, where it is and how sure the reader was.

use serde::{Deserialize, Serialize};

use super::geometry::BoundingBox;

/// One word as read from a text layer or by OCR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub bbox: BoundingBox,
    /// 0.0–1.0. Text-layer words are 1.0 (the PDF says so); OCR words carry the engine's score.
    pub confidence: f32,
    /// True when `bbox` is an estimate (e.g. a word whose glyph widths were unknown), so
    /// consumers do not draw it as if it were measured.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub approximate: bool,
}

impl Word {
    pub fn new(text: impl Into<String>, bbox: BoundingBox, confidence: f32) -> Self {
        Self {
            text: text.into(),
            bbox,
            confidence: confidence.clamp(0.0, 1.0),
            approximate: false,
        }
    }
}
