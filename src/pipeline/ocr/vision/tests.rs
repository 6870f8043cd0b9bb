//! The vision engine with a scripted model: answers → words and lines, image sizing and format,
//! the empty and truncated answers, prompts, model choice and metering (the engine against the
//! fake Bedrock is in `tests/engines_vision_ocr.rs`).

use std::collections::VecDeque;
use std::sync::Mutex;

use image::{GrayImage, Luma, RgbImage};

use super::*;
use crate::engines::ChatResponse;
use crate::model::{PageContent, TextSource};
use crate::pipeline::layout;
use crate::pipeline::ocr::read_page;

/// Answers from a script, recording what it was asked.
struct Scripted {
    backend: &'static str,
    answers: Mutex<VecDeque<(String, Finish, u32)>>,
    asked: Mutex<Vec<ChatRequest>>,
}

impl Scripted {
    fn new(backend: &'static str, answers: &[&str]) -> Arc<Self> {
        Arc::new(Scripted {
            backend,
            answers: Mutex::new(
                answers
                    .iter()
                    .map(|a| (a.to_string(), Finish::Stop, 0))
                    .collect(),
            ),
            asked: Mutex::new(Vec::new()),
        })
    }

    fn with(backend: &'static str, text: &str, finish: Finish, retries: u32) -> Arc<Self> {
        let s = Self::new(backend, &[]);
        s.answers
            .lock()
            .unwrap()
            .push_back((text.into(), finish, retries));
        s
    }

    fn last(&self) -> ChatRequest {
        self.asked
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("a request")
    }
}

#[async_trait]
impl ChatModel for Scripted {
    fn backend(&self) -> &'static str {
        self.backend
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, EngineError> {
        self.asked.lock().unwrap().push(req.clone());
        let (text, finish, retries) = self
            .answers
            .lock()
            .unwrap()
            .pop_front()
            .expect("a scripted answer");
        if finish == Finish::Length && self.backend == "bedrock" {
            // As BedrockChat reports a cut answer.
            return Err(EngineError::Truncated {
                text,
                max_tokens: req.max_tokens,
            });
        }
        Ok(ChatResponse {
            text,
            model: req.model.clone(),
            input_tokens: 1200,
            output_tokens: 80,
            finish,
            millis: 1,
            retries,
        })
    }
}

fn engine(chat: &Arc<Scripted>, config_models: bool) -> VisionOcr {
    VisionOcr::new(chat.clone(), "default-model", config_models)
}

fn png(img: &DynamicImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A white page with a few black bars, like lines of print.
fn page_image(width: u32, height: u32) -> PageImage {
    let mut img = GrayImage::from_pixel(width, height, Luma([255]));
    for line in 0..8 {
        let top = height / 10 * (line + 1);
        for y in top..(top + (height / 80).max(2)).min(height) {
            for x in width / 10..width * 6 / 10 {
                img.put_pixel(x, y, Luma([0]));
            }
        }
    }
    let img = DynamicImage::ImageLuma8(img);
    PageImage {
        bytes: png(&img),
        width,
        height,
        dpi: Some(300),
    }
}

fn blank_image(width: u32, height: u32) -> PageImage {
    let img = DynamicImage::ImageLuma8(GrayImage::from_pixel(width, height, Luma([250])));
    PageImage {
        bytes: png(&img),
        width,
        height,
        dpi: Some(300),
    }
}

/// Colour noise: what no encoder compresses, JPEG least badly.
fn noise(width: u32, height: u32) -> DynamicImage {
    let mut state: u32 = 12345;
    let mut next = move || {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (state >> 16) as u8
    };
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |_, _| {
        image::Rgb([next(), next(), next()])
    }))
}

fn scanned(image: PageImage) -> PageContent {
    PageContent {
        page_number: 3,
        text_source: TextSource::None,
        words: Vec::new(),
        text: String::new(),
        needs_ocr: true,
        einvoice: None,
        image: Some(image),
    }
}

fn sent_image(req: &ChatRequest) -> (String, DynamicImage) {
    let (media_type, bytes) = req
        .user
        .iter()
        .find_map(|p| match p {
            Part::Image { media_type, bytes } => Some((media_type.clone(), bytes.clone())),
            Part::Text(_) => None,
        })
        .expect("an image part");
    (media_type, image::load_from_memory(&bytes).unwrap())
}

const ANSWER: &str = "# 1099-B Proceeds From Broker\n\
\n\
\n\
PAYER'S name: **Integrated Data Management**\n\
| Box | Amount |\n\
|:----|------:|\n\
| 1d Proceeds | $472,525.00 |\n\
| 1e Cost \\| basis | $132,588.00 |\n\
\n\
Federal income tax withheld $0.00\n";

