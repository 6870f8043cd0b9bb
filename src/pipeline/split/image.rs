//! PNG/JPEG → one page. The original bytes go to OCR untouched; only the header is decoded here
//! so a decompression bomb is refused before any pixel is allocated.

use std::io::Cursor;

use image::{ImageFormat, ImageReader};

use super::SplitOptions;
use super::error::SplitError;
use crate::model::page::PageImage;
use crate::model::{PageContent, TextSource};

pub fn split_image(
    bytes: &[u8],
    format: ImageFormat,
    opts: &SplitOptions,
) -> Result<Vec<PageContent>, SplitError> {
    let name = if format == ImageFormat::Png {
        "PNG"
    } else {
        "JPEG"
    };
    // A PNG's size is at a fixed place in its first chunk: check it before any decoder runs.
    if format == ImageFormat::Png && bytes.len() >= 24 && &bytes[12..16] == b"IHDR" {
        let be =
            |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        check_pixels(name, be(16), be(20), opts)?;
    }
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| SplitError::CorruptImage {
            format: name,
            reason: e.to_string(),
        })?;
    check_pixels(name, width, height, opts)?;
    Ok(vec![image_page(1, bytes.to_vec(), width, height, None)])
}

/// Refuse images over the pixel budget (and zero-sized ones) from their declared size.
pub fn check_pixels(
    format: &'static str,
    width: u32,
    height: u32,
    opts: &SplitOptions,
) -> Result<(), SplitError> {
    if width == 0 || height == 0 {
        return Err(SplitError::CorruptImage {
            format,
            reason: format!("it declares a size of {width}x{height} pixels"),
        });
    }
    if width as u64 * height as u64 > opts.max_pixels {
        return Err(SplitError::ImageTooLarge {
            format,
            width: width as u64,
            height: height as u64,
            max_pixels: opts.max_pixels,
        });
    }
    Ok(())
}

pub fn image_page(
    page_number: u32,
    bytes: Vec<u8>,
    width: u32,
    height: u32,
    dpi: Option<u32>,
) -> PageContent {
    PageContent {
        page_number,
        text_source: TextSource::None,
        words: Vec::new(),
        text: String::new(),
        needs_ocr: true,
        einvoice: None,
        image: Some(PageImage {
            bytes,
            width,
            height,
            dpi,
        }),
    }
}
