//! OCR with a vision model (`pipeline::ocr::vision`) against Bedrock's Converse as the moto
//! launcher fakes it (tests/fixtures/aws/moto_server.py: a page image is answered with its text
//! as Tesseract reads it), called directly, not through the CLI:
//! - the scanned sample page goes as one image block of the size and format the engine chose,
//!   with the configuration's model and prompts; its words are the text the fake read, laid
//!   out line by line; throttled attempts are retried and metered; every logged answer and
//!   error matches botocore's model of Converse;
//! - a call Bedrock refuses fails the page with the model error, not an empty success.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use common::fake_bedrock::FakeBedrock;
use common::ocr_pages::scanned_page;
use idpctl::engines::bedrock::BedrockChat;
use idpctl::engines::policy::{Governed, Retry};
use idpctl::engines::{ChatModel, EngineError, MODEL_TIMEOUT};
use idpctl::model::TextSource;
use idpctl::pipeline::config::sections::OcrSection;
use idpctl::pipeline::ocr::vision::{CONFIDENCE, DEFAULT_TARGET, JPEG_QUALITY, VisionOcr};
use idpctl::pipeline::ocr::{OcrError, read_page};

/// The profile's model; the configuration's `ocr.model_id` wins over it on Bedrock.
const PROFILE_MODEL: &str = "us.amazon.nova-lite-v1:0";
const OCR_MODEL: &str = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";

