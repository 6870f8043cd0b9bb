//! The `textract` OCR engine against the Textract fake of `tests/fixtures/aws/moto_server.py`
//! (moto, with DetectDocumentText and AnalyzeDocument answered by running Tesseract on the
//! image):
//! - the fake's answers, throttling included, match botocore's service model;
//! - the engine reads the words of a scanned page and meters the API it called;
//! - `idpctl process` with `IDPCTL_ENGINE_OCR=textract` completes a scanned document, with a
//!   throttled call retried and visible in the metering of `result.json` and `summary.json`;
//! - a page throttled on every call fails its document with the reason, after the retries;
//! - with IAM enforced, a principal without textract:DetectDocumentText fails the document with
//!   the access-denied reason and its hint, and one with it reads the page (and only that).
//!
//! Each test starts its own server (the fake's throttling counts calls per server) and runs its
//! steps in order; OCR of a whole page is done twice in all, a band of it elsewhere.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use common::moto::Moto;
use common::ocr_pages::{SCAN, scanned_page};
use common::{command, root, run_cmd};
use idpctl::engines::EngineError;
use idpctl::pipeline::config::sections::OcrSection;
use idpctl::pipeline::ocr::textract::Textract;
use idpctl::pipeline::ocr::{OcrError, read_page};
use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/aws")
}

/// A moto server with the fake's controls, and the file its calls are logged to.
fn fake(throttle: &str, extra: &[(&str, &str)]) -> Option<(Moto, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("textract.jsonl");
    let mut env = vec![
        ("IDPCTL_FAKE_TEXTRACT_THROTTLE", throttle),
        ("IDPCTL_FAKE_TEXTRACT_LOG", log.to_str().unwrap()),
    ];
    env.extend_from_slice(extra);
    Some((Moto::start_with(&env)?, dir))
}

