//! The cloud rehearsal: the stack deployed to moto with IAM enforced, then driven as AWS would
//! drive it, every function running as Lambda would run it under its own deployed role (see
//! `rehearsal/mod.rs`). Cases: a text PDF, a scanned PDF (FAILED with the reason while the
//! stack has no OCR engine that runs in Lambda), a ZIP batch with a bad member, a completion
//! event over the hook's payload limit (delivered by reference), and a hook that fails
//! (retried, parked in the dead-letter queue with the reason, `status` degraded, `hook redrive`
//! delivers it). Prints one line per function: its AWS calls under its role, and how many were
//! denied — which must be none.

mod common;
mod rehearsal;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use common::moto::Moto;
use common::root;
use idpctl::handlers::Handler;
use rehearsal::setup::{
    Env, block_on, bootstrap_admin, config, deploy, get_json, samples, upload, zip_of,
};
use rehearsal::{Cloud, lambda_http};
use serde_json::{Value, json};

const STACK: &str = "idp-rehearsal";
const HOOK: &str = "rehearsal-hook";
const ACCOUNT: &str = "123456789012";
/// Requests moto lets through unauthenticated: creating the deployer's user, its policy and
/// its key. Every request after them is checked against IAM.
const UNAUTHENTICATED: usize = 3;

/// The user's post-processing hook: records every event; fails while `fail` is set.
#[derive(Default)]
struct HookStandIn {
    events: Mutex<Vec<Value>>,
    fail: AtomicBool,
    failures: Mutex<usize>,
}

fn hook_document(event: &Value) -> Value {
    let output: Value = serde_json::from_str(event["detail"]["output"].as_str().unwrap()).unwrap();
    output["document"].clone()
}

/// `status --output json` against the deployed artifact.
fn status(env: &Env) -> common::Run {
    env.idpctl(&[
        "--output",
        "json",
        "status",
        "--artifact",
        env.zip.to_str().unwrap(),
    ])
}