/// Bedrock through the SDK, as the engine reaches it, with the retry policy of the language
/// stages around it (short back-offs).
fn chat(fake: &FakeBedrock, rt: &tokio::runtime::Runtime) -> Arc<dyn ChatModel> {
    let config = rt.block_on(common::moto::sdk_config(&fake.moto.endpoint));
    let bedrock = Arc::new(BedrockChat::new(&config, MODEL_TIMEOUT));
    let retry = Retry {
        attempts: 4,
        base: Duration::from_millis(5),
        ..Retry::default()
    };
    Arc::new(Governed::new(bedrock, retry, HashMap::new()))
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The letters and digits of `text`, in order: what layout and Markdown handling keep.
fn alphanumerics(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}

#[test]
fn a_scanned_page_is_read_by_the_vision_model_and_the_fake_matches_botocore() {
    // Some calls are throttled: the retry policy absorbs them, and the metering shows it.
    let Some(fake) = FakeBedrock::start(&[("IDPCTL_FAKE_BEDROCK_THROTTLE", "0.5")]) else {
        return;
    };
    let rt = rt();
    let vision = VisionOcr::new(chat(&fake, &rt), PROFILE_MODEL, true);
    // The accelerator's OCR section for a Bedrock backend.
    let settings = OcrSection {
        backend: Some("bedrock".into()),
        model_id: Some(OCR_MODEL.into()),
        system_prompt: Some(
            "You are an expert OCR system. Extract all text from the provided image \
             accurately, preserving layout where possible."
                .into(),
        ),
        task_prompt: Some(
            "Extract all text from this document image. Preserve the layout, including \
             paragraphs, tables, and formatting."
                .into(),
        ),
        ..OcrSection::default()
    };
    let mut page = scanned_page();
    let (width, height) = {
        let image = page.image.as_ref().unwrap();
        (image.width, image.height)
    };
    let metering = rt
        .block_on(read_page(&mut page, &vision, &settings))
        .unwrap();

    // The page's words: what is printed on it, as the model (here Tesseract) read it.
    assert_eq!(page.text_source, TextSource::Ocr);
    assert!(page.words.len() > 100, "{} words", page.words.len());
    for printed in [
        "1099-B",
        "INTEGRATED DATA MANAGEMENT",
        "BROADHOLLOW",
        "13-3249958",
    ] {
        assert!(page.text.contains(printed), "{printed}: {}", page.text);
    }
    for w in &page.words {
        assert!(w.approximate && w.confidence == CONFIDENCE, "{w:?}");
        assert!(w.bbox.left >= 0.0 && w.bbox.right() <= 1.0 && w.bbox.bottom() <= 1.0);
    }

    // One answered call after the throttled ones, to the configuration's model.
    let calls = fake.calls();
    let throttled = calls
        .iter()
        .filter(|c| c["error"] == "ThrottlingException")
        .count();
    assert_eq!(calls.len(), throttled + 1, "{calls:?}");
    let answered = calls.last().unwrap();
    assert_eq!(answered["model"], OCR_MODEL);
    let request = &answered["request"];
    assert_eq!(
        request["system"][0]["text"],
        settings.system_prompt.as_deref().unwrap()
    );
    assert_eq!(request["inferenceConfig"]["temperature"], 0.0);
    assert!(request.get("toolConfig").is_none());
    let content = request["messages"][0]["content"].as_array().unwrap();
    assert_eq!(content.len(), 2, "{content:?}");
    assert_eq!(content[0]["text"], settings.task_prompt.as_deref().unwrap());

    // The image block: the page scaled into the accelerator's default box, aspect kept, in the
    // smaller of PNG and JPEG, within Bedrock's limits.
    let block = &content[1]["image"];
    let format = block["format"].as_str().unwrap();
    let sent = base64::engine::general_purpose::STANDARD
        .decode(block["source"]["bytes"].as_str().unwrap())
        .unwrap();
    let decoded = image::load_from_memory(&sent).unwrap();
    let expected_format = match format {
        "png" => image::ImageFormat::Png,
        "jpeg" => image::ImageFormat::Jpeg,
        other => panic!("format {other}"),
    };
    assert_eq!(image::guess_format(&sent).unwrap(), expected_format);
    let expected_height =
        (f64::from(height) * f64::from(DEFAULT_TARGET.0) / f64::from(width)).round() as u32;
    assert_eq!(
        (decoded.width(), decoded.height()),
        (DEFAULT_TARGET.0, expected_height),
        "a {width}x{height} page"
    );
    assert!(sent.len() <= 3_750_000);
    // The other format, as the engine encodes it, is no smaller.
    let mut other = std::io::Cursor::new(Vec::new());
    match expected_format {
        image::ImageFormat::Png => decoded
            .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut other,
                JPEG_QUALITY,
            ))
            .unwrap(),
        _ => decoded
            .write_to(&mut other, image::ImageFormat::Png)
            .unwrap(),
    }
    let other = other.into_inner();
    assert!(
        sent.len() <= other.len(),
        "{format}: {} bytes, the other {}",
        sent.len(),
        other.len()
    );
    assert_eq!(
        answered["images"][0],
        serde_json::json!({"format": format, "bytes": sent.len(), "width": DEFAULT_TARGET.0,
                           "height": expected_height})
    );

    // The words are the fake's answer, in its order.
    let answer = answered["answer"]["output"]["message"]["content"][0]["text"]
        .as_str()
        .unwrap();
    assert_eq!(alphanumerics(&page.text), alphanumerics(answer));

    // Metered as the accelerator meters a model stage, with the page and the retries.
    let m = &metering[&format!("OCR/bedrock/{OCR_MODEL}")];
    let usage = &answered["answer"]["usage"];
    assert_eq!(m["pages"], 1.0);
    assert_eq!(m["requests"], 1.0);
    assert_eq!(m["inputTokens"], usage["inputTokens"].as_f64().unwrap());
    assert_eq!(m["outputTokens"], usage["outputTokens"].as_f64().unwrap());
    assert_eq!(m["totalTokens"], m["inputTokens"] + m["outputTokens"]);
    assert!(m["inputTokens"] > 1000.0, "the image counts: {m:?}");
    if throttled > 0 {
        assert_eq!(m["retries"], throttled as f64);
    } else {
        assert!(!m.contains_key("retries"));
    }
    assert_eq!(metering.len(), 1, "{metering:?}");

    fake.check_shapes();
}

#[test]
fn a_call_bedrock_refuses_fails_the_page_with_the_model_error() {
    let Some(fake) = FakeBedrock::start(&[("IDPCTL_FAKE_BEDROCK_ERROR", "AccessDeniedException")])
    else {
        return;
    };
    let rt = rt();
    let vision = VisionOcr::new(chat(&fake, &rt), PROFILE_MODEL, true);
    let mut page = scanned_page();
    let err = rt
        .block_on(read_page(&mut page, &vision, &OcrSection::default()))
        .unwrap_err();
    match &err {
        OcrError::Model(e @ EngineError::AccessDenied { backend, model, .. }) => {
            assert_eq!((*backend, model.as_str()), ("bedrock", PROFILE_MODEL));
            assert!(e.hint().unwrap().contains("bedrock:InvokeModel"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert!(page.words.is_empty() && page.text_source != TextSource::Ocr);
    let calls = fake.calls();
    assert_eq!(calls.len(), 1, "not retried: {calls:?}");
    assert_eq!(calls[0]["status"], 403);
    fake.check_shapes();
}
