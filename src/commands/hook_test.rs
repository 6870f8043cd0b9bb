//! `idpctl hook test`: a sample completion event put on the stack's event bus (source
//! `idpctl.hook-test`), so it travels the deployed rule, the dispatcher and the user's hook as a
//! real completion does. The dispatcher leaves what the hook answered in the working bucket,
//! where this command reads it. Locally the event goes through the template's rules in process.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};

use crate::aws::inspect::deployed_resources;
use crate::aws::{self, AwsError};
use crate::deploy::HOOK_PARAMETER;
use crate::error::Hinted;
use crate::exit::ExitStatus;
use crate::handlers::hook_dispatch::{TEST_SOURCE, test_outcome_key};
use crate::runtime::local::LocalStack;
use crate::services::clock;
use crate::settings::Settings;
use crate::stack::Assets;
use crate::ui::{self, OutputFormat, Ui};

#[derive(Debug, Serialize)]
struct Report {
    event: String,
    delivered: bool,
    hook: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// The sample: one section with a few attributes, shaped like every completion event.
fn event(name: &str, state_machine_arn: &str, region: &str) -> Value {
    let key = format!("idpctl-hook-test/{name}.pdf");
    let document = json!({
        "id": key,
        "input_bucket": "idpctl-hook-test",
        "input_key": key,
        "output_bucket": "idpctl-hook-test",
        "status": "COMPLETED",
        "num_pages": 1,
        "sections": [{
            "section_id": "1",
            "classification": "Invoice",
            "page_ids": ["1"],
            "attributes": {"invoice_number": "INV-TEST-001", "total_amount": "$1,250.00"},
            "confidence_threshold_alerts": [],
        }],
        "metering": {},
        "test": true,
    });
    let now = clock::now_millis();
    let execution = format!(
        "{}:{name}",
        state_machine_arn.replacen(":stateMachine:", ":execution:", 1)
    );
    json!({
        "version": "0",
        "id": name,
        "detail-type": "Step Functions Execution Status Change",
        "source": TEST_SOURCE,
        "account": "",
        "time": clock::now_rfc3339(),
        "region": region,
        "resources": [execution],
        "detail": {
            "executionArn": execution,
            "stateMachineArn": state_machine_arn,
            "name": name,
            "status": "SUCCEEDED",
            "startDate": now,
            "stopDate": now,
            "input": json!({"document": {"document_id": key}}).to_string(),
            "inputDetails": {"included": true},
            "output": json!({"document": document}).to_string(),
            "outputDetails": {"included": true},
        },
    })
}

fn test_name() -> String {
    format!("idpctl-hook-test-{}", uuid::Uuid::new_v4().simple())
}

fn print(report: &Report, ui: &Ui) -> anyhow::Result<ExitStatus> {
    match ui.output {
        OutputFormat::Json => ui::print_json(report)?,
        OutputFormat::Text if report.delivered => {
            println!(
                "{}",
                serde_json::to_string_pretty(report.answer.as_ref().unwrap_or(&Value::Null))?
            );
            ui.info(format!("delivered {} to {}", report.event, report.hook));
        }
        OutputFormat::Text => ui.warn(format!(
            "{} did not take {}: {}",
            report.hook,
            report.event,
            report.error.as_deref().unwrap_or("no reason given")
        )),
    }
    Ok(if report.delivered {
        ExitStatus::Success
    } else {
        ExitStatus::Findings
    })
}

pub async fn run(timeout: u64, settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    let session = aws::connect(settings).await?;
    let stack = deployed_resources(&session.cloudformation(), &settings.stack_name).await?;
    if stack.parameter(HOOK_PARAMETER).is_none_or(str::is_empty) {
        return Err(Hinted::usage(
            format!("stack {} has no post-processing hook", settings.stack_name),
            "set one first: idpctl hook set arn:aws:lambda:<region>:<account>:function:<name>",
        )
        .into());
    }
    let (Some(state_machine), Some(working)) = (
        stack.physical("StateMachine"),
        stack.physical("WorkingBucket"),
    ) else {
        return Err(stack.missing("state machine or working bucket").into());
    };
    let name = test_name();
    let sample = event(&name, state_machine, &session.region);
    let put = aws_sdk_eventbridge::Client::new(&session.config)
        .put_events()
        .entries(
            aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                .source(TEST_SOURCE)
                .detail_type("Step Functions Execution Status Change")
                .detail(sample["detail"].to_string())
                .resources(sample["resources"][0].as_str().unwrap_or_default())
                .build(),
        )
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("PutEvents", e))?;
    if put.failed_entry_count() > 0 {
        let why = put
            .entries()
            .iter()
            .find_map(|e| e.error_message().map(str::to_string))
            .unwrap_or_default();
        return Err(Hinted::usage(
            format!("EventBridge refused the test event: {why}"),
            "the credentials need events:PutEvents on the default event bus",
        )
        .into());
    }
    ui.info(format!(
        "put {name} on the default event bus; waiting for the hook's answer"
    ));
    let s3 = session.s3();
    let key = test_outcome_key(&name);
    let started = Instant::now();
    loop {
        match s3.get_object().bucket(working).key(&key).send().await {
            Ok(out) => {
                let bytes = out
                    .body
                    .collect()
                    .await
                    .map_err(|e| anyhow::anyhow!("s3://{working}/{key}: {e}"))?
                    .into_bytes();
                let outcome: Value = serde_json::from_slice(&bytes)?;
                return print(&report(&name, &outcome), ui);
            }
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => {}
            Err(e) => return Err(AwsError::from_sdk("GetObject", e).into()),
        }
        if started.elapsed() >= Duration::from_secs(timeout) {
            return Err(Hinted::usage(
                format!("no answer from the dispatcher within {timeout} s"),
                "check that the stack's WorkflowSucceededRule is enabled and the dispatcher's logs (/aws/lambda/<stack>-hook_dispatch); deploy this version if the rule lacks the idpctl.hook-test source",
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn report(name: &str, outcome: &Value) -> Report {
    Report {
        event: name.to_string(),
        delivered: outcome["delivered"] == true,
        hook: outcome["hook"].as_str().unwrap_or_default().to_string(),
        answer: outcome.get("answer").cloned(),
        error: outcome["error"].as_str().map(str::to_string),
    }
}

/// The local stack: the same event through the template's rules, in process.
pub fn local(assets: &Assets, settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    let stack = LocalStack::open(settings, assets)?;
    if stack.services.hook.is_none() {
        return Err(Hinted::usage(
            "the local profile has no hook",
            "set local.hook_command or local.hook_url in the profile (or IDPCTL_LOCAL_HOOK_COMMAND)",
        )
        .into());
    }
    let name = test_name();
    let arn = format!(
        "arn:aws:states:{}:000000000000:stateMachine:{}",
        settings.region, settings.stack_name
    );
    let sample = event(&name, &arn, &settings.region);
    let routed = stack.deliver(&sample);
    let Some((_, result)) = routed.into_iter().next() else {
        return Err(Hinted::usage(
            "no rule of the local stack routes a test event to the dispatcher",
            "redeploy the local stack with this version: idpctl deploy --profile local",
        )
        .into());
    };
    let outcome = match result {
        Ok(v) => v,
        Err(e) => json!({"delivered": false, "error": e}),
    };
    print(&report(&name, &outcome), ui)
}
