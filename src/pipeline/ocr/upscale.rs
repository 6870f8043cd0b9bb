//! Small print made large enough to read. Tesseract reads letters whose x-height is about ten
//! pixels or more; a page image rendered at 72–100 dpi (a web export, a screenshot, a preview
//! PNG) has lowercase letters five or six pixels high, and it reads a third of their words. The
//! text's size is measured before OCR from the page's connected components (cheap, no reading
//! wasted), and a page with small print is enlarged to bring the x-height to [`TARGET_X_HEIGHT`]
//! with a Catmull-Rom filter (sharp edges without Lanczos's ringing).
//!
//! Measured on 31 development pages rendered at 72 dpi (median component height 5 px) against
//! their text layer: 1× read 1,065 of 3,737 reference words, 2× 2,615, 3× 2,544 at half as long
//! again; pages at 7 px still gained from 1.4× (QualityHosting 153 → 199 of 210), pages at 8 px
//! or more gained nothing.

use image::GrayImage;
use image::imageops::FilterType;

/// x-height (median height of letter-like components) the enlarged page should have.
pub const TARGET_X_HEIGHT: f32 = 10.0;
/// Below this median height a page is enlarged.
pub const SMALL_X_HEIGHT: f32 = 8.0;
/// The largest enlargement: past it there is no more detail to recover, only time to spend.
pub const MAX_FACTOR: f32 = 3.5;
/// An enlarged page stays under this many pixels (a 300 dpi letter page has 8.4 million).
pub const MAX_PIXELS: u64 = 12_000_000;
/// Components a page needs for its median to mean anything (a text page has hundreds).
const MIN_COMPONENTS: usize = 40;

/// The factor to enlarge a page whose letters have median height `x_height` by, if any.
pub fn factor(x_height: f32, (w, h): (u32, u32)) -> Option<f32> {
    // NaN and zero are no measurement.
    if x_height.is_nan() || x_height <= 0.0 || x_height >= SMALL_X_HEIGHT {
        return None;
    }
    let by_text = (TARGET_X_HEIGHT / x_height).min(MAX_FACTOR);
    let by_pixels = (MAX_PIXELS as f64 / (u64::from(w) * u64::from(h)).max(1) as f64).sqrt() as f32;
    let f = by_text.min(by_pixels);
    (f >= 1.25).then_some(f)
}

/// Median height in pixels of the dark connected components shaped like letters (not rules,
/// not specks, not blocks), or `None` when there are too few of them to say.
pub fn x_height(gray: &GrayImage) -> Option<f32> {
    let (w, h) = gray.dimensions();
    if w < 8 || h < 8 {
        return None;
    }
    let dark = otsu(gray);
    let mut heights: Vec<u32> = components(gray, dark)
        .into_iter()
        .filter_map(|b| {
            let (bw, bh) = (b.right - b.left + 1, b.bottom - b.top + 1);
            // Rules and underlines are wide, specks and dots tiny, pictures and QR codes tall.
            (bh >= 2 && bh <= h / 12 && bw <= 3 * bh).then_some(bh)
        })
        .collect();
    if heights.len() < MIN_COMPONENTS {
        return None;
    }
    let mid = heights.len() / 2;
    let (_, m, _) = heights.select_nth_unstable(mid);
    Some(*m as f32)
}

/// The page enlarged when its print is small, in grey, with the factor used; `None` when the
/// page is fine as it is or cannot be decoded.
pub fn enlarge(bytes: &[u8]) -> Option<(GrayImage, f32)> {
    let gray = image::load_from_memory(bytes).ok()?.to_luma8();
    let f = factor(x_height(&gray)?, gray.dimensions())?;
    let (w, h) = gray.dimensions();
    let (nw, nh) = ((w as f32 * f).round() as u32, (h as f32 * f).round() as u32);
    Some((
        image::imageops::resize(&gray, nw, nh, FilterType::CatmullRom),
        f,
    ))
}

/// A grey image as binary PGM (P5): Tesseract reads it, and it costs nothing to write.
pub fn pgm(img: &GrayImage) -> Vec<u8> {
    let (w, h) = img.dimensions();
    let mut out = format!("P5\n{w} {h}\n255\n").into_bytes();
    out.extend_from_slice(img.as_raw());
    out
}

/// Otsu's threshold: pixels at or below it are ink.
fn otsu(gray: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for p in gray.as_raw() {
        hist[*p as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut wb, mut sb, mut best, mut th) = (0u64, 0f64, -1f64, 127u8);
    for (t, &c) in hist.iter().enumerate() {
        wb += c;
        if wb == 0 {
            continue;
        }
        let wf = total - wb;
        if wf == 0 {
            break;
        }
        sb += t as f64 * c as f64;
        let (mb, mf) = (sb / wb as f64, (sum_all - sb) / wf as f64);
        let between = wb as f64 * wf as f64 * (mb - mf).powi(2);
        if between > best {
            best = between;
            th = t as u8;
        }
    }
    th
}

/// A component's box, edges inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub left: u32,
    pub top: u32,
    pub right: u32,
    pub bottom: u32,
}

