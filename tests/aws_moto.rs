//! The AWS commands end to end through the real binary against a moto server on a loopback
//! port: deploy `dev`, redeploy with no change, set/show/clear the hook, status healthy and then
//! degraded by a dead-letter message, destroy; and the bad inputs (unknown profile, bad ARN,
//! missing credentials, emulator down, another account).
//!
//! moto's limits shape what is asserted: its stacks go straight to *_COMPLETE, change sets made
//! stacks have no outputs, alarms are not created. Rollback, polling and failure paths are in
//! `aws_flow.rs` on recorded responses instead.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use common::moto::{Moto, aws_env};
use common::{Run, command, run_cmd};
use serde_json::Value;

const ACCOUNT: &str = "123456789012";

/// An ELF64 header for aarch64 with no sections: enough for idpctl's architecture and glibc
/// checks, and moto never runs the code.
fn fake_arm64_binary() -> Vec<u8> {
    let mut h = b"\x7fELF\x02\x01\x01\0".to_vec();
    h.resize(16, 0);
    h.extend_from_slice(&2u16.to_le_bytes()); // e_type: executable
    h.extend_from_slice(&183u16.to_le_bytes()); // e_machine: aarch64
    h.resize(64, 0);
    h.extend_from_slice(b"pretend idpctl");
    h
}

struct Env {
    moto: Moto,
    /// Holds the artifact; removed with the test.
    _dir: tempfile::TempDir,
    zip: PathBuf,
}

fn setup() -> Option<Env> {
    let moto = Moto::start()?;
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("bootstrap.zip");
    std::fs::write(
        &zip,
        idpctl::package::archive::zip_bootstrap(&fake_arm64_binary()).unwrap(),
    )
    .unwrap();
    Some(Env {
        moto,
        _dir: dir,
        zip,
    })
}

