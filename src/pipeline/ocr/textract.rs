//! Amazon Textract as an OCR engine: one page image → `DetectDocumentText`, or
//! `AnalyzeDocument` with the feature types the configuration's `ocr.features` names
//! (`[{name: LAYOUT}, {name: TABLES}, …]`), → the page's words in the order of Textract's LINE
//! blocks.
//!
//! - Boxes: Textract's geometry is a fraction of the image, and so are [`Word`] boxes (the model
//!   keeps page fractions; Tesseract divides its pixels by the page size), so they are taken as
//!   they are. A page image that was downscaled to be sent keeps the same fractions.
//! - Confidences: Textract gives 0–100; words keep 0–1, as Tesseract's do.
//! - Tables, key-value pairs and layout blocks have no place in a page's content today (words
//!   and text only), so only WORD and LINE blocks are read; the features still decide which API
//!   is called and what is metered.
//! - Limits of the synchronous API: document bytes at most 5 MB (the API reference's figure
//!   for `Document.Bytes`) and at most 10,000 pixels a side ([`SYNC_LIMITS`]). A larger page is re-encoded (PNG,
//!   then JPEG) and downscaled until it fits, never below 1,000 pixels on its long side; a page
//!   that still does not fit fails with the sizes.
//! - Errors become [`EngineError`]s with backend `textract` (throttling and service faults are
//!   retried by the state machine), or a page failure for an image Textract refuses. The SDK
//!   retries throttled attempts itself first (3 attempts, jittered back-off); how many attempts a
//!   page took shows in its metering as `retries`.
//!
//! The client comes from the usual AWS configuration chain, so `AWS_ENDPOINT_URL_TEXTRACT` (or
//! `AWS_ENDPOINT_URL`) points it at a local endpoint.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::Cursor;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_textract::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_textract::primitives::Blob;
use aws_sdk_textract::types::{Block, BlockType, Document, FeatureType, RelationshipType};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::timeout::TimeoutConfig;
use image::{DynamicImage, ImageFormat};
use serde_json::Value;

pub use super::sizing::Limits;
use super::sizing::{decode, smaller};
use super::{OcrEngine, OcrError, Recognized};
use crate::engines::EngineError;
use crate::model::metering::{self, Metering};
use crate::model::page::PageImage;
use crate::model::{BoundingBox, Word};
use crate::pipeline::config::sections::OcrSection;

/// The backend name in errors and metering.
pub const BACKEND: &str = "textract";
/// The synchronous operations': `Document.Bytes` at most 5 MB, 10,000 pixels a side.
pub const SYNC_LIMITS: Limits = Limits {
    max_bytes: 5 * 1024 * 1024,
    max_side: 10_000,
    min_side: 1_000,
};
/// One attempt's limit; a page takes a few seconds.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

/// The feature types idpctl sends (`QUERIES` needs queries, which the configuration has no
/// place for).
const FEATURES: &[&str] = &["TABLES", "FORMS", "LAYOUT", "SIGNATURES"];

/// The IAM actions the engine calls for the configuration's `ocr.features`:
/// `textract:DetectDocumentText` without features, `textract:AnalyzeDocument` with them, none
/// when the features are not valid (the engine then refuses before calling anything). Textract
/// has no resource-level permissions: these go on `Resource: "*"`.
pub fn iam_actions(features: &[Value]) -> Vec<&'static str> {
    match feature_names(features) {
        Ok(names) if names.is_empty() => vec!["textract:DetectDocumentText"],
        Ok(_) => vec!["textract:AnalyzeDocument"],
        Err(_) => Vec::new(),
    }
}

/// The configuration's features as Textract's names, in their order, without repeats. An item
/// is `{name: LAYOUT}` (the accelerator's form) or the bare name.
pub fn feature_names(features: &[Value]) -> Result<Vec<&'static str>, String> {
    let mut names = Vec::new();
    for (i, item) in features.iter().enumerate() {
        let raw =
            item.get("name").unwrap_or(item).as_str().ok_or_else(|| {
                format!("ocr.features[{i}] is not a feature (`{{name: LAYOUT}}`)")
            })?;
        let upper = raw.trim().to_ascii_uppercase();
        let name = FEATURES
            .iter()
            .find(|f| **f == upper)
            .ok_or_else(|| match upper.as_str() {
                "QUERIES" => format!(
                    "ocr.features[{i}]: QUERIES needs the queries to ask, which idpctl does not send"
                ),
                _ => format!(
                    "ocr.features[{i}]: `{raw}` is not a Textract feature (one of: {})",
                    FEATURES.join(", ")
                ),
            })?;
        if !names.contains(name) {
            names.push(*name);
        }
    }
    Ok(names)
}

