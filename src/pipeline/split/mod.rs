//! Split: bytes + file name → pages.
//!
//! The type comes from the bytes ([`detect`]), never the extension alone. Text-layer PDF pages
//! come back with their words; scans, images and empty-text PDF pages come back with
//! `needs_ocr` and, when `render_for_ocr` is on, the image OCR should read.

pub mod detect;
pub mod docx;
pub mod error;
pub mod image;
pub mod pdf;
pub mod pdf_load;
pub mod pdf_repair;
pub mod render;
pub mod streams;
pub mod text;
pub mod tiff;

pub use detect::FileKind;
pub use error::SplitError;

use crate::model::PageContent;

/// Limits and knobs of the splitter.
#[derive(Debug, Clone)]
pub struct SplitOptions {
    /// Largest image (declared width × height) we decode or render. 100 MP is a 300 dpi poster
    /// of about 85 × 85 cm; anything bigger is a mistake or an attack.
    pub max_pixels: u64,
    pub max_pages: usize,
    /// A PDF page with fewer visible characters than this in its text layer needs OCR.
    pub min_text_chars: usize,
    /// Render pages that need OCR (off for callers that only want the text layer).
    pub render_for_ocr: bool,
    pub render_dpi: u32,
}

impl Default for SplitOptions {
    fn default() -> Self {
        Self {
            max_pixels: 100_000_000,
            max_pages: 3000,
            min_text_chars: 16,
            render_for_ocr: true,
            render_dpi: 300,
        }
    }
}

/// Split a document into pages.
pub fn split(
    bytes: &[u8],
    filename: &str,
    opts: &SplitOptions,
) -> Result<Vec<PageContent>, SplitError> {
    if bytes.is_empty() {
        return Err(SplitError::Empty);
    }
    let kind =
        detect::detect(bytes, filename).map_err(|detected| SplitError::Unsupported { detected })?;
    // The decoders are third-party code fed hostile bytes; one that panics must fail this
    // document with a reason, not the process (pdf.rs also guards its own calls, finer-grained).
    let read = || -> Result<Vec<PageContent>, SplitError> {
        Ok(match kind {
            FileKind::Pdf => pdf::split_pdf(bytes, opts)?,
            FileKind::Png => image::split_image(bytes, ::image::ImageFormat::Png, opts)?,
            FileKind::Jpeg => image::split_image(bytes, ::image::ImageFormat::Jpeg, opts)?,
            FileKind::Tiff => tiff::split_tiff(bytes, opts)?,
            FileKind::Docx => docx::split_docx(bytes)?,
            FileKind::Html => {
                text::text_pages(&text::html_to_text(&String::from_utf8_lossy(bytes)), false)
            }
            FileKind::Text => match xml_invoice(bytes) {
                // XRechnung and Peppol invoices travel as bare XML: laid out as an invoice page
                // that carries what the XML states.
                Some(inv) => {
                    let mut pages =
                        text::text_pages(&crate::pipeline::einvoice::render::as_text(&inv), false);
                    if let Some(first) = pages.first_mut() {
                        first.einvoice = Some(Box::new(inv));
                    }
                    pages
                }
                None => {
                    let csv = filename.to_ascii_lowercase().ends_with(".csv");
                    text::text_pages(&String::from_utf8_lossy(bytes), csv)
                }
            },
        })
    };
    let pages = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).map_err(|p| {
        SplitError::ReaderFailed {
            kind: format!("{kind:?}").to_uppercase(),
            reason: p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into()),
        }
    })??;
    if pages.len() > opts.max_pages {
        return Err(SplitError::TooManyPages {
            pages: pages.len(),
            max: opts.max_pages,
        });
    }
    Ok(pages)
}

/// The invoice a text file states when it is a CII or UBL invoice's XML.
fn xml_invoice(bytes: &[u8]) -> Option<crate::model::einvoice::EInvoice> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]);
    head.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
        .then(|| crate::pipeline::einvoice::from_xml(bytes))
        .flatten()
}

#[cfg(test)]
pub(crate) mod tests;