#[tokio::test]
async fn a_multi_line_answer_becomes_lines_of_words_in_order() {
    let chat = Scripted::new("bedrock", &[ANSWER]);
    let mut page = scanned(page_image(850, 1100));
    read_page(&mut page, &engine(&chat, true), &OcrSection::default())
        .await
        .unwrap();
    assert_eq!(page.text_source, TextSource::Ocr);
    assert_eq!(
        page.text,
        "1099-B Proceeds From Broker\n\
         PAYER'S name: Integrated Data Management\n\
         Box\tAmount\n\
         1d Proceeds\t$472,525.00\n\
         1e Cost | basis\t$132,588.00\n\
         Federal income tax withheld $0.00"
    );
    let texts: Vec<&str> = page.words.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(
        &texts[..6],
        ["1099-B", "Proceeds", "From", "Broker", "PAYER'S", "name:"]
    );
    assert_eq!(texts.len(), 24, "{texts:?}");
    for w in &page.words {
        assert!(w.approximate, "{w:?}");
        assert_eq!(w.confidence, CONFIDENCE);
        assert!(w.bbox.left >= 0.0 && w.bbox.right() <= 1.0 && w.bbox.bottom() <= 1.0);
        assert!(w.bbox.width > 0.0 && w.bbox.height > 0.0);
    }
    // Lines top to bottom, words left to right, each blank run kept as one empty row.
    let broker = &page.words[3];
    let payer = &page.words[4];
    assert!(broker.bbox.left > page.words[2].bbox.right());
    assert!((payer.bbox.top - broker.bbox.top - 2.0 / 60.0).abs() < 1e-4);
}

#[test]
fn markdown_is_read_as_layout_and_blank_runs_collapse() {
    assert_eq!(
        lines_of("```\n\n## Title\n#1 in sales\n---\ntext <br> more\n\n\n\nend\n\n```\n"),
        ["Title", "#1 in sales", "text   more", "", "end"]
    );
    assert_eq!(lines_of("| a | | b |\n|---|---|---|"), ["a\tb"]);
    assert_eq!(lines_of("| not a row"), ["| not a row"]);
    assert!(lines_of(" \n```\n```\n").is_empty());
    assert!(words_of("\n\n").is_empty());
}

#[test]
fn a_long_answer_grows_the_grid_and_keeps_spaces_apart_from_columns() {
    let answer: String = (0..150)
        .map(|i| format!("line {i} of the page\tcolumn {i}\n"))
        .collect();
    let words = words_of(&answer);
    assert_eq!(words.len(), 150 * 7);
    assert!(
        words
            .iter()
            .all(|w| w.bbox.bottom() <= 1.0 && w.bbox.right() <= 1.0)
    );
    let ordered = layout::reading_order(words.clone());
    assert_eq!(ordered, words);
    let text = layout::text_of(&words);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 150);
    assert_eq!(lines[42], "line 42 of the page\tcolumn 42");
}

#[tokio::test]
async fn the_image_sent_is_scaled_to_the_targets_with_its_aspect() {
    // Neither target: the accelerator's 951 x 1268 box.
    let chat = Scripted::new("bedrock", &["text"]);
    engine(&chat, true)
        .recognize(&page_image(1275, 1650), 1, &OcrSection::default())
        .await
        .unwrap();
    let (media_type, sent) = sent_image(&chat.last());
    assert_eq!((sent.width(), sent.height()), (951, 1231));
    assert!(["image/png", "image/jpeg"].contains(&media_type.as_str()));

    let sized = |w, h, dpi: Option<u32>| ImageSettings {
        target_width: w,
        target_height: h,
        dpi,
        preprocessing: None,
    };
    // A letter page's proportions, rendered at 300 dpi (the sizes alone: decoding and
    // resampling a page is slow in a debug build).
    let letter = |settings: &ImageSettings| target_size((2550, 3300), Some(300), settings, 8_000);
    assert_eq!(letter(&sized(None, None, None)), (951, 1231));
    assert_eq!(letter(&sized(Some(500), None, None)), (500, 647));
    assert_eq!(letter(&sized(None, Some(660), None)), (510, 660));
    assert_eq!(letter(&sized(Some(800), Some(800), None)), (618, 800));
    // The configured dpi when the page was rendered finer, then the targets.
    assert_eq!(
        letter(&sized(Some(5000), Some(5000), Some(150))),
        (1275, 1650)
    );
    assert_eq!(
        letter(&sized(Some(5000), Some(5000), Some(600))),
        (2550, 3300)
    );
    let image = page_image(1275, 1650);
    let p = prepare(&image, &sized(Some(500), None, None), &LIMITS).unwrap();
    assert_eq!((p.width, p.height), (500, 647));
    assert_eq!(
        image::load_from_memory(&p.bytes).unwrap().width(),
        500,
        "the bytes are the size said"
    );
    assert!(!p.blank);
    // Never up: a small page goes as it is, its own bytes when they are the smallest.
    let small = page_image(400, 300);
    let p = prepare(&small, &sized(Some(951), Some(1268), None), &LIMITS).unwrap();
    assert_eq!((p.width, p.height), (400, 300));
    assert_eq!((p.media_type, &p.bytes), ("image/png", &small.bytes));
    // Bedrock's 8,000 pixels a side.
    assert_eq!(
        target_size(
            (10_000, 200),
            None,
            &sized(Some(20_000), Some(20_000), None),
            8_000
        ),
        (8_000, 160)
    );
}