fn dlq_depth(cloud: &Cloud) -> usize {
    let sqs = aws_sdk_sqs::Client::new(&cloud.admin);
    let attrs = cloud
        .runtime
        .block_on(
            sqs.get_queue_attributes()
                .queue_url(cloud.bucket("HookDeadLetterQueue"))
                .attribute_names(
                    aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages,
                )
                .send(),
        )
        .unwrap();
    attrs
        .attributes()
        .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[test]
fn the_deployed_stack_processes_documents_under_its_own_roles() {
    if !samples().is_dir() {
        eprintln!("skipping: ../shared/samples is not beside this checkout");
        return;
    }
    let hook = Arc::new(HookStandIn::default());
    let slot: Arc<OnceLock<Arc<Cloud>>> = Arc::new(OnceLock::new());
    let dispatch: lambda_http::Dispatch = {
        let (hook, slot) = (hook.clone(), slot.clone());
        Arc::new(move |name: &str, kind: &str, body: Vec<u8>| {
            let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            if name == HOOK {
                hook.events.lock().unwrap().push(event);
                if hook.fail.load(Ordering::SeqCst) {
                    *hook.failures.lock().unwrap() += 1;
                    return (
                        json!({"errorType": "Exception", "errorMessage": "the downstream system is down"}).to_string(),
                        true,
                    );
                }
                return (
                    json!({"statusCode": 200, "body": "recorded"}).to_string(),
                    false,
                );
            }
            let Some(cloud) = slot.get() else {
                return (
                    json!({"errorMessage": "the stack is not connected yet"}).to_string(),
                    true,
                );
            };
            let Some(f) = cloud.function_named(name) else {
                return (
                    json!({"errorType": "ResourceNotFoundException", "errorMessage": name})
                        .to_string(),
                    true,
                );
            };
            if kind == "DryRun" {
                return (String::new(), false);
            }
            if kind == "Event" {
                // Lambda queues it and answers at once: retries and the on-failure destination
                // are Lambda's business, not the caller's.
                let _ = cloud.invoke_async(&f, event);
                return (String::new(), false);
            }
            match cloud.invoke_sync(&f, event) {
                Ok(v) => (v.to_string(), false),
                Err(e) => (
                    json!({"errorType": e.error, "errorMessage": e.cause}).to_string(),
                    true,
                ),
            }
        })
    };
    let lambda_url = lambda_http::serve(dispatch);
    let unauthenticated = UNAUTHENTICATED.to_string();
    let Some(moto) = Moto::start_with(&[
        ("INITIAL_NO_AUTH_ACTION_COUNT", unauthenticated.as_str()),
        ("IDPCTL_REHEARSAL_LAMBDA_URL", lambda_url.as_str()),
    ]) else {
        return;
    };
    let endpoint = moto.endpoint.clone();
    let (key, secret) = bootstrap_admin(&endpoint);
    let admin = config(&endpoint, &key, &secret);

    // IAM must be on: the bootstrap credentials, which have no user behind them, are refused.
    let nobody = config(&endpoint, "bootstrap", "bootstrap");
    let refused = block_on(aws_sdk_s3::Client::new(&nobody).list_buckets().send());
    assert!(
        refused.is_err(),
        "moto accepted an unknown access key: IAM enforcement is off (INITIAL_NO_AUTH_ACTION_COUNT)"
    );

    // The user's hook, outside the stack.
    let hook_arn = block_on(async {
        let iam = aws_sdk_iam::Client::new(&admin);
        let role = iam
            .create_role()
            .role_name("rehearsal-hook-role")
            .assume_role_policy_document(
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}).to_string(),
            )
            .send()
            .await
            .unwrap()
            .role
            .unwrap();
        let code = zip_of(&[(
            "hook.py",
            b"def handler(event, context):\n    return {}\n".to_vec(),
        )]);
        aws_sdk_lambda::Client::new(&admin)
            .create_function()
            .function_name(HOOK)
            .runtime(aws_sdk_lambda::types::Runtime::Python312)
            .handler("hook.handler")
            .role(role.arn)
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(code.into())
                    .build(),
            )
            .send()
            .await
            .unwrap()
            .function_arn
            .unwrap()
    });

    let dir = tempfile::tempdir().unwrap();
    let (env, template) = deploy(
        &endpoint,
        (key, secret),
        dir.path(),
        &format!(
            "stack_name: {STACK}\nregion: us-east-1\naccount_id: \"{ACCOUNT}\"\narchitecture: arm64\n\
             hook:\n  function_arn: {hook_arn}\n  max_payload_bytes: 1048576\nengines:\n  ocr: none\n"
        ),
    );

    let cloud = Arc::new(Cloud::connect(admin.clone(), &endpoint, STACK, &template));
    assert!(slot.set(cloud.clone()).is_ok());
    let output_bucket = cloud.bucket("OutputBucket");

    // A role is held to its own grants: intake may not write results.
    let intake = cloud.function(Handler::Intake);
    let intake_s3 = {
        let lookup = |k: &str| intake.env.get(k).cloned();
        rehearsal::s3_client(&block_on(idpctl::services::aws::sdk_config(&lookup)))
    };
    let denied = block_on(
        intake_s3
            .put_object()
            .bucket(&output_bucket)
            .key("not-yours.json")
            .body(b"{}".to_vec().into())
            .send(),
    );
    assert!(
        denied.is_err(),
        "intake's role wrote to the output bucket: IAM is not enforced on assumed roles"
    );

    let mut costs = Vec::new();
    let mut measure = |label: &str, run: &dyn Fn()| {
        let before = cloud.total_calls();
        run();
        let calls = cloud.total_calls() - before;
        costs.push(format!(
            "{label}: {calls} AWS requests by the stack's functions"
        ));
    };

    // 1. A text PDF.
    let text = std::fs::read(samples().join("text/bank-statement-multipage.pdf")).unwrap();
    measure("text PDF (bank statement)", &|| {
        upload(&cloud, "inbox/statement.pdf", text.clone());
        cloud.settle();
    });
    let result = get_json(&cloud, &output_bucket, "inbox/statement.pdf/result.json");
    assert_eq!(result["status"], "COMPLETED", "{result:#}");
    assert!(result["num_pages"].as_u64().unwrap() > 1);
    let delivered = hook.events.lock().unwrap().clone();
    assert_eq!(delivered.len(), 1, "one completion event for one document");
    let doc = hook_document(&delivered[0]);
    assert_eq!(
        doc["id"], "inbox/statement.pdf",
        "document.id is the input key"
    );
    assert_eq!(doc["status"], "COMPLETED");
    assert!(doc["sections"].as_array().is_some_and(|s| !s.is_empty()));

    // 2. A scanned PDF: no OCR engine runs in the zip, and the reason says so.
    let scanned = std::fs::read(samples().join("scanned/1099B.pdf")).unwrap();
    measure("scanned PDF (1099-B, no OCR engine)", &|| {
        upload(&cloud, "inbox/1099b.pdf", scanned.clone());
        cloud.settle();
    });
    let result = get_json(&cloud, &output_bucket, "inbox/1099b.pdf/result.json");
    assert_eq!(result["status"], "FAILED", "{result:#}");
    let reason = result["failure_reason"].as_str().unwrap_or_default();
    assert!(reason.contains("no OCR engine"), "reason: {reason}");

    // 3. A ZIP batch with a bad member: the good one completes, the bad one fails with its reason.
    let w2 = std::fs::read(samples().join("w2/W2_XL_input_clean_1000.pdf")).unwrap();
    let batch = zip_of(&[
        ("w2.pdf", w2.clone()),
        ("broken.pdf", b"%PDF-1.7\nthis is not a PDF body".to_vec()),
    ]);
    measure("ZIP of 2 (1 bad member)", &|| {
        upload(&cloud, "inbox/batch.zip", batch.clone());
        cloud.settle();
    });
    let good = get_json(&cloud, &output_bucket, "inbox/batch.zip/w2.pdf/result.json");
    assert_eq!(good["status"], "COMPLETED", "{good:#}");
    let bad = get_json(
        &cloud,
        &output_bucket,
        "inbox/batch.zip/broken.pdf/result.json",
    );
    assert_eq!(bad["status"], "FAILED", "{bad:#}");
    assert!(
        !bad["failure_reason"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
    );
    let ids: Vec<Value> = hook
        .events
        .lock()
        .unwrap()
        .iter()
        .map(|e| hook_document(e)["id"].clone())
        .collect();
    assert!(ids.contains(&json!("inbox/batch.zip/w2.pdf")), "{ids:?}");

    // 3a. A ZIP that does not open: its execution fails in Unpack, before any document exists;
    // the upload is then the one document, with a result that says why.
    upload(
        &cloud,
        "inbox/broken.zip",
        b"PK\x03\x04 this is not a ZIP".to_vec(),
    );
    cloud.settle();
    let broken = get_json(&cloud, &output_bucket, "inbox/broken.zip/result.json");
    assert_eq!(broken["status"], "FAILED", "{broken:#}");
    assert!(
        broken.to_string().contains("not a readable ZIP"),
        "{broken:#}"
    );

    // 3b. What a batch costs: a ZIP of distinct W-2s (REHEARSAL_ZIP_DOCS, default 10).
    let docs: usize = std::env::var("REHEARSAL_ZIP_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let members: Vec<(String, Vec<u8>)> = (0..docs)
        .map(|i| {
            let mut pdf = std::fs::read(
                samples().join(format!("w2/W2_XL_input_clean_{}.pdf", 1000 + i % 20)),
            )
            .unwrap();
            // Distinct bytes, so unpack does not skip them as duplicates; a comment after %%EOF.
            pdf.extend_from_slice(format!("\n% copy {i}\n").as_bytes());
            (format!("w2-{i:04}.pdf"), pdf)
        })
        .collect();
    let named: Vec<(&str, Vec<u8>)> = members
        .iter()
        .map(|(n, b)| (n.as_str(), b.clone()))
        .collect();
    let big = zip_of(&named);
    measure(&format!("ZIP of {docs} W-2s (1 page each)"), &|| {
        upload(&cloud, "inbox/w2-batch.zip", big.clone());
        cloud.settle();
    });
    for (name, _) in members.iter().take(3) {
        let r = get_json(
            &cloud,
            &output_bucket,
            &format!("inbox/w2-batch.zip/{name}/result.json"),
        );
        assert_eq!(r["status"], "COMPLETED", "{name}: {r:#}");
    }

    // 4. Over the payload limit (1 MiB in this profile): delivered by reference.
    let nuveen = std::fs::read(samples().join("text/Nuveen.pdf")).unwrap();
    upload(&cloud, "inbox/nuveen.pdf", nuveen);
    cloud.settle();
    let last = hook.events.lock().unwrap().last().cloned().unwrap();
    let doc = hook_document(&last);
    assert_eq!(doc["id"], "inbox/nuveen.pdf");
    assert_eq!(doc["by_reference"], true, "a 2 MB event goes by reference");
    assert_eq!(
        doc["document_uri"],
        format!("s3://{output_bucket}/inbox/nuveen.pdf/result.json")
    );
    assert!(last.to_string().len() < 1024 * 1024);

    // 5. The hook fails: retried, parked in the dead-letter queue with the reason, status
    //    degraded; `hook redrive` delivers it once the hook works again.
    let healthy = status(&env);
    hook.fail.store(true, Ordering::SeqCst);
    let w2b = std::fs::read(samples().join("w2/W2_XL_input_clean_1001.pdf")).unwrap();
    upload(&cloud, "inbox/w2-b.pdf", w2b);
    cloud.settle();
    hook.fail.store(false, Ordering::SeqCst);
    assert!(
        *hook.failures.lock().unwrap() >= 3,
        "the dispatcher retries a failing hook"
    );
    assert_eq!(
        dlq_depth(&cloud),
        1,
        "the undelivered event waits in the dead-letter queue"
    );
    let parked = cloud.parked.lock().unwrap().clone();
    assert!(
        parked
            .iter()
            .any(|(_, reason)| reason.contains("the downstream system is down")),
        "the reason travels with it: {parked:?}"
    );
    let degraded = status(&env);
    assert_eq!(
        degraded.code, 1,
        "status is degraded:\n{}\n{}",
        degraded.stdout, degraded.stderr
    );
    let report: Value = serde_json::from_str(&degraded.stdout).unwrap();
    assert_eq!(
        report["hook"]["undelivered"], 1,
        "status counts it: {report:#}"
    );
    let redrive = env.idpctl(&["--output", "json", "hook", "redrive"]);
    assert_eq!(
        redrive.code, 0,
        "redrive:\n{}\n{}",
        redrive.stdout, redrive.stderr
    );
    let report: Value = serde_json::from_str(&redrive.stdout).unwrap();
    assert_eq!(report["delivered"], 1);
    assert_eq!(dlq_depth(&cloud), 0);
    let last = hook.events.lock().unwrap().last().cloned().unwrap();
    assert_eq!(hook_document(&last)["id"], "inbox/w2-b.pdf");
    let after = status(&env);
    assert_eq!(
        after.code, healthy.code,
        "status is back to where it was:\n{}",
        after.stdout
    );

    // 5b. `idpctl hook test`: a sample event put on the bus travels the deployed rule (moto's
    //     EventBridge), the dispatcher and the hook; the hook's answer is printed.
    let before = hook.events.lock().unwrap().len();
    let tested = env.idpctl(&["--output", "json", "hook", "test", "--timeout", "30"]);
    assert_eq!(
        tested.code, 0,
        "hook test:\n{}\n{}",
        tested.stdout, tested.stderr
    );
    let report: Value = serde_json::from_str(&tested.stdout).unwrap();
    assert_eq!(report["delivered"], true);
    assert_eq!(
        report["answer"]["body"], "recorded",
        "the hook's own answer: {report:#}"
    );
    let events = hook.events.lock().unwrap().clone();
    assert_eq!(events.len(), before + 1);
    let doc = hook_document(events.last().unwrap());
    assert!(
        doc["id"].as_str().unwrap().starts_with("idpctl-hook-test/"),
        "{doc:#}"
    );
    hook.fail.store(true, Ordering::SeqCst);
    let failing = env.idpctl(&["--output", "json", "hook", "test", "--timeout", "30"]);
    hook.fail.store(false, Ordering::SeqCst);
    assert_eq!(
        failing.code, 1,
        "a failing hook fails the test:\n{}\n{}",
        failing.stdout, failing.stderr
    );
    let report: Value = serde_json::from_str(&failing.stdout).unwrap();
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .contains("the downstream system is down"),
        "{report:#}"
    );
    assert_eq!(
        dlq_depth(&cloud),
        0,
        "a failed test is reported, not parked"
    );

    // 6. `idpctl process` against the deployed stack: uploads a file and a ZIP, follows the
    //    tracking table while the stack works, downloads every result; `results` again later.
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(
        inbox.join("w2-c.pdf"),
        std::fs::read(samples().join("w2/W2_XL_input_clean_1002.pdf")).unwrap(),
    )
    .unwrap();
    std::fs::write(
        inbox.join("pair.zip"),
        zip_of(&[
            (
                "a.pdf",
                std::fs::read(samples().join("w2/W2_XL_input_clean_1003.pdf")).unwrap(),
            ),
            ("../escape.pdf", b"%PDF-1.7".to_vec()),
        ]),
    )
    .unwrap();
    let results = dir.path().join("results");
    let child = {
        let mut cmd = env.command(&[
            "--output",
            "json",
            "process",
            inbox.to_str().unwrap(),
            "--out",
            results.to_str().unwrap(),
            "--timeout",
            "120",
        ]);
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd.spawn().unwrap()
    };
    let done = Arc::new(AtomicBool::new(false));
    let pump = {
        let (cloud, done) = (cloud.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                cloud.settle();
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
        })
    };
    let output = child.wait_with_output().unwrap();
    done.store(true, Ordering::SeqCst);
    pump.join().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The ZIP's traversal member is refused: exit 1, with every document in the table.
    assert_eq!(
        output.status.code(),
        Some(1),
        "process:\n{stdout}\n{stderr}"
    );
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    let rows = summary["documents"].as_array().unwrap();
    let status_of = |name: &str| {
        rows.iter()
            .find(|r| r["document"] == name)
            .map(|r| r["status"].as_str().unwrap_or_default().to_string())
            .unwrap_or_else(|| panic!("no row for {name}: {summary:#}"))
    };
    assert_eq!(status_of("w2-c.pdf"), "COMPLETED");
    assert_eq!(status_of("pair.zip/a.pdf"), "COMPLETED");
    assert_eq!(rows.len(), 3, "{summary:#}");
    assert!(
        stderr.contains("documents finished"),
        "progress lines: {stderr}"
    );
    let on_disk: Value =
        serde_json::from_slice(&std::fs::read(results.join("w2-c.pdf/result.json")).unwrap())
            .unwrap();
    assert_eq!(on_disk["status"], "COMPLETED");
    assert!(results.join("summary.json").is_file());
    let again = env.idpctl(&["--output", "json", "results", "inbox/w2-c.pdf"]);
    assert_eq!(
        again.code, 0,
        "results:\n{}\n{}",
        again.stdout, again.stderr
    );
    let again: Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(again["documents"][0]["status"], "COMPLETED");

    // 7. Configuration as data: deploy stored the profile's configuration as v1; a pushed
    //    version, once activated, is what the next document runs with (no code deployed), and
    //    warm functions did not read the configuration for every document.
    let list = env.idpctl(&["--output", "json", "config", "list"]);
    assert_eq!(list.code, 0, "config list:\n{}", list.stderr);
    let listed: Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(listed["active"], 1, "{listed:#}");
    assert_eq!(listed["versions"][0]["origin"], "deploy");
    assert!(
        listed["versions"][0]["pushed_by"]
            .as_str()
            .unwrap()
            .ends_with(":user/deployer"),
        "{listed:#}"
    );
    assert_eq!(
        get_json(&cloud, &output_bucket, "inbox/statement.pdf/result.json")["config_version"],
        1
    );
    let classify = cloud.function(Handler::Classify);
    let count = |f: &rehearsal::Function, op: &str| -> usize {
        f.calls
            .calls()
            .iter()
            .filter(|c| format!("{}:{}", c.service, c.operation).eq_ignore_ascii_case(op))
            .count()
    };
    let (config_reads, documents) = (
        count(&classify, "DynamoDB:GetItem"),
        count(&classify, "S3:PutObject"),
    );
    println!(
        "classify read the configuration table {config_reads} times for {documents} documents"
    );
    assert!(
        config_reads < documents,
        "a warm function reads the configuration once, then checks the active version every few seconds"
    );
    let classes = root().join("tests/fixtures/classes/credit-union.yaml");
    let pushed = env.idpctl(&[
        "--classes-mode",
        "replace",
        "config",
        "push",
        classes.to_str().unwrap(),
        "--activate",
    ]);
    assert_eq!(pushed.code, 0, "config push:\n{}", pushed.stderr);
    assert_eq!(pushed.stdout.trim(), "2");
    // Functions check the active version at most every 5 s.
    std::thread::sleep(std::time::Duration::from_millis(5_500));
    upload(&cloud, "inbox/statement-v2.pdf", text.clone());
    cloud.settle();
    let result = get_json(&cloud, &output_bucket, "inbox/statement-v2.pdf/result.json");
    assert_eq!(result["status"], "COMPLETED", "{result:#}");
    assert_eq!(result["config_version"], 2);
    let section = &result["sections"][0];
    assert_eq!(section["classification"], "Credit-Union-Statement");
    let fields: Vec<&String> = section["fields"].as_object().unwrap().keys().collect();
    assert!(
        fields
            .iter()
            .all(|f| ["member_name", "statement_date"].contains(&f.as_str())),
        "extract used v2's class: {fields:?}"
    );
    let status = env.idpctl(&["--output", "json", "status"]);
    let status: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(status["configuration"]["version"], 2, "{status:#}");
    let diff = env.idpctl(&["config", "diff", "1", "2"]);
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    assert!(diff.stdout.contains("+ classes.Credit-Union-Statement"));

    // Every function ran, and IAM refused none of its calls.
    let mut denied_total = 0;
    for f in &cloud.functions {
        let calls = f.calls.calls();
        let denied: Vec<_> = calls.iter().filter(|c| c.denied()).collect();
        println!(
            "{}: {} AWS calls under its role, {} denied",
            f.handler.name(),
            calls.len(),
            denied.len()
        );
        for d in &denied {
            println!("  denied: {} {}", d.service, d.operation);
        }
        let mut by_operation = std::collections::BTreeMap::new();
        for c in &calls {
            *by_operation
                .entry(format!("{}:{}", c.service, c.operation))
                .or_insert(0) += 1;
        }
        println!("  {by_operation:?}");
        denied_total += denied.len();
    }
    let pages =
        get_json(&cloud, &output_bucket, "inbox/statement.pdf/result.json")["num_pages"].clone();
    let scanned_pages =
        get_json(&cloud, &output_bucket, "inbox/1099b.pdf/result.json")["num_pages"].clone();
    let states = cloud.state_machine_calls.calls();
    let states_denied = states.iter().filter(|c| c.denied()).count();
    println!(
        "state machine: {} AWS calls under its role (Lambda DryRun per Task), {states_denied} denied",
        states.len()
    );
    denied_total += states_denied;
    for c in &costs {
        println!("{c}");
    }
    println!("(the text PDF has {pages} pages; the scanned PDF {scanned_pages})");
    assert_eq!(
        denied_total, 0,
        "calls were denied: the declared IAM actions do not cover the code"
    );
    for h in Handler::ALL {
        if *h == Handler::Intake || *h == Handler::HookDispatch {
            continue;
        }
        assert!(
            !cloud.function(*h).calls.is_empty() || *h == Handler::Ocr,
            "{} never ran",
            h.name()
        );
    }
    // Every execution succeeded but the broken ZIP's, which failed in Unpack.
    let finished = cloud.finished.lock().unwrap();
    let failed: Vec<_> = finished
        .iter()
        .filter(|f| f.status != "SUCCEEDED")
        .collect();
    assert_eq!(failed.len(), 1, "{finished:?}");
    assert_eq!(failed[0].status, "FAILED", "{failed:?}");
}
