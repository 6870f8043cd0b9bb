//! A second look at pages OCR could barely read. Photographed cards and forms printed on tinted,
//! patterned stock (a driver's licence's guilloche, a cheque's security background) defeat
//! Tesseract's own binarisation: it reads a dozen words of noise where a person reads fifty.
//! Dividing the page by its own blurred background ("flat-fielding") leaves the ink on white,
//! whatever the paper's colour or the lighting's gradient, and the same engine then reads it.
//!
//! Only pages whose first reading was poor pay for the second; the better reading is kept.

use image::imageops::FilterType;
use image::{GrayImage, ImageFormat, Luma};

use crate::model::Word;

/// Fewer legible words than this and the page gets a second reading. A page of real text has
/// hundreds; a card or a cheque 30–80; noise from a patterned background a handful.
pub const POOR_READING: usize = 25;

/// Words the engine was fairly sure of and that are more than a stray mark: at least two
/// letters or digits, confidence 0.6 or more.
pub fn legible(words: &[Word]) -> usize {
    words
        .iter()
        .filter(|w| {
            w.confidence >= 0.6 && w.text.chars().filter(|c| c.is_alphanumeric()).count() >= 2
        })
        .count()
}

/// The page with its background divided out, as PNG; `None` when the image cannot be decoded
/// (the first reading then stands).
pub fn flatten(bytes: &[u8]) -> Option<Vec<u8>> {
    let gray = image::load_from_memory(bytes).ok()?.to_luma8();
    let out = flatten_gray(&gray)?;
    let mut png = std::io::Cursor::new(Vec::new());
    out.write_to(&mut png, ImageFormat::Png).ok()?;
    Some(png.into_inner())
}

/// [`flatten`] on a decoded grey page (an enlarged one, see [`super::upscale`]); `None` for an
/// image too small to have a background.
pub fn flatten_gray(gray: &GrayImage) -> Option<GrayImage> {
    let (w, h) = gray.dimensions();
    if w < 16 || h < 16 {
        return None;
    }
    // The background at an eighth of the size, blurred there: a wide blur for a fraction of the
    // work, and text strokes (a few pixels wide at 300 dpi) vanish from it.
    let (sw, sh) = ((w / 8).max(2), (h / 8).max(2));
    let small = image::imageops::resize(gray, sw, sh, FilterType::Triangle);
    let blurred = image::imageops::blur(&small, 3.0);
    let background = image::imageops::resize(&blurred, w, h, FilterType::Triangle);
    let mut out = GrayImage::new(w, h);
    for (x, y, p) in gray.enumerate_pixels() {
        let bg = u32::from(background.get_pixel(x, y).0[0]).max(1);
        let v = (u32::from(p.0[0]) * 255 / bg).min(255);
        out.put_pixel(x, y, Luma([v as u8]));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BoundingBox;

    fn word(text: &str, confidence: f32) -> Word {
        Word::new(text, BoundingBox::default(), confidence)
    }

    #[test]
    fn legible_words_are_sure_and_more_than_a_mark() {
        let words = [
            word("DRIVER", 0.9),
            word("a", 0.95),
            word("~~", 0.9),
            word("LICENSE", 0.3),
            word("DL", 0.7),
        ];
        assert_eq!(legible(&words), 2);
    }

    /// Dark text on a background that darkens from left to right: after flattening the paper is
    /// near white everywhere and the ink stays dark.
    #[test]
    fn flattening_whitens_a_tinted_gradient_and_keeps_the_ink() {
        let (w, h) = (400u32, 200u32);
        let mut img = GrayImage::from_fn(w, h, |x, _| Luma([(220 - x * 120 / w) as u8]));
        for x in 300..310 {
            for y in 50..150 {
                img.put_pixel(x, y, Luma([20]));
            }
        }
        let mut png = std::io::Cursor::new(Vec::new());
        img.write_to(&mut png, ImageFormat::Png).unwrap();
        let flat = image::load_from_memory(&flatten(png.get_ref()).unwrap())
            .unwrap()
            .to_luma8();
        assert!(
            flat.get_pixel(20, 20).0[0] > 240,
            "{:?}",
            flat.get_pixel(20, 20)
        );
        assert!(
            flat.get_pixel(380, 20).0[0] > 240,
            "{:?}",
            flat.get_pixel(380, 20)
        );
        assert!(
            flat.get_pixel(305, 100).0[0] < 80,
            "{:?}",
            flat.get_pixel(305, 100)
        );
    }

    #[test]
    fn undecodable_bytes_keep_the_first_reading() {
        assert!(flatten(b"not an image").is_none());
    }
}