fn calls(dir: &tempfile::TempDir) -> Vec<Value> {
    std::fs::read_to_string(dir.path().join("textract.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn codes(dir: &tempfile::TempDir) -> Vec<String> {
    calls(dir)
        .iter()
        .map(|c| c["code"].as_str().unwrap_or("OK").to_string())
        .collect()
}

/// A band across the top of the scanned form (its title and the payer's block): a quick read
/// for the checks that need an answer, not a whole page.
fn top_of_page() -> idpctl::model::PageContent {
    static TOP: OnceLock<idpctl::model::PageContent> = OnceLock::new();
    TOP.get_or_init(|| {
        let mut page = scanned_page();
        let image = page.image.as_mut().unwrap();
        let full = image::load_from_memory(&image.bytes).unwrap();
        let top = full.crop_imm(0, full.height() / 5, full.width(), full.height() / 4);
        let mut png = std::io::Cursor::new(Vec::new());
        top.write_to(&mut png, image::ImageFormat::Png).unwrap();
        (image.bytes, image.width, image.height) = (png.into_inner(), top.width(), top.height());
        page
    })
    .clone()
}

fn engine(endpoint: &str, keys: (&str, &str), attempts: u32) -> Textract {
    let config = rt().block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_textract::config::Credentials::new(
                keys.0, keys.1, None, None, "test",
            ))
            .retry_config(
                aws_config::retry::RetryConfig::standard()
                    .with_max_attempts(attempts)
                    .with_initial_backoff(Duration::from_millis(20)),
            )
            .load(),
    );
    Textract::from_conf(aws_sdk_textract::config::Builder::from(&config))
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn python(moto: &Moto, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = std::process::Command::new(&moto.python)
        .args(args)
        .envs(env.iter().copied())
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .expect("run python");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `check_fake_textract.py` (every answer checked against botocore's model) with the top
/// of the scan as the image.
fn check_fake(moto: &Moto, dir: &tempfile::TempDir, keys: (&str, &str)) -> (i32, String, String) {
    let png = dir.path().join("top.png");
    std::fs::write(&png, &top_of_page().image.unwrap().bytes).unwrap();
    let script = fixtures().join("check_fake_textract.py");
    python(
        moto,
        &[
            script.to_str().unwrap(),
            &moto.endpoint,
            png.to_str().unwrap(),
        ],
        &[
            ("AWS_ACCESS_KEY_ID", keys.0),
            ("AWS_SECRET_ACCESS_KEY", keys.1),
        ],
    )
}

#[test]
fn the_engine_reads_a_scan_meters_the_api_and_the_fake_matches_botocores_model() {
    // Every other call is throttled: the SDK's retry absorbs it, and the metering shows it.
    let Some((moto, dir)) = fake("0.5", &[]) else {
        return;
    };
    let textract = engine(&moto.endpoint, ("testing", "testing"), 3);
    let rt = rt();

    let mut page = scanned_page();
    let metering = rt
        .block_on(read_page(&mut page, &textract, &OcrSection::default()))
        .unwrap();
    assert_eq!(
        json!(metering),
        json!({"OCR/textract/detect_document_text": {"pages": 1.0, "retries": 1.0}})
    );
    assert!(page.words.len() > 150, "{} words", page.words.len());
    for printed in ["INTEGRATED DATA MANAGEMENT", "$472,525.00", "BROADHOLLOW"] {
        assert!(page.text.contains(printed), "{printed}: {}", page.text);
    }
    for w in &page.words {
        assert!((0.0..=1.0).contains(&w.confidence), "{w:?}");
        assert!(w.bbox.right() <= 1.0 && w.bbox.bottom() <= 1.0 && w.bbox.width > 0.0);
    }
    assert!(page.mean_confidence().unwrap() > 0.6);

    // With features: AnalyzeDocument, with those feature types, metered as the accelerator does
    // (on a band of the page, to be quick).
    let mut page = top_of_page();
    let settings = OcrSection {
        features: vec![json!({"name": "LAYOUT"}), json!({"name": "TABLES"})],
        ..OcrSection::default()
    };
    let metering = rt
        .block_on(read_page(&mut page, &textract, &settings))
        .unwrap();
    assert!(
        metering.contains_key("OCR/textract/analyze_document-Layout+Tables"),
        "{metering:?}"
    );
    common::assert_contains(&page.text, "BROADHOLLOW");
    let log = calls(&dir);
    let sent: Vec<(&str, &str)> = log
        .iter()
        .map(|c| {
            (
                c["operation"].as_str().unwrap(),
                c["code"].as_str().unwrap_or("OK"),
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            ("DetectDocumentText", "ThrottlingException"),
            ("DetectDocumentText", "OK"),
            ("AnalyzeDocument", "ThrottlingException"),
            ("AnalyzeDocument", "OK"),
        ]
    );
    assert_eq!(log[3]["features"], json!(["LAYOUT", "TABLES"]));

    // What the fake answered, throttling and refusals included, is what botocore's model says.
    let checker = fixtures().join("botocore_shapes.py");
    let (code, out, err) = python(&moto, &[checker.to_str().unwrap(), "self-test"], &[]);
    assert_eq!(code, 0, "the checker fails its own test:\n{out}{err}");
    let (code, out, err) = check_fake(&moto, &dir, ("testing", "testing"));
    assert_eq!(code, 0, "answers off the model:\n{out}{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let answers = report["answers"].as_array().unwrap();
    let seen: Vec<(&str, u64)> = answers
        .iter()
        .map(|a| {
            (
                a["code"].as_str().unwrap_or("OK"),
                a["status"].as_u64().unwrap(),
            )
        })
        .collect();
    for expected in [
        ("ThrottlingException", 500),
        ("OK", 200),
        ("InvalidParameterException", 400),
        ("UnsupportedDocumentException", 400),
    ] {
        assert!(seen.contains(&expected), "{expected:?} not in {seen:?}");
    }
    let analyzed = answers
        .iter()
        .find(|a| a["operation"] == "AnalyzeDocument" && a["status"] == 200)
        .unwrap();
    assert_eq!(
        analyzed["blocks"],
        json!(["LAYOUT_TEXT", "LINE", "PAGE", "WORD"])
    );
}

/// `idpctl process` of the scan on a fresh local stack with the textract engine; the run, the
/// document's result and the summary.
fn process(
    state: &Path,
    endpoint: &str,
    keys: (&str, &str),
    extra: &[(&str, &str)],
) -> (common::Run, Value, Value) {
    let out = state.join("out");
    let mut cmd = command();
    cmd.env("IDPCTL_STATE_DIR", state.join("stack"))
        .env("IDPCTL_ENGINE_OCR", "textract")
        .env("AWS_ENDPOINT_URL_TEXTRACT", endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", keys.0)
        .env("AWS_SECRET_ACCESS_KEY", keys.1)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/idpctl-test/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/idpctl-test/credentials",
        )
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_PROFILE")
        // The whole built-in library: the page must be told from the rest of the 1099 family
        // (which shares its payer and recipient fields) by its own title, which this reading
        // prints as a stack of short lines ("Proceeds / From Broker / and Barter / Exchange /
        // Transactions") that the classifier joins.
        .env_remove("IDPCTL_CLASSES")
        .env_remove("IDPCTL_CLASSES_MODE")
        .envs(extra.iter().copied())
        .args(["--profile", "local", "process", SCAN, "--out"])
        .arg(&out);
    let run = run_cmd(cmd);
    let read = |p: PathBuf| {
        std::fs::read(p)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null)
    };
    let result = read(out.join("1099B.pdf/result.json"));
    let summary = read(out.join("summary.json"));
    (run, result, summary)
}

#[test]
fn process_with_textract_completes_a_scan_with_a_throttled_call_retried_and_metered() {
    // Every other call is throttled: the first attempt of the page is, the SDK's retry is not.
    let Some((moto, dir)) = fake("0.5", &[]) else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    let (run, result, summary) = process(state.path(), &moto.endpoint, ("testing", "testing"), &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(result["status"], "COMPLETED", "{result:#}");
    assert_eq!(result["num_ocr_pages"], 1);
    assert_eq!(result["pages"]["1"]["text_source"], "ocr");
    // The words Textract (here: the fake) read are the ones the stages used.
    assert_eq!(
        result["sections"][0]["classification"], "1099-B",
        "{:#}",
        result["pages"]
    );
    assert_eq!(
        result["sections"][0]["attributes"]["PayerInformation"]["payers_name"],
        "INTEGRATED DATA MANAGEMENT SYSTEMS, INC"
    );
    let metered = json!({"pages": 1.0, "retries": 1.0});
    assert_eq!(
        result["metering"]["OCR/textract/detect_document_text"], metered,
        "{:#}",
        result["metering"]
    );
    assert!(
        !result["metering"]
            .as_object()
            .unwrap()
            .contains_key("OCR/tesseract")
    );
    assert_eq!(
        summary["metering"]["OCR/textract/detect_document_text"],
        metered
    );
    assert_eq!(
        summary["documents"][0]["metering"]["OCR/textract/detect_document_text"],
        metered
    );
    assert_eq!(codes(&dir), ["ThrottlingException", "OK"]);
}

/// The stack's templates, with the state machine's model back-off shortened (5 s, 8 attempts
/// → 1 s, 2 attempts) so a page throttled on every call gives up within seconds.
fn quick_retry_templates(into: &Path) -> PathBuf {
    let dir = into.join("assets");
    for sub in ["templates", "stacks"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        for entry in std::fs::read_dir(root().join(sub)).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), dir.join(sub).join(entry.file_name())).unwrap();
            }
        }
    }
    let asl = dir.join("templates/statemachine.asl.json.hbs");
    let text = std::fs::read_to_string(&asl).unwrap();
    let from = "\"idpctl.ModelTimeout\"\n          ],\n          \"IntervalSeconds\": 5,\n          \"MaxAttempts\": 8,";
    let to = "\"idpctl.ModelTimeout\"\n          ],\n          \"IntervalSeconds\": 1,\n          \"MaxAttempts\": 2,";
    assert!(
        text.contains(from),
        "the model retry of the state machine changed"
    );
    std::fs::write(&asl, text.replace(from, to)).unwrap();
    dir
}

#[test]
fn throttled_on_every_call_the_page_fails_its_document_after_the_retries() {
    let Some((moto, dir)) = fake("1", &[]) else {
        return;
    };
    // The engine: the SDK's attempts, then a retryable model error naming the page.
    let mut page = top_of_page();
    let err = rt()
        .block_on(read_page(
            &mut page,
            &engine(&moto.endpoint, ("testing", "testing"), 3),
            &OcrSection::default(),
        ))
        .unwrap_err();
    let OcrError::Model(e) = &err else {
        panic!("{err:?}")
    };
    assert!(matches!(e, EngineError::Throttled { .. }), "{e:?}");
    assert_eq!(e.error_type(), "idpctl.ModelThrottled");
    assert!(e.retryable());
    assert!(
        e.to_string().starts_with(
            "textract throttled the request to `DetectDocumentText`: page 1: \
             ThrottlingException: Rate exceeded (HTTP 500), 3 attempts"
        ),
        "{e}"
    );
    assert_eq!(
        codes(&dir),
        ["ThrottlingException"; 3],
        "the SDK's 3 attempts"
    );
    assert!(page.words.is_empty() && page.needs_ocr);

    // The stack: the state machine retries the page's task, then the document fails with the
    // reason and what to do.
    let state = tempfile::tempdir().unwrap();
    let assets = quick_retry_templates(state.path());
    let (run, result, _) = process(
        state.path(),
        &moto.endpoint,
        ("testing", "testing"),
        &[
            ("IDPCTL_TEMPLATES_DIR", assets.to_str().unwrap()),
            // One attempt per invocation (no SDK retries) and no page re-dispatch: what is
            // counted is the state machine's Retry.
            ("AWS_MAX_ATTEMPTS", "1"),
            ("IDPCTL_PAGE_RETRIES", "0"),
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(result["status"], "FAILED", "{result:#}");
    let reason = result["failure_reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains(
            "textract throttled the request to `DetectDocumentText`: page 1: \
             ThrottlingException: Rate exceeded"
        ),
        "{reason}"
    );
    assert!(
        reason.contains("hint: the state machine retries"),
        "{reason}"
    );
    assert_eq!(
        codes(&dir)[3..],
        ["ThrottlingException"; 3],
        "the first call and the state machine's 2 retries"
    );
}

/// Two IAM users: one allowed only s3:GetObject, one allowed textract:DetectDocumentText.
const USERS: &str = r#"
import json, sys
sys.path.insert(0, sys.argv[2])
import moto_iam
endpoint = sys.argv[1]
moto_iam.unchecked_requests(endpoint, "inf")
iam = moto_iam.client("iam", endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")
keys = {}
for name, action in (("no-textract", "s3:GetObject"), ("textract-reader", "textract:DetectDocumentText")):
    iam.create_user(UserName=name)
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}
    iam.put_user_policy(UserName=name, PolicyName="only", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    keys[name] = [key["AccessKeyId"], key["SecretAccessKey"]]
moto_iam.unchecked_requests(endpoint, 0)
print(json.dumps(keys))
"#;

#[test]
fn with_iam_enforced_only_a_principal_allowed_textract_reads_the_scan() {
    let Some((moto, dir)) = fake("0", &[("INITIAL_NO_AUTH_ACTION_COUNT", "0")]) else {
        return;
    };
    let (code, out, err) = python(
        &moto,
        &["-c", USERS, &moto.endpoint, fixtures().to_str().unwrap()],
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    let keys: Value = serde_json::from_str(&out).unwrap();
    let key = |user: &str| {
        (
            keys[user][0].as_str().unwrap().to_string(),
            keys[user][1].as_str().unwrap().to_string(),
        )
    };

    let denied = key("no-textract");
    let state = tempfile::tempdir().unwrap();
    let (run, result, _) = process(state.path(), &moto.endpoint, (&denied.0, &denied.1), &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(result["status"], "FAILED", "{result:#}");
    let reason = result["failure_reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains(
            "textract denied access to `DetectDocumentText`: page 1: AccessDeniedException"
        ),
        "{reason}"
    );
    assert!(
        reason.contains("is not authorized to perform: textract:DetectDocumentText"),
        "{reason}"
    );
    assert!(
        reason.contains("hint: grant the function's role the textract:"),
        "{reason}"
    );
    // IAM refused before Textract (the fake) read anything.
    assert!(calls(&dir).is_empty(), "denied before the fake ran");
    // The denial is in the JSON protocol's shape of the model too.
    let (code, out, err) = check_fake(&moto, &dir, (&denied.0, &denied.1));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("\"AccessDeniedException\""), "{out}");

    // A principal allowed textract:DetectDocumentText reads the page (the top of it, to be quick).
    let allowed = key("textract-reader");
    let mut page = top_of_page();
    let metering = rt()
        .block_on(read_page(
            &mut page,
            &engine(&moto.endpoint, (&allowed.0, &allowed.1), 1),
            &OcrSection::default(),
        ))
        .unwrap();
    assert_eq!(metering["OCR/textract/detect_document_text"]["pages"], 1.0);
    common::assert_contains(&page.text, "BROADHOLLOW");
    // It may not call what it was not granted.
    let mut page = top_of_page();
    let settings = OcrSection {
        features: vec![json!({"name": "LAYOUT"})],
        ..OcrSection::default()
    };
    let err = rt()
        .block_on(read_page(
            &mut page,
            &engine(&moto.endpoint, (&allowed.0, &allowed.1), 1),
            &settings,
        ))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("textract denied access to `AnalyzeDocument`"),
        "{err}"
    );
}

/// The state machine's Retry of the page tasks: a throttled, unavailable or timed-out model
/// call is retried with the long back-off, any other model error not at all (retrying does not
/// grant access), and other task failures as before.
#[test]
fn the_ocr_tasks_retry_backs_off_on_retryable_model_errors_only() {
    let out = tempfile::tempdir().unwrap();
    let run = common::idpctl(&[
        "--profile",
        "local",
        "render",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let asl: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("statemachine.asl.json")).unwrap())
            .unwrap();
    let map = &asl["States"]["ProcessDocuments"]["ItemProcessor"]["States"];
    for (map_state, task) in [("OcrPages", "Ocr"), ("RetryPages", "OcrAgain")] {
        let retry = map[map_state]["ItemProcessor"]["States"][task]["Retry"]
            .as_array()
            .unwrap();
        // The first retrier naming the error (or a wildcard that covers it) decides.
        let attempts = |error: &str| {
            retry
                .iter()
                .find(|r| {
                    r["ErrorEquals"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|e| e == error || e == "States.TaskFailed" || e == "States.ALL")
                })
                .map(|r| {
                    (
                        r["MaxAttempts"].as_u64().unwrap_or(3),
                        r["IntervalSeconds"].as_u64().unwrap_or(1),
                    )
                })
        };
        for retried in [
            "idpctl.ModelThrottled",
            "idpctl.ModelUnavailable",
            "idpctl.ModelTimeout",
        ] {
            assert_eq!(attempts(retried), Some((8, 5)), "{task}: {retried}");
        }
        for refused in [
            "idpctl.ModelAccessDenied",
            "idpctl.ModelNotFound",
            "idpctl.ModelInputTooLarge",
            "idpctl.ModelBadRequest",
            "idpctl.ModelMisconfigured",
        ] {
            assert_eq!(attempts(refused).map(|a| a.0), Some(0), "{task}: {refused}");
        }
        assert_eq!(attempts("idpctl.DocumentFailed"), Some((2, 5)), "{task}");
    }
}