#[test]
fn png_or_jpeg_whichever_is_smaller() {
    // Print on paper: PNG.
    let flat = page_image(900, 1100);
    let p = prepare(&flat, &ImageSettings::default(), &LIMITS).unwrap();
    assert_eq!(p.media_type, "image/png");
    // A photograph's noise: JPEG.
    let noisy = noise(600, 800);
    let image = PageImage {
        bytes: png(&noisy),
        width: 600,
        height: 800,
        dpi: None,
    };
    let p = prepare(&image, &ImageSettings::default(), &LIMITS).unwrap();
    assert_eq!(p.media_type, "image/jpeg");
    assert!(p.bytes.len() < image.bytes.len());
    assert_eq!(
        image::guess_format(&p.bytes).unwrap(),
        ImageFormat::Jpeg,
        "the bytes are what the media type says"
    );
}

#[test]
fn an_image_over_the_byte_limit_is_shrunk_or_refused() {
    let noisy = noise(900, 900);
    let image = PageImage {
        bytes: png(&noisy),
        width: 900,
        height: 900,
        dpi: None,
    };
    let tight = Limits {
        max_bytes: 60_000,
        max_side: 8_000,
        min_side: 100,
    };
    let p = prepare(&image, &ImageSettings::default(), &tight).unwrap();
    assert!(p.bytes.len() <= tight.max_bytes, "{}", p.bytes.len());
    assert!(
        p.width < 900 && p.width == p.height,
        "{}x{}",
        p.width,
        p.height
    );
    assert_eq!(p.media_type, "image/jpeg");

    let err = prepare(
        &image,
        &ImageSettings::default(),
        &Limits {
            min_side: 850,
            ..tight
        },
    )
    .unwrap_err();
    assert!(err.contains("at most 60000 bytes"), "{err}");

    let broken = PageImage {
        bytes: b"not an image".to_vec(),
        width: 10,
        height: 10,
        dpi: None,
    };
    let err = prepare(&broken, &ImageSettings::default(), &LIMITS).unwrap_err();
    assert!(err.contains("cannot be decoded"), "{err}");
}

