//! The `openai` model engine in the local stack, through the real binary, against a scripted
//! OpenAI-compatible server: classification, extraction, assessment and the summary come from
//! the model's answers (extraction checked against the page, everything metered in tokens per
//! stage), a class the configuration does not have fails the document with the model's text, a
//! throttled call is retried and the document completes, and a refused key fails the document
//! with the reason and its fix.

mod common;

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use common::{command, root, run_cmd};
use serde_json::{Value, json};

/// A chat-completions server that answers each request with what `respond` says, and keeps
/// the requests it got.
struct Fake {
    url: String,
    requests: Arc<Mutex<Vec<Value>>>,
}

impl Fake {
    /// The requests one stage made (see [`stage`]), in the order they came.
    fn requests_of(&self, stage_name: &str) -> Vec<Value> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| stage(r) == stage_name)
            .cloned()
            .collect()
    }
}

type Respond = Box<dyn FnMut(&Value) -> (u16, Value) + Send>;

/// The stage a request comes from, by the answer format it asks for.
fn stage(request: &Value) -> &'static str {
    match request
        .pointer("/response_format/json_schema/name")
        .and_then(Value::as_str)
    {
        Some("page_classification" | "document_segments") => "classification",
        Some("assessment") => "assessment",
        Some(_) => "extraction",
        None => "summarization",
    }
}