/// The metering key of a page read with `features`, in the accelerator's format:
/// `OCR/textract/detect_document_text`, `OCR/textract/analyze_document-Tables+Forms`.
pub fn metering_key(features: &[&str]) -> String {
    if features.is_empty() {
        return "OCR/textract/detect_document_text".into();
    }
    let titled: Vec<String> = features
        .iter()
        .map(|f| {
            let lower = f.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    format!("OCR/textract/analyze_document-{}", titled.join("+"))
}

/// The engine. Cheap to share: one client, built on first use unless given.
pub struct Textract {
    client: tokio::sync::OnceCell<aws_sdk_textract::Client>,
}

impl Textract {
    /// An engine whose client is built from `config` (a function's own SDK configuration,
    /// with its interceptors), with this engine's attempt timeout.
    pub fn from_conf(config: aws_sdk_textract::config::Builder) -> Self {
        let client = aws_sdk_textract::Client::from_conf(with_timeout(config).build());
        Textract {
            client: tokio::sync::OnceCell::new_with(Some(client)),
        }
    }

    /// An engine whose client is built from the default configuration chain on its first call
    /// (loading it needs a runtime, which constructing the engine does not).
    pub fn from_default_chain() -> Self {
        Textract {
            client: tokio::sync::OnceCell::new(),
        }
    }

    async fn client(&self) -> &aws_sdk_textract::Client {
        self.client
            .get_or_init(|| async {
                let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
                    .load()
                    .await;
                aws_sdk_textract::Client::from_conf(
                    with_timeout(aws_sdk_textract::config::Builder::from(&config)).build(),
                )
            })
            .await
    }
}

fn with_timeout(config: aws_sdk_textract::config::Builder) -> aws_sdk_textract::config::Builder {
    config.timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .operation_attempt_timeout(ATTEMPT_TIMEOUT)
            .build(),
    )
}

/// The operation a page goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Detect,
    Analyze,
}

impl Api {
    fn name(self) -> &'static str {
        match self {
            Api::Detect => "DetectDocumentText",
            Api::Analyze => "AnalyzeDocument",
        }
    }
}

#[async_trait]
impl OcrEngine for Textract {
    fn name(&self) -> &str {
        BACKEND
    }

    async fn recognize(
        &self,
        image: &PageImage,
        page_number: u32,
        settings: &OcrSection,
    ) -> Result<Recognized, OcrError> {
        let features =
            feature_names(&settings.features).map_err(|reason| EngineError::Misconfigured {
                backend: BACKEND,
                reason,
                hint: format!(
                    "list Textract features as `features: [{{name: LAYOUT}}, {{name: TABLES}}]` \
                     in the configuration's `ocr` section (one of: {}), or none for \
                     DetectDocumentText",
                    FEATURES.join(", ")
                ),
            })?;
        let bytes = fit(image, &SYNC_LIMITS).map_err(|reason| OcrError::Failed {
            engine: BACKEND.into(),
            page: page_number,
            reason,
        })?;
        let document = Document::builder()
            .bytes(Blob::new(bytes.into_owned()))
            .build();
        let client = self.client().await;
        let attempts = Attempts::default();
        let (blocks, pages) = if features.is_empty() {
            let out = client
                .detect_document_text()
                .document(document)
                .customize()
                .interceptor(attempts.clone())
                .send()
                .await
                .map_err(|e| failure(e, Api::Detect, page_number, &attempts))?;
            let pages = out.document_metadata().and_then(|m| m.pages());
            (out.blocks, pages)
        } else {
            let out = client
                .analyze_document()
                .document(document)
                .set_feature_types(Some(
                    features.iter().map(|f| FeatureType::from(*f)).collect(),
                ))
                .customize()
                .interceptor(attempts.clone())
                .send()
                .await
                .map_err(|e| failure(e, Api::Analyze, page_number, &attempts))?;
            let pages = out.document_metadata().and_then(|m| m.pages());
            (out.blocks, pages)
        };
        let mut metering = Metering::new();
        let key = metering_key(&features);
        metering::add(
            &mut metering,
            &key,
            "pages",
            f64::from(pages.unwrap_or(1).max(1)),
        );
        let retries = attempts.count().saturating_sub(1);
        if retries > 0 {
            metering::add(&mut metering, &key, "retries", f64::from(retries));
        }
        Ok(Recognized {
            words: words_of(blocks.as_deref().unwrap_or_default()),
            metering,
        })
    }
}

