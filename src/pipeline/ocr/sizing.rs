//! Fitting a page image into what an OCR service takes ([`Limits`]): decoding it to re-encode
//! it, and the next smaller size while an encoding is still too large. Textract and the vision
//! models choose their encodings differently; they step down the same way.

use image::DynamicImage;

use crate::model::page::PageImage;

/// What a page image sent to a service must fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Encoded size in bytes.
    pub max_bytes: usize,
    /// The longest side, in pixels.
    pub max_side: u32,
    /// Downscaling stops here: below it, a letter page's small print is under the 15 pixels
    /// Textract needs to see text (and no longer legible to a model either).
    pub min_side: u32,
}

/// The page image decoded so that it can be resized and re-encoded; `purpose` ends the reason
/// when it cannot be ("cannot be decoded to {purpose}").
pub fn decode(image: &PageImage, purpose: &str) -> Result<DynamicImage, String> {
    image::load_from_memory(&image.bytes).map_err(|e| {
        let format = image::guess_format(&image.bytes).ok();
        format!(
            "the page image ({}, {} bytes) cannot be decoded to {purpose}: {e}",
            format.map_or("unknown format".to_string(), |f| format!("{f:?}")),
            image.bytes.len()
        )
    })
}

/// The size to try next for an image of `(width, height)` whose encoding took `bytes`, over
/// `limits.max_bytes`: scaled by the square root of the ratio (an encoding grows with the area),
/// with a margin, and by at least a tenth. `None` once that is below `limits.min_side`.
pub fn smaller((width, height): (u32, u32), bytes: usize, limits: &Limits) -> Option<(u32, u32)> {
    let factor = ((limits.max_bytes as f64 / bytes as f64).sqrt() * 0.9).min(0.9);
    let w = (f64::from(width) * factor).round() as u32;
    let h = (f64::from(height) * factor).round() as u32;
    if w.max(h) < limits.min_side.min(limits.max_side) || w == 0 || h == 0 {
        None
    } else {
        Some((w, h))
    }
}