/// The user turn of a request, as text.
fn prompt(request: &Value) -> String {
    request["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["role"] == "user")
        .map(|m| match &m["content"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

/// The page a page-level classification request asks about.
fn page_asked(request: &Value) -> u32 {
    let text = prompt(request);
    text.lines()
        .filter_map(|l| l.strip_prefix("--- page "))
        .find(|l| l.ends_with("(the page to classify) ---") || !l.contains('('))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("a page marker")
}

/// Answers each stage from its own script, in order; a stage's last answer repeats (every
/// page of a document is classified by its own request).
fn by_stage(scripts: Vec<(&'static str, Vec<(u16, Value)>)>) -> Respond {
    let mut scripts: HashMap<&str, VecDeque<(u16, Value)>> = scripts
        .into_iter()
        .map(|(stage, answers)| (stage, answers.into()))
        .collect();
    Box::new(move |request| match scripts.get_mut(stage(request)) {
        Some(answers) if answers.len() > 1 => answers.pop_front().unwrap(),
        Some(answers) if !answers.is_empty() => answers[0].clone(),
        _ => (500, json!({"error": {"message": "script ran out"}})),
    })
}

/// One answer per request, in order, whatever the stage.
fn in_order(script: Vec<(u16, Value)>) -> Respond {
    let mut script = script.into_iter();
    Box::new(move |_| {
        script
            .next()
            .unwrap_or((500, json!({"error": {"message": "script ran out"}})))
    })
}

fn serve(mut respond: Respond) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let (status, answer) = respond(&request);
            seen.lock().unwrap().push(request);
            let text = answer.to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    Fake { url, requests }
}

fn completion(content: &Value) -> Value {
    json!({
        "id": "x", "object": "chat.completion", "model": "fake-model",
        "choices": [{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": content.to_string()}}],
        "usage": {"prompt_tokens": 321, "completion_tokens": 45, "total_tokens": 366}
    })
}

fn completion_text(text: &str) -> Value {
    let mut c = completion(&Value::Null);
    c["choices"][0]["message"]["content"] = Value::String(text.to_string());
    c
}

fn process(state: &Path, fake: &Fake, file: &str) -> (common::Run, Value) {
    process_with(state, fake, file, &[])
}

/// `process` with the credit union's class, then `extra` class configs, as the only classes.
fn process_with(state: &Path, fake: &Fake, file: &str, extra: &[&Path]) -> (common::Run, Value) {
    let out = state.join("out");
    let mut cmd = command();
    cmd.env("IDPCTL_STATE_DIR", state)
        .env("IDPCTL_ENGINE_LLM", "openai")
        .env("IDPCTL_OPENAI_BASE_URL", &fake.url)
        .env("IDPCTL_OPENAI_MODEL", "fake-model")
        .env("IDPCTL_OPENAI_API_KEY", "sk-test")
        .args(["--classes", "tests/fixtures/classes/credit-union.yaml"]);
    for file in extra {
        cmd.arg("--classes").arg(file);
    }
    cmd.args([
        "--classes-mode",
        "replace",
        "process",
        file,
        "--out",
        out.to_str().unwrap(),
    ]);
    let run = run_cmd(cmd);
    let name = Path::new(file).file_name().unwrap().to_str().unwrap();
    let result = std::fs::read(out.join(name).join("result.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    (run, result)
}

fn bank_statement() -> String {
    root()
        .join("samples/text/bank-statement-multipage.pdf")
        .display()
        .to_string()
}

/// A one-page text document, for tests that count requests.
fn one_page(dir: &Path) -> String {
    let path = dir.join("statement.txt");
    std::fs::write(
        &path,
        "Credit Union\nConsolidated Statement\nFor ALEJANDRO ROSALEZ\n",
    )
    .unwrap();
    path.display().to_string()
}

fn credit_union_page() -> (u16, Value) {
    (
        200,
        completion(&json!({"class": "Credit-Union-Statement", "document_boundary": "continue"})),
    )
}

fn assessed(fields: &[(&str, f64, &str)]) -> (u16, Value) {
    let answer: serde_json::Map<String, Value> = fields
        .iter()
        .map(|(k, c, r)| {
            (
                k.to_string(),
                json!({"confidence": c, "confidence_reason": r}),
            )
        })
        .collect();
    (200, completion(&Value::Object(answer)))
}

/// A class config with no classes that turns the model's assessment off.
fn assessment_off(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("assessment-off.yaml");
    std::fs::write(&path, "classes: []\nassessment:\n  enabled: false\n").unwrap();
    path
}

#[test]
fn extraction_comes_from_the_model_checked_and_metered() {
    let state = tempfile::tempdir().unwrap();
    let configs = tempfile::tempdir().unwrap();
    // Without the model's assessment, the extraction's own check of each value shows.
    let off = assessment_off(configs.path());
    let fake = serve(by_stage(vec![
        ("classification", vec![credit_union_page()]),
        (
            "extraction",
            vec![(
                200,
                completion(
                    &json!({"member_name": "ALEJANDRO ROSALEZ", "statement_date": "2031-02-30"}),
                ),
            )],
        ),
        (
            "summarization",
            vec![(
                200,
                completion_text("A credit union statement for Alejandro Rosalez."),
            )],
        ),
    ]));
    let (run, result) = process_with(state.path(), &fake, &bank_statement(), &[&off]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let section = &result["sections"][0];
    assert_eq!(section["classification"], "Credit-Union-Statement");
    assert_eq!(section["attributes"]["member_name"], "ALEJANDRO ROSALEZ");
    let fields = &section["fields"];
    let confidence = |k: &str| fields[k]["confidence"].as_f64().unwrap();
    assert!((confidence("member_name") - 0.9).abs() < 1e-6, "{fields:#}");
    assert!(
        fields["member_name"]["confidence_reason"]
            .as_str()
            .unwrap()
            .contains("printed on page 1"),
        "{fields:#}"
    );
    // A value the pages do not show is kept for review, not trusted.
    assert!(
        (confidence("statement_date") - 0.5).abs() < 1e-6,
        "{fields:#}"
    );
    let metering = &result["metering"]["Extraction/openai/fake-model"];
    assert_eq!(metering["inputTokens"], 321.0, "{:#}", result["metering"]);
    assert_eq!(metering["outputTokens"], 45.0);
    assert_eq!(metering["requests"], 1.0);
    // The summary is the model's too, metered under its own stage.
    assert_eq!(
        result["summary"],
        "A credit union statement for Alejandro Rosalez."
    );
    assert_eq!(
        result["metering"]["Summarization/openai/fake-model"]["requests"],
        1.0
    );
    // So is the classification: one request per page.
    assert_eq!(
        result["metering"]["Classification/openai/fake-model"]["requests"], 5.0,
        "{:#}",
        result["metering"]
    );

    assert_eq!(fake.requests_of("classification").len(), 5);
    assert!(
        fake.requests_of("assessment").is_empty(),
        "assessment.enabled: false"
    );
    assert_eq!(
        fake.requests_of("summarization").len(),
        1,
        "a summary is plain text"
    );
    let extraction = fake.requests_of("extraction");
    assert_eq!(extraction.len(), 1);
    let req = &extraction[0];
    assert_eq!(req["model"], "fake-model");
    assert_eq!(req["temperature"], 0.0);
    assert_eq!(
        req["response_format"]["json_schema"]["schema"]["properties"]["member_name"]["type"],
        "string"
    );
    let prompt = req["messages"].to_string();
    assert!(prompt.contains("Credit-Union-Statement"), "{prompt}");
    assert!(
        prompt.contains("ALEJANDRO ROSALEZ"),
        "the page text is sent"
    );
}

#[test]
fn classification_and_assessment_come_from_the_model() {
    let state = tempfile::tempdir().unwrap();
    let configs = tempfile::tempdir().unwrap();
    let loan = configs.path().join("loan-notice.yaml");
    std::fs::write(
        &loan,
        "x-aws-idp-document-type: Loan-Notice\ndescription: A notice about a loan.\n\
         properties:\n  loan_number:\n    type: string\n    description: The loan's number.\n",
    )
    .unwrap();
    // Pages 1–3 are a statement, 4–5 a loan notice; each stage answers as a model would.
    let fake = serve(Box::new(|request: &Value| match stage(request) {
        "classification" => {
            let page = page_asked(request);
            let class = if page <= 3 {
                "Credit-Union-Statement"
            } else {
                "Loan-Notice"
            };
            let boundary = if page == 1 || page == 4 {
                "start"
            } else {
                "continue"
            };
            (
                200,
                completion(&json!({"class": class, "document_boundary": boundary})),
            )
        }
        "extraction" if prompt(request).contains("Loan-Notice") => {
            (200, completion(&json!({"loan_number": "L-77"})))
        }
        "extraction" => (
            200,
            completion(
                &json!({"member_name": "ALEJANDRO ROSALEZ", "statement_date": "2031-02-30"}),
            ),
        ),
        "assessment" if prompt(request).contains("this Loan-Notice document") => {
            assessed(&[("loan_number", 0.6, "the number is smudged")])
        }
        "assessment" => assessed(&[
            ("member_name", 0.95, "printed at the top of page 1"),
            ("statement_date", 0.3, "no such date on the pages"),
        ]),
        _ => (200, completion_text("A statement and a loan notice.")),
    }));
    let (run, result) = process_with(state.path(), &fake, &bank_statement(), &[&loan]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(result["status"], "COMPLETED", "{result:#}");

    // Sections and page classes are the model's.
    let sections: Vec<(String, Value)> = result["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["classification"].as_str().unwrap().to_string(),
                s["page_ids"].clone(),
            )
        })
        .collect();
    assert_eq!(
        sections,
        vec![
            ("Credit-Union-Statement".to_string(), json!(["1", "2", "3"])),
            ("Loan-Notice".to_string(), json!(["4", "5"])),
        ]
    );
    assert_eq!(result["pages"]["4"]["classification"], "Loan-Notice");
    assert_eq!(result["pages"]["4"]["confidence"], 1.0);

    // Confidences are the model's assessment; thresholds (the default 0.8) flag the low ones.
    let statement = &result["sections"][0];
    let fields = &statement["fields"];
    // Confidences are f32 in the result.
    let near = |v: &Value, want: f64| (v.as_f64().unwrap_or(-1.0) - want).abs() < 1e-6;
    assert!(
        near(&fields["member_name"]["confidence"], 0.95),
        "{fields:#}"
    );
    assert_eq!(
        fields["member_name"]["confidence_reason"],
        "printed at the top of page 1"
    );
    assert!(
        near(&fields["statement_date"]["confidence"], 0.3),
        "{fields:#}"
    );
    let flagged = |s: &Value| -> Vec<String> {
        s["confidence_threshold_alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["attribute_name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(flagged(statement), vec!["statement_date"]);
    let notice = &result["sections"][1];
    assert!(
        near(&notice["fields"]["loan_number"]["confidence"], 0.6),
        "{notice:#}"
    );
    assert_eq!(flagged(notice), vec!["loan_number"]);

    let metering = &result["metering"];
    let stage_meter = |stage: &str| &metering[format!("{stage}/openai/fake-model")];
    assert_eq!(
        stage_meter("Classification")["requests"],
        5.0,
        "{metering:#}"
    );
    assert_eq!(stage_meter("Classification")["inputTokens"], 5.0 * 321.0);
    assert_eq!(stage_meter("Extraction")["requests"], 2.0);
    assert_eq!(stage_meter("Assessment")["requests"], 2.0);
    assert_eq!(stage_meter("Assessment")["outputTokens"], 2.0 * 45.0);

    // What the model was asked: the classes with their descriptions, and a schema that allows
    // only their names.
    let classification = fake.requests_of("classification");
    assert_eq!(classification.len(), 5);
    let first = &classification[0];
    let asked = prompt(first);
    assert!(
        asked.contains(
            "Credit-Union-Statement  \t[ A consolidated statement from a credit union. ]"
        ),
        "{asked}"
    );
    assert!(
        asked.contains("Loan-Notice  \t[ A notice about a loan. ]"),
        "{asked}"
    );
    assert_eq!(first["temperature"], 0.0);
    assert_eq!(
        first["response_format"]["json_schema"]["schema"]["properties"]["class"]["enum"],
        json!(["Credit-Union-Statement", "Loan-Notice"])
    );
    let assessment = fake.requests_of("assessment");
    assert_eq!(assessment.len(), 2);
    let statement_assessment = assessment
        .iter()
        .find(|r| prompt(r).contains("this Credit-Union-Statement document"))
        .expect("the statement was assessed");
    let schema = &statement_assessment["response_format"]["json_schema"]["schema"];
    assert_eq!(
        schema["properties"]["member_name"]["required"],
        json!(["confidence", "confidence_reason"])
    );
    let asked = prompt(statement_assessment);
    assert!(
        asked.contains("\"member_name\": \"ALEJANDRO ROSALEZ\""),
        "the extraction results are sent: {asked}"
    );
    assert!(
        asked.contains("--- page 1 ---"),
        "the pages are sent: {asked}"
    );
    assert!(
        !asked.contains("--- page 4 ---"),
        "only the section's pages: {asked}"
    );
}

#[test]
fn a_class_the_configuration_does_not_have_fails_the_document() {
    let state = tempfile::tempdir().unwrap();
    let fake = serve(by_stage(vec![(
        "classification",
        vec![(
            200,
            completion(&json!({"class": "Invoice", "document_boundary": "start"})),
        )],
    )]));
    let file = one_page(state.path());
    let (run, result) = process(state.path(), &fake, &file);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(result["status"], "FAILED", "{result:#}");
    let reason = result["failure_reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("`Invoice`, which the configuration does not have"),
        "{reason}"
    );
    assert!(
        reason.contains(r#"the model answered: {"class":"Invoice","document_boundary":"start"}"#),
        "{reason}"
    );
    // One request and one repair that names the allowed classes; nothing after.
    let requests = fake.requests.lock().unwrap();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let repair = prompt(&requests[1]);
    assert!(
        repair.contains("the classes are exactly: Credit-Union-Statement"),
        "{repair}"
    );
}

#[test]
fn a_throttled_call_is_retried_and_the_document_completes() {
    let state = tempfile::tempdir().unwrap();
    let mut answers = by_stage(vec![
        ("classification", vec![credit_union_page()]),
        (
            "extraction",
            vec![(
                200,
                completion(&json!({"member_name": "ALEJANDRO ROSALEZ"})),
            )],
        ),
        (
            "assessment",
            vec![assessed(&[
                ("member_name", 0.9, "printed"),
                ("statement_date", 0.1, "not found"),
            ])],
        ),
        (
            "summarization",
            vec![(200, completion_text("A statement."))],
        ),
    ]);
    let mut throttled = false;
    let fake = serve(Box::new(move |request: &Value| {
        if !std::mem::replace(&mut throttled, true) {
            return (
                429,
                json!({"error": {"message": "Rate limit reached", "type": "rate_limit_error"}}),
            );
        }
        answers(request)
    }));
    let file = one_page(state.path());
    let (run, result) = process(state.path(), &fake, &file);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(result["status"], "COMPLETED");
    assert_eq!(
        fake.requests_of("classification").len(),
        2,
        "the throttled classification, then its retry"
    );
    assert_eq!(fake.requests_of("extraction").len(), 1);
    assert_eq!(fake.requests_of("summarization").len(), 1);
}

#[test]
fn a_refused_key_fails_the_document_with_the_fix() {
    let state = tempfile::tempdir().unwrap();
    let fake = serve(in_order(vec![(
        401,
        json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}}),
    )]));
    let file = one_page(state.path());
    let (run, result) = process(state.path(), &fake, &file);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(result["status"], "FAILED", "{result:#}");
    let reason = result["failure_reason"].as_str().unwrap_or_default();
    assert!(reason.contains("Incorrect API key"), "{reason}");
    assert!(reason.contains("hint:"), "{reason}");
    assert_eq!(fake.requests.lock().unwrap().len(), 1, "not retried");
}

#[test]
fn openai_without_a_model_is_refused_before_anything_runs() {
    let state = tempfile::tempdir().unwrap();
    let mut cmd = command();
    cmd.env("IDPCTL_STATE_DIR", state.path())
        .env("IDPCTL_ENGINE_LLM", "openai")
        .env("IDPCTL_OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
        .args(["process", &bank_statement()]);
    let run = run_cmd(cmd);
    assert_eq!(run.code, 2, "{}", run.stderr);
    common::assert_contains(&run.stderr, "engines.openai.model is not set");
    common::assert_contains(&run.stderr, "IDPCTL_OPENAI_MODEL");
}