/// The page's words, in the order of its LINE blocks (each line's CHILD words, left to
/// right as Textract lists them). WORD blocks no line names are kept after the lines.
pub fn words_of(blocks: &[Block]) -> Vec<Word> {
    let by_id: HashMap<&str, &Block> = blocks.iter().filter_map(|b| Some((b.id()?, b))).collect();
    let mut taken: HashSet<&str> = HashSet::new();
    let mut words = Vec::new();
    let lines = blocks
        .iter()
        .filter(|b| b.block_type() == Some(&BlockType::Line));
    for line in lines {
        let children = line
            .relationships()
            .iter()
            .filter(|r| r.r#type() == Some(&RelationshipType::Child))
            .flat_map(|r| r.ids());
        for id in children {
            if let Some(block) = by_id.get(id.as_str())
                && block.block_type() == Some(&BlockType::Word)
                && taken.insert(id.as_str())
            {
                words.extend(word_of(block));
            }
        }
    }
    for block in blocks {
        if block.block_type() == Some(&BlockType::Word)
            && block.id().is_none_or(|id| !taken.contains(id))
        {
            words.extend(word_of(block));
        }
    }
    words
}

fn word_of(block: &Block) -> Option<Word> {
    let text = block.text()?.trim();
    let bbox = block.geometry()?.bounding_box()?;
    if text.is_empty() {
        return None;
    }
    let (left, top) = (bbox.left(), bbox.top());
    Some(Word::new(
        text,
        BoundingBox::from_edges(left, top, left + bbox.width(), top + bbox.height()),
        block.confidence().unwrap_or(0.0) / 100.0,
    ))
}

/// The bytes to send for `image`: as they are when Textract takes them, else re-encoded and
/// downscaled until they fit `limits`. Why not, when nothing fits.
pub fn fit<'a>(image: &'a PageImage, limits: &Limits) -> Result<Cow<'a, [u8]>, String> {
    let format = image::guess_format(&image.bytes).ok();
    let taken = matches!(
        format,
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Tiff)
    );
    if taken
        && image.bytes.len() <= limits.max_bytes
        && image.width.max(image.height) <= limits.max_side
    {
        return Ok(Cow::Borrowed(&image.bytes));
    }
    let decoded = decode(image, "re-encode it for Textract")?;
    shrink(decoded, limits).map(Cow::Owned)
}

fn shrink(mut img: DynamicImage, limits: &Limits) -> Result<Vec<u8>, String> {
    let Limits {
        max_bytes,
        max_side,
        ..
    } = *limits;
    let (width, height) = (img.width(), img.height());
    if width.max(height) > max_side {
        img = img.resize(max_side, max_side, image::imageops::FilterType::Triangle);
    }
    // Lossless first: it is what OCR reads best.
    let png = encode(&img, ImageFormat::Png)?;
    if png.len() <= max_bytes {
        return Ok(png);
    }
    let mut last = png.len();
    loop {
        let jpeg = encode(&img, ImageFormat::Jpeg)?;
        if jpeg.len() <= max_bytes {
            return Ok(jpeg);
        }
        last = last.min(jpeg.len());
        let Some((w, h)) = smaller((img.width(), img.height()), jpeg.len(), limits) else {
            return Err(format!(
                "the {width}x{height} page image is still {last} bytes as a JPEG at {}x{} \
                 pixels, and Textract's synchronous API takes at most {max_bytes} bytes; \
                 render scanned pages at a lower resolution",
                img.width(),
                img.height()
            ));
        };
        img = img.resize_exact(w, h, image::imageops::FilterType::Triangle);
    }
}

fn encode(img: &DynamicImage, format: ImageFormat) -> Result<Vec<u8>, String> {
    // JPEG has no alpha and 8 bits a channel; PNG keeps what the page had.
    let img = match (format, img.color().has_color()) {
        (ImageFormat::Jpeg, true) => DynamicImage::ImageRgb8(img.to_rgb8()),
        (ImageFormat::Jpeg, false) => DynamicImage::ImageLuma8(img.to_luma8()),
        _ => img.clone(),
    };
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format)
        .map_err(|e| format!("cannot re-encode the page image as {format:?}: {e}"))?;
    Ok(out.into_inner())
}

/// Counts the HTTP attempts of one call (the SDK retries throttled ones itself).
#[derive(Debug, Clone, Default)]
struct Attempts(Arc<AtomicU32>);