/// 8-connected components of the pixels at or below `dark`, by runs: each row's runs of ink
/// are joined to the runs of the row above that touch them (union-find over runs), which is
/// linear in the pixels and needs memory only for the runs.
pub fn components(gray: &GrayImage, dark: u8) -> Vec<Bounds> {
    let (w, h) = gray.dimensions();
    let raw = gray.as_raw();
    let mut parent: Vec<u32> = Vec::new();
    let mut bounds: Vec<Bounds> = Vec::new();
    let mut prev: Vec<(u32, u32, u32)> = Vec::new();
    let mut cur: Vec<(u32, u32, u32)> = Vec::new();
    for y in 0..h {
        let row = &raw[(y * w) as usize..((y + 1) * w) as usize];
        cur.clear();
        let mut x = 0u32;
        while x < w {
            if row[x as usize] > dark {
                x += 1;
                continue;
            }
            let start = x;
            while x < w && row[x as usize] <= dark {
                x += 1;
            }
            let id = parent.len() as u32;
            parent.push(id);
            bounds.push(Bounds {
                left: start,
                top: y,
                right: x - 1,
                bottom: y,
            });
            cur.push((start, x - 1, id));
        }
        // Both rows are sorted: walk them together.
        let mut j = 0;
        for &(s, e, id) in &cur {
            while j < prev.len() && prev[j].1 + 1 < s {
                j += 1;
            }
            let mut k = j;
            while k < prev.len() && prev[k].0 <= e + 1 {
                union(&mut parent, id, prev[k].2);
                k += 1;
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let mut merged: std::collections::HashMap<u32, Bounds> = std::collections::HashMap::new();
    for i in 0..parent.len() as u32 {
        let r = find(&mut parent, i);
        let b = bounds[i as usize];
        merged
            .entry(r)
            .and_modify(|m| {
                m.left = m.left.min(b.left);
                m.top = m.top.min(b.top);
                m.right = m.right.max(b.right);
                m.bottom = m.bottom.max(b.bottom);
            })
            .or_insert(b);
    }
    merged.into_values().collect()
}

fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        let p = parent[i as usize];
        parent[i as usize] = parent[p as usize];
        i = p;
    }
    i
}

fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb) as usize] = ra.min(rb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// White page with `n` dark boxes of `bw`×`bh` pixels in rows.
    fn page(w: u32, h: u32, n: u32, bw: u32, bh: u32) -> GrayImage {
        let mut img = GrayImage::from_pixel(w, h, Luma([250]));
        let (mut x, mut y) = (5, 5);
        for _ in 0..n {
            if x + bw + 5 >= w {
                x = 5;
                y += 3 * bh;
            }
            for dy in 0..bh {
                for dx in 0..bw {
                    img.put_pixel(x + dx, y + dy, Luma([10]));
                }
            }
            x += bw + 3;
        }
        img
    }

    #[test]
    fn components_are_eight_connected_runs() {
        let mut img = GrayImage::from_pixel(10, 10, Luma([255]));
        // A diagonal is one component; a separate dot is another.
        for i in 0..4 {
            img.put_pixel(i, i, Luma([0]));
        }
        img.put_pixel(8, 1, Luma([0]));
        // A "U": two strokes joined only at the bottom row.
        for y in 5..9 {
            img.put_pixel(5, y, Luma([0]));
            img.put_pixel(8, y, Luma([0]));
        }
        for x in 5..9 {
            img.put_pixel(x, 9, Luma([0]));
        }
        let mut c = components(&img, 128);
        c.sort_by_key(|b| (b.top, b.left));
        assert_eq!(c.len(), 3, "{c:?}");
        assert_eq!((c[0].left, c[0].top, c[0].right, c[0].bottom), (0, 0, 3, 3));
        assert_eq!((c[1].left, c[1].right), (8, 8));
        assert_eq!((c[2].left, c[2].top, c[2].right, c[2].bottom), (5, 5, 8, 9));
    }

    #[test]
    fn small_print_is_measured_and_enlarged() {
        let small = page(600, 800, 300, 4, 5);
        assert_eq!(x_height(&small), Some(5.0));
        assert_eq!(factor(5.0, small.dimensions()), Some(2.0));
        // Print of a 300 dpi page, or a page with a handful of marks: left alone.
        assert_eq!(factor(20.0, (2550, 3300)), None);
        assert_eq!(x_height(&page(600, 800, 10, 4, 5)), None);
        // Rules and pictures do not count as letters.
        let mut ruled = page(600, 800, 300, 4, 12);
        for x in 0..600 {
            ruled.put_pixel(x, 790, Luma([0]));
        }
        assert_eq!(x_height(&ruled), Some(12.0));
    }

    #[test]
    fn enlargement_stays_under_the_pixel_budget() {
        // 2000×2000 at x-height 3 would grow 11× in area; the budget caps it at 3×.
        let f = factor(3.0, (2000, 2000)).unwrap();
        assert!(f < 3.0 && f * f * 4e6 <= MAX_PIXELS as f32 * 1.01, "{f}");
        // Where even a quarter more is over the budget, the page is read as it is.
        assert_eq!(factor(3.0, (3000, 3000)), None);
    }

    fn png(img: &GrayImage) -> Vec<u8> {
        let mut png = std::io::Cursor::new(Vec::new());
        img.write_to(&mut png, image::ImageFormat::Png).unwrap();
        png.into_inner()
    }

    #[test]
    fn enlarged_page_is_twice_the_size_and_written_as_pgm() {
        let (big, f) = enlarge(&png(&page(300, 400, 200, 4, 5))).unwrap();
        assert_eq!((f, big.dimensions()), (2.0, (600, 800)));
        let pgm = pgm(&big);
        assert!(pgm.starts_with(b"P5\n600 800\n255\n"));
        assert_eq!(pgm.len(), "P5\n600 800\n255\n".len() + 600 * 800);
        assert!(enlarge(&png(&page(300, 400, 200, 10, 12))).is_none());
        assert!(enlarge(b"not an image").is_none());
    }
}
