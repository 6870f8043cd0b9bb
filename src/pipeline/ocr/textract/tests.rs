//! Blocks → words, geometry, features and metering keys, error mapping and image fitting, on
//! data built here (the engine against a fake service is in `tests/engines_textract.rs`).

use aws_sdk_textract::operation::detect_document_text::DetectDocumentTextError;
use aws_sdk_textract::types::{BoundingBox as TBox, Geometry, Relationship};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::ErrorMetadata;
use serde_json::json;

use super::*;

fn geometry(left: f32, top: f32, width: f32, height: f32) -> Geometry {
    Geometry::builder()
        .bounding_box(
            TBox::builder()
                .left(left)
                .top(top)
                .width(width)
                .height(height)
                .build(),
        )
        .build()
}

fn word(id: &str, text: &str, confidence: f32, left: f32, top: f32) -> Block {
    Block::builder()
        .block_type(BlockType::Word)
        .id(id)
        .text(text)
        .confidence(confidence)
        .geometry(geometry(left, top, 0.1, 0.02))
        .build()
}

fn line(id: &str, children: &[&str]) -> Block {
    let mut rel = Relationship::builder().r#type(RelationshipType::Child);
    for c in children {
        rel = rel.ids(*c);
    }
    Block::builder()
        .block_type(BlockType::Line)
        .id(id)
        .relationships(rel.build())
        .build()
}

#[test]
fn words_follow_the_line_blocks_with_fractions_and_confidences_0_to_1() {
    let blocks = vec![
        Block::builder()
            .block_type(BlockType::Page)
            .id("p")
            .relationships(
                Relationship::builder()
                    .r#type(RelationshipType::Child)
                    .ids("l2")
                    .ids("l1")
                    .build(),
            )
            .build(),
        // Textract lists the second line first here: its order is the order kept.
        line("l2", &["w3"]),
        line("l1", &["w1", "w2", "l2"]),
        word("w1", "Total", 99.5, 0.1, 0.5),
        word("w2", "due:", 87.0, 0.25, 0.5),
        word("w3", "Invoice", 96.0, 0.1, 0.1),
        word("w4", "  ", 90.0, 0.5, 0.5),
        word("w5", "stray", 40.0, 0.7, 0.9),
    ];
    let words = words_of(&blocks);
    let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(texts, ["Invoice", "Total", "due:", "stray"]);
    let total = &words[1];
    assert!((total.confidence - 0.995).abs() < 1e-6);
    assert!((total.bbox.left - 0.1).abs() < 1e-6);
    assert!((total.bbox.top - 0.5).abs() < 1e-6);
    assert!((total.bbox.width - 0.1).abs() < 1e-6);
    assert!((total.bbox.height - 0.02).abs() < 1e-6);
    assert!(!total.approximate);
}

#[test]
fn geometry_is_a_page_fraction_kept_inside_the_page() {
    // Textract's boxes are fractions of the image, like the model's: no pixel scaling, and a
    // box that runs off the edge is cut at it.
    let blocks = vec![
        line("l", &["a", "b"]),
        word("a", "edge", 90.0, 0.95, 0.99),
        Block::builder()
            .block_type(BlockType::Word)
            .id("b")
            .text("nobox")
            .confidence(90.0)
            .build(),
    ];
    let words = words_of(&blocks);
    assert_eq!(words.len(), 1, "a word without geometry has no place");
    let b = &words[0].bbox;
    assert!((b.left - 0.95).abs() < 1e-6 && (b.right() - 1.0).abs() < 1e-6);
    assert!((b.bottom() - 1.0).abs() < 1e-6);
}

#[test]
fn features_pick_the_api_the_metering_key_and_the_iam_action() {
    let none: Vec<Value> = vec![];
    assert_eq!(feature_names(&none).unwrap(), Vec::<&str>::new());
    assert_eq!(metering_key(&[]), "OCR/textract/detect_document_text");
    assert_eq!(iam_actions(&none), ["textract:DetectDocumentText"]);

    let f = vec![
        json!({"name": "TABLES"}),
        json!({"name": "forms"}),
        json!("TABLES"),
    ];
    let names = feature_names(&f).unwrap();
    assert_eq!(names, ["TABLES", "FORMS"]);
    assert_eq!(
        metering_key(&names),
        "OCR/textract/analyze_document-Tables+Forms"
    );
    assert_eq!(
        metering_key(&["LAYOUT"]),
        "OCR/textract/analyze_document-Layout"
    );
    assert_eq!(iam_actions(&f), ["textract:AnalyzeDocument"]);

    let bad = vec![json!({"name": "TABLEZ"})];
    let err = feature_names(&bad).unwrap_err();
    assert!(err.contains("`TABLEZ` is not a Textract feature"), "{err}");
    assert!(iam_actions(&bad).is_empty());
    assert!(
        feature_names(&[json!({"name": "QUERIES"})])
            .unwrap_err()
            .contains("queries")
    );
    assert!(feature_names(&[json!(3)]).is_err());
}

