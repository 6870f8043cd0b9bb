//! The cloud rehearsal of a stack on Bedrock: deployed to moto with IAM enforced, every function
//! running as Lambda would run it under its own deployed role (see `rehearsal/mod.rs`), the
//! model calls answered by the fake Converse of tests/fixtures/aws/moto_server.py after moto's
//! IAM check. The roles are granted `bedrock:InvokeModel` on exactly the models the profile's
//! configuration names: a text document and a scanned one (read by a vision model under the OCR
//! function's role) go through, and a configuration version pushed later that names another
//! model is refused by IAM, the document failing with the reason and the fix. A stack on an
//! OpenAI-compatible server reads its key from Secrets Manager under its roles.

mod common;
mod rehearsal;

use std::sync::Arc;

use aws_config::SdkConfig;

use common::moto::Moto;
use idpctl::handlers::Handler;
use rehearsal::Cloud;
use rehearsal::setup::{bootstrap_admin, config, deploy, get_json, upload};
use serde_json::Value;

const STACK: &str = "idp-models";
const MODEL: &str = "amazon.nova-lite-v1:0";
const OTHER_MODEL: &str = "amazon.nova-pro-v1:0";

/// A class whose fields the invoice writes as `Label: value` lines, which the fakes fill from.
fn invoice_class() -> std::path::PathBuf {
    common::root().join("tests/fixtures/classes/invoice-lines.yaml")
}

fn invoice() -> String {
    std::fs::read_to_string(common::root().join("tests/fixtures/documents/invoice-42.txt")).unwrap()
}