impl Attempts {
    fn count(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Intercept for Attempts {
    fn name(&self) -> &'static str {
        "idpctl::pipeline::ocr::textract::Attempts"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// What a failed call means for the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Retry later, with back-off.
    Throttled,
    /// Retry later: a fault of the service or the way to it.
    Unavailable,
    AccessDenied,
    /// Textract will not read this image: the page fails, retrying does not help.
    Document,
    /// Any other refusal, with Textract's own message.
    Refused,
}

/// Textract's error code (and the HTTP status when the code says nothing we know) → its kind.
fn kind_of(code: Option<&str>, status: Option<u16>) -> Kind {
    match code.unwrap_or_default() {
        "ThrottlingException"
        | "ProvisionedThroughputExceededException"
        | "LimitExceededException"
        | "TooManyRequestsException"
        | "Throttling" => Kind::Throttled,
        "InternalServerError" | "ServiceUnavailable" | "ServiceUnavailableException" => {
            Kind::Unavailable
        }
        "AccessDeniedException"
        | "UnrecognizedClientException"
        | "InvalidSignatureException"
        | "ExpiredTokenException"
        | "MissingAuthenticationTokenException" => Kind::AccessDenied,
        "InvalidParameterException"
        | "UnsupportedDocumentException"
        | "BadDocumentException"
        | "DocumentTooLargeException"
        | "InvalidS3ObjectException" => Kind::Document,
        _ => match status {
            Some(429) => Kind::Throttled,
            Some(401 | 403) => Kind::AccessDenied,
            Some(s) if s >= 500 => Kind::Unavailable,
            _ => Kind::Refused,
        },
    }
}

/// A failed call as the page's error.
fn failure<E>(err: SdkError<E, HttpResponse>, api: Api, page: u32, attempts: &Attempts) -> OcrError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let model = api.name().to_string();
    match &err {
        SdkError::ServiceError(ctx) => {
            let code = ctx.err().code();
            let message = ctx.err().message().unwrap_or("no message");
            let status = ctx.raw().status().as_u16();
            let named = format!("{}: {message}", code.unwrap_or("HTTP error"));
            let detail = format!("page {page}: {named} (HTTP {status})");
            match kind_of(code, Some(status)) {
                Kind::Throttled => EngineError::Throttled {
                    backend: BACKEND,
                    model,
                    detail: format!("{detail}, {} attempts", attempts.count().max(1)),
                }
                .into(),
                Kind::Unavailable => EngineError::Unavailable {
                    backend: BACKEND,
                    model,
                    detail,
                }
                .into(),
                Kind::AccessDenied => EngineError::AccessDenied {
                    backend: BACKEND,
                    model,
                    detail,
                }
                .into(),
                Kind::Document => OcrError::Failed {
                    engine: BACKEND.into(),
                    page,
                    reason: format!("Textract refused the page image in {model}: {named}"),
                },
                Kind::Refused => EngineError::BadRequest(format!(
                    "textract refused {model} for page {page}: {named} (HTTP {status})"
                ))
                .into(),
            }
        }
        SdkError::TimeoutError(_) => EngineError::Timeout {
            backend: BACKEND,
            model,
            after: ATTEMPT_TIMEOUT,
            attempts: attempts.count().max(1),
        }
        .into(),
        SdkError::DispatchFailure(d) if d.is_timeout() => EngineError::Timeout {
            backend: BACKEND,
            model,
            after: ATTEMPT_TIMEOUT,
            attempts: attempts.count().max(1),
        }
        .into(),
        SdkError::DispatchFailure(d) if d.is_io() => EngineError::Unavailable {
            backend: BACKEND,
            model,
            detail: format!("page {page}: {}", DisplayErrorContext(&err)),
        }
        .into(),
        SdkError::ConstructionFailure(_) | SdkError::DispatchFailure(_) => {
            EngineError::Misconfigured {
                backend: BACKEND,
                reason: format!("{model} for page {page}: {}", DisplayErrorContext(&err)),
                hint: "give the engine an AWS region (AWS_REGION) and credentials (the \
                       function's role, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile \
                       locally); AWS_ENDPOINT_URL_TEXTRACT points it at another endpoint"
                    .into(),
            }
            .into()
        }
        _ => EngineError::Unavailable {
            backend: BACKEND,
            model,
            detail: format!("page {page}: {}", DisplayErrorContext(&err)),
        }
        .into(),
    }
}

#[cfg(test)]
mod tests;
