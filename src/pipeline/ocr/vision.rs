//! OCR with a vision model (the accelerator's `ocr.backend: bedrock`): one page image goes to a
//! chat model behind [`ChatModel`] (Bedrock's Converse, or an OpenAI-compatible server), which
//! answers with the page's text; the text becomes words.
//!
//! - Model: the configuration's `ocr.model_id` on a backend that serves such ids (Bedrock), else
//!   the engine's default — [`LlmEngine::model_for`]'s rule, for [`Stage::Ocr`].
//! - Prompts: the configuration's `ocr.system_prompt` and `ocr.task_prompt` (the accelerator's
//!   configs carry both), else [`DEFAULT_SYSTEM_PROMPT`] and [`DEFAULT_TASK_PROMPT`]; the task
//!   prompt goes before the image, as the accelerator sends it. Temperature 0, at most
//!   [`MAX_TOKENS`] tokens (the accelerator's figure; it is what Claude 3 Haiku allows).
//! - Image: sized per `ocr.image` ([`prepare`]): scaled down, never up, to `target_width` ×
//!   `target_height` with the aspect kept (951 × 1268, the accelerator's default, when neither
//!   is set; Claude and Nova scale larger images down themselves, so more pixels only cost
//!   upload), and to `dpi` when the page was rendered finer; then PNG or JPEG, whichever is
//!   smaller, within Bedrock's limits ([`LIMITS`]). `preprocessing` (the accelerator's
//!   binarization) is not done.
//! - Words: the answer's lines in order, each line's words left to right, laid out on a virtual
//!   grid as `split::text` lays out text files (boxes are page fractions, marked approximate:
//!   a model's text has no geometry). Markdown the model may use is read as layout: table rows
//!   become cells a column gap apart, rule lines, code fences, heading marks and bold marks go.
//! - Confidence: [`CONFIDENCE`] for every word; see there why.
//! - Failures: an empty answer for a page that is not blank fails the page (never an empty
//!   success); a truncated answer is the model's `Truncated` error; call failures are the
//!   backend's [`EngineError`]s, retried by the state machine when they are worth it.
//! - Metering: `OCR/<backend>/<model>` with `pages: 1` and the tokens, requests and retries of
//!   the call, as the other model stages meter them.

use std::io::Cursor;
use std::sync::Arc;

use async_trait::async_trait;
use image::{DynamicImage, ImageFormat};

use super::sizing::{Limits, decode, smaller};
use super::{OcrEngine, OcrError, Recognized};
use crate::engines::extract::{Usage, meter_stage};
use crate::engines::{ChatModel, ChatRequest, EngineError, Finish, LlmEngine, Part, Stage};
use crate::model::metering;
use crate::model::page::PageImage;
use crate::model::{BoundingBox, Word};
use crate::pipeline::config::sections::{ImageSettings, OcrSection};

/// Used when the configuration has no `ocr.system_prompt`.
pub const DEFAULT_SYSTEM_PROMPT: &str = "You are an OCR engine. Transcribe the text of the page \
image exactly as it is printed or written: every word, number and symbol as it appears. Do not \
correct, translate, summarize or explain anything, and do not add text that is not on the page.";

/// Used when the configuration has no `ocr.task_prompt`.
pub const DEFAULT_TASK_PROMPT: &str = "Transcribe all the text on this page in reading order: \
top to bottom, left to right, one column after another. Put each printed line on a line of its \
own. Write tables as Markdown tables, one row per line. Answer with the page's text only, \
without any introduction or comment; answer with nothing if the page has no text.";

/// What a page image sent to a vision model must fit: Bedrock's Converse takes at most 3.75 MB
/// and 8,000 pixels a side per image (OpenAI-compatible servers take more; one limit keeps the
/// backends alike). Downscaling to fit the bytes stops at 1,000 pixels, where small print is
/// no longer legible.
pub const LIMITS: Limits = Limits {
    max_bytes: 3_750_000,
    max_side: 8_000,
    min_side: 1_000,
};