#[tokio::test]
async fn an_empty_answer_fails_a_page_with_print_but_not_a_blank_one() {
    let chat = Scripted::new("openai", &["  \n```\n```\n"]);
    let err = engine(&chat, false)
        .recognize(&page_image(850, 1100), 7, &OcrSection::default())
        .await
        .unwrap_err();
    match &err {
        OcrError::Failed {
            engine,
            page,
            reason,
        } => {
            assert_eq!((engine.as_str(), *page), ("openai", 7));
            assert!(reason.contains("the model returned no text"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("OCR engine `openai` failed on page 7: the model returned no text")
    );

    // A blank page has no text to return.
    let chat = Scripted::new("openai", &[""]);
    let read = engine(&chat, false)
        .recognize(&blank_image(850, 1100), 8, &OcrSection::default())
        .await
        .unwrap();
    assert!(read.words.is_empty());
    assert_eq!(read.metering["OCR/openai/default-model"]["pages"], 1.0);
}

#[tokio::test]
async fn a_truncated_answer_is_the_models_error() {
    for backend in ["bedrock", "openai"] {
        let chat = Scripted::with(backend, "1099-B Proceeds", Finish::Length, 0);
        let err = engine(&chat, true)
            .recognize(&page_image(850, 1100), 1, &OcrSection::default())
            .await
            .unwrap_err();
        match err {
            OcrError::Model(EngineError::Truncated { max_tokens, .. }) => {
                assert_eq!(max_tokens, Some(MAX_TOKENS));
            }
            other => panic!("{backend}: {other:?}"),
        }
    }
    let chat = Scripted::with("openai", "x", Finish::Other("content_filter".into()), 0);
    let err = engine(&chat, false)
        .recognize(&page_image(850, 1100), 1, &OcrSection::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, OcrError::Model(EngineError::InvalidAnswer { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn metering_names_the_backend_and_model_with_pages_and_tokens() {
    let chat = Scripted::with("bedrock", "Hello page", Finish::Stop, 2);
    let settings = OcrSection {
        model_id: Some("us.amazon.nova-pro-v1:0".into()),
        ..OcrSection::default()
    };
    let read = engine(&chat, true)
        .recognize(&page_image(850, 1100), 1, &settings)
        .await
        .unwrap();
    let key = "OCR/bedrock/us.amazon.nova-pro-v1:0";
    assert_eq!(read.metering.len(), 1, "{:?}", read.metering);
    let m = &read.metering[key];
    assert_eq!(m["pages"], 1.0);
    assert_eq!(m["inputTokens"], 1200.0);
    assert_eq!(m["outputTokens"], 80.0);
    assert_eq!(m["totalTokens"], 1280.0);
    assert_eq!(m["requests"], 1.0);
    assert_eq!(m["retries"], 2.0);

    let chat = Scripted::new("openai", &["Hello page"]);
    let read = engine(&chat, false)
        .recognize(&page_image(850, 1100), 1, &OcrSection::default())
        .await
        .unwrap();
    assert!(!read.metering["OCR/openai/default-model"].contains_key("retries"));
}

#[tokio::test]
async fn ocr_model_id_is_used_on_bedrock_and_ignored_on_openai() {
    let settings = OcrSection {
        model_id: Some(" us.anthropic.claude-3-7-sonnet-20250219-v1:0 ".into()),
        ..OcrSection::default()
    };
    let bedrock = Scripted::new("bedrock", &["a"]);
    let vision = engine(&bedrock, true);
    assert_eq!(vision.name(), "bedrock");
    vision
        .recognize(&page_image(400, 500), 1, &settings)
        .await
        .unwrap();
    assert_eq!(
        bedrock.last().model,
        "us.anthropic.claude-3-7-sonnet-20250219-v1:0"
    );

    let openai = Scripted::new("openai", &["a"]);
    let vision = engine(&openai, false);
    assert_eq!(vision.name(), "openai");
    vision
        .recognize(&page_image(400, 500), 1, &settings)
        .await
        .unwrap();
    assert_eq!(openai.last().model, "default-model");

    // No model in the configuration: the default, on either backend.
    let blank = OcrSection {
        model_id: Some("".into()),
        ..OcrSection::default()
    };
    assert_eq!(engine(&bedrock, true).model_for(&blank), "default-model");

    // The engine a profile sets up for the stage: a pinned model wins over `ocr.model_id`.
    let profile = |pinned| {
        VisionOcr::from_engine(Arc::new(LlmEngine {
            chat: bedrock.clone(),
            model: "profile-model".into(),
            config_models: true,
            pinned,
        }))
    };
    assert_eq!(
        profile(false).model_for(&settings),
        settings.model_id.as_deref().unwrap().trim()
    );
    assert_eq!(profile(true).model_for(&settings), "profile-model");
    assert_eq!(
        profile(false).model_for(&OcrSection::default()),
        "profile-model"
    );
}

#[tokio::test]
async fn the_configured_prompts_or_the_defaults_go_with_the_image_at_temperature_0() {
    let chat = Scripted::new("bedrock", &["a", "b"]);
    let vision = engine(&chat, true);
    vision
        .recognize(&page_image(400, 500), 1, &OcrSection::default())
        .await
        .unwrap();
    let req = chat.last();
    assert_eq!(req.system.as_deref(), Some(DEFAULT_SYSTEM_PROMPT));
    assert_eq!(req.temperature, 0.0);
    assert_eq!(req.max_tokens, Some(MAX_TOKENS));
    assert!(req.schema.is_none() && req.top_k.is_none());
    match req.user.as_slice() {
        [Part::Text(task), Part::Image { .. }] => assert_eq!(task, DEFAULT_TASK_PROMPT),
        other => panic!("{other:?}"),
    }

    // The accelerator's own OCR prompts.
    let settings = OcrSection {
        system_prompt: Some("You are an expert OCR system.".into()),
        task_prompt: Some("Extract all text from this document image.".into()),
        ..OcrSection::default()
    };
    vision
        .recognize(&page_image(400, 500), 1, &settings)
        .await
        .unwrap();
    let req = chat.last();
    assert_eq!(req.system.as_deref(), Some("You are an expert OCR system."));
    assert!(
        matches!(&req.user[0], Part::Text(t) if t == "Extract all text from this document image.")
    );
}
