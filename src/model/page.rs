//! Pages: the record the document keeps per page (`Page`) and what a stage works on
//! (`PageContent`: words, text, and the rendered image when OCR needs one).

use serde::{Deserialize, Serialize};

use super::word::Word;

/// Where a page's words came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSource {
    /// The PDF's own text layer: exact text, boxes from the content stream.
    TextLayer,
    /// An OCR engine read a rendered or scanned image.
    Ocr,
    /// A format that is text already (TXT, CSV, HTML, Markdown, DOCX): no geometry on a page, so
    /// word boxes are laid out by line and position and marked approximate.
    Native,
    /// Nothing yet: the page needs OCR and has not had it.
    None,
}

/// The per-page record inside [`super::Document::pages`], accelerator-compatible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Page {
    pub page_id: String,
    #[serde(default)]
    pub image_uri: Option<String>,
    #[serde(default)]
    pub raw_text_uri: Option<String>,
    #[serde(default)]
    pub text_confidence_uri: Option<String>,
    #[serde(default)]
    pub classification: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_source: Option<TextSource>,
    /// Why this page has no text (OCR failed, ...); absent when it is fine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A rendered or original page image handed to OCR.
#[derive(Debug, Clone, PartialEq)]
pub struct PageImage {
    /// PNG or JPEG bytes (both are read by every OCR engine we target).
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Resolution the image was rendered at, when known (OCR engines want ~300).
    pub dpi: Option<u32>,
}

/// A page's content as the stages see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageContent {
    /// 1-based, the same number a person sees.
    pub page_number: u32,
    pub text_source: TextSource,
    /// Words in reading order (top to bottom, left to right).
    pub words: Vec<Word>,
    /// Plain text, lines separated by `\n`.
    pub text: String,
    /// True when the text layer was empty or near-empty, so the words must come from OCR.
    pub needs_ocr: bool,
    /// The invoice the file carries as XML (Factur-X, ZUGFeRD, XRechnung), on its first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub einvoice: Option<Box<super::einvoice::EInvoice>>,
    /// The image OCR reads; kept out of JSON (it is bytes, and the caller stores it elsewhere).
    #[serde(skip)]
    pub image: Option<PageImage>,
}

impl PageContent {
    /// The page id used in `page_ids` and `pages{}`: the page number as a string.
    pub fn page_id(&self) -> String {
        self.page_number.to_string()
    }

    /// Mean word confidence, `None` for a page with no words.
    pub fn mean_confidence(&self) -> Option<f32> {
        if self.words.is_empty() {
            return None;
        }
        Some(self.words.iter().map(|w| w.confidence).sum::<f32>() / self.words.len() as f32)
    }
}