#[test]
fn error_codes_map_to_kinds() {
    use Kind::*;
    for (code, status, kind) in [
        (Some("ThrottlingException"), Some(500), Throttled),
        (
            Some("ProvisionedThroughputExceededException"),
            Some(400),
            Throttled,
        ),
        (Some("LimitExceededException"), Some(400), Throttled),
        (Some("InternalServerError"), Some(500), Unavailable),
        (None, Some(503), Unavailable),
        (None, Some(429), Throttled),
        (Some("AccessDeniedException"), Some(400), AccessDenied),
        (Some("UnrecognizedClientException"), Some(400), AccessDenied),
        (None, Some(403), AccessDenied),
        (Some("InvalidParameterException"), Some(400), Document),
        (Some("UnsupportedDocumentException"), Some(400), Document),
        (Some("BadDocumentException"), Some(400), Document),
        (Some("DocumentTooLargeException"), Some(400), Document),
        (Some("HumanLoopQuotaExceededException"), Some(400), Refused),
        (Some("SomethingNew"), Some(400), Refused),
    ] {
        assert_eq!(kind_of(code, status), kind, "{code:?} {status:?}");
    }
}

fn service_error(code: &str, status: u16) -> SdkError<DetectDocumentTextError, HttpResponse> {
    let err = DetectDocumentTextError::generic(
        ErrorMetadata::builder()
            .code(code)
            .message("the service's message")
            .build(),
    );
    let raw = HttpResponse::new(status.try_into().unwrap(), SdkBody::empty());
    SdkError::service_error(err, raw)
}

fn attempts(n: u32) -> Attempts {
    let a = Attempts::default();
    a.0.store(n, Ordering::Relaxed);
    a
}

#[test]
fn throttling_is_a_retryable_model_error_naming_the_page() {
    let err = failure(
        service_error("ThrottlingException", 500),
        Api::Detect,
        3,
        &attempts(3),
    );
    let OcrError::Model(e) = err else {
        panic!("{err:?}")
    };
    assert_eq!(e.error_type(), "idpctl.ModelThrottled");
    assert!(e.retryable());
    assert_eq!(
        e.to_string(),
        "textract throttled the request to `DetectDocumentText`: page 3: ThrottlingException: \
         the service's message (HTTP 500), 3 attempts"
    );
}

#[test]
fn faults_access_and_refusals_map_onto_engine_errors() {
    let model = |code: &str, status: u16| match failure(
        service_error(code, status),
        Api::Analyze,
        1,
        &attempts(1),
    ) {
        OcrError::Model(e) => e,
        other => panic!("{other:?}"),
    };
    let e = model("InternalServerError", 500);
    assert_eq!(e.error_type(), "idpctl.ModelUnavailable");
    let e = model("AccessDeniedException", 400);
    assert_eq!(e.error_type(), "idpctl.ModelAccessDenied");
    assert!(!e.retryable());
    assert!(e.hint().unwrap().contains("textract:"), "{:?}", e.hint());
    assert!(e.to_string().contains("`AnalyzeDocument`"), "{e}");
    let e = model("HumanLoopQuotaExceededException", 400);
    assert_eq!(e.error_type(), "idpctl.ModelBadRequest");
}

#[test]
fn an_image_textract_refuses_fails_the_page_with_the_reason() {
    let err = failure(
        service_error("UnsupportedDocumentException", 400),
        Api::Detect,
        7,
        &attempts(1),
    );
    match &err {
        OcrError::Failed { engine, page, .. } => {
            assert_eq!((engine.as_str(), *page), ("textract", 7))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "OCR engine `textract` failed on page 7: Textract refused the page image in \
         DetectDocumentText: UnsupportedDocumentException: the service's message"
    );
}

fn png(img: &DynamicImage) -> PageImage {
    let bytes = encode(img, ImageFormat::Png).unwrap();
    PageImage {
        bytes,
        width: img.width(),
        height: img.height(),
        dpi: None,
    }
}

/// An image no codec compresses much: PNG stays near its raw size.
fn noise(width: u32, height: u32) -> DynamicImage {
    let mut rng = fastrand::Rng::with_seed(7);
    DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |_, _| {
        image::Rgb([rng.u8(..), rng.u8(..), rng.u8(..)])
    }))
}

fn limits(max_bytes: usize, max_side: u32, min_side: u32) -> Limits {
    Limits {
        max_bytes,
        max_side,
        min_side,
    }
}

