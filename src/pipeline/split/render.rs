//! Page → grayscale PNG for OCR, with hayro (pure Rust; no poppler on the Lambda image).
//!
//! Rendered at `SplitOptions::render_dpi` (300 by default: what Tesseract is tuned for), scaled
//! down when a page is so large that it would exceed the pixel budget.

use std::io::Cursor;

use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_syntax::{LoadPdfError, Pdf};
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};
use image::{GrayImage, ImageFormat};

use super::SplitOptions;
use super::error::SplitError;
use super::pdf::guard;
use crate::model::page::PageImage;

/// Largest side of a render, in pixels; hayro's canvas is u16-sized.
const MAX_SIDE: f32 = 12_000.0;

/// Render the given 1-based pages; each may come with the pixel width of the scan it holds.
pub fn render_pages(
    bytes: &[u8],
    pages_wanted: &[(u32, Option<u32>)],
    opts: &SplitOptions,
) -> Result<Vec<PageImage>, SplitError> {
    let first = pages_wanted.first().map(|p| p.0).unwrap_or(1);
    let pdf = Pdf::new(bytes.to_vec()).map_err(|e| match e {
        LoadPdfError::Decryption(_) => SplitError::Render {
            page: first,
            reason: "the PDF is encrypted and the renderer cannot decrypt it".into(),
        },
        LoadPdfError::Invalid => SplitError::Render {
            page: first,
            reason: "the renderer could not parse the PDF".into(),
        },
    })?;
    let pages = pdf.pages();
    let cache = RenderCache::new();
    let interp = InterpreterSettings::default();
    let mut out = Vec::with_capacity(pages_wanted.len());
    for &(n, scan_px) in pages_wanted {
        let page = pages
            .get(n as usize - 1)
            .ok_or_else(|| SplitError::Render {
                page: n,
                reason: "the renderer sees fewer pages than the text reader".into(),
            })?;
        let (w, h) = page.render_dimensions();
        // A low-resolution scan (a 96 ppi fax) OCRs best at about 2.5x its own resolution;
        // rendering it at 300 dpi only magnifies the blur. Never below 150 dpi, unless the
        // caller asked for less (clamp panics when its floor is above its ceiling).
        let dpi = match scan_px {
            Some(px) if px > 0 => {
                let native = px as f32 / (w.max(1.0) / 72.0);
                let ceiling = opts.render_dpi as f32;
                (native * 2.5).clamp(150f32.min(ceiling), ceiling)
            }
            _ => opts.render_dpi as f32,
        };
        // Scans embedded at low resolution must be smoothed when scaled up, or OCR reads the
        // staircase edges of nearest-neighbour pixels (6 for 8, 1 for 7); at about their own
        // resolution smoothing only blurs them.
        let upscaled = scan_px.is_some_and(|px| dpi > 1.2 * px as f32 / (w.max(1.0) / 72.0));
        let settings = RenderSettings {
            force_image_interpolation: upscaled,
            ..RenderSettings::default()
        };
        let mut scale = dpi / 72.0;
        scale = scale.min(MAX_SIDE / w.max(1.0)).min(MAX_SIDE / h.max(1.0));
        let pixels = (w * scale) as f64 * (h * scale) as f64;
        if pixels > opts.max_pixels as f64 {
            scale *= (opts.max_pixels as f64 / pixels).sqrt() as f32;
        }
        let dpi = (scale * 72.0).round() as u32;
        let png = guard(|| {
            let pixmap = hayro::render(
                page,
                &cache,
                &interp,
                &settings,
                &PixmapSettings {
                    x_scale: scale,
                    y_scale: scale,
                    bg_color: WHITE,
                },
            );
            let (pw, ph) = (pixmap.width() as u32, pixmap.height() as u32);
            // Composited on white, so alpha is 255 and premultiplied == straight RGB.
            let gray: Vec<u8> = pixmap
                .data()
                .iter()
                .map(|p| ((p.r as u32 * 299 + p.g as u32 * 587 + p.b as u32 * 114) / 1000) as u8)
                .collect();
            let img = GrayImage::from_raw(pw, ph, gray).ok_or("pixmap size mismatch")?;
            let mut buf = Cursor::new(Vec::new());
            img.write_to(&mut buf, ImageFormat::Png)
                .map_err(|e| e.to_string())?;
            Ok(PageImage {
                bytes: buf.into_inner(),
                width: pw,
                height: ph,
                dpi: Some(dpi),
            })
        })
        .map_err(|reason| SplitError::Render { page: n, reason })?;
        out.push(png);
    }
    Ok(out)
}