/// The size a page image is scaled down to when `ocr.image` sets neither target: the
/// accelerator's default.
pub const DEFAULT_TARGET: (u32, u32) = (951, 1268);

/// The answer's length limit: the accelerator's, and what Claude 3 Haiku allows; a dense page
/// is 1,000–2,000 tokens.
pub const MAX_TOKENS: u32 = 4096;

/// The confidence of every word a model transcribed. The model gives none, and a made-up spread
/// would mislead. 0.9 says "read, not measured": below the 1.0 of a PDF's text layer, so a
/// consumer can tell the two apart; above the 0.5 under which `read_page` drops specks and the
/// 0.8 under which assessment lists a word as doubtful, so a model's whole page is neither
/// dropped nor flagged; and the same 0.9 model extraction gives a value it finds on the page.
pub const CONFIDENCE: f32 = 0.9;

/// JPEG quality: text edges stay sharp enough to read at 85, and the file is a fraction of 95's.
pub const JPEG_QUALITY: u8 = 85;

/// Lines and columns of the virtual grid at its smallest (as `split::text`'s): longer answers
/// grow both, so a character cell keeps its shape and a column gap stays wider than a space.
const ROWS: f32 = 60.0;
const COLUMNS: f32 = 100.0;

/// The engine: a chat model and the model it asks unless the configuration names one.
pub struct VisionOcr {
    engine: Arc<LlmEngine>,
}

impl VisionOcr {
    /// `chat` is the backend (with the retry policy around it, as the language stages use it);
    /// `default_model` the model asked when the configuration names none (or names one the
    /// backend cannot serve); `config_models` whether the configuration's ids (`ocr.model_id`,
    /// Bedrock ids) are ones this backend serves: true for Bedrock, false for an
    /// OpenAI-compatible server.
    pub fn new(
        chat: Arc<dyn ChatModel>,
        default_model: impl Into<String>,
        config_models: bool,
    ) -> Self {
        Self::from_engine(Arc::new(LlmEngine {
            chat,
            model: default_model.into(),
            config_models,
            pinned: false,
        }))
    }

    /// The engine a profile sets up for [`Stage::Ocr`], as it does for the language stages: its
    /// model is the default, and a pinned one (`engines.ocr.model`) wins over `ocr.model_id`.
    pub fn from_engine(engine: Arc<LlmEngine>) -> Self {
        VisionOcr { engine }
    }

    /// The model a page is read with under `settings`.
    pub fn model_for<'a>(&'a self, settings: &'a OcrSection) -> &'a str {
        self.engine
            .model_for(Stage::Ocr, settings.model_id.as_deref(), None)
    }

    fn failed(&self, page: u32, reason: String) -> OcrError {
        OcrError::Failed {
            engine: self.name().to_string(),
            page,
            reason,
        }
    }
}

/// The configured prompt, or the default when it is absent or blank (Converse refuses empty
/// text blocks).
fn prompt(configured: Option<&str>, default: &str) -> String {
    configured
        .filter(|p| !p.trim().is_empty())
        .unwrap_or(default)
        .to_string()
}

#[async_trait]
impl OcrEngine for VisionOcr {
    fn name(&self) -> &str {
        self.engine.chat.backend()
    }

