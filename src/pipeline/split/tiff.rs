//! TIFF → one page per image in the file (fax and scanner TIFFs are multi-page; the `image`
//! crate would read only the first). Each page is re-encoded as grayscale PNG for OCR.

use std::io::Cursor;

use image::{GrayImage, ImageFormat};
use tiff::ColorType;
use tiff::decoder::{Decoder, DecodingResult, Limits};

use super::SplitOptions;
use super::error::SplitError;
use super::image::{check_pixels, image_page};
use crate::model::PageContent;

fn corrupt(e: impl std::fmt::Display) -> SplitError {
    SplitError::CorruptImage {
        format: "TIFF",
        reason: e.to_string(),
    }
}

pub fn split_tiff(bytes: &[u8], opts: &SplitOptions) -> Result<Vec<PageContent>, SplitError> {
    let mut limits = Limits::default();
    // The decoder's own cap backs up our pixel check (4 bytes per pixel at most).
    limits.decoding_buffer_size = (opts.max_pixels as usize).saturating_mul(4);
    let mut dec = Decoder::new(Cursor::new(bytes))
        .map_err(corrupt)?
        .with_limits(limits);
    let mut pages = Vec::new();
    loop {
        let n = pages.len() as u32 + 1;
        if pages.len() >= opts.max_pages {
            return Err(SplitError::TooManyPages {
                pages: pages.len() + 1,
                max: opts.max_pages,
            });
        }
        let (w, h) = dec.dimensions().map_err(corrupt)?;
        check_pixels("TIFF", w, h, opts)?;
        let color = dec.colortype().map_err(corrupt)?;
        let data = dec.read_image().map_err(corrupt)?;
        let gray = to_gray(data, color, w, h).map_err(|reason| SplitError::CorruptImage {
            format: "TIFF",
            reason: format!("page {n}: {reason}"),
        })?;
        let mut png = Cursor::new(Vec::new());
        gray.write_to(&mut png, ImageFormat::Png).map_err(corrupt)?;
        pages.push(image_page(n, png.into_inner(), w, h, None));
        if !dec.more_images() {
            break;
        }
        dec.next_image().map_err(corrupt)?;
    }
    Ok(pages)
}

/// Decoded samples → 8-bit gray. 1-bit pages arrive packed (8 pixels a byte, rows padded to a
/// byte); JPEG-in-TIFF arrives as YCbCr, whose Y is already the luma we want.
fn to_gray(data: DecodingResult, color: ColorType, w: u32, h: u32) -> Result<GrayImage, String> {
    let px = w as usize * h as usize;
    let bytes: Vec<u8> = match data {
        DecodingResult::U8(v) => v,
        DecodingResult::U16(v) => v.into_iter().map(|s| (s >> 8) as u8).collect(),
        _ => return Err("unsupported sample format (only 1/8/16-bit integer)".into()),
    };
    let gray: Vec<u8> = match color {
        ColorType::Gray(1) => {
            let row = (w as usize).div_ceil(8);
            let mut out = Vec::with_capacity(px);
            for y in 0..h as usize {
                for x in 0..w as usize {
                    let byte = bytes.get(y * row + x / 8).copied().unwrap_or(0);
                    // 1 = white (BlackIsZero, the usual photometric for bilevel scans)
                    out.push(if byte & (0x80 >> (x % 8)) != 0 {
                        255
                    } else {
                        0
                    });
                }
            }
            out
        }
        ColorType::Gray(_) => bytes,
        ColorType::GrayA(_) => bytes.chunks(2).map(|c| c[0]).collect(),
        ColorType::YCbCr(_) => bytes.chunks(3).map(|c| c[0]).collect(),
        ColorType::RGB(_) => bytes.chunks(3).map(luma).collect(),
        ColorType::RGBA(_) => bytes.chunks(4).map(luma).collect(),
        ColorType::CMYK(_) => bytes
            .chunks(4)
            .map(|c| {
                255 - (luma(&[c[0], c[1], c[2]]) as u16 + c.get(3).copied().unwrap_or(0) as u16)
                    .min(255) as u8
            })
            .collect(),
        other => return Err(format!("unsupported colour type {other:?}")),
    };
    if gray.len() < px {
        return Err(format!("{} samples for {w}x{h} pixels", gray.len()));
    }
    GrayImage::from_raw(w, h, gray[..px].to_vec()).ok_or_else(|| "bad buffer size".into())
}

fn luma(c: &[u8]) -> u8 {
    if c.len() < 3 {
        return c.first().copied().unwrap_or(0);
    }
    ((c[0] as u32 * 299 + c[1] as u32 * 587 + c[2] as u32 * 114) / 1000) as u8
}