/// The binary with only this server's AWS settings (none from the developer's shell).
fn idpctl_aws(env: &[(&'static str, String)], args: &[&str]) -> Run {
    let mut cmd = command();
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    cmd.envs(env.iter().map(|(k, v)| (k, v.as_str())));
    cmd.args(args);
    cmd.stdin(std::process::Stdio::null());
    run_cmd(cmd)
}

impl Env {
    fn run(&self, args: &[&str]) -> Run {
        idpctl_aws(&self.moto.env(), args)
    }

    fn zip(&self) -> &str {
        self.zip.to_str().unwrap()
    }

    fn deploy(&self) -> Value {
        let run = self.run(&[
            "--profile",
            "dev",
            "--output",
            "json",
            "deploy",
            "--yes",
            "--artifact",
            self.zip(),
        ]);
        assert_eq!(run.code, 0, "deploy failed:\n{}", run.stderr);
        serde_json::from_str(&run.stdout).unwrap()
    }

    fn status(&self) -> (i32, Value) {
        let run = self.run(&[
            "--profile",
            "dev",
            "--output",
            "json",
            "status",
            "--artifact",
            self.zip(),
        ]);
        assert!(
            run.stdout.starts_with('{'),
            "status printed no report:\n{}",
            run.stderr
        );
        (run.code, serde_json::from_str(&run.stdout).unwrap())
    }

    fn sdk(&self) -> aws_config::SdkConfig {
        block_on(
            aws_config::defaults(BehaviorVersion::latest())
                .region(aws_config::Region::new("us-east-1"))
                .endpoint_url(&self.moto.endpoint)
                .credentials_provider(aws_sdk_sqs::config::Credentials::new(
                    "testing", "testing", None, None, "test",
                ))
                .load(),
        )
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn component<'a>(status: &'a Value, logical_id: &str) -> &'a Value {
    status["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["logical_id"] == logical_id)
        .unwrap_or_else(|| panic!("no component {logical_id} in {status:#}"))
}

#[test]
fn deploy_dev_then_a_redeploy_is_a_fast_no_op() {
    let Some(env) = setup() else { return };
    let first = env.deploy();
    assert_eq!(first["result"], "executed");
    assert_eq!(first["status"], "CREATE_COMPLETE");
    assert_eq!(first["account"], ACCOUNT);
    assert_eq!(first["artifact"]["uploaded"], true);
    assert!(
        first["changes"].as_array().unwrap().len() > 50,
        "the change set was shown"
    );
    // moto gives change-set-made stacks no outputs; the field is there for AWS.
    assert!(first["outputs"].is_array());

    let cfn = aws_sdk_cloudformation::Client::new(&env.sdk());
    let change_sets = || {
        block_on(cfn.list_change_sets().stack_name("idp-dev").send())
            .unwrap()
            .summaries()
            .len()
    };
    let before = change_sets();

    let started = Instant::now();
    let again = env.run(&[
        "--profile",
        "dev",
        "deploy",
        "--yes",
        "--artifact",
        env.zip(),
    ]);
    let took = started.elapsed();
    eprintln!("no-op deploy against moto took {} ms", took.as_millis());
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again
            .stderr
            .contains("is already there; not uploading it again"),
        "{}",
        again.stderr
    );
    common::assert_contains(&again.stderr, "no change set created");
    assert_eq!(
        change_sets(),
        before,
        "a no-op deploy creates no change set"
    );
    assert!(took < Duration::from_secs(10), "no-op deploy took {took:?}");

    // A text deploy of the same thing prints the (here empty) outputs and nothing else on stdout.
    let text = env.run(&[
        "--profile",
        "dev",
        "deploy",
        "--yes",
        "--artifact",
        env.zip(),
    ]);
    assert_eq!(text.code, 0);
    assert_eq!(text.stdout, "");
}

#[test]
fn hook_set_show_clear_changes_only_the_hook_parameter() {
    let Some(env) = setup() else { return };
    env.deploy();
    let cfn = aws_sdk_cloudformation::Client::new(&env.sdk());
    let parameters = || {
        let out = block_on(cfn.describe_stacks().stack_name("idp-dev").send()).unwrap();
        out.stacks()[0]
            .parameters()
            .iter()
            .map(|p| {
                (
                    p.parameter_key().unwrap().to_string(),
                    p.parameter_value().unwrap_or("").to_string(),
                )
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let deployed = parameters();

    // Point the hook at a function that exists: one of the stack's own.
    let (_, status) = env.status();
    let name = component(&status, "FinalizeFunction")["physical_id"]
        .as_str()
        .unwrap()
        .to_string();
    let arn = format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}");
    let set = env.run(&["--profile", "dev", "hook", "set", &arn, "--yes"]);
    assert_eq!(set.code, 0, "{}", set.stderr);
    assert!(!set.stderr.contains("cannot be found"), "{}", set.stderr);

    let after = parameters();
    assert_eq!(after["PostProcessingLambdaHookFunctionArn"], arn);
    for (k, v) in &deployed {
        if k != "PostProcessingLambdaHookFunctionArn" {
            assert_eq!(&after[k], v, "{k} kept its value");
        }
    }
    let show = env.run(&["--profile", "dev", "hook", "show"]);
    assert_eq!((show.code, show.stdout.trim()), (0, arn.as_str()));

    // The dispatcher's role now may invoke exactly that function (read back from IAM); the
    // state machine's role may too, because this stand-in hook is one of the stack's functions.
    let (code, status) = env.status();
    assert_eq!(status["hook"]["function_arn"], arn.as_str());
    assert_eq!(status["hook"]["function_found"], true);
    assert_eq!(
        status["hook"]["allowed_by"],
        serde_json::json!(["HookDispatchFunctionRole", "StateMachineRole"])
    );
    assert_eq!(code, 0, "{status:#}");

    // A function that does not exist is accepted with a warning.
    let missing = format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:not-there");
    let warned = env.run(&["--profile", "dev", "hook", "set", &missing, "--yes"]);
    assert_eq!(warned.code, 0, "{}", warned.stderr);
    common::assert_contains(
        &warned.stderr,
        "warning: function arn:aws:lambda:us-east-1:123456789012:function:not-there cannot be found",
    );

    let clear = env.run(&["--profile", "dev", "hook", "clear", "--yes"]);
    assert_eq!(clear.code, 0, "{}", clear.stderr);
    let show = env.run(&["--profile", "dev", "--output", "json", "hook", "show"]);
    let shown: Value = serde_json::from_str(&show.stdout).unwrap();
    assert_eq!(shown["enabled"], false);
    assert_eq!(parameters()["PostProcessingLambdaHookFunctionArn"], "");
    let (_, status) = env.status();
    assert_eq!(
        status["hook"]["allowed_by"],
        serde_json::json!([]),
        "the grant is gone"
    );

    // Clearing again changes nothing, and says so.
    let again = env.run(&["--profile", "dev", "hook", "clear", "--yes"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    common::assert_contains(&again.stderr, "no changes to stack idp-dev");
}

/// `status` sums the metering `finalize` keeps in each completed document's tracking record
/// (one bounded Query of `by_status`), and prices it: here at the built-in price of Nova Lite.
fn usage_is_summed_from_the_tracking_table(env: &Env, status: &Value) {
    use idpctl::services::{Tracking, TrackingRecord, clock};
    assert_eq!(status["usage"]["documents"], 0, "{status:#}");
    let table = component(status, "TrackingTable")["physical_id"]
        .as_str()
        .unwrap()
        .to_string();
    let tracking = idpctl::services::aws::DynamoTracking::new(
        aws_sdk_dynamodb::Client::new(&env.sdk()),
        table,
    );
    let metering = serde_json::json!({"Extraction/bedrock/us.amazon.nova-lite-v1:0":
        {"inputTokens": 2000.0, "outputTokens": 300.0, "totalTokens": 2300.0, "requests": 2.0}});
    let now = clock::now_rfc3339();
    for (id, status, details) in [
        ("d1", "COMPLETED", serde_json::json!({"metering": metering})),
        ("d2", "COMPLETED", serde_json::json!({"metering": metering})),
        // Finalized before metering was recorded: counted, said so, not summed.
        ("d3", "COMPLETED", serde_json::json!({"num_pages": 1})),
        ("d4", "FAILED", serde_json::json!({"metering": metering})),
    ] {
        let record = TrackingRecord {
            id: id.into(),
            kind: "document".into(),
            batch_id: Some("b1".into()),
            status: status.into(),
            created_at: now.clone(),
            updated_at: now.clone(),
            source: None,
            execution: None,
            reason: None,
            details,
        };
        assert!(block_on(tracking.create(&record)).unwrap());
    }
    let (_, status) = env.status();
    let usage = &status["usage"];
    assert_eq!(usage["documents"], 3, "{usage:#}");
    assert_eq!(usage["metered_documents"], 2);
    assert_eq!(usage["truncated"], false);
    let summed = &usage["metering"]["Extraction/bedrock/us.amazon.nova-lite-v1:0"];
    assert_eq!(summed["inputTokens"].as_f64(), Some(4000.0));
    assert_eq!(summed["requests"].as_f64(), Some(4.0));
    let expected = (4000.0 * 0.06 + 600.0 * 0.24) / 1e6;
    let total = usage["cost"]["total_usd"].as_f64().unwrap();
    assert!((total - expected).abs() < 1e-12, "{usage:#}");
    assert!(
        usage["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("1 of 3 completed documents carry no metering"),
        "{usage:#}"
    );
}

#[test]
fn status_is_healthy_then_degraded_by_a_message_in_a_dead_letter_queue() {
    let Some(env) = setup() else { return };
    env.deploy();
    let (code, status) = env.status();
    assert_eq!(status["health"], "healthy", "{status:#}");
    assert_eq!(code, 0);
    assert_eq!(status["stack"]["status"], "CREATE_COMPLETE");
    for id in [
        "InputBucket",
        "TrackingTable",
        "StateMachine",
        "OcrFunction",
        "HookDeadLetterQueue",
    ] {
        assert_eq!(component(&status, id)["present"], true, "{id}");
    }
    assert_eq!(
        component(&status, "OcrFunction")["code_matches_local"],
        true
    );
    assert_eq!(status["hook"]["enabled"], false);
    usage_is_summed_from_the_tracking_table(&env, &status);

    let dlq = status["dead_letter_queues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["logical_id"] == "HookDeadLetterQueue")
        .expect("the hook's DLQ is found")["url"]
        .as_str()
        .unwrap()
        .to_string();
    let sqs = aws_sdk_sqs::Client::new(&env.sdk());
    block_on(
        sqs.send_message()
            .queue_url(&dlq)
            .message_body("{\"parked\": true}")
            .send(),
    )
    .unwrap();

    let (code, status) = env.status();
    assert_eq!(
        (code, status["health"].as_str()),
        (1, Some("degraded")),
        "{status:#}"
    );
    assert_eq!(
        status["problems"],
        serde_json::json!([
            "1 completion event(s) not delivered to the hook: `idpctl hook redrive` sends them again"
        ])
    );
    let text = env.run(&["--profile", "dev", "status", "--artifact", env.zip()]);
    assert_eq!(text.code, 1);
    common::assert_contains(&text.stdout, "health      degraded");
    common::assert_contains(&text.stdout, "HookDeadLetterQueue 1");
}

#[test]
fn destroy_deletes_the_stack_and_lists_the_data_it_keeps() {
    let Some(env) = setup() else { return };
    env.deploy();
    let run = env.run(&["--profile", "dev", "destroy", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    common::assert_contains(&run.stderr, "deleted stack idp-dev");
    for kept in [
        "AWS::S3::Bucket  InputBucket  idp-dev-inputbucket-",
        "AWS::DynamoDB::Table  TrackingTable  ",
    ] {
        assert!(run.stdout.contains(kept), "{kept} not in:\n{}", run.stdout);
    }
    let (code, status) = env.status();
    assert_eq!((code, status["health"].as_str()), (2, Some("down")));
    assert_eq!(status["stack"], Value::Null);
    let again = env.run(&["--profile", "dev", "destroy", "--yes"]);
    assert_eq!(again.code, 0);
    common::assert_contains(&again.stderr, "does not exist; nothing to delete");
}

#[test]
fn without_a_terminal_deploy_needs_yes_and_leaves_nothing_behind() {
    let Some(env) = setup() else { return };
    let run = env.run(&["--profile", "dev", "deploy", "--artifact", env.zip()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    common::assert_contains(&run.stderr, "standard input is not a terminal");
    common::assert_contains(
        &run.stderr,
        "hint: run it in a terminal to answer, or pass --yes",
    );
    // The change set was shown first, on stdout.
    common::assert_contains(&run.stdout, "Add     InputBucket");
    // The declined CREATE change set and its placeholder stack are gone; the next deploy creates it.
    let (code, _) = env.status();
    assert_eq!(code, 2);
    assert_eq!(env.deploy()["status"], "CREATE_COMPLETE");
}

#[test]
fn deploying_to_another_account_than_the_profile_pins_is_refused() {
    let Some(env) = setup() else { return };
    let mut vars = env.moto.env();
    vars.push(("IDPCTL_ACCOUNT_ID", "111122223333".into()));
    let mut cmd = command();
    cmd.envs(vars.iter().map(|(k, v)| (k, v.as_str())));
    cmd.args([
        "--profile",
        "dev",
        "deploy",
        "--yes",
        "--artifact",
        env.zip(),
    ]);
    let run = run_cmd(cmd);
    assert_eq!(run.code, 2, "{}", run.stderr);
    common::assert_contains(
        &run.stderr,
        "profile `dev` pins account 111122223333, but the credentials in use act in account 123456789012",
    );
    assert!(
        run.stderr
            .contains("hint: switch to credentials for account 111122223333")
    );
}

// ---------------------------------------------------------------- bad inputs, no server needed

fn nothing_listens() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

#[test]
fn an_unknown_profile_exits_2_before_touching_aws() {
    let run = idpctl_aws(
        &aws_env(&nothing_listens()),
        &["--profile", "staging", "deploy", "--yes"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    common::assert_contains(&run.stderr, "staging");
    common::assert_contains(&run.stderr, "hint:");
}

#[test]
fn a_bad_hook_arn_exits_2_with_the_expected_form() {
    let run = idpctl_aws(
        &aws_env(&nothing_listens()),
        &["--profile", "dev", "hook", "set", "arn:aws:s3:::my-bucket"],
    );
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: `arn:aws:s3:::my-bucket` is not a Lambda function ARN\n\
         hint: use arn:aws:lambda:<region>:<account-id>:function:<name>[:<alias>]; `idpctl hook clear` turns the hook off\n"
    );
}

#[test]
fn missing_credentials_exit_2_with_a_hint() {
    let env: Vec<(&'static str, String)> = aws_env(&nothing_listens())
        .into_iter()
        .filter(|(k, _)| {
            !k.starts_with("AWS_ACCESS_KEY_ID") && !k.starts_with("AWS_SECRET_ACCESS_KEY")
        })
        .collect();
    let run = idpctl_aws(&env, &["--profile", "dev", "status"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(
            "error: cannot connect to AWS in us-east-1\n  caused by: no AWS credentials found"
        ),
        "{}",
        run.stderr
    );
    common::assert_contains(&run.stderr, "hint: set AWS_PROFILE");
}

#[test]
fn an_emulator_that_is_down_exits_1_with_a_hint() {
    let endpoint = nothing_listens();
    let run = idpctl_aws(&aws_env(&endpoint), &["--profile", "dev", "hook", "show"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    common::assert_contains(
        &run.stderr,
        &format!("cannot reach the AWS endpoint {endpoint} (AWS_ENDPOINT_URL)"),
    );
    common::assert_contains(&run.stderr, "Connection refused");
    common::assert_contains(&run.stderr, "hint: is the emulator running?");
}
