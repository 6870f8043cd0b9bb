//! `idpctl hook set <ARN> | clear | show`: changes only `PostProcessingLambdaHookFunctionArn`,
//! keeping the deployed template and every other parameter's deployed value, through the same
//! change-set flow as `deploy`.

use serde::Serialize;

use crate::aws::cfn::StackApi;
use crate::aws::{self, AwsError};
use crate::cli::{HookAction, HookArgs};
use crate::deploy::HOOK_PARAMETER;
use crate::deploy::flow::{self, DeployOptions, DeployOutcome, FlowError, Target};
use crate::deploy::terminal::Terminal;
use crate::deploy::types::{ParameterValue, StackInfo};
use crate::error::Hinted;
use crate::exit::ExitStatus;
use crate::settings::{self, Settings};
use crate::ui::{self, OutputFormat, Ui};

#[derive(Debug, Serialize)]
struct Shown {
    stack_name: String,
    function_arn: String,
    enabled: bool,
}

#[derive(Debug, Serialize)]
struct Changed {
    function_arn: String,
    #[serde(flatten)]
    outcome: DeployOutcome,
}

pub fn run(args: &HookArgs, settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    // The ARN's form is checked before any AWS call: a typo needs no credentials to report.
    if let HookAction::Set { arn, .. } = &args.action
        && !settings::is_lambda_arn(arn)
    {
        return Err(Hinted::usage(
            format!("`{arn}` is not a Lambda function ARN"),
            "use arn:aws:lambda:<region>:<account-id>:function:<name>[:<alias>]; `idpctl hook clear` turns the hook off",
        )
        .into());
    }
    if let HookAction::Test { timeout } = &args.action {
        return aws::runtime()?.block_on(super::hook_test::run(*timeout, settings, ui));
    }
    if let HookAction::Redrive { max } = &args.action {
        return aws::runtime()?.block_on(super::hook_redrive::run(*max, settings, ui));
    }
    aws::runtime()?.block_on(hook(args, settings, ui))
}

async fn deployed(cfn: &dyn StackApi, name: &str) -> anyhow::Result<StackInfo> {
    let stack = cfn
        .describe_stack(name)
        .await?
        .filter(|s| s.stack_status != "REVIEW_IN_PROGRESS")
        .ok_or_else(|| FlowError::NotDeployed {
            stack: name.to_string(),
        })?;
    if !stack.parameters.contains_key(HOOK_PARAMETER) {
        return Err(Hinted::usage(
            format!("stack {name} has no {HOOK_PARAMETER} parameter"),
            "deploy this version of the stack with `idpctl deploy` first",
        )
        .into());
    }
    Ok(stack)
}

async fn hook(args: &HookArgs, settings: &Settings, ui: &Ui) -> anyhow::Result<ExitStatus> {
    let session = aws::connect(settings).await?;
    let client = session.cloudformation();
    let cfn: &dyn StackApi = &client;
    let stack = deployed(cfn, &settings.stack_name).await?;
    let (arn, yes) = match &args.action {
        HookAction::Show => {
            let arn = stack
                .parameters
                .get(HOOK_PARAMETER)
                .cloned()
                .unwrap_or_default();
            let shown = Shown {
                stack_name: stack.stack_name.clone(),
                enabled: !arn.is_empty(),
                function_arn: arn,
            };
            match ui.output {
                OutputFormat::Json => ui::print_json(&shown)?,
                OutputFormat::Text if shown.enabled => println!("{}", shown.function_arn),
                OutputFormat::Text => {
                    println!();
                    ui.info(format!("no hook is set on stack {}", shown.stack_name));
                }
            }
            return Ok(ExitStatus::Success);
        }
        HookAction::Redrive { .. } | HookAction::Test { .. } => unreachable!("handled in run"),
        HookAction::Set { arn, yes } => (arn.clone(), *yes),
        HookAction::Clear { yes } => (String::new(), *yes),
    };
    if !arn.is_empty() {
        match session.lambda().get_function().function_name(&arn).send().await {
            Ok(_) => {}
            Err(e) => match AwsError::from_sdk("GetFunction", e) {
                err if err.code() == Some("ResourceNotFoundException") => ui.warn(format!(
                    "function {arn} cannot be found; documents will land in the hook's dead-letter queue until it exists"
                )),
                err => ui.warn(format!("cannot check that {arn} exists: {err}")),
            },
        }
    }
    // Every parameter but the hook keeps its deployed value, whatever the local profile says.
    let parameters = stack
        .parameters
        .keys()
        .map(|k| {
            let value = if k == HOOK_PARAMETER {
                ParameterValue::Set(arn.clone())
            } else {
                ParameterValue::UsePrevious
            };
            (k.clone(), value)
        })
        .collect();
    let target = Target {
        stack_name: stack.stack_name.clone(),
        template: None,
        parameters,
        tags: stack.tags.clone(),
    };
    let opts = DeployOptions {
        yes,
        ..DeployOptions::default()
    };
    let outcome = flow::deploy(cfn, &target, &opts, &mut Terminal::new(ui)).await?;
    match ui.output {
        OutputFormat::Json => ui::print_json(&Changed {
            function_arn: arn,
            outcome,
        })?,
        OutputFormat::Text => {
            super::deploy::print_result(ui, &outcome);
            ui.info(if arn.is_empty() {
                "hook cleared".to_string()
            } else {
                format!("hook set to {arn}")
            });
        }
    }
    Ok(ExitStatus::Success)
}