    async fn recognize(
        &self,
        image: &PageImage,
        page_number: u32,
        settings: &OcrSection,
    ) -> Result<Recognized, OcrError> {
        // Decoding and re-encoding a page takes a moment of CPU: off the runtime's threads.
        let (owned, sizing) = (image.clone(), settings.image.clone());
        let prepared = tokio::task::spawn_blocking(move || prepare(&owned, &sizing, &LIMITS))
            .await
            .map_err(|e| self.failed(page_number, format!("the image thread stopped: {e}")))?
            .map_err(|reason| self.failed(page_number, reason))?;
        let model = self.model_for(settings).to_string();
        let request = ChatRequest {
            system: Some(prompt(
                settings.system_prompt.as_deref(),
                DEFAULT_SYSTEM_PROMPT,
            )),
            user: vec![
                Part::Text(prompt(settings.task_prompt.as_deref(), DEFAULT_TASK_PROMPT)),
                Part::Image {
                    media_type: prepared.media_type.to_string(),
                    bytes: prepared.bytes,
                },
            ],
            temperature: 0.0,
            max_tokens: Some(MAX_TOKENS),
            ..ChatRequest::new(model.as_str())
        };
        let answer = self.engine.chat.chat(&request).await?;
        match &answer.finish {
            Finish::Stop => {}
            Finish::Length => {
                return Err(EngineError::Truncated {
                    text: answer.text,
                    max_tokens: request.max_tokens,
                }
                .into());
            }
            Finish::Other(reason) => {
                return Err(EngineError::InvalidAnswer {
                    reason: format!("the model stopped with `{reason}`"),
                    text: answer.text,
                }
                .into());
            }
        }
        let words = words_of(&answer.text);
        if words.is_empty() && !prepared.blank {
            return Err(self.failed(
                page_number,
                format!(
                    "the model returned no text (`{model}`), though the page image is not \
                     blank; check that the model takes images (a vision model)"
                ),
            ));
        }
        let mut metering = meter_stage("OCR", &Usage::of(&answer), self.name(), &model);
        metering::add(
            &mut metering,
            &format!("OCR/{}/{model}", self.name()),
            "pages",
            1.0,
        );
        Ok(Recognized { words, metering })
    }
}

/// A page image as it is sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub bytes: Vec<u8>,
    /// `image/png` or `image/jpeg`.
    pub media_type: &'static str,
    pub width: u32,
    pub height: u32,
    /// Nothing on the page: an empty answer is then the right one.
    pub blank: bool,
}

/// The image to send for `image` under the configuration's `ocr.image`: scaled down to the
/// targets (see the module's notes), PNG or JPEG, whichever is smaller, and within `limits`
/// (JPEG and smaller until it fits, never below `limits.min_side`). Why not, when it cannot be.
pub fn prepare(
    image: &PageImage,
    settings: &ImageSettings,
    limits: &Limits,
) -> Result<Prepared, String> {
    let format = image::guess_format(&image.bytes).ok();
    let decoded = decode(image, "size it for the model")?;
    let (width, height) = (decoded.width(), decoded.height());
    let target = target_size((width, height), image.dpi, settings, limits.max_side);
    let resized = target != (width, height);
    let img = if resized {
        decoded.resize_exact(target.0, target.1, image::imageops::FilterType::Triangle)
    } else {
        decoded
    };
    let img = if gray_in_color(&img) {
        DynamicImage::ImageLuma8(img.to_luma8())
    } else {
        img
    };
    let blank = !has_ink(&img);
    let kept = match format {
        Some(ImageFormat::Png) if !resized => Some("image/png"),
        Some(ImageFormat::Jpeg) if !resized => Some("image/jpeg"),
        _ => None,
    };
    let mut candidates = Vec::new();
    if let Some(media_type) = kept {
        candidates.push((image.bytes.clone(), media_type));
    }
    if kept != Some("image/png") {
        candidates.push((encode(&img, ImageFormat::Png)?, "image/png"));
    }
    if kept != Some("image/jpeg") {
        candidates.push((encode(&img, ImageFormat::Jpeg)?, "image/jpeg"));
    }
    let (bytes, media_type) = candidates
        .into_iter()
        .min_by_key(|(bytes, _)| bytes.len())
        .expect("at least one encoding");
    if bytes.len() <= limits.max_bytes {
        return Ok(Prepared {
            bytes,
            media_type,
            width: img.width(),
            height: img.height(),
            blank,
        });
    }
    shrink(img, bytes.len(), limits).map(|(bytes, width, height)| Prepared {
        bytes,
        media_type: "image/jpeg",
        width,
        height,
        blank,
    })
}

