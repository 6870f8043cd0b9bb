//! Why a document could not be split into pages. Every reason names the problem and, where
//! there is one, the fix; none of them is a panic.

use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum SplitError {
    #[error("the file is empty (0 bytes)")]
    Empty,
    #[error(
        "unsupported file type ({detected}); supported types are PDF, PNG, JPEG, TIFF, DOCX, \
         TXT, CSV, HTML and Markdown"
    )]
    Unsupported { detected: String },
    #[error("the PDF is corrupt or unreadable: {0}")]
    CorruptPdf(String),
    #[error("the PDF is encrypted (password-protected); remove the password and submit it again")]
    EncryptedPdf,
    #[error("the document has no pages")]
    NoPages,
    #[error("the document has {pages} pages, more than the limit of {max}")]
    TooManyPages { pages: usize, max: usize },
    #[error(
        "the {format} image is {width}x{height} pixels, more than the limit of {max_pixels} \
         pixels; scale it down and submit it again"
    )]
    ImageTooLarge {
        format: &'static str,
        width: u64,
        height: u64,
        max_pixels: u64,
    },
    #[error("the {format} image is corrupt or unreadable: {reason}")]
    CorruptImage {
        format: &'static str,
        reason: String,
    },
    #[error("the DOCX is corrupt or unreadable: {0}")]
    CorruptDocx(String),
    #[error("the {kind} reader failed on this file ({reason}); it is probably corrupt")]
    ReaderFailed { kind: String, reason: String },
    #[error("page {page} could not be rendered for OCR: {reason}")]
    Render { page: u32, reason: String },
}