/// The statements of a function's role whose actions are of `service` (`bedrock`, …).
fn statements_of(template: &Value, role: &str, service: &str) -> Vec<Value> {
    let prefix = format!("{service}:");
    template["Resources"][role]["Properties"]["Policies"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| {
            p["PolicyDocument"]["Statement"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter(|s| s["Action"].to_string().contains(&prefix))
        .collect()
}

fn bedrock_statements(template: &Value, role: &str) -> Vec<Value> {
    statements_of(template, role, "bedrock")
}

/// The profile of the stack: the invoice class, and `engines` (the YAML under `engines:`).
fn profile(engines: &str) -> String {
    format!(
        "stack_name: {STACK}\nregion: us-east-1\naccount_id: \"123456789012\"\narchitecture: arm64\n\
         classes: {}\nclasses_mode: replace\nengines:\n{engines}",
        invoice_class().display()
    )
}

/// moto with IAM enforced (`env` added to its environment), and an administrator's keys and
/// configuration; `None` (skipped) without moto.
fn start_moto(env: &[(&str, &str)]) -> Option<(Moto, (String, String), SdkConfig)> {
    let mut env = env.to_vec();
    env.push(("INITIAL_NO_AUTH_ACTION_COUNT", "3"));
    let moto = Moto::start_with(&env)?;
    let (key, secret) = bootstrap_admin(&moto.endpoint);
    let admin = config(&moto.endpoint, &key, &secret);
    Some((moto, (key, secret), admin))
}

/// Uploads `bytes` as `key` under `inbox/`, lets the stack run, and returns the result.
fn processed(cloud: &Arc<Cloud>, key: &str, bytes: Vec<u8>) -> Value {
    upload(cloud, &format!("inbox/{key}"), bytes);
    cloud.settle();
    let output_bucket = cloud.bucket("OutputBucket");
    get_json(cloud, &output_bucket, &format!("inbox/{key}/result.json"))
}

/// [`processed`], which must have COMPLETED.
fn completed(cloud: &Arc<Cloud>, key: &str, bytes: Vec<u8>) -> Value {
    let result = processed(cloud, key, bytes);
    assert_eq!(result["status"], "COMPLETED", "{result:#}");
    result
}

/// No call of a function other than `except` was refused by IAM.
fn assert_none_denied(cloud: &Cloud, except: Option<Handler>) {
    for f in cloud.functions.iter().filter(|f| Some(f.handler) != except) {
        let denied = f.calls.calls().iter().filter(|c| c.denied()).count();
        assert_eq!(denied, 0, "{}: {denied} calls denied", f.handler.name());
    }
}

#[test]
fn a_bedrock_stack_calls_only_the_models_it_was_deployed_with() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("bedrock.jsonl");
    let Some((moto, keys, admin)) =
        start_moto(&[("IDPCTL_FAKE_BEDROCK_LOG", log.to_str().unwrap())])
    else {
        return;
    };
    let endpoint = moto.endpoint.clone();
    let (env, template) = deploy(
        &endpoint,
        keys,
        dir.path(),
        &profile(&format!(
            "  ocr: bedrock\n  llm: bedrock\n  bedrock:\n    model: {MODEL}\n  retry:\n    base_ms: 5\n"
        )),
    );

    // Each model-calling role names the model, nothing wider; the others get no Bedrock at all.
    for role in [
        "OcrFunctionRole",
        "ClassifyFunctionRole",
        "ExtractFunctionRole",
        "AssessFunctionRole",
        "SummarizeFunctionRole",
    ] {
        let st = bedrock_statements(&template, role);
        assert_eq!(st.len(), 1, "{role}: {st:#?}");
        assert_eq!(st[0]["Action"], serde_json::json!(["bedrock:InvokeModel"]));
        let resources = st[0]["Resource"].to_string();
        assert!(
            resources.contains(&format!("foundation-model/{MODEL}")),
            "{role}: {resources}"
        );
        assert!(!resources.contains(OTHER_MODEL));
    }
    for role in [
        "IntakeFunctionRole",
        "SplitFunctionRole",
        "FinalizeFunctionRole",
    ] {
        assert!(bedrock_statements(&template, role).is_empty(), "{role}");
    }

    let cloud = Arc::new(Cloud::connect(admin, &endpoint, STACK, &template));
    let result = completed(&cloud, "invoice-42.txt", invoice().into_bytes());
    let section = &result["sections"][0];
    assert_eq!(section["classification"], "Invoice");
    assert_eq!(
        section["attributes"]["invoice_number"], "INV-2026-0042",
        "{section:#}"
    );
    assert_eq!(section["attributes"]["total"], 1234.5);
    let metering = &result["metering"];
    assert_eq!(
        metering[format!("Extraction/bedrock/{MODEL}")]["requests"],
        1.0,
        "{metering:#}"
    );
    // A scanned page: read by the vision model under the OCR function's role.
    let scan = std::fs::read(common::root().join("samples/scanned/1099B.pdf")).unwrap();
    let result = completed(&cloud, "scan.pdf", scan);
    assert_eq!(
        result["metering"][format!("OCR/bedrock/{MODEL}")]["pages"],
        1.0,
        "{:#}",
        result["metering"]
    );
    assert_none_denied(&cloud, None);
    let converse_calls = cloud
        .function(Handler::Extract)
        .calls
        .calls()
        .iter()
        .filter(|c| c.operation.eq_ignore_ascii_case("Converse"))
        .count();
    assert!(converse_calls >= 1, "extract called Bedrock under its role");

    // A version that moves extraction to a model the stack was not deployed with.
    let other = dir.path().join("invoice-pro.yaml");
    std::fs::write(
        &other,
        format!(
            "{}x-aws-idp-extraction-model: {OTHER_MODEL}\n",
            std::fs::read_to_string(invoice_class()).unwrap()
        ),
    )
    .unwrap();
    let pushed = env.idpctl(&[
        "--classes-mode",
        "replace",
        "config",
        "push",
        other.to_str().unwrap(),
        "--activate",
    ]);
    assert_eq!(pushed.code, 0, "config push:\n{}", pushed.stderr);
    assert!(
        pushed.stderr.contains(OTHER_MODEL) && pushed.stderr.contains("deploy"),
        "push warns that the stack does not grant the model:\n{}",
        pushed.stderr
    );
    // Functions check the active version at most every 5 s.
    std::thread::sleep(std::time::Duration::from_millis(5_500));
    let result = processed(
        &cloud,
        "invoice-43.txt",
        invoice().replace("0042", "0043").into_bytes(),
    );
    assert_eq!(result["status"], "FAILED", "{result:#}");
    let reason = result["failure_reason"].as_str().unwrap_or_default();
    assert!(reason.contains("denied access"), "{reason}");
    assert!(reason.contains(OTHER_MODEL), "{reason}");
    assert!(
        reason.contains("bedrock:InvokeModel"),
        "the fix names the grant: {reason}"
    );
    let denied: Vec<String> = cloud
        .function(Handler::Extract)
        .calls
        .calls()
        .iter()
        .filter(|c| c.denied())
        .map(|c| format!("{} {}", c.service, c.operation))
        .collect();
    assert!(!denied.is_empty(), "IAM refused the other model's call");
    assert!(
        denied
            .iter()
            .all(|d| d.to_ascii_lowercase().contains("converse")),
        "{denied:?}"
    );
    assert_none_denied(&cloud, Some(Handler::Extract));
}

#[test]
fn an_openai_stack_reads_its_key_from_secrets_manager_under_its_roles() {
    let dir = tempfile::tempdir().unwrap();
    let Some((moto, keys, admin)) = start_moto(&[]) else {
        return;
    };
    let endpoint = moto.endpoint.clone();
    let secret_arn = rehearsal::setup::block_on(async {
        aws_sdk_secretsmanager::Client::new(&admin)
            .create_secret()
            .name("idp-openai-key")
            .secret_string(r#"{"api_key": "sk-rehearsal"}"#)
            .send()
            .await
            .unwrap()
            .arn
            .unwrap()
    });
    let server = common::fake_openai::start(Some("sk-rehearsal"));

    let (_deployer, template) = deploy(
        &endpoint,
        keys,
        dir.path(),
        &profile(&format!(
            "  ocr: none\n  llm: openai\n  openai:\n    base_url: {}\n    model: fake-model\n    api_key_secret: {secret_arn}\n",
            server.url
        )),
    );
    let secret_statements = |role: &str| statements_of(&template, role, "secretsmanager");
    let st = secret_statements("ExtractFunctionRole");
    assert_eq!(st.len(), 1, "{st:#?}");
    assert_eq!(st[0]["Resource"], Value::String(secret_arn.clone()));
    assert!(secret_statements("IntakeFunctionRole").is_empty());
    assert!(bedrock_statements(&template, "ExtractFunctionRole").is_empty());

    let cloud = Arc::new(Cloud::connect(admin, &endpoint, STACK, &template));
    let result = completed(&cloud, "invoice-42.txt", invoice().into_bytes());
    let section = &result["sections"][0];
    assert_eq!(
        section["attributes"]["vendor_name"], "Northwind Traders",
        "{section:#}"
    );
    assert_eq!(
        result["metering"]["Extraction/openai/fake-model"]["requests"], 1.0,
        "{:#}",
        result["metering"]
    );
    let requests = server.requests.lock().unwrap();
    assert!(!requests.is_empty());
    assert!(
        requests
            .iter()
            .all(|(auth, _)| auth.as_deref() == Some("Bearer sk-rehearsal")),
        "every call carries the key from the secret"
    );
    let reads = cloud
        .function(Handler::Extract)
        .calls
        .calls()
        .iter()
        .filter(|c| c.operation.eq_ignore_ascii_case("GetSecretValue"))
        .count();
    assert_eq!(reads, 1, "the key is read once, at cold start");
    assert_none_denied(&cloud, None);
}