/// The size `(width, height)` is scaled to: the largest within the configured targets, the
/// configured dpi and `max_side`, with the aspect kept; never larger than it is.
pub fn target_size(
    (width, height): (u32, u32),
    rendered_dpi: Option<u32>,
    settings: &ImageSettings,
    max_side: u32,
) -> (u32, u32) {
    let (w, h) = (f64::from(width.max(1)), f64::from(height.max(1)));
    let mut scale: f64 = 1.0;
    if let (Some(want), Some(have)) = (settings.dpi.filter(|d| *d > 0), rendered_dpi) {
        scale = scale.min(f64::from(want) / f64::from(have.max(1)));
    }
    let targets = match (
        settings.target_width.filter(|v| *v > 0),
        settings.target_height.filter(|v| *v > 0),
    ) {
        (None, None) => (Some(DEFAULT_TARGET.0), Some(DEFAULT_TARGET.1)),
        set => set,
    };
    if let Some(tw) = targets.0 {
        scale = scale.min(f64::from(tw) / w);
    }
    if let Some(th) = targets.1 {
        scale = scale.min(f64::from(th) / h);
    }
    scale = scale.min(f64::from(max_side) / w.max(h));
    if scale >= 1.0 {
        return (width, height);
    }
    let side = |v: f64| ((v * scale).round() as u32).max(1);
    (side(w), side(h))
}

/// Grey pixels stored as colour (scans and renders often come as RGB): one channel is a third
/// of the bytes.
fn gray_in_color(img: &DynamicImage) -> bool {
    match img {
        DynamicImage::ImageLuma8(_) => false,
        DynamicImage::ImageRgb8(rgb) => rgb.pixels().all(|p| p[0] == p[1] && p[1] == p[2]),
        DynamicImage::ImageRgba8(rgba) => rgba
            .pixels()
            .all(|p| p[0] == p[1] && p[1] == p[2] && p[3] == u8::MAX),
        _ => false,
    }
}

/// Whether anything is on the page: more than 1 pixel in 5,000 far (a quarter of the range)
/// from the page's own background, the median. A scanned blank page's specks stay under it; a
/// single short word is over it.
fn has_ink(img: &DynamicImage) -> bool {
    let luma = img.to_luma8();
    let total = u64::from(luma.width()) * u64::from(luma.height());
    if total == 0 {
        return false;
    }
    let mut histogram = [0u64; 256];
    for p in luma.pixels() {
        histogram[usize::from(p[0])] += 1;
    }
    let mut seen = 0;
    let background = histogram
        .iter()
        .position(|n| {
            seen += n;
            seen * 2 >= total
        })
        .unwrap_or(255) as i32;
    let ink: u64 = histogram
        .iter()
        .enumerate()
        .filter(|(level, _)| (*level as i32 - background).abs() > 64)
        .map(|(_, n)| n)
        .sum();
    ink * 5_000 > total
}

fn encode(img: &DynamicImage, format: ImageFormat) -> Result<Vec<u8>, String> {
    let mut out = Cursor::new(Vec::new());
    let written = match format {
        ImageFormat::Jpeg => {
            // JPEG has no alpha and 8 bits a channel.
            let flat = match img {
                DynamicImage::ImageLuma8(_) => img.clone(),
                _ if !img.color().has_color() => DynamicImage::ImageLuma8(img.to_luma8()),
                _ => DynamicImage::ImageRgb8(img.to_rgb8()),
            };
            flat.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut out,
                JPEG_QUALITY,
            ))
        }
        _ => img.write_to(&mut out, format),
    };
    written.map_err(|e| format!("cannot encode the page image as {format:?}: {e}"))?;
    Ok(out.into_inner())
}

/// JPEG at smaller sizes until it fits `limits.max_bytes`: the bytes and their size.
fn shrink(
    mut img: DynamicImage,
    smallest: usize,
    limits: &Limits,
) -> Result<(Vec<u8>, u32, u32), String> {
    let (width, height) = (img.width(), img.height());
    let mut last = smallest;
    loop {
        let Some((w, h)) = smaller((img.width(), img.height()), last, limits) else {
            return Err(format!(
                "the {width}x{height} page image is still {last} bytes at {}x{} pixels, and \
                 the model takes at most {} bytes an image; set ocr.image.target_width and \
                 target_height lower, or render scanned pages at a lower resolution",
                img.width(),
                img.height(),
                limits.max_bytes
            ));
        };
        img = img.resize_exact(w, h, image::imageops::FilterType::Triangle);
        let jpeg = encode(&img, ImageFormat::Jpeg)?;
        if jpeg.len() <= limits.max_bytes {
            return Ok((jpeg, w, h));
        }
        last = jpeg.len();
    }
}