#[test]
fn an_image_within_the_limits_is_sent_as_it_is() {
    let page = png(&DynamicImage::ImageLuma8(image::GrayImage::new(40, 30)));
    assert!(matches!(
        fit(&page, &SYNC_LIMITS).unwrap(),
        Cow::Borrowed(_)
    ));
}

#[test]
fn a_large_image_is_re_encoded_and_downscaled_until_it_fits() {
    // 600 x 500 of noise: ~900 KB as PNG and ~400 KB as a JPEG, over a 250 KB limit: it fits
    // as a smaller JPEG, and still reads as an image of the same page.
    let page = png(&noise(600, 500));
    let limit = 250 * 1024;
    assert!(page.bytes.len() > limit);
    let sent = fit(&page, &limits(limit, 10_000, 100)).unwrap();
    assert!(sent.len() <= limit, "{} bytes", sent.len());
    assert_eq!(image::guess_format(&sent).unwrap(), ImageFormat::Jpeg);
    let back = image::load_from_memory(&sent).unwrap();
    assert!(back.width() < 600, "downscaled: {}", back.width());
    let ratio = f64::from(back.width()) / f64::from(back.height());
    assert!((ratio - 1.2).abs() < 0.01, "{ratio}");
}

#[test]
fn a_png_too_large_but_compressible_becomes_a_jpeg_of_the_same_size() {
    // A smooth gradient: PNG of noise-free pixels is small, so force the limit under it.
    let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(300, 200, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x * y) % 256) as u8])
    }));
    let page = png(&img);
    let sent = fit(&page, &limits(page.bytes.len() - 1, 10_000, 100)).unwrap();
    let back = image::load_from_memory(&sent).unwrap();
    assert_eq!(
        (back.width(), back.height()),
        (300, 200),
        "no downscaling needed"
    );
    assert_eq!(image::guess_format(&sent).unwrap(), ImageFormat::Jpeg);
}

#[test]
fn an_image_over_the_pixel_limit_is_downscaled_to_it() {
    let page = png(&DynamicImage::ImageLuma8(image::GrayImage::new(3000, 1500)));
    let sent = fit(&page, &limits(SYNC_LIMITS.max_bytes, 2000, 1000)).unwrap();
    let back = image::load_from_memory(&sent).unwrap();
    assert_eq!((back.width(), back.height()), (2000, 1000));
    assert_eq!(image::guess_format(&sent).unwrap(), ImageFormat::Png);
}

#[test]
fn a_page_that_cannot_fit_says_why() {
    let page = png(&noise(300, 200));
    let err = fit(&page, &limits(10_000, 10_000, 250)).unwrap_err();
    assert!(err.contains("300x200 page image is still"), "{err}");
    assert!(err.contains("at most 10000 bytes"), "{err}");
    let garbage = PageImage {
        bytes: b"not an image".to_vec(),
        width: 10,
        height: 10,
        dpi: None,
    };
    let err = fit(&garbage, &SYNC_LIMITS).unwrap_err();
    assert!(err.contains("cannot be decoded"), "{err}");
}

#[test]
fn the_actions_of_every_configuration_are_textract_ones() {
    for f in [vec![], vec![json!({"name": "LAYOUT"})]] {
        for action in iam_actions(&f) {
            assert!(action.starts_with("textract:") && !action.contains('*'));
        }
    }
}

#[test]
fn an_engine_without_region_or_credentials_says_how_to_configure_it() {
    let engine = Textract::from_conf(
        aws_sdk_textract::config::Builder::new()
            .behavior_version(aws_sdk_textract::config::BehaviorVersion::latest()),
    );
    let page = png(&DynamicImage::ImageLuma8(image::GrayImage::new(40, 30)));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = runtime
        .block_on(engine.recognize(&page, 2, &OcrSection::default()))
        .unwrap_err();
    let OcrError::Model(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.error_type(), "idpctl.ModelMisconfigured", "{e}");
    assert!(
        e.to_string().contains("DetectDocumentText for page 2"),
        "{e}"
    );
    assert!(e.hint().unwrap().contains("AWS_REGION"), "{:?}", e.hint());
}

#[test]
fn features_the_engine_cannot_send_are_refused_before_any_call() {
    let engine = Textract::from_default_chain();
    let page = png(&DynamicImage::ImageLuma8(image::GrayImage::new(40, 30)));
    let settings = OcrSection {
        features: vec![json!({"name": "QUERIES"})],
        ..OcrSection::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = runtime
        .block_on(engine.recognize(&page, 1, &settings))
        .unwrap_err();
    let OcrError::Model(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.error_type(), "idpctl.ModelMisconfigured");
    assert!(
        e.hint().unwrap().contains("{name: LAYOUT}"),
        "{:?}",
        e.hint()
    );
}
