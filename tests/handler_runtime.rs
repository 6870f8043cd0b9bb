//! The binary as a Lambda function: started like `bootstrap` (no arguments, `_HANDLER` set)
//! against a mock Runtime API, it answers invocations with results and error reports.

mod common;

use common::runtime_api::RuntimeApi;
use common::{command, idpctl, root, run_cmd};
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/events").join(name)).unwrap(),
    )
    .unwrap()
}

#[test]
fn lists_every_handler() {
    let run = idpctl(&["handler", "--list"]);
    assert_eq!(run.code, 0);
    let names: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(names.len(), 12);
    assert_eq!(names[0], "intake");
    assert!(names.contains(&"hook_dispatch"));
}

#[test]
fn unknown_handler_lists_the_valid_ones() {
    let run = idpctl(&["handler", "teleport"]);
    assert_eq!(run.code, 2);
    common::assert_contains(&run.stderr, "`teleport` is not a handler of idpctl");
    common::assert_contains(&run.stderr, "hint: handlers: intake, unpack, split");
}

#[test]
fn outside_lambda_the_handler_says_what_is_missing() {
    let run = idpctl(&["handler", "intake"]);
    assert_eq!(run.code, 2);
    common::assert_contains(
        &run.stderr,
        "not running inside Lambda: AWS_LAMBDA_RUNTIME_API",
    );
}

#[test]
fn bootstrap_serves_responses_and_error_reports() {
    let state = tempfile::tempdir().unwrap();
    let event = fixture("s3-object-created.eventbridge.json");
    let api = RuntimeApi::start(vec![
        event.clone(),
        json!({"detail-type": "Object Deleted", "detail": {}}),
        event,
    ]);
    let mut cmd = command();
    cmd.env("AWS_LAMBDA_RUNTIME_API", &api.addr)
        .env("AWS_LAMBDA_FUNCTION_NAME", "idp-dev-intake")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("_HANDLER", "intake")
        .env("IDPCTL_BACKEND", "local")
        .env("IDPCTL_STATE_DIR", state.path())
        .env("INPUT_BUCKET", "idp-dev-input-123456789012")
        .env("OUTPUT_BUCKET", "idp-dev-output")
        .env("WORKING_BUCKET", "idp-dev-working");
    let run = run_cmd(cmd);
    let replies = api.join();
    assert_eq!(
        replies.len(),
        3,
        "replies: {replies:#?}\nstderr: {}",
        run.stderr
    );

    let first = &replies[0];
    assert_eq!(
        (first.kind.as_str(), first.request_id.as_str()),
        ("response", "req-0")
    );
    let upload = &first.body["uploads"][0];
    assert_eq!(upload["key"], "inbox/2026-11-22/W2 Form: 1001.pdf");
    assert_eq!(upload["new"], true);

    let second = &replies[1];
    assert_eq!(second.kind, "error");
    assert_eq!(second.body["errorType"], "idpctl.InvalidEvent");
    assert!(
        second.body["errorMessage"]
            .as_str()
            .unwrap()
            .contains("Object Deleted")
    );

    let third = &replies[2];
    assert_eq!(third.kind, "response");
    assert_eq!(
        third.body["uploads"][0]["new"], false,
        "a repeated event starts nothing"
    );
    assert_eq!(third.body["uploads"][0]["upload_id"], upload["upload_id"]);

    // The record and the queued execution are really in the local tables.
    let db = rusqlite::Connection::open(state.path().join("idpctl.db")).unwrap();
    let (status, source): (String, String) = db
        .query_row(
            "SELECT status, source FROM tracking WHERE id = ?1",
            [upload["upload_id"].as_str().unwrap()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(status, "RUNNING");
    assert_eq!(
        source,
        "s3://idp-dev-input-123456789012/inbox/2026-11-22/W2 Form: 1001.pdf"
    );
    let executions: i64 = db
        .query_row("SELECT COUNT(*) FROM executions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(executions, 1);
}

/// The AWS backend as the template configures it, for a function on an unreachable endpoint:
/// nothing here may call AWS before the first invocation.
fn aws_function(api: &RuntimeApi, handler: &str) -> std::process::Command {
    let mut cmd = command();
    cmd.env("AWS_LAMBDA_RUNTIME_API", &api.addr)
        .env("AWS_LAMBDA_FUNCTION_NAME", format!("idp-dev-{handler}"))
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("_HANDLER", handler)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("INPUT_BUCKET", "idp-dev-input")
        .env("OUTPUT_BUCKET", "idp-dev-output")
        .env("WORKING_BUCKET", "idp-dev-working")
        .env("TRACKING_TABLE", "idp-dev-tracking")
        .env("CONFIGURATION_TABLE", "idp-dev-configuration");
    cmd
}

#[test]
fn a_missing_variable_stops_the_function_before_its_first_poll() {
    let api = RuntimeApi::start(vec![json!({})]);
    let mut cmd = aws_function(&api, "extract");
    cmd.env_remove("TRACKING_TABLE");
    let run = run_cmd(cmd);
    assert_eq!(run.code, 2, "{}", run.stderr);
    common::assert_contains(
        &run.stderr,
        "environment variable TRACKING_TABLE is not set",
    );
    common::assert_contains(&run.stderr, "hint:");
    // The function never polled, so nothing was answered (the mock is left waiting).
    assert!(api.replies.lock().unwrap().is_empty());
}

#[test]
fn services_that_cannot_be_built_fail_the_first_invocation_with_the_reason() {
    // A vision OCR engine with no model engine named: only building the services finds it,
    // which now happens on the first invocation instead of before the first poll.
    let api = RuntimeApi::start(vec![
        json!({"document_id": "d"}),
        json!({"document_id": "d"}),
    ]);
    let mut cmd = aws_function(&api, "ocr");
    cmd.env("OCR_ENGINE", "bedrock");
    let run = run_cmd(cmd);
    let replies = api.join();
    assert_eq!(replies.len(), 2, "{replies:#?}\n{}", run.stderr);
    for reply in &replies {
        assert_eq!(reply.kind, "error");
        assert_eq!(reply.body["errorType"], "idpctl.Misconfigured");
        let message = reply.body["errorMessage"].as_str().unwrap();
        assert!(message.contains("OCR_ENGINE is `bedrock`"), "{message}");
        assert!(message.contains("hint:"), "{message}");
    }
}