/// The answer's lines as the page's lines: Markdown read as layout (see the module's notes),
/// runs of blank lines kept as one, none at either end.
pub fn lines_of(answer: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in answer.lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || is_rule(trimmed) {
            continue;
        }
        let line = if is_table_row(trimmed) {
            cells(trimmed).join("\t")
        } else {
            strip_heading(line).to_string()
        };
        let line = line
            .replace("**", "")
            .replace("<br>", " ")
            .replace("<br/>", " ")
            .replace("<br />", " ");
        if line.trim().is_empty() {
            if out.last().is_some_and(|l| !l.is_empty()) {
                out.push(String::new());
            }
            continue;
        }
        out.push(line.trim_end().to_string());
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// A Markdown table's alignment row (`|---|:--:|`) or a horizontal rule (`---`).
fn is_rule(line: &str) -> bool {
    line.matches('-').count() >= 3 && line.chars().all(|c| matches!(c, '-' | '|' | ':' | ' '))
}

fn is_table_row(line: &str) -> bool {
    line.len() >= 2 && line.starts_with('|') && line.ends_with('|') && !line.ends_with("\\|")
}

/// A table row's cells, trimmed, empty ones left out; `\|` is a `|` inside a cell.
fn cells(row: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut chars = row.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                cells.last_mut().expect("one cell at least").push('|');
            }
            '|' => cells.push(String::new()),
            c => cells.last_mut().expect("one cell at least").push(c),
        }
    }
    cells
        .into_iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
}

/// `## Title` → `Title`; `#1` and `# ` alone stay (not a heading).
fn strip_heading(line: &str) -> &str {
    let trimmed = line.trim_start();
    let hashes = trimmed.chars().take_while(|c| *c == '#').count();
    match trimmed[hashes..].strip_prefix(' ') {
        Some(rest) if (1..=6).contains(&hashes) && !rest.trim().is_empty() => rest.trim_start(),
        _ => line,
    }
}

/// The answer's words: [`lines_of`] on a virtual grid, lines top to bottom and words left to
/// right, boxes in page fractions marked approximate, [`CONFIDENCE`] each.
pub fn words_of(answer: &str) -> Vec<Word> {
    let lines: Vec<String> = lines_of(answer).iter().map(|l| expand_tabs(l)).collect();
    let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let scale = (lines.len() as f32 / ROWS)
        .max(longest as f32 / COLUMNS)
        .max(1.0);
    let (rows, columns) = (ROWS * scale, COLUMNS * scale);
    let mut words = Vec::new();
    for (row, line) in lines.iter().enumerate() {
        let top = (row as f32 + 0.1) / rows;
        let bottom = (row as f32 + 0.9) / rows;
        let mut col = 0usize;
        for piece in line.split(' ') {
            let len = piece.chars().count();
            if len > 0 {
                let mut word = Word::new(
                    piece,
                    BoundingBox::from_edges(
                        col as f32 / columns,
                        top,
                        ((col + len) as f32 / columns).min(1.0),
                        bottom,
                    ),
                    CONFIDENCE,
                );
                word.approximate = true;
                words.push(word);
            }
            col += len + 1;
        }
    }
    words
}

/// Tabs to the next multiple of 8, at least three spaces, so a column gap stays one (as
/// `split::text` expands them); other control characters go.
fn expand_tabs(line: &str) -> String {
    let mut out = String::new();
    let mut count = 0usize;
    for c in line.chars() {
        if c == '\t' {
            out.push_str("   ");
            count += 3;
            while !count.is_multiple_of(8) {
                out.push(' ');
                count += 1;
            }
        } else if !c.is_control() {
            out.push(c);
            count += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests;
